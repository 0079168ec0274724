"""BR405 process-local-state: a route handler writes to a module-level dict, list or set."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import libcst as cst

from reviewer.checks.architecture._handlers import route_label
from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.framework.lookup import handler_routes
from reviewer.model import Confidence, Severity

if TYPE_CHECKING:
    from reviewer.context import FileContext

Resolve = Callable[[cst.BaseExpression], str | None]

# Constructors of in-memory containers (and the literal forms `{}`, `[]`, `{1}`).
_CONTAINERS = frozenset(
    {
        "dict",
        "list",
        "set",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.Counter",
        "collections.deque",
        "cachetools.TTLCache",
        "cachetools.LRUCache",
        "cachetools.LFUCache",
        "cachetools.Cache",
        "weakref.WeakValueDictionary",
    }
)
# Methods that change a container in place.
_MUTATORS = frozenset(
    {
        "append",
        "add",
        "update",
        "setdefault",
        "pop",
        "popitem",
        "clear",
        "extend",
        "insert",
        "remove",
        "discard",
        "appendleft",
        "popleft",
    }
)


class ProcessLocalState(Rule):
    """A route handler keeps state in a module-level dict, list or set of its own process.

    ## What it does
    Finds module-level names bound to an in-memory container (`{}`, `[]`, `set()`, `dict()`,
    `defaultdict(...)`, `OrderedDict()`, `Counter()`, `deque()`, cachetools caches) and reports
    each route handler (from the route inventory) that changes one: `CACHE[key] = value`,
    `del SESSIONS[token]`, `COUNTS[ip] += 1`, `ROOMS.setdefault(...)`, `.append/.add/.update/
    .pop/.clear(...)`. Passes: containers filled at import time or by setup code that is no
    route handler (registries, lookup tables), containers a handler only reads, a handler's
    own local dict, `threading.local()`/`contextvars`, and the framework's request-scoped or
    shared stores (`session[...]`, `g.x`, `request.state`, `app.config`, a cache client).

    ## Why is this bad
    Every worker process and every instance of the service has its own copy of module-level
    data. Behind a load balancer, or with gunicorn/uvicorn running more than one worker, a
    cache entry, a login session, a rate-limit counter or a chat "room" written by one request
    is missing for the next request served elsewhere, and it is lost on every restart and
    deploy. The service works on a laptop and breaks at the second instance; memory also grows
    without bound.

    ## Example
    ```python
    SESSIONS = {}

    @app.post("/login")
    def login():
        token = secrets.token_urlsafe()
        SESSIONS[token] = current_user_id()
        return {"token": token}
    ```

    ## Use instead
    ```python
    @app.post("/login")
    def login():
        token = secrets.token_urlsafe()
        redis.setex(f"session:{token}", 3600, current_user_id())
        return {"token": token}
    ```
    Keep shared state in the database, Redis or memcached (`flask-caching`/Django's cache
    framework with a shared backend, `flask-session`, a Redis rate-limit storage).

    ## References
    - https://12factor.net/processes
    - https://docs.gunicorn.org/en/stable/design.html#how-many-workers
    - https://docs.djangoproject.com/en/stable/topics/cache/#local-memory-caching
    - https://flask.palletsprojects.com/en/stable/deploying/
    """

    code = "BR405"
    name = "process-local-state"
    item = "architecture"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    summary = "A route handler keeps state in a module-level container of its own process"
    needs_project = True

    INVALID = [
        Invalid(
            """
import collections
from flask import Flask, request

app = Flask(__name__)
SESSIONS = {}
HITS = collections.Counter()
ROOMS: dict[str, list[str]] = {}

@app.post("/login")
def login():
    SESSIONS[request.json["token"]] = request.json["user"]  # expect: BR405
    return {"ok": True}

@app.get("/")
def index():
    HITS[request.remote_addr] += 1  # expect: BR405
    return "hello"

@app.post("/rooms/<name>")
def join(name):
    ROOMS.setdefault(name, []).append(request.json["user"])  # expect: BR405
    return {"ok": True}

@app.delete("/sessions/<token>")
def logout(token):
    del SESSIONS[token]  # expect: BR405
    return {"ok": True}
"""
        ),
    ]
    VALID = [
        Valid(
            """
import threading
from flask import Flask, g, request, session

app = Flask(__name__)
HANDLERS = {}
CHOICES = ["a", "b"]
local = threading.local()

def register(name):
    def wrap(fn):
        HANDLERS[name] = fn  # ok: BR405 (filled at import time by a decorator)
        return fn
    return wrap

