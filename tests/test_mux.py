"""The mux (every stream of a film kept as it was, ours added) and burn-in (subtitles drawn into
the picture, Devanagari included: Debian fonts-lohit-deva). Every film is made by ffmpeg here."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

import films_factory as factory
from reelsub.media import MediaError, probe
from reelsub.mkv import SubtitleTrack, burn_in, mux
from reelsub.subtitles.cues import Cue
from reelsub.subtitles.files import write_srt
from testkit.streams import stream_md5
from testkit.synth import Speech, make_film
from workflow import snakemake, subtitle_text

WIDTH, HEIGHT = 640, 360


def grey_frame(film: Path, at: float) -> np.ndarray:
    raw = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-ss",
            f"{at}",
            "-i",
            str(film),
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(HEIGHT, WIDTH).astype(np.int16)


@pytest.mark.e2e
def test_burn_in_draws_devanagari_into_the_subtitle_area_only(tmp_path: Path) -> None:
    film = tmp_path / "film.mp4"
    make_film(film, [Speech(silence=4.0)], size=f"{WIDTH}x{HEIGHT}")
    srt = tmp_path / "hi.srt"
    write_srt([Cue(1.0, 3.0, ["नमस्ते, आप कैसे हैं?", "यह एक परीक्षण है।"])], srt)
    burned = tmp_path / "burned.mkv"
    burn_in(film, srt, burned, "Lohit Devanagari")

    assert [s.kind for s in probe(burned).streams] == ["video", "audio"]
    assert stream_md5(burned, "a:0") == stream_md5(film, "a:0"), "audio is copied, not re-encoded"
    before, after = grey_frame(film, 2.0), grey_frame(burned, 2.0)
    change = np.abs(after - before)
    subtitle_area, picture_above = change[int(HEIGHT * 0.7) :], change[: int(HEIGHT * 0.5)]
    # Text is drawn: many pixels change a lot at the bottom; above it only encoder noise.
    assert (subtitle_area > 60).sum() > 500, (subtitle_area > 60).sum()  # about 1,000 for these two lines
    assert (picture_above > 60).sum() < 0.01 * picture_above.size
    # Outside the cue's time the picture is the film's own (bar re-encoding noise).
    assert (np.abs(grey_frame(burned, 3.6) - grey_frame(film, 3.6))[int(HEIGHT * 0.7) :] > 60).sum() < 200


def test_lohit_devanagari_is_installed_for_libass() -> None:
    fonts = subprocess.run(
        ["fc-list", ":lang=hi", "family"], capture_output=True, text=True, check=True
    ).stdout
    assert "Lohit Devanagari" in fonts, "install Debian's fonts-lohit-deva (make system-packages)"


def test_burned_film_is_a_separate_target_never_built_by_default(tmp_path: Path) -> None:
    (tmp_path / "films").mkdir()
    (tmp_path / "films" / "a.mp4").write_bytes(b"placeholder")
    default = snakemake(tmp_path, "-n", "--quiet", "rules")
    assert default.returncode == 0, default.output
    assert "burn_in" not in default.output
    asked = snakemake(tmp_path, "jobs/a/burned.mkv", "-n", "--quiet", "rules")
    assert asked.returncode == 0 and "burn_in" in asked.output, asked.output


# -- the mux keeps every stream as it was ---------------------------------------------------------

DISPOSITIONS = ("default", "forced", "hearing_impaired", "visual_impaired", "comment", "attached_pic")


def ffprobe(path: Path, *entries: str) -> dict:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", *entries, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def matroska(path: Path) -> dict:
    """mkvmerge's view of a Matroska file: its tracks and attachments as the container holds them
    (ffmpeg's demuxer shows an image attachment as an attached-picture video stream)."""
    result = subprocess.run(["mkvmerge", "-J", str(path)], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def attachment_bytes(mkv: Path, attachment_id: int, scratch: Path) -> bytes:
    target = scratch / f"attachment-{attachment_id}"
    subprocess.run(
        ["mkvextract", str(mkv), "attachments", f"{attachment_id}:{target}"], capture_output=True, check=True
    )
    return target.read_bytes()


def named(stream: dict) -> dict:
    tags = {k.lower(): v for k, v in stream.get("tags", {}).items()}
    return {
        "codec": stream["codec_name"],
        "language": tags.get("language"),
        "title": tags.get("title"),
        **{flag: stream["disposition"][flag] for flag in DISPOSITIONS},
    }


def our_tracks(tmp_path: Path) -> list[SubtitleTrack]:
    english, hindi = tmp_path / "en.srt", tmp_path / "hi.srt"
    write_srt([Cue(1.0, 2.5, ["Our own line"]), Cue(3.0, 3.8, ["Second"])], english)
    write_srt([Cue(1.0, 2.5, ["हमारी पंक्ति"])], hindi)
    return [SubtitleTrack(english, "eng", "English", True), SubtitleTrack(hindi, "hin", "Hindi (machine)")]


def cue_times(mkv: Path, subtitle: int) -> list[tuple[float, float]]:
    packets = ffprobe(
        mkv, "-select_streams", f"s:{subtitle}", "-show_entries", "packet=pts_time,duration_time"
    )["packets"]
    return [(float(p["pts_time"]), float(p["pts_time"]) + float(p["duration_time"])) for p in packets]


def video_start(path: Path) -> float:
    return float(ffprobe(path, "-select_streams", "v:0", "-show_streams")["streams"][0]["start_time"])


def on_film_clock(out: Path, film: Path, times: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Times in the muxed file as the film's own clock reads them: seconds from the film's start
    (where the audio the cues are timed on starts), the picture as the reference between files."""
    film_start = float(ffprobe(film, "-show_format")["format"]["start_time"])
    offset = video_start(film) - film_start - video_start(out)
    return [(round(a + offset, 3), round(b + offset, 3)) for a, b in times]


@pytest.mark.e2e
def test_mkv_release_keeps_every_stream_attachment_chapter_tag_and_flag(tmp_path: Path) -> None:
    """Two audio tracks (one a commentary), SubRip (forced), ASS (hearing impaired) and PGS (visual
    impaired) tracks, a font, a cover.png and a text attachment, chapters, global tags."""
    film = factory.release_mkv(tmp_path / "release.mkv", tmp_path / "scratch")
    out = tmp_path / "out.mkv"
    mux(film, our_tracks(tmp_path), out)

    before, after = ffprobe(film, "-show_streams")["streams"], ffprobe(out, "-show_streams")["streams"]

    def is_track(s):
        return s["codec_type"] != "attachment" and not s["disposition"]["attached_pic"]

    tracks_before, tracks_after = [s for s in before if is_track(s)], [s for s in after if is_track(s)]
    assert [s["codec_name"] for s in tracks_before] == [
        "h264",
        "aac",
        "aac",
        "subrip",
        "ass",
        "hdmv_pgs_subtitle",
    ], "the test film itself"
    # The film's own tracks first, each as it was: codec, language, title, every flag.
    assert [named(s) for s in tracks_after[:6]] == [named(s) for s in tracks_before]
    assert named(tracks_after[2])["comment"] == 1 and named(tracks_after[3])["forced"] == 1
    assert named(tracks_after[4])["hearing_impaired"] == 1 and named(tracks_after[5])["visual_impaired"] == 1
    for selector in ("v:0", "a:0", "a:1", "s:0", "s:1", "s:2"):
        assert stream_md5(out, selector) == stream_md5(film, selector), selector
    # Then ours, tagged ISO 639-2 and named, English the default.
    assert [named(s) for s in tracks_after[6:]] == [
        {**named(tracks_after[6]), "codec": "subrip", "language": "eng", "title": "English", "default": 1},
        {
            **named(tracks_after[7]),
            "codec": "subrip",
            "language": "hin",
            "title": "Hindi (machine)",
            "default": 0,
        },
    ]
    assert len(tracks_after) == 8
    assert on_film_clock(out, film, cue_times(out, 3)) == [(1.0, 2.5), (3.0, 3.8)]
    assert "Our own line" in subtitle_text(out, 3) and "हमारी पंक्ति" in subtitle_text(out, 4)

    # The PGS track still decodes to its two pictures, at their times; the ASS text is there.
    def pictures(f):
        return [
            (f["pts_time"], f["num_rects"])
            for f in ffprobe(f, "-select_streams", "s:2", "-show_frames")["frames"]
        ]

    assert pictures(out) == pictures(film) and [n for _, n in pictures(out)].count(1) == 2
    ass = subtitle_text(out, 1, as_stored=True)
    assert "[DOOR SLAMS]" in ass and "Lohit Devanagari" in ass

    # Attachments stay attachments, byte for byte; the cover is not a video track.
    held = matroska(out)
    assert [t["type"] for t in held["tracks"]] == ["video", "audio", "audio"] + ["subtitles"] * 5
    found = {a["file_name"]: (a["content_type"], a["id"]) for a in held["attachments"]}
    scratch = tmp_path / "scratch"
    assert found.keys() == {factory.FONT.name, "cover.png", "notes.txt"}, found
    assert found["cover.png"][0] == "image/png" and found[factory.FONT.name][0] == "font/ttf"
    assert attachment_bytes(out, found[factory.FONT.name][1], tmp_path) == factory.FONT.read_bytes()
    assert attachment_bytes(out, found["cover.png"][1], tmp_path) == (scratch / "cover.png").read_bytes()
    assert attachment_bytes(out, found["notes.txt"][1], tmp_path) == (scratch / "notes.txt").read_bytes()

    def chapters(f):
        return [
            (c["start_time"], c["end_time"], c["tags"]["title"])
            for c in ffprobe(f, "-show_chapters")["chapters"]
        ]

    assert chapters(out) == chapters(film) and len(chapters(out)) == 3
    tags = {k.lower(): v for k, v in ffprobe(out, "-show_format")["format"]["tags"].items()}
    assert factory.GLOBAL_TAGS.items() <= tags.items(), tags


@pytest.mark.e2e
def test_mp4_cover_art_becomes_a_matroska_cover_attachment_and_mov_text_subrip(tmp_path: Path) -> None:
    film = factory.mp4_with_cover_art(tmp_path / "shop.mp4", tmp_path / "scratch")
    pictures = [
        (s["codec_name"], s["disposition"]["attached_pic"])
        for s in ffprobe(film, "-show_streams")["streams"]
        if s["codec_type"] == "video"
    ]
    assert pictures == [("h264", 0), ("mjpeg", 1)], "the test film: H.264 and cover art"
    out = tmp_path / "out.mkv"
    mux(film, our_tracks(tmp_path)[:1], out)

    held = matroska(out)
    assert [t["type"] for t in held["tracks"]] == ["video", "audio", "subtitles", "subtitles"], (
        "the cover is no video track"
    )
    assert [(a["file_name"], a["content_type"]) for a in held["attachments"]] == [("cover.jpg", "image/jpeg")]
    assert (
        attachment_bytes(out, held["attachments"][0]["id"], tmp_path)
        == (tmp_path / "scratch" / "shop-cover.jpg").read_bytes()
    )
    for selector in ("v:0", "a:0"):
        assert stream_md5(out, selector) == stream_md5(film, selector), selector
    theirs, ours = [s for s in ffprobe(out, "-show_streams")["streams"] if s["codec_type"] == "subtitle"]
    assert (theirs["codec_name"], theirs["tags"]["language"], theirs["tags"]["HANDLER_NAME"]) == (
        "subrip",
        "eng",
        "Distributor",
    ), "mov_text is SubRip now, its tags kept"
    assert theirs["disposition"]["default"] == 0 and ours["disposition"]["default"] == 1
    assert "OPENING TITLES BY THE DISTRIBUTOR" in subtitle_text(out, 0)
    assert on_film_clock(out, film, cue_times(out, 0)) == [(0.2, 2.0)]
    assert on_film_clock(out, film, cue_times(out, 1)) == [(1.0, 2.5), (3.0, 3.8)]
    assert len(ffprobe(out, "-show_chapters")["chapters"]) == 3
    tags = {k.lower(): v for k, v in ffprobe(out, "-show_format")["format"]["tags"].items()}
    assert factory.GLOBAL_TAGS.items() <= tags.items(), tags


@pytest.mark.e2e
def test_cues_keep_their_place_in_a_film_whose_timeline_does_not_start_at_zero(tmp_path: Path) -> None:
    """MPEG-TS starts at 1.4 s: the cues, timed from the film's start, move with it."""
    film = factory.remux(factory.speech_film(tmp_path / "a.mp4"), tmp_path / "broadcast.ts")
    assert float(ffprobe(film, "-show_format")["format"]["start_time"]) > 1.0, "the test film"
    out = tmp_path / "out.mkv"
    mux(film, our_tracks(tmp_path)[:1], out)
    assert on_film_clock(out, film, cue_times(out, 0)) == [(1.0, 2.5), (3.0, 3.8)]
    # Matroska holds H.264 as length-prefixed NAL units where MPEG-TS has start codes (libavformat
    # rewrites them, as ffmpeg's own stream copy does): the same pictures, not the same bytes.
    assert decoded_md5(out) == decoded_md5(film)


def decoded_md5(path: Path) -> str:
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v:0", "-f", "md5", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_a_file_that_is_no_film_is_a_clear_error(tmp_path: Path) -> None:
    notes = factory.text_file_named_like_a_film(tmp_path / "notes.mkv")
    with pytest.raises(MediaError, match=r"notes\.mkv: not a readable film"):
        mux(notes, [], tmp_path / "out.mkv")
    assert not (tmp_path / "out.mkv").exists() and not list(tmp_path.glob(".*part*"))
