"""The taint analyzer of one function: the interpreter with its sources and sinks.

`interpreter` walks statements and expressions and knows no library; `sources` says where client
data enters, `sinks` where it must not arrive, and `frameworks` what route handlers and response
objects do. Phase 1 (`summaries`) and phase 2 (`engine`) run this class with their own `Hooks`.
"""

from __future__ import annotations

from reviewer.taint.interpreter import Hooks, SinkHit
from reviewer.taint.sinks import Sinks
from reviewer.taint.sources import Sources

__all__ = ["FunctionAnalyzer", "Hooks", "SinkHit"]


class FunctionAnalyzer(Sources, Sinks):
    """Runs the interpreter over one function (or a module's top-level statements)."""
