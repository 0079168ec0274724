"""Measures of a handler's body: data access, loops, branches, size, cyclomatic complexity.

Counted on the syntax tree only, not entering nested functions, classes or lambdas. Data access
is recognised by library semantics (Django managers and querysets, SQLAlchemy sessions and
Flask-SQLAlchemy `Model.query`, DB-API cursors), see `reviewer/checks/data_access/_orm.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from reviewer.checks.orm_queries import SESSION_NAMES, is_query_call
from reviewer.imports import dotted_name
from reviewer.walk import walk_scope

_SESSION_WRITES = frozenset(
    {"add", "add_all", "commit", "delete", "flush", "merge", "execute", "rollback", "refresh"}
    | {"scalars", "scalar", "get", "query", "bulk_save_objects", "executemany"}
)
_DJANGO_WRITES = frozenset(
    {"create", "update", "delete", "bulk_create", "bulk_update", "update_or_create"}
    | {"get_or_create", "raw"}
)
_CURSORS = frozenset({"cursor", "cur", "conn", "connection", "con"})
_NOT_MODELS = frozenset({"Session", "Q", "F", "Count", "Sum"})

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


def _model_of(call: cst.Call) -> str | None:
    """The model class a data-access call names, if any."""
    func = call.func
    receiver: cst.BaseExpression | None = func.value if isinstance(func, cst.Attribute) else None
    while isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Attribute):
        receiver = receiver.func.value
    if isinstance(receiver, cst.Attribute) and receiver.attr.value in {"objects", "query"}:
        name = dotted_name(receiver.value) or ""
        last = name.rsplit(".", 1)[-1]
        if last[:1].isupper():
            return last
    for arg in call.args[:1]:
        name = dotted_name(arg.value) or ""
        last = name.rsplit(".", 1)[-1]
        if last[:1].isupper() and last not in _NOT_MODELS:
            return last
        if isinstance(arg.value, cst.Call):
            ctor = (dotted_name(arg.value.func) or "").rsplit(".", 1)[-1]
            if ctor[:1].isupper() and ctor not in _NOT_MODELS:
                return ctor
            return _model_of(arg.value)
    return None


def db_call(call: cst.Call, resolve: Callable[[cst.BaseExpression], str | None]) -> bool:
    """A call that talks to the database (read or write)."""
    if is_query_call(call, resolve):
        return True
    func = call.func
    if not isinstance(func, cst.Attribute):
        return False
    method = func.attr.value
    receiver = func.value
    while isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Attribute):
        receiver = receiver.func.value
    if isinstance(receiver, cst.Attribute) and receiver.attr.value == "objects":
        return method in _DJANGO_WRITES or method.startswith("a")
    dotted = dotted_name(func.value) or ""
    root = dotted.lower().split(".")[-1]
    if root in SESSION_NAMES and method in _SESSION_WRITES:
        if "request.session" in dotted or (resolve(func.value) or "").startswith("flask."):
            return False  # the web framework's session dict, not a database session
        if method in {"get", "query", "get_one"}:
            return bool(call.args) and bool(_model_of(call))
        return True
    return root in _CURSORS and method in {"execute", "executemany", "fetchall", "fetchone"}


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
            model = _model_of(node)
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
