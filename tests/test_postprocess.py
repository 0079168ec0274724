"""Dedupe across sources, inline suppressions, line-independent fingerprints."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from reviewer.config import Config
from reviewer.model import Confidence, Finding, Location, Severity
from reviewer.postprocess.dedupe import dedupe
from reviewer.postprocess.fingerprint import fingerprint_all
from reviewer.postprocess.suppression import apply_suppressions, find_suppressions
from reviewer.registry import load


def finding(code: str, line: int, source: str = "backend-review", end: int = 0, **kw) -> Finding:
    return Finding(
        code=code,
        message=kw.pop("message", "m"),
        location=Location("app.py", line, 1, end or line),
        severity=Severity.HIGH,
        confidence=kw.pop("confidence", Confidence.HIGH),
        sources=(source,),
        **kw,
    )


def test_same_problem_from_three_sources_is_one_finding() -> None:
    merged = dedupe(
        [
            finding("BR101", 10, "bandit:B608"),
            finding("BR101", 9, end=11),
            finding("BR101", 10, "ruff:S608"),
            finding("BR101", 20, "ruff:S608"),
            finding("BR201", 10, "ruff:S105"),
        ]
    )
    assert [(f.code, f.location.line, f.sources) for f in merged] == [
        ("BR101", 9, ("backend-review", "bandit:B608", "ruff:S608")),
        ("BR201", 10, ("ruff:S105",)),
        ("BR101", 20, ("ruff:S608",)),
    ]


def test_suppression_comment_forms() -> None:
    lines = [
        "x = 1  # backend-review: ignore[BR101] legacy query, reviewed",
        "# backend-review: ignore[BR201, BR202]",
        "y = 2",
        "z = 3  # backend-review: ignore",
        's = "# backend-review is a tool"',
    ]
    sups = find_suppressions("app.py", lines)
    assert [(s.line, s.target, s.codes, s.reason) for s in sups] == [
        (1, 1, ("BR101",), "legacy query, reviewed"),
        (2, 3, ("BR201", "BR202"), ""),
        (4, 4, (), ""),
    ]


def test_apply_suppressions_marks_and_reports_unused() -> None:
    registry = load(Config(root=Path(".")))
    lines = {
        "app.py": [
            "a = 1",
            "cur.execute(q)  # backend-review: ignore[BR101] checked by hand",
            "b = 2  # backend-review: ignore[BR201]",
            "c = 3  # backend-review: ignore",
        ]
    }
    result = apply_suppressions(
        [finding("BR101", 2), finding("BR101", 1)],
        lines,
        [("app.py", ("BR999",))],
        registry,
    )
    by_line = {(f.code, f.location.line): f for f in result}
    assert by_line[("BR101", 2)].suppressed
    assert by_line[("BR101", 2)].suppression_reason == "checked by hand"
    assert not by_line[("BR101", 1)].suppressed
    assert {k for k in by_line if k[0] == "BR903"} == {("BR903", 3), ("BR903", 4)}


def test_per_path_ignores_suppress_matching_findings() -> None:
    registry = load(Config(root=Path(".")))
    result = apply_suppressions(
        [finding("BR101", 1)], {"app.py": ["x"]}, [("*.py", ("BR1",))], registry
    )
    assert result[0].suppressed and "per-path-ignores" in result[0].suppression_reason


def test_fingerprints_ignore_line_numbers_but_count_copies() -> None:
    a = finding("BR101", 5, scope="views.search", snippet="cur.execute(f'...{q}')")
    moved = replace(a, location=Location("app.py", 50))
    [fa] = fingerprint_all([a])
    [fm] = fingerprint_all([moved])
    assert fa.fingerprint == fm.fingerprint
    copies = fingerprint_all([a, replace(a, location=Location("app.py", 9))])
    assert len({f.fingerprint for f in copies}) == 2
    other_scope = fingerprint_all([replace(a, scope="views.other")])
    assert other_scope[0].fingerprint != fa.fingerprint


def test_unclaimed_analyzer_finding_folds_into_rule_of_same_item() -> None:
    items = {"BR203": "secrets", "bandit:B324": "secrets", "bandit:B602": "injection"}
    merged = dedupe(
        [
            finding("BR203", 25),
            finding("bandit:B324", 25, "bandit:B324"),
            finding("bandit:B602", 25, "bandit:B602"),
            finding("bandit:B324", 30, "bandit:B324"),
        ],
        items,
    )
    assert [(f.code, f.location.line, f.sources) for f in merged] == [
        ("BR203", 25, ("backend-review", "bandit:B324")),
        ("bandit:B602", 25, ("bandit:B602",)),
        ("bandit:B324", 30, ("bandit:B324",)),
    ]


def test_a_severity_override_changes_the_finding_and_the_score_exactly_once(tmp_path: Path) -> None:
    """`severity: {BR101: low}`: the rule, its finding and its cost are low, once (a second
    application, or none, would show as another severity or another cost)."""
    import math

    from reviewer.config import load as load_config
    from reviewer.engine import review
    from reviewer.scoring import SCALE_K, finding_cost

    (tmp_path / "app.py").write_text(  # a flow from request data: a high finding by default
        "import sqlite3\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
        "@app.get('/s')\ndef search() -> list[str]:\n"
        "    term = request.args['q']\n"
        "    db = sqlite3.connect('x.db')\n"
        "    return db.execute(f\"SELECT * FROM t WHERE n = '{term}'\").fetchall()\n"
    )
    off = "analyzers: {bandit: false, ruff: false, semgrep: false}\n"
    (tmp_path / ".backend-review.yml").write_text(off + "severity: {BR101: low}\n")
    low = review(tmp_path, load_config(tmp_path))
    (tmp_path / ".backend-review.yml").write_text(off)
    default = review(tmp_path, load_config(tmp_path))

    def br101(report):  # type: ignore[no-untyped-def]
        return [f for f in report.findings if f.code == "BR101"]

    assert [f.severity for f in br101(default)] == [Severity.HIGH]
    assert [f.severity for f in br101(low)] == [Severity.LOW]
    assert next(m for m in low.rules if m.code == "BR101").severity == Severity.LOW
    item = next(i for i in low.score.items if i.item == "sql-injection")
    expected = 100.0 * math.exp(-finding_cost(br101(low)[0]) / SCALE_K)
    assert item.score is not None and math.isclose(item.score, round(expected, 1), abs_tol=0.05)


def test_javascript_suppressions_use_slash_comments() -> None:
    lines = [
        'app.delete("/x", h); // backend-review: ignore[BR301] internal network only',
        "// backend-review: ignore[BR301, BR803]",
        'app.post("/y", h);',
        'app.put("/z", h); /* backend-review: ignore[BR301] admin tool */',
        'const s = "# backend-review: ignore[BR301]";',
    ]
    sups = find_suppressions("src/app.ts", lines)
    assert [(s.line, s.target, s.codes, s.reason) for s in sups] == [
        (1, 1, ("BR301",), "internal network only"),
        (2, 3, ("BR301", "BR803"), ""),
        (4, 4, ("BR301",), "admin tool"),
    ]
    # a Python file keeps `#` only: `//` there is floor division, not a comment
    assert find_suppressions("app.py", ["x = a // backend-review: ignore[BR101]"]) == []
