"""BR805: route handlers and service functions without type annotations."""

from __future__ import annotations

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.framework.build import is_service_module
from reviewer.framework.lookup import routes_at, summarize
from reviewer.model import Confidence, Severity
from reviewer.service import Route

_IMPLICIT = frozenset({"self", "cls"})
_UNTYPED_RETURNS = frozenset({"dict", "Dict", "Any", "JSONResponse"})


def _params(node: cst.FunctionDef) -> list[cst.Param]:
    p = node.params
    return [*p.posonly_params, *p.params, *p.kwonly_params]


def _fully_untyped(node: cst.FunctionDef) -> bool:
    if node.returns is not None:
        return False
    return all(param.annotation is None for param in _params(node))


class UntypedHandler(Rule):
    """Handlers and service functions without annotations; FastAPI endpoints that return untyped
    dicts with neither `response_model` nor a return annotation.

    ## What it does
    Reports route handlers (from the route inventory) and public functions of service modules
    (`services.py`, `services/`, `*_service.py`) that carry no annotation at all: no parameter
    type and no return type. For FastAPI it also reports endpoints whose parameters are untyped
    (FastAPI then treats them as string query parameters), and endpoints returning dict literals
    without a `response_model` and without a precise return annotation.

    A DRF view that declares a `serializer_class` (its own or a base's), or picks one in
    `get_serializer_class()`, has a typed
    request/response schema, so its untyped `list(self, request, *args, **kwargs)` overrides
    are not reported (57 of 72 findings on paperless-ngx were such views).

    ## Why is this bad
    Annotations are the contract of an API layer: without them type checkers cannot catch a
    wrong field or a missing `await`, FastAPI cannot validate or document inputs and outputs,
    and a returned dict leaks whatever keys it happens to hold (for example a password hash).

    ## Example
    ```python
    @app.get("/users/{user_id}")
    def get_user(user_id):
        return {"id": user_id, "email": "...", "password_hash": "..."}
    ```

    ## Use instead
    ```python
    @app.get("/users/{user_id}", response_model=UserOut)
    def get_user(user_id: int) -> UserOut: ...
    ```

    ## References
    - https://fastapi.tiangolo.com/tutorial/response-model/
    - https://peps.python.org/pep-0484/
    - https://mypy.readthedocs.io/en/stable/existing_code.html
    """

    code = "BR805"
    name = "untyped-handler"
    item = "types"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    summary = "handler or service function without type annotations"
    cwe = ()
    needs_project = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        routes = routes_at(self.ctx, node)
        if routes:
            self._handler(node, routes)
        elif self._is_service_function(node) and _fully_untyped(node):
            self.report(
                node.name,
                f"service function {node.name.value}() has no type annotations: annotate its "
                "parameters and return type so callers and type checkers know the contract.",
            )

    def _handler(self, node: cst.FunctionDef, routes: tuple[Route, ...]) -> None:
        label = summarize(routes)
        if any(r.framework == "fastapi" for r in routes):
            problems = []
            untyped = [
                p.name.value
                for p in _params(node)
                if p.annotation is None and p.name.value not in _IMPLICIT and p.default is None
            ]
            if untyped:
                problems.append(
                    f"parameter(s) {', '.join(untyped)} are untyped, so FastAPI reads them as "
                    "strings from the query"
                )
            if self._returns_untyped_dict(node, routes):
                problems.append(
                    "it returns untyped data (no response_model and no precise return "
                    "annotation), so the response is neither filtered nor documented"
                )
            if problems:
                self.report(node.name, f"{label}: " + "; ".join(problems) + ".")
            return
        if any(r.response_model for r in routes):
            return  # a DRF view's serializer_class types what it reads and answers
        if _fully_untyped(node):
            self.report(
                node.name,
                f"{label} has an untyped handler: annotate its parameters and return type "
                "(or use typed request/response schemas).",
            )

    def _returns_untyped_dict(self, node: cst.FunctionDef, routes: tuple[Route, ...]) -> bool:
        if any(r.response_model for r in routes):
            return False
        if node.returns is not None:
            ann = cst.Module(body=[]).code_for_node(node.returns.annotation)
            if ann.split("[", 1)[0].rsplit(".", 1)[-1] not in _UNTYPED_RETURNS or "[" in ann:
                return False
        project = self.ctx.project
        if project is None:
            return False
        record = (
            project.facts.get(self.ctx.relpath, {})
            .get("functions", {})
            .get(self.ctx.scope_name(), {})
        )
        if node.returns is None:
            return bool(record.get("returns_value"))
        return bool(record.get("returns_dict"))

    def _is_service_function(self, node: cst.FunctionDef) -> bool:
        if node.name.value.startswith("_") or not is_service_module(self.ctx.relpath):
            return False
        if self.ctx.is_test_file:
            return False
        parents = [n for n in self.ctx.stack[:-1] if isinstance(n, cst.FunctionDef | cst.ClassDef)]
        return all(isinstance(n, cst.ClassDef) for n in parents) and len(parents) <= 1


