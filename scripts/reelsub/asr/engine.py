"""The one small interface both ASR backends sit behind (Engine), and the decoder each brings to the
shared decoding steps of reelsub.asr.decoding and reelsub.asr.languages_in_film (Decoder)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from reelsub.asr.audio import PcmAudio
from reelsub.asr.settings import AsrSettings
from reelsub.asr.vad import WINDOW_S
from reelsub.contracts.transcript import Segment, SpeechRegion


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
