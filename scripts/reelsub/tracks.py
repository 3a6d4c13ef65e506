"""The subtitle tracks of a film: which languages, in which order, which one is the default.

The subtitle stage writes ``subtitles/tracks.json``; the mux stage reads it. Track files are named
by language id (``subtitles/en.srt``) once the language is known, which for a film whose source
language is detected is only after asr, hence a manifest rather than file names fixed in the DAG.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from . import languages
from .transcript import write_text_atomically

MANIFEST = "tracks.json"


@dataclass(frozen=True)
class Track:
    language: str  # reelsub language id (en, hi, ...)
    srt: str  # file name inside the subtitles folder
    vtt: str
    qc: str
    title: str
    default: bool
    translated: bool
    cues: int  # 0 for a film without speech: such a track is written but not muxed

    @property
    def mkv_language(self) -> str:
        return languages.mkv_tag(self.language)


def track_title(language: str, translated: bool) -> str:
    name = languages.display_name(language)
    return f"{name} (machine translation)" if translated else name


def choose_default(languages_in_order: list[str], policy: str) -> str | None:
    """``source``: the film's own language (first track); ``none``; or a named language."""
    if policy == "none" or not languages_in_order:
        return None
    if policy == "source":
        return languages_in_order[0]
    wanted = languages.resolve(policy).id
    return wanted if wanted in languages_in_order else None


def write_manifest(folder: Path, tracks: list[Track]) -> None:
    write_text_atomically(folder / MANIFEST, json.dumps([asdict(t) for t in tracks], ensure_ascii=False, indent=1))


def read_manifest(folder: Path) -> list[Track]:
    return [Track(**entry) for entry in json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))]
