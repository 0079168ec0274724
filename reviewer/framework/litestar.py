"""Litestar: route handlers, Controllers, Routers and the app, the guards and the auth middleware
at every layer, and the routes they make.

How Litestar composes an application (the pages are under https://docs.litestar.dev/2/, listed
in full at the end):

- a route handler is a function or Controller method decorated with `@get/@post/@put/@patch/
  @delete/@head`, `@route(http_method=...)` or `@websocket`; its path (default "/") may be a
  list of paths;
- a `Controller` subclass groups handler methods under its `path` class attribute; a
  `Router(path=..., route_handlers=[...])` groups handlers, controllers and routers; the
  `Litestar(route_handlers=[...])` app is the root ("/"), and `app.register(x)` adds one later;
- `guards`, `middleware`, `dependencies` and `opt` may be set on every layer (app, router,
  controller, handler) and all of them apply, outermost first; extra keywords of a handler
  decorator (`exclude_from_auth=True`) go into its `opt`, a layer's `opt` is merged with the
  handler's winning;
- a guard is a callable `(connection, route_handler) -> None` that refuses a request by
  raising (`NotAuthorizedException` 401, `PermissionDeniedException` 403;
  usage/security/guards.html): it counts as authentication when it raises while reading the
  caller (`connection.user` / `.auth`), as authorization when it checks a role, permission,
  scope or admin flag; one that raises on something else (an IP list) guards neither;
- authentication is middleware: an `AbstractAuthenticationMiddleware` subclass whose
  `authenticate_request` raises for a request without credentials
  (reference/middleware/authentication.html), or a security config (`JWTAuth`,
  `JWTCookieAuth`, `OAuth2PasswordBearerAuth`, `SessionAuth`) whose middleware raises
  `NotAuthorizedException` without a token or session (usage/security/jwt.html,
  usage/security/security-backends.html), installed with `on_app_init=[auth.on_app_init]`, a call of
  `auth.on_app_init(app_config)` (a plugin's `on_app_init`) or `middleware=[auth.middleware]`.
  Every route it wraps needs a user except those whose path a regex of its `exclude` finds
  (searched, not anchored), those whose merged `opt` holds its `exclude_opt_key`
  (`exclude_from_auth`) and those served only by its `exclude_http_methods`
  (usage/security/excluding-and-including-endpoints.html).

A plugin's `on_app_init(app_config)` (usage/plugins/index.html) that appends literal handlers,
guards or middleware to `app_config` configures the app. What cannot be followed statically:
lists a plugin receives as arguments or builds in variables. A Controller or handler no app or
router reaches is listed at its own path (as if registered on the app), like an APIRouter that
is never included. An exclude pattern that names a path from its start is taken as meant; one
found further inside, or "/", as the accident the docs warn of.

References:
- https://docs.litestar.dev/2/usage/routing/overview.html
- https://docs.litestar.dev/2/usage/routing/handlers.html
- https://docs.litestar.dev/2/reference/router.html
- https://docs.litestar.dev/2/reference/controller.html
- https://docs.litestar.dev/2/usage/security/guards.html
- https://docs.litestar.dev/2/reference/middleware/authentication.html
- https://docs.litestar.dev/2/usage/security/jwt.html
- https://docs.litestar.dev/2/usage/security/security-backends.html
- https://docs.litestar.dev/2/usage/security/excluding-and-including-endpoints.html
- https://docs.litestar.dev/2/reference/middleware/rate_limit.html
- https://docs.litestar.dev/2/usage/plugins/index.html
- https://docs.litestar.dev/2/usage/dependency-injection.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from reviewer.context import is_test_path
from reviewer.framework import body
from reviewer.framework import guards as g
from reviewer.framework.common import make_route
from reviewer.framework.index import Def, Index, qualified
from reviewer.framework.values import is_call, ref, tail, text
from reviewer.service import AUTHENTICATION, AUTHORIZATION, RATE_LIMIT, Guard, Route

FRAMEWORK = "litestar"
APP_CTORS = frozenset({"litestar.Litestar", "litestar.app.Litestar"})
ROUTER_CTORS = frozenset({"litestar.Router", "litestar.router.Router"})
CONTROLLER_BASES = frozenset({"litestar.Controller", "litestar.controller.Controller"})
AUTH_MIDDLEWARE_BASES = frozenset(
    {
        "litestar.middleware.authentication.AbstractAuthenticationMiddleware",
        "litestar.middleware.AbstractAuthenticationMiddleware",
    }
)
DEFINE_MIDDLEWARE = frozenset(
    {"litestar.middleware.DefineMiddleware", "litestar.middleware.base.DefineMiddleware"}
)
# The security configs whose authentication middleware raises NotAuthorizedException for a
# request without a token (JWT) or a session (SessionAuth); subclasses of their bases too.
SECURITY_CONFIGS = frozenset(
    {
        "litestar.security.jwt.JWTAuth",
        "litestar.security.jwt.JWTCookieAuth",
        "litestar.security.jwt.OAuth2PasswordBearerAuth",
        "litestar.security.jwt.auth.JWTAuth",
        "litestar.security.jwt.auth.JWTCookieAuth",
        "litestar.security.jwt.auth.OAuth2PasswordBearerAuth",
        "litestar.security.session_auth.SessionAuth",
        "litestar.security.session_auth.auth.SessionAuth",
        "litestar.contrib.jwt.JWTAuth",
        "litestar.contrib.jwt.JWTCookieAuth",
        "litestar.contrib.jwt.OAuth2PasswordBearerAuth",
        "litestar.security.base.AbstractSecurityConfig",
        "litestar.security.jwt.BaseJWTAuth",
    }
)
# `RateLimitConfig(rate_limit=("minute", 10))` installed with `middleware=[config.middleware]`
# limits every route it wraps but the ones its `exclude` finds or whose opt holds its
# `exclude_opt_key` (reference/middleware/rate_limit.html).
RATE_LIMIT_CONFIGS = frozenset(
    {"litestar.middleware.rate_limit.RateLimitConfig", "litestar.middleware.RateLimitConfig"}
)
VERBS = {
    "get": ("GET",),
    "post": ("POST",),
    "put": ("PUT",),
    "patch": ("PATCH",),
    "delete": ("DELETE",),
    "head": ("HEAD",),
    "websocket": ("WEBSOCKET",),
    "websocket_listener": ("WEBSOCKET",),
    "websocket_stream": ("WEBSOCKET",),
    "asgi": ("*",),  # `@asgi(path, is_mount=True)`: an ASGI app answering every method
}
HTTP_METHOD_NAMES = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"})
DEFAULT_OPT_KEY = "exclude_from_auth"
# AbstractSecurityConfig.exclude_http_methods defaults to OPTIONS and HEAD; a bare
# AbstractAuthenticationMiddleware excludes none unless told (litestar/security/base.py).
CONFIG_EXCLUDED_METHODS = frozenset({"OPTIONS", "HEAD"})
LEVELS = {"app": "app", "router": "router", "controller": "class", "handler": "route"}
# `exclude` patterns come from the reviewed code; a nested quantifier could make the regex
# engine backtrack for minutes on a path, so such a pattern is not run (the route stays covered).
# a repeated group or a backreference, or more than a few unbounded repeats (`.*.*.*.*x`
# backtracks polynomially in their number): not run
_REPEATED_GROUP = re.compile(r"\)\s*[*+{]|\\[1-9]")
_REPEAT = re.compile(r"(?<!\\)[*+]|(?<!\\)\{\d*,\}")
_MAX_REPEATS = 3
_MAX_PATTERN = 300
# A route tree is walked at most this many steps: the reviewed code may nest a router in
# itself or fan one router out into many (Python would refuse the first at start-up).
_MAX_STEPS = 20_000


@dataclass(frozen=True)
class AuthMiddleware:
    """An authentication (or rate-limit) middleware wrapping some routes, with what it lets
    through."""

    name: str
    file: str
    line: int
    level: str  # middleware (app-wide) | router | class | route
    exclude: tuple[str, ...] = ()
    opt_key: str = DEFAULT_OPT_KEY
    methods: frozenset[str] = frozenset()
    kind: str = AUTHENTICATION


@dataclass
class Layer:
    """One layer of the route tree (app, router, controller, handler) and what it sets."""

    kind: str
    name: str
    file: str
    line: int
    paths: tuple[str, ...] = ("/",)
    guards: list[Any] = field(default_factory=list)
    middleware: list[Any] = field(default_factory=list)
    opt: dict[str, Any] = field(default_factory=dict)
    dependencies: dict[str, Any] = field(default_factory=dict)
    auth: list[AuthMiddleware] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Litestar:
    """The Litestar apps, routers, controllers and handlers of a project, and their routes."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.configs = {
            name: d
            for name, d in index.defs.items()
            if d.kind == "object" and d.qualname == name and self._is_config(d)
        }
        # (name, where, the call); an app a test builds around the service's handlers is
        # scaffolding: it must not lend them its prefix or guards
        self.apps: list[tuple[str, Def, dict[str, Any]]] = []
        for name, d in index.defs.items():
            if d.qualname != name or is_test_path(d.file):
                continue
            if d.kind == "object" and index.canonical(ref(d.record)) in APP_CTORS:
                self.apps.append((name, d, d.record))
            elif d.kind == "function":
                for call in d.record.get("returns_calls", []):
                    if index.canonical(ref(call)) in APP_CTORS:
                        self.apps.append((f"{name}()", d, call))
        self.registered: dict[str, list[Any]] = {}  # app name -> `app.register(x)` arguments
        for relpath, f in index.facts.items():
            for reg in [] if is_test_path(relpath) else f["registrations"]:
                if reg["method"] == "register" and reg["args"]:
                    self.registered.setdefault(index.canonical(reg["recv"]), []).append(
                        reg["args"][0]
                    )
        self.installed = self._installed_by_call()
        self.plugin_notes: list[str] = []
        self.plugin: dict[str, list[Any]] = self._plugin_additions()
        self.reached: set[str] = set()
        self.steps = 0

    # -- the tree -----------------------------------------------------------------------
    def routes(self) -> list[Route]:
        routes: list[Route] = []
        for name, d, call in self.apps:
            layer = self._app_layer(name, d, call)
            entries = [*self._entries(call), *self.registered.get(name, [])]
            if len(self.apps) == 1:
                entries += self.plugin["route_handlers"]
            routes += self._walk_all(entries, [layer], 0)
        if len(self.apps) != 1 and self.plugin["route_handlers"]:
            base = Layer("app", "", "", 0)
            self._add_plugin_layer(base)
            routes += self._walk_all(self.plugin["route_handlers"], [base], 0)
        unreached = [entry for entry in self._roots() if entry not in self.reached]
        if unreached:
            # not reached from an app: served by the project's one app if it has one
            if len(self.apps) == 1:
                name, d, call = self.apps[0]
                base = self._app_layer(name, d, call)
            else:
                base = Layer("app", "", "", 0)
                self._add_plugin_layer(base)
            routes += self._walk_all([{"ref": name} for name in unreached], [base], 0)
        return routes

    def _roots(self) -> list[str]:
        """Every project Controller that no project Controller derives from, and every handler
        function outside a class: what a Litestar app may register."""
        found: list[str] = []
        bases: set[str] = set()
        for name, d in self.index.defs.items():
            if d.qualname == name and d.kind == "class" and self._is_controller(name):
                found.append(name)
                bases.update(self.index.ancestors(name))
        found = [name for name in found if name not in bases]
        for name, d in self.index.defs.items():
            if (
                d.qualname == name
                and d.kind == "function"
                and not d.record["class"]
                and self._handler_decorator(d) is not None
            ):
                found.append(name)
        return sorted(found)

    def _walk_all(self, entries: list[Any], chain: list[Layer], depth: int) -> list[Route]:
        routes: list[Route] = []
        for entry in entries:
            routes += self._walk(entry, chain, depth)
        return routes

    def _walk(self, entry: Any, chain: list[Layer], depth: int) -> list[Route]:
        """The routes of one `route_handlers` entry below the layers `chain`."""
        self.steps += 1
        if depth > 12 or self.steps > _MAX_STEPS:
            return []
        if isinstance(entry, dict) and "star" in entry:
            return self._walk_all(self._list(entry["star"]), chain, depth + 1)
        if isinstance(entry, dict) and entry.get("op") == "+":
            return self._walk_all(
                [*self._list(entry["left"]), *self._list(entry["right"])], chain, depth + 1
            )
        if is_call(entry) and self.index.canonical(ref(entry)) in ROUTER_CTORS:
            layer = self._router_layer(f"{text(entry)}", "", 0, entry)
            return self._walk_all(self._entries(entry), [*chain, layer], depth + 1)
        name = ref(entry)
        found = self.index.resolve(name) if name and not is_call(entry) else None
        if found is None:
            return self._walk_all(self._list(entry), chain, depth + 1) if name else []
        if found.kind == "object" and self.index.canonical(ref(found.record)) in ROUTER_CTORS:
            if any(layer.name == found.qualname for layer in chain):
                return []  # a router inside itself
            layer = self._router_layer(found.qualname, found.file, 0, found.record)
            return self._walk_all(self._entries(found.record), [*chain, layer], depth + 1)
        if found.kind == "class" and self._is_controller(found.qualname):
            self.reached.add(found.qualname)
            return self._controller_routes(found, chain)
        if found.kind == "function":
            verb = self._handler_decorator(found)
            if verb is not None:
                self.reached.add(found.qualname)
                return self._handler_routes(found, verb, chain)
        return []

    def _list(self, value: Any, depth: int = 0) -> list[Any]:
        """An inline list, or the module-level list a name refers to (through imports)."""
        if isinstance(value, list):
            return value
        name = ref(value)
        if not name or is_call(value) or depth > 8:
            return []
        module, _, local = name.rpartition(".")
        relpath = self.index.modules.get(module)
        if relpath is None:
            return []
        facts = self.index.facts[relpath]
        found = facts.get("lists", {}).get(local)
        if found is None:
            imported = facts["imports"].get(local)
            if imported and imported != name:
                return self._list({"ref": imported}, depth + 1)
            return []
        return found if isinstance(found, list) else []

    @staticmethod
    def _entries(call: dict[str, Any]) -> list[Any]:
        """`route_handlers=` of a Litestar/Router call (or its first positional argument; a
        Router's first positional is its path)."""
        value = call["kwargs"].get("route_handlers")
        if value is None:
            args = [a for a in call["args"] if not isinstance(a, str)]
            value = args[0] if args else []
        return value if isinstance(value, list) else [value]

    # -- layers -------------------------------------------------------------------------
    def _app_layer(self, name: str, d: Def, call: dict[str, Any]) -> Layer:
        layer = self._layer("app", name, d.file, d.record.get("line", 0), call["kwargs"], "/")
        for item in _as_list(call["kwargs"].get("on_app_init")):
            config = self._config_of(ref(item), "on_app_init")
            if config is not None:
                layer.auth.append(self._config_auth(config, "middleware"))
                layer.guards += _as_list(config.record["kwargs"].get("guards"))
        self._add_plugin_layer(layer)
        return layer

    def _add_plugin_layer(self, layer: Layer) -> None:
        """What configures every app: security configs installed by a call, and the guards and
        middleware plugins add to the app config."""
        layer.auth += [a for a in self.installed if a not in layer.auth]
        layer.guards += self.plugin["guards"]
        layer.notes += self.plugin_notes
        for item in self.plugin["middleware"]:
            found = self._middleware_auth(item, "middleware", layer.file)
            if found is not None and found not in layer.auth:
                layer.auth.append(found)

    def _plugin_additions(self) -> dict[str, list[Any]]:
        """`app_config.route_handlers.extend([...])`, `app_config.guards.append(g)`,
        `app_config.middleware.insert(0, m)` in a function handed the app's AppConfig: a
        plugin's `on_app_init` (InitPluginProtocol) or a helper typed `AppConfig`
        (usage/plugins/index.html). Lists named by variables the function builds are not
        followed."""
        found: dict[str, list[Any]] = {"route_handlers": [], "guards": [], "middleware": []}
        for relpath, f in self.index.facts.items():
            if is_test_path(relpath):
                continue
            module = f["module"]
            for reg in f["registrations"]:
                receiver, _, attr = reg["recv"].rpartition(".")
                if attr not in found or reg["method"] not in ("append", "extend", "insert"):
                    continue
                func = (
                    self.index.function(qualified(module, reg["scope"])) if reg["scope"] else None
                )
                local = receiver[len(module) + 1 :] if module else receiver
                if func is None or not any(
                    p["name"] == local
                    and (
                        p["ann_text"].strip("'\"").endswith("AppConfig")
                        or func.record["name"] == "on_app_init"
                    )
                    for p in func.record["params"]
                ):
                    continue
                args = reg["args"][1:] if reg["method"] == "insert" else reg["args"]
                if reg.get("branches") and attr != "route_handlers":
                    # a guard a setting turns on does not guard every deployment
                    self.plugin_notes.append(
                        f"{attr} added by {func.record['name']} ({func.file}) only on one branch"
                        " of an if: not counted"
                    )
                    continue
                for value in args[:1]:
                    items = self._items(value) if reg["method"] == "extend" else [value]
                    found[attr] += items
        return found

    def _items(self, value: Any) -> list[Any]:
        """A list value: inline, or the module-level list a name refers to, else the value."""
        if value is None:
            return []
        if isinstance(value, list):
            return value
        return self._list(value) or [value]

    def _router_layer(self, name: str, file: str, line: int, call: dict[str, Any]) -> Layer:
        path = call["kwargs"].get("path", call["args"][0] if call["args"] else "/")
        return self._layer("router", name, file, line, call["kwargs"], path)

    def _layer(
        self, kind: str, name: str, file: str, line: int, values: dict[str, Any], path: Any
    ) -> Layer:
        paths = tuple(p for p in _as_list(path) if isinstance(p, str)) or ("/",)
        opt = values.get("opt")
        layer = Layer(
            kind,
            name,
            file,
            line,
            paths if kind == "handler" else paths[:1],
            guards=self._items(values.get("guards")),
            middleware=self._items(values.get("middleware")),
            opt=_literal_dict(opt),
            dependencies=_literal_dict(values.get("dependencies")),
        )
        if kind == "handler":
            # every other keyword of a handler decorator goes into its `opt`
            layer.opt = {
                **{k: v for k, v in values.items() if isinstance(v, bool | str | int)},
                **layer.opt,
            }
        layer.auth = [
            a
            for item in layer.middleware
            if (a := self._middleware_auth(item, LEVELS[kind], file)) is not None
        ]
        return layer

    def _controller_layer(self, klass: Def) -> Layer:
        values: dict[str, Any] = {}
        for attr in ("path", "guards", "middleware", "opt", "dependencies"):
            found = self.index.class_attr(klass.qualname, attr)
            if found is not None:
                values[attr] = found[0]
        return self._layer(
            "controller",
            klass.qualname,
            klass.file,
            klass.record["line"],
            values,
            values.get("path", "/"),
        )

    # -- routes -------------------------------------------------------------------------
    def _controller_routes(self, klass: Def, chain: list[Layer]) -> list[Route]:
        layer = self._controller_layer(klass)
        routes: list[Route] = []
        for method, owner in sorted(self.index.class_methods(klass.qualname).items()):
            func = self.index.function(f"{owner}.{method}")
            verb = self._handler_decorator(func) if func is not None else None
            if func is not None and verb is not None:
                routes += self._handler_routes(func, verb, [*chain, layer], klass)
        return routes

    def _handler_decorator(self, func: Def) -> tuple[tuple[str, ...], dict[str, Any]] | None:
        """(methods, the decorator call) when the function is a Litestar route handler."""
        for dec in func.record["decorators"]:
            name = self.index.canonical(ref(dec))
            if not name.startswith("litestar."):
                continue
            verb = tail(name)
            call = dec if is_call(dec) else {"args": [], "kwargs": {}}
            if verb in VERBS:
                return VERBS[verb], call
            if verb == "route":
                given = call["kwargs"].get("http_method")
                methods = tuple(
                    m for m in (_method_name(v) for v in _as_list(given)) if m in HTTP_METHOD_NAMES
                )
                return methods or ("*",), call
        return None

    def _handler_routes(
        self,
        func: Def,
        verb: tuple[tuple[str, ...], dict[str, Any]],
        chain: list[Layer],
        klass: Def | None = None,
    ) -> list[Route]:
        methods, call = verb
        path = call["kwargs"].get("path", call["args"][0] if call["args"] else "/")
        if path is None:
            path = "/"
        handler = self._layer(
            "handler", func.qualname, func.file, func.record["line"], call["kwargs"], path
        )
        layers = [*chain, handler]
        guards: list[Guard] = []
        for layer in layers:
            level = LEVELS[layer.kind]
            for item in layer.guards:
                kinds, shown = self.guard_kinds(item)
                guards += [Guard(shown, k, level, layer.file, layer.line) for k in sorted(kinds)]
        opt: dict[str, Any] = {}
        for layer in layers:
            opt.update(layer.opt)
        dependencies: dict[str, Any] = {}
        for layer in layers:
            dependencies.update(layer.dependencies)
        dependency_params: dict[str, str] = {}
        for param in func.record["params"]:
            provider = dependencies.get(param["name"])
            if provider is None:
                continue
            target = provider["args"][0] if is_call(provider) and provider["args"] else provider
            dependency_params[param["name"]] = self.index.canonical(ref(target))
            found = self.index.function(ref(target))
            if found is not None:
                for kind in sorted(self._callable_kinds(found)):
                    guards.append(
                        Guard(
                            f"Provide({found.record['name']})",
                            kind,
                            "route",
                            func.file,
                            func.record["line"],
                        )
                    )
        middlewares = [a for layer in layers for a in layer.auth]
        routes = []
        for full in self._paths(layers):
            notes: list[str] = []
            exclusions = {a: self._exclusion(a, full, methods, opt, notes) for a in middlewares}
            covering = [a for a, why in exclusions.items() if not why and a.name]
            auth = [Guard(a.name, a.kind, a.level, a.file, a.line) for a in covering]
            route = make_route(
                self.index,
                FRAMEWORK,
                methods,
                full,
                func,
                [*dict.fromkeys(auth), *guards],
                view_class=klass.record["name"] if klass is not None else "",
                action=func.record["name"] if klass is not None else "",
                notes=[*dict.fromkeys(n for layer in layers for n in layer.notes), *notes],
                dependency_params=dependency_params,
            )
            on_purpose = {
                why for a, why in exclusions.items() if a.kind == AUTHENTICATION and why != "inside"
            }
            if not route.auth and (opt.get(DEFAULT_OPT_KEY) is True or on_purpose - {""}):
                route = replace(route, public=True)  # opened in the code itself
            routes.append(route)
        return routes

    @staticmethod
    def _paths(layers: list[Layer]) -> Iterator[str]:
        """Every full path: the layers' paths joined, `{name:type}` written `{name}` (a
        `{name:path}` keeps its type: it spans segments)."""
        combos: list[list[str]] = [[]]
        for layer in layers:
            combos = [[*c, p] for c in combos for p in layer.paths]
        for combo in combos:
            parts = [s for p in combo for s in p.split("/") if s]
            path = "/" + "/".join(parts)
            yield re.sub(r"\{(\w+):(?!path\})[^{}]*\}", r"{\1}", path)

    @staticmethod
    def _exclusion(
        auth: AuthMiddleware, path: str, methods: tuple[str, ...], opt: dict[str, Any], notes: list
    ) -> str:
        """Why the middleware lets this route through, "" when it does not: "opt" (the route's
        opt holds its key), "method", "named" (an exclude pattern matches the path from its
        start through a whole segment: the route was meant), "inside" (a pattern is found
        further in, or matches only "/": the docs' warning that "/" opens every route)."""
        if auth.opt_key and opt.get(auth.opt_key):
            return "opt"
        if methods and all(m in auth.methods for m in methods):
            return "method"
        for pattern in auth.exclude:
            if (
                len(pattern) > _MAX_PATTERN
                or _REPEATED_GROUP.search(pattern)
                or len(_REPEAT.findall(pattern)) > _MAX_REPEATS
            ):
                notes.append(f"exclude pattern {pattern[:40]!r} of {auth.name} not evaluated")
                continue
            try:
                found = re.search(pattern, path)
            except re.error:
                continue
            if found is None:
                continue
            end = found.end()
            if (
                found.start() == 0
                and end > 1
                and (end == len(path) or "/" in path[end - 1 : end + 1])
            ):
                return "named"
            if auth.kind == AUTHENTICATION:
                notes.append(
                    f"{auth.name} lets it through: its exclude pattern {pattern[:40]!r} is found"
                    f" in the path {path}"
                )
            return "inside"
        return ""

    # -- guards and middleware ----------------------------------------------------------
    def guard_kinds(self, value: Any) -> tuple[set[str], str]:
        """What a `guards=[...]` item checks, by what its body does; a guard the project
        lists under `auth-decorators`/`auth-dependencies` authenticates; a guard from an
        installed package is judged by its name."""
        name = ref(value)
        if not name:
            return set(), text(value)
        canonical = self.index.canonical(name)
        shown = tail(canonical)
        configured = (*self.index.config.auth_decorators, *self.index.config.auth_dependencies)
        if any(c in (name, canonical, shown) or canonical.endswith("." + c) for c in configured):
            return {AUTHENTICATION}, shown
        found = self.index.resolve(name)
        if found is not None and found.kind == "object":  # an instance: its class's __call__
            found = self.index.resolve(ref(found.record))
        if found is not None and found.kind == "class":
            call = self.index.function(f"{found.qualname}.__call__")
            return (self._callable_kinds(call) if call is not None else set()), shown
        if found is not None and found.kind == "function":
            return self._callable_kinds(found), shown
        if found is None and canonical == name:
            if g.AUTHZ_NAME.search(shown):
                return {AUTHENTICATION, AUTHORIZATION}, shown
            if g.AUTH_NAME.search(shown):
                return {AUTHENTICATION}, shown
        return set(), shown

    def _callable_kinds(self, func: Def) -> set[str]:
        """A guard or provider (with the functions nested in it and the `self.` helpers it
        calls) refuses requests when it raises; it authenticates when it reads the caller
        (`connection.user`, `.auth`) or checks a credential, and authorizes when it checks a
        role, permission, scope or admin flag."""
        raises, reads_user, auth, authz = self._body(func)
        rejects = bool(raises) or any(g.rejects(e) for e in [*auth, *authz])
        if not rejects:
            return set()
        checks = [e for e in authz if not g.rejects(e) and not body.is_refusal(e)]
        kinds: set[str] = set()
        if reads_user or auth or checks:
            kinds.add(AUTHENTICATION)
        if checks:
            kinds.add(AUTHORIZATION)
        return kinds

    def _body(self, func: Def) -> tuple[list[Any], bool, list[str], list[str]]:
        facts = self.index.facts[func.file]
        own = func.record["qualname"]
        records = [r for q, r in facts["functions"].items() if q == own or q.startswith(own + ".")]
        klass = func.record["class"]
        if klass:
            owner = own.rpartition(".")[0]
            for called in func.record.get("calls", []):
                if str(called).startswith("self."):
                    helper = self.index.function(f"{func.module}.{owner}.{called[5:]}")
                    if helper is not None and helper.record is not func.record:
                        records.append(helper.record)
        raises = [x for r in records for x in r.get("raises", [])]
        reads_user = any(r.get("reads_user") for r in records)
        auth = [e for r in records for e in r["auth"]]
        authz = [e for r in records for e in r["authz"]]
        return raises, reads_user, auth, authz

    def _is_config(self, d: Def) -> bool:
        ctor = self.index.canonical(ref(d.record))
        return ctor in SECURITY_CONFIGS or any(
            a in SECURITY_CONFIGS for a in self.index.ancestors(ctor)
        )

    def _config_of(self, name: str, attribute: str) -> Def | None:
        """The security config `name` (`auth.on_app_init`, `auth.middleware`) belongs to."""
        receiver, _, attr = name.rpartition(".")
        if attr != attribute or not receiver:
            return None
        found = self.index.resolve(receiver)
        return found if found is not None and found.qualname in self.configs else None

    def _limiter_of(self, name: str) -> Def | None:
        """The RateLimitConfig object whose `.middleware` `name` is."""
        receiver, _, attr = name.rpartition(".")
        found = self.index.resolve(receiver) if attr == "middleware" and receiver else None
        if found is None or found.kind != "object":
            return None
        return found if self.index.canonical(ref(found.record)) in RATE_LIMIT_CONFIGS else None

    def _config_auth(self, config: Def, level: str) -> AuthMiddleware:
        kwargs = config.record["kwargs"]
        key = kwargs.get("exclude_opt_key", DEFAULT_OPT_KEY)
        methods = kwargs.get("exclude_http_methods", list(CONFIG_EXCLUDED_METHODS))
        return AuthMiddleware(
            tail(self.index.canonical(ref(config.record))),
            config.file,
            0,
            level,
            tuple(p for p in _as_list(kwargs.get("exclude")) if isinstance(p, str)),
            key if isinstance(key, str) else DEFAULT_OPT_KEY,
            frozenset(_method_name(m) for m in _as_list(methods)),
        )

    def _installed_by_call(self) -> list[AuthMiddleware]:
        """Security configs whose `on_app_init` some function calls (a plugin's own
        `on_app_init` hook, an app factory): installed on the app, so on every route."""
        found: list[AuthMiddleware] = []
        for relpath, f in self.index.facts.items():
            if is_test_path(relpath):
                continue
            for record in f["functions"].values():
                for called in record.get("calls", []):
                    config = self._config_of(str(called), "on_app_init")
                    if config is not None:
                        auth = self._config_auth(config, "middleware")
                        if auth not in found:
                            found.append(auth)
        return found

    def _middleware_auth(self, item: Any, level: str, file: str) -> AuthMiddleware | None:
        """An authentication middleware in a `middleware=[...]` list: a security config's
        `.middleware`, an AbstractAuthenticationMiddleware subclass whose
        `authenticate_request` raises, or `DefineMiddleware(cls, exclude=..., ...)` of one."""
        name = ref(item)
        config = self._config_of(name, "middleware")
        if config is not None:
            return replace(self._config_auth(config, level), level=level)
        limiter = self._limiter_of(name)
        if limiter is not None:
            settings = limiter.record["kwargs"]
            key = settings.get("exclude_opt_key")
            return AuthMiddleware(
                "RateLimitConfig",
                limiter.file,
                0,
                level,
                tuple(p for p in _as_list(settings.get("exclude")) if isinstance(p, str)),
                key if isinstance(key, str) else "",
                kind=RATE_LIMIT,
            )
        kwargs: dict[str, Any] = {}
        defined = self.index.resolve(name) if name and not is_call(item) else None
        if defined is not None and defined.kind == "object":
            item, name = defined.record, ref(defined.record)  # `auth_mw = DefineMiddleware(...)`
        if is_call(item) and self.index.canonical(name) in DEFINE_MIDDLEWARE and item["args"]:
            kwargs = item["kwargs"]
            name = ref(item["args"][0])
        klass = self.index.resolve(name)
        if klass is None or klass.kind != "class":
            return None
        if not any(a in AUTH_MIDDLEWARE_BASES for a in self.index.ancestors(klass.qualname)):
            return None
        owner = self.index.class_methods(klass.qualname).get("authenticate_request")
        method = self.index.function(f"{owner}.authenticate_request") if owner else None
        if method is None:
            return None
        raises, _, auth, authz = self._body(method)
        if not raises and not any(g.rejects(e) for e in [*auth, *authz]):
            return None  # attaches a user when there is one, turns nobody away
        key = kwargs.get("exclude_from_auth_key", DEFAULT_OPT_KEY)
        return AuthMiddleware(
            klass.record["name"],
            klass.file,
            klass.record["line"],
            level,
            tuple(p for p in _as_list(kwargs.get("exclude")) if isinstance(p, str)),
            key if isinstance(key, str) else DEFAULT_OPT_KEY,
            frozenset(_method_name(m) for m in _as_list(kwargs.get("exclude_http_methods"))),
        )

    def _is_controller(self, name: str) -> bool:
        return any(a in CONTROLLER_BASES for a in self.index.ancestors(name))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _literal_dict(value: Any) -> dict[str, Any]:
    """`{"key": value}` with string keys, else {}."""
    if not isinstance(value, dict) or "dict" not in value:
        return {}
    return {k: v for k, v in value["dict"] if isinstance(k, str)}


def _method_name(value: Any) -> str:
    """`"GET"`, `HttpMethod.GET`, `"get"` -> `GET`."""
    if isinstance(value, str):
        return value.upper()
    return tail(ref(value)).upper() if ref(value) else ""
