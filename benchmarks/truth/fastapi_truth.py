"""Dump a FastAPI/Starlette app's routes and dependency trees as JSON (benchmark only; runs INSIDE the app's venv).

Usage (normally through build.py):
    <venv>/bin/python fastapi_truth.py --checkout DIR --runtime '{"factory": "pkg.main:app", ...}'

runtime keys:
- "factory": "module:attribute" naming the app object, or a callable that returns it
  (called with "factory_args" as keyword arguments); "env" (set before import);
  "sys_path" (entries relative to the checkout, prepended; default ["."]);
  "chdir" (directory relative to the checkout to run in; default the checkout).
- "auth_dependencies" / "authz_dependencies": {fnmatch pattern: evidence}.  A route whose
  dependency tree holds a call matching a pattern gets auth (authorization) true with that
  evidence.  The patterns name dependencies the manifest's author read and found to reject an
  anonymous request (401/403) or to check a role/scope/owner.  Security schemes
  (`fastapi.security.*` instances) with `auto_error=True` count as auth by themselves: they
  answer a request without the credential with 401/403 (FastAPI `fastapi/security/*.py`).
  A pattern naming a class also matches class dependencies deriving from it (class-based
  views whose `__init__` FastAPI injects, e.g. fastapi-utils `@cbv(router)`).
- "unguarded_is_public": routes with no such dependency get auth/authorization false
  (after the app's middleware was read and found not to reject anonymous requests).
- "builtin_paths": extra paths to mark builtin (the app's docs/openapi URLs always are).

Walks `app.routes` recursively: Starlette `Mount`s (sub-apps and routers, their path
prefixed), FastAPI >= 0.137 included-router nodes (their effective routes carry the full
path and the dependencies of every include level), `APIRoute`, Starlette `Route`
(methods as Starlette serves them, minus the implicit HEAD) and websocket routes
(method "WEBSOCKET").  For each route: methods, full path, handler module:qualname,
and the dependency tree (`route.dependant` recursively, router/include/app-level ones
included by FastAPI itself) as a preorder list of "module:qualname" strings, with
OAuth2 scopes as `[scope,...]`.
"""

from __future__ import annotations

import fnmatch
import inspect
import sys
from typing import Any

import extractor_cli  # sibling module: a script's folder is sys.path[0]


def call_name(call: Any) -> str:
    """module:qualname of a dependency: a function, a class, or a callable instance (`Cls()`)."""
    if call is None:
        return "?"
    inner = inspect.unwrap(call) if inspect.isfunction(call) else call
    if inspect.isfunction(inner) or inspect.ismethod(inner) or inspect.isclass(inner):
        return f"{getattr(inner, '__module__', '?')}:{getattr(inner, '__qualname__', repr(inner))}"
    cls = type(inner)
    if cls.__name__ == "partial" and hasattr(inner, "func"):
        return call_name(inner.func) + "(partial)"
    return f"{cls.__module__}:{cls.__qualname__}()"


def scheme_rejects(call: Any) -> str:
    """Evidence when `call` is a fastapi.security scheme instance that rejects a missing credential."""
    cls = type(call)
    if not cls.__module__.startswith("fastapi.security") and not any(
        c.__module__.startswith("fastapi.security") for c in cls.__mro__[1:]
    ):
        return ""
    if getattr(call, "auto_error", True):
        return f"runtime: {cls.__name__}(auto_error=True) rejects a request without the credential"
    return ""


def dependency_tree(dependant: Any) -> tuple[list[str], list[Any]]:
    """Preorder names of every dependency under `dependant` (its own call excluded), and the calls."""
    names: list[str] = []
    calls: list[Any] = []

    def visit(dep: Any, depth: int) -> None:
        for sub in getattr(dep, "dependencies", []) or []:
            name = call_name(sub.call)
            scopes = getattr(sub, "own_oauth_scopes", None) or getattr(sub, "security_scopes", None)
            if scopes:
                name += "[" + ",".join(scopes) + "]"
            names.append("  " * depth + name)
            calls.append(sub.call)
            if depth < 20:
                visit(sub, depth + 1)

    visit(dependant, 0)
    return names, calls


def endpoint_name(endpoint: Any) -> str:
    if endpoint is None:
        return "?"
    inner = inspect.unwrap(endpoint) if inspect.isfunction(endpoint) else endpoint
    if not (inspect.isfunction(inner) or inspect.ismethod(inner) or inspect.isclass(inner)):
        return call_name(inner)
    return f"{getattr(inner, '__module__', '?')}:{getattr(inner, '__qualname__', repr(inner))}"


