"""The base of the taint sink rules: a rule names the flow kinds it reports and words them.

The taint engine (`reviewer.taint.flows`) follows request data to sinks and reports flows by kind
(`reviewer.taint.specs.SINK_KINDS`); it knows no rule codes. A rule declares its kinds in
`taint_kinds` (kind -> what that sink is, for the message) and its `advice`; the registry checks
that every kind is claimed by exactly one rule. The rules run in phase 2, against the project-wide
index, so flows through other modules are followed. They do not report in test modules
(`reviewer.context.is_test_path`): a test's fixture server that echoes requests is not the
service.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from reviewer.checks.base import Rule
from reviewer.taint import Flow, flows


def flow_message(flow: Flow, what: str, advice: str) -> str:
    """`request data (request.args) reaches a shell command at os.system; <advice>.`"""
    via = " through a call the reviewer could not follow" if flow.unresolved else ""
    return f"{flow.origin} ({flow.sources}) reaches {what} at {flow.sink}{via}; {advice}."


class TaintRule(Rule):
    """Subclasses set the metadata, `taint_kinds` and `advice`; the engine finds the flows."""

    needs_project = True
    advice: ClassVar[str | Mapping[str, str]] = ""  # one text, or one per kind

    def message(self, flow: Flow) -> str:
        advice = self.advice if isinstance(self.advice, str) else self.advice[flow.kind]
        return flow_message(flow, self.taint_kinds[flow.kind], advice)

    def keep(self, flow: Flow) -> bool:
        """False for a flow the rule knows is harmless; the default keeps every flow."""
        return True

    def finish(self) -> None:
        if self.ctx.is_test_file:
            return  # server rules: a test's fixture server echoing requests is not a service
        for flow in flows(self.ctx, self.taint_kinds):
            if self.keep(flow):
                self.report(
                    flow.node, self.message(flow), confidence=flow.confidence, flow=flow.steps
                )
