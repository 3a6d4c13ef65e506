"""Row 7: each stage's share of the pipeline's wall time (from row 2's benchmark files)."""

from __future__ import annotations

import statistics

from lib import (
    STAGES,
    Context,
    Row,
    machine_snapshot,
    stage_benchmarks,
)


def measure(bench: Context) -> None:
    benches = [stage_benchmarks(job) for job in bench.row2_jobs]
    kept = bench.raw.get("row2L") or bench.raw["row2"]  # the run whose jobs were kept (30 min in full mode)
    walls = kept["pipeline"]
    stages = [s for s in STAGES if s in benches[0]]
    shares = {
        s: statistics.median(b[s]["s"] / w for b, w in zip(benches, walls, strict=True)) for s in stages
    }
    shares["snakemake (outside the jobs)"] = statistics.median(
        1 - sum(b[s]["s"] for s in stages) / w for b, w in zip(benches, walls, strict=True)
    )
    row = Row(
        "7",
        f"share of the pipeline's wall time per stage ({kept['film_s'] / 60:.1f}-min film, "
        f"median of {len(benches)} runs)",
        "-",
        ", ".join(f"{k} {v:.1%}" for k, v in shares.items()),
        None,
    )
    bench.raw["row7"] = shares
    bench.add(row, machine_snapshot())
