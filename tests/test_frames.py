"""Frame times and cue gaps in real frames, on a real variable-frame-rate film (4 s at 25 fps, then
4 s at 10 fps, made by ffmpeg's concat filter) and on constant-rate films."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

import films_factory as factory
from reelsub.contracts.transcript import Segment, Transcript, Word
from reelsub.media import probe
from reelsub.mkv import SubtitleTrack, mux
from reelsub.subtitles.cues import Cue, SubtitleRules, build_cues
from reelsub.subtitles.files import read_srt, write_srt
from reelsub.subtitles.frames import (
    FrameTimes,
    blank_frames_per_gap,
    keep_gaps,
    read_frame_times,
    variable_frame_times,
)

RULES = SubtitleRules()


@pytest.fixture(scope="module")
def vfr_film(tmp_path_factory) -> Path:
    return factory.variable_frame_rate_film(tmp_path_factory.mktemp("vfr") / "joined.mp4")


def ffprobe_packets(path: Path, selector: str) -> list[dict]:
    result = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            selector,
            "-show_entries",
            "packet=pts_time,duration_time",
            "-print_format",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)["packets"]


def speech_in_the_slow_part() -> Transcript:
    """A short phrase each second, 0.55 s of silence after each: 7 cues, 3 changes in the 25 fps
    part, 3 in the 10 fps part, each gap closed to build_cues' minimum (its silence is shared out
    to the cues on either side)."""
    segments = []
    for number in range(7):
        start = 0.3 + number
        words = [Word(start, start + 0.3, "Short"), Word(start + 0.32, start + 0.45, "phrase.")]
        segments.append(Segment(start, start + 0.45, "Short phrase.", words))
    return Transcript("joined", "en", 8.0, segments)


def test_frame_times_are_the_films_own_packet_times(vfr_film: Path) -> None:
    frames = read_frame_times(vfr_film)
    by_ffprobe = sorted(float(p["pts_time"]) for p in ffprobe_packets(vfr_film, "v:0"))
    assert frames is not None and len(frames.times) == len(by_ffprobe) == 100 + 40
    assert frames.times == pytest.approx(by_ffprobe, abs=1e-6)
    assert frames.is_variable and frames.fastest_fps == pytest.approx(25)
    assert {round(d, 3) for d in frames.durations} == {0.04, 0.1}
    assert probe(vfr_film).fps < 20, "the average rate, right for neither part"


def test_constant_rate_films_are_not_variable(tmp_path: Path) -> None:
    mp4 = factory.speech_film(tmp_path / "steady.mp4")  # 5 fps
    mkv = factory.remux(factory.film_at_rate(tmp_path / "ntsc.mp4", 24000 / 1001), tmp_path / "ntsc.mkv")
    assert variable_frame_times(mp4) is None and read_frame_times(mp4).fastest_fps == pytest.approx(5)
    ntsc = read_frame_times(mkv)
    assert {round(d, 3) for d in ntsc.durations} == {0.041, 0.042}, "Matroska's whole milliseconds"
    assert not ntsc.is_variable
    assert read_frame_times(factory.cover_picture(tmp_path / "cover.png")) is not None  # a still is a picture
    audio_only = tmp_path / "sound.m4a"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(mp4), "-vn", "-c", "copy", str(audio_only)], check=True
    )
    assert read_frame_times(audio_only) is None


def test_blank_frames_count_frames_between_two_cues() -> None:
    frames = FrameTimes((0.0, 0.04, 0.08, 0.12, 0.22, 0.32, 0.42))
    assert frames.blank_frames(0.08, 0.22) == 2  # 0.08 and 0.12: a frame at the end shows no cue
    assert frames.blank_frames(0.081, 0.22) == 1
    assert frames.blank_frames(0.13, 0.22) == 0
    assert frames.blank_frames(0.3, 0.2) == 0


def test_gaps_from_the_average_rate_show_single_frames_in_the_slow_part(vfr_film: Path) -> None:
    """The problem: cues timed at the film's average rate, the way a constant rate is handled."""
    frames = read_frame_times(vfr_film)
    cues = build_cues(speech_in_the_slow_part(), RULES, probe(vfr_film).fps)
    blank = blank_frames_per_gap(cues, frames)
    assert len(cues) == 7
    assert min(blank[:3]) >= 2 and max(blank[3:]) < RULES.min_gap_frames, blank  # 1 frame at 10 fps


