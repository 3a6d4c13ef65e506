"""Which languages a film speaks: the film's own (detected once, recorded even where config names
it, so QC can say when they disagree), and per sentence, the other languages its lines switch to.

Hindi films carry English lines. Decoded as Hindi, an English sentence comes out as Hindi-script
gibberish; each sentence's audio is therefore asked which of the film's languages it is in (one
Whisper encoder pass and one decoder step per sentence, batched), and a sentence that is clearly
in another of them is decoded again in that language and tagged with it. The sentences asked are
fitted to the speech VAD heard first (reelsub.pauses): Whisper's own times run into the next
sentence, whose language then speaks for both.
"""

from __future__ import annotations

import logging
from typing import Any

from reelsub.contracts.transcript import Segment, SpeechRegion
from reelsub.asr.audio import PcmAudio
from reelsub.asr.vad import WINDOW_S
from reelsub.asr.windows import decoding_groups

log = logging.getLogger(__name__)

MIN_SENTENCE_S = 0.8  # shorter sentences say too little for Whisper's language detection
# Another language must be this likely, and this many times likelier than the film's, to switch.
# On Kokoro Hindi/English sentences (Whisper base): English lines p(en) 0.70-0.99, p(hi) <= 0.004;
# Hindi lines, loanwords ("train", "cricket") and all, p(en) <= 0.15.
SWITCH_PROBABILITY = 0.5
SWITCH_ODDS = 3.0
PAD_S = 0.2  # air around a sentence re-decoded on its own


def detect_film_language(
    model: Any, audio: PcmAudio, windows: list[SpeechRegion]
) -> tuple[str | None, float]:
    """Whisper's language for the first window with speech (probability), or (None, 0) without speech."""
    if not windows:
        return None, 0.0
    if not model.model.is_multilingual:
        return "en", 1.0  # an English-only model (tiny.en) hears nothing else
    first = windows[0]
    samples = audio.read(first.start, min(first.end, first.start + WINDOW_S))
    language, probability, _ = model.detect_language(audio=samples)
    return language, float(probability)


def language_odds(
    model: Any, audio: PcmAudio, spans: list[SpeechRegion], batch_size: int
) -> list[dict[str, float]]:
    """Whisper's language probabilities for each span's audio, encoded in batches."""
    import numpy as np
    from faster_whisper.audio import pad_or_trim

    results: list[dict[str, float]] = []
    for first in range(0, len(spans), batch_size):
        batch = spans[first : first + batch_size]
        features = np.stack(
            [pad_or_trim(model.feature_extractor(audio.read(s.start, s.end))[..., :-1]) for s in batch]
        )
        encoded = model.encode(features)
        for found in model.model.detect_language(encoded):
            results.append({token[2:-2]: float(probability) for token, probability in found})
    return results


def languages_switched_to(model: Any, film_language: str | None, other_languages: list[str]) -> list[str]:
    """The languages a sentence of this film may switch to: ``other_languages`` less the film's own,
    none where the film's language is unknown or the model speaks only English."""
    if not film_language or not model.model.is_multilingual:
        return []
    return [lang for lang in dict.fromkeys(other_languages) if lang != film_language]


def decode_other_languages(
    model: Any,
    decoder: Any,
    audio: PcmAudio,
    segments: list[Segment],
    film_language: str | None,
    others: list[str],
) -> int:
    """Sentences spoken in one of ``others`` (:func:`languages_switched_to`) decoded again in it
    (``segments`` changed in place, each such segment tagged with its language); returns how
    many were switched."""
    if not others or not film_language:
        return 0
    candidates = [i for i, s in enumerate(segments) if s.end - s.start >= MIN_SENTENCE_S]
    spans = [SpeechRegion(segments[i].start, segments[i].end) for i in candidates]
    odds = language_odds(model, audio, spans, decoder.settings.batch_size)
    switched: dict[int, str] = {}
    for index, probabilities in zip(candidates, odds, strict=True):
        home = probabilities.get(film_language, 0.0)
        best = max(others, key=lambda lang: probabilities.get(lang, 0.0))
        if probabilities.get(best, 0.0) >= max(SWITCH_PROBABILITY, SWITCH_ODDS * home):
            switched[index] = best
    for language in set(switched.values()):
        chosen = [i for i, lang in switched.items() if lang == language]
        replacements = _decode_in(decoder, audio, [segments[i] for i in chosen], language)
        for index, new in zip(chosen, replacements, strict=True):
            if new:
                segments[index] = new
            else:
                segments[index].language = language
    if switched:
        log.info(
            "%d of %d sentences are in another language (%s): decoded in it",
            len(switched),
            len(segments),
            ", ".join(sorted(set(switched.values()))),
        )
    return len(switched)


def _decode_in(
    decoder: Any, audio: PcmAudio, sentences: list[Segment], language: str
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


__all__ = ["decode_other_languages", "detect_film_language", "language_odds", "languages_switched_to"]
