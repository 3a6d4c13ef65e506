"""QC: every rule is caught when broken, exceptions are told apart from violations, and the report's
numbers are right. (That build_cues never breaks a rule is proven in test_cues.py.)"""

from __future__ import annotations

import json

import pytest
from reelsub.cues import Cue, SubtitleRules, build_cues
from reelsub.qc import EXCEPTIONS, RULES, cue_findings, format_qc_table, qc_report
from reelsub.subtitle_files import read_srt, write_srt
from reelsub.transcript import Segment, Transcript, Word

FPS = 24.0  # minimum gap: 2 frames = 83.3 ms, 84 ms in whole milliseconds
STANDARD = SubtitleRules()


def film() -> Transcript:
    """Three sentences with silences between them."""
    sentences = [
        [("I", 10.0, 10.1), ("saw", 10.1, 10.25), ("the", 10.25, 10.3), ("dog.", 10.3, 10.5)],
        [("Then", 20.0, 20.3), ("it", 20.3, 20.4), ("ran", 20.4, 20.7), ("away.", 20.7, 21.2)],
        [("Good.", 21.3, 21.6)],
    ]
    segments = []
    for sentence in sentences:
        words = [Word(start, end, text) for text, start, end in sentence]
        segments.append(Segment(words[0].start, words[-1].end, " ".join(w.word for w in words), words))
    return Transcript("qc", "en", 40.0, segments)


def good_cues() -> list[Cue]:
    return [
        Cue(10.0, 11.0, ["I saw the dog."]),
        Cue(20.0, 21.216, ["Then it ran away."]),  # chained: 84 ms before the next cue
        Cue(21.3, 22.5, ["Good."]),
    ]


def with_cue(index: int, cue: Cue) -> list[Cue]:
    cues = good_cues()
    cues[index] = cue
    return cues


def test_good_cues_keep_every_rule() -> None:
    report = qc_report(good_cues(), STANDARD, FPS, film())
    assert report["violations"] == {rule: 0 for rule in RULES}  # every rule listed, each with 0
    assert report["exceptions"] == {category: 0 for category in EXCEPTIONS}
    assert report["cue_count"] == 3 and report["violation_count"] == 0
    assert report["words"] == {"total": 9, "text_matches_transcript": True}
    assert "Every rule is kept" in report["summary"]
    json.dumps(report, allow_nan=False)  # the subtitle stage writes it as JSON


@pytest.mark.parametrize(
    "rule, cues, rules",
    [
        ("max_lines", with_cue(0, Cue(10.0, 11.0, ["I", "saw", "the dog."])), STANDARD),
        ("line_length", good_cues(), SubtitleRules(max_chars_per_line=12)),  # "I saw the dog." is 14
        ("article_split", with_cue(0, Cue(10.0, 11.0, ["I saw the", "dog."])), STANDARD),
        ("min_duration", with_cue(0, Cue(10.0, 10.5, ["I saw the dog."])), STANDARD),
        ("reading_speed", with_cue(0, Cue(10.0, 10.5, ["I saw the dog."])), STANDARD),
        ("max_duration", with_cue(0, Cue(10.0, 17.5, ["I saw the dog."])), STANDARD),
        ("min_gap", with_cue(1, Cue(20.0, 21.25, ["Then it ran away."])), STANDARD),  # 50 ms apart
        ("in_time", with_cue(0, Cue(9.0, 11.0, ["I saw the dog."])), STANDARD),  # 1 s before speech
        ("in_time", with_cue(0, Cue(10.2, 11.0, ["I saw the dog."])), STANDARD),  # after speech starts
        ("out_time", with_cue(2, Cue(21.3, 23.5, ["Good."])), STANDARD),  # 1.9 s after speech
        ("out_time", with_cue(1, Cue(20.0, 20.5, ["Then it ran away."])), STANDARD),  # gone mid-sentence
        ("silence", with_cue(0, Cue(10.0, 16.0, ["I saw the dog."])), STANDARD),
        ("text_mismatch", with_cue(0, Cue(10.0, 11.0, ["I saw the cat."])), STANDARD),
    ],
)
def test_each_broken_rule_is_counted_as_a_violation(rule: str, cues: list[Cue], rules: SubtitleRules) -> None:
    report = qc_report(cues, rules, FPS, film())
    assert report["violations"][rule] >= 1, report["violations"]
    assert report["violation_count"] >= 1 and "RULE VIOLATIONS" in report["summary"]
    assert report["violation_examples"][rule]  # cue numbers, to find them in the SRT


def test_a_fast_cue_with_room_to_stay_longer_is_a_violation_not_an_exception() -> None:
    # "I saw the dog." is said in 0.5 s, but silence follows: it could have stayed on screen.
    findings = cue_findings(with_cue(0, Cue(10.0, 10.5, ["I saw the dog."])), STANDARD, FPS, film())
    assert set(findings[0].violations) == {"min_duration", "reading_speed"}
    assert findings[0].exceptions == []


