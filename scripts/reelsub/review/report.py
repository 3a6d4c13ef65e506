"""The film's page of the Snakemake report: subtitle QC tables, cue plots and stage benchmarks.

``rules/report.smk`` runs this once per film (``scripts/report_film.py``) on what the other stages
left in ``jobs/<film>/``: every subtitle track (``subtitles/<lang>.srt``) with its QC report
(``<lang>.qc.json``, see :mod:`reelsub.subtitles.qc`), the transcript, and one Snakemake benchmark TSV per
stage. ``snakemake --report`` then gathers the files into one report, one category per film.

QC reports are read through their contract (reelsub.contracts.qc_report): a key an older report
lacks is shown as missing, and a report that breaks the contract as no report, never an error, so
the report of an old run still renders.
"""

from __future__ import annotations

import csv
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reelsub.contracts.base import ContractError, atomic_output, write_text_atomically
from reelsub.contracts.qc_report import QcReport, read_qc_report
from reelsub.contracts.tracks import read_manifest
from reelsub.contracts.transcript import Transcript
from reelsub.subtitles.files import read_srt
from reelsub.subtitles.rules import Cue, SubtitleRules

if TYPE_CHECKING:  # matplotlib is imported only where a plot is drawn
    from matplotlib.figure import Figure

# The order the stages run in; benchmark tables follow it, unknown stages (burn_in) go last.
STAGE_ORDER = ("demux", "asr", "align", "export", "translate", "subtitle", "mux", "burn_in")
# QC keys shown elsewhere (summary line), too bulky for a table cell (findings are counted in the
# violations and flags rows), or the same in every report.
QC_TABLE_SKIPS = {"schema", "film", "summary", "rules", "violation_examples", "language", "findings"}


@dataclass(frozen=True)
class ReportTrack:
    """One subtitle track of a film as the report sees it."""

    language: str
    cues: list[Cue]
    qc: QcReport | None  # None when there is none or it breaks the contract


@dataclass(frozen=True)
class StageBenchmark:
    stage: str
    wall_s: float | None
    cpu_s: float | None
    max_rss_mb: float | None
    mean_load: float | None
    io_in_mb: float | None
    io_out_mb: float | None


# -- reading what the stages wrote ----------------------------------------------------------------


def read_qc(path: Path) -> QcReport | None:
    """A QC report, or None when the file is missing or breaks the contract: the page then says
    the track has no QC report rather than failing the whole report."""
    try:
        return read_qc_report(path)
    except ContractError:
        return None


def track_languages(subtitles: Path) -> list[str]:
    """Languages in track order: the manifest's (source first), else every SRT's name, sorted."""
    # <lang>.machine.srt beside a kept edit (reelsub.review.publish) is no track of its own
    found = sorted(path.stem for path in subtitles.glob("*.srt") if "." not in path.stem)
    try:
        ordered = [track.language for track in read_manifest(subtitles)]
    except ContractError:
        return found
    return [lang for lang in ordered if lang in found] + [lang for lang in found if lang not in ordered]


def read_tracks(subtitles: Path) -> list[ReportTrack]:
    return [
        ReportTrack(lang, read_srt(subtitles / f"{lang}.srt"), read_qc(subtitles / f"{lang}.qc.json"))
        for lang in track_languages(subtitles)
    ]


def read_benchmark(path: Path) -> StageBenchmark:
    """One Snakemake benchmark TSV (columns s, h:m:s, max_rss, ..., cpu_time; one row per repeat):
    the mean over repeats; a column that is missing or "NA" is None."""
    with path.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream, delimiter="\t"))

    def mean(column: str) -> float | None:
        values = []
        for row in rows:
            try:
                value = float(row.get(column) or "nan")
            except ValueError:
                continue
            if math.isfinite(value):
                values.append(value)
        return sum(values) / len(values) if values else None

    return StageBenchmark(
        stage=path.stem,
        wall_s=mean("s"),
        cpu_s=mean("cpu_time"),
        max_rss_mb=mean("max_rss"),
        mean_load=mean("mean_load"),
        io_in_mb=mean("io_in"),
        io_out_mb=mean("io_out"),
    )


def read_benchmarks(paths: Iterable[Path]) -> list[StageBenchmark]:
    def order(path: Path) -> tuple[int, str]:
        stem = path.stem
        return (STAGE_ORDER.index(stem) if stem in STAGE_ORDER else len(STAGE_ORDER), stem)

    return [read_benchmark(path) for path in sorted(paths, key=order)]


def speech_spans(transcript: Transcript) -> list[tuple[float, float]]:
    """When words are spoken: word times where the transcript has them, else segment times."""
    spans: list[tuple[float, float]] = []
    for segment in transcript.segments:
        if segment.words:
            spans.extend((word.start, word.end) for word in segment.words)
        elif segment.text.strip():
            spans.append((segment.start, segment.end))
    return spans


