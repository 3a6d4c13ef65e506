"""What the review page asks of the server: a track's cues with their QC, the QC of cues as a person
is editing them, saving them, and approving a track. No HTTP here (reelsub.review.serve wires it).

- QC of an edit is the QC stage's own (reelsub.subtitles.qc.qc_report), with the rules and frame
  rate the track's published ``qc.json`` was made with and the transcript the track was made from:
  the page shows the numbers the stage will compute, from the one place they are written.
- A save writes ``subtitles/<lang>.srt`` as a person's editor would: the SRT writer every stage
  uses, written atomically, read back by the strict reader the mux uses (what the mux would refuse
  is refused here, naming the problem). The file it replaces is kept in ``subtitles/history/``.
  The save carries the hash of the file the page loaded: a file changed since (an editor beside
  the page, a run that republished) is never overwritten, the save is refused as a conflict.
- An approval is recorded in ``review.json`` (reelsub.contracts.review_record.approve) for the hash
  the person looked at.

Only the published SRTs of the tracks a film's ``tracks.json`` lists can be written: a film is one
folder name under ``jobs/``, a language one of its tracks, so no request names a path.
"""

from __future__ import annotations

import getpass
import hashlib
import math
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reelsub.contracts.base import ContractError
from reelsub.contracts.qc_report import QcReport, findings_by_cue, read_qc_report
from reelsub.contracts.review_record import PublishedTrack, approve, read_record, sha256
from reelsub.contracts.tracks import Track, read_manifest
from reelsub.contracts.transcript import Transcript, transcript_in_language, write_text_atomically
from reelsub.review.keep_edits import now, stamp
from reelsub.subtitles.files import SrtError, parse_srt, srt_text
from reelsub.subtitles.qc import qc_report
from reelsub.subtitles.rules import Cue, SubtitleRules

HISTORY_FOLDER = "history"  # subtitles/history/<lang>.<time>.srt: the file each save replaced
FILM_NAME = re.compile(r"[^/\\\x00-\x1f]+")
MAX_CUES = 20_000  # a 3-hour film has about 2,000
MAX_LINE = 1_000  # characters: a pasted paragraph is an error, not a cue


class EditRefused(Exception):
    """A request the server answers with ``status`` (4xx) and ``reason``, and then goes on."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass(frozen=True)
class TrackFiles:
    """One published track of one film, as the page names it: film folder name and language."""

    film: str
    folder: Path  # jobs/<film>
    track: Track

    @property
    def published(self) -> Path:
        return self.folder / "subtitles"

    @property
    def srt(self) -> Path:
        return self.published / self.track.srt


def find_track(jobs: Path, film: str, language: str) -> TrackFiles:
    """The track ``language`` of ``film`` under ``jobs``; EditRefused (404) for anything else."""
    jobs = Path(jobs)
    if (
        not isinstance(film, str)
        or not FILM_NAME.fullmatch(film)
        or film in (".", "..")
        or film.startswith(".")
    ):
        raise EditRefused(400, f"not a film name: {film!r}")
    folder = jobs / film
    if not folder.resolve().is_relative_to(jobs.resolve()) or not (folder / "subtitles").is_dir():
        raise EditRefused(404, f"no film {film!r} with subtitles under {jobs}")
    try:
        tracks = read_manifest(folder / "subtitles")
    except (OSError, ContractError) as error:
        raise EditRefused(409, f"{film}: its tracks cannot be read: {error}") from None
    for track in tracks:
        if track.language == language:
            return TrackFiles(film, folder, track)
    known = ", ".join(t.language for t in tracks) or "none"
    raise EditRefused(404, f"{film} has no subtitle track {language!r} (its tracks: {known})")


def cues_json(cues: Sequence[Cue]) -> list[dict[str, Any]]:
    """Cues as the page and the API carry them; :func:`cues_of` reads them back."""
    return [{"start": c.start, "end": c.end, "lines": c.lines} for c in cues]


def cues_of(data: Any) -> list[Cue]:
    """The cues of a request: ``[{"start": s, "end": s, "lines": [str, ...]}, ...]`` (seconds)."""
    if not isinstance(data, list) or not 0 < len(data) <= MAX_CUES:
        raise EditRefused(400, f"cues must be a list of 1 to {MAX_CUES} cues")
    cues = []
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict) or set(item) != {"start", "end", "lines"}:
            raise EditRefused(400, f"cue {number}: must have exactly start, end and lines")
        start, end, lines = item["start"], item["end"], item["lines"]
        for name, value in (("start", start), ("end", end)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise EditRefused(400, f"cue {number}: {name} must be a number of seconds")
        if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
            raise EditRefused(400, f"cue {number}: lines must be a list of text")
        if any(len(line) > MAX_LINE or "\n" in line or "\r" in line for line in lines):
            raise EditRefused(400, f"cue {number}: a line is one line of at most {MAX_LINE} characters")
        cues.append(Cue(float(start), float(end), list(lines)))
    return cues


def _transcript(files: TrackFiles) -> Transcript:
    paths = [files.folder / "transcript.json", *sorted((files.folder / "translations").glob("*.json"))]
    try:
        return transcript_in_language(paths, files.track.language)
    except (LookupError, OSError, ContractError) as error:
        raise EditRefused(409, f"{files.film}: no transcript to check the cues against: {error}") from None


def _published_qc(files: TrackFiles) -> QcReport:
    try:
        return read_qc_report(files.published / files.track.qc)
    except ContractError as error:
        raise EditRefused(409, f"{files.film}: {error}") from None


def check(files: TrackFiles, cues: Sequence[Cue]) -> dict[str, Any]:
    """QC of ``cues`` as the QC stage would report them for this track: verdict, summary, and per
    cue (0-based, as listed) its violations, exceptions and flags."""
    published = _published_qc(files)
    report = qc_report(
        cues,
        SubtitleRules.from_config(published.rules),
        published.fps,
        _transcript(files),
        translated=files.track.translated,
    )
    track_findings = [f"{f.check}: {f.detail}" for f in report.findings if f.cue is None]
    return {
        "verdict": report.verdict,
        "summary": report.summary,
        "violations": report.violation_count,
        "flags": report.flag_count,
        "cues": findings_by_cue(report, len(cues)),
        "track": track_findings,
    }


def _entry(files: TrackFiles) -> PublishedTrack | None:
    """The track's entry in review.json; None where there is no record or no entry yet."""
    record = read_record(files.published)
    return record.tracks.get(files.track.language) if record else None


