"""QC: every rule is caught when broken, exceptions are told apart from violations, and the report's
numbers are right. (That build_cues never breaks a rule is proven in test_cues.py.)"""

from __future__ import annotations

import json

import pytest

from reelsub.contracts.qc_report import ScriptShare, Words
from reelsub.contracts.transcript import Segment, Transcript, Word
from reelsub.subtitles.cues import Cue, SubtitleRules, build_cues
from reelsub.subtitles.files import read_srt, write_srt
from reelsub.subtitles.qc import EXCEPTIONS, RULES, cue_findings, format_qc_table, qc_report

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
    assert report.violations == {rule: 0 for rule in RULES}  # every rule listed, each with 0
    assert report.exceptions == {category: 0 for category in EXCEPTIONS}
    assert report.cue_count == 3 and report.violation_count == 0
    assert report.words == Words(total=9, text_matches_transcript=True)
    assert "Every rule is kept" in report.summary
    json.dumps(report.to_dict(), allow_nan=False)  # the subtitle stage writes it as JSON


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
    assert report.violations[rule] >= 1, report.violations
    assert report.violation_count >= 1 and "RULE VIOLATIONS" in report.summary
    assert report.violation_examples[rule]  # cue numbers, to find them in the SRT


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
    assert report.long_word_exceptions == 1 == report.exceptions["long_word"]
    assert report.violation_count == 0
    report = qc_report([Cue(1.0, 5.0, [f"It's {long_word}"])], STANDARD, FPS, transcript)
    assert report.violations["line_length"] == 1 and report.long_word_exceptions == 0


def test_an_article_that_cannot_share_a_line_with_its_noun_is_an_exception() -> None:
    noun = "antidisestablishmentarianisms"  # "the " + noun = 33 characters, over a 30-character line
    words = [Word(1.0, 1.2, "See"), Word(1.2, 1.4, "the"), Word(1.4, 3.0, noun)]
    transcript = Transcript("qc", "en", 10.0, [Segment(1.0, 3.0, f"See the {noun}", words)])
    rules = SubtitleRules(max_chars_per_line=30)
    report = qc_report([Cue(1.0, 4.0, ["See the", noun])], rules, FPS, transcript)
    assert report.exceptions["article_split_forced"] == 1 and report.violation_count == 0
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
    assert report.reading_speed_cps == {"p50": 11.0, "p90": 12.6, "p99": 12.96, "max": 13.0}
    assert report.duration_s == {"min": 1.0, "p50": 1.0, "p90": 1.0, "p99": 1.0, "max": 1.0}
    assert report.speech_covered == pytest.approx(2.5 / 3, abs=1e-4)
    assert report.violations["in_time"] == 1  # the third cue appears after its word starts


def test_an_empty_track_reports_no_numbers_rather_than_failing() -> None:
    report = qc_report([], STANDARD, FPS, Transcript("qc", "en", 5.0, []))
    assert report.cue_count == 0 and report.reading_speed_cps["p50"] is None
    assert report.speech_covered == 1.0
    json.dumps(report.to_dict(), allow_nan=False)


def test_qc_of_a_written_and_read_srt_matches_the_cues_text(tmp_path) -> None:
    transcript = film()
    cues = build_cues(transcript, STANDARD, FPS)
    write_srt(cues, tmp_path / "en.srt")
    report = qc_report(read_srt(tmp_path / "en.srt"), STANDARD, FPS, transcript)
    assert report.words.text_matches_transcript and report.violation_count == 0, report.summary


def test_cues_whose_text_differs_are_matched_to_words_by_time() -> None:
    cues = with_cue(1, Cue(20.0, 21.216, ["And then it ran off."]))  # an edited subtitle
    report = qc_report(cues, STANDARD, FPS, film())
    assert not report.words.text_matches_transcript
    assert report.violations["text_mismatch"] == 1
    assert (
        report.violations["in_time"] == report.violations["out_time"] == 0
    )  # times still checked against the right words
    assert "matched to cues by time" in report.summary


