"""The service model: one frozen `Route` per endpoint, the guards that cover it, the project.

Language-neutral on purpose: these are plain values (paths, methods, files, lines, names), built
by a frontend's collectors (today the Python one in reviewer/framework/) and read by rules and
reporters. Nothing here may hold a parser's nodes, so a second frontend can build the same objects.
These are the stable data other rules read (architecture, tests, taint): keep field names fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reviewer.http import shown_methods
from reviewer.model import RouteCoverage

if TYPE_CHECKING:  # the Python frontend's taint summaries; a type only, never imported here
    from reviewer.taint.index import TaintIndex

AUTHENTICATION = "authentication"
AUTHORIZATION = "authorization"
RATE_LIMIT = "rate-limit"
# How a route's note ends when a guard is written but never runs (a decorator above the route
# decorator): BR301 is then sure the route is open. Other notes (a computed path, a guard only
# some configurations install) inform and change no confidence.
NEVER_APPLIED = "so it is never applied"


@dataclass(frozen=True, order=True)
class Guard:
    """One protection found for a route: what it is, what it does and where it is attached.

    `kind` is authentication | authorization | rate-limit; `level` is route | class | router |
    app | middleware | settings. `name` is the guard as a reviewer would recognise it
    (`flask_login.login_required`, `Depends(get_current_user)`, `IsAuthenticated`).

    `capability` is set on an authentication guard whose credential is a capability rather than
    a user: a signed token (`signed`), an HMAC checked against a server secret (`hmac`), a shared
    secret compared with a setting (`secret`), an unguessable key in the path that the handler
    looks up and refuses when it finds nothing (`key`). Holding the capability is what the route
    asks, so it is both the caller's authentication and authorization: BR301 stays silent and
    BR302 does not demand an ownership check on top (reviewer/framework/capability.py).
    """

    name: str
    kind: str
    level: str
    file: str = ""
    line: int = 0
    capability: str = ""  # "" | signed | hmac | secret | key


@dataclass(frozen=True)
class Param:
    """A handler parameter: where its value comes from and how it is typed."""

    name: str
    annotation: str = ""  # source text, "" when unannotated
    source: str = ""  # path | query | body | dependency | request | self | other
    dependency: str = ""  # the Depends/Security target, qualified


@dataclass(frozen=True)
class Route:
    """One endpoint: (methods, full path) served by one handler, and what guards it."""

    framework: str  # flask | fastapi | django | drf | aiohttp | litestar | graphql (one operation)
    methods: tuple[str, ...]
    path: str
    handler: str  # qualified name inside its module: `create_order`, `OrderViewSet.create`
    module: str  # dotted module of the handler
    file: str  # relative path of the handler's file
    line: int  # line of the handler's `def` (or of the view class when inherited)
    view_class: str = ""
    action: str = ""  # DRF viewset action (`list`, `create`, ...) or the CBV method name
    url_name: str = ""  # Django URL pattern name (`path(..., name="detail")`), for reverse()
    auth: tuple[Guard, ...] = ()
    authorization: tuple[Guard, ...] = ()
    rate_limits: tuple[Guard, ...] = ()
    validation: tuple[str, ...] = ()  # schemas/validators the input goes through
    raw_input: tuple[str, ...] = ()  # raw request reads (`request.json`, `request.POST`)
    params: tuple[Param, ...] = ()
    returns: str = ""  # return annotation text
    response_model: str = ""  # FastAPI response_model / DRF serializer_class
    is_async: bool = False
    public: bool = (
        False  # marked public in config, or explicitly open (AllowAny, login_not_required)
    )
    csrf_exempt: bool = False
    tests: tuple[str, ...] = ()  # tests that call it (filled by the test-coverage model)
    notes: tuple[str, ...] = ()  # reviewer remarks (a guard placed where it is never applied)

    @property
    def authenticated(self) -> bool:
        return bool(self.auth)

    @property
    def capability(self) -> bool:
        """The route is reached with a capability (a signed token, a checked HMAC, a shared
        secret, an unguessable key it looks up): that credential is its authorization too."""
        return any(g.capability for g in self.auth)

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.handler}" if self.module else self.handler

    def label(self) -> str:
        """`POST /api/orders (create_order)`: how findings name the route."""
        return f"{shown_methods(self.methods)} {self.path} ({self.handler})"


@dataclass(frozen=True)
class Relation:
    """`model.attr` is a relation. kind: one (lazy object) | manager (Django) | rel (SQLAlchemy)."""

    model: str
    attr: str
    kind: str
    target: str = ""
    lazy: str = "select"  # SQLAlchemy loading strategy
    orm: str = "django"


@dataclass(frozen=True)
class BuilderError:
    """A route builder that crashed: its routes are missing from the inventory."""

    builder: str  # which model: `flask/fastapi/aiohttp`, `django`
    file: str  # the reviewed file it was reading, or "" when unknown
    message: str  # `KeyError: 'module'`


ROLES = ("controller", "service", "repository", "model", "schema", "other")


@dataclass(frozen=True)
class ModuleRole:
    """One module of the reviewed service and its layer, with the evidence that decided it.

    `role`: controller (defines route handlers) | model (ORM model classes) | repository (runs
    ORM queries or SQL, no routes) | schema (validation classes: Pydantic, marshmallow, DRF
    serializers) | service (called by handlers, reaches models or repositories) | other.
    """

    module: str
    file: str
    role: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModuleImport:
    """One imported name of a module: `target` is the project module it names ("" outside)."""

    module: str
    file: str
    line: int
    name: str  # the qualified name imported: `flask.request`, `app.services.orders`
    target: str = ""
    type_only: bool = False  # under `if TYPE_CHECKING:` (never runs)


@dataclass(frozen=True)
class Query:
    """A function that talks to the database, once per (function, model); `line` is the
    function's `def` line (the call's own position would cost a code generation per file)."""

    module: str
    file: str
    function: str  # qualname inside the module ("" at module level)
    line: int
    model: str = ""  # the model class the call names, "" for raw SQL or unknown


@dataclass(frozen=True)
class Layers:
    """The layer model: each module's role, the imports between them, the data access."""

    modules: tuple[ModuleRole, ...] = ()
    imports: tuple[ModuleImport, ...] = ()
    queries: tuple[Query, ...] = ()
    models: tuple[str, ...] = ()  # qualified names of the project's ORM model classes
    schemas: tuple[str, ...] = ()  # qualified names of its validation classes

    def role_of(self, module: str) -> str:
        for m in self.modules:
            if m.module == module:
                return m.role
        return ""


