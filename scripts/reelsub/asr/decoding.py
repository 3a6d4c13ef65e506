"""How a film's speech is decoded, whatever the engine: heard speech into Whisper windows, laid out
as ``asr.layout`` says (reelsub.asr.packing), decoded one span of windows at a time (memory stays
flat however long the film; progress logged after each), tails where decoding stopped before the
speech did decoded again, and speech that no word holds (Whisper skips a line glued between two
others, and, told to decode one language, lines in another), sentences fitted to the speech VAD
heard. Where a film's lines may switch language (asr.other_languages), each phrase's language is
heard before its span is decoded, and a span of several languages is decoded language by language;
without word times or VAD, each sentence's language is checked after decoding
(reelsub.asr.languages_in_film).

An engine brings a :class:`reelsub.asr.engine.Decoder`, which decodes windows of samples and tells a span's language
odds; the faster-whisper engine (CUDA/CPU) and the mlx engine (Apple Silicon) share everything else.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from reelsub.asr import languages_in_film, script_choice
from reelsub.asr.audio import PcmAudio
from reelsub.asr.engine import Decoder, EngineResult, windows_holding
from reelsub.asr.packing import PackedSpeech, layout_for
from reelsub.asr.settings import AsrSettings
from reelsub.asr.vad import DECODE_PAD_S, decoding_regions, packed_pad, pause_level
from reelsub.asr.windows import (
    RETRY_PASSES,
    decoding_groups,
    decoding_windows,
    unfinished_windows,
    unheard_regions,
    unheard_speech,
    within_regions,
)
from reelsub.contracts.transcript import Segment, SpeechRegion, Transcript, in_time_order
from reelsub.pauses import fit_to_speech

log = logging.getLogger(__name__)

# Where a film's lines may switch language (and decoding has word times and VAD), each phrase's
# language is heard before decoding, and a span decoded language by language; False: decoded in the
# film's language, each sentence's language checked after (reelsub.asr.languages_in_film.
# decode_other_languages, reelsub before 2026-12-07; bench/language_check.py measures both)
HEAR_LANGUAGES_FIRST = True


def fitted_to_speech(
    segments: list[Segment],
    speech: list[SpeechRegion] | None,
    language: str | None,
    duration: float,
    sentence_pause: float,
) -> list[Segment]:
    """Sentences with their times fitted to the speech VAD heard (reelsub.pauses), so that each
    sentence's audio, asked for its language, is that sentence's and no neighbour's."""
    if speech is None:
        return segments
    draft = Transcript(
        film="", language=language or "und", duration=duration, segments=segments, speech=speech
    )
    return fit_to_speech(draft, sentence_pause).segments


def decode_until_finished(
    decoder: Decoder,
    samples: Any,
    offset: float,
    windows: list[SpeechRegion],
    regions: list[SpeechRegion],
) -> tuple[list[Segment], int]:
    """The windows decoded; then, up to RETRY_PASSES times, the speech of each window's tail
    where decoding stopped before its speech did, every tail's speech packed together
    (reelsub.asr.packing: a 20 s tail of pauses and three lines costs one window, not one
    each). Times are the samples' own, ``offset`` on. Also: how many tails were decoded again."""
    found = decoder.decode(samples, offset, windows)
    pending, redecoded = windows, 0
    for _ in range(RETRY_PASSES):
        pending = unfinished_windows(pending, regions, found)
        if not pending:
            break
        log.info(
            "re-decoding %d window tail(s), %.1f s, where decoding stopped before the speech did",
            len(pending),
            sum(w.duration for w in pending),
        )
        redecoded += len(pending)
        speech = [
            SpeechRegion(max(r.start, tail.start), r.end)
            for tail in pending
            for r in regions
            if r.end > tail.start and r.start < tail.end
        ]
        found = in_time_order(found + decode_packed_regions(decoder, samples, offset, speech))
    return found, redecoded


def decode_packed_regions(
    decoder: Decoder, samples: Any, offset: float, regions: list[SpeechRegion]
) -> list[Segment]:
    """``regions`` of ``samples`` decoded packed, in the samples' time (``offset`` on)."""
    packed = PackedSpeech.of(regions)
    return packed.to_film(
        decoder.decode(packed.samples(samples, offset), 0.0, packed.windows()), decoder.language
    )


