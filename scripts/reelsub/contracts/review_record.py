"""``jobs/<film>/subtitles/review.json`` (schema ``reelsub.review/2``): what the machine last
published for each track, so that a file with another hash is known to be a person's edit, and who
approved which version of it.

Written by the subtitle stage (reelsub.review.publish.publish), read there, by mux and by the workflow's
input functions. Light on imports on purpose: rules/common.smk reads it for every film when the DAG
is built, and reelsub.review.publish (pysrt, cues, QC) cost 60 ms there.

    {"schema": "reelsub.review/2", "film": "<film>", "republished": <int>,
     "tracks": {"<lang>": {"language", "file", "published_sha256",
                           "machine_copy", "machine_copy_sha256", "edit_kept_at", "left_out_at",
                           "approved_by", "approved_at", "approved_sha256"}},
     "kept": [{"language", "file", "was", "at"}]}

``left_out_at`` and ``kept`` came later within version 1 and may be missing (read as None, []).
Version 2 adds the approval (``approved_*``, None while no person has approved the track); a
version 1 record reads as one without approvals, and is written back as version 2. The subtitle
stage and the review server both change the record: each does so holding :func:`record_lock`.
Read and written through reelsub.contracts.base (schema tag checked, ContractError naming the file
and the key), and checked on write as on read.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from reelsub.contracts.base import ContractError, read_document, write_document
from reelsub.contracts.tracks import MANIFEST, read_manifest

SCHEMA = "reelsub.review/2"
SCHEMAS = ("reelsub.review/1", SCHEMA)  # read; version 1 has no approvals
RECORD = "review.json"
MACHINE_COPY = "{language}.machine.srt"
MACHINE_FOLDER = "machine_subtitles"  # jobs/<film>/machine_subtitles, as rules/subtitle.smk names it
LOCK = "review.lock"  # jobs/<film>/review.lock, beside the published folder (so `make clean` keeps no copy)

# What a person has done with a track, as the batch page and the end-of-run summary count it.
APPROVED = "approved"  # approved, and neither the file nor the machine's version changed since
APPROVAL_STALE = "approval stale"  # approved, but the file changed, or a new machine version came beside it
EDITED = "edited"  # a person's edit, not approved
MACHINE_ONLY = "machine-only"  # as the machine made it, no person has approved it
REVIEW_STATES = (APPROVED, APPROVAL_STALE, EDITED, MACHINE_ONLY)


@dataclass
class PublishedTrack:
    """What the machine last wrote for one track, to tell its files from a person's."""

    language: str
    file: str  # the published SRT, inside the published folder
    published_sha256: str  # the machine version last written to `file` (what an edit starts from)
    machine_copy: str | None = None  # <lang>.machine.srt, while an edit is kept over a newer machine version
    machine_copy_sha256: str | None = None
    edit_kept_at: float | None = None  # Unix time a new machine version last went beside the edit
    # Unix time the machine stopped making this track (asr heard another language: hi <-> ur). The
    # entry stays while its file does, so an edit is still told from the machine's, and is warned of.
    left_out_at: float | None = None
    # Who approved the track (a name they typed, or the OS user), when (Unix time), and the SHA-256
    # of the file they approved. A later run never replaces an approved file (reelsub.review.publish).
    approved_by: str | None = None
    approved_at: float | None = None
    approved_sha256: str | None = None

    def machine_wrote(self) -> set[str]:
        """The hashes of what the machine last wrote for this track: its file, and the copy beside it."""
        return {self.published_sha256} | ({self.machine_copy_sha256} if self.machine_copy_sha256 else set())

    def edited(self, published: Path) -> bool:
        """Whether the published file holds what a person wrote (False where there is none)."""
        path = Path(published) / self.file
        return path.is_file() and sha256(path) not in self.machine_wrote()

    @property
    def approval(self) -> tuple[str | None, float | None, str | None]:
        return self.approved_by, self.approved_at, self.approved_sha256

    def approval_holds(self, published: Path) -> bool:
        """The file is the one approved, and no new machine version came beside it since."""
        path = Path(published) / self.file
        if self.approved_sha256 is None or not path.is_file() or sha256(path) != self.approved_sha256:
            return False
        return self.edit_kept_at is None or self.approved_at is None or self.edit_kept_at <= self.approved_at

    def state(self, published: Path) -> str:
        """One of REVIEW_STATES."""
        if self.approved_sha256 is not None:
            return APPROVED if self.approval_holds(published) else APPROVAL_STALE
        return EDITED if self.edited(published) else MACHINE_ONLY


