"""Flask, FastAPI and aiohttp: app/blueprint/router objects, their composition, and their routes.

A route is declared on an object (app, blueprint, router, route table). `chains(obj)` lists the
ways that object is reachable from an application: each chain is the full path prefix and the
guards attached along the way (before_request hooks, router/include dependencies, middlewares).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from reviewer.framework import guards as g
from reviewer.framework.common import CONDITIONAL, guards_from_decorators, join_flask, make_route
from reviewer.framework.index import Def, Index, qualified
from reviewer.framework.statics import expand_loops, sequence, string_value
from reviewer.framework.values import is_call, ref, tail, text
from reviewer.service import (
    AUTHENTICATION,
    AUTHORIZATION,
    NEVER_APPLIED,
    RATE_LIMIT,
    Guard,
    Route,
)

FLASK_APPS = ("flask.Flask", "apiflask.APIFlask", "quart.Quart")
FLASK_BPS = (
    "flask.Blueprint",
    "flask.blueprints.Blueprint",
    "flask_smorest.Blueprint",
    "apiflask.APIBlueprint",
    "quart.Blueprint",
)
FASTAPI_APPS = ("fastapi.FastAPI", "fastapi.applications.FastAPI")
STARLETTE_APPS = ("starlette.applications.Starlette",)
FASTAPI_ROUTERS = ("fastapi.APIRouter", "fastapi.routing.APIRouter")
AIOHTTP_APPS = ("aiohttp.web.Application", "aiohttp.web_app.Application")
AIOHTTP_TABLES = ("aiohttp.web.RouteTableDef", "aiohttp.web_routedef.RouteTableDef")
FLASK_APIS = (
    "flask_restful.Api",
    "flask_restx.Api",
    "flask_restplus.Api",
    "flask_smorest.Api",
)
FLASK_NAMESPACES = ("flask_restx.Namespace", "flask_restplus.Namespace")
VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
AIOHTTP_ADD = {f"add_{v}": v.upper() for v in VERBS}
AIOHTTP_ROUTE_DEFS = {f"aiohttp.web.{v}": v.upper() for v in VERBS}


# A path part the code computes at run time (issue 13: kept in the inventory, marked)
UNKNOWN_PART = "/{?}"

# Flask hooks that run before every view of their app/blueprint and may reject the request:
# `before_request`, and `url_value_preprocessor` (runs first, often loads and checks the object
# a URL names, redirecting to a login page when the session does not grant it).
_BEFORE_HOOKS = frozenset(
    {
        "before_request",
        "before_app_request",
        "url_value_preprocessor",
        "app_url_value_preprocessor",
    }
)


@dataclass
class Obj:
    name: str  # qualified
    framework: str
    role: str  # app | router | table
    call: dict[str, Any]
    file: str
    guards: list[Guard] = field(default_factory=list)
    parents: list[tuple[str, str | None, list[Guard]]] = field(default_factory=list)


_KINDS = (
    (FLASK_APPS, "flask", "app"),
    (FLASK_BPS, "flask", "router"),
    (FASTAPI_APPS, "fastapi", "app"),
    (STARLETTE_APPS, "starlette", "app"),
    (FASTAPI_ROUTERS, "fastapi", "router"),
    (AIOHTTP_APPS, "aiohttp", "app"),
    (AIOHTTP_TABLES, "aiohttp", "table"),
    (FLASK_APIS, "flask", "api"),
    (FLASK_NAMESPACES, "flask", "namespace"),
)


def classify(ctor: str) -> tuple[str, str] | None:
    """(framework, kind) of an object built by the constructor `ctor`, first match wins."""
    for constructors, framework, kind in _KINDS:
        if ctor in constructors:
            return framework, kind
    return None


def declared_apps(facts: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Where the project builds a web-framework app, blueprint, router or route table, or a
    Django URLconf ("flask app `app` in svc/app.py"): what `backend-review routes` names
    when none of them yields a route, so an empty inventory is never silent (issue 13 item 2)."""
    found: list[str] = []
    for relpath, f in sorted(facts.items()):
        for name, call in f.get("objects", {}).items():
            kind = classify(ref(call))
            if kind is not None:
                found.append(f"{kind[0]} {kind[1]} `{name}` in {relpath}")
        if f.get("urlpatterns"):
            found.append(f"django urlpatterns in {relpath}")
    return found