UntypedHandler.VALID = [
    Valid(
        """
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()

class Item(BaseModel):
    id: int

@app.get("/items/{item_id}", response_model=Item)
def get_item(item_id: int):  # ok: BR805
    return {"id": item_id}

@app.get("/health")
def health() -> dict[str, str]:  # ok: BR805
    return {"status": "ok"}

@app.get("/items")
def list_items(limit: int = 10) -> list[Item]:  # ok: BR805
    return []

def not_a_route(x):  # ok: BR805
    return {"x": x}
"""
    ),
    Valid(
        """
from flask import Flask

app = Flask(__name__)

@app.get("/orders/<int:oid>")
def get_order(oid: int) -> dict:  # ok: BR805
    return {}
"""
    ),
    Valid(
        """
class OrderService:
    def create(self, item: str, qty: int) -> int:  # ok: BR805
        return qty

    def _internal(self, x):  # ok: BR805
        return x

def total(orders: list) -> int:  # ok: BR805
    return len(orders)
""",
        path="shop/services/orders.py",
    ),
]

UntypedHandler.INVALID = [
    Invalid(
        """
from fastapi import FastAPI

app = FastAPI()

@app.get("/users/{user_id}")
def get_user(user_id):  # expect: BR805
    return {"id": user_id, "email": "a@b.c"}

@app.get("/stats")
async def stats():  # expect: BR805
    return {"users": 1}

@app.get("/version")
def version() -> str:  # ok: BR805
    return "1"
"""
    ),
    Invalid(
        """
from flask import Flask

app = Flask(__name__)

@app.post("/orders")
def create_order():  # expect: BR805
    return {}
"""
    ),
    Invalid(
        """
class OrderService:
    def create(self, item, qty):  # expect: BR805
        return qty

def refund(order_id):  # expect: BR805
    return order_id
""",
        path="shop/order_service.py",
    ),
]
UntypedHandler.INVALID.append(
    # a DRF view with a serializer_class beside an APIView without one
    Invalid(
        """
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

class TagViewSet(viewsets.ModelViewSet):
    serializer_class = TagSerializer

    def list(self, request, *args, **kwargs):  # ok: BR805 (serializer_class types it)
        return super().list(request, *args, **kwargs)

class LogView(APIView):
    def get(self, request):  # expect: BR805
        return Response([])

class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    def get_serializer_class(self):
        return TaskSerializerV9 if self.request.version == "9" else TaskSerializer

    def list(self, request, *args, **kwargs):  # ok: BR805 (get_serializer_class types it)
        return super().list(request, *args, **kwargs)
""",
        path="tags/views.py",
        files={
            "tags/urls.py": """
from django.urls import path
from rest_framework.routers import DefaultRouter
from tags import views
router = DefaultRouter()
router.register("tags", views.TagViewSet, basename="tags")
router.register("tasks", views.TaskViewSet, basename="tasks")
urlpatterns = [path("logs/", views.LogView.as_view()), *router.urls]
"""
        },
    )
)
