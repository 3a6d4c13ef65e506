"""What Whisper itself prefers for a clip: its beam's n best hypotheses in both token modes, each
with its log-probability, and the readings they make (row c's normaliser) ranked by the
probability the beam gives each.

    python bench/nbest.py [CLIP ...] [--model base]

CLIP is a row-c clip's name (default: the cards group). The two token modes are reelsub's
default (no timestamp tokens, where word times cut the sentences) and sequential
faster-whisper's (timestamp tokens). A miss one mode makes and the other does not is a decoding
accident where the missing mode's own probabilities favour the right reading; it is the model's
judgement where both modes' probabilities favour the wrong one, and then no choice of mode or
ranking wins it without the other mode's losses (issue 24: cards-002's "four", a homophone of
"for"). Same model, compute type and beam size as the asr rule (bench/asr_worker.py); the whole
clip is one window, as in row c. The table goes to standard output and bench/work/nbest.md.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import corpus
import speech
from asr_worker import asr_settings, load_model
from lib import WORK

MAX_TOKENS = 224  # faster-whisper's max_length for one window
MODES = ((False, "no timestamp tokens"), (True, "timestamp tokens"))


@dataclass(frozen=True)
class Hypothesis:
    text: str
    log_probability: float  # of the whole token sequence, timestamp tokens included

    @property
    def reading(self) -> str:
        return " ".join(corpus.normalise(self.text))


@dataclass(frozen=True)
class Reading:
    words: str  # normalised
    share: float  # of the n best hypotheses' probability
    errors: int  # against the clip's reference


class Beam:
    """A loaded model that gives a clip's n best hypotheses in either token mode."""

    def __init__(self, model_name: str | None = None, threads: int = 2) -> None:
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        self.settings = asr_settings(threads, model_name)
        self.model = load_model(self.settings, threads)
        multilingual = self.model.model.is_multilingual
        self.tokenizer = Tokenizer(
            self.model.hf_tokenizer, multilingual, task="transcribe", language="en" if multilingual else None
        )
        self.suppressed = get_suppressed_tokens(self.tokenizer, [-1])  # the library's default

    def hypotheses(self, audio: Path, timestamp_tokens: bool) -> list[Hypothesis]:
        """The beam's hypotheses for the clip as one window, most probable per token first."""
        from faster_whisper.audio import decode_audio, pad_or_trim

        features = pad_or_trim(self.model.feature_extractor(decode_audio(str(audio)))[..., :-1])
        prompt = list(self.tokenizer.sot_sequence)
        if not timestamp_tokens:
            prompt.append(self.tokenizer.no_timestamps)
        result: Any = self.model.model.generate(
            self.model.encode(features[None]),
            [prompt],
            beam_size=self.settings.beam_size,
            num_hypotheses=self.settings.beam_size,
            return_scores=True,
            suppress_blank=True,
            suppress_tokens=self.suppressed,
            max_length=MAX_TOKENS,
        )[0]
        found = []
        for tokens, score in zip(result.sequences_ids, result.scores, strict=True):
            text = self.tokenizer.decode([t for t in tokens if t < self.tokenizer.eot])
            # CTranslate2's score is the sum of log-probabilities over the sequence's length
            # (length_penalty 1); faster-whisper undoes it the same way for avg_logprob.
            found.append(Hypothesis(text.strip(), score * len(tokens)))
        return found


def readings(hypotheses: list[Hypothesis], reference: str) -> list[Reading]:
    """The distinct normalised readings, most probable first: "4." and "Four" are one reading."""
    mass: dict[str, float] = {}
    for hypothesis in hypotheses:
        mass[hypothesis.reading] = mass.get(hypothesis.reading, 0.0) + math.exp(hypothesis.log_probability)
    total = sum(mass.values())
    return sorted(
        (Reading(words, share / total, corpus.wer(reference, words)[1]) for words, share in mass.items()),
        key=lambda r: -r.share,
    )


def most_probable(beam: Beam, clip: speech.Clip) -> str:
    """One line for a report: the reading each token mode gives most probability, with its share."""
    parts = []
    for timestamp_tokens, mode in MODES:
        best = readings(beam.hypotheses(clip.path, timestamp_tokens), clip.reference)[0]
        parts.append(f'"{best.words}" ({best.share:.0%}, {best.errors} word error(s)) with {mode}')
    return f"{clip.name}: Whisper's most probable reading (bench/nbest.py) is " + "; ".join(parts)


def markdown(clips: list[speech.Clip], beam: Beam) -> str:
    lines = [f"n best of {beam.settings.model}, beam {beam.settings.beam_size}, each clip one window", ""]
    for clip in clips:
        lines += [f'**{clip.name}**: "{clip.reference}"', ""]
        for timestamp_tokens, mode in MODES:
            found = beam.hypotheses(clip.path, timestamp_tokens)
            lines.append(f'- {mode}: top "{found[0].text}"')
            lines += [
                f'  - {r.share:.0%} "{r.words}", {r.errors} word error(s)'
                for r in readings(found, clip.reference)
            ]
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clips", nargs="*", help="row-c clip names (default: the cards group)")
    parser.add_argument("--model", help="Whisper model instead of the demo config's (tiny.en)")
    args = parser.parse_args()
    every = speech.corpus()
    chosen = (
        [c for c in every if c.name in args.clips] if args.clips else [c for c in every if c.group == "cards"]
    )
    unknown = set(args.clips) - {c.name for c in chosen}
    if unknown:
        raise SystemExit(f"no row-c clip called {', '.join(sorted(unknown))}")
    text = markdown(chosen, Beam(args.model))
    (WORK / "nbest.md").write_text(text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
