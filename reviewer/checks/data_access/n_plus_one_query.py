"""BR501: one query per item of a loop (the N+1 query problem)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.checks.data_access._models import relations_from_classdef
from reviewer.checks.data_access._orm import QuerySource, inline_root, query_source
from reviewer.framework.orm_queries import is_query_call
from reviewer.framework.relations import EAGER_LAZY, index_relations
from reviewer.model import Confidence, Severity
from reviewer.service import Relation
from reviewer.walk import children as syntax_children

if TYPE_CHECKING:
    from reviewer.context import FileContext

# Methods of a related manager that the prefetch cache answers; the others query again.
_CACHED = frozenset({"all", "count", "exists"})
_REQUERY = frozenset(
    {"filter", "exclude", "order_by", "get", "values", "values_list", "first", "last"}
    | {"annotate", "aggregate", "latest", "earliest", "select_related", "distinct"}
)
_WRITES = frozenset({"add", "remove", "set", "clear", "create", "update_or_create", "bulk_create"})


@dataclass
class _Loop:
    node: cst.CSTNode
    body: tuple[cst.CSTNode, ...]
    targets: frozenset[str]
    item: str | None  # the name bound to one element, when it is a single name
    source: QuerySource | None


def _ordered(nodes: tuple[cst.CSTNode, ...]) -> Iterator[tuple[cst.CSTNode, cst.CSTNode | None]]:
    """(node, parent) in source order, not entering nested functions, classes or lambdas."""
    stack: list[tuple[cst.CSTNode, cst.CSTNode | None]] = [(n, None) for n in reversed(nodes)]
    while stack:
        node, parent = stack.pop()
        yield node, parent
        if isinstance(node, cst.FunctionDef | cst.ClassDef | cst.Lambda):
            continue
        stack.extend((child, node) for child in reversed(list(syntax_children(node))))


def _names(node: cst.CSTNode) -> set[str]:
    found = {node.value} if isinstance(node, cst.Name) else set()
    for child, _ in _ordered((node,)):
        if isinstance(child, cst.Name):
            found.add(child.value)
    return found


def _target_names(target: cst.BaseExpression) -> set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, cst.Tuple | cst.List):
        return {n for e in target.elements for n in _target_names(e.value)}
    return set()


def _item_name(target: cst.BaseExpression, iterable: cst.BaseExpression) -> str | None:
    if isinstance(target, cst.Name):
        return target.value
    if (
        isinstance(target, cst.Tuple)
        and len(target.elements) == 2
        and isinstance(iterable, cst.Call)
        and isinstance(iterable.func, cst.Name)
        and iterable.func.value == "enumerate"
        and isinstance(target.elements[1].value, cst.Name)
    ):
        return target.elements[1].value.value
    return None


class NPlusOneQuery(Rule):
    """A query per loop iteration: lazy relations or explicit queries inside a loop.

    ## What it does
    Looks at `for` loops and comprehensions, over Django querysets (`Model.objects...`) and
    SQLAlchemy results (`session.query(Model)`, `Model.query`, `session.scalars(select(Model))`,
    `session.execute(select(Model)).scalars()`), local variables included, and reports inside
    the loop:
    - a forward `ForeignKey`/`OneToOneField` attribute not covered by `select_related` or
      `prefetch_related`;
    - a reverse-FK or many-to-many manager (`author.books.all()`, `.count()`, `book_set`) not
      covered by `prefetch_related`, and `.filter()`/`.order_by()`/`.get()`/`.first()` on it,
      which query again even when prefetched;
    - a SQLAlchemy `relationship()` loaded lazily (`lazy="select"`, the default, or `dynamic`)
      with no `joinedload`/`selectinload`/`subqueryload` option on the statement;
    - an explicit query whose arguments depend on the loop item (`Model.objects.get(pk=x.id)`,
      `get_object_or_404`, `session.get/query/execute/scalars`, `Model.query...`), over any
      iterable.
    Relations are read from the project's model classes (`ForeignKey`, `ManyToManyField`,
    `related_name`, `relationship(lazy=..., backref=...)`, `Mapped[...]`); a reverse manager
    named `<model>_set` is recognised by name alone.

    ## Why is this bad
    One query for the list plus one per row: 1 + N round trips. A page of 100 orders with their
    customers makes 101 queries; it looks fine on a developer's ten rows and falls over in
    production as the table grows.

    ## Example
    ```python
    for book in Book.objects.all():
        print(book.author.name)          # one query per book
    ```

    ## Use instead
    ```python
    for book in Book.objects.select_related("author"):
        print(book.author.name)          # one JOINed query
    ```
    `prefetch_related("tags")` for many-to-many and reverse relations; in SQLAlchemy
    `select(User).options(selectinload(User.addresses))` for collections and `joinedload` for
    many-to-one; fetch all rows in one query before the loop (`filter(pk__in=ids)`, `in_bulk`)
    instead of one `get` per item.

    ## References
    - https://docs.djangoproject.com/en/5.2/ref/models/querysets/#select-related
    - https://docs.djangoproject.com/en/5.2/ref/models/querysets/#prefetch-related
    - https://docs.sqlalchemy.org/en/20/orm/queryguide/relationships.html
    - https://cwe.mitre.org/data/definitions/1073.html
    """

    code = "BR501"
    name = "n-plus-one-query"
    item = "data-access"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    summary = "query per loop iteration (N+1)"
    cwe = (1073,)

    needs_project = True  # model relations come from every file's classes

    _DJANGO_MODELS = """
