"""The review loop: the machine's subtitles are published for people to fix, and a fix is never lost.

Snakemake deletes a job's outputs before it reruns the job, so the folder people edit cannot be an
output. The subtitle stage writes its tracks to ``jobs/<film>/machine_subtitles/`` (its directory
output) and then *publishes* each SRT to ``jobs/<film>/subtitles/<lang>.srt``, which is no rule's
output. ``subtitles/review.json`` (schema ``reelsub.review/2``) records, per track, the SHA-256 of
the machine version last written there: a published file with another hash is a human edit.

Publishing a track:

- the published file is missing: the machine version is written (deleting your file is how you ask
  for the machine's back);
- it is one the machine wrote: it is replaced by the new machine version;
- it was edited, or a person approved it (review.json): it is kept. When the new machine version
  differs from the one the edit started from, it goes beside the edit as ``<lang>.machine.srt``,
  with a warning in the log and in the end-of-run summary (an approval then shows as stale until a
  person approves again). Keeping rather than stopping: in a batch, one reviewed film must not hold the
  others up, and the human version is the one worth more; the machine's is beside it to compare.

No person's file is overwritten or deleted without a copy the run names (reelsub.review.keep_edits):

- a file is replaced only while it holds what the machine wrote, checked again on what is taken
  away, so an edit saved between the check and the replace stays (replace_unless_edited);
- a hand merge in ``<lang>.machine.srt`` stays while the machine version is unchanged, and moves to
  ``kept/<lang>.machine.<time>.srt`` before a newer one takes its place (recorded in ``kept``);
- a track the machine no longer makes (asr heard Urdu where it heard Hindi) keeps its entry while
  its file exists, and an edit of it, which the film no longer carries, is warned of by every run.

mux muxes the published files (listed as its inputs, so an edit, newer than ``out.mkv``, reruns
only mux) and describes what it muxed: ``subtitles/<lang>.vtt`` (and ``.ass``, ``.ttml``: config
``subtitle.formats``), ``<lang>.qc.json`` and ``tracks.json`` are rewritten from the published
SRT, QC rerun against the transcript where it was edited.

The record itself is read and written through reelsub.contracts.review_record.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from reelsub.contracts.qc_report import ReviewNote, read_qc_report, write_qc_report
from reelsub.contracts.review_record import (
    MACHINE_COPY,
    SCHEMA,
    KeptCopy,
    PublishedTrack,
    ReviewRecord,
    left_out_line,
    read_record,
    record_lock,
    sha256,
    write_record,
)
from reelsub.contracts.tracks import Track, read_manifest, write_manifest
from reelsub.contracts.transcript import Transcript, write_text_atomically
from reelsub.review.keep_edits import now, replace_unless_edited
from reelsub.subtitles.files import SrtError, parse_srt, write_formats
from reelsub.subtitles.formats import DERIVED_FORMATS, FORMATS, format_file
from reelsub.subtitles.qc import qc_report
from reelsub.subtitles.rules import Cue, SubtitleRules


@dataclass(frozen=True)
class PublishOutcome:
    language: str
    action: str  # "published", "replaced", "unchanged", "restored", "kept_edit", "kept_edit_machine_beside"
    published: Path
    machine_copy: Path | None = None
    saved_during_run: bool = False  # the edit was saved while this run replaced the machine's file
    merge_kept: bool = False  # a person's changes to the machine copy stay in it (no new machine version)
    copies: tuple[tuple[Path, Path], ...] = ()  # (where, now in kept/): a person's files moved to a copy


def _copy(source: Path, target: Path) -> None:
    """Atomically, like every file reelsub writes: a killed run never leaves half a subtitle file."""
    write_text_atomically(target, Path(source).read_text(encoding="utf-8"))


def publish(machine: Path, published: Path, film: str, log: logging.Logger) -> list[PublishOutcome]:
    """Publish every machine track of ``machine`` into ``published`` (see the module docstring)."""
    machine, published = Path(machine), Path(published)
    published.mkdir(parents=True, exist_ok=True)
    with record_lock(published):  # the review server may be recording an approval
        return _publish(machine, published, film, log)


def _publish(machine: Path, published: Path, film: str, log: logging.Logger) -> list[PublishOutcome]:
    old = read_record(published) or ReviewRecord(film)
    record = ReviewRecord(film, old.republished, kept=list(old.kept))
    if old.deleted(published):
        record.republished += 1  # as republish_token counted it
    outcomes = []
    for track in read_manifest(machine):
        previous = old.tracks.get(track.language)
        outcome, entry = _publish_track(machine / track.srt, published, track, previous)
        if previous is not None:  # an approval stays recorded; PublishedTrack.state says whether it holds
            entry.approved_by, entry.approved_at, entry.approved_sha256 = previous.approval
        record.tracks[track.language] = entry
        outcomes.append(outcome)
        _log_outcome(outcome, film, log)
        for was, copy in outcome.copies:
            record.kept.append(
                KeptCopy(track.language, _inside(copy, published), _inside(was, published), now())
            )
    _keep_left_out(old, record, published, film, log)
    write_record(published, record)
    return outcomes


def _log_outcome(outcome: PublishOutcome, film: str, log: logging.Logger) -> None:
    where = f"{film} [{outcome.language}]"
    if outcome.saved_during_run:
        log.warning("%s: %s was saved while this run replaced it: kept your edit", where, outcome.published)
    for was, copy in outcome.copies:
        log.warning("%s: moved your changes to %s to %s, where nothing overwrites them", where, was, copy)
    if outcome.merge_kept:
        log.info(
            "%s: kept your changes to %s (the machine version is unchanged)", where, outcome.machine_copy
        )
    if outcome.action == "kept_edit_machine_beside":
        log.warning(
            "%s: kept your edit of %s; the new machine version is %s (compare them; delete %s to take the "
            "machine's)",
            where,
            outcome.published,
            outcome.machine_copy,
            outcome.published.name,
        )
    elif outcome.action == "kept_edit":
        log.info("%s: kept your edit of %s (the machine version is unchanged)", where, outcome.published)
    elif outcome.action != "unchanged":
        log.info("%s: %s %s", where, outcome.action, outcome.published)


def _publish_track(
    machine_srt: Path, published: Path, track: Track, entry: PublishedTrack | None
) -> tuple[PublishOutcome, PublishedTrack]:
    target = published / track.srt
    new = sha256(machine_srt)
    fresh = PublishedTrack(track.language, track.srt, new)
    machine_wrote = {new} | (entry.machine_wrote() if entry else set())
    current = sha256(target) if target.exists() else None
    approved = entry is not None and current is not None and current == entry.approved_sha256
    if current is not None and (current not in machine_wrote or (approved and current != new)):
        # A person's file, or the machine's version a person approved. With no record (an older
        # job folder) nothing says which machine version it started from, so any counts as new.
        return _keep_edit(machine_srt, published, track, entry, entry.published_sha256 if entry else None)
    if current == new:
        _drop_machine_copy(published, entry)
        return PublishOutcome(track.language, "unchanged", target), fresh
    # The hash was checked, but a save can come before the file is replaced: replace_unless_edited
    # checks again what it takes away, and keeps a person's file in its place.
    placed = replace_unless_edited(target, machine_srt.read_text(encoding="utf-8"), machine_wrote)
    copies = tuple((target, copy) for copy in placed.copies)
    if not placed.written:
        outcome, kept = _keep_edit(machine_srt, published, track, entry, current)
        return replace(outcome, saved_during_run=True, copies=copies + outcome.copies), kept
    _drop_machine_copy(published, entry)
    action = "replaced" if current is not None else "restored" if entry else "published"
    return PublishOutcome(track.language, action, target, copies=copies), fresh


def _keep_edit(
    machine_srt: Path, published: Path, track: Track, entry: PublishedTrack | None, base: str | None
) -> tuple[PublishOutcome, PublishedTrack]:
    """The published file is a person's: it stays. ``base`` is the machine version it started from."""
    target = published / track.srt
    new = sha256(machine_srt)
    if new == base:
        _drop_machine_copy(published, entry)  # the machine went back to what the edit started from
        return PublishOutcome(track.language, "kept_edit", target), PublishedTrack(
            track.language, track.srt, base
        )
    copy = published / MACHINE_COPY.format(language=track.language)
    kept = PublishedTrack(track.language, track.srt, base or new, copy.name, new, now())
    last_copy = entry.machine_copy_sha256 if entry and entry.machine_copy else None
    in_copy = sha256(copy) if copy.exists() else None
    news_since = entry.edit_kept_at if entry else None  # when the machine version last changed
    if in_copy == new:  # already beside the edit
        since = news_since if new == last_copy else kept.edit_kept_at
        return PublishOutcome(track.language, "kept_edit_machine_beside", target, copy), replace(
            kept, edit_kept_at=since
        )
    if in_copy is not None and new == last_copy:
        # The person changed the machine copy (a hand merge) and the machine has nothing new: it stays.
        outcome = PublishOutcome(track.language, "kept_edit", target, copy, merge_kept=True)
        return outcome, replace(kept, edit_kept_at=news_since)
    # A person's changes to the copy go to a named copy in kept/ before the new version takes the place.
    text = machine_srt.read_text(encoding="utf-8")
    placed = replace_unless_edited(copy, text, {last_copy} if last_copy else set(), edit_stays=False)
    copies = tuple((copy, moved) for moved in placed.copies)
    if not placed.written:  # saved to the machine copy in the instant it was free: theirs stays there
        outcome = PublishOutcome(track.language, "kept_edit", target, copies=copies)
        return outcome, replace(kept, machine_copy=None, machine_copy_sha256=None, edit_kept_at=news_since)
    return PublishOutcome(track.language, "kept_edit_machine_beside", target, copy, copies=copies), kept


