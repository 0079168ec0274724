"""Phase 2: the concrete flows of one file, given the project's resolved summaries.

`flows(ctx, kinds)` is what rules call; the file is analyzed once however many rules ask (the
result is cached on the context), against `ctx.project.taint` when the project join has run, else
an index of this file alone (flows through other modules then count as unresolved). Flows carry
their kind, never a rule code: each rule declares the kinds it reports and words the message.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from reviewer.imports import ImportTable
from reviewer.model import Confidence
from reviewer.taint import specs
from reviewer.taint.analysis import FunctionAnalyzer, Hooks, SinkHit
from reviewer.taint.index import FACTS_KEY, TaintIndex, build_index
from reviewer.taint.summaries import iter_functions, local_names, summarize_module
from reviewer.taint.values import ModuleFacts, Taint, merge, merge_all

if TYPE_CHECKING:
    from reviewer.context import FileContext

_CACHE_ATTR = "_taint_flows"


@dataclass(frozen=True)
class Flow:
    """A source reaching a sink of one kind in this file; nodes are this file's.

    The engine knows kinds, not rules: the rule that claims `kind` words the message.
    """

    kind: str
    node: cst.CSTNode  # where to report
    sink: str  # the sink's label, e.g. `os.system`
    sources: str  # what the data is, e.g. `request.args` (comma-separated when several)
    origin: str  # "request data", "environment data" or, for kind `random`, "weak random"
    unresolved: bool  # the data passed through a call the reviewer could not follow
    confidence: Confidence
    steps: tuple[tuple[cst.CSTNode, str], ...]  # source, steps, sink


class ReportHooks(Hooks):
    """Concrete parameter taints and callee results from the index; collects sink hits."""

    def __init__(self, index: TaintIndex, qname: str, found: list[Flow]):
        self.index = index
        self.qname = qname
        self.found = found

    def param(self, index: int, name: str, node: cst.Param) -> Taint | None:
        got = self.index.params.get(self.qname, {}).get(index)
        if got is None:
            return None
        flow, caller = got
        desc = ", ".join(sorted(_desc(lab) for lab in flow.labels))
        text = f"parameter {name} receives {desc} from {caller.rsplit('.', 1)[-1]}()"
        return Taint(flow.labels, ((node, text),), flow.weak, flow.cleared)

    def project_call(
        self,
        callee: str,
        bound: bool,
        call: cst.Call,
        args: Sequence[tuple[str, Taint | None]],
    ) -> tuple[bool, Taint | None]:
        target = self.index.lookup(callee)
        if target is None:
            return False, None
        short = target.rsplit(".", 1)[-1]
        if target not in self.index.functions:  # a project class: the object holds its args
            return True, merge_all([t for key, t in args if key != "recv"])
        ret = self.index.returns.get(target)
        if ret is None:
            return True, None
        parts: list[Taint | None] = []
        sources = frozenset(lab for lab in ret.labels if lab[0] in "SER")
        if sources:
            desc = ", ".join(sorted(_desc(lab) for lab in sources))
            parts.append(
                Taint(sources, ((call, f"returned by {short}() ({desc})"),), ret.weak, ret.cleared)
            )
        fn = self.index.functions[target]
        by_key = dict(args)
        offset = 1 if bound else 0
        for label in ret.labels:
            if not label.startswith("P:"):
                continue
            i = int(label[2:])
            name = fn.params[i] if i < len(fn.params) else ""
            taint = by_key.get(str(i - offset)) if i >= offset else None
            taint = taint or by_key.get(f"kw:{name}")
            if taint is not None:
                parts.append(
                    taint.with_(weak=taint.weak or ret.weak, cleared=ret.cleared).step(
                        call, f"passed through {short}()"
                    )
                )
        return True, merge_all(parts)

    def guard(self, callee: str) -> dict[int, frozenset[str]]:
        return self.index.guards_of(callee)

    def is_enum(self, qname: str) -> bool:
        return self.index.is_enum(qname)

    def field(self, attr: str, node: cst.CSTNode) -> Taint | None:
        owner = self.qname.rsplit(".", 1)[0]
        flow = self.index.field_of(owner, attr)
        if flow is None:
            return None
        desc = ", ".join(sorted(_desc(lab) for lab in flow.labels if lab[0] in "SER"))
        text = f"self.{attr} holds {desc} stored by a caller"
        return Taint(flow.labels, ((node, text),), flow.weak, flow.cleared)

    def sink(self, hit: SinkHit) -> None:
        taint = hit.taint
        if hit.kind in taint.cleared or (hit.kind == "template" and "xss" in taint.cleared):
            return
        if hit.kind == "random":
            labels = {lab for lab in taint.labels if lab[0] == "R"}
        else:
            labels = {lab for lab in taint.labels if lab[0] == "S"}
            if not labels and hit.kind in specs.ENV_KINDS:
                labels = {lab for lab in taint.labels if lab[0] == "E"}
        if not labels:
            return
        if any(lab[0] in "SR" for lab in labels):
            confidence = Confidence.MEDIUM if taint.weak else Confidence.HIGH
        else:
            confidence = Confidence.LOW
        if hit.kind == "trust" and confidence is Confidence.HIGH:
            confidence = Confidence.MEDIUM  # a login flow may store a value it just verified
        if hit.confidence_cap == "medium" and confidence is Confidence.HIGH:
            confidence = Confidence.MEDIUM
        node = hit.node
        if hit.kind == "random":
            origin = "weak random"
            if taint.trail:
                node = taint.trail[0][0]
        else:
            origin = "environment data" if confidence is Confidence.LOW else "request data"
        desc = ", ".join(sorted(_desc(lab) for lab in labels))
        steps = (*taint.trail, (hit.node, f"sink: {hit.label}"))
        self.found.append(
            Flow(hit.kind, node, hit.label, desc, origin, taint.weak, confidence, steps)
        )


def _desc(label: str) -> str:
    return label[2:] if len(label) > 2 and label[1] == ":" else label


def analyze_file(module: cst.Module, imports: ImportTable, index: TaintIndex) -> list[Flow]:
    """Every flow one module's sinks are reached by, against the project's resolved summaries,
    in the order the interpreter meets them (one sink may be reached by several flows)."""
    functions, classes = local_names(module)
    found: list[Flow] = []
    entries = list(iter_functions(module, imports.module))
    defs = frozenset(qname for _, _, qname in entries)
    for fn, class_name, qname in entries:
        summary = index.functions.get(qname)
        if summary is not None and not summary.has_sink:
            continue
        hooks = ReportHooks(index, qname, found)
        FunctionAnalyzer(
            module, imports, hooks, functions, classes, class_name, True, qname, defs
        ).run_function(fn)
    top = index.functions.get(f"{imports.module}.<module>")
    if top is None or top.has_sink:
        hooks = ReportHooks(index, f"{imports.module}.<module>", found)
        FunctionAnalyzer(module, imports, hooks, functions, classes).run_module(module.body)
    return found


def project_index(ctx: FileContext) -> TaintIndex:
    """The project's index when the join ran, else one of this file alone (from the summaries
    the taint collector stored in phase 1, or summarized now)."""
    index = ctx.project.taint if ctx.project is not None else None
    if index is not None:
        return index
    facts = ctx.facts.get(FACTS_KEY)
    if not isinstance(facts, ModuleFacts):
        facts = summarize_module(ctx.module, ctx.imports)
    return build_index([(ctx.relpath, facts)])


def flows(ctx: FileContext, kinds: Collection[str]) -> list[Flow]:
    """The flows of the given kinds in the file being reviewed: the taint package's one call for
    rules. One flow per reported node, the most confident (the first among equals); the file is
    analyzed once however many rules ask."""
    every = ctx.__dict__.get(_CACHE_ATTR)
    if every is None:
        every = analyze_file(ctx.module, ctx.imports, project_index(ctx))
        ctx.__dict__[_CACHE_ATTR] = every
    best: dict[int, Flow] = {}
    for flow in every:
        if flow.kind not in kinds:
            continue
        old = best.get(id(flow.node))
        if old is None or flow.confidence.rank > old.confidence.rank:
            best[id(flow.node)] = flow
    return list(best.values())


__all__ = ["Flow", "analyze_file", "flows", "merge"]
