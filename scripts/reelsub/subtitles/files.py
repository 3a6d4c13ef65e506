"""Subtitle files: every format a track is written in (SRT, WebVTT, ASS, TTML: pysubs2 writes
them), written atomically; SRT read back into cues by one strict parser (:func:`parse_srt`).

SRT is the file people edit; the other formats are written from the same cues, the machine's or,
after an edit, the cues parsed from the edited SRT (reelsub.review.publish), so they follow it.
SRT, WebVTT and TTML store whole milliseconds, and build_cues times cues in whole milliseconds, so
``read_srt(write_srt(cues))`` gives the same cues; ASS stores centiseconds.

One parser decides what an SRT says, for QC, every other format, the review page and the MKV alike
(the mux writes its packets from these cues, never from the raw file). It is strict because a
person edits these files by hand, and a lenient reader guesses: a missing blank line between two
cues was one cue to pysrt and two to libavformat. Anything it cannot read as cues is a
:class:`SrtError` naming the file and the line. pysubs2's own readers are never used for that.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pysubs2

from reelsub.contracts.base import ContractError
from reelsub.contracts.transcript import write_text_atomically
from reelsub.subtitles.fonts import family_for
from reelsub.subtitles.formats import format_file
from reelsub.subtitles.rules import Cue
from reelsub.workflow.settings import schema_defaults


def configured_formats(section: Mapping[str, Any] | None) -> tuple[str, ...]:
    """``subtitle.formats`` of the config's subtitle section; the schema's default where left out."""
    return tuple((section or {}).get("formats", schema_defaults("subtitle")["formats"]))


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


def _events(cues: Sequence[Cue], text_of: Callable[[str], str] = str) -> pysubs2.SSAFile:
    """The cues as pysubs2 events: whole milliseconds, lines joined by ASS's line break ``\\N``."""
    subtitles = pysubs2.SSAFile()
    for cue in cues:
        lines = _shown_lines(cue)
        subtitles.append(
            pysubs2.SSAEvent(
                start=_milliseconds(cue.start),
                end=_milliseconds(cue.end),
                text="\\N".join(text_of(line) for line in lines),
            )
        )
    return subtitles


# pysubs2 writes every format from ASS events, reading "{...}" in a line as ASS style codes and
# "\\N" as a line break, with no escape for either: where a format has no such codes (SRT, WebVTT,
# TTML), the characters go through pysubs2 as private-use stand-ins and are put back after.
_STAND_INS = {"{": "\ue000", "}": "\ue001", "\\": "\ue002"}
_TO_STAND_INS = {ord(character): stand_in for character, stand_in in _STAND_INS.items()}
_PUT_BACK = {ord(stand_in): character for character, stand_in in _STAND_INS.items()}


def _stand_ins(line: str) -> str:
    return line.translate(_TO_STAND_INS)


def _put_back(document: str) -> str:
    return document.translate(_PUT_BACK)


def srt_text(cues: Sequence[Cue]) -> str:
    # keep_ssa_tags: the lines are written as they are, not as ASS styling turned into <i> tags.
    return _put_back(_events(cues, _stand_ins).to_string("srt", keep_ssa_tags=True))


def write_srt(cues: Sequence[Cue], path: str | os.PathLike[str]) -> None:
    """SubRip, UTF-8, cues numbered from 1. Written to a temporary file and renamed into place, so
    a killed job never leaves half a subtitle file that looks complete."""
    write_text_atomically(path, srt_text(cues))


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
    document = _events(cues, lambda line: _stand_ins(_vtt_escape(line))).to_string("vtt", keep_ssa_tags=True)
    write_text_atomically(path, _put_back(document))


# ASS: a script 1080 pixels high (libass scales it to the picture), text about 1/20 of the height,
# white with a black outline, bottom centre: the look of broadcast subtitles. The family is the
# track's script's (reelsub.subtitles.fonts), so no glyph is left to a fallback font.
ASS_PLAY_RES = (1920, 1080)
ASS_FONT_SIZE = 54
ASS_OUTLINE, ASS_SHADOW, ASS_MARGIN_V = 3.0, 1.0, 54


def styled(
    cues: Sequence[Cue], language: str, family: str | None = None, text_of: Callable[[str], str] = str
) -> pysubs2.SSAFile:
    """The cues with the Default style of ``language``'s track (font: ``family``, else its
    script's), as ASS and TTML carry it."""
    subtitles = _events(cues, text_of)
    subtitles.info["PlayResX"], subtitles.info["PlayResY"] = (str(n) for n in ASS_PLAY_RES)
    subtitles.info["WrapStyle"] = "0"
    subtitles.styles["Default"] = pysubs2.SSAStyle(
        fontname=family or family_for(language),
        fontsize=ASS_FONT_SIZE,
        outline=ASS_OUTLINE,
        shadow=ASS_SHADOW,
        marginv=ASS_MARGIN_V,
        alignment=pysubs2.Alignment.BOTTOM_CENTER,
    )
    return subtitles


def _ass_escape(line: str) -> str:
    # In ASS a "{" opens a block of style codes: libass draws "\{" and "\}" as the braces. A
    # backslash stays as it is: "\N" in a line is a line break to libass, as players read it in SRT.
    return line.replace("{", "\\{").replace("}", "\\}")


def ass_text(cues: Sequence[Cue], language: str, family: str | None = None) -> str:
    return styled(cues, language, family, _ass_escape).to_string("ass")


def write_ass(cues: Sequence[Cue], path: str | os.PathLike[str], language: str) -> None:
    """Advanced SubStation Alpha, styled for the language's script, atomically."""
    write_text_atomically(path, ass_text(cues, language))


_CHARACTER_REFERENCE = re.compile(r"&#(\d+);")


def write_ttml(cues: Sequence[Cue], path: str | os.PathLike[str], language: str) -> None:
    """TTML (the form IMSC 1 text profiles take), UTF-8, with the language on the root element as
    TTML requires (``xml:lang``), atomically."""
    document = styled(cues, language, text_of=_stand_ins).to_string("ttml")
    root = '<tt xmlns="http://www.w3.org/ns/ttml"'
    if not document.startswith(root):
        raise ContractError(f"{path}: pysubs2 wrote TTML that does not start with {root!r}")
    document = document.replace(root, f'<tt xml:lang="{language}" {root[4:]}', 1)
    # ElementTree wrote every non-ASCII character as a reference (&#2344;): the characters
    # themselves, so a person can read the file; markup (<, &) stays escaped by name.
    document = _put_back(_CHARACTER_REFERENCE.sub(lambda m: chr(int(m.group(1))), document))
    write_text_atomically(path, '<?xml version="1.0" encoding="utf-8"?>\n' + document)


def write_formats(
    cues: Sequence[Cue], folder: str | os.PathLike[str], language: str, formats: Sequence[str]
) -> list[Path]:
    """The track written in every one of ``formats`` but SRT (the file people edit, written by the
    caller), as ``<folder>/<language>.<ext>``; returns the files written."""
    writers = {
        "vtt": lambda path: write_vtt(cues, path),
        "ass": lambda path: write_ass(cues, path, language),
        "ttml": lambda path: write_ttml(cues, path, language),
    }
    written = []
    for extension in formats:
        if extension in writers:
            path = Path(folder) / format_file(language, extension)
            writers[extension](path)
            written.append(path)
    return written
