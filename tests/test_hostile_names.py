"""Hostile names and values (issue 25, 7-10): a film's name or a config value never becomes markup in
the report, an option in a filter graph, a URL ffmpeg fetches, or a path outside the film's job
folder. Each is escaped for the language it goes into, or refused with a message naming it.

Everything runs for real: docutils renders the captions as Snakemake does, ffmpeg parses the filter
graphs and libass picks the font, a local web server on 127.0.0.1 records whether anything came.
"""

from __future__ import annotations

import html
import http.server
import os
import re
import subprocess
import threading
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest
from docutils.core import publish_parts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import films_factory as factory
from reelsub import escaping
from reelsub.contracts.tracks import write_manifest
from reelsub.media import MediaError, extract_audio, probe, run_tool
from reelsub.mkv import SubtitleTrack, burn_in, burn_in_filter, mux
from reelsub.review.page import write_review_page
from reelsub.subtitles.files import write_srt
from reelsub.subtitles.frames import read_frame_times
from reelsub.subtitles.rules import Cue
from reelsub.workflow.films import VIDEO_EXTENSIONS, build_catalog, film_id_problem, read_sheet, scan
from reelsub.workflow.settings import read_yaml
from testkit.streams import stream_md5
from workflow import PROJECT, snakemake

# The two names of the issue: a link to javascript: and, after a new line, a raw HTML directive.
LINK_NAME = "x** `play <javascript:alert(1)>`__ **y"
RAW_NAME = "x\n\n.. raw:: html\n\n   <script>alert(1)</script>\n\nz"


# -- the report's reStructuredText ----------------------------------------------------------------


def rendered(caption: str, film: str, config: dict | None = None) -> str:
    """A caption file rendered as Snakemake's report renders it (Jinja, then docutils to HTML), for
    the film_report rule of ``film`` (its params as rules/report.smk gives them)."""
    snakemake_object = SimpleNamespace(
        wildcards=SimpleNamespace(film=film),
        params=SimpleNamespace(film_rst=escaping.rst_text(film)),
        config=config or read_yaml(PROJECT / "config" / "config.yaml") | {"subtitle": SUBTITLE_CONFIG},
    )
    environment = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
    text = environment.from_string((PROJECT / "report" / caption).read_text()).render(
        snakemake=snakemake_object
    )
    return publish_parts(text, writer="html")["html_body"]


SUBTITLE_CONFIG = {
    "min_duration": 0.83,
    "max_duration": 7,
    "max_cps": 17,
    "max_lines": 2,
    "max_chars_per_line": 42,
}


def assert_inert(page: str) -> None:
    assert 'href="javascript:' not in page and "<script>" not in page, page
    assert 'class="reference' not in page and "system-message" not in page, page


@pytest.mark.parametrize(
    "caption", sorted(p.name for p in (PROJECT / "report").glob("*.rst") if p.name != "workflow.rst")
)
@pytest.mark.parametrize("film", [LINK_NAME, RAW_NAME])
def test_report_captions_show_a_hostile_film_name_as_text_never_a_link_or_raw_html(caption, film) -> None:
    page = rendered(caption, film)
    assert_inert(page)
    if film == LINK_NAME:
        assert "<strong>x** `play &lt;javascript:alert(1)&gt;`__ **y</strong>" in page


def test_the_workflow_caption_shows_hostile_config_text_as_text() -> None:
    config = read_yaml(PROJECT / "config" / "config.yaml")
    config["films_dir"] = LINK_NAME
    config["asr"] = {"model": RAW_NAME}
    config["subtitle"] = SUBTITLE_CONFIG
    page = rendered("workflow.rst", "fox", config)
    assert_inert(page)
    assert "x** `play &lt;javascript:alert(1)&gt;`__ **y/" in page