from django.db import models

class Author(models.Model):
    name = models.CharField(max_length=100)

class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    tags = models.ManyToManyField("Tag", related_name="books")
    editor = models.ForeignKey("Editor", on_delete=models.CASCADE)

class Tag(models.Model):
    label = models.CharField(max_length=20)
"""

    VALID = [
        Valid(
            """
from django.db.models import Prefetch
from .models import Author, Book

def titles():
    out = []
    for b in Book.objects.select_related("author").prefetch_related("tags"):
        out.append((b.author.name, [t.label for t in b.tags.all()]))  # ok: BR501
    for b in Book.objects.all():
        out.append(b.author_id)                                      # ok: BR501 (no query)
        b.author = None                                              # ok: BR501 (assignment)
    qs = Author.objects.prefetch_related(Prefetch("books"))
    for a in qs:
        out.append(a.books.count())                                  # ok: BR501
    books = Book.objects.filter(year=2024)
    books = books.select_related("author")
    for b in books:
        out.append(b.author.name)                                    # ok: BR501
    for row in Book.objects.values("title", "author__name"):
        out.append(row["author__name"])                              # ok: BR501
    for attempt in range(3):
        cfg = Settings.objects.get(pk=1)                              # ok: BR501 (not per item)
    for b in Book.objects.all():
        b.tags.add(cfg)                                              # ok: BR501 (a write)
        Book.objects.filter(pk=b.pk).update(seen=True)               # ok: BR501 (a write)
    return [b.author.name for b in Book.objects.select_related()]   # ok: BR501
""",
            path="library/services.py",
            files={"library/models.py": _DJANGO_MODELS},
        ),
        Valid(
            """
from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, relationship, selectinload, joinedload

class User(Base):
    addresses: Mapped[list["Address"]] = relationship(back_populates="user")
    org = relationship("Org", lazy="joined")

def emails(session):
    stmt = select(User).options(selectinload(User.addresses))
    for u in session.scalars(stmt):
        yield [a.email for a in u.addresses]            # ok: BR501
    for u in session.query(User).all():
        yield u.org.name                                # ok: BR501 (lazy="joined")
    users = session.execute(select(User).options(selectinload("*"))).scalars().all()
    for u in users:
        yield len(u.addresses)                          # ok: BR501
    for user_id in [1, 2]:
        yield session.get("cache-key")                  # ok: BR501 (not a model get)
""",
            path="app/services/users.py",
        ),
    ]
    INVALID = [
        Invalid(
            """
from .models import Author, Book, Tag

def report():
    rows = []
    for b in Book.objects.filter(published=True):
        rows.append(b.author.name)                      # expect: BR501
        rows.append(b.author.email)
        rows.append(b.tags.count())                     # expect: BR501
    authors = Author.objects.all()
    for a in authors:
        rows.append(len(a.books.all()))                 # expect: BR501
    for t in Tag.objects.prefetch_related("books"):
        rows.append(t.books.filter(year=2024).count())  # expect: BR501
    return [b.editor.name for b in Book.objects.only("title")]  # expect: BR501
""",
            path="library/services.py",
            files={"library/models.py": _DJANGO_MODELS},
        ),
        Invalid(
            """
from django.shortcuts import get_object_or_404
from .models import Customer, Order

