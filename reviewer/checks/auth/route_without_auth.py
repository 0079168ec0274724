"""BR301: a state-changing or sensitive route that no guard at any level protects."""

from __future__ import annotations

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.config import Config
from reviewer.framework.lookup import public_by_nature, routes_at, sensitive, summarize, writes
from reviewer.model import Confidence, Finding, Location, Severity
from reviewer.service import NEVER_APPLIED, Project, Route

_WHERE = {
    "flask": "no login decorator below the route decorator and no before_request guard on its "
    "blueprint or app",
    "fastapi": "no auth dependency on the endpoint, its routers or the app, and no auth middleware",
    "django": "no login_required/permission_required decorator, no LoginRequiredMixin and no "
    "LoginRequiredMiddleware",
    "drf": "no permission class (DRF's default is AllowAny, and authentication classes never deny)",
    "aiohttp": "no auth middleware on its application and no check_authorized() call",
    "litestar": "no authentication middleware (JWTAuth/SessionAuth `on_app_init`, a rejecting "
    "AbstractAuthenticationMiddleware) wraps it unexcluded, and no guard that reads the user on "
    "the handler, its controller, routers or app",
    "starlette": "no @requires(...) on the endpoint and no rejecting auth middleware (Starlette's "
    "AuthenticationMiddleware identifies users but never rejects them)",
    "nestjs": "no authenticating guard in @UseGuards on the handler or its controller, and no"
    " global guard (useGlobalGuards, APP_GUARD)",
    "fastify": "no authenticating onRequest/preValidation/preHandler hook on the route or its"
    " plugin context (or an ancestor's), and no check in the handler",
    "express": "no authenticating middleware in its chain, on its router or app before it, or in"
    " the app.use(...) that mounts its router (passport.authenticate, express-jwt, or a"
    " middleware that answers 401/403)",
    "hono": "no authenticating middleware in its handler chain, and no app.use(path, ...) before"
    " it whose path matches (hono/jwt, bearerAuth, basicAuth, or a middleware that answers 401)",
    "koa": "no authenticating middleware in its chain, no router.use(...) before it on its"
    " router or the routers that nest it, and no app.use(...) before the router is mounted"
    " (koa-jwt, koa-passport, or a middleware that calls ctx.throw(401))",
}


