"""JSON report: versioned, sorted, complete, and free of timings unless asked."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from reviewer.model import Report
from reviewer.reporters import RenderOptions, json_report
from reviewer.scoring import ChecklistItem


def load(report: Report, checklist: tuple[ChecklistItem, ...], **kw: Any) -> dict[str, Any]:
    return json.loads(json_report.render(report, checklist, RenderOptions(**kw)))  # type: ignore[no-any-return]


def test_document_shape(report: Report, checklist: tuple[ChecklistItem, ...]) -> None:
    doc = load(report, checklist)
    assert doc["schema_version"] == json_report.SCHEMA_VERSION == 1
    assert doc["tool"] == {"name": "backend-review", "version": "0.1.0"}
    assert doc["summary"] == {
        "findings": 10,
        "suppressed": 1,
        "by_severity": {"critical": 1, "high": 3, "medium": 3, "low": 3},
    }
    assert doc["score"]["overall"] == 68.4
    sql = next(i for i in doc["score"]["items"] if i["item"] == "sql-injection")
    assert sql["costs"] == [["BR101", 10.0]] and sql["status"] == "fail"
    assert [f["code"] for f in doc["findings"]] == [f.code for f in report.findings]
    first = next(f for f in doc["findings"] if f["code"] == "BR101")
    assert first["fingerprint"] == "3f1c9a7be2d04c55"
    assert first["sources"] == ["backend-review", "bandit:B608", "ruff:S608"]
    assert first["flow"][0]["location"]["path"] == "app/views.py"
    assert first["item"] == "sql-injection" and first["severity"] == "critical"
    suppressed = [f for f in doc["findings"] if f["suppressed"]]
    assert [f["suppression_reason"] for f in suppressed] == ["test-only key"]
    assert doc["not_reviewed"] == [
        {"path": "legacy/broken.py", "reason": "syntax error: unexpected indent (line 3)"}
    ]
    assert {r["code"] for r in doc["rules"]} >= {"BR101", "BR901"}
    assert "docs" not in doc["rules"][0]


def test_routes_are_serialized_generically(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    routes = load(report, checklist)["routes"]
    first = {k: routes[0][k] for k in ("methods", "path", "handler", "file", "line")}
    assert first == {"methods": ["POST"], "path": "/orders/search", "handler": "search_orders",
                     "file": "app/views.py", "line": 11}  # fmt: skip
    assert routes[0]["auth"][0]["name"] == "flask_login.login_required"  # nested guards too
    assert routes[2]["path"] == "/health"


def test_keys_are_sorted_and_output_is_stable(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    text = json_report.render(report, checklist)
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    assert text == json_report.render(report, checklist)


def test_timings_only_when_asked(report: Report, checklist: tuple[ChecklistItem, ...]) -> None:
    plain = load(report, checklist)
    assert "timings" not in plain
    assert all("seconds" not in a for a in plain["analyzers"])
    timed = load(report, checklist, include_timings=True)
    assert timed["timings"] == {
        "total_seconds": 3.5,
        "analyzers": {"bandit": 1.25, "ruff": 0.08, "semgrep": 120.0},
    }
    slower = load(replace(report, seconds=99.0), checklist)
    assert slower == plain  # timing never changes the default document
