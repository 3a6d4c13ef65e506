#!/usr/bin/env python
"""Does a phrase's language asked with SCREEN_S of context decide as Whisper's full window does?
(docs/hindi-measurements.md section 11 holds the figures.)

    PYTHONPATH=scripts:tests:bench .venv/bin/python bench/screen_odds.py [--set chosen|held-out]
                                                                          [--screen-s 10]

Every phrase of each case is asked (``languages_in_film.WRITTEN_IN_OWN_LETTERS`` emptied: the most
phrases, English and not), once with the full 30 s window and once with ``--screen-s`` of context,
inside one ``reelsub.asr.transcribe`` per case (Whisper base, int8, CPU, the asr rule's settings; the
full window's answers drive the transcript). Per phrase: both answers. Reported: the phrases whose
screen answer is clear (``languages_in_film.answered_clearly``) but decides otherwise than the
full window (the screen's errors: none may be), how many are unclear (asked again: its cost), and
the encoder seconds of each.

Sets:
- chosen: the cases the bounds were chosen on: bench/language_check.py's 22 (the Indian films and
  the English corpus as lines of a Hindi film) and row c's Hindi film with recorded English lines;
- held-out: cases not looked at while choosing: a Hindi+English film of sentences written for this
  check (HELD_OUT below, Kokoro-82M TTS, a SUBSTITUTE for recorded speech) in two voices, and the
  eight narration films (bench/narration.py, English) as lines of a Hindi film.
About 5 and 7 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import asr_worker
import language_check
import narration
import speech
from indian_films import Sentence, build_film
from reelsub.asr import languages_in_film
from reelsub.asr.faster_whisper import BatchedDecoder
from reelsub.asr.vad import WINDOW_S

WORK = Path(__file__).resolve().parent / "work"

# Sentences of our own, written for this check after the bounds were chosen: Hindi with loanwords
# (football, hotel, station, mobile, college, computer) and English lines between every second one.
HELD_OUT_HINDI = (
    "मैं हर रविवार को अपने दोस्तों के साथ फुटबॉल खेलता हूँ।",
    "इस होटल का कमरा बहुत साफ़ और बड़ा है।",
    "कृपया मुझे स्टेशन का रास्ता बताइए।",
    "उसने अपना मोबाइल फ़ोन बस में भूल गया।",
    "आज दफ़्तर में बहुत काम था, इसलिए मैं थक गया हूँ।",
    "हमारी बस सुबह सात बजे निकलेगी।",
    "मेरी बहन कॉलेज में इतिहास पढ़ती है।",
    "क्या आप थोड़ा धीरे बोल सकते हैं?",
    "बाज़ार से सब्ज़ियाँ और दूध ले आना।",
    "पिछले साल हम पहाड़ों पर घूमने गए थे।",
    "यह कंप्यूटर बहुत धीमा चल रहा है।",
    "दादी माँ हमें हर रात एक कहानी सुनाती थीं।",
)
HELD_OUT_ENGLISH = (
    "I will call you when I reach the airport.",
    "The shop closes at eight in the evening.",
    "Could you pass me the salt, please?",
    "My sister is learning to play the guitar.",
    "We missed the last bus home yesterday.",
    "This is the best tea I have ever had.",
)
HELD_OUT_SPEAKERS = ("jm_kumo", "jf_gongitsune")  # Whisper base: Hindi p 0.99 and 0.97 (indian_films)


@dataclass(frozen=True)
class Case:
    name: str
    audio: Path
    language: str  # the film's
    # start, end, language of its sentences ((): the whole case is English; None: not known)
    spoken: tuple[tuple[float, float, str], ...] | None


@dataclass(frozen=True)
class Phrase:
    case: str
    film: str  # the film's language: the one a switch is weighed against
    start: float
    end: float
    said: str  # the languages spoken in it, as the case's sentences give them ("?": not known)
    full: dict[str, float]  # Whisper's odds with the full window
    screen: dict[str, float]  # and with --screen-s of context


def held_out_sentences() -> tuple[Sentence, ...]:
    english = iter(HELD_OUT_ENGLISH)
    sentences: list[Sentence] = []
    for number, hindi in enumerate(HELD_OUT_HINDI):
        sentences.append(Sentence(hindi, "hi", ""))
        if number % 2:
            line = next(english)
            sentences.append(Sentence(line, "en", line))
    return tuple(sentences)


def cases(chosen: str) -> list[Case]:
    if chosen == "chosen":
        found = [
            Case(c.name, c.audio, c.language, tuple((s, e, lang) for s, e, lang, _ in c.sentences))
            for c in language_check.cases()
        ]
        recorded = speech.hindi_with_recorded_english()
        # its sentences' times are not kept: its phrases count in no "differ" below
        return found + [Case(recorded.name, recorded.path, "hi", None)]
    found = []
    for speaker in HELD_OUT_SPEAKERS:
        make = partial(build_film, sentences=held_out_sentences(), speaker=speaker)
        film, wav = speech.indian_film_soundtrack(make, f"held-out-hindi+english-{speaker}")
        found.append(Case(wav.stem, wav, "hi", tuple((s.start, s.end, s.language) for s in film.sentences)))
    for film in narration.narration_films(speech.SPEECH):
        found.append(Case(film.name, film.path, "hi", ()))
    return found


def measure(chosen: list[Case], screen_s: float) -> tuple[list[Phrase], float, float]:
    """Every phrase of every case, asked both ways; the encoder seconds of each way."""
    phrases: list[Phrase] = []
    seconds = {"full": 0.0, "screen": 0.0}
    asked = BatchedDecoder.language_odds
    current = [chosen[0]]  # the case being decoded

    def both(self, audio, spans, context_s=WINDOW_S):
        started = time.perf_counter()
        full = asked(self, audio, spans, context_s)
        seconds["full"] += time.perf_counter() - started
        started = time.perf_counter()
        screen = asked(self, audio, spans, screen_s)
        seconds["screen"] += time.perf_counter() - started
        for span, odds, first in zip(spans, full, screen, strict=True):
            case = current[0]
            if case.spoken is None:
                said = "?"
            else:
                heard = {lang for s, e, lang in case.spoken if s < span.end and e > span.start}
                said = ",".join(sorted(heard)) or "en"
            phrases.append(Phrase(case.name, case.language, span.start, span.end, said, odds, first))
        return full

    BatchedDecoder.language_odds = both  # type: ignore[method-assign]
    BatchedDecoder.short_context = property(lambda self: False)  # type: ignore[assignment]
    languages_in_film.WRITTEN_IN_OWN_LETTERS = frozenset()
    for case in chosen:
        current[0] = case
        asr_worker.reelsub_transcript(case.audio, 2, "base", language=case.language)
        print(f"{case.name}: {sum(p.case == case.name for p in phrases)} phrases", flush=True)
    return phrases, seconds["full"], seconds["screen"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=("chosen", "held-out"), default="held-out")
    parser.add_argument("--screen-s", type=float, default=languages_in_film.SCREEN_S)
    args = parser.parse_args()
    phrases, full_s, screen_s = measure(cases(args.set), args.screen_s)
    others = ["en"]
    wrong, unclear = [], []
    for phrase in phrases:
        decided = languages_in_film.switched_to(phrase.full, phrase.film, others)
        if not languages_in_film.answered_clearly(phrase.screen, phrase.film, others):
            unclear.append(phrase)
        elif languages_in_film.switched_to(phrase.screen, phrase.film, others) != decided:
            wrong.append(phrase)
    full_wrong = [
        p
        for p in phrases
        if p.said != "?"
        and (languages_in_film.switched_to(p.full, p.film, others) == "en") != (p.said == "en")
    ]
    out = WORK / f"screen-odds-{args.set}-{args.screen_s:g}s.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([asdict(p) for p in phrases], ensure_ascii=False, indent=1))
    print(
        f"\n{args.set}: {len(phrases)} phrases; screen of {args.screen_s:g} s: clear but deciding otherwise "
        f"than the full window {len(wrong)}, unclear (asked again) {len(unclear)}; encoder seconds: full "
        f"window {full_s:.1f}, screen {screen_s:.1f} ({screen_s / max(full_s, 1e-9):.2f}x); the full "
        f"window's own decisions against the language said: {len(full_wrong)} of "
        f"{sum(p.said != '?' for p in phrases)} differ"
    )
    for phrase in wrong:
        print(f"  clear but otherwise: {phrase}")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
