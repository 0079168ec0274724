"""Native analysis of a set of files, in two phases when rules need the project model.

Phase 1 parses every file once, runs the framework's fact collectors and the file-local rules.
The facts are joined into the project model (routes, guards, models). Phase 2 runs the rules
that need that model, only on the files the model marks as relevant, plus their project-level
checks. Everything here is a pure function of the files' bytes and the config.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from reviewer.applicability import ApplicabilityCollector
from reviewer.checks.base import Rule
from reviewer.config import Config
from reviewer.framework import COLLECTORS, Project, build_project
from reviewer.model import Finding
from reviewer.traversal import FileResult, analyze_source


@dataclass(frozen=True)
class NativeResult:
    files: Mapping[str, FileResult]
    findings: tuple[Finding, ...]
    project: Project


def review_files(
    files: Mapping[str, bytes],
    rule_classes: Sequence[type[Rule]],
    config: Config,
    on_file: Callable[[str], None] | None = None,
) -> NativeResult:
    """Run the native rules over `files` (relative path -> bytes)."""
    local = [cls for cls in rule_classes if not cls.needs_project]
    global_ = [cls for cls in rule_classes if cls.needs_project]
    results: dict[str, FileResult] = {}
    for relpath in sorted(files):
        results[relpath] = analyze_source(
            relpath, files[relpath], [*COLLECTORS, ApplicabilityCollector, *local], config
        )
        if on_file is not None:
            on_file(relpath)
    project = build_project({p: r.facts for p, r in results.items()}, config)
    findings = [f for r in results.values() for f in r.findings]
    if global_:
        for relpath in sorted(project.files):
            if relpath in files and not results[relpath].not_reviewed:
                second = analyze_source(relpath, files[relpath], global_, config, project)
                findings.extend(second.findings)
        for cls in global_:
            findings.extend(cls.project_findings(project, config))
    return NativeResult(results, tuple(findings), project)