@dataclass
class KeptCopy:
    """A person's file moved to a named copy so that nothing overwrites it: a hand merge in the
    machine copy a new machine version takes the place of, or a save overtaken by another save."""

    language: str
    file: str  # the copy, inside the published folder (kept/<name>.<time>.srt)
    was: str  # where the person's file was (<lang>.machine.srt, or <lang>.srt)
    at: float  # Unix time it was moved


@dataclass
class ReviewRecord:
    film: str
    # How many runs wrote a deleted published file again; see republish_token for why it is counted.
    republished: int = 0
    tracks: dict[str, PublishedTrack] = field(default_factory=dict)
    kept: list[KeptCopy] = field(default_factory=list)

    def deleted(self, published: Path) -> bool:
        """Whether a published file of a track the machine makes has been deleted (one left out is
        not republished: deleting it only drops it from the record)."""
        return any(
            t.left_out_at is None and not (Path(published) / t.file).exists() for t in self.tracks.values()
        )


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_record(published: Path) -> ReviewRecord | None:
    """The record of the published folder; None where there is none yet.

    A record that does not fit this release's shape (another schema, not JSON, a key it does not
    know, a missing one, a value of the wrong kind) raises ContractError naming the file and the
    key: the subtitle stage that reads it fails for that film alone. Read while the DAG is built,
    it stopped the whole batch with a TypeError (see republish_token)."""
    path = Path(published) / RECORD
    if not path.exists():
        return None
    return read_document(path, SCHEMAS, _record)


def track_states(published: Path) -> dict[str, str]:
    """Each track the machine makes, by language, with what a person has done with it (REVIEW_STATES);
    empty where there is no record, or one this release cannot read."""
    try:
        record = read_record(published)
    except ContractError:
        return {}
    tracks = record.tracks.values() if record else ()
    return {t.language: t.state(published) for t in tracks if t.left_out_at is None}


def review_counts(states: Sequence[str]) -> str:
    """'2 approved, 1 edited, 3 machine-only (1 approval stale)': the batch page's and the end-of-run
    summary's count of what people have done with the tracks."""
    counts = Counter(states)
    line = f"{counts[APPROVED]} approved, {counts[EDITED]} edited, {counts[MACHINE_ONLY]} machine-only"
    return line + (f" ({counts[APPROVAL_STALE]} approval stale)" if counts[APPROVAL_STALE] else "")


@contextmanager
def record_lock(published: Path) -> Iterator[None]:
    """Held while the record is read, changed and written: the subtitle stage publishing and a
    person approving in the review page must not write over each other's record."""
    path = Path(published).parent / LOCK
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def approve(published: Path, language: str, approved_sha256: str, by: str, at: float) -> PublishedTrack:
    """Record that ``by`` approved the track's file as it is now. Raises ContractError where the
    track is not in the record, and ApprovalConflict where the file is no longer the one approved
    (saved again since the person looked at it)."""
    published = Path(published)
    with record_lock(published):
        record = read_record(published)
        entry = record.tracks.get(language) if record else None
        if record is None or entry is None or entry.left_out_at is not None:
            raise ContractError(f"{published / RECORD}: no track {language!r} to approve")
        path = published / entry.file
        current = sha256(path) if path.is_file() else None
        if current != approved_sha256:
            raise ApprovalConflict(
                f"{path} changed since it was loaded (sha256 {current} is not {approved_sha256}): "
                "reload the page and look again"
            )
        entry.approved_by, entry.approved_at, entry.approved_sha256 = by, at, approved_sha256
        write_record(published, record)
        return entry


class ApprovalConflict(ContractError):
    """The file to approve is not the one the person saw."""


def write_record(published: Path, record: ReviewRecord) -> None:
    """Written as version 2, only if it reads back as it will be read (base.write_document): a bad record is a
    ContractError naming the file and the key, and the last good one stays."""
    write_document(Path(published) / RECORD, {"schema": SCHEMA, **asdict(record)}, _record)


