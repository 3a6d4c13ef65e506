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
    Hindi word before each over it, and Hindi lines after them. Each phrase's language is heard
    before decoding, and the English lines are decoded among themselves in English, the Hindi
    ones in Hindi: every line is read, the English ones tagged English (measured: the film's
    skeleton errors 249 of 630 decoded in Hindi alone; 53 with the speech no word covered decoded
    again and each sentence's language checked after; 27 heard first, docs/hindi-measurements.md
    section 13)."""
    (clip,) = [clip for clip in speech.hindi_films() if clip.group == "hindi+recorded english"]
    hindi = AsrSettings(model="base", device="cpu", compute_type="int8", cpu_threads=2, language="hi")
    transcript = transcribe(clip.path, "whisperx", hindi, "recorded")
    english = " ".join(s.text for s in transcript.segments if s.language == "en").lower()
    for said in ("dashwood", "leisure", "not an ill-disposed young man", "cold-hearted", "fellow americans"):
        assert said in english, transcript.text
    heard = transcript.provenance[0].settings["languages_heard_first"]
    # the six recorded clips, each a phrase or more (a pause heard in a clip parts it)
    assert heard["switched"]["en"] >= 6 and heard["spans_by_language"] >= 1, heard
    # every Hindi line heard, those after an English line too: decoded in Hindi with the English
    # lines, three were lost whole (docs/hindi-measurements.md section 10)
    import hindi_script_options  # bench/: the consonant skeleton row c scores by

    per_sentence = hindi_script_options.skeleton_errors_per_sentence(list(clip.sentences), transcript.text)
    for said, (errors, heard) in zip(clip.sentences, per_sentence, strict=True):
        if letter_scripts(said)["Deva"]:
            assert errors < len(hindi_script_options.skeleton(said)), (said, heard)
