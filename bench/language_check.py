#!/usr/bin/env python
"""What the per-phrase language check asks, decides and costs, with and without trusting the first
reading's letters (docs/hindi-measurements.md section 7 holds the figures).

    PYTHONPATH=scripts:tests:bench .venv/bin/python bench/language_check.py [--arms ARM ...]
    # about 5 min an arm, 2 cores

Four arms, each one ``reelsub.asr.transcribe`` per case (Whisper base, int8, CPU, the asr rule's
settings, ``asr.other_languages: [en]``):
- every phrase: ``languages_in_film.WRITTEN_IN_OWN_LETTERS`` emptied, so every phrase is asked its
  language and every switched one decoded again on its own (reelsub before 2026-12-06);
- letters: a phrase read without a Latin letter is not asked; a switched phrase read in Latin letters
  alone keeps that reading (reelsub from 2026-12-06);
- full window: as letters, and a phrase kept in the film's language but read partly in Latin letters
  after an English line is decoded again in the film's language, the new reading taken where it holds
  no Latin letter (``languages_in_film.carried_over``; since 2026-12-07).
  Every phrase is asked with Whisper's full 30 s window (reelsub before 2026-12-07's screen);
- default: as full window, but a phrase is asked first with 10 s of context and again with the full
  window only where that answer is unclear (``languages_in_film.ask_languages``; since 2026-12-07).

Cases: tests/indian_films.py's Hindi, Hindi+English, Bengali and Marathi films (SUBSTITUTE speech:
Kokoro-82M TTS speaking espeak-ng phonemes, not recorded speech), each decoded in its own language;
and every clip of the English corpus (bench/speech.py: LibriVox, cards, the pyannote conversation, jfk,
the noisy copies; recorded speech) decoded as a line of a Hindi film (language hi).

Per case and arm: phrases asked / not asked, sentences switched / decoded again, sentences of the
film's language read again / taking the new reading, the seconds the check took (all three steps),
each reference sentence's language as the transcript tags its words (the decision a reader sees), and
the words' errors: skeleton CER for the Hindi films (bench/hindi_script_options.py), WER for English
(bench/corpus.py), none for Bengali and Marathi (the skeleton is Hindi's).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from dataclasses import asdict, dataclass
from itertools import pairwise
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import asr_worker
import corpus
import speech
from hindi_script_options import skeleton_errors
from indian_films import bengali_film, hindi_film, marathi_film, mixed_film
from reelsub.asr import decoding, languages_in_film
from reelsub.asr.faster_whisper import BatchedDecoder
from reelsub.contracts.transcript import Transcript

RESULTS = Path(__file__).resolve().parent / "work" / "language_check.json"


@dataclass(frozen=True)
class Arm:
    written_in_own_letters: frozenset[str]  # languages_in_film.WRITTEN_IN_OWN_LETTERS
    read_again: bool  # lines of the film's language begun in English letters decoded again
    screened: bool = True  # phrases asked with SCREEN_S of context first (BatchedDecoder.short_context)
    heard_first: bool = False  # each phrase's language heard before decoding (decoding.HEAR_LANGUAGES_FIRST)


ARMS = {
    "every phrase": Arm(frozenset(), read_again=False),
    "letters": Arm(languages_in_film.WRITTEN_IN_OWN_LETTERS, read_again=False),
    "full window": Arm(languages_in_film.WRITTEN_IN_OWN_LETTERS, read_again=True, screened=False),
    "screened": Arm(languages_in_film.WRITTEN_IN_OWN_LETTERS, read_again=True),
    "default": Arm(languages_in_film.WRITTEN_IN_OWN_LETTERS, read_again=True, heard_first=True),
}
CARRIED_OVER = languages_in_film.carried_over


@dataclass(frozen=True)
class Case:
    name: str
    audio: Path
    language: str  # the film's, as its sheet gives it
    sentences: tuple[tuple[float, float, str, str], ...]  # start, end, language, text
    score: str  # "skeleton", "wer" or "" (none)


@dataclass
class Outcome:
    case: str
    arm: str
    asked: int
    asked_again: int  # of those, asked again with the full window (the SCREEN_S answer unclear)
    not_asked: int
    switched: int
    decoded_again: int
    read_again: int  # sentences of the film's language begun in English letters, decoded again
    read_again_kept: int  # of those, the ones that took the new reading
    check_s: float
    seconds: float
    tagged: list[str]  # each reference sentence's language, by the majority of its words' tags
    score: str  # the case's: "skeleton", "wer" or ""
    errors: int | None
    units: int | None  # reference words or skeleton characters


def cases() -> list[Case]:
    found = []
    for name, make, score in (
        ("hindi", hindi_film, "skeleton"),
        ("hindi+english", mixed_film, "skeleton"),
        ("bengali", bengali_film, ""),
        ("marathi", marathi_film, ""),
    ):
        film, wav = speech.indian_film_soundtrack(make, name)
        sentences = tuple((s.start, s.end, s.language, s.text) for s in film.sentences)
        found.append(Case(name, wav, film.sentences[0].language, sentences, score))
    for clip in speech.corpus():
        found.append(Case(clip.name, clip.path, "hi", ((0.0, clip.duration, "en", clip.reference),), "wer"))
    return found


def tagged_languages(transcript: Transcript, case: Case) -> list[str]:
    """Each reference sentence's language as the transcript tags the words said in it."""
    tags = []
    for start, end, _, _ in case.sentences:
        votes = Counter(
            segment.language or case.language
            for segment in transcript.segments
            for word in segment.words
            if start - 0.3 <= (word.start + word.end) / 2 <= end + 0.3
        )
        tags.append(votes.most_common(1)[0][0] if votes else "-")
    return tags


