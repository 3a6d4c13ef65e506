"""The per-stage conda envs (envs/*.yaml) pin what the tests run, and every rule is deployable.

Production runs each stage in its own conda env; the tests run every stage in the one .venv. So
the tests only vouch for production when each pin in envs/*.yaml is the version installed here,
and equals the pin in requirements.txt / requirements.lock (what `make venv` installs).
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from workflow import PROJECT, SNAKEFILE, SNAKEMAKE

ENVS = sorted((PROJECT / "envs").glob("*.yaml"))
RULE_FILES = sorted((PROJECT / "rules").glob("*.smk"))
REQUIRED_DIRECTIVES = ("log", "benchmark", "threads", "resources", "conda")


@dataclass(frozen=True)
class Pin:
    env: str  # the env file's name
    name: str  # canonical package name
    version: str
    kind: str  # "pip" (name==version) or "conda" (name =version, a prefix match)

    def __str__(self) -> str:
        return f"{self.env}:{self.name}"


def read_pins(env_file: Path) -> list[Pin]:
    spec = yaml.safe_load(env_file.read_text())
    pins = []
    for dependency in spec.get("dependencies", []):
        if isinstance(dependency, dict):
            for line in dependency.get("pip", []):
                requirement = Requirement(line)
                versions = [s.version for s in requirement.specifier if s.operator == "=="]
                assert len(versions) == 1, f"{env_file.name}: pip dependency {line!r} is not pinned with =="
                pins.append(Pin(env_file.name, canonicalize_name(requirement.name), versions[0], "pip"))
        else:
            match = re.fullmatch(r"([\w.-]+)\s*==?\s*([\w.]+)", dependency.strip())
            assert match, f"{env_file.name}: conda dependency {dependency!r} is not pinned (name =version)"
            pins.append(Pin(env_file.name, canonicalize_name(match[1]), match[2], "conda"))
    return pins


def requirement_pins(*files: Path) -> dict[str, str]:
    """name -> pinned version, from pip requirement files (extras ignored: mlx[cpu] pins mlx)."""
    pins: dict[str, str] = {}
    for path in files:
        for line in path.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if not line or line.startswith("-"):
                continue
            requirement = Requirement(line)
            for specifier in requirement.specifier:
                if specifier.operator == "==":
                    pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


def conda_pin_matches(installed: str, pin: str) -> bool:
    """conda's `name =3.11` means 3.11 or any 3.11.x."""
    return installed == pin or installed.startswith(pin + ".")


def ffmpeg_version() -> str:
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg, "ffmpeg is not on PATH (make system-packages)"
    first_line = subprocess.run([ffmpeg, "-version"], capture_output=True, text=True, check=True).stdout
    match = re.match(r"ffmpeg version n?(\d+\.\d+(?:\.\d+)?)", first_line)
    assert match, f"cannot read the version from: {first_line.splitlines()[0]!r}"
    return match[1]


def installed_conda_package(name: str) -> str:
    """What the .venv machine has in place of a conda-only pin."""
    if name == "python":
        return f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    if name == "ffmpeg":
        return ffmpeg_version()
    return importlib.metadata.version(name)  # pip and other Python packages


ALL_PINS = [pin for env in ENVS for pin in read_pins(env)]
PIP_PINS = [pin for pin in ALL_PINS if pin.kind == "pip"]
CONDA_PINS = [pin for pin in ALL_PINS if pin.kind == "conda"]


def test_every_env_file_is_read() -> None:
    assert {env.name for env in ENVS} >= {"common.yaml", "whisperx.yaml", "indictrans2.yaml", "mlx.yaml"}
    for env in ENVS:
        assert any(pin.kind == "conda" and pin.name == "python" for pin in read_pins(env)), env.name


@pytest.mark.parametrize("pin", PIP_PINS, ids=str)
def test_pip_pin_is_the_version_installed_here(pin: Pin) -> None:
    try:
        installed = importlib.metadata.version(pin.name)
    except importlib.metadata.PackageNotFoundError:
        pytest.fail(f"{pin}: pinned {pin.version} in envs/{pin.env} but not installed in {sys.prefix}")
    assert installed == pin.version, (
        f"envs/{pin.env} pins {pin.name}=={pin.version}, the venv has {installed}")


