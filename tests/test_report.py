"""The Snakemake report: each film's page (QC tables, cue plots, stage benchmarks) from
scripts/reelsub/review/report.py, and `snakemake --report` on a real run gathering them with the rule graph."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path

import pytest

from films_factory import speech_film
from reelsub.contracts.qc_report import write_qc_report
from reelsub.contracts.tracks import Track, write_manifest
from reelsub.contracts.transcript import Segment, Transcript, Word
from reelsub.review.report import (
    ReportOutputs,
    ReportTrack,
    benchmark_table_html,
    qc_table_html,
    read_benchmark,
    read_benchmarks,
    read_qc,
    read_tracks,
    speech_spans,
    track_languages,
    write_film_report,
)
from reelsub.subtitles.cues import Cue, SubtitleRules, build_cues
from reelsub.subtitles.files import write_srt
from reelsub.subtitles.qc import qc_report
from workflow import snakemake

FPS = 25.0
RULES = SubtitleRules()
# The header Snakemake's benchmark: directive writes, and one run's values.
BENCHMARK_HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time"


def transcript(language: str = "en") -> Transcript:
    sentences = [
        [("I", 1.0, 1.1), ("saw", 1.1, 1.3), ("the", 1.3, 1.4), ("dog.", 1.4, 1.8)],
        [("Then", 4.0, 4.3), ("it", 4.3, 4.4), ("ran", 4.4, 4.7), ("away.", 4.7, 5.2)],
    ]
    segments = []
    for sentence in sentences:
        words = [Word(start, end, text) for text, start, end in sentence]
        segments.append(Segment(words[0].start, words[-1].end, " ".join(w.word for w in words), words))
    return Transcript("film", language, 8.0, segments)


def subtitle_folder(folder: Path, languages=("en",), broken: str | None = None) -> Path:
    """What the subtitle stage leaves: per language an SRT and a QC report, and the manifest.
    ``broken``: a language whose cues squeeze three lines into a cue (a max_lines violation)."""
    folder.mkdir(parents=True, exist_ok=True)
    tracks = []
    for language in languages:
        source = transcript(language)
        cues = build_cues(source, RULES, FPS)
        if language == broken:
            cues[0] = Cue(cues[0].start, cues[0].end, ["I", "saw the", "dog."])
        write_srt(cues, folder / f"{language}.srt")
        write_qc_report(folder / f"{language}.qc.json", qc_report(cues, RULES, FPS, source))
        tracks.append(
            Track(
                language,
                f"{language}.srt",
                f"{language}.vtt",
                f"{language}.qc.json",
                language,
                language == languages[0],
                language != languages[0],
                len(cues),
            )
        )
    write_manifest(folder, tracks)
    return folder


def parse_svg(path: Path) -> str:
    """The SVG is well-formed XML; returns its text content (titles, labels)."""
    root = ElementTree.parse(path).getroot()
    assert root.tag.endswith("svg")
    return path.read_text()


# -- the pieces -----------------------------------------------------------------------------------


def test_tracks_follow_the_manifest_order_source_first(tmp_path: Path) -> None:
    folder = subtitle_folder(tmp_path / "subtitles", languages=("hi", "en", "ta"))
    assert track_languages(folder) == ["hi", "en", "ta"]
    (folder / "tracks.json").unlink()
    assert track_languages(folder) == ["en", "hi", "ta"]  # no manifest: every SRT, by name


def test_qc_table_has_every_check_per_language_and_marks_violations(tmp_path: Path) -> None:
    folder = subtitle_folder(tmp_path / "subtitles", languages=("en", "hi"), broken="hi")
    table = qc_table_html("my film <1>", read_tracks(folder))
    assert "Subtitle QC: my film &lt;1&gt;" in table  # film names are escaped
    assert "<th>en</th><th>hi</th>" in table
    marked = '<tr class="bad"><td>violations: max_lines</td><td class="num">0</td><td class="num">1</td></tr>'
    assert marked in table, table
    for check in ("cue_count", "reading_speed_cps: p90", "duration_s: max", "exceptions: fast_speech"):
        assert f"<td>{check}</td>" in table, check
    assert table.count('<p class="summary">') == 2 and "RULE VIOLATIONS: 1 max_lines" in table


def test_qc_table_shows_unversioned_broken_or_missing_reports_as_missing(tmp_path: Path) -> None:
    """A qc.json without the reelsub.qc/1 schema tag breaks the contract: the page says the track
    has no QC report instead of showing numbers of unknown meaning (or failing)."""
    (tmp_path / "en.qc.json").write_text('{"cue_count": 3, "summary": "old report"}')
    (tmp_path / "hi.qc.json").write_text("not json")
    tracks = [
        ReportTrack("en", [], read_qc(tmp_path / "en.qc.json")),
        ReportTrack("hi", [], read_qc(tmp_path / "hi.qc.json")),
        ReportTrack("ta", [], read_qc(tmp_path / "missing.qc.json")),
    ]
    table = qc_table_html("film", tracks)
    assert "old report" not in table
    assert table.count("no QC report for this track") == 3


def test_benchmarks_are_read_in_stage_order_with_missing_values_as_none(tmp_path: Path) -> None:
    for stage, seconds in (("mux", "0.31"), ("asr", "3.55"), ("demux", "0.39"), ("burn_in", "9.0")):
        (tmp_path / f"{stage}.tsv").write_text(
            f"{BENCHMARK_HEADER}\n{seconds}\t0:00:03\t295.86\t778.16\t246.74\t265.75\t0.52\t0.05\t47.63\tNA\n"
        )
    stages = read_benchmarks(tmp_path.glob("*.tsv"))
    assert [s.stage for s in stages] == ["demux", "asr", "mux", "burn_in"]
    asr = read_benchmark(tmp_path / "asr.tsv")
    assert (asr.wall_s, asr.max_rss_mb, asr.mean_load, asr.cpu_s) == (3.55, 295.86, 47.63, None)
    table = benchmark_table_html("film", stages)
    assert '<td>asr</td><td class="num">3.55</td><td class="num">n/a</td>' in table
    assert re.search(r"<b>total</b>.*<b>13\.2</b>", table)  # 0.39 + 3.55 + 0.31 + 9.0


def test_speech_is_word_times_or_segment_times_without_words() -> None:
    source = transcript()
    assert speech_spans(source)[:2] == [(1.0, 1.1), (1.1, 1.3)]
    segments = [Segment(1.0, 1.8, "मैंने कुत्ता देखा"), Segment(3.0, 3.5, " ")]
    translated = Transcript("film", "hi", 8.0, segments)
    assert speech_spans(translated) == [(1.0, 1.8)]


def test_film_report_writes_tables_and_three_plots(tmp_path: Path) -> None:
    folder = subtitle_folder(tmp_path / "subtitles", languages=("en", "hi"))
    source = tmp_path / "transcript.json"
    transcript().write(source)
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "asr.tsv").write_text(
        f"{BENCHMARK_HEADER}\n3.5\t0:00:03\t1\t1\t1\t1\t0\t0\t50\t1.7\n"
    )
    out = tmp_path / "report"
    outputs = ReportOutputs(
        out / "qc.html", out / "durations.svg", out / "cps.svg", out / "timeline.svg", out / "benchmarks.html"
    )
    tracks = write_film_report(
        "film", folder, source, [tmp_path / "benchmarks" / "asr.tsv"], {"max_cps": 20}, outputs
    )
    assert [t.language for t in tracks] == ["en", "hi"] and all(t.cues for t in tracks)
    assert "<th>en</th><th>hi</th>" in outputs.qc_table.read_text()
    assert "<td>asr</td>" in outputs.benchmarks.read_text()
    assert "How long cues stay on screen" in parse_svg(outputs.durations)
    reading = parse_svg(outputs.reading_speed)
    assert "Reading speed of each cue" in reading and "limit 20 cps" in reading  # the config's limit
    timeline = parse_svg(outputs.timeline)
    assert all(label in timeline for label in ("speech", "cues en", "cues hi"))
    first = outputs.durations.read_bytes()
    write_film_report("film", folder, source, [], {"max_cps": 20}, outputs)
    assert outputs.durations.read_bytes() == first, "same cues, same plot (no date in the SVG)"


def test_film_without_speech_still_gets_a_report(tmp_path: Path) -> None:
    folder = tmp_path / "subtitles"
    folder.mkdir()
    write_srt([], folder / "en.srt")
    source = tmp_path / "transcript.json"
    Transcript("silent", "en", 5.0, []).write(source)
    out = tmp_path / "report"
    outputs = ReportOutputs(out / "qc.html", out / "d.svg", out / "c.svg", out / "t.svg", out / "b.html")
    write_film_report("silent", folder, source, [], None, outputs)
    assert "no cues" in parse_svg(outputs.durations)
    assert "no QC report for this track" in outputs.qc_table.read_text()


# -- the whole report, from a real run ------------------------------------------------------------


def report_variables(html: str) -> dict[str, object]:
    """The JSON data Snakemake's report page is built from (results, categories, rule graph)."""
    found = {}
    for name in ("results", "categories", "rulegraph_spec"):
        start = re.search(rf"\bvar {name} = (?=\{{)", html)  # not the JavaScript libraries' own
        assert start, f"no {name} in the report"
        found[name], _ = json.JSONDecoder().raw_decode(html, start.end())
    return found


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    """`snakemake -j2` (rule all: out.mkv and the report page of every film) on one short film."""
    workdir = tmp_path_factory.mktemp("report")
    speech_film(workdir / "films" / "fox.mp4")
    run = snakemake(workdir, "-j2", "reports")
    assert run.returncode == 0, run.output
    return workdir


