"""BR804: routes no test exercises, or a service with no tests at all."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.config import Config
from reviewer.framework.test_calls import FACTS_KEY
from reviewer.framework.test_match import tests_for
from reviewer.model import Confidence, Finding, Location, Severity
from reviewer.service import Project, Route

_TEST_PATH = re.compile(
    r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_test\.py$|(^|/)conftest\.py$"
)


def recorded_test_calls(project: Project) -> dict[str, Mapping[str, Any]]:
    """Per test file, the recorded test-client requests and direct calls (see reviewer/framework/test_calls.py)."""
    found: dict[str, Mapping[str, Any]] = {}
    for path, facts in project.facts.items():
        if isinstance(facts, Mapping) and isinstance(facts.get(FACTS_KEY), Mapping):
            found[path] = facts[FACTS_KEY]
    for path, facts in project.test_calls.items():
        found.setdefault(path, facts)
    return found


def has_tests(project: Project) -> bool:
    """Any test module in the project (by the usual pytest/unittest file naming)."""
    for path, facts in project.facts.items():
        if not _TEST_PATH.search(path) or not isinstance(facts, Mapping):
            continue
        names = [*facts.get("functions", {}), *facts.get("classes", {})]
        if any(n.rsplit(".", 1)[-1].lower().startswith("test") for n in names):
            return True
        if isinstance(facts.get(FACTS_KEY), Mapping) and facts[FACTS_KEY].get("has_tests"):
            return True
    return False


class UntestedRoute(Rule):
    """Routes that no test calls, and services without any tests.

    ## What it does
    Matches every route of the route inventory against the test suite: requests made through a
    test client (Flask `client.get(...)`, Starlette/FastAPI `TestClient`, Django `self.client`,
    DRF `APIClient`, httpx `AsyncClient`, aiohttp `aiohttp_client`) with the same method and a
    path that fits the route's template (`/orders/{order_id}` is exercised by
    `client.get(f"/orders/{order.id}")`), URL names given to `reverse()`/`url_for()`, and tests
    that call the handler function directly. It reports each handler whose routes no test
    exercises, with the covered/total count attached; when the project has no tests at all it
    reports that once for the project instead.

    ## Why is this bad
    An endpoint without a test can break on any refactor, dependency upgrade or framework change
    without anyone noticing before clients do. Untested routes are also where authorization and
    validation regressions hide, because nobody wrote down what they must refuse.

    ## Example
    ```python
    @app.delete("/orders/<int:oid>")
    def delete_order(oid): ...
    # no test sends DELETE /orders/<id>
    ```

    ## Use instead
    ```python
    def test_delete_order(client, order):
        assert client.delete(f"/orders/{order.id}").status_code == 204
        assert client.delete(f"/orders/{order.id}").status_code == 404
    ```

    ## References
    - https://flask.palletsprojects.com/en/stable/testing/
    - https://fastapi.tiangolo.com/tutorial/testing/
    - https://docs.djangoproject.com/en/5.2/topics/testing/tools/#the-test-client
    - https://www.django-rest-framework.org/api-guide/testing/
    """

    code = "BR804"
    name = "untested-route"
    item = "tests"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    summary = "route not exercised by any test"
    needs_project = True

    VALID = [
        Valid(
            """
from flask import Flask
app = Flask(__name__)

@app.get("/orders/<int:oid>")
def get_order(oid):  # ok: BR804
    return {"id": oid}
""",
            files={
                "tests/test_orders.py": "from app import app\n\n"
                "def test_get_order():\n"
                "    client = app.test_client()\n"
                "    assert client.get(f'/orders/{7}').status_code == 200\n"
            },
        ),
        Valid("def helper():\n    return 1\n", path="lib/util.py"),  # no routes, no tests
        # Django tests reach views through reverse() and the URL pattern's name
        Valid(
            """
from django.http import JsonResponse
from django.views import View

class ImageDelete(View):
    def post(self, request, image_id):  # ok: BR804
        return JsonResponse({})
""",
            path="media/views.py",
            files={
                "media/urls.py": "from django.urls import path\nfrom media import views\n"
                "app_name = 'media'\n"
                "urlpatterns = [path('images/<int:image_id>/delete/', "
                "views.ImageDelete.as_view(), name='delete_image')]\n",
                "proj/settings.py": "ROOT_URLCONF = 'media.urls'\n",
                "media/tests/test_views.py": "from django.test import TestCase\n"
                "from django.urls import reverse\n\n"
                "class DeleteTests(TestCase):\n"
                "    def test_delete(self):\n"
                "        url = reverse('media:delete_image', args=(1,))\n"
                "        self.client.post(url)\n",
            },
        ),
    ]
    INVALID = [
        Invalid(
            """
from fastapi import FastAPI
app = FastAPI()

@app.get("/items/{item_id}")
async def read_item(item_id: int):  # expect: BR804 (no tests at all)
    return {"id": item_id}

@app.delete("/items/{item_id}")
async def delete_item(item_id: int):
    return None
"""
        ),
    ]

    @classmethod
    def project_findings(cls, project: Project, config: Config) -> list[Finding]:
        routes = project.routes
        if not routes:
            return []
        if not has_tests(project):
            first = min(routes, key=lambda r: (r.file, r.line))
            return [
                Finding(
                    code=cls.code,
                    message=(
                        f"The service has {len(routes)} route(s) and no tests at all: nothing "
                        "checks that an endpoint still answers, validates or refuses what it "
                        "should. Add API tests through the framework's test client, starting "
                        "with the state-changing and authenticated routes."
                    ),
                    location=Location(first.file, first.line),
                    severity=Severity.MEDIUM,
                    confidence=Confidence.HIGH,
                    project_level=True,
                    extra=(("covered", 0), ("routes", len(routes))),
                )
            ]
        return cls._untested(routes, recorded_test_calls(project))

    @classmethod
    def _untested(
        cls, routes: tuple[Route, ...], facts: Mapping[str, Mapping[str, Any]]
    ) -> list[Finding]:
        recorded = any(f.get("requests") or f.get("calls") for f in facts.values())
        if not recorded and not any(r.tests for r in routes):
            return []  # tests exist but their requests were not recorded: nothing to judge
        # One place in the code (a handler, or a view class whose actions are inherited) is
        # tested when a test exercises any of the routes it serves.
        places: dict[tuple[str, int], list[Route]] = {}
        for route in routes:
            places.setdefault((route.file, route.line), []).append(route)
        covered = sum(1 for r in routes if r.tests or tests_for(r, facts))
        findings = []
        for (file, line), group in sorted(places.items()):
            if any(r.tests or tests_for(r, facts) for r in group):
                continue
            labels = sorted({r.label() for r in group})
            shown = ", ".join(labels[:3]) + (
                f" and {len(labels) - 3} more" if len(labels) > 3 else ""
            )
            handlers = sorted({r.handler for r in group})
            findings.append(
                Finding(
                    code=cls.code,
                    message=(
                        f"No test exercises {shown}: no test-client request matches its method "
                        f"and path and no test calls `{handlers[0]}` ({covered} of "
                        f"{len(routes)} routes are covered). Add a test for its success and "
                        "failure cases."
                    ),
                    location=Location(file, line),
                    severity=cls.severity,
                    confidence=cls.confidence,
                    scope=handlers[0],
                    extra=(("covered", covered), ("routes", len(routes))),
                )
            )
        return findings
