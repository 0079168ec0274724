"""The seam between the language-neutral core and a language's frontend.

A frontend owns everything that depends on one language: which files are its own (by suffix),
how they are parsed, which framework collectors read them, and which rules run on them. What it
hands back is language-neutral: `Finding`s, `Route`s with their `Guard`s, the checklist items
its files make applicable and the files it could not review. The engine (reviewer/engine.py)
merges the results of every frontend, then runs the same postprocess, scoring and reporters on
them, so a second language (say JavaScript/TypeScript on tree-sitter) adds one `Frontend`
without touching the core. The Python frontend (libcst, reviewer/framework/, reviewer/checks/)
is the first one: reviewer/python_frontend.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from reviewer.cache import Cache
from reviewer.config import Config
from reviewer.model import Finding, RouteCoverage, RuleMeta
from reviewer.service import Route


@dataclass(frozen=True)
class FrontendRun:
    """What the engine shares with every frontend for one review."""

    config: Config
    cache: Cache | None = None  # per-file results by content hash (None: no cache)
    jobs: int | None = None  # worker processes a frontend may use (None: one per core)
    on_file: Callable[[str], None] | None = None  # call once per file done (progress)


@dataclass(frozen=True)
class FrontendResult:
    """What one frontend found in its files, in the core's terms."""

    findings: tuple[Finding, ...] = ()
    routes: tuple[Route, ...] = ()  # the route inventory of its files
    not_reviewed: tuple[tuple[str, str], ...] = ()  # (relpath, reason): parse errors and such
    applicable: Mapping[str, bool] = field(default_factory=dict)  # checklist item -> applies
    route_coverage: RouteCoverage | None = None  # routes some test exercises, when measured


class Frontend(Protocol):
    """One language: the files it claims, the rules it may report, and its review of them."""

    name: str
    suffixes: tuple[str, ...]  # file name endings it reviews, e.g. (".py",)

    def rules(self) -> Sequence[RuleMeta]:
        """The metadata of every enabled rule it may report (reporters and scoring read it)."""
        ...

    def review(self, files: Mapping[str, bytes], run: FrontendRun) -> FrontendResult:
        """Review `files` (relative path -> bytes, all ending in one of `suffixes`)."""
        ...


def merge_applicable(results: Sequence[FrontendResult]) -> dict[str, bool]:
    """An item applies when any frontend says it does."""
    merged: dict[str, bool] = {}
    for result in results:
        for item, applies in result.applicable.items():
            merged[item] = merged.get(item, False) or applies
    return merged


def merge_coverage(results: Sequence[FrontendResult]) -> RouteCoverage | None:
    """Covered and total routes summed over the frontends that measured them."""
    measured = [r.route_coverage for r in results if r.route_coverage is not None]
    if not measured:
        return None
    return RouteCoverage(sum(m.covered for m in measured), sum(m.routes for m in measured))
