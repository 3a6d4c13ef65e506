"""Subtitle files: SRT (written through pysrt) and WebVTT, written atomically; SRT read back into
cues by one strict parser (:func:`parse_srt`).

Both formats store whole milliseconds; build_cues already times cues in whole milliseconds, so
writing loses nothing and ``read_srt(write_srt(cues))`` gives the same cues.

One parser decides what an SRT says, for QC, the VTT, the review page and the MKV alike (the mux
writes its packets from these cues, never from the raw file). It is strict because a person edits
these files by hand, and a lenient reader guesses: a missing blank line between two cues was one
cue to pysrt and two to libavformat. Anything it cannot read as cues is a :class:`SrtError` naming
the file and the line.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from pathlib import Path

import pysrt

from reelsub.contracts.base import ContractError
from reelsub.contracts.transcript import write_text_atomically
from reelsub.subtitles.rules import Cue


class SrtError(ContractError):
    """An SRT that cannot be read as cues; the message names the file and the line."""

    def __init__(self, source: str | os.PathLike[str], line: int, problem: str) -> None:
        super().__init__(f"{source}, line {line}: {problem}")
        self.source, self.line, self.problem = str(source), line, problem


def _milliseconds(seconds: float) -> int:
    return round(seconds * 1000)


def _shown_lines(cue: Cue) -> list[str]:
    # A blank line ends a cue in both formats: one inside a cue would cut it short.
    return [line for line in cue.lines if line.strip()]


def cue_text(cue: Cue) -> str:
    """The text of a cue as an SRT file and a SubRip packet hold it: its shown lines, one per line."""
    return "\n".join(_shown_lines(cue))


def write_srt(cues: Sequence[Cue], path: str | os.PathLike[str]) -> None:
    """SubRip, UTF-8, cues numbered from 1. Written to a temporary file and renamed into place, so
    a killed job never leaves half a subtitle file that looks complete."""
    subtitles = pysrt.SubRipFile(
        [
            pysrt.SubRipItem(
                index=number,
                start=pysrt.SubRipTime.from_ordinal(_milliseconds(cue.start)),
                end=pysrt.SubRipTime.from_ordinal(_milliseconds(cue.end)),
                text=cue_text(cue),
            )
            for number, cue in enumerate(cues, start=1)
        ]
    )
    buffer = io.StringIO()
    subtitles.write_into(buffer, eol="\n")
    write_text_atomically(path, buffer.getvalue())


# HH:MM:SS,mmm (hours may have more digits; a full stop for the comma is read too, as players do).
_TIME = r"(\d+):(\d{2}):(\d{2})[,.](\d{3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}\s*$")
# What a timing line looks like even when mistyped: in cue text it means a blank line is missing.
_LOOKS_LIKE_TIMING = re.compile(r"\d+:\d+:\d+([,.]\d+)?\s*-+>")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def _milliseconds_of(match: re.Match[str], first: int, source: str, line: int) -> int:
    hours, minutes, seconds, milliseconds = (int(match.group(first + k)) for k in range(4))
    if minutes > 59 or seconds > 59:
        raise SrtError(
            source,
            line,
            f"bad timestamp {':'.join(match.group(first + k) for k in range(3))}: "
            "minutes and seconds go up to 59",
        )
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + milliseconds


def _timestamp(milliseconds: int) -> str:
    return vtt_timestamp(milliseconds / 1000).replace(".", ",")


def parse_srt(data: bytes | str, source: str | os.PathLike[str]) -> list[Cue]:
    """The cues of a SubRip file's content (UTF-8, with or without a byte-order mark; LF, CRLF or
    CR line ends), read strictly. Each cue: an optional number line, a timing line
    ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, one or more text lines, then a blank line (or the end).
    Raises :class:`SrtError` naming ``source`` and the line for: text that is not UTF-8, a block
    without a timing line, a bad timestamp, a cue that ends before (or when) it starts, a cue with
    no text, a timing line inside a cue's text (the blank line before it is missing), and a cue
    that starts before the one before it ends (overlapping or out of order). Empty content is no
    cues; whether that is allowed is the caller's to say."""
    source = str(source)
    if isinstance(data, bytes):
        content = data.removeprefix(b"\xef\xbb\xbf")
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            raise SrtError(
                source, line, f"not UTF-8 text ({error.reason} at byte {error.start}); save it as UTF-8"
            ) from None
    else:
        text = data
    lines = _NEWLINE.split(text.removeprefix("\ufeff"))
    cues: list[Cue] = []
    previous_line = 0
    number = 0
    while number < len(lines):
        if not lines[number].strip():
            number += 1
            continue
        if lines[number].strip().isascii() and lines[number].strip().isdigit():
            number += 1  # the cue's number: players ignore it, so do we
        timing_line = number + 1
        timing = _TIMING.match(lines[number]) if number < len(lines) else None
        if timing is None:
            found = lines[number].strip() if number < len(lines) else ""
            problem = (
                f"bad timing line {found!r}"
                if "-->" in found or _LOOKS_LIKE_TIMING.search(found)
                else f"expected a timing line, found {found!r}"
            )
            raise SrtError(
                source, timing_line, f"{problem}; a cue's timing reads HH:MM:SS,mmm --> HH:MM:SS,mmm"
            )
        start = _milliseconds_of(timing, 1, source, timing_line)
        end = _milliseconds_of(timing, 5, source, timing_line)
        if end <= start:
            raise SrtError(
                source,
                timing_line,
                f"the cue ends at {_timestamp(end)}, "
                f"{'when' if end == start else 'before'} it starts ({_timestamp(start)})",
            )
        if cues and start < round(cues[-1].end * 1000):
            raise SrtError(
                source,
                timing_line,
                f"the cue starts at {_timestamp(start)}, before the cue at line {previous_line} ends "
                f"({_timestamp(round(cues[-1].end * 1000))}): cues must not overlap and go in time order",
            )
        number += 1
        shown: list[str] = []
        while number < len(lines) and lines[number].strip():
            if _LOOKS_LIKE_TIMING.search(lines[number]):
                raise SrtError(
                    source,
                    number + 1,
                    f"a timing line inside the text of the cue at line {timing_line}: the blank line "
                    "that ends that cue is missing",
                )
            shown.append(lines[number])
            number += 1
        if not shown:
            raise SrtError(source, timing_line, "the cue has no text (to remove a cue, delete all its lines)")
        cues.append(Cue(start=start / 1000, end=end / 1000, lines=shown))
        previous_line = timing_line
    return cues


def read_srt(path: str | os.PathLike[str]) -> list[Cue]:
    """Cues from a SubRip file, read by :func:`parse_srt`."""
    return parse_srt(Path(path).read_bytes(), path)


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