def as_shown(text: str) -> str:
    """What a reader should see of ``text``: itself, with control characters and spaces at either
    end written as \\uXXXX (a new line in a caption could start a directive)."""

    def at_an_end(index: int) -> bool:
        return not text[:index].strip() or not text[index + 1 :].strip()

    return "".join(
        f"\\u{ord(c):04x}" if escaping.is_control(c) or (c.isspace() and at_an_end(i)) else c
        for i, c in enumerate(text)
    )


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40))
def test_rst_text_renders_as_exactly_the_text_it_was_given(text: str) -> None:
    """Whatever the text, ``**<rst_text>**`` in a sentence is one bold run of exactly that text:
    no markup, link, role or directive comes of it."""
    body = publish_parts(f"Film **{escaping.rst_text(text)}** end", writer="html")["body"]
    match = re.fullmatch(r"<p>Film <strong>([^<>]*)</strong> end</p>\n", body)
    assert match, body
    assert html.unescape(match.group(1)) == as_shown(text)


def test_review_page_escapes_the_film_name_and_never_links_to_a_scheme(tmp_path: Path) -> None:
    film = tmp_path / "javascript:alert(1).mp4"
    film.write_bytes(b"")
    subtitles = tmp_path / "subtitles"
    write_manifest(subtitles, [])
    page = tmp_path / "review.html"
    write_review_page('"><script>alert(1)</script>', film, subtitles, page)
    html_text = page.read_text()
    assert "<script>alert(1)" not in html_text
    assert 'src="javascript:' not in html_text and 'src="javascript%3Aalert%281%29.mp4"' in html_text


# -- film ids that cannot name a job folder -------------------------------------------------------


def touch(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"x")


def test_film_ids_that_are_no_folder_name_are_refused_naming_the_film_and_the_others_stay(tmp_path) -> None:
    touch(
        tmp_path / "films",
        *(
            "ok.mp4",
            "-rf.mp4",
            "two\nlines.mp4",
            "{film}.mkv",
            "tail .mp4",
            "a\\b.mov",
            "<!--.mp4",
            "<logs>.mkv",
        ),
    )
    touch(tmp_path / "elsewhere", "x.mp4")
    sheet = tmp_path / "films.tsv"
    sheet.write_text(
        f"film\tpath\n..\t{tmp_path / 'elsewhere' / 'x.mp4'}\n.\t{tmp_path / 'elsewhere' / 'x.mp4'}\n"
    )
    catalog = build_catalog(tmp_path / "films", read_sheet(sheet), "auto", [], sheet_name="films.tsv")
    assert list(catalog.films) == ["ok"]
    messages = {refused.film_id: refused.message for refused in catalog.refused}
    assert set(messages) == {"-rf", "two\nlines", "{film}", "tail ", "a\\b", "<!--", "<logs>", "..", "."}
    assert messages[".."].startswith("film '..' (films.tsv row 2) refused: its id '..' is not a folder name")
    assert f"({tmp_path}/films/two\\nlines.mp4)" in messages["two\nlines"], "the file, its newline shown"
    assert "control character '\\n'" in messages["two\nlines"] and "rename the file" in messages["two\nlines"]
    assert "starts with '-'" in messages["-rf"] and "wildcard" in messages["{film}"]
    assert "holds '<logs>', which Snakemake reads as a path variable" in messages["<logs>"]


def test_films_whose_path_snakemake_cannot_take_are_refused_naming_the_film(tmp_path) -> None:
    """Snakemake reads braces and <name> in any path of the DAG: a films folder or a sheet path
    holding them is refused per film, never a crash of the whole DAG."""
    touch(tmp_path / "films {2024}", "a.mp4")
    touch(tmp_path / "<logs>", "b.mp4")
    touch(tmp_path / "films", "c.mp4")
    sheet = tmp_path / "films.tsv"
    sheet.write_text(f"film\tpath\nb\t{tmp_path / '<logs>' / 'b.mp4'}\nc\t\n")
    folder = build_catalog(tmp_path / "films {2024}", [], "auto", [])
    assert folder.films == {} and [r.message for r in folder.refused] == [
        f"film 'a' ({tmp_path}/films {{2024}}/a.mp4) refused: its path holds '{{' or '}}', which Snakemake"
        " reads as a wildcard in a path; rename the folder"
    ]
    rows = build_catalog(tmp_path / "films", read_sheet(sheet), "auto", [], sheet_name="films.tsv")
    assert list(rows.films) == ["c"]
    assert [r.message for r in rows.refused] == [
        "film 'b' (films.tsv row 2) refused: its path holds '<logs>', which Snakemake reads as a path"
        " variable (<logs> would become logs, an unknown one stops the run); move or rename the file"
    ]


