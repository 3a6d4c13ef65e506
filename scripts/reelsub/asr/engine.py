"""The one small interface both ASR backends sit behind (Engine), and the decoder each brings to the
shared decoding steps of reelsub.asr.decoding and reelsub.asr.languages_in_film (Decoder)."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from typing import Any, Protocol

from reelsub.asr.audio import PcmAudio
from reelsub.asr.settings import AsrSettings
from reelsub.asr.vad import WINDOW_S
from reelsub.contracts.transcript import Segment, SpeechRegion
from reelsub.media import SAMPLE_RATE

# Whisper's encoder gives 1500 frames for its 30 s window, 20 ms each, the same in both engines
ENCODER_FRAMES_PER_S = 50


def window_samples(samples: Any, offset: float, window: SpeechRegion) -> Any:
    """``window``'s samples out of ``samples`` (which start at ``offset``), cut as faster-whisper's
    batched pipeline cuts a clip, so that both encode the same audio."""
    return samples[int((window.start - offset) * SAMPLE_RATE) : int((window.end - offset) * SAMPLE_RATE)]


def windows_holding(windows: list[SpeechRegion], regions: list[SpeechRegion]) -> list[int]:
    """For each region, the index of the window it lies in (windows in time order, each region
    within one of them, as reelsub.asr.windows.decoding_windows groups them)."""
    starts = [window.start for window in windows]
    return [max(0, bisect.bisect_right(starts, region.start + 1e-6) - 1) for region in regions]


def region_frames(window: SpeechRegion, region: SpeechRegion) -> tuple[int, int]:
    """The encoder frames of ``window``'s encoding that hold ``region`` (first, end): at least one."""
    limit = round(WINDOW_S * ENCODER_FRAMES_PER_S)
    first = min(limit - 1, max(0, int((region.start - window.start) * ENCODER_FRAMES_PER_S)))
    end = math.ceil((region.end - window.start) * ENCODER_FRAMES_PER_S)
    return first, min(limit, max(end, first + 1))


@dataclass
class EngineResult:
    segments: list[Segment]  # sentences with word times, in film time
    detected_language: str | None  # what the engine heard (recorded even where config fixed it)
    facts: dict[str, Any] = field(default_factory=dict)  # engine-specific, for provenance


class Engine(Protocol):
    @property
    def name(self) -> str:
        """The engine as provenance records it."""
        ...

    @property
    def packages(self) -> tuple[str, ...]:
        """The packages whose versions provenance records."""
        ...

    def load(self, settings: AsrSettings) -> None:
        """Load (or find) the model before any audio is read: a missing model fails fast, with the
        config key to set in its message (ModelNotFound)."""
        ...

    def transcribe(
        self, audio: PcmAudio, settings: AsrSettings, speech: list[SpeechRegion] | None
    ) -> EngineResult:
        """Segments for the whole soundtrack; ``speech`` is where VAD heard speech (None: no VAD)."""
        ...


class Decoder:
    """One engine's Whisper, as the shared decoding steps use it. An engine's decoder is a
    dataclass that declares these three fields and brings the methods that raise here."""

    settings: AsrSettings
    language: str | None  # the film's language, decoded in unless a call names another
    windows_decoded: int  # each costs Whisper's encoder a full 30 s window, whatever it holds

    @property
    def multilingual(self) -> bool:
        """False for an English-only model (tiny.en): it hears nothing else."""
        raise NotImplementedError

    def decode(
        self, samples: Any, offset: float, windows: list[SpeechRegion], language: str | None = None
    ) -> list[Segment]:
        """``windows`` (in the samples' time, ``offset`` on) decoded into sentences in that time,
        in ``language`` or else the film's."""
        if not windows:
            return []
        self.windows_decoded += len(windows)
        return self.decode_windows(samples, offset, windows, language or self.language)

    def decode_windows(
        self, samples: Any, offset: float, windows: list[SpeechRegion], language: str | None
    ) -> list[Segment]:
        raise NotImplementedError

    def language_odds(
        self, audio: PcmAudio, spans: list[SpeechRegion], context_s: float = WINDOW_S
    ) -> list[dict[str, float]]:
        """Whisper's language probabilities for each span's audio (at most ``context_s`` each), its
        log-mel frames padded with zeros to ``context_s`` seconds' worth, as faster-whisper pads them
        (the language check's bounds were measured so): a full window unless :attr:`short_context`."""
        raise NotImplementedError

    def languages_in_windows(
        self, samples: Any, offset: float, windows: list[SpeechRegion], regions: list[SpeechRegion]
    ) -> list[dict[str, float]]:
        """Whisper's language probabilities for each of ``regions``, read from its own frames of its
        window's encoding (:func:`region_frames`): one encoder pass per window of ``windows``,
        whatever the window holds, and one decoder step per region. Each region lies within one
        window (:func:`windows_holding`); times are the samples' own, ``offset`` on."""
        holder = windows_holding(windows, regions)
        results: list[dict[str, float]] = []
        for first in range(0, len(windows), self.settings.batch_size):
            batch = windows[first : first + self.settings.batch_size]
            encoded = self.encoded_windows([window_samples(samples, offset, window) for window in batch])
            for region, index in zip(regions, holder, strict=True):
                if first <= index < first + len(batch):
                    start, end = region_frames(windows[index], region)
                    results.append(self.frames_language_odds(encoded, index - first, start, end))
        return results

    def encoded_windows(self, pieces: list[Any]) -> Any:
        """The encoder's output for each piece of samples (a window's), its log-mel frames padded
        with zeros to a full window; indexable as [piece, frame]."""
        raise NotImplementedError

    def frames_language_odds(self, encoded: Any, piece: int, start: int, end: int) -> dict[str, float]:
        """Whisper's language probabilities from frames ``start`` to ``end`` of one piece of
        :meth:`encoded_windows`' output: one decoder step."""
        raise NotImplementedError

    @property
    def short_context(self) -> bool:
        """Whether :meth:`language_odds` takes a ``context_s`` under Whisper's 30 s window (its
        encoder's cost falls with it). False: this engine's Whisper encodes full windows only."""
        return False

    def listen_for_language(self) -> bool:
        """Have the next call to :meth:`decode` also tell Whisper's language probabilities for its
        first window, from the encoder pass its decoding makes anyway (:meth:`language_heard`).
        False: this engine cannot, and a language must be asked with :meth:`language_odds`, an
        encoder pass of its own."""
        return False

    def language_heard(self) -> dict[str, float] | None:
        """What the window decoded after :meth:`listen_for_language` told (None: none decoded)."""
        return None
