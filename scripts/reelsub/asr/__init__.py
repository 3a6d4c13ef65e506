"""Speech recognition: one settings object, two engines behind one interface, one output.

- ``whisperx`` backend (CUDA or CPU): faster-whisper's BatchedInferencePipeline
  (:mod:`.faster_whisper`).
- ``mlx`` backend (Apple Silicon): mlx_whisper.transcribe (:mod:`.mlx`).

Both get the audio (:mod:`.audio`) and where VAD hears speech (:mod:`.vad`, in both envs) from
here, decode it the same way (:mod:`.decoding`), and hand back segments that :mod:`.output` turns
into the transcript contract.
"""

from __future__ import annotations

import logging
from pathlib import Path

from reelsub.asr.audio import PcmAudio
from reelsub.asr.engine import Engine
from reelsub.asr.output import asr_transcript
from reelsub.asr.settings import BACKENDS, AsrSettings
from reelsub.asr.vad import heard_speech, search_workers
from reelsub.contracts.transcript import Transcript

log = logging.getLogger(__name__)

__all__ = ["BACKENDS", "AsrSettings", "engine_for", "transcribe"]


def engine_for(backend: str) -> Engine:
    if backend == "whisperx":
        from reelsub.asr.faster_whisper import FasterWhisperEngine

        return FasterWhisperEngine()
    if backend == "mlx":
        from reelsub.asr.mlx import MlxEngine

        return MlxEngine()
    raise ValueError(f"unknown asr backend {backend!r}; expected one of {BACKENDS}")


def transcribe(audio: Path, backend: str, settings: AsrSettings, film: str) -> Transcript:
    """The film's speech as a transcript, on the chosen backend."""
    engine = engine_for(backend)
    engine.load(settings)
    with PcmAudio(audio) as source:
        speech = None
        if settings.vad_filter:
            speech = heard_speech(source, search_workers(settings.cpu_threads, settings.mem_mb))
            log.info(
                "%.0f s of speech heard in %.0f s of audio (%d regions)",
                sum(r.duration for r in speech),
                source.duration,
                len(speech),
            )
        result = engine.transcribe(source, settings, speech)
        duration = source.duration
    return asr_transcript(
        film,
        settings,
        engine.name,
        engine.packages,
        result.detected_language,
        duration,
        result.segments,
        speech,
        **result.facts,
    )
