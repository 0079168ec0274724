"""Dump a Flask app's URL map as JSON routes (benchmark only; runs INSIDE the app's venv).

Usage (normally through build.py):
    <venv>/bin/python flask_truth.py --checkout DIR --runtime '{"factory": "pkg:create_app", ...}'

runtime keys: "factory" ("module:callable" called with no arguments, or
"module:attribute" naming the app object), "env" (set before import),
"sys_path" (entries relative to the checkout, prepended), "factory_args"
(keyword arguments for the factory), "auth_decorators"/"authz_decorators"
(names of the app's guard decorators: a route wrapped by one gets auth or
authorization true with "runtime: decorator NAME" as evidence; others get false
when "unguarded_is_public" is true, after the app's before_request hooks were
read and found not to reject anonymous requests), "builtin_endpoints".  Implicit HEAD/OPTIONS and `static`
endpoints are left out.  Flask-RESTful/RESTX resources are reported as
`module:Class.method`, with their `method_decorators`/`decorators` names as a
runtime auth hint in "decorators" (the label decides auth).
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

import extractor_cli  # sibling module: a script's folder is sys.path[0]


def wrapper_names(func: Any) -> tuple[Any, list[str]]:
    """Unwrap functools.wraps chains; the wrappers' code names say which decorators were applied."""
    names = []
    while hasattr(func, "__wrapped__"):
        code = getattr(func, "__code__", None)
        names.append(code.co_qualname.split(".<locals>")[0] if code else repr(func))
        func = func.__wrapped__
    return func, names


def handler_name(view: Any, method: str) -> tuple[str, list[str]]:
    """module:qualname of what serves `method`, and the decorator names the run time can see."""
    cls = getattr(view, "view_class", None)
    decorators: list[str] = []
    if cls is not None:
        for attr in ("method_decorators", "decorators"):
            decs = getattr(cls, attr, None) or []
            if isinstance(decs, dict):
                decs = list(decs.get(method.lower(), [])) + list(decs.get("*", []))
            decorators += [getattr(d, "__name__", repr(d)) for d in decs]
        meth, names = wrapper_names(getattr(cls, method.lower(), None) or cls.dispatch_request)
        return (
            f"{cls.__module__}:{getattr(meth, '__qualname__', cls.__qualname__)}",
            decorators + names,
        )
    inner, names = wrapper_names(view)
    return (
        f"{getattr(inner, '__module__', '?')}:{getattr(inner, '__qualname__', repr(inner))}",
        names,
    )


def routes(app: Any) -> list[dict[str, Any]]:
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        view = app.view_functions.get(rule.endpoint)
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            handler, decorators = handler_name(view, method)
            route = {"method": method, "path": path, "handler": handler, "endpoint": rule.endpoint}
            if decorators:
                route["decorators"] = decorators
            out.append(route)
    return out


def guard_flags(route: dict[str, Any], runtime: dict[str, Any]) -> None:
    """Auth/authorization from the decorator names the run time reports, as the manifest configures."""
    decorators = route.get("decorators", [])
    if route["endpoint"] in runtime.get("builtin_endpoints", []):
        route["builtin"] = True
    for flag, evidence, names in (
        ("auth", "auth_evidence", runtime.get("auth_decorators", [])),
        ("authorization", "authz_evidence", runtime.get("authz_decorators", [])),
    ):
        hits = [d for d in decorators if d in names]
        if hits:
            route[flag], route[evidence] = True, "runtime: decorator " + ", ".join(hits)
        elif runtime.get("unguarded_is_public"):
            route[flag], route[evidence] = (
                False,
                "runtime: no guard decorator (before_request hooks read)",
            )


def with_flags(found: list[dict[str, Any]], runtime: dict[str, Any]) -> list[dict[str, Any]]:
    for route in found:
        guard_flags(route, runtime)
    return found


def extract(checkout: str, runtime: dict[str, Any]) -> list[dict[str, Any]]:
    return with_flags(
        routes(
            extractor_cli.load_app(
                checkout,
                runtime,
                "url_map",
                os.path.join(os.path.dirname(os.path.abspath(__file__)), "factories"),
            )
        ),
        runtime,
    )


def main() -> int:
    return extractor_cli.run("Print a Flask app's routes from app.url_map as JSON.", extract)


if __name__ == "__main__":
    sys.exit(main())
