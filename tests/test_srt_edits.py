"""Hand-edited SRT files: one strict parser decides what QC, the VTT and the MKV hold.

The property tests make up hand edits (blank lines removed, start and end swapped, Devanagari text,
CRLF line ends, a byte-order mark, an emptied file) and check them through the parser, and a few of
them through the real subtitle and mux stages (scripts/subtitle.py and scripts/mux.py, given what
Snakemake gives them) on a tiny generated film, read back from the MKV with PyAV.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import films_factory as factory
from reelsub.contracts.review_record import published_hashes
from reelsub.contracts.transcript import Segment, Transcript, Word
from reelsub.review.publish import read_edited_srt
from reelsub.subtitles.files import SrtError, parse_srt, read_srt, write_srt
from reelsub.subtitles.rules import Cue

# -- made-up hand edits -----------------------------------------------------------------------------

DEVANAGARI = "कखगघचजटडतदनपबमयरलवशसहािीुूेैोौंः्।"
LATIN = "abcXYZ019 .,!?'\"&<>-"
text_line = st.text(alphabet=st.sampled_from(DEVANAGARI + LATIN), min_size=1, max_size=14).filter(str.strip)


@st.composite
def timed_cues(draw, fewest: int = 1) -> list[Cue]:
    cues, clock = [], draw(st.integers(0, 2000))
    for _ in range(draw(st.integers(fewest, 5))):
        duration = draw(st.integers(1, 4000))
        cues.append(
            Cue(clock / 1000, (clock + duration) / 1000, draw(st.lists(text_line, min_size=1, max_size=3)))
        )
        clock += duration + draw(st.integers(0, 3000))
    return cues


@dataclass(frozen=True)
class HandEdit:
    content: bytes
    cues: list[Cue]  # what a correct reading gives, where error_line is None
    error_line: int | None  # the line a correct reading names
    kind: str


def _timestamp(seconds: float) -> str:
    milliseconds = round(seconds * 1000)
    return (
        f"{milliseconds // 3_600_000:02d}:{milliseconds // 60_000 % 60:02d}:"
        f"{milliseconds // 1000 % 60:02d},{milliseconds % 1000:03d}"
    )


KINDS = ("valid", "blank_line_removed", "start_end_swapped", "emptied")


@st.composite
def hand_edits(draw, kinds: tuple[str, ...] = KINDS) -> HandEdit:
    """An SRT as a person might leave it (one of ``kinds`` of edit), and what reading it must give."""
    kind = draw(st.sampled_from(kinds))
    if kind == "emptied":
        content = draw(
            st.sampled_from([b"", b"\n", b"  \r\n\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n \n\t\n"])
        )
        return HandEdit(content, [], 1, kind)
    cues = draw(timed_cues(2 if kind == "blank_line_removed" else 1))
    numbered, crlf, bom = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    # the cue edited: for a removed blank line, the one whose ending blank line goes
    target = draw(st.integers(0, len(cues) - (2 if kind == "blank_line_removed" else 1)))
    lines: list[str] = []
    timing_lines = []
    for number, cue in enumerate(cues):
        if number and not (kind == "blank_line_removed" and number == target + 1):
            lines += [""] * draw(st.integers(1, 3))
        if numbered:
            lines.append(str(number + 1))
        swapped = kind == "start_end_swapped" and number == target
        start, end = (cue.end, cue.start) if swapped else (cue.start, cue.end)
        timing_lines.append(len(lines) + 1)
        lines.append(f"{_timestamp(start)} --> {_timestamp(end)}")
        lines += cue.lines
    lines += [""] * draw(st.integers(0, 2))
    text = ("\r\n" if crlf else "\n").join(lines) + draw(st.sampled_from(["", "\n"]))
    content = ("\ufeff" if bom else "").encode() + text.encode("utf-8")
    error_line = None
    if kind == "start_end_swapped":
        error_line = timing_lines[target]
    elif kind == "blank_line_removed":
        error_line = timing_lines[target + 1]  # the next cue's timing line, read as this one's text
    return HandEdit(content, cues, error_line, kind)


@settings(max_examples=300, deadline=None)
@given(hand_edits())
def test_the_parser_reads_every_valid_edit_exactly_and_names_the_line_of_every_broken_one(edit) -> None:
    source = "jobs/film/subtitles/hi.srt"
    if edit.error_line is None:
        assert parse_srt(edit.content, source) == edit.cues
        assert read_edited_srt(Path(source), edit.content) == edit.cues
        return
    with pytest.raises(SrtError) as failure:
        read_edited_srt(Path(source), edit.content)
    assert str(failure.value).startswith(f"{source}, line {edit.error_line}: "), (edit, failure.value)
    assert failure.value.line == edit.error_line


def test_a_written_srt_reads_back_as_written_and_machine_files_may_be_empty(tmp_path: Path) -> None:
    cues = [
        Cue(0.0, 1.5, ["नमस्ते दोस्तों,", "आज हम"]),
        Cue(1.5, 2.25, ["42"]),
        Cue(3723.456, 3725.001, ["&<i>"]),
    ]
    write_srt(cues, tmp_path / "hi.srt")
    assert read_srt(tmp_path / "hi.srt") == cues
    write_srt([], tmp_path / "none.srt")
    assert read_srt(tmp_path / "none.srt") == [], "a film without speech has an empty machine track"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("1\n00:00:01,000 --> 00:00:01,000\nx\n", "line 2: the cue ends at 00:00:01,000, when it starts"),
        ("1\n00:00:61,000 --> 00:00:62,000\nx\n", "line 2: bad timestamp 00:00:61"),
        ("1\n00:00:01,00 --> 00:00:02,000\nx\n", "line 2: bad timing line '00:00:01,00 --> 00:00:02,000'"),
        ("hello\n", "line 1: expected a timing line, found 'hello'"),
        ("1\n00:00:01,000 --> 00:00:02,000\n\n", "line 2: the cue has no text"),
        (
            "1\n00:00:05,000 --> 00:00:06,000\na\n\n2\n00:00:01,000 --> 00:00:02,000\nb\n",
            "line 6: the cue starts at 00:00:01,000, before the cue at line 2 ends (00:00:06,000)",
        ),
    ],
    ids=["zero-length", "61-seconds", "two-digit-milliseconds", "no-timing", "no-text", "out-of-order"],
)
def test_broken_srt_names_the_line(content: str, problem: str) -> None:
    with pytest.raises(SrtError, match="^hi.srt, ") as failure:
        parse_srt(content.encode(), "hi.srt")
    assert problem in str(failure.value)


# -- through the subtitle and mux stages -------------------------------------------------------------


def hindi_transcript() -> Transcript:
    tokens = ["नमस्ते", "दोस्तों,", "आज", "हम", "हिन्दी", "में", "बात", "करेंगे।"]
    words = [
        Word(round(0.3 + 0.35 * k, 3), round(0.6 + 0.35 * k, 3), token) for k, token in enumerate(tokens)
    ]
    return Transcript("tiny", "hi", 3.0, [Segment(words[0].start, words[-1].end, " ".join(tokens), words)])


def job(folder: Path, film: Path, stage: str, burn_in: bool = False) -> SimpleNamespace:
    """What Snakemake's script: directive gives a stage (built here as a namespace)."""
    inputs = {"film": str(film), "json": str(folder / "asr.json"), "machine": str(folder / "machine")}
    params = {
        "rules": {},
        "default_track": "source",
        "published": str(folder / "subtitles"),
        "burn_in": burn_in,
        "font": "Lohit Devanagari",
    }
    return SimpleNamespace(
        input=SimpleNamespace(**inputs, get=lambda name, default=None: inputs.get(name, default)),
        output=SimpleNamespace(dir=str(folder / "machine"), mkv=str(folder / "out.mkv")),
        log=[str(folder / f"{stage}.log")],
        wildcards=SimpleNamespace(
            film="tiny", get=lambda name, default=None: {"film": "tiny"}.get(name, default)
        ),
        params=SimpleNamespace(**params, get=lambda name, default=None: params.get(name, default)),
    )


