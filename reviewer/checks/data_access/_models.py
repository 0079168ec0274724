"""Model relations of Django and SQLAlchemy classes, read from class bodies (syntax only).

A relation says what touching `obj.<attr>` costs: a forward FK/O2O loads one object lazily, a
reverse FK or M2M is a manager whose evaluation is a query (Django), a SQLAlchemy
`relationship()` loads with its `lazy=` strategy (`select` by default). Relations come from the
classes of the file under review and, when the project model is available, from the framework
facts of every file (`relations_from_facts`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import libcst as cst

from reviewer.imports import dotted_name

FORWARD_ONE = frozenset({"ForeignKey", "OneToOneField", "ParentalKey", "TreeForeignKey"})
MANY = frozenset({"ManyToManyField", "ParentalManyToManyField", "GenericRelation"})
EAGER_LAZY = frozenset(
    {"selectin", "joined", "subquery", "raise", "raise_on_sql", "noload", "immediate"}
    | {"write_only"}
)
_LAZY_ALIASES = {"True": "select", "False": "joined", "None": "noload"}


@dataclass(frozen=True)
class Relation:
    """`model.attr` is a relation. kind: one (lazy object) | manager (Django) | rel (SQLAlchemy)."""

    model: str
    attr: str
    kind: str
    target: str = ""
    lazy: str = "select"  # SQLAlchemy loading strategy
    orm: str = "django"


def _target_name(value: str) -> str:
    return value.rsplit(".", 1)[-1]


def _django_relations(
    model: str, attr: str, func: str, target: str, related: str | None
) -> list[Relation]:
    tail = func.rsplit(".", 1)[-1]
    target = model if target == "self" else target
    if tail in FORWARD_ONE:
        out = [Relation(model, attr, "one", target)]
        if target and related != "+" and not (related or "").endswith("+"):
            if tail == "OneToOneField":
                out.append(Relation(target, related or model.lower(), "one", model))
            else:
                out.append(Relation(target, related or f"{model.lower()}_set", "manager", model))
        return out
    if tail in MANY:
        out = [Relation(model, attr, "manager", target)]
        if target and tail != "GenericRelation" and related != "+":
            out.append(Relation(target, related or f"{model.lower()}_set", "manager", model))
        return out
    return []


def _sqla_relations(
    model: str, attr: str, target: str, lazy: str, backref: tuple[str, str] | None
) -> list[Relation]:
    out = [Relation(model, attr, "rel", target, lazy, "sqlalchemy")]
    if backref is not None and target:
        out.append(Relation(target, backref[0], "rel", model, backref[1], "sqlalchemy"))
    return out


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
    return _target_name(text.strip("'\"")), lazy


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
                target = _target_name(_string(first) or dotted_name(first) or "")
            if tail in FORWARD_ONE or tail in MANY:
                related = kwargs.get("related_name")
                out.extend(
                    _django_relations(
                        model, attr, func, target, _string(related) if related else None
                    )
                )
            elif tail == "relationship":
                ann_target, ann_lazy = _annotation_target(ann)
                lazy_node = kwargs.get("lazy")
                lazy = ""
                if lazy_node is not None:
                    lazy = _string(lazy_node) or dotted_name(lazy_node) or "select"
                    lazy = _LAZY_ALIASES.get(lazy, lazy)
                backref = _backref(kwargs.get("backref"), resolve)
                out.extend(
                    _sqla_relations(
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


# -- the same, from the project model's encoded class facts ------------------------------


def _enc_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return str(value.get("text") or value.get("ref") or "")
    return ""


# The project's relations, for the last project asked about: every file of phase 2 asks.
_PROJECT_RELATIONS: dict[int, tuple[Any, tuple[Relation, ...]]] = {}


def project_relations(project: Any) -> tuple[Relation, ...]:
    """`relations_from_facts(project.facts)`, computed once per project model."""
    if project is None or not getattr(project, "facts", None):
        return ()
    hit = _PROJECT_RELATIONS.get(id(project))
    if hit is not None and hit[0] is project:
        return hit[1]
    found = tuple(relations_from_facts(project.facts))
    _PROJECT_RELATIONS.clear()
    _PROJECT_RELATIONS[id(project)] = (project, found)
    return found


def relations_from_facts(facts: Mapping[str, Mapping[str, Any]]) -> list[Relation]:
    """Relations of every class recorded by the framework collector (`Project.facts`: per file,
    the framework facts, whose `classes` hold each class's encoded attribute values)."""
    out: list[Relation] = []
    for file_facts in facts.values():
        if not isinstance(file_facts, Mapping):
            continue
        framework = file_facts if "classes" in file_facts else file_facts.get("framework")
        if not isinstance(framework, Mapping):
            continue
        for record in framework.get("classes", {}).values():
            model = record.get("name", "")
            for attr, value in record.get("attrs", {}).items():
                if not isinstance(value, dict) or "call" not in value:
                    continue
                func = str(value["call"])
                tail = func.rsplit(".", 1)[-1]
                args, kwargs = value.get("args", []), value.get("kwargs", {})
                first = args[0] if args else kwargs.get("to") or kwargs.get("argument")
                target = _target_name(_enc_str(first))
                if tail in FORWARD_ONE or tail in MANY:
                    related = kwargs.get("related_name")
                    out.extend(
                        _django_relations(
                            model, attr, func, target, related if isinstance(related, str) else None
                        )
                    )
                elif tail == "relationship":
                    lazy = kwargs.get("lazy", "select")
                    if isinstance(lazy, bool) or lazy is None:
                        lazy = _LAZY_ALIASES[str(lazy)]
                    backref = kwargs.get("backref")
                    pair = (backref, "select") if isinstance(backref, str) else None
                    if isinstance(backref, dict) and backref.get("args"):
                        name = backref["args"][0]
                        lz = backref.get("kwargs", {}).get("lazy", "select")
                        pair = (name, lz) if isinstance(name, str) else None
                    out.extend(
                        _sqla_relations(
                            model, attr, target, lazy if isinstance(lazy, str) else "select", pair
                        )
                    )
    return out


def index_relations(relations: Iterable[Relation]) -> dict[str, dict[str, Relation]]:
    """model name -> attribute -> relation (the first declaration wins)."""
    index: dict[str, dict[str, Relation]] = {}
    for rel in relations:
        index.setdefault(rel.model, {}).setdefault(rel.attr, rel)
    return index
