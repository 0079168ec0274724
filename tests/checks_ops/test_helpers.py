"""Helpers of the architecture/ops rules: names, statuses, model relations, ORM sources."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from reviewer.checks.data_access._orm import inline_root, query_source
from reviewer.checks.errors.missing_central_error_handler import central_handlers
from reviewer.checks.logging.sensitive_data_logged import sensitive_name
from reviewer.checks.response._shapes import status_of
from reviewer.config import Config
from reviewer.framework.relations import index_relations, relations_from_facts
from reviewer.native import review_files


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("password", True),
        ("new_password", True),
        ("refreshToken", True),
        ("api_key", True),
        ("API_KEY", True),
        ("client_secret", True),
        ("card_number", True),
        ("token_type", False),
        ("password_changed_at", False),
        ("has_token", False),
        ("token_id", False),
        ("max_tokens_count", False),
        ("username", False),
        ("keyboard", False),
    ],
)
def test_sensitive_name(name: str, expected: bool) -> None:
    assert sensitive_name(name) is expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("404", 404),
        ("status.HTTP_409_CONFLICT", 409),
        ("HTTPStatus.NOT_FOUND", 404),
        ("code", None),
    ],
)
def test_status_of(expr: str, expected: int | None) -> None:
    assert status_of(cst.parse_expression(expr)) == expected


def _project(files: dict[str, str]):
    data = {p: t.encode() for p, t in files.items()}
    return review_files(data, [], Config(root=Path("."))).project


def test_relations_from_project_facts() -> None:
    project = _project(
        {
            "app/models.py": """
from django.db import models
from sqlalchemy.orm import relationship, backref

class Author(models.Model):
    pass

class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    tags = models.ManyToManyField("Tag", related_name="+")
    profile = models.OneToOneField("Profile", on_delete=models.CASCADE, related_name="book")

class User(Base):
    addresses = relationship("Address", backref=backref("owner", lazy="joined"))
    orders = relationship("Order", lazy=False)
"""
        }
    )
    index = index_relations(relations_from_facts(project.facts))
    assert index["Book"]["author"].kind == "one"
    assert index["Author"]["book_set"].kind == "manager"
    assert index["Book"]["tags"].kind == "manager"
    assert "book_set" not in index.get("Tag", {})  # related_name="+" hides the reverse
    assert index["Profile"]["book"].kind == "one"
    assert index["User"]["addresses"].lazy == "select"
    assert index["Address"]["owner"].lazy == "joined"
    assert index["User"]["orders"].lazy == "joined"  # lazy=False means joined loading


def test_query_source_follows_variables_and_options() -> None:
    module = cst.parse_module(
        "qs = Book.objects.filter(x=1)\n"
        "qs = qs.select_related('author__publisher').prefetch_related(Prefetch('tags'))\n"
        "stmt = select(User).options(joinedload(User.org), selectinload('*'))\n"
    )
    variables: dict[str, cst.BaseExpression] = {}
    for stmt in module.body:
        assign = stmt.body[0]  # type: ignore[attr-defined]
        variables[assign.targets[0].target.value] = inline_root(assign.value, variables)
    django = query_source(cst.parse_expression("qs"), {"qs": variables["qs"]}, lambda e: None)
    assert django is not None and django.model == "Book"
    assert django.select_related == {"author"} and django.prefetch == {"tags"}
    sa = query_source(
        cst.parse_expression("session.scalars(stmt).all()"), variables, lambda e: None
    )
    assert sa is not None and sa.model == "User" and "org" in sa.prefetch and sa.wildcard
    assert query_source(cst.parse_expression("items"), {}, lambda e: None) is None


def test_central_handlers_found_in_each_framework() -> None:
    project = _project(
        {
            "a.py": "from flask import Flask\napp = Flask(__name__)\n"
            "@app.errorhandler(500)\ndef e(x):\n    return 'x'\n",
            "b.py": "class ErrorMiddleware:\n    def process_exception(self, r, e):\n        pass\n",
            "c.py": "handler500 = views.server_error\n",
        }
    )
    found = central_handlers(project.facts)
    assert any(f.startswith("a.py") for f in found)
    assert any(f.startswith("b.py") for f in found)
    assert any(f.startswith("c.py") for f in found)
    assert central_handlers(_project({"d.py": "def f():\n    return 1\n"}).facts) == []
