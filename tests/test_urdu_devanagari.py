"""Urdu-script Hindi rewritten in Devanagari (reelsub.urdu_devanagari), on text Whisper base wrote for
the Kokoro Hindi test film (a substitute: Kokoro-82M TTS speaking espeak-ng Hindi phonemes)."""

from __future__ import annotations

import regex

from reelsub.urdu_devanagari import urdu_letters_to_devanagari, urdu_to_devanagari


def test_whisper_base_urdu_output_becomes_readable_devanagari() -> None:
    heard = (
        "میرا بھائی دلی میں ایک چھوٹی سی دکان چلاتا ہے"  # base on "मेरा भाई दिल्ली में एक छोटी सी दुकान चलाता है।"
    )
    assert urdu_to_devanagari(heard) == "मेरा भाई दली में एक छोटी सी दकान चलाता है"
    assert urdu_to_devanagari("کیا تم نے سوبہ کا کھانا کھا لیا؟") == "क्या तुम ने सोबह का खाना खा लिया?"
    assert urdu_to_devanagari("آج بارش ہوئی تھی۔") == "आज बारश होई थी।"


def test_letter_rules_aspiration_initial_vowels_and_untouched_scripts() -> None:
    assert urdu_letters_to_devanagari("بھائی") == "भाई"  # ھ aspirates, ئی is one vowel
    assert urdu_letters_to_devanagari("ایک") == "एक" and urdu_letters_to_devanagari("اور") == "ओर"
    assert urdu_letters_to_devanagari("یار") == "यार"  # ی at the start is a consonant
    mixed = "Please close the door, ट्रेन 10 बजे"
    assert urdu_to_devanagari(mixed) == mixed  # English and Devanagari words are left alone
    out = urdu_to_devanagari("فیلمہ ختمہونے کے بعد ہم سب گھر لوٹ آئے")
    assert not regex.search(r"\p{scx=Arabic}", out) and out.startswith("फ़ीलमह")
