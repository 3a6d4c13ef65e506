"""Commands in README.md work when pasted: each is run exactly as the README writes it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from workflow import PROJECT, SNAKEMAKE

README = (PROJECT / "README.md").read_text()
PROJECT_PARTS = ("Snakefile", "rules", "scripts", "config", "envs", "profiles", "report")


def readme_command(marker: str) -> str:
    """The README's command line containing marker (without its trailing # comment)."""
    lines = [line for line in README.splitlines() if marker in line and not line.lstrip().startswith("#")]
    assert len(lines) == 1, f"README.md has {len(lines)} lines with {marker!r}"
    return re.sub(r"\s+#.*$", "", lines[0]).strip()


@pytest.fixture()
def checkout(tmp_path: Path) -> Path:
    """A copy of the project with one film in films/, as a user's checkout would be."""
    for part in PROJECT_PARTS:
        source = PROJECT / part
        if source.is_dir():
            shutil.copytree(source, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / part)
    (tmp_path / "config" / "films.tsv").unlink(missing_ok=True)
    (tmp_path / "films").mkdir()
    (tmp_path / "films" / "a.mp4").write_bytes(b"x")  # the plan needs the file, not its content
    return tmp_path


def test_the_readme_dag_command_writes_a_valid_svg(checkout: Path) -> None:
    command = readme_command("dot -Tsvg > dag.svg")
    assert "snakemake" in command
    environment = {
        **os.environ,
        "PATH": f"{SNAKEMAKE.parent}:{os.environ['PATH']}",
    }  # source .venv/bin/activate
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    svg = checkout / "dag.svg"
    assert svg.stat().st_size > 0, f"{command!r} wrote an empty SVG"
    root = ElementTree.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    titles = {element.text for element in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"demux", "asr", "mux"} <= {title.split()[0] for title in titles if title}, titles
    assert not (checkout / "jobs").exists(), "drawing the plan must run nothing"
