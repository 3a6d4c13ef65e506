"""Quality: WER of reelsub vs the raw pipeline on jfk.flac and espeak narration, and row 1's arms."""

from __future__ import annotations

import json

import corpus
import films
from lib import (
    MEDIA,
    WORK,
    Context,
    asr_worker,
    log,
    run,
)


def measure(bench: Context) -> None:
    log("quality: WER on jfk.flac and on espeak narration")
    narration = films.narration_wav(MEDIA, bench.plan.narration_sentences)
    jfk_wav = WORK / "quality" / "jfk.wav"
    jfk_wav.parent.mkdir(parents=True, exist_ok=True)
    if not jfk_wav.exists():
        run(
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-i",
                films.JFK_FLAC,
                "-ac",
                "1",
                "-ar",
                "16000",
                jfk_wav,
            ]
        )
    for what, audio, reference, target in (
        ("jfk.flac (11 s, real speech)", jfk_wav, films.JFK_TEXT, None),
        (
            f"espeak-ng narration ({narration.duration / 60:.1f} min, {bench.plan.narration_sentences} sentences, "
            "5 voices)",
            narration.path,
            narration.reference,
            0.15,
        ),
    ):
        for mode, label in (("reelsub", "reelsub.asr.transcribe"), ("raw", "raw pipeline, same options")):
            out = WORK / "quality" / f"{audio.stem}-{mode}.json"
            asr_worker(mode, audio, out)
            error, errors, count = corpus.wer(reference, json.loads(out.read_text())["text"])
            scored = target is not None and mode == "reelsub"
            bench.quality.append(
                (
                    f"WER, {what}, {label}",
                    f"{error:.1%} ({errors}/{count} words)",
                    f"<= {target:.0%}" if scored else "-",
                    ("met" if error <= target else "MISSED") if scored else "-",
                )
            )
    labels = (
        ("reelsub", "reelsub.asr.transcribe"),
        ("raw", "raw pipeline, same options"),
        ("reelsub-noretry", "reelsub without re-decoding"),
        ("raw-default", "raw pipeline, library defaults"),
        ("raw-timestamps", "raw pipeline with timestamp tokens"),
    )
    for arm, label in labels:
        q = bench.raw.get("row1_quality", {}).get(arm)
        if q is None:
            continue
        timing = (
            f"; first-word timing median {corpus.median(q['timing']) * 1000:.0f} ms, "
            f"p90 {corpus.percentile(q['timing'], 0.9) * 1000:.0f} ms, {q['missed']} sentences missed"
            if q["timing"]
            else ""
        )
        bench.quality.append(
            (
                f"row 1 audio (real speech, {bench.raw['row1_audio']['duration'] / 60:.1f} min), {label}",
                f"WER {q['wer']:.1%}{timing}",
                "-",
                "-",
            )
        )
