"""Inline suppressions (`# backend-review: ignore[BR101] reason`) and per-path ignores.

In JavaScript/TypeScript files the comment is `// backend-review: ignore[BR301] reason` (or
`/* ... */`); each language's own comment marker only, so a string that merely contains the
text of the other language's comment suppresses nothing. A suppression covers the line it is on, or the next line when the comment stands alone. A code
is required (a bare `ignore` suppresses nothing and is reported). Suppressed findings stay in
the report, marked, so SARIF and JSON can show them; unused suppressions become BR903 findings.
The analyzers' own `# nosec`, `# noqa` and `# nosemgrep` keep working inside those tools.

`per-path-ignores` keys are gitignore-style patterns, like `exclude` (pathspec), matched against
the finding's path relative to the target.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from reviewer.model import Confidence, Finding, Location, Severity
from reviewer.patterns import Matcher, compile_spec
from reviewer.selection import matches

if TYPE_CHECKING:  # a type only: the registry reaches the rules, which parse Python
    from reviewer.registry import Registry

UNUSED = "BR903"
_COMMENT = re.compile(r"#\s*backend-review:\s*ignore(?:\[([^\]]*)\])?\s*(.*)$")
_SLASHES = re.compile(
    r"(?://|/\*)\s*backend-review:\s*ignore(?:\[([^\]]*)\])?\s*(.*?)\s*(?:\*/\s*)?$"
)
_JS = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")


@dataclass(frozen=True)
class Suppression:
    path: str
    line: int  # the line the comment is on
    target: int  # the line it covers
    codes: tuple[str, ...]
    reason: str


def find_suppressions(path: str, lines: Sequence[str]) -> list[Suppression]:
    result = []
    javascript = path.endswith(_JS)
    pattern, markers = (_SLASHES, ("//", "/*")) if javascript else (_COMMENT, ("#",))
    for number, text in enumerate(lines, start=1):
        if "backend-review" not in text:
            continue
        match = pattern.search(text)
        if match is None:
            continue
        codes = tuple(c.strip() for c in (match.group(1) or "").split(",") if c.strip())
        standalone = text.lstrip().startswith(markers)
        target = number + 1 if standalone else number
        result.append(Suppression(path, number, target, codes, match.group(2).strip()))
    return result


def _covers(sup: Suppression, finding: Finding) -> bool:
    loc = finding.location
    if sup.path != loc.path or not (loc.line <= sup.target <= loc.end_line):
        return False
    names = {finding.code, *finding.sources}
    return any(code in names for code in sup.codes)


def apply_suppressions(
    findings: Iterable[Finding],
    lines_by_path: Mapping[str, Sequence[str]],
    per_path_ignores: Sequence[tuple[str, tuple[str, ...]]],
    registry: Registry,
) -> list[Finding]:
    """Mark suppressed findings and add BR903 for suppressions that matched nothing."""
    suppressions = [s for p, lines in lines_by_path.items() for s in find_suppressions(p, lines)]
    used: set[Suppression] = set()
    metas = registry.by_code
    # gitignore-style, like `exclude` (pathspec): `scripts/` and `scripts/*` cover the whole
    # folder, `*.py` any depth, `/x.py` only the top; the config already refused risky globs
    specs: list[tuple[str, Matcher, tuple[str, ...]]] = [
        (glob, compile_spec([glob], f"per-path-ignores.{glob}"), selectors)
        for glob, selectors in per_path_ignores
    ]
    result = []
    for finding in findings:
        reason = ""
        for sup in suppressions:
            if _covers(sup, finding):
                used.add(sup)
                reason = sup.reason or "suppressed inline"
                break
        if not reason:
            for glob, spec, selectors in specs:
                meta = metas.get(finding.code)
                hit = any(
                    finding.code.upper().startswith(s.upper()) or (meta and matches(s, meta))
                    for s in selectors
                )
                if hit and spec.match_file(finding.location.path):
                    reason = f"per-path-ignores: {glob}"
                    break
        if reason and not finding.code.startswith("BR9"):
            finding = replace(finding, suppressed=True, suppression_reason=reason)
        result.append(finding)
    if UNUSED in registry.enabled_codes:
        for sup in suppressions:
            if sup in used:
                continue
            what = f"ignore[{', '.join(sup.codes)}]" if sup.codes else "ignore without a code"
            result.append(
                Finding(
                    code=UNUSED,
                    message=f"suppression `{what}` matches no finding on line {sup.target}"
                    + ("" if sup.codes else "; name the code, e.g. ignore[BR101]"),
                    location=Location(sup.path, sup.line),
                    severity=Severity.LOW,
                    confidence=Confidence.HIGH,
                    snippet=lines_by_path[sup.path][sup.line - 1].strip(),
                )
            )
    return result
