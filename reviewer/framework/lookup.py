"""Helpers for second-phase rules: which routes a def/class serves, and route vocabularies."""

from __future__ import annotations

import re

import libcst as cst

from reviewer.context import FileContext
from reviewer.http import ANY_METHOD, changes_state
from reviewer.service import Route

# Routes that must be reachable without a login (issue 3: login/registration/health/docs).
PUBLIC_BY_NATURE = re.compile(
    r"(^|[/_.\-{<])(login|logout|log[-_]?in|sign[-_]?in|sign[-_]?up|register|registration|"
    r"health|healthz|healthcheck|livez|readyz|ready|liveness|readiness|ping|docs|redoc|openapi|"
    r"swagger|schema|token|refresh|password[-_/]reset|reset[-_/]password|forgot[-_/]password|forgot|"
    r"verify[-_]email|activate|confirm|callback|obtain[-_]token|csrf|magic[-_]?link|passwordless)($|[/_.\-}>])",
    re.I,
)
SENSITIVE_WORDS = (
    "user",
    "account",
    "admin",
    "payment",
    "payout",
    "order",
    "token",
    "billing",
    "invoice",
    "checkout",
    "profile",
    "wallet",
    "transfer",
    "refund",
    "card",
    "subscription",
    "password",
    "secret",
    "apikey",
    "role",
    "permission",
    "staff",
    "member",
    "customer",
)
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
ADMIN = re.compile(r"(^|[/_.\-])(admin|staff|superuser|backoffice)", re.I)
CREDENTIAL_ROUTES = re.compile(
    r"(^|[/_.\-])(login|log[-_]?in|sign[-_]?in|token|password|otp|mfa|2fa|verify|register|"
    r"registration|sign[-_]?up|reset|forgot|signin)($|[/_.\-])",
    re.I,
)


def routes_at(ctx: FileContext, node: cst.FunctionDef | cst.ClassDef) -> tuple[Route, ...]:
    """Routes whose handler is this function, or (for a class) whose handler method the class
    inherits without defining it (a ModelViewSet's `create`, a CreateView's `post`)."""
    project = ctx.project
    if project is None:
        return ()
    qualname = ctx.scope_name()
    if isinstance(node, cst.FunctionDef):
        return project.routes_of(ctx.relpath, qualname)
    functions = project.facts.get(ctx.relpath, {}).get("functions", {})
    return tuple(
        r
        for r in project.routes
        if r.file == ctx.relpath
        and r.handler.startswith(qualname + ".")
        and r.handler.count(".") == qualname.count(".") + 1
        and r.handler not in functions
    )


def handler_routes(ctx: FileContext, qualname: str) -> tuple[Route, ...]:
    """The routes the function `qualname` of the visited file serves (empty: not a handler)."""
    return ctx.project.routes_of(ctx.relpath, qualname) if ctx.project is not None else ()


def handler_names(ctx: FileContext) -> frozenset[str]:
    """The qualnames of the visited file's route handlers."""
    return ctx.project.handler_names(ctx.relpath) if ctx.project is not None else frozenset()


def words(text: str) -> list[str]:
    """`/api/userAccounts/<id>` -> ["api", "user", "accounts", "id"] (lower case)."""
    return [w.lower() for w in _WORDS.findall(text)]


def sensitive(route: Route) -> bool:
    """The route's path or handler names users, accounts, admin, payments, orders, tokens...
    (whole words: `/display` is not about payments, `border` not about orders)."""
    found = words(f"{route.path} {route.handler}")
    return any(
        (w.startswith(SENSITIVE_WORDS) or w in ("pay", "key", "keys"))
        and not (w == "user" and found[i + 1 : i + 2] == ["agent"])  # the User-Agent header
        for i, w in enumerate(found)
    )


def public_by_nature(route: Route) -> bool:
    return bool(PUBLIC_BY_NATURE.search(route.path) or PUBLIC_BY_NATURE.search(route.handler))


def writes(route: Route) -> bool:
    """State-changing: an unsafe method, or a Django view that accepts any method and reads a
    form or body."""
    if changes_state(route.methods):
        return True
    return ANY_METHOD in route.methods and any(
        r.endswith((".POST", ".body", ".FILES")) for r in route.raw_input
    )


def summarize(routes: tuple[Route, ...]) -> str:
    labels = sorted({r.label() for r in routes})
    shown = ", ".join(labels[:3])
    return shown + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
