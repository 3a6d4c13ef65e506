"""What every file passed between stages shares: a schema tag with a version, a check on read that
raises :class:`ContractError` naming the file, and an atomic write.

The files, their schema tags and the modules that define them are listed once, in README.md ("The
contracts between stages"); tests/test_workflow.py checks that table against what a real run leaves.

A reader accepts the versions it lists and refuses the rest, so that a file written by another
release of reelsub fails with a message instead of a KeyError three stages later.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
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
    try:
        return parse(data)
    except ContractError as error:
        raise ContractError(f"{path}: {error}") from error
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ContractError(
            f"{path}: malformed {data['schema']} document ({type(error).__name__}: {error})"
        ) from error


def write_document(path: str | os.PathLike[str], document: dict[str, Any]) -> None:
    write_text_atomically(path, json.dumps(document, ensure_ascii=False, indent=1))


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write to a temporary file beside ``path``, then rename it into place: a killed job never
    leaves a half-written file that looks complete."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        # mkstemp makes the file private (0600); outputs should be as readable as any file the
        # user writes, e.g. by colleagues on a cluster's shared filesystem.
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
