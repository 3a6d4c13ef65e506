"""Import audit of Snakemake `script:` jobs, for tests/test_env_completeness.py.

Put this folder on PYTHONPATH and name a folder in REELSUB_IMPORT_AUDIT: every Python process Snakemake
starts for a `script:` job (``python .snakemake/scripts/tmpXXXX.<script>.py``) then writes one JSON
file there when it exits, with

- ``imports``: every module the job's own code imported (the stage script, reelsub, and what those
  import in turn), each with the file it came from and the module that asked for it;
- ``job``: the job as the script saw it (``snakemake.input``, ``output``, ``params``, ...), so that
  the job can be run again without Snakemake (tests/replay_job.py).

What Snakemake's preamble imports (``pickle.loads`` of the job, ``snakemake.logging``, ...) and what
Snakemake's own code imports later is left out: in a conda env those come from Snakemake's
site-packages, which the preamble appends to ``sys.path``, not from the env. A module the stage
imports counts even when the preamble had already loaded it (``yaml``): the env must provide it.

Every import statement goes through ``builtins.__import__`` (loaded or not), ``importlib.import_module``
is wrapped, and the ``import`` audit event catches loads by any other path. Processes that are not
script jobs (Snakemake itself) are left alone.
"""

from __future__ import annotations

import os
import sys

AUDIT_FOLDER_VARIABLE = "REELSUB_IMPORT_AUDIT"
PREAMBLE_END = "snakemake preamble end"


def _script_job() -> str | None:
    """The temporary script Snakemake runs, when this process is a script job."""
    if not sys.argv or not sys.argv[0]:
        return None
    script = os.path.abspath(sys.argv[0])
    folder, name = os.path.split(script)
    if (
        folder.endswith(os.path.join(".snakemake", "scripts"))
        and name.startswith("tmp")
        and name.endswith(".py")
    ):
        return script
    return None


def _preamble_last_line(script: str) -> int:
    with open(script, encoding="utf-8") as source:
        for number, line in enumerate(source, start=1):
            if PREAMBLE_END in line:
                return number
    return 0


def _install(folder: str, script: str) -> None:
    import atexit
    import builtins
    import importlib
    import importlib.util
    import json

    preamble_last_line = _preamble_last_line(script)
    this_file = __file__
    original_import = builtins.__import__
    original_import_module = importlib.import_module
    importers: dict[str, set[str]] = {}  # module name -> the modules that imported it
    snakemakes: set[tuple[str, str]] = set()  # (module, importer) seen with Snakemake behind it

    def asking_module(frame) -> str:
        """The module whose code asked for the import (importlib's and this file's frames skipped)."""
        while frame is not None:
            name = frame.f_globals.get("__name__", "") or ""
            if frame.f_code.co_filename != this_file and not name.startswith("importlib"):
                return name
            frame = frame.f_back
        return "?"

    def asked_by_snakemake(frame) -> bool:
        """Whether Snakemake's preamble or Snakemake's own code is behind the import."""
        while frame is not None:
            code = frame.f_code
            name = frame.f_globals.get("__name__", "") or ""
            if name.partition(".")[0].startswith("snakemake"):
                return True
            if name == "__main__" and code.co_filename == script and code.co_name == "<module>":
                return frame.f_lineno <= preamble_last_line
            frame = frame.f_back
        return False

    def record(module: str, frame) -> None:
        if not module or module.partition(".")[0] in sys.stdlib_module_names:
            return
        importer = asking_module(frame)
        if importer in importers.get(module, ()) or (module, importer) in snakemakes:
            return
        if asked_by_snakemake(frame):
            if importer != "__main__":  # the preamble's line is __main__ too, as is the stage's code
                snakemakes.add((module, importer))
        else:
            importers.setdefault(module, set()).add(importer)

    def absolute(name: str, globals_, level: int) -> str:
        if level == 0 or not globals_:
            return name
        package = globals_.get("__package__") or globals_.get("__name__", "")
        if "__path__" not in globals_ and not globals_.get("__package__"):
            package = package.rpartition(".")[0]
        try:
            return importlib.util.resolve_name("." * level + name, package)
        except (ImportError, ValueError):
            return ""

    def audited_import(name, globals=None, locals=None, fromlist=(), level=0):
        module = original_import(name, globals, locals, fromlist, level)
        full = absolute(name, globals, level)
        frame = sys._getframe(1)
        record(full, frame)
        for item in fromlist or ():
            if item != "*" and f"{full}.{item}" in sys.modules:
                record(f"{full}.{item}", frame)
        return module

    def audited_import_module(name, package=None):
        module = original_import_module(name, package)
        record(module.__name__, sys._getframe(1))
        return module

    def audit_hook(event: str, arguments: tuple) -> None:
        if event == "import" and arguments and isinstance(arguments[0], str):
            try:
                frame = sys._getframe(1)
            except ValueError:  # an import from C with no Python frame (interpreter shutdown)
                return
            record(arguments[0], frame)

    def origin(module: str) -> str | None:
        """The file a module came from (a namespace package: one of its folders)."""
        loaded = sys.modules.get(module)
        if loaded is None:
            return None
        file = getattr(loaded, "__file__", None)
        if file:
            return os.path.abspath(file)
        paths = list(getattr(loaded, "__path__", None) or [])
        return os.path.abspath(paths[0]) if paths else None

    def job_record() -> dict | None:
        job = getattr(sys.modules.get("__main__"), "snakemake", None)
        if job is None:
            return None

        def listing(named) -> dict:
            names = {key: list(value) for key, value in getattr(named, "_names", {}).items()}
            return {"items": list(named), "names": names}

        return {
            "rule": job.rule,
            "input": listing(job.input),
            "output": listing(job.output),
            "params": listing(job.params),
            "wildcards": listing(job.wildcards),
            "log": listing(job.log),
            "resources": listing(job.resources),
            "threads": job.threads,
            "config": job.config,
            "scriptdir": job.scriptdir,
        }

    def stage_script(job: dict | None) -> str:
        """The project's script the job ran (Snakemake runs a copy named tmpXXXX.<name>.py)."""
        if job is None:
            return script
        return os.path.realpath(os.path.join(job["scriptdir"], os.path.basename(script).split(".", 1)[1]))

    def write() -> None:
        job = job_record()
        record_ = {
            "script": stage_script(job),
            "job": job,
            "imports": [
                {
                    "module": module,
                    "file": origin(module),
                    "importers": {name: origin(name) for name in sorted(asked)},
                }
                for module, asked in sorted(importers.items())
            ],
        }
        rule = job["rule"] if job else "unknown"
        film = (job or {}).get("wildcards", {}).get("items", ["-"])
        name = f"{rule}-{film[0] if film else '-'}-{os.getpid()}.json"
        with open(os.path.join(folder, name), "w", encoding="utf-8") as out:
            json.dump(record_, out, indent=1, default=str)

    builtins.__import__ = audited_import
    importlib.import_module = audited_import_module
    sys.addaudithook(audit_hook)
    atexit.register(write)


_FOLDER = os.environ.get(AUDIT_FOLDER_VARIABLE)
_SCRIPT = _script_job() if _FOLDER else None
if _FOLDER and _SCRIPT:
    _install(_FOLDER, _SCRIPT)
