"""Words stay whole: hyphenated words, names, numbers with units, abbreviations.

Real recorded speech: five LibriVox clips of "Sense and Sensibility" (Debian pocketsphinx-testdata),
clip 0890 holding "cold-hearted" and "ill-disposed", clip 0870 "Mr. John Dashwood"; real Whisper
tiny.en. Whisper returns "cold-hearted" as two words, " cold" and "-hearted": every cue showed
"cold -hearted", and a line starting "-hearted" reads as a new speaker's dash.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reelsub.align.word_times import AlignSettings, align
from reelsub.asr import AsrSettings, transcribe
from reelsub.contracts.transcript import Segment, Transcript, Word
from reelsub.subtitles.cues import SubtitleRules, build_cues, wrap_lines
from reelsub.subtitles.files import write_srt, write_vtt
from reelsub.text import ends_sentence, is_abbreviation, keeps_together
from testkit.synth import Speech, build_soundtrack

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
CLIPS = sorted(LIBRIVOX.glob("*.wav"))
# A piece of a word after a hyphen or dash at the start of a token: "-hearted"
HYPHEN_SPLIT = re.compile(r"(?:^|\s)[-‐‑][^\W\d_]", re.UNICODE)


@pytest.fixture(scope="module")
def librivox_cues(tmp_path_factory, tiny_en_model: str):
    if not CLIPS:
        pytest.fail("Debian's pocketsphinx-testdata is not installed: run `make test` (it installs it)")
    scratch = tmp_path_factory.mktemp("librivox")
    parts = []
    for clip in CLIPS:
        parts += [Speech(recording=clip), Speech(silence=0.8)]
    wav = scratch / "librivox.wav"
    build_soundtrack(parts, wav, scratch)
    settings = AsrSettings(
        model=tiny_en_model, device="cpu", compute_type="int8", cpu_threads=2, language="en"
    )
    transcript = align(
        transcribe(wav, "whisperx", settings, "librivox"), wav, AlignSettings(models={}, device="cpu")
    )
    cues = build_cues(transcript, SubtitleRules(), 25.0)
    write_srt(cues, scratch / "en.srt")
    write_vtt(cues, scratch / "en.vtt")
    return transcript, cues, scratch


def test_hyphenated_words_stay_whole_in_the_transcript_and_every_subtitle_file(librivox_cues) -> None:
    transcript, cues, scratch = librivox_cues
    words = [w.word.lower().strip(".,") for w in transcript.words()]
    assert "cold-hearted" in words and "ill-disposed" in words, words
    for name in ("en.srt", "en.vtt"):
        shown = (scratch / name).read_text()
        assert "cold-hearted" in shown.lower() and "ill-disposed" in shown.lower(), shown
        splits = [line for line in shown.splitlines() if HYPHEN_SPLIT.search(line)]
        assert splits == [], splits  # 0 hyphen splits


def test_mr_does_not_end_a_sentence_a_line_or_a_cue(librivox_cues) -> None:
    transcript, cues, _ = librivox_cues
    texts = [s.text for s in transcript.segments]
    assert any("Mr. John Dashwood" in t for t in texts), texts
    for cue in cues:
        for line in cue.lines:
            assert not line.rstrip().endswith("Mr."), cue
    assert not any(s.text.rstrip().endswith("Mr.") for s in transcript.segments), texts


@pytest.mark.parametrize(
    ("token", "language", "ends"),
    [
        ("Mr.", "en", False),
        ("Mrs.", "en", False),
        ("Dr.", "hi", False),
        ("e.g.", "en", False),
        ("i.e.,", "en", False),
        ("J.", "en", False),
        ("St.", "en", False),
        ("डॉ.", "hi", False),
        ("z.B.", "de", False),
        ("Mme.", "fr", False),
        ("dog.", "en", True),
        ("no.", "en", True),
        ("बात।", "hi", True),
        ("ہے۔", "ur", True),
        ("“Stop!”", "en", True),
        ("ᱥᱮ᱾", "sat", True),
        ("ok,", "en", False),
    ],
)
def test_sentence_ends_in_every_script_and_abbreviations_do_not_end_them(
    token: str, language: str, ends: bool
) -> None:
    assert ends_sentence(token, language) is ends


def test_names_numbers_with_units_and_titles_keep_together() -> None:
    for left, right in (
        ("New", "Jersey"),
        ("5", "km"),
        ("10", "%"),
        ("Mr.", "Sharma"),
        ("$", "20"),
        ("3", "p.m."),
        ("20", "रुपये"),
    ):
        assert keeps_together(left, right, "en"), (left, right)
    for left, right in (("the", "dog"), ("Jersey.", "Then"), ("big", "house"), ("NASA", "said")):
        assert not keeps_together(left, right, "en"), (left, right)
    assert is_abbreviation("Mr.") and not is_abbreviation("dog.")


def test_a_line_break_goes_anywhere_but_inside_a_name_or_a_number_and_its_unit() -> None:
    rules = SubtitleRules(max_chars_per_line=24)
    for content, whole in (
        ("She drove all the way to New Jersey today", "New Jersey"),
        ("The hotel was only about 5 km from town", "5 km"),
        ("Please call Mr. Sharma in the morning", "Mr. Sharma"),
    ):
        lines = wrap_lines(content, rules)
        assert len(lines) == 2 and any(whole in line for line in lines), lines


def test_a_cue_break_does_not_part_new_and_jersey_at_a_segment_end() -> None:
    """Whisper ends a segment inside a name as often as anywhere: only a pause may part it."""
    said = (
        [("I", 0.0), ("moved", 0.3), ("to", 0.6), ("New", 0.9)],
        [("Jersey", 1.2), ("last", 1.6), ("year.", 2.0)],
    )
    segments = [
        Segment(
            words[0][1],
            words[-1][1] + 0.3,
            " ".join(w for w, _ in words),
            [Word(t, t + 0.3, w) for w, t in words],
        )
        for words in said
    ]
    cues = build_cues(Transcript("f", "en", 10.0, segments), SubtitleRules(), 25.0)
    assert any("New Jersey" in " ".join(c.text.split()) for c in cues), cues
