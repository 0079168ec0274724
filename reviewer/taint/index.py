"""The project join: resolve every function's summary against the others, to a fixpoint.

Bottom-up, `returns[f]` says which parameters of f and which sources reach its return value.
Top-down, `params[f][i]` says which sources reach parameter i of f from some caller (and which
caller). Both are monotone over finite label sets and run for a bounded number of rounds, so
recursion (direct or mutual) terminates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reviewer.taint import specs
from reviewer.taint.values import (
    GUARD_REF,
    CallSite,
    Flow,
    FunctionSummary,
    ModuleFacts,
    flow_union,
)

MAX_ROUNDS = 8
MAX_DEPTH = 16
FACTS_KEY = "taint"
_GUARD_DEPTH = 4  # guards delegating to guards followed this deep


@dataclass
class TaintIndex:
    """Resolved summaries of every function of the project (plain data, picklable)."""

    functions: dict[str, FunctionSummary] = field(default_factory=dict)
    classes: set[str] = field(default_factory=set)
    aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # qualified function -> relpath
    bases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    module_files: dict[str, str] = field(default_factory=dict)  # module -> relpath
    returns: dict[str, Flow | None] = field(default_factory=dict)
    params: dict[str, dict[int, tuple[Flow, str]]] = field(default_factory=dict)
    fields: dict[str, dict[str, Flow]] = field(default_factory=dict)  # class -> attr -> flow
    _memo: dict[tuple[str, int], Flow | None] = field(default_factory=dict, repr=False)
    # lookup() answers, once the index is joined (the tables it reads no longer change)
    _lookups: dict[str, str | None] = field(default_factory=dict, repr=False)
    _guards: dict[str, dict[int, frozenset[str]]] = field(default_factory=dict, repr=False)
    # the dotted name the reviewed directory is imported under when it is a package itself
    # (`CTFd/` reviewed: `from CTFd.utils import validators` names the module `utils.validators`).
    # Used for guards only, which can only clear taint: resolving every call this way surfaced
    # the over-approximation of stored fields (9 new false BR103/BR107 on changedetection).
    package: str = ""

    # -- name resolution -----------------------------------------------------------------

    def lookup(self, qname: str) -> str | None:
        """The defining name of a function or class, following re-exports (`pkg.f` ->
        `pkg.mod.f`)."""
        try:
            return self._lookups[qname]
        except KeyError:
            found = self._lookups[qname] = self._lookup(qname, 0)
            return found

    def _lookup(self, qname: str, depth: int) -> str | None:
        if qname in self.functions or qname in self.classes:
            return qname
        if depth > 4:
            return None
        parts = qname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            table = self.aliases.get(module)
            if table is not None and parts[cut] in table:
                target = ".".join([table[parts[cut]], *parts[cut + 1 :]])
                if target != qname:
                    return self._lookup(target, depth + 1)
        owner, _, method = qname.rpartition(".")
        cls = self._lookup(owner, depth + 1) if owner else None
        for base in self.bases.get(cls or "", ()):
            found = self._lookup(f"{base}.{method}", depth + 1)  # an inherited method
            if found is not None:
                return found
        return None

    def param_key_map(self, target: str, site: CallSite) -> dict[int, Flow]:
        """The flows a call site passes into each parameter index of `target`."""
        fn = self.functions[target]
        offset = 1 if site.bound else 0
        args = dict(site.args)
        mapped: dict[int, Flow] = {}
        for index, name in enumerate(fn.params):
            flow = args.get(str(index - offset)) if index >= offset else None
            flow = flow or args.get(f"kw:{name}")
            if flow is not None:
                mapped[index] = flow
        return mapped

    # -- bottom-up: returns ----------------------------------------------------------------

    def site_result(self, fn: FunctionSummary, site: CallSite, depth: int) -> Flow | None:
        """The symbolic (in fn's parameters) flow of a call's result."""
        target = self.lookup(site.callee)
        if target is not None and target in self.functions:
            ret = self.returns.get(target)
            if ret is None:
                return None
            parts: list[Flow] = []
            sources = frozenset(lab for lab in ret.labels if lab[0] in "SER")
            if sources:
                parts.append(Flow(sources, ret.weak, ret.cleared))
            mapped = self.param_key_map(target, site)
            for label in ret.labels:
                if label.startswith("P:") and int(label[2:]) in mapped:
                    resolved = self.resolve(fn, mapped[int(label[2:])], depth + 1)
                    if resolved is not None:
                        parts.append(_through(resolved, ret))
            return flow_union(parts)
        resolved_args = [
            r
            for key, flow in site.args
            if (key != "recv" or target is None)
            and (r := self.resolve(fn, flow, depth + 1)) is not None
        ]
        result = flow_union(resolved_args)
        if result is None or target is not None:  # a project class: the object holds the args
            return result
        return Flow(result.labels, True, result.cleared)

    def _site_memo(self, fn: FunctionSummary, index: int, depth: int) -> Flow | None:
        """A call site's result, computed once per round (call results do not depend on the
        caller's context, only on the callees' current summaries); cycles resolve to nothing."""
        key = (fn.qname, index)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = None  # in progress: a cycle back here contributes nothing
        result = self.site_result(fn, fn.calls[index], depth)
        self._memo[key] = result
        return result

    def resolve(self, fn: FunctionSummary, flow: Flow, depth: int = 0) -> Flow | None:
        """Replace call-result labels `C:k` by what the callee returns."""
        calls = [lab for lab in flow.labels if lab.startswith("C:")]
        if not calls:  # nothing to replace (most flows): flow_union([flow]) would copy it
            return flow if flow.labels else None
        plain = flow.labels.difference(calls)
        parts = [Flow(plain, flow.weak, flow.cleared)] if plain else []
        if depth <= MAX_DEPTH:
            for label in calls:
                index = int(label[2:])
                if index >= len(fn.calls):
                    continue
                result = self._site_memo(fn, index, depth)
                if result is not None:
                    parts.append(_through(result, flow))
        return flow_union(parts)

    # -- top-down: parameters ----------------------------------------------------------------

    def concrete(self, fn: FunctionSummary, flow: Flow | None) -> Flow | None:
        """A symbolic flow of fn with its parameters replaced by what callers pass."""
        if flow is None:
            return None
        resolved = self.resolve(fn, flow)
        if resolved is None:
            return None
        parts: list[Flow] = []
        sources = frozenset(lab for lab in resolved.labels if lab[0] in "SER")
        if sources:
            parts.append(Flow(sources, resolved.weak, resolved.cleared))
        incoming = self.params.get(fn.qname, {})
        for label in resolved.labels:
            if label.startswith("P:") and int(label[2:]) in incoming:
                got = incoming[int(label[2:])][0]
                parts.append(_through(got, resolved))
        return flow_union(parts)

    def solve(self) -> None:
        # Returns: only those naming call results (`C:k`) can change from round to round;
        # the others are what the summary says, set in the first round.
        calling = list(self.functions.items())
        for round_ in range(MAX_ROUNDS):
            changed = False
            self._memo = {}
            for qname, fn in calling:
                new = self.resolve(fn, fn.returns) if fn.returns is not None else None
                if new != self.returns.get(qname):
                    self.returns[qname] = new
                    changed = True
            if not changed:
                break
            if round_ == 0:
                calling = [
                    (q, fn)
                    for q, fn in calling
                    if fn.returns is not None
                    and any(lab.startswith("C:") for lab in fn.returns.labels)
                ]
        self._memo = {}
        # Parameters: a function's contributions to its callees depend on its own incoming
        # flows only (returns are settled), so one whose incoming flows did not change since it
        # was last visited would add nothing: it is skipped, rounds and order otherwise as they
        # were (the same result, including where MAX_ROUNDS cuts a long chain).
        stale = set(self.functions)
        for _ in range(MAX_ROUNDS):
            changed = False
            for qname, fn in self.functions.items():
                if qname not in stale:
                    continue
                stale.discard(qname)
                for site in fn.calls:
                    target = self.lookup(site.callee)
                    if target is not None and target in self.classes:
                        target = self.lookup(f"{target}.__init__")
                        site = CallSite(site.callee, True, site.args)
                    if target is None or target not in self.functions:
                        continue
                    for index, flow in self.param_key_map(target, site).items():
                        got = self.concrete(fn, flow)
                        if got is None or not got.labels:
                            continue
                        slot = self.params.setdefault(target, {})
                        old = slot.get(index)
                        merged = got if old is None else flow_union([old[0], got])
                        if merged is not None and (old is None or merged != old[0]):
                            slot[index] = (merged, old[1] if old else qname)
                            stale.add(target)
                            changed = True
            if not changed:
                break

    def solve_fields(self) -> None:
        """What callers' data ends up in `self.<attr>` of each class (after `params`)."""
        for qname, fn in self.functions.items():
            owner = qname.rsplit(".", 1)[0]
            for attr, flow in fn.fields:
                got = self.concrete(fn, flow)
                if got is None or not any(lab[0] in "SER" for lab in got.labels):
                    continue
                slot = self.fields.setdefault(owner, {})
                merged = flow_union([slot[attr], got]) if attr in slot else got
                if merged is not None:
                    slot[attr] = merged

    def field_of(self, owner: str, attr: str, depth: int = 0) -> Flow | None:
        found = self.fields.get(owner, {}).get(attr)
        if found is not None or depth > 4:
            return found
        for base in self.bases.get(owner, ()):
            target = self.lookup(base)
            if target is not None and (got := self.field_of(target, attr, depth + 1)):
                return got
        return None

    def is_enum(self, qname: str, depth: int = 0) -> bool:
        """`qname` names an `enum.Enum` subclass, through project base classes."""
        if qname in specs.ENUM_CLASSES:
            return True
        target = self.lookup(qname)
        if target is None or depth > 4:
            return False
        return any(self.is_enum(base, depth + 1) for base in self.bases.get(target, ()))

    def guards_of(self, qname: str, depth: int = 0) -> dict[int, frozenset[str]]:
        """The sink kinds a project function validates each parameter for; a guard that
        delegates (`return _is_safe(url) and ...`) validates what its callee does."""
        target = self.lookup(qname)
        if target is None and self.package and qname.startswith(self.package + "."):
            target = self.lookup(qname[len(self.package) + 1 :])
        fn = self.functions.get(target) if target else None
        if fn is None or not fn.guards:
            return {}
        assert target is not None
        known = self._guards.get(target)
        if known is not None:
            return known
        out: dict[int, frozenset[str]] = {}
        for index, kinds in fn.guards:
            real = {k for k in kinds if not k.startswith(GUARD_REF)}
            for ref in kinds:
                if ref.startswith(GUARD_REF) and depth < _GUARD_DEPTH:
                    callee, _, at = ref[len(GUARD_REF) :].rpartition("#")
                    real |= self.guards_of(callee, depth + 1).get(int(at), frozenset())
            if real:
                out[index] = frozenset(real)
        if depth == 0:
            self._guards[target] = out
        return out

    def relevant_files(self) -> frozenset[str]:
        """Files whose functions may report a finding: a sink plus a source or tainted input."""
        out = set()
        for module, table in self.aliases.items():  # BR107's Environment(autoescape=False)
            if module in self.module_files and any(v.startswith("jinja2") for v in table.values()):
                out.add(self.module_files[module])
        for qname, fn in self.functions.items():
            if not fn.has_sink:
                continue
            if (
                fn.has_source
                or self.params.get(qname)
                or self._calls_source(fn)
                or self.fields.get(qname.rsplit(".", 1)[0])
            ):
                out.add(self.files[qname])
        return frozenset(out)

    def _calls_source(self, fn: FunctionSummary) -> bool:
        for site in fn.calls:
            target = self.lookup(site.callee)
            ret = self.returns.get(target) if target else None
            if ret is not None and any(lab[0] in "SER" for lab in ret.labels):
                return True
        return False


