"""Progress in the terminal: one status line for the batch, the stage each film is in, and an ETA.

Snakemake's own log says which job started and finished; it does not say how far a 2-hour film's
ASR has got, nor when the batch will be done. A watcher thread, started by the workflow's
``onstart`` (Snakemake runs it once the DAG is built, never in a dry run), reads what the jobs
leave anyway and prints a line when it changes:

- a job has finished in this run when its benchmark file (every rule has one; Snakemake writes it
  after the job) is newer than the run's start;
- it is running when its log (every rule has one, under ``jobs/<film>/logs/``) is newer and the
  benchmark is not;
- it has failed when that log holds the stage's one-line error (reelsub.workflow.stage);
- how far ASR has got comes from its ``asr progress: A / B s`` lines; its ETA from their pace;
- the batch's ETA from the pace of the films finished so far.

Shown only where a person watches: stderr is a terminal and ``CI`` is not set (config ``progress``:
auto), or always (``on``), or never (``off``). The end-of-run summary is printed as before.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from reelsub.workflow.stage import ERROR_PREFIX

MODES = ("auto", "on", "off")
_ASR_PROGRESS = re.compile(r"^(\S+ \S+) INFO .*asr progress: ([\d.]+) / ([\d.]+) s", re.M)
_STARTED = re.compile(r"^(\S+ \S+) INFO .* started$", re.M)
_LOG_TIME = "%Y-%m-%d %H:%M:%S,%f"  # logging's asctime, as reelsub.workflow.stage configures it
MIN_FRACTION_FOR_ETA = 0.05  # before 5% of the audio the pace says little


def wanted(mode: str, stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether to show the line: ``on``, or ``auto`` on a terminal outside CI."""
    if mode not in MODES:
        raise ValueError(f"progress must be one of {MODES}, not {mode!r}")
    if mode != "auto":
        return mode == "on"
    return stream.isatty() and not environ.get("CI")


@dataclass(frozen=True)
class PlannedStage:
    """A job this run has to do for a film, with the files that tell how it is going."""

    name: str  # the rule
    log: Path | None
    benchmark: Path | None


@dataclass(frozen=True)
class FilmProgress:
    film: str
    stages: tuple[str, ...]  # what this run has to do for the film, in order
    finished: tuple[str, ...]
    running: tuple[str, ...]
    failed: str | None  # the stage that failed
    asr_fraction: float | None  # of the audio decoded, while asr runs
    asr_seconds_left: float | None

    @property
    def done(self) -> bool:
        return set(self.stages) <= set(self.finished)

    def describe(self) -> str:
        if self.failed:
            return f"{self.film}: FAILED in {self.failed}"
        if self.done:
            return f"{self.film}: done"
        if not self.running:
            return f"{self.film}: waiting ({len(self.finished)}/{len(self.stages)} stages)"
        parts = []
        for stage in self.running:
            if stage == "asr" and self.asr_fraction is not None:
                left = (
                    f", ~{_duration(self.asr_seconds_left)} left" if self.asr_seconds_left is not None else ""
                )
                parts.append(f"asr {self.asr_fraction:.0%}{left}")
            else:
                parts.append(stage)
        return f"{self.film}: {' + '.join(parts)} ({len(self.finished)}/{len(self.stages)} stages)"


def film_progress(film: str, stages: Sequence[PlannedStage], run_started: float, now: float) -> FilmProgress:
    """Where one film is, read from its jobs' logs and benchmark files (see the module's docstring)."""
    finished, running, failed = [], [], None
    fraction = seconds_left = None
    for stage in stages:
        if stage.benchmark and _newer(stage.benchmark, run_started):
            finished.append(stage.name)
        elif stage.log and _newer(stage.log, run_started):
            text = stage.log.read_text(encoding="utf-8", errors="replace")
            if ERROR_PREFIX in text:
                failed = stage.name
            else:
                running.append(stage.name)
                if stage.name == "asr":
                    fraction, seconds_left = _asr_pace(text, now)
    names = tuple(stage.name for stage in stages)
    return FilmProgress(film, names, tuple(finished), tuple(running), failed, fraction, seconds_left)


