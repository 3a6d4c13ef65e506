"""Film files: probing and audio extraction, through ffprobe and ffmpeg (the MKV the mux stage
writes is reelsub.mkv's: the demux and asr stages import this module and need no SRT parser).

Every call passes an argument list (never a shell string), so no film name can run a command.
Every film is opened as a local file, never as a URL: libavformat reads ``concat:a.mkv|b.mkv`` or
``http:host?.mp4`` as a protocol (the second is fetched from the network). So each input is named
``file:`` + its absolute path and may use the ``file`` protocol alone (``-protocol_whitelist file``;
PyAV: ``options={"protocol_whitelist": "file"}``), nested inputs included, and an HLS playlist
posing as a film is refused before it is opened (docs/hostile-names.md).
Every output is written under a temporary name and renamed into place only when ffmpeg succeeded,
so a killed or failed job never leaves a file that looks complete.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from reelsub import escaping
from reelsub.contracts.base import atomic_output

if TYPE_CHECKING:  # PyAV is imported where a film is opened: probe and burn-in users do not pay for it
    from av.container import InputContainer

log = logging.getLogger(__name__)


class MediaError(RuntimeError):
    """A film cannot be read or written; the message names the file and the reason."""


@dataclass(frozen=True)
class Stream:
    index: int
    kind: str  # video, audio, subtitle, data, attachment
    codec: str
    language: str | None
    title: str | None
    default: bool
    frame_rate: float | None = None


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    duration: float
    streams: tuple[Stream, ...]
    chapters: int

    def of_kind(self, kind: str) -> list[Stream]:
        return [s for s in self.streams if s.kind == kind]

    @property
    def fps(self) -> float | None:
        """The first real video stream's frame rate (cover art is not video)."""
        for stream in self.of_kind("video"):
            if stream.frame_rate:
                return stream.frame_rate
        return None


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise MediaError(
            f"{name} not found on PATH: install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg; "
            "macOS: brew install ffmpeg; conda: it is in envs/common.yaml)"
        )
    return path


# -- opening films as files ---------------------------------------------------------------------
# The protocols an input may use, its nested inputs (a playlist's segments) included.
PROTOCOL_WHITELIST = "file"
INPUT_OPTIONS = {"protocol_whitelist": PROTOCOL_WHITELIST}
# What an HLS playlist starts with (RFC 8216, 4.3.1.1); libavformat opens one by its content
# whatever its name, and each segment it lists is a file or web address it then fetches.
PLAYLIST_SIGNATURE = b"#EXTM3U"


def file_url(path: Path | str) -> str:
    """``path`` as a URL libavformat can only take for a local file: ``file:`` and the absolute path
    (the file protocol opens what follows as it is: no ``%`` decoding, ``?`` or ``#`` parts)."""
    return "file:" + os.path.abspath(path)


def input_args(path: Path | str) -> list[str]:
    """ffmpeg's or ffprobe's arguments that open ``path`` as a local file and nothing else."""
    refuse_playlist(Path(path))
    return ["-protocol_whitelist", PROTOCOL_WHITELIST, "-i", file_url(path)]


def refuse_playlist(path: Path) -> None:
    """A film that is really an HLS playlist is an error naming it, before anything opens it."""
    try:
        with open(path, "rb") as stream:
            start = stream.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return  # ffmpeg says why it cannot read the file, with the film's name
    if start.startswith(PLAYLIST_SIGNATURE):
        raise MediaError(
            f"{path}: an HLS playlist (a list of other files or web addresses), not a film; "
            "reelsub reads only the film file itself"
        )


def open_input(path: Path | str, format: str | None = None) -> InputContainer:
    """``path`` opened with PyAV as a local file and nothing else; ``format`` names the demuxer
    where the file's name does not (``"srt"``)."""
    import av  # here: probe and burn-in users do not pay for importing it

    refuse_playlist(Path(path))
    return av.open(file_url(path), "r", format=format, options=INPUT_OPTIONS)


# ffmpeg (5.x) exits 0 when its output cannot be finished, e.g. on a full disk: only these lines
# on stderr say that the file it leaves is cut short.
UNFINISHED_OUTPUT = ("Error writing trailer", "Error closing file")
# Demuxers that reach the end of a cut-short file say so and carry on: ffmpeg then exits 0 with
# part of the film (MKV/WebM, and MP4 whose index is at the front, "fast start").
TRUNCATED_INPUT = ("File ended prematurely", "partial file")