def run(case: Case, arm: str) -> Outcome:
    languages_in_film.WRITTEN_IN_OWN_LETTERS = ARMS[arm].written_in_own_letters
    languages_in_film.carried_over = CARRIED_OVER if ARMS[arm].read_again else lambda *_: False
    BatchedDecoder.short_context = property(lambda self: ARMS[arm].screened)  # type: ignore[assignment]
    decoding.HEAR_LANGUAGES_FIRST = ARMS[arm].heard_first
    started = time.perf_counter()
    transcript, timer = asr_worker.reelsub_transcript(case.audio, 2, "base", language=case.language)
    seconds = time.perf_counter() - started
    settings = transcript.provenance[0].settings
    check = settings.get("phrase_language_check") or heard_first_as_check(settings["languages_heard_first"])
    reference = " ".join(text for _, _, _, text in case.sentences)
    errors = units = None
    if case.score == "skeleton":
        _, errors, units = skeleton_errors(reference, transcript.text)
    elif case.score == "wer":
        _, errors, units = corpus.wer(reference, transcript.text)
    return Outcome(
        case.name,
        arm,
        check["asked"],
        check.get("asked_again", 0),
        check["not_asked"],
        check["switched"],
        check["decoded_again"],
        check.get("read_again", 0),
        check.get("read_again_kept", 0),
        round(timer.language_check_s + timer.switched_decode_s + timer.read_again_s, 2),
        round(seconds, 2),
        tagged_languages(transcript, case),
        case.score,
        errors,
        units,
    )


def heard_first_as_check(heard: dict) -> dict:
    """The default's facts in the check's columns: phrases asked before decoding (again on their own
    where their window's answer was unclear; none not asked), phrases switched (each decoded in its
    language, none kept as first read)."""
    switched = sum(heard["switched"].values())
    return {
        "asked": heard["phrases"],
        "asked_again": heard["asked_again"],
        "not_asked": 0,
        "switched": switched,
        "decoded_again": switched,
    }


def tagged_right(outcome: Outcome, truth: dict[str, list[str]]) -> int:
    """How many of the case's reference sentences carry their own language's tag."""
    return sum(tag == said for tag, said in zip(outcome.tagged, truth[outcome.case], strict=True))


def pooled(outcomes: list[Outcome], score: str) -> str:
    """The error rate of every outcome scored by ``score``, pooled: "12.5% (73/582)"."""
    errors = sum(o.errors or 0 for o in outcomes if o.score == score)
    units = sum(o.units or 0 for o in outcomes if o.score == score)
    return f"{errors / max(1, units):.1%} ({errors}/{units})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--arms", nargs="+", choices=ARMS, default=list(ARMS), help="in this order")
    arms = parser.parse_args().arms
    outcomes: list[Outcome] = []
    truth: dict[str, list[str]] = {}
    for case in cases():
        truth[case.name] = [language for _, _, language, _ in case.sentences]
        for arm in arms:
            outcomes.append(run(case, arm))
            o = outcomes[-1]
            print(
                f"{o.case:22} {arm:12} asked {o.asked:2} ({o.asked_again} again) not {o.not_asked:2} "
                f"switched {o.switched:2} "
                f"again {o.decoded_again:2} read again {o.read_again_kept}/{o.read_again} "
                f"check {o.check_s:5.1f} s total {o.seconds:5.1f} s "
                f"errors {o.errors}/{o.units} right {tagged_right(o, truth)}"
                f"/{len(o.tagged)}",
                flush=True,
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps([asdict(o) for o in outcomes], ensure_ascii=False, indent=1))
    print(
        "\n| arm | phrases asked (again with a full window) / not asked | sentences switched / decoded again | "
        "sentences of the film's language read again / taking it | check s | "
        "sentences in their language | English WER | Hindi skeleton CER |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for arm in arms:
        mine = [o for o in outcomes if o.arm == arm]
        right = sum(tagged_right(o, truth) for o in mine)
        sentences = sum(len(o.tagged) for o in mine)
        print(
            f"| {arm} | {sum(o.asked for o in mine)} ({sum(o.asked_again for o in mine)}) / "
            f"{sum(o.not_asked for o in mine)} | "
            f"{sum(o.switched for o in mine)} / {sum(o.decoded_again for o in mine)} | "
            f"{sum(o.read_again for o in mine)} / {sum(o.read_again_kept for o in mine)} | "
            f"{sum(o.check_s for o in mine):.1f} | {right} / {sentences} | {pooled(mine, 'wer')} | "
            f"{pooled(mine, 'skeleton')} |"
        )
    by_case = {(o.case, o.arm): o for o in outcomes}
    for earlier, arm in pairwise(arms):
        differ = [
            (case, i)
            for case in truth
            for i, (x, y) in enumerate(
                zip(by_case[case, earlier].tagged, by_case[case, arm].tagged, strict=True)
            )
            if x != y
        ]
        changed = [
            f"{case} {by_case[case, earlier].errors} -> {by_case[case, arm].errors}"
            for case in truth
            if by_case[case, arm].errors != by_case[case, earlier].errors
        ]
        print(f"\n{arm} against {earlier}: sentences whose language differs: {len(differ)} {differ}")
        print(f"  cases whose errors differ: {changed or 'none'}")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
