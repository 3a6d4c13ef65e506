"""What every bench row shares: the plan, the media, timing pairs side by side, running commands
and Snakemake, reading the rules' benchmark files, and how busy other work kept the machine.

A row (bench/rows/*.py) is a function ``measure(bench: Context)`` that times a pair, builds a
:class:`Row` (what it measures, its target, the result, the verdict) and hands it to
``bench.add``; bench/run.py holds the table of rows and writes results.md.
"""

from __future__ import annotations

import csv
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
WORK = BENCH / "work"
MEDIA = WORK / "media"
RESULTS = BENCH / "results.md"
PARTIAL = WORK / "results.partial.md"  # rewritten after every row; results.md only after a full run

import films
import workflow

PYTHON = Path(sys.executable)
SNAKEMAKE = workflow.SNAKEMAKE
SNAKEFILE = workflow.SNAKEFILE
DEMO_CONFIG = workflow.DEMO_CONFIG
CORES = len(os.sched_getaffinity(0))
ENV = {
    **os.environ,
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "PATH": f"{PYTHON.parent}:{os.environ.get('PATH', '')}",
}
STAGES = ("demux", "asr", "align", "export", "translate", "subtitle", "mux")
GIB = 1024
BUSY = 0.25  # cores of other work above which a row's timings are flagged as disturbed
# The ASR stage's time at most this many times raw BatchedInferencePipeline's on the same audio, CPU
# (issue 14, row 1; issue 24, every group of row c)
ASR_TIME_TARGET = 1.10


@dataclass(frozen=True)
class Plan:
    mode: str
    repeats: int  # pairs per row (each side runs this many times)
    base_s: int  # the base film that make_film assembles sentence by sentence
    film_repeats: int  # the pipeline film (rows 2, 7) = base soundtrack x this
    asr_s: int  # row 1 audio
    mux_s: int  # row 3 film
    batch_films: int  # row 4
    batch_s: int
    dag_films: int  # row 5
    long_repeats: int  # row 6 film = base x this (0: reuse row 2's film)
    narration_sentences: int
    real_speech_s: int  # row 1 and row p: real recorded speech (bench/speech.py)


FULL = Plan(
    "full",
    repeats=3,
    base_s=600,
    film_repeats=3,
    asr_s=600,
    mux_s=120,
    batch_films=8,
    batch_s=120,
    dag_films=1000,
    long_repeats=12,
    narration_sentences=48,
    real_speech_s=300,
)
QUICK = Plan(
    "quick",
    repeats=2,
    base_s=120,
    film_repeats=1,
    asr_s=60,
    mux_s=30,
    batch_films=4,
    batch_s=30,
    dag_films=200,
    long_repeats=0,
    narration_sentences=12,
    real_speech_s=60,
)


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# -- measuring ---------------------------------------------------------------------------------


@dataclass
class Series:
    label: str
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")

    def text(self, digits: int = 2) -> str:
        if not self.seconds:
            return "n/a"
        if len(self.seconds) == 1:
            return f"{self.seconds[0]:.{digits}f} s (n=1)"
        return (
            f"{self.median:.{digits}f} s ({min(self.seconds):.{digits}f}-{max(self.seconds):.{digits}f}, "
            f"n={len(self.seconds)})"
        )


def alternate(arms: Sequence[Any], repeats: int, context: Sequence[Any] = ()) -> list[Any]:
    """A B, B A, A B, ...: each arm once per round, the order reversed every other round.
    ``context`` arms (for the details, not the verdict) run once, after the first round."""
    order = []
    for round_number in range(repeats):
        order += list(arms) if round_number % 2 == 0 else list(reversed(arms))
        if round_number == 0:
            order += list(context)
    return order


def ratio_text(a: Series, b: Series, invert: bool = False) -> tuple[float, str]:
    """Ratio of medians a/b (b/a with invert), with the range of the per-round ratios. A context arm
    (run once, after the first round: :func:`alternate`) pairs with the first round only."""
    rounds = zip(a.seconds, b.seconds, strict=False)
    pairs = [(y / x if invert else x / y) for x, y in rounds if x > 0 and y > 0]
    value = (b.median / a.median) if invert else (a.median / b.median)
    spread = f" (rounds {min(pairs):.2f}-{max(pairs):.2f})" if len(pairs) > 1 else ""
    return value, f"{value:.2f}x{spread}"


