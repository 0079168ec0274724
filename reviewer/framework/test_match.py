"""Does a recorded test request (or direct call) exercise a route?

Route paths are templates in each framework's syntax (`/users/<int:uid>`, `/users/{uid}`,
`^users/(?P<pk>[^/.]+)/$`, `{name:\\d+}`); a test path is a literal with `{}` where the test
interpolated a value. Both are normalised (scheme/host, query string and trailing slash removed)
and every template parameter (reviewer/http.py reads the syntax) matches one path segment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from reviewer.framework.test_calls import REF
from reviewer.http import path_parameters

_DRF_ACTIONS = {
    "list": ("list", "create"),
    "detail": ("retrieve", "update", "partial_update", "destroy"),
}


def _clean(path: str, template: bool = False) -> str:
    path = re.sub(r"^[a-z]+://[^/]+", "", path)
    if not template:
        path = path.split("?", 1)[0].split("#", 1)[0]
    path = path.strip("^$")
    path = path.replace("\\.", ".").replace("\\/", "/")
    if not path.startswith("/"):
        path = "/" + path
    return path.rstrip("/") or "/"


# Express/Fastify/Koa/Hono parameters: `/:id`, `/:id?`, `/:id(\\d+)` (a segment of its own)
_NODE_PARAM = re.compile(r"(?<=/):(\w+)(?:\([^)]*\))?\??")


@cache
def route_regex(template: str) -> re.Pattern[str]:
    """A regex matching the concrete paths of a route template."""
    path = _NODE_PARAM.sub(r"{\1}", _clean(template, template=True))
    pieces: list[str] = []
    last = 0
    for param in path_parameters(path):
        pieces.append(re.escape(path[last : param.start]))
        pieces.append(".+" if param.converter == "path" else "[^/]+")
        last = param.end
    pieces.append(re.escape(path[last:]))
    regex = "".join(pieces).replace(re.escape("{}"), "[^/]+")
    return re.compile(f"^{regex}$")


def path_matches(template: str, tested: str) -> bool:
    concrete = _clean(tested).replace("{}", "1")
    return bool(route_regex(template).match(concrete))


def _method_ok(route_methods: Iterable[str], method: str) -> bool:
    methods = {m.upper() for m in route_methods}
    return not methods or "*" in methods or method == "*" or method.upper() in methods


def _name_matches(route: Any, name: str) -> bool:
    url_name = getattr(route, "url_name", "")
    if route.framework == "flask" and url_name:
        # url_for("ui.ui_edit.edit_page"): a nested blueprint's name is "<parent>.<child>"
        return bool(url_name) and (name == url_name or name.endswith("." + url_name))
    name = name.split(":")[-1]
    handler = route.handler.rsplit(".", 1)[-1]
    if name in (handler, route.handler) or name == url_name:
        return True
    base, _, kind = name.rpartition("-")
    view = (route.view_class or "").lower()
    if base and view and base.replace("-", "").replace("_", "") in view:
        if kind in _DRF_ACTIONS:
            return route.action in _DRF_ACTIONS[kind]
        return kind.replace("-", "_") == route.action
    return False


def tests_for(route: Any, test_facts: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The test files that exercise `route` (by HTTP through a test client, or directly)."""
    found: list[str] = []
    for path, facts in sorted(test_facts.items()):
        if _covers(route, facts):
            found.append(path)
    return found


def _covers(route: Any, facts: Mapping[str, Any]) -> bool:
    for request in facts.get("requests", []):
        if not _method_ok(route.methods, request.get("method") or "*"):
            continue
        tested = list(request.get("paths") or ())
        if request.get("path"):
            tested.append(request["path"])
        if any(path_matches(route.path, t) for t in tested):
            return True
        name = request.get("name")
        if name is not None and _name_matches(route, name):
            return True
    direct = {route.qualname}
    prefix = f"{route.module}.{route.view_class}." if route.view_class else None
    for called in facts.get("calls", []):
        if called in direct or (prefix is not None and called.startswith(prefix)):
            return True
    return False


_REF = re.compile(f"{REF}([^{REF}]+){REF}")


def module_of(relpath: str) -> str:
    """`../tests/utils/api_routes/__init__.py` -> `tests.utils.api_routes`: the name test code
    imports it by (a folder beside the reviewed one keeps its project-relative name)."""
    parts = [p for p in relpath.removesuffix(".py").split("/") if p not in ("..", ".")]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve_references(test_facts: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The test facts with every reference to another test module's URL constant or builder
    (`api_routes.recipes`, `api_routes.recipes_slug(slug)`) replaced by its value; a request
    path whose reference stays unknown is dropped (it names no route we can tell)."""
    table: dict[str, str] = {}
    for path, facts in test_facts.items():
        module = module_of(path)
        for name, value in (facts.get("exports") or {}).items():
            table[f"{module}.{name}"] = value

    def substitute(text: str, depth: int = 0) -> str | None:
        if REF not in text:
            return text
        if depth > 4:
            return None
        missing = False

        def one(match: re.Match[str]) -> str:
            nonlocal missing
            value = table.get(match.group(1))
            if value is None:
                missing = True
                return ""
            return value

        done = _REF.sub(one, text)
        return None if missing else substitute(done, depth + 1)

    resolved: dict[str, Any] = {}
    for path, facts in test_facts.items():
        requests = []
        for request in facts.get("requests", []):
            paths = [p for p in (substitute(t) for t in request.get("paths") or ()) if p]
            if request.get("paths") and not paths and request.get("name") is None:
                continue
            requests.append({**request, "paths": paths})
        resolved[path] = {**facts, "requests": requests}
    return resolved
