"""profiles/slurm on a real one-node SLURM cluster (tests/slurm/cluster.sh): the same film through
sbatch gives the same out.mkv as a local run.

The cluster is real: munged, slurmctld and slurmd on this machine, jobs submitted by
snakemake-executor-plugin-slurm and polled with squeue. Each sequential stage costs ~12-15 s of
status polling, so this runs one short film once each way. Skipped only where slurm-wlm and
munge cannot be installed (no root, no apt); `make test` installs them first.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
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
    shutil.copy(film, workdir / "films" / "jfk.mp4")
    # --max-threads: the test node has nproc CPUs, fewer than asr's 4 threads; sbatch would refuse
    # --cpus-per-task beyond the node.
    run = run_snakemake(
        workdir,
        "--profile",
        str(PROJECT / "profiles" / "slurm"),
        "--max-threads",
        str(os.cpu_count() or 1),
        "jobs/jfk/out.mkv",
        timeout=900,
        env=slurm_cluster,
    )
    assert run.returncode == 0, run.output
    return workdir, run


def test_every_stage_ran_as_a_slurm_job_that_completed(
    slurm_run: tuple[Path, Run], slurm_cluster: dict[str, str]
) -> None:
    workdir, run = slurm_run
    assert "profiles/slurm" in run.output and "workflow specific profile" in run.output
    # "Job 4 has been submitted with SLURM jobid 9 (log: .../slurm_logs/rule_asr/jfk/9.log)."
    submitted = dict(re.findall(r"submitted with SLURM jobid (\d+) \(log: \S*/rule_(\w+)/", run.output))
    stages = ["demux", "asr", "align", "export", "subtitle", "mux"]
    assert sorted(submitted.values()) == sorted(stages), run.output
    # MinJobAge=600 keeps finished jobs in slurmctld: SLURM itself says each one completed.
    states = subprocess.run(
        ["squeue", "-h", "-t", "all", "-j", ",".join(submitted), "-o", "%i %T"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, **slurm_cluster},
    )
    assert states.returncode == 0, states.stderr
    finished = dict(line.split() for line in states.stdout.splitlines())
    assert finished == {job: "COMPLETED" for job in submitted}, states.stdout


def test_slurm_out_mkv_has_the_local_runs_streams(local_run: Path, slurm_run: tuple[Path, Run]) -> None:
    local, remote = local_run / "jobs" / "jfk" / "out.mkv", slurm_run[0] / "jobs" / "jfk" / "out.mkv"

    def described(path: Path) -> list[tuple[str, str | None, str | None]]:
        return [(s["codec_type"], s["codec_name"], s.get("tags", {}).get("language")) for s in streams(path)]

    assert described(remote) == described(local)
    assert [kind for kind, _, _ in described(remote)] == ["video", "audio", "subtitle"]


def test_slurm_subtitles_have_the_local_runs_text(local_run: Path, slurm_run: tuple[Path, Run]) -> None:
    local, remote = local_run / "jobs" / "jfk" / "out.mkv", slurm_run[0] / "jobs" / "jfk" / "out.mkv"
    tracks = sum(1 for s in streams(local) if s["codec_type"] == "subtitle")
    assert tracks >= 1
    for index in range(tracks):
        text = subtitle_text(remote, index)
        assert text.strip(), f"subtitle track {index} is empty"
        assert text == subtitle_text(local, index)