def status_line(films: Sequence[FilmProgress], run_started: float, now: float, shown: int = 3) -> str:
    """One line for the batch: counts, the ETA, and the films being worked on (at most ``shown``)."""
    done = sum(f.done for f in films)
    failed = sum(f.failed is not None for f in films)
    active = [f for f in films if f.running and not f.failed]
    waiting = len(films) - done - failed - len(active)
    parts = [f"films {done}/{len(films)} done", f"{len(active)} running", f"{waiting} waiting"]
    if failed:
        parts.append(f"{failed} FAILED")
    elapsed = now - run_started
    remaining = len(films) - done - failed
    if done and remaining:
        parts.append(f"batch ~{_duration(elapsed / done * remaining)} left")
    line = f"reelsub [{_duration(elapsed)}] " + ", ".join(parts)
    details = [f.describe() for f in active[:shown]] + [f.describe() for f in films if f.failed]
    if len(active) > shown:
        details.append(f"+{len(active) - shown} more")
    return line + (" | " + " | ".join(details) if details else "")


class ProgressLine:
    """A daemon thread printing :func:`status_line` when it changes: at the start, at most every
    ``interval`` s while jobs run, and once more at the end."""

    def __init__(
        self,
        plan: Mapping[str, Sequence[PlannedStage]],
        run_started: float,
        stream: TextIO = sys.stderr,
        # A look stats each planned job's log and benchmark: once a second costs nothing, even for
        # a batch of hundreds of films, and a short stage is still seen.
        interval: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.plan, self.run_started = plan, run_started
        self.stream, self.interval, self.clock = stream, interval, clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reelsub-progress", daemon=True)
        self._last = ""

    def current(self) -> str:
        now = self.clock()
        films = [
            film_progress(film, stages, self.run_started, now) for film, stages in sorted(self.plan.items())
        ]
        return status_line(films, self.run_started, now)

    def start(self) -> ProgressLine:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ends the line with a last look: a run shorter than one interval still shows where it got."""
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)
        self._print_if_changed()

    def _run(self) -> None:
        while True:  # a first line as soon as the run starts, then one per change
            self._print_if_changed()
            if self._stop.wait(self.interval):
                return

    def _print_if_changed(self) -> None:
        try:
            line = self.current()
        except OSError:
            return  # a job folder being rewritten: the next look will do
        # the elapsed time alone changes every look; print when anything else does
        if _without_clock(line) != _without_clock(self._last):
            print(line, file=self.stream, flush=True)
            self._last = line


def _without_clock(line: str) -> str:
    return re.sub(r"\[[^\]]*\]|~\S+ left", "", line)


def _newer(path: Path, than: float) -> bool:
    try:
        return path.stat().st_mtime >= than
    except FileNotFoundError:
        return False


def _asr_pace(log_text: str, now: float) -> tuple[float | None, float | None]:
    """How much of the audio asr has decoded, and the seconds left at its pace so far."""
    reports = _ASR_PROGRESS.findall(log_text)
    if not reports:
        return None, None
    stamp, done, total = reports[-1]
    fraction = float(done) / float(total) if float(total) > 0 else 0.0
    started = _STARTED.search(log_text)
    if not started or fraction < MIN_FRACTION_FOR_ETA:
        return fraction, None
    begun = datetime.strptime(started.group(1), _LOG_TIME).timestamp()
    reported = datetime.strptime(stamp, _LOG_TIME).timestamp()
    seconds_left = (reported - begun) * (1 - fraction) / fraction - (now - reported)
    return fraction, max(seconds_left, 0.0)


def _duration(seconds: float | None) -> str:
    seconds = max(0, round(seconds or 0))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
