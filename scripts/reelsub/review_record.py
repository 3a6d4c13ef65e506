"""``jobs/<film>/subtitles/review.json`` (schema ``reelsub.review/1``): what the machine last
published for each track, so that a file with another hash is known to be a person's edit.

Written by the subtitle stage (reelsub.review.publish.publish), read there, by mux and by the workflow's
input functions. Light on imports on purpose: rules/common.smk reads it for every film when the DAG
is built, and reelsub.review.publish (pysrt, cues, QC) cost 60 ms there.

    {"schema": "reelsub.review/1", "film": "<film>", "republished": <int>,
     "tracks": {"<lang>": {"language", "file", "published_sha256",
                           "machine_copy", "machine_copy_sha256", "edit_kept_at"}}}
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from reelsub.contracts.base import ContractError, write_text_atomically
from reelsub.contracts.tracks import MANIFEST, read_manifest

SCHEMA = "reelsub.review/1"
RECORD = "review.json"
MACHINE_COPY = "{language}.machine.srt"


@dataclass
class PublishedTrack:
    """What the machine last wrote for one track, to tell its files from a person's."""

    language: str
    file: str  # the published SRT, inside the published folder
    published_sha256: str  # the machine version last written to `file` (what an edit starts from)
    machine_copy: str | None = None  # <lang>.machine.srt, while an edit is kept over a newer machine version
    machine_copy_sha256: str | None = None
    edit_kept_at: float | None = None  # Unix time a new machine version last went beside the edit


@dataclass
class ReviewRecord:
    film: str
    # How many runs wrote a deleted published file again; see republish_token for why it is counted.
    republished: int = 0
    tracks: dict[str, PublishedTrack] = field(default_factory=dict)


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_record(published: Path) -> ReviewRecord | None:
    """The record of the published folder; None when there is none (or it is not ours).

    A record of ours that does not fit this release's shape (a key it does not know, a missing
    one) raises ContractError naming the file and the key: the subtitle stage that reads it fails
    for that film alone. Read while the DAG is built, it stopped the whole batch with a TypeError
    (see republish_token)."""
    path = Path(published) / RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        return None
    entries = data.get("tracks", {})
    if not isinstance(entries, dict):
        raise ContractError(f"{path}: key 'tracks' must be an object of tracks by language")
    tracks = {language: _published_track(path, language, entry) for language, entry in entries.items()}
    try:
        return ReviewRecord(str(data.get("film", "")), int(data.get("republished", 0)), tracks)
    except (TypeError, ValueError):
        raise ContractError(f"{path}: key 'republished' must be a whole number") from None


def _published_track(path: Path, language: str, entry: Any) -> PublishedTrack:
    if not isinstance(entry, dict):
        raise ContractError(f"{path}: track {language!r} must be an object")
    keys = {f.name for f in fields(PublishedTrack)}
    required = {f.name for f in fields(PublishedTrack) if f.default is MISSING}
    problems = []
    if set(entry) - keys:
        problems.append(f"unexpected key {', '.join(map(repr, sorted(set(entry) - keys)))}")
    if required - set(entry):
        problems.append(f"missing key {', '.join(map(repr, sorted(required - set(entry))))}")
    if problems:
        raise ContractError(
            f"{path}: track {language!r}: {'; '.join(problems)} (a track's keys are: {', '.join(sorted(keys))})"
        )
    return PublishedTrack(**entry)


def write_record(published: Path, record: ReviewRecord) -> None:
    data = {"schema": SCHEMA, **asdict(record)}
    write_text_atomically(Path(published) / RECORD, json.dumps(data, ensure_ascii=False, indent=1))


def republish_token(published: Path) -> str:
    """A value that changes when a published file the record lists has been deleted, and stays as it
    is once the file is written again: a params: of the subtitle rule, so a deletion reruns
    subtitle (which republishes) before mux's inputs are listed, and the run after does nothing."""
    try:
        record = read_record(published)
    except ContractError:
        # Asked while the DAG is built, for every film: raising here would stop the whole batch.
        # The token changes instead, so this film's subtitle stage runs, reads the record and
        # fails naming the file and the key, while the other films go on.
        return "review record unreadable"
    if record is None:
        return "0 republished"
    missing = any(not (Path(published) / t.file).exists() for t in record.tracks.values())
    return f"{record.republished + missing} republished"


def published_inputs(machine: Path, published: Path) -> list[str]:
    """mux's inputs from the published folder: each machine track's published SRT, where it exists."""
    if not (Path(machine) / MANIFEST).exists():
        return []
    return [
        str(Path(published) / t.srt) for t in read_manifest(machine) if (Path(published) / t.srt).exists()
    ]


def kept_edit_lines(published: Path, since: float) -> list[str]:
    """One line per track whose edit was kept over a new machine version during this run."""
    try:
        record = read_record(published)
    except ContractError:
        return []  # the film's subtitle stage failed on it, and the summary lists that failure
    if record is None:
        return []
    return [
        f"[{t.language}] kept your edit {Path(published) / t.file}; the new machine version is "
        f"{Path(published) / t.machine_copy}"
        for t in record.tracks.values()
        if t.machine_copy and t.edit_kept_at is not None and t.edit_kept_at >= since
    ]
