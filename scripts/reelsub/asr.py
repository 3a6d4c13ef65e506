"""Speech recognition: one settings object, two engines, one output (the transcript contract).

- ``whisperx`` backend (CUDA or CPU): faster-whisper's BatchedInferencePipeline with its bundled
  Silero VAD. It is the engine whisperx itself wraps, without whisperx's pyannote VAD, which took
  half the time in our measurement (RTF 0.017 vs 0.034 on a 10-min file, see README).
- ``mlx`` backend (Apple Silicon): mlx_whisper.transcribe, in :mod:`reelsub.asr_mlx`.
"""

from __future__ import annotations

import logging
import math
import tempfile
import time
import wave
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
VAD_CHUNK_S = 600  # speech is searched for 10 minutes of audio at a time
DECODE_SPAN_S = 300.0  # and decoded at most 5 minutes of audio (windows and silence) at a time


@dataclass(frozen=True)
class SpeechRegion:
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


class PcmAudio:
    """A film's 16 kHz mono soundtrack, read a span at a time.

    Decoding a whole feature film to float32 costs 0.46 GB per 2 hours, and VAD's working copies
    more again: memory would grow with the film. Reading spans keeps it at one span's worth.
    Anything that is not already 16 kHz mono 16-bit WAV (the demux stage's output) is converted
    to one first, in a temporary folder.
    """

    def __init__(self, path: Path) -> None:
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self.path = Path(path)
        if not self._is_pcm16_mono_16k(self.path):
            self._scratch = tempfile.TemporaryDirectory(prefix="reelsub-asr-")
            converted = Path(self._scratch.name) / "audio.wav"
            from .media import run_tool

            run_tool(["ffmpeg", "-nostdin", "-v", "error", "-i", str(self.path), "-vn", "-ac", "1",
                      "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", str(converted)], f"{path}: audio decode")
            self.path = converted
        self._wav = wave.open(str(self.path), "rb")
        self.frames = self._wav.getnframes()
        self.duration = self.frames / SAMPLE_RATE

    @staticmethod
    def _is_pcm16_mono_16k(path: Path) -> bool:
        try:
            with wave.open(str(path), "rb") as wav:
                return (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, SAMPLE_RATE)
        except (wave.Error, EOFError, OSError):
            return False

    def read(self, start: float, end: float) -> Any:
        """Samples from ``start`` to ``end`` seconds as float32 in [-1, 1]."""
        import numpy as np

        first = max(0, int(start * SAMPLE_RATE))
        last = min(self.frames, int(round(end * SAMPLE_RATE)))
        self._wav.setpos(first)
        raw = self._wav.readframes(max(0, last - first))
        return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0

    def close(self) -> None:
        self._wav.close()
        if self._scratch is not None:
            self._scratch.cleanup()

    def __enter__(self) -> "PcmAudio":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def speech_regions(audio: PcmAudio, use_vad: bool) -> list[SpeechRegion]:
    """Where Silero VAD (bundled with faster-whisper) hears speech, in seconds, searched one
    VAD_CHUNK_S at a time. A region cut at a chunk edge is joined again by decoding_windows."""
    if not use_vad:
        return [SpeechRegion(0.0, audio.duration)] if audio.duration > 0 else []
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=160, max_speech_duration_s=WINDOW_S)
    regions: list[SpeechRegion] = []
    for chunk_start in range(0, math.ceil(audio.duration), VAD_CHUNK_S):
        samples = audio.read(chunk_start, chunk_start + VAD_CHUNK_S)
        regions += [
            SpeechRegion(chunk_start + c["start"] / SAMPLE_RATE, chunk_start + c["end"] / SAMPLE_RATE)
            for c in get_speech_timestamps(samples, options)
        ]
        if audio.duration > VAD_CHUNK_S:
            log.info("speech search: %.0f / %.0f s", min(chunk_start + VAD_CHUNK_S, audio.duration), audio.duration)
    return regions


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


def decoding_groups(windows: list[SpeechRegion], limit: float = DECODE_SPAN_S) -> list[list[SpeechRegion]]:
    """Consecutive windows, grouped so that each group's audio spans at most ``limit`` seconds
    (a single longer window, impossible with 30 s windows, would make a group of its own)."""
    groups: list[list[SpeechRegion]] = []
    for window in windows:
        if groups and window.end - groups[-1][0].start <= limit:
            groups[-1].append(window)
        else:
            groups.append([window])
    return groups


