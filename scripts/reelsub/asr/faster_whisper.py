"""The whisperx-env engine (CUDA or CPU): faster-whisper's BatchedInferencePipeline.

It is the engine whisperx itself wraps, without whisperx's pyannote VAD, which took half the time
in our measurement (RTF 0.017 vs 0.034 on a 10-min file). Speech is decoded one span of windows
at a time (memory stays flat however long the film), laid out as ``asr.layout`` says (packed
without its pauses unless a sentence may switch language: reelsub.asr.packing.layout_for);
speech that decoding stopped short of is decoded again, and each sentence's language is checked
against the languages a film's lines may switch to (English lines in a Hindi film).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from reelsub.models import ModelNotFound, hub_is_offline, resolve_whisper_model
from reelsub.pauses import fit_to_speech
from reelsub.contracts.transcript import Segment, SpeechRegion, Transcript, in_time_order
from reelsub.asr import languages_in_film
from reelsub.asr.audio import PcmAudio
from reelsub.asr.engine import EngineResult
from reelsub.asr.output import collect_segments
from reelsub.asr.packing import PackedSpeech, layout_for
from reelsub.asr.settings import AsrSettings
from reelsub.asr.vad import decoding_regions
from reelsub.asr.windows import (
    RETRY_PASSES,
    decoding_groups,
    decoding_windows,
    unfinished_windows,
    unheard_regions,
)

log = logging.getLogger(__name__)


def load_model(settings: AsrSettings) -> Any:
    """A WhisperModel for the configured model, or ModelNotFound with the fix in its message."""
    from faster_whisper import WhisperModel

    model_path = resolve_whisper_model(settings.model)
    try:
        return WhisperModel(
            model_path,
            device=settings.device,
            compute_type=settings.compute_type,
            cpu_threads=settings.cpu_threads,
            local_files_only=hub_is_offline(),
        )
    except Exception as error:  # the hub and CTranslate2 raise many kinds
        raise ModelNotFound(
            f"cannot load Whisper model {settings.model!r} ({type(error).__name__}: {error}). "
            "Set asr.model in config to a local CTranslate2 model folder, "
            "or allow the hub to download it (unset HF_HUB_OFFLINE)."
        ) from error


@dataclass
class BatchedDecoder:
    """BatchedInferencePipeline over one span of audio at a time, in one language."""

    pipeline: Any
    settings: AsrSettings
    language: str | None
    windows_decoded: int = 0  # each costs Whisper's encoder a full 30 s window, whatever it holds

    def decode(
        self, samples: Any, offset: float, windows: list[SpeechRegion], language: str | None = None
    ) -> list[Segment]:
        if not windows:
            return []
        language = language or self.language
        self.windows_decoded += len(windows)
        segments_iter, _ = self.pipeline.transcribe(
            samples,
            language=language,
            batch_size=self.settings.batch_size,
            beam_size=self.settings.beam_size,
            task=self.settings.task,
            clip_timestamps=[{"start": w.start - offset, "end": w.end - offset} for w in windows],
            word_timestamps=self.settings.word_timestamps,
            no_speech_threshold=self.settings.no_speech_threshold,
            log_prob_threshold=self.settings.log_prob_threshold,
            compression_ratio_threshold=self.settings.compression_ratio_threshold,
            condition_on_previous_text=self.settings.condition_on_previous_text,
            initial_prompt=self.settings.initial_prompt,
            hotwords=", ".join(self.settings.glossary) or None,
            # With word times, collect_segments cuts the window-long segments into sentences;
            # without them, Whisper's timestamp tokens must (slower, and more prone to stopping
            # before the window's speech does).
            without_timestamps=self.settings.word_timestamps,
        )
        return list(collect_segments(segments_iter, offset, language))


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
    decoder: BatchedDecoder,
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
    decoder: BatchedDecoder, samples: Any, offset: float, regions: list[SpeechRegion]
) -> list[Segment]:
    """``regions`` of ``samples`` decoded packed, in the samples' time (``offset`` on)."""
    packed = PackedSpeech.of(regions)
    return packed.to_film(
        decoder.decode(packed.samples(samples, offset), 0.0, packed.windows()), decoder.language
    )


def decode_packed(
    decoder: BatchedDecoder, samples: Any, offset: float, regions: list[SpeechRegion]
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
    if missing:
        log.info(
            "decoding %d region(s) again, %.1f s, that no word fell in",
            len(missing),
            sum(r.duration for r in missing),
        )
        before = decoder.windows_decoded
        found = in_time_order(found + decode_packed_regions(decoder, samples, offset, missing))
        redecoded += decoder.windows_decoded - before
    return found, redecoded


class FasterWhisperEngine:
    name = "faster-whisper"
    packages = ("faster-whisper", "ctranslate2")

    def __init__(self) -> None:
        self.model: Any = None

    def load(self, settings: AsrSettings) -> None:
        started = time.monotonic()
        self.model = load_model(settings)
        log.info("model %s loaded in %.1f s", settings.model, time.monotonic() - started)

    def transcribe(
        self, audio: PcmAudio, settings: AsrSettings, speech: list[SpeechRegion] | None
    ) -> EngineResult:
        from faster_whisper import BatchedInferencePipeline

        from reelsub.asr import script_choice

        if self.model is None:
            self.load(settings)
        model = self.model
        regions = (
            decoding_regions(speech, audio.duration)
            if speech is not None
            else ([SpeechRegion(0.0, audio.duration)] if audio.duration > 0 else [])
        )
        windows = decoding_windows(regions)
        detected, probability = languages_in_film.detect_film_language(model, audio, windows)
        language = settings.language or detected
        if detected:
            log.info(
                "language heard: %s (p=%.2f)%s",
                detected,
                probability,
                "" if settings.language is None else f"; decoding as configured: {settings.language}",
            )
        script_choice.check_method(settings.script)  # a bad value fails before decoding, not after
        switches_to = languages_in_film.languages_switched_to(model, language, settings.other_languages)
        layout = layout_for(settings.layout, bool(switches_to), settings.word_timestamps)
        log.info("decoding layout: %s (asr.layout %s)", layout, settings.layout)
        decoder = BatchedDecoder(BatchedInferencePipeline(model), settings, language)
        segments: list[Segment] = []
        redecoded = 0
        for group in decoding_groups(windows, settings.batch_size):
            span = SpeechRegion(group[0].start, group[-1].end)
            samples = audio.read(span.start, span.end)
            if layout == "packed":
                found, tails = decode_packed(
                    decoder, samples, span.start, [r for r in regions if span.start <= r.start < span.end]
                )
            else:
                found, tails = decode_until_finished(decoder, samples, span.start, group, regions)
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
        segments = fitted_to_speech(segments, speech, language, audio.duration, settings.sentence_pause)
        switched = languages_in_film.decode_other_languages(
            model, decoder, audio, segments, language, switches_to
        )
        segments, rewritten = script_choice.apply(settings.script, segments, language)
        return EngineResult(
            segments=segments,
            detected_language=detected,
            facts={
                "language_probability": round(probability, 4),
                "layout": layout,  # the one used: asr.layout auto resolved for this film
                "speech_seconds": round(sum(r.duration for r in speech or regions), 3),
                "redecoded_windows": redecoded,
                "windows_decoded": decoder.windows_decoded,
                "segments_in_other_languages": switched,
                "script_method": settings.script,
                "segments_rewritten_in_script": rewritten,
            },
        )