@pytest.mark.parametrize(
    "good", ["my film", "शोले", 'it\'s "quoted"', "$(touch pwned)", LINK_NAME, "concat:x.mkv|x"]
)
def test_names_that_are_only_unusual_are_kept(good: str) -> None:
    assert film_id_problem(good) is None


# -- ffmpeg's filter graph: the burn-in font ------------------------------------------------------

FONT_NAMES = ["Reel's: Font [x]; y", "x'[a];[a]hflip", "a\\b'c", " lead and tail ", "Lohit Devanagari"]


def tiny_film(path: Path, seconds: float = 2.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    run_tool(
        [
            "ffmpeg", "-nostdin", "-v", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size=160x90:rate=5:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
            "-c:v", "libx264", "-c:a", "aac", "-shortest", f"file:{path}",
        ],
        "tiny film",
    )  # fmt: skip
    return path


def subtitle_file(path: Path) -> Path:
    write_srt([Cue(0.0, 1.5, ("Hello there",))], path)
    return path


def parsed_filters(film: Path, graph: str, env: dict | None = None) -> str:
    """ffmpeg's debug log of running ``graph`` over the film: which filters it made, with which
    option values, and which font libass picked."""
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "debug", "-i", str(film), "-vf", graph, "-f", "null", "-"],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stderr


@pytest.mark.parametrize("font", FONT_NAMES)
def test_burn_in_font_is_one_option_value_of_one_subtitles_filter(tmp_path: Path, font: str) -> None:
    film, srt = tiny_film(tmp_path / "film.mp4"), subtitle_file(tmp_path / "a b'c:d.srt")
    log = parsed_filters(film, burn_in_filter(srt, font))
    assert set(re.findall(r"\[Parsed_(\w+?)_\d+ @", log)) == {"subtitles"}, "the font added a filter"
    settings_made = re.findall(r"\[Parsed_subtitles_0 @ \w+\] Setting '(\w+)' to value '(.*)'", log)
    assert settings_made == [("filename", str(srt)), ("force_style", f"FontName={font}")]


def test_a_font_name_that_would_add_a_filter_writing_a_file_is_refused(tmp_path: Path) -> None:
    """The issue's attack: a quote ends force_style, a comma starts a filter that writes a file."""
    film, srt = tiny_film(tmp_path / "film.mp4"), subtitle_file(tmp_path / "s.srt")
    pwned = tmp_path / "pwned.trf"
    font = f"x',vidstabdetect=result={pwned},null='"
    with pytest.raises(MediaError, match=r"key 'mux.burn_in_font': .* holds ',' '='"):
        burn_in(film, srt, tmp_path / "burned.mkv", font)
    assert not pwned.exists() and not (tmp_path / "burned.mkv").exists()


def test_a_real_font_whose_name_has_quotes_colons_and_brackets_is_the_one_libass_draws_with(
    tmp_path: Path,
) -> None:
    """A copy of DejaVu Sans renamed (fontTools) to a family name holding ' : [ ] ; and spaces,
    installed where fontconfig looks ($XDG_DATA_HOME/fonts): libass selects that file."""
    from fontTools.ttLib import TTFont
    from matplotlib import get_data_path

    family = "Reel's: Font [x]; y"
    font = TTFont(Path(get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = family
    (tmp_path / "data" / "fonts").mkdir(parents=True)
    font.save(tmp_path / "data" / "fonts" / "reels.ttf")
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    film, srt = tiny_film(tmp_path / "film.mp4"), subtitle_file(tmp_path / "s.srt")
    log = parsed_filters(film, burn_in_filter(srt, family), env)
    assert f"fontselect: ({family}, 400, 0) -> {tmp_path / 'data' / 'fonts' / 'reels.ttf'}" in log
    burn_in(film, srt, tmp_path / "burned.mkv", family)  # ffmpeg reads the graph as one filter
    assert [s.kind for s in probe(tmp_path / "burned.mkv").streams] == ["video", "audio"]


@pytest.mark.e2e
def test_a_font_libass_cannot_take_stops_the_run_before_any_job(tmp_path: Path) -> None:
    tiny_film(tmp_path / "films" / "a.mp4")
    run = snakemake(tmp_path, "-n", config=["mux={burn_in_font: 'Noto, Sans'}"])
    assert run.returncode != 0
    assert "config: key 'mux.burn_in_font': 'Noto, Sans' holds ','" in run.output, run.output[-2000:]


# -- films opened as files, never as URLs ---------------------------------------------------------


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def web_server():
    """A web server on 127.0.0.1 that answers 404 and records every request: (port, hits)."""

    class Handler(Recorder):
        hits: list[str] = []

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], Handler.hits
    server.shutdown()


def hls_playlist(path: Path, port: int) -> Path:
    path.write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:2,\nhttp://127.0.0.1:{port}/segment0.ts\n#EXT-X-ENDLIST\n"
    )
    return path


