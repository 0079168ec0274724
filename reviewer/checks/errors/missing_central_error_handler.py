"""BR701: a service whose errors are not handled in one place."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.config import Config
from reviewer.model import Confidence, Finding, Location, Severity
from reviewer.service import Project

_DECORATORS = frozenset({"errorhandler", "app_errorhandler", "exception_handler"})
_CALLS = frozenset({"register_error_handler", "add_exception_handler"})
_METHODS = frozenset({"process_exception", "handle_exception", "handle_user_exception"})
_ERRORISH = re.compile(r"error|exception", re.I)
_HOW = {
    "flask": "`@app.errorhandler(Exception)` / `app.register_error_handler(...)` returning one "
    "JSON error shape",
    "fastapi": "`@app.exception_handler(Exception)` (and for `HTTPException`, "
    "`RequestValidationError`)",
    "django": "`handler500`/`handler404` in the root URLconf or a middleware with "
    "`process_exception`",
    "drf": "a custom `REST_FRAMEWORK['EXCEPTION_HANDLER']` that wraps DRF's default",
    "litestar": "`exception_handlers={Exception: handler}` on the app (or a router/controller)",
    "aiohttp": "an error middleware (`@web.middleware` wrapping `await handler(request)` in "
    "try/except)",
}


def _tail(value: Any) -> str:
    if isinstance(value, dict):
        name = value.get("call") or value.get("ref") or ""
        return str(name).rsplit(".", 1)[-1]
    return ""


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key in ("ref", "text", "expr"):
            if isinstance(value.get(key), str):
                yield value[key]


def central_handlers(facts: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Every central error-handling mechanism found in the project's framework facts."""
    found: list[str] = []
    for path, f in sorted(facts.items()):
        for record in f.get("functions", {}).values():
            for dec in record.get("decorators", []):
                tail = _tail(dec)
                if tail in _DECORATORS or (
                    tail == "middleware" and _ERRORISH.search(record.get("name", ""))
                ):
                    found.append(f"{path}: @{tail} {record.get('name', '')}")
            for call in record.get("calls", []):
                if str(call).rsplit(".", 1)[-1] in _CALLS:
                    found.append(f"{path}: {call}")
        for name, record in f.get("classes", {}).items():
            if _METHODS & set(record.get("methods", [])):
                found.append(f"{path}: {name}")
            elif "exception_handlers" in record.get("attrs", {}):  # a Litestar Controller's
                found.append(f"{path}: {name}.exception_handlers")
        for name, obj in f.get("objects", {}).items():
            if isinstance(obj, dict) and "exception_handlers" in obj.get("kwargs", {}):
                found.append(f"{path}: {name}(exception_handlers=...)")
        for reg in f.get("registrations", []):
            if reg.get("method") == "exception_handlers":  # `app_config.exception_handlers = `
                found.append(f"{path}: {reg.get('recv')}.exception_handlers")
            elif reg.get("method") in _CALLS:
                found.append(f"{path}: {reg.get('method')}")
            elif reg.get("method") == "add_middleware" and any(
                _ERRORISH.search(s) for s in _strings(reg.get("args", [])[:1])
            ):
                found.append(f"{path}: add_middleware")
        for table in ("aliases", "settings"):
            for alias in f.get(table, {}):
                if alias in {"handler500", "handler404", "handler400", "handler403"}:
                    found.append(f"{path}: {alias}")
        settings = f.get("settings", {})
        rest = settings.get("REST_FRAMEWORK")
        if isinstance(rest, dict) and any(
            isinstance(pair, list) and pair and pair[0] == "EXCEPTION_HANDLER"
            for pair in rest.get("dict", [])
        ):
            found.append(f"{path}: EXCEPTION_HANDLER")
        if any(_ERRORISH.search(s) for s in _strings(settings.get("MIDDLEWARE", []))):
            found.append(f"{path}: MIDDLEWARE")
    return found


