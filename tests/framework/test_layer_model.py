"""The layer model: module roles decided by content (never by file name) and role edges,
on small real projects parsed for real; and the `backend-review layers` command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from reviewer.config import Config
from reviewer.layers import layers_of, mermaid, render_layers, role_edges

REPO = Path(__file__).resolve().parents[2]


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


FLASK = {
    "shop/__init__.py": "",
    "shop/ext.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
    # named like a view module, holds only models: a model by content
    "shop/views_old.py": (
        "from shop.ext import db\n\nclass Order(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
    ),
    "shop/store.py": (
        "from shop.ext import db\nfrom shop.views_old import Order\n\n"
        "def find(oid):\n    return db.session.get(Order, oid)\n"
    ),
    "shop/logic.py": (
        "from typing import TYPE_CHECKING\nfrom shop import store\n"
        "if TYPE_CHECKING:\n    from shop.api import bp\n\n"
        "def show(oid):\n    return store.find(oid)\n"
    ),
    "shop/forms.py": (
        "from pydantic import BaseModel\n\nclass OrderIn(BaseModel):\n    qty: int\n"
    ),
    "shop/api.py": (
        "from flask import Blueprint\nfrom shop import dumps, logic\nfrom shop.forms import OrderIn\n"
        "bp = Blueprint('orders', __name__)\n\n"
        "@bp.get('/orders/<int:oid>')\ndef get_order(oid):\n"
        "    return dumps.OrderDump().dump(logic.show(oid))\n"
    ),
    "shop/helpers.py": "def slug(s):\n    return s.lower()\n",
    # a Flask-Marshmallow schema the handler calls: a schema, not a service
    "shop/dumps.py": (
        "from flask_marshmallow import Marshmallow\nfrom shop.views_old import Order\n"
        "ma = Marshmallow()\n\nclass OrderDump(ma.SQLAlchemyAutoSchema):\n"
        "    class Meta:\n        model = Order\n"
    ),
}


def test_roles_come_from_content_not_file_names(tmp_path: Path) -> None:
    root = _write(tmp_path, FLASK)
    layers = layers_of(root, Config(root=root))
    roles = {m.file: m.role for m in layers.modules}
    assert roles == {
        "shop/api.py": "controller",
        "shop/views_old.py": "model",
        "shop/store.py": "repository",
        "shop/logic.py": "service",
        "shop/forms.py": "schema",
        "shop/ext.py": "other",
        "shop/helpers.py": "other",
        "shop/dumps.py": "schema",
    }
    edges = role_edges(layers)
    # the TYPE_CHECKING import of the controller is no edge
    assert ("service", "controller") not in edges
    assert edges[("controller", "service")] == 1
    assert edges[("service", "repository")] == 1
    assert edges[("repository", "model")] == 1
    typed = [i for i in layers.imports if i.type_only]
    assert [(i.file, i.line, i.name) for i in typed] == [("shop/logic.py", 4, "shop.api.bp")]
    diagram = mermaid(layers)
    assert diagram.startswith("graph LR\n")
    assert "    controller -->|1| service\n" in diagram
    assert '    model["model (1)"]\n' in diagram


def test_sqlmodel_tables_are_models_and_plain_sqlmodels_schemas(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "app/models.py": (
                "from sqlmodel import Field, SQLModel\n\n"
                "class HeroBase(SQLModel):\n    name: str\n\n"
                "class Hero(HeroBase, table=True):\n    id: int | None = Field(default=None)\n"
            ),
            "app/schemas.py": (
                "from sqlmodel import SQLModel\n\nclass HeroPublic(SQLModel):\n    name: str\n"
            ),
            "app/crud.py": (
                "from sqlmodel import Session, select\nfrom app.models import Hero\n\n"
                "def heroes(session: Session):\n    return session.exec(select(Hero)).all()\n\n"
                "def hero(session: Session, hid: int):\n    return session.get(Hero, hid)\n"
            ),
            "app/main.py": (
                "from fastapi import FastAPI\nfrom app import crud\napp = FastAPI()\n\n"
                "@app.get('/heroes/{hid}')\ndef read(hid: int):\n    return crud.hero(None, hid)\n"
            ),
        },
    )
    roles = {m.file: m.role for m in layers_of(root, Config(root=root)).modules}
    assert roles == {
        "app/models.py": "model",
        "app/schemas.py": "schema",
        "app/crud.py": "repository",
        "app/main.py": "controller",
    }


def test_django_models_views_and_a_service_module(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "blog/models.py": (
                "from django.db import models\n\nclass Post(models.Model):\n"
                "    title = models.CharField(max_length=10)\n"
            ),
            "blog/actions.py": (
                "from blog.models import Post\n\ndef publish(pk):\n"
                "    post = Post.objects.get(pk=pk)\n    post.save()\n"
            ),
            "blog/notify.py": (
                "from blog import actions\n\ndef publish_and_tell(pk):\n    actions.publish(pk)\n"
            ),
            "blog/views.py": (
                "from django.http import JsonResponse\nfrom blog.notify import publish_and_tell\n\n"
                "def publish(request, pk):\n    publish_and_tell(pk)\n"
                "    return JsonResponse({})\n"
            ),
            "blog/urls.py": (
                "from django.urls import path\nfrom blog import views\n\n"
                "urlpatterns = [path('posts/<int:pk>/publish', views.publish)]\n"
            ),
            "settings.py": "ROOT_URLCONF = 'blog.urls'\nINSTALLED_APPS = ['blog']\n",
        },
    )
    roles = {m.file: m.role for m in layers_of(root, Config(root=root)).modules}
    assert roles["blog/views.py"] == "controller"
    assert roles["blog/models.py"] == "model"
    assert roles["blog/actions.py"] == "repository"
    # called by the handler and reaching a repository: a service
    assert roles["blog/notify.py"] == "service"
    assert roles["blog/urls.py"] == "other"


def test_the_layers_command_prints_text_mermaid_and_json(tmp_path: Path) -> None:
    root = _write(tmp_path / "svc", FLASK)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "reviewer", "layers", str(root), *args],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=120,
            check=False,
        )

    text = run()
    assert text.returncode == 0, text.stderr
    assert "controller (1)\n  shop/api.py  [route handlers: get_order]" in text.stdout
    assert "  service -> repository: 1" in text.stdout
    assert "graph LR" in text.stdout
    only = run("--format", "mermaid")
    assert only.stdout.startswith("graph LR\n") and "shop/" not in only.stdout
    data = json.loads(run("--format", "json").stdout)
    assert {"from": "controller", "to": "service", "modules": 1} in data["edges"]
    assert render_layers(layers_of(root, Config(root=root)), "mermaid") == only.stdout


def test_a_viewset_whose_handlers_are_all_inherited_is_a_controller(tmp_path: Path) -> None:
    """The routes of `PostViewSet` are served by `ListMixin.list` (Route.file is the mixin's
    module): the module declaring the view class is a controller too."""
    root = _write(
        tmp_path,
        {
            "base/mixins.py": (
                "from rest_framework.response import Response\n\nclass ListMixin:\n"
                "    def list(self, request):\n        return Response([])\n"
            ),
            "blog/models.py": (
                "from django.db import models\n\nclass Post(models.Model):\n"
                "    title = models.CharField(max_length=10)\n"
            ),
            "blog/api.py": (
                "from rest_framework.viewsets import GenericViewSet\nfrom base.mixins import ListMixin\n"
                "from blog.models import Post\n\nclass PostViewSet(ListMixin, GenericViewSet):\n"
                "    queryset = Post.objects.all()\n"
            ),
            "blog/urls.py": (
                "from rest_framework.routers import DefaultRouter\nfrom blog.api import PostViewSet\n"
                "router = DefaultRouter()\nrouter.register('posts', PostViewSet)\n"
                "urlpatterns = router.urls\n"
            ),
            "settings.py": "ROOT_URLCONF = 'blog.urls'\nINSTALLED_APPS = ['blog']\n",
        },
    )
    roles = {m.file: m.role for m in layers_of(root, Config(root=root)).modules}
    assert roles["base/mixins.py"] == "controller"
    assert roles["blog/api.py"] == "controller"


def test_import_lines_are_right_with_import_lines_in_strings(tmp_path: Path) -> None:
    """Import lines come from a scan of the source; a docstring line starting with `import`
    or two imports on one line must not shift them (code generation decides then)."""
    root = _write(
        tmp_path,
        {
            "app/a.py": '"""Usage:\n\nimport app.a\n"""\nimport os\nfrom app import b\n',
            "app/b.py": "import os; import sys\n\nfrom app import a\n",
        },
    )
    layers = layers_of(root, Config(root=root))
    lines = {(i.file, i.name): i.line for i in layers.imports}
    assert lines[("app/a.py", "os")] == 5
    assert lines[("app/a.py", "app.b")] == 6
    assert lines[("app/b.py", "sys")] == 1
    assert lines[("app/b.py", "app.a")] == 3