def _through(inner: Flow, outer: Flow) -> Flow:
    """`inner`'s labels arriving through `outer`: weak if either is, cleared of what either is."""
    return Flow(inner.labels, inner.weak or outer.weak, inner.cleared | outer.cleared)


def build_index(modules: Iterable[tuple[str, ModuleFacts]], package: str = "") -> TaintIndex:
    """Join the per-module facts of a project into resolved summaries (`package`: the name
    the reviewed directory is imported under, when it is a package)."""
    index = TaintIndex(package=package)
    for relpath, facts in modules:
        index.aliases[facts.module] = facts.aliases
        index.module_files[facts.module] = relpath
        index.classes.update(facts.classes)
        index.bases.update(facts.bases)
        for qname, summary in facts.functions.items():
            index.functions[qname] = summary
            index.files[qname] = relpath
    index._lookups.clear()
    index.solve()
    index.solve_fields()
    return index


def build_index_from_facts(
    facts_by_file: Mapping[str, Mapping[str, Any]], package: str = ""
) -> TaintIndex:
    """The same, from the engine's per-file `ctx.facts` (the collector stores `facts["taint"]`)."""
    return build_index(
        (
            (path, facts[FACTS_KEY])
            for path, facts in sorted(facts_by_file.items())
            if isinstance(facts.get(FACTS_KEY), ModuleFacts)
        ),
        package,
    )
