"""BR702: exception details, tracebacks or debug mode handed to the client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import libcst as cst

from reviewer.checks._settings import (
    EnvScheme,
    env_flag,
    env_scheme,
    is_dev_settings,
    is_production_settings,
)
from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.checks.env_lookups import env_wrappers
from reviewer.checks.errors._common import BROAD, caught_names
from reviewer.checks.errors._javascript import exposed_errors
from reviewer.imports import dotted_name
from reviewer.model import Confidence, Finding, Severity
from reviewer.node.express import is_test_file as is_node_test_file
from reviewer.node.syntax import Parsed
from reviewer.node.syntax import text as node_text
from reviewer.walk import children as syntax_children

if TYPE_CHECKING:
    from reviewer.config import Config
    from reviewer.context import FileContext

_TRACEBACK = frozenset(
    {
        "traceback.format_exc",
        "traceback.format_exception",
        "traceback.format_tb",
        "traceback.format_stack",
        "traceback.extract_tb",
        "sys.exc_info",
    }
)
# Callables whose arguments end up in the HTTP response.
_SINK_NAMES = frozenset(
    {
        "jsonify",
        "make_response",
        "abort",
        "JsonResponse",
        "HttpResponse",
        "HttpResponseServerError",
        "HttpResponseBadRequest",
        "JSONResponse",
        "PlainTextResponse",
        "HTMLResponse",
        "ORJSONResponse",
        "UJSONResponse",
        "Response",
        "json_response",
        "HTTPException",
        "APIException",
        "ValidationError",
    }
)
_WEB_ROOTS = frozenset(
    {"flask", "fastapi", "starlette", "django", "rest_framework", "aiohttp", "quart", "sanic"}
)
# Exception types whose message is meant for the client.
_CLIENT_ERROR = re.compile(
    r"Validation|Invalid|NotFound|DoesNotExist|Http404|PermissionDenied|HTTPException|"
    r"BadRequest|Unauthorized|Forbidden|APIException|Schema|Marshmallow|ValueError|"
    r"JSONDecodeError|Conflict|NotAuthenticated|Throttled|UserError|DomainError",
)
# Exceptions whose messages describe internals: broad catches, the standard library's runtime and
# I/O errors, database drivers and ORMs, HTTP clients, cloud SDKs. An application's own exception
# classes (`AccountError`, `services.StockError`) carry messages written for clients.
_INTERNAL_MODULES = (
    "sqlalchemy.",
    "psycopg2.",
    "psycopg.",
    "pymysql.",
    "MySQLdb.",
    "sqlite3.",
    "asyncpg.",
    "aiosqlite.",
    "django.db.",
    "pymongo.",
    "redis.",
    "requests.",
    "httpx.",
    "urllib3.",
    "urllib.error.",
    "aiohttp.client_exceptions.",
    "botocore.",
    "boto3.",
    "subprocess.",
    "socket.",
    "ssl.",
    "jinja2.",
)
_INTERNAL_BUILTINS = frozenset(
    {"OSError", "IOError", "EnvironmentError", "ConnectionError", "TimeoutError"}
    | {"FileNotFoundError", "PermissionError", "AttributeError", "TypeError"}
    | {"RuntimeError", "ZeroDivisionError", "NameError"}
    | {"AssertionError", "NotImplementedError", "RecursionError", "MemoryError"}
)
_HANDLER_DECORATORS = frozenset({"exception_handler", "errorhandler", "app_errorhandler"})
_EXPOSING_ATTRS = frozenset({"args", "message", "msg", "strerror", "orig", "__traceback__"})


def _walk_with_parent(node: cst.CSTNode) -> Iterator[tuple[cst.CSTNode, cst.CSTNode]]:
    stack: list[tuple[cst.CSTNode, cst.CSTNode]] = [(c, node) for c in syntax_children(node)]
    while stack:
        current, parent = stack.pop()
        yield current, parent
        if not isinstance(current, cst.Lambda | cst.FunctionDef):
            stack.extend((c, current) for c in syntax_children(current))


def _is_true(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "True"


class InternalErrorExposed(Rule):
    """Exception messages, tracebacks or debug mode sent to the client.

    ## What it does
    Reports `str(e)`, `repr(e)`, `f"{e}"`, `e.args` or the exception object itself, and
    `traceback.format_exc()`, placed in a response: the arguments of `jsonify`, `JsonResponse`,
    `JSONResponse`, `Response`, `HTTPException(detail=...)`, `abort(...)`, aiohttp
    `json_response`, or the value a web module's function returns from inside the `except`.
    Exceptions whose message is meant for clients (validation errors, `Http404`, `ValueError`,
    `HTTPException`) are not reported. It also reports debug mode switched on for production:
    `app.run(debug=True)`, `app.debug = True`, `app.config["DEBUG"] = True`,
    `FastAPI(debug=True)`, `Starlette(debug=True)`, aiohttp `Application(debug=True)`, and
    `DEBUG = True` in Django settings that are not named for development (`dev`, `local`,
    `test`), and a `DEBUG` read from the environment that falls back to on
    (`os.getenv("DEBUG", "True") == "True"`, `env.bool("DEBUG", default=True)`, a django-environ
    scheme `environ.Env(DEBUG=(bool, True))`, or the module's own wrapper around `os.getenv`
    called with `"True"`) outside development modules.

    ## Why is this bad
    Exception messages carry SQL statements, file paths, host names, library versions and
    sometimes data of other users; tracebacks add source code. Attackers use them to map the
    system. Debug mode is worse: Flask's Werkzeug debugger executes code sent from the browser,
    Django's technical 500 page shows settings, and FastAPI/Starlette return tracebacks even when
    a custom 500 handler is installed.

    ## Example
    ```python
    try:
        order = repo.create(data)
    except Exception as e:
        return jsonify({"error": str(e)}), 500
    ```

    ## Use instead
    ```python
    try:
        order = repo.create(data)
    except Exception:
        logger.exception("order creation failed")
        return jsonify({"error": "internal error"}), 500
    ```
    Read debug mode from the environment, off by default (`DEBUG = env.bool("DEBUG", False)`).

    ## References
    - https://cwe.mitre.org/data/definitions/209.html
    - https://owasp.org/www-community/Improper_Error_Handling
    - https://flask.palletsprojects.com/en/stable/debugging/
    - https://docs.djangoproject.com/en/5.2/ref/settings/#debug
    """

    code = "BR702"
    name = "internal-error-exposed"
    item = "error-handling"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    summary = "exception details or debug mode exposed to the client"
    cwe = (209,)
    external_ids = ("bandit:B201", "ruff:S201")

    VALID = [
        Valid(
            """
