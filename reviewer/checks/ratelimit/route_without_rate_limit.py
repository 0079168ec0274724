"""BR803: no rate limiting in the service, or credential routes left unthrottled."""

from __future__ import annotations

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.config import Config
from reviewer.framework.lookup import CREDENTIAL_ROUTES, routes_at, summarize
from reviewer.http import ANY_METHOD, submits_content
from reviewer.model import Confidence, Finding, Location, Severity
from reviewer.service import Project, Route

_HOW = {
    "flask": "Flask-Limiter (`@limiter.limit(...)` below the route decorator, or `default_limits`)",
    "fastapi": "slowapi (`@limiter.limit(...)` plus SlowAPIMiddleware) or fastapi-limiter",
    "django": "django-ratelimit (`@ratelimit(key='ip', rate='5/m')`)",
    "drf": "DRF throttling (`throttle_classes` or DEFAULT_THROTTLE_CLASSES)",
    "aiohttp": "a rate-limiting middleware",
    "starlette": "slowapi or a rate-limiting middleware",
    "litestar": "Litestar's RateLimitConfig (`middleware=[RateLimitConfig(...).middleware]`)",
    "express": "express-rate-limit (`app.use(rateLimit({...}))`, a stricter one on login routes)",
    "nestjs": "@nestjs/throttler (ThrottlerGuard as APP_GUARD, `@Throttle(...)` on login)",
    "fastify": "@fastify/rate-limit (`app.register(rateLimit, {...})`, `config.rateLimit`)",
    "hono": "hono-rate-limiter (`app.use(rateLimiter({...}))`, a stricter one on login routes)",
    "koa": "koa-ratelimit (`app.use(ratelimit({...}))`, a stricter one on login routes)",
}


class RouteWithoutRateLimit(Rule):
    """A service with no rate limiting at all, or login/token/password-reset/registration routes
    without a limiter in a service that has one.

    ## What it does
    Looks for any limiter in the project: Flask-Limiter and slowapi `Limiter` objects and their
    `limit` decorators, django-ratelimit's `@ratelimit`, DRF `throttle_classes` and
    `DEFAULT_THROTTLE_CLASSES`, fastapi-limiter `RateLimiter` dependencies, rate-limiting
    middlewares, and decorators named under `rate-limit-decorators` in the config. When there is
    none, it reports once for the whole project. When there is one, it reports the credential
    routes (login, token, password reset, registration, OTP) that no limit covers.

    ## Why is this bad
    Without limits one client can exhaust the service, and credential endpoints can be
    brute-forced or used for credential stuffing (OWASP API4:2023 Unrestricted Resource
    Consumption).

    ## Example
    ```python
    @app.post("/login")
    def login(): ...
    ```

    ## Use instead
    ```python
    @app.post("/login")
    @limiter.limit("5/minute")
    def login(): ...
    ```

    ## References
    - https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/
    - https://cwe.mitre.org/data/definitions/770.html
    - https://flask-limiter.readthedocs.io/
    - https://www.django-rest-framework.org/api-guide/throttling/
    """

    code = "BR803"
    name = "route-without-rate-limit"
    item = "rate-limiting"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    summary = "no rate limiting, or credential routes without a limiter"
    cwe = (770, 307)
    needs_project = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._check(node, routes_at(self.ctx, node))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._check(node, routes_at(self.ctx, node))

    def _check(self, node: cst.FunctionDef | cst.ClassDef, routes: tuple[Route, ...]) -> None:
        project = self.ctx.project
        if project is None or not project.rate_limiting:
            return
        bad = tuple(r for r in routes if _credential(r) and not r.rate_limits)
        if bad:
            self.report(
                node.name,
                f"{summarize(bad)} handles credentials but no rate limit covers it, although "
                "the service has a limiter: attackers can guess passwords or tokens at full "
                f"speed. Add a strict limit with {_HOW.get(bad[0].framework, 'a limiter')}.",
                severity=Severity.HIGH,
            )

    @classmethod
    def project_findings(cls, project: Project, config: Config) -> list[Finding]:
        if not project.routes or project.rate_limiting:
            return []
        routes = sorted(project.routes, key=lambda r: (not _credential(r), r.file, r.line))
        first = routes[0]
        frameworks = sorted({r.framework for r in routes})
        how = "; ".join(_HOW[f] for f in frameworks if f in _HOW)
        return [
            Finding(
                code=cls.code,
                message=(
                    f"The service has no rate limiting at all: none of its {len(routes)} routes "
                    f"(e.g. {first.label()}) is covered by a limiter, throttle or rate-limit "
                    f"middleware. Add one ({how}), with strict limits on credential routes."
                ),
                location=Location(first.file, first.line),
                severity=cls.severity,
                confidence=cls.confidence,
                project_level=True,
            )
        ]


