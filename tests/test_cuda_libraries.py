"""CUDA libraries load from the env that runs a stage (reelsub.workflow.cuda_libraries), or the stage says so.

This machine has no GPU, but the .venv has PyPI torch 2.8.0's CUDA 12 wheels (nvidia-cublas-cu12,
nvidia-cudnn-cu12): loading their libraries needs no GPU, so that part runs for real. A machine
without those wheels is made by hiding the ``nvidia`` package from Python's import system (a
``sitecustomize`` on PYTHONPATH): then the env has no wheel to load from, and this machine's
loader has no cuBLAS 12 of its own, as on the driver-only H200 of docs/cuda.md. A "CUDA device"
is faked the one way the code cannot see through: ``ctranslate2.get_cuda_device_count`` answers 1,
as it did on that H200, while the loading code runs as it would there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import films_factory as factory
from reelsub.contracts.transcript import Transcript
from reelsub.workflow.cuda_libraries import CUBLAS, FOR_TORCH, FROM_ENV
from workflow import PROJECT, snakemake

# As in an env without the nvidia-*-cu12 wheels: `import nvidia` finds nothing.
HIDE_NVIDIA_WHEELS = """
import importlib.abc, sys

class _NoNvidiaWheels(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "nvidia" or name.startswith("nvidia."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoNvidiaWheels())
"""
# The driver's answer on a machine with a GPU (CTranslate2 needs no cuBLAS to count devices).
ONE_CUDA_DEVICE = """
import ctranslate2
ctranslate2.get_cuda_device_count = lambda: 1
"""


def python_env(tmp_path: Path, *sitecustomize: str) -> dict[str, str]:
    """The environment of a process (a job, or snakemake and its jobs) whose interpreter runs
    ``sitecustomize`` at start-up."""
    folder = tmp_path / "site"
    folder.mkdir(exist_ok=True)
    (folder / "sitecustomize.py").write_text("\n".join(sitecustomize))
    paths = [str(folder), str(PROJECT / "scripts"), os.environ.get("PYTHONPATH", "")]
    return {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def run_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter of this .venv: nothing loaded yet that torch's import would
    have brought in, so what ends up in the process is what the code loaded."""
    environment = {**os.environ, "PYTHONPATH": str(PROJECT / "scripts"), **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=environment
    )


def test_the_venvs_nvidia_wheels_load_without_a_gpu() -> None:
    result = run_python(
        """
        import json, sys
        from reelsub.workflow.cuda_libraries import FOR_TORCH, load_all
        loaded = load_all(FOR_TORCH)
        assert "torch" not in sys.modules and "ctranslate2" not in sys.modules
        mapped = {line.split()[-1] for line in open("/proc/self/maps") if ".so" in line}
        print(json.dumps({"loaded": [vars(library) for library in loaded], "mapped": sorted(mapped)}))
        """
    )
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    site_packages = Path(next(p for p in sys.path if p.endswith("site-packages")))
    expected = {
        "libcublas.so.12": site_packages / "nvidia" / "cublas" / "lib" / "libcublas.so.12",
        "libcudnn.so.9": site_packages / "nvidia" / "cudnn" / "lib" / "libcudnn.so.9",
    }
    assert [library["soname"] for library in facts["loaded"]] == [lib.soname for lib in FOR_TORCH]
    for library in facts["loaded"]:
        assert library["source"] == FROM_ENV
        assert Path(library["path"]).resolve() == expected[library["soname"]].resolve()
    mapped = {Path(path).name: path for path in facts["mapped"]}
    # in the process now, from the wheel's folder; cuBLASLt came along with cuBLAS
    for soname in ("libcublas.so.12", "libcublasLt.so.12", "libcudnn.so.9"):
        assert soname in mapped and "/site-packages/nvidia/" in mapped[soname], (soname, facts["mapped"])


def test_auto_with_a_cuda_device_and_the_venvs_wheels_chooses_cuda() -> None:
    """The libraries load here, so a (faked) CUDA device is taken; with none, the CPU."""
    result = run_python(
        """
        from reelsub.workflow.hardware import resolve_device
        print(resolve_device("auto", "asr.device", device_count=lambda: 1),
              resolve_device("auto", "asr.device", device_count=lambda: 0))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["cuda", "cpu"]


def test_without_the_nvidia_wheels_explicit_cuda_is_one_line_naming_libcublas_and_the_fix(
    tmp_path: Path,
) -> None:
    result = run_python(
        """
        from reelsub.workflow.hardware import BackendError, resolve_device
        try:
            resolve_device("cuda", "asr.device")
        except BackendError as error:
            print(error)
        """,
        python_env(tmp_path, HIDE_NVIDIA_WHEELS),
    )
    assert result.returncode == 0, result.stderr
    message = result.stdout.strip()
    assert "\n" not in message
    assert message.startswith("asr.device=cuda: libcublas.so.12 (cuBLAS 12) cannot be loaded: "), message
    assert "nvidia-cublas-cu12 is not installed in this env" in message
    assert "Fix: install nvidia-cublas-cu12 into the env that runs this stage" in message


def test_the_hidden_wheels_are_really_hidden(tmp_path: Path) -> None:
    """The substitute for a machine without the wheels hides them, and nothing else loads cuBLAS 12."""
    result = run_python(
        """
        import importlib.util
        from reelsub.workflow.cuda_libraries import CUBLAS
        print(CUBLAS[0].env_path())
        """,
        python_env(tmp_path, HIDE_NVIDIA_WHEELS),
    )
    assert result.stdout.split() == ["None"], result.stderr
    assert CUBLAS[0].env_path() is not None  # and this process sees the .venv's wheel


# -- the real workflow: demux and asr of one short film, on this CPU machine -----------------------


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cuda")
    factory.speech_film(folder / "films" / "speech.mp4")
    return folder


@pytest.mark.e2e
def test_auto_with_a_cuda_device_but_no_cublas_runs_on_the_cpu_and_says_so_in_log_and_summary(
    workdir: Path,
) -> None:
    env = python_env(workdir, HIDE_NVIDIA_WHEELS, ONE_CUDA_DEVICE)
    run = snakemake(workdir, "-j1", "jobs/speech/asr.json", env=env)
    assert run.returncode == 0, run.output[-3000:]
    log = (workdir / "jobs" / "speech" / "logs" / "asr.log").read_text()
    warnings = [line for line in log.splitlines() if "REELSUB CPU FALLBACK" in line]
    assert len(warnings) == 1 and " WARNING " in warnings[0], log
    assert (
        "asr.device=auto: a CUDA device answers, but libcublas.so.12 (cuBLAS 12) cannot be loaded"
        in (warnings[0])
    )
    assert "running on the CPU" in warnings[0]
    summary = [line for line in run.output.splitlines() if line.startswith("reelsub CPU FALLBACK: speech: ")]
    assert len(summary) == 1 and "libcublas.so.12" in summary[0], run.output[-3000:]
    transcript = Transcript.read(workdir / "jobs" / "speech" / "asr.json")
    settings = transcript.provenance[-1].settings
    assert (settings["device"], settings["compute_type"]) == ("cpu", "int8")
    assert "lazy dog" in " ".join(segment.text.lower() for segment in transcript.segments)


@pytest.mark.e2e
def test_explicit_cuda_without_cublas_fails_before_decoding_naming_libcublas_and_the_fix(
    workdir: Path,
) -> None:
    env = python_env(workdir, HIDE_NVIDIA_WHEELS)
    run = snakemake(
        workdir, "-j1", "--forcerun", "asr", "jobs/speech/asr.json", config=["asr={device: cuda}"], env=env
    )
    assert run.returncode != 0
    failed = [line for line in run.output.splitlines() if line.strip().startswith("FAILED speech: ")]
    assert len(failed) == 1, run.output[-3000:]
    assert "asr.device=cuda: libcublas.so.12 (cuBLAS 12) cannot be loaded" in failed[0]
    assert "Fix: install nvidia-cublas-cu12" in failed[0]
    log = (workdir / "jobs" / "speech" / "logs" / "asr.log").read_text()
    assert "Traceback" not in log and log.count("REELSUB ERROR") == 1, log
    # nothing was decoded: the model was never loaded, no layout chosen, no transcript left
    assert "loaded in" not in log and "decoding layout" not in log, log
    assert not (workdir / "jobs" / "speech" / "asr.json").exists()


def test_the_summary_repeats_only_this_runs_fallbacks(tmp_path: Path) -> None:
    """A fallback warning of an earlier run (an older log) is not repeated in this run's summary."""
    from reelsub.workflow.hardware import CPU_FALLBACK_MARK
    from reelsub.workflow.summary import cpu_fallbacks

    line = f"2026-12-04 10:00:00,000 WARNING reelsub.workflow.hardware: {CPU_FALLBACK_MARK}: align.device=auto: why\n"
    for film in ("old", "new"):
        (tmp_path / film / "logs").mkdir(parents=True)
        (tmp_path / film / "logs" / "align.log").write_text(f"started\n{line}finished\n")
    os.utime(tmp_path / "old" / "logs" / "align.log", (1_000_000, 1_000_000))
    assert cpu_fallbacks(["old", "new"], tmp_path, since=2_000_000) == [("new", "align.device=auto: why")]