@dataclass(frozen=True)
class Project:
    """The project-wide model the second phase reads."""

    routes: tuple[Route, ...] = ()
    files: frozenset[str] = frozenset()  # files the second-phase rules must visit
    frameworks: tuple[str, ...] = ()
    rate_limiting: tuple[Guard, ...] = ()  # every limiter/throttle found anywhere in the project
    facts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # per-file framework facts
    test_calls: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # per test file
    taint: TaintIndex | None = None  # function summaries joined across modules
    errors: tuple[BuilderError, ...] = ()  # route builders that crashed (their routes are missing)
    schemas: frozenset[str] = frozenset()  # project classes that validate (Pydantic, DRF, ...)
    relations: tuple[Relation, ...] = ()  # ORM relations of every model class, joined once
    layers: Layers = field(default_factory=Layers)  # module roles and imports (layers.py)

    def routes_of(self, file: str, handler: str) -> tuple[Route, ...]:
        """The routes served by the function `handler` (qualname) of `file`."""
        return tuple(r for r in self.routes if r.file == file and r.handler == handler)

    def handler_names(self, file: str) -> frozenset[str]:
        return frozenset(r.handler for r in self.routes if r.file == file)

    def route_coverage(self) -> RouteCoverage | None:
        """How many routes some test exercises (BR804's measure, the report's summary), or None
        when no test calls were recorded. `Route.tests` is filled when the project is built,
        from the same `test_calls`."""
        if not self.test_calls and not any(r.tests for r in self.routes):
            return None
        return RouteCoverage(sum(1 for r in self.routes if r.tests), len(self.routes))