def walk(
    routes: list[Any], prefix: str, out: list[dict[str, Any]], builtin: set[str], depth: int = 0
) -> None:
    """Every served route under `routes`, with `prefix` (a Mount's path) prepended.

    `builtin` collects the docs/openapi URLs of every (sub-)application met on the way."""
    from starlette.routing import Mount, Route, WebSocketRoute

    if depth > 30:
        return
    for route in routes:
        if hasattr(route, "effective_candidates"):  # FastAPI >= 0.137 included router
            walk(route.effective_candidates(), prefix, out, builtin, depth + 1)
            walk(route.effective_low_priority_routes(), prefix, out, builtin, depth + 1)
            continue
        if hasattr(route, "original_route") and getattr(route, "starlette_route", None):
            route = route.starlette_route
        if isinstance(route, Mount):
            inner = getattr(route, "routes", None) or []
            if not inner:
                out.append(
                    {
                        "method": "*",
                        "path": prefix + route.path + "/{path}",
                        "handler": endpoint_name(route.app),
                        "kind": "Mount",
                        "builtin": True,  # a mounted ASGI app without routes (StaticFiles)
                    }
                )
            builtin |= {prefix + route.path + p for p in docs_paths(route.app)}
            walk(inner, prefix + route.path, out, builtin, depth + 1)
            continue
        path = getattr(route, "path", None)
        if path is None:
            continue
        full = prefix + path
        dependant = getattr(route, "dependant", None)
        names, calls = dependency_tree(dependant) if dependant is not None else ([], [])
        endpoint = getattr(route, "endpoint", None)
        if isinstance(route, WebSocketRoute) or type(route).__name__ == "APIWebSocketRoute":
            methods = ["WEBSOCKET"]
        else:
            methods = sorted(getattr(route, "methods", None) or ["*"])
            if isinstance(route, Route) and "GET" in methods:
                methods = [m for m in methods if m != "HEAD"]  # Starlette's implicit HEAD
            if "HEAD" in methods and "GET" in methods:
                methods.remove("HEAD")
        for method in methods:
            item: dict[str, Any] = {
                "method": method,
                "path": full,
                "handler": endpoint_name(endpoint),
                "kind": type(getattr(route, "original_route", route)).__name__,
            }
            if names:
                item["dependencies"] = names
            item["_calls"] = calls
            out.append(item)


def flags(route: dict[str, Any], runtime: dict[str, Any], builtin: set[str]) -> None:
    calls = route.pop("_calls", [])
    names = [n.strip() for n in route.get("dependencies", [])]
    if route["path"] in builtin:
        route["builtin"] = True
    for flag, evidence, key in (
        ("auth", "auth_evidence", "auth_dependencies"),
        ("authorization", "authz_evidence", "authz_dependencies"),
    ):
        patterns: dict[str, str] = runtime.get(key, {})
        hits = [
            f"{name}: {why}"
            for name in names
            for pattern, why in patterns.items()
            if fnmatch.fnmatchcase(name.split("[")[0], pattern)
        ]
        hits += [  # a class dependency (cbv controller) deriving from a class the patterns name
            f"{call_name(c)} (subclass of {base}): {why}"
            for c in calls
            if inspect.isclass(c)
            for base in [call_name(b) for b in c.__mro__[1:]]
            for pattern, why in patterns.items()
            if fnmatch.fnmatchcase(base, pattern)
        ]
        if flag == "auth":
            hits += [
                f"{call_name(c)}: {why}"
                for c in calls
                if (why := scheme_rejects(c)) and c is not None
            ]
        if hits:
            route[flag], route[evidence] = True, "; ".join(dict.fromkeys(hits))
        elif runtime.get("unguarded_is_public"):
            route[flag], route[evidence] = (
                False,
                "runtime: no rejecting dependency in the tree (middleware read)",
            )


def docs_paths(app: Any) -> set[str]:
    """The docs/openapi routes FastAPI adds to `app` itself (frameworks.md 2.1)."""
    found = set()
    for attr in ("openapi_url", "docs_url", "redoc_url", "swagger_ui_oauth2_redirect_url"):
        value = getattr(app, attr, None)
        if isinstance(value, str) and value:
            found.add(value)
    return found


def extract(checkout: str, runtime: dict[str, Any]) -> list[dict[str, Any]]:
    app = extractor_cli.load_app(checkout, runtime, "routes")
    walked: list[dict[str, Any]] = []
    builtin = set(runtime.get("builtin_paths", [])) | docs_paths(app)
    walk(list(app.routes), "", walked, builtin)
    found, seen = [], set()
    for route in walked:  # the first route for (method, path) is the one Starlette serves
        if (route["method"], route["path"]) not in seen:
            seen.add((route["method"], route["path"]))
            flags(route, runtime, builtin)
            found.append(route)
    return found


def main() -> int:
    return extractor_cli.run(
        "Print a FastAPI/Starlette app's routes and dependency trees as JSON.", extract
    )


if __name__ == "__main__":
    sys.exit(main())
