"""Bench row c's bound on the default's time for a Hindi film whose lines switch language
(bench/asr_worker.py): the default run writes the language it heard for each speech region, the
reelsub-languages-given mode decodes with those instead of hearing them, and every mode counts the
model's work at CTranslate2's calls (windows encoded, decoder tokens).

Real faster-whisper, Whisper base, on row c's Hindi film with recorded English lines (the Hindi:
Kokoro-82M TTS speaking espeak-ng's Hindi phonemes, a SUBSTITUTE for a recorded film; the English:
LibriVox clips of Debian's pocketsphinx-testdata and jfk.flac)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "bench"))
import speech  # noqa: E402

pytestmark = pytest.mark.slow  # three decodes of an 89 s film, about 40 s


def worker(mode: str, audio: Path, *extra: str) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            PROJECT / "bench" / "asr_worker.py",
            mode,
            audio,
            "--model",
            "base",
            "--language",
            "hi",
            *extra,
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT / "scripts"), "HF_HUB_OFFLINE": "1"},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dict]:
    (clip,) = [clip for clip in speech.hindi_films() if clip.group == "hindi+recorded english"]
    folder = tmp_path_factory.mktemp("given")
    heard = folder / "heard.json"
    found = {}
    for mode in ("reelsub", "reelsub-languages-given", "raw"):
        words = folder / f"{mode}.json"
        found[mode] = worker(mode, clip.path, "--words", str(words), "--languages", str(heard))
        found[mode]["text"] = json.loads(words.read_text())["text"]
    found["heard"] = json.loads(heard.read_text())[clip.path.stem]
    return found


def test_the_default_writes_each_regions_language_as_it_heard_it(runs: dict[str, dict]) -> None:
    spans = runs["heard"]
    languages = [language for span in spans for language in span]
    assert set(languages) == {"hi", "en"}, spans
    assert languages.count("en") >= 6, spans  # the six recorded English clips, a region or more each


def test_decoding_with_the_languages_given_reads_the_same_without_hearing(runs: dict[str, dict]) -> None:
    default, given = runs["reelsub"], runs["reelsub-languages-given"]
    assert given["text"] == default["text"]
    assert given["decoder_tokens"] == default["decoder_tokens"]
    # hearing encodes the film's windows and asks unclear phrases with their own audio: none of it
    # is spent when the languages are given (one decoder step: the film's language, heard while decoding)
    assert given["windows_encoded"] < default["windows_encoded"]
    assert given["language_steps"] <= 1 < default["language_steps"]
    assert given["language_check_s"] == 0


def test_the_model_work_says_the_default_reads_what_raw_batched_skips(runs: dict[str, dict]) -> None:
    """Raw batched, told hi, skips English lines and the Hindi after them: fewer decoder tokens,
    the cause of the time row c's default cannot match on this film."""
    default, raw = runs["reelsub"], runs["raw"]
    assert raw["decoder_tokens"] > 0 and raw["windows_encoded"] > 0
    assert default["decoder_tokens"] > 1.2 * raw["decoder_tokens"], (default, raw)
    assert "Dashwood" in default["text"] and "Dashwood" not in raw["text"]


def test_replaying_languages_recorded_for_another_film_fails_naming_the_file(tmp_path: Path) -> None:
    (clip,) = [clip for clip in speech.hindi_films() if clip.group == "hindi+english"]
    wrong = tmp_path / "heard.json"
    wrong.write_text(json.dumps({clip.path.stem: [["hi"]]}))
    with pytest.raises(subprocess.CalledProcessError) as failed:
        worker("reelsub-languages-given", clip.path, "--languages", str(wrong))
    assert str(wrong) in failed.value.stderr and "region(s)" in failed.value.stderr
