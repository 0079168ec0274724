"""The declared configuration model: one JSON Schema for `.backend-review.yml` and
`[tool.backend-review]`.

The schema is built here from the keys the config reader understands and each rule's declared
options (name, type of its default, default), committed as docs/schemas/config.schema.json for
editors (yaml-language-server, Even Better TOML) and read back to validate every config file,
so the published schema and the checks cannot drift apart (a test compares the two).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_ID = "https://github.com/backend-review/backend-review/docs/schemas/config.schema.json"
SEVERITIES = ("critical", "high", "medium", "low", "info")
_PACKAGE = Path(__file__).resolve().parent

_STRINGS: dict[str, Any] = {
    "anyOf": [
        {"type": "array", "items": {"type": "string"}},
        {"type": "string", "description": "comma-separated"},
    ]
}

# key -> description, for the keys holding a list of strings
_LIST_KEYS = {
    "select": "Rules to run: codes (BR101), code prefixes (BR1), checklist items, rule names or "
    "analyzer ids (bandit:B602). Empty: all.",
    "ignore": "Rules not to run, in the language of `select`.",
    "exclude": "gitignore-style patterns of files not to review, added to the default excludes.",
    "semgrep-configs": "Local semgrep rule files or folders to run as well (never a URL or a "
    "registry name).",
    "auth-decorators": "Dotted names of the project's own authentication decorators.",
    "auth-dependencies": "Dotted names of the project's own authentication dependencies "
    "(FastAPI Depends).",
    "public-routes": "Route path globs that are public on purpose.",
    "rate-limit-decorators": "Dotted names of the project's own rate-limit decorators.",
}


def _option_schema(code: str, name: str, default: object) -> dict[str, Any]:
    """The schema of one rule option, typed by its default (a wrong type is refused, not
    left to crash the rule on every file)."""
    described = {"description": f"Option of {code}; default {json.dumps(default)}."}
    if isinstance(default, bool):
        return {"type": "boolean", **described}
    if isinstance(default, int):
        return {"type": "integer", **described}
    if isinstance(default, float):
        return {"type": "number", **described}
    if isinstance(default, str):
        return {"type": "string", **described}
    if isinstance(default, list | tuple):
        if all(isinstance(d, str) for d in default):
            return {"type": "array", "items": {"type": "string"}, **described}
        return {"type": "array", **described}
    return described


def _analyzer_schema(name: str) -> dict[str, Any]:
    return {
        "description": f"Run {name} (true/false) or its settings.",
        "anyOf": [
            {"type": "boolean"},
            {
                "type": "object",
                "properties": {
                    "enabled": {"type": "boolean"},
                    "args": {
                        **_STRINGS,
                        "description": "Raw extra flags; only from the command line or a "
                        "config file outside the reviewed checkout.",
                    },
                    "timeout": {
                        "type": "number",
                        "exclusiveMinimum": 0,
                        "description": "Seconds before the analyzer is stopped.",
                    },
                },
                "additionalProperties": False,
            },
        ],
    }


def build_schema(
    rule_options: Mapping[str, Mapping[str, object]], analyzers: tuple[str, ...]
) -> dict[str, Any]:
    """The config schema for the rules `rule_options` (code -> option defaults) declares."""
    severity = {"enum": list(SEVERITIES)}
    rules = {
        code: {
            "type": "object",
            "properties": {
                name: _option_schema(code, name, default)
                for name, default in sorted(options.items())
            },
            "additionalProperties": False,
        }
        for code, options in sorted(rule_options.items())
    }
    properties: dict[str, Any] = {
        key: {**_STRINGS, "description": text} for key, text in _LIST_KEYS.items()
    }
    properties |= {
        "per-path-ignores": {
            "description": "gitignore-style path patterns mapped to the selectors ignored there.",
            "type": "object",
            "additionalProperties": _STRINGS,
        },
        "severity": {
            "description": "Rule codes mapped to the severity they are reported with.",
            "type": "object",
            "additionalProperties": severity,
        },
        "analyzers": {
            "type": "object",
            "properties": {name: _analyzer_schema(name) for name in analyzers},
            "additionalProperties": False,
        },
        "rules": {
            "description": "Rule codes mapped to their options.",
            "type": "object",
            "properties": rules,
            "additionalProperties": False,
        },
        "fail-under": {
            "description": "Fail (exit 1) below this overall score.",
            "anyOf": [{"type": "number", "minimum": 0, "maximum": 100}, {"type": "null"}],
        },
        "fail-on": {
            "description": "Fail (exit 1) on a finding of this severity or worse.",
            "anyOf": [severity, {"type": "null"}],
        },
        "max-file-bytes": {
            "description": "Files larger than this are not reviewed (listed as such).",
            "type": "integer",
            "minimum": 1,
        },
        "file-time-limit": {
            "description": "Seconds of native analysis per file before it is reported (BR901).",
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 3600,
        },
        "default-excludes": {
            "description": "Whether the default excludes (.venv, node_modules, migrations...) apply.",
            "type": "boolean",
        },
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "backend-review configuration",
        "description": "`.backend-review.yml` or the `[tool.backend-review]` table of "
        "pyproject.toml. Unknown keys are errors.",
        "type": "object",
        "properties": dict(sorted(properties.items())),
        "additionalProperties": False,
    }


def render(schema: Mapping[str, Any]) -> str:
    """The committed text of a schema (stable, so a stale file shows as a diff)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def schema_file() -> Path:
    """docs/schemas/config.schema.json in a checkout, reviewer/_schemas/ when installed."""
    for candidate in (
        _PACKAGE / "_schemas" / "config.schema.json",
        _PACKAGE.parent / "docs" / "schemas" / "config.schema.json",
    ):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        "backend-review config schema not found (broken installation?): "
        f"{_PACKAGE / '_schemas' / 'config.schema.json'}"
    )


@cache
def published_schema() -> dict[str, Any]:
    """The committed schema every config file is validated against."""
    loaded: dict[str, Any] = json.loads(schema_file().read_text(encoding="utf-8"))
    return loaded