def decode_packed(
    decoder: Decoder, samples: Any, offset: float, regions: list[SpeechRegion]
) -> tuple[list[Segment], int]:
    """The ``packed`` layout (reelsub.asr.packing) over one span's decoding regions: decoded
    packed, tails decoded again; then the regions that still hold no word, packed among
    themselves and decoded again (Whisper skips a short line glued between two others)."""
    packed = PackedSpeech.of(regions)
    found, redecoded = decode_until_finished(
        decoder, packed.samples(samples, offset), 0.0, packed.windows(), packed.packed_regions
    )
    found = packed.to_film(found, decoder.language)
    missing = unheard_regions(regions, found) if RETRY_PASSES else []  # 0: nothing decoded again
    found, unheard = decode_missing(decoder, samples, offset, found, missing, "region(s)", "no word fell in")
    return found, redecoded + unheard


def decode_missing(
    decoder: Decoder,
    samples: Any,
    offset: float,
    found: list[Segment],
    missing: list[SpeechRegion],
    what: str,
    why: str,
) -> tuple[list[Segment], int]:
    """``found`` with the ``missing`` speech decoded again, packed among itself (a few seconds
    here and there cost one window, not one each); how many windows that took."""
    if not missing:
        return found, 0
    log.info(
        "decoding %d %s again, %.1f s, that %s", len(missing), what, sum(r.duration for r in missing), why
    )
    before = decoder.windows_decoded
    found = in_time_order(found + decode_packed_regions(decoder, samples, offset, missing))
    return found, decoder.windows_decoded - before


def decode_unheard_speech(
    decoder: Decoder, samples: Any, offset: float, regions: list[SpeechRegion], found: list[Segment]
) -> tuple[list[Segment], int]:
    """The ``windows`` layout's last pass: ``found`` with its words ended where their regions do
    (reelsub.asr.windows.within_regions), and the stretches of speech no word covers decoded again,
    packed among themselves, pass after pass while a pass reads something (up to RETRY_PASSES);
    how many windows that took. Told to decode Hindi, Whisper base skipped recorded English lines
    between Hindi ones, and Hindi lines after them, whole: on the bench's Hindi film with recorded
    English lines (row c), 249 -> 120 skeleton characters wrong of 630 with one pass, 53 with more
    (docs/hindi-measurements.md sections 9 and 10)."""
    found = within_regions(found, regions)
    missing = unheard_speech(regions, found)
    windows = 0
    for _ in range(RETRY_PASSES):  # 0: nothing decoded again
        if not missing:
            break
        found, decoded = decode_missing(
            decoder, samples, offset, found, missing, "stretch(es) of speech", "no word covered"
        )
        windows += decoded
        # Packed with English lines, Hindi ones were skipped again (Whisper went on in the letters
        # it was writing): what a pass read, it read; what is left is decoded again, among itself,
        # as long as a pass reads something
        found = within_regions(found, regions)
        left = unheard_speech(missing, found)
        if left == missing:
            break
        missing = left
    return found, windows


def languages_of(
    padded: list[SpeechRegion], regions: list[SpeechRegion], languages: Sequence[str | None]
) -> list[str | None]:
    """The language of each of ``padded``, the same speech as ``regions`` (whose ``languages`` are
    known) padded otherwise: that of the region its middle falls in."""
    middles = [SpeechRegion((r.start + r.end) / 2, r.end) for r in padded]
    return [languages[index] for index in windows_holding(regions, middles)]


def decode_by_language(
    decoder: Decoder,
    samples: Any,
    span: SpeechRegion,
    packed_regions: list[SpeechRegion],
    regions: list[SpeechRegion],
    languages: Sequence[str | None],
    film_language: str | None,
) -> tuple[list[Segment], int]:
    """A span (``samples`` its audio) whose ``regions`` are not all in the film's language
    (``languages``: reelsub.asr.languages_in_film.region_languages): each language's speech packed
    among itself (``packed_regions``, the same speech padded for packing, reelsub.asr.packing) and
    decoded in it, the film's first, a line in another language tagged with it; how many windows
    were decoded again. Told to decode Hindi, Whisper skips an English line and the Hindi after it
    in its window, or writes the English in Urdu letters; told each line's language, it reads both
    (docs/hindi-measurements.md section 13)."""
    packed = [  # within the span's samples: padded wider, the outermost reach past them
        SpeechRegion(max(r.start, span.start), min(r.end, span.end))
        for r in packed_regions
        if span.start <= (r.start + r.end) / 2 < span.end
    ]
    spoken = languages_of(packed, regions, languages)
    found: list[Segment] = []
    redecoded = 0
    for language in dict.fromkeys([film_language, *spoken]):
        mine = [region for region, said in zip(packed, spoken, strict=True) if said == language]
        if not mine:
            continue
        with speaking(decoder, language, film_language) as heard:
            heard[:], again = decode_packed(decoder, samples, span.start, mine)
        found += heard
        redecoded += again
    return in_time_order(found), redecoded


