"""The route inventory of each fixture project under fixtures/routes/ matches its written
expectation (fixtures/routes/<framework>/expected_routes.txt) exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.config import load
from reviewer.framework.inventory import inventory
from reviewer.framework.model import Guard, Route

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "routes"
PROJECTS = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected_routes.txt").is_file())


def _guards(guards: tuple[Guard, ...]) -> str:
    return ", ".join(f"{g.name}@{g.level}" for g in guards) or "-"


def describe(route: Route) -> str:
    """One line per route: what a reviewer checks in the inventory."""
    parts = [
        f"{','.join(route.methods)} {route.path} -> {route.handler} ({route.file}:{route.line})",
        f"auth: {_guards(route.auth)}",
        f"authz: {_guards(route.authorization)}",
        f"rate: {_guards(route.rate_limits)}",
        f"valid: {', '.join(route.validation) or '-'}",
        f"raw: {', '.join(route.raw_input) or '-'}",
    ]
    flags = [
        name for name, on in (("public", route.public), ("csrf-exempt", route.csrf_exempt)) if on
    ]
    if flags:
        parts.append(" ".join(flags))
    return " | ".join(parts)


def expected_lines(project: str) -> list[str]:
    text = (FIXTURES / project / "expected_routes.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("project", PROJECTS)
def test_inventory_matches_expectation(project: str) -> None:
    root = FIXTURES / project
    routes = inventory(root, load(root))
    got = [describe(r) for r in routes]
    assert got == expected_lines(project)


def test_every_framework_has_a_fixture() -> None:
    assert {"flask", "fastapi", "django", "aiohttp"} <= set(PROJECTS)
