"""BR110: a route handler uses raw request data that no schema has validated."""

from __future__ import annotations

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.framework import body
from reviewer.framework.common import UNTYPED_BODY
from reviewer.framework.lookup import routes_at, summarize
from reviewer.framework.values import code_of, qualify, tail
from reviewer.model import Confidence, Severity
from reviewer.service import Route

QUERY_READS = (".args", ".GET", ".query_params", ".query")


class _State:
    def __init__(
        self, routes: tuple[Route, ...], requests: frozenset[str], schemas: frozenset[str]
    ) -> None:
        self.routes = routes
        self.requests = requests
        self.reads: list[tuple[cst.Attribute, str, str]] = []  # node, what, assigned variable
        self.validated: set[str] = set()
        self.schemas = {tail(v) for r in routes for v in r.validation} | set(schemas)

    def is_model(self, callee: str) -> bool:
        """`Model(**data)` validates; `Serializer(obj)`/`Form(...)` count only through
        `validator_call` (with `data=`)."""
        name = tail(callee) if callee else ""
        return name in self.schemas and not name.endswith(("Serializer", "Form"))


_OPAQUE = frozenset({"Any", "object", "JSON"})


def _untyped_body(annotation: cst.BaseExpression) -> bool:
    """`dict`, `Any`, a bare `list`: FastAPI checks nothing inside. `list[int]`,
    `list[Item]`, `dict[str, int]` are validated item by item (Pydantic), so they are typed;
    `dict[str, Any]` is not."""
    if isinstance(annotation, cst.Subscript):
        base = tail(code_of(annotation.value))
        if base not in UNTYPED_BODY:
            return False
        if base in _OPAQUE:
            return True
        inner = [
            tail(code_of(e.slice.value)) for e in annotation.slice if isinstance(e.slice, cst.Index)
        ]
        return not inner or inner[-1] in _OPAQUE or inner[-1] in UNTYPED_BODY
    return tail(code_of(annotation)) in UNTYPED_BODY


# `bool(...)` never fails; `int(request.args["n"])` is still reported: a bad value raises
# ValueError and becomes a 500 where `type=int` or a schema would answer 400.
_CONVERSIONS = frozenset({"bool"})


def _literal(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.SimpleString | cst.Integer | cst.Float | cst.ConcatenatedString):
        return True
    if isinstance(expr, cst.Name):
        return expr.value in {"None", "True", "False"}
    if isinstance(expr, cst.Tuple | cst.List | cst.Set):
        return all(_literal(e.value) for e in expr.elements)
    return False


def _chained(parent: cst.CSTNode, current: cst.CSTNode) -> bool:
    """`current.attr`, `current(...)`, `current[...]`: still the read's own value."""
    if isinstance(parent, cst.Attribute | cst.Subscript):
        return parent.value is current
    if isinstance(parent, cst.ComparisonTarget):
        return parent.comparator is current
    return isinstance(parent, cst.Call) and parent.func is current


def _only_checked(stack: list[cst.CSTNode]) -> bool:
    """`request.args.get("x", "").lower() == "true"`, `request.GET["o"] in ("a", "b")`,
    `"key" in request.args`, `if request.POST:`, `bool(request.POST.get("flag"))`: the handler
    keeps only a boolean (a comparison with literals is an allow-list check), not the raw
    value."""
    current = stack[-1]
    for parent in reversed(stack[:-1]):
        if _chained(parent, current):
            current = parent
        elif isinstance(parent, cst.Comparison):
            if isinstance(current, cst.ComparisonTarget):
                current = current.comparator
            parts = [parent.left, *(c.comparator for c in parent.comparisons)]
            allowed = (cst.Equal, cst.NotEqual, cst.In, cst.NotIn, cst.Is, cst.IsNot)
            return all(isinstance(c.operator, allowed) for c in parent.comparisons) and all(
                part is current or _literal(part) for part in parts
            )
        elif isinstance(parent, cst.Arg) and parent.value is current:
            current = parent
        elif isinstance(parent, cst.Call) and isinstance(current, cst.Arg):
            return (
                isinstance(parent.func, cst.Name)
                and parent.func.value in _CONVERSIONS
                and len(parent.args) == 1
            )
        elif isinstance(parent, cst.BooleanOperation | cst.UnaryOperation):
            current = parent  # `if request.POST or request.FILES:`, `if not request.GET:`
        elif isinstance(parent, cst.If | cst.While | cst.IfExp):
            return parent.test is current  # `"a" if not request.args.get("x") else "b"`
        else:
            return False
    return False


# Frameworks whose handler parameters are the request body (FastAPI: a parameter of a non-simple
# type; Litestar: the parameter named `data`), validated against their annotation.
_BODY_PARAMS = {"fastapi": "FastAPI", "litestar": "Litestar"}


