"""Helpers every reporter needs: ordering, grouping, source lines and JSON-safe values.

Reporters render only the Report; the one thing they read besides it is the target's source
text for code frames and line hashes, which is untrusted, so it is read defensively.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePath
from typing import Any

from reviewer.model import (
    AnalyzerRun,
    Finding,
    Location,
    Report,
    RuleMeta,
    Severity,
    mask_secret,
)
from reviewer.scoring import ChecklistItem, load_checklist

NATIVE_SOURCE = "backend-review"
OTHER_ITEM = ChecklistItem(
    "other", "Other findings", 0.0, "Findings of unknown rules.", False, False
)
PROBLEM_STATUSES = frozenset({"missing", "failed", "timeout"})
MAX_SOURCE_BYTES = 2_000_000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


PRETTY_LIMIT = 2_000  # above this many findings JSON is written compactly (C encoder, 10x faster)


def dump_json(document: Any, findings: int, *, sort_keys: bool = False) -> str:
    """Indented JSON for readable diffs, compact JSON for very large reports."""
    if findings <= PRETTY_LIMIT:
        return json.dumps(document, indent=2, sort_keys=sort_keys) + "\n"
    return json.dumps(document, separators=(",", ":"), sort_keys=sort_keys) + "\n"


def checklist_or_default(checklist: Sequence[ChecklistItem] | None) -> tuple[ChecklistItem, ...]:
    return tuple(checklist) if checklist is not None else load_checklist()


def rules_by_code(report: Report) -> dict[str, RuleMeta]:
    return {rule.code: rule for rule in report.rules}


def severity_first(findings: Iterable[Finding]) -> list[Finding]:
    """Worst first (severity, then confidence), then by place: the order people read in."""
    return sorted(findings, key=lambda f: (-f.severity.rank, -f.confidence.rank, f.sort_key))


def group_by_item(
    report: Report, checklist: Sequence[ChecklistItem], *, include_suppressed: bool = False
) -> list[tuple[ChecklistItem, list[Finding]]]:
    """Findings per checklist item, in checklist order; unknown rules go to 'Other findings'."""
    rules = rules_by_code(report)
    known = {item.id: item for item in checklist}
    groups: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if finding.suppressed and not include_suppressed:
            continue
        rule = rules.get(finding.code)
        item_id = rule.item if rule is not None and rule.item in known else OTHER_ITEM.id
        groups.setdefault(item_id, []).append(finding)
    ordered = [*checklist, OTHER_ITEM]
    return [(item, severity_first(groups[item.id])) for item in ordered if item.id in groups]


def other_sources(finding: Finding) -> list[str]:
    """The analyzers that also reported this finding (native checks are implied)."""
    primary = NATIVE_SOURCE if NATIVE_SOURCE in finding.sources else finding.sources[0]
    return [s for s in finding.sources if s != primary]


def location_text(location: Location, *, column: bool = True) -> str:
    text = f"{location.path}:{location.line}"
    return f"{text}:{location.column}" if column and location.column > 1 else text


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {s.value: 0 for s in Severity}
    for finding in findings:
        counts[finding.severity.value] += 1
    return {k: v for k, v in counts.items() if v}


def analyzer_problems(report: Report) -> list[AnalyzerRun]:
    """Analyzers that did not run, failed, or could not cover some files."""
    return [a for a in report.analyzers if a.status in PROBLEM_STATUSES or a.not_covered]


def clean_text(text: str) -> str:
    """Drop control characters (escape sequences) from untrusted text before display."""
    return _CONTROL.sub("", text.replace("\t", "    "))


def one_line(text: str) -> str:
    return " ".join(clean_text(text).split())


class SourceFiles:
    """Lazily read, cached source text of the target; missing or unreadable files give None."""

    def __init__(self, target: str) -> None:
        self._root = Path(target)
        self._cache: dict[str, str | None] = {}

    def text(self, relpath: str) -> str | None:
        if relpath not in self._cache:
            self._cache[relpath] = self._read(relpath)
        return self._cache[relpath]

    def lines(self, relpath: str) -> list[str] | None:
        text = self.text(relpath)
        return None if text is None else text.splitlines()

    def _read(self, relpath: str) -> str | None:
        if not relpath or PurePath(relpath).is_absolute() or ".." in PurePath(relpath).parts:
            return None
        path = self._root / relpath
        try:
            if not path.is_file() or path.stat().st_size > MAX_SOURCE_BYTES:
                return None
            return path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return None


def code_frame(sources: SourceFiles, finding: Finding, context: int) -> list[tuple[int, bool, str]]:
    """The source lines around a finding as (number, inside the finding, text): at most six
    lines of the finding itself and `context` lines either side, a secret masked, control
    characters dropped. [] for project-level findings and lines the source does not have."""
    location = finding.location
    lines = None if finding.project_level else sources.lines(location.path)
    if not lines or not 1 <= location.line <= len(lines):
        return []
    last = min(location.end_line, location.line + 5, len(lines))
    first = max(1, location.line - context)
    stop = min(len(lines), last + context)
    frame = []
    for number in range(first, stop + 1):
        line = lines[number - 1]
        if finding.redact:
            line = mask_secret(line, location, number)
        frame.append((number, location.line <= number <= last, clean_text(line).rstrip()))
    return frame


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums, paths, tuples and sets as plain JSON values, generically."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((to_jsonable(v) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, PurePath):
        return value.as_posix()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def reported_new_code_score(report: Report) -> tuple[bool, float | None]:
    """(present, value) of the "new code" score a diff or baseline run sets."""
    if report.new_code is None:
        return False, None
    return True, report.new_code.overall


def scope_note(report: Report) -> str:
    """What a diff run left out, e.g. "3 outside the change (added vs main)"; "" otherwise."""
    diff = report.diff
    if diff is None:
        return ""
    base = f" vs {diff.base}" if diff.base else ""
    return f"{diff.outside} outside the change ({diff.mode}{base})"


def route_coverage_note(report: Report) -> str:
    """`12 of 31 routes tested`, when the engine measured it."""
    measured = report.route_coverage
    if measured is None or not measured.routes:
        return ""
    return f"{measured.covered} of {measured.routes} routes tested"


def summary_line(report: Report, gate: str | None) -> str:
    """The closing line of the text reports: score, gate result, counts.

    `gate` is the CLI's verdict ("gate passed", "gate failed: ...", "no gate set"); None when
    the report is rendered outside a review (a library call), where no gate is known.
    """
    overall = report.score.overall
    parts = ["Score " + ("n/a" if overall is None else f"{overall:.1f}/100")]
    if gate:
        parts.append(gate)
    active = report.active
    counts = ", ".join(f"{n} {sev}" for sev, n in severity_counts(active).items())
    parts.append(f"{len(active)} findings" + (f" ({counts})" if counts else ""))
    suppressed = len(report.findings) - len(active)
    if suppressed:
        parts.append(f"{suppressed} suppressed")
    parts.append(f"{report.files_reviewed} files reviewed")
    if report.not_reviewed:
        parts.append(f"{len(report.not_reviewed)} not reviewed")
    return " · ".join(parts)


def repository_root(target: str, explicit: str | None = None) -> tuple[Path, str]:
    """The repository root (explicit, nearest git root, or the target) and the target's prefix
    inside it: CI systems locate files from the repository root, our paths are from the target."""
    base = Path(target).resolve()
    root = Path(explicit).resolve() if explicit else _git_root(base) or base
    try:
        prefix = base.relative_to(root).as_posix()
    except ValueError:
        root, prefix = base, ""
    return root, "" if prefix == "." else prefix


def _git_root(path: Path) -> Path | None:
    for candidate in (path, *path.parents):
        if (candidate / ".git").exists():
            return candidate
    return None
