"""Prototype (bench only): "packed speech" decoding, for the lead to port into reelsub.asr.

reelsub today groups its VAD regions into windows of at most 30 s of *audio*, pauses included, and
decodes each window with BatchedInferencePipeline (clip_timestamps); where Whisper stops before a
window's speech does, it decodes the window's tail again (RETRY_PASSES). faster-whisper's own
batched path packs instead: faster_whisper.vad.collect_chunks concatenates speech regions, pauses
cut out, into chunks of at most 30 s of *speech*, and restore_speech_timestamps maps the times back.

This does the same with reelsub's VAD regions, so it can work span by span like reelsub does:

    regions (original time) --pack--> one array of speech only, chunk bounds <= 30 s of speech
           --BatchedInferencePipeline.transcribe(packed, clip_timestamps=chunks)--> words (packed time)
           --SpeechMap.original(t, region of the word's middle)--> words (original time)

Optionally the same tail re-decoding as reelsub, on packed chunks (``retry_passes``), so the bench
can count how many tails Whisper still leaves unfinished once the pauses are gone.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

RATE = 16000
WINDOW_S = 30.0


@dataclass(frozen=True)
class PackedWord:
    start: float
    end: float
    word: str
    probability: float


class SpeechMap:
    """Speech regions laid end to end: packed time <-> original time."""

    def __init__(self, regions: Sequence[tuple[float, float]], gap_s: float = 0.0) -> None:
        self.regions = list(regions)
        self.gap_s = gap_s  # silence put between packed regions (0: collect_chunks' way)
        self.packed_starts: list[float] = []
        cursor = 0.0
        for start, end in self.regions:
            self.packed_starts.append(cursor)
            cursor += end - start + gap_s
        self.packed_duration = cursor

    def region_at(self, packed_t: float) -> int:
        return max(0, bisect.bisect_right(self.packed_starts, packed_t) - 1)

    def original(self, packed_t: float, region: int | None = None) -> float:
        index = self.region_at(packed_t) if region is None else region
        start, end = self.regions[index]
        return min(end, start + max(0.0, packed_t - self.packed_starts[index]))


def pack_chunks(
    regions: Sequence[tuple[float, float]], limit: float = WINDOW_S, gap_s: float = 0.0
) -> list[tuple[float, float]]:
    """Packed-time bounds of chunks of consecutive regions holding at most ``limit`` s of speech
    (collect_chunks' rule; a region longer than ``limit`` cannot occur: VAD splits at 30 s)."""
    chunks: list[tuple[float, float]] = []
    cursor = 0.0
    for start, end in regions:
        length = end - start
        if chunks and (cursor + length) - chunks[-1][0] <= limit:
            chunks[-1] = (chunks[-1][0], cursor + length)
        else:
            chunks.append((cursor, cursor + length))
        cursor += length + gap_s
    return chunks


def vad_regions(
    samples: Any, min_silence_ms: int = 160, speech_pad_ms: int = 400
) -> list[tuple[float, float]]:
    """Silero VAD regions in seconds, with reelsub's options (reelsub.asr.speech_regions)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        min_silence_duration_ms=min_silence_ms, speech_pad_ms=speech_pad_ms, max_speech_duration_s=WINDOW_S
    )
    return [(c["start"] / RATE, c["end"] / RATE) for c in get_speech_timestamps(samples, options)]


def decode_options(settings: Any) -> dict[str, Any]:
    """The options reelsub's batched decoder passes (reelsub.asr._BatchedDecoder.decode)."""
    return dict(
        language=settings.language,
        batch_size=settings.batch_size,
        beam_size=settings.beam_size,
        task=settings.task,
        word_timestamps=settings.word_timestamps,
        no_speech_threshold=settings.no_speech_threshold,
        log_prob_threshold=settings.log_prob_threshold,
        compression_ratio_threshold=settings.compression_ratio_threshold,
        condition_on_previous_text=settings.condition_on_previous_text,
        initial_prompt=settings.initial_prompt,
        hotwords=", ".join(settings.glossary) or None,
        without_timestamps=settings.word_timestamps,
    )


def _words(segments: Any) -> list[PackedWord]:
    return [
        PackedWord(float(w.start), float(w.end), w.word, float(w.probability))
        for s in segments
        for w in (s.words or [])
        if w.word.strip()
    ]


def unfinished_chunks(
    chunks: Sequence[tuple[float, float]], words: Sequence[PackedWord], min_left_s: float = 1.0
) -> list[tuple[float, float]]:
    """Packed chunks whose words stop ``min_left_s`` or more before the chunk's speech does: the rest."""
    ends = sorted(w.end for w in words)
    rests = []
    for start, end in chunks:
        heard = max((e for e in ends if start <= e <= end + 0.5), default=start)
        if end - heard >= min_left_s:
            rests.append((heard, end))
    return rests


def unheard_regions(
    speech: SpeechMap, words: Sequence[PackedWord], min_speech_s: float = 1.0
) -> list[tuple[float, float]]:
    """Packed-time bounds of the speech regions (``min_speech_s`` or longer) that no word falls in:
    Whisper skipped them, at a chunk's end or in its middle."""
    heard = {speech.region_at((w.start + w.end) / 2) for w in words}
    rests = []
    for index, (start, end) in enumerate(speech.regions):
        if index not in heard and end - start >= min_speech_s:
            rests.append((speech.packed_starts[index], speech.packed_starts[index] + end - start))
    return rests


def transcribe_packed(
    pipeline: Any,
    samples: Any,
    settings: Any,
    retry_passes: int = 0,
    regions: Sequence[tuple[float, float]] | None = None,
    fill_unheard: bool = False,
    gap_s: float = 0.0,
) -> tuple[list[PackedWord], dict]:
    """Words in original time, and facts (regions, chunks, re-decoded tails) for the bench.

    ``fill_unheard``: decode again, packed among themselves, the regions no word fell in (where
    the tail detector of ``retry_passes`` only sees a chunk's end)."""
    import numpy as np

    regions = vad_regions(samples) if regions is None else list(regions)
    facts: dict[str, Any] = {
        "regions": len(regions),
        "speech_s": sum(e - s for s, e in regions),
        "redecoded_chunks": 0,
        "redecoded_s": 0.0,
    }
    if not regions:
        return [], {**facts, "chunks": 0}
    speech = SpeechMap(regions, gap_s)
    silence = np.zeros(int(round(gap_s * RATE)), np.float32)
    pieces = []
    for s, e in regions:
        pieces += [samples[int(s * RATE) : int(s * RATE) + int(round((e - s) * RATE))], silence]
    packed = np.concatenate(pieces).astype(np.float32)
    chunks = pack_chunks(regions, gap_s=gap_s)
    facts["chunks"] = len(chunks)
    options = decode_options(settings)

    def decode(bounds: Sequence[tuple[float, float]]) -> list[PackedWord]:
        segments, info = pipeline.transcribe(
            packed, clip_timestamps=[{"start": s, "end": e} for s, e in bounds], **options
        )
        if options["language"] is None:
            options["language"] = info.language  # the first decode fixes the language, as reelsub does
        return _words(segments)

    words = decode(chunks)
    pending = chunks
    for _ in range(retry_passes):
        pending = unfinished_chunks(pending, words)
        if not pending:
            break
        facts["redecoded_chunks"] += len(pending)
        facts["redecoded_s"] += sum(e - s for s, e in pending)
        words = sorted(words + decode(pending), key=lambda w: w.start)
    if fill_unheard:
        missing = unheard_regions(speech, words)
        if missing:
            facts["redecoded_chunks"] += len(missing)
            facts["redecoded_s"] += sum(e - s for s, e in missing)
            groups = []  # the unheard regions, up to 30 s of them per decoding window (packed time)
            for start, end in missing:
                if groups and end - groups[-1][0] <= WINDOW_S and start - groups[-1][1] < 1e-6:
                    groups[-1] = (groups[-1][0], end)
                else:
                    groups.append((start, end))
            words = sorted(words + decode(groups), key=lambda w: w.start)
    mapped = []
    for w in words:
        region = speech.region_at((w.start + w.end) / 2)  # as restore_speech_timestamps: the word's middle
        mapped.append(
            PackedWord(
                speech.original(w.start, region), speech.original(w.end, region), w.word, w.probability
            )
        )
    return mapped, facts


def text_of(words: Sequence[PackedWord]) -> str:
    return "".join(w.word for w in words).strip()
