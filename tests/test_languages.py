"""The language table: every code a user may write maps to the FLORES code IndicTrans2 wants."""

from __future__ import annotations

import pytest

from reelsub.languages import LANGUAGES, UnknownLanguage, display_name, is_supported, mkv_tag, resolve
from reelsub.translate.translation import TranslateSettings

# Written out from docs/indictrans2.md and ISO 639, independently of languages.py:
# (reelsub id, ISO 639-3 / FLORES prefix, English name, default FLORES code)
SCHEDULED = [
    ("as", "asm", "Assamese", "asm_Beng"),
    ("bn", "ben", "Bengali", "ben_Beng"),
    ("brx", "brx", "Bodo", "brx_Deva"),
    ("doi", "doi", "Dogri", "doi_Deva"),
    ("gom", "gom", "Konkani", "gom_Deva"),
    ("gu", "guj", "Gujarati", "guj_Gujr"),
    ("hi", "hin", "Hindi", "hin_Deva"),
    ("kn", "kan", "Kannada", "kan_Knda"),
    ("ks", "kas", "Kashmiri", "kas_Arab"),
    ("mai", "mai", "Maithili", "mai_Deva"),
    ("ml", "mal", "Malayalam", "mal_Mlym"),
    ("mni", "mni", "Manipuri", "mni_Beng"),
    ("mr", "mar", "Marathi", "mar_Deva"),
    ("ne", "npi", "Nepali", "npi_Deva"),
    ("or", "ory", "Odia", "ory_Orya"),
    ("pa", "pan", "Punjabi", "pan_Guru"),
    ("sa", "san", "Sanskrit", "san_Deva"),
    ("sat", "sat", "Santali", "sat_Olck"),
    ("sd", "snd", "Sindhi", "snd_Arab"),
    ("ta", "tam", "Tamil", "tam_Taml"),
    ("te", "tel", "Telugu", "tel_Telu"),
    ("ur", "urd", "Urdu", "urd_Arab"),
]
# Every FLORES code the IndicTrans2 models know (docs/indictrans2.md), second scripts included.
INDICTRANS2_CODES = set(
    "eng_Latn hin_Deva ben_Beng tam_Taml tel_Telu mar_Deva guj_Gujr kan_Knda mal_Mlym pan_Guru ory_Orya "
    "asm_Beng urd_Arab npi_Deva san_Deva kas_Arab kas_Deva mai_Deva mni_Beng mni_Mtei sat_Olck snd_Arab "
    "snd_Deva doi_Deva gom_Deva brx_Deva".split()
)


def test_the_table_is_english_and_the_22_scheduled_languages():
    assert len(SCHEDULED) == 22
    assert sorted(lang.id for lang in LANGUAGES if not lang.is_english) == sorted(row[0] for row in SCHEDULED)
    assert {lang.flores(script) for lang in LANGUAGES for script in lang.scripts} == INDICTRANS2_CODES


@pytest.mark.parametrize("language_id, iso639_3, name, flores", SCHEDULED, ids=[row[0] for row in SCHEDULED])
def test_every_spelling_resolves_to_the_indictrans2_code(language_id, iso639_3, name, flores):
    for spelling in (language_id, iso639_3, name, name.upper(), name.lower(), f" {language_id} ", flores):
        language = resolve(spelling)
        assert language.id == language_id, spelling
        assert language.flores() == flores, spelling
    assert is_supported(name)
    assert display_name(language_id) == name


def test_english_and_aliases():
    assert resolve("English").flores() == "eng_Latn"
    assert resolve("eng").id == "en"
    assert resolve("Oriya").id == "or"
    assert resolve("Bangla").id == "bn"
    assert resolve("nep").id == "ne"
    assert resolve("kok").id == "gom"
    assert resolve("Meitei").id == "mni"


def test_matroska_tags_are_iso_639_2_bibliographic():
    assert mkv_tag("hi") == "hin"
    assert mkv_tag("gom") == "kok"  # Konkani: ISO 639-2 has only the macrolanguage
    assert mkv_tag("ne") == "nep"
    assert mkv_tag("or") == "ori"
    assert mkv_tag("klingon") == "und"


@pytest.mark.parametrize(
    "code, default, other",
    [("ks", "kas_Arab", "kas_Deva"), ("mni", "mni_Beng", "mni_Mtei"), ("sd", "snd_Arab", "snd_Deva")],
)
def test_two_script_languages_default_and_override(code, default, other):
    language = resolve(code)
    assert language.flores() == default
    assert TranslateSettings().flores(language) == default
    script = other.split("_")[1]
    # the override may be keyed by any spelling of the language
    for key in (code, language.iso639_3, language.name):
        assert TranslateSettings(scripts={key: script}).flores(language) == other
    # an override for one language leaves the others alone
    assert TranslateSettings(scripts={key: script}).flores(resolve("hi")) == "hin_Deva"


def test_a_script_the_language_is_not_written_in_is_refused():
    with pytest.raises(UnknownLanguage, match="Hindi is written in Deva"):
        TranslateSettings(scripts={"hi": "Arab"})
    with pytest.raises(UnknownLanguage, match="Arab, Deva"):
        resolve("ks").flores("Latn")


@pytest.mark.parametrize("code", ["xx", "fr", "", "Klingon", "zzz_Latn"])
def test_unknown_code_lists_the_supported_languages(code):
    with pytest.raises(UnknownLanguage) as caught:
        resolve(code)
    message = str(caught.value)
    assert repr(code) in message
    for language in LANGUAGES:
        assert f"{language.id} ({language.name})" in message
    assert not is_supported(code)


def test_indicprocessor_accepts_every_code_in_the_table():
    """The real IndicTransToolkit tags and normalises a sentence for every code we can produce."""
    from IndicTransToolkit import IndicProcessor

    processor = IndicProcessor(inference=True)
    for code in sorted(INDICTRANS2_CODES - {"eng_Latn"}):
        tagged = processor.preprocess_batch(["नमस्ते, आप कैसे हैं?"], src_lang=code, tgt_lang="eng_Latn")
        assert tagged[0].startswith(f"{code} eng_Latn "), tagged
        restored = processor.postprocess_batch(["hello , how are you ?"], lang="eng_Latn")
        assert restored == ["hello, how are you?"]
        tagged = processor.preprocess_batch(["Hello, how are you?"], src_lang="eng_Latn", tgt_lang=code)
        assert tagged[0].startswith(f"eng_Latn {code} "), tagged
        assert processor.postprocess_batch(["नमस्ते"], lang=code)[0]
