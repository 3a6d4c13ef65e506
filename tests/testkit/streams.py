"""Stream checks for tests and the bench: is a stream in the output the film's, bit for bit?"""

from __future__ import annotations

from pathlib import Path

from reelsub.media import input_args, run_tool


def stream_md5(path: Path, selector: str) -> str:
    """md5 of a stream's packets (``v:0``, ``a:0``), equal for a bit-identical stream copy."""
    result = run_tool(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            *input_args(path),
            "-map",
            f"0:{selector}",
            "-c",
            "copy",
            "-f",
            "md5",
            "-",
        ],
        f"{path}: md5 of stream {selector}",
    )
    return result.stdout.strip().removeprefix("MD5=")
