"""The project-wide framework model: the route inventory and what guards each route.

`COLLECTORS` run in the first traversal and store per-file facts; `build_project` joins them into
a `Project` whose `routes` are one `Route` per endpoint (see reviewer/service.py for the stable
fields).
"""

from __future__ import annotations

from reviewer.applicability import ApplicabilityCollector
from reviewer.context import Visitor
from reviewer.framework.build import build_project
from reviewer.framework.collect import FrameworkCollector
from reviewer.framework.layers import LayerCollector
from reviewer.framework.test_calls import TestCallCollector
from reviewer.service import Guard, Param, Project, Route
from reviewer.taint.collector import TaintCollector

# Every phase-1 fact collector, the one list of them. They run before the file-local rules in
# this order, so a rule that reads a collector's facts in `finish()` finds them there.
COLLECTORS: tuple[type[Visitor], ...] = (
    FrameworkCollector,
    TestCallCollector,
    TaintCollector,
    ApplicabilityCollector,
    LayerCollector,
)

__all__ = ["COLLECTORS", "Guard", "Param", "Project", "Route", "build_project"]
