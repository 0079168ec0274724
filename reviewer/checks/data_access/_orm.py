"""Recognise ORM queries by their syntax: what a loop iterates and which relations it preloads.

Django: `Model.objects...` chains with `select_related`/`prefetch_related`/`values`. SQLAlchemy:
`session.query(Model)...`, `Model.query...` (Flask-SQLAlchemy), `session.scalars(select(Model))`,
`session.execute(select(Model)).scalars()`, with loader options (`joinedload`, `selectinload`...).
Local variables are followed (`qs = Book.objects.all(); qs = qs.select_related("author")`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import libcst as cst

from reviewer.framework.orm_queries import capitalised
from reviewer.imports import dotted_name
from reviewer.walk import children as syntax_children

LOADERS = frozenset(
    {"joinedload", "selectinload", "subqueryload", "immediateload", "lazyload", "noload"}
    | {"raiseload", "contains_eager", "defaultload"}
)
WRAPPERS = frozenset({"list", "tuple", "sorted", "reversed", "set", "enumerate"})


@dataclass
class QuerySource:
    """What a loop iterates: model instances of `model` from `orm`, and what is preloaded."""

    orm: str  # django | sqlalchemy
    model: str
    select_related: set[str] = field(default_factory=set)
    select_all: bool = False  # `select_related()` with no arguments
    prefetch: set[str] = field(default_factory=set)
    instances: bool = True  # False after `.values()` / `.values_list()`
    wildcard: bool = False  # SQLAlchemy `selectinload("*")` and friends


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _loader_attrs(node: cst.CSTNode, source: QuerySource) -> None:
    """Record relations named by loader options anywhere under `node`."""
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        stack.extend(syntax_children(current))
        if not isinstance(current, cst.Call):
            continue
        func = current.func
        tail = func.attr.value if isinstance(func, cst.Attribute) else dotted_name(func) or ""
        if tail.rsplit(".", 1)[-1] not in LOADERS:
            continue
        for arg in current.args:
            text = _string(arg.value)
            if text == "*":
                source.wildcard = True
            elif text:
                source.prefetch.add(text.split(".")[0])
            elif isinstance(arg.value, cst.Attribute):
                source.prefetch.add(arg.value.attr.value)


def _django_lookups(call: cst.Call) -> set[str]:
    names: set[str] = set()
    for arg in call.args:
        value = arg.value
        text = _string(value)
        if arg.keyword is not None:
            continue
        if text is None and isinstance(value, cst.Call) and value.args:
            text = _string(value.args[0].value)  # Prefetch("books", ...)
            for inner in value.args:
                if inner.keyword is not None and inner.keyword.value == "to_attr":
                    extra = _string(inner.value)
                    if extra:
                        names.add(extra)
        if text:
            names.add(text.split("__")[0])
    return names


def query_source(
    expr: cst.BaseExpression,
    variables: Mapping[str, cst.BaseExpression],
    resolve: Callable[[cst.BaseExpression], str | None],
    depth: int = 0,
) -> QuerySource | None:
    """The query `expr` evaluates to, if it is one (following local variables)."""
    if depth > 8:
        return None
    methods: list[cst.Call] = []
    current: cst.BaseExpression = expr
    while True:
        if isinstance(current, cst.Await):
            current = current.expression
            continue
        if isinstance(current, cst.Call):
            func = current.func
            if isinstance(func, cst.Name) and func.value in WRAPPERS and current.args:
                current = current.args[0].value
                continue
            if isinstance(func, cst.Attribute):
                if func.attr.value in {"scalars", "execute"} and current.args:
                    inner = query_source(current.args[0].value, variables, resolve, depth + 1)
                    if inner is not None:
                        return _apply(inner, methods)
                if func.attr.value == "query" and current.args:
                    model = capitalised(current.args[0].value)
                    if model:
                        return _apply(QuerySource("sqlalchemy", model), methods)
                methods.append(current)
                current = func.value
                continue
            tail = (resolve(func) or dotted_name(func) or "").rsplit(".", 1)[-1]
            if tail == "select" and current.args:
                model = capitalised(current.args[0].value)
                if model:
                    return _apply(QuerySource("sqlalchemy", model), methods)
            return None
        if isinstance(current, cst.Attribute):
            model = capitalised(current.value)
            if model and current.attr.value == "objects":
                return _apply(QuerySource("django", model), methods)
            if model and current.attr.value == "query":
                return _apply(QuerySource("sqlalchemy", model), methods)
            return None
        if isinstance(current, cst.Name) and current.value in variables:
            inner = query_source(variables[current.value], variables, resolve, depth + 1)
            return _apply(inner, methods) if inner is not None else None
        return None


def inline_root(
    expr: cst.BaseExpression, variables: Mapping[str, cst.BaseExpression]
) -> cst.BaseExpression:
    """`qs.select_related(...)` with `qs` replaced by its current value, so that a variable
    reassigned from itself (`qs = qs.filter(...)`) keeps its whole chain."""
    current: cst.BaseExpression = expr
    while True:
        if isinstance(current, cst.Await):
            current = current.expression
        elif isinstance(current, cst.Call):
            current = current.func
        elif isinstance(current, cst.Attribute):
            current = current.value
        else:
            break
    if isinstance(current, cst.Name) and current.value in variables:
        replaced = expr.deep_replace(current, variables[current.value])
        return replaced if isinstance(replaced, cst.BaseExpression) else expr
    return expr


def _apply(source: QuerySource, methods: list[cst.Call]) -> QuerySource:
    for call in methods:
        assert isinstance(call.func, cst.Attribute)
        name = call.func.attr.value
        if name == "select_related":
            if not call.args:
                source.select_all = True
            source.select_related |= _django_lookups(call)
        elif name == "prefetch_related":
            source.prefetch |= _django_lookups(call)
        elif name in {"values", "values_list"}:
            source.instances = False
        elif name == "options":
            _loader_attrs(call, source)
    return source