for i in range(3):
    CHOICES.append(str(i))  # ok: BR405 (module set-up code)

@app.get("/choices")
def choices():
    return {"choices": CHOICES, "known": sorted(HANDLERS)}  # ok: BR405 (only read)

@app.post("/cart")
def cart():
    items = {}
    items[request.json["sku"]] = 1  # ok: BR405 (the handler's own dict)
    session["cart"] = items  # ok: BR405 (the framework's session store)
    g.items = items
    local.items = items
    return {"ok": True}

def helper():
    HANDLERS.clear()  # ok: BR405 (not a route handler)
"""
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._containers = _module_containers(ctx.module, ctx.resolve)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self._containers:
            return
        qualname = self.ctx.scope_name()
        routes = handler_routes(self.ctx, qualname)
        if routes:
            self._report_writes(node, route_label(routes, qualname))

    def _report_writes(self, fn: cst.FunctionDef, label: str) -> None:
        local = _assigned_names(fn)
        for node, name in _writes(fn):
            if name in self._containers and name not in local:
                self.report(
                    node,
                    f"{label} writes to `{name}`, a module-level container: each worker "
                    "process and each instance has its own copy, so what one request stores "
                    "is missing for the next one served elsewhere and lost on restart. Keep "
                    "it in a shared store (database, Redis, the framework's cache or session "
                    "backend).",
                )


def _module_containers(module: cst.Module, resolve: Resolve) -> frozenset[str]:
    """Module-level names bound to an in-memory container."""
    found: set[str] = set()
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            targets: list[cst.BaseExpression] = []
            value: cst.BaseExpression | None = None
            if isinstance(small, cst.Assign):
                targets, value = [t.target for t in small.targets], small.value
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                targets, value = [small.target], small.value
            if value is None or not _is_container(value, resolve):
                continue
            found.update(t.value for t in targets if isinstance(t, cst.Name))
    return frozenset(found)


def _is_container(value: cst.BaseExpression, resolve: Resolve) -> bool:
    if isinstance(value, cst.Dict | cst.List | cst.Set):
        return True
    return isinstance(value, cst.Call) and (resolve(value.func) or "") in _CONTAINERS


def _assigned_names(fn: cst.FunctionDef) -> frozenset[str]:
    """Names the function binds itself (parameters, assignments): they shadow module names,
    unless declared `global`."""
    names: set[str] = {p.name.value for p in fn.params.params}
    names |= {p.name.value for p in fn.params.kwonly_params}
    declared: set[str] = set()

    class _Bindings(cst.CSTVisitor):
        def visit_Global(self, node: cst.Global) -> None:
            declared.update(n.name.value for n in node.names)

        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            if isinstance(node.target, cst.Name):
                names.add(node.target.value)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is fn  # nested functions bind their own names

    fn.visit(_Bindings())
    return frozenset(names - declared)


def _writes(fn: cst.FunctionDef) -> list[tuple[cst.CSTNode, str]]:
    """(node, container name) for each in-place change of a name in `fn`: `X[k] = v`,
    `X[k] += 1`, `del X[k]`, `X.append(...)`, `X.setdefault(...).append(...)`."""
    out: list[tuple[cst.CSTNode, str]] = []

    def root_of_subscript(expr: cst.BaseExpression) -> str | None:
        while isinstance(expr, cst.Subscript):
            expr = expr.value
        return expr.value if isinstance(expr, cst.Name) else None

    def root_of_call_chain(expr: cst.BaseExpression) -> str | None:
        # X.setdefault(k, []).append(v): the chain starts at a mutator call on X
        while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
            if isinstance(expr.func.value, cst.Name) and expr.func.attr.value in _MUTATORS:
                return expr.func.value.value
            expr = expr.func.value
        return None

    class _Writes(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is fn

        def visit_Assign(self, node: cst.Assign) -> None:
            for target in node.targets:
                if isinstance(target.target, cst.Subscript):
                    name = root_of_subscript(target.target)
                    if name:
                        out.append((node, name))

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            if isinstance(node.target, cst.Subscript):
                name = root_of_subscript(node.target)
                if name:
                    out.append((node, name))

        def visit_Del(self, node: cst.Del) -> None:
            if isinstance(node.target, cst.Subscript):
                name = root_of_subscript(node.target)
                if name:
                    out.append((node, name))

        def visit_Call(self, node: cst.Call) -> bool:
            if isinstance(node.func, cst.Attribute) and node.func.attr.value in _MUTATORS:
                name = root_of_call_chain(node)
                if name:
                    out.append((node, name))
                    return False  # one finding per chain
            return True

    fn.visit(_Writes())
    return out
