"""Phase 2: concrete taint findings for one file, given the project's resolved summaries.

`file_findings(ctx)` is what the sink rules call; it runs once per file however many rules ask
(the result is cached on the context) and uses `ctx.project.taint` when the project join has run,
else an index of this file alone (flows through other modules then count as unresolved).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from reviewer.imports import ImportTable
from reviewer.model import Confidence
from reviewer.taint import specs
from reviewer.taint.analysis import FunctionAnalyzer, Hooks, SinkHit
from reviewer.taint.index import TaintIndex, build_index
from reviewer.taint.summaries import iter_functions, local_names, summarize_module
from reviewer.taint.values import Taint, merge, merge_all

if TYPE_CHECKING:
    from reviewer.context import FileContext

_CACHE_ATTR = "_taint_findings"

ADVICE = {
    "sql": "pass the values as query parameters instead of building the SQL text",
    "command": "pass an argument list without shell=True and validate the value against an "
    "allowlist (shlex.quote() if a shell is unavoidable)",
    "path": "reduce the name with secure_filename()/os.path.basename() or resolve the path and "
    "check it stays under the base directory",
    "deserialization": "never unpickle or YAML-load client data; use json or yaml.safe_load",
    "ssrf": "check the URL's scheme and host against an allowlist before fetching it",
    "code": "never evaluate client data; parse it (json, ast.literal_eval) or map it to known "
    "functions",
    "template": "render a fixed template file and pass the data as context variables",
    "xss": "escape the data (markupsafe.escape) or render it through an autoescaping template",
    "redirect": "redirect only to relative paths or hosts checked with "
    "url_has_allowed_host_and_scheme()/an allowlist",
    "ldap": "escape the value with escape_filter_chars() before building the filter",
    "xpath": "pass the value as an XPath variable (xpath('//u[@n=$n]', n=value))",
    "header": "reject CR/LF and validate the value before putting it in a header",
    "xxe": "parse with defusedxml or an lxml XMLParser(resolve_entities=False, no_network=True)",
    "trust": "validate the value and store only what the server decided, not raw client data",
    "random": "use the secrets module (secrets.token_urlsafe(), secrets.choice())",
}
WHAT = {
    "sql": "an SQL query",
    "command": "a shell command",
    "path": "a file system path",
    "deserialization": "a deserializer",
    "ssrf": "the URL of an outgoing request",
    "code": "code evaluation",
    "template": "a template's source",
    "xss": "HTML output without escaping",
    "redirect": "a redirect target",
    "ldap": "an LDAP query",
    "xpath": "an XPath expression",
    "header": "an HTTP response header",
    "xxe": "an XML parser that resolves external entities",
    "trust": "the server-side session",
    "random": "a security-sensitive value",
}


@dataclass(frozen=True)
class TaintFinding:
    """A source reaching a sink in this file; nodes are this file's."""

    code: str
    kind: str
    node: cst.CSTNode
    message: str
    confidence: Confidence
    flow: tuple[tuple[cst.CSTNode, str], ...]
    cwe: int = 0


class ReportHooks(Hooks):
    """Concrete parameter taints and callee results from the index; collects sink hits."""

    def __init__(self, index: TaintIndex, qname: str, found: dict[tuple[str, int], TaintFinding]):
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
        code = specs.KIND_CODES[hit.kind]
        if any(lab[0] in "SR" for lab in labels):
            confidence = Confidence.MEDIUM if taint.weak else Confidence.HIGH
        else:
            confidence = Confidence.LOW
        if hit.kind == "trust" and confidence is Confidence.HIGH:
            confidence = Confidence.MEDIUM  # a login flow may store a value it just verified
        if hit.confidence_cap == "medium" and confidence is Confidence.HIGH:
            confidence = Confidence.MEDIUM
        node = hit.node
        if hit.kind == "random" and taint.trail:
            node = taint.trail[0][0]
        key = (code, id(node))
        old = self.found.get(key)
        if old is not None and old.confidence.rank >= confidence.rank:
            return
        desc = ", ".join(sorted(_desc(lab) for lab in labels))
        if hit.kind == "random":
            message = (
                f"{desc} is not a cryptographic generator but its output becomes {hit.label}; "
                f"{ADVICE['random']}."
            )
        else:
            origin = "environment data" if confidence is Confidence.LOW else "request data"
            via = " through a call the reviewer could not follow" if taint.weak else ""
            message = (
                f"{origin} ({desc}) reaches {WHAT[hit.kind]} at {hit.label}{via}; "
                f"{ADVICE[hit.kind]}."
            )
        flow = (*taint.trail, (hit.node, f"sink: {hit.label}"))
        self.found[key] = TaintFinding(code, hit.kind, node, message, confidence, flow, hit.cwe)


def _desc(label: str) -> str:
    return label[2:] if len(label) > 2 and label[1] == ":" else label


def analyze_file(module: cst.Module, imports: ImportTable, index: TaintIndex) -> list[TaintFinding]:
    """Every taint finding of one module against the project's resolved summaries."""
    functions, classes = local_names(module)
    found: dict[tuple[str, int], TaintFinding] = {}
    for fn, class_name, qname in iter_functions(module, imports.module):
        summary = index.functions.get(qname)
        if summary is not None and not summary.has_sink:
            continue
        hooks = ReportHooks(index, qname, found)
        FunctionAnalyzer(module, imports, hooks, functions, classes, class_name).run_function(fn)
    top = index.functions.get(f"{imports.module}.<module>")
    if top is None or top.has_sink:
        hooks = ReportHooks(index, f"{imports.module}.<module>", found)
        FunctionAnalyzer(module, imports, hooks, functions, classes).run_module(module.body)
    return list(found.values())


def project_index(ctx: FileContext) -> TaintIndex:
    """The project's index when the join ran, else one of this file alone."""
    index = ctx.project.taint if ctx.project is not None else None
    if index is not None:
        return index
    return build_index([(ctx.relpath, summarize_module(ctx.module, ctx.imports))])


def file_findings(ctx: FileContext) -> list[TaintFinding]:
    """The taint findings of the file being reviewed, computed once per file."""
    cached = ctx.__dict__.get(_CACHE_ATTR)
    if cached is None:
        cached = analyze_file(ctx.module, ctx.imports, project_index(ctx))
        ctx.__dict__[_CACHE_ATTR] = cached
    return list(cached)


def sql_flows(ctx: FileContext) -> list[TaintFinding]:
    """Tainted SQL flows (kind `sql`) for BR101: request data reaching `execute`/`text`/`raw`."""
    return [f for f in file_findings(ctx) if f.kind == "sql"]


__all__ = ["TaintFinding", "analyze_file", "file_findings", "merge", "sql_flows"]
