"""CUDA 12 libraries loaded from the env that runs the stage, before any engine needs them.

CTranslate2 4.8.5 (faster-whisper's engine) opens ``libcublas.so.12`` by name when it first computes
on CUDA, and its RPATH is only its own folder. Since 4.8.2 ``import ctranslate2`` no longer imports
torch, so nothing loads the copy that the env's ``nvidia-cublas-cu12`` wheel puts under
``site-packages/nvidia/cublas/lib/``: on a driver-only machine, or one with a CUDA 13 toolkit,
``get_cuda_device_count()`` says 1 and the job dies mid-run with "Library libcublas.so.12 is not
found or cannot be loaded" (docs/cuda.md, measured on an H200 with CUDA 13).

So a stage that is to compute on CUDA loads the libraries here first, with RTLD_GLOBAL: from the
env's ``nvidia-*-cu12`` packages where they are installed, else by name through the system's loader
(a CUDA 12 toolkit on its path). The dynamic loader then hands CTranslate2 (and torch) the library
already in the process, by its soname. A library that loads nowhere is reported with its name and
the fix; ``reelsub.workflow.hardware.resolve_device`` decides whether that stops the job or means the CPU.
"""

from __future__ import annotations

import ctypes
import importlib.util
from dataclasses import dataclass
from pathlib import Path

FROM_ENV = "env package"
FROM_SYSTEM = "system loader"


@dataclass(frozen=True)
class CudaLibrary:
    soname: str  # what the engines ask the loader for: libcublas.so.12
    name: str  # as users know it: cuBLAS 12
    module: str  # the import name of the wheel that carries it: nvidia.cublas
    wheel: str  # that wheel on PyPI: nvidia-cublas-cu12

    def env_path(self) -> Path | None:
        """The library in this env's wheel (``<module>/lib/<soname>``), or None where the wheel is
        not installed. The ``nvidia`` folder is a namespace: ``nvidia.cudnn`` has no __init__."""
        try:
            spec = importlib.util.find_spec(self.module)
        except (ImportError, ValueError):  # no ``nvidia`` package at all
            return None
        for folder in (spec.submodule_search_locations or []) if spec else []:
            path = Path(folder) / "lib" / self.soname
            if path.is_file():
                return path
        return None


@dataclass(frozen=True)
class LoadedLibrary:
    soname: str
    path: str  # the file loaded, or the soname where the system's loader found it
    source: str  # FROM_ENV or FROM_SYSTEM


class CudaLibraryNotLoaded(OSError):
    """A CUDA library that neither the env nor the system's loader could load."""

    def __init__(self, library: CudaLibrary, reasons: list[str]) -> None:
        self.library = library
        super().__init__(
            f"{library.soname} ({library.name}) cannot be loaded: {'; '.join(reasons)}. "
            f"Fix: install {library.wheel} into the env that runs this stage (pip install {library.wheel}; "
            "envs/whisperx.yaml and envs/indictrans2.yaml pin it), or put a CUDA 12 toolkit's lib folder on "
            "LD_LIBRARY_PATH"
        )


# libcublas.so.12 brings its libcublasLt.so.12 along: the wheel's copy finds it in its own folder
# (RUNPATH $ORIGIN), a system copy wherever the system's loader found libcublas.
CUBLAS = (CudaLibrary("libcublas.so.12", "cuBLAS 12", "nvidia.cublas", "nvidia-cublas-cu12"),)
# libcudnn.so.9 opens its sub-libraries (libcudnn_ops.so.9, ...) itself, from its own folder.
CUDNN = (CudaLibrary("libcudnn.so.9", "cuDNN 9", "nvidia.cudnn", "nvidia-cudnn-cu12"),)
# What each engine opens: CTranslate2 4.8.5 only cuBLAS (its strings name no cuDNN); torch 2.8's
# libtorch_cuda.so needs both (and finds them by its RPATH into the same wheels, when it is there).
FOR_CTRANSLATE2 = CUBLAS
FOR_TORCH = CUBLAS + CUDNN

_loaded: dict[str, LoadedLibrary] = {}  # soname -> how it was loaded: once per process


def load(library: CudaLibrary) -> LoadedLibrary:
    """Load ``library`` into the process for everything that follows (RTLD_GLOBAL): the env's copy
    where there is one, else by name through the system's loader; CudaLibraryNotLoaded otherwise."""
    if library.soname in _loaded:
        return _loaded[library.soname]
    reasons = []
    path = library.env_path()
    if path is None:
        reasons.append(f"{library.wheel} is not installed in this env")
    else:
        try:
            ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)
            _loaded[library.soname] = LoadedLibrary(library.soname, str(path), FROM_ENV)
            return _loaded[library.soname]
        except OSError as error:
            reasons.append(f"{path}: {error}")
    try:
        ctypes.CDLL(library.soname, mode=ctypes.RTLD_GLOBAL)
    except OSError as error:
        reasons.append(f"not on the system loader's path either ({error})")
        raise CudaLibraryNotLoaded(library, reasons) from error
    _loaded[library.soname] = LoadedLibrary(library.soname, library.soname, FROM_SYSTEM)
    return _loaded[library.soname]


def load_all(libraries: tuple[CudaLibrary, ...]) -> list[LoadedLibrary]:
    """Each of ``libraries`` loaded, in order; the first that cannot be raises CudaLibraryNotLoaded."""
    return [load(library) for library in libraries]