def decode_in_layout(
    decoder: Decoder,
    samples: Any,
    offset: float,
    layout: str,
    windows: list[SpeechRegion],
    regions: list[SpeechRegion],
    film_regions: list[SpeechRegion],
    word_timestamps: bool,
) -> tuple[list[Segment], int]:
    """One span's ``windows`` (its speech, ``regions``, of the film's ``film_regions``) decoded in
    ``layout`` in the decoder's language; how many windows were decoded again."""
    if layout == "packed":
        return decode_packed(decoder, samples, offset, regions)
    found, tails = decode_until_finished(decoder, samples, offset, windows, film_regions)
    # without word times, a segment does not say which of its speech it holds
    if word_timestamps:
        found, unheard = decode_unheard_speech(decoder, samples, offset, regions, found)
        tails += unheard
    return found, tails


@contextmanager
def speaking(decoder: Decoder, language: str | None, film_language: str | None) -> Iterator[list[Segment]]:
    """A list for the segments decoded in the block, with ``decoder`` decoding in ``language`` (and
    cutting sentences by its punctuation) until the block ends; then each segment is tagged with
    ``language`` where it is not the film's (a segment's None is the film's language)."""
    found: list[Segment] = []
    decoder.language = language
    try:
        yield found
    finally:
        decoder.language = film_language
    if language != film_language:
        for segment in found:
            segment.language = language


