"""What every stage script shares: logging to the film's log file, and errors users can act on.

A stage script's ``main(snakemake)`` does its work inside ``run_stage``. Known failures (bad film,
missing model, broken transcript) end the job with one line that names the film and the problem;
anything else also leaves its traceback in the log. Either way the exit status is non-zero and
Snakemake removes the job's outputs, so nothing partial survives.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reelsub.contracts.transcript import ContractError
from reelsub.languages import UnknownLanguage
from reelsub.media import MediaError
from reelsub.models import ModelNotFound
from reelsub.workflow.films import FilmSheetError
from reelsub.workflow.hardware import BackendError
from reelsub.workflow.settings import SettingsError

EXPECTED_ERRORS = (
    MediaError,
    ModelNotFound,
    ContractError,
    UnknownLanguage,
    BackendError,
    FilmSheetError,
    SettingsError,
    OSError,
)
ERROR_PREFIX = "REELSUB ERROR"


def configure_logging(log_path: str | Path | None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )


@contextmanager
def run_stage(snakemake: Any, stage: str) -> Iterator[logging.Logger]:
    """Log the stage's start and end to ``snakemake.log[0]``; turn failures into one clear line."""
    film = snakemake.wildcards.get("film", "?") if hasattr(snakemake.wildcards, "get") else "?"
    configure_logging(snakemake.log[0] if len(snakemake.log) else None)
    logger = logging.getLogger(f"reelsub.{stage}")
    started = time.monotonic()
    logger.info("%s of film %r started", stage, film)
    try:
        yield logger
    except EXPECTED_ERRORS as error:
        logger.error("%s: film %r, stage %s: %s", ERROR_PREFIX, film, stage, error)
        sys.exit(1)
    except Exception as error:
        logger.exception(
            "%s: film %r, stage %s: unexpected %s: %s", ERROR_PREFIX, film, stage, type(error).__name__, error
        )
        sys.exit(1)
    logger.info("%s of film %r finished in %.1f s", stage, film, time.monotonic() - started)


def marked_lines(log_dir: Path, mark: str) -> list[tuple[float, str]]:
    """(the log's time, the text after ``mark: ``) for each line of a film's logs that carries ``mark``."""
    found = []
    for log_file in log_dir.glob("*.log"):
        stamp = log_file.stat().st_mtime
        for line in log_file.read_text(encoding="utf-8", errors="replace").splitlines():
            if mark in line:
                found.append((stamp, line.split(mark + ": ", 1)[-1]))
    return found


def last_error(log_dir: Path) -> str | None:
    """The newest one-line reason among a film's logs (for the end-of-run summary)."""
    newest: tuple[float, str] | None = None
    for stamp, reason in marked_lines(log_dir, ERROR_PREFIX):
        if newest is None or stamp >= newest[0]:
            newest = (stamp, reason)
    return newest[1] if newest else None
