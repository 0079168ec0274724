"""Model relations of Django and SQLAlchemy classes, read from a class body's syntax.

The file under review's own classes, read here from its libcst tree; the project's classes are
joined once per review into `Project.relations` (reviewer/framework/relations.py, which also
says what each relation costs).
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from reviewer.framework.relations import (
    FORWARD_ONE,
    LAZY_ALIASES,
    MANY,
    django_relations,
    sqla_relations,
    target_name,
)
from reviewer.imports import dotted_name
from reviewer.service import Relation


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _annotation_target(ann: cst.BaseExpression | None) -> tuple[str, str]:
    """(`Address`, lazy override) from `Mapped[list["Address"]]`, `WriteOnlyMapped[...]`."""
    if not isinstance(ann, cst.Subscript):
        return "", ""
    wrapper = (dotted_name(ann.value) or "").rsplit(".", 1)[-1]
    lazy = {"WriteOnlyMapped": "write_only", "DynamicMapped": "dynamic"}.get(wrapper, "")
    inner: cst.BaseExpression | None = None
    if ann.slice and isinstance(ann.slice[0].slice, cst.Index):
        inner = ann.slice[0].slice.value
    while isinstance(inner, cst.Subscript):
        inner = inner.slice[0].slice.value if isinstance(inner.slice[0].slice, cst.Index) else None
    if inner is None:
        return "", lazy
    text = _string(inner) or dotted_name(inner) or ""
    return target_name(text.strip("'\"")), lazy


def relations_from_classdef(
    node: cst.ClassDef, resolve: Callable[[cst.BaseExpression], str | None]
) -> list[Relation]:
    """The relations a model class declares (and the reverse accessors they create)."""
    model = node.name.value
    out: list[Relation] = []
    if not isinstance(node.body, cst.IndentedBlock):
        return out
    for stmt in node.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            value: cst.BaseExpression | None
            ann: cst.BaseExpression | None
            if isinstance(small, cst.Assign) and isinstance(small.targets[0].target, cst.Name):
                attr, value, ann = small.targets[0].target.value, small.value, None
            elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                attr, value, ann = small.target.value, small.value, small.annotation.annotation
            else:
                continue
            if not isinstance(value, cst.Call):
                continue
            func = resolve(value.func) or ""
            tail = func.rsplit(".", 1)[-1]
            args = [a for a in value.args if a.keyword is None]
            kwargs = {a.keyword.value: a.value for a in value.args if a.keyword is not None}
            first = args[0].value if args else kwargs.get("to") or kwargs.get("argument")
            target = ""
            if first is not None:
                target = target_name(_string(first) or dotted_name(first) or "")
            if tail in FORWARD_ONE or tail in MANY:
                related = kwargs.get("related_name")
                out.extend(
                    django_relations(
                        model, attr, func, target, _string(related) if related else None
                    )
                )
            elif tail == "relationship":
                ann_target, ann_lazy = _annotation_target(ann)
                lazy_node = kwargs.get("lazy")
                lazy = ""
                if lazy_node is not None:
                    lazy = _string(lazy_node) or dotted_name(lazy_node) or "select"
                    lazy = LAZY_ALIASES.get(lazy, lazy)
                backref = _backref(kwargs.get("backref"), resolve)
                out.extend(
                    sqla_relations(
                        model, attr, target or ann_target, lazy or ann_lazy or "select", backref
                    )
                )
    return out


def _backref(
    node: cst.BaseExpression | None, resolve: Callable[[cst.BaseExpression], str | None]
) -> tuple[str, str] | None:
    if node is None:
        return None
    name = _string(node)
    if name is not None:
        return name, "select"
    if isinstance(node, cst.Call) and (resolve(node.func) or "").endswith("backref") and node.args:
        name = _string(node.args[0].value)
        lazy = "select"
        for arg in node.args[1:]:
            if arg.keyword is not None and arg.keyword.value == "lazy":
                lazy = _string(arg.value) or "select"
        return (name, lazy) if name else None
    return None
