"""benchmarks/precision.py: matching findings to audit entries and the per-rule figures, on
synthetic findings (no corpus checkout, no review run)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


precision = _load("bench_precision", BENCH / "precision.py")


def finding(rule: str, path: str, line: int, snippet: str = "", **extra: Any) -> dict[str, Any]:
    return {"rule": rule, "path": path, "line": line, "snippet": snippet, "severity": "high",
            "confidence": "high", "message": "m", **extra}  # fmt: skip


def entry(rule: str, path: str, line: int, verdict: str, snippet: str = "") -> dict[str, Any]:
    return {"rule": rule, "path": path, "line": line, "snippet": snippet, "verdict": verdict,
            "reason": "r"}  # fmt: skip


def test_exact_line_then_moved_snippet_then_new() -> None:
    audit = [
        entry("BR101", "a.py", 10, "tp", "db.execute(q)"),
        entry("BR101", "a.py", 40, "fp", "cur.execute(  s )"),
        entry("BR103", "b.py", 5, "tp", "open(p)"),
    ]
    found = [
        finding("BR101", "a.py", 10, "db.execute(q)"),
        finding("BR101", "a.py", 44, "cur.execute( s )"),  # moved 4 lines, same text
        finding("BR101", "a.py", 70, "other()"),  # not audited
    ]
    result = precision.match(found, audit)
    assert [(f["line"], e["line"]) for f, e in result.matched] == [(10, 10), (44, 40)]
    assert [f["line"] for f in result.new] == [70]
    assert [(e["rule"], e["line"]) for e in result.lost] == [("BR103", 5)]  # a tp gone


def test_a_snippet_never_matches_another_rule_or_file() -> None:
    audit = [entry("BR101", "a.py", 10, "tp", "x()")]
    result = precision.match(
        [finding("BR103", "a.py", 12, "x()"), finding("BR101", "c.py", 10, "x()")], audit
    )
    assert result.matched == [] and len(result.new) == 2


def test_per_rule_precision_leaves_debatable_out_of_the_ratio() -> None:
    audit = {
        "scope": ["BR1"],
        "exclude": ["BR199"],
        "findings": [
            entry("BR101", "a.py", 1, "tp"),
            entry("BR101", "a.py", 2, "fp"),
            entry("BR101", "a.py", 3, "debatable"),
            entry("BR102", "a.py", 4, "tp"),
        ],
    }
    found = [finding("BR101", "a.py", n) for n in (1, 2, 3)] + [
        finding("BR102", "a.py", 4),
        finding("BR199", "a.py", 9),  # excluded from the audit's scope
        finding("BR201", "a.py", 9),  # outside the scope
    ]
    scored = precision.score_app("demo", found, audit)
    assert scored["findings_in_scope"] == 4
    assert scored["by_rule"]["BR101"]["precision"] == 0.5
    assert scored["by_rule"]["BR101"]["debatable"] == 1
    assert scored["overall"]["precision"] == round(2 / 3, 3)
    total = precision.combined([scored])
    assert total["overall"]["tp"] == 2 and total["overall"]["new"] == 0
    assert "| BR101 | 1 | 1 | 1 | 50 % | 0 | 0 |" in precision.markdown(total)
