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
from dataclasses import asdict, dataclass, field
from pathlib import Path

from reelsub.contracts.base import write_text_atomically
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
    """The record of the published folder; None when there is none (or it is not ours)."""
    try:
        data = json.loads((Path(published) / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        return None
    tracks = {lang: PublishedTrack(**entry) for lang, entry in data.get("tracks", {}).items()}
    return ReviewRecord(data.get("film", ""), int(data.get("republished", 0)), tracks)


def write_record(published: Path, record: ReviewRecord) -> None:
    data = {"schema": SCHEMA, **asdict(record)}
    write_text_atomically(Path(published) / RECORD, json.dumps(data, ensure_ascii=False, indent=1))


def republish_token(published: Path) -> str:
    """A value that changes when a published file the record lists has been deleted, and stays as it
    is once the file is written again: a params: of the subtitle rule, so a deletion reruns
    subtitle (which republishes) before mux's inputs are listed, and the run after does nothing."""
    record = read_record(published)
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


def published_hashes(machine: Path, published: Path) -> str:
    """The SHA-256 of each published SRT mux reads: a params: of mux, so a file saved while the mux
    ran (older than out.mkv, which Snakemake touches when the job ends) still reruns it, and an
    edit whose time is older than out.mkv (copied with its time kept) does too."""
    return " ".join(
        f"{Path(path).name}:{sha256(Path(path))}" for path in published_inputs(machine, published)
    )


def kept_edit_lines(published: Path, since: float) -> list[str]:
    """One line per track whose edit was kept over a new machine version during this run."""
    record = read_record(published)
    if record is None:
        return []
    return [
        f"[{t.language}] kept your edit {Path(published) / t.file}; the new machine version is "
        f"{Path(published) / t.machine_copy}"
        for t in record.tracks.values()
        if t.machine_copy and t.edit_kept_at is not None and t.edit_kept_at >= since
    ]
