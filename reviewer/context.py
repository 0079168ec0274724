"""What a rule can know about the file it is visiting, during the single traversal."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, ClassVar

import libcst as cst

from reviewer.config import Config
from reviewer.imports import ImportTable
from reviewer.model import Confidence, Location, Severity
from reviewer.positions import Positions
from reviewer.service import Project


@dataclass
class PendingFinding:
    """A finding whose position is not computed yet (positions cost a metadata pass)."""

    code: str
    node: cst.CSTNode
    message: str
    severity: Severity
    confidence: Confidence
    scope: str
    flow: tuple[tuple[cst.CSTNode, str], ...] = ()
    fix: str | None = None
    extra: tuple[tuple[str, Any], ...] = ()
    redact: bool = False


def is_test_path(relpath: str) -> bool:
    """A test module: `test_*.py`, `*_test.py`, `conftest.py`, or under tests/, test/, testing/."""
    parts = relpath.split("/")
    name = parts[-1]
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or any(p in ("tests", "test", "testing") for p in parts[:-1])
    )


@dataclass
class FileContext:
    """Per-file state shared by all rules during one traversal."""

    relpath: str
    source: str
    module: cst.Module
    imports: ImportTable
    config: Config
    project: Project | None = None  # the project-wide model (route inventory...), when built
    stack: list[cst.CSTNode] = field(default_factory=list)  # ancestors of the current node
    pending: list[PendingFinding] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # per-file facts collectors hand on
    _positions: Positions | None = None

    def location(self, node: cst.CSTNode) -> Location:
        """The node's 1-based range. The first call computes positions, up to the last node a
        pending finding needs, so files without findings never pay for it."""
        if self._positions is None:
            wanted = {node, *(p.node for p in self.pending)}
            wanted.update(n for p in self.pending for n, _ in p.flow)
            self._positions = Positions(self.module, wanted)
        rng = self._positions.range(node)
        if rng is None and self._positions.partial:
            self._positions = Positions(self.module)
            rng = self._positions.range(node)
        if rng is None:
            return Location(self.relpath, 1)
        line, column, end_line, end_column = rng
        return Location(self.relpath, line, column + 1, end_line, end_column + 1)

    def resolve(self, node: cst.BaseExpression) -> str | None:
        """Qualified name of a Name/Attribute through this module's imports."""
        return self.imports.resolve(node)

    def call_name(self, call: cst.Call) -> str | None:
        return self.imports.resolve(call.func)

    @property
    def parent(self) -> cst.CSTNode | None:
        """The parent of the node being visited (the stack's top is the node itself)."""
        return self.stack[-2] if len(self.stack) >= 2 else None

    # The stack walks below test `type() is`: libcst nodes are ABCs, whose isinstance checks
    # cost ten times more, and rules ask these questions for most nodes of every file.
    def enclosing_function(self) -> cst.FunctionDef | None:
        for node in reversed(self.stack):
            if type(node) is cst.FunctionDef:
                return node
        return None

    def enclosing_class(self) -> cst.ClassDef | None:
        for node in reversed(self.stack):
            if type(node) is cst.ClassDef:
                return node
        return None

    def in_async_function(self) -> bool:
        """True when the innermost enclosing def is `async def` (a nested sync def or lambda is not)."""
        for node in reversed(self.stack):
            if type(node) is cst.FunctionDef:
                return node.asynchronous is not None
            if type(node) is cst.Lambda:
                return False
        return False

    def scope_name(self) -> str:
        names = [n.name.value for n in self.stack if isinstance(n, cst.FunctionDef | cst.ClassDef)]
        return ".".join(names)

    @functools.cached_property
    def is_test_file(self) -> bool:
        return is_test_path(self.relpath)

    def add_pending(self, **kwargs: Any) -> None:
        self.pending.append(PendingFinding(scope=self.scope_name(), **kwargs))


class Visitor:
    """Anything the single traversal drives: rules, and the framework's fact collectors.

    Define `visit_<NodeType>(node)` / `leave_<NodeType>(node)` methods; `finish()` runs after the
    traversal. Collectors store plain, picklable data in `self.ctx.facts`.
    """

    code: ClassVar[str] = ""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx

    def finish(self) -> None:
        """Called once after the traversal of a file; visitors that collect first act here."""
