"""Held-out material for a decoding change: the narration films (bench/narration.py) cut into their
single sentences and into sentence pairs, scored per decoding arm.

    python bench/held_out.py [--arms reelsub reelsub-timestamps ...] [--model base]

A change chosen because it wins a row-c group must also not read other speech worse (issue 24).
Row c's groups are where such a change is chosen; these clips are where it is checked afterwards:
short files of one or two sentences, the length of the cards clips the choice was made on, in
eight voices. Issue 24's timestamp tokens in windows under 15 s of speech won cards' one word and
read held-out sentence pairs worse (58 -> 68 word errors); that is why it is not the default.
At this size a word or two is noise: cutting the same clips a sample apart moved the default's
count on the single sentences by 2.

Each clip is cut from its film with MARGIN_S of the pauses on either side (pauses are 0.7-1.4 s,
so no clip holds a word of a neighbour). The clips are 16 kHz mono WAV under
bench/work/media/held-out/, made once. Every arm is one bench/asr_worker.py process per set, the
same normaliser as row c (bench/corpus.py); the table goes to standard output and
bench/work/held-out.md. Not part of ``make bench``: it takes about 2 minutes per arm on 2 cores.
"""

from __future__ import annotations

import argparse
import json

import corpus
import narration
import speech
from lib import MEDIA, WORK, asr_worker, log

FOLDER = MEDIA / "held-out"
MARGIN_S = 0.3  # of the pause on either side of a clip's speech
SETS = ("sentence", "pair")
ARMS = ("reelsub", "raw", "raw-seq", "reelsub-timestamps")


def clip_spans(
    spans: list[tuple[float, float]], duration: float, per_clip: int
) -> list[tuple[int, float, float]]:
    """(first sentence, start, end) of each clip of ``per_clip`` consecutive sentences, MARGIN_S of
    the pauses kept on either side (within the film)."""
    cut = []
    for first in range(0, len(spans) - per_clip + 1, per_clip):
        start, end = spans[first][0], spans[first + per_clip - 1][1]
        cut.append((first, round(max(0.0, start - MARGIN_S), 3), round(min(duration, end + MARGIN_S), 3)))
    return cut


def held_out_clips() -> list[speech.Clip]:
    """Every clip, its group the set it belongs to (sentence | pair)."""
    clips = []
    for film in narration.narration_films(speech.SPEECH):
        samples = None
        spans = film.spans()
        for per_clip, set_name in ((1, "sentence"), (2, "pair")):
            for first, start, end in clip_spans(spans, film.duration, per_clip):
                path = FOLDER / f"{set_name}-{film.name}-{first:02d}.wav"
                if not path.exists():
                    if samples is None:
                        samples = speech.read_samples(film.path)
                    speech.write_samples(path, samples[int(start * speech.RATE) : int(end * speech.RATE)])
                reference = " ".join(film.sentences[first : first + per_clip])
                clips.append(speech.Clip(path.stem, set_name, path, reference))
    return clips


def score(
    clips: list[speech.Clip], arms: list[str], model: str | None
) -> dict[str, dict[str, tuple[int, int]]]:
    """arm -> set -> (word errors, reference words)."""
    table: dict[str, dict[str, tuple[int, int]]] = {}
    for arm in arms:
        for set_name in SETS:
            chosen = [c for c in clips if c.group == set_name]
            out = WORK / "held-out" / f"{model or 'tiny.en'}-{set_name}-{arm}.json"
            out.parent.mkdir(parents=True, exist_ok=True)
            log(f"held out: {arm} on {len(chosen)} {set_name} clips")
            asr_worker(arm, [c.path for c in chosen], out, model=model)
            found = json.loads(out.read_text())
            errors = words = 0
            for clip in chosen:
                _, clip_errors, clip_words = corpus.wer(clip.reference, found[clip.path.stem]["text"])
                errors, words = errors + clip_errors, words + clip_words
            table.setdefault(arm, {})[set_name] = (errors, words)
    return table


def markdown(table: dict[str, dict[str, tuple[int, int]]], clips: list[speech.Clip], model: str) -> str:
    counts = {s: sum(1 for c in clips if c.group == s) for s in SETS}
    lines = [
        f"Held-out narration clips, {model}: word errors (WER)",
        "",
        "| arm | " + " | ".join(f"{s}s ({counts[s]} clips)" for s in SETS) + " |",
        "|---|" + "---|" * len(SETS),
    ]
    for arm, sets in table.items():
        cells = [f"{e} ({e / max(w, 1):.1%} of {w})" for e, w in (sets[s] for s in SETS)]
        lines.append(f"| {arm} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arms", nargs="+", default=list(ARMS), help="bench/asr_worker.py modes")
    parser.add_argument("--model", help="Whisper model instead of the demo config's (tiny.en)")
    args = parser.parse_args()
    clips = held_out_clips()
    table = score(clips, args.arms, args.model)
    text = markdown(table, clips, args.model or "tiny.en")
    (WORK / "held-out.md").write_text(text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
