"""Config sections → typed settings objects, with the schema as the one source of every default.

config/schema.yaml documents each key and holds its default; Snakemake fills those defaults in
when it validates the config, before any job exists. The settings dataclasses take their field
defaults from the same schema (:func:`schema_defaults`), so a default is written once, and
:func:`settings_from` maps a validated section onto a dataclass. Every section refuses keys the
schema does not know: a misspelt key would otherwise silently not apply.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "config" / "schema.yaml"


class SettingsError(ValueError):
    """A config section has a key the schema does not know, or a value the settings refuse."""


def read_yaml(path: Path | str) -> Any:
    """A YAML file's data, read with libyaml's C loader where PyYAML has it: every stage job reads
    the schema, and the pure-Python loader took 12 ms of that, the C one 2 ms."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader)  # a safe loader, C or Python


@functools.cache
def _schema() -> dict[str, Any]:
    schema = read_yaml(SCHEMA_PATH)
    if not isinstance(schema, dict):
        raise SettingsError(f"{SCHEMA_PATH}: not a JSON schema (a YAML mapping)")
    return schema


def section_keys(section: str) -> dict[str, Any]:
    """The schema of each key of one config section (``asr``, ``subtitle``, ...)."""
    return dict(_schema()["properties"][section].get("properties", {}))


def schema_defaults(section: str) -> dict[str, Any]:
    """Each key of a config section with its default, as config/schema.yaml states it."""
    return {key: spec["default"] for key, spec in section_keys(section).items() if "default" in spec}


def settings_from(cls: type[T], section: str, values: Mapping[str, Any] | None, **runtime: Any) -> T:
    """``cls`` from the config ``section``'s values, schema defaults for the keys left out, and
    ``runtime`` values (decided on the node that runs the job: device, threads, language...).

    Keys the schema knows but ``cls`` does not (``asr.threads`` is the rule's ``threads:``) stay
    with the rule; keys the schema does not know are refused.
    """
    allowed = section_keys(section)
    values = dict(values or {})
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise SettingsError(
            f"config {section}: unknown key(s) {', '.join(unknown)}; allowed keys: {', '.join(sorted(allowed))}"
        )
    merged = {**schema_defaults(section), **values}
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    chosen = {key: value for key, value in merged.items() if key in names}
    chosen.update({key: value for key, value in runtime.items() if value is not None})
    return cls(**chosen)