class MissingCentralErrorHandler(Rule):
    """A service with routes but no central error handler.

    ## What it does
    Looks through the whole project for a central place where errors become responses: Flask
    `@app.errorhandler`/`@bp.app_errorhandler`/`register_error_handler`, FastAPI
    `@app.exception_handler`/`add_exception_handler`/`FastAPI(exception_handlers=...)`,
    Starlette `exception_handlers`, DRF `REST_FRAMEWORK["EXCEPTION_HANDLER"]` or an overridden
    `handle_exception`, Django `handler500`/`handler404` or a middleware with
    `process_exception`, an aiohttp error middleware, or an error middleware added with
    `add_middleware`. When a service has routes and none of these, it reports once for the
    project.

    ## Why is this bad
    Without one, every handler invents its own error responses (`{"error": ...}` here,
    `{"message": ...}` there, HTML 500 pages elsewhere), unexpected exceptions escape as the
    framework's default page or plain text, and errors are logged inconsistently or not at all.
    Clients cannot rely on one error format, and fixing it later means touching every handler.

    ## Example
    ```python
    @app.get("/orders/<int:oid>")
    def get_order(oid):
        try:
            return jsonify(service.get(oid))
        except Exception:
            return jsonify({"message": "failed"}), 500
    ```

    ## Use instead
    ```python
    @app.errorhandler(NotFound)
    def not_found(exc):
        return jsonify(error={"code": "not_found", "message": str(exc.description)}), 404

    @app.errorhandler(Exception)
    def unexpected(exc):
        logger.exception("unhandled error")
        return jsonify(error={"code": "internal", "message": "internal error"}), 500
    ```

    ## References
    - https://flask.palletsprojects.com/en/stable/errorhandling/
    - https://fastapi.tiangolo.com/tutorial/handling-errors/
    - https://www.django-rest-framework.org/api-guide/exceptions/#custom-exception-handling
    - https://docs.djangoproject.com/en/5.2/topics/http/views/#customizing-error-views
    """

    code = "BR701"
    name = "missing-central-error-handler"
    item = "error-handling"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    summary = "no central error handler: each route builds its own error responses"
    cwe = (755,)
    needs_project = True

    VALID = [
        Valid(
            """
from flask import Flask, jsonify
app = Flask(__name__)

@app.errorhandler(Exception)
def unexpected(exc):
    return jsonify(error="internal error"), 500

@app.get("/orders")
def orders():                       # ok: BR701
    return jsonify([])
"""
        ),
        Valid(
            """
from flask import Flask
from .views import bp

def create_app():
    app = Flask(__name__)
    app.register_blueprint(bp)
    app.register_error_handler(500, on_error)
    return app
""",
            path="svc/__init__.py",
            files={
                "svc/views.py": "from flask import Blueprint\nbp = Blueprint('b', __name__)\n"
                "@bp.get('/x')\ndef x():  # ok: BR701\n    return 'x'\n"
            },
        ),
        Valid(
            """
from litestar import Litestar, get
from litestar.plugins import InitPluginProtocol

class Core(InitPluginProtocol):
    def on_app_init(self, app_config):
        app_config.exception_handlers = {Exception: on_error}
        return app_config

@get("/items")
async def items() -> list:          # ok: BR701
    return []

app = Litestar(route_handlers=[items], plugins=[Core()])
"""
        ),
        Valid(
            """
from fastapi import FastAPI
app = FastAPI(exception_handlers={Exception: on_error})

@app.get("/items")
async def items():                  # ok: BR701
    return []
"""
        ),
        Valid(
            """
from rest_framework.decorators import api_view
from rest_framework.response import Response

@api_view(["GET"])
def ping(request):                  # ok: BR701
    return Response({"ok": True})
""",
            path="api/views.py",
            files={
                "api/urls.py": "from django.urls import path\nfrom . import views\n"
                "urlpatterns = [path('ping/', views.ping)]\n",
                "proj/settings.py": "ROOT_URLCONF = 'api.urls'\n"
                "REST_FRAMEWORK = {'EXCEPTION_HANDLER': 'api.errors.handler'}\n",
            },
        ),
        Valid(
            """
from flask import Flask, jsonify
app = Flask(__name__)

def on_error(exc):
    return jsonify(error="internal error"), 500

app.register_error_handler(Exception, on_error)

@app.get("/orders")
def orders():                       # ok: BR701 (registered at module level)
    return jsonify([])
"""
        ),
        Valid(
            """
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

async def items(request):           # ok: BR701
    return JSONResponse([])

async def on_error(request, exc):
    return JSONResponse({"error": "internal error"}, status_code=500)

app = Starlette(routes=[Route("/items", items)])
app.add_exception_handler(Exception, on_error)
"""
        ),
        Valid(
            """
from django.http import JsonResponse

def ping(request):                  # ok: BR701
    return JsonResponse({"ok": True})
""",
            path="shop/views.py",
            files={
                "shop/urls.py": "from django.urls import path\nfrom shop import views\n"
                "urlpatterns = [path('ping/', views.ping)]\n"
                "handler500 = 'shop.errors.server_error'\n",
                "proj/settings.py": "ROOT_URLCONF = 'shop.urls'\n",
            },
        ),
        Valid("def helper():\n    return 1\n", path="lib/util.py"),  # no routes: nothing to say
    ]
    INVALID = [
        Invalid(
            """
from flask import Flask, jsonify
app = Flask(__name__)

@app.get("/orders/<int:oid>")
def get_order(oid):  # expect: BR701
    try:
        return jsonify(service.get(oid))
    except Exception:
        return jsonify({"message": "failed"}), 500

@app.post("/orders")
def create_order():
    return jsonify({"error": "not implemented"}), 501
"""
        ),
        Invalid(
            """
from fastapi import APIRouter, FastAPI, HTTPException
app = FastAPI()
router = APIRouter()

@router.get("/items/{item_id}")
async def item(item_id: int):  # expect: BR701
    raise HTTPException(status_code=404, detail="not found")

app.include_router(router)
"""
        ),
        Invalid(
            """
from litestar import Litestar, get
from litestar.plugins import InitPluginProtocol

class Core(InitPluginProtocol):
    def on_app_init(self, app_config):
        app_config.debug = True
        return app_config

@get("/items/{item_id:int}")
async def item(item_id: int) -> dict:  # expect: BR701
    return {}

app = Litestar(route_handlers=[item], plugins=[Core()])
"""
        ),
    ]

    @classmethod
    def project_findings(cls, project: Project, config: Config) -> list[Finding]:
        routes = project.routes
        if not routes or central_handlers(project.facts):
            return []
        first = min(routes, key=lambda r: (r.file, r.line))
        frameworks = sorted({r.framework for r in routes})
        how = "; ".join(_HOW[f] for f in frameworks if f in _HOW) or "a central error handler"
        return [
            Finding(
                code=cls.code,
                message=(
                    f"The service has {len(routes)} route(s) but no central error handler: each "
                    "handler builds its own error responses and unexpected exceptions fall "
                    "through to the framework's default page. Register one handler that logs "
                    f"and returns a single error format: {how}."
                ),
                location=Location(first.file, first.line),
                severity=cls.severity,
                confidence=cls.confidence,
                project_level=True,
            )
        ]