def test_format_qc_table_lists_every_rule_and_exception() -> None:
    table = format_qc_table(qc_report(good_cues(), STANDARD, FPS, film()))
    lines = table.splitlines()
    assert lines[0].startswith("| check") and set(lines[1]) <= {"|", "-"}
    for name in (*RULES, *EXCEPTIONS):
        assert any(line.startswith("| ") and name in line for line in lines), name
    assert "| speech covered" in table


# -- review flags: what a viewer would notice, each with its cue numbers and times ------------------


def flagged(report: dict, check: str) -> list[int]:
    return [f.cue for f in report.findings if f.check == check]


def spoken(*said: tuple[str, float, float, float], duration: float = 30.0, speech=None, language: str = "en"):
    from reelsub.contracts.transcript import SpeechRegion

    segments = [
        Segment(start, end, word, [Word(start, end, word, probability)])
        for word, start, end, probability in said
    ]
    return Transcript(
        "f",
        language,
        duration,
        segments,
        speech=None if speech is None else [SpeechRegion(a, b) for a, b in speech],
    )


def test_text_on_a_subsecond_film_is_flagged_and_the_summary_does_not_say_every_rule_is_kept() -> None:
    """The 0.5 s film of the issue: one cue, "have a.", a hallucination."""
    transcript = spoken(("have", 0.0, 0.2, 0.6), ("a.", 0.2, 0.5, 0.5), duration=0.5)
    cues = [Cue(0.0, 0.512, ["have a."])]
    report = qc_report(cues, STANDARD, FPS, transcript)
    assert flagged(report, "subsecond_film") == [1]
    assert report.verdict != "ok" and "Every rule is kept" not in report.summary
    assert "FLAGGED FOR REVIEW" in report.summary


def test_likely_hallucinations_are_flagged_by_their_own_signs() -> None:
    said = [
        ("Thank", 1.0, 1.5, 0.9),
        ("you.", 1.5, 2.0, 0.9),
        ("Thank", 5.0, 5.5, 0.2),
        ("you.", 5.5, 6.0, 0.3),
    ]
    transcript = spoken(*said, speech=[(0.9, 2.1)])  # VAD heard nothing at 5-6 s
    cues = [Cue(1.0, 2.5, ["Thank you."]), Cue(5.0, 6.5, ["Thank you."])]
    report = qc_report(cues, STANDARD, FPS, transcript)
    assert flagged(report, "repeated_line") == [2]
    assert flagged(report, "no_speech_heard") == [2]
    assert flagged(report, "low_confidence") == [2]
    assert report.flags["repeated_line"] == 1 and report.verdict == "review"
    looping = Transcript(
        "f",
        "en",
        30.0,
        [Segment(1.0, 9.0, "la " * 40, [Word(1.0 + i * 0.2, 1.2 + i * 0.2, "la") for i in range(40)])],
    )
    cues = build_cues(looping, STANDARD, FPS)
    assert flagged(qc_report(cues, STANDARD, FPS, looping), "high_compression")


def test_a_cue_holding_the_end_of_one_sentence_and_the_start_of_the_next_is_flagged() -> None:
    transcript = spoken(
        ("I", 1.0, 1.2, 0.9),
        ("came.", 1.2, 1.6, 0.9),
        ("Then", 1.7, 2.0, 0.9),
        ("we", 2.0, 2.2, 0.9),
        ("left.", 2.2, 2.6, 0.9),
    )
    straddling = [Cue(1.0, 2.1, ["I came. Then"]), Cue(2.18, 3.2, ["we left."])]
    whole = [Cue(1.0, 3.2, ["I came. Then we left."])]
    assert flagged(qc_report(straddling, STANDARD, FPS, transcript), "straddles_sentences") == [1]
    assert flagged(qc_report(whole, STANDARD, FPS, transcript), "straddles_sentences") == []


