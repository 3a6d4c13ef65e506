"""make bench-gpu-pack and the runner it carries (bench/gpu_pack.py, bench/gpu_run.py), run here on
the CPU the way a borrowed GPU machine runs it: Python 3.12 with only the packages such machines
have had (numpy, onnxruntime, tokenizers, huggingface_hub, PyYAML, regex; installed from PyPI into a
fresh venv), no project venv, no PyAV, the pack copied elsewhere.

Needs PyPI (the pack's wheels, the venv) and a CPython 3.12 (pyenv's, uv's, or PYTHON312).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workflow import PROJECT

MACHINE_PACKAGES = ("numpy", "onnxruntime", "tokenizers", "huggingface_hub", "pyyaml", "regex")


def python312() -> str:
    candidates = [os.environ.get("PYTHON312", "")]
    candidates += sorted(str(p) for p in (Path.home() / ".pyenv" / "versions").glob("3.12*/bin/python3.12"))
    uv = shutil.which("uv")
    if uv:
        found = subprocess.run([uv, "python", "find", "3.12"], capture_output=True, text=True)
        candidates.append(found.stdout.strip())
    for candidate in filter(None, candidates):
        answer = subprocess.run([candidate, "--version"], capture_output=True, text=True)
        if answer.returncode == 0 and answer.stdout.startswith("Python 3.12"):
            return candidate
    pytest.fail(
        "no CPython 3.12 here: install one (pyenv install 3.12, uv python install 3.12) or set PYTHON312"
    )


@pytest.mark.slow
@pytest.mark.network
def test_the_gpu_pack_fits_one_call_and_its_runner_prints_the_asr_table_with_python_3_12(
    tmp_path: Path,
) -> None:
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(PROJECT / p) for p in ("scripts", "tests", "bench")),
    }
    built = subprocess.run(
        [sys.executable, str(PROJECT / "bench" / "gpu_pack.py"), "--out", str(tmp_path / "built" / "gpu-pack")],
        capture_output=True, text=True, env=environment,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    pack = tmp_path / "machine" / "gpu-pack"
    shutil.copytree(tmp_path / "built" / "gpu-pack", pack)
    size = sum(f.stat().st_size for f in pack.rglob("*") if f.is_file())
    assert size <= 64 * 2**20, f"{size / 2**20:.1f} MiB"
    assert not list(pack.rglob("*.whl")) and list(pack.rglob("*.so*.xz")), (
        "wheels unpacked, big objects compressed"
    )

    venv = tmp_path / "py312"
    subprocess.run([python312(), "-m", "venv", str(venv)], check=True)
    installed = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", *MACHINE_PACKAGES], capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stderr

    bare = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "OUT": str(tmp_path / "out")}
    run = subprocess.run(
        [str(venv / "bin" / "python"), str(pack / "project" / "bench" / "gpu_run.py"),
         "--device", "cpu", "--rounds", "1", "--hours", "0.2", "--threads", "2"],
        capture_output=True, text=True, env=bare, cwd=tmp_path / "machine", timeout=1500,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "PyAV is not here: an empty av module stands in" in run.stdout
    assert "| audio | reelsub | raw batched | reelsub / raw | reelsub WER | raw WER |" in run.stdout
    assert "| speech search, 2 processes (as asr runs it) |" in run.stdout
    results = json.loads((tmp_path / "out" / "gpu.json").read_text())
    assert results["device"] == "cpu" and len(results["rows"]) == 2
    short, long = results["rows"]
    # Real speech through the int8 tiny.en of the pack: both arms read it about as well as tiny.en does.
    for arm in ("reelsub", "raw"):
        assert float(short["wer"][arm].rstrip("%")) < 20.0, short["wer"]
    assert results["split"]["vad_2"] > 0 and results["split"]["windows"] >= 10
    assert results["facts"]["batch_size_reason"] == "auto on the CPU"
    assert long["times"]["reelsub"][0] > 0
