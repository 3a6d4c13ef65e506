"""Film discovery and the films sheet."""

import re
from pathlib import Path

import pytest

from reelsub.workflow.films import FilmSheetError, build_catalog, discover, read_sheet


def touch(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"x")


def test_video_files_of_any_case_are_films_and_ids_are_stems(tmp_path):
    touch(
        tmp_path, "a.mp4", "B.MKV", "c.Mov", "d.avi", "e.webm", "f.m4v", "notes.txt", "._a.mp4", ".hidden.mkv"
    )
    assert sorted(discover(tmp_path)) == ["B", "a", "c", "d", "e", "f"]


def test_unusual_names_keep_readable_ids(tmp_path):
    names = ["my film.mp4", "शोले.mkv", 'it\'s "quoted".mp4', "a;b&c.mp4", "$(touch pwned).mp4"]
    touch(tmp_path, *names)
    assert sorted(discover(tmp_path)) == sorted(Path(n).stem for n in names)


def test_colliding_stems_name_both_files(tmp_path):
    touch(tmp_path, "a.mp4", "a.mkv")
    with pytest.raises(FilmSheetError, match=r"a\.mkv.*a\.mp4|a\.mp4.*a\.mkv"):
        discover(tmp_path)


def test_sheet_overrides_languages_and_adds_films(tmp_path):
    touch(tmp_path / "films", "a.mp4")
    touch(tmp_path / "elsewhere", "b.mkv")
    sheet = tmp_path / "films.tsv"
    sheet.write_text(
        "# comment\nfilm\tpath\tsource_lang\ttarget_langs\tglossary\n"
        f"a\t\tHindi\ten\tJai;Veeru\nb\t{tmp_path / 'elsewhere' / 'b.mkv'}\ten\thin, ta\t\n"
    )
    films = build_catalog(tmp_path / "films", read_sheet(sheet), "auto", []).films
    assert films["a"].source_lang == "hi" and films["a"].target_langs == ("en",)
    assert films["a"].glossary == ("Jai", "Veeru")
    assert films["b"].target_langs == ("hi", "ta")


def test_bad_rows_name_the_row_and_key(tmp_path):
    touch(tmp_path / "films", "a.mp4")
    cases = {
        "film\tsource_lang\na\txx\n": "row 2: key 'source_lang'",
        "film\tpath\nmissing\t/nope/x.mp4\n": "row 2: key 'path'",
        "film\ttarget_langs\na\ten\nz\t\n": "row 3",
        "film\taudio_lang\na\txx\n": "row 2: key 'audio_lang': unknown language 'xx'",
        "film\taudio_track\na\t-1\n": "row 2: key 'audio_track': '-1' is not a track position",
        "film\taudio_lang\taudio_track\na\ten\t0\n": "row 2: both audio_lang .en. and audio_track .0. are set",
    }
    for text, message in cases.items():
        sheet = tmp_path / "films.tsv"
        sheet.write_text(text)
        with pytest.raises(FilmSheetError, match=message):
            build_catalog(tmp_path / "films", read_sheet(sheet), "auto", [])


def test_source_language_is_never_its_own_target(tmp_path):
    touch(tmp_path, "a.mp4")
    films = build_catalog(tmp_path, [], "en", ["en", "hi"]).films
    assert films["a"].target_langs == ("hi",)


# -- audio track choice: sheet columns audio_lang / audio_track, config keys of the same names ------


def test_audio_track_request_comes_from_config_and_a_sheet_row_replaces_it(tmp_path):
    touch(tmp_path / "films", "a.mp4", "b.mp4", "c.mp4", "d.mp4")
    sheet = tmp_path / "films.tsv"
    sheet.write_text("film\taudio_lang\taudio_track\nb\t\t1\nc\tHindi\t\nd\tauto\t\n")
    films = build_catalog(tmp_path / "films", read_sheet(sheet), "auto", [], default_audio_lang="eng").films
    assert (films["a"].audio_lang, films["a"].audio_track) == ("en", None), "config, resolved"
    assert (films["b"].audio_lang, films["b"].audio_track) == (None, 1), (
        "the row's position replaces config's language"
    )
    assert (films["c"].audio_lang, films["c"].audio_track) == ("hi", None)
    assert (films["d"].audio_lang, films["d"].audio_track) == (None, None), "auto: back to the default rule"


def test_audio_track_request_survives_dropping_the_source_from_the_targets(tmp_path):
    touch(tmp_path, "a.mp4")
    film = build_catalog(tmp_path, [], "en", ["en", "hi"], default_audio_track=2).films["a"]
    assert (film.target_langs, film.audio_track) == (("hi",), 2)


def test_config_asking_for_an_audio_track_both_ways_is_an_error(tmp_path):
    touch(tmp_path, "a.mp4")
    with pytest.raises(FilmSheetError, match=re.escape("config: both audio_lang (en) and audio_track (1)")):
        build_catalog(tmp_path, [], "auto", [], default_audio_lang="en", default_audio_track=1)
