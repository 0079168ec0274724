"""The Python frontend: libcst parsing, the framework collectors and the native rules.

It is the first implementation of `reviewer.frontend.Frontend`: the two-phase native run
(reviewer/native.py) over the `.py` files, with the rules of the registry, turned into the
core's terms (findings, routes, applicable items, route coverage, files not reviewed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from reviewer.applicability import applicable_items
from reviewer.discovery import SOURCE_SUFFIXES
from reviewer.frontend import FrontendResult, FrontendRun
from reviewer.model import RouteCoverage, RuleMeta
from reviewer.native import review_files
from reviewer.registry import Registry
from reviewer.service import Project
from reviewer.traversal import FileResult


class PythonFrontend:
    name = "python"
    suffixes: tuple[str, ...] = SOURCE_SUFFIXES

    def __init__(
        self,
        registry: Registry,
        after_first_phase: Callable[[Mapping[str, FileResult]], None] | None = None,
    ) -> None:
        self.registry = registry
        self.after_first_phase = after_first_phase  # sees the phase-1 facts (base inventory)

    def rules(self) -> Sequence[RuleMeta]:
        """Every enabled rule: the native ones, and the semgrep/meta rules the engine's Python
        analyzers (bandit, ruff, semgrep) report under (severity overrides applied)."""
        return self.registry.enabled

    def review(self, files: Mapping[str, bytes], run: FrontendRun) -> FrontendResult:
        native = review_files(
            files,
            self.registry.enabled_native,
            run.config,
            on_file=run.on_file,
            cache=run.cache,
            jobs=run.jobs,
            after_first_phase=self.after_first_phase,
        )
        project = native.project
        return FrontendResult(
            findings=native.findings,
            routes=tuple(project.routes),
            not_reviewed=tuple(
                (rel, result.not_reviewed)
                for rel, result in sorted(native.files.items())
                if result.not_reviewed
            ),
            applicable=applicable_items(
                (r.facts for r in native.files.values()), bool(project.routes)
            ),
            route_coverage=_route_coverage(project),
        )


def _route_coverage(project: Project) -> RouteCoverage | None:
    """How many routes some test exercises, for the report's summary (BR804's measure)."""
    measured = project.route_coverage()
    if measured is None:
        return None
    covered, total = measured
    return RouteCoverage(covered, total)
