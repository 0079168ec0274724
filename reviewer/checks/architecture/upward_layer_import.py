"""BR403: a model, repository or service module that imports the web layer."""

from __future__ import annotations

from reviewer.checks.architecture._web import web_layer_files
from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.config import Config
from reviewer.model import Confidence, Finding, Location, Severity
from reviewer.service import ModuleImport, ModuleRole, Project

# The request objects of the web frameworks (and Flask's per-request `g`), by the names their
# documentation imports them under.
REQUEST_OBJECTS = frozenset(
    {
        "flask.request",
        "flask.g",
        "quart.request",
        "quart.g",
        "django.http.HttpRequest",
        "django.http.request.HttpRequest",
        "django.core.handlers.wsgi.WSGIRequest",
        "django.core.handlers.asgi.ASGIRequest",
        "rest_framework.request.Request",
        "fastapi.Request",
        "fastapi.requests.Request",
        "starlette.requests.Request",
        "aiohttp.web.Request",
        "aiohttp.web_request.Request",
        "litestar.Request",
        "litestar.connection.Request",
    }
)
LOWER = ("model", "repository", "service")

_SERVICES = {
    "app/models.py": (
        "from app.db import db\n\nclass Order(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
    ),
    "app/db.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
}
_VIEWS = (
    "from flask import Blueprint, jsonify\nfrom app import orders\n"
    "bp = Blueprint('orders', __name__)\n\n"
    "@bp.get('/orders/<int:oid>')\ndef show(oid):\n    return jsonify(orders.show(oid))\n\n"
    "def helper():\n    return 1\n"
)


