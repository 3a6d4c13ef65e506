"""Film discovery and the films sheet."""

from pathlib import Path

import pytest

from reelsub.films import FilmSheetError, build_films, discover, read_sheet


def touch(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"x")


def test_video_files_of_any_case_are_films_and_ids_are_stems(tmp_path):
    touch(tmp_path, "a.mp4", "B.MKV", "c.Mov", "d.avi", "e.webm", "f.m4v", "notes.txt", "._a.mp4", ".hidden.mkv")
    assert sorted(discover(tmp_path)) == ["B", "a", "c", "d", "e", "f"]


def test_unusual_names_keep_readable_ids(tmp_path):
    names = ["my film.mp4", "शोले.mkv", "it's \"quoted\".mp4", "a;b&c.mp4", "$(touch pwned).mp4"]
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
    films = build_films(tmp_path / "films", read_sheet(sheet), "auto", [])
    assert films["a"].source_lang == "hi" and films["a"].target_langs == ("en",)
    assert films["a"].glossary == ("Jai", "Veeru")
    assert films["b"].target_langs == ("hi", "ta")


def test_bad_rows_name_the_row_and_key(tmp_path):
    touch(tmp_path / "films", "a.mp4")
    cases = {
        "film\tsource_lang\na\txx\n": "row 2: key 'source_lang'",
        "film\tpath\nmissing\t/nope/x.mp4\n": "row 2: key 'path'",
        "film\ttarget_langs\na\ten\nz\t\n": "row 3",
    }
    for text, message in cases.items():
        sheet = tmp_path / "films.tsv"
        sheet.write_text(text)
        with pytest.raises(FilmSheetError, match=message):
            build_films(tmp_path / "films", read_sheet(sheet), "auto", [])


def test_source_language_is_never_its_own_target(tmp_path):
    touch(tmp_path, "a.mp4")
    films = build_films(tmp_path, [], "en", ["en", "hi"])
    assert films["a"].target_langs == ("hi",)

