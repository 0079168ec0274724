"""Strict JSON reading for analyzer output: the wrong shape is an AnalyzerOutputError."""

from __future__ import annotations

import json
from typing import Any

from reviewer.analyzers.base import AnalyzerOutputError


def load_json(text: str, tool: str) -> Any:
    """Parse a whole stdout as JSON; empty or truncated output is an error, not 'no findings'."""
    if not text.strip():
        raise AnalyzerOutputError(f"{tool} printed no JSON")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnalyzerOutputError(f"{tool} printed invalid JSON: {exc}") from None


def expect(value: Any, kind: type | tuple[type, ...], what: str, tool: str) -> Any:
    if not isinstance(value, kind):
        raise AnalyzerOutputError(f"{tool} JSON: {what} has an unexpected shape")
    return value


def level(value: Any, table: dict[str, Any]) -> Any:
    """Map a tool's HIGH/MEDIUM/LOW (any case) through `table`; unknown -> None."""
    return table.get(value.strip().upper()) if isinstance(value, str) else None


def mapping(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one (for optional sub-objects)."""
    return value if isinstance(value, dict) else {}