def test_keep_gaps_gives_every_gap_two_blank_frames_moving_ends_as_little_as_needed(vfr_film: Path) -> None:
    """What the subtitle stage does for a variable-rate film: cues at the fastest part's rate,
    then each gap kept in the film's own frames."""
    frames = read_frame_times(vfr_film)
    cues = build_cues(speech_in_the_slow_part(), RULES, frames.fastest_fps)
    before = blank_frames_per_gap(cues, frames)
    assert max(before[3:]) < 2 <= min(before[:3]), before  # the 25 fps part is right already
    kept = keep_gaps(cues, frames, RULES.min_gap_frames)
    after = blank_frames_per_gap(kept, frames)
    assert min(after) >= 2, after
    for old, new, blank_before, blank_after in zip(cues, kept, before + [None], after + [None], strict=True):
        assert (new.start, new.lines) == (old.start, old.lines), "only ends move"
        if blank_before is not None and blank_before >= 2:
            assert new == old, "a gap that was kept already is left alone"
        elif blank_before is not None:
            assert new.end < old.end and blank_after == 2, "moved back to exactly the frames needed"
            assert frames.blank_frames(new.end + 0.001, kept[kept.index(new) + 1].start) < 2, "no further"
        shown = [t for t in frames.times if new.start <= t < new.end]
        assert shown, new


def test_keep_gaps_never_ends_a_cue_before_it_has_shown_a_frame() -> None:
    frames = FrameTimes(tuple(i * 0.1 for i in range(20)))
    cues = [Cue(0.95, 1.12, ["brief"]), Cue(1.15, 1.8, ["next"])]  # one frame (1.0) shows "brief"
    kept = keep_gaps(cues, frames, 2)
    assert kept[0].end == pytest.approx(1.1), "keeps its one frame, a whole frame long"
    assert blank_frames_per_gap(kept, frames) == [1], "the gap that cannot be kept stays visible to QC"


@pytest.mark.e2e
def test_kept_gaps_survive_the_srt_and_the_mux_counted_in_the_muxed_film(
    vfr_film: Path, tmp_path: Path
) -> None:
    """The viewer's count: frames and cue times read back from the muxed MKV (whole milliseconds)."""
    frames = read_frame_times(vfr_film)
    kept = keep_gaps(build_cues(speech_in_the_slow_part(), RULES, frames.fastest_fps), frames, 2)
    srt = tmp_path / "en.srt"
    write_srt(kept, srt)
    out = tmp_path / "out.mkv"
    mux(vfr_film, [SubtitleTrack(srt, "eng", "English", True)], out)
    pictures = FrameTimes(tuple(sorted(float(p["pts_time"]) for p in ffprobe_packets(out, "v:0"))))
    shown = [
        Cue(float(p["pts_time"]), float(p["pts_time"]) + float(p["duration_time"]), ["?"])
        for p in ffprobe_packets(out, "s:0")
    ]
    assert len(shown) == len(read_srt(srt)) == 7
    assert min(blank_frames_per_gap(shown, pictures)) >= 2, blank_frames_per_gap(shown, pictures)


def test_the_subtitle_stage_keeps_gaps_in_frames_for_a_variable_rate_film(
    vfr_film: Path, tmp_path: Path
) -> None:
    """scripts/subtitle.py's main, given what Snakemake gives it (the object its script: directive
    injects, built here as a namespace)."""
    import subtitle

    transcript = tmp_path / "asr.json"
    speech_in_the_slow_part().write(transcript)
    out = tmp_path / "subtitles"
    job = SimpleNamespace(
        input=SimpleNamespace(film=str(vfr_film), json=str(transcript), get=lambda _name: None),
        output=SimpleNamespace(dir=str(out)),
        log=[str(tmp_path / "subtitle.log")],
        # Snakemake's wildcards answer both .film and .get("film")
        wildcards=SimpleNamespace(
            film="joined", get=lambda name, default=None: {"film": "joined"}.get(name, default)
        ),
        params=SimpleNamespace(rules={}, default_track="source", published=str(tmp_path / "published")),
    )
    subtitle.main(job)
    cues = read_srt(out / "en.srt")
    assert len(cues) == 7
    assert min(blank_frames_per_gap(cues, read_frame_times(vfr_film))) >= 2
    assert "variable: gaps kept in real frames" in (tmp_path / "subtitle.log").read_text()
