"""The route inventory of each fixture project matches its written expectation exactly: the
per-framework projects under fixtures/routes/<framework>/ and the realistic sample services
fixtures/<name>_service/, each with an expected_routes.txt checked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.config import load
from reviewer.framework.inventory import inventory
from reviewer.service import Guard, Route

ALL_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FIXTURES = ALL_FIXTURES / "routes"
PROJECTS = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected_routes.txt").is_file())
SERVICES = sorted(p.name for p in ALL_FIXTURES.glob("*_service"))


def _guards(guards: tuple[Guard, ...]) -> str:
    """`name@level`, then `[kind]` for a capability credential (Guard.capability)."""
    return (
        ", ".join(
            f"{g.name}@{g.level}" + (f"[{g.capability}]" if g.capability else "") for g in guards
        )
        or "-"
    )


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


def expected_lines(root: Path) -> list[str]:
    text = (root / "expected_routes.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize(
    "root",
    [FIXTURES / p for p in PROJECTS] + [ALL_FIXTURES / s for s in SERVICES],
    ids=PROJECTS + SERVICES,
)
def test_inventory_matches_expectation(root: Path) -> None:
    routes = inventory(root, load(root))
    got = [describe(r) for r in routes]
    assert got == expected_lines(root)


def test_every_framework_has_a_fixture() -> None:
    assert {"flask", "fastapi", "django", "aiohttp"} <= set(PROJECTS)
