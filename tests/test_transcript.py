"""The transcript contract: what every stage reads and writes."""

import itertools
import json
import os

import pytest

from reelsub.contracts.transcript import (
    ContractError,
    Provenance,
    Segment,
    Transcript,
    Word,
    estimated_words,
    write_text_atomically,
)


def sample() -> Transcript:
    return Transcript(
        film="jfk",
        language="en",
        duration=11.0,
        segments=[
            Segment(
                0.3,
                2.0,
                "And so my",
                [Word(0.3, 0.6, "And", 0.9), Word(0.6, 1.0, "so"), Word(1.0, 2.0, "my")],
            )
        ],
        provenance=[
            Provenance(
                stage="asr", engine="faster-whisper", model="tiny.en", versions={"faster-whisper": "1.2.1"}
            )
        ],
    )


def test_round_trip_keeps_everything(tmp_path):
    sample().write(tmp_path / "t.json")
    data = json.loads((tmp_path / "t.json").read_text())
    assert data["schema"] == "reelsub.transcript/2"
    assert data["segments"][0]["words"][0] == {
        "start": 0.3,
        "end": 0.6,
        "word": "And",
        "probability": 0.9,
        "speaker": None,
    }
    assert Transcript.read(tmp_path / "t.json") == sample()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema="other"), "not a reelsub.transcript/1"),
        (lambda d: d["segments"][0].update(start=5.0), "segment 0"),
        (lambda d: d["segments"][0]["words"][0].update(end=-1), "word 'And'"),
        (lambda d: d.pop("language"), "malformed"),
    ],
)
def test_broken_documents_are_refused_with_the_file_named(tmp_path, change, message):
    data = sample().to_dict()
    change(data)
    (tmp_path / "t.json").write_text(json.dumps(data))
    with pytest.raises(ContractError, match=message) as raised:
        Transcript.read(tmp_path / "t.json")
    assert str(tmp_path / "t.json") in str(raised.value)


def test_a_transcript_out_of_order_is_refused_when_written_not_only_when_read(tmp_path):
    """The stage that makes a bad transcript fails with it (the asr stage of a 2-hour film once
    wrote one that only align refused), and nothing is left for the next stage to read."""
    bad = sample()
    bad.segments.append(Segment(0.1, 0.2, "earlier"))
    with pytest.raises(ContractError, match="segment 1 starts before segment 0"):
        bad.write(tmp_path / "asr.json")
    assert not (tmp_path / "asr.json").exists()


def test_with_stage_appends_provenance_and_leaves_the_original():
    original = sample()
    translated = original.with_stage(Provenance(stage="translate", engine="indictrans2"), language="hi")
    assert [p.stage for p in translated.provenance] == ["asr", "translate"]
    assert translated.language == "hi" and original.language == "en"


def test_estimated_words_spread_a_sentence_by_length():
    words = estimated_words(Segment(10.0, 13.0, "नमस्ते दुनिया a"))
    assert [w.word for w in words] == ["नमस्ते", "दुनिया", "a"]
    assert words[0].start == 10.0 and words[-1].end == 13.0
    assert all(a.end == pytest.approx(b.start, abs=0.001) for a, b in itertools.pairwise(words))
    assert words[2].end - words[2].start < words[0].end - words[0].start


def test_outputs_are_written_with_the_users_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        write_text_atomically(tmp_path / "x.json", "{}")
    finally:
        os.umask(previous)
    assert (tmp_path / "x.json").stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"], "no temporary file left behind"
