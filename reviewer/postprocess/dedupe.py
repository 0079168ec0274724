"""Merge the same problem reported by several sources into one finding.

Two findings merge when they have the same code, the same file, and overlapping line ranges.
A native finding is kept as the primary (it has the precise range, scope and flow); the merged
finding lists every source, so bandit's B608, ruff's S608 and our BR101 on one line are one
finding "reported by backend-review, bandit:B608, ruff:S608".

An analyzer finding that no rule claims (kept under its own id, e.g. `bandit:B324` for MD5) is
folded into a rule's finding of the same checklist item on the same lines: BR203 "weak password
hash" and bandit's "MD5 used" on one line are one problem, seen twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace

from reviewer.model import Finding

NATIVE = "backend-review"


def _overlaps(a: Finding, b: Finding) -> bool:
    return a.location.line <= b.location.end_line and b.location.line <= a.location.end_line


def _rank(finding: Finding) -> tuple[int, int, int]:
    native = 0 if NATIVE in finding.sources else 1
    return (native, -finding.confidence.rank, -finding.severity.rank)


def dedupe(findings: Iterable[Finding], items: Mapping[str, str] | None = None) -> list[Finding]:
    """Merge same-code duplicates, then fold passthrough findings into rule findings."""
    merged = _merge_same_code(findings)
    return _fold_passthrough(merged, items) if items else merged


def _fold_passthrough(findings: list[Finding], items: Mapping[str, str]) -> list[Finding]:
    rules = [f for f in findings if ":" not in f.code and not f.project_level]
    result: list[Finding] = []
    folded: dict[int, Finding] = {}
    for finding in findings:
        if ":" in finding.code and not finding.project_level:
            item = items.get(finding.code)
            target = next(
                (
                    i
                    for i, rule in enumerate(rules)
                    if rule.location.path == finding.location.path
                    and items.get(rule.code) == item
                    and rule.location.line == finding.location.line
                ),
                None,
            )
            if item is not None and target is not None:
                base = folded.get(target, rules[target])
                sources = tuple(dict.fromkeys([*base.sources, *finding.sources]))
                folded[target] = replace(base, sources=sources)
                continue
        result.append(finding)
    replaced = {id(rules[i]): f for i, f in folded.items()}
    return sorted((replaced.get(id(f), f) for f in result), key=lambda f: f.sort_key)


def _merge_same_code(findings: Iterable[Finding]) -> list[Finding]:
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[(finding.code, finding.location.path)].append(finding)
    result: list[Finding] = []
    for members in groups.values():
        merged: list[Finding] = []
        for finding in sorted(members, key=_rank):
            for index, kept in enumerate(merged):
                if (
                    not kept.project_level
                    and not finding.project_level
                    and _overlaps(kept, finding)
                ):
                    sources = tuple(dict.fromkeys([*kept.sources, *finding.sources]))
                    merged[index] = replace(kept, sources=sources)
                    break
            else:
                merged.append(finding)
        result.extend(merged)
    return sorted(result, key=lambda f: f.sort_key)
