"""The mlx backend of asr: mlx_whisper.transcribe, written out as the transcript contract.

mlx-whisper is the engine for Apple Silicon, where it runs Whisper on the Apple GPU. It also
runs on Linux with ``mlx[cpu]`` (that is how the tests exercise it), but slowly there: it is not
what the hardware detection picks on a Linux machine.

Speech is found, laid out, decoded span by span and checked sentence by sentence for its
language as the whisperx backend does it (reelsub.asr.decoding, on the VAD of reelsub.asr.vad);
this module brings a decoder that runs mlx_whisper over those windows.

Differences from the whisperx backend that a reader of the provenance should know:
- mlx_whisper decodes greedily (with whisper's temperature fallback): ``beam_size`` does not
  apply, and a value above 1 is warned about in the log. Hotwords do not apply either; the
  glossary still reaches the decoder as the initial prompt. ``batch_size`` only sets how many
  windows are decoded (one after another) between two progress lines.
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
from dataclasses import dataclass, fields
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from reelsub.asr.audio import PcmAudio
from reelsub.asr.decoding import decode_film
from reelsub.asr.engine import Decoder, EngineResult
from reelsub.asr.output import collect_segments
from reelsub.asr.settings import AsrSettings
from reelsub.asr.vad import WINDOW_S
from reelsub.contracts.transcript import Segment, SpeechRegion
from reelsub.models import ModelNotFound

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


@dataclass
class MlxDecoder(Decoder):
    """mlx_whisper over windows of samples (its ``clip_timestamps``), for reelsub.asr.decoding.

    mlx_whisper seeks through each window itself, greedily; it loads the weights once and keeps
    them (``ModelHolder``), which the language odds share."""

    model_folder: Path
    settings: AsrSettings
    fp16: bool
    language: str | None = None  # set once the film's language is known (reelsub.asr.decoding)
    windows_decoded: int = 0

    def _model(self) -> Any:
        import mlx.core as mx
        from mlx_whisper.transcribe import ModelHolder

        # the dtype mlx_whisper.transcribe loads with, so both get the one cached model
        return ModelHolder.get_model(str(self.model_folder), mx.float16 if self.fp16 else mx.float32)

    @property
    def multilingual(self) -> bool:
        return bool(self._model().is_multilingual)

    def decode_windows(
        self, samples: Any, offset: float, windows: list[SpeechRegion], language: str | None
    ) -> list[Segment]:
        import mlx_whisper

        result = mlx_whisper.transcribe(
            samples,
            path_or_hf_repo=str(self.model_folder),
            # as faster-whisper's batched decoder: each window decoded on its own, without
            # timestamp tokens where word times cut sentences (with them, a sentence's first word
            # started where the one before ended, up to 0.95 s before it is spoken), and at
            # temperature 0 only (it has no fallback; here fallback sampling made decoding 5x slower)
            clip_timestamps=[t for w in windows for t in (w.start - offset, w.end - offset)],
            without_timestamps=self.settings.word_timestamps,
            temperature=0.0,
            language=language,
            task=self.settings.task,
            word_timestamps=self.settings.word_timestamps,
            fp16=self.fp16,
            no_speech_threshold=self.settings.no_speech_threshold,
            logprob_threshold=self.settings.log_prob_threshold,
            compression_ratio_threshold=self.settings.compression_ratio_threshold,
            condition_on_previous_text=self.settings.condition_on_previous_text,
            initial_prompt=self.settings.initial_prompt,
            verbose=None,  # None: no per-segment printing and no tqdm bar in the job log
        )
        # Whisper's sign of a decoding loop ("पुद पुद पुद ..." in a window's last half second): its
        # temperature fallback would decode that window again; at temperature 0 it is dropped
        decoded = [
            raw
            for raw in result["segments"]
            if raw.get("compression_ratio", 0.0) <= self.settings.compression_ratio_threshold
        ]
        return list(collect_segments(map(_as_attributes, decoded), offset, language))

    @property
    def short_context(self) -> bool:
        return True  # encoded_frames: mlx_whisper's encoder over fewer frames, as CTranslate2's

    def language_odds(
        self, audio: PcmAudio, spans: list[SpeechRegion], context_s: float = WINDOW_S
    ) -> list[dict[str, float]]:
        """Whisper's language probabilities for each span's audio, its log-mel frames padded to
        ``context_s`` seconds (a full window by default), one batch at a time.

        Padded as the faster-whisper engine pads them (zeros after the phrase's own normalised
        frames), not as mlx_whisper.transcribe does (30 s of silent samples before the log-mel): the
        language check's bounds (reelsub.asr.languages_in_film) were measured on the former, and
        with 10 s of context the two disagree (a Hindi line of the test film, Whisper base: p(hi)
        0.31 padded so, as CTranslate2 gives 0.37; 0.18 padded with silence, below p(en))."""
        from mlx_whisper.audio import HOP_LENGTH, SAMPLE_RATE

        model = self._model()
        frames = round(min(context_s, WINDOW_S) * SAMPLE_RATE / HOP_LENGTH)
        results: list[dict[str, float]] = []
        for first in range(0, len(spans), self.settings.batch_size):
            batch = spans[first : first + self.settings.batch_size]
            encoded = self._encoded([audio.read(s.start, s.end) for s in batch], frames)
            results += language_probabilities(model, encoded)
        return results

    def _encoded(self, pieces: list[Any], frames: int) -> Any:
        """The encoder's output for each piece of samples, its log-mel frames padded with zeros to
        ``frames`` (as faster-whisper pads them: the language check's bounds were measured so)."""
        import mlx.core as mx
        from mlx_whisper.audio import HOP_LENGTH, log_mel_spectrogram, pad_or_trim

        model = self._model()
        mel = mx.stack(
            [
                pad_or_trim(
                    log_mel_spectrogram(piece, n_mels=model.dims.n_mels, padding=HOP_LENGTH), frames, axis=-2
                )
                for piece in pieces
            ]
        )
        return encoded_frames(model, mel.astype(mx.float16 if self.fp16 else mx.float32))

    def encoded_windows(self, pieces: list[Any]) -> Any:
        """Each window's log-mel padded with zeros to a full window, as :meth:`language_odds` pads a
        span's, encoded."""
        from mlx_whisper.audio import N_FRAMES

        return self._encoded(pieces, N_FRAMES)

    def frames_language_odds(self, encoded: Any, piece: int, start: int, end: int) -> dict[str, float]:
        (odds,) = language_probabilities(self._model(), encoded[piece : piece + 1, start:end])
        return odds


def encoded_frames(model: Any, mel: Any) -> Any:
    """mlx_whisper's ``AudioEncoder.__call__`` on ``mel`` of any even number of frames up to a
    window's (3000): its positional embedding taken for the frames given, as CTranslate2 encodes
    features shorter than a window. mlx_whisper's own call asserts a full window; on one, this
    computes exactly what it does (tests/test_asr_mlx.py)."""
    from mlx.nn.layers.activations import gelu  # mlx.nn's gelu, where its type stubs find it

    encoder = model.encoder
    x = gelu(encoder.conv1(mel))
    x = gelu(encoder.conv2(x))
    x = x + encoder._positional_embedding[: x.shape[1]]
    for block in encoder.blocks:
        x, _, _ = block(x)
    return encoder.ln_post(x)


def language_probabilities(model: Any, features: Any) -> list[dict[str, float]]:
    """Whisper's probability of each language for each item of encoded ``features``: the decoder's
    first step after start-of-transcript over the language tokens alone, as
    ``mlx_whisper.decoding.detect_language`` computes it (which encodes again any features that are
    not a full window's)."""
    import mlx.core as mx
    import numpy as np
    from mlx_whisper.tokenizer import get_tokenizer

    tokenizer = get_tokenizer(model.is_multilingual, num_languages=model.num_languages)
    start = mx.array([[tokenizer.sot]] * features.shape[0])
    logits = model.logits(start, features)[:, 0]
    tokens = list(tokenizer.all_language_tokens)
    probabilities = np.array(mx.softmax(logits[:, mx.array(tokens)].astype(mx.float32), axis=-1))
    return [
        {code: float(p) for code, p in zip(tokenizer.all_language_codes, row, strict=True)}
        for row in probabilities
    ]


class MlxEngine:
    name = "mlx-whisper"
    packages = ("mlx-whisper", "mlx")

    def __init__(self) -> None:
        self.model_folder: Path | None = None

    def load(self, settings: AsrSettings) -> None:
        # mlx_whisper has no public load_model: resolving the folder (and checking it) is what can
        # fail early; mlx_whisper.transcribe loads and caches the weights itself.
        self.model_folder = resolve_mlx_model(settings.model)
        if settings.beam_size > 1:
            log.warning(
                "asr.beam_size is %d, but mlx-whisper has no beam search: it decodes greedily "
                "(beam size 1), which may cost some accuracy; the whisperx backend decodes with beams",
                settings.beam_size,
            )

    def transcribe(
        self, audio: PcmAudio, settings: AsrSettings, speech: list[SpeechRegion] | None
    ) -> EngineResult:
        """The film's speech through mlx_whisper, laid out and checked as the faster-whisper
        engine's is (reelsub.asr.decoding)."""
        model_folder = self.model_folder or resolve_mlx_model(settings.model)
        device, dtype = mlx_device(), weights_dtype(model_folder)
        fp16 = use_fp16(device, dtype)
        log.info(
            "mlx-whisper %s (%s, %s weights) on %s, fp16=%s: %.0f s of audio",
            settings.model,
            model_folder,
            dtype,
            device,
            fp16,
            audio.duration,
        )
        started = time.monotonic()
        result = decode_film(MlxDecoder(model_folder, settings, fp16), audio, settings, speech)
        elapsed = time.monotonic() - started
        log.info(
            "asr done: %d segments, %.0f s of audio in %.1f s (RTF %.3f)",
            len(result.segments),
            audio.duration,
            elapsed,
            elapsed / max(audio.duration, 1e-9),
        )
        result.facts |= {
            "fp16": fp16,
            "decoding": "greedy",  # mlx_whisper has no beam search: beam_size was not used
            "audio_seconds": round(audio.duration, 3),
        }
        return result


def _as_attributes(raw: dict[str, Any]) -> SimpleNamespace:
    """An mlx_whisper segment dict in faster-whisper's attribute shape, so that both backends
    go through one conversion to the contract (:func:`reelsub.asr.output.collect_segments`)."""
    return SimpleNamespace(
        text=raw["text"],
        start=raw["start"],
        end=raw["end"],
        words=[SimpleNamespace(**word) for word in raw.get("words", [])],
    )
