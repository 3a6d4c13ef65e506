"""The end-of-run summary: which films finished, which failed and why, their subtitle QC, and which
stages ran on the CPU although CUDA was wanted."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from reelsub.contracts.qc_report import read_qc_report
from reelsub.contracts.review_record import APPROVED, review_counts, track_states
from reelsub.contracts.tracks import MANIFEST, read_manifest
from reelsub.workflow.hardware import CPU_FALLBACK_MARK
from reelsub.workflow.stage import last_error, marked_lines


def _logs_of_this_run(film_id: str, jobs_root: Path, since: float) -> Path | None:
    """The film's log folder, where a stage wrote to it during this run."""
    log_dir = jobs_root / film_id / "logs"
    if not log_dir.is_dir() or max((p.stat().st_mtime for p in log_dir.glob("*.log")), default=0) < since:
        return None
    return log_dir


def failed_films(film_ids: Iterable[str], jobs_root: Path, since: float) -> list[tuple[str, str]]:
    """(film, one-line reason) for each film whose logs recorded an error during this run."""
    failures = []
    for film_id in film_ids:
        log_dir = _logs_of_this_run(film_id, jobs_root, since)
        if log_dir is None:
            continue
        reason = last_error(log_dir)
        if reason:
            failures.append((film_id, reason))
    return failures


def qc_lines(film_ids: Iterable[str], jobs_root: Path, since: float) -> list[str]:
    """One line per subtitle track written during this run, from its QC report."""
    lines = []
    for film_id in film_ids:
        folder = jobs_root / film_id / "subtitles"
        manifest = folder / MANIFEST
        if not manifest.exists() or manifest.stat().st_mtime < since:
            continue
        for track in read_manifest(folder):
            report = read_qc_report(folder / track.qc)
            lines.append(f"{film_id} [{track.language}] {report.summary} ({folder / track.qc})")
    return lines


def cpu_fallbacks(film_ids: Iterable[str], jobs_root: Path, since: float) -> list[tuple[str, str]]:
    """(film, the warning) for each stage run during this run that wanted CUDA (device auto) and
    computed on the CPU because a CUDA library could not load (reelsub.workflow.hardware.resolve_device)."""
    fallbacks = []
    for film_id in film_ids:
        log_dir = _logs_of_this_run(film_id, jobs_root, since)
        if log_dir is None:
            continue
        for stamp, warning in sorted(marked_lines(log_dir, CPU_FALLBACK_MARK)):
            if stamp >= since:
                fallbacks.append((film_id, warning))
    return fallbacks


def review_line(film_ids: Iterable[str], jobs_root: Path) -> str | None:
    """What people have done with the batch's subtitle tracks: '4 tracks: 1 approved, 1 edited,
    2 machine-only; 3 wait for a person's approval (jobs/index.html: snakemake reviews)'; None
    before any film has a track."""
    states = [s for f in sorted(film_ids) for s in track_states(jobs_root / f / "subtitles").values()]
    if not states:
        return None
    waiting = sum(state != APPROVED for state in states)
    return (
        f"{len(states)} tracks: {review_counts(states)}; {waiting} wait for a person's approval "
        f"({jobs_root / 'index.html'}: snakemake reviews)"
    )
