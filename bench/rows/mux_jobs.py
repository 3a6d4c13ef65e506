"""Row 3j: the mux JOB against the burn_in JOB on a 5-min 1280x720 film, from the jobs' own benchmark
files (bench/mux_speed.py, in its own process), with the mux's fixed cost, its cost per GB, and a
2-hour film PROJECTED from the per-second rates (said so in the row)."""

from __future__ import annotations

import re

from lib import BENCH, PYTHON, WORK, Context, Row, log, machine_snapshot, run


def measure(bench: Context) -> None:
    before = machine_snapshot()
    repeats = "3" if bench.plan.mode == "quick" else "5"
    log("row 3j: mux job vs burn_in job, 5-min 1280x720 film (bench/mux_speed.py)")
    _, output = run([PYTHON, BENCH / "mux_speed.py", "--work", WORK / "mux-jobs", "--repeats", repeats])
    ratio = re.search(r"ratio\s+(\d+)x", output)
    mux = re.search(r"mux job\s+([\d.]+) s", output)
    burn = re.search(r"burn_in job\s+([\d.]+) s", output)
    projected = re.search(r"PROJECTED.*?ratio (\d+)x", output)
    met = bool(ratio) and int(ratio.group(1)) >= 100
    bench.add(
        Row(
            "3j",
            "mux job vs burn_in job, 5-min 1280x720 film, from the jobs' benchmark files",
            ">= 100x",
            f"{ratio.group(1) if ratio else '?'}x (mux {mux.group(1) if mux else '?'} s, burn-in "
            f"{burn.group(1) if burn else '?'} s); 2-hour film projected (not measured): "
            f"{projected.group(1) if projected else '?'}x",
            met,
            details=[line.strip() for line in output.strip().splitlines() if line.strip()],
        ),
        before,
    )
