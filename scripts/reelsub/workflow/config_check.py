"""The config and the film sheet, checked against their JSON schemas with messages a user can act on.

Two things Snakemake's own `snakemake.utils.validate` does not do:

- **Types from `--config`.** Snakemake parses a nested `--config` value with YAML's BaseLoader, which
  keeps every scalar a string: `--config asr='{batch_size: 4}'` arrives as `{"asr": {"batch_size": "4"}}`
  and fails with "'4' is not of type 'integer'". `coerce()` turns such strings into the type the
  schema asks for (integer, number, boolean, null), and leaves every other value as it is.
- **Short messages.** validate() prints the whole schema on an error (about 230 lines for a bad key).
  `problems()` gives one line per problem, naming the key; an unknown key comes with the allowed ones.

(Top-level `--config` values go the other way: Snakemake reads `films_dir=2024` as a number, so a
number where the schema wants only text becomes text again.)

`rules/common.smk` runs coerce(), with_defaults() (the schema holds every default; a `--configfile`
replaces config/config.yaml, so a config may name only a few keys) and check(), in that order.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import jsonschema

from reelsub.workflow.settings import read_yaml

Schema = dict[str, Any]

INTEGER = re.compile(r"[+-]?\d+")
TRUE_WORDS = {"true", "yes", "on"}
FALSE_WORDS = {"false", "no", "off"}
NULL_WORDS = {"null", "none", "~", ""}
LONGEST_VALUE = 60  # characters of a bad value quoted in a message


class ConfigError(ValueError):
    """The config or a sheet row does not fit its schema; str() is the message for the user."""


def load_schema(path: Path | str) -> Schema:
    schema = read_yaml(path)
    if not isinstance(schema, dict):
        raise ConfigError(f"{path}: not a JSON schema (a YAML mapping)")
    return schema


def schema_types(schema: Schema) -> set[str]:
    """The JSON types a schema node accepts: its `type`, and those of its oneOf/anyOf branches."""
    declared = schema.get("type", [])
    types = {declared} if isinstance(declared, str) else set(declared)
    for branch in schema.get("oneOf", []) + schema.get("anyOf", []):
        types |= schema_types(branch)
    return types


def property_schema(schema: Schema, key: str) -> Schema | None:
    """The schema of one key of an object, or None where the schema says nothing about it."""
    properties: dict[str, Schema] = schema.get("properties", {})
    if key in properties:
        return properties[key]
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def coerce_scalar(text: str, types: set[str]) -> Any:
    """A string from the command line as the first schema type it reads as; the string if none."""
    if not types or "string" in types:
        return text
    word = text.strip().lower()
    if "null" in types and word in NULL_WORDS:
        return None
    if "boolean" in types and word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    if types & {"integer", "number"} and INTEGER.fullmatch(text.strip()):
        return int(text)
    if "number" in types:
        try:
            number = float(text)
        except ValueError:
            return text
        return number if number == number and abs(number) != float("inf") else text
    return text


def coerce(value: Any, schema: Schema) -> Any:
    """A copy of value with each string the schema wants as a number, boolean or null converted."""
    if isinstance(value, dict):
        coerced = {}
        for key, item in value.items():
            item_schema = property_schema(schema, key)
            coerced[key] = coerce(item, item_schema) if item_schema is not None else item
        return coerced
    if isinstance(value, list):
        items = schema.get("items")
        if not isinstance(items, dict):
            array_branches = [b for b in schema.get("oneOf", []) + schema.get("anyOf", []) if "items" in b]
            items = array_branches[0]["items"] if array_branches else None
        return [coerce(item, items) for item in value] if isinstance(items, dict) else list(value)
    if isinstance(value, str):
        return coerce_scalar(value, schema_types(schema))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A top-level `--config films_dir=2024` arrives as the number 2024 (Snakemake tries int first).
        types = schema_types(schema)
        if "string" in types and not types & {"integer", "number"}:
            return str(value)
    return value


def with_defaults(value: Any, schema: Schema) -> Any:
    """A copy of value with each key it leaves out that the schema has a default for filled in."""
    if not isinstance(value, dict):
        return value
    filled = dict(value)
    for key, key_schema in schema.get("properties", {}).items():
        if key not in filled and "default" in key_schema:
            filled[key] = copy.deepcopy(key_schema["default"])
        if key in filled:
            filled[key] = with_defaults(filled[key], key_schema)
    return filled


def dotted(path: list[Any]) -> str:
    return ".".join(str(part) for part in path)


def shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 3] + "..."


def describe(error: jsonschema.ValidationError) -> str:
    """One line for one schema violation, naming the key (a dotted path such as asr.batch_size)."""
    path = list(error.absolute_path)
    key = dotted(path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(str(name) for name in error.instance if name not in allowed)
        where = f" of {key}" if key else ""
        names = ", ".join(f"'{dotted([*path, name])}'" for name in unknown)
        return f"unknown key {names}; the allowed keys{where} are: {', '.join(allowed)}"
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in (error.instance or {})]
        return "missing key " + ", ".join(f"'{dotted([*path, name])}'" for name in missing)
    if error.validator == "enum":
        problem = f"{shown(error.instance)} is not one of: {', '.join(map(str, error.validator_value))}"
    elif error.validator == "type":
        wanted = error.validator_value
        wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
        problem = f"{shown(error.instance)} is not of type {wanted}"
    elif error.validator in ("oneOf", "anyOf"):
        wanted = " or ".join(sorted(schema_types(error.schema))) or "any of the allowed forms"
        problem = f"{shown(error.instance)} is not {wanted}"
    else:
        problem = (
            error.message
            if len(error.message) <= 2 * LONGEST_VALUE
            else (f"{shown(error.instance)} fails '{error.validator}: {error.validator_value}'")
        )
    return f"key '{key}': {problem}" if key else problem


def problems(instance: Any, schema: Schema) -> list[str]:
    """Every way instance breaks the schema, one short line each, in key order."""
    validator_class = jsonschema.validators.validator_for(schema)
    errors = validator_class(schema).iter_errors(instance)
    return [describe(error) for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])]


def check_default_track(config: dict[str, Any]) -> None:
    """``mux.default_track``: source, none or a language. Which languages there are is
    reelsub.languages' to say, not the schema's, so this runs after check(): a typo stops the run
    before any job, where the subtitle stage found it only after each film's ASR."""
    from reelsub.contracts.tracks import DEFAULT_POLICIES, check_default_policy
    from reelsub.languages import UnknownLanguage

    value = config["mux"]["default_track"]
    try:
        check_default_policy(value)
    except UnknownLanguage as error:
        raise ConfigError(
            f"config: key 'mux.default_track': {shown(value)} is not {', '.join(DEFAULT_POLICIES)} "
            f"or a language reelsub knows ({error})"
        ) from None


def check(instance: Any, schema: Schema, what: str = "config") -> None:
    """Raise ConfigError listing every problem, each on its own line after `what`."""
    found = problems(instance, schema)
    if found:
        raise ConfigError("\n".join(f"{what}: {line}" for line in found))
