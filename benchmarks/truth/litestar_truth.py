"""Dump a Litestar app's route handlers, guards and dependencies as JSON (benchmark only; runs INSIDE the app's venv).

Usage (normally through build.py):
    <venv>/bin/python litestar_truth.py --checkout DIR --runtime '{"factory": "app.server.asgi:create_app", ...}'

runtime keys: "factory" ("module:attribute" naming the Litestar app, or a callable returning
it), "env", "sys_path", "chdir", "factory_args" (as in fastapi_truth.py);
"auth_guards" / "authz_guards": {fnmatch pattern: evidence} for guards (module:qualname)
the manifest's author read; "unguarded_is_public".

Auth at run time: Litestar's authentication middleware (`AbstractAuthenticationMiddleware`
subclasses, e.g. the one `JWTAuth`/`OAuth2PasswordBearerAuth` install through their
`on_app_init`) raises NotAuthorizedException (401) for every request it does not bypass;
it bypasses a handler whose `opt` holds its `exclude_opt_key` (`exclude_from_auth`), a method
in `exclude_http_methods` (OPTIONS) and a path its `exclude` pattern finds
(litestar/middleware/_utils.py `should_bypass_middleware`).  The pattern is searched in the
route's path template here, which the evidence says.  Guards
(`handler.resolve_guards()`, every layer) are reported by name; the manifest decides which
check a role or ownership.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from typing import Any

import extractor_cli  # sibling module: a script's folder is sys.path[0]


def qualname(obj: Any) -> str:
    from litestar.utils.helpers import unwrap_partial

    inner = unwrap_partial(obj)
    if not hasattr(inner, "__qualname__"):
        inner = type(inner)
    return f"{getattr(inner, '__module__', '?')}:{getattr(inner, '__qualname__', repr(inner))}"


def auth_middlewares(app: Any) -> list[Any]:
    """The authentication middleware instances' settings: (class, exclude pattern, opt key, methods)."""
    from litestar.middleware._utils import build_exclude_path_pattern
    from litestar.middleware.authentication import AbstractAuthenticationMiddleware
    from litestar.middleware.base import DefineMiddleware

    found = []
    for mw in app.middleware:
        cls = mw.middleware if isinstance(mw, DefineMiddleware) else mw
        if isinstance(cls, type) and issubclass(cls, AbstractAuthenticationMiddleware):
            kwargs = mw.kwargs if isinstance(mw, DefineMiddleware) else {}
            pattern = build_exclude_path_pattern(exclude=kwargs.get("exclude"))
            found.append(
                {
                    "cls": cls.__qualname__,
                    "pattern": pattern,
                    "opt_key": kwargs.get(
                        "exclude_opt_key", kwargs.get("exclude_from_auth_key", "exclude_from_auth")
                    ),
                    "methods": set(kwargs.get("exclude_http_methods") or ["OPTIONS"]),
                }
            )
    return found


def routes(app: Any, runtime: dict[str, Any]) -> list[dict[str, Any]]:
    mws = auth_middlewares(app)
    out = []
    for route in app.routes:
        kind = type(route).__name__
        for handler in getattr(route, "route_handlers", []):
            fn_name = qualname(handler.fn)
            if "create_options_handler" in fn_name:
                continue  # the OPTIONS handler Litestar adds to every HTTPRoute
            methods = sorted(
                getattr(handler, "http_methods", None)
                or ["WEBSOCKET" if "WebSocket" in kind else "*"]
            )
            path = re.sub(r"\{([^:{}]+):[^{}]+\}", r"{\1}", route.path)
            guards = [qualname(g) for g in handler.resolve_guards()]
            deps = sorted(handler.resolve_dependencies())
            for method in methods:
                if method in ("HEAD", "OPTIONS") and len(methods) > 1:
                    continue
                item: dict[str, Any] = {
                    "method": method,
                    "path": path,
                    "handler": fn_name,
                    "kind": kind,
                }
                if guards:
                    item["guards"] = guards
                if deps:
                    item["dependencies"] = deps
                if fn_name.split(".")[0] in ("litestar", "litestar_vite", "litestar_saq"):
                    item["builtin"] = (
                        True  # framework/plugin-made: OpenAPI schema, static files, vite, SAQ admin UI
                    )
                auth_flags(item, handler, mws, runtime)
                out.append(item)
    return out


def auth_flags(item: dict[str, Any], handler: Any, mws: list[Any], runtime: dict[str, Any]) -> None:
    auth: list[str] = []
    for mw in mws:
        if handler.opt.get(mw["opt_key"]):
            continue
        if item["method"] in mw["methods"]:
            continue
        if mw["pattern"] is not None and mw["pattern"].findall(item["path"]):
            continue
        auth.append(
            f"runtime: {mw['cls']} rejects unauthenticated requests (no {mw['opt_key']} opt, "
            "path template not in its exclude pattern)"
        )
    guards = item.get("guards", [])
    for key, target in (("auth_guards", auth), ("authz_guards", authz := [])):
        for name in guards:
            for pattern, why in runtime.get(key, {}).items():
                if fnmatch.fnmatchcase(name, pattern):
                    target.append(f"{name}: {why}")
    for flag, evidence, hits in (
        ("auth", "auth_evidence", auth),
        ("authorization", "authz_evidence", authz),
    ):
        if hits:
            item[flag], item[evidence] = True, "; ".join(dict.fromkeys(hits))
        elif runtime.get("unguarded_is_public"):
            item[flag], item[evidence] = False, "runtime: no auth middleware coverage and no guard"


def extract(checkout: str, runtime: dict[str, Any]) -> list[dict[str, Any]]:
    return routes(extractor_cli.load_app(checkout, runtime, "routes"), runtime)


def main() -> int:
    return extractor_cli.run("Print a Litestar app's routes as JSON.", extract)


if __name__ == "__main__":
    sys.exit(main())
