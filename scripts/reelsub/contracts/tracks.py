"""The subtitle tracks of a film: which languages, in which order, which one is the default.

The subtitle stage writes ``subtitles/tracks.json``; the mux stage reads it. Track files are named
by language id (``subtitles/en.srt``) once the language is known, which for a film whose source
language is detected is only after asr, hence a manifest rather than file names fixed in the DAG.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from reelsub import languages
from reelsub.contracts.base import ContractError, read_document, write_document

MANIFEST = "tracks.json"
SCHEMA = "reelsub.tracks/1"


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


DEFAULT_POLICIES = ("source", "none")  # mux.default_track, when it names no language


def check_default_policy(policy: str) -> None:
    """Raise UnknownLanguage where ``policy`` is neither one of DEFAULT_POLICIES nor a language:
    run when the config is checked (reelsub.workflow.config_check), so a typo stops the run before any job,
    not the subtitle stage of every film after its ASR."""
    if policy not in DEFAULT_POLICIES:
        languages.resolve(policy)


def choose_default(languages_in_order: list[str], policy: str) -> str | None:
    """``source``: the film's own language (first track); ``none``; or a named language."""
    if policy == "none" or not languages_in_order:
        return None
    if policy == "source":
        return languages_in_order[0]
    wanted = languages.resolve(policy).id
    return wanted if wanted in languages_in_order else None


def write_manifest(folder: Path, tracks: list[Track]) -> None:
    """``tracks.json``: ``{"schema": "reelsub.tracks/1", "tracks": [{language, srt, vtt, qc, title,
    default, translated, cues}, ...]}``, in the order the tracks go into the MKV."""
    write_document(
        Path(folder) / MANIFEST, {"schema": SCHEMA, "tracks": [asdict(t) for t in tracks]}, _tracks
    )


def read_manifest(folder: Path) -> list[Track]:
    return read_document(Path(folder) / MANIFEST, (SCHEMA,), _tracks)


_FIELD_TYPES: dict[str, str] = {f.name: str(f.type) for f in fields(Track)}  # 'str', 'bool', 'int'


def _tracks(data: dict[str, Any]) -> list[Track]:
    tracks = []
    for number, entry in enumerate(data["tracks"], start=1):
        if not isinstance(entry, dict) or set(entry) != set(_FIELD_TYPES):
            raise ContractError(f"track {number} must have exactly the keys {', '.join(_FIELD_TYPES)}")
        for name, kind in _FIELD_TYPES.items():
            expected = {"str": str, "bool": bool, "int": int}[kind]
            if not isinstance(entry[name], expected) or (kind == "int" and isinstance(entry[name], bool)):
                raise ContractError(f"track {number}: {name}={entry[name]!r} is not a {kind}")
        tracks.append(Track(**entry))
    return tracks
