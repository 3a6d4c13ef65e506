"""Every file passed between stages is a versioned contract, checked on read (reelsub.contracts.base)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import fields, replace
from pathlib import Path

import pytest

from reelsub.align.word_times import AlignSettings
from reelsub.asr import AsrSettings
from reelsub.contracts import review_record
from reelsub.contracts.audio import AudioRecord, read_audio_record, write_audio_record
from reelsub.contracts.base import ContractError, atomic_output, write_text_atomically
from reelsub.contracts.qc_report import (
    Finding,
    QcReport,
    ReviewNote,
    Words,
    read_qc_report,
    write_qc_report,
)
from reelsub.contracts.tracks import Track, read_manifest, write_manifest
from reelsub.contracts.transcript import Segment, Transcript, Word
from reelsub.subtitles.qc import qc_report
from reelsub.subtitles.rules import Cue, SubtitleRules
from reelsub.translate.translation import TranslateSettings
from reelsub.workflow.settings import SettingsError, schema_defaults, section_keys, settings_from

TRACK = Track("hi", "hi.srt", "hi.vtt", "hi.qc.json", "Hindi", True, False, 3)


def test_tracks_json_round_trips_and_refuses_what_breaks_the_contract(tmp_path: Path) -> None:
    write_manifest(tmp_path, [TRACK])
    assert read_manifest(tmp_path) == [TRACK]
    assert json.loads((tmp_path / "tracks.json").read_text())["schema"] == "reelsub.tracks/1"
    for broken, problem in (
        ([{"language": "hi"}], "not a reelsub.tracks/1"),  # a bare list: the unversioned format
        ({"schema": "reelsub.tracks/1", "tracks": [{"language": "hi"}]}, "must have exactly the keys"),
        (
            {"schema": "reelsub.tracks/1", "tracks": [{**TRACK.__dict__, "cues": "3"}]},
            "cues='3' is not a int",
        ),
        ({"schema": "reelsub.tracks/9", "tracks": []}, "not a reelsub.tracks/1"),
    ):
        (tmp_path / "tracks.json").write_text(json.dumps(broken))
        with pytest.raises(ContractError, match=problem) as raised:
            read_manifest(tmp_path)
        assert str(tmp_path / "tracks.json") in str(raised.value)  # names the file, never a TypeError
    (tmp_path / "tracks.json").write_text("{not json")
    with pytest.raises(ContractError, match="not readable JSON"):
        read_manifest(tmp_path)


def small_qc_report() -> QcReport:
    transcript = Transcript(
        "f",
        "en",
        5.0,
        [Segment(1.0, 2.0, "Hello there.", [Word(1.0, 1.4, "Hello"), Word(1.4, 2.0, "there.")])],
    )
    return qc_report([Cue(1.0, 2.0, ["Hello there."])], SubtitleRules(), 25.0, transcript)


def test_qc_json_round_trips_every_key_and_is_checked_when_read(tmp_path: Path) -> None:
    snapshot = "0" * 64  # the sha256 of the SRT the mux read
    report = replace(
        small_qc_report(), review=ReviewNote(review_record.SCHEMA, "en.srt", edited=True, sha256=snapshot)
    )
    write_qc_report(tmp_path / "en.qc.json", report)
    read = read_qc_report(tmp_path / "en.qc.json")
    assert read == report  # every key typed, none lost: words, script, language check, review
    assert (read.verdict, read.cue_count, read.language, read.words.total) == ("ok", 1, "en", 2)
    assert read.rules["max_lines"] == 2 and isinstance(read.rules["max_lines"], int)
    assert json.loads((tmp_path / "en.qc.json").read_text())["review"] == {
        "schema": "reelsub.review/2",
        "srt": "en.srt",
        "edited": True,
        "sha256": snapshot,
    }
    (tmp_path / "old.qc.json").write_text(json.dumps({"summary": "an unversioned report"}))
    with pytest.raises(ContractError, match="old.qc.json: not a reelsub.qc/1"):
        read_qc_report(tmp_path / "old.qc.json")


def test_an_older_qc_json_without_the_keys_that_came_later_still_reads(tmp_path: Path) -> None:
    document = small_qc_report().to_dict()
    for later in ("sentence_pause_s", "audio_s", "speech_heard_s"):
        del document[later]
    (tmp_path / "en.qc.json").write_text(json.dumps(document))
    read = read_qc_report(tmp_path / "en.qc.json")
    assert (read.sentence_pause_s, read.audio_s, read.speech_heard_s, read.review) == (None, None, None, None)
    assert read.summary == small_qc_report().summary


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"verdict": "fine"}, "'verdict': 'fine' is not one of ok, review, violations"),
        ({"cue_count": "1"}, "'cue_count': '1' is not a whole number"),
        ({"fps": float("nan")}, "'fps': nan is not a number"),
        (
            {"words": Words(total=True, text_matches_transcript=True)},
            "'words.total': True is not a whole number",
        ),
        ({"findings": (Finding("max_lines", "warning", 1, 1.0, 2.0),)}, "'findings[0].kind': 'warning'"),
        ({"review": ReviewNote("reelsub.review/1", "en.srt", edited="yes")}, "'review.edited': 'yes'"),  # type: ignore[arg-type]
    ],
    ids=["verdict", "cue_count", "fps", "words", "finding", "review"],
)
def test_a_bad_qc_report_is_refused_on_write_naming_the_key(tmp_path: Path, change: dict, key: str) -> None:
    path = tmp_path / "en.qc.json"
    with pytest.raises(ContractError, match=re.escape(f"{path}: key {key}")):
        write_qc_report(path, replace(small_qc_report(), **change))
    assert not path.exists(), "nothing is written"


def test_a_qc_json_with_a_key_this_release_does_not_know_is_refused(tmp_path: Path) -> None:
    (tmp_path / "en.qc.json").write_text(json.dumps({**small_qc_report().to_dict(), "reviewer": "asha"}))
    with pytest.raises(ContractError, match="en.qc.json: the report: unexpected key 'reviewer'"):
        read_qc_report(tmp_path / "en.qc.json")


@pytest.mark.parametrize(
    ("cls", "section"),
    [
        (AsrSettings, "asr"),
        (AlignSettings, "align"),
        (TranslateSettings, "translate"),
        (SubtitleRules, "subtitle"),
    ],
)
def test_every_default_is_the_schemas_and_every_section_refuses_unknown_keys(cls, section: str) -> None:
    defaults = schema_defaults(section)
    made = cls()
    # device, compute_type, batch_size and features are resolved on the node that runs the job
    # (hardware.resolve_device, asr.features);
    # translate.models is filled per model size
    decided_later = {"device", "compute_type", "batch_size", "features", "models"}
    for field in fields(cls):
        if field.name in defaults and field.name not in decided_later:
            assert getattr(made, field.name) == defaults[field.name], field.name
    with pytest.raises(SettingsError, match=rf"config {section}: unknown key\(s\) colour; allowed keys: "):
        settings_from(cls, section, {"colour": "red"})
    assert set(defaults) <= set(section_keys(section))


# -- durable writes (reelsub.contracts.base.atomic_output) ------------------------------------------------


def fsynced_paths(monkeypatch) -> list[str]:
    """What os.fsync is called on, in order, as paths (and "replace" where the rename happens)."""
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor: int) -> None:
        calls.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    def replace(source, target) -> None:
        calls.append("replace")
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return calls


@pytest.mark.parametrize("writer", ["text", "ffmpeg-style"])
def test_a_write_syncs_the_file_before_the_rename_and_its_folder_after(
    tmp_path: Path, monkeypatch, writer: str
) -> None:
    """Without the syncs a power cut can leave the renamed out.mkv empty or half there."""
    calls = fsynced_paths(monkeypatch)
    target = tmp_path / "jobs" / "out.mkv"
    if writer == "text":
        write_text_atomically(target, "every byte")
    else:
        with atomic_output(target) as temporary:
            temporary.write_text("every byte")  # as ffmpeg or PyAV write a path they are given
    assert target.read_text() == "every byte"
    assert len(calls) == 3 and calls[1] == "replace", calls
    part, folder = Path(calls[0]), Path(calls[2])
    assert part.parent == target.parent and part.suffix == ".mkv" and part.name.startswith(".out.")
    assert folder == target.parent
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.mkv"]


def test_a_writer_that_fails_leaves_no_part_file_and_the_old_file_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "out.mkv"
    target.write_text("the finished film of the last run")
    with pytest.raises(RuntimeError), atomic_output(target) as temporary:
        temporary.write_text("half a fi")
        raise RuntimeError("ffmpeg died")
    assert target.read_text() == "the finished film of the last run"
    assert [p.name for p in tmp_path.iterdir()] == ["out.mkv"]


def test_every_write_in_the_library_goes_through_the_one_durable_helper() -> None:
    """No second way to put a file in place: os.replace and os.rename appear only in the helper module
    (atomic_output and move_into_place; rename_durably for a person's file moved aside).
    (alignment.py renames a whole folder of a model cache into place, which no file helper does.)"""
    library = Path(__file__).resolve().parent.parent / "scripts"
    renames = [
        f"{path.relative_to(library)}:{number}"
        for path in sorted(library.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\bos\.(replace|rename)\(", line)
    ]
    assert {r.split(":")[0] for r in renames} == {"reelsub/contracts/base.py"}, renames


# -- review.json (reelsub.contracts.review_record) -------------------------------------------------------------


def test_a_review_record_with_a_key_this_release_does_not_know_names_the_file_and_the_key(
    tmp_path: Path,
) -> None:
    """It raised TypeError (PublishedTrack(**entry)) while Snakemake built the DAG: no film ran."""
    record = tmp_path / "review.json"
    entry = {"language": "en", "file": "en.srt", "published_sha256": "0" * 64, "reviewer": "asha"}
    record.write_text(json.dumps({"schema": review_record.SCHEMA, "film": "f", "tracks": {"en": entry}}))
    with pytest.raises(ContractError) as raised:
        review_record.read_record(tmp_path)
    assert str(raised.value).startswith(f"{record}: track 'en': unexpected key 'reviewer' (a track's keys")
    # what the DAG asks for every film does not raise: the film's subtitle stage will, alone
    assert review_record.republish_token(tmp_path) == "review record unreadable"
    assert review_record.kept_edit_lines(tmp_path, since=0.0) == []
    del entry["reviewer"], entry["file"]
    record.write_text(json.dumps({"schema": review_record.SCHEMA, "film": "f", "tracks": {"en": entry}}))
    with pytest.raises(ContractError, match="track 'en': missing key 'file'"):
        review_record.read_record(tmp_path)


def test_review_json_round_trips_and_a_bad_record_is_refused_on_write_naming_the_key(tmp_path: Path) -> None:
    track = review_record.PublishedTrack("en", "en.srt", "0" * 64, "en.machine.srt", "1" * 64, 5.0)
    record = review_record.ReviewRecord(
        "f", 2, {"en": track}, [review_record.KeptCopy("en", "kept/a.srt", "en.srt", 6.0)]
    )
    review_record.write_record(tmp_path, record)
    assert review_record.read_record(tmp_path) == record
    written = (tmp_path / "review.json").read_bytes()
    bad = replace(record, tracks={"en": replace(track, published_sha256=None)})
    with pytest.raises(
        ContractError, match=re.escape(f"{tmp_path / 'review.json'}: track 'en': key 'published_sha256'")
    ):
        review_record.write_record(tmp_path, bad)
    with pytest.raises(ContractError, match="key 'republished'"):
        review_record.write_record(tmp_path, replace(record, republished=-1))
    assert (tmp_path / "review.json").read_bytes() == written, "the last good record stays"
    assert review_record.read_record(tmp_path / "none") is None  # no record yet
    (tmp_path / "review.json").write_text(json.dumps({"schema": "reelsub.review/3", "film": "f"}))
    with pytest.raises(
        ContractError, match="review.json: not a reelsub.review/1 or reelsub.review/2 document"
    ):
        review_record.read_record(tmp_path)


def test_audio_json_round_trips_and_a_bad_record_is_refused_on_write_naming_the_key(tmp_path: Path) -> None:
    record = AudioRecord(2, 1, "hin", "hi", "Hindi", True, "its language matches source_lang hi", 1.235)
    write_audio_record(tmp_path / "audio.json", record)
    assert read_audio_record(tmp_path / "audio.json") == record
    for change, key in (({"track": -1}, "'track' is -1"), ({"default": 1}, "'default' is 1")):
        with pytest.raises(ContractError, match=re.escape(f"{tmp_path / 'bad.json'}: key {key}")):
            write_audio_record(tmp_path / "bad.json", replace(record, **change))
    assert not (tmp_path / "bad.json").exists(), "nothing is written"


def test_tracks_json_refuses_a_bad_track_on_write_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(
        ContractError, match=re.escape(f"{tmp_path / 'tracks.json'}: track 1: cues='3' is not a int")
    ):
        write_manifest(tmp_path, [replace(TRACK, cues="3")])  # type: ignore[arg-type]
    assert not (tmp_path / "tracks.json").exists(), "nothing is written"
