"""Check one config table against the published schema, the way ruff is strict.

Every problem is a ConfigError line naming the file, the line and the dotted key: an unknown
key with a "did you mean" (difflib), a wrong type or value with what was expected. A typo never
silently changes nothing.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

MAX_PROBLEMS = 10


def normalized(table: Mapping[str, Any]) -> dict[str, Any]:
    """Keys as the reader understands them: `fail_under` is `fail-under`, rule codes upper case,
    rule options dashed."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        norm = str(key).replace("_", "-")
        if norm == "rules" and isinstance(value, dict):
            value = {
                str(code).upper(): (
                    {str(k).replace("_", "-"): v for k, v in opts.items()}
                    if isinstance(opts, dict)
                    else opts
                )
                for code, opts in value.items()
            }
        out[norm] = value
    return out


def problems(
    table: Mapping[str, Any], schema: Mapping[str, Any], where: str, text: str | None, kind: str
) -> list[str]:
    """One line per problem of `table` (already `normalized`), worst first by line."""
    validator = Draft7Validator(schema)
    found: list[tuple[int, str]] = []
    for error in validator.iter_errors(table):
        path = [str(p) for p in error.absolute_path]
        for key_path, message in _explain(error, path):
            line = key_line(text, kind, key_path) if text is not None else None
            place = f"{where}:{line}" if line else where
            dotted = ".".join(key_path) or "top level"
            found.append((line or 0, f"{place}: `{dotted}`: {message}"))
    found.sort(key=lambda item: item[0])
    lines = [message for _, message in found]
    if len(lines) > MAX_PROBLEMS:
        lines = [*lines[:MAX_PROBLEMS], f"... and {len(lines) - MAX_PROBLEMS} more"]
    return lines


def _explain(error: ValidationError, path: list[str]) -> Iterable[tuple[list[str], str]]:
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(error.schema.get("properties", {}))
        for key in error.instance:
            if key not in allowed:
                yield [*path, str(key)], unknown(str(key), allowed)
        return
    if error.validator == "anyOf":
        # the branch of the instance's own type says more ("unknown key timeot" beats "must
        # be true or false or a mapping")
        branches = error.schema.get("anyOf", [])
        for index, branch in enumerate(branches):
            if _json_type(error.instance) == branch.get("type"):
                inner = [e for e in error.context or () if list(e.schema_path)[:1] == [index]]
                for sub in inner:
                    yield from _explain(sub, [str(p) for p in sub.absolute_path])
                if inner:
                    return
    yield path, f"must be {describe(error.schema)}, not {_shown(error.instance)}"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "null" if value is None else "other"


def unknown(key: str, allowed: Sequence[str], what: str = "key") -> str:
    """`unknown key (did you mean `x`?)`, or the choices when there are few."""
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown {what} (did you mean `{close[0]}`?)"
    if not allowed:
        return f"unknown {what} (none is accepted here)"
    if len(allowed) <= 12:
        return f"unknown {what} (choose from {', '.join(allowed)})"
    return f"unknown {what}"


def describe(schema: Mapping[str, Any]) -> str:
    """What a schema accepts, in words: 'a number from 0 to 100 or null'."""
    if "anyOf" in schema:
        return " or ".join(describe(s) for s in schema["anyOf"])
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items", {})
        return "a list of strings" if items.get("type") == "string" else "a list"
    text = {
        "string": "a string",
        "boolean": "true or false",
        "integer": "an integer",
        "number": "a number",
        "object": "a mapping",
        "null": "null",
    }.get(str(kind), "a valid value")
    if schema.get("description") == "comma-separated":
        text = "a comma-separated string"
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum")
    if low is not None and high is not None:
        text += f" from {low} to {high}"
    elif "exclusiveMinimum" in schema:
        text += f" above {low}"
    elif low is not None:
        text += f" of at least {low}"
    return text


def _shown(value: Any) -> str:
    kind = {bool: "boolean", int: "integer", float: "number", str: "string"}.get(type(value))
    if kind is None:
        kind = "a mapping" if isinstance(value, dict) else type(value).__name__
        kind = "a list" if isinstance(value, list) else kind
        kind = "null" if value is None else kind
        return kind
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return f"{kind} {text[:60]}"


def _norm(key: object) -> str:
    return str(key).replace("_", "-").lower()


def key_line(text: str, kind: str, path: Sequence[str]) -> int | None:
    """The 1-based line where the dotted key `path` is written, if it can be found."""
    if not path:
        return None
    try:
        if kind == "yaml":
            return _yaml_line(text, path)
        return _toml_line(text, kind == "pyproject", path)
    except (yaml.YAMLError, RecursionError, ValueError):
        return None


def _yaml_line(text: str, path: Sequence[str]) -> int | None:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    line = None
    for part in path:
        if not isinstance(node, yaml.MappingNode):
            return line
        for key, value in node.value:
            if _norm(key.value) == _norm(part):
                line, node = key.start_mark.line + 1, value
                break
        else:
            return line
    return line


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_ASSIGN = re.compile(r"^\s*((?:\"[^\"]*\"|'[^']*'|[A-Za-z0-9_.\- ]+?))\s*=")


def _split_dotted(key: str) -> list[str]:
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([^.\s]+)", key)
    return [next(p for p in groups if p) if any(groups) else "" for groups in parts]


def _toml_line(text: str, pyproject: bool, path: Sequence[str]) -> int | None:
    """A line-by-line look for `path` under the table; inline tables are searched on the line."""
    target = [*(["tool", "backend-review"] if pyproject else []), *path]
    want = [_norm(p) for p in target]
    header: list[str] = []
    best = None
    for number, raw in enumerate(text.splitlines(), 1):
        match = _HEADER.match(raw)
        if match:
            header = [_norm(p) for p in _split_dotted(match.group(1))]
            if header == want:
                return number
            continue
        match = _ASSIGN.match(raw)
        if not match:
            continue
        full = header + [_norm(p) for p in _split_dotted(match.group(1))]
        if full == want:
            return number
        if want[: len(full)] == full and best is None:
            rest = want[len(full) :]
            if all(re.search(rf"(?:^|[{{,\s\"']){re.escape(p)}[\"']?\s*=", raw) for p in rest):
                return number
            best = number
    return best
