"""ORM relations of Django and SQLAlchemy model classes, joined once per review from the
framework collector's encoded class facts (`Project.facts`) into `Project.relations`.

A relation says what touching `obj.<attr>` costs: a forward FK/O2O loads one object lazily, a
reverse FK or M2M is a manager whose evaluation is a query (Django), a SQLAlchemy
`relationship()` loads with its `lazy=` strategy (`select` by default; `lazy=True/False/None`
are the legacy spellings of select/joined/noload).

References:
- https://docs.djangoproject.com/en/5.2/topics/db/queries/#related-objects
- https://docs.sqlalchemy.org/en/20/orm/queryguide/relationships.html#relationship-loading-techniques
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reviewer.service import Relation

FORWARD_ONE = frozenset({"ForeignKey", "OneToOneField", "ParentalKey", "TreeForeignKey"})
MANY = frozenset({"ManyToManyField", "ParentalManyToManyField", "GenericRelation"})
EAGER_LAZY = frozenset(
    {"selectin", "joined", "subquery", "raise", "raise_on_sql", "noload", "immediate"}
    | {"write_only"}
)
LAZY_ALIASES = {"True": "select", "False": "joined", "None": "noload"}


def target_name(value: str) -> str:
    return value.rsplit(".", 1)[-1]


def django_relations(
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


def sqla_relations(
    model: str, attr: str, target: str, lazy: str, backref: tuple[str, str] | None
) -> list[Relation]:
    out = [Relation(model, attr, "rel", target, lazy, "sqlalchemy")]
    if backref is not None and target:
        out.append(Relation(target, backref[0], "rel", model, backref[1], "sqlalchemy"))
    return out


def _enc_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return str(value.get("text") or value.get("ref") or "")
    return ""


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
                target = target_name(_enc_str(first))
                if tail in FORWARD_ONE or tail in MANY:
                    related = kwargs.get("related_name")
                    out.extend(
                        django_relations(
                            model, attr, func, target, related if isinstance(related, str) else None
                        )
                    )
                elif tail == "relationship":
                    lazy = kwargs.get("lazy", "select")
                    if isinstance(lazy, bool) or lazy is None:
                        lazy = LAZY_ALIASES[str(lazy)]
                    backref = kwargs.get("backref")
                    pair = (backref, "select") if isinstance(backref, str) else None
                    if isinstance(backref, dict) and backref.get("args"):
                        name = backref["args"][0]
                        lz = backref.get("kwargs", {}).get("lazy", "select")
                        pair = (name, lz) if isinstance(name, str) else None
                    out.extend(
                        sqla_relations(
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
