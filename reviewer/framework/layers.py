"""The layer model: every module of the service, its role, and the imports between modules.

A module's role is read from what it contains, never from its file name:

- controller: it defines route handlers (the route inventory says which functions serve routes);
- model: it defines ORM model classes (a base chain reaching Django's `models.Model`, a
  SQLAlchemy declarative base, `db.Model` of a Flask-SQLAlchemy `SQLAlchemy()` object, a SQLModel
  class declared with `table=True`, Tortoise's or peewee's `Model`);
- repository: its functions run ORM queries or SQL (reviewer/framework/orm_queries.py), and it
  serves no route;
- schema: it defines validation classes (Pydantic, marshmallow and Flask-Marshmallow `ma.Schema`,
  DRF serializers: the project's `schemas`, see reviewer/framework/common.py);
- service: a route handler calls it (or receives it as a dependency), and it reaches data: it
  imports a model or repository module;
- other: everything else (settings, URL confs, helpers, decorators, migrations).

The first that applies wins, in that order. `LayerCollector` records per file, in phase 1, each
imported name with its line (and whether it sits under `if TYPE_CHECKING:`, so never runs), the
functions that talk to the database and the classes declared `table=True`; `build_layers` joins
them with the route inventory and the framework's class facts into `Project.layers`.

References:
- https://docs.djangoproject.com/en/5.2/topics/db/models/
- https://docs.sqlalchemy.org/en/20/orm/declarative_styles.html
- https://flask-sqlalchemy.readthedocs.io/en/stable/models/
- https://sqlmodel.tiangolo.com/tutorial/create-db-and-table/
- https://tortoise.github.io/models.html
- https://docs.python.org/3/library/typing.html#typing.TYPE_CHECKING
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import libcst as cst

from reviewer.context import Visitor, is_test_path
from reviewer.framework.index import Index
from reviewer.framework.orm_queries import db_call, queried_model
from reviewer.framework.values import ref
from reviewer.imports import dotted_name, module_name_for
from reviewer.positions import Positions
from reviewer.service import Layers, ModuleImport, ModuleRole, Query, Route

FACTS_KEY = "layers"
_IMPORT = re.compile(r"\s*(?:from\s+\S+\s+)?import\s")

ORM_BASES = frozenset(
    {
        "django.db.models.Model",
        "django.db.models.base.Model",
        "sqlalchemy.orm.DeclarativeBase",
        "sqlalchemy.orm.DeclarativeBaseNoMeta",
        "sqlalchemy.orm.decl_api.DeclarativeBase",
        "tortoise.models.Model",
        "tortoise.Model",
        "peewee.Model",
    }
)
# `Base = declarative_base()`: the object is the base class of the models
BASE_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.declarative_base",
        "sqlalchemy.orm.decl_api.declarative_base",
        "sqlalchemy.ext.declarative.declarative_base",
    }
)
# `db = SQLAlchemy(app)`: models subclass `db.Model`
EXTENSIONS = frozenset({"flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy"})
# `ma = Marshmallow(app)`: schemas subclass `ma.Schema`, `ma.SQLAlchemyAutoSchema`, ...
MARSHMALLOW = frozenset({"flask_marshmallow.Marshmallow"})
MARSHMALLOW_BASES = frozenset(
    {"Schema", "ModelSchema", "SQLAlchemySchema", "SQLAlchemyAutoSchema", "TableSchema"}
)
SQLMODEL = "sqlmodel.SQLModel"  # a table only with `table=True`; otherwise a Pydantic schema


def _type_checking(test: cst.BaseExpression) -> bool:
    return (type(test) is cst.Name and test.value == "TYPE_CHECKING") or (
        type(test) is cst.Attribute and test.attr.value == "TYPE_CHECKING"
    )


class LayerCollector(Visitor):
    """Per file: imported names with lines, database calls per function, `table=True` classes."""

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._imports: list[tuple[cst.CSTNode, str, bool]] = []
        self._queries: dict[tuple[str, str], cst.Call] = {}
        self._tables: list[str] = []

    def _type_only(self) -> bool:
        stack = self.ctx.stack
        for at, node in enumerate(stack[:-1]):
            if type(node) is cst.If and _type_checking(node.test) and stack[at + 1] is node.body:
                return True
        return False

    def visit_Import(self, node: cst.Import) -> None:
        type_only = self._type_only()
        for alias in node.names:
            name = dotted_name(alias.name)
            if name:
                self._imports.append((node, name, type_only))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        base = self.ctx.imports.from_base(node)
        type_only = self._type_only()
        if isinstance(node.names, cst.ImportStar):
            if base:
                self._imports.append((node, base, type_only))
            return
        for alias in node.names:
            name = dotted_name(alias.name)
            if name:
                self._imports.append((node, f"{base}.{name}" if base else name, type_only))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        for arg in node.keywords:
            if (
                arg.keyword is not None
                and arg.keyword.value == "table"
                and type(arg.value) is cst.Name
                and arg.value.value == "True"
            ):
                self._tables.append(self.ctx.scope_name())

    def visit_Call(self, node: cst.Call) -> None:
        if not db_call(node, self.ctx.resolve):
            return
        scope = self.ctx.scope_name()
        self._queries.setdefault((scope, queried_model(node) or ""), node)

    def finish(self) -> None:
        if not (self._imports or self._queries or self._tables):
            return
        # only the imports need a line; a query is placed at its function's `def` line when
        # the facts are joined
        nodes: list[cst.CSTNode] = []
        for n, _, _ in self._imports:
            if not nodes or nodes[-1] is not n:
                nodes.append(n)
        starts = [
            i for i, text in enumerate(self.ctx.source.splitlines(), 1) if _IMPORT.match(text)
        ]
        if len(starts) == len(nodes):  # one statement per matching line, in source order
            lines = {id(n): at for n, at in zip(nodes, starts, strict=True)}
        else:  # an import-like line in a string, or two imports on one line: generate code
            positions = Positions(self.ctx.module, nodes)
            lines = {id(n): r[0] for n in nodes if (r := positions.range(n)) is not None}

        def line(node: cst.CSTNode) -> int:
            return lines.get(id(node), 1)

        self.ctx.facts[FACTS_KEY] = {
            "module": self.ctx.imports.module,
            "imports": [[name, line(n), type_only] for n, name, type_only in self._imports],
            "queries": [[scope, 0, model] for scope, model in self._queries],
            "tables": list(self._tables),
        }


def _orm_base(index: Index, base: str, table: bool) -> bool:
    if base in ORM_BASES:
        return True
    if base == SQLMODEL:
        return table
    found = index.resolve(base)
    if found is not None and found.kind == "object":
        return index.canonical(ref(found.record)) in BASE_FACTORIES
    return _extension_attr(index, base, EXTENSIONS, frozenset({"Model"}))


def _extension_attr(index: Index, base: str, ctors: frozenset[str], attrs: frozenset[str]) -> bool:
    """`db.Model` / `ma.Schema`: an attribute of an object an extension's constructor built."""
    head, _, attr = base.rpartition(".")
    if attr not in attrs or not head:
        return False
    owner = index.resolve(head)
    return (
        owner is not None and owner.kind == "object" and index.canonical(ref(owner.record)) in ctors
    )