import logging
from flask import Flask, jsonify
from pydantic import ValidationError
app = Flask(__name__)
logger = logging.getLogger(__name__)

@app.post("/orders")
def create():
    try:
        order = Order.model_validate(request.json)
    except ValidationError as e:
        return jsonify({"errors": e.errors()}), 422          # ok: BR702
    try:
        save(order)
    except KeyError as e:
        return jsonify({"error": "missing", "code": e.code})  # ok: BR702
    except Exception as e:
        logger.error("save failed: %s", e)                    # ok: BR702 (logged, not returned)
        return jsonify({"error": "internal error"}), 500
    return jsonify(order)

if __name__ == "__main__":
    app.run(debug=os.environ.get("FLASK_DEBUG") == "1")       # ok: BR702
"""
        ),
        Valid(
            """
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from .accounts import AccountError
app = FastAPI()

@app.exception_handler(TaskNotFound)
async def not_found(request, exc: TaskNotFound):
    return JSONResponse(status_code=404, content={"detail": f"task {exc.task_id}"})  # ok: BR702

@app.exception_handler(AccountError)
async def account_error(request, exc):
    return JSONResponse(status_code=409, content={"error": str(exc)})  # ok: BR702 (own error)

@app.post("/register")
async def register(data: dict):
    try:
        return accounts.register(data)
    except AccountError as err:
        return {"error": str(err)}, 409                      # ok: BR702 (written for clients)
"""
        ),
        Valid(
            """
DEBUG = True
ALLOWED_HOSTS = ["*"]
""",
            path="project/settings/dev.py",
        ),
        Valid(
            """
DEBUG = True                      # overridden by settings/production.py
INSTALLED_APPS = ["django.contrib.auth"]
""",
            path="project/settings/base.py",
        ),
        Valid(
            """
