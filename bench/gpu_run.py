#!/usr/bin/env python3
"""The ASR rows on a borrowed GPU machine, from the pack bench/gpu_pack.py builds; one table.

    python3 gpu-pack/project/bench/gpu_run.py [--device auto|cuda|cpu] [--rounds 3] [--hours 2]

Needs only what such machines have had (Python 3.12, numpy, onnxruntime, tokenizers, huggingface_hub,
PyYAML, regex; torch for the GPU features) and the pack. It measures, model load included:

- 6 min of real speech: reelsub.asr.transcribe (the asr rule's settings: bench/asr_worker.py) vs
  faster-whisper's BatchedInferencePipeline with the same options, alternating rounds, WER of each
  against the reference (bench/corpus.py's normaliser);
- the same speech repeated to ``--hours``: one round of each;
- where the long run's time goes: the speech search in one process and in one per core (as the asr
  stage runs it), the log-mel features of every 30-s window with numpy and with torch on the device,
  and the decoding (reelsub's time less the search and the model load).

It prints one Markdown table and writes the figures as JSON (``--json``, default ``$OUT/gpu.json``
where OUT is set, else ``gpu.json``). Setup, each step said as it is taken: the pack's compressed
files are restored; PyAV, absent there, is replaced by an empty module (faster-whisper imports it
at load and uses it only to decode files; both arms get arrays or WAV); on CUDA, where no
libcublas.so.12 can be loaded (a CUDA 13 machine), the run starts again with a folder first on
LD_LIBRARY_PATH whose libcublas.so.12 and libcublasLt.so.12 point at torch's CUDA 13 cuBLAS. That
is a measuring trick, not a deployment: users get cuBLAS 12 from the env (docs/cuda.md).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import lzma
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path

HERE = Path(__file__).resolve()
PACK = HERE.parents[2]  # gpu-pack/ (project/bench/gpu_run.py)
SHIM_MARK = "REELSUB_GPU_RUN_SHIM"
RATE = 16000


def say(message: str) -> None:
    print(f"[gpu_run] {message}", flush=True)


def restore_compressed(pack: Path) -> None:
    for packed in sorted(pack.rglob("*.xz")):
        target = packed.with_suffix("")
        if not target.exists():
            with lzma.open(packed) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
            say(f"restored {target.relative_to(pack)}")


def use_pack(pack: Path) -> None:
    sys.path[:0] = [str(pack / "site"), str(pack / "project" / "scripts"), str(pack / "project" / "bench")]
    try:
        import av  # noqa: F401
    except ImportError:
        # A package on disk, not a module in sys.modules: the speech search's worker processes
        # import faster-whisper too (reelsub.asr.vad).
        stub = pack / "stubs" / "av"
        stub.mkdir(parents=True, exist_ok=True)
        (stub / "__init__.py").write_text('"""Empty: PyAV is not on this machine (bench/gpu_run.py)."""\n')
        sys.path.insert(1, str(pack / "stubs"))
        say("PyAV is not here: an empty av module stands in (audio goes in as arrays and WAV)")


def cublas12_loads() -> bool:
    try:
        ctypes.CDLL("libcublas.so.12", mode=ctypes.RTLD_GLOBAL)
        return True
    except OSError:
        return False


def cuda_13_cublas() -> Path | None:
    """The folder of a libcublas.so.13 that torch's wheels installed, or a system CUDA's."""
    roots = [Path(p) for p in sys.path if p.endswith("site-packages")] + [Path("/usr/local")]
    for root in roots:
        for found in sorted(root.glob("**/libcublas.so.13*")):
            return found.parent
    return None


def shim_cublas_and_restart() -> None:
    """A CUDA 13 machine: start again with libcublas.so.12 -> its cuBLAS 13 first on the path."""
    folder = cuda_13_cublas()
    if folder is None:
        raise SystemExit(
            "no libcublas.so.12 and no CUDA 13 cuBLAS to stand in for it: CTranslate2 cannot run on CUDA here"
        )
    shim = Path(tempfile.mkdtemp(prefix="cublas12-"))
    for name in ("libcublas", "libcublasLt"):
        real = sorted(folder.glob(f"{name}.so.13*"))[0]
        (shim / f"{name}.so.12").symlink_to(real)
    say(
        f"no libcublas.so.12: restarting with {shim} (-> {folder}) first on LD_LIBRARY_PATH (a measuring trick)"
    )
    environment = {**os.environ, SHIM_MARK: "1"}
    environment["LD_LIBRARY_PATH"] = os.pathsep.join(
        filter(None, [str(shim), str(folder), os.environ.get("LD_LIBRARY_PATH")])
    )
    os.execve(sys.executable, [sys.executable, *sys.argv], environment)


def read_wav(path: Path):
    import numpy as np

    with wave.open(str(path), "rb") as source:
        return np.frombuffer(source.readframes(source.getnframes()), dtype="<i2").astype(np.float32) / 32768.0


def write_wav(path: Path, samples) -> None:
    import numpy as np

    with wave.open(str(path), "wb") as target:
        target.setnchannels(1)
        target.setsampwidth(2)
        target.setframerate(RATE)
        target.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


class Arms:
    """reelsub and the raw pipeline on one audio file, with the same model and options."""

    def __init__(self, model: str, threads: int) -> None:
        import asr_worker

        self.settings = asr_worker.asr_settings(threads, model)
        self.raw_options = asr_worker.raw_options(self.settings)
        self.threads = threads

    def reelsub(self, audio: Path) -> tuple[float, str, dict]:
        from reelsub.asr import transcribe

        started = time.perf_counter()
        transcript = transcribe(audio, "whisperx", self.settings, audio.stem)
        seconds = time.perf_counter() - started
        facts = transcript.provenance[0].settings
        return seconds, " ".join(s.text for s in transcript.segments), facts

    def raw(self, audio: Path) -> tuple[float, str, dict]:
        from faster_whisper import BatchedInferencePipeline

        import asr_worker

        samples = read_wav(audio)  # arrays: there is no PyAV to decode a file with
        started = time.perf_counter()
        model = asr_worker.load_model(self.settings, self.threads)
        segments, _ = BatchedInferencePipeline(model).transcribe(samples, **self.raw_options)
        text = " ".join(s.text.strip() for s in segments)
        return time.perf_counter() - started, text, {}


def alternate(arms: Arms, audio: Path, rounds: int) -> dict:
    times: dict[str, list[float]] = {"reelsub": [], "raw": []}
    texts: dict[str, str] = {}
    facts: dict = {}
    for number in range(rounds):
        for arm in ("reelsub", "raw") if number % 2 == 0 else ("raw", "reelsub"):
            seconds, texts[arm], found = getattr(arms, arm)(audio)
            times[arm].append(seconds)
            facts = found or facts
            say(f"{audio.name} round {number + 1}: {arm} {seconds:.2f} s")
    return {"times": times, "texts": texts, "facts": facts}


def split(arms: Arms, audio: Path, reelsub_s: float, load_s: float) -> dict:
    """Where a long run's time goes: the search, the features of every window, the decoding."""
    from faster_whisper.feature_extractor import FeatureExtractor

    from reelsub.asr import vad
    from reelsub.asr.audio import PcmAudio
    from reelsub.asr.features import TorchFeatures

    found: dict = {}
    with PcmAudio(audio) as source:
        for workers in (1, max(1, os.cpu_count() or 1)):
            started = time.perf_counter()
            regions = vad.heard_speech(source, workers=workers)
            found[f"vad_{workers}"] = time.perf_counter() - started
            say(
                f"speech search, {workers} process(es): {found[f'vad_{workers}']:.2f} s, {len(regions)} regions"
            )
        speech_s = sum(r.duration for r in regions)
        windows = max(1, math.ceil(speech_s / 30))
        pieces = [source.read(r.start, r.start + 30) for r in regions[:: max(1, len(regions) // windows)]][
            :windows
        ]
    found["windows"] = len(pieces)
    numpy_features = FeatureExtractor()
    started = time.perf_counter()
    for piece in pieces:
        numpy_features(piece)
    found["features_numpy"] = time.perf_counter() - started
    try:
        device = "cuda" if arms.settings.device == "cuda" else "cpu"
        torch_features = TorchFeatures(FeatureExtractor(), device)
        torch_features(pieces[0])  # the first call loads the FFT plan and kernels
        started = time.perf_counter()
        for piece in pieces:
            torch_features(piece)
        found["features_torch"] = time.perf_counter() - started
        found["features_torch_device"] = device
    except ImportError:
        found["features_torch"] = None
        say("torch is not here: no torch features")
    workers = max(1, os.cpu_count() or 1)
    found["decode_and_rest"] = max(0.0, reelsub_s - found[f"vad_{workers}"] - load_s)
    return found


def model_load_s(arms: Arms) -> float:
    """How long the arms' model load takes (the same load as theirs)."""
    import asr_worker

    started = time.perf_counter()
    asr_worker.load_model(arms.settings, arms.threads)
    return time.perf_counter() - started


def table(results: dict) -> str:
    lines = [
        "| audio | reelsub | raw batched | reelsub / raw | reelsub WER | raw WER |",
        "|---|---|---|---|---|---|",
    ]
    for row in results["rows"]:
        reel, raw = statistics.median(row["times"]["reelsub"]), statistics.median(row["times"]["raw"])
        wer = row.get("wer", {})
        lines.append(
            f"| {row['label']} | {reel:.2f} s | {raw:.2f} s | {reel / raw:.2f}x | "
            f"{wer.get('reelsub', '-')} | {wer.get('raw', '-')} |"
        )
    parts = results.get("split")
    if parts:
        workers = max(int(k.split("_")[1]) for k in parts if k.startswith("vad_"))
        torch_s = parts["features_torch"]
        lines += [
            "",
            f"Where the {results['rows'][-1]['label']} run goes:",
            "",
            "| part | seconds |",
            "|---|---|",
            f"| speech search, 1 process | {parts['vad_1']:.2f} |",
            f"| speech search, {workers} processes (as asr runs it) | {parts[f'vad_{workers}']:.2f} |",
            f"| log-mel features of {parts['windows']} windows, numpy | {parts['features_numpy']:.2f} |",
            f"| the same, torch on {parts.get('features_torch_device', '-')} | "
            f"{'-' if torch_s is None else f'{torch_s:.3f}'} |",
            f"| model load | {results['model_load_s']:.2f} |",
            f"| decoding and the rest (reelsub less search and load) | {parts['decode_and_rest']:.2f} |",
        ]
    facts = results.get("facts", {})
    lines += [
        "",
        f"Device {results['device']} ({results.get('gpu', 'no GPU')}), compute type {facts.get('compute_type')}, "
        f"batch size {facts.get('batch_size')} ({facts.get('batch_size_reason')}), {facts.get('features')} "
        f"features in reelsub, numpy in raw; {results['threads']} CPU threads; translate row: not in the pack "
        "(IndicTrans2's stack is not on these machines)",
    ]
    return "\n".join(lines)


def gpu_name() -> str:
    try:
        import torch

        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else "torch sees no GPU"
    except ImportError:
        return "no torch"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=("auto", "cuda", "cpu"), default="auto")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--hours", type=float, default=2.0, help="the long audio: the speech repeated to this"
    )
    parser.add_argument(
        "--speech-s", type=float, default=0, help="use only the first seconds of the speech (0: all)"
    )
    parser.add_argument("--threads", type=int, default=min(8, os.cpu_count() or 2))
    parser.add_argument("--json", type=Path, default=Path(os.environ.get("OUT", ".")) / "gpu.json")
    arguments = parser.parse_args()

    restore_compressed(PACK)
    use_pack(PACK)
    import ctranslate2

    import asr_worker
    from corpus import wer

    device = arguments.device
    if device == "auto":
        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    if device == "cuda" and not cublas12_loads():
        if os.environ.get(SHIM_MARK):
            raise SystemExit(
                "libcublas.so.12 still does not load through the shim: see the restart line above"
            )
        shim_cublas_and_restart()
    asr_worker.DEVICE = device
    say(f"device {device}, CTranslate2 {ctranslate2.__version__}, {arguments.threads} threads")

    work = Path(tempfile.mkdtemp(prefix="gpu-run-"))
    speech, reference = PACK / "speech" / "speech.wav", (PACK / "speech" / "reference.txt").read_text()
    samples = read_wav(speech)
    if arguments.speech_s:  # a quick run: the first seconds (the WER is then of a prefix: not reported)
        samples = samples[: int(arguments.speech_s * RATE)]
        speech = work / "speech.wav"
        write_wav(speech, samples)
        reference = ""
    long_audio = work / "long.wav"
    import numpy as np

    repeats = max(1, math.ceil(arguments.hours * 3600 / (len(samples) / RATE)))
    write_wav(long_audio, np.tile(samples, repeats))

    arms = Arms(str(PACK / "model"), arguments.threads)
    results: dict = {"device": device, "gpu": gpu_name(), "threads": arguments.threads, "rows": []}
    short = alternate(arms, speech, arguments.rounds)
    short["label"] = f"{len(samples) / RATE / 60:.1f} min"
    if reference:
        short["wer"] = {arm: f"{wer(reference, text)[0]:.1%}" for arm, text in short["texts"].items()}
    results["rows"].append(short)
    long = alternate(arms, long_audio, 1)
    long["label"] = f"{repeats * len(samples) / RATE / 3600:.2f} h"
    results["rows"].append(long)
    results["facts"] = long["facts"]
    results["model_load_s"] = model_load_s(arms)
    results["split"] = split(arms, long_audio, long["times"]["reelsub"][0], results["model_load_s"])
    for row in results["rows"]:
        row.pop("texts", None)
    text = table(results)
    print(text, flush=True)
    arguments.json.parent.mkdir(parents=True, exist_ok=True)
    arguments.json.write_text(json.dumps({**results, "table": text}, indent=1, default=str))
    say(f"wrote {arguments.json}")


if __name__ == "__main__":
    main()
