"""Config checks (scripts/reelsub/workflow/config_check.py): --config types, short messages, every key documented.

The unit tests use the project's real config/schema.yaml; the workflow tests run real `snakemake -n`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from reelsub.workflow import config_check
from workflow import PROJECT, snakemake

SCHEMA = config_check.load_schema(PROJECT / "config" / "schema.yaml")
FILMS_SCHEMA = config_check.load_schema(PROJECT / "config" / "films.schema.yaml")
DEFAULT_CONFIG = yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())


def schema_keys(schema: dict[str, Any], prefix: str = "") -> list[str]:
    """Every key the schema names, dotted (asr.batch_size), objects and their members alike."""
    keys = []
    for name, node in schema.get("properties", {}).items():
        key = f"{prefix}{name}"
        keys.append(key)
        keys += schema_keys(node, prefix=f"{key}.")
    return keys


# --- coerce: strings from --config become the schema's types ---------------------------------------


def test_strings_in_nested_config_become_the_schemas_numbers_booleans_and_nulls() -> None:
    given = {
        "asr": {"batch_size": "4", "vad_filter": "false", "no_speech_threshold": "0.5", "model": "4"},
        "subtitle": {"max_cps": "20", "min_duration": "1.5"},
        "translate": {"use_cache": "null"},
        "target_langs": ["hi", "ta"],
    }
    coerced = config_check.coerce(given, SCHEMA)
    assert coerced["asr"] == {"batch_size": 4, "vad_filter": False, "no_speech_threshold": 0.5, "model": "4"}
    assert coerced["subtitle"] == {"max_cps": 20, "min_duration": 1.5}
    assert coerced["translate"]["use_cache"] is None
    assert coerced["target_langs"] == ["hi", "ta"]
    assert given["asr"]["batch_size"] == "4", "coerce returns a copy, the input is left alone"
    assert config_check.problems({**coerced, "films_dir": "films"}, SCHEMA) == []


@pytest.mark.parametrize("text", ["eight", "4.5", "", "1e3x"])
def test_a_string_that_is_no_integer_stays_a_string_and_is_reported(text: str) -> None:
    coerced = config_check.coerce({"films_dir": "films", "asr": {"beam_size": text}}, SCHEMA)
    assert coerced["asr"]["beam_size"] == text
    assert config_check.problems(coerced, SCHEMA) == [f"key 'asr.beam_size': {text!r} is not of type integer"]


def test_booleans_read_yaml_words_and_nullable_booleans_take_both() -> None:
    for word, value in [("true", True), ("False", False), ("yes", True), ("off", False)]:
        assert config_check.coerce({"asr": {"force_backend": word}}, SCHEMA)["asr"]["force_backend"] is value
        assert (
            config_check.coerce({"translate": {"use_cache": word}}, SCHEMA)["translate"]["use_cache"] is value
        )


def test_keys_the_schema_leaves_open_and_string_keys_are_never_converted() -> None:
    given = {"align": {"models": {"hi": "123"}}, "mux": {"default_track": "true"}, "source_lang": "1"}
    assert config_check.coerce(given, SCHEMA) == given


def test_a_top_level_number_becomes_text_where_the_schema_wants_text() -> None:
    """`--config films_dir=2024` reaches the config as the int 2024; a folder name is text."""
    coerced = config_check.coerce(
        {"films_dir": 2024, "asr": {"batch_size": 4, "force_backend": True}}, SCHEMA
    )
    assert coerced == {"films_dir": "2024", "asr": {"batch_size": 4, "force_backend": True}}


def test_defaults_fill_only_what_a_config_leaves_out() -> None:
    """A --configfile replaces config/config.yaml: config/demo.yaml names asr.model alone."""
    filled = config_check.with_defaults({"asr": {"model": "tiny.en"}}, SCHEMA)
    assert filled["films_dir"] == "films" and filled["target_langs"] == []
    assert filled["asr"]["model"] == "tiny.en" and filled["asr"]["batch_size"] == "auto"
    assert filled["subtitle"]["max_chars_per_line"] == 42 and filled["align"]["models"] == {}
    assert config_check.problems(filled, SCHEMA) == []


# --- problems: one short line per problem, naming the key --------------------------------------------


def test_an_unknown_key_names_itself_and_the_allowed_keys_in_one_line() -> None:
    found = config_check.problems({**DEFAULT_CONFIG, "asr": {"batch_sise": 4}}, SCHEMA)
    assert len(found) == 1
    assert found[0].startswith("unknown key 'asr.batch_sise'; the allowed keys of asr are: batch_size, ")
    allowed = found[0].split("are: ", 1)[1].split(", ")
    assert allowed == sorted(SCHEMA["properties"]["asr"]["properties"])


def test_an_unknown_top_level_key_lists_the_top_level_keys() -> None:
    (line,) = config_check.problems({**DEFAULT_CONFIG, "colour": "red"}, SCHEMA)
    assert line == "unknown key 'colour'; the allowed keys are: " + ", ".join(sorted(SCHEMA["properties"]))


def test_enum_range_and_missing_key_messages_name_the_key() -> None:
    config = {k: v for k, v in DEFAULT_CONFIG.items() if k != "films_dir"}
    config["asr_backend"] = "gpu"
    config["subtitle"] = {"max_lines": 9}
    found = config_check.problems(config, SCHEMA)
    assert "missing key 'films_dir'" in found
    assert "key 'asr_backend': 'gpu' is not one of: auto, whisperx, mlx" in found
    assert any(line.startswith("key 'subtitle.max_lines': 9 ") for line in found), found


def test_check_raises_with_every_problem_prefixed() -> None:
    with pytest.raises(config_check.ConfigError) as raised:
        config_check.check({"film": "a/b", "colour": "x"}, FILMS_SCHEMA, what="films.tsv row 3")
    lines = str(raised.value).splitlines()
    assert lines == ["films.tsv row 3: key 'film': 'a/b' does not match '^[^/]+$'"], lines


def test_the_default_config_fits_the_schema() -> None:
    assert config_check.problems(config_check.coerce(DEFAULT_CONFIG, SCHEMA), SCHEMA) == []


# --- config/README.md documents every key ------------------------------------------------------------


def test_every_schema_key_is_described_in_config_readme() -> None:
    readme = (PROJECT / "config" / "README.md").read_text()
    documented = set(re.findall(r"`([\w.-]+)`", readme))
    missing = [key for key in schema_keys(SCHEMA) if key not in documented]
    assert not missing, f"config/README.md does not describe: {', '.join(missing)}"
    sheet_columns = [key for key in schema_keys(FILMS_SCHEMA) if key not in documented]
    assert not sheet_columns, f"config/README.md does not describe the sheet columns: {sheet_columns}"


def schema_default(schema: dict[str, Any], key: str) -> Any:
    """The schema's default for a dotted key: its own, or the one its parent's default gives it."""
    node, inherited = schema, None
    for name in key.split("."):
        node = node.get("properties", {}).get(name, {})
        inherited = inherited.get(name) if isinstance(inherited, dict) else None
        inherited = node.get("default", inherited)
    return inherited


def test_config_readme_gives_each_key_the_schemas_default() -> None:
    """The default column is the schema's value, not a copy that drifts (asr.threads said 4 when
    the schema's default had become auto)."""
    from reelsub.translate.translation import MODELS_BY_SIZE

    # the one default the code derives: translate.models follows translate.size
    derived = {
        f"translate.models.{direction}": model
        for direction, model in MODELS_BY_SIZE[schema_default(SCHEMA, "translate.size")].items()
    }
    readme = (PROJECT / "config" / "README.md").read_text()
    shown = re.findall(r"^\| `([\w.-]+)` \| `([^`|]*)` \| [^|]*\|$", readme, re.M)
    assert len(shown) >= 40  # the asr, translate, subtitle, ... tables, not a regex that matches nothing
    wrong = [
        f"{key}: README {value!r}, schema {derived.get(key, schema_default(SCHEMA, key))!r}"
        for key, value in shown
        if yaml.safe_load(value) != derived.get(key, schema_default(SCHEMA, key))
    ]
    assert not wrong, wrong