@pytest.fixture(scope="module")
def machine_job(tmp_path_factory) -> Path:
    """A tiny film (3 s) through the real subtitle stage: its machine track, published for review."""
    import subtitle

    folder = tmp_path_factory.mktemp("tiny")
    film = factory.film_at_rate(folder / "tiny.mp4", 25)
    hindi_transcript().write(folder / "asr.json")
    subtitle.main(job(folder, film, "subtitle"))
    assert read_srt(folder / "subtitles" / "hi.srt"), "the machine track has cues"
    return folder


def copy_of(machine_job: Path, scratch: Path) -> Path:
    folder = scratch / "job"
    shutil.copytree(machine_job, folder)
    return folder


def video_start(container) -> float:
    stream = container.streams.video[0]
    return float(stream.start_time * stream.time_base)


def mkv_cues(mkv: Path, film: Path) -> list[Cue]:
    """The subtitle packets of out.mkv, as they are stored (PyAV, no decoder in between), on the
    film's clock: seconds from the film's start, the picture as the reference between the files
    (the Matroska muxer moves every stream later when the film's AAC starts before 0)."""
    import av

    with av.open(str(film)) as source:
        offset = video_start(source) - (source.start_time or 0) / 1_000_000
    with av.open(str(mkv)) as container:
        offset -= video_start(container)
        stream = container.streams.subtitles[0]
        unit = float(stream.time_base)
        return [
            Cue(
                round(p.pts * unit + offset, 3),
                round((p.pts + p.duration) * unit + offset, 3),
                bytes(p).decode().split("\n"),
            )
            for p in container.demux(stream)
            if p.size
        ]


