"""Which films to process, and each film's languages.

A film is any file in ``films_dir`` with a video extension; its id is its file stem, kept as the
user wrote it (spaces, Devanagari, quotes and all: ids are never passed through a shell). An
optional sheet (``config/films.tsv``) overrides a film's path and languages, or adds films that
live elsewhere.

An id names the folder ``jobs/<id>/``, so an id that is not one plain folder name (``..``, ``.``,
a ``/``, a control character such as a newline, a leading ``-``, Snakemake's ``{ }`` and
``<name>``, HTML's ``<!--``) is refused: that film is left out with a message naming it, the others
run (:func:`film_id_problem`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from reelsub import languages
from reelsub.escaping import is_control

VIDEO_EXTENSIONS = {".mp4", ".mkv", ".mov", ".avi", ".webm", ".m4v"}
SHEET_COLUMNS = ("film", "path", "source_lang", "target_langs", "audio_lang", "audio_track")
AUTO = "auto"
# Snakemake 9's path variables in a target (snakemake.pathvars.PATHVAR_REGEX): "<name>" is replaced
# by its value, and a name without one is an error for the whole DAG.
SNAKEMAKE_PATHVAR = re.compile(r"<[a-z][a-z0-9_]*>")


class FilmSheetError(ValueError):
    """The films folder or sheet cannot be turned into jobs; raised before any job runs."""


@dataclass(frozen=True)
class Film:
    id: str
    path: Path
    source_lang: str  # a language id, or "auto" to detect
    target_langs: tuple[str, ...] = ()
    glossary: tuple[str, ...] = field(default=())
    # The audio track to transcribe (reelsub.audio_track): by language id, or by 0-based position
    # among the film's audio streams; neither set: the default rule (source_lang, default, first).
    audio_lang: str | None = None
    audio_track: int | None = None


@dataclass(frozen=True)
class RefusedFilm:
    """A film left out of the run because its id cannot name a job folder, or Snakemake cannot take
    its path."""

    film_id: str
    where: str  # the file, or the sheet row, it came from
    reason: str  # "its id ..." or "its path ...", and what to do

    @property
    def named(self) -> str:
        """The id and where it came from, on one line (a new line in a file name shown as \\n)."""
        where = "".join(repr(c)[1:-1] if is_control(c) else c for c in self.where)
        return f"{self.film_id!r} ({where})"

    @property
    def message(self) -> str:
        return f"film {self.named} refused: {self.reason}"


@dataclass(frozen=True)
class FilmCatalog:
    films: dict[str, Film]
    refused: tuple[RefusedFilm, ...] = ()


def film_id_problem(film_id: str) -> str | None:
    """Why ``film_id`` cannot name the folder ``jobs/<id>/`` (and the targets inside it), or None.

    The id is a path component (``..`` is the workflow's root), part of every Snakemake target
    (braces are its wildcards) and shown in logs and the end-of-run summary, one line per film.
    """
    if film_id in ("", ".", ".."):
        return f"{film_id!r} is not a folder name of its own (jobs/{film_id}/ would not be the film's)"
    if "/" in film_id or "\\" in film_id:
        return "holds a path separator ('/' or '\\')"
    odd = next((c for c in film_id if is_control(c)), None)
    if odd is not None:
        return f"holds the control character {odd!r} (a newline, tab or the like)"
    if film_id.startswith("-"):
        return "starts with '-', which command-line tools read as an option"
    in_snakemake = snakemake_path_problem(film_id)
    if in_snakemake is not None:
        return in_snakemake
    if "<!--" in film_id:
        # Snakemake's report embeds ids in <script> JSON unescaped; after "<!--" HTML no longer
        # ends the script at its "</script>", and the report page breaks.
        return "holds '<!--', which breaks the Snakemake report's page (HTML reads it inside a script)"
    if film_id != film_id.strip():
        return "starts or ends with a space, which no one sees in a folder listing"
    return None


def snakemake_path_problem(text: str) -> str | None:
    """Why Snakemake cannot take ``text`` in a path (an input or a target), or None: it reads
    braces as wildcards and ``<name>`` as a path variable, in the whole DAG's paths."""
    if "{" in text or "}" in text:
        return "holds '{' or '}', which Snakemake reads as a wildcard in a path"
    pathvar = SNAKEMAKE_PATHVAR.search(text)
    if pathvar:
        return (
            f"holds {pathvar.group()!r}, which Snakemake reads as a path variable "
            "(<logs> would become logs, an unknown one stops the run)"
        )
    return None


def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_EXTENSIONS and not path.name.startswith(".")


def discover(films_dir: Path) -> dict[str, Path]:
    """Film id → path for every video file in the folder whose name makes a usable id."""
    return scan(films_dir)[0]


def scan(films_dir: Path) -> tuple[dict[str, Path], list[RefusedFilm]]:
    """Film id → path for every video file in the folder (not recursive), and the films refused
    for their id (film_id_problem).

    Hidden files are skipped: macOS leaves ``._name.mp4`` resource forks beside real films.
    Two files with the same stem would write the same ``jobs/<id>/``: that is an error naming both.
    """
    if not films_dir.is_dir():
        return {}, []
    found: dict[str, Path] = {}
    refused: list[RefusedFilm] = []
    for path in sorted(films_dir.iterdir()):
        if not (path.is_file() and is_video(path)):
            continue
        problem = film_id_problem(path.stem)
        if problem is not None:
            refused.append(RefusedFilm(path.stem, str(path), f"its id {problem}; rename the file"))
            continue
        problem = snakemake_path_problem(str(path))
        if problem is not None:
            refused.append(RefusedFilm(path.stem, str(path), f"its path {problem}; rename the folder"))
            continue
        if path.stem in found:
            raise FilmSheetError(
                f"two films share the id {path.stem!r}: {found[path.stem]} and {path}; "
                "rename one of them (the id is the file name without its extension)"
            )
        found[path.stem] = path
    return found, refused


def parse_lang_list(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.replace(";", ",").split(",") if isinstance(value, str) else list(value)
    return tuple(item.strip() for item in items if item and item.strip())


def canonical_lang(code: str, where: str) -> str:
    if code == AUTO:
        return AUTO
    try:
        return languages.resolve(code).id
    except languages.UnknownLanguage as error:
        raise FilmSheetError(f"{where}: {error}") from None


def read_sheet(path: Path) -> list[dict[str, str]]:
    """Rows of the TSV sheet; blank lines and lines starting with '#' are comments."""
    with open(path, newline="", encoding="utf-8") as stream:
        lines = [line for line in stream if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t")
    header = reader.fieldnames or []
    if "film" not in header:
        raise FilmSheetError(f"{path}: the header must name the columns {', '.join(SHEET_COLUMNS)}")
    unknown = set(header) - set(SHEET_COLUMNS) - {"glossary"}
    if unknown:
        raise FilmSheetError(f"{path}: unknown column(s) {', '.join(sorted(unknown))}")
    return [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]


def build_catalog(
    films_dir: Path,
    sheet_rows: list[dict[str, str]],
    default_source: str,
    default_targets: Iterable[str],
    sheet_name: str = "films sheet",
    base_dir: Path = Path("."),
    default_audio_lang: str | None = None,
    default_audio_track: int | None = None,
) -> FilmCatalog:
    """Merge the folder with the sheet, resolving and checking every language; a film whose id
    cannot name its job folder is refused (left out, with the reason), the others go on."""
    paths, refused = scan(films_dir)
    source = canonical_lang(default_source, "config source_lang")
    targets = tuple(canonical_lang(t, "config target_langs") for t in parse_lang_list(default_targets))
    audio = audio_request(default_audio_lang, default_audio_track, "config")
    films = {fid: Film(fid, path, source, targets, (), *audio) for fid, path in paths.items()}

    for number, row in enumerate(sheet_rows, start=2):  # row 1 is the header
        where = f"{sheet_name} row {number}"
        film_id = row.get("film", "")
        if not film_id:
            raise FilmSheetError(f"{where}: key 'film' must be a non-empty name")
        problem = film_id_problem(film_id)
        if problem is not None:
            refused.append(RefusedFilm(film_id, where, f"its id {problem}; rename it in the sheet"))
            continue
        if row.get("path"):
            path = Path(row["path"]).expanduser()
            path = path if path.is_absolute() else base_dir / path
        elif film_id in films:
            path = films[film_id].path
        elif any(refused_film.film_id == film_id for refused_film in refused):
            continue  # the folder's film of that id is refused already, and said so
        else:
            raise FilmSheetError(f"{where}: film {film_id!r} is not in {films_dir} and the row has no 'path'")
        if not path.is_file():
            raise FilmSheetError(f"{where}: key 'path': no such file {path}")
        problem = snakemake_path_problem(str(path))
        if problem is not None:
            films.pop(film_id, None)
            refused.append(RefusedFilm(film_id, where, f"its path {problem}; move or rename the file"))
            continue
        row_source = (
            canonical_lang(row["source_lang"], f"{where}: key 'source_lang'")
            if row.get("source_lang")
            else source
        )
        row_targets = (
            tuple(
                canonical_lang(t, f"{where}: key 'target_langs'")
                for t in parse_lang_list(row["target_langs"])
            )
            if row.get("target_langs")
            else targets
        )
        glossary = tuple(term.strip() for term in row.get("glossary", "").split(";") if term.strip())
        # a row that names an audio track in either way replaces the config's choice altogether
        row_audio = (
            audio_request(row.get("audio_lang") or None, row.get("audio_track") or None, where)
            if row.get("audio_lang") or row.get("audio_track")
            else audio
        )
        films[film_id] = Film(film_id, path, row_source, row_targets, glossary, *row_audio)

    for film in films.values():
        if film.source_lang != AUTO and film.source_lang in film.target_langs:
            films[film.id] = replace(
                film, target_langs=tuple(t for t in film.target_langs if t != film.source_lang)
            )
    return FilmCatalog(films, tuple(refused))


def audio_request(
    audio_lang: str | None, audio_track: int | str | None, where: str
) -> tuple[str | None, int | None]:
    """(language id, track position) of an audio-track request; (None, None) asks for neither.

    ``audio_lang: auto`` is the same as no request: the default rule chooses. Asking both ways at
    once is an error, since the two could name different tracks.
    """
    language = (
        None if audio_lang in (None, AUTO) else canonical_lang(str(audio_lang), f"{where}: key 'audio_lang'")
    )
    position = None
    if audio_track is not None:
        text = str(audio_track).strip()
        if not text.isdigit():
            raise FilmSheetError(
                f"{where}: key 'audio_track': {audio_track!r} is not a track position (0, 1, ...)"
            )
        position = int(text)
    if language is not None and position is not None:
        raise FilmSheetError(
            f"{where}: both audio_lang ({audio_lang}) and audio_track ({audio_track}) are set; "
            "set one: audio_lang picks the track by its language tag, audio_track by its position"
        )
    return language, position
