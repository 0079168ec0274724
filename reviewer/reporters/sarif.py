"""SARIF 2.1.0 for GitHub code scanning: one run, every result located and fingerprinted.

Follows GitHub's documented requirements and limits (shared/contracts/README.md section 5):
rules carry non-empty short/full descriptions and help, at most 10 tags, `precision` and, for
security items, a one-decimal `security-severity`; each result has exactly one location (a URI
relative to `%SRCROOT%`, the repository root) and `partialFingerprints` with GitHub's
`primaryLocationLineHash` plus our line-independent fingerprint; at most 25,000 results, worst
first. Analyzer problems and files not reviewed become tool execution notifications.
Output is indented, or compact above PRETTY_LIMIT findings (the pure-Python indenting encoder
takes seconds on 25,000 results).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from reviewer.model import Finding, Location, Report, RuleMeta, Severity
from reviewer.reporters.base import RenderOptions
from reviewer.reporters.linehash import line_hashes
from reviewer.reporters.support import (
    PROBLEM_STATUSES,
    SourceFiles,
    checklist_or_default,
    dump_json,
    one_line,
    other_sources,
    repository_root,
    severity_first,
)
from reviewer.scoring import ChecklistItem

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "backend-review"
INFORMATION_URI = "https://github.com/backend-review/backend-review"
# every rule of the catalogue has a page there (python -m reviewer.catalogue --update-docs)
RULE_DOCS_URI = INFORMATION_URI + "/blob/main/docs/rules/"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "backendReview/v1"
MAX_RESULTS = 25_000
MAX_TAGS = 10
MAX_TEXT = 1024
MAX_NAME = 255
MAX_FLOW_STEPS = 1_000
MAX_NOTIFICATIONS = 100

LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
PROBLEM_SEVERITY = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "recommendation",
    Severity.INFO: "recommendation",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}
_HEADING = re.compile(r"^#{1,6}\s*(.+?)\s*#*\s*$")


def render(
    report: Report,
    checklist: Sequence[ChecklistItem] | None = None,
    options: RenderOptions | None = None,
) -> str:
    return dump_json(build(report, checklist, options), len(report.findings))


def build(
    report: Report,
    checklist: Sequence[ChecklistItem] | None = None,
    options: RenderOptions | None = None,
) -> dict[str, Any]:
    """The SARIF log as a dict."""
    options = options or RenderOptions()
    items = {item.id: item for item in checklist_or_default(checklist)}
    srcroot, prefix = repository_root(report.target, options.srcroot)
    uris = _Uris(prefix)
    rules = list(report.rules)
    known = {rule.code for rule in rules}
    for finding in report.findings:
        if finding.code not in known:
            known.add(finding.code)
            rules.append(_unknown_rule(finding))
    index = {rule.code: i for i, rule in enumerate(rules)}

    findings = list(report.findings)
    truncated = len(findings) > MAX_RESULTS
    if truncated:
        kept = severity_first(findings)[:MAX_RESULTS]
        findings = sorted(kept, key=lambda f: f.sort_key)
    fallback = _fallback_path(report)
    hasher = _LineHasher(SourceFiles(report.target))
    results = [_result(f, index, uris, hasher, fallback) for f in findings]

    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": report.version,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(rule, items.get(rule.item)) for rule in rules],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": srcroot.as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "invocations": [_invocation(report, uris, truncated)],
        "results": results,
        "properties": {"score": report.score.overall},
    }
    if options.category:
        category = options.category.strip("/")
        run["automationDetails"] = {"id": f"{category}/"}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


class _Uris:
    """Relative, percent-encoded artifact locations under %SRCROOT%."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix

    def artifact(self, relpath: str) -> dict[str, str]:
        path = f"{self._prefix}/{relpath}" if self._prefix else relpath
        return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