def _inside(path: Path, published: Path) -> str:
    return path.relative_to(published).as_posix()


def _drop_machine_copy(published: Path, entry: PublishedTrack | None) -> None:
    """Remove a machine copy that is no longer news, unless someone changed it (or changes it now)."""
    if entry is None or entry.machine_copy is None or entry.machine_copy_sha256 is None:
        return
    replace_unless_edited(published / entry.machine_copy, None, {entry.machine_copy_sha256})


def _keep_left_out(
    old: ReviewRecord, record: ReviewRecord, published: Path, film: str, log: logging.Logger
) -> None:
    """A track the machine no longer makes (asr heard Urdu where it heard Hindi): its entry stays
    while its file does, and an edit of it, which the film no longer carries, is warned of."""
    for language, entry in old.tracks.items():
        if language in record.tracks or not (published / entry.file).exists():
            continue
        left = replace(entry, left_out_at=entry.left_out_at or now())
        record.tracks[language] = left
        if left.edited(published):
            log.warning("%s %s", film, left_out_line(published, record, left))


@dataclass(frozen=True)
class Snapshot:
    """A published track as the mux takes it: the file's bytes read once, their hash, and the cues
    parsed from those same bytes. QC, the VTT and the MKV are all made from this one reading, so a
    save during the run is either wholly in the film or wholly not (and then the file on disk no
    longer has the hash recorded, and the next run muxes it)."""

    track: Track
    cues: list[Cue]
    sha256: str