class UnvalidatedRequestInput(Rule):
    """A handler reads raw request data (`request.json`, `request.POST`, `await request.json()`)
    and uses it without a schema, or a FastAPI body is typed `dict`, `Any` or not at all.

    ## What it does
    For every route handler in the inventory, finds reads of raw client input (Flask
    `request.json/get_json()/args/form/values/data`, Django `request.POST/GET/body`, DRF
    `request.data/query_params`, Starlette/aiohttp `await request.json()/post()`, `request.query`)
    whose value never reaches a validator: a Pydantic model or `model_validate`, a marshmallow
    `Schema().load`, a DRF serializer, a Django/WTForms form, attrs/cattrs `structure`,
    `jsonschema.validate`, or webargs/flask-smorest argument decorators; DRF's
    `self.get_serializer(data=...)` and a WTForms form built with `formdata=` count as schemas.
    Also reports FastAPI body parameters typed `dict`, `Any` or a bare `list`, which FastAPI
    does not validate inside (`list[int]`, `list[Item]`, `dict[str, int]` are validated item by
    item and are not reported). `request.args.get("page", type=int)` counts as validated.
    A handler that reads only query-string values (`request.args`, `request.GET`,
    `query_params`) is not reported: such scalars are checked by hand as a rule (42 of 43 such
    findings on four real services were wrong), and where one reaches a dangerous sink the
    taint rules (BR101-BR112) report the flow.

    ## Precision
    Demoted to low confidence. On four real services (benchmarks/audits/precision/) about one
    finding in four was a body a reviewer would want behind a schema; the rest were fields read
    one by one and checked by hand (looked up, compared, parsed in `try`), or bodies validated by
    something the rule does not see (an OpenAPI-validating decorator, a helper the data is
    handed to). The findings stay as a prompt to check, and cost little in the score.

    ## Why is this bad
    Unvalidated input reaches business logic with the wrong types, missing fields and unexpected
    extra keys (mass assignment), and the API documents nothing about what it accepts. Most
    injection and logic bugs start at an unchecked field.

    ## Example
    ```python
    @app.post("/orders")
    def create_order():
        data = request.get_json()
        return service.create(data["item"], data["qty"])
    ```

    ## Use instead
    ```python
    @app.post("/orders")
    def create_order():
        order = OrderIn.model_validate(request.get_json())
        return service.create(order.item, order.qty)
    ```

    ## References
    - https://owasp.org/www-project-proactive-controls/v3/en/c5-validate-inputs
    - https://cwe.mitre.org/data/definitions/20.html
    - https://fastapi.tiangolo.com/tutorial/body/
    - https://www.django-rest-framework.org/api-guide/serializers/#validation
    """

    code = "BR110"
    name = "unvalidated-request-input"
    item = "input-validation"
    severity = Severity.MEDIUM
    confidence = Confidence.LOW  # demoted: see "Precision" in the docs
    summary = "route handler uses raw request input without schema validation"
    cwe = (20,)
    needs_project = True

    def __init__(self, ctx: object) -> None:
        super().__init__(ctx)  # type: ignore[arg-type]
        self._states: list[_State | None] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        routes = routes_at(self.ctx, node)
        if not routes:
            self._states.append(None)
            return
        project = self.ctx.project
        schemas = (
            frozenset(tail(s) for s in project.schemas) if project is not None else frozenset()
        )
        self._states.append(_State(routes, body.request_names(node), schemas))
        self._untyped_bodies(node, routes)

    def _untyped_bodies(self, node: cst.FunctionDef, routes: tuple[Route, ...]) -> None:
        framework = next((r.framework for r in routes if r.framework in _BODY_PARAMS), "")
        if not framework:
            return
        bodies = {p.name for r in routes for p in r.params if p.source == "body"}
        for param in (*node.params.params, *node.params.kwonly_params):
            if param.name.value not in bodies:
                continue
            ann = code_of(param.annotation.annotation) if param.annotation else ""
            if param.annotation is not None and not _untyped_body(param.annotation.annotation):
                continue
            typed = f"typed `{ann}`" if ann else "untyped"
            self.report(
                param,
                f"{summarize(routes)} takes its body `{param.name.value}` {typed}: "
                f"{_BODY_PARAMS[framework]} checks nothing inside it. Declare a Pydantic model "
                "(or a dataclass, a msgspec Struct) for the body.",
            )

    def visit_Attribute(self, node: cst.Attribute) -> None:
        state = self._states[-1] if self._states else None
        if state is None:
            return
        what = body.raw_read(node, self.ctx, state.requests)
        if what is None:
            return
        if _only_checked(self.ctx.stack):
            return
        var, validator, ctor = body.raw_context(self.ctx)
        if not validator and not state.is_model(ctor):
            state.reads.append((node, what, var))

    def visit_Call(self, node: cst.Call) -> None:
        state = self._states[-1] if self._states else None
        if state is None:
            return
        callee = qualify(node.func, self.ctx.imports) or ""
        if body.validator_call(node, self.ctx) or state.is_model(callee):
            for arg in body.validated_args(node):
                state.validated |= body.names_in(arg)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        state = self._states.pop() if self._states else None
        if state is None:
            return
        raw = [(n, what) for n, what, var in state.reads if not var or var not in state.validated]
        if not raw:
            return
        whats = list(dict.fromkeys(what for _, what in raw))
        if all(w.endswith(QUERY_READS) for w in whats):
            return  # query-string scalars checked by hand: 42 of 43 such findings were wrong
        self.report(
            raw[0][0],
            f"{summarize(state.routes)} uses {', '.join(whats)} without validating it: pass the "
            "input through a schema (a Pydantic model, marshmallow Schema.load, a DRF serializer "
            "with is_valid, a Django form) before using it.",
        )


