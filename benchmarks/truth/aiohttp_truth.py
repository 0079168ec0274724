"""Dump an aiohttp app's router (incl. sub-apps) as JSON routes (benchmark only; runs in the app's venv).

Usage (normally through build.py):
    <venv>/bin/python aiohttp_truth.py --checkout DIR --runtime '{"factory": "pkg.main:init_app", ...}'

runtime keys: "factory" ("module:callable" returning an Application, possibly
a coroutine, or "module:attribute" naming one), "factory_args" (keyword
arguments), "env", "sys_path" (relative to the checkout).  The app is built
but never started, so no on_startup hook (database connections) runs.
Sub-applications added with add_subapp are walked; aiohttp has already
prefixed their resources (`PrefixedSubAppResource` calls `add_prefix` on each),
so their canonical paths are full paths.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import sys
from typing import Any

import extractor_cli  # sibling module: a script's folder is sys.path[0]
from aiohttp import web


async def load_app(checkout: str, runtime: dict[str, Any]) -> web.Application:
    os.environ.update({k: str(v) for k, v in runtime.get("env", {}).items()})
    for entry in reversed(runtime.get("sys_path", ["."])):
        sys.path.insert(0, os.path.join(checkout, entry))
    sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "factories"))
    os.chdir(checkout)
    module_name, _, attr = runtime["factory"].partition(":")
    obj = getattr(importlib.import_module(module_name), attr or "app")
    if not isinstance(obj, web.Application):
        obj = obj(**runtime.get("factory_args", {}))
        if inspect.isawaitable(obj):
            obj = await obj
    return obj


def handler_name(handler: Any, method: str) -> str:
    if inspect.isclass(handler) and issubclass(handler, web.View):
        meth = getattr(handler, method.lower(), None)
        return f"{handler.__module__}:{getattr(meth, '__qualname__', handler.__qualname__)}"
    inner = handler
    while hasattr(inner, "__wrapped__"):
        inner = inner.__wrapped__
    return f"{getattr(inner, '__module__', '?')}:{getattr(inner, '__qualname__', repr(inner))}"


def walk(app: web.Application) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for resource in app.router.resources():
        if isinstance(resource, web.StaticResource):
            continue
        info = resource.get_info()
        if "app" in info:  # a sub-application mounted under a prefix
            out += walk(info["app"])
            continue
        path = resource.canonical
        for route in resource:
            if route.method in ("HEAD", "OPTIONS"):
                continue
            methods = [route.method]
            if (
                route.method == "*"
                and inspect.isclass(route.handler)
                and issubclass(route.handler, web.View)
            ):
                methods = [
                    m.upper()
                    for m in ("get", "post", "put", "patch", "delete")
                    if hasattr(route.handler, m)
                ]
            for method in methods:
                out.append(
                    {
                        "method": method,
                        "path": path,
                        "handler": handler_name(route.handler, method),
                        "name": route.name,
                    }
                )
    return out


async def collect(checkout: str, runtime: dict[str, Any]) -> list[dict[str, Any]]:
    return walk(await load_app(checkout, runtime))


def extract(checkout: str, runtime: dict[str, Any]) -> list[dict[str, Any]]:
    return asyncio.run(collect(checkout, runtime))


def main() -> int:
    return extractor_cli.run("Print an aiohttp app's routes (with sub-apps) as JSON.", extract)


if __name__ == "__main__":
    sys.exit(main())
