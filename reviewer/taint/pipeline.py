"""Two-phase taint review of a set of files, independent of the framework model's wiring.

Until the framework's `build_project` carries the taint index, this runs the same phases as
`reviewer.native.review_files` (collect, join, re-read the relevant files) for the given rules,
so tests and benchmarks can measure the cross-module engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from reviewer.config import Config
from reviewer.model import Finding
from reviewer.service import Project
from reviewer.taint.collector import TaintCollector
from reviewer.taint.index import build_index_from_facts
from reviewer.traversal import analyze_source

if TYPE_CHECKING:
    from reviewer.checks.base import Rule


def review_taint(
    files: Mapping[str, bytes], rule_classes: Sequence[type[Rule]], config: Config
) -> tuple[list[Finding], Project]:
    facts = {}
    for relpath in sorted(files):
        result = analyze_source(relpath, files[relpath], [TaintCollector], config)
        facts[relpath] = result.facts
    index = build_index_from_facts(facts)
    project = Project(files=index.relevant_files(), taint=index)
    findings: list[Finding] = []
    for relpath in sorted(project.files):
        findings.extend(
            analyze_source(relpath, files[relpath], rule_classes, config, project).findings
        )
    return findings, project