def test_a_film_named_like_the_concat_protocol_is_read_as_that_one_file(tmp_path: Path, monkeypatch) -> None:
    """The issue's case: in a films_dir of '.', ``concat:x.mkv|x.mkv`` was x.mkv twice."""
    monkeypatch.chdir(tmp_path)
    tiny_film(tmp_path / "x.mkv", seconds=3.0)
    tiny_film(tmp_path / "concat:x.mkv|x.mkv", seconds=1.0)
    film = Path("concat:x.mkv|x.mkv")
    assert probe(film).duration == pytest.approx(1.0, abs=0.1)
    extract_audio(film, Path("audio.wav"))
    assert probe(Path("audio.wav")).duration == pytest.approx(1.0, abs=0.1)
    assert len(read_frame_times(film).times) == 5  # 1 s at 5 fps
    mux(film, [SubtitleTrack(subtitle_file(tmp_path / "s.srt"), "eng", "English")], Path("out.mkv"))
    assert stream_md5(Path("out.mkv"), "a:0") == stream_md5(film, "a:0")


def test_a_film_named_like_a_web_address_is_never_fetched(tmp_path: Path, monkeypatch, web_server) -> None:
    port, hits = web_server
    monkeypatch.chdir(tmp_path)
    film = Path(f"http:127.0.0.1:{port}?.mp4")
    tiny_film(tmp_path / film.name, seconds=1.0)
    assert probe(film).duration == pytest.approx(1.0, abs=0.1)
    extract_audio(film, Path("audio.wav"))
    assert len(read_frame_times(film).times) == 5
    mux(film, [], Path("out.mkv"))
    assert hits == []


def test_an_mp4_that_is_an_hls_playlist_fails_naming_the_film_and_fetches_nothing(
    tmp_path, web_server
) -> None:
    port, hits = web_server
    film = hls_playlist(tmp_path / "trailer.mp4", port)
    for read in (
        probe,
        read_frame_times,
        lambda f: extract_audio(f, tmp_path / "a.wav"),
        lambda f: mux(f, [], tmp_path / "o.mkv"),
    ):
        with pytest.raises(MediaError, match=rf"{re.escape(str(film))}: an HLS playlist"):
            read(film)
    assert hits == []


# -- through the workflow: discovery, the DAG, and real runs --------------------------------------

# Pieces of names that are syntax somewhere: RST and HTML, shells, URLs and ffmpeg's protocols, paths.
HOSTILE_PIECES = [
    "..",
    ".",
    "-",
    "{film}",
    "}",
    "`",
    "**",
    "<javascript:alert(1)>`__",
    "\n.. raw:: html\n",
    "<script>",
    "$(touch pwned)",
    "<!--",
    "<logs>",
    "'",
    '"',
    ";",
    "&",
    "|",
    "*",
    "?",
    "[",
    "]",
    "%2F",
    "%",
    "\\",
    "concat:",
    "http:",
    "file:",
    "subfile,,start,0,end,1,,:",
    "@",
    "#",
    " ",
    "\t",
    "शोले",
    "ক্ষ\u200d",
    "\u202e",
    "😀",
    "~",
]
names = st.lists(
    st.one_of(
        st.sampled_from(HOSTILE_PIECES),
        st.text(st.characters(exclude_categories=["Cs"], exclude_characters="/\x00"), max_size=3),
    ),
    min_size=1,
    max_size=5,
).map("".join)