class Timed(tuple):
    """(wall seconds, output) of a command, and ``cpu``: the CPU seconds of it and every process it
    waited for (jobs included), which other work on a shared machine disturbs far less than wall."""

    cpu: float

    def __new__(cls, seconds: float, output: str, cpu: float) -> Timed:
        timed = super().__new__(cls, (seconds, output))
        timed.cpu = cpu
        return timed

    @property
    def seconds(self) -> float:
        return self[0]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(
    args: Sequence[str], cwd: Path | None = None, timeout: float = 3600, env: dict[str, str] | None = None
) -> Timed:
    """(wall seconds, output) of a command that must succeed; ``.cpu`` its CPU seconds."""
    started, cpu_before = time.perf_counter(), children_cpu()
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env={**ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-30:])
        raise RuntimeError(f"command failed ({result.returncode}): {' '.join(map(str, args))}\n{tail}")
    return Timed(seconds, result.stdout + result.stderr, children_cpu() - cpu_before)


def snakemake(
    workdir: Path,
    *args: str,
    snakefile: Path = SNAKEFILE,
    config: Sequence[str] = (),
    demo_config: bool = True,
    env: dict[str, str] | None = None,
    configfiles: Sequence[Path] = (),
) -> Timed:
    """snakemake as a user runs it (with the project's workflow profile), timed from outside; it must
    succeed. The command is tests/workflow.py's, as in the tests. ``.cpu``: snakemake and its jobs."""
    cpu_before = children_cpu()
    done = workflow.snakemake(
        workdir,
        *args,
        config=config,
        snakefile=snakefile,
        demo_config=demo_config,
        configfiles=configfiles,
        timeout=3600,
        env={**ENV, **(env or {})},
    )
    if done.returncode != 0:
        tail = "\n".join(done.output.strip().splitlines()[-30:])
        raise RuntimeError(f"snakemake {' '.join(args)} failed ({done.returncode}) in {workdir}\n{tail}")
    return Timed(done.seconds, done.output, children_cpu() - cpu_before)


def asr_worker(
    mode: str,
    audio: Path | Sequence[Path],
    words: Path | None = None,
    threads: int = CORES,
    model: str | None = None,
    language: str | None = None,
    languages: Path | None = None,
) -> dict[str, Any]:
    """bench/asr_worker.py in a fresh process (see its modes); its JSON line, plus ``wall_s``.
    ``language``: the film's, as its film sheet gives it (None: detected); ``languages``: the file
    of each speech region's language that the reelsub mode writes and reelsub-languages-given reads."""
    files = [audio] if isinstance(audio, Path) else list(audio)
    command = [PYTHON, BENCH / "asr_worker.py", mode, *files, "--threads", str(threads)]
    if words:
        command += ["--words", words]
    if model:
        command += ["--model", model]
    if language:
        command += ["--language", language]
    if languages:
        command += ["--languages", languages]
    done = run(command)
    result = json.loads(done[1].strip().splitlines()[-1])
    result["wall_s"] = done.seconds
    result["process_cpu_s"] = done.cpu  # the whole worker: interpreter start and imports too
    return result


def clean(workdir: Path) -> None:
    for name in ("jobs", ".snakemake"):
        shutil.rmtree(workdir / name, ignore_errors=True)


def link_films(folder: Path, sources: dict[str, Path]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, source in sources.items():
        (folder / f"{name}{source.suffix}").symlink_to(source.resolve())


def stage_benchmarks(job: Path) -> dict[str, dict[str, float]]:
    """Each stage's Snakemake benchmark row (s, max_rss in MB, cpu_time, ...)."""
    found = {}
    for stage in STAGES:
        path = job / "benchmarks" / f"{stage}.tsv"
        if path.exists():
            with open(path, newline="") as stream:
                row = list(csv.DictReader(stream, delimiter="\t"))[-1]
            found[stage] = {k: float(v) for k, v in row.items() if k != "h:m:s" and v not in ("", "-", "NA")}
    return found


def stage_span(log_file: Path) -> tuple[float, float] | None:
    """(start, end) epoch seconds of a stage from its log's first and last timestamps."""
    stamps = re.findall(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})", log_file.read_text(), flags=re.MULTILINE)
    if not stamps:
        return None

    def parse(s):
        return datetime.strptime(s, "%Y-%m-%d %H:%M:%S,%f").timestamp()

    return parse(stamps[0]), parse(stamps[-1])