class UpwardLayerImport(Rule):
    """A model, repository or service module that imports request objects or a controller.

    ## What it does
    Reads the layer model (`backend-review layers`: each module's role from what it contains)
    and reports, in a module whose role is model, repository or service, an import that runs
    against the direction controller -> service -> repository/model:

    - a web framework's request object: `flask.request`, `flask.g`, Quart's, Django's
      `HttpRequest`, DRF's `Request`, FastAPI/Starlette `Request`, aiohttp's and Litestar's;
    - a controller module, or a function or class defined in one (a route handler module).

    Imports inside functions count (they run); imports under `if TYPE_CHECKING:` do not, and
    neither do other names of the web framework (`HTTPException`, `status`). Modules that are
    part of the web layer may read the request: one that provides a guard or a dependency to
    routes (`Depends(get_current_user)`) or decorates handlers (a response cache keyed by
    `request.path`), one that authenticates (reads the `Authorization`
    header, decodes a token, answers 401 or redirects to the login), and one that wires the web
    app (registers middleware, hooks, blueprints or routers: `@app.middleware`,
    `@app.before_request`, `include_router`). Of a controller module only the module itself,
    its route handlers and its view classes count: a model mixin or a `db` object that happens
    to live beside views is not reported. `import flask` followed by `flask.request` is not
    seen.

    ## Why is this bad
    A service or model that reads the request can only run inside a request: it cannot be
    called from a task queue, a CLI command or a test without faking HTTP, and its inputs are
    hidden (whatever the request holds) instead of being parameters. Importing a controller
    from below ties the layers into a cycle, so a change to a route can break the domain code.

    ## Example
    ```python
    # services/orders.py
    from flask import request

    def place_order():
        data = request.get_json()
        ...
    ```

    ## Use instead
    ```python
    # services/orders.py
    def place_order(data: OrderIn) -> Order:
        ...

    # routes/orders.py
    @bp.post("/orders")
    def create():
        return place_order(OrderIn.model_validate(request.get_json()))
    ```

    ## References
    - https://flask.palletsprojects.com/en/stable/reqcontext/
    - https://docs.djangoproject.com/en/5.2/ref/request-response/#httprequest-objects
    - https://fastapi.tiangolo.com/advanced/using-request-directly/
    - https://docs.python.org/3/library/typing.html#typing.TYPE_CHECKING
    - https://martinfowler.com/bliki/PresentationDomainDataLayering.html
    """

    code = "BR403"
    name = "upward-layer-import"
    item = "architecture"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    summary = "model, repository or service module imports request objects or a controller"
    needs_project = True

    VALID = [
        # a controller importing a service, a service raising HTTPException only, and a
        # controller named only for type checking
        Valid(
            "from typing import TYPE_CHECKING\n"
            "from fastapi import HTTPException  # ok: BR403\n"
            "from app.db import db\nfrom app.models import Order\n"
            "if TYPE_CHECKING:\n    from app.views import show  # ok: BR403\n\n"
            "def show(oid):\n    order = db.session.get(Order, oid)\n"
            "    if order is None:\n        raise HTTPException(404)\n    return order.id\n",
            path="app/orders.py",
            files={**_SERVICES, "app/views.py": _VIEWS},
        ),
        # an auth helper the routes depend on reads the request: web layer, not a service
        Valid(
            "from fastapi import Depends, FastAPI\nfrom app.security import current_user\n"
            "app = FastAPI()\n\n@app.get('/me')\ndef me(user=Depends(current_user)):\n"
            "    return {'id': user.id}\n",
            path="app/main.py",
            files={
                **_SERVICES,
                "app/security.py": "from fastapi import Request  # ok: BR403\n"
                "from app.db import db\nfrom app.models import Order\n\n"
                "def current_user(request: Request):\n"
                "    return db.session.get(Order, request.headers['x-id'])\n",
            },
        ),
        # `db` taken from a package that also defines routes: not a handler or view
        Valid(
            "from app import db  # ok: BR403\n\nclass Order(db.Model):\n"
            "    id = db.Column(db.Integer, primary_key=True)\n",
            path="app/models.py",
            files={
                "app/__init__.py": "from flask import Flask\nfrom flask_sqlalchemy import "
                "SQLAlchemy\napp = Flask(__name__)\ndb = SQLAlchemy(app)\n\n"
                "@app.get('/health')\ndef health():\n    return 'ok'\n"
            },
        ),
        # web-layer modules below the handlers: the app module's middleware opening a session
        # per request, an authentication provider reading the Authorization header
        Valid(
            "from fastapi import FastAPI\nfrom starlette.requests import Request  # ok: BR403\n"
            "from app.db import db\nfrom app.models import Order\nfrom app.views import router\n"
            "app = FastAPI()\napp.include_router(router)\n\n@app.middleware('http')\n"
            "async def db_session(request: Request, call_next):\n"
            "    request.state.order = db.session.get(Order, 1)\n"
            "    return await call_next(request)\n",
            path="app/main.py",
            files={
                **_SERVICES,
                "app/views.py": "from fastapi import APIRouter\nfrom app import auth\n"
                "router = APIRouter()\n\n"
                "@router.get('/orders')\ndef orders():\n    return auth.whoami()\n",
                "app/auth.py": "from fastapi import HTTPException\n"
                "from flask import request  # ok: BR403\n"
                "from app.db import db\nfrom app.models import Order\n\n"
                "def whoami():\n    token = request.headers.get('Authorization')\n"
                "    if not token:\n        raise HTTPException(status_code=401)\n"
                "    return db.session.get(Order, token)\n",
            },
        ),
        # a cache module whose decorator wraps handlers keys responses by the request path
        Valid(
            "from flask import Blueprint\nfrom app.cache import cached\n"
            "bp = Blueprint('b', __name__)\n\n@bp.get('/board')\n@cached\n"
            "def board():\n    return 'ok'\n",
            path="app/views.py",
            files={
                **_SERVICES,
                "app/cache.py": "from flask import request  # ok: BR403\n"
                "from app.db import db\nfrom app.models import Order\n\n"
                "def cached(view):\n    def wrapper():\n"
                "        db.session.get(Order, request.path)\n        return view()\n"
                "    return wrapper\n",
            },
        ),
        # a model mixin defined beside view mixins in a module that serves routes
        Valid(
            "from django.db import models\n"
            "from app.mixins import WatchedModelMixin  # ok: BR403\n\n"
            "class Post(WatchedModelMixin, models.Model):\n"
            "    title = models.CharField(max_length=10)\n",
            path="app/models.py",
            files={
                "app/mixins.py": "from flask import Flask\napp = Flask(__name__)\n\n"
                "class WatchedModelMixin:\n    watchers = 0\n\n"
                "@app.get('/watch')\ndef watch():\n    return 'ok'\n"
            },
        ),
        # a helper module no handler calls and that touches no data: `other`
        Valid(
            "from flask import request  # ok: BR403\n\ndef client_ip():\n"
            "    return request.remote_addr\n",
            path="app/util.py",
            files={**_SERVICES, "app/views.py": _VIEWS.replace("from app import orders", "")},
        ),
    ]
    VALID.append(
        # Django middleware and a DRF authentication class: the request cycle calls them with
        # the request, loading the user is their job (paperless-ngx's paperless/auth.py)
        Valid(
            "from django.contrib.auth.models import User\n"
            "from django.http import HttpRequest  # ok: BR403\n"
            "from django.utils.deprecation import MiddlewareMixin\n"
            "from rest_framework import authentication\n\n"
            "class AutoLogin(MiddlewareMixin):\n"
            "    def process_request(self, request: HttpRequest) -> None:\n"
            "        request.user = User.objects.get(username='admin')\n\n"
            "class HeaderAuth(authentication.BaseAuthentication):\n"
            "    def authenticate(self, request):\n"
            "        return (User.objects.get(username=request.headers['X-User']), None)\n",
            path="app/auth.py",
        )
    )
    INVALID = [
        # a service (called by the handler, reaching a repository) reading the request
        Invalid(
            "from flask import request  # expect: BR403\nfrom app import repo\n\n"
            "def show(oid):\n    return repo.get(oid, request.args.get('fields'))\n",
            path="app/orders.py",
            files={
                **_SERVICES,
                "app/views.py": _VIEWS,
                "app/repo.py": "from app.db import db\nfrom app.models import Order\n\n"
                "def get(oid, fields):\n    return db.session.get(Order, oid)\n",
            },
        ),
        # a model importing the controller module lazily, and Django's HttpRequest in a
        # repository
        Invalid(
            "from app.db import db\n\nclass Order(db.Model):\n"
            "    id = db.Column(db.Integer, primary_key=True)\n\n"
            "    def url(self):\n        from app.views import show  # expect: BR403\n"
            "        return show\n",
            path="app/models.py",
            files={
                "app/db.py": _SERVICES["app/db.py"],
                "app/views.py": _VIEWS.replace("from app import orders", "from app import repo"),
                "app/repo.py": "from django.http import HttpRequest  # expect: BR403\n"
                "from app.db import db\nfrom app.models import Order\n\n"
                "def get(request: HttpRequest, oid):\n    return db.session.get(Order, oid)\n\n"
                # `.limit()` of a query is no flask-limiter registration (no web wiring)
                "def recent():\n    return Order.query.limit(5).all()\n",
            },
        ),
        # a Django model importing Flask's per-request `g`
        Invalid(
            "from django.db import models\nfrom flask import g  # expect: BR403\n\n"
            "class Post(models.Model):\n    title = models.CharField(max_length=10)\n",
            path="blog/models.py",
        ),
    ]

    @classmethod
    def project_findings(cls, project: Project, config: Config) -> list[Finding]:
        layers = project.layers
        roles = {m.module: m for m in layers.modules}
        web = web_layer_files(project)
        found: dict[tuple[str, int], Finding] = {}
        for imp in layers.imports:
            mod = roles.get(imp.module)
            if mod is None or mod.role not in LOWER or imp.type_only:
                continue
            why = _against(imp, project, roles)
            if why is None or (why.startswith("the request") and imp.file in web):
                continue
            found.setdefault(
                (imp.file, imp.line),
                Finding(
                    code=cls.code,
                    message=(
                        f"This {mod.role} module imports {why}: the layers run controller -> "
                        "service -> repository/model, so the code below the handlers must not "
                        "depend on the web layer. Pass the values it needs as parameters and "
                        "keep request handling in the controller."
                    ),
                    location=Location(imp.file, imp.line),
                    severity=cls.severity,
                    confidence=cls.confidence,
                    extra=(("role", mod.role), ("imports", imp.name)),
                ),
            )
        return [found[k] for k in sorted(found)]


def _against(imp: ModuleImport, project: Project, roles: dict[str, ModuleRole]) -> str | None:
    if imp.name in REQUEST_OBJECTS:
        return f"the request object `{imp.name}`"
    target = roles.get(imp.target)
    if target is None or target.role != "controller":
        return None
    if imp.name == imp.target:
        return f"the controller module `{imp.target}`"
    rest = imp.name.removeprefix(imp.target + ".")
    served = {
        name
        for r in project.routes
        if r.file == target.file
        for name in (r.handler, r.handler.partition(".")[0], r.view_class)
        if name
    }
    if rest in served:
        return f"`{rest}` of the controller module `{imp.target}`"
    return None
