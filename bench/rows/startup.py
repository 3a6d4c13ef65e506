"""Row 0: Snakemake's own start-up, as installed vs with `scontrol` failing fast (the SLURM plugin's probe)."""

from __future__ import annotations

import shutil
import subprocess
import time

from lib import (
    ENV,
    SNAKEMAKE,
    WORK,
    Context,
    Row,
    Series,
    alternate,
    log,
    machine_snapshot,
    run,
)


def measure(bench: Context) -> None:
    """Snakemake's own start-up, as installed and with ``scontrol`` failing fast.

    snakemake imports every installed executor plugin on start; snakemake-executor-plugin-slurm
    (in requirements.txt) runs ``scontrol show config`` while its settings class is built, with
    a 10-s timeout. Where SLURM's client is installed (make test-system-packages) but no
    controller answers, every snakemake command waits for it."""
    if shutil.which("scontrol") is None:
        bench.startup_cost = None
        return
    shim = WORK / "shim"
    shim.mkdir(parents=True, exist_ok=True)
    (shim / "scontrol").write_text("#!/bin/sh\n# bench: a SLURM client that fails at once\nexit 1\n")
    (shim / "scontrol").chmod(0o755)
    load = machine_snapshot()
    log("start-up: `snakemake --version` as installed vs with scontrol failing fast")
    series = {"as installed": Series("as installed"), "fast scontrol": Series("fast scontrol")}
    for arm in alternate(tuple(series), max(bench.plan.repeats - 1, 1)):
        shimmed = {} if arm == "as installed" else {"PATH": f"{shim}:{ENV['PATH']}"}
        seconds, _ = run([SNAKEMAKE, "--version"], env=shimmed)
        series[arm].seconds.append(seconds)
    probe_started = time.perf_counter()
    try:
        probe = subprocess.run(["scontrol", "show", "config"], capture_output=True, text=True, timeout=15)
    except subprocess.TimeoutExpired:
        probe = subprocess.CompletedProcess(["scontrol"], 124, "", "no answer in 15 s")
    probe_s = time.perf_counter() - probe_started
    reason = (probe.stderr or probe.stdout).strip().splitlines()[:1]
    bench.startup_cost = series["as installed"].median - series["fast scontrol"].median
    verdict = (
        f"{bench.startup_cost:.1f} s of every snakemake command waits for SLURM"
        if bench.startup_cost > 1
        else "no wait for SLURM during this run"
    )
    row = Row(
        "0",
        "snakemake start-up (`snakemake --version`), as installed vs with `scontrol` failing fast",
        "-",
        f"{series['as installed'].median:.1f} s vs {series['fast scontrol'].median:.1f} s: {verdict}",
        None,
    )
    row.details += [
        f"as installed: {series['as installed'].text()}; with a fast-failing scontrol first on PATH: "
        f"{series['fast scontrol'].text()}",
        "snakemake-executor-plugin-slurm (requirements.txt) runs `scontrol show config` (timeout 10 s) when "
        "snakemake starts, whatever the executor; here scontrol says: "
        f"{reason[0] if reason else 'nothing'} (exit {probe.returncode}) in {probe_s:.1f} s. "
        + (
            "Rows 2, 4 and 5 include this wait once per snakemake command, as a user of this machine would."
            if bench.startup_cost > 1
            else "It answered at once during this run, so no row is slowed by it."
        ),
    ]
    bench.add(row, load)
