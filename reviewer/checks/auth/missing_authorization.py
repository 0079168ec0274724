"""BR302: authenticated but not authorized: admin routes without a role check, objects loaded by
a client-supplied id without an owner filter (IDOR), DRF AllowAny on mutating views."""

from __future__ import annotations

import re

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.framework import body
from reviewer.framework.lookup import ADMIN, public_by_nature, routes_at, summarize, writes
from reviewer.framework.values import code_of, tail
from reviewer.http import path_params
from reviewer.model import Confidence, Severity
from reviewer.service import Route

_USERISH = re.compile(r"user|account|principal|identity|owner|client|member|customer|\bme\b", re.I)


class _Handler:
    def __init__(self, routes: tuple[Route, ...], user_names: frozenset[str]) -> None:
        self.routes = routes
        self.params = frozenset(p for r in routes for p in client_ids(r))
        self.where = (
            "GraphQL arguments" if any(r.framework == "graphql" for r in routes) else "path"
        )
        self.user_names = user_names
        self.loads: list[cst.Call] = []
        self.owner_checked = False
        self.unused_user: str = ""


# a GraphQL resolver's own parameters that are no client argument (strawberry `self`/`info`,
# graphene `root`/`info`, ariadne `obj`/`info`)
_RESOLVER_CONTEXT = frozenset({"self", "cls", "info", "root", "source", "parent", "obj", "_"})


def client_ids(route: Route) -> list[str]:
    """The values the client chooses: path parameters, and for a GraphQL operation its
    resolver's arguments (the operation's variables, https://spec.graphql.org/October2021/#sec-Language.Arguments)."""
    if route.framework == "graphql":
        return [p.name for p in route.params if p.name not in _RESOLVER_CONTEXT]
    return sorted(path_params(route.path))


