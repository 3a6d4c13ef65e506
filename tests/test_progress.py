"""Progress in the terminal (reelsub.workflow.progress): read from the jobs' own logs and benchmarks,
shown on a terminal, quiet elsewhere."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from reelsub.workflow.progress import PlannedStage, ProgressLine, film_progress, status_line, wanted
from testkit.synth import Speech, make_film
from workflow import snakemake, snakemake_command, snakemake_env

STAGES = ("demux", "asr", "align", "export", "subtitle", "mux")
STARTED = 1_000_000.0  # the run's start, as a clock time


def plan(job_dir: Path) -> list[PlannedStage]:
    return [
        PlannedStage(name, job_dir / "logs" / f"{name}.log", job_dir / "benchmarks" / f"{name}.tsv")
        for name in STAGES
    ]


def touch(path: Path, at: float, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (at, at))


def stamp(at: float) -> str:
    """logging's asctime (local time), as the stage logs write it."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at)) + ",000"


def test_a_films_stages_are_read_from_its_logs_and_benchmarks(tmp_path: Path) -> None:
    job = tmp_path / "jobs" / "film"
    touch(job / "logs" / "demux.log", STARTED + 1)
    touch(job / "benchmarks" / "demux.tsv", STARTED + 2)
    touch(job / "benchmarks" / "align.tsv", STARTED - 100)  # an earlier run's: not this run's work
    asr_log = (
        f"{stamp(STARTED + 10)} INFO reelsub.asr: asr of film 'film' started\n"
        f"{stamp(STARTED + 40)} INFO reelsub.asr.faster_whisper: asr progress: 1800 / 7200 s (25%), 90 segments so far\n"
    )
    touch(job / "logs" / "asr.log", STARTED + 40, asr_log)
    now = STARTED + 40
    film = film_progress("film", plan(job), STARTED, now)
    assert film.finished == ("demux",) and film.running == ("asr",) and not film.done
    # 30 s for a quarter of the audio: 90 s to go
    assert film.asr_fraction == pytest.approx(0.25) and film.asr_seconds_left == pytest.approx(90)
    assert film.describe() == "film: asr 25%, ~1m30s left (1/6 stages)"


def test_a_failed_stage_is_named_and_counted(tmp_path: Path) -> None:
    job = tmp_path / "jobs" / "bad"
    touch(job / "benchmarks" / "demux.tsv", STARTED + 2)
    touch(
        job / "logs" / "asr.log",
        STARTED + 5,
        "x ERROR reelsub.asr: REELSUB ERROR: film 'bad', stage asr: no audio\n",
    )
    bad = film_progress("bad", plan(job), STARTED, STARTED + 6)
    assert bad.failed == "asr"
    line = status_line([bad], STARTED, STARTED + 6)
    assert "1 FAILED" in line and "bad: FAILED in asr" in line


def test_the_batch_line_counts_films_and_projects_the_pace(tmp_path: Path) -> None:
    films = []
    for n in range(4):
        job = tmp_path / "jobs" / f"f{n}"
        if n < 2:  # two films finished every stage
            for name in STAGES:
                touch(job / "benchmarks" / f"{name}.tsv", STARTED + 60)
        elif n == 2:
            touch(job / "logs" / "demux.log", STARTED + 61)
        films.append(film_progress(f"f{n}", plan(job), STARTED, STARTED + 120))
    line = status_line(films, STARTED, STARTED + 120)
    # 2 films in 2 minutes: the other 2 in about 2 more
    assert line.startswith(
        "reelsub [2m00s] films 2/4 done, 1 running, 1 waiting, batch ~2m00s left | f2: demux"
    )


def test_shown_on_a_terminal_outside_ci_only() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert wanted("auto", Terminal(), {})
    assert not wanted("auto", Terminal(), {"CI": "true"})
    assert not wanted("auto", io.StringIO(), {})  # a pipe or a file
    assert wanted("on", io.StringIO(), {"CI": "true"}) and not wanted("off", Terminal(), {})
    with pytest.raises(ValueError, match="progress must be one of"):
        wanted("sometimes", Terminal(), {})


def test_the_line_is_printed_when_it_changes_not_as_the_clock_ticks(tmp_path: Path) -> None:
    job = tmp_path / "jobs" / "film"
    stream = io.StringIO()
    clock = iter(range(10**6))
    line = ProgressLine(
        {"film": plan(job)}, STARTED, stream, interval=0.01, clock=lambda: STARTED + next(clock)
    )
    line.start()
    time.sleep(0.2)
    touch(job / "logs" / "demux.log", STARTED + 1)
    time.sleep(0.2)
    line.stop()
    printed = stream.getvalue().splitlines()
    assert len(printed) == 2, printed  # waiting, then demux: not one line per tick
    assert "film: waiting (0/6 stages)" not in printed[0] and "0 running, 1 waiting" in printed[0]
    assert "film: demux (0/6 stages)" in printed[1]


@pytest.mark.e2e
def test_a_run_on_a_terminal_shows_progress_and_a_piped_run_does_not(tmp_path: Path) -> None:
    """Real snakemake, once under a pseudo-terminal (as a person runs it) and once with its output
    piped (as CI and scripts do)."""
    # Speech long enough that, even on a fast machine, a once-a-second look sees a job running.
    speech = "Here is a short speech. It goes on for a while, so that the run takes a few seconds."
    make_film(tmp_path / "films" / "a.mp4", (Speech(text=speech), Speech(silence=0.5), Speech(text=speech)))
    command = snakemake_command(tmp_path, "-j2", "jobs/a/transcript.json")
    environment = {key: value for key, value in snakemake_env().items() if key != "CI"}
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        command, cwd=tmp_path, env=environment, stdin=secondary, stdout=secondary, stderr=secondary
    )
    os.close(secondary)
    seen = b""
    while True:
        ready, _, _ = select.select([primary], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
        elif process.poll() is not None:
            break
    assert process.wait(timeout=600) == 0, seen.decode(errors="replace")[-3000:]
    terminal = seen.decode(errors="replace")
    assert "reelsub [" in terminal and "films 0/1 done" in terminal, terminal[-3000:]
    assert "films 1/1 done" in terminal, terminal[-3000:]  # the last look, as the run ends
    assert "a: asr" in terminal or "a: demux" in terminal
    piped = snakemake(tmp_path, "-j2", "-F", "jobs/a/transcript.json")
    assert piped.returncode == 0, piped.output
    assert "reelsub [" not in piped.output
