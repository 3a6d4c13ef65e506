"""The per-stage conda envs (envs/*.yaml) pin what the tests run, and every rule is deployable.

Production runs each stage in its own conda env; the tests run every stage in the one .venv. So
the tests only vouch for production when each pin in envs/*.yaml is the version installed here,
and equals the pin in requirements.txt / requirements.lock (what `make venv` installs).

ffmpeg is the one exception (envs/README.md, "ffmpeg"): the envs take conda-forge's maintained major
(9.x), the tests run the distribution's (Debian 12: 5.1). So what is checked is not the version string
but every encoder, decoder, muxer, demuxer and filter the project asks ffmpeg for, on whatever ffmpeg
is on PATH: with an env's bin/ first on PATH (`PATH=.snakemake/conda/<hash>_/bin:$PATH pytest
tests/test_envs.py -k ffmpeg_on_path`) the same check vouches for that env's ffmpeg.
"""

from __future__ import annotations

import functools
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
            spec = conda_spec(dependency)
            assert spec, f"{env_file.name}: cannot read the conda dependency {dependency!r}"
            pins.append(Pin(env_file.name, canonicalize_name(spec[0]), spec[1], "conda"))
    return pins


CONDA_SPEC = re.compile(
    r"(?P<name>[\w.-]+)(?:\s*=?=?\s*(?P<version>\d[\w.]*?)(?:\.\*)?)?(?:[\s=]+(?P<build>\S+))?"
)


def conda_spec(dependency: str) -> tuple[str, str] | None:
    """`python =3.11` -> (python, 3.11); `ffmpeg 9.* gpl_*` -> (ffmpeg, 9); `pip` -> (pip, "")."""
    match = CONDA_SPEC.fullmatch(dependency.strip())
    return (match["name"], match["version"] or "") if match else None


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


# What the project asks ffmpeg for (scripts/reelsub/media.py, asr.py), by `ffmpeg -<kind>` list.
# Only production's own uses: the test films' encoders (aac, lavfi sources) fail their own tests.
FFMPEG_FEATURES: dict[str, dict[str, str]] = {
    "encoders": {
        "pcm_s16le": "demux and asr: the 16 kHz mono WAV",
        "srt": "mux: MP4 mov_text subtitles become SubRip in the MKV",
        "libx264": "burn_in: the picture re-encoded with subtitles drawn in (conda-forge: gpl build only)",
    },
    "decoders": {
        "aac": "demux: the usual audio of MP4 films",
        "h264": "burn_in: the usual video of films",
        "mov_text": "mux: MP4 text subtitles, converted to SubRip",
        "subrip": "burn_in: the SRT drawn into the picture",
        "flac": "make demo: media/jfk.flac",
    },
    "muxers": {
        "matroska": "mux and burn_in: out.mkv, burned.mkv",
        "wav": "demux: audio.wav",
        "md5": "testkit.streams.stream_md5: packets of a stream copy compared with the film's",
    },
    "demuxers": {
        "mov": "MP4/MOV films",
        "matroska": "MKV/WebM films",
        "wav": "asr and align read audio.wav",
        "srt": "burn_in: the subtitles filter reads the SRT",
    },
    "filters": {
        "aresample": "demux: -ar 16000",
        "subtitles": "burn_in: libass draws the cues",
    },
}
FFMPEG_FLAGS = re.compile(r"[A-Z.|]+")  # the flag column of every `ffmpeg -<kind>` listing


@functools.cache
def ffmpeg_listing(kind: str) -> frozenset[str]:
    """The names `ffmpeg -hide_banner -<kind>` lists (mov,mp4,m4a counts as each of them)."""
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg, "ffmpeg is not on PATH (make system-packages)"
    listing = subprocess.run([ffmpeg, "-hide_banner", f"-{kind}"], capture_output=True, text=True, check=True)
    names: set[str] = set()
    for line in listing.stdout.splitlines():
        words = line.split()
        if len(words) >= 2 and FFMPEG_FLAGS.fullmatch(words[0]) and words[1] != "=":  # not the legend
            names.update(words[1].split(","))
    return frozenset(names)


def installed_conda_package(name: str) -> str:
    """What the .venv machine has in place of a conda-only pin (ffmpeg: see FFMPEG_FEATURES)."""
    if name == "python":
        return f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    return importlib.metadata.version(name)  # pip and other Python packages


