"""SRT (pysrt) and WebVTT files: exact millisecond times, round trips, atomic writes."""

from __future__ import annotations

import os
import re

import pysrt
import pytest

from reelsub.contracts.transcript import Segment, Transcript, Word
from reelsub.subtitles.cues import Cue, SubtitleRules, build_cues
from reelsub.subtitles.files import read_srt, vtt_timestamp, write_srt, write_vtt

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


def test_srt_round_trip_through_pysrt(tmp_path) -> None:
    path = tmp_path / "film.srt"
    write_srt(CUES, path)
    assert read_srt(path) == CUES
    items = pysrt.open(str(path), encoding="utf-8")
    assert [item.index for item in items] == [1, 2, 3]
    assert [item.start.ordinal for item in items] == [0, 1584, 3723456]
    assert [item.end.ordinal for item in items] == [1500, 4900, 3725001]
    assert items[2].text == "नमस्ते भारत,\nதமிழ் & <friends>"


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
    assert blocks[0] == "00:00:00.000 --> 00:00:01.500\nAnd so, my fellow Americans:"
    assert blocks[2] == "01:02:03.456 --> 01:02:05.001\nनमस्ते भारत,\nதமிழ் &amp; &lt;friends&gt;\n"


def test_vtt_round_trip_of_times_and_lines(tmp_path) -> None:
    path = tmp_path / "film.vtt"
    write_vtt(CUES, path)
    timing = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$")
    parsed = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n")[1:]:
        first, *lines = block.split("\n")
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
    assert (tmp_path / "empty.vtt").read_text(encoding="utf-8") == "WEBVTT\n"