def test_a_track_in_the_wrong_script_is_a_violation_named_in_the_summary() -> None:
    """Hindi that Whisper wrote in Urdu letters: the Hindi reader cannot read it."""
    transcript = spoken(("آج", 1.0, 1.5, 0.9), ("موسم", 1.5, 2.0, 0.9), language="hi")
    report = qc_report([Cue(1.0, 2.5, ["آج موسم"])], STANDARD, FPS, transcript)
    assert report.violations["wrong_script"] == 1 and flagged(report, "foreign_script") == [1]
    assert report.script == ScriptShare(expected=("Deva",), letters={"Arab": 6}, share_expected=0.0)
    assert "wrong_script" in report.summary and "0% of the letters are Devanagari" in report.summary
    devanagari = spoken(("आज", 1.0, 1.5, 0.9), ("मौसम", 1.5, 2.0, 0.9), language="hi")
    assert qc_report([Cue(1.0, 2.5, ["आज मौसम"])], STANDARD, FPS, devanagari).violations["wrong_script"] == 0


def test_a_confident_language_that_is_not_the_configured_one_is_flagged() -> None:
    from reelsub.contracts.transcript import Provenance

    transcript = spoken(("Hello.", 1.0, 1.5, 0.9), language="hi")
    transcript.provenance = [
        Provenance(
            "asr",
            "faster-whisper",
            settings={
                "language": "hi",
                "detected_language": "en",
                "language_probability": 0.97,
                "audio_track": {"language": "hin"},
            },
        )
    ]
    report = qc_report([Cue(1.0, 2.0, ["Hello."])], STANDARD, FPS, transcript)
    assert report.flags["language_mismatch"] == 1
    assert "heard English (p=0.97) but source_lang is Hindi" in report.summary
    assert "but the audio track is tagged 'hin'" in report.summary
    translated = qc_report([Cue(1.0, 2.0, ["Hello."])], STANDARD, FPS, transcript, translated=True)
    assert translated.flags["language_mismatch"] == 0  # a translation is not what was heard


def test_heard_speech_and_the_nearest_word_gap_are_found_as_visiting_every_one_finds_them() -> None:
    """QC's two searches that were quadratic in a film's length (17 s and 9 s of a 2-hour film's
    subtitle stage) give what visiting every region and every word gap gives: ordered and
    disjoint regions, overlapping ones, gaps in order and out of order, ties."""
    import random

    from reelsub.contracts.transcript import SpeechRegion
    from reelsub.subtitles.qc import _HeardSpeech, _nearest

    rng = random.Random(7)
    for overlapping in (False, True):
        regions, at = [], 0.0
        for _ in range(300):
            at += rng.uniform(0.0, 2.0)
            length = rng.uniform(0.01, 3.0)
            regions.append(SpeechRegion(round(at, 3), round(at + length, 3)))
            at += length if not overlapping else length / 3
        rng.shuffle(regions)
        heard = _HeardSpeech(regions)
        assert heard.disjoint is not overlapping
        ms = [(round(r.start * 1000), round(r.end * 1000)) for r in regions]
        for _ in range(2000):
            start = rng.randrange(-1000, int(at * 1000) + 1000)
            end = start + rng.randrange(0, 4000)
            every = sum(max(0, min(end, high) - max(start, low)) for low, high in ms)
            assert heard.overlap_ms(start, end) == every, (start, end)
    for ordered in (True, False):
        values = sorted(
            rng.choice([0.5, 1.0, 1.0, 2.5, 4.0, 4.0, 7.25]) + rng.randrange(0, 50) for _ in range(200)
        )
        if not ordered:
            rng.shuffle(values)
        for target in [rng.uniform(-5, 60) for _ in range(500)] + [1.75, 3.25, 0.0]:
            every = min(range(len(values)), key=lambda k: abs(values[k] - target))
            assert _nearest(values, target, ordered) == every, (target, ordered)
    assert _nearest([], 1.0, True) is None