def read_edited_srt(path: Path, content: bytes) -> list[Cue]:
    """A person's SRT (``content``, read from ``path``), read strictly: anything that is not cues
    stops the mux naming the file and the line, rather than vanishing from the film. An empty file
    is refused too: emptying a file is not how a track is removed (deleting it brings the machine's
    version back)."""
    cues = parse_srt(content, path)
    if not cues:
        raise SrtError(
            path,
            1,
            "no cues: the file is empty. Undo the edit, or delete the file to get the machine's version back",
        )
    return cues


def describe_published(
    machine: Path,
    published: Path,
    transcript_of: Callable[[str], Transcript],
    rules: SubtitleRules,
    log: logging.Logger,
    formats: Sequence[str] = FORMATS,
) -> list[Snapshot]:
    """The tracks to mux, from the published folder, each in every one of ``formats`` (config
    ``subtitle.formats``) and with a QC report of the very cues muxed (one snapshot of the file;
    qc.json's ``review.sha256`` is its hash); the published tracks.json lists them (file names
    inside ``published``). ``transcript_of(language)`` gives the
    words QC checks an edited track against (cues are matched to words by time where the text
    differs)."""
    machine, published = Path(machine), Path(published)
    snapshots = []
    record = read_record(published)
    for track in read_manifest(machine):
        source = published / track.srt
        if not source.exists():  # subtitle republishes deleted files; this is only a fallback
            log.warning("%s is missing: publishing the machine version again", source)
            replace_unless_edited(source, (machine / track.srt).read_text(encoding="utf-8"), set())
        content = source.read_bytes()  # the one reading of a file a person may be saving right now
        digest = hashlib.sha256(content).hexdigest()
        machine_qc = read_qc_report(machine / track.qc)
        edited = digest != sha256(machine / track.srt)
        if edited:
            cues = read_edited_srt(source, content)
            report = qc_report(
                cues,
                rules,
                machine_qc.fps,
                transcript_of(track.language),
                translated=track.translated,
            )
            entry = record.tracks.get(track.language) if record else None
            approved_machine_version = (
                entry is not None and digest == entry.approved_sha256 == entry.published_sha256
            )
            kept_as = (
                f"An earlier machine version, kept because a person approved it (the new one is "
                f"{MACHINE_COPY.format(language=track.language)})."
                if approved_machine_version
                else "Edited by hand."
            )
            report = replace(report, summary=f"{kept_as} {report.summary}")
            write_formats(cues, published, track.language, formats)
            log.info("%s was edited by hand; QC of the edited file: %s", source, report.summary)
        else:
            cues = parse_srt(content, source)
            report = machine_qc
            for extension in (f for f in formats if f in DERIVED_FORMATS):
                derived = format_file(track.language, extension)
                if (machine / derived).exists():
                    _copy(machine / derived, published / derived)
        report = replace(
            report, review=ReviewNote(schema=SCHEMA, srt=track.srt, edited=edited, sha256=digest)
        )
        write_qc_report(published / track.qc, report)
        described = replace(track, cues=len(cues), default=track.default and bool(cues))
        snapshots.append(Snapshot(described, cues, digest))
    write_manifest(published, [snapshot.track for snapshot in snapshots])
    return snapshots
