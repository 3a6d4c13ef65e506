"""Bench row c's verdict per group (bench/rows/accuracy.py): issue 24's target has two halves, the
words (at most the better raw decoder + 0.5 point) and the time (at most 1.10x raw batched's), and a
group that meets one and not the other is reported as missed, naming the half. The figures below are
row c's own at 787b452 (bench/results.md): the cards clips read one word worse than raw sequential
at 1.03x, the Hindi film with recorded English lines reads far better than either raw decoder at
2.23x."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from lib import ASR_TIME_TARGET, Series  # noqa: E402
from rows.accuracy import (  # noqa: E402
    LABELS,
    LANGUAGES_GIVEN,
    SPEED_OPTION,
    shortfalls,
    time_cause,
    timed_arms,
    verdict_of,
)

CARDS_TINY_EN = {"reelsub": 3 / 21, "raw": 3 / 21, "raw-seq": 2 / 21}
HINDI_RECORDED_ENGLISH = {
    "reelsub": 53 / 630,
    "raw": 267 / 630,
    "raw-seq": 226 / 630,
    SPEED_OPTION: 185 / 630,
}


def test_a_group_that_reads_as_well_in_its_time_is_met() -> None:
    rate = {"reelsub": 0.030, "raw": 0.037, "raw-seq": 0.036}
    assert shortfalls(rate, 1.02) == []
    assert verdict_of(shortfalls(rate, 1.02)) == "met"


def test_the_margin_and_the_time_limit_are_inclusive() -> None:
    # 0.5 point worse than the better raw decoder, at exactly 1.10x: both halves met
    rate = {"reelsub": 0.105, "raw": 0.120, "raw-seq": 0.100}
    assert shortfalls(rate, ASR_TIME_TARGET) == []
    assert shortfalls({**rate, "reelsub": 0.106}, ASR_TIME_TARGET) == ["words"]
    assert shortfalls(rate, ASR_TIME_TARGET + 0.01) == ["time"]


def test_one_word_worse_misses_on_words() -> None:
    assert verdict_of(shortfalls(CARDS_TINY_EN, 1.03)) == "MISSED (words)"


def test_better_words_in_more_than_the_time_still_miss_on_time() -> None:
    """Accuracy wins where the two conflict (the issue), but the verdict does not hide the time."""
    assert verdict_of(shortfalls(HINDI_RECORDED_ENGLISH, 2.23)) == "MISSED (time)"
    assert verdict_of(shortfalls({**CARDS_TINY_EN}, 1.2)) == "MISSED (words, time)"


def test_a_time_miss_says_what_the_time_buys_and_what_the_speed_option_reads() -> None:
    timed = {
        "reelsub": Series("reelsub", [11.9, 12.1, 11.8]),
        "raw": Series("raw", [5.3, 5.4, 5.2]),
        SPEED_OPTION: Series(SPEED_OPTION, [9.7]),
    }
    cause = time_cause("base", "hindi+recorded english", HINDI_RECORDED_ENGLISH, timed)
    assert cause.startswith("hindi+recorded english (base): 2.25x raw batched's time")
    assert "for words raw batched does not read: the default 8.4%, raw batched 42.4%" in cause
    assert f"{LABELS[SPEED_OPTION]}: 29.4% in 1.83x raw batched's time" in cause


def test_a_time_miss_on_a_hindi_film_gives_the_bound_of_reading_every_line_in_its_language() -> None:
    """The default's decoding with each phrase's language given, not heard (asr_worker's
    reelsub-languages-given) runs the timed rounds on a Hindi film, and the cause names its ratio:
    over the target there, no way of hearing the languages meets it with this model."""
    assert LANGUAGES_GIVEN in timed_arms("hi") and LANGUAGES_GIVEN not in timed_arms("en")
    timed = {
        "reelsub": Series("reelsub", [14.9, 15.1]),
        "raw": Series("raw", [7.1, 6.9]),
        LANGUAGES_GIVEN: Series(LANGUAGES_GIVEN, [10.4, 10.6]),
    }
    cause = time_cause("base", "hindi+recorded english", HINDI_RECORDED_ENGLISH, timed)
    assert cause.startswith("hindi+recorded english (base): 2.14x raw batched's time")
    assert "language given, not heard (a perfect ear at no cost), the same decoding takes 1.50x" in cause


def test_a_time_miss_that_buys_no_word_says_so() -> None:
    timed = {"reelsub": Series("reelsub", [12.0]), "raw": Series("raw", [10.0])}
    cause = time_cause("tiny.en", "noisy", {"reelsub": 0.124, "raw": 0.124, "raw-seq": 0.137}, timed)
    assert "for no word more than raw batched reads (12.4% against 12.4%)" in cause
    assert "speed option" not in cause
