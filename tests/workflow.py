"""Running the real workflow in a scratch folder, and reading what it made."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SNAKEFILE = PROJECT / "Snakefile"
DEMO_CONFIG = PROJECT / "config" / "demo.yaml"
SNAKEMAKE = Path(sys.executable).parent / "snakemake"


@dataclass
class Run:
    returncode: int
    output: str  # stdout and stderr together, as a user sees them
    seconds: float = 0.0  # wall time of the whole command, timed from outside


def snakemake_command(
    workdir: Path,
    *args: str,
    config: Sequence[str] = (),
    snakefile: Path = SNAKEFILE,
    demo_config: bool = True,
    configfiles: Sequence[Path] = (),
) -> list[str]:
    """The snakemake command line for the project's Snakefile (or another), run inside ``workdir``.
    ``configfiles`` come after the demo config, and override it."""
    # Targets and plain options first: --configfile and --config take every word after them.
    command = [str(SNAKEMAKE), "-s", str(snakefile), "-d", str(workdir), *args]
    if demo_config or configfiles:
        command += ["--configfile", *([str(DEMO_CONFIG)] if demo_config else []), *map(str, configfiles)]
    if config:
        command += ["--config", *config]
    return command


def snakemake_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """Offline, with this interpreter's bin/ first on PATH (jobs and sbatch find the same tools)."""
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "PATH": f"{SNAKEMAKE.parent}:{os.environ['PATH']}"}
    environment.update(env or {})
    return environment


def snakemake(
    workdir: Path,
    *args: str,
    config: Sequence[str] = (),
    timeout: float = 900,
    env: dict[str, str] | None = None,
    snakefile: Path = SNAKEFILE,
    demo_config: bool = True,
    watchdog: bool = False,
    configfiles: Sequence[Path] = (),
) -> Run:
    """snakemake on the project's Snakefile, run inside ``workdir`` (its films/ and jobs/), as a user
    runs it (the workflow profile applies). The one way tests and bench/ start Snakemake.

    ``watchdog``: run it under `timeout --kill-after=15` so a snakemake that hangs (the SLURM
    plugin can wait forever on a job it lost) is killed with its jobs, and subprocess only as a
    last resort."""
    command = snakemake_command(
        workdir, *args, config=config, snakefile=snakefile, demo_config=demo_config, configfiles=configfiles
    )
    limit = timeout
    if watchdog:
        command = ["timeout", "--kill-after=15", str(int(timeout)), *command]
        limit = timeout + 60
    started = time.perf_counter()
    result = subprocess.run(
        command,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=limit,
        env=snakemake_env(env),
        stdin=subprocess.DEVNULL,
    )
    return Run(result.returncode, result.stdout + result.stderr, time.perf_counter() - started)


def streams(path: Path) -> list[dict]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)["streams"]


def subtitle_text(mkv: Path, subtitle_index: int, as_stored: bool = False) -> str:
    """The text of one subtitle track of a film, as SRT; ``as_stored``: copied out in its own
    format (an ASS track with its header and styles)."""
    codec = ["-c", "copy", "-f", "ass"] if as_stored else ["-f", "srt"]
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(mkv), "-map", f"0:s:{subtitle_index}", *codec, "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def jobs_run(output: str) -> list[str]:
    """The rules of the jobs a snakemake run started, from its log ('rule mux:', 'localcheckpoint ...')."""
    return re.findall(r"^(?:local)?(?:rule|checkpoint) (\w+):$", output, flags=re.MULTILINE)
