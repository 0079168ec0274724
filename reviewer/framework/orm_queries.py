"""Calls that run an ORM read query by themselves, recognised by their syntax.

Django: a `Model.objects` manager or queryset method that evaluates or fetches (`get`, `filter`,
`count`, ...; the async `a*` forms too), and `get_object_or_404`. SQLAlchemy: `Model.query...`
(Flask-SQLAlchemy) and a session's `query`/`get`/`execute`/`scalars` on a receiver named like a
session. `db_call` is wider: any call that talks to the database (writes, DB-API cursors).
Shared by the data-access and architecture rules and the layer model (reviewer/framework/layers.py),
so it sits in the frontend below all of them.

References:
- https://docs.djangoproject.com/en/5.2/ref/models/querysets/
- https://docs.sqlalchemy.org/en/20/orm/session_api.html#sqlalchemy.orm.Session
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from reviewer.imports import dotted_name

# Methods that run a query on a Django manager/queryset or a SQLAlchemy session.
DJANGO_READS = frozenset(
    {"get", "filter", "exclude", "all", "first", "last", "count", "exists", "values"}
    | {"values_list", "aggregate", "in_bulk", "latest", "earliest", "get_or_create"}
    | {"aget", "afirst", "alast", "acount", "aexists", "aget_or_create"}
)
SESSION_READS = frozenset({"query", "get", "execute", "scalars", "scalar", "get_one"})
SESSION_NAMES = frozenset({"session", "db", "sess", "dbsession", "db_session"})


def capitalised(node: cst.BaseExpression | None) -> str | None:
    name = dotted_name(node) if node is not None else None
    if name is None:
        return None
    last = name.rsplit(".", 1)[-1]
    return last if last[:1].isupper() else None


def is_query_call(
    call: cst.Call, resolve: Callable[[cst.BaseExpression], str | None]
) -> str | None:
    """A call that runs a read query by itself: its short description, else None."""
    func = call.func
    name = resolve(func) or ""
    if name.rsplit(".", 1)[-1] in {"get_object_or_404", "get_list_or_404"}:
        return f"`{name.rsplit('.', 1)[-1]}()`"
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    receiver = func.value
    while isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Attribute):
        receiver = receiver.func.value
    if isinstance(receiver, cst.Attribute) and receiver.attr.value == "objects":
        model = capitalised(receiver.value)
        if model and method in DJANGO_READS:
            return f"`{model}.objects...{method}()`"
    if isinstance(receiver, cst.Attribute) and receiver.attr.value == "query":
        model = capitalised(receiver.value)
        if model:
            return f"`{model}.query...{method}()`"
    root = (dotted_name(func.value) or "").lower().split(".")[-1]
    if method not in SESSION_READS or root not in SESSION_NAMES:
        return None
    if method in {"get", "get_one", "query"} and not (
        call.args and capitalised(call.args[0].value)
    ):
        return None
    return f"`{dotted_name(func.value)}.{method}()`"


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


def queried_model(call: cst.Call) -> str | None:
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
            return queried_model(arg.value)
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
            return bool(call.args) and bool(queried_model(call))
        return True
    return root in _CURSORS and method in {"execute", "executemany", "fetchall", "fetchone"}
