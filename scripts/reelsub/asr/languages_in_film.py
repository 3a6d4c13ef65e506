"""Which languages a film speaks: the film's own (detected once, recorded even where config names
it, so QC can say when they disagree), and per phrase, the other languages its lines switch to.

Hindi films carry English lines. Decoded as Hindi, an English line is skipped (and the Hindi after
it in its window), or taken for Hindi and written partly in Urdu letters ("کمی talk about this
later."). So each phrase's language is heard *before* decoding (:func:`region_languages`): a
phrase is a run of VAD's speech regions with no pause heard between them, and its odds are read
from its own frames of its window's encoding, one encoder pass per 30 s window whatever the window
holds and one decoder step per region (Decoder.languages_in_windows); only a phrase whose odds are
unclear there (a short English card alone in its window) is asked with its own audio
(:func:`ask_languages`). A span of windows whose phrases are all in one language is then decoded in
it, as the layout says (the windows' encoding serving the decoding too), and a span of several
languages language by language, each one's speech packed among itself (reelsub.asr.decoding).
On the bench's Hindi film with recorded English lines: 53 -> 27 skeleton characters wrong of 630,
in less time (docs/hindi-measurements.md section 13).

Where decoding has no word times (Whisper's translate task) or no VAD, packed speech cannot be
mapped back to the film, and the sentences decoded in the film's language are checked after
(:func:`decode_other_languages`): each phrase's audio is asked which of the film's languages it is
in (one Whisper encoder pass and one decoder step per phrase, batched), and a phrase clearly in
another of them is tagged with it, and decoded again in it unless Whisper already wrote it wholly in
that language's own letters. The sentences asked are fitted to the speech VAD heard first
(reelsub.pauses): Whisper's own times run into the next sentence, whose language then speaks for
both.

Asking after decoding costs an encoder pass per phrase: of 10 s of context (a quarter of Whisper's
30 s window), and of a full window only where that answer is unclear (:func:`ask_languages`). A
phrase whose first reading holds letters, none of them in a script the other language is written
in, is not asked: Whisper writes English in Latin letters whatever language it decodes in, so a line
it wrote wholly in Urdu or Devanagari letters was not heard as English (docs/hindi-measurements.md
section 7: on the Indian films and the English corpus, 68 phrases, no sentence's language changed).

The same letters tell when Whisper, having written an English line, carried them into the next line
of its window: a phrase that stayed in the film's language but was read partly in Latin letters after
an English one is decoded again in the film's language, after the last line read in its own letters,
and the new reading is taken only where it holds no Latin letter (docs/hindi-measurements.md section 8).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from itertools import pairwise

from reelsub.asr.audio import PcmAudio
from reelsub.asr.engine import Decoder
from reelsub.asr.packing import PackedSpeech
from reelsub.asr.vad import WINDOW_S
from reelsub.asr.windows import decoding_groups
from reelsub.contracts.transcript import Segment, SpeechRegion
from reelsub.languages import expected_scripts
from reelsub.pauses import MIN_SILENCE_S, silences
from reelsub.text import letter_scripts, script_names

log = logging.getLogger(__name__)

MIN_SENTENCE_S = 0.8  # shorter sentences say too little for Whisper's language detection
# Another language must be this likely, and this many times likelier than the film's, to switch.
# On Kokoro Hindi/English sentences (Whisper base): English lines p(en) 0.70-0.99, p(hi) <= 0.004;
# Hindi lines, loanwords ("train", "cricket") and all, p(en) <= 0.15.
SWITCH_PROBABILITY = 0.5
SWITCH_ODDS = 3.0
# A phrase is asked first with SCREEN_S of context (its audio padded to 10 s, not Whisper's 30 s: a
# quarter of the encoder's cost), and again with the full window unless that answer is clear: another
# language at CLEAR_SWITCH_PROBABILITY or more (and SWITCH_ODDS times the film's), or every other one
# under CLEAR_STAY_PROBABILITY. With less context Whisper is less sure (a Marathi line p(en) 0.27 ->
# 0.55; English lines 0.95 -> 0.34), never surer the wrong way past these bounds: on 219 phrases
# (the Indian films, the English corpus and 8 narration voices as lines of Hindi films, a held-out
# Hindi+English film in two voices) every clear answer was the full window's decision, and 35 were
# asked again (docs/hindi-measurements.md section 11).
SCREEN_S = 10.0
CLEAR_SWITCH_PROBABILITY = 0.8
CLEAR_STAY_PROBABILITY = 0.1
# A phrase's odds read from its window's encoding decide its language where they switch it, where
# Whisper gives one language (not another of the film's) SURE_PROBABILITY, or where it gives the film's
# PLAUSIBLE_PROBABILITY and more than any other of the film's (heard_clearly). On the Hindi films'
# lines, read so, p(hi) ran 0.25-1.00 (Urdu 0.31-0.94 where it was likelier), p(en) of a Hindi line
# at most 0.25 and under p(hi); on short English cards alone in their window, p(hi) under 0.06.
SURE_PROBABILITY = 0.5
PLAUSIBLE_PROBABILITY = 0.25
PAD_S = 0.2  # air around a sentence re-decoded on its own
# Languages Whisper writes in their own letters whatever language it was told to decode in. Measured
# for English (docs/hindi-measurements.md section 7): every English phrase of the Hindi films and of
# the English corpus decoded as Hindi came out in Latin letters (or digits alone). A phrase read
# without any such letter is not asked its language; a switched phrase read wholly in them keeps
# that reading. Every phrase is asked, and every switched one decoded again, for other languages.
WRITTEN_IN_OWN_LETTERS = frozenset({"en"})
KEPT_WORDS = 2 / 3  # a phrase read again must keep this share of its words (as_full)


@dataclass(frozen=True)
class PhraseLanguageCheck:
    """What the per-phrase language check did (the transcript's provenance keeps it)."""

    asked: int = 0  # phrases asked their language: one encoder pass each, of SCREEN_S where it can
    asked_again: int = 0  # of those, asked again with Whisper's full window (the first answer unclear)
    not_asked: int = 0  # phrases whose first reading had no letter of another language's script
    switched: int = 0  # sentences found in another language and tagged with it
    decoded_again: int = 0  # of those, sentences decoded again in it (the rest kept their reading)
    # sentences of the film's language that followed a switched phrase and were read partly in its
    # letters, decoded again in the film's language; and of those, how many took the new reading
    read_again: int = 0
    read_again_kept: int = 0

    def facts(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class CarriedPhrase:
    """A phrase kept in the film's language but begun in the letters of the line before it
    (:func:`carried_over`), to be read again."""

    sentences: list[int]  # its sentences (indices into the film's)
    carried_from: str  # the language of the line before it, whose letters it was begun in
    context: list[int]  # the last phrase before it read in the film's letters alone ([]: none)


def detect_film_language(
    decoder: Decoder, audio: PcmAudio, windows: list[SpeechRegion]
) -> tuple[str | None, float]:
    """Whisper's language for the first window with speech (probability), or (None, 0) without speech."""
    if not windows:
        return None, 0.0
    if not decoder.multilingual:
        return "en", 1.0  # an English-only model (tiny.en) hears nothing else
    first = windows[0]
    (odds,) = decoder.language_odds(
        audio, [SpeechRegion(first.start, min(first.end, first.start + WINDOW_S))]
    )
    return most_likely(odds)


@dataclass
class LanguagesHeardFirst:
    """What hearing each phrase's language before decoding found, over a film's spans (the
    transcript's provenance keeps it)."""

    phrases: int = 0  # phrases asked: runs of speech regions with no pause heard between them
    asked_again: int = 0  # of those, asked again with their own audio (their window's answer unclear)
    switched: dict[str, int] = field(default_factory=dict)  # phrases in another language, by language
    spans_by_language: int = 0  # spans decoded language by language (the rest: in the film's alone)
    seconds: float = 0.0  # the encoder passes and decoder steps that asked them

    def facts(self) -> dict[str, object]:
        return {**asdict(self), "seconds": round(self.seconds, 2)}


def heard_phrases(regions: list[SpeechRegion], speech: list[SpeechRegion]) -> list[list[int]]:
    """Consecutive decoding regions with no pause heard between them (no silence of MIN_SILENCE_S in
    VAD's ``speech`` between their middles), as runs of indices: their language is asked together,
    as :func:`phrases` asks sentences'."""
    gaps = [(gap.start + gap.end) / 2 for gap in silences(speech)]

    def no_pause_between(before: int, index: int) -> bool:
        first, then = regions[before], regions[index]
        return not any((first.start + first.end) / 2 < gap < (then.start + then.end) / 2 for gap in gaps)

    return runs_where(len(regions), no_pause_between)


def runs_where(count: int, together: Callable[[int, int], bool]) -> list[list[int]]:
    """The indices ``0 .. count - 1`` as runs of consecutive ones: an index joins the run before it
    where ``together(that run's last index, index)``."""
    runs: list[list[int]] = []
    for index in range(count):
        if runs and together(runs[-1][-1], index):
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def region_languages(
    decoder: Decoder,
    audio: PcmAudio,
    samples: object,
    span: SpeechRegion,
    windows: list[SpeechRegion],
    regions: list[SpeechRegion],
    speech: list[SpeechRegion],
    film_language: str,
    others: list[str],
    heard: LanguagesHeardFirst,
) -> list[str]:
    """The language each of ``regions`` (one ``span``'s, within its ``windows``; ``samples`` the
    span's audio) is spoken in, heard before it is decoded.

    Each phrase's (:func:`heard_phrases`) odds are its regions' odds, weighted by their length,
    read from their frames of their window's encoding (Decoder.languages_in_windows: one encoder
    pass per window, not one per phrase). Where those odds are not clear (:func:`heard_clearly`),
    the phrase is asked as the check after decoding asks it (:func:`ask_languages`: its own audio with SCREEN_S of
    context, then the full window). A phrase is in one of ``others`` where :func:`switched_to` says
    so, and in the film's language otherwise, as is one shorter than MIN_SENTENCE_S. ``heard`` counts
    what was asked and found."""
    started = time.monotonic()
    odds = decoder.languages_in_windows(samples, span.start, windows, regions)
    asked = [
        run
        for run in heard_phrases(regions, speech)
        if regions[run[-1]].end - regions[run[0]].start >= MIN_SENTENCE_S
    ]
    heard.phrases += len(asked)
    answers = [weighted_odds(odds, regions, run) for run in asked]
    unclear = [i for i, answer in enumerate(answers) if not heard_clearly(answer, film_language, others)]
    if unclear:
        spans = [SpeechRegion(regions[asked[i][0]].start, regions[asked[i][-1]].end) for i in unclear]
        again, _ = ask_languages(decoder, audio, spans, film_language, others)
        for index, answer in zip(unclear, again, strict=True):
            answers[index] = answer
        heard.asked_again += len(unclear)
    languages = [film_language] * len(regions)
    for run, answer in zip(asked, answers, strict=True):
        if language := switched_to(answer, film_language, others):
            heard.switched[language] = heard.switched.get(language, 0) + 1
            for index in run:
                languages[index] = language
    heard.seconds += time.monotonic() - started
    return languages


def heard_clearly(odds: dict[str, float], film_language: str, others: list[str]) -> bool:
    """Whether a phrase's odds read from its window's encoding may decide its language: they switch
    it (:func:`switched_to`); or Whisper gives one language not among ``others`` SURE_PROBABILITY or
    more (Hindi heard as Urdu is Hindi still); or the film's language PLAUSIBLE_PROBABILITY or more,
    and more than each of ``others``. Read so, every line of the Indian test films was decided as its
    language is, none asked again; a short English card ("Thank you.") alone in its window was spread
    thin over languages of neither (p 0.13-0.35 for ar, ml, et, hr, tl; p(en) and p(hi) under 0.06),
    and is asked again (docs/hindi-measurements.md section 13)."""
    if switched_to(odds, film_language, others):
        return True
    language, probability = most_likely(odds)
    if probability >= SURE_PROBABILITY and language not in others:
        return True
    film = odds.get(film_language, 0.0)
    return film >= PLAUSIBLE_PROBABILITY and all(odds.get(other, 0.0) < film for other in others)


def weighted_odds(
    odds: list[dict[str, float]], regions: list[SpeechRegion], run: list[int]
) -> dict[str, float]:
    """A phrase's odds: its regions' odds, each weighted by its share of the phrase's speech."""
    length = sum(regions[i].duration for i in run) or 1.0
    together: dict[str, float] = {}
    for index in run:
        for language, probability in odds[index].items():
            together[language] = together.get(language, 0.0) + probability * regions[index].duration / length
    return together


def switched_to(
    odds: dict[str, float],
    film_language: str,
    others: list[str],
    probability: float = SWITCH_PROBABILITY,
) -> str | None:
    """The language of ``others`` a phrase with these odds is in, where it is at least
    ``probability`` likely and SWITCH_ODDS times likelier than the film's; None: the film's."""
    best = max(others, key=lambda language: odds.get(language, 0.0))
    if odds.get(best, 0.0) >= max(probability, SWITCH_ODDS * odds.get(film_language, 0.0)):
        return best
    return None


def answered_clearly(odds: dict[str, float], film_language: str, others: list[str]) -> bool:
    """Whether odds asked with SCREEN_S of context may stand for the full window's: another language
    at CLEAR_SWITCH_PROBABILITY (and SWITCH_ODDS times the film's), or every other one under
    CLEAR_STAY_PROBABILITY."""
    return switched_to(odds, film_language, others, CLEAR_SWITCH_PROBABILITY) is not None or all(
        odds.get(language, 0.0) < CLEAR_STAY_PROBABILITY for language in others
    )


def ask_languages(
    decoder: Decoder, audio: PcmAudio, spans: list[SpeechRegion], film_language: str, others: list[str]
) -> tuple[list[dict[str, float]], int]:
    """Each span's language odds, asked with SCREEN_S of context where the engine can and the span
    fits, and again with Whisper's full window where that answer is not clear; and how many were
    asked again."""
    answers: list[dict[str, float] | None] = [None] * len(spans)
    screened = [i for i, span in enumerate(spans) if decoder.short_context and span.duration <= SCREEN_S]
    if screened:
        first_answers = decoder.language_odds(audio, [spans[i] for i in screened], SCREEN_S)
        for index, first in zip(screened, first_answers, strict=True):
            if answered_clearly(first, film_language, others):
                answers[index] = first
    unclear = [i for i, answer in enumerate(answers) if answer is None]
    if unclear:
        full_answers = decoder.language_odds(audio, [spans[i] for i in unclear])
        for index, full in zip(unclear, full_answers, strict=True):
            answers[index] = full
    asked_again = len(set(screened) & set(unclear))
    return [answer for answer in answers if answer is not None], asked_again


def most_likely(odds: dict[str, float] | None) -> tuple[str | None, float]:
    """The language Whisper gives most probability, and that probability ((None, 0): no odds)."""
    if not odds:
        return None, 0.0
    language = max(odds, key=odds.__getitem__)
    return language, odds[language]


def languages_switched_to(
    multilingual: bool, film_language: str | None, other_languages: list[str]
) -> list[str]:
    """The languages a sentence of this film may switch to: ``other_languages`` less the film's own,
    none where the film's language is unknown or the model speaks only English."""
    if not film_language or not multilingual:
        return []
    return [lang for lang in dict.fromkeys(other_languages) if lang != film_language]


def own_letters(language: str) -> tuple[str, ...] | None:
    """The scripts (ISO 15924) Whisper writes ``language`` in whatever language it decodes in; None
    where that was not measured (WRITTEN_IN_OWN_LETTERS)."""
    return expected_scripts(language) if language in WRITTEN_IN_OWN_LETTERS else None


def may_be_in(others: list[str], first_reading: str) -> bool:
    """Whether a phrase whose first reading (decoded in the film's language) is ``first_reading``
    may be spoken in one of ``others``, and so must be asked: True unless the reading holds letters
    and, for each of ``others``, none in its own letters (:func:`own_letters`). Digits alone ("5 5"
    for an English "five five") are no evidence: asked."""
    letters = letter_scripts(first_reading)
    if not letters:
        return True
    for language in others:
        scripts = own_letters(language)
        if scripts is None or any(letters[script] for script in scripts):
            return True
    return False


def read_in_own_letters(language: str, first_reading: str) -> bool:
    """Whether a phrase heard in ``language`` was already written wholly in its own letters: then
    that reading is kept. Decoded again on their own, in English, such lines read worse: 99 word
    errors against 73 in 582 (the English corpus as lines of a Hindi film, Whisper base,
    bench/language_check.py)."""
    letters = letter_scripts(first_reading)
    scripts = own_letters(language)
    return bool(letters) and scripts is not None and set(letters) <= set(scripts)


def carried_over(previous: str | None, reading: str) -> bool:
    """Whether a phrase kept in the film's language, following one found in ``previous``, was read
    partly in ``previous``'s own letters. Whisper, having written an English line, carries on in
    Latin letters into the next line of its window ("Wachiparke में ..." for "बच्चे पार्क में ...",
    Whisper base, docs/hindi-measurements.md section 4)."""
    scripts = own_letters(previous) if previous else None
    letters = letter_scripts(reading)
    return scripts is not None and any(letters[script] for script in scripts)


def freed_of(previous: str, new_reading: str) -> bool:
    """Whether a phrase decoded again in the film's language came out free of ``previous``'s letters
    (and with letters): the test of :func:`may_be_in` that a reading was not heard in ``previous``.
    Anything else is refused: decoded alone, the loanword line "ट्रेन दस मिनट देर से आएगी" came out
    as an English translation, "3-10 minutes thereafter"."""
    return bool(letter_scripts(new_reading)) and not may_be_in([previous], new_reading)


def as_full(first_reading: str, new_reading: str) -> bool:
    """Whether a reading decoded again holds at least KEPT_WORDS of the first reading's words. Told
    to decode Hindi, Whisper skips speech in another language: phrases of a Hindi and a recorded
    English line (no pause heard between them), read again in Hindi, came back as their Hindi alone
    (10 words of 17, 14 of 24; bench row c's Hindi film with recorded English lines). The readings
    taken held as many words as the first, or more (7 of 7, 7 of 6)."""
    return len(new_reading.split()) >= KEPT_WORDS * len(first_reading.split())


def written_apart(others: list[str], first: str, second: str) -> bool:
    """Whether two readings were heard in different languages, by their letters: one written wholly
    in the own letters of one of ``others`` (:data:`WRITTEN_IN_OWN_LETTERS`), the other with letters
    and none of them. Mixed readings ("کمی talk about this later.") and digits alone tell nothing."""
    for language in others:
        if own_letters(language) is None:
            continue
        wholly = (read_in_own_letters(language, first), read_in_own_letters(language, second))
        without = (not may_be_in([language], first), not may_be_in([language], second))
        if (wholly[0] and without[1]) or (without[0] and wholly[1]):
            return True
    return False


def phrases(
    segments: list[Segment], speech: list[SpeechRegion] | None, others: list[str] | None = None
) -> list[list[int]]:
    """Consecutive sentences with no pause heard between them (no silence of reelsub.pauses'
    MIN_SILENCE_S in VAD's speech; without VAD, no such gap between their times), as runs of
    indices: their language is asked of them together. Greedy decoding cut "The meeting starts at
    9. Tomorrow morning." at a breath, and "Tomorrow morning." alone was too short to sound English.

    Where the letters of two such sentences say they are in different languages of ``others`` and
    the film's (:func:`written_apart`), they are asked apart: a recorded English line and the Hindi
    line after it, its first word aligned into the English line's speech, were asked together, and
    the pair, heard as English and decoded again in it, came back as the English line alone (bench
    row c's Hindi film with recorded English lines, docs/hindi-measurements.md section 10)."""
    gaps = silences(speech) if speech is not None else None

    def together(previous: int, index: int) -> bool:
        before, segment = segments[previous], segments[index]
        if gaps is None:
            paused = segment.start - before.end >= MIN_SILENCE_S
        else:
            paused = any(gap.start < segment.start and gap.end > before.end for gap in gaps)
        return not paused and not written_apart(others or [], before.text, segment.text)

    return runs_where(len(segments), together)


def decode_other_languages(
    decoder: Decoder,
    audio: PcmAudio,
    segments: list[Segment],
    speech: list[SpeechRegion] | None,
    film_language: str | None,
    others: list[str],
) -> PhraseLanguageCheck:
    """Sentences spoken in one of ``others`` (:func:`languages_switched_to`) tagged with it, and
    decoded again in it unless already read in its own letters (``segments`` changed in place: a
    phrase decoded again becomes one segment)."""
    if not others or not film_language:
        return PhraseLanguageCheck()
    every_phrase = phrases(segments, speech, others)
    long_enough = [
        run for run in every_phrase if segments[run[-1]].end - segments[run[0]].start >= MIN_SENTENCE_S
    ]
    reading = {run[0]: " ".join(segments[i].text for i in run) for run in long_enough}
    candidates = [run for run in long_enough if may_be_in(others, reading[run[0]])]
    spans = [SpeechRegion(segments[run[0]].start, segments[run[-1]].end) for run in candidates]
    started = time.monotonic()
    # one encoder pass per phrase (two where the first answer is unclear): a Hindi film's main cost
    odds, asked_again = ask_languages(decoder, audio, spans, film_language, others)
    asked_s, started = time.monotonic() - started, time.monotonic()
    switched: dict[int, str] = {}  # the first sentence of a phrase -> its language
    runs = {run[0]: run for run in candidates}
    for run, probabilities in zip(candidates, odds, strict=True):
        if language := switched_to(probabilities, film_language, others):
            switched[run[0]] = language
    merged: set[int] = set()  # sentences now part of their phrase's first one
    decode_again: dict[str, list[int]] = {}  # language -> the phrases (first sentences) to decode in it
    for index, language in switched.items():
        if read_in_own_letters(language, reading[index]):
            for member in runs[index]:
                segments[member].language = language
        else:
            decode_again.setdefault(language, []).append(index)
    for language, chosen in decode_again.items():
        spoken = [replace(segments[i], end=segments[runs[i][-1]].end, language=language) for i in chosen]
        replacements = _decode_in(decoder, audio, spoken, language)
        for index, new in zip(chosen, replacements, strict=True):
            if new:
                segments[index] = new
                merged.update(runs[index][1:])
            else:
                for member in runs[index]:
                    segments[member].language = language
    decoded_s, started = time.monotonic() - started, time.monotonic()
    # the line after an English one, in the same window, may be begun in English letters: read again
    before = {run[0]: switched.get(previous[0]) for previous, run in pairwise(every_phrase)}
    carried: list[CarriedPhrase] = []
    context: list[int] = []  # the last phrase so far read in the film's letters alone (not asked)
    for run in long_enough:
        if run[0] not in runs:
            context = run
        elif run[0] not in switched and carried_over(before.get(run[0]), reading[run[0]]):
            carried.append(CarriedPhrase(run, before[run[0]] or "", context))
    kept = _read_again_in(decoder, audio, segments, carried, film_language, merged)
    segments[:] = [segment for index, segment in enumerate(segments) if index not in merged]
    check = PhraseLanguageCheck(
        asked=len(candidates),
        asked_again=asked_again,
        not_asked=len(long_enough) - len(candidates),
        switched=sum(len(runs[i]) for i in switched),
        decoded_again=sum(len(runs[i]) for chosen in decode_again.values() for i in chosen),
        read_again=sum(len(phrase.sentences) for phrase in carried),
        read_again_kept=kept,
    )
    log.info(
        "language check: %d phrase(s) asked in %.1f s (%d of them again with a full window); "
        "%d not asked (read without a letter of %s); "
        "%d of %d sentences in another language (%s), %d kept as read (in its own letters), "
        "%d decoded in it in %.1f s; %d sentence(s) of %s after such a line read partly in its letters, "
        "decoded again in %.1f s, %d taking the new reading",
        check.asked,
        asked_s,
        check.asked_again,
        check.not_asked,
        script_names(sorted({script for language in others for script in own_letters(language) or ()}))
        or "-",
        check.switched,
        len(segments) + len(merged),
        ", ".join(sorted(set(switched.values()))) or "none",
        check.switched - check.decoded_again,
        check.decoded_again,
        decoded_s,
        check.read_again,
        film_language,
        time.monotonic() - started,
        check.read_again_kept,
    )
    return check


def _read_again_in(
    decoder: Decoder,
    audio: PcmAudio,
    segments: list[Segment],
    carried: list[CarriedPhrase],
    film_language: str,
    merged: set[int],
) -> int:
    """``carried`` phrases (:func:`carried_over`) decoded again in the film's language, each packed
    after its context, the English lines left out (reelsub.asr.packing: one window holds several);
    a new reading replaces the first where it is free of the letters it was begun in
    (:func:`freed_of`). How many sentences took it.

    Whisper carries on in the letters of what it last wrote in its window. On the Hindi+English film
    (Whisper base), decoded again on their own, "Wachiparke में ..." came out in Urdu letters but the
    loanword line "Train does minute, dare से ..." as an English translation, "3-10 minutes
    thereafter", and packed together, both as translations; each after the Hindi line before them,
    "ترین دس مینٹ دیر سے آئے گی" and "بچے پارک میں کریکت کھیل رہے ہیں", one encoder pass for both."""
    if not carried:
        return 0
    clip = {}  # a phrase's first sentence -> its audio, padded
    for phrase in carried:
        for run in (phrase.context, phrase.sentences):
            if run:
                start, end = segments[run[0]].start - PAD_S, segments[run[-1]].end + PAD_S
                clip[run[0]] = SpeechRegion(max(0.0, start), min(audio.duration, end))
    packed = PackedSpeech.of(_joined(sorted(clip.values(), key=lambda region: region.start)))
    decoded = packed.to_film(
        decoder.decode(packed.read(audio), 0.0, packed.windows(), language=film_language), film_language
    )
    taken = 0
    for phrase in carried:
        first = phrase.sentences[0]
        new = _heard_in(decoded, clip[first], segments[first])
        first_reading = " ".join(segments[i].text for i in phrase.sentences)
        if new and freed_of(phrase.carried_from, new.text) and as_full(first_reading, new.text):
            segments[first] = new
            merged.update(phrase.sentences[1:])
            taken += len(phrase.sentences)
    return taken


def _joined(regions: list[SpeechRegion]) -> list[SpeechRegion]:
    """Regions in time order, those that overlap joined: audio is packed once."""
    joined: list[SpeechRegion] = []
    for region in regions:
        if joined and region.start <= joined[-1].end:
            joined[-1] = SpeechRegion(joined[-1].start, max(joined[-1].end, region.end))
        else:
            joined.append(region)
    return joined


def _heard_in(decoded: list[Segment], clip: SpeechRegion, sentence: Segment) -> Segment | None:
    """The decoded segments whose middle falls in ``clip`` as one segment (``sentence``'s language
    and speaker), or None where decoding found nothing there."""
    inside = [d for d in decoded if clip.start - 0.05 <= (d.start + d.end) / 2 <= clip.end + 0.05]
    if not inside:
        return None
    return Segment(
        start=min(d.start for d in inside),
        end=max(d.end for d in inside),
        text=" ".join(d.text for d in inside),
        words=[w for d in inside for w in d.words],
        language=sentence.language,
        speaker=sentence.speaker,
    )


def _decode_in(
    decoder: Decoder, audio: PcmAudio, sentences: list[Segment], language: str
) -> list[Segment | None]:
    """Each sentence's audio decoded in ``language``: one segment per sentence (tagged with it), or
    None where decoding found nothing there."""
    clips = [SpeechRegion(max(0.0, s.start - PAD_S), min(audio.duration, s.end + PAD_S)) for s in sentences]
    decoded: list[Segment] = []
    for group in decoding_groups(clips, decoder.settings.batch_size):
        span = SpeechRegion(group[0].start, group[-1].end)
        decoded += decoder.decode(audio.read(span.start, span.end), span.start, group, language=language)
    return [
        _heard_in(decoded, clip, replace(sentence, language=language))
        for clip, sentence in zip(clips, sentences, strict=True)
    ]


__all__ = [
    "LanguagesHeardFirst",
    "PhraseLanguageCheck",
    "decode_other_languages",
    "detect_film_language",
    "languages_switched_to",
    "region_languages",
]
