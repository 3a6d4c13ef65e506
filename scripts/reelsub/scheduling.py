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

from collections.abc import Collection, Iterable
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