@pytest.mark.e2e
def test_a_run_leaves_each_films_report_page(finished_run: Path) -> None:
    report = finished_run / "jobs" / "fox" / "report"
    assert sorted(p.name for p in report.iterdir()) == [
        "benchmarks.html",
        "cue_durations.svg",
        "qc.html",
        "reading_speed.svg",
        "timeline.svg",
    ]
    assert (finished_run / "jobs" / "fox" / "logs" / "report.log").read_text().strip()
    assert (finished_run / "jobs" / "fox" / "benchmarks" / "report.tsv").is_file()


@pytest.mark.e2e
def test_snakemake_report_zip_holds_qc_plots_benchmarks_and_rule_graph(finished_run: Path) -> None:
    run = snakemake(finished_run, "--report", "report.zip", "reports")
    assert run.returncode == 0, run.output
    with zipfile.ZipFile(finished_run / "report.zip") as archive:
        names = archive.namelist()
        page = archive.read("report/report.html").decode()
        data = {Path(name).name: archive.read(name).decode() for name in names if "/data/raw/" in name}
    variables = report_variables(page)

    # One category per film, its QC and plots apart from the stage benchmarks.
    categories = variables["categories"]
    assert set(categories) == {"fox"}
    assert sorted(categories["fox"]["subtitles"]) == [
        "jobs/fox/report/cue_durations.svg",
        "jobs/fox/report/qc.html",
        "jobs/fox/report/reading_speed.svg",
        "jobs/fox/report/timeline.svg",
    ]
    assert categories["fox"]["stages"] == ["jobs/fox/report/benchmarks.html"]
    results = variables["results"]
    assert results["jobs/fox/report/qc.html"]["labels"] == {"film": "fox", "figure": "subtitle QC"}
    assert "Subtitle QC of film <strong>fox</strong>" in results["jobs/fox/report/qc.html"]["caption"]

    # The files themselves: the QC table, three plots, and a benchmark row per stage.
    assert "<td>violations: reading_speed</td>" in data["qc.html"] and "<th>en</th>" in data["qc.html"]
    for plot in ("cue_durations.svg", "reading_speed.svg", "timeline.svg"):
        assert data[plot].lstrip().startswith("<?xml") and "<svg" in data[plot], plot
    for stage in ("demux", "asr", "align", "export", "subtitle", "mux"):
        assert f"<td>{stage}</td>" in data["benchmarks.html"], stage

    # The workflow description and the rule graph, with the report rule in it.
    assert "reelsub turns films into subtitled films" in page
    graph_rules = {node["rule"] for node in variables["rulegraph_spec"]["data"][0]["values"]}
    assert {"demux", "asr", "align", "export", "subtitle", "mux", "film_report", "reports"} <= graph_rules