ALL_PINS = [pin for env in ENVS for pin in read_pins(env)]
PIP_PINS = [pin for pin in ALL_PINS if pin.kind == "pip"]
CONDA_PINS = [pin for pin in ALL_PINS if pin.kind == "conda"]
# ffmpeg is checked by what it can do; pip is unpinned (conda-forge's newest pip need not be PyPI's);
# the Noto fonts by what they hold (tests/test_fonts.py finds every family reelsub.subtitles.fonts
# names, in Debian's fonts-noto-core here: the same Noto release, 2020-12, as conda-forge's 20201206).
NOT_VERSION_CHECKED = ("ffmpeg", "pip", "font-ttf-noto")
VERSION_CHECKED_CONDA_PINS = [pin for pin in CONDA_PINS if pin.name not in NOT_VERSION_CHECKED]


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
        f"envs/{pin.env} pins {pin.name}=={pin.version}, the venv has {installed}"
    )


@pytest.mark.parametrize("pin", VERSION_CHECKED_CONDA_PINS, ids=str)
def test_conda_pin_matches_what_runs_here(pin: Pin) -> None:
    assert pin.version, f"envs/{pin.env}: {pin.name} is not pinned"
    installed = installed_conda_package(pin.name)
    assert conda_pin_matches(installed, pin.version), (
        f"envs/{pin.env} pins {pin.name} ={pin.version}, but the tests run {pin.name} {installed}"
    )


def test_every_env_has_python_ffmpeg_and_pip_and_nothing_else_from_conda() -> None:
    """Anything else from conda would run untested: the .venv gets its packages from PyPI. The one
    exception is data, not code: the common env's Noto fonts (no PyPI package ships them), which
    the tests take from Debian's package of the same release."""
    for env in ENVS:
        fonts = {"font-ttf-noto"} if env.name == "common.yaml" else set()
        assert {pin.name for pin in read_pins(env) if pin.kind == "conda"} == {
            "python",
            "ffmpeg",
            "pip",
        } | fonts, env.name


def test_every_env_pins_the_same_ffmpeg_major() -> None:
    majors = {pin.env: pin.version for pin in CONDA_PINS if pin.name == "ffmpeg"}
    assert len(set(majors.values())) == 1 and all(majors.values()), majors


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        pytest.param(kind, name, id=f"{kind}-{name}")
        for kind, names in FFMPEG_FEATURES.items()
        for name in names
    ],
)
def test_ffmpeg_on_path_has_what_the_project_uses(kind: str, name: str) -> None:
    assert name in ffmpeg_listing(kind), (
        f"ffmpeg on PATH ({shutil.which('ffmpeg')}) lacks the {kind[:-1]} {name!r}, "
        f"needed by {FFMPEG_FEATURES[kind][name]}"
    )


def test_ffmpeg_listing_reader_sees_missing_names() -> None:
    """Guards the parsing above: a listing it misread would make every feature check pass or fail."""
    encoders = ffmpeg_listing("encoders")
    assert {"pcm_s16le", "flac"} <= encoders and "no_such_encoder" not in encoders and "=" not in encoders
    assert {"mov", "mp4", "m4a"} <= ffmpeg_listing("demuxers")


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
    assert conda_spec("python =3.11") == ("python", "3.11") and conda_spec("ffmpeg 9.* gpl_*") == (
        "ffmpeg",
        "9",
    )
    assert conda_spec("ffmpeg =9") == ("ffmpeg", "9") and conda_spec("pip") == ("pip", "")


# --- every rule is deployable: log, benchmark, threads, resources and its own conda env ---------

RULE_START = re.compile(
    r"^(?:(?:rule|checkpoint)\s+(?P<name>\w+)|use\s+rule\s+(?P<parent>\w+)\s+as\s+(?P<child>\w+)\s+with)\s*:",
    re.M,
)
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
            body = text[start.end() : end]
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


def demo_snakemake(workdir: Path, option: str) -> subprocess.CompletedProcess[str]:
    """snakemake on the project's Snakefile and demo config, with one listing option (no jobs run)."""
    command = [str(SNAKEMAKE), "-s", str(SNAKEFILE), "-d", str(workdir), option]
    command += ["--configfile", str(PROJECT / "config" / "demo.yaml")]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=workdir)


def test_the_rule_reader_sees_every_rule_snakemake_sees(tmp_path: Path) -> None:
    """Guards the text parsing above: a rule it missed would escape the directive check."""
    result = demo_snakemake(tmp_path, "--list-rules")
    assert result.returncode == 0, result.stdout + result.stderr
    listed = set(result.stdout.split()) - {
        "all",
        "reports",
        "reviews",
    }  # the Snakefile's target rules: inputs only
    assert listed <= set(rule_directives()), f"rules snakemake knows but rules/*.smk parsing missed: {listed}"


def test_snakemake_lint_finds_nothing(tmp_path: Path) -> None:
    result = demo_snakemake(tmp_path, "--lint")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Congratulations, your workflow is in a good condition!" in output, output
