"""The Python frontend: libcst parsing, the framework collectors and the native rules.

It is the first implementation of `reviewer.frontend.Frontend`: the two-phase native run
(reviewer/native.py) over the `.py` files, with the rules of the registry, turned into the
core's terms (findings, routes, applicable items, route coverage, files not reviewed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reviewer.applicability import applicable_items
from reviewer.cache import content_hash
from reviewer.discovery import SOURCE_SUFFIXES
from reviewer.framework.collect import FACTS_KEY as FRAMEWORK_FACTS
from reviewer.frontend import FrontendResult, FrontendRun
from reviewer.model import RuleMeta
from reviewer.native import review_files
from reviewer.registry import Registry
from reviewer.sibling_tests import sibling_test_files
from reviewer.traversal import FileResult


class PythonFrontend:
    name = "python"
    suffixes: tuple[str, ...] = SOURCE_SUFFIXES

    def __init__(
        self,
        registry: Registry,
        on_framework_facts: Callable[[dict[tuple[str, str], Any]], None] | None = None,
    ) -> None:
        self.registry = registry
        # called with every file's framework facts by (relpath, content hash) once phase 1 is
        # done (None for a file without any): the base commit's route inventory reuses them
        self.on_framework_facts = on_framework_facts

    def rules(self) -> Sequence[RuleMeta]:
        """Every enabled rule: the native ones, and the semgrep/meta rules the engine's Python
        analyzers (bandit, ruff, semgrep) report under (severity overrides applied)."""
        return self.registry.enabled

    def review(self, files: Mapping[str, bytes], run: FrontendRun) -> FrontendResult:
        hand_over = self.on_framework_facts

        def after_first_phase(results: Mapping[str, FileResult]) -> None:
            if hand_over is not None:
                hand_over(
                    {
                        (rel, content_hash(files[rel])): r.facts.get(FRAMEWORK_FACTS)
                        for rel, r in results.items()
                        if rel in files and not r.not_reviewed
                    }
                )

        # a package folder reviewed on its own: its project's tests beside it mark routes tested
        beside = sibling_test_files(run.config.root, run.config)
        native = review_files(
            files,
            self.registry.enabled_native,
            run.config,
            on_file=run.on_file,
            cache=run.cache,
            jobs=run.jobs,
            after_first_phase=after_first_phase if hand_over is not None else None,
            test_files=beside,
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
            route_coverage=project.route_coverage(),
        )