def decode_film(
    decoder: Decoder, audio: PcmAudio, settings: AsrSettings, speech: list[SpeechRegion] | None
) -> EngineResult:
    """The film's sentences, in film time, each in its language; ``speech`` is where VAD heard
    speech (None: no VAD, the whole soundtrack is decoded)."""
    regions = (
        decoding_regions(speech, audio.duration)
        if speech is not None
        else ([SpeechRegion(0.0, audio.duration)] if audio.duration > 0 else [])
    )
    windows = decoding_windows(regions)
    # Where config names the language, what Whisper hears is QC's check alone (a wrong audio track,
    # a wrong source_lang), and the first window decoded tells it from the encoder pass its decoding
    # makes anyway: one 30 s encoder pass less, 0.7 s of the bench's 49 s Hindi film (Whisper base, CPU)
    heard_while_decoding = (
        settings.language is not None and decoder.multilingual and decoder.listen_for_language()
    )
    detected, probability = None, 0.0
    if not heard_while_decoding:
        detected, probability = languages_in_film.detect_film_language(decoder, audio, windows)
        _log_language_heard(detected, probability, settings.language)
    language = settings.language or detected
    script_choice.check_method(settings.script)  # a bad value fails before decoding, not after
    switches_to = languages_in_film.languages_switched_to(
        decoder.multilingual, language, settings.other_languages
    )
    layout = layout_for(settings.layout, bool(switches_to), settings.word_timestamps)
    log.info("decoding layout: %s (asr.layout %s)", layout, settings.layout)
    # Each phrase's language heard before decoding, from one encoder pass per window: a span whose
    # phrases are all in the film's language is decoded as the layout says, and any other span
    # language by language, packed. Packed time maps back to film time word by word, so this needs
    # word times (without them, the sentences decoded are checked after: decode_other_languages)
    hear_first = (
        HEAR_LANGUAGES_FIRST and bool(switches_to) and settings.word_timestamps and speech is not None
    )
    level, pad = None, DECODE_PAD_S
    packed_regions = regions  # the regions decoded packed, where any are
    if (layout == "packed" or hear_first) and speech is not None:
        level = pause_level(audio, speech)
        pad = packed_pad(level)
        if pad != DECODE_PAD_S:
            packed_regions = decoding_regions(speech, audio.duration, pad)
        if layout == "packed":
            regions, windows = packed_regions, decoding_windows(packed_regions)
        if level is not None:
            log.info(
                "pauses at %.0f dB, speech at %.0f dB: %s, %.2f s of each pause's edges kept",
                level.pause_db,
                level.speech_db,
                "quiet" if level.quiet else "noisy",
                pad,
            )
    decoder.language = language
    heard = languages_in_film.LanguagesHeardFirst()
    segments: list[Segment] = []
    redecoded = 0
    for group in decoding_groups(windows, settings.batch_size):
        span = SpeechRegion(group[0].start, group[-1].end)
        samples = audio.read(span.start, span.end)
        in_span = [r for r in regions if span.start <= r.start < span.end]
        spoken: Sequence[str | None] = (
            languages_in_film.region_languages(
                decoder, audio, samples, span, group, in_span, speech or [], language, switches_to, heard
            )
            if hear_first and language
            else [language] * len(in_span)
        )
        if len(set(spoken)) > 1:
            found, tails = decode_by_language(
                decoder, samples, span, packed_regions, in_span, spoken, language
            )
            heard.spans_by_language += 1
        else:  # in one language: the film's, or (an English scene of a Hindi film) another
            with speaking(decoder, spoken[0] if spoken else language, language) as found:
                found[:], tails = decode_in_layout(
                    decoder, samples, span.start, layout, group, in_span, regions, settings.word_timestamps
                )
        redecoded += tails
        segments += found
        log.info(
            "asr progress: %.0f / %.0f s (%.0f%%), %d segments so far",
            span.end,
            audio.duration,
            100 * span.end / max(audio.duration, 1e-9),
            len(segments),
        )
    log.info(
        "asr progress: %.0f / %.0f s (100%%), %d segments", audio.duration, audio.duration, len(segments)
    )
    if heard_while_decoding:
        detected, probability = languages_in_film.most_likely(decoder.language_heard())
        _log_language_heard(detected, probability, settings.language)
    segments = fitted_to_speech(segments, speech, language, audio.duration, settings.sentence_pause)
    language_facts: dict[str, Any] = {}
    if hear_first:
        log.info(
            "languages heard before decoding: %d phrase(s) asked in %.1f s (%d of them again on their "
            "own), in another language: %s; %d span(s) decoded language by language",
            heard.phrases,
            heard.seconds,
            heard.asked_again,
            ", ".join(f"{n} in {lang}" for lang, n in sorted(heard.switched.items())) or "none",
            heard.spans_by_language,
        )
        language_facts["languages_heard_first"] = heard.facts()
    else:
        check = languages_in_film.decode_other_languages(
            decoder, audio, segments, speech, language, switches_to
        )
        # a sentence decoded again on its own has Whisper's times, and a tagged one's sentence end
        # is judged by its own language's punctuation (reelsub.pauses): fitted again, as the rest were
        if check.switched:
            segments = fitted_to_speech(segments, speech, language, audio.duration, settings.sentence_pause)
        # phrases asked their language, not asked; sentences switched, decoded again, read again
        language_facts["phrase_language_check"] = check.facts()
    segments, rewritten = script_choice.apply(settings.script, segments, language)
    return EngineResult(
        segments=segments,
        detected_language=detected,
        facts={
            "language_probability": round(probability, 4),
            "layout": layout,  # the one used: asr.layout auto resolved for this film
            "speech_seconds": round(sum(r.duration for r in speech or regions), 3),
            "decode_pad_s": pad,  # speech padded this much for decoding (reelsub.asr.vad.packed_pad)
            "pause_level_db": None if level is None else [level.speech_db, level.pause_db],
            "redecoded_windows": redecoded,
            "windows_decoded": decoder.windows_decoded,
            **language_facts,
            "script_method": settings.script,
            "segments_rewritten_in_script": rewritten,
        },
    )


def _log_language_heard(detected: str | None, probability: float, configured: str | None) -> None:
    if detected:
        log.info(
            "language heard: %s (p=%.2f)%s",
            detected,
            probability,
            "" if configured is None else f"; decoding as configured: {configured}",
        )
