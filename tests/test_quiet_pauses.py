"""The packed layout keeps more of a quiet pause (reelsub.asr.vad.pause_level, packed_pad; issue 24).

espeak-ng sentences with digital silence between them are quiet; the same soundtrack in pink
noise 5 dB below the speech (bench/speech.py's mixer, ffmpeg's pink noise) is noisy, and keeps
faster-whisper's 0.4 s. VAD, the level and Whisper tiny.en run for real.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reelsub.asr import AsrSettings, transcribe
from reelsub.asr.audio import PcmAudio
from reelsub.asr.vad import (
    DECODE_PAD_S,
    QUIET_PAUSE_PAD_S,
    WINDOW_S,
    PauseLevel,
    decoding_regions,
    heard_speech,
    packed_pad,
    pause_level,
)
from reelsub.contracts.transcript import SpeechRegion
from testkit.synth import Speech, build_soundtrack

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import speech  # noqa: E402

SENTENCES = (
    "The fishermen pulled their nets onto the beach.",
    "They sat by the water until the light was gone.",
    "A narrow path climbs from the village to the chapel on the hill.",
    "Snow fell all night, and by the morning the trains had stopped.",
)


@pytest.fixture(scope="module")
def narration(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("quiet")
    parts = [Speech(silence=0.5)]
    for sentence in SENTENCES:
        parts += [Speech(text=sentence), Speech(silence=1.2)]
    wav = folder / "quiet.wav"
    build_soundtrack(parts, wav, folder)
    return wav


def in_pink_noise(clean: Path, snr_db: float) -> Path:
    """The soundtrack in pink noise ``snr_db`` below its speech (the bench's noisy group's mixer)."""
    clip = speech.Clip(clean.stem, "quiet", clean, "")
    return speech.noisy_mix([clip], clean.with_name(f"noisy-{snr_db:g}db.wav"), "pink", snr_db).path


def level_of(path: Path) -> PauseLevel | None:
    with PcmAudio(path) as audio:
        return pause_level(audio, heard_speech(audio, 1))


def test_silent_pauses_are_quiet_and_noise_is_not(narration: Path) -> None:
    quiet, noisy = level_of(narration), level_of(in_pink_noise(narration, 5.0))
    assert quiet is not None and quiet.quiet, quiet
    assert noisy is not None and not noisy.quiet, noisy
    assert noisy.speech_db - noisy.pause_db < 12, noisy  # about the 5 dB it was made with
    assert (packed_pad(quiet), packed_pad(noisy), packed_pad(None)) == (
        QUIET_PAUSE_PAD_S,
        DECODE_PAD_S,
        DECODE_PAD_S,
    )


def test_a_wider_pad_keeps_more_of_each_pause_and_every_region_fits_a_window() -> None:
    heard = [SpeechRegion(1.0, 3.0), SpeechRegion(5.0, 34.3), SpeechRegion(35.0, 36.0)]
    narrow, wide = decoding_regions(heard, 40.0), decoding_regions(heard, 40.0, QUIET_PAUSE_PAD_S)
    assert narrow[0] == SpeechRegion(0.65, 3.35) and wide[0] == SpeechRegion(0.3, 3.7)
    # the 29.3 s region gets what room a window leaves (0.35 s a side), no more
    assert wide[1] == SpeechRegion(4.65, 34.65) and wide[1].duration <= WINDOW_S
    assert all(r.duration <= WINDOW_S for r in wide)


def test_quiet_narration_is_decoded_with_its_pauses_kept_and_says_so(
    narration: Path, tiny_en_model: str
) -> None:
    settings = AsrSettings(model=tiny_en_model, device="cpu", compute_type="int8", cpu_threads=2)
    transcript = transcribe(narration, "whisperx", settings, "quiet")
    recorded = transcript.provenance[0].settings
    assert recorded["layout"] == "packed" and recorded["decode_pad_s"] == QUIET_PAUSE_PAD_S
    speech_db, pause_db = recorded["pause_level_db"]
    assert speech_db - pause_db >= 20
    said = transcript.text.lower()
    assert "fishermen" in said and "sat by the water" in said and "chapel" in said and "snow fell" in said

    noisy = transcribe(in_pink_noise(narration, 5.0), "whisperx", settings, "noisy")
    assert noisy.provenance[0].settings["decode_pad_s"] == DECODE_PAD_S
