"""Each env's pip section resolves on every platform the README supports, and fails where it says.

`uv pip compile --python-platform P --python-version 3.11` resolves for a machine other than this
one with the environment markers evaluated for P (`pip download --platform` does not: it pulled
triton and CUDA wheels into a macOS resolve). `--only-binary :all:` because a conda env has no C
compiler: a package without a wheel for P fails there (IndicTransToolkit's sdist compiles Cython).
No sdist is allowed: every package, pysubs2 included, installs from a wheel.

These tests reach PyPI (marker `network`); offline, deselect them with `-m "not network"`.
The platform matrix they check is in README.md and envs/README.md.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from workflow import PROJECT

UV = Path(sys.executable).parent / "uv"


@dataclass(frozen=True)
class Platform:
    name: str  # as README.md's platform matrix names it
    uv_platform: str  # uv's --python-platform
    macos: str | None = None  # MACOSX_DEPLOYMENT_TARGET: the oldest macOS the resolve must serve

    def __str__(self) -> str:
        return self.name

    def markers(self) -> dict[str, str]:
        """The environment markers a pin's ``; platform_system == ...`` is evaluated against there."""
        machine, _, system = self.uv_platform.partition("-")
        darwin = "darwin" in system
        return {
            "platform_system": "Darwin" if darwin else "Linux",
            "sys_platform": "darwin" if darwin else "linux",
            "platform_machine": "arm64" if darwin and machine == "aarch64" else machine,
        }


# README.md's platform matrix, row by row.
LINUX = Platform("Linux x86_64 (glibc 2.28+)", "x86_64-manylinux_2_28")
MACOS_ARM = Platform("macOS 14+ arm64", "aarch64-apple-darwin", macos="14.0")
INTEL_MAC = Platform("macOS x86_64 (Intel)", "x86_64-apple-darwin", macos="14.0")
OLD_GLIBC = Platform("Linux x86_64 glibc 2.17 (CentOS 7)", "x86_64-manylinux_2_17")
MACOS_13_ARM = Platform("macOS 13 arm64", "aarch64-apple-darwin", macos="13.0")
LINUX_ARM = Platform("Linux aarch64 (glibc 2.28+)", "aarch64-manylinux_2_28")

# The "yes" cells of README.md's platform matrix.
SUPPORTED = {
    "common.yaml": [LINUX, MACOS_ARM, LINUX_ARM, INTEL_MAC],
    "whisperx.yaml": [LINUX, MACOS_ARM, MACOS_13_ARM, LINUX_ARM],
    "indictrans2.yaml": [LINUX, MACOS_ARM, MACOS_13_ARM],
    "mlx.yaml": [MACOS_ARM],  # Metal: macOS arm64 only (the .venv's mlx[cpu] is a different build)
}
# The "no" cells: (env, platform, the package the README names as the reason)
UNSUPPORTED = [
    ("common.yaml", OLD_GLIBC, "av"),  # PyAV 18.1.0 wheels: manylinux_2_28, macOS 14 arm64
    ("common.yaml", MACOS_13_ARM, "av"),
    ("whisperx.yaml", INTEL_MAC, "torch"),
    ("indictrans2.yaml", INTEL_MAC, "indictranstoolkit"),
    ("whisperx.yaml", OLD_GLIBC, "ctranslate2"),
    ("indictrans2.yaml", OLD_GLIBC, "torch"),
    ("mlx.yaml", MACOS_13_ARM, "mlx"),
    ("indictrans2.yaml", LINUX_ARM, "indictranstoolkit"),
    ("mlx.yaml", LINUX, "mlx"),  # the Metal build; Linux has only mlx[cpu] and mlx[cuda]
    ("mlx.yaml", LINUX_ARM, "mlx"),
    ("mlx.yaml", OLD_GLIBC, "mlx"),
    ("mlx.yaml", INTEL_MAC, "mlx"),
]
UNSATISFIABLE_BECAUSE = re.compile(r"Because (?:only )?([\w.-]+?)(?:==|<|>|\[| has| was| is|$)", re.M)


@dataclass
class Resolution:
    ok: bool
    packages: dict[str, str]  # canonical name -> version, when ok
    message: str  # uv's error, when not


