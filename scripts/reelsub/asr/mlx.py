"""The mlx backend of asr: mlx_whisper.transcribe, written out as the transcript contract.

mlx-whisper is the engine for Apple Silicon, where it runs Whisper on the Apple GPU. It also
runs on Linux with ``mlx[cpu]`` (that is how the tests exercise it), but slowly there: it is not
what the hardware detection picks on a Linux machine.

Differences from the whisperx backend that a reader of the provenance should know:
- mlx_whisper decodes greedily (with whisper's temperature fallback); ``beam_size``,
  ``batch_size``, ``vad_filter`` and hotwords do not apply. The glossary still reaches the
  decoder as the initial prompt.
- mlx_whisper has no public ``load_model``: we resolve the model to a local folder first (so a
  missing model fails fast, before any audio is decoded, with a message that says what to set)
  and hand the folder to ``mlx_whisper.transcribe``, which loads and caches it.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import time
import zipfile
from dataclasses import fields
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from reelsub.models import ModelNotFound
from reelsub.contracts.transcript import SpeechRegion
from reelsub.asr.audio import PcmAudio
from reelsub.media import SAMPLE_RATE
from reelsub.asr.engine import EngineResult
from reelsub.asr import script_choice
from reelsub.asr.output import collect_segments
from reelsub.asr.settings import AsrSettings

log = logging.getLogger(__name__)

# Whisper ids → the mlx-community conversions of the same OpenAI weights on the Hugging Face hub.
# "large" means large-v3, as it does for faster-whisper; turbo's repo has no "-mlx" suffix.
MLX_COMMUNITY_REPOS: dict[str, str] = {
    **{
        name: f"mlx-community/whisper-{name}-mlx"
        for name in (
            "tiny",
            "tiny.en",
            "base",
            "base.en",
            "small",
            "small.en",
            "medium",
            "medium.en",
            "large-v2",
            "large-v3",
        )
    },
    "large": "mlx-community/whisper-large-v3-mlx",
    "large-v3-turbo": "mlx-community/whisper-large-v3-turbo",
    "turbo": "mlx-community/whisper-large-v3-turbo",
}

WEIGHT_FILES = ("weights.safetensors", "weights.npz")  # the names mlx_whisper looks for, in its order


def mlx_device() -> str | None:
    """``"gpu"`` or ``"cpu"``: where mlx computes by default; None when mlx cannot run here.

    For hardware detection. Importing ``mlx.core`` is the real test: mlx-whisper installed
    without a backend (``mlx[cpu]`` on Linux) fails right there with ``ImportError: libmlx.so``.
    mlx_whisper itself is only looked up, not imported, because its import costs a second or two.
    """
    try:
        import mlx.core as mx
    except (ImportError, OSError):
        return None
    if importlib.util.find_spec("mlx_whisper") is None:
        return None
    return "gpu" if mx.default_device().type == mx.DeviceType.gpu else "cpu"


def mlx_available() -> bool:
    """Whether the mlx backend can run on this machine at all (GPU or CPU)."""
    return mlx_device() is not None


def use_fp16(device: str | None, dtype: str | None) -> bool:
    """Half precision only on a GPU and only for float16 weights (``dtype``).

    On a CPU float16 is the slow choice (jfk.flac, tiny.en, mlx[cpu] with OpenBLAS, 2 cores:
    float16 weights 31 s with fp16, 11 s without; float32 weights 6 s without). And
    mlx_whisper's ``fp16=True`` with weights of another dtype fails in the first window
    ("audio_features has an incorrect dtype"), because the encoder computes in the weights'
    dtype; ``fp16=False`` works with any weights.
    """
    return device == "gpu" and dtype == "float16"


def weights_dtype(folder: Path) -> str | None:
    """The float dtype of a model folder's weights (``"float16"``, ``"float32"``, ``"bfloat16"``),
    read from the file header of ``encoder.conv1.weight`` without loading any weights.

    conv1 is never quantized, so it shows the float dtype of quantized models too. None when the
    file cannot be read that way: the caller then takes the choice that works with any dtype.
    """
    safetensors, npz = folder / WEIGHT_FILES[0], folder / WEIGHT_FILES[1]
    try:
        if safetensors.is_file():
            with open(safetensors, "rb") as stream:
                header = json.loads(stream.read(int.from_bytes(stream.read(8), "little")))
            code: str = header["encoder.conv1.weight"]["dtype"]
            return {"F16": "float16", "BF16": "bfloat16", "F32": "float32"}.get(code, code.lower())
        if npz.is_file():
            import numpy as np

            with zipfile.ZipFile(npz) as archive, archive.open("encoder.conv1.weight.npy") as member:
                version = np.lib.format.read_magic(member)
                read_header = (
                    np.lib.format.read_array_header_1_0
                    if version == (1, 0)
                    else np.lib.format.read_array_header_2_0
                )
                _, _, dtype = read_header(member)
            return "bfloat16" if dtype.str == "|V2" else dtype.name  # numpy has no bfloat16: void
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    return None


def resolve_mlx_model(name: str) -> Path:
    """A local mlx_whisper model folder for a configured model, or ModelNotFound saying what to set.

    A folder is used as is; a Whisper id (``large-v3``) or an ``owner/name`` hub repo is fetched
    through the hub cache, which works offline when the repo was downloaded before.
    """
    expanded = Path(os.path.expanduser(name))
    if expanded.is_dir():
        _check_model_folder(name, expanded)
        return expanded
    repo = MLX_COMMUNITY_REPOS.get(name)
    if repo is None and _looks_like_hub_repo(name):
        repo = name
    if repo is None:
        raise ModelNotFound(
            f"MLX Whisper model {name!r} is neither a folder nor a known Whisper id "
            f"({', '.join(MLX_COMMUNITY_REPOS)}) nor a hub repo (owner/name). "
            "Set asr.model in config to a local MLX model folder (config.json and weights.safetensors)."
        )
    try:
        from huggingface_hub import snapshot_download

        folder = Path(snapshot_download(repo_id=repo))
    except Exception as error:  # offline, unknown repo, network: huggingface_hub raises many kinds
        raise ModelNotFound(
            f"cannot load MLX Whisper model {name!r} from hub repo {repo} "
            f"({type(error).__name__}: {error}). Set asr.model in config to a local MLX model folder "
            "(config.json and weights.safetensors), or allow the hub to download it (unset HF_HUB_OFFLINE)."
        ) from error
    _check_model_folder(name, folder)
    return folder


def _looks_like_hub_repo(name: str) -> bool:
    """``owner/name``: one slash, not a path (a missing folder must not be sent to the hub)."""
    return name.count("/") == 1 and not name.startswith(("/", ".", "~")) and "\\" not in name


def _check_model_folder(name: str, folder: Path) -> None:
    """Catch the common mistake, a CTranslate2 folder (the whisperx backend's format), early and by name."""
    config_file = folder / "config.json"
    problem = None
    if not any((folder / weights).is_file() for weights in WEIGHT_FILES):
        problem = f"no {' or '.join(WEIGHT_FILES)}"
        if (folder / "model.bin").is_file():
            problem += " (model.bin is a CTranslate2 model, for the whisperx backend)"
    elif not config_file.is_file():
        problem = "no config.json"
    else:
        try:
            config = json.loads(config_file.read_text(encoding="utf-8"))
            missing = [f.name for f in fields(_model_dimensions()) if f.name not in config]
        except (OSError, ValueError) as error:
            missing, problem = [], f"unreadable config.json ({error})"
        if missing:
            problem = f"config.json lacks {', '.join(missing)}"
    if problem:
        raise ModelNotFound(
            f"MLX Whisper model {name!r}: folder {folder} is not an MLX Whisper model: {problem}. "
            "Set asr.model in config to a local MLX model folder (config.json and weights.safetensors)."
        )


def _model_dimensions() -> type:
    from mlx_whisper.whisper import ModelDimensions

    dimensions: type = ModelDimensions  # mlx_whisper ships no type hints
    return dimensions


class MlxEngine:
    name = "mlx-whisper"
    packages = ("mlx-whisper", "mlx")

    def __init__(self) -> None:
        self.model_folder: Path | None = None

    def load(self, settings: AsrSettings) -> None:
        # mlx_whisper has no public load_model: resolving the folder (and checking it) is what can
        # fail early; mlx_whisper.transcribe loads and caches the weights itself.
        self.model_folder = resolve_mlx_model(settings.model)

    def transcribe(
        self, audio: PcmAudio, settings: AsrSettings, speech: list[SpeechRegion] | None
    ) -> EngineResult:
        """The whole soundtrack through mlx_whisper.transcribe (it windows the audio itself)."""
        import mlx_whisper

        model_folder = self.model_folder or resolve_mlx_model(settings.model)
        device, dtype = mlx_device(), weights_dtype(model_folder)
        fp16 = use_fp16(device, dtype)
        waveform = audio.read(0.0, audio.duration)
        log.info(
            "mlx-whisper %s (%s, %s weights) on %s, fp16=%s: %.0f s of audio",
            settings.model,
            model_folder,
            dtype,
            device,
            fp16,
            audio.duration,
        )
        if settings.layout != AsrSettings.layout:  # asked for in config, not the default
            log.warning(
                "asr.layout %s is the whisperx backend's: mlx-whisper windows the audio itself",
                settings.layout,
            )
        started = time.monotonic()
        result = mlx_whisper.transcribe(
            waveform,
            path_or_hf_repo=str(model_folder),
            word_timestamps=settings.word_timestamps,
            language=settings.language,
            fp16=fp16,
            no_speech_threshold=settings.no_speech_threshold,
            logprob_threshold=settings.log_prob_threshold,
            compression_ratio_threshold=settings.compression_ratio_threshold,
            condition_on_previous_text=settings.condition_on_previous_text,
            initial_prompt=settings.initial_prompt,
            verbose=None,  # None: no per-segment printing and no tqdm bar in the job log
        )
        elapsed = time.monotonic() - started
        language = settings.language or result["language"]
        segments = list(collect_segments(map(_as_attributes, result["segments"]), language=language))
        segments, rewritten = script_choice.apply(settings.script, segments, language)
        log.info(
            "asr done: %d segments, %.0f s of audio in %.1f s (RTF %.3f)",
            len(segments),
            audio.duration,
            elapsed,
            elapsed / max(audio.duration, 1e-9),
        )
        return EngineResult(
            segments=segments,
            detected_language=result["language"],
            facts={
                "fp16": fp16,
                "decoding": "greedy",  # mlx_whisper has no beam search: beam_size was not used
                # not asr.layout's value: mlx_whisper seeks through the audio 30 s at a time itself
                "layout": "mlx-whisper",
                "script_method": settings.script,
                "segments_rewritten_in_script": rewritten,
                "audio_seconds": round(len(waveform) / SAMPLE_RATE, 3),
            },
        )


def _as_attributes(raw: dict[str, Any]) -> SimpleNamespace:
    """An mlx_whisper segment dict in faster-whisper's attribute shape, so that both backends
    go through one conversion to the contract (:func:`reelsub.asr.output.collect_segments`)."""
    return SimpleNamespace(
        text=raw["text"],
        start=raw["start"],
        end=raw["end"],
        words=[SimpleNamespace(**word) for word in raw.get("words", [])],
    )
