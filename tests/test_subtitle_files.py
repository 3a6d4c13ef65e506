"""Subtitle files (pysubs2 writes SRT, WebVTT, ASS and TTML): exact times, round trips, atomic
writes, each language's font in the ASS and TTML style, the TTML's language. Files are read back by
independent readers: our strict SRT parser, pysubs2's readers, ffmpeg's demuxers, an XML parser."""

from __future__ import annotations

import os
import re
import subprocess
import xml.etree.ElementTree as ET

import pysubs2
import pytest
import yaml

from reelsub.contracts.transcript import Segment, Transcript, Word
from reelsub.subtitles.cues import Cue, SubtitleRules, build_cues
from reelsub.subtitles.files import (
    read_srt,
    vtt_timestamp,
    write_ass,
    write_formats,
    write_srt,
    write_ttml,
    write_vtt,
)
from reelsub.subtitles.formats import FORMATS
from workflow import PROJECT

CUES = [
    Cue(0.0, 1.5, ["And so, my fellow Americans:"]),
    Cue(1.584, 4.9, ["ask not what your country", "can do for you"]),
    Cue(3723.456, 3725.001, ["नमस्ते भारत,", "தமிழ் & <friends>"]),
]


def test_srt_times_are_exact_to_the_millisecond(tmp_path) -> None:
    path = tmp_path / "film.srt"
    write_srt([Cue(0.1 + 0.2, 3723.456, ["Float noise must not shift a millisecond."])], path)
    text = path.read_text(encoding="utf-8")
    assert text == "1\n00:00:00,300 --> 01:02:03,456\nFloat noise must not shift a millisecond.\n\n"


def test_srt_round_trip_through_our_parser_and_pysubs2s(tmp_path) -> None:
    path = tmp_path / "film.srt"
    write_srt(CUES, path)
    assert read_srt(path) == CUES
    items = pysubs2.load(str(path), encoding="utf-8", format_="srt", keep_html_tags=True)
    assert [(item.start, item.end) for item in items] == [(0, 1500), (1584, 4900), (3723456, 3725001)]
    assert items[2].plaintext == "नमस्ते भारत,\nதமிழ் & <friends>"
    assert path.read_text(encoding="utf-8").startswith("1\n00:00:00,000 --> 00:00:01,500\n")


def test_srt_keeps_what_ass_would_read_as_style_codes(tmp_path) -> None:
    """pysubs2 writes SRT from ASS events: "{...}" in a line must stay text, not vanish as styling,
    and a backslash stay a backslash, not make "\\N" a line break."""
    cues = [Cue(1.0, 2.0, ["{\\an8} a {b} c", "50% off C:\\New\\h"])]
    write_srt(cues, tmp_path / "a.srt")
    assert read_srt(tmp_path / "a.srt") == cues


def test_built_cues_survive_the_round_trip_unchanged(tmp_path) -> None:
    words, clock = [], 0.0
    for k, token in enumerate(
        ["नमस्ते", "दोस्तों,", "आज", "हम", "हिन्दी", "में", "बात", "करेंगे", "और", "फिर", "अंग्रेज़ी", "में", "भी।"] * 4
    ):
        words.append(Word(round(clock, 3), round(clock + 0.31, 3), token))
        clock += 0.37 + (0.8 if k % 9 == 8 else 0.0)
    transcript = Transcript(
        "film", "hi", clock + 3, [Segment(0.0, words[-1].end, " ".join(w.word for w in words), words)]
    )
    cues = build_cues(transcript, SubtitleRules(), 23.976)
    write_srt(cues, tmp_path / "hi.srt")
    assert read_srt(tmp_path / "hi.srt") == cues


def test_read_srt_accepts_a_byte_order_mark_and_crlf(tmp_path) -> None:
    path = tmp_path / "windows.srt"
    path.write_bytes("\ufeff1\r\n00:00:01,000 --> 00:00:02,500\r\nHello\r\nthere\r\n\r\n".encode("utf-8"))
    assert read_srt(path) == [Cue(1.0, 2.5, ["Hello", "there"])]


def test_write_srt_replaces_a_file_atomically_and_leaves_no_temporary_files(tmp_path, monkeypatch) -> None:
    path = tmp_path / "film.srt"
    write_srt(CUES[:1], path)
    before = path.read_text(encoding="utf-8")

    def interrupted(source, target):  # the job is killed just before the rename
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_srt(CUES, path)
    assert path.read_text(encoding="utf-8") == before  # the old file, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["film.srt"]


