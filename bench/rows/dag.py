"""Row 5: dry-run DAG build over many placeholder films, reelsub vs a bare 7-rule Snakefile."""

from __future__ import annotations

import re
import shutil

import films
from lib import (
    BENCH,
    PROJECT,
    WORK,
    Context,
    Row,
    Series,
    alternate,
    clean,
    log,
    machine_snapshot,
    ratio_text,
    snakemake,
)


def measure(bench: Context) -> None:
    workdir = WORK / "row5"
    films.placeholders(workdir / "films", bench.plan.dag_films)
    bare = workdir / "bare"
    shutil.rmtree(bare, ignore_errors=True)
    (bare / "profiles").mkdir(parents=True)
    shutil.copy(BENCH / "bare.Snakefile", bare / "Snakefile")
    shutil.copytree(PROJECT / "profiles" / "default", bare / "profiles" / "default")
    load = machine_snapshot()
    log(f"row 5: dry run over {bench.plan.dag_films} placeholder films, reelsub vs a bare 7-rule Snakefile")
    series = {"reelsub": Series("reelsub"), "bare": Series("bare")}
    counts = {}
    for arm in alternate(("reelsub", "bare"), bench.plan.repeats):
        clean(workdir)
        if arm == "reelsub":
            seconds, output = snakemake(workdir, "-n", config=["target_langs=[hi]"])
        else:
            seconds, output = snakemake(workdir, "-n", snakefile=bare / "Snakefile", demo_config=False)
        series[arm].seconds.append(seconds)
        counts[arm] = dict(re.findall(r"^(\w+)\s+(\d+)$", output, flags=re.MULTILINE))
    value, text = ratio_text(series["reelsub"], series["bare"])
    row = Row(
        "5",
        f"dry-run DAG build, {bench.plan.dag_films} empty placeholder films: `snakemake -n` "
        "reelsub vs a bare 7-rule Snakefile (touch rules)",
        "<= 1.5x",
        text,
        value <= 1.5,
    )
    row.details += [
        f"reelsub (target_langs=[hi], so all 7 rules): {series['reelsub'].text()}; "
        f"bare (bench/bare.Snakefile): {series['bare'].text()}",
        f"jobs planned: reelsub {counts['reelsub'].get('total')}, bare {counts['bare'].get('total')}",
    ]
    if bench.startup_cost and bench.startup_cost > 1:
        c = bench.startup_cost
        row.details.append(
            f"both include snakemake's {c:.1f}-s wait for `scontrol` (row 0); without it the ratio would be "
            f"about {(series['reelsub'].median - c) / (series['bare'].median - c):.2f}x"
        )
    bench.raw["row5"] = {k: v.seconds for k, v in series.items()}
    bench.add(row, load)
