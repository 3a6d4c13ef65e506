"""Films too short or too quiet to subtitle, and a film whose review record is not of this release,
in one batch (`snakemake -j2 --keep-going`): each short or silent film gets a finished out.mkv and
a QC line that says what happened; the bad record fails its own film only, naming file and key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import films_factory as factory
from conftest import JFK_FLAC
from reelsub.contracts.qc_report import read_qc_report
from reelsub.contracts.tracks import read_manifest
from reelsub.contracts.transcript import Transcript
from workflow import Run, snakemake, streams

# A review record as another release (or a hand) may leave it: one key this release does not know.
FOREIGN_RECORD = {
    "schema": "reelsub.review/2",
    "film": "edited",
    "republished": 0,
    "tracks": {"en": {"language": "en", "file": "en.srt", "published_sha256": "0" * 64, "reviewer": "asha"}},
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[Path, Run]:
    workdir = tmp_path_factory.mktemp("tiny")
    films = workdir / "films"
    # 0.5 s and 0.3 s cut out of the middle of JFK's speech ("...my fellow Americans..."), 44.1 kHz
    factory.excerpt_film(JFK_FLAC, films / "half second.mp4", start=2.0, seconds=0.5)
    factory.excerpt_film(JFK_FLAC, films / "blink.mp4", start=6.0, seconds=0.3)
    factory.silent_film(films / "silence.mp4", seconds=5.0)
    factory.music_film(films / "music.mp4", seconds=4.0)
    factory.speech_film(films / "edited.mp4")
    record = workdir / "jobs" / "edited" / "subtitles" / "review.json"
    record.parent.mkdir(parents=True)
    record.write_text(json.dumps(FOREIGN_RECORD))
    return workdir, snakemake(workdir, "-j2", "--keep-going")


def qc_line(run: Run, film: str) -> str:
    found = re.findall(rf"^reelsub QC: {re.escape(film)} \[\w+\] (.*)$", run.output, flags=re.M)
    assert len(found) == 1, f"{film}: {found}\n{run.output[-3000:]}"
    return found[0]


@pytest.mark.e2e
def test_half_a_second_cut_from_the_middle_of_speech_is_subtitled(batch) -> None:
    """Its speech runs to the last sample: decoding regions rounded to the millisecond ended past
    it, and faster-whisper stopped with `AssertionError: non-negative timestamp expected`."""
    workdir, run = batch
    job = workdir / "jobs" / "half second"
    assert (job / "out.mkv").is_file(), (job / "logs" / "asr.log").read_text()[-2000:]
    transcript = Transcript.read(job / "transcript.json")
    assert transcript.speech and max(r.end for r in transcript.speech) <= transcript.duration
    assert transcript.segments, "JFK is speaking throughout the half second"
    kinds = [s["codec_type"] for s in streams(job / "out.mkv")]
    assert kinds == ["video", "audio", "subtitle"]
    assert "cues for" in qc_line(run, "half second")


@pytest.mark.e2e
def test_a_film_of_a_third_of_a_second_finishes_and_its_qc_says_what_it_has(batch) -> None:
    workdir, run = batch
    job = workdir / "jobs" / "blink"
    kinds = [s["codec_type"] for s in streams(job / "out.mkv")]
    (track,) = read_manifest(job / "machine_subtitles")
    line = qc_line(run, "blink")
    if track.cues:
        assert kinds == ["video", "audio", "subtitle"] and line.startswith(f"{track.cues} cues")
    else:
        assert kinds == ["video", "audio"] and "no cues, so out.mkv gets no subtitle track" in line


@pytest.mark.e2e
@pytest.mark.parametrize("film, heard", [("silence", "No speech heard in 5.0 s of audio"), ("music", "")])
def test_a_film_without_speech_finishes_without_a_subtitle_track_and_qc_says_why(batch, film, heard) -> None:
    """The decision: a track without cues is not muxed (an empty track would be offered to the
    viewer and never show a line); the QC report and the end-of-run summary say so, never "every
    rule is kept" of a track that is not there."""
    workdir, run = batch
    job = workdir / "jobs" / film
    assert [s["codec_type"] for s in streams(job / "out.mkv")] == ["video", "audio"]
    (track,) = read_manifest(job / "machine_subtitles")
    report = read_qc_report(job / "subtitles" / track.qc)
    assert report.cue_count == 0 and "Every rule is kept" not in report.summary
    assert "no cues, so out.mkv gets no subtitle track" in report.summary
    assert heard in report.summary
    assert report.summary in qc_line(run, film)  # the end-of-run summary says the same
    assert "gets no subtitle track" in (job / "logs" / "mux.log").read_text()


@pytest.mark.e2e
def test_a_review_record_with_a_key_unknown_to_this_release_fails_that_film_alone(batch) -> None:
    """It raised TypeError while the DAG was built, and no film of the batch ran."""
    workdir, run = batch
    assert run.returncode != 0
    reason = dict(re.findall(r"^\s*FAILED (.+?): (.+)$", run.output, flags=re.M)).get("edited", "")
    assert "jobs/edited/subtitles/review.json" in reason and "'reviewer'" in reason, run.output[-3000:]
    assert "stage subtitle" in reason
    assert not (workdir / "jobs" / "edited" / "out.mkv").exists()
    for film in ("half second", "blink", "silence", "music"):
        assert (workdir / "jobs" / film / "out.mkv").is_file(), film