def _record(data: dict[str, Any]) -> ReviewRecord:
    entries, copies = data.get("tracks", {}), data.get("kept", [])
    if unknown := set(data) - {"schema", "film", "republished", "tracks", "kept"}:
        raise ContractError(f"unexpected key {', '.join(map(repr, sorted(unknown)))}")
    if not isinstance(entries, dict):
        raise ContractError("key 'tracks' must be an object of tracks by language")
    if not isinstance(copies, list):
        raise ContractError("key 'kept' must be a list of kept copies")
    film, republished = data.get("film", ""), data.get("republished", 0)
    if not isinstance(film, str):
        raise ContractError(f"key 'film': {film!r} is not text")
    if not isinstance(republished, int) or isinstance(republished, bool) or republished < 0:
        raise ContractError(f"key 'republished': {republished!r} must be a whole number")
    tracks = {
        language: _entry(PublishedTrack, f"track {language!r}", "a track", entry)
        for language, entry in entries.items()
    }
    kept = [_entry(KeptCopy, f"kept copy {n}", "a kept copy", copy) for n, copy in enumerate(copies, 1)]
    return ReviewRecord(film, republished, tracks, kept)


_Entry = TypeVar("_Entry", "PublishedTrack", "KeptCopy")
# The kinds of value each annotation allows (the annotations are strings: from __future__ import annotations).
_KINDS: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "str | None": (str, type(None)),
    "float": (int, float),
    "float | None": (int, float, type(None)),
}


def _entry(kind: type[_Entry], what: str, noun: str, entry: Any) -> _Entry:
    """One entry of the record as ``kind``, or ContractError naming the entry and the keys."""
    if not isinstance(entry, dict):
        raise ContractError(f"{what} must be an object")
    keys = {f.name for f in fields(kind)}
    required = {f.name for f in fields(kind) if f.default is MISSING and f.default_factory is MISSING}
    problems = []
    if set(entry) - keys:
        problems.append(f"unexpected key {', '.join(map(repr, sorted(set(entry) - keys)))}")
    if required - set(entry):
        problems.append(f"missing key {', '.join(map(repr, sorted(required - set(entry))))}")
    if problems:
        raise ContractError(f"{what}: {'; '.join(problems)} ({noun}'s keys are: {', '.join(sorted(keys))})")
    for field_ in fields(kind):
        value = entry.get(field_.name)
        # bool is an int to Python: a flag where a number belongs is still wrong
        if field_.name in entry and (
            not isinstance(value, _KINDS[str(field_.type)]) or isinstance(value, bool)
        ):
            raise ContractError(f"{what}: key {field_.name!r}: {value!r} is not a {field_.type}")
    return kind(**entry)


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
    return f"{record.republished + record.deleted(published)} republished"


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
    """The end-of-run summary of the review loop: one line per track whose edit was kept over a new
    machine version during this run, per person's file moved to a copy during this run, and, on
    every run while it lasts, per edit left out of the film because its language changed (a run
    with nothing to do prints no summary: Snakemake calls neither onsuccess nor onerror)."""
    try:
        record = read_record(published)
    except ContractError:
        return []  # the film's subtitle stage failed on it, and the summary lists that failure
    if record is None:
        return []
    published = Path(published)
    lines = [
        f"[{t.language}] kept your edit {published / t.file}; the new machine version is "
        f"{published / t.machine_copy}"
        for t in record.tracks.values()
        if t.machine_copy and t.edit_kept_at is not None and t.edit_kept_at >= since
    ]
    lines += [
        f"[{c.language}] your changes to {published / c.was} are now in {published / c.file}, where "
        "nothing overwrites them"
        for c in record.kept
        if c.at >= since
    ]
    lines += [
        left_out_line(published, record, t)
        for t in record.tracks.values()
        if t.left_out_at and t.edited(published)
    ]
    return lines


def left_out_line(published: Path, record: ReviewRecord, track: PublishedTrack) -> str:
    """What the run says of an edit the film no longer carries: its track's language changed."""
    now = ", ".join(t.language for t in record.tracks.values() if t.left_out_at is None) or "none"
    return (
        f"[{track.language}] your edit {Path(published) / track.file} is left out of the film: the "
        f"machine no longer makes a {track.language} track (now: {now}). The file is kept; carry your "
        "fixes over to the new track, or delete it to stop this warning"
    )
