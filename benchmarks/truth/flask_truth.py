"""Dump a Flask app's URL map as JSON routes (benchmark only; runs INSIDE the app's venv).

Usage (normally through build.py):
    <venv>/bin/python flask_truth.py --checkout DIR --runtime '{"factory": "pkg:create_app", ...}'

runtime keys: "factory" ("module:callable" called with no arguments, or
"module:attribute" naming the app object), "env" (set before import),
"sys_path" (entries relative to the checkout, prepended), "factory_args"
(keyword arguments for the factory).  Implicit HEAD/OPTIONS and `static`
endpoints are left out.  Flask-RESTful/RESTX resources are reported as
`module:Class.method`, with their `method_decorators`/`decorators` names as a
runtime auth hint in "decorators" (the label decides auth).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import sys
from typing import Any


def load_app(checkout: str, runtime: dict[str, Any]) -> Any:
    os.environ.update({k: str(v) for k, v in runtime.get("env", {}).items()})
    for entry in reversed(runtime.get("sys_path", ["."])):
        sys.path.insert(0, os.path.join(checkout, entry))
    os.chdir(checkout)
    module_name, _, attr = runtime["factory"].partition(":")
    obj = getattr(importlib.import_module(module_name), attr or "app")
    if callable(obj) and not hasattr(obj, "url_map"):
        obj = obj(**runtime.get("factory_args", {}))
    return obj


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
        meth = getattr(cls, method.lower(), None) or cls.dispatch_request
        return f"{cls.__module__}:{getattr(meth, '__qualname__', cls.__qualname__)}", decorators
    inner = view
    while hasattr(inner, "__wrapped__"):
        decorators.append(getattr(inner, "__name__", ""))
        inner = inner.__wrapped__
    return (
        f"{getattr(inner, '__module__', '?')}:{getattr(inner, '__qualname__', repr(inner))}",
        decorators,
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


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Print a Flask app's routes from app.url_map as JSON."
    )
    parser.add_argument("--checkout", required=True, help="the app's checkout directory")
    parser.add_argument("--runtime", required=True, help="the manifest's runtime object, as JSON")
    ns = parser.parse_args()
    real_stdout, sys.stdout = (
        sys.stdout,
        sys.stderr,
    )  # the app's own prints must not corrupt the JSON
    app = load_app(ns.checkout, json.loads(ns.runtime))
    found = routes(app)
    sys.stdout = real_stdout
    json.dump({"routes": found}, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
