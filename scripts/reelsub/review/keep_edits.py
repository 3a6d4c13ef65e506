"""A person's file is never overwritten or deleted without a copy they can find.

Two places could lose one:

- the subtitle stage replaces a published file it wrote itself. Checking the hash and then writing
  leaves a gap in which an editor's save is overwritten, so :func:`replace_unless_edited` moves the
  file aside first (an atomic rename: whatever a save puts there from then on is a new file) and
  checks the hash of *what it moved*; a person's file goes back (or, if yet another save took its
  place, to a named copy in ``kept/``); the new file is linked in only where no file is (a hard
  link never replaces one), so a save in that last gap is kept as well.
- ``make clean`` (scripts/clean.py) removes ``jobs/``: :func:`clean_jobs` first moves every file
  in a film's ``subtitles/`` that the machine did not write into ``edits-backup/<time>/``, and
  removes nothing when one of them cannot be moved.

What the machine wrote is known from ``subtitles/review.json`` (reelsub.contracts.review_record) and from
the machine's own tracks in ``machine_subtitles/``.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from reelsub.contracts.base import ContractError, rename_durably, sync_folder, write_text_atomically
from reelsub.contracts.review_record import MACHINE_FOLDER, RECORD, read_record, sha256
from reelsub.contracts.tracks import MANIFEST, read_manifest
from reelsub.subtitles.formats import DERIVED_FORMATS

KEPT_FOLDER = "kept"  # inside the published folder: a person's file a new machine file took the place of
BACKUP_FOLDER = "edits-backup"  # beside jobs/: what `make clean` kept
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK}


def now() -> float:
    return time.time()


def stamp(at: float) -> str:
    """A UTC time for a file or folder name: sorts in time order, has no ':' (Windows shares)."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(at))


@dataclass(frozen=True)
class Replacement:
    written: bool  # the path holds the new text now (for a removal: the path is gone)
    copies: tuple[Path, ...] = ()  # a person's files that were at the path, now in kept/


def replace_unless_edited(
    path: Path, text: str | None, machine_wrote: set[str], *, edit_stays: bool = True
) -> Replacement:
    """Put ``text`` at ``path`` (remove it where ``text`` is None), but only over a file whose hash
    is in ``machine_wrote``. A person's file found there, even one saved while this runs, is kept:
    back at ``path`` where ``edit_stays`` (and nothing new is written), otherwise in a named copy in
    ``kept/`` before the new file takes its place."""
    path = Path(path)
    copies: tuple[Path, ...] = ()
    aside = _move_aside(path)
    if aside is not None:
        if sha256(aside) in machine_wrote:
            aside.unlink()
        elif edit_stays and _link_into_place(aside, path):
            aside.unlink(missing_ok=True)  # gone already where the filesystem renamed instead of linking
            return Replacement(False)
        else:
            copies = (_keep(aside, path),)
            if edit_stays:  # another save took the place: that one stays, the one moved aside is kept
                return Replacement(False, copies)
    if text is None or _write_into_place(path, text):
        return Replacement(True, copies)
    return Replacement(False, copies)  # a save took the empty place: it is a person's file, and stays


def _move_aside(path: Path) -> Path | None:
    """Rename ``path`` to a new name beside it (None where there was no file): from here on, a save
    to ``path`` makes a new file and cannot be lost in the one taken away."""
    aside = path.with_name(f"{path.name}.replacing-{secrets.token_hex(4)}")
    try:
        rename_durably(path, aside)
    except FileNotFoundError:
        return None
    return aside


def _link_into_place(source: Path, target: Path) -> bool:
    """Give ``source`` the name ``target`` unless a file has that name: False when one has."""
    try:
        os.link(source, target)
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise
        # A filesystem without hard links: the check and the rename leave a gap again, however short.
        if target.exists():
            return False
        rename_durably(source, target)
        return True
    sync_folder(target.parent)
    return True


