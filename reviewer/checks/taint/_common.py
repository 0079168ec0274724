"""The base of the taint sink rules: report this rule's share of the file's taint findings.

The taint engine runs once per file (`reviewer.taint.engine.file_findings`). When the framework
registers `TaintCollector`, the rules run in phase 2 against the project-wide index; until then
they run file-locally and follow flows within one module.
"""

from __future__ import annotations

from reviewer.checks.base import Rule
from reviewer.taint.engine import file_findings


def _taint_wired() -> bool:
    try:
        from reviewer.framework import COLLECTORS
        from reviewer.taint.collector import TaintCollector
    except ImportError:  # pragma: no cover - the framework package always exists
        return False
    return TaintCollector in COLLECTORS


class TaintRule(Rule):
    """Subclasses set the metadata; the engine decides where their kinds are reached."""

    needs_project = _taint_wired()

    def finish(self) -> None:
        for found in file_findings(self.ctx):
            if found.code == self.code:
                self.report(found.node, found.message, confidence=found.confidence, flow=found.flow)
