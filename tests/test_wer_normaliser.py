"""The bench's WER normaliser (bench/corpus.py): every arm (reelsub, raw batched, raw sequential)
is scored after the same normalisation, so a spelling, a digit or a compound is never counted as a
word the recogniser got wrong, and a wrong word always is."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import corpus  # noqa: E402


@pytest.mark.parametrize(
    ("reference", "hypothesis"),
    [
        # numbers: digits as speech says them
        ("in nineteen sixty one", "In 1961"),
        ("forty two boats", "42 boats"),
        ("three hundred and sixty dollars", "$360"),  # "and" is an error Whisper does not make...
        ("the twenty first of june", "the 21st of June"),
        ("seven thirty in the evening", "7:30 in the evening"),
        # British and American spelling, with inflections
        ("two metres", "2 meters"),
        ("the harbour", "the harbor"),
        ("our neighbours", "our neighbors"),
        ("her favourite colours", "her favorite colors"),
        ("a grey theatre", "a gray theater"),
        ("they travelled", "they traveled"),
        ("we realised it", "we realized it"),
        ("the town centre", "the town center"),
        # compounds written together on one side
        ("on board a ship", "onboard a ship"),
        ("silver fish", "silverfish"),
        ("a weekend away", "a week end away"),
        # titles and punctuation
        ("mister john dashwood", "Mr. John Dashwood"),
        ("cold hearted", "cold-hearted"),
    ],
)
def test_spellings_of_the_same_words_are_no_errors(reference: str, hypothesis: str) -> None:
    _, errors, _ = corpus.wer(reference, hypothesis)
    if "and sixty" in reference:  # the reference's "and": one word the hypothesis lacks
        assert errors == 1
    else:
        assert errors == 0, (corpus.normalise(reference), corpus.normalise(hypothesis))


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        ("four of clubs", "for of clubs", 1),  # a homophone is a wrong word
        ("the hour is late", "the or is late", 1),  # -our words outside the table stay as they are
        ("your tour", "you tore", 2),
        ("ask what you can do", "asked what you can do", 1),
        ("the clause was lost entirely", "the", 4),
        ("silver fish", "silver dish", 1),  # no compound to join: the word is wrong
        ("on board", "on board onboard", 1),  # the pair is written apart too: not joined
    ],
)
def test_wrong_words_still_count(reference: str, hypothesis: str, expected: int) -> None:
    assert corpus.wer(reference, hypothesis)[1] == expected


def test_every_british_spelling_maps_to_a_different_american_one() -> None:
    table = corpus.BRITISH_TO_AMERICAN
    assert all(british != american for british, american in table.items())
    # short -our words are English words of their own, never in the table
    assert not {"four", "hour", "our", "your", "tour", "pour", "flour", "sour"} & table.keys()
    assert table["metres"] == "meters" and table["neighbourhood"] == "neighborhood"


def test_the_same_normalisation_for_reference_and_hypothesis() -> None:
    text = "On board the Harbour Queen, 42 travellers sat in the centre; Mr. Grey wasn't there."
    assert corpus.normalise(text) == corpus.normalise(text.upper())
    assert corpus.wer(text, text) == (0.0, 0, len(corpus.normalise(text)))
