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
    task: str = "transcribe"  # or "translate": Whisper's own X -> English
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


SAMPLE_RATE = 16000
WINDOW_S = 30.0  # Whisper's context
# Small Whisper models sometimes end a 30 s window after its first sentence, silently losing the
# rest (tiny.en on "Here is a short speech." followed by jfk.flac gave only the first line). Where
# the words stop but VAD still hears speech, the rest of the window is decoded again.
RETRY_MIN_SPEECH_S = 1.0
RETRY_PASSES = 3


@dataclass(frozen=True)
class SpeechRegion:
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def speech_regions(audio: Any, use_vad: bool) -> list[SpeechRegion]:
    """Where Silero VAD (bundled with faster-whisper) hears speech, in seconds."""
    duration = len(audio) / SAMPLE_RATE
    if not use_vad:
        return [SpeechRegion(0.0, duration)] if duration > 0 else []
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=160, max_speech_duration_s=WINDOW_S)
    return [
        SpeechRegion(chunk["start"] / SAMPLE_RATE, chunk["end"] / SAMPLE_RATE)
        for chunk in get_speech_timestamps(audio, options)
    ]


def decoding_windows(regions: list[SpeechRegion], limit: float = WINDOW_S) -> list[SpeechRegion]:
    """Consecutive speech regions grouped into windows of at most ``limit`` seconds, so that each
    Whisper call sees as much context as it can hold, and no silence longer than a window."""
    windows: list[SpeechRegion] = []
    for region in regions:
        if windows and region.end - windows[-1].start <= limit:
            windows[-1] = SpeechRegion(windows[-1].start, region.end)
        else:
            windows.append(region)
    return windows


def unfinished_windows(
    windows: list[SpeechRegion], regions: list[SpeechRegion], segments: list[Segment]
) -> list[SpeechRegion]:
    """For each window whose words stop while RETRY_MIN_SPEECH_S or more of its speech is still
    to come, the rest of that window: from the first unheard speech to the window's end."""
    ends = sorted(w.end for s in segments for w in (s.words or [Word(s.start, s.end, s.text)]))
    rests = []
    for window in windows:
        heard_until = max((end for end in ends if window.start <= end <= window.end + 0.5), default=window.start)
        unheard = [r for r in regions if window.start <= r.start < window.end and r.end > heard_until + 0.1]
        left = sum(r.end - max(r.start, heard_until) for r in unheard)
        if left >= RETRY_MIN_SPEECH_S:
            rests.append(SpeechRegion(max(unheard[0].start, heard_until), window.end))
    return rests


def transcribe_faster_whisper(audio: Path, settings: AsrSettings, film: str) -> Transcript:
    """Batched faster-whisper over the film's speech; segments arrive as a generator so the log
    shows progress on long films and memory stays bounded by one batch."""
    from faster_whisper import BatchedInferencePipeline, decode_audio

    started = time.monotonic()
    model = load_faster_whisper(settings)
    log.info("model %s loaded in %.1f s", settings.model, time.monotonic() - started)
    samples = decode_audio(str(audio), sampling_rate=SAMPLE_RATE)
    duration = len(samples) / SAMPLE_RATE
    regions = speech_regions(samples, settings.vad_filter)
    log.info("%.0f s of speech in %.0f s of audio (%d regions)", sum(r.duration for r in regions), duration, len(regions))
    pipeline = BatchedInferencePipeline(model)
    language, probability = settings.language, 1.0 if settings.language else 0.0

    def decode(windows: list[SpeechRegion]) -> list[Segment]:
        nonlocal language, probability
        if not windows:
            return []
        segments_iter, info = pipeline.transcribe(
            samples,
            language=language,
            batch_size=settings.batch_size,
            beam_size=settings.beam_size,
            task=settings.task,
            clip_timestamps=[{"start": w.start, "end": w.end} for w in windows],
            word_timestamps=settings.word_timestamps,
            no_speech_threshold=settings.no_speech_threshold,
            log_prob_threshold=settings.log_prob_threshold,
            compression_ratio_threshold=settings.compression_ratio_threshold,
            condition_on_previous_text=settings.condition_on_previous_text,
            initial_prompt=settings.initial_prompt,
            hotwords=", ".join(settings.glossary) or None,
            # Batched mode defaults to one segment per window; Whisper's own timestamps give
            # sentence-sized segments, which translation and subtitles need.
            without_timestamps=False,
        )
        if language is None:
            language, probability = info.language, float(info.language_probability)
        return list(collect_segments(segments_iter, duration))

    decode_windows = decoding_windows(regions)
    segments = decode(decode_windows)
    redecoded = 0
    for _ in range(RETRY_PASSES):
        decode_windows = unfinished_windows(decode_windows, regions, segments)
        if not decode_windows:
            break
        log.info("re-decoding %d window tail(s), %.1f s, where decoding stopped before the speech did",
                 len(decode_windows), sum(w.duration for w in decode_windows))
        redecoded += len(decode_windows)
        segments = sorted(segments + decode(decode_windows), key=lambda s: (s.start, s.end))
    return asr_transcript(
        film, settings, "faster-whisper", ("faster-whisper", "ctranslate2"), language, duration, segments,
        language_probability=round(probability, 4),
        speech_seconds=round(sum(r.duration for r in regions), 3),
        redecoded_windows=redecoded,
    )


def asr_transcript(
    film: str,
    settings: AsrSettings,
    engine: str,
    packages: tuple[str, ...],
    detected_language: str | None,
    duration: float,
    segments: list[Segment],
    **engine_facts: Any,
) -> Transcript:
    """What every backend hands on: the segments, and provenance with the settings it ran."""
    provenance = Provenance(
        stage="asr",
        engine=engine,
        model=settings.model,
        versions=package_versions(*packages),
        settings={**settings.public(), "detected_language": detected_language, **engine_facts},
    )
    return Transcript(
        film=film,
        language=settings.language or detected_language or "und",  # "und": no speech to detect from
        duration=round(duration, 3),
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