import os
import environ

env = environ.Env()
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"                  # ok: BR702
DEBUG = os.getenv("DEBUG", "False") == "True"                     # ok: BR702 (off by default)
DEBUG = env.bool("DEBUG", default=False)                          # ok: BR702
DEBUG = os.getenv("DEBUG", "1") == "0"                            # ok: BR702 (on only if set)
INSTALLED_APPS = []
""",
            path="project/settings.py",
        ),
        Valid(
            """
import environ

env = environ.Env(DEBUG=(bool, False))
DEBUG = env("DEBUG")                                              # ok: BR702 (scheme: off)
DEBUG = env.bool("DEBUG")                                         # ok: BR702
""",
            path="project/settings.py",
        ),
        Valid(
            """
import os
DEBUG = os.getenv("DEBUG", "True") == "True"                      # ok: BR702 (dev settings)
""",
            path="project/settings/local.py",
        ),
        Valid(
            """
def parse(text):
    try:
        return decode(text)
    except Exception as e:                # not a web module: a library helper
        return {"error": str(e)}
""",
            path="lib/codec.py",
        ),
    ]
    INVALID = [
        Invalid(
            """
import os
import environ

env = environ.Env()


def envbool(name, default):
    value = os.getenv(name, default=default)
    return value == "True"


DEBUG = os.getenv("DEBUG", "True") == "True"                      # expect: BR702
DEBUG = os.environ.get("APP_DEBUG", "yes").lower() in ("1", "yes") # expect: BR702
DEBUG = env.bool("DEBUG", default=True)                           # expect: BR702
DEBUG = envbool("DEBUG", "True")                                  # expect: BR702
""",
            path="project/settings.py",
        ),
        Invalid(
            """
import environ

env = environ.Env(DEBUG=(bool, True), ALLOWED_HOSTS=(list, []))
DEBUG = env("DEBUG")                                              # expect: BR702
""",
            path="project/settings.py",
        ),
        Invalid(
            """
import traceback
from flask import Flask, jsonify
app = Flask(__name__)
app.config["DEBUG"] = True                                   # expect: BR702

@app.post("/orders")
def create():
    try:
        save(request.json)
    except Exception as e:
        return jsonify({"error": str(e)}), 500               # expect: BR702
    try:
        save(request.json)
    except Exception:
        return {"trace": traceback.format_exc()}, 500       # expect: BR702

app.run(host="0.0.0.0", debug=True)                          # expect: BR702
"""
        ),
        Invalid(
            """
from fastapi import FastAPI, HTTPException
from sqlalchemy.exc import SQLAlchemyError
app = FastAPI(debug=True)                                    # expect: BR702

@app.get("/items/{item_id}")
async def read(item_id: int):
    try:
        return await repo.get(item_id)
    except SQLAlchemyError as exc:
        raise HTTPException(status_code=500, detail=f"database error: {exc}")  # expect: BR702
"""
        ),
        Invalid(
            """
from django.http import JsonResponse

def report(request):
    try:
        data = build_report()
    except Exception as err:
        return JsonResponse({"error": repr(err), "args": err.args}, status=500)  # expect: BR702
    return JsonResponse(data)
""",
            path="reports/views.py",
        ),
        Invalid(
            """
import psycopg2
from fastapi import FastAPI
from fastapi.responses import JSONResponse
app = FastAPI()

@app.exception_handler(Exception)
async def unhandled(request, exc: Exception):
    return JSONResponse(status_code=500, content={"detail": repr(exc)})  # expect: BR702

@app.get("/report")
def report():
    try:
        return run_report()
    except psycopg2.Error as e:
        return {"error": f"query failed: {e}"}, 500          # expect: BR702
    except OSError as e:
        return {"error": e.strerror}, 500                    # expect: BR702
"""
        ),
        Invalid(
            """
SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = True                                                 # expect: BR702
ALLOWED_HOSTS = ["api.example.com"]
""",
            path="mysite/settings.py",
        ),
        Invalid(
            """
