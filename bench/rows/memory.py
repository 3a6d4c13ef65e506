"""Row 6: peak RSS per stage (2-hour film in full mode)."""

from __future__ import annotations

import json

import films
from lib import (
    BENCH,
    CORES,
    DEMO_CONFIG,
    GIB,
    MEDIA,
    PYTHON,
    SNAKEFILE,
    SNAKEMAKE,
    WORK,
    Context,
    Row,
    clean,
    link_films,
    log,
    machine_snapshot,
    run,
    stage_benchmarks,
)


def measure(bench: Context) -> None:
    if bench.plan.long_repeats:
        log(
            f"media: 2-hour film = the {bench.plan.asr_s}-s soundtrack x{bench.plan.long_repeats}, 320x180 10 fps"
        )
        film = films.repeated_film(MEDIA, bench.block, bench.plan.long_repeats, size="320x180", fps=10)
        workdir = WORK / "row6"
        link_films(workdir / "films", {"long": film.path})
        clean(workdir)
        load = machine_snapshot()
        log(f"row 6: peak RSS per stage, {film.duration / 3600:.2f}-hour film")
        peak_file = workdir / "peak.json"
        seconds, _ = run(
            [
                PYTHON,
                BENCH / "peak_rss.py",
                peak_file,
                SNAKEMAKE,
                "-s",
                SNAKEFILE,
                "-d",
                workdir,
                f"--cores={CORES}",
                "jobs/long/out.mkv",
                "--configfile",
                DEMO_CONFIG,
            ],
            cwd=workdir,
        )
        peak = json.loads(peak_file.read_text())
        if peak["returncode"] != 0:
            raise RuntimeError(f"the 2-hour pipeline failed ({peak['returncode']})")
        benches = stage_benchmarks(workdir / "jobs" / "long")
        where = f"{film.duration / 3600:.2f}-hour film (one run, {seconds:.0f} s)"
    else:
        load = machine_snapshot()
        benches = stage_benchmarks(bench.row2_jobs[0])
        where = f"{bench.film.duration / 60:.1f}-min film of row 2 (quick mode: no 2-hour film)"
    rss = {stage: b["max_rss"] for stage, b in benches.items()}
    asr_gib = rss.get("asr", float("nan")) / GIB
    true_peak = peak["max_rss_mb"] / GIB if bench.plan.long_repeats else None
    row = Row(
        "6",
        f"peak RSS per stage, {where}, tiny.en CPU",
        "asr <= 2 GiB",
        f"asr {asr_gib:.2f} GiB; "
        + ", ".join(f"{k} {v / GIB:.2f}" for k, v in rss.items())
        + " GiB"
        + (f"; largest process of the run {true_peak:.2f} GiB" if true_peak is not None else ""),
        asr_gib <= 2 and (true_peak is None or true_peak <= 2),
    )
    row.details.append(
        "max_rss from each rule's benchmark file (jobs/<film>/benchmarks/<stage>.tsv). Snakemake "
        "samples a job's memory each second for 30 s, then every 30 s, so on a long job it can "
        "miss the peak"
    )
    if true_peak is not None:
        row.details.append(
            f"the kernel's count (getrusage RUSAGE_CHILDREN around the snakemake command, bench/peak_rss.py): "
            f"the largest process of the whole run peaked at {true_peak:.2f} GiB; no stage can have used more"
        )
    if bench.plan.long_repeats:
        row.details.append("stage seconds: " + ", ".join(f"{k} {b['s']:.1f}" for k, b in benches.items()))
    bench.raw["row6"] = benches
    bench.add(row, load)
    if bench.plan.long_repeats:  # the 2-hour film's stages, as issue 23 asks them on this CPU
        bench.add(
            Row(
                "6s",
                f"seconds per stage, {where}, tiny.en CPU, {CORES} cores (from the jobs' benchmark files)",
                "-",
                ", ".join(f"{stage} {b['s']:.1f} s" for stage, b in benches.items()),
                None,
            ),
            load,
        )
