#!/usr/bin/env python
"""make bench-gpu-pack: a folder with what a borrowed GPU machine lacks to run the ASR rows there.

    .venv/bin/python bench/gpu_pack.py [--out bench/work/gpu-pack] [--speech-s 372]

The machines this project borrows have had one NVIDIA GPU, Python 3.12 with torch (CUDA 13),
numpy, onnxruntime, tokenizers, huggingface_hub, PyYAML and regex; no CTranslate2, faster-whisper,
PyAV, ffmpeg or Snakemake; no package registry; at most 64 MiB of files per call. The pack holds:

- ``site/``: the CTranslate2 and faster-whisper wheels for CPython 3.12 on Linux x86_64 (from
  PyPI, the versions requirements.lock pins), unpacked; CTranslate2's two large shared objects xz-
  compressed (80 and 69 MB become about 25 MB), restored by the runner;
- ``model/``: Whisper tiny.en with int8 weights (bench/ct2_int8.py: half the bytes; CTranslate2
  makes float16 of them on CUDA), model.bin xz-compressed;
- ``speech/``: row 1's real speech (bench/speech.py: LibriVox, cards, the pyannote conversation and
  JFK with natural pauses) as xz-compressed WAV, and its reference text;
- ``project/``: the library (scripts/reelsub), config/ (the settings' defaults), and the bench's
  runner (bench/gpu_run.py) with what it imports (asr_worker.py, corpus.py).

Then, there, one command (the pack's RUN.txt): ``python3 gpu-pack/project/bench/gpu_run.py``.
"""

from __future__ import annotations

import argparse
import lzma
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
LIMIT = 64 * 1024 * 1024  # what one call to the device machine may carry
PYTHON_TAG, PLATFORM = "3.12", "manylinux_2_28_x86_64"
WHEELS = ("ctranslate2", "faster-whisper")
COMPRESS_OVER = 4 * 1024 * 1024  # shared objects larger than this travel as .xz
RUNNER_MODULES = ("gpu_run.py", "asr_worker.py", "corpus.py")


def pinned(name: str) -> str:
    """The version requirements.lock pins for ``name`` (the one the tests run)."""
    for line in (PROJECT / "requirements.lock").read_text().splitlines():
        if line.lower().startswith(f"{name}=="):
            return line.split("==", 1)[1].split(";")[0].strip()
    raise SystemExit(f"requirements.lock pins no {name}")


def download_wheels(target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    wanted = [f"{name}=={pinned(name)}" for name in WHEELS]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "--python-version", PYTHON_TAG, "--platform", PLATFORM, "--platform", "manylinux2014_x86_64",
         "--platform", "manylinux_2_17_x86_64", "--platform", "manylinux_2_27_x86_64", "-d", str(target), *wanted],
        check=True,
    )  # fmt: skip
    return sorted(target.glob("*.whl"))


def compress(path: Path) -> None:
    """``path`` as ``path.xz`` (xz preset 9, extreme); the original goes."""
    with open(path, "rb") as source, lzma.open(f"{path}.xz", "wb", preset=9 | lzma.PRESET_EXTREME) as target:
        shutil.copyfileobj(source, target, 1 << 20)
    path.unlink()


def unpack_wheels(wheels: list[Path], site: Path) -> None:
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(site)
    for shared in site.rglob("*.so*"):
        if shared.is_file() and not shared.name.endswith(".xz") and shared.stat().st_size > COMPRESS_OVER:
            compress(shared)


def pack_model(pack: Path) -> None:
    sys.path[:0] = [str(PROJECT / "scripts"), str(BENCH)]
    from ct2_int8 import convert
    from reelsub.models import packaged_whisper_folder

    source = packaged_whisper_folder("tiny.en")
    if source is None:
        raise SystemExit("Whisper tiny.en is not installed: run `make venv`")
    convert(source, pack / "model")
    compress(pack / "model" / "model.bin")


def pack_speech(pack: Path, seconds: float) -> None:
    sys.path[:0] = [str(PROJECT / "scripts"), str(PROJECT / "tests"), str(BENCH)]
    from speech import long_real_speech

    speech = long_real_speech(seconds)
    folder = pack / "speech"
    folder.mkdir()
    shutil.copy2(speech.path, folder / "speech.wav")
    compress(folder / "speech.wav")
    (folder / "reference.txt").write_text(speech.reference + "\n", encoding="utf-8")


def pack_project(pack: Path) -> None:
    project = pack / "project"
    shutil.copytree(
        PROJECT / "scripts" / "reelsub",
        project / "scripts" / "reelsub",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    shutil.copytree(PROJECT / "config", project / "config", ignore=shutil.ignore_patterns("*.md"))
    (project / "bench").mkdir()
    for name in RUNNER_MODULES:
        shutil.copy2(BENCH / name, project / "bench" / name)


def size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def build(out: Path, speech_s: float) -> Path:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    unpack_wheels(download_wheels(out.parent / "gpu-pack-wheels"), out / "site")
    pack_model(out)
    pack_speech(out, speech_s)
    pack_project(out)
    (out / "RUN.txt").write_text(
        "On the GPU machine, from the folder that holds gpu-pack/:\n"
        "    python3 gpu-pack/project/bench/gpu_run.py            # prints the table, writes gpu.json\n"
        "    python3 gpu-pack/project/bench/gpu_run.py --help\n"
    )
    total = size(out)
    if total > LIMIT:
        raise SystemExit(
            f"{out}: {total / 2**20:.1f} MiB, over the {LIMIT / 2**20:.0f} MiB one device call carries"
        )
    print(f"{out}: {total / 2**20:.1f} MiB (limit {LIMIT / 2**20:.0f} MiB)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BENCH / "work" / "gpu-pack")
    parser.add_argument("--speech-s", type=float, default=372.0, help="seconds of row 1's real speech")
    arguments = parser.parse_args()
    build(arguments.out, arguments.speech_s)


if __name__ == "__main__":
    main()