def run_tool(args: Sequence[str], what: str) -> subprocess.CompletedProcess[str]:
    require_tool(args[0])
    log.debug("running %s", args)
    result = subprocess.run(list(args), capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0 or _says(result.stderr, UNFINISHED_OUTPUT):
        reason = _last_lines(result.stderr) or f"exit status {result.returncode}"
        raise MediaError(f"{what}: {reason}")
    return result


def _says(stderr: str, signs: Sequence[str]) -> bool:
    return any(sign in stderr for sign in signs)


def _last_lines(text: str, count: int = 3) -> str:
    # "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d0c1a2b3c0] moov atom not found" -> "moov atom not found"
    lines = [re.sub(r"^\[[^\]]* @ 0x[0-9a-f]+\] ", "", line.strip()) for line in text.strip().splitlines()]
    return " | ".join([line for line in lines if line][-count:])


def _rate(value: str | None) -> float | None:
    if not value or value in {"0/0", "0"}:
        return None
    try:
        rate = float(Fraction(value))
    except (ValueError, ZeroDivisionError):
        return None
    return rate if 0 < rate < 1000 else None


def probe(path: Path) -> MediaInfo:
    """ffprobe's view of a film; a file ffprobe cannot read is an error with ffprobe's reason."""
    path = Path(path)
    if not path.exists():
        raise MediaError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise MediaError(f"{path}: empty file (0 bytes)")
    result = run_tool(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "-show_chapters",
            *input_args(path),
        ],
        f"{path}: not a readable film (ffprobe)",
    )
    data = json.loads(result.stdout or "{}")
    if "format" not in data:
        raise MediaError(f"{path}: not a readable film (ffprobe found no container)")
    streams = []
    for raw in data.get("streams", []):
        tags = {k.lower(): v for k, v in (raw.get("tags") or {}).items()}
        disposition = raw.get("disposition") or {}
        kind = raw.get("codec_type", "data")
        if kind == "video" and disposition.get("attached_pic"):
            kind = "attachment"  # cover art travels as an attachment, not a video track
        streams.append(
            Stream(
                index=int(raw["index"]),
                kind=kind,
                codec=raw.get("codec_name", "unknown"),
                language=tags.get("language"),
                title=tags.get("title"),
                default=bool(disposition.get("default")),
                frame_rate=_rate(raw.get("avg_frame_rate")) or _rate(raw.get("r_frame_rate"))
                if kind == "video"
                else None,
            )
        )
    duration = float(data["format"].get("duration") or 0.0)
    return MediaInfo(
        path=path, duration=duration, streams=tuple(streams), chapters=len(data.get("chapters", []))
    )


# ffmpeg as every step here runs it: no keyboard, errors only, outputs overwritten (they are temporary
# files that atomic_output renames into place).
FFMPEG = ("ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y")

# Whisper (every engine) and wav2vec2 take 16 kHz mono audio; the demuxed soundtrack is 16-bit PCM WAV.
SAMPLE_RATE = 16000


def decode_to_pcm(
    source: Path, target: Path, what: str, selector: str | None = None, sample_rate: int = SAMPLE_RATE
) -> subprocess.CompletedProcess[str]:
    """``source``'s audio (the stream ``selector`` maps, else ffmpeg's pick) as mono 16-bit PCM WAV at
    ``sample_rate``, written to ``target``; ``what`` names the step in the error."""
    return run_tool(
        [
            *FFMPEG,
            *input_args(source),
            *(["-map", selector] if selector else []),
            "-vn",
            "-ac",
            "1",
            "-ar",
            str(sample_rate),
            "-c:a",
            "pcm_s16le",
            file_url(target),
        ],
        what,
    )


def extract_audio(
    film: Path,
    wav: Path,
    sample_rate: int = SAMPLE_RATE,
    stream_index: int | None = None,
    info: MediaInfo | None = None,
) -> MediaInfo:
    """One audio stream of the film (``stream_index``, ffprobe's index; default: the first audio
    stream) as 16 kHz mono PCM, the input every Whisper engine wants. ``info``: the film's probe
    where the caller has it already (an ffprobe costs ~0.1 s of a short film's demux)."""
    if info is None:
        info = probe(film)
    if not info.of_kind("audio"):
        raise MediaError(f"no audio stream in {film}")
    if stream_index is not None and stream_index not in {s.index for s in info.of_kind("audio")}:
        raise MediaError(f"{film}: stream {stream_index} is not an audio stream")
    selector = "0:a:0" if stream_index is None else f"0:{stream_index}"
    with atomic_output(wav) as temporary:
        result = decode_to_pcm(film, temporary, f"{film}: audio extraction failed", selector, sample_rate)
        if _says(result.stderr, TRUNCATED_INPUT):
            raise MediaError(
                f"{film}: the file is cut short (an unfinished copy or download?): "
                f"{_last_lines(result.stderr)}"
            )
    return info


def check_burn_in_font(font: str) -> None:
    """A font name libass cannot take (a ``,`` or ``=``, a control character) is an error naming
    the config key; rules/common.smk checks it before any job runs."""
    problem = escaping.force_style_problem(font)
    if problem is not None:
        raise MediaError(f"key 'mux.burn_in_font': {font!r} {problem}")
