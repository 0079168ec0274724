"""The phase-1 fact collector: stores each module's function summaries in `ctx.facts["taint"]`.

It has no visit methods (the summaries are computed in `finish()` from the parsed module), so it
costs the shared traversal nothing. The project join is `reviewer.taint.index.build_index_from_facts`.
"""

from __future__ import annotations

from reviewer.context import Visitor
from reviewer.taint.index import FACTS_KEY
from reviewer.taint.summaries import summarize_module


class TaintCollector(Visitor):
    def finish(self) -> None:
        self.ctx.facts[FACTS_KEY] = summarize_module(self.ctx.module, self.ctx.imports)
