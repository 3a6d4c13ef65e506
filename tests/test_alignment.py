"""The align stage: real faster-whisper tiny.en on real speech, real whisperx alignment code with a
tiny random wav2vec2 SUBSTITUTE (no real alignment model can be had offline), and the pure
merge/interpolation functions that keep every word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reelsub.align.word_times import (
    METHOD_WAV2VEC2,
    METHOD_WHISPER,
    AlignedWord,
    AlignSettings,
    align,
    interpolate_word_times,
    merge_alignment,
    times_from_aligned,
)
from reelsub.asr import AsrSettings, transcribe
from reelsub.contracts.transcript import Segment, Transcript, Word
from reelsub.models import ModelNotFound
from tiny_wav2vec2 import build_tiny_wav2vec2

# Where "And" begins in jfk.flac, measured from the waveform (10 ms frames): silence below -40 dBFS
# until 0.31 s, the voiced "A" from 0.32 s (-34 → -12 dBFS), the "s" of "so" at 0.57 s.
JFK_AND_ONSET_S = 0.32


@pytest.fixture(scope="module")
def jfk_transcript(jfk_flac: Path, tiny_en_model: str) -> Transcript:
    settings = AsrSettings(
        model=tiny_en_model, device="cpu", compute_type="int8", batch_size=8, beam_size=5, cpu_threads=2
    )
    return transcribe(jfk_flac, "whisperx", settings, "jfk")


@pytest.fixture(scope="module")
def tiny_wav2vec2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_wav2vec2(tmp_path_factory.mktemp("tiny-wav2vec2"))


def word_tuples(transcript: Transcript) -> list[tuple[str, float, float, float | None]]:
    return [(w.word, w.start, w.end, w.probability) for w in transcript.words()]


def text_words(transcript: Transcript) -> list[str]:
    return transcript.text.split()


def assert_times_sane(transcript: Transcript) -> None:
    transcript.validate()
    previous_segment_start = 0.0
    for segment in transcript.segments:
        assert segment.start >= previous_segment_start
        previous_segment_start = segment.start
        previous_end = segment.start
        for word in segment.words:
            assert 0.0 <= word.start <= word.end <= transcript.duration, word
            assert word.start >= previous_end - 1e-6, f"{word} starts before the previous word ends"
            previous_end = word.end


# -- real runs --------------------------------------------------------------------------------


def test_fallback_keeps_whisper_word_times_on_real_tiny_en(
    jfk_transcript: Transcript, jfk_flac: Path
) -> None:
    # No align.models and HF_HUB_OFFLINE=1 (conftest): whisperx's English default would be a
    # download, so it is not tried and whisper's own timings stay.
    aligned = align(jfk_transcript, jfk_flac, AlignSettings(models={}, device="cpu"))

    stage = aligned.provenance[-1]
    assert stage.stage == "align"
    assert stage.settings["method"] == METHOD_WHISPER
    assert "HF_HUB_OFFLINE" in stage.settings["reason"]
    assert [w.word for w in aligned.words()] == [w.word for w in jfk_transcript.words()]
    assert [p.stage for p in aligned.provenance] == ["asr", "align"]

    first = next(iter(aligned.words()))
    assert first.word == "And"
    # tiny.en puts "And" at 0.00 s, 0.32 s before it is spoken. Fitted to the speech VAD heard
    # (reelsub.pauses, in asr and again here), the first word starts when the speech does.
    assert abs(first.start - JFK_AND_ONSET_S) <= 0.1, first


def test_wav2vec2_path_with_substitute_tiny_model(
    jfk_transcript: Transcript, jfk_flac: Path, tiny_wav2vec2: Path
) -> None:
    settings = AlignSettings(models={"en": str(tiny_wav2vec2)}, device="cpu", threads=2)
    aligned = align(jfk_transcript, jfk_flac, settings)

    stage = aligned.provenance[-1]
    assert stage.settings["method"] == METHOD_WAV2VEC2
    assert stage.engine == "whisperx"
    assert stage.model == str(tiny_wav2vec2)
    assert stage.versions["whisperx"]
    # The substitute really ran: its times (meaningless, but its own) replaced whisper's.
    assert stage.settings["words_aligned"] == stage.settings["words"] == len(list(jfk_transcript.words()))
    assert [w.word for w in aligned.words()] == [w.word for w in jfk_transcript.words()]
    assert [(w.start, w.end) for w in aligned.words()] != [(w.start, w.end) for w in jfk_transcript.words()]
    assert text_words(aligned) == text_words(jfk_transcript)
    assert [w.probability for w in aligned.words()] == [w.probability for w in jfk_transcript.words()]
    assert_times_sane(aligned)

    round_trip = Transcript.from_dict(aligned.to_dict())  # still the contract
    assert word_tuples(round_trip) == word_tuples(aligned)


def test_substitute_model_keeps_numbers_symbols_and_words_past_the_audio_end(
    jfk_flac: Path, tiny_wav2vec2: Path
) -> None:
    # Real whisperx code paths that lose words: digits and symbols are not in the model's letters,
    # and a segment starting at the end of the audio is skipped by whisperx ("original start time
    # longer than audio duration") and comes back with no words at all.
    words = [
        Word(0.5, 1.0, "In", 0.9),
        Word(1.0, 2.0, "1961", 0.8),
        Word(2.0, 2.5, "it", 0.9),
        Word(2.5, 3.0, "cost", 0.9),
        Word(3.0, 3.6, "$5.", 0.7),
    ]
    transcript = Transcript(
        film="numbers",
        language="en",
        duration=11.0,
        segments=[
            Segment(0.5, 3.6, "In 1961 it cost $5.", words),
            Segment(11.0, 11.0, "Thank you.", []),  # the film's last words, no whisper times
        ],
    )
    aligned = align(transcript, jfk_flac, AlignSettings(models={"en": str(tiny_wav2vec2)}))

    assert [w.word for w in aligned.words()] == ["In", "1961", "it", "cost", "$5.", "Thank", "you."]
    assert aligned.segments[-1].words == [Word(11.0, 11.0, "Thank"), Word(11.0, 11.0, "you.")]
    assert aligned.provenance[-1].settings["segments_unaligned"] == 1
    assert_times_sane(aligned)


# transformers warns while failing to read the empty folder; the warning is not the subject here
@pytest.mark.filterwarnings("ignore:Loading a tokenizer inside Wav2Vec2Processor:FutureWarning")
@pytest.mark.parametrize(
    "kind, key", [("missing folder", "en"), ("empty folder", "en"), ("missing folder", "English")]
)
def test_configured_model_that_cannot_load_raises_model_not_found(
    kind: str, key: str, jfk_transcript: Transcript, jfk_flac: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "wav2vec2-english"
    if kind == "empty folder":
        folder.mkdir()
    with pytest.raises(ModelNotFound) as raised:
        align(jfk_transcript, jfk_flac, AlignSettings(models={key: str(folder)}))
    message = str(raised.value)
    assert str(folder) in message
    assert f"align.models.{key}" in message


def test_language_without_any_model_keeps_whisper_times(jfk_flac: Path) -> None:
    transcript = Transcript(
        film="x",
        language="sat",  # Santali: whisperx has no default alignment model, and tests run offline
        duration=11.0,
        segments=[Segment(0.0, 2.0, "ᱥᱟᱱᱛᱟᱲᱤ", [Word(0.2, 1.5, "ᱥᱟᱱᱛᱟᱲᱤ", 0.5)])],
    )
    aligned = align(transcript, jfk_flac, AlignSettings(models={"en": "/never/loaded"}))
    assert aligned.provenance[-1].settings["method"] == METHOD_WHISPER
    assert "needs a download (HF_HUB_OFFLINE is set)" in aligned.provenance[-1].settings["reason"]
    assert word_tuples(aligned) == word_tuples(transcript)

    no_defaults = align(transcript, jfk_flac, AlignSettings(use_default_models=False))
    assert "use_default_models is off" in no_defaults.provenance[-1].settings["reason"]


# -- the pure merge and interpolation -----------------------------------------------------------


def test_untimed_words_get_times_between_their_neighbours() -> None:
    tokens = ["we", "met", "in", "1961", "and", "again"]
    times = [(1.0, 1.2), (1.2, 1.5), None, None, (2.4, 2.6), (2.6, 3.0)]
    filled = interpolate_word_times(tokens, times, lo=0.5, hi=3.5)

    assert filled[:2] == [(1.0, 1.2), (1.2, 1.5)]
    assert filled[4:] == [(2.4, 2.6), (2.6, 3.0)]
    # "in" and "1961" share the 0.9 s gap by length (3 : 5 with the space)
    assert filled[2] == (1.5, round(1.5 + 0.9 * 3 / 8, 3))
    assert filled[3] == (round(1.5 + 0.9 * 3 / 8, 3), 2.4)


def test_untimed_words_keep_whisper_times_where_they_fit_the_gap() -> None:
    tokens = ["in", "1961", "and"]
    filled = interpolate_word_times(
        tokens, [(1.0, 1.2), None, (2.4, 2.6)], lo=0.0, hi=3.0, hints=[(0.9, 1.1), (1.6, 2.2), (2.3, 2.7)]
    )
    assert filled == [(1.0, 1.2), (1.6, 2.2), (2.4, 2.6)]
    # whisper's time outside the gap is clamped into it
    assert interpolate_word_times(tokens, [(1.0, 1.2), None, (2.4, 2.6)], 0.0, 3.0, [None, (1.1, 2.0), None])[
        1
    ] == (1.2, 2.0)


def test_trailing_untimed_word_at_the_end_of_the_film_survives() -> None:
    segment = Segment(9.0, 12.0, "ask what you can do", [])  # ASR ran past the 11 s of audio
    aligned = [AlignedWord("ask", 9.1, 9.4), AlignedWord("what", 9.5, 9.9), AlignedWord("you", 10.0, 10.3)]
    merged = merge_alignment(segment, aligned, duration=11.0)  # whisperx dropped "can do"

    assert [w.word for w in merged.words] == ["ask", "what", "you", "can", "do"]
    assert merged.words[3].start == 10.3 and merged.words[-1].end == 11.0
    assert merged.end == 11.0

    # no time left at all: zero-length, but present
    at_end = merge_alignment(Segment(11.0, 11.0, "Goodbye.", []), [], duration=11.0)
    assert at_end.words == [Word(11.0, 11.0, "Goodbye.")]


def test_numbers_and_symbols_survive_when_the_aligner_drops_or_cannot_time_them() -> None:
    words = [
        Word(0.0, 0.4, "In"),
        Word(0.4, 1.0, "1961"),
        Word(1.0, 1.3, "it"),
        Word(1.3, 1.6, "cost"),
        Word(1.6, 2.1, "$5"),
        Word(2.1, 2.3, "only."),
    ]
    segment = Segment(0.0, 2.5, "In 1961 it cost $5 only.", words)
    aligned = [  # an older whisperx: digits and "$" untimed, and "$5" missing altogether
        AlignedWord("In", 0.2, 0.4),
        AlignedWord("1961"),
        AlignedWord("it", 1.1, 1.2),
        AlignedWord("cost", 1.25, 1.5),
        AlignedWord("only.", 2.2, 2.4),
    ]
    merged = merge_alignment(segment, aligned, duration=60.0)

    assert [w.word for w in merged.words] == ["In", "1961", "it", "cost", "$5", "only."]
    by_word = {w.word: (w.start, w.end) for w in merged.words}
    assert by_word["1961"] == (0.4, 1.0)  # whisper's time, inside the gap 0.4-1.1
    assert by_word["$5"] == (1.6, 2.1)  # whisper's time, inside the gap 1.5-2.2
    assert merged.start == 0.2 and merged.end == 2.4
    previous = 0.0
    for word in merged.words:
        assert previous <= word.start <= word.end
        previous = word.end


def test_times_map_back_when_whisperx_splits_words_into_characters() -> None:
    # For ja/zh whisperx returns one "word" per character; ours are whisper's multi-character words.
    tokens = ["東京", "です"]
    aligned = [
        AlignedWord("東", 0.0, 0.2),
        AlignedWord("京", 0.2, 0.5),
        AlignedWord("で", 0.6, 0.7),
        AlignedWord("す", 0.7, 0.9),
    ]
    assert times_from_aligned(tokens, aligned) == [(0.0, 0.5), (0.6, 0.9)]


def test_times_clamp_to_the_film_and_out_of_order_times_are_replaced() -> None:
    filled = interpolate_word_times(["a", "b", "c"], [(-0.5, 0.2), (0.1, 0.15), (0.3, 99.0)], lo=0.0, hi=10.0)
    assert filled[0] == (0.0, 0.2)
    assert 0.2 <= filled[1][0] <= filled[1][1] <= 0.3  # went back in time: placed between neighbours
    assert filled[2] == (0.3, 10.0)
    assert all(re.fullmatch(r"-?\d+(\.\d{1,3})?", str(t)) for pair in filled for t in pair)