class RouteWithoutAuth(Rule):
    """A route that changes state or touches users, accounts, admin, payments, orders or tokens,
    and that no authentication guard covers at any level.

    ## What it does
    Reads the route inventory and reports endpoints that accept POST/PUT/PATCH/DELETE, or whose
    path or handler names sensitive data (users, accounts, admin, payments, orders, tokens), when
    no guard covers them: no login decorator, no auth dependency (route, router, include or app),
    no permission class (view or `REST_FRAMEWORK` defaults), no authenticating `before_request`
    hook or middleware. Login, registration, health and docs routes and the routes listed under
    `public-routes` in the config are exempt. Custom guards are recognised when their body checks
    a credential, or when they are listed under `auth-decorators` / `auth-dependencies`.
    For Express (JavaScript/TypeScript) routes the guards are the route's middleware chain, the
    middleware its router and app `use` before it, and that of the `app.use(prefix, ...)` that
    mounts its router; these findings sit on the line that registers the route. Hono and Koa
    routes are read the same way (`app.use(path, ...)`, `router.use(...)` before the route).

    ## Why is this bad
    Anyone who can reach the service can call the endpoint (OWASP API2:2023 Broken
    Authentication). Guards are easy to forget on one route among many, and in Flask a decorator
    written above `@app.route` is silently never applied.

    ## Example
    ```python
    @bp.route("/orders", methods=["POST"])
    def create_order(): ...
    ```

    ## Use instead
    ```python
    @bp.route("/orders", methods=["POST"])
    @login_required
    def create_order(): ...
    ```
    or protect the whole blueprint/router/app (`before_request`, `dependencies=[...]`,
    `DEFAULT_PERMISSION_CLASSES`), and list intentionally public routes under `public-routes`.

    ## References
    - https://owasp.org/API-Security/editions/2023/en/0xa2-broken-authentication/
    - https://cwe.mitre.org/data/definitions/306.html
    - https://flask.palletsprojects.com/en/stable/patterns/viewdecorators/
    - https://www.django-rest-framework.org/api-guide/permissions/
    - https://expressjs.com/en/guide/using-middleware.html
    - https://hono.dev/docs/guides/middleware
    - https://github.com/koajs/router/blob/master/API.md
    """

    code = "BR301"
    name = "route-without-auth"
    item = "authentication"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    summary = "state-changing or sensitive route without any authentication guard"
    cwe = (306,)
    needs_project = True

    @classmethod
    def project_findings(cls, project: Project, config: Config) -> list[Finding]:
        """Routes of files no Python traversal visits (the Node frontend's), at their line."""
        bad = [r for r in project.routes if not r.file.endswith(".py") and _unprotected(r)]
        places: dict[tuple[str, int], list[Route]] = {}
        for route in bad:
            places.setdefault((route.file, route.line), []).append(route)
        return [
            Finding(
                code=cls.code,
                message=_message(tuple(group)),
                location=Location(file, line),
                severity=cls.severity,
                confidence=cls.confidence,
                scope=group[0].handler,
                snippet=" ".join(r.label() for r in group),
            )
            for (file, line), group in sorted(places.items())
        ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._check(node, routes_at(self.ctx, node))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._check(node, routes_at(self.ctx, node))

    def _check(self, node: cst.FunctionDef | cst.ClassDef, routes: tuple[Route, ...]) -> None:
        bad = tuple(r for r in routes if _unprotected(r))
        if not bad:
            return
        misplaced = any(n.endswith(NEVER_APPLIED) for r in bad for n in r.notes)
        confidence = Confidence.HIGH if any(writes(r) for r in bad) and misplaced else None
        self.report(node.name, _message(bad), confidence=confidence)


def _message(bad: tuple[Route, ...]) -> str:
    first = bad[0]
    what = "has" if len(bad) == 1 else "have"
    message = (
        f"{summarize(bad)} {what} no authentication: {_WHERE.get(first.framework, 'no guard')}"
        f" covers it."
    )
    notes = sorted({n for r in bad for n in r.notes})
    if notes:
        message += " " + "; ".join(notes) + "."
    return message + (
        " Add a guard at the route or a level above it, or list the route under"
        " `public-routes` if it is meant to be public."
    )


def _unprotected(route: Route) -> bool:
    if route.auth or route.public or public_by_nature(route):
        return False
    return writes(route) or sensitive(route)


RouteWithoutAuth.VALID = [
    Valid(
        """
from flask import Flask
from flask_login import login_required

app = Flask(__name__)

@app.route("/orders", methods=["POST"])
@login_required
def create_order():  # ok: BR301
    return "", 201

@app.get("/products")
def list_products():  # ok: BR301
    return []

@app.post("/login")
def login():  # ok: BR301
    return {}

@app.get("/health")
def health():
    return "ok"

@app.get("/user-agent")
def user_agent():  # ok: BR301 (the User-Agent header, not a user)
    return {}
"""
    ),
    # a custom decorator defined in another module that verifies a JWT
    Valid(
        """
from flask import Blueprint
from .auth import require_user

bp = Blueprint("orders", __name__, url_prefix="/orders")

@bp.post("")
@require_user
def create_order():  # ok: BR301
    return {}
""",
        path="shop/views.py",
        files={
            "shop/__init__.py": "",
            "shop/auth.py": """
from functools import wraps
from flask_jwt_extended import verify_jwt_in_request

def require_user(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        verify_jwt_in_request()
        return fn(*args, **kwargs)
    return wrapper
""",
        },
    ),
    # a blueprint-level before_request guard
    Valid(
        """
from flask import Blueprint, abort
from flask_login import current_user

admin = Blueprint("admin", __name__)

@admin.before_request
def only_staff():
    if not current_user.is_authenticated:
        abort(401)

@admin.route("/users/<int:uid>", methods=["DELETE"])
def delete_user(uid):  # ok: BR301
    return "", 204
"""
    ),
    # FastAPI: router-level dependency through include_router, and an Annotated alias
    Valid(
        """
from typing import Annotated
from fastapi import APIRouter, Depends, FastAPI
from fastapi.security import OAuth2PasswordBearer

oauth2 = OAuth2PasswordBearer(tokenUrl="token")

def get_current_user(token: str = Depends(oauth2)):
    return token

CurrentUser = Annotated[str, Depends(get_current_user)]
router = APIRouter()
users = APIRouter()

@router.post("/orders")
def create_order(user: CurrentUser):  # ok: BR301
    return {}

@users.delete("/users/{uid}")
def delete_user(uid: int):  # ok: BR301
    return None

app = FastAPI()
app.include_router(router)
app.include_router(users, dependencies=[Depends(get_current_user)])
"""
    ),
    # FastAPI Users style: the current-user dependency comes from a factory method on an object
    # built elsewhere (an import from the app's users module, a function parameter)
    Valid(
        """
from fastapi import APIRouter, Depends
from app.users import users_backend

router = APIRouter()
current_active_user = users_backend.current_user(active=True)

@router.patch("/me")
async def update_me(user=Depends(current_active_user)):  # ok: BR301
    return {}

def build_router(authenticator):
    inner = APIRouter()
    get_superuser = authenticator.current_user(active=True, superuser=True)

    @inner.delete("/users/{uid}", dependencies=[Depends(get_superuser)])
    async def delete_user(uid: str):  # ok: BR301
        return None

    return inner
""",
        path="app/routes.py",
    ),
    # Flask url_value_preprocessor: runs before every view of the blueprint, like before_request
    Valid(
        """
from flask import Blueprint, Flask, abort, g, session, url_for
from werkzeug.routing import RequestRedirect

bp = Blueprint("projects", __name__, url_prefix="/<project_id>")

@bp.url_value_preprocessor
def load_project(endpoint, values):
    project_id = values.pop("project_id")
    if project_id not in session.get("projects", {}):
        abort(401)
    g.project = project_id

@bp.post("/delete")
def delete_project():  # ok: BR301
    return "", 204

members = Blueprint("members", __name__, url_prefix="/<project_id>/members")

@members.url_value_preprocessor
def pull_project(endpoint, values):
    project_id = values.pop("project_id")
    if project_id not in session.get("projects", {}):
        raise RequestRedirect(url_for(".authenticate", project_id=project_id))
    g.project = project_id

@members.post("/<int:member_id>/delete")
def remove_member(member_id):  # ok: BR301 (the hook sends strangers to the login view)
    return "", 204

app = Flask(__name__)
app.register_blueprint(bp)
app.register_blueprint(members)
"""
    ),
    # an app built inside a test to exercise a library is test scaffolding, not the service
    Valid(
        """
from fastapi import FastAPI

def make_app():
    app = FastAPI()

    @app.delete("/users/me")
    def custom_users_route():  # ok: BR301
        return None

    return app
""",
        path="tests/test_users.py",
    ),
    # DRF settings default and a config-named public route
    Valid(
        """
from rest_framework.viewsets import ModelViewSet
from rest_framework.routers import DefaultRouter

class OrderViewSet(ModelViewSet):  # ok: BR301
    queryset = None

router = DefaultRouter()
router.register("orders", OrderViewSet)
urlpatterns = router.urls
""",
        path="api/urls.py",
        files={
            "project/settings.py": """
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
"""
        },
    ),
    # DRF default permission class of the project that checks Django permissions
    Valid(
        """
from rest_framework.viewsets import ModelViewSet
from rest_framework.routers import DefaultRouter

class TagViewSet(ModelViewSet):  # ok: BR301
    queryset = None
    permission_map = {"destroy": "events.delete_tag"}

router = DefaultRouter()
router.register("tags", TagViewSet)
urlpatterns = router.urls
""",
        path="api/urls.py",
        files={
            "api/permissions.py": """
from rest_framework.permissions import BasePermission

class ApiPermission(BasePermission):
    def has_permission(self, request, view):
        return self._allowed(request, view)

    def _allowed(self, request, view):
        required = view.permission_map.get(view.action)
        return request.user.has_perm(required, getattr(request, "event", None))
""",
            "project/settings.py": """
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ("api.permissions.ApiPermission",),
}
""",
        },
    ),
    # FastAPI: an HTTP middleware that rejects requests without a bearer token
    Valid(
        """
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()

@app.middleware("http")
async def require_token(request: Request, call_next):
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        return JSONResponse({"detail": "unauthorized"}, status_code=401)
    return await call_next(request)

@app.delete("/orders/{oid}")
async def delete_order(oid: int):  # ok: BR301
    return None
"""
    ),
    # aiohttp: an application middleware that rejects requests without credentials
    Valid(
        """
from aiohttp import web

@web.middleware
async def auth_mw(request, handler):
    if "Authorization" not in request.headers:
        raise web.HTTPUnauthorized()
    return await handler(request)

routes = web.RouteTableDef()

@routes.post("/orders")
async def create_order(request):  # ok: BR301
    return web.json_response({})

app = web.Application(middlewares=[auth_mw])
app.add_routes(routes)
"""
    ),
    # Express (TypeScript): router-level passport, a token-verifying middleware from another
    # module that calls next(err), a role-checking middleware factory, mounted behind auth
    Valid(
        """
import express, { Router } from "express";
import passport from "passport";
import { verifyToken, requireRole } from "./middleware/auth";
import billing from "./billing";

const app = express();
const admin = Router();
admin.use(passport.authenticate("jwt", { session: false }));
admin.delete("/users/:id", (req, res) => res.sendStatus(204)); // ok: BR301

const orders = express.Router();
orders.post("/", verifyToken, (req, res) => res.status(201).json({})); // ok: BR301
orders.patch("/:id", requireRole("manager"), (req, res) => res.json({})); // ok: BR301

app.use("/admin", admin);
app.use("/orders", orders);
app.use("/billing", verifyToken, billing);
app.post("/login", (req, res) => res.json({})); // ok: BR301
export default app;
""",
        path="src/app.ts",
        files={
            "src/middleware/auth.ts": """
import jwt from "jsonwebtoken";
import type { Request, Response, NextFunction } from "express";

export function verifyToken(req: Request, res: Response, next: NextFunction) {
  const header = req.headers.authorization;
  if (!header) {
    return next(new Error("no token"));
  }
  try {
    (req as any).user = jwt.verify(header.slice(7), process.env.JWT_SECRET!);
    next();
  } catch (err) {
    next(err);
  }
}

export const requireRole = (role: string) => (req: Request, res: Response, next: NextFunction) => {
  if (!(req as any).user || (req as any).user.role !== role) {
    return res.status(403).json({ error: "forbidden" });
  }
  next();
};
""",
            "src/billing/index.ts": """
import { Router } from "express";
const router = Router();
router.post("/invoices", (req, res) => res.sendStatus(201)); // ok: BR301
export default router;
""",
        },
    ),
]

RouteWithoutAuth.INVALID = [
    Invalid(
        """
from flask import Flask
from flask_login import login_required

app = Flask(__name__)

@app.route("/orders", methods=["POST"])
def create_order():  # expect: BR301
    return "", 201

@login_required
@app.route("/orders/<int:oid>", methods=["DELETE"])
def delete_order(oid):  # expect: BR301
    return "", 204

@app.get("/users/<int:uid>")
def get_user(uid):  # expect: BR301
    return {}

@app.get("/products")
def list_products():  # ok: BR301
    return []

@app.get("/display/borders")
def display_borders():  # ok: BR301
    return []
"""
    ),
    # FastAPI: an unrelated dependency is not a guard; a sibling router is protected
    Invalid(
        """
from fastapi import APIRouter, Depends, FastAPI

def get_db():
    yield None

def verify_token(token: str):
    return token

open_router = APIRouter(prefix="/payments")
safe_router = APIRouter(prefix="/refunds", dependencies=[Depends(verify_token)])

@open_router.post("")
def create_payment(db=Depends(get_db)):  # expect: BR301
    return {}

@safe_router.post("")
def create_refund():  # ok: BR301
    return {}

app = FastAPI()
app.include_router(open_router, prefix="/api")
app.include_router(safe_router, prefix="/api")
"""
    ),
    # Django: urlpatterns in another module, FBV and CBV without guards
    Invalid(
        """
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.views import View
from django.views.decorators.http import require_POST

@require_POST
def transfer(request):  # expect: BR301
    return JsonResponse({})

def account_detail(request, pk):  # expect: BR301
    return JsonResponse({})

class ProfileView(View):
    def post(self, request):  # expect: BR301
        return JsonResponse({})

class SettingsView(LoginRequiredMixin, View):
    def post(self, request):  # ok: BR301
        return JsonResponse({})
""",
        path="bank/views.py",
        files={
            "bank/urls.py": """
from django.urls import path
from bank import views

urlpatterns = [
    path("transfer/", views.transfer),
    path("accounts/<int:pk>/", views.account_detail),
    path("profile/", views.ProfileView.as_view()),
    path("settings/", views.SettingsView.as_view()),
]
"""
        },
    ),
    # optional authentication is no authentication
    Invalid(
        """
from fastapi import Depends, FastAPI
from fastapi.security import OAuth2PasswordBearer
from flask import Flask
from flask_jwt_extended import jwt_required

maybe_token = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)
token = OAuth2PasswordBearer(tokenUrl="token")
api = FastAPI()
app = Flask(__name__)

@api.post("/comments")
def add_comment(t=Depends(maybe_token)):  # expect: BR301
    return {}

@api.post("/likes")
def add_like(t=Depends(token)):  # ok: BR301
    return {}

@app.post("/reviews")
@jwt_required(optional=True)
def add_review():  # expect: BR301
    return {}

@app.post("/ratings")
@jwt_required()
def add_rating():  # ok: BR301
    return {}
"""
    ),
    # DRF: no permission classes and no settings default means AllowAny
    Invalid(
        """
from rest_framework.viewsets import ModelViewSet
from rest_framework.routers import DefaultRouter
from rest_framework.permissions import IsAuthenticated

class OrderViewSet(ModelViewSet):  # expect: BR301
    queryset = None

class InvoiceViewSet(ModelViewSet):  # ok: BR301
    permission_classes = [IsAuthenticated]

router = DefaultRouter()
router.register("orders", OrderViewSet)
router.register("invoices", InvoiceViewSet)
urlpatterns = router.urls
""",
        path="api/urls.py",
    ),
    # Express (CommonJS): order matters, mounts carry their middleware, optional JWT is no auth
    Invalid(
        """
const express = require("express");
const { expressjwt } = require("express-jwt");
const { requireAuth } = require("./auth");
const users = require("./users");
const registerPayments = require("./payments");

const app = express();
app.post("/orders", (req, res) => res.json({})); // expect: BR301
app.get("/products", (req, res) => res.json([])); // ok: BR301
app.post("/comments", expressjwt({ secret: "s", algorithms: ["HS256"], credentialsRequired: false }), (req, res) => res.json({})); // expect: BR301
app.use("/users", users);
app.route("/accounts/:id")
  .get(requireAuth, (req, res) => res.json({})) // ok: BR301
  .delete((req, res) => res.sendStatus(204)); // expect: BR301
registerPayments(app);
app.use(requireAuth);
app.post("/refunds", (req, res) => res.json({})); // ok: BR301
module.exports = app;
""",
        path="src/app.js",
        files={
            "src/auth.js": """
function requireAuth(req, res, next) {
  if (!req.user) {
    return res.status(401).json({ error: "unauthorized" });
  }
  next();
}
module.exports = { requireAuth };
""",
            "src/users.js": """
const router = require("express").Router();
router.delete("/:id", (req, res) => res.sendStatus(204)); // expect: BR301
module.exports = router;
""",
            "src/payments/index.js": """
module.exports = function (app) {
  app.post("/payments", (req, res) => res.sendStatus(201)); // expect: BR301
};
""",
        },
    ),
    # Fastify: a decorated @fastify/jwt check on one route, a plugin-level hook for another
    Invalid(
        """
import Fastify from "fastify";
const app = Fastify();
app.decorate("authenticate", async (request, reply) => {
  await request.jwtVerify();
});
app.post("/orders", async () => ({})); // expect: BR301
app.delete("/orders/:id", { onRequest: [app.authenticate] }, async () => null); // ok: BR301
app.register(async (admin) => {
  admin.addHook("onRequest", app.authenticate);
  admin.delete("/users/:id", async () => null); // ok: BR301
}, { prefix: "/admin" });
app.register(async (open) => {
  open.delete("/users/:id", async () => null); // expect: BR301
});
export default app;
""",
        path="src/server.ts",
    ),
    # Hono: use() paths are patterns, order matters, a sub-app mounted with route() behind a
    # matching use(), a custom createMiddleware that rejects, one that only logs
    Invalid(
        """
import { Hono } from "hono";
import { jwt } from "hono/jwt";
import { createMiddleware } from "hono/factory";
import users from "./users";

const requireUser = createMiddleware(async (c, next) => {
  if (!c.get("jwtPayload")) return c.json({ error: "unauthorized" }, 401);
  await next();
});
const logged = createMiddleware(async (c, next) => {
  console.log(c.req.path);
  await next();
});
const app = new Hono();
app.post("/orders", (c) => c.json({})); // expect: BR301
app.use("/api/*", jwt({ secret: process.env.JWT_SECRET! }));
app.post("/api/orders", (c) => c.json({})); // ok: BR301
app.route("/api/users", users);
app.delete("/apis/:id", (c) => c.json({})); // expect: BR301
app.on(["PUT", "DELETE"], "/accounts/:id", requireUser, (c) => c.json({})); // ok: BR301
app.post("/payments", logged, (c) => c.json({})); // expect: BR301
export default app;
""",
        path="src/index.ts",
        files={
            "src/users.ts": """
import { Hono } from "hono";
const users = new Hono().delete("/:id", (c) => c.json({})); // ok: BR301
export default users;
""",
        },
    ),
    # Koa: koa-jwt on a router nests its sub-routers; passthrough lets anonymous callers in;
    # a router.use() after a route does not cover it
    Invalid(
        """
const Koa = require("koa");
const Router = require("@koa/router");
const jwt = require("koa-jwt");
const admin = require("./admin");

const app = new Koa();
const router = new Router({ prefix: "/api" });
router.post("/orders", (ctx) => { ctx.body = {}; }); // expect: BR301
router.post("/comments", jwt({ secret: "s", passthrough: true }), (ctx) => {}); // expect: BR301
router.use(jwt({ secret: process.env.JWT_SECRET }));
router.delete("/orders/:id", (ctx) => { ctx.status = 204; }); // ok: BR301
router.use("/admin", admin.routes());
app.use(router.routes());
""",
        path="src/app.js",
        files={
            "src/admin.js": """
const Router = require("koa-router");
const admin = new Router();
admin.delete("/users/:id", (ctx) => { ctx.status = 204; }); // ok: BR301
module.exports = admin;
""",
        },
    ),
    # NestJS: a class-level AuthGuard, a method guard that rejects, one that only logs
    Invalid(
        """
import { Controller, Delete, Get, Post, UseGuards } from "@nestjs/common";
import { AuthGuard } from "@nestjs/passport";
import { AuditGuard } from "./audit.guard";

@Controller("accounts")
export class AccountsController {
  @Get()
  list() { return []; } // expect: BR301

  @Post()
  @UseGuards(AuditGuard)
  create() { return {}; } // expect: BR301

  @Delete(":id")
  @UseGuards(AuthGuard("jwt"))
  remove() { return null; } // ok: BR301
}

@UseGuards(AuthGuard("jwt"))
@Controller("payments")
export class PaymentsController {
  @Post()
  pay() { return {}; } // ok: BR301
}
""",
        path="src/accounts.controller.ts",
        files={
            "src/audit.guard.ts": """
import { CanActivate, ExecutionContext, Injectable } from "@nestjs/common";
@Injectable()
export class AuditGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    console.info(context.getClass().name);
    return true;
  }
}
""",
        },
    ),
]