class Apps:
    """The app-like objects of a project and how they are composed."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.objs: dict[str, Obj] = {}
        self.global_guards: dict[str, list[Guard]] = defaultdict(list)  # per framework
        self.mounts: set[tuple[str, str]] = set()  # (child, parent) ASGI mounts
        for name, d in index.defs.items():
            if d.kind == "object" and d.qualname == name:  # not again under an alias name
                ctor = index.canonical(ref(d.record))
                kind = classify(ctor)
                call = d.record
                if kind is None:
                    kind, call = self._subclass(ctor, d.record)
                if kind:
                    self.objs[name] = Obj(name, kind[0], kind[1], call, d.file)
        self.hookimpls = self._hookimpls()
        self.sites: dict[str, list[tuple[dict[str, Any], str]]] = defaultdict(list)
        self.bound = self._bind_parameters()
        self.configs: dict[str, list[str]] = defaultdict(list)  # Flask app -> config classes
        self.passes: dict[Guard, list[list[Any]]] = {}  # hook guard -> its early-return branches
        # (child, parent) -> [(edge, prefix known, if branches, file)]: see _drop_alternatives
        self._edges: dict[tuple[str, str], list[tuple[Any, bool, list[Any], str]]] = {}
        self._attach()
        self._drop_alternatives()

    def _subclass(
        self, ctor: str, call: dict[str, Any]
    ) -> tuple[tuple[str, str] | None, dict[str, Any]]:
        """A project class deriving from a framework app/router class builds that kind of object
        (`class AdminRouter(APIRouter)`); what its `__init__` passes to `super().__init__` as
        literals (`dependencies=[Depends(admin)]`, `prefix="/admin"`) is part of the object,
        the constructor call's own keywords win (Python: the subclass forwards them)."""
        found = self.index.resolve(ctor)
        if found is None or found.kind != "class":
            return None, call
        chain = [found.qualname, *self.index.ancestors(found.qualname)]
        kind = next((k for k in map(classify, chain) if k is not None), None)
        if kind is None:
            return None, call
        fixed: dict[str, Any] = {}
        for cls in reversed(chain):  # the nearest subclass's `super().__init__` wins
            init = self.index.function(f"{cls}.__init__")
            sup = init.record.get("super_init") if init is not None else None
            if sup:
                fixed.update({k: v for k, v in sup["kwargs"].items() if not ref(v)})
        return kind, {**call, "kwargs": {**fixed, **call["kwargs"]}}

    def obj(self, name: str, depth: int = 0) -> Obj | None:
        """The app-like object a name refers to; a call of a factory function (`bp_factory()`)
        refers to the object the function returns (`return bp`), and so does a name bound to
        such a call (`api = create_api()`, then `app.mount("/api", api)`)."""
        found = self.index.resolve(name)
        if found is None or depth > 4:
            return None
        if found.kind == "function":
            for value in found.record.get("returns_refs", []):
                returned = self.index.resolve(ref(value))
                if returned is None:
                    continue
                if returned.qualname in self.objs:
                    return self.objs[returned.qualname]
                if returned.kind == "object" and returned.qualname != name:
                    built = self.obj(returned.qualname, depth + 1)
                    if built is not None:
                        return built
            return None
        if found.kind == "object" and found.qualname not in self.objs:
            factory = self.index.resolve(ref(found.record))
            if factory is not None and factory.kind == "function":
                return self.obj(factory.qualname, depth + 1)
        return self.objs.get(found.qualname)

    def _hookimpls(self) -> dict[str, list[Def]]:
        """pluggy hook implementations by hook name: functions decorated with a
        `HookimplMarker(project)` instance. `pm.hook.<name>(arg=...)` calls every registered
        implementation of that name with keyword arguments only
        (https://pluggy.readthedocs.io/en/stable/#calling-hooks), so its call site binds their
        parameters as a direct call would."""
        found: dict[str, list[Def]] = defaultdict(list)
        for d in self.index.defs.values():
            if d.kind != "function" or d.qualname != qualified(d.module, d.record["qualname"]):
                continue
            for dec in d.record["decorators"]:
                marker = self.index.resolve(ref(dec))
                if (
                    marker is not None
                    and marker.kind == "object"
                    and self.index.canonical(ref(marker.record))
                    in ("pluggy.HookimplMarker", "pluggy._hooks.HookimplMarker")
                ):
                    found[d.record["name"]].append(d)
                    break
        return found

    def _callees(self, call: dict[str, Any]) -> list[Def]:
        """The functions a call runs: a function, a class's `__init__`, or each pluggy hook
        implementation `pm.hook.<name>(...)` reaches when `pm` is a `PluginManager`."""
        name = ref(call)
        func = self.index.function(name)
        if func is not None:
            return [func]
        found = self.index.resolve(name)
        if found is not None and found.kind == "class":
            owner = self.index.class_methods(found.qualname).get("__init__")
            init = self.index.function(f"{owner}.__init__") if owner else None
            return [init] if init is not None else []
        manager, _, hook = name.rpartition(".hook.")
        if manager and hook.isidentifier() and self._plugin_manager(manager):
            return list(self.hookimpls.get(hook, []))
        return []

    def _plugin_manager(self, name: str) -> bool:
        """`name` is a pluggy `PluginManager` (or an instance of a project subclass of it)."""
        found = self.index.resolve(name)
        if found is None or found.kind != "object":
            return False
        ctor = self.index.canonical(ref(found.record))
        chain = [ctor, *self.index.ancestors(ctor)]
        return any(c in ("pluggy.PluginManager", "pluggy._manager.PluginManager") for c in chain)

    @staticmethod
    def _call_binding(callee: Def, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
        """parameter -> the value a call passes for it (positional, then by keyword)."""
        params = [p["name"] for p in callee.record["params"] if p["kind"] != "star"]
        if callee.record["class"] and params[:1] in (["self"], ["cls"]):
            params = params[1:]
        named = dict(zip(params, args, strict=False))
        named.update({k: v for k, v in kwargs.items() if k in params})
        return named

    def _bind_parameters(self) -> dict[tuple[str, str], list[str]]:
        """(function, parameter) -> the objects call sites pass for it: `setup_routes(app)`
        makes `app.router.add_get(...)` inside `def setup_routes(app)` a route of that app
        (aiohttp's documented layout, https://docs.aiohttp.org/en/stable/web_quickstart.html),
        and a helper handed a blueprint declares its routes on that blueprint."""
        bound: dict[tuple[str, str], list[str]] = defaultdict(list)
        for relpath, f in self.index.facts.items():
            for call in f.get("calls", []):
                for callee in self._callees(call):
                    self.sites[callee.qualname].append((call, relpath))
                    named = self._call_binding(callee, call["args"], call["kwargs"])
                    for param, value in named.items():
                        target = self.obj(ref(value)) if value is not None else None
                        names = bound[(callee.qualname, param)]
                        if target is not None and target.name not in names:
                            names.append(target.name)
        return bound

    def objs_at(self, name: str, module: str, scope: str) -> list[Obj]:
        """The objects `name` (qualified in `module`) stands for inside function `scope`: the
        object it names, else, when it is a parameter of `scope` or of a function around it,
        every object a call site passes for that parameter."""
        found = self.obj(name)
        if found is not None:
            return [found]
        local = name[len(module) + 1 :] if module and name.startswith(module + ".") else name
        head = local.split(".", 1)[0]
        parts = scope.split(".") if scope else []
        if head == "self" and len(parts) > 1:  # `self.app` in a method: the class's object
            method = self.index.function(qualified(module, scope))
            if method is not None and method.record["class"]:
                attr = local.split(".")[1] if "." in local else ""
                owned = self.obj(qualified(module, ".".join([*parts[:-1], attr])))
                return [owned] if owned is not None else []
        while parts:
            func = self.index.function(qualified(module, ".".join(parts)))
            if func is not None and any(p["name"] == head for p in func.record["params"]):
                return [self.objs[n] for n in self.bound.get((func.qualname, head), [])]
            parts.pop()
        return []

    # -- composition and app-level guards ---------------------------------------------
    def _attach(self) -> None:
        index = self.index
        for obj in self.objs.values():
            kwargs = obj.call["kwargs"]
            if obj.role == "api":
                # Api(app) / Api(bp): resources live under the app or blueprint given, below
                # the Api's own `prefix`
                target = obj.call["args"][0] if obj.call["args"] else kwargs.get("app")
                parent = self.obj(ref(target)) if target is not None else None
                if parent is not None:
                    obj.parents.append((parent.name, None, []))
            # `Api(decorators=[...])` / `Namespace(decorators=[...])` wrap every resource
            if obj.role in ("api", "namespace") and isinstance(kwargs.get("decorators"), list):
                obj.guards += guards_from_decorators(
                    index, kwargs["decorators"], "app", obj.file, 0
                )[0]
            if obj.framework == "fastapi":
                obj.guards += self._deps(kwargs.get("dependencies"), obj.role, obj.file)
            for item in self._list(kwargs.get("middleware")):
                if is_call(item) and tail(ref(item)) == "Middleware" and item["args"]:
                    obj.guards += self._middleware(ref(item["args"][0]), obj.file)
            if obj.framework == "aiohttp" and obj.role == "app":
                for mw in kwargs.get("middlewares") or []:
                    obj.guards += self._middleware(ref(mw), obj.file)
        for relpath, f in index.facts.items():
            for reg in f["registrations"]:
                if reg["method"] == "from_object" and reg["recv"].endswith(".config"):
                    self._config_source(reg, relpath)
        for relpath, f in index.facts.items():
            for reg in f["registrations"]:
                for concrete in expand_loops(index, reg, f["module"]):
                    self._registration(concrete, relpath)
            for record in f["functions"].values():
                for dec in record["decorators"]:
                    self._hook(dec, record, f["module"], relpath)
        self._limiters()

    def _registration(self, reg: dict[str, Any], relpath: str) -> None:
        method = reg["method"]
        recv = reg["recv"]
        module = self.index.facts[relpath]["module"]
        args = reg["args"]
        if method == "append" and recv.endswith(".middlewares"):
            for app in self.objs_at(
                recv.removesuffix(".middlewares"), module, reg.get("scope", "")
            ):
                if args:
                    app.guards += self._middleware(ref(args[0]), relpath, bool(reg.get("branches")))
            return
        for parent in self.objs_at(recv, module, reg.get("scope", "")):
            self._compose(parent, reg, relpath)

    def _config_source(self, reg: dict[str, Any], relpath: str) -> None:
        """`app.config.from_object("pkg.config.Default")` (a class or its dotted path): Flask
        copies the object's upper-case attributes into `app.config`
        (https://flask.palletsprojects.com/en/stable/api/#flask.Config.from_object)."""
        if not reg["args"]:
            return
        given = reg["args"][0]
        name = given if isinstance(given, str) else ref(given)
        found = self.index.resolve(name)
        if found is None or found.kind != "class":
            return
        module = self.index.facts[relpath]["module"]
        for app in self.objs_at(reg["recv"].removesuffix(".config"), module, reg.get("scope", "")):
            self.configs[app.name].append(found.qualname)

    def _config_value(self, app: Obj, value: Any) -> Any:
        """`app.config["ADMIN_URL_PREFIX"]` read where `app` is a Flask app: the literal its
        config classes set (the last `from_object` that sets it wins), else the value as is."""
        if not (
            isinstance(value, dict) and "sub" in value and ref(value["sub"]).endswith(".config")
        ):
            return value
        key = value["items"][0] if len(value.get("items", [])) == 1 else None
        if not isinstance(key, str) or not key.isupper():
            return value
        for klass in reversed(self.configs.get(app.name, [])):
            found = self.index.class_attr(klass, key)
            if found is not None and isinstance(found[0], str):
                return found[0]
        return value

    def _compose(self, parent: Obj, reg: dict[str, Any], relpath: str) -> None:
        method = reg["method"]
        args, kwargs = reg["args"], reg["kwargs"]
        module, scope = self.index.facts[relpath]["module"], reg.get("scope", "")
        if method in ("register_blueprint", "include_router", "add_subapp", "mount") and args:
            child_ref = args[0]
            if method in ("add_subapp", "mount"):  # Starlette `mount(path, app=None, name=None)`
                child_ref = args[1] if len(args) > 1 else kwargs.get("app", args[0])
            child = self.obj(ref(child_ref))
            # the child may be a parameter (`def __init__(self, api): self.app.add_subapp("/v1",
            # api)`): each object a call site passes for it
            children = [child] if child is not None else self.objs_at(ref(child_ref), module, scope)
            if not children:
                for candidate in self._loop_attribute(reg, child_ref):
                    self._compose(parent, {**reg, "args": [*args[:-1], candidate]}, relpath)
                return
            for child in children:
                self._child(parent, child, reg, relpath)
        elif method == "add_routes" and args:
            table = self.obj(ref(args[0]))
            if table is not None:
                table.parents.append((parent.name, "", []))
        elif method == "init_app" and args and parent.role == "api":
            app = self.obj(ref(args[0]))
            if app is not None:
                parent.parents.append((app.name, None, []))
        elif method == "add_namespace" and args and parent.role == "api":
            # Flask-RESTX `api.add_namespace(ns, path=None)`: `path` replaces the namespace's
            # own path (https://flask-restx.readthedocs.io/en/latest/scaling.html)
            ns = self.obj(ref(args[0]))
            path = args[1] if len(args) > 1 else kwargs.get("path")
            if ns is not None and ns.role == "namespace":
                ns.parents.append((parent.name, path if isinstance(path, str) else None, []))
        elif method == "add_middleware" and args:
            parent.guards += self._middleware(ref(args[0]), relpath, bool(reg.get("branches")))
        elif method in _BEFORE_HOOKS and args:
            self._before(parent, ref(args[0]), method, relpath, bool(reg.get("branches")))

    def _child(self, parent: Obj, child: Obj, reg: dict[str, Any], relpath: str) -> None:
        """`child` registered, included, added or mounted under `parent`, with the prefix and
        the dependencies the registration gives."""
        method = reg["method"]
        args, kwargs = reg["args"], reg["kwargs"]
        module, scope = self.index.facts[relpath]["module"], reg.get("scope", "")
        edge: tuple[str, str | None, list[Guard]]
        if method == "register_blueprint":
            given = kwargs.get("url_prefix")
            prefix = string_value(self.index, self._config_value(parent, given), module, scope)
            known = prefix is not None or given is None
            edge = (parent.name, prefix if known else UNKNOWN_PART, [])
        elif method == "include_router":
            given = kwargs.get("prefix", "")
            prefix = string_value(self.index, given, module, scope)
            deps = self._deps(kwargs.get("dependencies"), "router", relpath)
            edge = (parent.name, prefix if prefix is not None else UNKNOWN_PART, deps)
            known = prefix is not None
        else:
            prefix = string_value(self.index, args[0], module, scope)
            known = prefix is not None
            edge = (parent.name, (prefix if prefix is not None else UNKNOWN_PART).rstrip("/"), [])
            if method == "mount":
                # a mounted ASGI app keeps its own dependencies; only middleware wraps it
                self.mounts.add((child.name, parent.name))
        child.parents.append(edge)
        self._edges.setdefault((child.name, parent.name), []).append(
            (edge, known, reg.get("branches", []), relpath)
        )

    def _loop_attribute(self, reg: dict[str, Any], value: Any) -> list[Any]:
        """`for plugin in registry.all(): app.include_router(plugin.router)` over an iterable
        the facts cannot list: `plugin` is an instance of some class, and the attribute read
        off it is the class attribute of that name, so each project class whose `router`
        class attribute names an app-like object is a candidate (plugins that declare their
        router as a class attribute, attached by a loop over the plugin registry)."""
        if reg["method"] != "include_router" or len(reg["args"]) != 1:
            return []
        head, _, attr = str(value.get("text", "") if isinstance(value, dict) else "").partition(".")
        unbound = {n for names, _ in reg.get("loops", []) for n in names}
        if not attr or "." in attr or head not in unbound:
            return []
        found = []
        for name, d in self.index.defs.items():
            if d.kind != "class" or d.qualname != name or attr not in d.record["attrs"]:
                continue
            target = d.record["attrs"][attr]
            if ref(target) and self.obj(ref(target)) is not None:
                found.append(target)
        return found

    def _drop_alternatives(self) -> None:
        """`if SETTING: app.mount(SETTING.value(), api) else: app.mount("/api", api)`: the two
        branches of one `if` are alternatives, only one runs. An edge whose prefix cannot be
        read statically is dropped when an exclusive branch composes the same two objects with
        a prefix that can (else every route would be listed twice, once under a wrong path)."""
        for (child_name, _), edges in self._edges.items():
            if len(edges) < 2:
                continue
            drop = [
                edge
                for edge, known, branches, relpath in edges
                if not known
                and any(k and f == relpath and _exclusive(branches, b) for _, k, b, f in edges)
            ]
            if drop:
                child = self.objs[child_name]
                child.parents = [p for p in child.parents if not any(p is d for d in drop)]

    def _hook(self, dec: Any, record: dict[str, Any], module: str, relpath: str) -> None:
        name = ref(dec)
        receiver, _, method = name.rpartition(".")
        if method not in _BEFORE_HOOKS and method != "middleware":
            return
        obj = self.obj(receiver)
        if obj is None:
            return
        target = qualified(module, record["qualname"])
        conditional = bool(record.get("branches"))
        if method == "middleware":
            obj.guards += self._middleware(target, relpath, conditional)
        else:
            self._before(obj, target, method, relpath, conditional)

    def _before(
        self, obj: Obj, target: str, method: str, relpath: str, conditional: bool = False
    ) -> None:
        func = self.index.function(target)
        if func is None:
            return
        kinds = g.function_kinds(self.index, func) if self._may_stop(func) else set()
        app_wide = method in ("before_app_request", "app_url_value_preprocessor")
        level = "app" if obj.role == "app" or app_wide else "router"
        found = _only_if(
            [
                Guard(
                    f"before_request {func.record['name']}",
                    k,
                    level,
                    func.file,
                    func.record["line"],
                )
                for k in sorted(kinds)
            ],
            conditional,
        )
        for guard in found:
            self.passes[guard] = func.record.get("passes", [])
        if app_wide:
            self.global_guards[obj.framework] += found
        else:
            obj.guards += found

    def _may_stop(self, func: Def, depth: int = 0) -> bool:
        """A before_request hook stops a request only by returning a value or by raising
        (`abort(401)`, a redirect to login): "If any of these functions returns a value, the
        request handling stops" (https://flask.palletsprojects.com/en/stable/api/#flask.Flask.before_request).
        One that only reads `current_user.is_authenticated` to update a timestamp lets every
        request through, so it guards nothing. A project function it calls may raise for it
        (`g.user = current_user_or_401()`)."""
        # what a called function returns goes back to the hook, not to the client
        if (func.record.get("returns_value") and depth == 0) or func.record.get("raises"):
            return True
        auth, authz = self.index.nested_evidence(func)
        if any(g.rejects(e) for e in [*auth, *authz]):
            return True
        if depth >= 3:
            return False
        for name in func.record.get("calls", []):
            # the body's calls are written as resolved there: a module's own function bare
            callee = self.index.function(name) or self.index.function(qualified(func.module, name))
            if (
                callee is not None
                and callee.qualname != func.qualname
                and self._may_stop(callee, depth + 1)
            ):
                return True
        return False

    def _middleware(self, target: str, relpath: str, conditional: bool = False) -> list[Guard]:
        """The guards a middleware gives; installed on one branch of an `if` only (a setting
        turns it on), it guarantees nothing: see `_only_if`."""
        if not target:
            return []
        kinds = g.middleware_kinds(self.index, target)
        func = self.index.resolve(target)
        line = func.record.get("line", 0) if func is not None and func.kind != "object" else 0
        file = func.file if func is not None else relpath
        found = [Guard(tail(target), k, "middleware", file, line) for k in sorted(kinds)]
        if func is not None and func.kind == "function":
            # `if request.path.startswith("/auth/"): return await handler(request)`: the
            # requests the middleware hands on before it checks anything
            for guard in found:
                self.passes[guard] = func.record.get("passes", [])
        return _only_if(found, conditional)

    def _deps(self, value: Any, level: str, relpath: str) -> list[Guard]:
        found: list[Guard] = []
        for item in value if isinstance(value, list) else []:
            if is_call(item) and tail(ref(item)) in ("Depends", "Security"):
                target = item["args"][0] if item["args"] else None
                kinds, shown = g.dependency_kinds(self.index, target)
                if tail(ref(item)) == "Security" and item["kwargs"].get("scopes"):
                    kinds = kinds | {"authorization"}
                for kind in sorted(kinds):
                    found.append(Guard(f"Depends({shown})", kind, level, relpath))
        return found

    def _limiters(self) -> None:
        """Flask-Limiter/slowapi `default_limits` cover every route of the framework (slowapi
        only with SlowAPIMiddleware, frameworks.md §2.7)."""
        index = self.index
        slowapi_mw = any(
            tail(index.canonical(ref(reg["args"][0])))
            in ("SlowAPIMiddleware", "SlowAPIASGIMiddleware")
            for f in index.facts.values()
            for reg in f["registrations"]
            if reg["method"] == "add_middleware" and reg["args"]
        )
        for d in index.defs.values():
            if d.kind != "object":
                continue
            ctor = index.canonical(ref(d.record))
            if ctor not in g.LIMITER_CTORS:
                continue
            kwargs = d.record["kwargs"]
            if not (kwargs.get("default_limits") or kwargs.get("application_limits")):
                continue
            framework = "flask" if ctor.startswith("flask_limiter") else "fastapi"
            if framework == "fastapi" and not slowapi_mw:
                continue
            self.global_guards[framework].append(
                Guard(f"{tail(d.qualname)} default_limits", RATE_LIMIT, "app", d.file)
            )

    # -- chains -------------------------------------------------------------------------
    def chains(self, obj: Obj, seen: frozenset[str] = frozenset()) -> list[tuple[str, list[Guard]]]:
        """(full prefix including obj's own, guards from the app down to obj) per mounting."""
        own = self._own_prefix(obj)
        if obj.role == "namespace" and not obj.parents:
            return []  # a RESTX Namespace serves nothing until an Api adds it
        if not obj.parents or obj.name in seen:
            return [(own, list(obj.guards))]
        result = []
        for parent_name, prefix, edge_guards in obj.parents:
            parent = self.objs[parent_name]
            for pprefix, parent_guards in self.chains(parent, seen | {obj.name}):
                pguards = parent_guards
                if (obj.name, parent_name) in self.mounts:
                    pguards = [g for g in parent_guards if g.level == "middleware"]
                if obj.framework == "flask":
                    full = (
                        join_flask(pprefix, prefix if prefix is not None else own)
                        if (pprefix or prefix is not None)
                        else own
                    )
                else:
                    full = pprefix + (prefix or "") + own
                result.append((full, [*pguards, *edge_guards, *obj.guards]))
        return result

    def _own_prefix(self, obj: Obj) -> str:
        """The path an object adds by itself: a Blueprint's `url_prefix`, an Api's `prefix`, a
        RESTX Namespace's `path` (default "/" + its name), an APIRouter's `prefix`."""
        if obj.framework == "flask" and obj.role == "api":
            value = obj.call["kwargs"].get("prefix")
            return value if isinstance(value, str) else ""
        if obj.role == "namespace":
            value = obj.call["kwargs"].get("path")
            if value is None:
                name = obj.call["args"][0] if obj.call["args"] else obj.call["kwargs"].get("name")
                value = "/" + name if isinstance(name, str) else None
            return value if isinstance(value, str) else ""
        module = self.index.facts[obj.file]["module"]
        if obj.framework == "flask" and obj.role == "router":
            value = obj.call["kwargs"].get("url_prefix")
            if value is None and len(obj.call["args"]) > 2:
                value = obj.call["args"][2]
            return string_value(self.index, value, module, "") or ""
        if obj.framework == "fastapi" and obj.role == "router":
            value = obj.call["kwargs"].get("prefix", "")
            found = string_value(self.index, value, module, "")
            return found if found is not None else UNKNOWN_PART
        return ""

    # -- routes -------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        routes: list[Route] = []
        index = self.index
        for relpath, f in index.facts.items():
            module = f["module"]
            for qualname, record in f["functions"].items():
                for i, dec in enumerate(record["decorators"]):
                    if not is_call(dec):
                        continue
                    receiver, _, verb = ref(dec).rpartition(".")
                    if not receiver:
                        continue
                    scope = qualname.rpartition(".")[0]  # a helper that got the blueprint
                    for obj in self.objs_at(receiver, module, scope):
                        if not _is_route_verb(obj.framework, verb):
                            continue
                        func = index.defs[qualified(module, qualname)]
                        below = record["decorators"][i + 1 :]
                        above = record["decorators"][:i]
                        routes += self._decorated(obj, verb, dec, func, below, above)
            for klass, crecord in f["classes"].items():
                for dec in crecord["decorators"]:
                    receiver, _, verb = ref(dec).rpartition(".")
                    owner = self.obj(receiver) if receiver else None
                    if (
                        owner is not None
                        and verb in ("route", "view")
                        and is_call(dec)
                        and dec["args"]
                    ):
                        # `@ns.route("/a", "/b")` (Flask-RESTX): one resource, several URLs
                        rules = [a for a in dec["args"] if isinstance(a, str)] or [""]
                        if owner.framework == "aiohttp":
                            rules = rules[:1]
                        for rule in rules:
                            routes += self._class_routes(
                                owner, rule, qualified(module, klass), crecord, []
                            )
            for reg in f["registrations"]:
                for concrete in expand_loops(index, reg, module):
                    if concrete["method"] == "decorate":
                        routes += self._applied(concrete, module)
                    else:
                        routes += self._registered(concrete, relpath)
        for obj in self.objs.values():
            if obj.role == "app" and obj.framework in ("starlette", "fastapi"):
                routes += self._starlette(obj, self._list(obj.call["kwargs"].get("routes")), "")
        return routes

    def _list(self, value: Any) -> list[Any]:
        """An inline list, or a module-level list variable it names."""
        return sequence(self.index, value) or []

    def _applied(self, reg: dict[str, Any], module: str) -> list[Route]:
        """`router.post("/register")(register_user)`: the route decorator applied by a call,
        as Python applies `@router.post("/register")` (a decorator is a callable taking the
        function). The function's own decorators were applied before it."""
        dec = reg["decorator"]
        func = self.index.function(ref(reg["args"][0]))
        verb = ref(dec).rpartition(".")[2]
        if func is None:
            return []
        routes: list[Route] = []
        for obj in self.objs_at(reg["recv"], module, reg.get("scope", "")):
            if _is_route_verb(obj.framework, verb):
                routes += self._decorated(obj, verb, dec, func, func.record["decorators"])
        return routes

    def _starlette(self, obj: Obj, entries: list[Any], prefix: str, depth: int = 0) -> list[Route]:
        """Starlette `routes=[Route(...), Mount(...)]` (frameworks.md §3)."""
        routes: list[Route] = []
        if depth > 5:
            return routes
        for entry in entries:
            if not is_call(entry) or not entry["args"] or not isinstance(entry["args"][0], str):
                continue
            kind = tail(self.index.canonical(ref(entry)))
            path = (
                prefix + entry["args"][0].rstrip("/")
                if kind == "Mount"
                else prefix + entry["args"][0]
            )
            kwargs = entry["kwargs"]
            extra: list[Guard] = []
            for item in self._list(kwargs.get("middleware")):
                if is_call(item) and item["args"]:
                    extra += self._middleware(ref(item["args"][0]), obj.file)
            if kind == "Mount":
                inner = kwargs.get("routes")
                if inner is None and len(entry["args"]) > 1:
                    inner = entry["args"][1]
                routes += self._starlette(obj, self._list(inner), path, depth + 1)
                continue
            if kind != "Route":
                continue
            endpoint = entry["args"][1] if len(entry["args"]) > 1 else kwargs.get("endpoint")
            given = kwargs.get("methods")
            target = self.index.resolve(ref(endpoint)) if endpoint is not None else None
            if target is not None and target.kind == "class":
                routes += self._class_routes(obj, path, target.qualname, None, extra)
                continue
            verbs = [str(m).upper() for m in given] if isinstance(given, list) else ["GET"]
            routes += self._function_route(obj, verbs, path, endpoint, extra)
        return routes

    def _decorated(
        self,
        obj: Obj,
        verb: str,
        dec: dict[str, Any],
        func: Def,
        below: list[Any],
        above: Sequence[Any] = (),
    ) -> list[Route]:
        args, kwargs = dec["args"], dec["kwargs"]
        given = args[0] if args else kwargs.get("path", "")
        scope = func.qualname[len(func.module) + 1 :].rpartition(".")[0] if func.module else ""
        rule = string_value(self.index, given, func.module, scope)
        unknown = rule is None
        if rule is None:  # a path the code computes: kept, its unknown part marked
            rule = UNKNOWN_PART
        if obj.framework == "aiohttp" and verb in ("route",):
            methods = [str(args[0]).upper()] if args and isinstance(args[0], str) else ["*"]
            rule = args[1] if len(args) > 1 and isinstance(args[1], str) else ""
        elif verb in ("route", "api_route"):
            given = kwargs.get("methods")
            methods = [str(m).upper() for m in given] if isinstance(given, list) else ["GET"]
        elif verb == "view":
            return self._class_routes(obj, rule, func.qualname, None, [])
        else:
            methods = [verb.upper()]
        line = func.record["line"]
        route_guards, flags = guards_from_decorators(self.index, below, "route", func.file, line)
        if obj.framework == "fastapi":
            route_guards += self._deps(kwargs.get("dependencies"), "route", func.file)
            route_guards += self._param_guards(func)
            route_guards += self._cbv_guards(func)
        response_model = text(kwargs["response_model"]) if "response_model" in kwargs else ""
        global_guards = self.global_guards[obj.framework]
        if any(ref(d).endswith(".exempt") for d in below):  # `@limiter.exempt`
            global_guards = [x for x in global_guards if x.kind != RATE_LIMIT]
        notes = []
        if unknown:
            notes.append(f"the path {text(given)} is computed at run time, shown as {UNKNOWN_PART}")
        for misplaced in guards_from_decorators(self.index, above, "route", func.file, line)[0]:
            notes.append(f"@{misplaced.name} sits above the route decorator, {NEVER_APPLIED}")
        endpoint = kwargs.get("endpoint") or func.record["name"]
        return [
            self._named(
                obj,
                endpoint,
                make_route(
                    self.index,
                    obj.framework,
                    methods,
                    self._join(obj, prefix, rule),
                    func,
                    self._past_hooks(
                        obj,
                        endpoint,
                        self._join(obj, prefix, rule),
                        [*chain_guards, *global_guards, *route_guards],
                    ),
                    flags=flags,
                    response_model=response_model,
                    notes=notes,
                    dependency_params=self._alias_params(func),
                ),
            )
            for prefix, chain_guards in self.chains(obj)
        ]

    def _param_guards(self, func: Def) -> list[Guard]:
        found: list[Guard] = []
        for p in func.record["params"]:
            dep = g.param_dependency(p)
            if dep is None:
                continue
            found += self._dependency_guards(dep, "route", func.file, func.record["line"])
        # `user: CurrentUser` where CurrentUser = Annotated[User, Depends(get_current_user)]
        for p in func.record["params"]:
            alias = ref(p.get("annotation")) if isinstance(p.get("annotation"), dict) else ""
            found_alias = self._annotated_alias(alias)
            if found_alias is not None:
                kinds, shown = g.dependency_kinds(self.index, found_alias)
                for kind in sorted(kinds):
                    found.append(
                        Guard(f"Depends({shown})", kind, "route", func.file, func.record["line"])
                    )
        return found

    def _cbv_guards(self, func: Def) -> list[Guard]:
        """Class-based views (fastapi-utils `@cbv(router)` and look-alikes that take the router):
        the class's `__init__` is injected as a dependency of each of its endpoints, so class
        attributes `user: User = Depends(dep)` are dependencies of every route of the class,
        inherited ones too (the nearest class's attribute wins). Docs: fastapi-utils
        user-guide/class-based-views."""
        klass = self.index.resolve(func.qualname.rpartition(".")[0])
        if klass is None or klass.kind != "class" or not func.record.get("class"):
            return []
        decorators = klass.record["decorators"]
        if not any(
            is_call(d) and any(self.obj(ref(a)) is not None for a in d["args"]) for d in decorators
        ):
            return []
        attrs: dict[str, tuple[Any, Def]] = {}
        for name in [klass.qualname, *self.index.ancestors(klass.qualname)]:
            found = self.index.resolve(name)
            if found is not None and found.kind == "class":
                for attr, value in found.record["attrs"].items():
                    attrs.setdefault(attr, (value, found))
        guards: list[Guard] = []
        users: set[str] = set()  # attributes that hold the authenticated user
        for attr, (value, owner) in attrs.items():
            dep = g.param_dependency({"annotation": None, "default": value})
            if dep is None:
                continue
            given = self._dependency_guards(dep, "class", owner.file, owner.record["line"])
            if any(x.kind == AUTHENTICATION for x in given):
                users.add(attr)
            guards += given
        if users:
            guards += self._tenant_scope(klass.qualname, users)
        return guards

    def _tenant_scope(self, klass: str, users: set[str]) -> list[Guard]:
        """A controller whose data access is built with the current user's ids
        (`AllRepositories(session, group_id=self.group_id)`, `group_id` a property returning
        `self.user.group_id`) only ever reads and writes that user's or tenant's rows: a query
        scoped to the user is an authorization check (issue 13 item 3). The nearest definition
        of each method counts, so a subclass that builds it unscoped is not scoped."""
        methods = self.index.class_methods(klass)

        def reaches_user(value: str, depth: int = 0) -> bool:
            parts = value.split(".")[1:]
            if len(parts) >= 2 and parts[0] in users:
                return True
            if not parts or parts[0] not in methods or depth > 4:
                return False
            prop = self.index.function(f"{methods[parts[0]]}.{parts[0]}")
            returned = prop.record.get("returns_self", []) if prop is not None else []
            return any(reaches_user(r, depth + 1) for r in returned)

        for name, owner in sorted(methods.items()):
            func = self.index.function(f"{owner}.{name}")
            if func is None:
                continue
            for keyword, value in func.record.get("self_kwargs", []):
                if _SCOPE_KEYWORD.search(keyword) and reaches_user(value):
                    shown = f"scoped by {keyword}={value}"
                    return [Guard(shown, AUTHORIZATION, "class", func.file, func.record["line"])]
        return []

    def _dependency_guards(
        self, dep: tuple[Any, dict[str, Any]], level: str, file: str, line: int
    ) -> list[Guard]:
        """The guards one `Depends(target)`/`Security(target, scopes=...)` gives: what the
        target's dependency tree checks; `Security` with scopes is an authorization check too.
        """
        target, call = dep
        kinds, shown = g.dependency_kinds(self.index, target)
        if tail(ref(call)) == "Security" and call["kwargs"].get("scopes"):
            kinds = kinds | {"authorization"}
        return [Guard(f"Depends({shown})", kind, level, file, line) for kind in sorted(kinds)]

    def _alias_params(self, func: Def) -> dict[str, str]:
        """Parameters typed with an `Annotated[..., Depends(x)]` alias -> x (qualified)."""
        found = {}
        for p in func.record["params"]:
            alias = ref(p.get("annotation")) if isinstance(p.get("annotation"), dict) else ""
            target = self._annotated_alias(alias)
            if target is not None:
                found[p["name"]] = self.index.canonical(ref(target)) if ref(target) else ""
        return found

    def _annotated_alias(self, name: str) -> Any:
        if not name:
            return None
        module, _, local = name.rpartition(".")
        relpath = self.index.modules.get(module)
        if relpath is None:
            return None
        alias = self.index.facts[relpath]["aliases"].get(local)
        if alias is None:
            imported = self.index.facts[relpath]["imports"].get(local)
            return self._annotated_alias(imported) if imported and imported != name else None
        dep = g.param_dependency({"annotation": alias, "default": None})
        return dep[0] if dep is not None else None

    def _class_routes(
        self, obj: Obj, rule: str, klass: str, record: Any, extra_guards: list[Guard]
    ) -> list[Route]:
        """MethodView / aiohttp web.View: one route per HTTP method the class defines."""
        index = self.index
        methods = index.class_methods(klass)
        routes = []
        cls_guards: list[Guard] = list(extra_guards)
        flags: set[str] = set()
        per_verb: dict[str, list[Guard]] = {}
        for attr in ("decorators", "method_decorators"):
            found = index.class_attr(klass, attr)
            if found is None:
                continue
            cdef = index.resolve(found[1])
            line = cdef.record["line"] if cdef is not None else 0
            file = cdef.file if cdef else ""
            if isinstance(found[0], list):
                more, fl = guards_from_decorators(index, found[0], "class", file, line)
                cls_guards += more
                flags |= fl
            elif attr == "method_decorators" and isinstance(found[0], dict):
                # Flask-RESTful/RESTX: a dict maps a lower-case method name to its decorators
                # (flask_restful.Resource.dispatch_request)
                for key, value in found[0].get("dict", []):
                    if isinstance(key, str) and isinstance(value, list):
                        more, _ = guards_from_decorators(index, value, "class", file, line)
                        per_verb.setdefault(key.lower(), []).extend(more)
        for verb in VERBS:
            if verb not in methods:
                continue
            func = index.function(f"{methods[verb]}.{verb}")
            if func is None:
                continue
            own, fl = guards_from_decorators(
                index, func.record["decorators"], "route", func.file, func.record["line"]
            )
            for prefix, chain_guards in self.chains(obj):
                routes.append(
                    make_route(
                        index,
                        obj.framework,
                        [verb.upper()],
                        self._join(obj, prefix, rule),
                        func,
                        self._past_hooks(
                            obj,
                            tail(klass).lower(),  # Flask-RESTful's default endpoint name
                            self._join(obj, prefix, rule),
                            [
                                *chain_guards,
                                *self.global_guards[obj.framework],
                                *cls_guards,
                                *per_verb.get(verb, []),
                                *own,
                            ],
                        ),
                        view_class=tail(klass),
                        action=verb,
                        flags=flags | fl,
                    )
                )
        if obj.role == "api":  # Flask-RESTful's default endpoint: the class name, lower case
            return [self._named(obj, tail(klass).lower(), r) for r in routes]
        return routes

    def _registered(self, reg: dict[str, Any], relpath: str, depth: int = 0) -> list[Route]:
        """`app.add_url_rule`, `api.add_resource`, `app.router.add_get`, `app.add_api_route`,
        on the object the receiver names or on each object passed for a receiver parameter;
        in a registration helper, once per call site with that call's arguments."""
        sites = self._helper_sites(reg, relpath) if depth < 3 else None
        if sites is not None:
            return [r for site, where in sites for r in self._registered(site, where, depth + 1)]
        recv = reg["recv"]
        if reg["method"] in AIOHTTP_ADD or reg["method"] in ("add_route", "add_view"):
            recv = recv.removesuffix(".router")
        module = self.index.facts[relpath]["module"]
        routes: list[Route] = []
        for obj in self.objs_at(recv, module, reg.get("scope", "")):
            routes += self._registered_on(obj, reg, relpath)
        return routes

    def _helper_sites(
        self, reg: dict[str, Any], relpath: str
    ) -> list[tuple[dict[str, Any], str]] | None:
        """A function that registers a route with its own parameters as the rule or the view
        (`def register_view(bp, routes, view_func): for route in routes: bp.add_url_rule(route,
        view_func=view_func)`) is a registration helper: each call site registers with its
        own arguments, a loop variable over a list parameter once per element. None when the
        registration takes no argument from the function's parameters."""
        module = self.index.facts[relpath]["module"]
        func = (
            self.index.function(qualified(module, reg.get("scope", "")))
            if reg.get("scope")
            else None
        )
        if func is None:
            return None
        params = {p["name"] for p in func.record["params"] if p["kind"] != "star"}
        # `for route in routes:` around the registration, over a parameter (a single name)
        loops = {names[0]: over for names, over in reg.get("loops", []) if len(names) == 1}

        def local(value: Any) -> str:
            name = ref(value) if isinstance(value, dict) and "ref" in value else ""
            return name[len(module) + 1 :] if module and name.startswith(module + ".") else name

        def param_of(value: Any) -> str:
            name = local(value)
            if name in params:
                return name
            over = local(loops.get(name)) if name in loops else ""
            return over if over in params else ""

        values = [*reg["args"], *reg["kwargs"].values()]
        if not any(param_of(v) for v in values):
            return None
        found: list[tuple[dict[str, Any], str]] = []
        for call, where in self.sites.get(func.qualname, []):
            given = self._call_binding(func, call.get("all_args", []), call.get("all_kwargs", {}))
            for default in func.record["params"]:
                if default["name"] not in given and default["default"] is not None:
                    given[default["name"]] = default["default"]
            head, _, rest = local({"ref": reg["recv"]}).partition(".")
            recv = reg["recv"]
            if head in params:
                if ref(given.get(head)) == "":
                    continue
                recv = ".".join(x for x in (ref(given[head]), rest) if x)
            # one registration per element of each list a loop variable runs over
            choices: list[dict[str, Any]] = [{}]
            for name, over in loops.items():
                if local(over) in params and any(local(v) == name for v in values):
                    items = given.get(local(over))
                    if not isinstance(items, list):
                        choices = []
                        break
                    choices = [{**c, name: item} for c in choices for item in items]

            def subst(value: Any, chosen: dict[str, Any], given: dict[str, Any]) -> Any:
                name = local(value)
                if name in chosen:
                    return chosen[name]
                if name in params and name not in loops:
                    return given.get(name)
                return value

            for chosen in choices:
                found.append(
                    (
                        {
                            **{k: v for k, v in reg.items() if k != "loops"},
                            "recv": recv,
                            "scope": call.get("scope", ""),
                            "args": [subst(v, chosen, given) for v in reg["args"]],
                            "kwargs": {
                                k: subst(v, chosen, given) for k, v in reg["kwargs"].items()
                            },
                        },
                        where,
                    )
                )
        return found

    def _registered_on(self, obj: Obj, reg: dict[str, Any], relpath: str) -> list[Route]:
        method = reg["method"]
        args, kwargs = reg["args"], reg["kwargs"]
        index = self.index
        if method in AIOHTTP_ADD or method in ("add_route", "add_view"):
            if obj.framework != "aiohttp":
                return []
            if method == "add_route":
                verbs = [str(args[0]).upper()] if args and isinstance(args[0], str) else ["*"]
                path, handler = (
                    (args[1] if len(args) > 1 else ""),
                    (args[2] if len(args) > 2 else None),
                )
            elif method == "add_view":
                path = args[0] if args else ""
                target = ref(args[1]) if len(args) > 1 else ""
                return self._class_routes(
                    obj, path if isinstance(path, str) else "", index.canonical(target), None, []
                )
            else:
                verbs = [AIOHTTP_ADD[method]]
                path, handler = (args[0] if args else ""), (args[1] if len(args) > 1 else None)
            return self._function_route(obj, verbs, path, handler, [])
        if method == "add_routes" and args and isinstance(args[0], list):
            routes: list[Route] = []
            for item in args[0]:
                if not is_call(item) or len(item["args"]) < 2:
                    continue
                name = index.canonical(ref(item))
                verb = AIOHTTP_ROUTE_DEFS.get(name)
                if verb is not None:
                    routes += self._function_route(
                        obj, [verb], item["args"][0], item["args"][1], []
                    )
                elif name == "aiohttp.web.view":
                    klass = index.canonical(ref(item["args"][1]))
                    path = item["args"][0] if isinstance(item["args"][0], str) else ""
                    routes += self._class_routes(obj, path, klass, None, [])
                elif name == "aiohttp.web.route" and len(item["args"]) > 2:
                    verbs = [str(item["args"][0]).upper()]
                    routes += self._function_route(obj, verbs, item["args"][1], item["args"][2], [])
            return routes
        if method == "add_url_rule" and args:
            rule = args[0] if isinstance(args[0], str) else ""
            view = kwargs.get("view_func", args[2] if len(args) > 2 else None)
            given = kwargs.get("methods")
            verbs = [str(m).upper() for m in given] if isinstance(given, list) else ["GET"]
            if is_call(view) and tail(ref(view)) == "as_view":
                klass = index.canonical(ref(view).rsplit(".", 1)[0])
                return self._class_routes(obj, rule, klass, None, [])
            endpoint = args[1] if len(args) > 1 else kwargs.get("endpoint")
            endpoint = endpoint if isinstance(endpoint, str) else ""
            return self._function_route(obj, verbs, rule, view, [], endpoint)
        if method == "add_resource" and args:
            klass = index.canonical(ref(args[0]))
            return [
                r
                for rule in args[1:]
                if isinstance(rule, str)
                for r in self._class_routes(obj, rule, klass, None, [])
            ]
        if method == "add_api_route" and len(args) > 1:
            given = kwargs.get("methods")
            verbs = [str(m).upper() for m in given] if isinstance(given, list) else ["GET"]
            extra = self._deps(kwargs.get("dependencies"), "route", relpath)
            return self._function_route(obj, verbs, args[0], args[1], extra)
        return []

    def _function_route(
        self,
        obj: Obj,
        verbs: list[str],
        path: Any,
        handler: Any,
        extra: list[Guard],
        endpoint: str = "",
    ) -> list[Route]:
        """One route per mounting of `obj` for a function registered by call."""
        func = self.index.function(ref(handler)) if handler is not None else None
        if func is None or not isinstance(path, str):
            return []
        own, flags = guards_from_decorators(
            self.index, func.record["decorators"], "route", func.file, func.record["line"]
        )
        if obj.framework == "fastapi":
            own += self._param_guards(func)
        endpoint = endpoint or func.record["name"]
        return [
            self._named(
                obj,
                endpoint,
                make_route(
                    self.index,
                    obj.framework,
                    verbs,
                    self._join(obj, prefix, path),
                    func,
                    self._past_hooks(
                        obj,
                        endpoint,
                        self._join(obj, prefix, path),
                        [*chain_guards, *self.global_guards[obj.framework], *extra, *own],
                    ),
                    flags=flags,
                ),
            )
            for prefix, chain_guards in self.chains(obj)
        ]

    def _named(self, obj: Obj, endpoint: str, route: Route) -> Route:
        """A Flask route carries its endpoint, "<blueprint>.<endpoint>" under a blueprint, as
        `url_for` names it (https://flask.palletsprojects.com/en/stable/api/#flask.url_for);
        a test that requests `url_for("bp.view")` exercises it."""
        if obj.framework != "flask" or not endpoint:
            return route
        blueprint = self._blueprint_name(obj)
        return replace(route, url_name=f"{blueprint}.{endpoint}" if blueprint else endpoint)

    def _past_hooks(self, obj: Obj, endpoint: str, path: str, guards: list[Guard]) -> list[Guard]:
        """Drop the before_request guards whose hook lets this request through early
        (`if request.endpoint == "login": return None`): Flask sets `request.endpoint` to
        "<blueprint>.<endpoint>" for blueprint views and `request.blueprint` to the
        blueprint's name (https://flask.palletsprojects.com/en/stable/api/#flask.Request).
        A middleware that hands some paths on unchecked (aiohttp's `request.path` is the full
        path, sub-app prefix included) does not guard those routes either."""
        if not any(x in self.passes for x in guards):
            return guards
        if obj.framework != "flask":
            facts = {"endpoint": "", "blueprint": "", "path": path}
            return [x for x in guards if not any(_holds(c, facts) for c in self.passes.get(x, []))]
        blueprint = self._blueprint_name(obj)
        full = f"{blueprint}.{endpoint}" if blueprint else endpoint
        facts = {"endpoint": full, "blueprint": blueprint, "path": path}
        return [x for x in guards if not any(_holds(c, facts) for c in self.passes.get(x, []))]

    def _blueprint_name(self, obj: Obj, depth: int = 0) -> str:
        """The name a Flask blueprint registers under; an Api/Namespace serves under its own."""
        if obj.role == "router" and obj.call["args"] and isinstance(obj.call["args"][0], str):
            return obj.call["args"][0]
        if obj.role in ("api", "namespace") and obj.parents and depth < 5:
            return self._blueprint_name(self.objs[obj.parents[0][0]], depth + 1)
        return ""

    @staticmethod
    def _join(obj: Obj, prefix: str, rule: str) -> str:
        if obj.framework == "flask":
            return join_flask(prefix, rule)
        return (prefix + rule) or "/"


def _only_if(guards: list[Guard], conditional: bool) -> list[Guard]:
    """A hook or middleware the setup code installs inside an `if` runs only in the
    configurations that take that branch (`if settings.AUTH_STRING: @app.middleware(...)`),
    so it guarantees no authentication or authorization: such guards are kept as
    CONDITIONAL ones, which the route lists in its notes and does not count."""
    if not conditional:
        return guards
    return [
        replace(x, kind=CONDITIONAL + x.kind) if x.kind in (AUTHENTICATION, AUTHORIZATION) else x
        for x in guards
    ]


def _exclusive(one: list[Any], other: list[Any]) -> bool:
    """Two code places lie in different branches of the same `if` (never both run)."""
    taken = {number: branch for number, branch in one}
    return any(number in taken and taken[number] != branch for number, branch in other)


def _holds(conditions: list[list[Any]], facts: dict[str, str]) -> bool:
    """Every [field, op, literal] of a hook branch is true of this route's request."""
    for field_name, op, value in conditions:
        if field_name.startswith("path@"):  # the path without its first n characters
            actual = facts.get("path", "")[int(field_name[5:]) :]
        else:
            actual = facts.get(field_name, "")
        if op == "==":
            ok = actual == value
        elif op == "in":
            ok = actual in value
        elif op == "contains":
            ok = value in actual
        elif op == "startswith":
            ok = actual.startswith(tuple(value) if isinstance(value, list) else value)
        else:
            ok = False
        if not ok:
            return False
    return bool(conditions)


def _is_route_verb(framework: str, verb: str) -> bool:
    if framework == "flask":
        return verb in ("route", "get", "post", "put", "patch", "delete")
    if framework == "fastapi":
        # `@router.websocket(path)`: a WebSocket endpoint, listed with method WEBSOCKET
        # (https://fastapi.tiangolo.com/advanced/websockets/)
        return verb in (*VERBS, "api_route", "websocket")
    return verb in (*VERBS, "route", "view")


__all__ = ["AUTHENTICATION", "Apps"]


# keyword arguments that scope data access to an owner or tenant: an id (`group_id`,
# `household_id`, `org_id`...) or a generic owner/tenant word; the value must also come from
# the current user (`_tenant_scope`), which is what makes it a scope, not the name
_SCOPE_KEYWORD = re.compile(
    r"(^|_)(id|ids|user|owner|group|tenant|org|organization|account|team|workspace)$"
)