@pytest.mark.e2e
def test_snakemake_report_html_is_one_self_contained_file(finished_run: Path) -> None:
    run = snakemake(finished_run, "--report", "report.html", "reports")
    assert run.returncode == 0, run.output
    page = (finished_run / "report.html").read_text()
    results = report_variables(page)["results"]
    assert {"jobs/fox/report/qc.html", "jobs/fox/report/timeline.svg"} <= set(results)
    assert "data:image/svg+xml" in page and "data:text/html" in page


def test_plots_are_drawn_aside_and_moved_into_place_durably(tmp_path: Path, monkeypatch) -> None:
    """savefig wrote the output itself, so a job killed while it drew left half an SVG under the
    name Snakemake checks; now it draws a part file that reelsub.contracts.base.atomic_output syncs and
    renames (and removes if drawing fails)."""
    import os

    from reelsub.review.report import _histogram

    moved: list[tuple[str, str]] = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (moved.append((str(a), str(b))), real_replace(a, b)))
    plot = tmp_path / "report" / "cue_durations.svg"
    _histogram(plot, "cue durations", "seconds", {"en": [1.0, 2.0]}, [(6.0, "longest")])
    assert [Path(target) for _, target in moved] == [plot]
    assert Path(moved[0][0]).name.startswith(".cue_durations.") and moved[0][0].endswith(".svg")
    assert plot.read_text().rstrip().endswith("</svg>") and list(plot.parent.iterdir()) == [plot]
    with pytest.raises(ValueError):  # a title matplotlib cannot typeset
        _histogram(tmp_path / "broken.svg", r"$\notacommand$", "seconds", {"en": [1.0]}, [])
    assert not (tmp_path / "broken.svg").exists() and sorted(tmp_path.iterdir()) == [plot.parent]
