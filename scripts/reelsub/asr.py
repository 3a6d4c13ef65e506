"""Speech recognition: one settings object, two engines, one output (the transcript contract).

- ``whisperx`` backend (CUDA or CPU): faster-whisper's BatchedInferencePipeline with its bundled
  Silero VAD. It is the engine whisperx itself wraps, without whisperx's pyannote VAD, which took
  half the time in our measurement (RTF 0.017 vs 0.034 on a 10-min file, see README).
- ``mlx`` backend (Apple Silicon): mlx_whisper.transcribe, in :mod:`reelsub.asr_mlx`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from .models import ModelNotFound, hub_is_offline, resolve_whisper_model
from .transcript import Provenance, Segment, Transcript, Word

log = logging.getLogger(__name__)

BACKENDS = ("whisperx", "mlx")


@dataclass
class AsrSettings:
    """Everything an engine needs to know, from config and the detected hardware."""

    model: str = "large-v3"
    device: str = "cpu"  # cuda | cpu (mlx picks its own device)
    compute_type: str = "int8"  # cuda → float16, cpu → int8
    batch_size: int = 8
    beam_size: int = 5
    cpu_threads: int = 2
    language: str | None = None  # None: detect
    vad_filter: bool = True
    word_timestamps: bool = True
    # hallucination guards, whisper's own thresholds
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    condition_on_previous_text: bool = False
    # a per-film glossary of names and places, fed to the decoder as hotwords/initial prompt
    glossary: list[str] = field(default_factory=list)

    @property
    def initial_prompt(self) -> str | None:
        return ", ".join(self.glossary) + "." if self.glossary else None

    def public(self) -> dict[str, Any]:
        """Settings as recorded in provenance."""
        return asdict(self)


def package_versions(*names: str) -> dict[str, str]:
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def load_faster_whisper(settings: AsrSettings):
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


def transcribe_faster_whisper(audio: Path, settings: AsrSettings, film: str) -> Transcript:
    """Batched faster-whisper over the whole file; segments arrive as a generator so the log
    shows progress on long films and memory stays bounded by one batch."""
    from faster_whisper import BatchedInferencePipeline

    started = time.monotonic()
    model = load_faster_whisper(settings)
    log.info("model %s loaded in %.1f s", settings.model, time.monotonic() - started)
    pipeline = BatchedInferencePipeline(model)
    segments_iter, info = pipeline.transcribe(
        str(audio),
        language=settings.language,
        batch_size=settings.batch_size,
        beam_size=settings.beam_size,
        vad_filter=settings.vad_filter,
        word_timestamps=settings.word_timestamps,
        no_speech_threshold=settings.no_speech_threshold,
        log_prob_threshold=settings.log_prob_threshold,
        compression_ratio_threshold=settings.compression_ratio_threshold,
        condition_on_previous_text=settings.condition_on_previous_text,
        initial_prompt=settings.initial_prompt,
        hotwords=", ".join(settings.glossary) or None,
        # Batched mode defaults to one segment per 30 s VAD window; Whisper's own timestamps
        # give sentence-sized segments, which translation and subtitles need.
        without_timestamps=False,
    )
    segments = list(collect_segments(segments_iter, info.duration))
    provenance = Provenance(
        stage="asr",
        engine="faster-whisper",
        model=settings.model,
        versions=package_versions("faster-whisper", "ctranslate2"),
        settings={
            **settings.public(),
            "detected_language": info.language,
            "language_probability": round(float(info.language_probability), 4),
        },
    )
    return Transcript(
        film=film,
        language=settings.language or info.language,
        duration=round(float(info.duration), 3),
        segments=segments,
        provenance=[provenance],
    )


def collect_segments(segments: Iterable[Any], duration: float) -> Iterable[Segment]:
    last_report = 0.0
    for raw in segments:
        text = raw.text.strip()
        if not text:
            continue
        yield Segment(
            start=round(float(raw.start), 3),
            end=round(float(raw.end), 3),
            text=text,
            words=[
                Word(
                    start=round(float(w.start), 3),
                    end=round(float(w.end), 3),
                    word=w.word.strip(),
                    probability=round(float(w.probability), 4),
                )
                for w in (raw.words or [])
                if w.word.strip()
            ],
        )
        if raw.end - last_report >= 60 or raw.end >= duration:
            log.info("asr progress: %.0f / %.0f s (%.0f%%)", raw.end, duration, 100 * raw.end / max(duration, 1e-9))
            last_report = raw.end


def transcribe(audio: Path, backend: str, settings: AsrSettings, film: str) -> Transcript:
    if backend == "whisperx":
        return transcribe_faster_whisper(audio, settings, film)
    if backend == "mlx":
        from .asr_mlx import transcribe_mlx

        return transcribe_mlx(audio, settings, film)
    raise ValueError(f"unknown asr backend {backend!r}; expected one of {BACKENDS}")