def pip_section(env: str) -> list[str]:
    spec = yaml.safe_load((PROJECT / "envs" / env).read_text())
    sections = [d["pip"] for d in spec["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(sections) == 1, f"envs/{env}: expected one pip section"
    return sections[0]


def resolve(env: str, platform: Platform, tmp_path: Path) -> Resolution:
    assert UV.exists(), f"{UV} is missing: `make venv` installs uv (requirements-test.txt)"
    requirements = tmp_path / f"{env}.{platform.uv_platform}.in"
    requirements.write_text("\n".join(pip_section(env)) + "\n")
    command = [
        str(UV),
        "pip",
        "compile",
        str(requirements),
        "--python-platform",
        platform.uv_platform,
        "--python-version",
        "3.11",
        "--only-binary",
        ":all:",
        "--no-header",
        "--no-annotate",
        "--quiet",
        "--index-url",
        "https://pypi.org/simple",
    ]
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("UV_", "PIP_"))}
    if platform.macos:
        environment["MACOSX_DEPLOYMENT_TARGET"] = platform.macos
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=environment)
    if result.returncode != 0:
        return Resolution(False, {}, result.stderr.strip())
    packages = dict(line.split("==", 1) for line in result.stdout.split() if "==" in line)
    return Resolution(True, packages, "")


def blocking_package(message: str) -> str:
    """The package uv's "Because X==1.0 has no wheels ..." names first; "?" when it names none."""
    found = UNSATISFIABLE_BECAUSE.search(message)
    return found[1].lower() if found else "?"


@pytest.mark.network
@pytest.mark.parametrize(
    ("env", "platform"),
    [
        pytest.param(env, platform, id=f"{env}-{platform.uv_platform}-{platform.macos or 'any'}")
        for env, platforms in SUPPORTED.items()
        for platform in platforms
    ],
)
def test_env_pip_section_resolves_on_a_supported_platform(
    env: str, platform: Platform, tmp_path: Path
) -> None:
    resolution = resolve(env, platform, tmp_path)
    assert resolution.ok, (
        f"envs/{env} does not resolve on {platform}: {blocking_package(resolution.message)} "
        f"is the package that fails.\nuv: {resolution.message}"
    )
    resolved = {canonicalize_name(key): value for key, value in resolution.packages.items()}
    for line in pip_section(env):
        requirement = Requirement(line)
        (version,) = [specifier.version for specifier in requirement.specifier]
        # a pin for other platforms only (the CUDA wheels: Linux x86_64) must not be installed here
        wanted = requirement.marker is None or requirement.marker.evaluate(platform.markers())
        assert resolved.get(canonicalize_name(requirement.name)) == (version if wanted else None), (
            f"envs/{env} on {platform}: {line} resolved otherwise"
        )


@pytest.mark.network
@pytest.mark.parametrize(
    ("env", "platform", "package"),
    [
        pytest.param(env, platform, package, id=f"{env}-{platform.uv_platform}-{platform.macos or 'any'}")
        for env, platform, package in UNSUPPORTED
    ],
)
def test_env_fails_where_the_platform_matrix_says_and_for_its_reason(
    env: str, platform: Platform, package: str, tmp_path: Path
) -> None:
    resolution = resolve(env, platform, tmp_path)
    assert not resolution.ok, (
        f"envs/{env} now resolves on {platform}: update the platform matrix in README.md and envs/README.md"
    )
    assert blocking_package(resolution.message) == package, (
        f"envs/{env} on {platform} fails for {blocking_package(resolution.message)}, the matrix says {package}:"
        f"\n{resolution.message}"
    )


@pytest.mark.network
def test_cpu_only_linux_gets_the_cuda_wheels_of_torch(tmp_path: Path) -> None:
    """The matrix's "about 4.1 GB of CUDA wheels per torch env": PyPI's Linux torch pulls nvidia-*."""
    resolution = resolve("whisperx.yaml", LINUX, tmp_path)
    assert resolution.ok, resolution.message
    cuda = sorted(name for name in resolution.packages if name.startswith("nvidia-"))
    assert "nvidia-cudnn-cu12" in cuda and "nvidia-cublas-cu12" in cuda, cuda
    on_macos = resolve("whisperx.yaml", MACOS_ARM, tmp_path)
    assert on_macos.ok and not any(name.startswith("nvidia-") for name in on_macos.packages)


def test_blocking_package_reads_uv_messages() -> None:
    message = (
        "  cause: Because torch==2.8.0 has no wheels with a matching platform tag (e.g., `macosx_14_0_x86_64`)"
        " and you require torch==2.8.0, we can conclude that your requirements are unsatisfiable."
    )
    assert blocking_package(message) == "torch"
    assert blocking_package("Because indictranstoolkit==1.1.1 has no usable wheels") == "indictranstoolkit"
    assert blocking_package("error: something else") == "?"


def test_uv_is_the_pinned_one() -> None:
    pinned = [
        line
        for line in (PROJECT / "requirements-test.txt").read_text().splitlines()
        if line.startswith("uv==")
    ]
    assert pinned, "requirements-test.txt does not pin uv"
    version = subprocess.run(
        [str(UV), "--version"], capture_output=True, text=True, check=True
    ).stdout.split()[1]
    assert pinned[0] == f"uv=={version}"
