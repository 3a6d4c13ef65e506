#!/usr/bin/env python
"""make bench: measure reelsub against its baselines and write bench/results.md.

    .venv/bin/python bench/run.py            # full: the issue's media sizes, 3 pairs per row
    .venv/bin/python bench/run.py --quick    # < 10 min: short media, 2 pairs per row
    .venv/bin/python bench/run.py --rows 1,3 # only some rows (development): writes only the partial file

Every row times a pair (reelsub and its baseline) side by side in the same run, alternating
A B / B A so that drift in machine load falls on both, and reports the median and the range.
Targets are ratios; absolute seconds are context. Media are generated once (bench/work/media/,
gitignored) and reused; each measurement runs in a fresh process (snakemake or a worker).

The rows are the table ROWS below, one module each in bench/rows/ (what it measures, the pair it
times, its target and verdict); bench/lib.py holds what they share, bench/report.py writes the
results. While a run goes on, bench/work/results.partial.md has the rows so far; bench/results.md
is replaced only at the end of a complete run (every row, none failed).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lib import FULL, MEDIA, PARTIAL, QUICK, RESULTS, Context, log
from report import write_results
from rows import (
    accuracy,
    asr_engine,
    batch,
    dag,
    hindi,
    memory,
    mux,
    mux_jobs,
    overhead,
    pipeline,
    quality,
    shares,
    startup,
    translation,
    windows_layout,
)


@dataclass(frozen=True)
class Step:
    key: str  # what --rows names it by
    what: str
    measure: Callable[[Context], None]
    needs: tuple[str, ...] = ()  # rows whose results it reads


ROWS: tuple[Step, ...] = (
    Step("0", "snakemake start-up, as installed vs scontrol failing fast", startup.measure),
    Step("1", "ASR stage vs raw BatchedInferencePipeline, 5-10 min of real speech", asr_engine.measure),
    Step("2", "whole pipeline vs the ASR stage alone", pipeline.measure),
    Step("3", "mux by stream copy vs burn-in", mux.measure),
    Step("3j", "mux job vs burn_in job, 5-min 720p film, from the jobs' benchmark files", mux_jobs.measure),
    Step("4", "batch of short films, -j2 vs -j1", batch.measure),
    Step("5", "dry-run DAG build, reelsub vs a bare Snakefile", dag.measure),
    Step("6", "peak RSS per stage", memory.measure),
    Step("7", "share of the pipeline's wall time per stage", shares.measure, needs=("2",)),
    Step("8", "short film: where the pipeline's time goes outside the ASR engine", overhead.measure),
    Step(
        "c",
        "accuracy corpus: WER of reelsub, raw batched and raw sequential on real speech",
        accuracy.measure,
    ),
    Step(
        "w",
        "asr.layout: windows (pauses kept) vs raw batched and the default (auto: packed on English speech)",
        windows_layout.measure,
        needs=("1", "c"),
    ),
    Step("q", "WER on jfk and espeak narration, row 1's arms", quality.measure),
    Step(
        "h",
        "Hindi film: cue onsets, straddles, script options, English chrF vs raw faster-whisper",
        hindi.measure_row,
    ),
    Step("t", "translation throughput (tiny IndicTrans2 substitute)", translation.measure),
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short media, 2 pairs per row")
    parser.add_argument(
        "--rows",
        default="all",
        help="comma-separated keys: " + ", ".join(f"{s.key} ({s.what})" for s in ROWS),
    )
    parser.add_argument(
        "--plan",
        action="append",
        default=[],
        metavar="FIELD=N",
        help="change one field of the plan, e.g. real_speech_s=300 (development; see lib.Plan)",
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    for change in args.plan:
        name, _, value = change.partition("=")
        if name not in plan.__dataclass_fields__ or name == "mode":
            parser.error(f"--plan {change}: no such field; fields: {', '.join(plan.__dataclass_fields__)}")
        plan = dataclasses.replace(plan, **{name: int(value)})
    started, load_start = time.time(), os.getloadavg()
    MEDIA.mkdir(parents=True, exist_ok=True)
    bench = Context(plan)
    keys = [s.key for s in ROWS]
    wanted = set(keys) if args.rows == "all" else set(args.rows.split(","))
    unknown = wanted - set(keys)
    if unknown:
        parser.error(f"unknown rows {sorted(unknown)}; known: {', '.join(keys)}")
    for step in ROWS:
        if step.key in wanted:
            wanted.update(step.needs)
    if "6" in wanted and not plan.long_repeats:
        wanted.add("2")  # quick mode's row 6 reads row 2's benchmark files
    failed = []
    for step in ROWS:
        if step.key not in wanted:
            continue
        try:
            step.measure(bench)
        except Exception as error:  # one broken row must not cost the others' results
            traceback.print_exc()
            failed.append(step.key)
            bench.notes.append(f"step {step.key} failed: {type(error).__name__}: {str(error)[:500]}")
            log(f"step {step.key} FAILED: {error}")
        write_results(bench, started, load_start, args.rows, PARTIAL)
    if args.rows == "all" and not failed:
        write_results(bench, started, load_start, args.rows, RESULTS)
    else:
        log(
            f"not a complete run (rows {args.rows}, failed: {failed or 'none'}): {RESULTS} left as it was; "
            f"this run's results are in {PARTIAL}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
