"""Phase 1: a plain-data summary of every function of one module.

Parameters are symbolic (`P:i`), calls that may be project code are recorded as call sites whose
results are symbolic (`C:k`); the project join (`reviewer.taint.index`) resolves both.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import libcst as cst

from reviewer.imports import ImportTable
from reviewer.taint.analysis import FunctionAnalyzer, Hooks, SinkHit
from reviewer.taint.values import (
    CallSite,
    Flow,
    FunctionSummary,
    ModuleFacts,
    Taint,
    flow_union,
    guard_ref,
)

FunctionEntry = tuple[cst.FunctionDef, str | None, str]  # (node, class name, qualified name)
_COMPOUND = (cst.If, cst.Try, cst.With, cst.For, cst.While)
_GUARD_ARITY = 6  # parameters of a delegated guard call that are followed


def iter_functions(module: cst.Module, module_name: str) -> Iterator[FunctionEntry]:
    """Every def in the module (methods and nested defs too), walking statements only."""
    stack: list[tuple[Sequence[cst.CSTNode], str | None, str]] = [(module.body, None, module_name)]
    while stack:
        body, class_name, prefix = stack.pop()
        for stmt in body:
            # `type() is`: libcst's ABC isinstance checks are slow, and this sees every statement
            if type(stmt) is cst.FunctionDef:
                qname = f"{prefix}.{stmt.name.value}"
                yield stmt, class_name, qname
                stack.append((_body(stmt.body), None, qname))
            elif type(stmt) is cst.ClassDef:
                qname = f"{prefix}.{stmt.name.value}"
                stack.append((_body(stmt.body), stmt.name.value, qname))
            elif type(stmt) in _COMPOUND:
                for block in _blocks(stmt):
                    stack.append((block, class_name, prefix))


def _body(body: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return body.body if isinstance(body, cst.IndentedBlock) else ()


def _blocks(stmt: cst.CSTNode) -> list[Sequence[cst.CSTNode]]:
    blocks: list[Sequence[cst.CSTNode]] = []
    body = getattr(stmt, "body", None)
    if isinstance(body, cst.BaseSuite):
        blocks.append(_body(body))
    orelse = getattr(stmt, "orelse", None)
    if isinstance(orelse, cst.If):
        blocks.extend(_blocks(orelse))
    elif isinstance(orelse, cst.Else):
        blocks.append(_body(orelse.body))
    for handler in getattr(stmt, "handlers", ()):
        blocks.append(_body(handler.body))
    return blocks


def local_names(module: cst.Module) -> tuple[frozenset[str], frozenset[str]]:
    """Top-level function and class names of a module."""
    functions: set[str] = set()
    classes: set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            functions.add(stmt.name.value)
        elif isinstance(stmt, cst.ClassDef):
            classes.add(stmt.name.value)
    return frozenset(functions), frozenset(classes)


class SummaryHooks(Hooks):
    """Symbolic parameters and call results; remembers the call sites."""

    def __init__(self) -> None:
        self.calls: list[CallSite] = []
        self._site_of: dict[int, int] = {}

    def param(self, index: int, name: str, node: cst.Param) -> Taint | None:
        return Taint(frozenset({f"P:{index}"}))

    def project_call(
        self,
        callee: str,
        bound: bool,
        call: cst.Call,
        args: Sequence[tuple[str, Taint | None]],
    ) -> tuple[bool, Taint | None]:
        flows = tuple((key, flow) for key, t in args if (flow := Flow.of(t)) is not None)
        known = self._site_of.get(id(call))
        if known is None:
            known = len(self.calls)
            self._site_of[id(call)] = known
            self.calls.append(CallSite(callee, bound, flows))
        else:
            old = dict(self.calls[known].args)
            for key, flow in flows:
                merged = flow_union([old[key], flow]) if key in old else flow
                old[key] = merged or flow
            self.calls[known] = CallSite(callee, bound, tuple(sorted(old.items())))
        return True, Taint(frozenset({f"C:{known}"}))

    def sink(self, hit: SinkHit) -> None:
        return None

    def guard(self, callee: str) -> dict[int, frozenset[str]]:
        """A call that may be a project guard: what it validates is known after the join, so
        each parameter gets a reference the index resolves (`TaintIndex.guards_of`)."""
        return {i: frozenset({guard_ref(callee, i)}) for i in range(_GUARD_ARITY)}


def summarize_module(module: cst.Module, imports: ImportTable) -> ModuleFacts:
    """The summaries of every function of one module (and its top-level code as `<module>`)."""
    functions, classes = local_names(module)
    facts = ModuleFacts(
        module=imports.module,
        classes=tuple(sorted(f"{imports.module}.{c}" for c in classes)),
        aliases=dict(imports.names),
    )
    for stmt in module.body:
        if isinstance(stmt, cst.ClassDef):
            bases = []
            for base in stmt.bases:
                name = imports.resolve(base.value) if base.keyword is None else None
                if name:
                    bases.append(f"{imports.module}.{name}" if name in classes else name)
            facts.bases[f"{imports.module}.{stmt.name.value}"] = tuple(bases)
    entries = list(iter_functions(module, imports.module))
    defs = frozenset(qname for _, _, qname in entries)
    for fn, class_name, qname in entries:
        facts.functions[qname] = summarize_function(
            module, imports, fn, class_name, qname, functions, classes, defs
        )
    hooks = SummaryHooks()
    top = FunctionAnalyzer(module, imports, hooks, functions, classes, with_trail=False)
    top.run_module(module.body)
    if hooks.calls or top.has_source:
        qname = f"{imports.module}.<module>"
        facts.functions[qname] = FunctionSummary(
            qname, (), None, tuple(hooks.calls), top.has_sink, top.has_source
        )
    return facts


def summarize_function(
    module: cst.Module,
    imports: ImportTable,
    fn: cst.FunctionDef,
    class_name: str | None,
    qname: str,
    functions: frozenset[str],
    classes: frozenset[str],
    defs: frozenset[str] = frozenset(),
) -> FunctionSummary:
    hooks = SummaryHooks()
    analyzer = FunctionAnalyzer(
        module, imports, hooks, functions, classes, class_name, False, qname, defs
    )
    analyzer.run_function(fn)
    params = tuple(
        p.name.value
        for p in (*fn.params.posonly_params, *fn.params.params, *fn.params.kwonly_params)
    )
    return FunctionSummary(
        qname=qname,
        params=params,
        returns=Flow.of(analyzer.returns),
        calls=tuple(hooks.calls),
        has_sink=analyzer.has_sink,
        has_source=analyzer.has_source,
        guards=tuple(sorted((i, tuple(sorted(k))) for i, k in (analyzer.guards or {}).items())),
        fields=tuple(
            sorted((attr, flow) for attr, t in analyzer.fields.items() if (flow := Flow.of(t)))
        ),
    )
