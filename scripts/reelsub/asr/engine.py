"""The one small interface both ASR backends sit behind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from reelsub.asr.audio import PcmAudio
from reelsub.asr.settings import AsrSettings
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