class _LineHasher:
    """primaryLocationLineHash per (file, line), hashing each file once."""

    def __init__(self, sources: SourceFiles) -> None:
        self._sources = sources
        self._hashes: dict[str, dict[int, str]] = {}

    def get(self, relpath: str, line: int) -> str | None:
        if relpath not in self._hashes:
            text = self._sources.text(relpath)
            self._hashes[relpath] = line_hashes(text) if text is not None else {}
        return self._hashes[relpath].get(line)


def _fallback_path(report: Report) -> str:
    """A file to pin findings without a path to: the file with the most findings."""
    counts = Counter(f.location.path for f in report.findings if f.location.path)
    if not counts:
        return "README.md"
    return min(counts, key=lambda path: (-counts[path], path))


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _docs_section(docs: str, title: str) -> str:
    """The text of one Markdown section (e.g. 'What it does') of a rule's docs, one line."""
    lines: list[str] = []
    inside = False
    for line in docs.splitlines():
        heading = _HEADING.match(line)
        if heading:
            if inside:
                break
            inside = heading.group(1).rstrip("?").strip().lower() == title.lower()
            continue
        if inside:
            lines.append(line)
    return " ".join(" ".join(lines).split())


def _descriptor(rule: RuleMeta, item: ChecklistItem | None) -> dict[str, Any]:
    summary = one_line(rule.summary) or rule.name or rule.code
    full = _docs_section(rule.docs, "What it does") or summary
    tags: list[str] = []
    if item is not None and item.security:
        tags.append("security")
    tags.append(rule.item)
    tags.extend(f"external/cwe/cwe-{cwe:03d}" for cwe in rule.cwe)
    properties: dict[str, Any] = {
        "tags": list(dict.fromkeys(tags))[:MAX_TAGS],
        "precision": rule.confidence.value,
        "problem.severity": PROBLEM_SEVERITY[rule.severity],
    }
    if item is not None and item.security and rule.severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": _clip(rule.name or rule.code, MAX_NAME),
        "shortDescription": {"text": _clip(summary)},
        "fullDescription": {"text": _clip(full)},
        "help": {"text": rule.docs.strip() or summary, "markdown": rule.docs.strip() or summary},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": properties,
    }
    if has_rule_page(rule):
        descriptor["helpUri"] = RULE_DOCS_URI + quote(rule.code) + ".md"
    return descriptor


def has_rule_page(rule: RuleMeta) -> bool:
    """Catalogue rules (native, semgrep, meta: BR codes) have a docs/rules page; analyzer ids
    passed through (ruff:TRY003) and codes only a finding named have none."""
    return rule.code.startswith("BR") and rule.source in {"native", "semgrep", "meta"}


def _unknown_rule(finding: Finding) -> RuleMeta:
    return RuleMeta(
        code=finding.code,
        name=finding.code.lower(),
        item="other",
        severity=finding.severity,
        confidence=finding.confidence,
        summary=f"Finding reported as {finding.code}.",
    )


def _region(location: Location) -> dict[str, int]:
    line = max(location.line, 1)
    region = {"startLine": line, "startColumn": max(location.column, 1)}
    end_line = max(location.end_line, line)
    region["endLine"] = end_line
    if location.end_column > 0 and (end_line > line or location.end_column > region["startColumn"]):
        region["endColumn"] = location.end_column
    return region


def _physical(location: Location, uris: _Uris) -> dict[str, Any]:
    return {"artifactLocation": uris.artifact(location.path), "region": _region(location)}


