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

    def test_root(self):  # DefaultRouter's API root view is named "api-root"
        self.client.get(reverse("api-root"))
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


def test_flask_url_for_names_the_blueprint_endpoint() -> None:
    """`url_for("ui.edit.page")` is the `page` view of blueprint `edit` registered in `ui`
    (Flask names nested blueprints "<parent>.<child>"), and `url_for("watch")` a Flask-RESTful
    resource's default endpoint (its class name, lower case). must not match: the `page` view
    of another blueprint, nor `index` of the app."""
    app = """
from flask import Blueprint, Flask
from flask_restful import Api, Resource
app = Flask(__name__)
from other import other
ui = Blueprint("ui", __name__)
edit = Blueprint("edit", __name__)

@edit.get("/edit/<uuid>")
def page(uuid):
    return ""

@app.get("/")
def index():
    return ""

class Watch(Resource):
    def get(self, uuid):
        return {}

ui.register_blueprint(edit)
app.register_blueprint(ui)
app.register_blueprint(other)
api = Api(app)
api.add_resource(Watch, "/api/watch/<uuid>")
"""
    tests = """
from flask import url_for

def test_edit(client):
    client.get(url_for("ui.edit.page", uuid="x"))
    client.get(url_for("watch", uuid="x"))
"""
    other = """
from flask import Blueprint
other = Blueprint("other", __name__)

@other.get("/other/<uuid>")
def page(uuid):
    return ""
"""
    project, findings = _findings({"app.py": app, "other.py": other, "tests/test_ui.py": tests})
    assert sorted((r.path, r.url_name) for r in project.routes) == [
        ("/", "index"),
        ("/api/watch/<uuid>", "watch"),
        ("/edit/<uuid>", "edit.page"),
        ("/other/<uuid>", "other.page"),
    ]
    untested = sorted(f.message.split(" ")[4] for f in findings)
    assert untested == ["/", "/other/<uuid>"], [f.message for f in findings]


def test_urls_from_another_test_module_constants_and_builders() -> None:
    """mealie's suites build every URL with `tests/utils/api_routes`: module constants
    (`recipes = "/api/recipes"`) and one-line builders (`def recipes_slug(slug): return
    f"{prefix}/recipes/{slug}"`), imported as a module or by name. must not match: a
    reference to a name no test module defines."""
    app = """
from fastapi import FastAPI
app = FastAPI()

@app.get("/api/recipes")
def list_recipes(): ...

@app.get("/api/recipes/{slug}")
def get_recipe(slug: str): ...

@app.delete("/api/recipes/{slug}")
def delete_recipe(slug: str): ...

@app.get("/api/foods")
def foods(): ...

@app.get("/api/units")
def units(): ...
"""
    routes_module = '''
prefix = "/api"
recipes = "/api/recipes"
"""`/api/recipes`"""
foods = f"{prefix}/foods"

def recipes_slug(slug):
    """`/api/recipes/{slug}`"""
    return f"{prefix}/recipes/{slug}"
'''
    tests = """
from tests.utils import api_routes
from tests.utils.api_routes import foods, recipes_slug

def test_recipes(api_client):
    api_client.get(api_routes.recipes)
    api_client.get(recipes_slug("pie"))
    api_client.get(foods)
    api_client.get(f"{api_routes.units}/x")
"""
    project, _ = _findings(
        {
            "main.py": app,
            "tests/utils/api_routes/__init__.py": routes_module,
            "tests/test_recipes.py": tests,
        }
    )
    tested = {(r.methods, r.path): bool(r.tests) for r in project.routes}
    assert tested == {
        (("GET",), "/api/recipes"): True,
        (("GET",), "/api/recipes/{slug}"): True,
        (("DELETE",), "/api/recipes/{slug}"): False,
        (("GET",), "/api/foods"): True,
        (("GET",), "/api/units"): False,
    }


def test_logged_in_clients_named_after_the_user() -> None:
    """CTFd's suites: `with login_as_user(app, "admin") as admin: admin.get("/admin/users")`,
    `captain.post(url_for("teams_new"))`: an HTTP verb called with one of the app's paths or a
    route name is a request whatever the client is called. must not count: `config.get("x")`
    (no path) nor `admin.get(name)` with an unknown value."""
    tests = """
from flask import url_for
from helpers import login_as_user

def test_admin(app):
    with login_as_user(app, "admin") as admin:
        admin.get("/orders/1/receipt")
        admin.delete(config.get("oid"))
    config.post("health")
    captain = login_as_user(app)
    captain.post(url_for("create_order"))
"""
    project, _ = _findings({"app.py": FLASK_APP, "tests/test_admin.py": tests})
    tested = {(r.methods, r.path): bool(r.tests) for r in project.routes}
    assert tested == {
        (("GET",), "/orders/<int:oid>"): False,
        (("DELETE",), "/orders/<int:oid>"): False,
        (("GET",), "/orders/<int:oid>/receipt"): True,
        (("POST",), "/orders"): True,
        (("GET",), "/health"): False,
    }


def test_a_loop_over_a_list_of_paths_requests_each() -> None:
    """CTFd's access tests: `routes = ["/health", ...]` then `for route in routes:
    client.get(route)`. must not count: a loop over something that is no list of strings."""
    tests = """
def test_pages(client):
    routes = ["/health", "/orders/1/receipt"]
    for route in routes:
        client.get(route)
    for order in load_orders():
        client.delete(order)
"""
    project, _ = _findings({"app.py": FLASK_APP, "tests/test_pages.py": tests})
    tested = {(r.methods, r.path): bool(r.tests) for r in project.routes}
    assert tested == {
        (("GET",), "/orders/<int:oid>"): False,
        (("DELETE",), "/orders/<int:oid>"): False,
        (("GET",), "/orders/<int:oid>/receipt"): True,
        (("POST",), "/orders"): False,
        (("GET",), "/health"): True,
    }
