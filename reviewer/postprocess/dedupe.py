"""Merge the same problem reported by several sources into one finding.

Two findings merge when they have the same code, the same file, and overlapping line ranges.
A native finding is kept as the primary (it has the precise range, scope and flow); the merged
finding lists every source, so bandit's B608, ruff's S608 and our BR101 on one line are one
finding "reported by backend-review, bandit:B608, ruff:S608".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from reviewer.model import Finding

NATIVE = "backend-review"


def _overlaps(a: Finding, b: Finding) -> bool:
    return a.location.line <= b.location.end_line and b.location.line <= a.location.end_line


def _rank(finding: Finding) -> tuple[int, int, int]:
    native = 0 if NATIVE in finding.sources else 1
    return (native, -finding.confidence.rank, -finding.severity.rank)


def dedupe(findings: Iterable[Finding]) -> list[Finding]:
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
