"""What every file passed between stages shares: a schema tag with a version, a check on read that
raises :class:`ContractError` naming the file, and an atomic, durable write (:func:`atomic_output`,
which every file reelsub writes goes through).

The files, their schema tags and the modules that define them are listed once, in README.md ("The
contracts between stages"); tests/test_workflow.py checks that table against what a real run leaves.

A reader accepts the versions it lists and refuses the rest, so that a file written by another
release of reelsub fails with a message instead of a KeyError three stages later.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class ContractError(ValueError):
    """A file passed between stages does not follow its contract."""


def read_document(
    path: str | os.PathLike[str], schemas: Iterable[str], parse: Callable[[dict[str, Any]], T]
) -> T:
    """Parse a versioned JSON document; any problem is a ContractError naming the file."""
    accepted = tuple(schemas)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ContractError(f"{path}: missing") from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ContractError(f"{path}: not readable JSON ({error})") from error
    if not isinstance(data, dict) or data.get("schema") not in accepted:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise ContractError(f"{path}: not a {' or '.join(accepted)} document (schema={found!r})")
    return _parsed(path, data, parse)


def write_document(
    path: str | os.PathLike[str], document: dict[str, Any], parse: Callable[[dict[str, Any]], object]
) -> None:
    """Write a versioned JSON document after reading it back with ``parse``, the reader's own
    check: a document its reader would refuse is a ContractError naming the file, and is not
    written, so no later stage finds a bad file under a good name."""
    _parsed(path, json.loads(json.dumps(document)), parse)  # as a reader will see it (tuples as lists)
    write_text_atomically(path, json.dumps(document, ensure_ascii=False, indent=1))


def _parsed(path: str | os.PathLike[str], data: dict[str, Any], parse: Callable[[dict[str, Any]], T]) -> T:
    try:
        return parse(data)
    except ContractError as error:
        raise ContractError(f"{path}: {error}") from error
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ContractError(
            f"{path}: malformed {data.get('schema')} document ({type(error).__name__}: {error})"
        ) from error


@contextmanager
def atomic_output(target: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``target`` (same extension, so ffmpeg and matplotlib pick the
    format) to write to; renamed onto ``target`` only if the block succeeds, and removed if not.
    Every file reelsub writes goes through here (write_text_atomically; media's ffmpeg and PyAV
    outputs; the report's pages and plots), so a killed or failed job never leaves a file that
    looks complete.

    Durable, not only atomic: the file's bytes are flushed to the disk (fsync) before the rename,
    and its folder after it. A rename alone can reach the disk before the data does, so a power cut
    can leave an empty or half-written file under the final name (Snakemake would take it as done),
    or lose the rename altogether."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The process id keeps two processes writing the same file (a shared model cache) apart.
    temporary = target.with_name(f".{target.stem}.{os.getpid()}.part{target.suffix}")
    temporary.unlink(missing_ok=True)
    try:
        yield temporary
        move_into_place(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def move_into_place(temporary: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """A finished file renamed onto ``target`` in the same folder, durably (see atomic_output). Also
    for a file another program wrote aside: `make report` has Snakemake write the report there."""
    _fsync(Path(temporary), os.O_RDONLY)
    os.replace(temporary, target)
    sync_folder(Path(target).parent)


def rename_durably(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """``os.rename`` (FileNotFoundError where ``source`` is gone), then the folder synced: a person's
    file moved aside (reelsub.review.keep_edits) stays moved after a power cut."""
    os.rename(source, target)
    sync_folder(Path(target).parent)


def sync_folder(folder: str | os.PathLike[str]) -> None:
    """Flush a folder's entries (a new name, a hard link) to the disk."""
    _fsync(Path(folder), os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))


def _fsync(path: Path, flags: int) -> None:
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    except OSError as error:
        # Some filesystems cannot sync a folder (EINVAL); the file itself was synced already.
        if error.errno != errno.EINVAL:
            raise
    finally:
        os.close(descriptor)


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    """``text`` written to ``path`` through :func:`atomic_output`."""
    with atomic_output(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
