"""Helpers shared by the tests and rule authors: run rules on a snippet, read annotations.

Annotations are inline comments: `# expect: BR101` on a line that must be reported (several
codes separated by commas) and `# ok: BR101` on a near miss that must not; in JavaScript and
TypeScript the same with `//`. Expectations are compared as exact sets of (code, path, line).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from reviewer.checks.base import Case, Rule
from reviewer.config import Config
from reviewer.model import Finding
from reviewer.native import review_files
from reviewer.node import review_node
from reviewer.node.manifests import NAMES as MANIFESTS
from reviewer.node.syntax import SUFFIXES as NODE_SUFFIXES
from reviewer.node_frontend import node_findings

_ANNOTATION = re.compile(r"(?:#|//)\s*(expect|ok):\s*([A-Z]{2}\d{3}(?:\s*,\s*[A-Z]{2}\d{3})*)")

Expectation = tuple[str, str, int]  # (code, path, line)
ANNOTATED_SUFFIXES = (".py", *NODE_SUFFIXES)


def read_annotations(text: str, path: str) -> tuple[set[Expectation], set[Expectation]]:
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
    """Annotations of every Python, JavaScript and TypeScript file under root (paths relative
    to root; node_modules aside)."""
    expected: set[Expectation] = set()
    near_misses: set[Expectation] = set()
    for path in sorted(p for p in root.rglob("*") if p.name.endswith(ANNOTATED_SUFFIXES)):
        if "node_modules" in path.parts:
            continue
        rel = path.relative_to(root).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        exp, ok = read_annotations(text, rel)
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
    """Run one native rule over one inline case (and its extra files), as the engine would."""
    config = config or Config(root=Path("."))
    files = {path: text.encode("utf-8") for path, text in case.all_files().items()}
    node_files = {p: data for p, data in files.items() if p.endswith(NODE_SUFFIXES)}
    manifests = {p: data for p, data in files.items() if posixpath.basename(p) in MANIFESTS}
    python = {p: data for p, data in files.items() if p not in node_files and p not in manifests}
    found = list(review_files(python, [rule], config).findings)
    if node_files:  # as the Node frontend runs it on the case's JavaScript/TypeScript
        node = review_node(node_files, config, manifests)
        found += [*node.findings, *node_findings([rule], node, config)]
    return found