class MissingAuthorization(Rule):
    """A route that checks who the caller is but not what the caller may do.

    ## What it does
    Reports three shapes on the route inventory:
    - admin-looking routes (`/admin/...`, `admin_*` handlers) that require a login but no role or
      permission (`IsAdminUser`, `permission_required`, a `require_admin` dependency, a
      `current_user.is_admin` check);
    - handlers that load an object by an id taken from the path (`Order.objects.get(pk=pk)`,
      `session.get(Order, order_id)`, `get_object_or_404(...)`) without filtering by the current
      user and without comparing the object's owner to the current user (IDOR);
    - Django REST framework views with `permission_classes = [AllowAny]` that accept
      POST/PUT/PATCH/DELETE (registration and login views are exempt).

    A route reached with a capability instead of a session (a signed token whose bad signature
    is refused, a checked HMAC, a shared secret, an unguessable key in its path that it looks
    up and 404s on a miss) is not reported: holding the capability is the authorization. A UUID
    looked up behind `login_required` is an identifier, and an ownership check is still asked.

    ## Why is this bad
    Broken object-level and function-level authorization are the first and fifth risks of the
    OWASP API Top 10: any signed-in user can read or change other users' data by changing an id,
    or call administrative functions.

    ## Example
    ```python
    @app.get("/orders/<int:order_id>")
    @login_required
    def get_order(order_id):
        return Order.query.get_or_404(order_id).to_dict()
    ```

    ## Use instead
    ```python
    @app.get("/orders/<int:order_id>")
    @login_required
    def get_order(order_id):
        order = Order.query.filter_by(id=order_id, owner_id=current_user.id).first_or_404()
        return order.to_dict()
    ```

    ## References
    - https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/
    - https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/
    - https://cwe.mitre.org/data/definitions/639.html
    - https://www.django-rest-framework.org/api-guide/permissions/#allowany
    """

    code = "BR302"
    name = "missing-authorization"
    item = "authorization"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    summary = "route authenticates the caller but checks no role, permission or ownership"
    cwe = (862, 639)
    needs_project = True

    def __init__(self, ctx: object) -> None:
        super().__init__(ctx)  # type: ignore[arg-type]
        self._handlers: list[_Handler | None] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._route_level(node, routes_at(self.ctx, node))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        routes = routes_at(self.ctx, node)
        self._route_level(node, routes)
        candidates = tuple(r for r in routes if r.auth and not r.authorization and not r.capability)
        if not candidates:
            self._handlers.append(None)
            return
        users = frozenset(
            p.name
            for r in candidates
            for p in r.params
            if p.source == "dependency" and _USERISH.search(f"{p.name} {p.dependency}")
        ) | frozenset({"user", "me"})
        handler = _Handler(candidates, users)
        self._handlers.append(handler)
        # FastAPI: the handler asks for the current user and then never uses it
        asked = sorted(
            {
                p.name
                for r in candidates
                for p in r.params
                if p.source == "dependency" and _USERISH.search(f"{p.name} {p.dependency}")
            }
        )
        used = body.names_in(node.body)
        if asked and not (set(asked) & used) and handler.params & used:
            handler.unused_user = asked[0]

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        handler = self._handlers.pop() if self._handlers else None
        if handler is None or handler.owner_checked:
            return
        if handler.unused_user and not handler.loads:
            ids = ", ".join(sorted(handler.params & body.names_in(node.body)))
            self.report(
                node.name,
                f"{summarize(handler.routes)} asks for the current user (`{handler.unused_user}`) "
                f"but never uses it: `{ids}` from the {handler.where} is used without checking that the "
                "object belongs to the caller (IDOR). Pass the user to the query or service and "
                "filter by owner.",
            )
            return
        for call in handler.loads:
            label = summarize(handler.routes)
            self.report(
                call,
                f"{label} loads an object by the client-supplied id from its {handler.where} and never "
                "checks that it belongs to the caller: any signed-in user can reach other users' "
                "records by changing the id (IDOR). Filter the query by the current user or "
                "compare the owner before using the object.",
                confidence=Confidence.MEDIUM,
            )

    def visit_Call(self, node: cst.Call) -> None:
        handler = self._current()
        if handler is None or not handler.params or not body.is_object_load(node, self.ctx):
            return
        by_path = body.names_in(node) & handler.params or "match_info" in code_of(node)
        if not by_path:
            return
        if body.mentions_user(node, handler.user_names - handler.params):
            return
        handler.loads.append(node)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        handler = self._current()
        if handler is not None and body.mentions_user(node, handler.user_names - handler.params):
            handler.owner_checked = True

    def _current(self) -> _Handler | None:
        if not self._handlers:
            return None
        # only the handler's own body (a nested def has its own entry; decorators and
        # parameter defaults are not the body)
        for node in reversed(self.ctx.stack):
            if isinstance(node, cst.Decorator | cst.Parameters):
                return None
            if isinstance(node, cst.FunctionDef):
                return self._handlers[-1]
        return None

    def _route_level(self, node: cst.FunctionDef | cst.ClassDef, routes: tuple[Route, ...]) -> None:
        admin = tuple(
            r
            for r in routes
            if r.auth
            and not r.authorization
            and not r.public
            and (ADMIN.search(r.path) or ADMIN.search(tail(r.handler)))
        )
        if admin:
            self.report(
                node.name,
                f"{summarize(admin)} requires a login but checks no role or permission: any "
                "signed-in user can call this admin route. Add a role/permission guard "
                "(IsAdminUser, permission_required, a require_admin dependency).",
            )
            return
        open_writes = tuple(
            r
            for r in routes
            if r.framework == "drf"
            and r.public
            and writes(r)
            and not public_by_nature(r)
            and not _configured_public(self, r)
        )
        if open_writes:
            self.report(
                node.name,
                f"{summarize(open_writes)} uses AllowAny on a mutating view: anonymous clients "
                "can create, change or delete data. Use IsAuthenticated (or stricter) for unsafe "
                "methods, e.g. IsAuthenticatedOrReadOnly.",
            )


def _configured_public(rule: Rule, route: Route) -> bool:
    configured = rule.ctx.config.public_routes
    return any(p in (route.path, route.handler, tail(route.handler)) for p in configured)


MissingAuthorization.VALID = [
    Valid(
        """
from flask import Flask, abort
from flask_login import current_user, login_required
from models import Order

app = Flask(__name__)

@app.get("/orders/<int:order_id>")
@login_required
def get_order(order_id):
    order = Order.query.filter_by(id=order_id, owner_id=current_user.id).first_or_404()  # ok: BR302
    return order.to_dict()

@app.delete("/orders/<int:order_id>")
@login_required
def delete_order(order_id):
    order = Order.query.get_or_404(order_id)  # ok: BR302
    if order.owner_id != current_user.id:
        abort(403)
    return "", 204

@app.get("/products/<int:pid>")
def product(pid):
    return Product.query.get_or_404(pid)  # ok: BR302
"""
    ),
    # FastAPI: the owner comparison uses the user from the auth dependency
    Valid(
        """
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer

oauth2 = OAuth2PasswordBearer(tokenUrl="token")
app = FastAPI()

def get_current_user(token: str = Depends(oauth2)):
    return token

@app.get("/notes/{note_id}")
def read_note(note_id: int, account=Depends(get_current_user), db=Depends(get_db)):
    note = db.get(Note, note_id)  # ok: BR302
    if note.author_id != account.id:
        raise HTTPException(status_code=404)
    return note
"""
    ),
    # admin route with a role guard; DRF AllowAny on a read-only and on a registration view
    Valid(
        """
from django.contrib.admin.views.decorators import staff_member_required
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

@staff_member_required
def admin_dashboard(request):  # ok: BR302
    return None

class PublicStats(APIView):
    permission_classes = [AllowAny]

    def get(self, request):  # ok: BR302
        return None

@api_view(["POST"])
@permission_classes([AllowAny])
def register(request):  # ok: BR302
    return None
""",
        path="shop/views.py",
        files={
            "shop/urls.py": """
from django.urls import path
from shop import views

urlpatterns = [
    path("admin-panel/", views.admin_dashboard),
    path("stats/", views.PublicStats.as_view()),
    path("register/", views.register),
]
"""
        },
    ),
]