def test_a_word_longer_than_a_line_is_an_exception_and_several_words_are_not() -> None:
    long_word = "Pneumonoultramicroscopicsilicovolcanoconiosis"
    words = [Word(1.0, 1.3, "It's"), Word(1.3, 4.0, long_word)]
    transcript = Transcript("qc", "en", 10.0, [Segment(1.0, 4.0, f"It's {long_word}", words)])
    report = qc_report([Cue(1.0, 5.0, ["It's", long_word])], STANDARD, FPS, transcript)
    assert report["long_word_exceptions"] == 1 == report["exceptions"]["long_word"]
    assert report["violation_count"] == 0
    report = qc_report([Cue(1.0, 5.0, [f"It's {long_word}"])], STANDARD, FPS, transcript)
    assert report["violations"]["line_length"] == 1 and report["long_word_exceptions"] == 0


def test_an_article_that_cannot_share_a_line_with_its_noun_is_an_exception() -> None:
    noun = "antidisestablishmentarianisms"  # "the " + noun = 33 characters, over a 30-character line
    words = [Word(1.0, 1.2, "See"), Word(1.2, 1.4, "the"), Word(1.4, 3.0, noun)]
    transcript = Transcript("qc", "en", 10.0, [Segment(1.0, 3.0, f"See the {noun}", words)])
    rules = SubtitleRules(max_chars_per_line=30)
    report = qc_report([Cue(1.0, 4.0, ["See the", noun])], rules, FPS, transcript)
    assert report["exceptions"]["article_split_forced"] == 1 and report["violation_count"] == 0
    assert build_cues(transcript, rules, FPS)[0].lines == ["See the", noun]


def test_report_numbers() -> None:
    words = [Word(0.0, 1.0, "aaaaaaaaa"), Word(5.0, 6.0, "bbbbbbbbbbb"), Word(10.0, 11.0, "ccccccccccccc")]
    transcript = Transcript(
        "qc", "xx", 20.0, [Segment(0.0, 11.0, "aaaaaaaaa bbbbbbbbbbb ccccccccccccc", words)]
    )
    cues = [
        Cue(0.0, 1.0, ["aaaaaaaaa"]),  # 9 characters/s, 1 s
        Cue(5.0, 6.0, ["bbbbbbbbbbb"]),  # 11 characters/s, 1 s
        Cue(10.5, 11.5, ["ccccccccccccc"]),  # 13 characters/s, covers half its word
    ]
    report = qc_report(cues, STANDARD, 25.0, transcript)
    assert report["reading_speed_cps"] == {"p50": 11.0, "p90": 12.6, "p99": 12.96, "max": 13.0}
    assert report["duration_s"] == {"min": 1.0, "p50": 1.0, "p90": 1.0, "p99": 1.0, "max": 1.0}
    assert report["speech_covered"] == pytest.approx(2.5 / 3, abs=1e-4)
    assert report["violations"]["in_time"] == 1  # the third cue appears after its word starts


def test_an_empty_track_reports_no_numbers_rather_than_failing() -> None:
    report = qc_report([], STANDARD, FPS, Transcript("qc", "en", 5.0, []))
    assert report["cue_count"] == 0 and report["reading_speed_cps"]["p50"] is None
    assert report["speech_covered"] == 1.0
    json.dumps(report, allow_nan=False)


def test_qc_of_a_written_and_read_srt_matches_the_cues_text(tmp_path) -> None:
    transcript = film()
    cues = build_cues(transcript, STANDARD, FPS)
    write_srt(cues, tmp_path / "en.srt")
    report = qc_report(read_srt(tmp_path / "en.srt"), STANDARD, FPS, transcript)
    assert report["words"]["text_matches_transcript"] and report["violation_count"] == 0, report["summary"]


def test_cues_whose_text_differs_are_matched_to_words_by_time() -> None:
    cues = with_cue(1, Cue(20.0, 21.216, ["And then it ran off."]))  # an edited subtitle
    report = qc_report(cues, STANDARD, FPS, film())
    assert not report["words"]["text_matches_transcript"]
    assert report["violations"]["text_mismatch"] == 1
    assert (
        report["violations"]["in_time"] == report["violations"]["out_time"] == 0
    )  # times still checked against the right words
    assert "matched to cues by time" in report["summary"]


def test_format_qc_table_lists_every_rule_and_exception() -> None:
    table = format_qc_table(qc_report(good_cues(), STANDARD, FPS, film()))
    lines = table.splitlines()
    assert lines[0].startswith("| check") and set(lines[1]) <= {"|", "-"}
    for name in (*RULES, *EXCEPTIONS):
        assert any(line.startswith("| ") and name in line for line in lines), name
    assert "| speech covered" in table
