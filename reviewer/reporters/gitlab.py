"""GitLab Code Quality report: the JSON array GitLab's merge-request widget reads.

    artifacts: {reports: {codequality: gl-code-quality-report.json}}

Format: https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format (a subset
of the Code Climate spec): description, check_name, fingerprint (unique per issue: GitLab
shows only the first issue of a fingerprint), severity (info, minor, major, critical,
blocker), location.path from the repository root and location.lines.begin.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from reviewer.model import Finding, Report, Severity
from reviewer.reporters.base import RenderOptions
from reviewer.reporters.support import one_line, repository_root
from reviewer.scoring import ChecklistItem

SEVERITY = {
    Severity.CRITICAL: "blocker",
    Severity.HIGH: "critical",
    Severity.MEDIUM: "major",
    Severity.LOW: "minor",
    Severity.INFO: "info",
}


def render(
    report: Report,
    checklist: Sequence[ChecklistItem] | None = None,
    options: RenderOptions | None = None,
) -> str:
    options = options or RenderOptions()
    _, prefix = repository_root(report.target, options.srcroot)
    issues: list[dict[str, Any]] = []
    seen: set[str] = set()
    for finding in sorted(report.active, key=lambda f: f.sort_key):
        issue = _issue(finding, prefix)
        fingerprint = issue["fingerprint"]
        n = 1
        while issue["fingerprint"] in seen:  # the same finding twice in one file
            n += 1
            issue["fingerprint"] = _digest(f"{fingerprint}:{n}")
        seen.add(issue["fingerprint"])
        issues.append(issue)
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def _issue(finding: Finding, prefix: str) -> dict[str, Any]:
    loc = finding.location
    path = loc.path or "."
    full = f"{prefix}/{path}" if prefix and path != "." else (prefix or path)
    lines: dict[str, int] = {"begin": max(loc.line, 1)}
    if loc.end_line > loc.line:
        lines["end"] = loc.end_line
    return {
        "type": "issue",
        "description": f"{finding.code}: {one_line(finding.message)}",
        "check_name": finding.code,
        "fingerprint": _digest(finding.fingerprint or f"{finding.code}:{full}:{loc.line}"),
        "severity": SEVERITY[finding.severity],
        "location": {"path": full, "lines": lines},
    }


def _digest(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()
