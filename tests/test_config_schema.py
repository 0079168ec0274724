"""The published config schema: current with the rules, valid, and what every file is held to."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from reviewer.config_check import key_line
from reviewer.config_schema import render, schema_file
from reviewer.registry import config_schema, native_rule_classes

REPO = Path(__file__).resolve().parent.parent
PUBLISHED = REPO / "docs" / "schemas" / "config.schema.json"


def test_the_committed_schema_is_current() -> None:
    """Regenerate with: python3 -c 'from reviewer.registry import config_schema; from
    reviewer.config_schema import render; print(render(config_schema()), end="")' >
    docs/schemas/config.schema.json"""
    assert PUBLISHED.read_text(encoding="utf-8") == render(config_schema())
    assert schema_file() == PUBLISHED


def test_the_schema_is_a_valid_draft7_schema_declaring_every_rule_option() -> None:
    schema = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    rules = schema["properties"]["rules"]["properties"]
    for cls in native_rule_classes():
        assert set(rules[cls.code]["properties"]) == set(cls.options), cls.code


def test_the_readme_example_config_passes_the_schema() -> None:
    import yaml

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Configuration", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    schema = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(yaml.safe_load(block)))
    assert errors == []


@pytest.mark.parametrize(
    ("text", "kind", "path", "line"),
    [
        (
            "a: 1\nrules:\n  BR402:\n    max-class-lines: 3\n",
            "yaml",
            ["rules", "BR402", "max-class-lines"],
            4,
        ),
        (
            "[tool.backend-review]\nx = 1\n\n[tool.backend-review.rules.BR402]\nmax_class_lines = 3\n",
            "pyproject",
            ["rules", "BR402", "max-class-lines"],
            5,
        ),
        (
            '[tool.backend-review]\nanalyzers = {ruff = {timeout = "x"}}\n',
            "pyproject",
            ["analyzers", "ruff", "timeout"],
            2,
        ),
        (
            "[tool.other]\nselect = 1\n[tool.backend-review]\nselect = 2\n",
            "pyproject",
            ["select"],
            4,
        ),
    ],
)
def test_key_lines(text: str, kind: str, path: list[str], line: int) -> None:
    assert key_line(text, kind, path) == line
