"""Subtitle files: SRT (through pysrt) and WebVTT, written atomically; SRT read back into cues.

Both formats store whole milliseconds; build_cues already times cues in whole milliseconds, so
writing loses nothing and ``read_srt(write_srt(cues))`` gives the same cues.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path

import pysrt

from reelsub.subtitles.rules import Cue
from reelsub.contracts.transcript import write_text_atomically


def _milliseconds(seconds: float) -> int:
    return round(seconds * 1000)


def _shown_lines(cue: Cue) -> list[str]:
    # A blank line ends a cue in both formats: one inside a cue would cut it short.
    return [line for line in cue.lines if line.strip()]


def write_srt(cues: Sequence[Cue], path: str | os.PathLike[str]) -> None:
    """SubRip, UTF-8, cues numbered from 1. Written to a temporary file and renamed into place, so
    a killed job never leaves half a subtitle file that looks complete."""
    subtitles = pysrt.SubRipFile(
        [
            pysrt.SubRipItem(
                index=number,
                start=pysrt.SubRipTime.from_ordinal(_milliseconds(cue.start)),
                end=pysrt.SubRipTime.from_ordinal(_milliseconds(cue.end)),
                text="\n".join(_shown_lines(cue)),
            )
            for number, cue in enumerate(cues, start=1)
        ]
    )
    buffer = io.StringIO()
    subtitles.write_into(buffer, eol="\n")
    write_text_atomically(path, buffer.getvalue())


def read_srt(path: str | os.PathLike[str]) -> list[Cue]:
    """Cues from a SubRip file (UTF-8, with or without a byte-order mark)."""
    subtitles = pysrt.open(str(path), encoding="utf-8-sig")
    return [
        Cue(start=item.start.ordinal / 1000, end=item.end.ordinal / 1000, lines=item.text.split("\n"))
        for item in subtitles
    ]


def vtt_timestamp(seconds: float) -> str:
    """``HH:MM:SS.mmm``, hours always written (WebVTT allows them to be left out under an hour)."""
    milliseconds = _milliseconds(seconds)
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    whole_seconds, milliseconds = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{whole_seconds:02d}.{milliseconds:03d}"


def _vtt_escape(line: str) -> str:
    # Cue text is markup in WebVTT: & and < start entities and tags, and "-->" ends a cue's timing.
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_vtt(cues: Sequence[Cue], path: str | os.PathLike[str]) -> None:
    """WebVTT: the WEBVTT header, then one block per cue, atomically like :func:`write_srt`."""
    blocks = ["WEBVTT\n"]
    for cue in cues:
        lines = [_vtt_escape(line) for line in _shown_lines(cue)]
        blocks.append(f"{vtt_timestamp(cue.start)} --> {vtt_timestamp(cue.end)}\n" + "\n".join(lines) + "\n")
    write_text_atomically(Path(path), "\n".join(blocks))
