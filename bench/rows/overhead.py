"""Row 8: where a short film's pipeline time goes outside the ASR engine, in numbers.

  - the interpreter start of each job's process (`python -c pass`);
  - the `script:` preamble (Snakemake pickles a `snakemake` object and imports snakemake.iocontainers,
    snakemake.logging and snakemake.shell in the job's process): `python -c <those imports>`;
  - each stage script's own imports (scripts/<stage>.py loaded without running main);
  - Snakemake per job: six do-nothing `script:` jobs in a chain vs six `shell: true` jobs
    (bench/overhead.Snakefile), and Snakemake's start with the project's Snakefile (dry run, 1 film).

No target: the row explains row 2's miss. Row 2's benchmark files give each stage's job seconds."""

from __future__ import annotations

import shutil
import statistics

from lib import (
    BENCH,
    PROJECT,
    PYTHON,
    STAGES,
    WORK,
    Context,
    Row,
    Series,
    clean,
    log,
    machine_snapshot,
    run,
    snakemake,
)

PREAMBLE = (
    "import pickle; from snakemake.logging import logger; from snakemake.iocontainers import Snakemake; "
    "from snakemake.shell import shell"
)
LOAD_SCRIPT = (
    "import sys, runpy; sys.path.insert(0, {scripts!r}); runpy.run_path({path!r}, run_name='not_main')"
)


def timed(command: list, repeats: int) -> Series:
    series = Series(" ".join(map(str, command))[:60])
    for _ in range(repeats):
        seconds, _ = run(command)
        series.seconds.append(seconds)
    return series


def measure(bench: Context) -> None:
    repeats = max(3, bench.plan.repeats * 2)
    load = machine_snapshot()
    log("row 8: process start, script preamble, stage imports, snakemake per job")
    bare = timed([PYTHON, "-c", "pass"], repeats)
    preamble = timed([PYTHON, "-c", PREAMBLE], repeats)
    imports = {}
    for stage in STAGES:
        script = PROJECT / "scripts" / f"{stage}.py"
        if script.exists():
            code = LOAD_SCRIPT.format(scripts=str(PROJECT / "scripts"), path=str(script))
            imports[stage] = timed([PYTHON, "-c", code], repeats)
    workdir = WORK / "row8"
    shutil.rmtree(workdir, ignore_errors=True)
    (workdir / "envs").mkdir(parents=True)
    (workdir / "envs" / "none.yaml").write_text("channels: []\ndependencies: []\n")
    shutil.copy(BENCH / "overhead_step.py", workdir / "overhead_step.py")  # paths are the Snakefile's own
    shutil.copy(BENCH / "overhead.Snakefile", workdir / "Snakefile")
    chains = {"script": Series("script"), "shell": Series("shell"), "start": Series("start")}
    scripts_path = {
        "PYTHONPATH": str(PROJECT / "scripts")
    }  # the Snakefile imports reelsub.workflow.scheduling
    for _ in range(bench.plan.repeats):
        for kind in chains:
            if kind == "start":  # the same snakemake command with nothing to run: start, parse, DAG
                seconds, _ = snakemake(
                    workdir,
                    "-j1",
                    "-n",
                    "shell/5.done",
                    snakefile=workdir / "Snakefile",
                    demo_config=False,
                    env=scripts_path,
                )
                chains[kind].seconds.append(seconds)
                continue
            for folder in ("script", "shell", "benchmarks", "logs"):
                shutil.rmtree(workdir / folder, ignore_errors=True)
            seconds, _ = snakemake(
                workdir,
                "-j1",
                f"{kind}/5.done",
                snakefile=workdir / "Snakefile",
                demo_config=False,
                env=scripts_path,
            )
            chains[kind].seconds.append(seconds)
    films_dir = workdir / "films"
    films_dir.mkdir()
    (films_dir / "one.mp4").write_bytes(b"")
    clean(workdir)
    dry = Series("dry run")
    for _ in range(bench.plan.repeats):
        seconds, _ = snakemake(workdir, "-n", "jobs/one/out.mkv")
        dry.seconds.append(seconds)
    per_job = (chains["script"].median - chains["shell"].median) / 6
    per_shell_job = (chains["shell"].median - chains["start"].median) / 6
    stage_cost = {stage: s.median - bare.median for stage, s in imports.items()}
    row = Row(
        "8",
        "short film: fixed costs per job and per run (no target; explains row 2)",
        "-",
        f"per job: process {bare.median:.2f} s + preamble {preamble.median - bare.median:.2f} s + our imports "
        f"({', '.join(f'{k} {v:.2f}' for k, v in stage_cost.items())} s); a script: job costs Snakemake "
        f"{per_job:.2f} s more than a shell: job ({per_shell_job:.2f} s each)",
        None,
    )
    row.details += [
        f"`python -c pass`: {bare.text()}; with the script: preamble's imports: {preamble.text()}",
        "each stage script's imports, process start included (scripts/<stage>.py loaded, main not run): "
        + "; ".join(f"{k} {v.text()}" for k, v in imports.items()),
        f"six chained do-nothing jobs (bench/overhead.Snakefile, -j1): script: {chains['script'].text()}, "
        f"shell: {chains['shell'].text()}; the same command with nothing to do (-n): {chains['start'].text()}: "
        f"Snakemake spends about {per_shell_job:.2f} s on each job around its work (scheduling, benchmark, "
        "metadata), and a script: job adds its process and preamble",
        f"snakemake -n on the project's Snakefile, one film (start, parse, DAG): {dry.text()}",
    ]
    row2 = bench.raw.get("row2")
    if row2:
        stages = row2["stages"][0]
        fixed = sum(stage_cost.get(s, 0) + bare.median + preamble.median - bare.median for s in stages)
        pipeline, asr = statistics.median(row2["pipeline"]), statistics.median(row2["asr"])
        row.details.append(
            f"row 2's film: pipeline {pipeline:.1f} s, ASR alone {asr:.1f} s; its {len(stages)} jobs pay about "
            f"{fixed:.1f} s of process starts, preambles and imports before any work, and Snakemake "
            f"{dry.median:.1f} s to start and plan"
        )
    bench.raw["row8"] = {
        "bare": bare.seconds,
        "preamble": preamble.seconds,
        "imports": {k: v.seconds for k, v in imports.items()},
        "chains": {k: v.seconds for k, v in chains.items()},
        "dry": dry.seconds,
    }
    bench.add(row, load)
