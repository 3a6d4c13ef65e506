"""Row c: accuracy on real recorded speech (bench/speech.py): WER of reelsub.asr.transcribe, raw
BatchedInferencePipeline and raw sequential WhisperModel.transcribe (and reelsub's windows layout),
tiny.en on every clip and base on the cards clips, pooled per group (errors / reference words).

Target: reelsub no worse than raw batched on any group. Each arm is one worker process over all
the clips (the model is loaded again per clip; timing is not the point here)."""

from __future__ import annotations

import json

import corpus
import speech
from lib import WORK, Context, Row, asr_worker, log, machine_snapshot

ARMS = ("reelsub", "raw", "raw-seq", "reelsub-windows")
LABELS = {
    "reelsub": "reelsub",
    "raw": "raw batched",
    "raw-seq": "raw sequential",
    "reelsub-windows": "reelsub asr.layout windows",
}


def measure(bench: Context) -> None:
    clips = speech.corpus()
    load = machine_snapshot()
    groups = list(dict.fromkeys(c.group for c in clips))
    runs = [("tiny.en", clips)] + [("base", [c for c in clips if c.group == "cards"])]
    log(f"row c: WER on {len(clips)} real-speech clips ({', '.join(groups)}), arms {', '.join(ARMS)}")
    table: dict[tuple[str, str], dict[str, tuple[int, int]]] = {}  # (model, group) -> arm -> (errors, words)
    texts: dict[str, dict] = {}
    per_clip: dict[tuple[str, str], dict[str, int]] = {}  # (model, clip) -> arm -> errors
    for model, chosen in runs:
        for arm in ARMS:
            out = WORK / "accuracy" / f"{model}-{arm}.json"
            out.parent.mkdir(parents=True, exist_ok=True)
            asr_worker(arm, [c.path for c in chosen], out, model=None if model == "tiny.en" else model)
            found = json.loads(out.read_text())
            if len(chosen) == 1:
                found = {chosen[0].path.stem: found}
            texts[f"{model}-{arm}"] = {stem: v["text"] for stem, v in found.items()}
            for clip in chosen:
                _, errors, words = corpus.wer(clip.reference, found[clip.path.stem]["text"])
                per_clip.setdefault((model, clip.name), {})[arm] = errors
                cell = table.setdefault((model, clip.group), {}).setdefault(arm, (0, 0))
                table[(model, clip.group)][arm] = (cell[0] + errors, cell[1] + words)
    worse, causes, windows_worse = [], [], []
    for (model, group), arms in table.items():
        rate = {arm: e / max(w, 1) for arm, (e, w) in arms.items()}
        if rate["reelsub-windows"] > rate["raw"] + 1e-9:
            windows_worse.append(
                f"{group} ({model}): {rate['reelsub-windows']:.1%} vs raw batched {rate['raw']:.1%}"
            )
        if rate["reelsub"] > rate["raw"] + 1e-9:
            worse.append(f"{group} ({model}): reelsub {rate['reelsub']:.1%} vs raw batched {rate['raw']:.1%}")
            causes.append(
                f"{group} ({model}): the default layout decodes the raw engine's regions (Silero's speech "
                "padded 0.4 s) packed as the raw engine packs them, so what differs is the speech reelsub "
                "decodes again (window tails, regions no word fell in) and the words' fitting to heard "
                "pauses: the per-clip counts below say which clip, bench/work/accuracy/ has the texts"
            )
        bench.quality_line(
            f"WER, {group} ({sum(1 for c in clips if c.group == group)} clip(s), "
            f"{arms['reelsub'][1]} words), {model}",
            ", ".join(f"{LABELS[arm]} {rate[arm]:.1%}" for arm in ARMS),
            "reelsub <= raw batched",
            "MISSED" if rate["reelsub"] > rate["raw"] + 1e-9 else "met",
        )
    row = Row(
        "c",
        f"accuracy corpus: WER of reelsub vs raw batched faster-whisper on {len(clips)} real-speech "
        f"clips ({', '.join(groups)}), tiny.en (+ base on cards)",
        "reelsub <= raw batched, every group",
        "worse on " + "; ".join(worse) if worse else "no group worse than raw batched",
        not worse,
    )
    row.causes += causes
    bench.raw["row_c_windows_worse"] = windows_worse  # row w's verdict counts these
    row.details.append(
        "asr.layout windows (row w) against raw batched: "
        + ("worse on " + "; ".join(windows_worse) if windows_worse else "no group worse")
    )
    row.causes.append(
        "the groups are small samples (tiny.en, 21-387 words): a difference of one or two words is "
        "within what any change of the audio layout does"
    )
    row.details.append("per group and arm in the quality table; every transcript in bench/work/accuracy/")
    for model, group in table:
        members = [c for c in clips if c.group == group and (model, c.name) in per_clip]
        if len(members) > 1:
            row.details.append(
                f"{group} ({model}), word errors per clip (reelsub / raw batched / raw sequential / reelsub windows): "
                + "; ".join(
                    f"{c.name} " + "/".join(str(per_clip[(model, c.name)][arm]) for arm in ARMS)
                    for c in members
                )
            )
    for clip in clips:
        row.details.append(
            f'{clip.name} reference: "{clip.reference[:160]}"; '
            + "; ".join(
                f'{key}: "{texts[key].get(clip.path.stem, "-")[:160]}"'
                for key in texts
                if clip.path.stem in texts[key]
            )
        )
    bench.raw["accuracy"] = {f"{m}/{g}": arms for (m, g), arms in table.items()}
    bench.raw["accuracy_texts"] = texts
    bench.add(row, load)