MissingAuthorization.VALID.append(
    Valid(
        """
from litestar import Litestar, post
from litestar.security.jwt import JWTAuth

SCOPES = {"google": ["email"], "github": ["user:email"]}
auth = JWTAuth(retrieve_user_handler=lambda token, connection: None, token_secret="x")

@post("/oauth/{provider:str}/link")
async def link(provider: str) -> list:  # ok: BR302
    return SCOPES.get(provider, [])

app = Litestar(route_handlers=[link], on_app_init=[auth.on_app_init])
"""
    )
)

# capability URLs and signed tokens: holding the key or the token is the authorization
MissingAuthorization.VALID.append(
    Valid(
        """
from django.core import signing
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404

def ping(request, code):
    check = get_object_or_404(Check, code=code)  # ok: BR302
    check.ping()
    return HttpResponse("OK")

def unsubscribe(request, code, signed):
    try:
        signing.loads(signed, max_age=600)
    except signing.BadSignature:
        return HttpResponseBadRequest()
    channel = get_object_or_404(Channel, code=code)  # ok: BR302
    channel.disable()
    return HttpResponse("OK")
""",
        path="pings/views.py",
        files={
            "pings/urls.py": """
from django.urls import path
from pings import views

urlpatterns = [
    path("ping/<uuid:code>/", views.ping),
    path("unsub/<uuid:code>/<str:signed>/", views.unsubscribe),
]
"""
        },
    )
)

MissingAuthorization.INVALID = [
    Invalid(
        """
from litestar import Litestar, delete
from litestar.security.jwt import JWTAuth

auth = JWTAuth(retrieve_user_handler=lambda token, connection: None, token_secret="x")

@delete("/teams/{team_id:int}")
async def remove_team(team_id: int, teams_service: TeamService) -> None:
    team = await teams_service.get(team_id)  # expect: BR302
    await teams_service.delete(team.id)

app = Litestar(route_handlers=[remove_team], on_app_init=[auth.on_app_init])
"""
    ),
    Invalid(
        """
from flask import Flask
from flask_login import current_user, login_required

app = Flask(__name__)

@app.get("/orders/<int:order_id>")
@login_required
def get_order(order_id):
    order = Order.query.get_or_404(order_id)  # expect: BR302
    return order.to_dict()

@app.post("/admin/users/<int:uid>/ban")
@login_required
def ban_user(uid):  # expect: BR302
    return "", 204

@app.get("/me/orders")
@login_required
def my_orders():
    return [o.to_dict() for o in current_user.orders]
"""
    ),
    Invalid(
        """
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.viewsets import ModelViewSet

@login_required
def invoice_pdf(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk)  # expect: BR302
    return render_pdf(invoice)

@login_required
def my_invoice(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk, customer=request.user)  # ok: BR302
    return render_pdf(invoice)

class CommentViewSet(ModelViewSet):  # expect: BR302
    permission_classes = [AllowAny]

@login_required
def invoice_by_code(request, code):
    # behind a session the UUID is an identifier, not a capability
    invoice = get_object_or_404(Invoice, code=code)  # expect: BR302
    return render_pdf(invoice)
""",
        path="billing/views.py",
        files={
            "billing/urls.py": """
from django.urls import include, path
from rest_framework.routers import DefaultRouter
from billing import views

router = DefaultRouter()
router.register("comments", views.CommentViewSet)
urlpatterns = [
    path("invoices/<int:pk>/pdf/", views.invoice_pdf),
    path("mine/<int:pk>/", views.my_invoice),
    path("invoices/<uuid:code>/", views.invoice_by_code),
    path("api/", include(router.urls)),
]
"""
        },
    ),
    # a Starlette convertor (`{name:int}`): the parameter is `note_id`, not `int`
    Invalid(
        """
from fastapi import Depends, FastAPI
from fastapi.security import OAuth2PasswordBearer

oauth2 = OAuth2PasswordBearer(tokenUrl="token")
app = FastAPI()

def get_current_user(token: str = Depends(oauth2)):
    return token

@app.get("/notes/{note_id:int}")
def read_note(note_id: int, account=Depends(get_current_user), db=Depends(get_db)):
    return db.get(Note, note_id)  # expect: BR302
"""
    ),
]