def orm_models(index: Index, tables: Iterable[str]) -> dict[str, str]:
    """Qualified name -> relpath of every ORM model class of the project."""
    tabled = set(tables)
    found: dict[str, str] = {}
    for name, d in index.defs.items():
        if d.kind != "class" or d.qualname != name:
            continue
        if any(_orm_base(index, b, name in tabled) for b in index.ancestors(name)):
            found[name] = d.file
    return found


def _module_of(name: str, modules: Mapping[str, str]) -> str:
    """The relpath of the project module a qualified name lies in (longest prefix), else ""."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        relpath = modules.get(".".join(parts[:cut]))
        if relpath is not None:
            return relpath
    return ""


def _view_class_files(index: Index, routes: Iterable[Route]) -> set[tuple[str, str]]:
    """(relpath, class) of the view classes of routes: `Route.file` is where the handler's
    `def` is, a base class's file when the view inherits it."""
    by_name: dict[str, list[str]] = {}
    for name, d in index.defs.items():
        if d.kind == "class" and d.qualname == name:
            by_name.setdefault(name.rsplit(".", 1)[-1], []).append(name)
    found: set[tuple[str, str]] = set()
    for r in routes:
        candidates = by_name.get(r.view_class, []) if r.view_class else []
        if len(candidates) > 1:
            owner = f"{r.module}.{r.handler.partition('.')[0]}" if r.module else r.handler
            candidates = [c for c in candidates if owner in index.ancestors(c) or c == owner]
        if len(candidates) == 1:
            found.add((index.defs[candidates[0]].file, r.view_class))
    return found