UnvalidatedRequestInput.VALID = [
    Valid(
        """
from flask import Flask, request
from marshmallow import Schema, fields
from pydantic import BaseModel

app = Flask(__name__)

class OrderIn(BaseModel):
    item: str

class OrderSchema(Schema):
    item = fields.Str()

@app.post("/orders")
def create_order():
    order = OrderIn.model_validate(request.get_json())  # ok: BR110
    return order.model_dump()

@app.post("/orders/bulk")
def bulk():
    data = request.get_json()  # ok: BR110
    orders = OrderSchema(many=True).load(data)
    return {"n": len(orders)}

@app.put("/orders/<int:oid>")
def replace(oid):
    payload = request.json  # ok: BR110
    order = OrderIn(**payload)
    return order.model_dump()

@app.get("/orders")
def list_orders():
    page = request.args.get("page", 1, type=int)  # ok: BR110
    return {"page": page}

@app.patch("/orders/<int:oid>")
def rename(oid):
    change = OrderIn(item=request.json["item"])  # ok: BR110
    return change.model_dump()

def helper():
    return request.json  # ok: BR110
"""
    ),
    # reads only compared with literals, and Django's FormMixin protocol
    Valid(
        """
from flask import Flask, request

app = Flask(__name__)

@app.get("/items")
def items():
    if "show_env" not in request.args:  # ok: BR110 (a key test)
        return {}
    absolute = request.args.get("absolute", "false").lower() == "true"  # ok: BR110
    if request.args["order"] in ("name", "date"):  # ok: BR110
        return {"absolute": absolute}
    if request.form or not request.files:  # ok: BR110 (a truth test)
        return {}
    preview = bool(request.args.get("preview"))  # ok: BR110
    target = signer.unsign(request.args.get("url", ""))  # ok: BR110 (signature checked)
    return {"preview": preview, "target": target}
"""
    ),
    Valid(
        """
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic.edit import FormView

class ContactView(FormView):
    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, request.FILES)  # ok: BR110
        if form.is_valid():
            return self.form_valid(form)
        other = self.get_form_class()(data=request.POST)  # ok: BR110
        return self.form_invalid(other)


def enable(request, pk):
    redirect_to = request.POST.get("next", None)  # ok: BR110 (checked before use)
    if redirect_to and url_has_allowed_host_and_scheme(
        url=redirect_to, allowed_hosts={request.get_host()}
    ):
        return redirect(redirect_to)
    search_form_class = pick_search_form()
    search = search_form_class(request.POST, prefix="search")  # ok: BR110
    return render(request, "enable.html", {"search": search})
""",
        path="shop/views.py",
        files={
            "shop/urls.py": """
from django.urls import path
from shop import views
urlpatterns = [
    path("contact/", views.ContactView.as_view()),
    path("enable/<int:pk>/", views.enable),
]
"""
        },
    ),
    # DRF serializer and a Django form
    Valid(
        """
from django import forms
from rest_framework.decorators import api_view
from rest_framework.response import Response

class ContactForm(forms.Form):
    email = forms.EmailField()

@api_view(["POST"])
def create_item(request):
    serializer = ItemSerializer(data=request.data)  # ok: BR110
    serializer.is_valid(raise_exception=True)
    return Response(serializer.data)

def contact(request):
    form = ContactForm(request.POST)  # ok: BR110
    if form.is_valid():
        return None
    return None
""",
        path="shop/views.py",
        files={
            "shop/urls.py": """
from django.urls import path
from shop import views
urlpatterns = [path("items/", views.create_item), path("contact/", views.contact)]
"""
        },
    ),
    Valid(
        """
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()

class ItemIn(BaseModel):
    name: str

@app.post("/items")
def create_item(item: ItemIn, dry_run: bool = False):  # ok: BR110
    return item
"""
    ),
    # DRF's GenericAPIView.get_serializer, a WTForms form built from formdata=, a FastAPI
    # list[int] body, query-string scalars checked by hand
    Valid(
        """
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

class RotateView(GenericAPIView):
    serializer_class = RotateSerializer

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)  # ok: BR110
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)
""",
        path="docs/views.py",
        files={
            "docs/urls.py": """
from django.urls import path
from docs import views
urlpatterns = [path("rotate/", views.RotateView.as_view())]
"""
        },
    ),
    Valid(
        """
from flask import Flask, request
from fastapi import FastAPI
from pydantic import BaseModel

app = Flask(__name__)
api = FastAPI()

class Item(BaseModel):
    name: str

@app.route("/settings", methods=["GET", "POST"])
def settings():
    form = settings_form(formdata=request.form if request.method == "POST" else None)  # ok: BR110
    if form.validate():
        save(form.data)
    return render(form)

@app.post("/shot")
def shot():
    name = "error.png" if request.form.get("error") else "last.png"  # ok: BR110
    page = request.args.get("q", "")  # ok: BR110 (a query-string scalar)
    return {"name": name, "q": page}

@api.post("/export")
def export(ids: list[int], items: list[Item], weights: dict[str, float]):  # ok: BR110
    return {"n": len(ids)}
"""
    ),
]

