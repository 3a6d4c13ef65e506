"""What machine this is, and which ASR backend and device follow from it.

The backend decides the asr rule's conda env, so it is chosen when the DAG is built, from cheap
facts (no torch import). The device (cuda or cpu) is decided again inside the asr job, from the
node it actually runs on: on a cluster, the login node that builds the DAG may have no GPU.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import platform
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass

from reelsub.workflow.cuda_libraries import FOR_CTRANSLATE2, CudaLibrary, CudaLibraryNotLoaded, load_all

BACKEND_ENV_VAR = "WHISPER_BACKEND"
# Marks the log line of a stage that wanted CUDA (device auto) and ran on the CPU: the end-of-run
# summary (reelsub.workflow.summary.cpu_fallbacks) finds it in each film's logs.
CPU_FALLBACK_MARK = "REELSUB CPU FALLBACK"

log = logging.getLogger(__name__)


class BackendError(ValueError):
    pass


@dataclass(frozen=True)
class HardwareFacts:
    os: str  # platform.system(): Linux, Darwin, Windows
    arch: str  # platform.machine(): x86_64, arm64, aarch64
    cuda: bool  # an NVIDIA driver answers
    mlx_importable: bool

    @property
    def apple_silicon(self) -> bool:
        return self.os == "Darwin" and self.arch in {"arm64", "aarch64"}

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "apple_silicon": self.apple_silicon}


def _nvidia_gpu_present() -> bool:
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in {"", "-1"}:
        return False
    if shutil.which("nvidia-smi") is None:
        return False
    try:
        result = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0 and "GPU" in result.stdout


def detect() -> HardwareFacts:
    return HardwareFacts(
        os=platform.system(),
        arch=platform.machine(),
        cuda=_nvidia_gpu_present(),
        mlx_importable=importlib.util.find_spec("mlx") is not None,
    )


def choose_backend(
    facts: HardwareFacts,
    configured: str = "auto",
    environment: str | None = None,
    conda_provides_mlx: bool = False,
) -> str:
    """``mlx`` on Apple Silicon where MLX is (or the conda env will make it) available, else
    ``whisperx``. An explicit config value wins over the WHISPER_BACKEND variable, which wins
    over detection."""
    for source, value in (("config asr_backend", configured), (BACKEND_ENV_VAR, environment)):
        if value and value != "auto":
            if value not in {"whisperx", "mlx"}:
                raise BackendError(f"{source}={value!r}: expected auto, whisperx or mlx")
            return value
    if facts.apple_silicon and (facts.mlx_importable or conda_provides_mlx):
        return "mlx"
    return "whisperx"


def check_backend_fits(backend: str, facts: HardwareFacts, forced: bool) -> None:
    """The mlx env is built for macOS arm64 only; anywhere else it needs an explicit force."""
    if backend == "mlx" and not facts.apple_silicon and not forced:
        raise BackendError(
            f"asr_backend=mlx needs Apple Silicon (macOS arm64), but this is {facts.os} {facts.arch}. "
            "Use asr_backend=whisperx, or set asr.force_backend: true (or REELSUB_FORCE_BACKEND=1) "
            "if you really mean to run MLX here (mlx[cpu] on Linux works, slowly)."
        )


def cuda_device_count() -> int:
    """How many CUDA devices this process can compute on: CTranslate2 asked first (every env with
    Whisper has it, and it answers from the driver alone, without cuBLAS), torch otherwise."""
    try:
        import ctranslate2

        return int(ctranslate2.get_cuda_device_count())
    except ImportError:
        pass
    try:
        import torch
    except ImportError:
        return 0
    return int(torch.cuda.device_count()) if torch.cuda.is_available() else 0


def resolve_device(
    requested: str,
    key: str,
    libraries: tuple[CudaLibrary, ...] = FOR_CTRANSLATE2,
    device_count: Callable[[], int] = cuda_device_count,
) -> str:
    """The device a job computes on (``cuda``, ``cuda:N`` or ``cpu``), decided on the node that runs
    it: ``auto`` is CUDA where a CUDA device answers and the CUDA ``libraries`` its engine opens
    load (reelsub.workflow.cuda_libraries: from the env, before any engine asks for them). ``key`` is the
    config key that asked (``asr.device``, ``align.device``, ``translate.device``), so that an error
    names it.

    Where a library cannot load, an explicit ``cuda`` stops the job here, before any decoding, with
    one line naming the library and the fix; ``auto`` falls back to the CPU with a warning marked
    CPU_FALLBACK_MARK, which the end-of-run summary repeats. A test may pass its own ``device_count``."""
    if requested not in {"auto", "cuda", "cpu"} and not re.fullmatch(r"cuda:\d+", requested):
        raise BackendError(f"{key}={requested!r}: expected auto, cuda, cuda:N or cpu")
    if requested == "cpu":
        return requested
    if requested == "auto" and device_count() == 0:
        return "cpu"
    try:
        load_all(libraries)
    except CudaLibraryNotLoaded as error:
        if requested != "auto":
            raise CudaLibraryMissing(f"{key}={requested}: {error}") from error
        log.warning(
            "%s: %s=auto: a CUDA device answers, but %s; running on the CPU (set %s: cpu to silence this)",
            CPU_FALLBACK_MARK,
            key,
            error,
            key,
        )
        return "cpu"
    return "cuda" if requested == "auto" else requested


class CudaLibraryMissing(BackendError):
    """``device: cuda`` asked for, and a CUDA library its engine needs cannot be loaded."""


def compute_type_for(device: str, requested: str = "auto") -> str:
    """CTranslate2's compute type: float16 on CUDA, int8 on CPU, unless config names one."""
    if requested != "auto":
        return requested
    return "float16" if device.startswith("cuda") else "int8"


def main() -> None:
    """Print this machine's facts and the backend reelsub would choose (``make hardware``)."""
    import json

    facts = detect()
    print(
        json.dumps(
            {
                **facts.as_dict(),
                "asr_backend": choose_backend(facts, "auto", os.environ.get(BACKEND_ENV_VAR)),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