def track_document(files: TrackFiles) -> dict[str, Any]:
    """What the page loads for a track: its cues as the file on disk holds them now, their hash (a
    save or an approval names it), its QC, frame rate and rules, and its review state."""
    content = files.srt.read_bytes()  # one reading: the hash is of the cues the page gets
    try:
        cues = parse_srt(content, files.srt)
    except SrtError as error:
        raise EditRefused(409, str(error)) from None
    published = _published_qc(files)
    entry = _entry(files)
    return {
        "film": files.film,
        "language": files.track.language,
        "srt": files.track.srt,
        "sha256": hashlib.sha256(content).hexdigest(),
        "fps": published.fps,
        "rules": published.rules,
        "cues": cues_json(cues),
        "qc": check(files, cues) if cues else None,
        "state": entry.state(files.published) if entry else None,
        "approved_by": entry.approved_by if entry else None,
        "approved_at": entry.approved_at if entry else None,
        "reviewer": getpass.getuser(),  # what an approval records where the person typed no name
    }


def save(files: TrackFiles, cues: Sequence[Cue], loaded_sha256: str) -> dict[str, Any]:
    """Write ``cues`` to the track's published SRT, keeping the file it replaces in history/.
    EditRefused: 409 where the file is no longer the one loaded, 422 where the mux would refuse the
    cues (overlapping, empty, out of order)."""
    text = srt_text(cues)
    try:
        parse_srt(text, files.srt)  # the mux's own reading: what it would refuse is refused now
    except SrtError as error:
        raise EditRefused(422, f"not saved: {error}") from None
    current = sha256(files.srt) if files.srt.exists() else None
    if current != loaded_sha256:
        raise EditRefused(
            409,
            f"not saved: {files.srt} changed since the page loaded it (someone saved it, or a run "
            "republished it); reload the page, your changes are still in it until you do",
        )
    history = files.published / HISTORY_FOLDER
    history.mkdir(exist_ok=True)
    kept = history / f"{files.track.language}.{stamp(now())}-{secrets.token_hex(3)}.srt"
    write_text_atomically(kept, files.srt.read_text(encoding="utf-8"))
    write_text_atomically(files.srt, text)
    entry = _entry(files)
    return {
        "sha256": sha256(files.srt),
        "previous": kept.relative_to(files.folder).as_posix(),
        "state": entry.state(files.published) if entry else None,
    }


def approve_track(files: TrackFiles, approved_sha256: str, reviewer: str | None) -> dict[str, Any]:
    """Record the approval of the track's file with hash ``approved_sha256`` by ``reviewer`` (the OS
    user where no name is given). 409 where the file changed since the person loaded it."""
    name = (reviewer or "").strip() or getpass.getuser()
    if len(name) > 200 or any(ord(c) < 32 for c in name):
        raise EditRefused(400, "a reviewer's name is one line of at most 200 characters")
    try:
        entry = approve(files.published, files.track.language, approved_sha256, name, now())
    except ContractError as error:  # ApprovalConflict among them: the file changed since it was loaded
        raise EditRefused(409, str(error)) from None
    return {
        "state": entry.state(files.published),
        "approved_by": entry.approved_by,
        "approved_at": entry.approved_at,
    }