UnvalidatedRequestInput.INVALID = [
    Invalid(
        """
from litestar import Litestar, post
from pydantic import BaseModel

class Signup(BaseModel):
    email: str

@post("/signup")
async def signup(data: dict) -> None:  # expect: BR110
    return None

@post("/signup/typed")
async def typed_signup(data: Signup, notes: dict | None = None) -> None:  # ok: BR110
    return None

app = Litestar(route_handlers=[signup, typed_signup])
"""
    ),
    Invalid(
        """
from flask import Flask, request

app = Flask(__name__)

@app.post("/search")
def search():
    if request.form.get("mode", "") == "exact":
        return {"q": request.form["q"]}  # expect: BR110
    return {}

@app.post("/owner")
def owner():
    if request.form.get("owner") == current_owner():  # expect: BR110
        return {}
    return {}
"""
    ),
    Invalid(
        """
from flask import Flask, request

app = Flask(__name__)

@app.post("/orders")
def create_order():
    data = request.get_json()  # expect: BR110
    return {"item": data["item"], "qty": int(data["qty"])}

@app.get("/search")
def search():
    return {"q": request.args.get("q")}  # ok: BR110 (a query-string scalar)

class Order(db.Model):
    item = db.Column(db.String)

@app.post("/orders/quick")
def quick_order():
    order = Order(item=request.form["item"])  # expect: BR110
    db.session.add(order)
    return {"ok": True}
"""
    ),
    # a serializer used for output does not validate the query string
    Invalid(
        """
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

class ProductSerializer(serializers.Serializer):
    name = serializers.CharField()

@api_view(["POST"])
def search(request):
    term = request.data.get("q", "")  # expect: BR110
    return Response(ProductSerializer(find(term), many=True).data)
""",
        path="shop/api.py",
        files={
            "shop/urls.py": """
from django.urls import path
from shop import api
urlpatterns = [path("search/", api.search)]
"""
        },
    ),
    Invalid(
        """
import json
from django.http import JsonResponse

def update_profile(request):
    payload = json.loads(request.body)  # expect: BR110
    request.user.bio = payload["bio"]
    return JsonResponse({})
""",
        path="accounts/views.py",
        files={
            "accounts/urls.py": """
from django.urls import path
from accounts import views
urlpatterns = [path("profile/", views.update_profile)]
"""
        },
    ),
    Invalid(
        """
from typing import Any
from fastapi import FastAPI, Request

app = FastAPI()

@app.post("/webhooks")
async def webhook(request: Request):
    event = await request.json()  # expect: BR110
    return {"type": event["type"]}

@app.put("/items/{item_id}")
def put_item(item_id: int, payload: dict):  # expect: BR110
    return payload

@app.patch("/items/{item_id}")
def patch_item(item_id: int, changes: Any):  # expect: BR110
    return changes

@app.post("/items/bulk")
def bulk(rows: list[dict], meta: dict[str, Any]):  # expect: BR110
    return rows
"""
    ),
    Invalid(
        """
from aiohttp import web

routes = web.RouteTableDef()

@routes.post("/items")
async def create_item(request):
    data = await request.json()  # expect: BR110
    return web.json_response(data)

app = web.Application()
app.add_routes(routes)
"""
    ),
]
