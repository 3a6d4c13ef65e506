"""Which languages a film speaks: the film's own (detected once, recorded even where config names
it, so QC can say when they disagree), and per sentence, the other languages its lines switch to.

Hindi films carry English lines. Decoded as Hindi, an English sentence is taken for Hindi (the
translate stage would treat it so) and may be written partly in Urdu letters ("کمی talk about this
later."); each phrase's audio is therefore asked which of the film's languages it is in (one
Whisper encoder pass and one decoder step per phrase, batched), and a phrase clearly in another of
them is tagged with it, and decoded again in it unless Whisper already wrote it wholly in that
language's own letters. The sentences asked are fitted to the speech VAD heard first
(reelsub.pauses): Whisper's own times run into the next sentence, whose language then speaks for
both.

Asking costs a 30 s encoder pass per phrase, most of a Hindi film's decoding time. A phrase whose
first reading holds letters, none of them in a script the other language is written in, is not
asked: Whisper writes English in Latin letters whatever language it decodes in, so a line it wrote
wholly in Urdu or Devanagari letters was not heard as English (docs/hindi-measurements.md
section 7: on the Indian films and the English corpus, 68 phrases, no sentence's language changed).
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, replace

from reelsub.asr.audio import PcmAudio
from reelsub.asr.engine import Decoder
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
PAD_S = 0.2  # air around a sentence re-decoded on its own
# Languages Whisper writes in their own letters whatever language it was told to decode in. Measured
# for English (docs/hindi-measurements.md section 7): every English phrase of the Hindi films and of
# the English corpus decoded as Hindi came out in Latin letters (or digits alone). A phrase read
# without any such letter is not asked its language; a switched phrase read wholly in them keeps
# that reading. Every phrase is asked, and every switched one decoded again, for other languages.
WRITTEN_IN_OWN_LETTERS = frozenset({"en"})


@dataclass(frozen=True)
class PhraseLanguageCheck:
    """What the per-phrase language check did (the transcript's provenance keeps it)."""

    asked: int = 0  # phrases asked their language: one encoder pass each
    not_asked: int = 0  # phrases whose first reading had no letter of another language's script
    switched: int = 0  # sentences found in another language and tagged with it
    decoded_again: int = 0  # of those, sentences decoded again in it (the rest kept their reading)

    def facts(self) -> dict[str, int]:
        return asdict(self)


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


def phrases(segments: list[Segment], speech: list[SpeechRegion] | None) -> list[list[int]]:
    """Consecutive sentences with no pause heard between them (no silence of reelsub.pauses'
    MIN_SILENCE_S in VAD's speech; without VAD, no such gap between their times), as runs of
    indices: their language is asked of them together. Greedy decoding cut "The meeting starts at
    9. Tomorrow morning." at a breath, and "Tomorrow morning." alone was too short to sound English."""
    gaps = silences(speech) if speech is not None else None
    runs: list[list[int]] = []
    for index, segment in enumerate(segments):
        if runs:
            before = segments[runs[-1][-1]]
            if gaps is None:
                paused = segment.start - before.end >= MIN_SILENCE_S
            else:
                paused = any(gap.start < segment.start and gap.end > before.end for gap in gaps)
            if not paused:
                runs[-1].append(index)
                continue
        runs.append([index])
    return runs


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
    long_enough = [
        run
        for run in phrases(segments, speech)
        if segments[run[-1]].end - segments[run[0]].start >= MIN_SENTENCE_S
    ]
    reading = {run[0]: " ".join(segments[i].text for i in run) for run in long_enough}
    candidates = [run for run in long_enough if may_be_in(others, reading[run[0]])]
    spans = [SpeechRegion(segments[run[0]].start, segments[run[-1]].end) for run in candidates]
    started = time.monotonic()
    odds = decoder.language_odds(audio, spans)  # one encoder pass per phrase: a Hindi film's main cost
    asked_s, started = time.monotonic() - started, time.monotonic()
    switched: dict[int, str] = {}  # the first sentence of a phrase -> its language
    runs = {run[0]: run for run in candidates}
    for run, probabilities in zip(candidates, odds, strict=True):
        home = probabilities.get(film_language, 0.0)
        best = max(others, key=lambda lang: probabilities.get(lang, 0.0))
        if probabilities.get(best, 0.0) >= max(SWITCH_PROBABILITY, SWITCH_ODDS * home):
            switched[run[0]] = best
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
    segments[:] = [segment for index, segment in enumerate(segments) if index not in merged]
    check = PhraseLanguageCheck(
        asked=len(candidates),
        not_asked=len(long_enough) - len(candidates),
        switched=sum(len(runs[i]) for i in switched),
        decoded_again=sum(len(runs[i]) for chosen in decode_again.values() for i in chosen),
    )
    log.info(
        "language check: %d phrase(s) asked in %.1f s; %d not asked (read without a letter of %s); "
        "%d of %d sentences in another language (%s), %d kept as read (in its own letters), "
        "%d decoded in it in %.1f s",
        check.asked,
        asked_s,
        check.not_asked,
        script_names(sorted({script for language in others for script in own_letters(language) or ()}))
        or "-",
        check.switched,
        len(segments) + len(merged),
        ", ".join(sorted(set(switched.values()))) or "none",
        check.switched - check.decoded_again,
        check.decoded_again,
        time.monotonic() - started,
    )
    return check


def _decode_in(
    decoder: Decoder, audio: PcmAudio, sentences: list[Segment], language: str
) -> list[Segment | None]:
    """Each sentence's audio decoded in ``language``: one segment per sentence, or None where
    decoding found nothing there."""
    clips = [SpeechRegion(max(0.0, s.start - PAD_S), min(audio.duration, s.end + PAD_S)) for s in sentences]
    decoded: list[Segment] = []
    for group in decoding_groups(clips, decoder.settings.batch_size):
        span = SpeechRegion(group[0].start, group[-1].end)
        decoded += decoder.decode(audio.read(span.start, span.end), span.start, group, language=language)
    results: list[Segment | None] = []
    for clip, sentence in zip(clips, sentences, strict=True):
        inside = [d for d in decoded if clip.start - 0.05 <= (d.start + d.end) / 2 <= clip.end + 0.05]
        if not inside:
            results.append(None)
            continue
        words = [w for d in inside for w in d.words]
        results.append(
            Segment(
                start=min(d.start for d in inside),
                end=max(d.end for d in inside),
                text=" ".join(d.text for d in inside),
                words=words,
                language=language,
                speaker=sentence.speaker,
            )
        )
    return results


__all__ = ["PhraseLanguageCheck", "decode_other_languages", "detect_film_language", "languages_switched_to"]
