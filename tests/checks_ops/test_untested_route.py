"""BR804 per-route coverage: real route inventory + real test-call collection, joined."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from reviewer.checks.tests_coverage.untested_route import UntestedRoute
from reviewer.config import Config
from reviewer.framework.test_calls import FACTS_KEY, TestCallCollector
from reviewer.framework.test_match import path_matches
from reviewer.model import RouteCoverage
from reviewer.native import review_files
from reviewer.traversal import analyze_source

CONFIG = Config(root=Path("."))


def _findings(files: dict[str, str]):
    """Inventory from the real framework model, test calls from the real collector."""
    data = {p: t.encode() for p, t in files.items()}
    project = review_files(data, [], CONFIG).project
    facts = {p: dict(f) for p, f in project.facts.items()}
    for path, raw in data.items():
        result = analyze_source(path, raw, [TestCallCollector], CONFIG)
        if FACTS_KEY in result.facts:
            facts.setdefault(path, {})[FACTS_KEY] = result.facts[FACTS_KEY]
    project = dataclasses.replace(project, facts=facts)
    return project, UntestedRoute.project_findings(project, CONFIG)


FLASK_APP = """
from flask import Flask
app = Flask(__name__)

@app.get("/orders/<int:oid>")
def get_order(oid):
    return {}

@app.delete("/orders/<int:oid>")
def delete_order(oid):
    return "", 204

@app.get("/orders/<int:oid>/receipt")
def receipt(oid):
    return {}

@app.post("/orders")
def create_order():
    return {}, 201

@app.get("/health")
def health():
    return "ok"
"""


def test_flask_routes_matched_by_method_and_template() -> None:
    tests = """
import pytest
from app import app, health

@pytest.fixture
def client():
    return app.test_client()

@pytest.mark.parametrize(("suffix", "code"), [("", 200), ("/receipt", 200)])
def test_get(client, suffix, code):
    order_id = 3
    assert client.get(f"/orders/{order_id}{suffix}?expand=1").status_code == code
    client.post("/orders/", json={})

def test_health_direct():
    assert health() == "ok"
"""
    project, findings = _findings({"app.py": FLASK_APP, "tests/test_orders.py": tests})
    assert [(f.location.path, f.location.line, f.scope) for f in findings] == [
        ("app.py", 10, "delete_order")
    ]
    assert "DELETE /orders/<int:oid>" in findings[0].message
    assert dict(findings[0].extra) == {"covered": 4, "routes": 5}
    assert project.route_coverage() == RouteCoverage(covered=4, routes=5)


def test_fastapi_testclient_and_django_reverse() -> None:
    app = """
from fastapi import FastAPI
app = FastAPI()

@app.get("/items/{item_id}")
async def read_item(item_id: int):
    return {}

@app.put("/items/{item_id}")
async def put_item(item_id: int):
    return {}
"""
    tests = """
from fastapi.testclient import TestClient
from main import app

ITEM = "/items/42"

def test_read():
    with TestClient(app) as c:
        assert c.get(ITEM).status_code == 200
        c.request("PUT", "/items/" + str(1), json={})
"""
    _, findings = _findings({"main.py": app, "tests/test_items.py": tests})
    assert findings == []


def test_no_tests_at_all_is_one_project_finding() -> None:
    _, findings = _findings({"app.py": FLASK_APP})
    assert len(findings) == 1 and findings[0].project_level
    assert "no tests at all" in findings[0].message


def test_tests_without_recorded_calls_stay_silent() -> None:
    """Tests exist but none uses a client we recognise: nothing is claimed per route."""
    data = {
        p: t.encode()
        for p, t in {
            "app.py": FLASK_APP,
            "tests/test_x.py": "def test_x():\n    assert 1\n",
        }.items()
    }
    project = review_files(data, [], CONFIG).project
    assert UntestedRoute.project_findings(project, CONFIG) == []


@pytest.mark.parametrize(
    ("template", "tested", "expected"),
    [
        ("/users/<int:uid>", "/users/7", True),
        ("/users/<int:uid>", "/users/{}/", True),
        ("/users/{uid}/posts", "/users/{}/posts", True),
        ("/users/{uid}/posts", "/users/7", False),
        ("/files/<path:p>", "/files/a/b/c.txt", True),
        ("^api/items/(?P<pk>[^/.]+)/$", "/api/items/9/", True),
        ("/api/items/<int:pk>/", "http://testserver/api/items/9", True),
        ("/a/{x:\\d+}", "/a/5", True),
        ("/health", "/healthz", False),
    ],
)
def test_path_matches(template: str, tested: str, expected: bool) -> None:
    assert path_matches(template, tested) is expected


def test_drf_router_routes_by_path_and_url_name() -> None:
    views = """
from rest_framework import viewsets

class OrderViewSet(viewsets.ModelViewSet):
    queryset = Order.objects.all()


class RefundViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Refund.objects.all()
"""
    urls = """
from django.urls import include, path
from rest_framework.routers import DefaultRouter
from .views import OrderViewSet, RefundViewSet

router = DefaultRouter()
router.register("orders", OrderViewSet, basename="order")
router.register("refunds", RefundViewSet, basename="refund")
urlpatterns = [path("api/", include(router.urls))]
"""
    settings = "ROOT_URLCONF = 'shop.urls'\n"
    tests = """
from django.urls import reverse
from rest_framework.test import APITestCase

class OrderTests(APITestCase):
    def test_list_and_create(self):
        self.client.get(reverse("order-list"))
        self.client.post(reverse("order-list"), {})

    def test_detail(self):
        self.client.get("/api/orders/5/")
        self.client.delete(f"/api/orders/{5}/")
"""
    project, findings = _findings(
        {
            "shop/views.py": views,
            "shop/urls.py": urls,
            "shop/settings.py": settings,
            "shop/tests/test_orders.py": tests,
        }
    )
    untested = sorted(m for f in findings for m in [f.message.split(":")[0]])
    assert project.routes, "the DRF router must yield routes"
    # a view class whose actions are inherited is one place: tested when any action is
    assert len(untested) == 1, untested
    assert untested[0].startswith("No test exercises GET /api/refunds/ (RefundViewSet.list)")
    assert {(f.location.path, f.location.line) for f in findings} == {("shop/views.py", 8)}


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.mark.parametrize(
    "service", ["flask_service", "fastapi_service", "django_service", "aiohttp_service"]
)
def test_fixture_services_per_route_coverage(service: str) -> None:
    """With test calls recorded (as the framework's collectors will), BR804 finds exactly the
    routes the fixture marks `# expect: BR804`."""
    from reviewer.testing import tree_annotations

    root = FIXTURES / service
    if not root.is_dir():
        pytest.skip("fixtures not present")
    files = {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*.py"))}
    _, findings = _findings(files)
    expected, _ = tree_annotations(root)
    want = {(path, line) for code, path, line in expected if code == "BR804"}
    got = {(f.location.path, f.location.line) for f in findings}
    assert got == want
