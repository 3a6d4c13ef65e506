"""How bench row c scores the Hindi films (issue 24's target on the films this project is for).

Whisper writes Hindi in Devanagari, in Urdu letters or in Latin letters; row c compares the words
heard, so both sides are mapped to one consonant skeleton first (hindi_script_options.skeleton)
and scored by character errors. These tests pin that scorer, how a transcript's words are given to
a film's sentences for the per-sentence cause line, and which model and language each group runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import hindi_script_options  # noqa: E402
import speech  # noqa: E402
from rows import accuracy  # noqa: E402

SENTENCE = "मेरा भाई दिल्ली में एक छोटी सी दुकान चलाता है।"  # "My brother runs a small shop in Delhi."
SKELETON_LENGTH = 35


def test_the_same_words_in_devanagari_score_no_error_whatever_the_punctuation_and_spacing() -> None:
    assert hindi_script_options.skeleton_errors(SENTENCE, "मेरा भाई  दिल्ली में, एक छोटी सी दुकान चलाता है") == (
        0.0,
        0,
        SKELETON_LENGTH,
    )


def test_the_same_words_in_urdu_letters_score_almost_as_well() -> None:
    # Whisper base's own reading of the sentence on the Kokoro Hindi film: Urdu writes no short
    # vowels, so दिल्ली comes out as دلی; two skeleton characters of 35.
    _, errors, units = hindi_script_options.skeleton_errors(
        SENTENCE, "میرا بھائی دلی میں ایک چھوٹی سی دکان چلاتا ہے"
    )
    assert (errors, units) == (2, SKELETON_LENGTH)


def test_other_words_and_no_words_score_as_errors() -> None:
    other = hindi_script_options.skeleton_errors(
        SENTENCE, "मेरा दोस्त मुंबई में रहता है"
    )  # "my friend lives in Mumbai"
    assert other[0] >= 0.5
    assert hindi_script_options.skeleton_errors(SENTENCE, "") == (1.0, SKELETON_LENGTH, SKELETON_LENGTH)


def test_row_c_scores_a_hindi_clip_by_its_skeleton_and_an_english_one_by_words() -> None:
    hindi = speech.Clip("hindi", "hindi", Path("hindi.wav"), SENTENCE, "hi")
    english = speech.Clip("jfk", "jfk", Path("jfk.wav"), "ask not what your country can do for you")
    assert accuracy.scored(hindi, "میرا بھائی دلی میں ایک چھوٹی سی دکان چلاتا ہے")[1:] == (2, SKELETON_LENGTH)
    assert accuracy.scored(english, "Ask not what your country can do for you.")[1:] == (0, 9)


def test_errors_are_charged_to_the_sentence_they_are_in_and_add_up_to_the_whole() -> None:
    sentences = [SENTENCE, "आपका नाम क्या है?"]  # "What is your name?"
    # Whisper base's readings: the first in Urdu letters, the second with आपका heard as अब का
    heard = "میرا بھائی دلی میں ایک چھوٹی سی دکان چلاتا ہے अब का नाम क्या है"
    per_sentence = hindi_script_options.skeleton_errors_per_sentence(sentences, heard)
    assert per_sentence == [
        (2, "میرا بھائی دلی میں ایک چھوٹی سی دکان چلاتا ہے"),
        (2, "अब का नाम क्या है"),
    ]
    whole = hindi_script_options.skeleton_errors(" ".join(sentences), heard)
    assert sum(errors for errors, _ in per_sentence) == whole[1]


def test_a_missing_sentence_is_charged_in_full_and_gets_no_words() -> None:
    sentences = [SENTENCE, "आपका नाम क्या है?"]
    per_sentence = hindi_script_options.skeleton_errors_per_sentence(sentences, "आपका नाम क्या है")
    assert per_sentence == [(SKELETON_LENGTH, ""), (0, "आपका नाम क्या है")]


def test_the_hindi_films_run_on_a_multilingual_model_and_english_groups_on_tiny_en() -> None:
    def clip(name: str, group: str, language: str = "en") -> speech.Clip:
        return speech.Clip(name, group, Path(f"{name}.wav"), "", language)

    clips = [clip("cards-001", "cards"), clip("jfk", "jfk"), clip("hindi", "hindi", "hi")]
    runs = [(model, group, [c.name for c in members]) for model, group, members in accuracy.model_runs(clips)]
    assert runs == [
        ("tiny.en", "cards", ["cards-001"]),
        ("tiny.en", "jfk", ["jfk"]),
        (accuracy.MULTILINGUAL_MODEL, "cards", ["cards-001"]),
        (accuracy.MULTILINGUAL_MODEL, "hindi", ["hindi"]),
    ]