from .base import *
DEBUG = True                                                 # expect: BR702
""",
            path="mysite/settings/production.py",
        ),
    ]

    @classmethod
    def node_findings(cls, file: Parsed, config: Config) -> list[Finding]:
        """The JavaScript/TypeScript side: a caught error sent in a response (Express, Fastify,
        Koa; see checks/errors/_javascript.py)."""
        if is_node_test_file(file.relpath):
            return []
        return [
            cls.node_finding(
                file,
                node,
                f"{what} is sent to the client: it can reveal SQL, file paths, hosts and "
                "library versions. Log the error and answer with a generic message (and an "
                "error id to find the log line).",
                snippet=node_text(node)[:200],
            )
            for node, what in exposed_errors(file.root)
        ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._reported: set[int] = set()
        roots = {n.split(".")[0] for n in self.ctx.imports.names.values()}
        self._web = bool(roots & _WEB_ROOTS)
        self._flask = "flask" in roots
        self._env_wrappers = env_wrappers(ctx.module, ctx.resolve)
        self._scheme: EnvScheme | None = None  # django-environ's, read on the first DEBUG

    # --- exposure in responses ------------------------------------------------------------

    def _internal(self, names: list[str] | None) -> bool:
        """Whether the caught exception types carry internal details in their messages."""
        if names is None:
            return True
        if any(_CLIENT_ERROR.search(n) for n in names):
            return False
        return any(
            n in BROAD
            or n in _INTERNAL_BUILTINS
            or n.startswith(_INTERNAL_MODULES)
            or n.split(".")[0] in {m.rstrip(".") for m in _INTERNAL_MODULES}
            for n in names
        )

    def _handler_binding(self) -> tuple[str | None, bool]:
        """(the exception's name in the nearest `except ... as name` or error-handler function,
        whether the exception is one whose message describes internals)."""
        for node in reversed(self.ctx.stack):
            if isinstance(node, cst.Lambda):
                break
            if isinstance(node, cst.FunctionDef):
                return self._error_handler_param(node)
            if isinstance(node, cst.ExceptHandler | cst.ExceptStarHandler):
                names = caught_names(node, self.ctx.resolve)
                bound = node.name.name if node.name is not None else None
                name = bound.value if isinstance(bound, cst.Name) else None
                return name, self._internal(names)
        return None, False

    def _error_handler_param(self, func: cst.FunctionDef) -> tuple[str | None, bool]:
        """`@app.exception_handler(Exception) def h(request, exc)`: the `exc` parameter."""
        params = [*func.params.posonly_params, *func.params.params]
        if not params:
            return None, False
        for decorator in func.decorators:
            dec = decorator.decorator
            if not isinstance(dec, cst.Call):
                continue
            name = (self.ctx.resolve(dec.func) or "").rsplit(".", 1)[-1]
            if name not in _HANDLER_DECORATORS or not dec.args:
                continue
            target = dec.args[0].value
            if isinstance(target, cst.Integer):
                internal = target.value.startswith("5")
            else:
                internal = self._internal([self.ctx.resolve(target) or ""])
            return params[-1].name.value, internal
        return None, False

    def _exposures(self, root: cst.CSTNode, bound: str | None) -> Iterator[cst.CSTNode]:
        for node, parent in _walk_with_parent(root):
            if isinstance(node, cst.Call) and self.ctx.call_name(node) in _TRACEBACK:
                yield node
            elif bound is not None and isinstance(node, cst.Name) and node.value == bound:
                if isinstance(parent, cst.Attribute) and parent.value is node:
                    if parent.attr.value in _EXPOSING_ATTRS:
                        yield parent
                    continue
                yield node

    def _report_exposures(self, root: cst.CSTNode, confidence: Confidence) -> None:
        bound, internal = self._handler_binding()
        for node in self._exposures(root, bound if internal else None):
            if id(node) in self._reported:
                continue
            self._reported.add(id(node))
            what = (
                "a formatted traceback" if isinstance(node, cst.Call) else "the exception's message"
            )
            self.report(
                node,
                f"{what} is sent to the client: it can reveal SQL, file paths, hosts and library "
                "versions. Log it with `logger.exception(...)` and return a generic message "
                "(with an error id if support needs one).",
                confidence=confidence,
            )

    def visit_Call(self, node: cst.Call) -> None:
        name = self.ctx.call_name(node) or ""
        last = name.rsplit(".", 1)[-1]
        if last in _SINK_NAMES or (name.startswith("aiohttp.web.HTTP") and self._web):
            self._report_exposures(node, Confidence.HIGH)
            return
        self._check_debug_call(node, name, last)

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None and self._web and not self.ctx.is_test_file:
            self._report_exposures(node.value, Confidence.MEDIUM)

    # --- debug switches -------------------------------------------------------------------

    def _in_main_block(self) -> bool:
        for node in self.ctx.stack:
            if isinstance(node, cst.If) and "__main__" in cst.Module([]).code_for_node(node.test):
                return True
        return False

    def _debug_message(self, where: str) -> str:
        return (
            f"{where} turns debug mode on: tracebacks (and with Flask's debugger, a remote "
            "console) reach anyone who triggers an error. Read it from the environment, off by "
            "default."
        )

    def _check_debug_call(self, node: cst.Call, name: str, last: str) -> None:
        debug_true = any(
            a.keyword is not None and a.keyword.value in {"debug", "DEBUG"} and _is_true(a.value)
            for a in node.args
        )
        if not debug_true or self.ctx.is_test_file:
            return
        if name in {
            "fastapi.FastAPI",
            "starlette.applications.Starlette",
            "aiohttp.web.Application",
        }:
            self.report(node, self._debug_message(f"`{last}(debug=True)`"), severity=Severity.HIGH)
            return
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        receiver = dotted_name(func.value) or ""
        if func.attr.value == "run" and (self._flask or "app" in receiver.lower()):
            severity = Severity.MEDIUM if self._in_main_block() else Severity.HIGH
            self.report(node, self._debug_message("`run(debug=True)`"), severity=severity)
        elif func.attr.value in {"update", "from_mapping"} and receiver.endswith("config"):
            self.report(node, self._debug_message("`config DEBUG=True`"), severity=Severity.HIGH)

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.ctx.is_test_file:
            return
        if not _is_true(node.value):
            self._check_debug_fallback(node)
            return
        for target in node.targets:
            expr = target.target
            if isinstance(expr, cst.Attribute) and expr.attr.value == "debug" and self._flask:
                self.report(node, self._debug_message("`app.debug = True`"), severity=Severity.HIGH)
            elif (
                isinstance(expr, cst.Subscript)
                and (dotted_name(expr.value) or "").endswith("config")
                and "'DEBUG'" in cst.Module([]).code_for_node(expr).replace('"', "'")
            ):
                self.report(
                    node, self._debug_message('`config["DEBUG"] = True`'), severity=Severity.HIGH
                )
            elif (
                isinstance(expr, cst.Name)
                and expr.value == "DEBUG"
                and self.ctx.enclosing_function() is None
                and is_production_settings(self.ctx.relpath)
            ):
                self.report(
                    node,
                    "`DEBUG = True` in settings that are not named for development: Django then "
                    "serves its technical 500 page (traceback, settings) to every visitor. Read "
                    "it from the environment, off by default, or keep it in a dev settings module.",
                    severity=Severity.HIGH,
                )

    def _check_debug_fallback(self, node: cst.Assign) -> None:
        """`DEBUG = os.getenv("DEBUG", "True") == "True"`, `DEBUG = env.bool("DEBUG", True)`,
        `DEBUG = envbool("DEBUG", "True")` (the module's own wrapper): debug mode is on wherever
        the variable is not set, production included."""
        if not any(
            isinstance(t.target, cst.Name) and t.target.value == "DEBUG" for t in node.targets
        ):
            return
        if self.ctx.enclosing_function() is not None or is_dev_settings(self.ctx.relpath):
            return
        if self._scheme is None:
            self._scheme = env_scheme(self.ctx.module, self.ctx.resolve)
        flag = env_flag(node.value, self.ctx.call_name, self._env_wrappers, self._scheme)
        if flag is None or "DEBUG" not in flag[0].variable.upper():
            return
        lookup, on = flag
        if on:
            self.report(
                node,
                f"`DEBUG` falls back to on when `{lookup.variable}` is not set: a deployment "
                "that forgets the variable serves tracebacks (and settings) to every visitor. "
                "Make the fallback off.",
                severity=Severity.MEDIUM,
            )