def build_layers(
    index: Index,
    facts: Mapping[str, Mapping[str, Any]],
    routes: Iterable[Route],
    schemas: Iterable[str],
) -> Layers:
    """Join the per-file layer facts, the route inventory and the class facts."""
    layer_facts = {
        p: f[FACTS_KEY] for p, f in facts.items() if f and FACTS_KEY in f and not is_test_path(p)
    }
    names = {p: str(f["module"]) for p, f in layer_facts.items()}
    modules: dict[str, str] = {m: p for p, m in names.items()}
    for module, relpath in index.modules.items():
        if not is_test_path(relpath):
            modules.setdefault(module, relpath)
    for relpath in index.facts:
        names.setdefault(relpath, index.facts[relpath]["module"] or module_name_for(relpath))
    names = {p: m for p, m in names.items() if not is_test_path(p)}

    imports: list[ModuleImport] = []
    for relpath, f in sorted(layer_facts.items()):
        for name, line, type_only in f["imports"]:
            target = _module_of(name, modules)
            imports.append(
                ModuleImport(
                    names[relpath],
                    relpath,
                    line,
                    name,
                    names.get(target, "") if target != relpath else "",
                    bool(type_only),
                )
            )

    def def_line(relpath: str, scope: str) -> int:
        record = index.facts.get(relpath, {}).get("functions", {}).get(scope)
        return int(record["line"]) if record else 1

    queries = [
        Query(names[relpath], relpath, scope, line or def_line(relpath, scope), model)
        for relpath, f in sorted(layer_facts.items())
        for scope, line, model in f["queries"]
    ]

    handlers: dict[str, list[str]] = {}
    for r in routes:
        if r.file in names:
            handlers.setdefault(r.file, []).append(r.handler)
    for relpath, view in _view_class_files(index, routes):
        if relpath in names:  # a view class whose handlers are all inherited (DRF viewsets)
            handlers.setdefault(relpath, []).append(view)
    tables = [
        f"{f['module']}.{t}" if f["module"] else t
        for f in layer_facts.values()
        for t in f["tables"]
    ]
    models: dict[str, list[str]] = {}
    orm = orm_models(index, tables)
    for name, relpath in orm.items():
        models.setdefault(relpath, []).append(name.rsplit(".", 1)[-1])
    schema_files: dict[str, list[str]] = {}
    model_names = {f"{names[p]}.{m}" for p, ms in models.items() if p in names for m in ms}
    # SQLModel classes without `table=True` are Pydantic models; Flask-Marshmallow `ma.Schema`s
    more_schemas = {
        name
        for name, d in index.defs.items()
        if d.kind == "class"
        and d.qualname == name
        and name not in model_names
        and any(
            a == SQLMODEL or _extension_attr(index, a, MARSHMALLOW, MARSHMALLOW_BASES)
            for a in index.ancestors(name)
        )
    }
    for name in sorted({*schemas, *more_schemas}):
        d = index.defs.get(name)
        if d is not None:
            schema_files.setdefault(d.file, []).append(name.rsplit(".", 1)[-1])
    querying: dict[str, list[str]] = {}
    for q in queries:
        if q.function and q.function not in querying.get(q.file, []):
            querying.setdefault(q.file, []).append(q.function)

    role: dict[str, tuple[str, tuple[str, ...]]] = {}
    for relpath in names:
        if relpath in handlers:
            shown = sorted(set(handlers[relpath]))
            role[relpath] = ("controller", (f"route handlers: {', '.join(shown[:5])}",))
        elif relpath in models:
            role[relpath] = ("model", (f"ORM models: {', '.join(sorted(models[relpath])[:5])}",))
        elif relpath in querying:
            role[relpath] = ("repository", (f"queries in: {', '.join(querying[relpath][:5])}",))
        elif relpath in schema_files:
            shown = sorted(schema_files[relpath])
            role[relpath] = ("schema", (f"schemas: {', '.join(shown[:5])}",))

    # services: called by a handler (or handed to it as a dependency) and reaching data
    called: dict[str, set[str]] = {}
    for r in routes:
        record = index.facts.get(r.file, {}).get("functions", {}).get(r.handler)
        used = list(record["calls"]) if record else []
        used += [p.dependency for p in r.params if p.dependency]
        for name in used:
            target = _module_of(name, modules)
            if target and target != r.file and target in names:
                called.setdefault(target, set()).add(r.handler)
    data = {p for p, (kind, _) in role.items() if kind in ("model", "repository")}
    reaches: dict[str, set[str]] = {}
    for imp in imports:
        target = modules.get(imp.target, "")
        if not imp.type_only and target in data:
            reaches.setdefault(imp.file, set()).add(imp.target)
    for relpath, by in called.items():
        if relpath not in role and relpath in reaches:
            role[relpath] = (
                "service",
                (
                    f"called by handlers: {', '.join(sorted(by)[:5])}",
                    f"imports: {', '.join(sorted(reaches[relpath])[:5])}",
                ),
            )
    return Layers(
        modules=tuple(ModuleRole(names[p], p, *role.get(p, ("other", ()))) for p in sorted(names)),
        imports=tuple(imports),
        queries=tuple(queries),
        models=tuple(sorted(orm)),
        schemas=tuple(sorted({*schemas, *more_schemas})),
    )