@st.composite
def film_folders(draw) -> dict[str, str]:
    """File name → stem for two to four films with distinct stems (a shared stem is its own error).
    A name starting with '.' (or only an extension) is a hidden file, which discovery skips by design:
    it gets an 'f'."""
    found: dict[str, str] = {}
    for _ in range(draw(st.integers(2, 4))):
        stem, extension = draw(names), draw(st.sampled_from(sorted(VIDEO_EXTENSIONS)))
        stem = "f" + stem if not stem or stem.startswith(".") else stem
        if len((stem + extension).encode()) < 200 and stem not in found.values():
            found[stem + extension] = stem
    return found


@pytest.mark.e2e
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(film_folders())
def test_any_film_name_is_planned_under_its_own_name_or_refused_naming_it(tmp_path_factory, folder) -> None:
    """Discovery and the DAG (snakemake -n) over hostile names: each film is either planned, every
    job under its own name, or refused with a line naming it; never does the batch crash."""
    workdir = tmp_path_factory.mktemp("names")
    touch(workdir / "films", *folder)
    found, refused = scan(workdir / "films")
    run = snakemake(workdir, "-n")
    assert run.returncode == 0, run.output[-3000:]
    assert "Traceback" not in run.output
    for stem in folder.values():
        if film_id_problem(stem) is None:
            assert stem in found
            assert f"reelsub: film {stem!r}" not in run.output
            assert f"jobs/{stem}/out.mkv" in run.output, (stem, run.output[-3000:])
        else:
            assert stem not in found
            assert f"reelsub: film {stem!r} (films/" in run.output and "refused: its id" in run.output
    assert {r.film_id for r in refused} == {s for s in folder.values() if film_id_problem(s) is not None}


@pytest.mark.e2e
def test_hostile_films_run_through_the_report_escaped_while_refused_and_broken_ones_are_named(
    tmp_path: Path, web_server
) -> None:
    """One real run, films_dir '.', -j2 --keep-going: a film named as the issue's javascript link
    and one named like a web address go through to the report; an HLS playlist fails naming the
    film; ids no folder can have are refused; the run fails at the end, having done the rest."""
    port, hits = web_server
    speech = factory.speech_film(tmp_path / "made" / "speech.mp4")
    link_film, web_film = LINK_NAME, f"http:127.0.0.1:{port}?"
    factory.copy_film(speech, tmp_path / f"{link_film}.mp4")
    factory.copy_film(speech, tmp_path / f"{web_film}.mp4")
    speech.unlink()
    hls_playlist(tmp_path / "playlist.mp4", port)
    touch(tmp_path, "-rf.mp4", "two\nlines.mkv")
    (tmp_path / "config.yaml").write_text("films_dir: .\n")
    targets = [f"jobs/{film}/report/qc.html" for film in (link_film, web_film)]
    config = [tmp_path / "config.yaml"]
    run = snakemake(tmp_path, "-j2", *targets, configfiles=config)
    for film in (link_film, web_film):
        assert (tmp_path / "jobs" / film / "out.mkv").is_file(), run.output[-3000:]
    assert run.returncode != 0, "every job finished, but films were refused: the run fails"
    assert "REFUSED '-rf' (-rf.mp4): its id starts with '-'" in run.output
    assert "REFUSED 'two\\nlines' (two\\nlines.mkv): its id holds the control character '\\n'" in run.output
    assert "2 film(s) refused for their name or path: '-rf', 'two\\nlines'" in run.output

    rest = snakemake(tmp_path, "-j2", "--keep-going", configfiles=config)  # rule all: the playlist too
    assert rest.returncode != 0
    assert re.search(r"FAILED playlist: .*playlist\.mp4: an HLS playlist", rest.output), rest.output[-3000:]
    assert hits == []
    assert sorted(p.name for p in (tmp_path / "jobs").iterdir()) == sorted([link_film, web_film, "playlist"])

    report = snakemake(tmp_path, "--report", "report.html", *targets, configfiles=config)
    assert report.returncode == 0, report.output[-3000:]
    page = (tmp_path / "report.html").read_text()
    assert 'href=\\"javascript:' not in page and 'href="javascript:' not in page
    assert "Subtitle QC of film <strong>x** `play &lt;javascript:alert(1)&gt;`__ **y</strong>" in page
