"""asr.threads: auto: a batch of films shares the cores, a single film gets them all.

The rule's threads are read from real Snakemake dry runs of the project's Snakefile (empty
placeholder films: a dry run never opens them)."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from reelsub.workflow.scheduling import (
    CLUSTER_THREADS,
    StageProgress,
    auto_threads,
    cancel_idle_timers,
    films_in_targets,
    share_of_cores,
)
from workflow import DEMO_CONFIG, snakemake

FILMS = ("a", "b", "c", "d")


def test_share_of_cores_gives_one_film_every_core_and_a_batch_one_core_each() -> None:
    assert share_of_cores(2, 1) == 2
    assert share_of_cores(2, 4) == 1
    assert share_of_cores(8, 2) == 4
    assert share_of_cores(8, 3) == 2  # 3 jobs of 2 threads, 2 cores left for the other stages
    assert share_of_cores(1, 5) == 1


def test_films_in_targets_reads_job_paths_and_treats_rule_names_as_every_film() -> None:
    assert films_in_targets([], FILMS) == set(FILMS)
    assert films_in_targets(["jobs/a/out.mkv", "jobs/c/asr.json"], FILMS) == {"a", "c"}
    assert films_in_targets(["all"], FILMS) == set(FILMS)
    assert films_in_targets(["jobs/a/out.mkv", "reports"], FILMS) == set(FILMS)


def test_auto_threads_skips_films_already_transcribed_and_asks_a_cluster_for_a_node_share() -> None:
    assert auto_threads(2, {"a", "b"}, done={"b"}) == 2  # only a makes an asr job
    assert auto_threads(2, {"a", "b"}, done={"a", "b"}) == 1  # all done: a forced rerun of both
    assert auto_threads(None, {"a"}, done=set()) == CLUSTER_THREADS
    assert auto_threads(2, {"a"}, done=set(), local=False) == CLUSTER_THREADS


def planned_asr_threads(workdir: Path, *args: str, demo_config: bool = True, rule: str = "asr") -> list[int]:
    run = snakemake(workdir, "-n", *args, demo_config=demo_config)
    assert run.returncode == 0, run.output
    threads = []
    # a dry run lists a film's grouped stages indented under "Group job film_a" (rules/common.smk)
    for block in re.split(r"\n(?=\s*(?:local)?rule \w+:)", run.output):
        if re.match(rf"rule {rule}:", block.strip()):
            found = re.search(r"^\s+threads: (\d+)", block, flags=re.MULTILINE)
            threads.append(int(found.group(1)) if found else 1)  # snakemake prints threads only when > 1
    return threads


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    (tmp_path / "films").mkdir()
    for film in FILMS:
        (tmp_path / "films" / f"{film}.mp4").write_bytes(b"")
    return tmp_path


def test_snakemake_gives_one_film_every_core_and_a_batch_one_core_per_asr_job(batch: Path) -> None:
    assert planned_asr_threads(batch, "--cores=2", "jobs/a/asr.json") == [2]
    assert planned_asr_threads(batch, "--cores=2") == [1, 1, 1, 1]
    assert planned_asr_threads(batch, "--cores=4", "jobs/a/out.mkv", "jobs/b/out.mkv") == [2, 2]


def test_align_shares_the_cores_too_and_takes_at_most_two(batch: Path) -> None:
    """align's 2 threads made every align job wait for both cores: a barrier in each film of a batch."""
    assert planned_asr_threads(batch, "--cores=2", rule="align") == [1, 1, 1, 1]
    assert planned_asr_threads(batch, "--cores=8", "jobs/a/out.mkv", rule="align") == [2]


def test_a_number_in_asr_threads_is_taken_as_it_is(batch: Path) -> None:
    fixed = batch / "threads.yaml"
    fixed.write_text("asr:\n  threads: 2\n")
    # --configfile takes every file after it, and a second --configfile replaces the first
    planned = planned_asr_threads(
        batch, "--cores=2", "--configfile", str(DEMO_CONFIG), str(fixed), demo_config=False
    )
    assert planned == [2] * 4


@pytest.mark.parametrize("value", ["0", "half", "-2"])
def test_asr_threads_other_than_auto_or_a_positive_number_is_refused_naming_the_key(
    batch: Path, value: str
) -> None:
    bad = batch / "threads.yaml"
    bad.write_text(f"asr:\n  threads: {value}\n")
    run = snakemake(batch, "-n", "--configfile", str(DEMO_CONFIG), str(bad), demo_config=False)
    assert run.returncode != 0
    assert "threads" in run.output


def test_cancel_idle_timers_stops_waiting_timers_without_running_them_and_leaves_other_threads() -> None:
    # Snakemake's scheduler leaves a 1-s threading.Timer behind; the interpreter would wait for it.
    fired = threading.Event()
    timer = threading.Timer(60, fired.set)
    worker_stop = threading.Event()
    worker = threading.Thread(target=worker_stop.wait)
    timer.start()
    worker.start()
    try:
        assert cancel_idle_timers() == 1
        timer.join(timeout=5)
        assert not timer.is_alive() and not fired.is_set()
        assert worker.is_alive()
    finally:
        worker_stop.set()
        worker.join()


def test_stage_progress_looks_at_the_films_once_per_pass_and_sees_new_outputs_after_max_age(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the workflow's jobs/ is relative to its working directory
    now = [100.0]
    progress = StageProgress(Path("jobs"), max_age=1.0, clock=lambda: now[0])
    films = {"a", "b", "c"}
    (tmp_path / "jobs" / "a").mkdir(parents=True)
    (tmp_path / "jobs" / "a" / "asr.json").write_text("{}")
    assert progress.targeted(["all"], films) == films
    assert progress.targeted(["jobs/b/out.mkv"], films) == {"b"}
    assert progress.done("asr.json", ["all"], films) == {"a"}
    (tmp_path / "jobs" / "b").mkdir()
    (tmp_path / "jobs" / "b" / "asr.json").write_text("{}")
    now[0] += 0.5  # the same pass over the DAG: the answer is kept
    assert progress.done("asr.json", ["all"], films) == {"a"}
    assert progress.done("aligned.json", ["all"], films) == set()  # each stage's output apart
    now[0] += 0.6  # later: a finished film no longer takes a share of the cores
    assert progress.done("asr.json", ["all"], films) == {"a", "b"}
