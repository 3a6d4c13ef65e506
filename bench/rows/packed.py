"""Row p: "packed speech" (bench/packed_asr.py: reelsub's VAD regions without their pauses, <= 30 s
of speech per chunk, one BatchedInferencePipeline call, times mapped back) against reelsub's
windows + tail re-decoding and against raw BatchedInferencePipeline: time and WER.

Timed in row 1's rotation (same audio, same rounds), so it reads row 1's figures."""

from __future__ import annotations

from lib import Context, Row, Series, machine_snapshot, ratio_text


def measure(bench: Context) -> None:
    seconds = bench.raw["row1_series"]
    series = {arm: Series(arm, list(values)) for arm, values in seconds.items()}
    quality = bench.raw["row1_quality"]
    runs = bench.raw["row1"]
    duration = bench.raw["row1_audio"]["duration"]
    cpu = {arm: Series(arm, list(values)) for arm, values in bench.raw["row1_cpu"].items()}
    value, text = ratio_text(series["packed"], series["raw"])
    _, cpu_text = ratio_text(cpu["packed"], cpu["raw"])
    _, cpu_vs_reelsub = ratio_text(cpu["packed"], cpu["reelsub"])
    vs_reelsub, vs_reelsub_text = ratio_text(series["packed"], series["reelsub"])
    wer = {arm: quality[arm]["wer"] for arm in quality}
    row = Row(
        "p",
        f"packed speech (prototype, bench/packed_asr.py) vs raw BatchedInferencePipeline, "
        f"{duration / 60:.1f} min of real speech; WER no worse than raw",
        "<= 1.10x, WER <= raw",
        f"wall {text}, CPU {cpu_text}; WER packed {wer['packed']:.1%}, raw {wer['raw']:.1%}, reelsub {wer['reelsub']:.1%}",
        value <= 1.10 and wer["packed"] <= wer["raw"] + 1e-9,
    )
    facts = runs["packed"][0]
    retry = runs.get("packed-retry", [{}])[0]
    row.details += [
        f"packed {series['packed'].text()}; raw {series['raw'].text()}; reelsub {series['reelsub'].text()}: "
        f"packed is {vs_reelsub_text} reelsub's wall time, {cpu_vs_reelsub} its CPU time",
        f"packed decoded {facts.get('speech_s', 0):.0f} s of speech in {facts.get('chunks')} chunk(s); reelsub "
        f"re-decoded {runs['reelsub'][0].get('redecoded_windows', 0)} window tail(s) "
        f"({runs['reelsub'][0].get('redecoded_s', 0):.0f} s)",
        f"packed with reelsub's tail re-decoding on its chunks (run once): "
        f"{series['packed-retry'].text() if 'packed-retry' in series else 'n/a'}, re-decoded "
        f"{retry.get('redecoded_windows', 0)} chunk tail(s) ({retry.get('redecoded_s', 0):.0f} s), WER "
        f"{wer.get('packed-retry', float('nan')):.1%}",
        "WER (words found / reference words): "
        + ", ".join(f"{arm} {q['wer']:.1%} ({q['words']}/{q['ref_words']})" for arm, q in quality.items()),
    ]
    if vs_reelsub < 1:
        row.details.append(
            "to port into reelsub.asr: decode each DECODE_SPAN_S span's VAD regions packed like this "
            "(SpeechMap / pack_chunks in bench/packed_asr.py), map word times back by the region of the "
            "word's middle, and keep the tail re-decoding only where row p's packed-retry still finds tails"
        )
    bench.add(row, machine_snapshot())
    row.others = next((r.others for r in bench.rows if r.number == "1"), row.others)  # timed in row 1's run
