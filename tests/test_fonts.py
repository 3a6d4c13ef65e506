"""Each language's subtitles in a font that covers its script: Noto families (Debian fonts-noto-core,
make system-packages), found by the family named inside the file; ASS tracks carry their font into
the MKV, and burn-in draws with it: a burned Hindi cue is read back by Tesseract's Hindi model."""

from __future__ import annotations

import difflib
import shutil
import subprocess
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from reelsub import languages
from reelsub.media import MediaError, probe
from reelsub.mkv import SubtitleTrack, burn_in, mux
from reelsub.subtitles.files import ass_text, write_srt
from reelsub.subtitles.fonts import FontNotFound, family_for, font_file, font_files, font_folders
from reelsub.subtitles.rules import Cue
from testkit.streams import stream_md5
from workflow import streams, subtitle_text

# A letter of each script, which the family's file must draw (its cmap holds it).
LETTER = {
    "Latn": "a",
    "Deva": "क",
    "Beng": "ক",
    "Taml": "க",
    "Telu": "క",
    "Guru": "ਕ",
    "Gujr": "ક",
    "Knda": "ಕ",
    "Mlym": "ക",
    "Orya": "କ",
    "Olck": "ᱚ",
    "Mtei": "ꯀ",
    "Arab": "ک",  # keheh, as Urdu writes kaf
}


@pytest.mark.parametrize("language", [language.id for language in languages.LANGUAGES])
def test_every_language_gets_a_font_file_that_draws_each_of_its_scripts(language: str) -> None:
    path = font_file(family_for(language))
    with TTFont(path, lazy=True) as font:
        cmap = font.getBestCmap()
    script = languages.resolve(language).scripts[0]
    assert ord(LETTER[script]) in cmap, f"{path} has no {script} letter"


def test_the_issue_s_families() -> None:
    assert [
        family_for(code) for code in ("hi", "bn", "ta", "te", "pa", "gu", "kn", "ml", "or", "sat", "ur")
    ] == [
        "Noto Sans Devanagari",
        "Noto Sans Bengali",
        "Noto Sans Tamil",
        "Noto Sans Telugu",
        "Noto Sans Gurmukhi",
        "Noto Sans Gujarati",
        "Noto Sans Kannada",
        "Noto Sans Malayalam",
        "Noto Sans Oriya",
        "Noto Sans Ol Chiki",
        "Noto Sans Arabic",
    ]
    assert family_for("xx") == family_for("en") == "Noto Sans"  # a language reelsub does not know


def test_a_missing_family_names_itself_and_where_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(FontNotFound, match=r"'Noto Sans Devanagari' \(Regular\) in .*fonts-noto-core"):
        font_file("Noto Sans Devanagari", [tmp_path])


def test_a_file_named_like_the_family_is_not_taken_for_it(tmp_path: Path) -> None:
    """Found by the name inside the file: a Latin-only font under a Devanagari name would draw boxes."""
    shutil.copyfile(font_file("Noto Sans"), tmp_path / "NotoSansDevanagari-Regular.ttf")
    with pytest.raises(FontNotFound):
        font_file("Noto Sans Devanagari", [tmp_path])


def test_the_configured_folder_is_searched_first(tmp_path: Path) -> None:
    own = tmp_path / "NotoSansDevanagari-Regular.ttf"
    shutil.copyfile(font_file("Noto Sans Devanagari"), own)
    assert font_folders(tmp_path)[0] == tmp_path
    assert font_file("Noto Sans Devanagari", font_folders(tmp_path)) == own
    # Two tracks in one script share one file.
    assert font_files(["hi", "mr", "en"], font_folders(tmp_path)) == [own, font_file("Noto Sans")]


HINDI_CUE = Cue(1.0, 3.0, ["नमस्ते दोस्तों"])


