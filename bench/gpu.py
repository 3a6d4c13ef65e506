#!/usr/bin/env python
"""The bench's ASR and translation rows on an NVIDIA GPU, with absolute times and the hardware.

    .venv/bin/python bench/gpu.py                 # writes bench/work/gpu.md and bench/work/gpu.json
    .venv/bin/python bench/gpu.py --model base    # another packaged model (tiny.en by default)

What it runs, each in a fresh process (as bench/run.py does), on CUDA:
  - row 1: reelsub.asr.transcribe vs raw BatchedInferencePipeline on the same 5 min of real speech
    (bench/speech.py), device cuda, float16 (CTranslate2's CUDA build, which faster-whisper's
    wheel uses), model load included, alternating A B / B A, 3 rounds; WER of both;
  - row w: reelsub with asr.layout: windows on the same audio;
  - the translation rows (bench/translate_bench.py --device cuda: the tiny IndicTrans2 substitute
    through reelsub.translate.translation on torch CUDA).
And records: nvidia-smi (name, driver, memory), torch.cuda.get_device_name, torch's CUDA version,
ctranslate2's CUDA device count and compute types.

Where there is no CUDA (no driver, or CTranslate2 / torch see no device) it says so and exits 2
without measuring: CPU figures are bench/run.py's. Needs what `make venv` installs plus the NVIDIA
driver; CTranslate2 4.x needs CUDA 12 and cuDNN 9 libraries (the pip wheels nvidia-cublas-cu12
and nvidia-cudnn-cu12 provide them where the system has none).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent

from lib import ASR_TIME_TARGET, PYTHON, WORK, Series, alternate, log, ratio_text, run


def hardware() -> dict:
    """What CUDA there is, from the driver, torch and CTranslate2; ``cuda`` False where none."""
    facts: dict = {"cuda": False}
    try:
        smi = subprocess.run(
            [
                "nvidia-smi",
                "--query-gpu=name,driver_version,memory.total,compute_cap",
                "--format=csv,noheader",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        facts["nvidia_smi"] = (
            smi.stdout.strip() if smi.returncode == 0 else f"failed: {smi.stderr.strip()[:200]}"
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        facts["nvidia_smi"] = f"not available ({type(error).__name__})"
    try:
        import ctranslate2

        facts["ctranslate2"] = ctranslate2.__version__
        facts["ct2_cuda_devices"] = ctranslate2.get_cuda_device_count()
        if facts["ct2_cuda_devices"]:
            facts["ct2_cuda_compute_types"] = sorted(ctranslate2.get_supported_compute_types("cuda"))
    except Exception as error:  # a CUDA build without its libraries raises at import or on query
        facts["ctranslate2"] = f"error: {error}"
        facts["ct2_cuda_devices"] = 0
    try:
        import torch

        facts["torch"] = torch.__version__
        facts["torch_cuda"] = torch.version.cuda
        if torch.cuda.is_available():
            facts["torch_device"] = torch.cuda.get_device_name(0)
    except Exception as error:
        facts["torch"] = f"error: {error}"
    facts["cuda"] = bool(facts.get("ct2_cuda_devices"))  # the ASR rows need CTranslate2's CUDA
    facts["torch_cuda_available"] = "torch_device" in facts  # the translation rows need torch's
    return facts


def asr(mode: str, audio: Path, words: Path | None, model: str | None) -> dict:
    command = [PYTHON, BENCH / "asr_worker.py", mode, audio, "--device", "cuda"]
    if words:
        command += ["--words", words]
    if model:
        command += ["--model", model]
    _, output = run(command)
    return json.loads(output.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", help="Whisper model (a packaged one: tiny.en, base; or a folder)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=300, help="real speech for the ASR row")
    args = parser.parse_args(argv)
    facts = hardware()
    if not facts["cuda"]:
        print(
            "bench/gpu.py: no CUDA device here (nvidia-smi: {}; CTranslate2 CUDA devices: {}; torch: {}). "
            "Run it on a machine with an NVIDIA GPU; CPU figures come from bench/run.py.".format(
                facts.get("nvidia_smi"), facts.get("ct2_cuda_devices"), facts.get("torch_device", "no CUDA")
            ),
            file=sys.stderr,
        )
        return 2
    import corpus
    import speech

    audio = speech.long_real_speech(args.seconds)
    out = WORK / "gpu"
    out.mkdir(parents=True, exist_ok=True)
    arms = ("reelsub", "raw", "reelsub-windows")
    series = {arm: Series(arm) for arm in arms}
    runs: dict = {arm: [] for arm in arms}
    asr("raw", audio.path, None, args.model)  # warm-up: CUDA context, kernels, files into the page cache
    for arm in alternate(arms, args.rounds):
        log(f"gpu: {arm}")
        result = asr(arm, audio.path, out / f"{arm}.json" if not runs[arm] else None, args.model)
        series[arm].seconds.append(result["seconds"])
        runs[arm].append(result)
    wer = {
        arm: corpus.wer(audio.reference, json.loads((out / f"{arm}.json").read_text())["text"])[0]
        for arm in arms
    }
    translation = None
    if facts["torch_cuda_available"]:
        log("gpu: translation rows on cuda")
        _, output = run(
            [
                PYTHON,
                BENCH / "translate_bench.py",
                "--json",
                "--device",
                "cuda",
                "--sentences",
                "64",
                "--repeats",
                "3",
            ]
        )
        translation = json.loads(output.strip().splitlines()[-1])
    ratio, ratio_text_ = ratio_text(series["reelsub"], series["raw"])
    lines = [
        "# reelsub on GPU",
        "",
        f"Written by `bench/gpu.py` {datetime.now():%Y-%m-%d %H:%M}; model {args.model or 'tiny.en'}, "
        f"{audio.duration / 60:.1f} min of real speech, {args.rounds} rounds (A B C, C B A, ...).",
        "",
        "## Hardware",
        "",
        *[f"- {k}: {v}" for k, v in facts.items()],
        "",
        "## ASR (device cuda, float16, model load included)",
        "",
        "| arm | seconds | RTF | WER |",
        "|---|---|---|---|",
        *[
            f"| {arm} | {series[arm].text()} | {series[arm].median / audio.duration:.4f} | {wer[arm]:.1%} |"
            for arm in arms
        ],
        "",
        f"reelsub vs raw: {ratio_text_} (target <= {ASR_TIME_TARGET:.2f}x)",
        "",
        "## Translation (tiny IndicTrans2 substitute, torch CUDA)",
        "",
        *(
            [
                f"- batch {r['batch_size']}: {r['sentences_per_s']} sentences/s ({r['sentences']} in {r['seconds']} s)"
                for r in translation["rows"]
            ]
            + [f"- 90-min synthetic Hindi transcript: {translation['film']['seconds']} s"]
            if translation
            else ["- not run: torch sees no CUDA device (a CPU-only torch build?)"]
        ),
        "",
    ]
    (WORK / "gpu.md").write_text("\n".join(lines))
    (WORK / "gpu.json").write_text(
        json.dumps(
            {
                "hardware": facts,
                "asr": runs,
                "wer": wer,
                "ratio": ratio,
                "median_s": {a: statistics.median(s.seconds) for a, s in series.items()},
                "translation": translation,
            },
            indent=1,
            default=str,
        )
    )
    print("\n".join(lines))
    log(f"wrote {WORK / 'gpu.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