def _write_into_place(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` where no file is; False (nothing written) when a file appeared."""
    temporary = path.with_name(f".{path.name}.new-{secrets.token_hex(4)}")
    write_text_atomically(temporary, text)
    try:
        return _link_into_place(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _keep(source: Path, original: Path) -> Path:
    """Move a person's file into ``kept/`` beside ``original``, named after it and the time."""
    folder = original.parent / KEPT_FOLDER
    folder.mkdir(exist_ok=True)
    base = f"{original.stem}.{stamp(now())}"  # en.machine.srt -> en.machine.20261204T183000Z.srt
    for number in range(1, 1000):
        target = folder / f"{base}{'' if number == 1 else f'-{number}'}{original.suffix}"
        if _link_into_place(source, target):
            source.unlink(missing_ok=True)
            return target
    raise OSError(f"{folder}: no free name for a copy of {original.name}")


# -- make clean ----------------------------------------------------------------------------------------


def edited_files(subtitles: Path) -> list[Path]:
    """Every file in a film's ``subtitles/`` that the machine did not write: edited SRTs, a hand
    merge in ``<lang>.machine.srt``, copies in ``kept/``, anything a person put there. Files the
    machine derives from the SRTs (review.json, tracks.json, ``<lang>.vtt``, ``.ass``, ``.ttml``,
    ``<lang>.qc.json``) are not; where nothing says what the machine wrote, every SRT counts as
    edited."""
    subtitles = Path(subtitles)
    machine = subtitles.parent / MACHINE_FOLDER
    try:
        record = read_record(subtitles)
    except ContractError:
        record = None  # a record this release cannot read says nothing: every SRT is kept
    languages = set(record.tracks) if record else set()
    hashes: set[str] = set()
    for entry in record.tracks.values() if record else ():
        hashes |= entry.machine_wrote()
    for folder in (machine, subtitles):
        try:
            languages |= {track.language for track in read_manifest(folder)}
        except (OSError, ContractError):
            pass
    if machine.is_dir():
        hashes |= {sha256(f) for f in machine.iterdir() if f.is_file()}
    ends = [f".{extension}" for extension in DERIVED_FORMATS] + [".qc.json"]
    derived = {RECORD, MANIFEST} | {f"{lang}{end}" for lang in languages for end in ends}
    edited = []
    for path in sorted(p for p in subtitles.rglob("*") if p.is_file() or p.is_symlink()):
        in_top = path.parent == subtitles
        if in_top and (path.name in derived or (path.name.startswith(".") and path.name.endswith(".part"))):
            continue  # rewritten from the SRT by every mux, or what a killed atomic write left
        if path.is_file() and not path.is_symlink() and sha256(path) in hashes:
            continue
        edited.append(path)
    return edited


@dataclass
class Cleaned:
    backup: Path | None  # edits-backup/<time>/, where something was kept
    moved: list[tuple[Path, Path]] = field(default_factory=list)  # (from, to)


def clean_jobs(jobs: Path, backups: Path, at: float | None = None) -> Cleaned:
    """Move what people edited out of ``jobs`` into ``backups/<time>/<film>/...``, check every copy,
    then remove ``jobs``. Raises OSError, removing nothing, when an edit cannot be kept."""
    jobs, backups = Path(jobs), Path(backups)
    if not jobs.exists() and not jobs.is_symlink():
        return Cleaned(None)
    edits = [path for film in sorted(_films(jobs)) for path in edited_files(film / "subtitles")]
    cleaned = Cleaned(_new_folder(backups, stamp(now() if at is None else at)) if edits else None)
    for path in edits:
        assert cleaned.backup is not None
        target = cleaned.backup / path.relative_to(jobs)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            target.symlink_to(os.readlink(path))
        else:
            shutil.copy2(path, target)
            if sha256(target) != sha256(path):
                raise OSError(f"{target}: the copy of {path} differs from it (saved just now?); run again")
        cleaned.moved.append((path, target))
    if jobs.is_symlink():
        jobs.unlink()  # as `rm -rf jobs` did: the link goes, not the folder it points to
    else:
        shutil.rmtree(jobs)
    return cleaned


def _films(jobs: Path) -> list[Path]:
    return [film for film in jobs.iterdir() if (film / "subtitles").is_dir()] if jobs.is_dir() else []


def _new_folder(backups: Path, name: str) -> Path:
    """A folder of its own for this clean, even for two in the same second."""
    backups.mkdir(parents=True, exist_ok=True)
    for number in range(1, 1000):
        folder = backups / (name if number == 1 else f"{name}-{number}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise OSError(f"{backups}: no free folder name for {name}")