def plain_film(path: Path, seconds: float, size: str) -> Path:
    """A dark grey H.264 + AAC film: nothing in the picture for OCR to read but the subtitles."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c=0x202020:s={size}:d={seconds}:r=25"]
        + ["-f", "lavfi", "-i", f"anullsrc=r=48000:cl=mono:d={seconds}", "-shortest"]
        + ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", str(path)],
        check=True,
    )
    return path


ENGLISH_CUE = Cue(1.0, 3.0, ["Hello, friends"])


def test_ass_tracks_carry_their_style_and_the_mkv_their_fonts(tmp_path: Path) -> None:
    film = plain_film(tmp_path / "film.mkv", 4.0, "320x180")
    fonts = font_files(["hi", "en"])
    tracks = [
        SubtitleTrack(tmp_path / "hi.srt", "hin", "Hindi", True, [HINDI_CUE], ass_text([HINDI_CUE], "hi")),
        SubtitleTrack(
            tmp_path / "en.srt", "eng", "English", False, [ENGLISH_CUE], ass_text([ENGLISH_CUE], "en")
        ),
    ]
    out = tmp_path / "out.mkv"
    mux(film, tracks, out, fonts)

    found = streams(out)
    subtitles = [s for s in found if s["codec_type"] == "subtitle"]
    assert [(s["codec_name"], s["tags"]["language"]) for s in subtitles] == [("ass", "hin"), ("ass", "eng")]
    attachments = [s for s in found if s["codec_type"] == "attachment"]
    assert [(a["tags"]["filename"], a["tags"]["mimetype"]) for a in attachments] == [
        ("NotoSansDevanagari-Regular.ttf", "font/ttf"),
        ("NotoSans-Regular.ttf", "font/ttf"),
    ]
    assert stream_md5(out, "v:0") == stream_md5(film, "v:0")
    # The Hindi track, as a player reads it: its header names the family the attached file is.
    ass = subtitle_text(out, 0, as_stored=True)
    assert "Style: Default,Noto Sans Devanagari,54," in ass
    assert "Dialogue: 0,0:00:01.00,0:00:03.00,Default,,0,0,0,,नमस्ते दोस्तों" in ass
    dumped = tmp_path / "dumped"
    dumped.mkdir()
    subprocess.run(
        ["ffmpeg", "-v", "error", "-dump_attachment:t", "", "-i", str(out.resolve())],
        cwd=dumped,
        capture_output=True,
    )
    assert (dumped / "NotoSansDevanagari-Regular.ttf").read_bytes() == fonts[0].read_bytes()


def ocr_hindi(film: Path, at: float, scratch: Path) -> str:
    """Tesseract's Hindi model reading the bottom third of the frame at ``at``."""
    frame = scratch / f"frame-{at}.png"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-ss", f"{at}", "-i", str(film), "-frames:v", "1"]
        + ["-vf", "crop=iw:ih/3:0:ih*2/3,negate", str(frame)],
        check=True,
    )
    return subprocess.run(
        ["tesseract", str(frame), "-", "-l", "hin", "--psm", "6"], capture_output=True, text=True, check=True
    ).stdout.strip()


def read_as(read: str, text: str) -> float:
    return difflib.SequenceMatcher(None, read.replace(" ", ""), text.replace(" ", "")).ratio()


@pytest.mark.e2e
def test_a_burned_hindi_cue_reads_back_as_its_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no font the system knows of (fontconfig's config lists no folder), burn-in still draws
    Devanagari: libass gets the family's file itself. Tesseract reads "नमस्ते" as "नमसूते", hence
    a similarity, not equality; drawn in empty boxes the cue reads as nothing."""
    film = plain_film(tmp_path / "film.mkv", 4.0, "1280x720")
    srt = tmp_path / "hi.srt"
    write_srt([HINDI_CUE], srt)
    no_system_fonts = tmp_path / "fonts.conf"
    no_system_fonts.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n"
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(no_system_fonts))
    burned = tmp_path / "burned.mkv"
    burn_in(film, srt, burned, "auto", "hi")

    assert [s.kind for s in probe(burned).streams] == ["video", "audio"]
    read = ocr_hindi(burned, 2.0, tmp_path)
    assert read_as(read, "नमस्ते दोस्तों") >= 0.75, f"Tesseract read {read!r}"
    assert ocr_hindi(burned, 3.6, tmp_path) == "", "after the cue the picture is the film's own"
    # The same cue in a family named for fontconfig to find, which here finds nothing: not drawn.
    burn_in(film, srt, tmp_path / "named.mkv", "Noto Sans Devanagari")
    assert read_as(ocr_hindi(tmp_path / "named.mkv", 2.0, tmp_path), "नमस्ते दोस्तों") < 0.3


def test_burn_in_without_the_script_s_font_stops_naming_it(tmp_path: Path) -> None:
    film = plain_film(tmp_path / "film.mkv", 2.0, "320x180")
    srt = tmp_path / "hi.srt"
    write_srt([HINDI_CUE], srt)
    with pytest.raises(MediaError, match=r"film\.mkv: burn-in of .*hi\.srt needs Noto Sans Devanagari"):
        burn_in(film, srt, tmp_path / "burned.mkv", "auto", "hi", [tmp_path / "no fonts here"])
    assert not (tmp_path / "burned.mkv").exists()