def order_lines(request, ids):
    lines = []
    for order_id in ids:
        order = Order.objects.get(pk=order_id)          # expect: BR501
        lines.append(order.total)
    for i, order in enumerate(Order.objects.all()):
        customer = get_object_or_404(Customer, pk=order.customer_id)  # expect: BR501
        lines.append(order.item_set.count())            # expect: BR501
        lines.append(order.customer.name)               # expect: BR501
    return lines
""",
            path="shop/views.py",
            files={
                "shop/urls.py": "from django.urls import path\nfrom . import views\n"
                "urlpatterns = [path('lines/', views.order_lines)]\n",
                "shop/models.py": "from django.db import models\n"
                "class Customer(models.Model):\n    name = models.CharField(max_length=9)\n"
                "class Order(models.Model):\n"
                "    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)\n",
            },
        ),
        Invalid(
            """
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import relationship
app = Flask(__name__)

class User(db.Model):
    addresses = relationship("Address", backref="user")
    posts = db.relationship("Post", lazy="dynamic")

@app.get("/summary")
def summary():
    session = db.session
    out = []
    for u in session.scalars(select(User)):
        out.append(len(u.addresses))                    # expect: BR501
        out.append(u.posts.count())                     # expect: BR501
    for a in Address.query.all():
        out.append(a.user.name)                         # expect: BR501
    for u in User.query.all():
        prefs = session.get(Prefs, u.id)                # expect: BR501
    return out
