"""Taint values and the plain, picklable summary records the engine hands between phases.

A value's taint is a set of labels: `S:<desc>` client data from a request, `E:<desc>` data from
the environment (argv, env vars, input), `R:<desc>` output of a non-cryptographic random
generator, `P:<i>` the function's i-th parameter and `C:<k>` the result of the function's k-th
call into (possibly) project code. `cleared` names the sink kinds the value was sanitized for and
`weak` says the flow went through a call the engine could not resolve.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

Trail = tuple[tuple[cst.CSTNode, str], ...]
MAX_TRAIL = 12


@dataclass(frozen=True)
class Taint:
    labels: frozenset[str]
    trail: Trail = ()
    weak: bool = False
    cleared: frozenset[str] = frozenset()

    def step(self, node: cst.CSTNode, text: str) -> Taint:
        if len(self.trail) >= MAX_TRAIL or (self.trail and self.trail[-1][0] is node):
            return self
        return Taint(self.labels, (*self.trail, (node, text)), self.weak, self.cleared)

    def with_(self, *, weak: bool | None = None, cleared: frozenset[str] = frozenset()) -> Taint:
        return Taint(
            self.labels,
            self.trail,
            self.weak if weak is None else weak,
            self.cleared | cleared,
        )

    def sources(self) -> frozenset[str]:
        return frozenset(lab for lab in self.labels if lab[0] in "SER")


def merge(a: Taint | None, b: Taint | None) -> Taint | None:
    """The taint of a value that may come from either `a` or `b`."""
    if a is None:
        return b
    if b is None or a == b:
        return a

    # Keep the trail of the stronger side: a source-bearing, strong, less-sanitized flow.
    def strength(t: Taint) -> tuple[int, int, int]:
        return (bool(t.sources()), not t.weak, -len(t.cleared))

    best = a if strength(a) >= strength(b) else b
    return Taint(a.labels | b.labels, best.trail, a.weak and b.weak, a.cleared & b.cleared)


def merge_all(items: list[Taint | None]) -> Taint | None:
    result: Taint | None = None
    for item in items:
        result = merge(result, item)
    return result


@dataclass(frozen=True)
class Flow:
    """A taint without its trail: what summaries store."""

    labels: frozenset[str]
    weak: bool = False
    cleared: frozenset[str] = frozenset()

    @staticmethod
    def of(t: Taint | None) -> Flow | None:
        return None if t is None else Flow(t.labels, t.weak, t.cleared)


def flow_union(parts: list[Flow]) -> Flow | None:
    if not parts:
        return None
    labels: set[str] = set()
    weak = True
    cleared: frozenset[str] | None = None
    for part in parts:
        labels |= part.labels
        weak = weak and part.weak
        cleared = part.cleared if cleared is None else cleared & part.cleared
    return Flow(frozenset(labels), weak, cleared or frozenset())


GUARD_REF = "?"  # a guard kind that is a reference: `?<callee>#<parameter index>`


def guard_ref(callee: str, index: int) -> str:
    """What a parameter checked by a call to another (project) function is validated for:
    whatever that function validates its `index`-th parameter for."""
    return f"{GUARD_REF}{callee}#{index}"


@dataclass(frozen=True)
class CallSite:
    """A call from one function into a name that may be project code."""

    callee: str  # qualified candidate, e.g. `app.utils.run` or `app.models.User.save`
    bound: bool  # called on an instance: positional args start at the callee's 2nd parameter
    args: tuple[tuple[str, Flow], ...]  # ("0", flow), ("kw:name", flow)


@dataclass(frozen=True)
class FunctionSummary:
    qname: str
    params: tuple[str, ...]  # positional parameters in order, then keyword-only ones
    returns: Flow | None
    calls: tuple[CallSite, ...]
    has_sink: bool = False
    has_source: bool = False
    guards: tuple[tuple[int, tuple[str, ...]], ...] = ()  # parameter -> sink kinds it validates
    fields: tuple[tuple[str, Flow], ...] = ()  # self.<attr> = <flow> stores


@dataclass
class ModuleFacts:
    """Everything phase 1 learns about one module, as plain data."""

    module: str
    functions: dict[str, FunctionSummary] = field(default_factory=dict)
    classes: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)  # the module's import table
    bases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # class -> base classes