def test_the_key_lister_sees_nested_keys() -> None:
    keys = schema_keys(SCHEMA)
    assert {"asr", "asr.batch_size", "translate.models.en-indic", "subtitle.max_cps"} <= set(keys)


# --- through real snakemake dry runs -----------------------------------------------------------------


@pytest.fixture()
def one_film(tmp_path: Path) -> Path:
    (tmp_path / "films").mkdir()
    (tmp_path / "films" / "a.mp4").write_bytes(b"x")  # a dry run only needs the file to exist
    return tmp_path


def test_numbers_in_nested_config_reach_the_rules(one_film: Path) -> None:
    """The README's `--config asr='{batch_size: 4}'`: it failed with "'4' is not of type 'integer'"."""
    run = snakemake(one_film, "-n", config=["asr={batch_size: 4, mem_mb: 3210, vad_filter: false}"])
    assert run.returncode == 0, run.output
    assert "mem_mb=3210" in run.output  # the asr rule's resources: config's int, as given


def test_booleans_in_nested_config_are_read_as_booleans(one_film: Path) -> None:
    """force_backend: false must be False (the string 'false' would be truthy and let mlx through)."""
    refused = snakemake(one_film, "-n", config=["asr_backend=mlx", "asr={force_backend: false}"])
    allowed = snakemake(one_film, "-n", config=["asr_backend=mlx", "asr={force_backend: true}"])
    if "needs Apple Silicon" not in refused.output:
        pytest.skip("this machine is Apple Silicon: mlx is allowed without force_backend")
    assert refused.returncode != 0
    assert allowed.returncode == 0, allowed.output


def test_a_bad_key_gives_a_short_message_naming_it_and_the_allowed_keys(one_film: Path) -> None:
    run = snakemake(one_film, "-n", config=["asr={batch_sise: 4}"])
    assert run.returncode != 0
    assert (
        "unknown key 'asr.batch_sise'; the allowed keys of asr are: batch_size, beam_size, compression_ratio_threshold"
        in run.output
    )
    assert len(run.output.splitlines()) <= 10, run.output  # validate() alone printed ~230 lines of schema
    assert "properties" not in run.output, "the schema itself must not be printed"


@pytest.mark.parametrize("value", ["englsh", "sorce"])
def test_a_mistyped_default_track_stops_the_run_before_any_job(one_film: Path, value: str) -> None:
    """It was found only by the subtitle stage, after each film's ASR."""
    run = snakemake(one_film, "-n", config=[f"mux={{default_track: {value}}}"])
    assert run.returncode != 0
    assert f"config: key 'mux.default_track': '{value}' is not source, none or a language reelsub knows" in (
        run.output
    )
    assert "Job stats" not in run.output and not (one_film / "jobs").exists()
    for fine in ("source", "none", "Hindi", "hi"):
        config_check.check_default_track({"mux": {"default_track": fine}})
