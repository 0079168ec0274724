"""The paired taint fixtures, reviewed by backend-review itself: exact findings, current figures.

Lines marked `# expect: CODE` are true positives the rules must report; lines marked
`# ok: CODE` are near misses (sanitized, constant, validated, reassigned data) they must not.
The review is benchmarks/taint_accuracy.py's (a `backend-review` subprocess over fixtures/taint,
analyzers included), so the figures it publishes in docs/taint-accuracy.md and the README are the
production path's, and this test fails when they are stale.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from reviewer.registry import native_rule_classes

ROOT = Path(__file__).resolve().parents[2]
# Flows the rules are known to miss or over-report (fixtures/taint/hard): counted in the rates,
# excluded from the exact comparison. Remove an entry when the engine learns the flow.
KNOWN_GAPS = {
    ("BR102", "hard/known_gaps.py", 30): "*args parameters",
    ("BR108", "hard/known_gaps.py", 55): "module-level dict written by one view, read by another",
    # BR101 follows flows within one module (it runs in phase 1, see its class comment).
    ("BR101", "sql/helpers.py", 11): "shape-only finding (medium): callers in another module "
    "pass int()",
    ("BR101", "sql/helpers.py", 15): "whole query built in another module and passed in",
}


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "taint_accuracy", ROOT / "benchmarks" / "taint_accuracy.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


SCRIPT = _script()


@cache
def _measured() -> Any:
    return SCRIPT.measure()


def test_taint_fixtures_exact() -> None:
    m = _measured()
    taint_rules = {cls.code for cls in native_rule_classes() if cls.taint_kinds}
    assert taint_rules <= set(m.codes), "every taint rule has annotated fixtures"
    got, expected = set(m.got), set(m.expected)
    gaps = set(KNOWN_GAPS)
    assert (got - expected) - gaps == set(), f"unexpected: {sorted(got - expected)}"
    assert (expected - got) - gaps == set(), f"missed: {sorted(expected - got)}"
    fixed = {g for g in gaps if (g in expected) == (g in got)}
    assert not fixed, f"known gaps now handled, remove them from KNOWN_GAPS: {sorted(fixed)}"


def test_published_figures_are_the_production_runs() -> None:
    rates = SCRIPT.table(_measured())
    print("\n" + rates)
    doc = (ROOT / "docs" / "taint-accuracy.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    hint = "stale: run `python3 benchmarks/taint_accuracy.py`"
    assert doc == SCRIPT.doc_text(rates), hint
    assert readme == SCRIPT.readme_text(readme, rates), hint
