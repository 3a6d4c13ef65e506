"""Every file passed between stages is a versioned contract, checked on read (reelsub.contracts.base)."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest

from reelsub.align.word_times import AlignSettings
from reelsub.asr import AsrSettings
from reelsub.contracts.base import ContractError
from reelsub.subtitles.qc import qc_report
from reelsub.contracts.qc_report import read_qc_report, write_qc_report
from reelsub.workflow.settings import SettingsError, schema_defaults, section_keys, settings_from
from reelsub.subtitles.rules import Cue, SubtitleRules
from reelsub.contracts.tracks import Track, read_manifest, write_manifest
from reelsub.contracts.transcript import Segment, Transcript, Word
from reelsub.translate.translation import TranslateSettings

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


def test_qc_json_is_checked_when_written_and_read(tmp_path: Path) -> None:
    transcript = Transcript(
        "f",
        "en",
        5.0,
        [Segment(1.0, 2.0, "Hello there.", [Word(1.0, 1.4, "Hello"), Word(1.4, 2.0, "there.")])],
    )
    report = qc_report([Cue(1.0, 2.0, ["Hello there."])], SubtitleRules(), 25.0, transcript)
    write_qc_report(tmp_path / "en.qc.json", report)
    read = read_qc_report(tmp_path / "en.qc.json")
    assert (read.verdict, read.cue_count, read.language) == ("ok", 1, "en")
    with pytest.raises(ContractError, match="verdict"):
        write_qc_report(tmp_path / "bad.qc.json", {**report, "verdict": "fine"})
    (tmp_path / "old.qc.json").write_text(json.dumps({"summary": "an unversioned report"}))
    with pytest.raises(ContractError, match="old.qc.json: not a reelsub.qc/1"):
        read_qc_report(tmp_path / "old.qc.json")


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
    # device and compute_type are resolved on the node that runs the job (hardware.resolve_device);
    # translate.models is filled per model size
    decided_later = {"device", "compute_type", "models"}
    for field in fields(cls):
        if field.name in defaults and field.name not in decided_later:
            assert getattr(made, field.name) == defaults[field.name], field.name
    with pytest.raises(SettingsError, match=rf"config {section}: unknown key\(s\) colour; allowed keys: "):
        settings_from(cls, section, {"colour": "red"})
    assert set(defaults) <= set(section_keys(section))
