"""The formats a subtitle track is written in, and their file names; no third-party import, so
``make clean`` (reelsub.review.keep_edits, run by the system's Python) knows them too.

Config ``subtitle.formats`` picks among FORMATS; its schema also requires SRT (the file people
edit) and VTT (the one the review page plays). reelsub.subtitles.files writes them.
"""

from __future__ import annotations

FORMATS = ("srt", "vtt", "ass", "ttml")  # by file extension
DERIVED_FORMATS = tuple(f for f in FORMATS if f != "srt")  # written from the SRT's cues


def format_file(language: str, extension: str) -> str:
    """A track's file name in a subtitles folder: ``hi.srt``, ``hi.ass``, ..."""
    return f"{language}.{extension}"
