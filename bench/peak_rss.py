"""Run a command; write the peak RSS of its biggest process to a file (bench/run.py, row 6).

    python bench/peak_rss.py OUT.json COMMAND...

Snakemake's benchmark files sample a job's memory every second for 30 s, then every 30 s, so on
a long job they can miss the peak. getrusage(RUSAGE_CHILDREN) after the command has ended gives
the largest resident set any process under it reached (every job snakemake started and waited
for), measured by the kernel.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys


def main() -> int:
    out, command = sys.argv[1], sys.argv[2:]
    code = subprocess.call(command)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(out, "w") as stream:
        json.dump({"returncode": code, "max_rss_mb": peak_kb / 1024}, stream)
    return code


if __name__ == "__main__":
    sys.exit(main())
