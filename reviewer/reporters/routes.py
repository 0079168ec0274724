"""Render the route inventory as a terminal table, JSON or Markdown."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from reviewer.service import Guard, Route

COLUMNS = (
    "method",
    "path",
    "handler",
    "auth",
    "authorization",
    "validation",
    "rate limit",
    "tests",
)
FORMATS = ("table", "json", "markdown")


def _guards(guards: Sequence[Guard]) -> str:
    return ", ".join(f"{g.name} ({g.level})" for g in guards)


def row(route: Route) -> dict[str, str]:
    """One route as the display strings of the inventory columns."""
    auth = _guards(route.auth) or ("public" if route.public else "none")
    if route.validation:
        validation = ", ".join(route.validation)
    elif route.raw_input:
        validation = "raw: " + ", ".join(route.raw_input)
    else:
        validation = "-"
    return {
        "method": ",".join(route.methods),
        "path": route.path,
        "handler": f"{route.handler} ({route.file}:{route.line})",
        "auth": auth,
        "authorization": _guards(route.authorization) or "none",
        "validation": validation,
        "rate limit": _guards(route.rate_limits) or "none",
        "tests": ", ".join(route.tests) or "-",
    }


def route_json(route: Route) -> dict[str, Any]:
    data = asdict(route)
    data["label"] = route.label()
    return data


def render_routes(routes: Sequence[Route], fmt: str = "table") -> str:
    """The inventory in `fmt` (table | json | markdown); output is deterministic."""
    if fmt == "json":
        return json.dumps([route_json(r) for r in routes], indent=2, sort_keys=True) + "\n"
    if fmt == "markdown":
        return markdown(routes)
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    table = Table(title=f"Routes ({len(routes)})", show_lines=False)
    for column in COLUMNS:
        table.add_column(column, overflow="fold")
    for route in routes:
        values = row(route)
        # Text, not str: names come from the reviewed code and must never be read as rich markup
        table.add_row(*(Text(values[c]) for c in COLUMNS))
    buffer = io.StringIO()
    Console(file=buffer, width=200, color_system=None, force_terminal=False).print(table)
    return buffer.getvalue()


def markdown(routes: Sequence[Route]) -> str:
    """A GitHub-flavoured Markdown table of the inventory (also used by the Markdown report)."""
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for route in routes:
        values = row(route)
        cells = [values[c].replace("|", "\\|") for c in COLUMNS]
        cells[1] = f"`{cells[1]}`"
        lines.append("| " + " | ".join(cells) + " |")
    if not routes:
        lines.append("| " + " | ".join(["-"] * len(COLUMNS)) + " |")
    return "\n".join(lines) + "\n"
