"""Whisper's log-mel features and the batch size, each chosen for the device the model runs on.

*Features.* faster-whisper computes each 30-s window's log-mel spectrogram with numpy on one CPU
thread: 3.4 s for a 2-hour film on the GPU machine we measured, where torch does the same on the GPU
in 0.007 s. :class:`TorchFeatures` is faster-whisper's own extractor (its mel filters, window, hop
and clipping, step for step) in torch, on the model's device; it stands in for the pipeline's
extractor. Its features equal numpy's within FEATURE_TOLERANCE (log-mel units, where speech spans
about 2; float32 FFTs summed in another order differ in the last bits). ``asr.features``: auto is torch
where the model runs on CUDA and torch sees the GPU, numpy otherwise (on a CPU numpy is what
faster-whisper was measured with).

*Batch size.* ``asr.batch_size``: a number is taken as it is. auto is BATCH_SIZE_CPU on a CPU (what
faster-whisper's batched pipeline is measured with, and reelsub's default before auto); on a GPU, as
many windows as half its free memory holds by WINDOW_BYTES, at most BATCH_SIZE_GPU_MAX (beyond
that, a bigger batch gained little on an H200: large-v3 beam-5 11.2 windows/s at 16, 13.6 at 32).

Both choices, and why, go into the transcript's provenance (asr settings ``features``,
``batch_size``, ``batch_size_reason``).
"""

from __future__ import annotations

import logging
import subprocess
from typing import Any

log = logging.getLogger(__name__)

FEATURE_CHOICES = ("auto", "numpy", "torch")
FEATURE_TOLERANCE = 1e-3  # measured on JFK with torch on the CPU: 4e-5
BATCH_SIZE_CPU = 8
BATCH_SIZE_GPU_MAX = 32
MEMORY_SHARE = 0.5  # of the free GPU memory, for the batch (the rest: CTranslate2's own buffers, the beam)
MIB = 1024 * 1024
# An estimate of the GPU memory one 30-s window takes while it is encoded and beam-decoded, float16,
# by model family (encoder activations scale with d_model x layers); "large" covers large-v1..v3.
WINDOW_BYTES = {
    "tiny": 48 * MIB,
    "base": 64 * MIB,
    "small": 160 * MIB,
    "medium": 320 * MIB,
    "turbo": 480 * MIB,
    "large": 640 * MIB,
}


def window_bytes(model: str) -> int:
    """WINDOW_BYTES for the model's family, read from its name; large where the name says none."""
    name = model.lower()
    for family in ("turbo", "tiny", "base", "small", "medium", "large"):
        if family in name:
            return WINDOW_BYTES[family]
    return WINDOW_BYTES["large"]


def gpu_free_bytes() -> int | None:
    """Free memory of the first CUDA device: torch's count where torch sees it, nvidia-smi's
    otherwise; None where neither can tell."""
    try:
        import torch

        if torch.cuda.is_available():
            free, _ = torch.cuda.mem_get_info()
            return int(free)
    except ImportError:
        pass
    try:
        answer = subprocess.run(
            ["nvidia-smi", "--query-gpu=memory.free", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        )
        return int(answer.stdout.split()[0]) * MIB
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def batch_size_for(setting: int | str, device: str, model: str, free: int | None = None) -> tuple[int, str]:
    """The batch size, and why (for provenance). ``free``: the GPU's free bytes (asked when None)."""
    if setting != "auto":
        return int(setting), "asr.batch_size"
    if device != "cuda":
        return BATCH_SIZE_CPU, "auto on the CPU"
    free = gpu_free_bytes() if free is None else free
    if free is None:
        return BATCH_SIZE_CPU, "auto on CUDA: free GPU memory unknown"
    fits = int(free * MEMORY_SHARE) // window_bytes(model)
    size = max(1, min(BATCH_SIZE_GPU_MAX, fits))
    return size, f"auto on CUDA: {free / 2**30:.1f} GiB free, {window_bytes(model) // MIB} MiB a window"


def features_for(setting: str, device: str) -> str:
    """numpy or torch (see the module docstring)."""
    if setting not in FEATURE_CHOICES:
        raise ValueError(f"asr.features must be one of {FEATURE_CHOICES}, not {setting!r}")
    if setting != "auto":
        return setting
    if device != "cuda":
        return "numpy"
    try:
        import torch
    except ImportError:
        return "numpy"
    return "torch" if torch.cuda.is_available() else "numpy"


class TorchFeatures:
    """faster-whisper's FeatureExtractor (``numpy_extractor``) computed with torch on ``device``;
    everything else (sampling rate, hop, chunk length) is the numpy extractor's own."""

    def __init__(self, numpy_extractor: Any, device: str) -> None:
        import torch

        self._numpy = numpy_extractor
        self._torch = torch
        self.device = device
        self._filters = torch.from_numpy(numpy_extractor.mel_filters.astype("float32")).to(device)
        # numpy's hanning(n + 1)[:-1] is torch's periodic Hann window
        self._window = torch.hann_window(numpy_extractor.n_fft, periodic=True, device=device)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._numpy, name)

    def __call__(self, waveform: Any, padding: int = 160, chunk_length: int | None = None) -> Any:
        torch = self._torch
        if chunk_length is not None:  # as the numpy extractor does: later calls use it too
            self._numpy.n_samples = chunk_length * self._numpy.sampling_rate
            self._numpy.nb_max_frames = self._numpy.n_samples // self._numpy.hop_length
        samples = torch.as_tensor(waveform, dtype=torch.float32).to(self.device)
        if padding:
            samples = torch.nn.functional.pad(samples, (0, padding))
        spectrum = torch.stft(
            samples,
            self._numpy.n_fft,
            self._numpy.hop_length,
            window=self._window,
            center=True,
            pad_mode="reflect",
            return_complex=True,
        )
        magnitudes = spectrum[..., :-1].abs() ** 2
        mel = self._filters @ magnitudes
        log_spec = torch.clamp(mel, min=1e-10).log10()
        log_spec = torch.maximum(log_spec, log_spec.max() - 8.0)
        return ((log_spec + 4.0) / 4.0).cpu().numpy()


def use_features(model: Any, features: str, device: str) -> None:
    """Give a WhisperModel the chosen extractor (numpy: faster-whisper's own, left as it is)."""
    if features == "torch":
        model.feature_extractor = TorchFeatures(model.feature_extractor, device)
        log.info("log-mel features: torch on %s", device)
