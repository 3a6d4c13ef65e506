"""Which font draws each language's subtitles, and where its file is.

One Noto family per script (ISO 15924, as reelsub.languages writes them): Noto covers every script
of the 22 scheduled languages with one design, and Debian's ``fonts-noto-core`` (make
system-packages) and conda-forge's ``font-ttf-noto`` (envs/common.yaml) ship all of them. The ASS
track of a language is styled in its family (reelsub.subtitles.files), the MKV carries the file
where tracks are ASS, and burn-in draws with it (reelsub.mkv).

Font files are looked up by the family named inside them (the ``name`` table, read with fontTools,
which matplotlib brings to the common env), not by fontconfig: the file must be found to be
attached or handed to libass, and a fontconfig substitute (its nearest match for a family it lacks)
would draw Devanagari as empty boxes without a word.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from reelsub import languages

# The family for each script; a language written in several scripts takes its usual one's
# (languages.Language.scripts[0]).
SCRIPT_FAMILIES: dict[str, str] = {
    "Latn": "Noto Sans",
    "Deva": "Noto Sans Devanagari",
    "Beng": "Noto Sans Bengali",
    "Taml": "Noto Sans Tamil",
    "Telu": "Noto Sans Telugu",
    "Guru": "Noto Sans Gurmukhi",
    "Gujr": "Noto Sans Gujarati",
    "Knda": "Noto Sans Kannada",
    "Mlym": "Noto Sans Malayalam",
    "Orya": "Noto Sans Oriya",
    "Olck": "Noto Sans Ol Chiki",
    "Mtei": "Noto Sans Meetei Mayek",
    "Arab": "Noto Sans Arabic",  # Urdu, and Kashmiri and Sindhi in their usual script
}
FALLBACK_FAMILY = SCRIPT_FAMILIES["Latn"]  # a language reelsub does not know
WHERE_TO_GET = (
    "Debian/Ubuntu: apt-get install fonts-noto-core; conda: font-ttf-noto from conda-forge "
    "(envs/common.yaml); or put the font file in the folder config key 'mux.fonts_dir' names"
)


class FontNotFound(LookupError):
    """No file of the family a track needs; the message names the family and where to get it."""


def family_for(language: str) -> str:
    """The font family a language's subtitles are drawn in (``hi`` -> Noto Sans Devanagari)."""
    scripts = languages.expected_scripts(language)
    return SCRIPT_FAMILIES.get(scripts[0], FALLBACK_FAMILY) if scripts else FALLBACK_FAMILY


def font_folders(extra: str | os.PathLike[str] | None = None) -> list[Path]:
    """Where font files are looked for, in order: ``extra`` (config ``mux.fonts_dir``), the conda
    env's own fonts (font-ttf-noto installs into ``$PREFIX/fonts``), then the system's and the user's."""
    home = Path.home()
    folders = [Path(extra)] if extra else []
    folders += [Path(sys.prefix) / "fonts"]
    if os.environ.get("CONDA_PREFIX"):
        folders.append(Path(os.environ["CONDA_PREFIX"]) / "fonts")
    folders += [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local/share/fonts",
        home / ".fonts",
        Path("/Library/Fonts"),  # macOS
        home / "Library/Fonts",
    ]
    return list(dict.fromkeys(folders))  # in an active conda env, sys.prefix is $CONDA_PREFIX


def _names(path: Path) -> tuple[str, str] | None:
    """(family, subfamily) as the font file names itself: the typographic names where given
    (IDs 16 and 17), else the legacy ones (1 and 2)."""
    from fontTools.ttLib import TTFont, TTLibError  # only where a file is looked for

    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            name = font["name"]
            family = name.getDebugName(16) or name.getDebugName(1)
            style = name.getDebugName(17) or name.getDebugName(2)
    except (TTLibError, OSError, KeyError, AssertionError):
        return None
    return (family, style) if family and style else None


@cache
def _find(family: str, folders: tuple[Path, ...]) -> Path | None:
    stem = family.replace(" ", "")  # NotoSansDevanagari-Regular.ttf: a cheap filter before reading
    candidates: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            candidates += sorted(
                p for p in folder.rglob(f"{stem}*") if p.suffix.lower() in (".ttf", ".otf") and p.is_file()
            )
    regular = [p for p in candidates if _names(p) == (family, "Regular")]
    return regular[0] if regular else None


def font_file(family: str, folders: Sequence[Path] | None = None) -> Path:
    """The Regular file of ``family``; raises FontNotFound naming the family and where to get it."""
    searched = tuple(folders if folders is not None else font_folders())
    found = _find(family, searched)
    if found is None:
        raise FontNotFound(
            f"no font file of {family!r} (Regular) in {', '.join(str(f) for f in searched)}. "
            f"Install it: {WHERE_TO_GET}"
        )
    return found


def font_files(language_ids: Iterable[str], folders: Sequence[Path] | None = None) -> list[Path]:
    """The files that draw these languages' tracks, each once, in the tracks' order."""
    files: list[Path] = []
    for language in language_ids:
        path = font_file(family_for(language), folders)
        if path not in files:
            files.append(path)
    return files


FONT_MIMETYPES = {".ttf": "font/ttf", ".otf": "font/otf"}  # Matroska attachment MIME types (RFC 8081)