def _result(
    finding: Finding, index: dict[str, int], uris: _Uris, hasher: _LineHasher, fallback: str
) -> dict[str, Any]:
    location = finding.location
    if not location.path or location.line < 1:
        location = Location(location.path or fallback, 1)
    fingerprints = {FINGERPRINT_KEY: finding.fingerprint or _fallback_fingerprint(finding)}
    line_hash = hasher.get(location.path, location.line)
    if line_hash is not None:
        fingerprints = {"primaryLocationLineHash": line_hash, **fingerprints}
    properties: dict[str, Any] = {
        "confidence": finding.confidence.value,
        "severity": finding.severity.value,
        "sources": list(finding.sources),
    }
    if other_sources(finding):
        properties["alsoReportedBy"] = other_sources(finding)
    if finding.project_level:
        properties["projectLevel"] = True
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": LEVEL[finding.severity],
        "message": {"text": finding.message.strip() or finding.code},
        "locations": [{"physicalLocation": _physical(location, uris)}],
        "partialFingerprints": fingerprints,
        "properties": properties,
    }
    if finding.flow:
        steps = finding.flow[:MAX_FLOW_STEPS]
        result["codeFlows"] = [
            {
                "threadFlows": [
                    {
                        "locations": [
                            {
                                "location": {
                                    "physicalLocation": _physical(step.location, uris),
                                    "message": {"text": step.message or "flow step"},
                                }
                            }
                            for step in steps
                        ]
                    }
                ]
            }
        ]
    if finding.fix is not None and not finding.project_level:
        result["fixes"] = [_fix(finding, uris)]
    if finding.suppressed:
        # a baseline file lives outside the source: SARIF calls that an external suppression
        kind = "external" if finding.suppression_reason == "baseline" else "inSource"
        suppression: dict[str, str] = {"kind": kind}
        if finding.suppression_reason:
            suppression["justification"] = finding.suppression_reason
        result["suppressions"] = [suppression]
    return result


def _fix(finding: Finding, uris: _Uris) -> dict[str, Any]:
    location = finding.location
    return {
        "description": {"text": "Suggested replacement"},
        "artifactChanges": [
            {
                "artifactLocation": uris.artifact(location.path),
                "replacements": [
                    {
                        "deletedRegion": {"startLine": location.line, "endLine": location.end_line},
                        "insertedContent": {"text": finding.fix or ""},
                    }
                ],
            }
        ],
    }


def _fallback_fingerprint(finding: Finding) -> str:
    key = "\0".join((finding.code, finding.location.path, finding.scope, finding.snippet))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _invocation(report: Report, uris: _Uris, truncated: bool) -> dict[str, Any]:
    notifications: list[dict[str, Any]] = []
    for run in report.analyzers:
        if run.status in PROBLEM_STATUSES:
            detail = f": {one_line(run.message)}" if run.message.strip() else ""
            notifications.append(
                {
                    "level": "warning" if run.status == "missing" else "error",
                    "message": {"text": f"{run.name} {run.status}{detail}"},
                    "descriptor": {"id": f"analyzer-{run.status}"},
                }
            )
        for path in run.not_covered:
            text = f"{run.name} could not analyze this file"
            notifications.append(_file_note(uris, path, text, "file-not-analyzed"))
    for setting, source in report.switched_off:
        # the reviewed checkout's own config hid something: said, never silent (issue 18)
        notifications.append(
            {
                "level": "warning",
                "message": {"text": f"switched off by the reviewed checkout ({source}): {setting}"},
                "descriptor": {"id": "config-switched-off"},
            }
        )
    for path, reason in report.not_reviewed:
        text = f"not reviewed: {one_line(reason)}"
        notifications.append(_file_note(uris, path, text, "file-not-reviewed"))
    if len(notifications) > MAX_NOTIFICATIONS:
        dropped = len(notifications) - MAX_NOTIFICATIONS + 1
        notifications = notifications[: MAX_NOTIFICATIONS - 1]
        notifications.append(
            {"level": "note", "message": {"text": f"{dropped} more notifications omitted"}}
        )
    if truncated:
        notifications.append(
            {
                "level": "warning",
                "message": {
                    "text": f"{len(report.findings)} results found; only the {MAX_RESULTS} "
                    "most severe are included (GitHub's limit per run)"
                },
            }
        )
    failed = any(run.status in {"failed", "timeout"} for run in report.analyzers)
    return {"executionSuccessful": not failed, "toolExecutionNotifications": notifications}


def _file_note(uris: _Uris, path: str, text: str, kind: str) -> dict[str, Any]:
    return {
        "level": "warning",
        "message": {"text": text},
        "locations": [{"physicalLocation": {"artifactLocation": uris.artifact(path)}}],
        "descriptor": {"id": kind},
    }
