"""Resolve names to dotted qualified names from a module's own import statements.

libcst's QualifiedNameProvider costs about 100 s on Django (DESIGN.md): instead each module's
import table is read once, cheaply, and `resolve()` maps `sa.text` to `sqlalchemy.text`,
`from flask import request as rq` + `rq.json` to `flask.request.json`, and relative imports to
the module's package (`from .auth import require_user` in `app/views.py` -> `app.auth.require_user`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import libcst as cst

from reviewer.walk import children


def dotted_name(node: cst.BaseExpression | cst.Attribute | cst.Name) -> str | None:
    """`a.b.c` for Name/Attribute chains, None for anything else (calls, subscripts...)."""
    parts: list[str] = []
    current: cst.BaseExpression = node
    # `type() is` rather than isinstance: libcst nodes are ABCs (slow checks) and this runs
    # for every name in every file; concrete node classes are never subclassed
    while type(current) is cst.Attribute:
        parts.append(current.attr.value)
        current = current.value
    if type(current) is cst.Name:
        parts.append(current.value)
        return ".".join(reversed(parts))
    return None


def module_name_for(relpath: str) -> str:
    """`app/api/views.py` -> `app.api.views`; `pkg/__init__.py` -> `pkg`."""
    parts = relpath.removesuffix(".py").split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(p for p in parts if p)


@dataclass
class ImportTable:
    """Local name -> qualified name, for one module."""

    module: str = ""
    is_package: bool = False
    names: dict[str, str] = field(default_factory=dict)
    stars: list[str] = field(default_factory=list)  # modules of `from X import *`, in order
    # resolve() answers by node: a dozen rules ask about each call of a file. The node is
    # kept with the answer so a recycled id() can never return another node's name.
    _resolved: dict[int, tuple[cst.CSTNode, str | None]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def add(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.names[alias.asname.name.value] = full
                else:
                    top = full.split(".")[0]
                    self.names[top] = top
            return
        base = self.from_base(node)
        if isinstance(node.names, cst.ImportStar):
            if base and base not in self.stars:
                self.stars.append(base)  # `from .dependencies import *`: names looked up there
            return
        for alias in node.names:
            imported = dotted_name(alias.name) or ""
            local = imported
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.names[local] = f"{base}.{imported}" if base else imported

    def from_base(self, node: cst.ImportFrom) -> str:
        """The absolute module a `from ... import` reads from (relative levels resolved)."""
        module = dotted_name(node.module) if node.module is not None else ""
        level = len(node.relative)
        if not level:
            return module or ""
        package = self.module.split(".") if self.module else []
        if not self.is_package:
            package = package[:-1]
        if level > 1:
            package = package[: len(package) - (level - 1)] if level - 1 <= len(package) else []
        return ".".join([*package, module] if module else package)

    def resolve(self, node: cst.BaseExpression) -> str | None:
        """Qualified dotted name of a Name/Attribute; unimported names resolve to themselves."""
        known = self._resolved.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        answer = self._resolve(node)
        self._resolved[id(node)] = (node, answer)
        return answer

    def _resolve(self, node: cst.BaseExpression) -> str | None:
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        target = self.names.get(head)
        if target is None:
            return dotted
        return f"{target}.{rest}" if rest else target


def _import_statements(body: Sequence[cst.CSTNode]) -> Iterator[cst.Import | cst.ImportFrom]:
    """Imports at any statement depth (inside if/try/def/class too); expressions never hold any."""
    for statement in body:
        if (
            type(statement) is cst.SimpleStatementLine
            or type(statement) is cst.SimpleStatementSuite
        ):
            for small in statement.body:
                if type(small) is cst.Import or type(small) is cst.ImportFrom:
                    yield small
        elif isinstance(statement, cst.BaseSuite):
            yield from _import_statements(_statements(statement))
        elif isinstance(statement, cst.BaseCompoundStatement):
            for child in children(statement):
                if isinstance(child, cst.BaseCompoundStatement | cst.BaseSuite):
                    yield from _import_statements([child])
                elif isinstance(getattr(child, "body", None), cst.BaseSuite):
                    yield from _import_statements([child.body])  # type: ignore[attr-defined]


def _statements(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return suite.body if isinstance(suite, cst.IndentedBlock) else [suite]


def build_import_table(module: cst.Module, relpath: str) -> ImportTable:
    table = ImportTable(module=module_name_for(relpath), is_package=relpath.endswith("__init__.py"))
    for node in _import_statements(module.body):
        table.add(node)
    return table
