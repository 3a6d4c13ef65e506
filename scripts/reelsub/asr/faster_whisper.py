"""The whisperx-env engine (CUDA or CPU): faster-whisper's BatchedInferencePipeline.

It is the engine whisperx itself wraps, without whisperx's pyannote VAD, which took half the time
in our measurement (RTF 0.017 vs 0.034 on a 10-min file). How speech is laid out, decoded span by
span, decoded again where it stopped short, and checked for each sentence's language is shared
with the mlx engine (reelsub.asr.decoding); this module brings the batched decoder.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from reelsub.asr.audio import PcmAudio
from reelsub.asr.decoding import decode_film
from reelsub.asr.engine import Decoder, EngineResult
from reelsub.asr.features import use_features
from reelsub.asr.output import collect_segments
from reelsub.asr.settings import AsrSettings
from reelsub.asr.vad import WINDOW_S
from reelsub.contracts.transcript import Segment, SpeechRegion
from reelsub.models import ModelNotFound, hub_is_offline, resolve_whisper_model

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
class BatchedDecoder(Decoder):
    """BatchedInferencePipeline over one span of audio at a time, in one language."""

    pipeline: Any
    settings: AsrSettings
    language: str | None = None  # set once the film's language is known (reelsub.asr.decoding)
    windows_decoded: int = 0  # each costs Whisper's encoder a full 30 s window, whatever it holds
    listening: bool = field(default=False, repr=False)  # listen_for_language asked, nothing decoded since
    heard: dict[str, float] | None = field(default=None, repr=False)
    # the last span's windows as languages_in_windows encoded them, by their features' fingerprint:
    # the pipeline's decoding of the same windows takes them instead of encoding them again
    encoded: dict[bytes, Any] = field(default_factory=dict, repr=False)

    @property
    def multilingual(self) -> bool:
        return bool(self.pipeline.model.model.is_multilingual)

    def listen_for_language(self) -> bool:
        self.listening, self.heard = True, None
        return True

    def language_heard(self) -> dict[str, float] | None:
        return self.heard

    @contextmanager
    def _encoder_shared(self) -> Iterator[None]:
        """While the pipeline decodes, its encoder serves twice: a batch whose windows
        :meth:`languages_in_windows` encoded already is not encoded again, and while listening, the
        first batch also gives its first window's language odds (CTranslate2's detect_language takes
        the encoder's output as well as features)."""
        if not self.listening and not self.encoded:
            yield
            return
        model = self.pipeline.model
        encode = model.encode

        def encode_once(features: Any) -> Any:
            encoded = self._encoded_before(features)
            if encoded is None:
                encoded = encode(features)
            if self.listening:
                self.listening = False
                self.heard = _odds(model.model.detect_language(encoded)[0])
            return encoded

        model.encode = encode_once  # this model's own attribute, for this one call
        try:
            yield
        finally:
            del model.encode

    def _encoded_before(self, features: Any) -> Any:
        """The encoder's output for a batch of features whose every window was encoded before (by
        :meth:`languages_in_windows`), as one StorageView; None where one was not."""
        import ctranslate2
        import numpy as np

        found = [self.encoded.get(_fingerprint(row)) for row in features]
        encoded = [row for row in found if row is not None]
        if not encoded or len(encoded) < len(found):
            return None
        return ctranslate2.StorageView.from_array(np.ascontiguousarray(np.stack(encoded)))

    @property
    def short_context(self) -> bool:
        return True  # CTranslate2 encodes features of any length up to the window's

    def language_odds(
        self, audio: PcmAudio, spans: list[SpeechRegion], context_s: float = WINDOW_S
    ) -> list[dict[str, float]]:
        """Whisper's language probabilities for each span's audio, padded to ``context_s``
        seconds of features, encoded in batches."""
        import numpy as np
        from faster_whisper.audio import pad_or_trim

        model = self.pipeline.model
        frames = round(context_s * model.feature_extractor.sampling_rate / model.feature_extractor.hop_length)
        results: list[dict[str, float]] = []
        for first in range(0, len(spans), self.settings.batch_size):
            batch = spans[first : first + self.settings.batch_size]
            features = np.stack(
                [
                    pad_or_trim(model.feature_extractor(audio.read(s.start, s.end))[..., :-1], frames)
                    for s in batch
                ]
            )
            results += map(_odds, model.model.detect_language(model.encode(features)))
        return results

    def languages_in_windows(
        self, samples: Any, offset: float, windows: list[SpeechRegion], regions: list[SpeechRegion]
    ) -> list[dict[str, float]]:
        self.encoded = {}  # one span's windows at a time: memory stays flat
        return super().languages_in_windows(samples, offset, windows, regions)

    def encoded_windows(self, pieces: list[Any]) -> Any:
        """The windows' features computed as the batched pipeline computes them, encoded, on the CPU
        to be sliced (a GPU's output is copied once per batch, not per region), and kept for the
        pipeline's decoding of the same windows (:meth:`_encoded_before`)."""
        import ctranslate2
        import numpy as np
        from faster_whisper.audio import pad_or_trim

        model = self.pipeline.model
        features = np.stack([pad_or_trim(model.feature_extractor(piece)[..., :-1]) for piece in pieces])
        encoded = np.asarray(model.encode(features).to_device(ctranslate2.Device.cpu))
        self.encoded.update(
            (_fingerprint(row), output) for row, output in zip(features, encoded, strict=True)
        )
        return encoded

    def frames_language_odds(self, encoded: Any, piece: int, start: int, end: int) -> dict[str, float]:
        """CTranslate2's detect_language takes encoder output as well as features."""
        import ctranslate2
        import numpy as np

        frames = np.ascontiguousarray(encoded[piece : piece + 1, start:end])
        (found,) = self.pipeline.model.model.detect_language(ctranslate2.StorageView.from_array(frames))
        return _odds(found)

    def decode_windows(
        self, samples: Any, offset: float, windows: list[SpeechRegion], language: str | None
    ) -> list[Segment]:
        with self._encoder_shared():
            return self._decode_windows(samples, offset, windows, language)

    def _decode_windows(
        self, samples: Any, offset: float, windows: list[SpeechRegion], language: str | None
    ) -> list[Segment]:
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


def _fingerprint(features: Any) -> bytes:
    """One window's features, as a key: the same audio cut the same way gives the same bytes."""
    import hashlib

    return hashlib.blake2b(features.tobytes(), digest_size=16).digest()


def _odds(found: list[tuple[str, float]]) -> dict[str, float]:
    """CTranslate2's language probabilities ("<|hi|>", p) as {"hi": p}."""
    return {token[2:-2]: float(probability) for token, probability in found}


class FasterWhisperEngine:
    name = "faster-whisper"
    packages = ("faster-whisper", "ctranslate2")

    def __init__(self) -> None:
        self.model: Any = None

    def load(self, settings: AsrSettings) -> None:
        started = time.monotonic()
        self.model = load_model(settings)
        use_features(self.model, settings.features, settings.device)
        log.info(
            "model %s loaded in %.1f s; batch size %d (%s), %s features",
            settings.model,
            time.monotonic() - started,
            settings.batch_size,
            settings.batch_size_reason,
            settings.features,
        )

    def transcribe(
        self, audio: PcmAudio, settings: AsrSettings, speech: list[SpeechRegion] | None
    ) -> EngineResult:
        from faster_whisper import BatchedInferencePipeline

        if self.model is None:
            self.load(settings)
        return decode_film(
            BatchedDecoder(BatchedInferencePipeline(self.model), settings), audio, settings, speech
        )
