"""The project-wide framework model: routes, guards, models (placeholder until the inventory lands).

`COLLECTORS` run in the first traversal and store per-file facts; `build_project` joins them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reviewer.checks.base import Visitor
from reviewer.config import Config

COLLECTORS: tuple[type[Visitor], ...] = ()


@dataclass(frozen=True)
class Project:
    routes: tuple[Any, ...] = ()
    files: frozenset[str] = frozenset()  # files the second-phase rules must visit


def build_project(facts: Mapping[str, Mapping[str, Any]], config: Config) -> Project:
    return Project(files=frozenset(path for path, f in facts.items() if f))
