"""A film's 16 kHz mono soundtrack, read a span at a time."""

from __future__ import annotations

import tempfile
import wave
from pathlib import Path
from typing import Any

from reelsub.media import SAMPLE_RATE, decode_to_pcm


class PcmAudio:
    """16 kHz mono 16-bit audio, read a span at a time.

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
            decode_to_pcm(self.path, converted, f"{path}: audio decode")
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

    def __enter__(self) -> PcmAudio:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
