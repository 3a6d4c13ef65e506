"""Recorded English lines in a Hindi film: the Hindi film's sentences (Kokoro-82M TTS speaking
espeak-ng's Hindi phonemes, a SUBSTITUTE for a recorded film) with recorded English clips between
them (bench/speech.py: five LibriVox clips of Debian's pocketsphinx-testdata and jfk.flac, other
voices in another room, as a dub or an inserted scene brings), Whisper base, language hi."""

from __future__ import annotations

import sys
from pathlib import Path

from reelsub.asr import AsrSettings, transcribe
from reelsub.text import letter_scripts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import speech  # noqa: E402


def test_recorded_english_lines_in_a_hindi_film_are_heard_and_tagged() -> None:
    """Told to decode Hindi, Whisper base skipped three of the LibriVox lines whole, stretching the
    Hindi word before each over it; the speech no word covers is decoded again, and those lines are
    read, and tagged English (measured: the film's skeleton errors 249 -> 120 of 630; with the
    Hindi lines after them, 53)."""
    (clip,) = [clip for clip in speech.hindi_films() if clip.group == "hindi+recorded english"]
    hindi = AsrSettings(model="base", device="cpu", compute_type="int8", cpu_threads=2, language="hi")
    transcript = transcribe(clip.path, "whisperx", hindi, "recorded")
    english = " ".join(s.text for s in transcript.segments if s.language == "en").lower()
    for said in ("dashwood", "leisure", "not an ill-disposed young man", "cold-hearted", "fellow americans"):
        assert said in english, transcript.text
    assert transcript.provenance[0].settings["redecoded_windows"] >= 1
    # every Hindi line heard, those after an English line too: three were lost whole (one asked
    # its language with the English line before it, two skipped again when packed with English
    # ones; docs/hindi-measurements.md section 10)
    import hindi_script_options  # bench/: the consonant skeleton row c scores by

    per_sentence = hindi_script_options.skeleton_errors_per_sentence(list(clip.sentences), transcript.text)
    for said, (errors, heard) in zip(clip.sentences, per_sentence, strict=True):
        if letter_scripts(said)["Deva"]:
            assert errors < len(hindi_script_options.skeleton(said)), (said, heard)