# -- tables -------------------------------------------------------------------------------------

STYLE = """<style>
body { font-family: sans-serif; font-size: 14px; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.bad td { background: #fde2e1; }
p.summary { max-width: 60em; }
</style>"""


def flatten(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested dicts as ("outer: inner", value) rows, in the report's own key order."""
    rows: list[tuple[str, Any]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            rows.extend(flatten(value, f"{name}: "))
        else:
            rows.append((name, value))
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def _is_fault(name: str, value: Any) -> bool:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return name.startswith("violation") and number and value > 0


def qc_table_html(film: str, tracks: Sequence[ReportTrack]) -> str:
    """Every QC number of every track: one row per check, one column per language; rows with a
    rule violation are marked. Then each track's one-paragraph summary."""
    documents = [t.qc.to_dict() if t.qc else {} for t in tracks]  # every key, in the contract's order
    flat = [dict(flatten({k: v for k, v in d.items() if k not in QC_TABLE_SKIPS})) for d in documents]
    names: list[str] = []
    for rows in flat:
        names.extend(name for name in rows if name not in names)
    out = [STYLE, f"<h2>Subtitle QC: {html.escape(film)}</h2>"]
    if not tracks:
        out.append("<p>No subtitle tracks.</p>")
        return "\n".join(out)
    header = "".join(f"<th>{html.escape(t.language)}</th>" for t in tracks)
    out.append(f'<table class="qc"><thead><tr><th>check</th>{header}</tr></thead><tbody>')
    for name in names:
        values = [rows.get(name) for rows in flat]
        bad = any(_is_fault(name, v) for v in values)
        cells = "".join(f'<td class="num">{html.escape(_cell(v))}</td>' for v in values)
        row_class = ' class="bad"' if bad else ""
        out.append(f"<tr{row_class}><td>{html.escape(name)}</td>{cells}</tr>")
    out.append("</tbody></table>")
    for track in tracks:
        summary = track.qc.summary if track.qc else "no QC report for this track"
        language, text = html.escape(track.language), html.escape(str(summary))
        out.append(f'<p class="summary"><b>{language}</b>: {text}</p>')
    return "\n".join(out)


BENCHMARK_COLUMNS = (
    ("stage", "stage"),
    ("wall_s", "wall time (s)"),
    ("cpu_s", "CPU time (s)"),
    ("max_rss_mb", "max RSS (MB)"),
    ("mean_load", "mean load (%)"),
    ("io_in_mb", "read (MB)"),
    ("io_out_mb", "written (MB)"),
)


def benchmark_table_html(film: str, stages: Sequence[StageBenchmark]) -> str:
    """Wall time, CPU time, memory and I/O of each stage (Snakemake's benchmark: directive)."""
    out = [STYLE, f"<h2>Stage benchmarks: {html.escape(film)}</h2>"]
    header = "".join(f"<th>{html.escape(title)}</th>" for _, title in BENCHMARK_COLUMNS)
    out.append(f'<table class="benchmarks"><thead><tr>{header}</tr></thead><tbody>')
    for stage in stages:
        cells = [f"<td>{html.escape(stage.stage)}</td>"]
        cells += [
            f'<td class="num">{html.escape(_cell(getattr(stage, key)))}</td>'
            for key, _ in BENCHMARK_COLUMNS[1:]
        ]
        out.append(f"<tr>{''.join(cells)}</tr>")
    total_wall = sum(s.wall_s or 0 for s in stages)
    total_cpu = sum(s.cpu_s or 0 for s in stages)
    out.append(
        f'<tr><td><b>total</b></td><td class="num"><b>{total_wall:.3g}</b></td>'
        f'<td class="num"><b>{total_cpu:.3g}</b></td><td colspan="4"></td></tr>'
    )
    out.append("</tbody></table>")
    return "\n".join(out)


# -- plots --------------------------------------------------------------------------------------


def _use_agg() -> None:
    """Set matplotlib up before pyplot is imported (imported where a plot is drawn: a report
    without plots does not pay for it)."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a cluster node
    matplotlib.rcParams["svg.hashsalt"] = "reelsub"  # stable element ids: same cues, same file


def _save(figure: Figure, path: Path) -> None:
    # No date in an SVG: the same cues give the same file.
    metadata = {"Date": None} if path.suffix == ".svg" else {}
    try:
        with atomic_output(path) as temporary:  # a killed job leaves no half plot
            figure.savefig(temporary, bbox_inches="tight", metadata=metadata)
    finally:
        import matplotlib.pyplot as plt

        plt.close(figure)


def _histogram(
    path: Path,
    title: str,
    xlabel: str,
    series: Mapping[str, list[float]],
    limits: Sequence[tuple[float, str]],
) -> None:
    _use_agg()
    import matplotlib.pyplot as plt
    from matplotlib.ticker import AutoLocator

    figure, axes = plt.subplots(figsize=(7, 3.5))
    finite = {lang: [v for v in values if math.isfinite(v)] for lang, values in series.items()}
    everything = [v for values in finite.values() for v in values]
    high = max(everything + [limit for limit, _ in limits] + [1.0])
    bins = [high * 1.05 * k / 30 for k in range(31)]
    for lang, values in finite.items():
        if values:
            axes.hist(values, bins=bins, histtype="step", linewidth=1.5, label=f"{lang} ({len(values)} cues)")
    for limit, label in limits:
        axes.axvline(limit, color="crimson", linestyle="--", linewidth=1)
        axes.annotate(
            label,
            (limit, 1),
            xycoords=("data", "axes fraction"),
            rotation=90,
            ha="right",
            va="top",
            fontsize=8,
            color="crimson",
        )
    axes.set(title=title, xlabel=xlabel, ylabel="cues")
    counts = AutoLocator()  # matplotlib's default ticks, at whole numbers: cues are counted
    counts.set_params(integer=True)
    axes.yaxis.set_major_locator(counts)
    if everything:
        axes.legend(fontsize=8)
    else:
        axes.text(0.5, 0.5, "no cues", transform=axes.transAxes, ha="center")
    _save(figure, path)


def plot_cue_durations(path: Path, tracks: Sequence[ReportTrack], rules: SubtitleRules) -> None:
    _histogram(
        path,
        "How long cues stay on screen",
        "seconds on screen",
        {t.language: [c.duration for c in t.cues] for t in tracks},
        [
            (rules.min_duration, f"min {rules.min_duration:.2f} s"),
            (rules.max_duration, f"max {rules.max_duration:g} s"),
        ],
    )


def plot_reading_speed(path: Path, tracks: Sequence[ReportTrack], rules: SubtitleRules) -> None:
    _histogram(
        path,
        "Reading speed of each cue",
        "characters per second",
        {t.language: [c.cps for c in t.cues] for t in tracks},
        [(rules.max_cps, f"limit {rules.max_cps:g} cps")],
    )


def plot_timeline(
    path: Path, speech: Sequence[tuple[float, float]], tracks: Sequence[ReportTrack], duration: float
) -> None:
    """One row for speech (the transcript's word times), one per subtitle track below it."""
    _use_agg()
    import matplotlib.pyplot as plt

    rows = [("speech", list(speech), "tab:gray")]
    rows += [
        (f"cues {t.language}", [(c.start, c.end) for c in t.cues], f"C{n}") for n, t in enumerate(tracks)
    ]
    figure, axes = plt.subplots(figsize=(10, 0.6 * len(rows) + 1.2))
    for number, (_, spans, colour) in enumerate(rows):
        bars = [(start, max(end - start, 0.001)) for start, end in spans]
        axes.broken_barh(bars, (len(rows) - number - 1 + 0.15, 0.7), facecolors=colour)
    ends = [end for _, spans, _ in rows for _, end in spans]
    axes.set_xlim(0, max([duration, *ends, 1.0]))
    axes.set_yticks([len(rows) - n - 0.5 for n in range(len(rows))], [name for name, _, _ in rows])
    axes.set(title="Speech and subtitle cues over the film", xlabel="seconds from the start of the film")
    axes.grid(axis="x", linewidth=0.3)
    _save(figure, path)


# -- the whole page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportOutputs:
    qc_table: Path
    durations: Path
    reading_speed: Path
    timeline: Path
    benchmarks: Path


def write_film_report(
    film: str,
    subtitles: Path,
    transcript_path: Path,
    benchmark_paths: Iterable[Path],
    rules_config: Mapping[str, Any] | None,
    outputs: ReportOutputs,
) -> list[ReportTrack]:
    """Every table and plot of one film's report; returns the tracks it read."""
    tracks = read_tracks(subtitles)
    rules = SubtitleRules.from_config(rules_config)
    transcript = Transcript.read(transcript_path)
    write_text_atomically(outputs.qc_table, qc_table_html(film, tracks))
    write_text_atomically(outputs.benchmarks, benchmark_table_html(film, read_benchmarks(benchmark_paths)))
    plot_cue_durations(outputs.durations, tracks, rules)
    plot_reading_speed(outputs.reading_speed, tracks, rules)
    plot_timeline(outputs.timeline, speech_spans(transcript), tracks, transcript.duration)
    return tracks
