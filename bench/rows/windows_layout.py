"""Row w: reelsub with ``asr.layout: windows`` (up to 30 s of audio per window, pauses kept, a
window's tail decoded again where Whisper stopped early), against raw BatchedInferencePipeline and
against the default (``auto``, which packs this English speech: no sentence of it can switch
language): time and WER.

Windows is the layout ``auto`` gives a film whose lines may switch language (a Hindi film with
English lines) and Whisper's translate task, and the one a user may choose for any film. It was
the accuracy-first option until the packed layout kept quiet pauses (issue 24); since then the
default reads fewer wrong words than windows on every English group of row c, so this row says
what keeping the pauses costs where the default does not use it.

Timed in row 1's rotation (same audio, same rounds), so it reads row 1's figures; its WER counts
row 1's audio and every group of row c's corpus. The option has no speed target; its target is
no more word errors than the default on row 1's audio, and no group worse than raw."""

from __future__ import annotations

from lib import Context, Row, Series, machine_snapshot, ratio_text

ARM = "reelsub-windows"


def measure(bench: Context) -> None:
    seconds = bench.raw["row1_series"]
    series = {arm: Series(arm, list(values)) for arm, values in seconds.items()}
    quality = bench.raw["row1_quality"]
    runs = bench.raw["row1"]
    duration = bench.raw["row1_audio"]["duration"]
    cpu = {arm: Series(arm, list(values)) for arm, values in bench.raw["row1_cpu"].items()}
    _, text = ratio_text(series[ARM], series["raw"])
    _, cpu_text = ratio_text(cpu[ARM], cpu["raw"])
    _, vs_default_text = ratio_text(series[ARM], series["reelsub"])
    wer = {arm: quality[arm]["wer"] for arm in quality}
    corpus_worse = bench.raw.get("row_c_windows_worse", [])
    row = Row(
        "w",
        f"ASR stage with asr.layout: windows (pauses kept) vs raw BatchedInferencePipeline "
        f"bs8 and the default (auto: packed here), {duration / 60:.1f} min of real speech",
        "WER <= the default's on row 1's audio, <= raw on every group of row c; time reported",
        f"WER windows {wer[ARM]:.1%}, default (packed) {wer['reelsub']:.1%}, raw {wer['raw']:.1%}; "
        f"wall {text} raw, {vs_default_text} the default; row c: "
        + ("worse than raw on " + "; ".join(corpus_worse) if corpus_worse else "no group worse than raw"),
        wer[ARM] <= wer["reelsub"] + 1e-9 and not corpus_worse,
    )
    facts = runs[ARM][0]
    row.details += [
        f"windows {series[ARM].text()}; raw {series['raw'].text()}; default (packed) "
        f"{series['reelsub'].text()}; CPU {cpu_text} raw",
        f"windows decoded {facts.get('windows_decoded')} windows ({facts.get('redecoded_windows', 0)} of them "
        f"tails decoded again); packed decoded {runs['reelsub'][0].get('windows_decoded')}",
        "WER (words found / reference words): "
        + ", ".join(f"{arm} {q['wer']:.1%} ({q['words']}/{q['ref_words']})" for arm, q in quality.items()),
    ]
    if corpus_worse:
        row.causes.append(
            "the windows layout decodes the same regions as raw but keeps the pauses between them inside "
            "a window, so Whisper hears other audio around each line; in noise that changes which words "
            "tiny.en gets wrong (row c has the per-clip counts)"
        )
    if wer[ARM] > wer["reelsub"] + 1e-9:
        row.causes.append(
            f"windows makes {quality[ARM]['errors']} word errors where packed makes {quality['reelsub']['errors']}, "
            f"of {quality['raw']['ref_words']}: on this audio keeping the pauses costs accuracy"
        )
    bench.add(row, machine_snapshot())
    row.others = next((r.others for r in bench.rows if r.number == "1"), row.others)  # timed in row 1's run