def max_overlap(spans: Sequence[tuple[float, float]]) -> int:
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    running = best = 0
    for _, step in events:
        running += step
        best = max(best, running)
    return best


@dataclass
class Row:
    number: str
    title: str
    target: str
    result: str
    met: bool | None  # None: no target, or not measured
    details: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)  # why it misses its target, with the evidence
    others: float = 0.0  # cores other work on the machine kept busy while the row ran (mean)


class Context:
    """What the rows of one run share: the plan, the media (made on first use), the rows and the
    quality lines so far, and raw figures for results.json."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.rows: list[Row] = []
        self.quality: list[tuple[str, str, str, str]] = []  # what, result, target, verdict
        self.notes: list[str] = []
        self.raw: dict[str, Any] = {"plan": plan.__dict__}
        self._base: films.Film | None = None
        self._film: films.Film | None = None
        self.row2_jobs: list[Path] = []  # kept copies of row 2's jobs/<film> folders
        self.startup_cost: float | None = None  # seconds each snakemake command waits for SLURM

    # -- media --------------------------------------------------------------------------------

    @property
    def base(self) -> films.Film:
        if self._base is None:
            log(f"media: base film of ~{self.plan.base_s} s (espeak-ng sentences + jfk.flac, make_film)")
            self._base = films.base_film(MEDIA, self.plan.base_s)
        return self._base

    @property
    def film(self) -> films.Film:
        """The pipeline film of rows 2 and 7 (30 min in full mode)."""
        if self._film is None:
            if self.plan.film_repeats == 1:
                self._film = self.base
            else:
                log(f"media: pipeline film = the {self.plan.asr_s}-s soundtrack x{self.plan.film_repeats}")
                self._film = films.repeated_film(MEDIA, self.block, self.plan.film_repeats)
        return self._film

    @property
    def block(self) -> films.Film:
        """The base film's first ``asr_s`` seconds (whole sentences) as WAV: row 1's audio, and the
        block that the 30-min and 2-hour films repeat."""
        return films.audio_slice(MEDIA, self.base, self.plan.asr_s)

    # -- rows ---------------------------------------------------------------------------------

    def add(self, row: Row, before: tuple[float, float, float]) -> None:
        row.others = others_busy(before, machine_snapshot())
        self.rows.append(row)
        log(f"row {row.number}: {row.result} [{'met' if row.met else 'MISSED' if row.met is False else '-'}]")

    def quality_line(self, what: str, result: str, target: str = "-", verdict: str = "-") -> None:
        self.quality.append((what, result, target, verdict))


def pyav_probe(path: Path) -> list[tuple[str, str, str | None]]:
    """What the mux needs to know about a film's streams (kind, codec, language), read in-process."""
    import av

    with av.open(str(path)) as container:
        return [
            (stream.type, stream.codec_context.name, stream.metadata.get("language"))
            for stream in container.streams
        ]


def machine_snapshot() -> tuple[float, float, float]:
    """(wall clock, CPU seconds the whole machine was busy, CPU seconds of this process and the
    children it waited for): the difference of two says how busy *other* work kept the machine."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    busy = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    mine = sum(
        getattr(resource.getrusage(who), f)
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        for f in ("ru_utime", "ru_stime")
    )
    return time.time(), busy, mine


def others_busy(before: tuple[float, float, float], after: tuple[float, float, float]) -> float:
    wall = max(after[0] - before[0], 1e-9)
    return max(0.0, ((after[1] - before[1]) - (after[2] - before[2])) / wall)


def srt_of(parts: Sequence[films.Part]) -> str:
    def stamp(t: float) -> str:
        ms = int(round(t * 1000))
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    return "".join(
        f"{n}\n{stamp(p.start)} --> {stamp(p.end)}\n{p.text}\n\n" for n, p in enumerate(parts, start=1)
    )


def asr_threads(asr_json: Path) -> int | None:
    try:
        data = json.loads(asr_json.read_text())
        return next(p["settings"].get("cpu_threads") for p in data["provenance"] if p["stage"] == "asr")
    except (OSError, StopIteration, KeyError, ValueError):
        return None


# -- the results file --------------------------------------------------------------------------