@pytest.mark.parametrize("pin", CONDA_PINS, ids=str)
def test_conda_pin_matches_what_runs_here(pin: Pin) -> None:
    installed = installed_conda_package(pin.name)
    assert conda_pin_matches(installed, pin.version), (
        f"envs/{pin.env} pins {pin.name} ={pin.version}, but the tests run {pin.name} {installed}"
    )


@pytest.mark.parametrize("pin", PIP_PINS, ids=str)
def test_pip_pin_equals_the_requirements_pin(pin: Pin) -> None:
    direct = requirement_pins(PROJECT / "requirements.txt")
    locked = requirement_pins(PROJECT / "requirements.lock")
    assert pin.name in direct or pin.name in locked, f"{pin}: in envs/{pin.env} but in no requirements file"
    for source, pins in (("requirements.txt", direct), ("requirements.lock", locked)):
        if pin.name in pins:
            assert pins[pin.name] == pin.version, (
                f"envs/{pin.env} pins {pin.name}=={pin.version}, {source} pins {pins[pin.name]}"
            )


def test_conda_pin_reader_understands_prefixes() -> None:
    assert conda_pin_matches("3.11.7", "3.11") and conda_pin_matches("5.1", "5.1")
    assert not conda_pin_matches("3.12.1", "3.1") and not conda_pin_matches("26.3", "25.3")


# --- every rule is deployable: log, benchmark, threads, resources and its own conda env ---------

RULE_START = re.compile(
    r"^(?:rule\s+(?P<name>\w+)|use\s+rule\s+(?P<parent>\w+)\s+as\s+(?P<child>\w+)\s+with)\s*:", re.M)
DIRECTIVE = re.compile(r"^    (\w+)\s*:", re.M)


def rule_directives() -> dict[str, tuple[str, set[str]]]:
    """rule -> (file, directives it has), a `use rule ... with:` inheriting from its parent."""
    found: dict[str, tuple[str, set[str]]] = {}
    inherits: dict[str, str] = {}
    for path in RULE_FILES:
        text = path.read_text()
        starts = list(RULE_START.finditer(text))
        for number, start in enumerate(starts):
            end = starts[number + 1].start() if number + 1 < len(starts) else len(text)
            body = text[start.end():end]
            # The rule's body ends at the first line back at column 0 (a comment, a def, a new rule).
            body = re.split(r"^(?=\S)", body, maxsplit=1, flags=re.M)[0]
            name = start["name"] or start["child"]
            found[name] = (path.name, set(DIRECTIVE.findall(body)))
            if start["parent"]:
                inherits[name] = start["parent"]
    for child, parent in inherits.items():
        file, own = found[child]
        found[child] = (file, own | found[parent][1])
    return found


def test_every_rule_declares_log_benchmark_threads_resources_and_conda() -> None:
    rules = rule_directives()
    assert {"demux", "asr", "align", "export", "translate", "subtitle", "mux"} <= set(rules)
    missing = {
        f"{file}: rule {name}": sorted(set(REQUIRED_DIRECTIVES) - directives)
        for name, (file, directives) in rules.items()
        if not set(REQUIRED_DIRECTIVES) <= directives
    }
    assert not missing, f"rules without {'/'.join(REQUIRED_DIRECTIVES)}: {missing}"


def test_the_rule_reader_sees_every_rule_snakemake_sees(tmp_path: Path) -> None:
    """Guards the text parsing above: a rule it missed would escape the directive check."""
    result = subprocess.run(
        [str(SNAKEMAKE), "-s", str(SNAKEFILE), "-d", str(tmp_path), "--list-rules",
         "--configfile", str(PROJECT / "config" / "demo.yaml")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    listed = set(result.stdout.split()) - {"all", "reports"}  # the Snakefile's target rules: inputs only
    assert listed <= set(rule_directives()), f"rules snakemake knows but rules/*.smk parsing missed: {listed}"


def test_snakemake_lint_finds_nothing(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(SNAKEMAKE), "-s", str(SNAKEFILE), "-d", str(tmp_path), "--lint",
         "--configfile", str(PROJECT / "config" / "demo.yaml")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Congratulations, your workflow is in a good condition!" in output, output
