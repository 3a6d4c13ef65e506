"""The held-out clips (bench/held_out.py): a decoding change chosen on row c is checked on the
narration films cut into single sentences and pairs, so each clip must hold its own sentences
whole and no word of a neighbour."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import held_out  # noqa: E402
import narration  # noqa: E402

# three sentences with the narration films' shortest and longest pauses (0.7 and 1.4 s)
SPANS = [(0.6, 3.0), (3.7, 6.5), (7.9, 9.0)]
DURATION = 9.7


def test_single_sentences_keep_a_margin_of_their_pauses_and_stop_short_of_the_neighbours():
    clips = held_out.clip_spans(SPANS, DURATION, per_clip=1)
    assert clips == [(0, 0.3, 3.3), (1, 3.4, 6.8), (2, 7.6, 9.3)]
    for (first, start, end), (speech_start, speech_end) in zip(clips, SPANS, strict=True):
        assert start < speech_start and end > speech_end
        if first + 1 < len(SPANS):
            assert end < SPANS[first + 1][0]
        if first > 0:
            assert start > SPANS[first - 1][1]


def test_pairs_take_two_sentences_with_their_pause_and_leave_an_odd_last_one_out():
    assert held_out.clip_spans(SPANS, DURATION, per_clip=2) == [(0, 0.3, 6.8)]


def test_a_margin_never_reaches_past_the_film():
    assert held_out.clip_spans([(0.1, 2.0)], 2.1, per_clip=1) == [(0, 0.0, 2.1)]


def test_every_pause_is_wider_than_two_margins():
    """Two neighbouring clips' margins share one pause: with the shortest pause wider than both,
    no clip hears its neighbour's first or last word."""
    assert narration.PAUSE_RANGE[0] > 2 * held_out.MARGIN_S
