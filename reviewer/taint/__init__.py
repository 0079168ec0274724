"""Taint tracking: request data followed to dangerous sinks, across functions and modules.

Phase 1 (`summaries`, driven by `collector.TaintCollector`) summarizes each function as plain
data; the join (`index.build_index`) resolves them project-wide; phase 2 (`engine`) re-reads a
file with the resolved summaries and reports flows with their evidence. Rules use one call,
`flows(ctx, kinds)`: the flows of the given sink kinds (`specs.SINK_KINDS`) in a file.
"""

from reviewer.taint.engine import Flow, flows

__all__ = ["Flow", "flows"]
