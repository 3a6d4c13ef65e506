"""Pauses come from the audio (reelsub.pauses): Whisper's word times fitted to the silences VAD heard.

Pure functions on made-up transcripts; the real thing (Kokoro Hindi speech, Whisper base, VAD) is
tests/test_indian_languages.py.
"""

from __future__ import annotations

from reelsub.contracts.transcript import Segment, SpeechRegion, Transcript, Word
from reelsub.pauses import fit_to_speech, silences


def words(*spec: tuple[str, float, float]) -> list[Word]:
    return [Word(start, end, text) for text, start, end in spec]


def test_word_times_that_run_through_a_pause_are_pulled_out_of_it_and_the_sentence_is_cut() -> None:
    # Two unpunctuated Hindi sentences: speech 1.0-3.0 s and 4.0-6.0 s, but Whisper's times run
    # on through the pause (no gap at all between "है" and "क्या").
    said = words(
        ("आज", 0.8, 1.6),
        ("मौसम", 1.6, 2.4),
        ("अच्छा", 2.4, 3.3),
        ("है", 3.3, 4.3),
        ("क्या", 4.3, 4.9),
        ("तुम", 4.9, 5.5),
        ("आओगे", 5.5, 6.1),
    )
    transcript = Transcript(
        "f",
        "hi",
        7.0,
        [Segment(0.8, 6.1, "आज मौसम अच्छा है क्या तुम आओगे", said)],
        speech=[SpeechRegion(1.0, 3.0), SpeechRegion(4.0, 6.0)],
    )
    fitted = fit_to_speech(transcript, sentence_pause=0.6)
    assert [s.text for s in fitted.segments] == ["आज मौसम अच्छा है", "क्या तुम आओगे"]
    first, second = fitted.segments
    assert (first.start, first.end) == (1.0, 3.0) and (second.start, second.end) == (4.0, 6.0)
    assert [w.word for w in fitted.words()] == [w.word for w in said]  # nothing lost, nothing reordered
    times = [t for w in fitted.words() for t in (w.start, w.end)]
    assert times == sorted(times)


def test_a_pause_inside_a_punctuated_sentence_moves_the_words_but_keeps_the_sentence() -> None:
    """JFK pauses after "ask not": a speaker's pause, not a sentence's end, where Whisper punctuated.
    As Whisper does, "not" is stretched through the pause, and "what" starts about when speech resumes."""
    said = words(
        ("ask", 0.0, 0.4), ("not", 0.4, 1.5), ("what", 1.5, 1.8), ("you", 1.8, 2.1), ("can.", 2.1, 2.5)
    )
    transcript = Transcript(
        "f",
        "en",
        3.0,
        [Segment(0.0, 2.5, "ask not what you can.", said)],
        speech=[SpeechRegion(0.1, 0.8), SpeechRegion(1.6, 2.5)],
    )
    fitted = fit_to_speech(transcript, sentence_pause=0.6)
    assert len(fitted.segments) == 1
    not_, what = fitted.segments[0].words[1], fitted.segments[0].words[2]
    assert not_.end <= 0.8 and what.start >= 1.6  # the pause is seen between the words


def test_segments_without_words_are_fitted_as_a_whole() -> None:
    """Whisper's translate task gives segments without word times."""
    segments = [Segment(0.0, 2.6, "Hello, the weather is nice."), Segment(2.6, 5.0, "Have you eaten?")]
    transcript = Transcript("f", "en", 6.0, segments, speech=[SpeechRegion(0.5, 2.0), SpeechRegion(3.2, 4.8)])
    fitted = fit_to_speech(transcript, sentence_pause=0.6)
    assert [(s.start, s.end) for s in fitted.segments] == [(0.5, 2.0), (3.2, 4.8)]


def test_without_heard_speech_nothing_changes_and_a_far_silence_is_left_alone() -> None:
    said = words(("one", 0.0, 0.5), ("two", 0.5, 1.0))
    transcript = Transcript("f", "en", 20.0, [Segment(0.0, 1.0, "one two", said)])
    assert fit_to_speech(transcript, 0.6) is transcript
    far = Transcript(
        "f",
        "en",
        20.0,
        [Segment(0.0, 1.0, "one two", said)],
        speech=[SpeechRegion(0.0, 1.0), SpeechRegion(12.0, 13.0)],
    )
    assert [w.word for w in fit_to_speech(far, 0.6).words()] == ["one", "two"]
    assert silences([SpeechRegion(0, 1), SpeechRegion(1.1, 2), SpeechRegion(3, 4)], 0.25)[0].start == 2


def test_a_silence_goes_between_two_segments_before_it_goes_inside_one() -> None:
    """The recorded-English Hindi film (bench row c), Whisper base: a Hindi line decoded again on its
    own ends unpunctuated, and the English line after it begins with "And" stretched into the
    pause before it. Nearest-start alone put the silence between "And" and "so", moving "And" into
    the Hindi line's speech (the English phrase, asked its language with 0.45 s of Hindi, was not
    heard as English); the transcriber's own segment boundary is a sentence's end."""
    hindi = words(("کیا", 50.29, 50.62), ("جاتا", 51.77, 52.81), ("ہے", 52.81, 52.95))
    english = words(("And", 53.62, 54.34), ("so", 54.34, 54.72), ("my", 54.72, 55.04))
    transcript = Transcript(
        "f",
        "hi",
        60.0,
        [Segment(50.29, 52.95, "کیا جاتا ہے", hindi), Segment(53.62, 55.04, "And so my", english)],
        speech=[SpeechRegion(50.29, 53.04), SpeechRegion(54.16, 56.11)],
    )
    first, second = fit_to_speech(transcript, sentence_pause=0.6).segments
    assert first.text == "کیا جاتا ہے" and first.end <= 53.04
    assert second.text == "And so my" and second.start == 54.16