def test_vtt_has_its_header_and_millisecond_timestamps(tmp_path) -> None:
    path = tmp_path / "film.vtt"
    write_vtt(CUES, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n\n")
    blocks = text.split("\n\n")[1:]
    assert blocks[0] == "1\n00:00:00.000 --> 00:00:01.500\nAnd so, my fellow Americans:"
    assert blocks[2] == "3\n01:02:03.456 --> 01:02:05.001\nनमस्ते भारत,\nதமிழ் &amp; &lt;friends&gt;"


def test_vtt_round_trip_of_times_and_lines(tmp_path) -> None:
    path = tmp_path / "film.vtt"
    write_vtt(CUES, path)
    timing = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$")
    parsed = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n")[1:]:
        number, first, *lines = block.split("\n")
        assert number.isdigit()  # a cue identifier
        h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, timing.match(first).groups())
        unescaped = [line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") for line in lines]
        parsed.append(
            Cue((h1 * 3600 + m1 * 60 + s1) * 1000 + ms1, (h2 * 3600 + m2 * 60 + s2) * 1000 + ms2, unescaped)
        )
    assert [(c.start, c.end, c.lines) for c in parsed] == [
        (round(c.start * 1000), round(c.end * 1000), c.lines) for c in CUES
    ]


def test_vtt_timestamp() -> None:
    assert vtt_timestamp(0) == "00:00:00.000"
    assert vtt_timestamp(59.9996) == "00:01:00.000"
    assert vtt_timestamp(36_000 + 0.007) == "10:00:00.007"


def test_no_cues_write_valid_empty_files(tmp_path) -> None:
    write_srt([], tmp_path / "empty.srt")
    write_vtt([], tmp_path / "empty.vtt")
    assert read_srt(tmp_path / "empty.srt") == []
    assert (tmp_path / "empty.vtt").read_text(encoding="utf-8").strip() == "WEBVTT"


HINDI = [Cue(1.0, 2.5, ["नमस्ते दोस्तों,", "आज हम {बात} करेंगे।"]), Cue(3.04, 4.5, ["C:\\New & <b>"])]


def test_ass_is_styled_in_the_tracks_script_and_read_back_by_ffmpeg(tmp_path) -> None:
    write_ass(HINDI, tmp_path / "hi.ass", "hi")
    write_ass(CUES[:1], tmp_path / "ta.ass", "ta")
    write_ass(CUES[:1], tmp_path / "ur.ass", "ur")
    styles = {
        lang: pysubs2.load(str(tmp_path / f"{lang}.ass")).styles["Default"] for lang in ("hi", "ta", "ur")
    }
    assert {lang: style.fontname for lang, style in styles.items()} == {
        "hi": "Noto Sans Devanagari",
        "ta": "Noto Sans Tamil",
        "ur": "Noto Sans Arabic",
    }
    # ffmpeg's ASS demuxer (as the mux reads it) finds the cues at their times, in centiseconds,
    # ASS's unit, and their lines; braces are escaped for libass, which draws "\\{" as "{".
    srt = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(tmp_path / "hi.ass"), "-c:s", "text", "-f", "srt", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert srt.split("\n\n")[0].splitlines()[1:] == [
        "00:00:01,000 --> 00:00:02,500",
        "नमस्ते दोस्तों,",
        "आज हम \\{बात\\} करेंगे।",
    ]
    assert "00:00:03,040 --> 00:00:04,500" in srt


def test_ttml_names_its_language_and_holds_the_cues(tmp_path) -> None:
    write_ttml(HINDI, tmp_path / "hi.ttml", "hi")
    root = ET.parse(tmp_path / "hi.ttml").getroot()
    assert root.tag == "{http://www.w3.org/ns/ttml}tt"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "hi"
    cues = root.findall(".//{http://www.w3.org/ns/ttml}p")
    assert [(p.get("begin"), p.get("end")) for p in cues] == [
        ("00:00:01.000", "00:00:02.500"),
        ("00:00:03.040", "00:00:04.500"),
    ]
    assert "".join(cues[0].itertext()) == "नमस्ते दोस्तों,आज हम {बात} करेंगे।"  # <br/> between the lines
    assert len(cues[0].findall("{http://www.w3.org/ns/ttml}br")) == 1
    assert "".join(cues[1].itertext()) == "C:\\New & <b>"
    style = root.find(".//{http://www.w3.org/ns/ttml}style")
    assert style.get("{http://www.w3.org/ns/ttml#styling}fontFamily") == "Noto Sans Devanagari"


def test_a_track_is_written_in_each_configured_format(tmp_path) -> None:
    written = write_formats(HINDI, tmp_path, "hi", ["srt", "vtt", "ttml"])
    assert [p.name for p in written] == ["hi.vtt", "hi.ttml"]  # the SRT is the caller's: people edit it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hi.ttml", "hi.vtt"]


def test_the_schema_offers_the_formats_reelsub_writes() -> None:
    schema = yaml.safe_load((PROJECT / "config" / "schema.yaml").read_text(encoding="utf-8"))
    formats = schema["properties"]["subtitle"]["properties"]["formats"]
    assert tuple(formats["items"]["enum"]) == FORMATS == tuple(formats["default"])
