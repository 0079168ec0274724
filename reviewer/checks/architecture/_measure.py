"""Measures of a handler's body: data access, loops, branches, size, cyclomatic complexity.

Counted on the syntax tree only, not entering nested functions, classes or lambdas. Data access
is recognised by library semantics (Django managers and querysets, SQLAlchemy sessions and
Flask-SQLAlchemy `Model.query`, DB-API cursors), see `reviewer/checks/data_access/_orm.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from reviewer.framework.orm_queries import db_call, queried_model
from reviewer.walk import walk_scope

_EMPTY = cst.Module(body=[])


@dataclass
class Measures:
    db_calls: int = 0
    models: set[str] = field(default_factory=set)
    loops: int = 0
    branches: int = 0
    statements: int = 0
    lines: int = 0
    complexity: int = 1
    first_db_call: cst.Call | None = None


def code_lines(text: str) -> int:
    """Lines that hold code: blank lines and comment-only lines do not make a handler large."""
    return sum(
        1 for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    )


def _without_docstring(body: cst.BaseSuite) -> cst.BaseSuite:
    """A docstring documents the handler (often a whole OpenAPI/flasgger spec): not its size."""
    if isinstance(body, cst.IndentedBlock) and body.body:
        first = body.body[0]
        if (
            isinstance(first, cst.SimpleStatementLine)
            and len(first.body) == 1
            and isinstance(first.body[0], cst.Expr)
            and isinstance(first.body[0].value, cst.SimpleString | cst.ConcatenatedString)
        ):
            return body.with_changes(body=body.body[1:])
    return body


def measure(func: cst.FunctionDef, resolve: Callable[[cst.BaseExpression], str | None]) -> Measures:
    m = Measures(lines=code_lines(_EMPTY.code_for_node(_without_docstring(func.body))))
    inside_db: set[int] = set()
    for node in walk_scope(func.body):
        if isinstance(node, cst.BaseSmallStatement | cst.BaseCompoundStatement):
            m.statements += 1
        if isinstance(node, cst.For | cst.While):
            m.loops += 1
            m.complexity += 1
        elif isinstance(node, cst.If | cst.IfExp | cst.MatchCase):
            m.branches += 1
            m.complexity += 1
        elif isinstance(node, cst.ExceptHandler | cst.CompFor | cst.CompIf | cst.BooleanOperation):
            m.complexity += 1
        elif isinstance(node, cst.Call) and id(node) not in inside_db and db_call(node, resolve):
            m.db_calls += 1
            m.first_db_call = m.first_db_call or node
            model = queried_model(node)
            if model:
                m.models.add(model)
            # a chain `Model.objects.filter(...).first()` is one query: skip its inner calls
            current: cst.BaseExpression = node.func
            while isinstance(current, cst.Attribute):
                current = current.value
                if isinstance(current, cst.Call):
                    inside_db.add(id(current))
                    current = current.func
    return m
