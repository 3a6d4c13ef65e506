"""How many threads a job asks for, so that a batch of films fills the machine.

Snakemake gives a job min(threads, --cores). A rule asking for every core makes its jobs run one at
a time under any -jN, and Whisper on CPU does not scale with threads: on a 2-core machine a second
CTranslate2 thread made a tiny.en asr job only 1.08x faster, while two 1-thread jobs side by side
do nearly twice the work (bench row 4). So ``threads: auto`` shares the run's cores among the films
it transcribes: one film gets every core, a batch gets one job per core.

The films are counted from the run's targets when the DAG is built (Snakemake evaluates a callable
``threads:`` then), without importing anything heavy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

AUTO = "auto"
# Jobs sent to a cluster run on nodes whose size the submitting host does not know: ask for what a
# node of a small cluster has (sbatch --cpus-per-task); --max-threads lowers it where nodes are smaller.
CLUSTER_THREADS = 4


def films_in_targets(targets: Iterable[str], films: Collection[str], jobs: str = "jobs") -> set[str]:
    """The films that a run's targets name: ``jobs/<film>/...`` names one; a rule name (``all``,
    ``reports``) or no target at all means every film."""
    targets = list(targets)
    if not targets:
        return set(films)
    named = set()
    for target in targets:
        parts = Path(target).parts
        if len(parts) >= 2 and parts[0] == jobs and parts[1] in films:
            named.add(parts[1])
        else:
            return set(films)  # a rule name or another file: the whole sheet
    return named


def share_of_cores(cores: int, films: int) -> int:
    """Threads per job when ``films`` such jobs share ``cores``: every core for one film, at least
    one each, and never more jobs' worth than there are cores."""
    cores = max(int(cores), 1)
    return max(1, cores // max(1, min(films, cores)))


def auto_threads(
    cores: int | None, targeted: Collection[str], done: Collection[str], local: bool = True
) -> int:
    """``threads: auto`` for one job of a stage that runs once per film.

    ``cores``: the run's --cores (None where Snakemake has none, e.g. a cluster executor);
    ``targeted``: the films of this run's targets; ``done``: those whose stage output exists already
    (they make no job, so they do not take a share; where all are done, the job is a forced rerun
    of them all)."""
    if not local or cores is None:
        return CLUSTER_THREADS
    pending = [film for film in targeted if film not in done]
    return share_of_cores(cores, len(pending) or len(targeted))


class StageProgress:
    """The films a run targets, and which of them already have a stage's output, for ``threads: auto``.

    Snakemake evaluates a callable ``threads:`` for every job when it builds the DAG, again for each
    job a dry run prints and before each round of job selection. Looking at every film each time cost
    O(films^2) stat calls: a 1,000-film dry run spent 12 of its 21 s there (bench row 5). The targets
    never change within a run, so they are read once; which films are done is kept for ``max_age``
    seconds: long enough for one pass over the DAG, short enough that the last films of a batch get
    the cores the finished ones left.
    """

    def __init__(self, jobs: Path, max_age: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self.jobs = Path(jobs)
        self.max_age = max_age
        self.clock = clock
        self._targeted: dict[tuple[str, ...], frozenset[str]] = {}
        self._done: dict[tuple[str, tuple[str, ...]], tuple[float, frozenset[str]]] = {}

    def targeted(self, targets: Iterable[str], films: Collection[str]) -> frozenset[str]:
        key = tuple(targets)
        if key not in self._targeted:
            self._targeted[key] = frozenset(films_in_targets(key, films, str(self.jobs)))
        return self._targeted[key]

    def done(self, output_name: str, targets: Iterable[str], films: Collection[str]) -> frozenset[str]:
        """The targeted films whose ``jobs/<film>/<output_name>`` exists, as of at most ``max_age`` ago."""
        key = (output_name, tuple(targets))
        now = self.clock()
        seen = self._done.get(key)
        if seen is None or now - seen[0] >= self.max_age:
            found = frozenset(
                f for f in self.targeted(key[1], films) if (self.jobs / f / output_name).exists()
            )
            seen = self._done[key] = (now, found)
        return seen[1]


def cancel_idle_timers() -> int:
    """Cancel the threading.Timer threads still waiting when the run has ended; returns how many.

    Snakemake's scheduler starts a ``threading.Timer`` of ``--max-jobs-per-timespan``'s timespan
    (1 s by default) after each round of job selection, to look again once the rate limit allows.
    Those threads are not daemons, so the interpreter waits for the last one at exit: every run
    ended up to a second after its last job (bench row 2: 0.9-1.0 s of a 2-min film's pipeline).
    Called from ``onsuccess``/``onerror``, when the scheduler has returned and no timer has work
    left to start.
    """
    import threading

    idle = [t for t in threading.enumerate() if isinstance(t, threading.Timer) and t.is_alive()]
    for timer in idle:
        timer.cancel()
    return len(idle)
