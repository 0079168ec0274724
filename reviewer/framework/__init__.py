"""The project-wide framework model: the route inventory and what guards each route.

`COLLECTORS` run in the first traversal and store per-file facts; `build_project` joins them into
a `Project` whose `routes` are one `Route` per endpoint (see model.py for the stable fields).
"""

from __future__ import annotations

from reviewer.context import Visitor
from reviewer.framework.build import build_project
from reviewer.framework.collect import FrameworkCollector
from reviewer.framework.model import Guard, Param, Project, Route
from reviewer.framework.test_calls import TestCallCollector
from reviewer.taint.collector import TaintCollector

COLLECTORS: tuple[type[Visitor], ...] = (FrameworkCollector, TestCallCollector, TaintCollector)

__all__ = ["COLLECTORS", "Guard", "Param", "Project", "Route", "build_project"]