"""
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._variables: dict[int, dict[str, cst.BaseExpression]] = {}
        self._loops: list[_Loop] = []
        self._relations: list[Relation] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._relations.extend(relations_from_classdef(node, self.ctx.resolve))

    def _scope(self) -> dict[str, cst.BaseExpression]:
        func = self.ctx.enclosing_function()
        return self._variables.setdefault(id(func) if func is not None else 0, {})

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            scope = self._scope()
            scope[node.targets[0].target.value] = inline_root(node.value, scope)

    def visit_For(self, node: cst.For) -> None:
        self._add_loop(node, node.target, node.iter, (node.body,))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        comp = self.ctx.parent
        body: tuple[cst.CSTNode, ...] = tuple(node.ifs)
        if node.inner_for_in is not None:
            body += (node.inner_for_in,)
        if isinstance(comp, cst.ListComp | cst.SetComp | cst.GeneratorExp):
            body += (comp.elt,)
        elif isinstance(comp, cst.DictComp):
            body += (comp.key, comp.value)
        elif isinstance(comp, cst.CompFor):
            outer = next(
                (
                    n
                    for n in reversed(self.ctx.stack)
                    if isinstance(n, cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp)
                ),
                None,
            )
            if isinstance(outer, cst.DictComp):
                body += (outer.key, outer.value)
            elif outer is not None:
                body += (outer.elt,)
        self._add_loop(node, node.target, node.iter, body)

    def _add_loop(
        self,
        node: cst.CSTNode,
        target: cst.BaseExpression,
        iterable: cst.BaseExpression,
        body: tuple[cst.CSTNode, ...],
    ) -> None:
        if self.ctx.is_test_file:
            return
        source = query_source(iterable, dict(self._scope()), self.ctx.resolve)
        self._loops.append(
            _Loop(
                node, body, frozenset(_target_names(target)), _item_name(target, iterable), source
            )
        )

    # --- analysis, once every model of the file is known ----------------------------------

    def finish(self) -> None:
        if not self._loops:
            return
        relations = list(self._relations)
        if self.ctx.project is not None:
            relations.extend(self.ctx.project.relations)
        index = index_relations(relations)
        reported: set[int] = set()
        for loop in self._loops:
            self._check_loop(loop, index, reported)

    def _check_loop(
        self, loop: _Loop, index: dict[str, dict[str, Relation]], reported: set[int]
    ) -> None:
        tainted = set(loop.targets)
        seen_attrs: set[str] = set()
        skip: set[int] = set()
        source = loop.source
        model = index.get(source.model, {}) if source is not None and source.instances else {}
        for node, parent in _ordered(loop.body):
            if id(node) in skip:
                skip.update(id(c) for c, _ in _ordered((node,)))
                continue
            if isinstance(node, cst.Assign) and _names(node.value) & tainted:
                for target in node.targets:
                    tainted |= _target_names(target.target)
            if (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and node.func.attr.value in _WRITES | {"update", "delete", "save"}
            ):
                # a write per item (`filter(...).update(...)`) is not a read N+1: skip its chain
                skip.update(id(c) for c, _ in _ordered((node.func,)))
                continue
            if isinstance(node, cst.Call):
                what = is_query_call(node, self.ctx.resolve)
                if what is not None and _names(node) & tainted:
                    skip.update(id(c) for c, _ in _ordered((node,)))
                    if id(node) not in reported:
                        reported.add(id(node))
                        django = "objects" in what or "_or_404" in what
                        hint = (
                            "`Model.objects.filter(pk__in=ids)`, `in_bulk(ids)` or "
                            "`select_related`/`prefetch_related`"
                            if django
                            else "`select(Model).where(Model.id.in_(ids))`, a join, or a "
                            "`selectinload`/`joinedload` option"
                        )
                        self.report(
                            node,
                            f"{what} runs one query for every item of this loop (N+1). Load "
                            f"what the loop needs in one query before it: {hint}.",
                            confidence=Confidence.HIGH if source else Confidence.MEDIUM,
                        )
                    continue
            if (
                isinstance(node, cst.Attribute)
                and isinstance(node.value, cst.Name)
                and node.value.value == loop.item
                and not isinstance(parent, cst.AssignTarget)
                and node.attr.value not in seen_attrs
                and id(node) not in reported
            ):
                message = self._relation_problem(node, parent, source, model)
                if message is not None:
                    seen_attrs.add(node.attr.value)
                    reported.add(id(node))
                    text, confidence = message
                    self.report(node, text, confidence=confidence)

    def _relation_problem(
        self,
        node: cst.Attribute,
        parent: cst.CSTNode | None,
        source: QuerySource | None,
        model: dict[str, Relation],
    ) -> tuple[str, Confidence] | None:
        attr = node.attr.value
        item = node.value.value if isinstance(node.value, cst.Name) else "item"
        method = parent.attr.value if isinstance(parent, cst.Attribute) else None
        rel = model.get(attr)
        if rel is None:
            if method is None or method in _WRITES:
                return None
            heuristic = attr.endswith("_set") or (
                source is not None and source.orm == "django" and source.instances
            )
            if not heuristic or (method not in _CACHED and method not in _REQUERY):
                return None
            rel = Relation(source.model if source else "", attr, "manager")
            confidence = Confidence.MEDIUM
        else:
            confidence = Confidence.HIGH
        assert rel is not None
        owner = source.model if source else "row"
        if rel.kind == "one":
            if source is not None and (
                attr in source.select_related or source.select_all or attr in source.prefetch
            ):
                return None
            return (
                f"`{item}.{attr}` loads the related {rel.target or 'object'} with one query per "
                f'{owner} in this loop (N+1). Add `select_related("{attr}")` to the queryset.',
                confidence,
            )
        if rel.kind == "manager":
            if method in _WRITES:
                return None
            prefetched = source is not None and attr in source.prefetch
            if method in _REQUERY:
                note = (
                    " The prefetch cache does not cover it: filter inside "
                    f'`Prefetch("{attr}", queryset=..., to_attr=...)` instead.'
                    if prefetched
                    else f' Prefetch it with `Prefetch("{attr}", queryset=...)`.'
                )
                return (
                    f"`{item}.{attr}.{method}()` runs one query per {owner} in this loop "
                    f"(N+1).{note}",
                    confidence,
                )
            if prefetched:
                return None
            return (
                f"`{item}.{attr}` is a related manager evaluated once per {owner} in this loop "
                f'(N+1). Add `prefetch_related("{attr}")` to the queryset.',
                confidence,
            )
        # SQLAlchemy relationship
        if rel.lazy in EAGER_LAZY:
            return None
        if rel.lazy == "dynamic":
            return (
                f'`{item}.{attr}` is a `lazy="dynamic"` relationship: each use runs a query, '
                f"once per {owner} in this loop (N+1). Load the rows for all parents in one "
                "query, or switch to a `selectin` collection.",
                confidence,
            )
        if source is not None and (attr in source.prefetch or source.wildcard):
            return None
        loader = "selectinload" if rel.target and attr.endswith("s") else "joinedload"
        return (
            f"`{item}.{attr}` is lazy-loaded (one SELECT per {owner}) in this loop (N+1). Add "
            f"`.options({loader}({owner}.{attr}))` to the query, or set an eager `lazy=` on the "
            "relationship.",
            confidence,
        )