def run_mux(folder: Path) -> None:
    import mux

    mux.main(job(folder, folder / "tiny.mp4", "mux"))


@pytest.mark.parametrize("kind", KINDS)
def test_a_hand_edit_muxes_the_cues_qc_read_or_fails_the_film_naming_file_and_line(
    machine_job: Path, kind: str
) -> None:
    """Two made-up edits of each kind through the mux stage (each about 0.1 s)."""

    @settings(max_examples=2, deadline=None, database=None)
    @given(edit=hand_edits((kind,)))
    def check(edit: HandEdit) -> None:
        check_through_the_mux(machine_job, edit)

    check()


def check_through_the_mux(machine_job: Path, edit: HandEdit) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = copy_of(machine_job, Path(scratch))
        edited = folder / "subtitles" / "hi.srt"
        edited.write_bytes(edit.content)
        if edit.error_line is not None:
            with pytest.raises(SystemExit):
                run_mux(folder)
            log = (folder / "mux.log").read_text(encoding="utf-8")
            assert f"REELSUB ERROR: film 'tiny', stage mux: {edited}, line {edit.error_line}: " in log, log
            assert not (folder / "out.mkv").exists(), "no film leaves the run without its track"
            assert edited.read_bytes() == edit.content, "the person's file is left as it was"
            return
        run_mux(folder)
        qc = json.loads((folder / "subtitles" / "hi.qc.json").read_text(encoding="utf-8"))
        assert qc["review"]["edited"] is True
        assert qc["review"]["sha256"] == hashlib.sha256(edit.content).hexdigest()
        assert mkv_cues(folder / "out.mkv", folder / "tiny.mp4") == read_srt(edited) == edit.cues
        tracks = json.loads((folder / "subtitles" / "tracks.json").read_text(encoding="utf-8"))["tracks"]
        assert tracks[0]["cues"] == len(edit.cues)


def test_an_edit_saved_during_the_mux_is_muxed_whole_next_run_never_half(
    machine_job: Path, tmp_path: Path, monkeypatch
) -> None:
    """The mux reads, hashes and muxes one snapshot: a save between the hash and the mux goes into the
    film on the next run, and this run's film, QC and VTT all describe the version read."""
    import mux

    folder = copy_of(machine_job, tmp_path)
    edited = folder / "subtitles" / "hi.srt"
    snapshot = "1\n00:00:00,300 --> 00:00:01,500\nपहला संस्करण\n\n2\n00:00:02,000 --> 00:00:02,800\nदो\n"
    saved = "1\n00:00:00,300 --> 00:00:01,500\nदूसरा संस्करण\n"
    edited.write_text(snapshot, encoding="utf-8")
    machine, published = folder / "machine", folder / "subtitles"
    hashes_at_start = published_hashes(machine, published)
    real_mux = mux.mux

    def save_then_mux(*args, **kwargs):
        edited.write_text(saved, encoding="utf-8")  # a person saves while the mux runs
        real_mux(*args, **kwargs)

    monkeypatch.setattr(mux, "mux", save_then_mux)
    run_mux(folder)
    assert mkv_cues(folder / "out.mkv", folder / "tiny.mp4") == parse_srt(snapshot, "snapshot")
    qc = json.loads((published / "hi.qc.json").read_text(encoding="utf-8"))
    assert qc["review"]["sha256"] == hashlib.sha256(snapshot.encode()).hexdigest()
    for extension in ("vtt", "ass", "ttml"):  # every format follows the edited SRT
        assert "पहला संस्करण" in (published / f"hi.{extension}").read_text(encoding="utf-8"), extension
    assert f"{edited} was saved while muxing" in (folder / "mux.log").read_text(encoding="utf-8")
    # Snakemake reruns mux when its params change: the published files' hashes now differ.
    assert published_hashes(machine, published) != hashes_at_start


def test_an_emptied_edit_fails_the_burn_in_too_naming_file_and_line(
    machine_job: Path, tmp_path: Path
) -> None:
    """Burned in, an emptied file failed deep in ffmpeg ("Invalid data found when processing input"),
    saying nothing of the file's problem or where it is."""
    import mux

    folder = copy_of(machine_job, tmp_path)
    edited = folder / "subtitles" / "hi.srt"
    edited.write_text("\n \n")
    with pytest.raises(SystemExit):
        mux.main(job(folder, folder / "tiny.mp4", "mux", burn_in=True))
    assert f"{edited}, line 1: no cues: the file is empty" in (folder / "mux.log").read_text(encoding="utf-8")
    assert not (folder / "out.mkv").exists()
