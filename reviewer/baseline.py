"""Baselines: accept the findings a project already has, report only new ones, ratchet down.

A baseline file records, per *baseline key*, how many findings it holds. The key is the
finding's fingerprint without its occurrence index: sha256(code, path, scope, normalized
snippet) (the message for project-level findings). It has no line numbers, so moving code or
adding lines above a finding keeps it known; counting per key (as ESLint's suppressions do)
means a new copy of an old problem exceeds the count and is reported as new.

File format (version 1, sorted, so diffs and merges stay small)::

    {"version": 1, "tool": "backend-review",
     "entries": [{"key": "...", "code": "BR101", "path": "app.py", "scope": "create_user",
                  "count": 1}, ...]}

No snippets or messages are stored: a snippet may hold the secret a rule found.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reviewer.model import Finding
from reviewer.postprocess.fingerprint import normalize_snippet

VERSION = 1
TOOL = "backend-review"
DEFAULT_FILE = ".backend-review-baseline.json"
REASON = "baseline"


class BaselineError(Exception):
    """The baseline file is missing, unreadable or of an unknown version."""


@dataclass(frozen=True)
class Entry:
    key: str
    code: str
    path: str
    scope: str
    count: int


@dataclass(frozen=True)
class Baseline:
    entries: tuple[Entry, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        return {e.key: e.count for e in self.entries}

    @property
    def total(self) -> int:
        return sum(e.count for e in self.entries)


@dataclass(frozen=True)
class Applied:
    """The result of matching a report's findings against a baseline."""

    findings: tuple[Finding, ...]  # known ones marked suppressed with reason "baseline"
    matched: int  # findings hidden by the baseline
    new: int  # active findings the baseline does not cover
    stale: dict[str, int] = field(default_factory=dict)  # key -> how many are gone

    @property
    def can_shrink(self) -> int:
        return sum(self.stale.values())


def baseline_key(finding: Finding) -> str:
    """The line-independent identity of a finding, shared by its copies in one scope."""
    snippet = finding.message if finding.project_level else normalize_snippet(finding.snippet)
    parts = (finding.code, finding.location.path, finding.scope, snippet)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


def _active(findings: Iterable[Finding]) -> list[Finding]:
    return sorted((f for f in findings if not f.suppressed), key=lambda f: f.sort_key)


def create(findings: Iterable[Finding]) -> Baseline:
    """A baseline holding every unsuppressed finding."""
    counts: Counter[str] = Counter()
    first: dict[str, Finding] = {}
    for finding in _active(findings):
        key = baseline_key(finding)
        counts[key] += 1
        first.setdefault(key, finding)
    entries = [
        Entry(key, first[key].code, first[key].location.path, first[key].scope, n)
        for key, n in counts.items()
    ]
    return Baseline(tuple(sorted(entries, key=lambda e: (e.path, e.code, e.scope, e.key))))


def apply(findings: Iterable[Finding], baseline: Baseline) -> Applied:
    """Suppress up to `count` findings per key (file order); the rest are new."""
    remaining = dict(baseline.counts)
    result: list[Finding] = []
    matched = new = 0
    for finding in sorted(findings, key=lambda f: f.sort_key):
        if finding.suppressed:
            result.append(finding)
            continue
        key = baseline_key(finding)
        if remaining.get(key, 0) > 0:
            remaining[key] -= 1
            matched += 1
            result.append(replace(finding, suppressed=True, suppression_reason=REASON))
        else:
            new += 1
            result.append(finding)
    stale = {key: n for key, n in sorted(remaining.items()) if n > 0}
    return Applied(tuple(result), matched, new, stale)


def update(
    baseline: Baseline, findings: Iterable[Finding], *, allow_growth: bool = False
) -> Baseline:
    """Ratchet: counts only go down (to what is still there), unless `allow_growth`."""
    current = create(findings)
    if allow_growth:
        return current
    now = current.counts
    kept = [replace(e, count=min(e.count, now.get(e.key, 0))) for e in baseline.entries]
    return Baseline(tuple(e for e in kept if e.count > 0))


# --------------------------------------------------------------------------- file


def to_json(baseline: Baseline) -> str:
    data: dict[str, Any] = {
        "version": VERSION,
        "tool": TOOL,
        "entries": [
            {"key": e.key, "code": e.code, "path": e.path, "scope": e.scope, "count": e.count}
            for e in baseline.entries
        ],
    }
    return json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def from_json(text: str, where: str = "baseline") -> Baseline:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BaselineError(f"{where}: not valid JSON ({exc})") from None
    if not isinstance(data, Mapping) or data.get("version") != VERSION:
        version = data.get("version") if isinstance(data, Mapping) else None
        raise BaselineError(
            f"{where}: unsupported baseline version {version!r} (expected {VERSION}); "
            "recreate it with `backend-review baseline create`"
        )
    raw = data.get("entries")
    if not isinstance(raw, list):
        raise BaselineError(f"{where}: `entries` must be a list")
    entries = []
    for item in raw:
        if not isinstance(item, Mapping) or not isinstance(item.get("key"), str):
            raise BaselineError(f"{where}: every entry needs a string `key`, got {item!r}")
        count = item.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise BaselineError(f"{where}: entry {item['key']} has an invalid count {count!r}")
        entries.append(
            Entry(
                item["key"],
                str(item.get("code", "")),
                str(item.get("path", "")),
                str(item.get("scope", "")),
                count,
            )
        )
    return Baseline(tuple(sorted(entries, key=lambda e: (e.path, e.code, e.scope, e.key))))


def load(path: Path) -> Baseline:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(
            f"{path}: no such baseline file; create it with "
            f"`backend-review baseline create PATH -o {path}`"
        ) from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return from_json(text, str(path))


def save(baseline: Baseline, path: Path) -> None:
    path.write_text(to_json(baseline), encoding="utf-8")
