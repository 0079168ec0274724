"""The sample services under fixtures/, reviewed end to end with the real analyzers.

Each offending line of a fixture ends with `# expect: CODE`, each near miss with `# ok: CODE`;
a real run of the whole pipeline must report exactly the expected (code, path, line) triples.
The clean service must produce no finding at all. Every code is compared, external passthrough
ids (`ruff:E722`) included: a fixture must not contain code that only an unclaimed analyzer id
would report, since annotations only name catalogue codes.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from reviewer import engine
from reviewer.config import load as load_config
from reviewer.model import Report
from reviewer.registry import Registry
from reviewer.registry import load as load_registry
from reviewer.testing import Expectation, tree_annotations, triples

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SERVICES = (
    "flask_service",
    "fastapi_service",
    "django_service",
    "aiohttp_service",
    "litestar_service",
)
CLEAN = "clean_service"


@dataclass(frozen=True)
class Reviewed:
    root: Path
    report: Report
    registry: Registry
    expected: frozenset[Expectation]
    near_misses: frozenset[Expectation]

    def got(self) -> set[Expectation]:
        return triples(self.report.active)

    def want(self) -> set[Expectation]:
        return set(self.expected)


@cache
def reviewed(name: str) -> Reviewed:
    """One real run per fixture per test session (the analyzers take a few seconds)."""
    root = FIXTURES / name
    config = load_config(root)
    registry = load_registry(config)
    report = engine.review(root, config, registry=registry)
    expected, near = tree_annotations(root)
    return Reviewed(root, report, registry, frozenset(expected), frozenset(near))


def _existing(names: tuple[str, ...]) -> list[str]:
    return [n for n in names if (FIXTURES / n).is_dir()]


def _describe(run: Reviewed, triple: Expectation) -> str:
    code, path, line = triple
    text = ""
    with contextlib.suppress(OSError, IndexError, UnicodeDecodeError):
        text = (run.root / path).read_text(encoding="utf-8").splitlines()[line - 1].strip()
    messages = [
        f"{f.message[:110]} [{', '.join(f.sources)}]"
        for f in run.report.active
        if (f.code, f.location.path, f.location.line) == triple
    ]
    near = "  (marked `# ok`)" if triple in run.near_misses else ""
    detail = f"\n        -> {messages[0]}" if messages else ""
    return f"  {code} {path}:{line}{near}\n        {text[:110]}{detail}"


def _diff(run: Reviewed, got: set[Expectation], want: set[Expectation]) -> str:
    key = lambda t: (t[1], t[2], t[0])  # noqa: E731
    missing = sorted(want - got, key=key)
    unexpected = sorted(got - want, key=key)
    parts = []
    if missing:
        parts.append(f"missing ({len(missing)}):\n" + "\n".join(_describe(run, t) for t in missing))
    if unexpected:
        parts.append(
            f"unexpected ({len(unexpected)}):\n" + "\n".join(_describe(run, t) for t in unexpected)
        )
    return "\n".join(parts)


@pytest.mark.parametrize("name", _existing(SERVICES))
def test_fixture_findings_match_annotations(name: str) -> None:
    run = reviewed(name)
    got, want = run.got(), run.want()
    assert got == want, f"{name}: findings differ from the annotations\n" + _diff(run, got, want)


@pytest.mark.parametrize("name", _existing(SERVICES))
def test_fixture_marks_every_kind_of_problem(name: str) -> None:
    """A fixture is only useful when it has offending lines and near misses to test against."""
    run = reviewed(name)
    assert len({code for code, _, _ in run.expected}) >= 10
    assert len(run.near_misses) >= 5


@pytest.mark.parametrize("name", [*_existing(SERVICES), CLEAN])
def test_fixture_is_fully_reviewed(name: str) -> None:
    run = reviewed(name)
    files = sorted(p.relative_to(run.root).as_posix() for p in run.root.rglob("*.py"))
    problems = [f for f in run.report.findings if f.code in ("BR901", "BR902")]
    assert not problems, [(f.code, f.location.path, f.message) for f in problems]
    assert run.report.not_reviewed == ()
    assert run.report.files_reviewed == len(files)
    assert {a.name: a.status for a in run.report.analyzers} == {
        "bandit": "ok",
        "ruff": "ok",
        "semgrep": "ok",
    }
    assert all(a.not_covered == () for a in run.report.analyzers)


def test_clean_service_has_no_findings() -> None:
    run = reviewed(CLEAN)
    assert not run.expected and not run.near_misses, "the clean service carries no annotations"
    found = sorted((f.code, f.location.path, f.location.line) for f in run.report.findings)
    assert found == [], "the clean service must be silent:\n" + _diff(run, set(found), set())
    assert run.report.score.overall is None or run.report.score.overall == 100


_LOOSE = re.compile(r"#\s*(expect|ok)\b")


@pytest.mark.parametrize("name", [*_existing(SERVICES), CLEAN])
def test_annotations_are_well_formed(name: str) -> None:
    """A typo in an annotation (`# expect BR101`, `# expect: br101`) would silently test nothing."""
    from reviewer.testing import read_annotations

    bad = []
    for path in sorted((FIXTURES / name).rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _LOOSE.search(line) and not any(read_annotations(line, "x")):
                bad.append(f"{path.relative_to(FIXTURES)}:{number}: {line.strip()}")
    assert not bad, "\n".join(bad)


def test_fixtures_exercise_every_rule() -> None:
    """Every rule in the catalogue has at least one offending line in a realistic service."""
    registry = load_registry(load_config(FIXTURES / CLEAN))
    codes = {meta.code for meta in registry.all if meta.source != "meta"}
    marked: set[str] = set()
    for name in _existing(SERVICES):
        marked |= {code for code, _, _ in tree_annotations(FIXTURES / name)[0]}
    assert sorted(codes - marked) == []
