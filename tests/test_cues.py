"""Cues from word timings: the rules hold for any words and timings, or QC counts a proven exception.

The property tests state what build_cues guarantees (see test_every_cue_keeps_every_rule_or_is_a_counted_exception).
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reelsub.contracts.transcript import Segment, Transcript, Word
from reelsub.subtitles.cues import (
    Cue,
    CueTooLong,
    SubtitleRules,
    build_cues,
    silence_shares,
    spoken_words,
    visible_length,
    wrap_lines,
)
from reelsub.subtitles.qc import cue_findings, qc_report

RULES = SubtitleRules()

# -- grapheme clusters, counted by hand --------------------------------------------------------


@pytest.mark.parametrize(
    "text, clusters",
    [
        # न | म | स्ते : स + virama + त is one conjunct, and the vowel sign े belongs to it.
        # 6 code points (न म स ् त े), 3 clusters.
        ("नमस्ते", 3),
        # हि | न्दी : ि belongs to ह; न + virama + द + ी is one conjunct with its vowel sign.
        ("हिन्दी", 2),
        # क्ष | त्रि | य : क्ष (क ् ष) and त्रि (त ् र ि) are conjuncts; 8 code points.
        ("क्षत्रिय", 3),
        # भा | र | त : the vowel sign ा joins भ.
        ("भारत", 3),
        # में : म + vowel sign े + anusvara ं, one cluster.
        ("में", 1),
        # औ | र : औ is an independent vowel, a cluster of its own.
        ("और", 2),
        # words and the space between them: न म स्ते ␠ भा र त
        ("नमस्ते भारत", 7),
        # Tamil: த | மி | ழ் ; the pulli (virama) ் joins ழ but Tamil forms no conjuncts across it.
        ("தமிழ்", 3),
        # Latin: e + combining acute is one character on screen.
        ("cafe\u0301", 4),
        ("And so, my fellow Americans", 27),
    ],
)
def test_visible_length_counts_grapheme_clusters_as_hand_counted(text: str, clusters: int) -> None:
    assert visible_length(text) == clusters


def test_a_devanagari_line_is_measured_in_clusters_not_code_points() -> None:
    # 14 x "नमस्ते " = 14 x 4 clusters - 1 = 55 clusters but 97 code points: two lines, and each line's
    # length is what a viewer counts.
    text = " ".join(["नमस्ते"] * 14)
    assert len(text) == 97 and visible_length(text) == 55
    lines = wrap_lines(text, RULES, language="hi")
    assert len(lines) == 2
    assert [visible_length(line) for line in lines] == [27, 27]


# -- line breaking -------------------------------------------------------------------------------


def test_text_that_fits_one_line_stays_on_one_line() -> None:
    assert wrap_lines("Ask not what your country can do for you.", RULES) == [
        "Ask not what your country can do for you."
    ]


def test_never_breaks_between_article_and_noun() -> None:
    # The most balanced break (15 | 12 characters) would leave "the" at a line end; the article
    # stays with its noun even though the lines are then less even (11 | 16).
    assert wrap_lines("Please open the curtains now", SubtitleRules(max_chars_per_line=20)) == [
        "Please open",
        "the curtains now",
    ]
    for article in ("a", "an"):
        lines = wrap_lines(f"She finally bought {article} house", SubtitleRules(max_chars_per_line=22))
        assert not lines[0].endswith(f" {article}"), lines


def test_prefers_a_break_after_a_comma_over_perfect_balance() -> None:
    text = "When the night came, everyone went home to sleep early"
    assert wrap_lines(text, SubtitleRules(max_chars_per_line=40)) == [
        "When the night came,",
        "everyone went home to sleep early",
    ]


def test_prefers_a_break_before_a_conjunction() -> None:
    text = "She packed her bags quickly and left without saying goodbye"
    assert wrap_lines(text, SubtitleRules(max_chars_per_line=42)) == [
        "She packed her bags quickly",
        "and left without saying goodbye",
    ]


def test_lines_are_balanced_where_no_break_is_better_than_another() -> None:
    text = "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj"  # 49 characters, every break plain
    top, bottom = wrap_lines(text, RULES)
    assert abs(len(top) - len(bottom)) <= 5
    assert len(top) <= len(bottom)  # a pyramid: the shorter line on top


def test_a_word_longer_than_a_line_gets_a_line_of_its_own_and_is_never_cut() -> None:
    long_word = "Pneumonoultramicroscopicsilicovolcanoconiosis"  # 45 letters
    assert wrap_lines(f"I have {long_word}", RULES) == ["I have", long_word]


def test_text_too_long_for_one_cue_is_refused_by_wrap_lines() -> None:
    with pytest.raises(CueTooLong):
        wrap_lines(" ".join(["word"] * 40), RULES)


def test_three_lines_where_the_rules_allow_them() -> None:
    lines = wrap_lines(" ".join(["word"] * 20), SubtitleRules(max_lines=3, max_chars_per_line=40))
    assert len(lines) == 3 and all(visible_length(line) <= 40 for line in lines)


# -- rules from the config -------------------------------------------------------------------------


def test_rules_from_config_keep_defaults_for_keys_left_out() -> None:
    rules = SubtitleRules.from_config({"max_cps": 20, "min_gap_frames": 3})
    assert rules.max_cps == 20.0 and rules.min_gap_frames == 3 and rules.max_chars_per_line == 42
    assert SubtitleRules.from_config({}) == SubtitleRules()
    # 5/6 s (20 frames at 24 fps) rounded up to whole milliseconds, as the schema states it
    assert 5 / 6 <= SubtitleRules().min_duration < 5 / 6 + 0.001


@pytest.mark.parametrize(
    "config", [{"max_cpss": 20}, {"max_lines": 0}, {"max_lines": 1.5}, {"max_cps": "fast"}]
)
def test_bad_rules_are_refused_with_the_key_named(config: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(config))):
        SubtitleRules.from_config(config)


def test_the_minimum_gap_follows_the_films_frame_rate() -> None:
    assert RULES.timing(24).min_gap == 84  # 2/24 s = 83.3 ms, rounded up to keep the rule
    assert RULES.timing(25).min_gap == 80
    assert RULES.timing(50).min_gap == 40
    assert RULES.timing(24).min_duration == 834


def test_silence_is_shared_lag_first_and_never_below_the_gap() -> None:
    timing = RULES.timing(25)  # gap 80 ms
    assert silence_shares(10_000, timing) == (1500, 500)  # a long silence: full lag and lead
    assert silence_shares(1080, timing) == (750, 250)  # 1000 ms shared 3:1, as max_lag : max_lead
    assert silence_shares(30, timing) == (-50, 0)  # shorter than the gap: the cue before leaves early


# -- building cues: examples -------------------------------------------------------------------------


def transcript_of(
    words: list[tuple[str, float, float]], language: str = "en", tail: float = 5.0
) -> Transcript:
    """One segment per sentence-ish run of words; the film lasts ``tail`` beyond the last word."""
    timed = [Word(start, end, text) for text, start, end in words]
    segment = Segment(timed[0].start, timed[-1].end, " ".join(w.word for w in timed), timed)
    return Transcript("test", language, timed[-1].end + tail, [segment])


def test_no_cue_during_a_long_silence() -> None:
    words = [("Hello", 0.0, 0.8), ("there.", 0.9, 2.0), ("Anyone", 30.0, 30.9), ("home?", 31.0, 32.0)]
    cues = build_cues(transcript_of(words), RULES, 24)
    assert [cue.text for cue in cues] == ["Hello there.", "Anyone home?"]
    assert not any(cue.start < 25.0 and cue.end > 5.0 for cue in cues)
    assert cues[0].end <= 2.0 + RULES.max_lag and cues[1].start >= 30.0 - RULES.max_lead


def test_a_short_isolated_word_is_held_for_the_minimum_duration_after_it_is_spoken() -> None:
    cues = build_cues(transcript_of([("Yes.", 10.0, 10.2)]), RULES, 25)
    assert len(cues) == 1
    assert cues[0].start == 10.0  # in at speech onset
    assert cues[0].duration >= RULES.min_duration and cues[0].end <= 10.2 + RULES.max_lag


def test_cues_break_at_a_pause_in_speech() -> None:
    words = [
        ("I", 0.0, 0.2),
        ("know", 0.2, 0.6),
        ("it", 0.6, 0.8),
        ("well", 0.8, 1.2),
        ("you", 2.0, 2.2),
        ("never", 2.2, 2.6),
        ("told", 2.6, 2.9),
        ("me", 2.9, 3.2),
    ]
    cues = build_cues(transcript_of(words), RULES, 25)
    assert [cue.text for cue in cues] == ["I know it well", "you never told me"]


def test_a_long_sentence_breaks_into_cues_at_clause_boundaries() -> None:
    text = (
        "We shall fight on the beaches, we shall fight on the landing grounds, we shall fight in the "
        "fields and in the streets, we shall fight in the hills; we shall never surrender."
    )
    words, clock = [], 0.0
    for token in text.split():
        duration = 0.06 * len(token) + 0.12
        words.append((token, clock, clock + duration))
        clock += duration + 0.02
    cues = build_cues(transcript_of(words), RULES, 24)
    for cue in cues[:-1]:
        assert cue.lines[-1].endswith((",", ";", ".")), [c.lines for c in cues]
    assert qc_report(cues, RULES, 24, transcript_of(words)).violation_count == 0


def test_a_translated_segment_is_rewrapped_into_cues_of_at_most_two_lines() -> None:
    # A translation has sentence times only; its words are estimated (transcript.estimated_words).
    sentence = (
        "यह एक बहुत लंबा अनुवादित वाक्य है जो कई पंक्तियों में टूटना चाहिए क्योंकि यह बयालीस "
        "अक्षरों से अधिक है और फिर भी यह खत्म नहीं होता है, बल्कि चलता ही रहता है।"
    )
    transcript = Transcript("film", "hi", 30.0, [Segment(2.0, 14.0, sentence)])
    cues = build_cues(transcript, RULES, 25)
    assert len(cues) >= 2
    assert all(len(cue.lines) <= 2 for cue in cues)
    assert all(visible_length(line) <= 42 for cue in cues for line in cue.lines)
    assert " ".join(cue.text.replace("\n", " ") for cue in cues) == sentence
    assert qc_report(cues, RULES, 25, transcript).violation_count == 0


def test_a_tamil_translation_keeps_every_rule() -> None:
    sentence = "வணக்கம் நண்பர்களே, இன்று நாம் தமிழ் மொழியின் அழகைப் பற்றி பேசப் போகிறோம். நன்றி."
    transcript = Transcript("film", "ta", 10.0, [Segment(1.0, 6.0, sentence)])
    cues = build_cues(transcript, RULES, 25)
    report = qc_report(cues, RULES, 25, transcript)
    assert report.violation_count == 0, report.summary
    assert " ".join(c.text.replace("\n", " ") for c in cues) == sentence


def test_a_word_longer_than_a_line_is_counted_never_cut() -> None:
    long_word = "Pneumonoultramicroscopicsilicovolcanoconiosis"
    transcript = transcript_of([("I", 0.0, 0.3), ("have", 0.3, 0.6), (long_word, 0.6, 3.5)])
    cues = build_cues(transcript, RULES, 25)
    assert any(long_word in cue.lines for cue in cues)
    report = qc_report(cues, RULES, 25, transcript)
    assert report.long_word_exceptions == 1 and report.violation_count == 0


def test_speech_too_fast_to_read_is_a_counted_exception_not_a_violation() -> None:
    # 236 characters said in 3 seconds, at the very start of the film: 14 s of reading at 17
    # characters/s, with at most 3 s + max_lag on screen. No timing could keep the reading speed.
    rapid = "this is far too much text for anybody to read in the single second it is said"
    tokens = (rapid + " " + rapid + " " + rapid).split()
    words = [(token, 3 * k / len(tokens), 3 * (k + 1) / len(tokens)) for k, token in enumerate(tokens)]
    transcript = transcript_of(words)
    cues = build_cues(transcript, RULES, 25)
    report = qc_report(cues, RULES, 25, transcript)
    assert report.violation_count == 0, report.summary
    assert report.exceptions["fast_speech"] >= 1
    # The fast cues still take every moment they may: speech time plus the lag after the last word.
    assert cues[0].start == 0.0 and cues[-1].end == 3.0 + RULES.max_lag
    assert all(b.start - a.end == pytest.approx(0.08) for a, b in itertools.pairwise(cues))


def test_words_squeezed_into_an_instant_are_counted_as_crowded() -> None:
    # Degenerate aligner output: three lines' worth of words at one instant, with speech either side.
    long_words = ["a" * 40, "b" * 40, "c" * 40]
    words = [("Speech", 0.0, 1.0)] + [(w, 1.0, 1.0) for w in long_words] + [("continues", 1.0, 2.0)]
    transcript = transcript_of(words)
    cues = build_cues(transcript, RULES, 25)
    report = qc_report(cues, RULES, 25, transcript)
    assert report.violation_count == 0, report.summary
    assert report.exceptions["crowded_speech"] >= 1


def test_a_word_spoken_longer_than_max_duration_gets_a_cue_of_max_duration() -> None:
    transcript = transcript_of([("Nooooooo!", 1.0, 11.0)])
    cues = build_cues(transcript, RULES, 25)
    assert [(c.start, c.end) for c in cues] == [(1.0, 8.0)]
    report = qc_report(cues, RULES, 25, transcript)
    assert report.violation_count == 0 and report.exceptions["long_utterance"] == 1


def test_an_empty_transcript_has_no_cues() -> None:
    assert build_cues(Transcript("film", "en", 10.0, []), RULES, 25) == []


# -- the property: any words, any timings ------------------------------------------------------------

ENGLISH = [
    "a",
    "an",
    "the",
    "and",
    "but",
    "or",
    "of",
    "to",
    "in",
    "on",
    "with",
    "for",
    "because",
    "I",
    "you",
    "we",
    "it's",
    "what?",
    "yes.",
    "no,",
    "well,",
    "country",
    "fellow",
    "Americans,",
    "ask",
    "not",
    "can",
    "do",
    "remarkable",
    "extraordinarily",
    "Mr.",
    "Smith",
    "said:",
    '"Hello!"',
    "together...",
    "(laughs)",
    "Don't—",
]
INDIC = ["नमस्ते", "हिन्दी", "क्षत्रिय", "भारत", "में", "है", "और", "का", "दुनिया।", "स्त्री,", "தமிழ்", "வணக்கம்", "நன்றி."]
long_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=43, max_size=70)
word_text = st.one_of(
    st.sampled_from(ENGLISH),
    st.sampled_from(ENGLISH),
    st.sampled_from(INDIC),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz,.?", min_size=1, max_size=15).filter(str.strip),
    long_words,
)
silence_before = st.one_of(
    st.just(0.0),
    st.floats(-0.3, 0.0),  # aligners do emit overlapping words
    st.floats(0.0, 0.05),
    st.floats(0.05, 0.6),
    st.floats(0.6, 3.0),
    st.floats(3.0, 40.0),
)
spoken_for = st.one_of(
    st.just(0.0),  # a word with no duration: common in aligner output
    st.floats(0.0, 0.1),
    st.floats(0.1, 0.9),
    st.floats(0.9, 3.0),
    st.floats(5.0, 12.0),  # one word held longer than max_duration
)
frame_rates = st.sampled_from([23.976, 24.0, 25.0, 29.97, 30.0, 50.0, 59.94])
rule_sets = st.sampled_from(
    [SubtitleRules(), SubtitleRules(max_cps=20.0), SubtitleRules(max_lines=3, max_chars_per_line=32)]
)


film_tails = st.floats(0.0, 5.0)  # how long the film runs after the last word


@st.composite
def transcripts(
    draw,
    texts=word_text,
    gaps=silence_before,
    durations=spoken_for,
    tails=film_tails,
    estimated=True,
):
    """Words with timings, cut into segments at random, some segments without word times (as a
    translation has: its words are estimated from the segment's time)."""
    count = draw(st.integers(1, 60))
    clock = draw(st.floats(0.0, 3.0))
    words = []
    for _ in range(count):
        text = draw(texts)
        start = max(0.0, clock + draw(gaps))
        end = start + draw(durations(text) if callable(durations) else durations)
        words.append(Word(round(start, 3), round(end, 3), text))
        clock = end
    segments, position = [], 0
    while position < count:
        size = draw(st.integers(1, 20))
        chunk = words[position : position + size]
        start = min(w.start for w in chunk)
        segment = Segment(
            start, max(max(w.end for w in chunk), start), " ".join(w.word for w in chunk), chunk
        )
        if estimated and draw(st.integers(0, 9)) == 0:
            segment.words = []  # sentence times only, like a translation
        segments.append(segment)
        position += size
    segments.sort(key=lambda s: s.start)
    language = draw(st.sampled_from(["en", "hi", "ta"]))
    end = max(s.end for s in segments)
    transcript = Transcript("property", language, round(end + draw(tails), 3), segments)
    transcript.validate()
    return transcript


def assert_guarantees(cues: list[Cue], transcript: Transcript, rules: SubtitleRules, fps: float) -> dict:
    """What build_cues guarantees for any input, checked directly and through QC."""
    # Hard rules, for every cue, with no exception.
    gap = rules.min_gap_frames / fps
    for cue in cues:
        assert 1 <= len(cue.lines) <= rules.max_lines, cue  # never a 3-line cue
        for line in cue.lines:
            assert visible_length(line) <= rules.max_chars_per_line or len(line.split()) == 1, cue
        assert 0 <= cue.start < cue.end, cue
        assert cue.duration <= rules.max_duration + 1e-9, cue
        assert abs(cue.start * 1000 - round(cue.start * 1000)) < 1e-6, (
            cue
        )  # whole milliseconds, as SRT stores
    for before, after in itertools.pairwise(cues):
        assert after.start - before.end >= gap - 1e-9, (before, after)  # ordered, apart by the gap
    # No word lost, none reordered.
    said = " ".join(w.text for w in spoken_words(transcript))
    assert " ".join(" ".join(c.text.split()) for c in cues) == said
    # Every other rule: kept, or a counted exception that QC proved from the words (see qc.py).
    report = qc_report(cues, rules, fps, transcript)
    # (wrong_script judges the transcript's text, which hypothesis makes up, not the builder)
    builder_violations = {rule: n for rule, n in report.violations.items() if n and rule != "wrong_script"}
    assert not builder_violations, (report.summary, [(k + 1, cues[k]) for k in range(len(cues))])
    # ... and QC did not overlook a failure: each cue short of its reading time is an exception.
    findings = cue_findings(cues, rules, fps, transcript)
    for cue, found in zip(cues, findings, strict=True):
        too_short = cue.duration < rules.min_duration - 1e-9 or cue.cps > rules.max_cps + 1e-9
        if too_short:
            assert {"fast_speech", "crowded_speech"} & set(found.exceptions), (cue, found)
    return report


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transcript=transcripts(), rules=rule_sets, fps=frame_rates)
def test_every_cue_keeps_every_rule_or_is_a_counted_exception(
    transcript: Transcript, rules: SubtitleRules, fps: float
) -> None:
    """For any words and timings (long words, Devanagari and Tamil, tight and sparse timing, long
    silences, overlapping and zero-length words, segments without word times):

    - always: at most max_lines lines; no line over max_chars_per_line unless it is one word;
      0 <= start < end; duration <= max_duration; cues ordered and at least min_gap_frames apart;
      the cues' text is every word, in order;
    - every other rule (min duration, reading speed, in-time within max_lead before speech,
      out-time within max_lag after it, never on screen in silence, article with its noun) is kept,
      or QC counts the cue as an exception it proves from the words: a single long word, an
      article and noun that cannot share a line, speech faster than it can be read in the cue's
      reading window, or words crowded into less than a frame.
    """
    assert_guarantees(build_cues(transcript, rules, fps), transcript, rules, fps)


def humane_duration(text: str):
    """At most max_cps (17 characters/s) with a two-character margin per word: time to say it."""
    least = (visible_length(text) + 2) / 17.0
    return st.floats(least, 3 * least)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    transcript=transcripts(
        texts=st.one_of(st.sampled_from(ENGLISH), st.sampled_from(INDIC)),
        gaps=st.one_of(st.just(0.0), st.floats(0.0, 0.3), st.floats(0.3, 5.0), st.floats(5.0, 40.0)),
        durations=humane_duration,
        tails=st.floats(2.0, 5.0),
        estimated=False,
    ),
    rules=st.sampled_from([SubtitleRules(), SubtitleRules(max_cps=20.0)]),
    fps=frame_rates,
)
def test_speech_no_faster_than_the_reading_speed_needs_no_exception(
    transcript: Transcript, rules: SubtitleRules, fps: float
) -> None:
    """Exceptions are only for speech that forces them: where every word takes at least as long to
    say as to read (plus two characters), build_cues finds cues with no fast or crowded speech."""
    report = assert_guarantees(build_cues(transcript, rules, fps), transcript, rules, fps)
    assert report.exceptions["fast_speech"] == 0 and report.exceptions["crowded_speech"] == 0, report.summary
