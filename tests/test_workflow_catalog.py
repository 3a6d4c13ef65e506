"""Snakemake workflow-catalog conventions: .snakemake-workflow-catalog.yml, and the .test/ case CI runs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from workflow import PROJECT, SNAKEMAKE

TEST_CASE = PROJECT / ".test"


def catalog_snakemake(*args: str) -> subprocess.CompletedProcess[str]:
    """snakemake as the catalog runs it: from the project root, `--directory .test`."""
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "PATH": f"{SNAKEMAKE.parent}:{os.environ['PATH']}"}
    return subprocess.run(
        [str(SNAKEMAKE), "--directory", str(TEST_CASE), *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )


def test_catalog_file_declares_conda_and_report() -> None:
    catalog = yaml.safe_load((PROJECT / ".snakemake-workflow-catalog.yml").read_text())
    deployment = catalog["usage"]["software-stack-deployment"]
    assert deployment["conda"] is True and deployment["report"] is True
    assert "desc" in catalog["usage"]["mandatory-flags"]


def test_the_test_case_lints_clean() -> None:
    result = catalog_snakemake("--lint")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Congratulations, your workflow is in a good condition!" in result.stdout + result.stderr


def test_the_test_case_plans_every_stage_of_its_one_film() -> None:
    result = catalog_snakemake("-n", "--quiet", "rules")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for rule in ("demux", "asr", "align", "export", "subtitle", "mux"):
        assert f"\n{rule} " in output, f"no {rule} job in the plan:\n{output}"
    assert "translate" not in output  # the test film asks for no translation
    assert not (TEST_CASE / "jobs").exists(), "a dry run must not write jobs/"


def test_the_test_case_film_exists() -> None:
    sheet = (TEST_CASE / "config" / "films.tsv").read_text().splitlines()
    path = Path(sheet[1].split("\t")[1])
    assert (TEST_CASE / path).is_file(), path
