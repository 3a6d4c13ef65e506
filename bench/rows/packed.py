"""Row p: reelsub with ``asr.layout: packed`` (reelsub.asr.packing: heard speech packed without its
pauses into windows of up to 30 s of speech, as faster-whisper packs it, times mapped back) against
raw BatchedInferencePipeline and against reelsub's default windows: time and WER.

Timed in row 1's rotation (same audio, same rounds), so it reads row 1's figures; its WER counts
row 1's audio and every group of row c's corpus."""

from __future__ import annotations

from lib import Context, Row, Series, machine_snapshot, ratio_text

ARM = "reelsub-packed"


def measure(bench: Context) -> None:
    seconds = bench.raw["row1_series"]
    series = {arm: Series(arm, list(values)) for arm, values in seconds.items()}
    quality = bench.raw["row1_quality"]
    runs = bench.raw["row1"]
    duration = bench.raw["row1_audio"]["duration"]
    cpu = {arm: Series(arm, list(values)) for arm, values in bench.raw["row1_cpu"].items()}
    value, text = ratio_text(series[ARM], series["raw"])
    _, cpu_text = ratio_text(cpu[ARM], cpu["raw"])
    _, cpu_vs_reelsub = ratio_text(cpu[ARM], cpu["reelsub"])
    _, vs_reelsub_text = ratio_text(series[ARM], series["reelsub"])
    wer = {arm: quality[arm]["wer"] for arm in quality}
    corpus_worse = bench.raw.get("row_c_packed_worse", [])
    row = Row(
        "p",
        f"ASR stage with asr.layout: packed vs raw BatchedInferencePipeline bs8, {duration / 60:.1f} min of "
        "real speech; WER no worse than raw",
        "<= 1.10x, WER <= raw (row 1's audio and every group of row c)",
        f"wall {text}, CPU {cpu_text}; WER packed {wer[ARM]:.1%}, raw {wer['raw']:.1%}, "
        f"windows (default) {wer['reelsub']:.1%}; row c: "
        + ("worse than raw on " + "; ".join(corpus_worse) if corpus_worse else "no group worse than raw"),
        value <= 1.10 and wer[ARM] <= wer["raw"] + 1e-9 and not corpus_worse,
    )
    facts = runs[ARM][0]
    row.details += [
        f"packed {series[ARM].text()}; raw {series['raw'].text()}; windows {series['reelsub'].text()}: "
        f"packed is {vs_reelsub_text} the windows layout's wall time, {cpu_vs_reelsub} its CPU time",
        f"packed decoded {facts.get('windows_decoded')} windows ({facts.get('redecoded_windows', 0)} of them "
        f"again: tails, and regions no word fell in); windows decoded {runs['reelsub'][0].get('windows_decoded')}",
        "WER (words found / reference words): "
        + ", ".join(f"{arm} {q['wer']:.1%} ({q['words']}/{q['ref_words']})" for arm, q in quality.items()),
    ]
    if corpus_worse:
        row.causes.append(
            "packed and raw lay the same speech out the same way; their regions differ only in reelsub's VAD "
            "search (heard speech, padded afterwards). Where the speech sits in noise, a region that starts "
            "or ends a little differently changes which words tiny.en gets wrong: row c lists them per clip"
        )
    if wer[ARM] > wer["raw"] + 1e-9:
        row.causes.append(
            f"packed makes {quality[ARM]['errors']} word errors where raw makes {quality['raw']['errors']}, of "
            f"{quality['raw']['ref_words']}: both pack the same speech the same way, and the regions differ only "
            "in reelsub's VAD search (heard speech padded afterwards); row c has the per-clip counts"
        )
    bench.add(row, machine_snapshot())
    row.others = next((r.others for r in bench.rows if r.number == "1"), row.others)  # timed in row 1's run
