"""Run one recorded Snakemake `script:` job again, without Snakemake (tests/test_env_completeness.py).

    ENV/bin/python -I tests/replay_job.py JOB.json

JOB.json is what tests/import_audit/sitecustomize.py wrote for the job: its script and the
``snakemake`` object the script saw. This file imports nothing but the standard library, so that it
runs in an env built from envs/*.yaml alone, where Snakemake is not installed.

It does what Snakemake's script preamble does, minus the preamble's leak: puts the script's folder on
``sys.path`` (for ``reelsub``), and hands the script a ``snakemake`` object with the job's input,
output, params, wildcards, log, threads, resources and config. With ``-I`` nothing else reaches the
path (no PYTHONPATH, no user site-packages). When the script ends, every module it loaded must come
from the env's prefix, the interpreter's standard library or the script's folder; any other is named
on stderr and the exit status is 3.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import sysconfig
from typing import Any

FOREIGN_MODULES_EXIT = 3


class NamedList(list):
    """Snakemake's Namedlist as scripts use it: by position, by attribute, ``[name]`` and ``get``."""

    def __init__(self, listing: dict[str, Any]) -> None:
        super().__init__(listing["items"])
        self._named: dict[str, Any] = {}
        for name, (start, end) in listing["names"].items():
            value = self[start] if end is None else NamedList({"items": self[start:end], "names": {}})
            self._named[name] = value
            setattr(self, name, value)

    def __getitem__(self, key):  # type: ignore[override]
        return self._named[key] if isinstance(key, str) else super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self._named.get(key, default)

    def keys(self):
        return self._named.keys()


class Job:
    """The ``snakemake`` object of a script job."""

    def __init__(self, job: dict[str, Any]) -> None:
        for part in ("input", "output", "params", "wildcards", "log", "resources"):
            setattr(self, part, NamedList(job[part]))
        self.threads = job["threads"]
        self.config = job["config"]
        self.rule = job["rule"]
        self.scriptdir = job["scriptdir"]
        self.bench_iteration = None


def foreign_modules(allowed: list[str]) -> list[str]:
    """Loaded modules whose file lies outside every allowed folder."""
    foreign = []
    for name, module in sorted(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and not any(os.path.abspath(file).startswith(folder) for folder in allowed):
            foreign.append(f"{name} ({file})")
    return foreign


def main(record_path: str) -> int:
    with open(record_path, encoding="utf-8") as record_file:
        record = json.load(record_file)
    script = record["script"]
    script_folder = os.path.dirname(os.path.abspath(script))
    sys.path.insert(0, script_folder)
    allowed = [
        os.path.join(os.path.abspath(sys.prefix), ""),
        os.path.join(os.path.abspath(sysconfig.get_paths()["stdlib"]), ""),
        os.path.join(os.path.abspath(sysconfig.get_paths()["platstdlib"]), ""),
        os.path.join(script_folder, ""),
        os.path.abspath(__file__),  # this runner, the process's own __main__
    ]
    status = 0
    try:
        runpy.run_path(script, init_globals={"snakemake": Job(record["job"])}, run_name="__main__")
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 1
    foreign = foreign_modules(allowed)
    if foreign:
        print("modules from outside the env:", *foreign, sep="\n  ", file=sys.stderr)
        return status or FOREIGN_MODULES_EXIT
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
