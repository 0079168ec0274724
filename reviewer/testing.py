"""Helpers shared by the tests and rule authors: run rules on a snippet, read annotations.

Annotations are inline comments: `# expect: BR101` on a line that must be reported (several
codes separated by commas) and `# ok: BR101` on a near miss that must not. Expectations are
compared as exact sets of (code, path, line).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from reviewer.checks.base import Case, Rule
from reviewer.config import Config
from reviewer.model import Finding
from reviewer.traversal import analyze_source

_ANNOTATION = re.compile(r"#\s*(expect|ok):\s*([A-Z]{2}\d{3}(?:\s*,\s*[A-Z]{2}\d{3})*)")

Expectation = tuple[str, str, int]  # (code, path, line)


def annotations(text: str, path: str) -> tuple[set[Expectation], set[Expectation]]:
    """The (code, path, line) triples marked `expect` and `ok` in one file's text."""
    expected: set[Expectation] = set()
    near_misses: set[Expectation] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _ANNOTATION.finditer(line):
            target = expected if match.group(1) == "expect" else near_misses
            for code in match.group(2).split(","):
                target.add((code.strip(), path, number))
    return expected, near_misses


def tree_annotations(root: Path) -> tuple[set[Expectation], set[Expectation]]:
    """Annotations of every .py file under root (paths relative to root)."""
    expected: set[Expectation] = set()
    near_misses: set[Expectation] = set()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        exp, ok = annotations(text, rel)
        expected |= exp
        near_misses |= ok
    return expected, near_misses


def triples(findings: Iterable[Finding], codes: Sequence[str] | None = None) -> set[Expectation]:
    return {
        (f.code, f.location.path, f.location.line)
        for f in findings
        if codes is None or f.code in codes
    }


def run_rule_on_case(rule: type[Rule], case: Case, config: Config | None = None) -> list[Finding]:
    """Run one native rule over one inline case, as the engine would for a single file."""
    config = config or Config(root=Path("."))
    result = analyze_source(case.path, case.code.encode("utf-8"), [rule], config)
    return list(result.findings)