def _credential(route: Route) -> bool:
    # credentials arrive as submitted content; a Django view accepting any method may take them
    if not (submits_content(route.methods) or ANY_METHOD in route.methods):
        return False
    return bool(CREDENTIAL_ROUTES.search(route.path) or CREDENTIAL_ROUTES.search(route.handler))


RouteWithoutRateLimit.VALID = [
    # Express with express-rate-limit on the app
    Valid(
        """
import express from "express";
import rateLimit from "express-rate-limit";
const app = express();
app.use(rateLimit({ windowMs: 60000, limit: 100 }));
app.post("/login", (req, res) => res.json({})); // ok: BR803
export default app;
""",
        path="src/app.ts",
    ),
    Valid(
        """
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

app = Flask(__name__)
limiter = Limiter(get_remote_address, app=app)

@app.post("/login")
@limiter.limit("5/minute")
def login():  # ok: BR803
    return {}

@app.get("/products")
def products():  # ok: BR803
    return []

# revoking a token changes state but submits no credential an attacker could guess
@app.delete("/api/tokens/<int:token_id>")
def revoke_token(token_id):  # ok: BR803
    return "", 204
"""
    ),
    # DRF: a global default throttle covers the token view
    Valid(
        """
from rest_framework.views import APIView

class TokenView(APIView):
    def post(self, request):  # ok: BR803
        return None
""",
        path="api/views.py",
        files={
            "api/urls.py": """
from django.urls import path
from api.views import TokenView
urlpatterns = [path("token/", TokenView.as_view())]
""",
            "project/settings.py": """
REST_FRAMEWORK = {"DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"]}
""",
        },
    ),
    # a project decorator named in no config but called like a limiter is not needed: no routes
    Valid(
        """
def login(username, password):  # ok: BR803
    return username == password
"""
    ),
]

RouteWithoutRateLimit.INVALID = [
    # no limiter anywhere: one project-level finding at the most sensitive route
    Invalid(
        """
from fastapi import FastAPI

app = FastAPI()

@app.get("/items")
def items():  # ok: BR803
    return []

@app.post("/auth/token")
def issue_token():  # expect: BR803
    return {}
"""
    ),
    # slowapi is set up, but the password reset route has no limit
    Invalid(
        """
from fastapi import FastAPI, Request
from slowapi import Limiter
from slowapi.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)
app = FastAPI()

@app.post("/login")
@limiter.limit("5/minute")
def login(request: Request):  # ok: BR803
    return {}

@app.post("/password-reset")
def password_reset(request: Request):  # expect: BR803
    return {}

@app.post("/orders")
def create_order(request: Request):  # ok: BR803
    return {}
"""
    ),
    # django-ratelimit is used somewhere, the signup view forgot it
    Invalid(
        """
from django_ratelimit.decorators import ratelimit

@ratelimit(key="ip", rate="5/m")
def login_view(request):  # ok: BR803
    return None

def signup(request):  # expect: BR803
    if request.method == "POST":
        return None
    return None
""",
        path="accounts/views.py",
        files={
            "accounts/urls.py": """
from django.urls import path
from accounts import views
urlpatterns = [path("login/", views.login_view), path("signup/", views.signup)]
"""
        },
    ),
    # Express without any limiter: the finding sits on the login route
    Invalid(
        """
const express = require("express");
const app = express();
app.get("/products", (req, res) => res.json([]));
app.post("/login", (req, res) => res.json({})); // expect: BR803
module.exports = app;
""",
        path="src/app.js",
    ),
]
