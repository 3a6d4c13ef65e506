"""The film's glossary (reelsub.glossary): spellings per script, whole-word markers, restoring."""

from __future__ import annotations

import pytest

from reelsub.asr import AsrSettings
from reelsub.glossary import GlossaryTerm, parse_glossary, prompt_words, protect


def test_a_term_is_one_name_in_several_scripts() -> None:
    jai = GlossaryTerm.parse(" Jai | जय ")
    assert jai.spellings == ("Jai", "जय")
    assert jai.spelling_in(["Latn"]) == "Jai"
    assert jai.spelling_in(["Deva"]) == "जय"
    assert jai.spelling_in(["Beng"]) == "Jai"  # no Bengali spelling: as given first
    with pytest.raises(ValueError, match="no spelling"):
        GlossaryTerm.parse(" | ")


def test_whisper_is_prompted_with_every_spelling_once() -> None:
    entries = ["Jai|जय", "Veeru", "Jai"]
    assert prompt_words(entries) == ["Jai", "जय", "Veeru"]
    settings = AsrSettings.from_config({}, threads=1, glossary=entries)
    assert settings.initial_prompt == "Jai, जय, Veeru."


def test_protect_replaces_whole_words_only_and_restore_writes_the_targets_spelling() -> None:
    terms = parse_glossary(["Jai|जय", "Ramgarh Fort|रामगढ़ क़िला", "Ramgarh|रामगढ़"])
    protected = protect("Jai left Jaipur for Ramgarh Fort, then Ramgarh; जय came too.", terms)
    # "Jaipur" is another word; the longer spelling wins over its prefix; both spellings of Jai
    # become the same marker
    assert protected.text == "@RSG1 left Jaipur for @RSG2, then @RSG3; @RSG1 came too."
    restored, lost = protected.restore("@RSG1 ने @RSG3 और @RSG2 देखा", ["Deva"])
    assert restored == "जय ने रामगढ़ और रामगढ़ क़िला देखा"
    assert lost == []
    restored, lost = protected.restore("@RSG2 only, and @RSG9 is not ours", ["Latn"])
    assert restored == "Ramgarh Fort only, and @RSG9 is not ours"
    assert [t.spellings[0] for t in lost] == ["Jai", "Ramgarh"]


def test_devanagari_words_end_where_their_vowel_signs_end() -> None:
    """ "जय" must not match inside "जयपुर", nor "वीरू" lose its vowel sign to a word boundary."""
    terms = parse_glossary(["जय", "वीरू"])
    assert protect("जयपुर में वीरू और जय", terms).text == "जयपुर में @RSG1 और @RSG2"
