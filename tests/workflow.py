"""Running the real workflow in a scratch folder, and reading what it made."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

PROJECT = Path(__file__).resolve().parent.parent
SNAKEFILE = PROJECT / "Snakefile"
DEMO_CONFIG = PROJECT / "config" / "demo.yaml"
SNAKEMAKE = Path(sys.executable).parent / "snakemake"


@dataclass
class Run:
    returncode: int
    output: str  # stdout and stderr together, as a user sees them


def snakemake(workdir: Path, *args: str, config: Sequence[str] = (), timeout: float = 900,
              env: dict[str, str] | None = None, configfiles: Sequence[Path] = ()) -> Run:
    """snakemake on the project's Snakefile, run inside ``workdir`` (its films/ and jobs/).
    ``configfiles`` come after the demo config, and override it (--config values are all strings)."""
    # Targets and plain options first: --configfile and --config take every word after them.
    command = [str(SNAKEMAKE), "-s", str(SNAKEFILE), "-d", str(workdir), *args,
               "--configfile", str(DEMO_CONFIG), *map(str, configfiles)]
    if config:
        command += ["--config", *config]
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "PATH": f"{SNAKEMAKE.parent}:{os.environ['PATH']}"}
    environment.update(env or {})
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=timeout, env=environment)
    return Run(result.returncode, result.stdout + result.stderr)


def streams(path: Path) -> list[dict]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", str(path)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(result.stdout)["streams"]


def subtitle_text(mkv: Path, subtitle_index: int) -> str:
    """The text of one subtitle track of a film, as SRT."""
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(mkv), "-map", f"0:s:{subtitle_index}", "-f", "srt", "-"],
        capture_output=True, text=True, check=True,
    )
    return result.stdout
