"""One cluster job per film: demux, asr, align, export, translate and subtitle of a film are one
Snakemake group (rules/common.smk, FILM_GROUP), mux a job of its own.

Read from real Snakemake dry runs of the project's Snakefile, which form the groups a cluster run
submits (a local run ignores them). Empty placeholder films: a dry run never opens them. The
real cluster run, which counts the sbatch jobs per film, is tests/test_slurm.py."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from workflow import snakemake

FILMS = ("a", "b")
GROUPED_STAGES = {"demux", "asr", "align", "export", "translate", "subtitle"}
# "[Fri Dec  4 18:51:05 2026] Group job film_b (jobs in lexicogr. order):", then its jobs indented
GROUP_HEADER = re.compile(r"^\[[^\]]*\] Group job (\S+) \(jobs in lexicogr\. order\):$")
JOB_HEADER = re.compile(r"^(\s*)(?:local)?(?:rule|checkpoint) (\w+):$")


@dataclass
class Plan:
    """What a dry run plans: each group's jobs (rule -> its lines), and the jobs of their own."""

    groups: dict[str, dict[str, str]] = field(default_factory=dict)
    alone: Counter[str] = field(default_factory=Counter)


def planned(output: str) -> Plan:
    plan = Plan()
    groups: dict[str, dict[str, list[str]]] = {}
    group: str | None = None
    lines: list[str] | None = None
    for line in output.splitlines():
        if header := GROUP_HEADER.match(line):
            group, lines = header.group(1), None
            groups[group] = {}
        elif job := JOB_HEADER.match(line):
            indented, rule = job.groups()
            if indented and group is not None:
                lines = groups[group].setdefault(rule, [])
            else:
                group, lines = None, None
                plan.alone[rule] += 1
        elif lines is not None:
            lines.append(line)
    plan.groups = {
        name: {rule: "\n".join(text) for rule, text in jobs.items()} for name, jobs in groups.items()
    }
    return plan


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    (tmp_path / "films").mkdir()
    for film in FILMS:
        (tmp_path / "films" / f"{film}.mp4").write_bytes(b"")
    return tmp_path


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_a_films_stages_up_to_subtitle_are_one_group_and_mux_a_job_of_its_own(
    batch: Path, device: str
) -> None:
    # mux in the group made this dry run stop with "KeyError: mux" (it reads the subtitle
    # checkpoint's output; snakemake#4202), and the real run resubmit the group
    run = snakemake(batch, "-n", config=["target_langs=[hi]", f"asr={{device: {device}}}"])
    assert run.returncode == 0, run.output[-3000:]
    plan = planned(run.output)
    assert {name: set(jobs) for name, jobs in plan.groups.items()} == {
        f"film_{film}": GROUPED_STAGES for film in FILMS
    }, run.output[-3000:]
    assert plan.alone == Counter({"mux": len(FILMS), "all": 1}), run.output[-3000:]
    for name, jobs in plan.groups.items():
        film = name.removeprefix("film_")
        assert all(f"wildcards: film={film}" in text for text in jobs.values()), jobs
        # on CUDA asr and translate ask for the GPU, so the film's group job does (the most of its jobs)
        gpus = {rule: re.findall(r"\bgpu=(\d+)", text) for rule, text in jobs.items()}
        wanted = "1" if device == "cuda" else "0"
        assert gpus["asr"] == gpus["translate"] == [wanted], gpus


def test_on_gpu_nodes_the_gpu_stages_can_be_a_job_of_their_own(batch: Path) -> None:
    """The README's layout for sites where GPU hours are scarce: `--groups` puts asr, align, export and
    translate in one GPU job per film; demux and subtitle stay CPU jobs (they cannot share one, as
    the GPU stages run between them) and mux is the fourth."""
    gpu_stages = ("asr", "align", "export", "translate")
    run = snakemake(
        batch,
        "-n",
        "--groups",
        *(f"{stage}=film_gpu" for stage in gpu_stages),
        config=["target_langs=[hi]", "asr={device: cuda}"],
    )
    assert run.returncode == 0, run.output[-3000:]
    output = run.output
    blocks = re.split(r"^\[[^\]]*\] Group job ", output, flags=re.M)[1:]
    jobs_of = [
        (block.split(" ", 1)[0], sorted(set(re.findall(r"^\s+(?:rule|checkpoint) (\w+):$", block, re.M))))
        for block in blocks
    ]
    gpu_jobs = [rules for name, rules in jobs_of if name == "film_gpu"]
    assert gpu_jobs == [sorted(gpu_stages)] * len(FILMS), jobs_of
    for block in blocks:
        if block.startswith("film_gpu "):
            assert re.findall(r"\bgpu=(\d+)", block) == ["1", "1"], block  # asr and translate
        else:
            assert "gpu=1" not in block, block
    assert sorted(rules for name, rules in jobs_of if name != "film_gpu") == sorted(
        [["demux"], ["subtitle"]] * len(FILMS)
    ), jobs_of
    assert planned(output).alone == Counter({"mux": len(FILMS), "all": 1}), output[-3000:]
