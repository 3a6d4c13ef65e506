"""The project has a license, and README's table of what it runs under which license is complete and true."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib

from workflow import PROJECT

README = (PROJECT / "README.md").read_text()


def license_table() -> dict[str, str]:
    """README's License section: package name (as pip spells it, lower case) -> the license stated."""
    section = README.split("\n## License\n", 1)[1].split("\n## ", 1)[0]
    table: dict[str, str] = {}
    for row in re.findall(r"^\| (.+?) \| (.+?) \| .+ \|$", section, flags=re.M):
        for name in re.findall(r"`([^`]+)`", row[0]):
            table[name.lower()] = row[1]
    return table


def env_pins() -> set[str]:
    """Every package a conda env's pip section pins (envs/*.yaml)."""
    names = set()
    for env in (PROJECT / "envs").glob("*.yaml"):
        names |= {
            m.lower()
            for m in re.findall(r"^\s*-\s+([A-Za-z0-9_.\-\[\]]+?)(?:\[[^\]]*\])?==", env.read_text(), re.M)
        }
    return names


def test_the_project_is_mit_licensed_in_both_places() -> None:
    assert (PROJECT / "LICENSE").read_text().startswith("MIT License\n")
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]


def test_every_package_an_env_pins_has_its_license_in_the_readme() -> None:
    table = license_table()
    missing = sorted(env_pins() - set(table))
    assert not missing, f"README.md's License table lacks {missing}"


def test_the_readme_states_each_package_license_as_the_package_does() -> None:
    """Where a package declares an SPDX expression (License-Expression, or a License field that is one),
    the README must state that license."""
    checked = 0
    for name, stated in license_table().items():
        try:
            metadata = importlib.metadata.metadata(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # ffmpeg and others that are not Python packages here
        declared = metadata.get("License-Expression") or metadata.get("License") or ""
        if re.fullmatch(r"(MIT|BSD-[23]-Clause|Apache-2\.0)", declared):
            assert stated.startswith(declared), f"{name}: README says {stated!r}, the package {declared!r}"
            checked += 1
    assert checked >= 8, "too few packages declare SPDX licenses: the check would prove nothing"
