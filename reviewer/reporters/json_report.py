"""The machine-readable report: a versioned, byte-stable JSON document.

Keys are sorted and lists keep the Report's order, so two reviews of the same code give the
same bytes (indented; compact above PRETTY_LIMIT findings, for speed). Wall-clock seconds appear only with `include_timings` (under "timings").
Bump SCHEMA_VERSION on any change that removes or renames a key. Every key is written from a
typed field of the Report, so the schema version covers all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reviewer.model import AnalyzerRun, Finding, Location, Report, RouteChanges, RuleMeta
from reviewer.reporters.base import RenderOptions
from reviewer.reporters.support import (
    checklist_or_default,
    dump_json,
    rules_by_code,
    severity_counts,
    to_jsonable,
)
from reviewer.scoring import ChecklistItem

SCHEMA_VERSION = 1
TOOL_NAME = "backend-review"


def render(
    report: Report,
    checklist: Sequence[ChecklistItem] | None = None,
    options: RenderOptions | None = None,
) -> str:
    document = build(report, checklist, options)
    return dump_json(document, len(report.findings), sort_keys=True)


def build(
    report: Report,
    checklist: Sequence[ChecklistItem] | None = None,
    options: RenderOptions | None = None,
) -> dict[str, Any]:
    """The JSON document as a dict (for callers that embed it)."""
    options = options or RenderOptions()
    items = checklist_or_default(checklist)
    rules = rules_by_code(report)
    active = report.active
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": report.version},
        "target": report.target,
        "files_reviewed": report.files_reviewed,
        "summary": {
            "findings": len(active),
            "suppressed": len(report.findings) - len(active),
            "by_severity": severity_counts(active),
        },
        "score": {
            "overall": report.score.overall,
            "items": [to_jsonable(item) for item in report.score.items],
        },
        "checklist": [to_jsonable(item) for item in items],
        "findings": [_finding(f, rules.get(f.code)) for f in report.findings],
        "rules": [_rule(rule) for rule in report.rules],
        "analyzers": [_analyzer(run) for run in report.analyzers],
        "not_reviewed": [{"path": path, "reason": reason} for path, reason in report.not_reviewed],
        "switched_off": [
            {"setting": setting, "file": source} for setting, source in report.switched_off
        ],
        "routes": [to_jsonable(route) for route in report.routes],
        "extra": _scope(report),
    }
    if options.include_timings:
        document["timings"] = {
            "total_seconds": report.seconds,
            "analyzers": {run.name: run.seconds for run in report.analyzers},
        }
    return document


def _location(location: Location) -> dict[str, Any]:
    data: dict[str, Any] = to_jsonable(location)
    return data


def _finding(finding: Finding, rule: RuleMeta | None) -> dict[str, Any]:
    return {
        "code": finding.code,
        "rule": rule.name if rule else None,
        "item": rule.item if rule else None,
        "message": finding.message,
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        "location": _location(finding.location),
        "sources": list(finding.sources),
        "scope": finding.scope,
        "snippet": finding.snippet,
        "fingerprint": finding.fingerprint,
        "flow": [
            {"location": _location(step.location), "message": step.message} for step in finding.flow
        ],
        "fix": finding.fix,
        "project_level": finding.project_level,
        "suppressed": finding.suppressed,
        "suppression_reason": finding.suppression_reason,
        "extra": {str(key): to_jsonable(value) for key, value in finding.extra},
        "redact": finding.redact,
    }


def _scope(report: Report) -> dict[str, Any]:
    """The review's measures and a diff or baseline run's scope, under the schema's "extra" key
    (its name from schema 1; each key is written from a typed Report field, only when set)."""
    data: dict[str, Any] = {}
    if report.applicable:
        data["applicable"] = dict(report.applicable)
    if report.route_coverage is not None:
        data["route_coverage"] = to_jsonable(report.route_coverage)
    if report.baseline is not None:
        data["baseline"] = to_jsonable(report.baseline)
    if report.diff is not None:
        data["diff"] = to_jsonable(report.diff)
    if report.route_changes is not None:
        data["route_changes"] = route_changes_json(report.route_changes)
    if report.new_code is not None:
        data["new_code_score"] = report.new_code.overall
        data["new_code_items"] = dict(report.new_code.items)
    return data


def route_changes_json(changes: RouteChanges) -> dict[str, Any]:
    """`extra.route_changes`: a changed route is the route's keys plus its "changes"."""
    return {
        "base": changes.base,
        "ref": changes.ref,
        "available": changes.available,
        "reason": changes.reason,
        "added": [to_jsonable(route) for route in changes.added],
        "removed": [to_jsonable(route) for route in changes.removed],
        "changed": [
            {**to_jsonable(item.route), "changes": to_jsonable(item.changes)}
            for item in changes.changed
        ],
    }


def _rule(rule: RuleMeta) -> dict[str, Any]:
    data: dict[str, Any] = to_jsonable(rule)
    data.pop("docs", None)  # long Markdown; `backend-review explain CODE` shows it
    return data


def _analyzer(run: AnalyzerRun) -> dict[str, Any]:
    data: dict[str, Any] = to_jsonable(run)
    data.pop("seconds", None)  # timing lives under "timings" when asked for
    return data
