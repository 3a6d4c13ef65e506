"""profiles/slurm on a real one-node SLURM cluster (tests/slurm/cluster.sh): two films through
sbatch, each in two cluster jobs (demux..subtitle grouped, then mux), give the same out.mkv as a
local run.

The cluster is real: munged, slurmctld and slurmd on this machine, jobs submitted by
snakemake-executor-plugin-slurm and polled with squeue. Each sequential job costs ~12-15 s of
status polling, so this runs one short film locally and two copies of it on the cluster at once.
Skipped only where slurm-wlm and munge cannot be installed (no root, no apt); `make test` installs
them first.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from testkit.synth import Speech, make_film
from workflow import PROJECT, Run, snakemake, streams, subtitle_text

pytestmark = [pytest.mark.slurm, pytest.mark.e2e]

CLUSTER = PROJECT / "tests" / "slurm" / "cluster.sh"
STATE = Path(os.environ.get("REELSUB_SLURM_STATE", "/tmp/reelsub-slurm"))
SLURM_TOOLS = ("sbatch", "squeue", "sinfo", "scontrol", "slurmctld", "slurmd", "munged")
FILM = (
    Speech(text="Here is a short speech."),
    Speech(silence=0.5),
    Speech(recording=PROJECT / "media" / "jfk.flac"),
    Speech(silence=1.0),
)
# Two films, so that the jobs of one cannot pass for the other's: each gets its own group job.
FILMS = ("jfk", "kennedy")
# rules/common.smk FILM_GROUP: these stages of a film are one sbatch job, mux a second.
GROUPED_STAGES = {"demux", "asr", "align", "export", "subtitle"}
JOBS_PER_FILM = 2
# "Job ... has been submitted with SLURM jobid 9 (log: .../slurm_logs/group_film_jfk_align_.../9.log)."
SUBMITTED = re.compile(r"submitted with SLURM jobid (\d+) \(log: (\S+/slurm_logs/(\S+?)/\S*?\d+\.log)\)")


def _cluster(command: str, timeout: float) -> subprocess.CompletedProcess:
    environment = {**os.environ, "REELSUB_SLURM_STATE": str(STATE)}
    return subprocess.run(
        ["timeout", "--kill-after=10", str(int(timeout)), "bash", str(CLUSTER), command],
        capture_output=True,
        text=True,
        timeout=timeout + 20,
        env=environment,
    )


def _have_slurm_tools() -> bool:
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return all(shutil.which(tool, path=search) for tool in SLURM_TOOLS)


@pytest.fixture(scope="module")
def slurm_cluster():
    """A running one-node cluster; stopped afterwards if this module started it."""
    was_running = _cluster("status", 30).returncode == 0
    started = _cluster("start", 300)  # may apt-get install slurm-wlm and munge (~10 s)
    if started.returncode != 0:
        if not _have_slurm_tools():
            pytest.skip(f"slurm-wlm and munge could not be installed: {started.stderr.strip()[-500:]}")
        pytest.fail(f"tests/slurm/cluster.sh start failed:\n{started.stdout}\n{started.stderr}")
    yield {"SLURM_CONF": str(STATE / "slurm.conf")}
    if not was_running:
        stopped = _cluster("stop", 120)
        assert stopped.returncode == 0, stopped.stderr


def run_snakemake(workdir: Path, *args: str, timeout: float, env: dict[str, str] | None = None) -> Run:
    """snakemake on the project in ``workdir``, killed by `timeout` if it hangs (the plugin can wait
    forever on a job it lost). .venv/bin comes first on PATH: sbatch passes this environment on
    (--export=ALL), so jobs find the same tools."""
    return snakemake(workdir, *args, timeout=timeout, env=env, watchdog=True)


@pytest.fixture(scope="module")
def film(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("slurm-film") / "jfk.mp4"
    make_film(path, FILM)
    return path


@pytest.fixture(scope="module")
def local_run(tmp_path_factory, film: Path) -> Path:
    workdir = tmp_path_factory.mktemp("local")
    (workdir / "films").mkdir()
    shutil.copy(film, workdir / "films" / "jfk.mp4")
    run = run_snakemake(workdir, "-j2", "jobs/jfk/out.mkv", timeout=600)
    assert run.returncode == 0, run.output
    return workdir


@pytest.fixture(scope="module")
def slurm_run(tmp_path_factory, film: Path, slurm_cluster: dict[str, str]) -> tuple[Path, Run]:
    workdir = tmp_path_factory.mktemp("slurm")
    (workdir / "films").mkdir()
    for name in FILMS:
        shutil.copy(film, workdir / "films" / f"{name}.mp4")
    # --max-threads: the test node has nproc CPUs, fewer than asr's 4 threads; sbatch would refuse
    # --cpus-per-task beyond the node.
    run = run_snakemake(
        workdir,
        "--profile",
        str(PROJECT / "profiles" / "slurm"),
        "--max-threads",
        str(os.cpu_count() or 1),
        # the plugin deletes a successful job's SLURM log; the tests read what ran inside each job
        "--slurm-keep-successful-logs",
        *(f"jobs/{name}/out.mkv" for name in FILMS),
        timeout=900,
        env=slurm_cluster,
    )
    assert run.returncode == 0, run.output
    return workdir, run


@dataclass(frozen=True)
class Submission:
    slurm_jobid: str
    log: Path  # the job's own SLURM log, where the snakemake inside it reports each rule it ran
    film: str
    grouped: bool


def _submissions(run: Run) -> list[Submission]:
    """Every sbatch job snakemake submitted, with the film it was for, read off its log folder:
    group_film_<film>_<rules>/ for a group job, rule_<rule>/<film>/ for a single one."""
    found = []
    for jobid, log, folder in SUBMITTED.findall(run.output):
        films = [name for name in FILMS if folder.startswith(f"group_film_{name}_") or f"/{name}/" in log]
        assert len(films) == 1, f"job {jobid} ({log}) is not for exactly one film: {films}"
        found.append(Submission(jobid, Path(log), films[0], folder.startswith("group_")))
    return found


def test_each_film_is_two_slurm_jobs_that_completed(
    slurm_run: tuple[Path, Run], slurm_cluster: dict[str, str]
) -> None:
    workdir, run = slurm_run
    assert "profiles/slurm" in run.output and "workflow specific profile" in run.output
    submitted = _submissions(run)
    # Before the group (c74920d) each stage was its own job: 6 per film here, 12 for the two films.
    per_film = Counter(job.film for job in submitted)
    assert per_film == {name: JOBS_PER_FILM for name in FILMS}, f"{per_film}\n{run.output[-4000:]}"
    assert sorted(job.grouped for job in submitted if job.film == FILMS[0]) == [False, True]
    # MinJobAge=600 keeps finished jobs in slurmctld: SLURM itself says each one completed.
    states = subprocess.run(
        ["squeue", "-h", "-t", "all", "-j", ",".join(job.slurm_jobid for job in submitted), "-o", "%i %T"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, **slurm_cluster},
    )
    assert states.returncode == 0, states.stderr
    finished = dict(line.split() for line in states.stdout.splitlines())
    assert finished == {job.slurm_jobid: "COMPLETED" for job in submitted}, states.stdout


def test_each_films_group_job_ran_its_stages_and_mux_ran_alone(slurm_run: tuple[Path, Run]) -> None:
    for job in _submissions(slurm_run[1]):
        # The snakemake inside the job names each rule it runs ("rule asr:", "checkpoint subtitle:")
        # with the film's wildcards; a stage that ran in another job is not in this log.
        text = job.log.read_text()
        ran = set(re.findall(r"^\s*(?:rule|checkpoint) (\w+):", text, flags=re.MULTILINE))
        assert ran == (GROUPED_STAGES if job.grouped else {"mux"}), f"{job.log}:\n{text[-3000:]}"
        assert set(re.findall(r"wildcards: film=(\S+)", text)) == {job.film}, job.log


@pytest.mark.parametrize("name", FILMS)
def test_slurm_out_mkv_has_the_local_runs_streams(
    local_run: Path, slurm_run: tuple[Path, Run], name: str
) -> None:
    local, remote = local_run / "jobs" / "jfk" / "out.mkv", slurm_run[0] / "jobs" / name / "out.mkv"

    def described(path: Path) -> list[tuple[str, str | None, str | None]]:
        return [(s["codec_type"], s["codec_name"], s.get("tags", {}).get("language")) for s in streams(path)]

    assert described(remote) == described(local)
    assert [kind for kind, _, _ in described(remote)] == ["video", "audio", "subtitle"]


@pytest.mark.parametrize("name", FILMS)
def test_slurm_subtitles_have_the_local_runs_text(
    local_run: Path, slurm_run: tuple[Path, Run], name: str
) -> None:
    # Both cluster films are copies of the local run's film: the same words at the same times.
    local, remote = local_run / "jobs" / "jfk" / "out.mkv", slurm_run[0] / "jobs" / name / "out.mkv"
    tracks = sum(1 for s in streams(local) if s["codec_type"] == "subtitle")
    assert tracks >= 1
    for index in range(tracks):
        text = subtitle_text(remote, index)
        assert text.strip(), f"subtitle track {index} is empty"
        assert text == subtitle_text(local, index)