@dataclass
class _BatchedDecoder:
    """faster-whisper's BatchedInferencePipeline over one span of audio at a time; the first span
    with speech fixes the language when none was given."""

    pipeline: Any
    settings: AsrSettings
    language: str | None
    probability: float

    def decode(self, samples: Any, offset: float, windows: list[SpeechRegion]) -> list[Segment]:
        if not windows:
            return []
        segments_iter, info = self.pipeline.transcribe(
            samples,
            language=self.language,
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
        if self.language is None:
            self.language, self.probability = info.language, float(info.language_probability)
        return list(collect_segments(segments_iter, offset))


def transcribe_faster_whisper(audio: Path, settings: AsrSettings, film: str) -> Transcript:
    """Batched faster-whisper over the film's speech, DECODE_SPAN_S of audio at a time, so memory
    stays flat however long the film; the log shows progress after each span."""
    from faster_whisper import BatchedInferencePipeline

    started = time.monotonic()
    model = load_faster_whisper(settings)
    log.info("model %s loaded in %.1f s", settings.model, time.monotonic() - started)
    decoder = _BatchedDecoder(BatchedInferencePipeline(model), settings, settings.language, 1.0 if settings.language else 0.0)
    segments: list[Segment] = []
    redecoded = 0
    with PcmAudio(audio) as source:
        duration = source.duration
        regions = speech_regions(source, settings.vad_filter)
        log.info("%.0f s of speech in %.0f s of audio (%d regions)", sum(r.duration for r in regions), duration, len(regions))
        for group in decoding_groups(decoding_windows(regions)):
            span = SpeechRegion(group[0].start, group[-1].end)
            samples = source.read(span.start, span.end)
            found = decoder.decode(samples, span.start, group)
            pending = group
            for _ in range(RETRY_PASSES):
                pending = unfinished_windows(pending, regions, found)
                if not pending:
                    break
                log.info("re-decoding %d window tail(s), %.1f s, where decoding stopped before the speech did",
                         len(pending), sum(w.duration for w in pending))
                redecoded += len(pending)
                found = sorted(found + decoder.decode(samples, span.start, pending), key=lambda s: (s.start, s.end))
            segments += found
            log.info("asr progress: %.0f / %.0f s (%.0f%%), %d segments so far",
                     span.end, duration, 100 * span.end / max(duration, 1e-9), len(segments))
        log.info("asr progress: %.0f / %.0f s (100%%), %d segments", duration, duration, len(segments))
    language, probability = decoder.language, decoder.probability
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


SENTENCE_ENDS = (".", "?", "!", "।", "॥", "。", "？", "！")
SENTENCE_PAUSE_S = 1.0  # a longer silence between two words ends a segment even without punctuation


def collect_segments(segments: Iterable[Any], offset: float = 0.0) -> Iterable[Segment]:
    """Engine segments as contract segments, ``offset`` seconds later; empty text is dropped.

    Segments with word times are cut into sentences (at sentence punctuation or a pause): batched
    decoding without timestamp tokens returns one segment per 30 s window, and translation and
    subtitles work sentence by sentence.
    """
    for raw in segments:
        if not raw.text.strip():
            continue
        words = [w for w in (raw.words or []) if w.word.strip()]
        if not words:
            yield Segment(round(offset + float(raw.start), 3), round(offset + float(raw.end), 3), raw.text.strip())
            continue
        for sentence in _sentences(words):
            yield Segment(
                start=round(offset + float(sentence[0].start), 3),
                end=round(offset + float(sentence[-1].end), 3),
                # engines put each word's leading space in the word: joined, the text reads as
                # spoken, also in scripts written without spaces
                text="".join(w.word for w in sentence).strip(),
                words=[
                    Word(
                        start=round(offset + float(w.start), 3),
                        end=round(offset + float(w.end), 3),
                        word=w.word.strip(),
                        probability=round(float(w.probability), 4),
                    )
                    for w in sentence
                ],
            )


def _sentences(words: list[Any]) -> Iterable[list[Any]]:
    sentence: list[Any] = []
    for word, following in zip(words, [*words[1:], None]):
        sentence.append(word)
        ends_sentence = word.word.strip().endswith(SENTENCE_ENDS)
        if following is None or ends_sentence or float(following.start) - float(word.end) > SENTENCE_PAUSE_S:
            yield sentence
            sentence = []


def transcribe(audio: Path, backend: str, settings: AsrSettings, film: str) -> Transcript:
    if backend == "whisperx":
        return transcribe_faster_whisper(audio, settings, film)
    if backend == "mlx":
        from .asr_mlx import transcribe_mlx

        return transcribe_mlx(audio, settings, film)
    raise ValueError(f"unknown asr backend {backend!r}; expected one of {BACKENDS}")
