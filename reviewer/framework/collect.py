"""Phase-1 fact collector: what one file declares about routes, guards, apps and settings.

Everything stored is plain data (see values.py) keyed by names, so a file's facts can be cached
by content hash and joined with other files' facts by `build.build_project`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import libcst as cst

from reviewer.context import Visitor
from reviewer.framework import body, capability, symbolic
from reviewer.framework.values import code_of, encode, encode_call, qualify, ref
from reviewer.imports import dotted_name

FACTS_KEY = "framework"
# `return Litestar(...)` in a factory: the app object has no name to be found under
_APP_FACTORIES = ("litestar.Litestar", "litestar.app.Litestar")
# packages whose constructors build apps, blueprints and routers
_WEB_PACKAGES = (
    "flask.",
    "quart.",
    "apiflask.",
    "flask_smorest.",
    "flask_restful.",
    "flask_restx.",
    "fastapi.",
    "starlette.",
    "aiohttp.",
    "litestar.",
)

# `urlpatterns.append(...)`, aiohttp `app.middlewares.append(...)`, and what a Litestar plugin
# adds to the app it configures (`app_config.route_handlers.extend([...])`, `.guards`, `.middleware`)
_LIST_METHODS = frozenset({"append", "extend", "insert"})
# attributes whose assignment configures an app (`app_config.exception_handlers = {...}`)
_CONFIG_ATTRIBUTES = frozenset({"exception_handlers"})
_APP_CONFIG_LISTS = (".route_handlers", ".guards", ".middleware")
REGISTRATION_METHODS = frozenset(
    {
        "insert",
        "register_blueprint",
        "include_router",
        "add_url_rule",
        "add_api_route",
        "add_route",
        "add_get",
        "add_post",
        "add_put",
        "add_patch",
        "add_delete",
        "add_head",
        "add_view",
        "add_routes",
        "register",
        "add_middleware",
        "init_app",
        "before_request",
        "before_app_request",
        "url_value_preprocessor",
        "app_url_value_preprocessor",
        "add_subapp",
        "mount",
        "append",
        "extend",
        "limit",
        "shared_limit",
        "exempt",
        "add_resource",
        "add_namespace",
        "middleware",
        # central error handlers (BR701): Flask, Starlette/FastAPI, aiohttp-style registrations
        "register_error_handler",
        "add_exception_handler",
        # Flask `app.config.from_object(DefaultConfig)`: where `app.config["X"]` comes from
        "from_object",
        # ariadne `query.set_field("user", resolve_user)`: a GraphQL resolver bound by call
        "set_field",
    }
)
SETTINGS_NAMES = frozenset(
    {
        "REST_FRAMEWORK",
        "MIDDLEWARE",
        "ROOT_URLCONF",
        "INSTALLED_APPS",
        "RATELIMIT_ENABLE",
        # Django's error views in the root URLconf, usually dotted-path strings
        "handler400",
        "handler403",
        "handler404",
        "handler500",
        "CORS_ALLOW_ALL_ORIGINS",
        "CORS_ORIGIN_ALLOW_ALL",
        "CORS_ALLOW_CREDENTIALS",
    }
)


# Flask's and Quart's `session`: a dict signed into a cookie (https://flask.palletsprojects.com/en/stable/api/#sessions)
_COOKIE_SESSIONS = frozenset({"flask.session", "quart.session"})


def _new_facts(module: str) -> dict[str, Any]:
    return {
        "module": module,
        "imports": {},
        "functions": {},
        "classes": {},
        "objects": {},
        "aliases": {},
        "registrations": [],
        "urlpatterns": [],
        "settings": {},
        "lists": {},  # module-level list/tuple literals (Starlette `routes = [...]`)
        # module-level string constants and f-strings (`prefix = "/recipes"`): route prefixes
        "strings": {},
        # calls that pass an app/blueprint-like local object on (`setup_routes(app)`):
        # {"call": callee, "args": [...], "kwargs": {...}}, args that are no object are None
        "calls": [],
        # module-level `router.APIRootView = views.Root`: "router.APIRootView" -> the value
        "attr_assigns": {},
        # `registry[k][...].append(value)` in a function (symbolic.py): what a decorator records
        "registry_stores": [],
        # `path(...)` called in a loop of a function: URL patterns the function builds
        "url_builds": [],
        # module-level `decorator(args)(target)`: a decorator applied by a call
        "applied": [],
    }


class FrameworkCollector(Visitor):
    """Collects functions (decorators, params, body evidence), classes, app/router objects,
    registration calls, `urlpatterns` and settings of one module."""

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.facts = _new_facts(ctx.imports.module)
        self._funcs: dict[int, dict[str, Any]] = {}  # id(FunctionDef) -> record
        self._reqs: dict[int, frozenset[str]] = {}
        self._order: list[tuple[str, str, str]] = []  # (table, qualname, name) in source order
        self._module_objects: set[str] = set()
        self._ifs: set[int] = set()  # id() of function records an `if` was seen in so far
        self._if_numbers: dict[int, int] = {}  # id(If) -> its number in this file

        self._scopes: dict[int, symbolic.Scope] = {}  # id(FunctionDef) -> its names

    # -- definitions -------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        qualname = self.ctx.scope_name()
        cls = self._owning_class()
        params = []
        all_params = [
            *((p, "pos") for p in node.params.posonly_params),
            *((p, "pos") for p in node.params.params),
            *((p, "kw") for p in node.params.kwonly_params),
        ]
        imports = self.ctx.imports
        for param, kind in all_params:
            ann = param.annotation.annotation if param.annotation else None
            params.append(
                {
                    "name": param.name.value,
                    "kind": kind,
                    "annotation": encode(ann, imports),
                    "ann_text": _text(ann) if ann is not None else "",
                    "default": encode(param.default, imports),
                }
            )
        for star, stars in ((node.params.star_arg, "*"), (node.params.star_kwarg, "**")):
            if isinstance(star, cst.Param):
                params.append(
                    {
                        "name": star.name.value,
                        "kind": "star",
                        "stars": stars,
                        "annotation": None,
                        "ann_text": code_of(star.annotation.annotation) if star.annotation else "",
                        "default": None,
                    }
                )
        record: dict[str, Any] = {
            "qualname": qualname,
            "name": node.name.value,
            "class": cls,
            "line": 0,
            "async": node.asynchronous is not None,
            "decorators": [encode(d.decorator, imports) for d in node.decorators],
            "params": params,
            "returns": encode(node.returns.annotation, imports) if node.returns else None,
            "returns_text": code_of(node.returns.annotation) if node.returns else "",
            "raw": [],
            "validated_names": [],
            "validators": [],
            "ctor_calls": [],
            "calls": [],
            "super_init": None,  # `super().__init__(...)` in an `__init__`: what a subclass fixes
            "auth": [],
            "authz": [],
            "loads": [],
            "method_literals": [],
            "returns_dict": False,
            "returns_value": False,
            "returns_refs": [],  # `return bp`: the names a factory hands back
            "passes": [],  # a hook's early `return None` branches: see _request_conditions
            # `raise X(...)` in the body: [exception tail, status code or 0] (a Litestar guard
            # or auth middleware rejects a request by raising)
            "raises": [],
            "reads_user": False,  # the body reads `<name>.user` / `<name>.auth` (the caller)
            "returns_calls": [],  # `return Litestar(...)`: an app a factory builds unnamed
            # the `if` branches the `def` sits in (a hook installed only in some configurations)
            "branches": self._branches(len(self.ctx.stack) - 2),
        }
        self.facts["functions"][qualname] = record
        self._order.append(("functions", qualname, node.name.value))
        self._funcs[id(node)] = record
        self._reqs[id(node)] = body.request_names(node)

    def _owning_class(self) -> str:
        for node in reversed(self.ctx.stack[:-1]):
            if type(node) is cst.ClassDef:
                return node.name.value
            if type(node) is cst.FunctionDef:
                return ""
        return ""

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        imports = self.ctx.imports
        attrs: dict[str, Any] = {}
        annotations: dict[str, Any] = {}  # `circuit: CircuitType = strawberry_django.field()`
        methods: list[str] = []
        if isinstance(node.body, cst.IndentedBlock):
            for stmt in node.body.body:
                if isinstance(stmt, cst.FunctionDef):
                    methods.append(stmt.name.value)
                elif isinstance(stmt, cst.SimpleStatementLine):
                    for small in stmt.body:
                        if isinstance(small, cst.Assign):
                            for target in small.targets:
                                if isinstance(target.target, cst.Name):
                                    attrs[target.target.value] = encode(small.value, imports)
                        elif (
                            isinstance(small, cst.AnnAssign)
                            and isinstance(small.target, cst.Name)
                            and small.value is not None
                        ):
                            attrs[small.target.value] = encode(small.value, imports)
                            annotations[small.target.value] = encode(
                                small.annotation.annotation, imports
                            )
        self._order.append(("classes", self.ctx.scope_name(), node.name.value))
        self.facts["classes"][self.ctx.scope_name()] = {
            "name": node.name.value,
            "line": 0,
            "bases": [encode(b.value, imports) for b in node.bases if b.keyword is None],
            "decorators": [encode(d.decorator, imports) for d in node.decorators],
            "attrs": attrs,
            "annotations": annotations,
            "methods": methods,
        }

    # -- module-level objects, settings, urlpatterns -----------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        if self._in_class_body():
            return
        for target in node.targets:
            if isinstance(target.target, cst.Subscript):
                self._session_key(target.target)
            if isinstance(target.target, cst.Name):
                self._assigned(target.target.value, node.value)
            elif (
                isinstance(target.target, cst.Attribute)
                and target.target.attr.value in _CONFIG_ATTRIBUTES
            ):
                self._attribute_set(target.target, node.value)
            elif isinstance(node.value, cst.Call):
                self._self_object(target.target, node.value)
            elif (
                isinstance(target.target, cst.Attribute)
                and isinstance(node.value, cst.Name | cst.Attribute)
                and self.ctx.enclosing_function() is None
            ):
                dotted = dotted_name(target.target)
                if dotted is not None:
                    self.facts["attr_assigns"][dotted] = encode(node.value, self.ctx.imports)

    def _session_key(self, target: cst.Subscript) -> None:
        """`session["user_id"] = ...` on Flask's (Quart's) cookie session: the key is recorded
        under "session_keys" (BR211 reads whether the session holds the signed-in identity)."""
        if qualify(target.value, self.ctx.imports) not in _COOKIE_SESSIONS:
            return
        if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
            return
        key = target.slice[0].slice.value
        if isinstance(key, cst.SimpleString) and isinstance(key.evaluated_value, str):
            keys = self.facts.setdefault("session_keys", [])
            if key.evaluated_value not in keys:
                keys.append(key.evaluated_value)

    def _attribute_set(self, target: cst.Attribute, value: cst.BaseExpression) -> None:
        """`app_config.exception_handlers = {...}` (a Litestar plugin configuring the app) is
        recorded like a registration: method = the attribute, the value its one argument."""
        recv = qualify(target.value, self.ctx.imports)
        if recv is None:
            return
        scope = self._current()
        self.facts["registrations"].append(
            {
                "call": "",
                "func": None,
                "args": [encode(value, self.ctx.imports)],
                "kwargs": {},
                "recv": recv,
                "method": target.attr.value,
                "scope": scope["qualname"] if scope is not None else "",
            }
        )

    def _self_object(self, target: cst.BaseExpression, value: cst.Call) -> None:
        """`self.app = web.Application()` in a method: an object of the class, kept as
        `Class.app`, which `self.app` in any method of the class names."""
        record = self._current()
        owner = record["qualname"].rpartition(".")[0] if record and record["class"] else ""
        if (
            owner
            and isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == "self"
        ):
            name = f"{owner}.{target.attr.value}"
            self.facts["objects"].setdefault(name, encode_call(value, self.ctx.imports))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if (
            node.value is not None
            and isinstance(node.target, cst.Name)
            and not self._in_class_body()
        ):
            self._assigned(node.target.value, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name) and node.target.value == "urlpatterns":
            self.facts["urlpatterns"].extend(_flatten(encode(node.value, self.ctx.imports)))

    def _in_class_body(self) -> bool:
        for node in reversed(self.ctx.stack[:-1]):
            if type(node) is cst.ClassDef:
                return True
            if type(node) is cst.FunctionDef:
                return False
        return False

    def _assigned(self, name: str, value: cst.BaseExpression) -> None:
        imports = self.ctx.imports
        at_module = self.ctx.enclosing_function() is None
        record = None if at_module else self._current()
        if record is not None and body.mentions_user(value, _user_names(record)):
            # `role = current_user.get_organization_role(org)`: a property of the user
            record.setdefault("user_locals", []).append(name)
        if record is not None:
            called = _called(value, imports)
            if called:  # `err = check_token(request)`: what `return err` hands back
                record.setdefault("call_locals", {})[name] = called
            offset = _path_offset(value, self.ctx)
            if offset is not None:  # `sub = request.path[len("/api/v1"):]`
                record.setdefault("path_locals", {})[name] = offset
        if name == "urlpatterns":
            self.facts["urlpatterns"] = _flatten(encode(value, imports))
        elif at_module and (name in SETTINGS_NAMES or name.startswith("CORS_")):
            self.facts["settings"][name] = encode(value, imports)
        elif isinstance(value, cst.Call):
            # A module-level object is the one other modules import; a function-local one
            # (`app = Flask()` in a factory) only counts while no module-level one has the name,
            # so `teams = Teams.query.all()` in a view does not replace the `teams` blueprint.
            if at_module:
                self._module_objects.add(name)
                self.facts["objects"][name] = encode_call(value, imports)
            elif name not in self._module_objects and (
                name not in self.facts["objects"]
                or (
                    (qualify(value.func, imports) or "").startswith(_WEB_PACKAGES)
                    and not ref(self.facts["objects"][name]).startswith(_WEB_PACKAGES)
                )
            ):
                # a blueprint built in a factory (`user = Blueprint(...)`) wins over a view's
                # unrelated local of the same name (`user = User.get(...)`) seen before it
                self.facts["objects"][name] = encode_call(value, imports)
        elif isinstance(value, cst.List | cst.Tuple) and at_module:
            self.facts["lists"][name] = encode(value, imports)
        elif isinstance(value, _STRINGS) and at_module:
            self.facts["strings"][name] = encode(value, imports)
        elif isinstance(value, cst.Subscript | cst.Name | cst.Attribute) and at_module:
            self.facts["aliases"][name] = encode(value, imports)

    # -- calls and body evidence -------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in REGISTRATION_METHODS:
            recv = qualify(func.value, self.ctx.imports)
            if recv is not None and (
                func.attr.value not in _LIST_METHODS
                or recv.endswith(_APP_CONFIG_LISTS)
                or (func.attr.value != "insert" and recv.endswith(("urlpatterns", "middlewares")))
            ):
                entry = encode_call(node, self.ctx.imports)
                entry["recv"] = recv
                entry["method"] = func.attr.value
                self._place(entry)
                self.facts["registrations"].append(entry)
        elif (
            isinstance(func, cst.Call)
            and isinstance(func.func, cst.Attribute)
            and func.func.attr.value in _DECORATOR_VERBS
            and len(node.args) == 1
            and not node.args[0].keyword
            and not node.args[0].star
        ):
            # `router.post("/register")(register_user)`: a route decorator applied by a call
            recv = qualify(func.func.value, self.ctx.imports)
            target = encode(node.args[0].value, self.ctx.imports)
            if recv is not None and isinstance(target, dict) and "ref" in target:
                entry = {
                    "call": "",
                    "func": None,
                    "args": [target],
                    "kwargs": {},
                    "recv": recv,
                    "method": "decorate",
                    "decorator": encode_call(func, self.ctx.imports),
                }
                self._place(entry)
                self.facts["registrations"].append(entry)
        self._pass_on(node)
        record = self._current()
        if record is None:
            if isinstance(func, cst.Call) and dotted_name(func.func) is not None:
                self._applied(node, func)
            return
        self._symbolic_facts(node, record)
        update = _route_mapping_update(node)
        if update is not None:
            index, mapping = update
            record.setdefault("route_updates", []).append(
                [index, encode(mapping, self.ctx.imports)]
            )
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "__init__"
            and isinstance(func.value, cst.Call)
            and isinstance(func.value.func, cst.Name)
            and func.value.func.value == "super"
        ):
            record["super_init"] = encode_call(node, self.ctx.imports)
        name = self.ctx.resolve(func) or ""
        if name and name not in record["calls"]:
            record["calls"].append(name)
        handed = sorted({a.value.value for a in node.args if type(a.value) is cst.Name})
        if handed and isinstance(func, cst.Name | cst.Attribute):
            # `_get_check_for_user(request, code)`: a helper the function hands its names to
            # (delegation.py follows what the helper checks)
            callee = qualify(func, self.ctx.imports)
            if callee:
                record.setdefault("arg_calls", []).append([callee, handed])
        for passed in node.args:  # `AllRepositories(session, group_id=self.group_id)`
            if passed.keyword is not None:
                value = dotted_name(passed.value) or ""
                if value.startswith("self."):
                    record.setdefault("self_kwargs", []).append([passed.keyword.value, value])
        capability.call_facts(node, name, self.ctx, record, self._requests())
        if body.calls_wrapped_view_unchecked(node, self.ctx.stack):
            record["open_view_call"] = True
        evidence = body.call_evidence(node, self.ctx)
        if evidence and evidence[1] == "redirect to login" and not self._branched(record):
            evidence = None  # `logout` sends everyone to the login page: nobody is turned away
        if evidence and evidence[0] == "authorization" and not self._user_refusal(record, evidence):
            # a 403 for the anonymous caller (`if not request.user.is_authenticated`) turns
            # away who has no user; one on a setting or a flag refuses everyone alike
            login = body.login_condition(body.refusal_conditions(self.ctx.stack))
            evidence = ("authentication", evidence[1]) if login else None
        if evidence:
            record["auth" if evidence[0] == "authentication" else "authz"].append(evidence[1])
        validator = body.validator_call(node, self.ctx)
        if validator:
            record["validators"].append(validator)
            for arg in body.validated_args(node):
                record["validated_names"].extend(sorted(body.names_in(arg)))
        elif name and name.rsplit(".", 1)[-1][:1].isupper() and node.args:
            q = qualify(func, self.ctx.imports) or name
            names = sorted({n for a in node.args for n in body.names_in(a.value)})
            record["ctor_calls"].append([q, names])
        if body.is_object_load(node, self.ctx):
            record["loads"].append(
                {
                    "names": sorted(body.names_in(node)),
                    "user": body.mentions_user(node),
                    "text": code_of(node)[:120],
                }
            )

    def _place(self, entry: dict[str, Any]) -> None:
        """Where a registration call sits: its function (`scope`), the `for` loops around it
        in that function (`loops`: [[target names], encoded iterable], innermost first) and
        the `if` branches it runs in (`branches`: [[if number, "body" | "else"], ...])."""
        scope = self._current()
        entry["scope"] = scope["qualname"] if scope is not None else ""
        loops: list[list[Any]] = []
        stack = self.ctx.stack
        for at in range(len(stack) - 2, -1, -1):
            node, below = stack[at], stack[at + 1]
            if isinstance(node, cst.FunctionDef | cst.ClassDef):
                break
            if isinstance(node, cst.For) and below is node.body:
                names = _target_names(node.target)
                if names:
                    loops.append([names, encode(node.iter, self.ctx.imports)])
        if loops:
            entry["loops"] = loops
        branches = self._branches(len(stack) - 2)
        if branches:
            entry["branches"] = branches

    def _branches(self, start: int) -> list[list[Any]]:
        """[if number, "body" | "else"] of each `if` branch around stack[start] inside its
        function (or at module level), innermost first."""
        branches: list[list[Any]] = []
        stack = self.ctx.stack
        for at in range(start, -1, -1):
            node, below = stack[at], stack[at + 1]
            if isinstance(node, cst.FunctionDef | cst.ClassDef):
                break
            if isinstance(node, cst.If) and id(node) in self._if_numbers:
                if below is node.body:
                    branches.append([self._if_numbers[id(node)], "body"])
                elif below is node.orelse:
                    branches.append([self._if_numbers[id(node)], "else"])
        return branches

    def _applied(self, node: cst.Call, decorator: cst.Call) -> None:
        """`register(Model, "trace")(TraceView)` at module level: a decorator applied by hand."""
        if self.ctx.enclosing_function() is None and len(node.args) == 1:
            imports = self.ctx.imports
            self.facts["applied"].append(
                {
                    "decorator": encode_call(decorator, imports),
                    "target": encode(node.args[0].value, imports),
                }
            )

    def _symbolic_facts(self, node: cst.Call, record: dict[str, Any]) -> None:
        """A registry append or a URL pattern built in a loop (see symbolic.py); the function
        scope is read only for these rare calls."""
        func = node.func
        store = isinstance(func, cst.Attribute) and isinstance(func.value, cst.Subscript)
        build = False
        if not store and isinstance(func, cst.Name | cst.Attribute):
            name = self.ctx.resolve(func) or ""
            build = name in _URL_FUNCTIONS and any(isinstance(n, cst.For) for n in self.ctx.stack)
        applied = (
            isinstance(func, cst.Call)
            and dotted_name(func.func) is not None
            and len(node.args) == 1
        )
        startup = (
            record["name"] == "ready"
            and bool(record["class"])
            and dotted_name(func) is not None
            and not store
        )
        if not (store or build or applied or startup):
            return
        functions = [n for n in self.ctx.stack if isinstance(n, cst.FunctionDef)]
        key = id(functions[-1])
        scope = self._scopes.get(key)
        if scope is None:
            scope = self._scopes[key] = symbolic.Scope(functions)
        imports = self.ctx.imports
        if applied and isinstance(func, cst.Call):
            # `register(model, "journal")(View)` in a loop of a function: applied per item
            self.facts["applied"].append(
                {
                    "scope": record["qualname"],
                    "loops": symbolic.loops_around(self.ctx.stack, scope, imports),
                    "conditions": symbolic.conditions_around(self.ctx.stack, scope, imports),
                    "decorator": symbolic.symbolic(func, scope, imports),
                    "target": symbolic.symbolic(node.args[0].value, scope, imports),
                }
            )
            return
        if startup:
            # a call in `ready()`: Django runs AppConfig.ready() once at startup
            self.facts.setdefault("ready_calls", []).append(
                {"scope": record["qualname"], "call": symbolic.symbolic(node, scope, imports)}
            )
            return
        if store:
            found = symbolic.registry_store(node, scope, imports)
            if found is not None:
                self.facts["registry_stores"].append({**found, "scope": record["qualname"]})
            return
        loops = symbolic.loops_around(self.ctx.stack, scope, imports)
        if loops:
            self.facts["url_builds"].append(
                {
                    "scope": record["qualname"],
                    "loops": loops,
                    "call": symbolic.symbolic(node, scope, imports),
                }
            )

    def _pass_on(self, node: cst.Call) -> None:
        """Record a call that hands a local object (`app = web.Application()`) or an imported
        name (`from .api import api_router`) to a function: the callee may declare routes on
        its parameter (`def setup_routes(app)`); the builder keeps the app-like ones."""
        objects = self.facts["objects"]
        imported = self.ctx.imports.names
        passed = [
            isinstance(a.value, cst.Name)
            and (a.value.value in objects or a.value.value in imported)
            and a.star == ""
            for a in node.args
        ]
        if not any(passed) or dotted_name(node.func) is None:
            return
        imports = self.ctx.imports
        entry = encode_call(node, imports)
        entry["args"] = [
            encode(a.value, imports) if ok else None
            for a, ok in zip(node.args, passed, strict=True)
            if a.keyword is None and not a.star
        ]
        entry["kwargs"] = {
            a.keyword.value: encode(a.value, imports)
            for a, ok in zip(node.args, passed, strict=True)
            if ok and a.keyword is not None
        }
        # every argument as written: a helper that registers routes with its parameters
        # (`register_view(bp, routes=[...], view_func=V.as_view("v"))`) gets them from here
        full = encode_call(node, imports)
        entry["all_args"], entry["all_kwargs"] = full["args"], full["kwargs"]
        scope = self._current()
        entry["scope"] = scope["qualname"] if scope is not None else ""
        self.facts["calls"].append(entry)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        record = self._current()
        if record is None:
            return
        if node.attr.value in ("user", "auth") and type(node.value) is cst.Name:
            record["reads_user"] = True
        evidence = body.attribute_evidence(node)
        if evidence and evidence[0] == "authorization" and body.is_exemption(self.ctx.stack):
            evidence = None
        if (
            evidence
            and evidence[0] == "authentication"
            and body.read_for_signed_in_branch(self.ctx.stack)
        ):
            evidence = None  # `if user.is_authenticated: return redirect(home)`: none turned away
        if evidence:
            record["auth" if evidence[0] == "authentication" else "authz"].append(evidence[1])
        func = self.ctx.enclosing_function()
        reqs = self._reqs.get(id(func), frozenset()) if func is not None else frozenset()
        what = body.raw_read(node, self.ctx, reqs)
        if what:
            var, inside, ctor = body.raw_context(self.ctx)
            record["raw"].append([what, var, inside, ctor])

    def visit_Subscript(self, node: cst.Subscript) -> None:
        record = self._current()
        if record is not None:
            evidence = body.subscript_evidence(node)
            if evidence:
                record["auth"].append(evidence[1])

    def visit_Comparison(self, node: cst.Comparison) -> None:
        record = self._current()
        if record is None:
            return
        parts = (node.left, *(c.comparator for c in node.comparisons))
        if any(isinstance(p, cst.Attribute) and p.attr.value == "method" for p in parts):
            for part in parts:
                for lit in _string_literals(part):
                    if lit.upper() in body.HTTP_METHODS:
                        record["method_literals"].append(lit.upper())

    def visit_If(self, node: cst.If) -> None:
        """`if request.endpoint == "login": return None` in a before_request hook lets those
        requests through: record the request conditions of every branch that only returns."""
        self._if_numbers.setdefault(id(node), len(self._if_numbers))
        record = self._current()
        if record is not None:
            self._ifs.add(id(record))
            capability.if_facts(node, self.ctx, record, self._requests())
            if body.turns_users_away(node):
                record["for_anonymous"] = True
        if record is None or not (_returns_nothing(node.body) or _passes_on(node.body, record)):
            return
        # `if a or b: return` lets each of a, b through on its own
        paths = record.get("path_locals", {})
        branches = [_request_conditions(part, self.ctx, paths) for part in _disjuncts(node.test)]
        if all(branches):
            record["passes"].extend(branches)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        record = self._current()
        if record is not None:
            capability.except_facts(node, self.ctx, record, self._requests())

    def _requests(self) -> frozenset[str]:
        func = self.ctx.enclosing_function()
        return self._reqs.get(id(func), frozenset()) if func is not None else frozenset()

    def visit_Raise(self, node: cst.Raise) -> None:
        record = self._current()
        if record is None or node.exc is None:
            return
        exc = node.exc
        status = 0
        if isinstance(exc, cst.Call):
            for arg in exc.args:
                keyword = arg.keyword.value if arg.keyword is not None else ""
                if keyword in ("", "status_code", "status") and isinstance(arg.value, cst.Integer):
                    status = int(arg.value.evaluated_value)
                    break
            exc = exc.func
        name = dotted_name(exc)
        if name:
            record["raises"].append([name.rsplit(".", 1)[-1], status])

    def visit_Return(self, node: cst.Return) -> None:
        record = self._current()
        if (
            record is not None
            and isinstance(node.value, cst.Call)
            and (qualify(node.value.func, self.ctx.imports) or "").startswith(_APP_FACTORIES)
        ):
            record["returns_calls"].append(encode_call(node.value, self.ctx.imports))
        if record is not None and isinstance(node.value, cst.Name | cst.Attribute):
            record["returns_refs"].append(encode(node.value, self.ctx.imports))
        if record is not None and isinstance(node.value, cst.Attribute):
            value = dotted_name(node.value) or ""
            if value.startswith("self."):  # a property handing on `self.user.group_id`
                record.setdefault("returns_self", []).append(value)
        called = _called(node.value, self.ctx.imports) if record is not None else ""
        if record is not None and called:  # `return check_token(request)`
            record.setdefault("returned_calls", []).append(called)
        if record is not None and isinstance(node.value, cst.Dict):
            record["returns_dict"] = True
        if record is not None and capability.returns_compare(node):
            record["returns_compare"] = True
        if record is not None and node.value is not None:
            record["returns_value"] = True
            answer = node.value.expression if isinstance(node.value, cst.Await) else node.value
            if not isinstance(answer, cst.Call | cst.Name | cst.Attribute):
                record["returns_other"] = True  # a literal, a tuple: the function's own answer

    def _user_refusal(self, record: dict[str, Any], evidence: tuple[str, str]) -> bool:
        """A 403 refusal is authorization when it is unconditional (a permission hook's verdict)
        or some enclosing condition reads the current user's role, permission or identity."""
        if not body.is_refusal(evidence[1]):
            return True
        tests = body.refusal_conditions(self.ctx.stack)
        if not tests:
            return True
        names = _user_names(record)
        return body.user_condition(tests, names)

    def _branched(self, record: dict[str, Any]) -> bool:
        """The current node runs on some requests only: inside an if/else, a conditional
        expression or a loop of the innermost function, or after an `if` that may have
        returned already (`if is_admin(): return ...` then `return redirect(login)`)."""
        if id(record) in self._ifs:
            return True
        for node in reversed(self.ctx.stack):
            kind = type(node)
            if kind is cst.FunctionDef:
                return False
            if kind in (
                cst.If,
                cst.Else,
                cst.IfExp,
                cst.For,
                cst.While,
                cst.Try,
                cst.ExceptHandler,
            ):
                return True
        return False

    def _current(self) -> dict[str, Any] | None:
        """The record of the function whose body holds the current node (decorators and
        parameter defaults belong to no body)."""
        for node in reversed(self.ctx.stack):  # hot: `type() is`, not ABC isinstance checks
            kind = type(node)
            if kind is cst.Decorator or kind is cst.Parameters:
                return None
            if kind is cst.FunctionDef:
                return self._funcs.get(id(node))
        return None

    # -- finish ------------------------------------------------------------------------
    def finish(self) -> None:
        facts = self.facts
        if (
            not (facts["functions"] or facts["classes"])
            and not self.ctx.imports.stars
            and not (self.ctx.imports.is_package and self.ctx.imports.names)  # re-exports
            and not any(
                facts[k]
                for k in (
                    "objects",
                    "registrations",
                    "urlpatterns",
                    "settings",
                    "aliases",
                    "lists",
                    "strings",
                    "calls",
                    "attr_assigns",
                    "registry_stores",
                    "url_builds",
                    "applied",
                )
            )
        ):
            return
        facts["imports"] = dict(self.ctx.imports.names)
        facts["star_imports"] = list(self.ctx.imports.stars)
        if facts["objects"]:
            facts["object_lines"] = _assignment_lines(self.ctx.source, facts["objects"])
        found = _def_lines(self.ctx.source)
        position = 0
        for table, qualname, name in self._order:
            facts[table][qualname]["line"] = 1
            for at in range(position, len(found)):
                if found[at][0] == name:
                    facts[table][qualname]["line"] = found[at][1]
                    position = at + 1
                    break
        lines: list[str] = []
        for record in facts["classes"].values():
            if record["attrs"]:
                lines = lines or self.ctx.source.splitlines()
                record["attr_lines"] = _attribute_lines(lines, record)
        self.ctx.facts[FACTS_KEY] = facts


# Django's URL pattern constructors (https://docs.djangoproject.com/en/5.2/ref/urls/)
_URL_FUNCTIONS = frozenset({"django.urls.path", "django.urls.re_path", "django.conf.urls.url"})

_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)", re.M)


def _def_lines(source: str) -> list[tuple[str, int]]:
    """(name, line) of every `def`/`class` line in source order; far cheaper than positions.

    Matched with the traversal's defs in order, by name, so a `def` inside a string can only
    shift nothing but itself."""
    found = []
    line, last = 1, 0
    for match in _DEF.finditer(source):
        line += source.count("\n", last, match.start())
        last = match.start()
        found.append((match.group(1), line))
    return found


def _attribute_lines(lines: list[str], record: dict[str, Any]) -> dict[str, int]:
    """Line of each class attribute (`name = ...` / `name: T = ...`, indented), searched from
    the class's own line: where a GraphQL field declared as an attribute is reported."""
    found: dict[str, int] = {}
    wanted = set(record["attrs"])
    start = max(record["line"], 1)
    for number in range(start, min(len(lines), start + 5000) + 1):
        match = _ATTR.match(lines[number - 1])
        if match and match.group(1) in wanted and match.group(1) not in found:
            found[match.group(1)] = number
            if len(found) == len(wanted):
                break
    return found


_ATTR = re.compile(r"^[ \t]+(\w+)[ \t]*(?::[^=]*)?=(?!=)")

# route decorators a project may apply by calling them (`router.post(path)(view)`)
_DECORATOR_VERBS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "trace", "route", "api_route"}
)
_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)


def _target_names(target: cst.BaseExpression) -> list[str]:
    """`for router in ...` -> ["router"]; `for router, prefix in ...` -> ["router", "prefix"];
    [] for any other target (`for x.y in ...`, nested tuples)."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, cst.Tuple | cst.List):
        names = [e.value.value for e in target.elements if isinstance(e.value, cst.Name)]
        return names if len(names) == len(target.elements) else []
    return []


_TOP_ASSIGN = re.compile(r"^(\w+)[ \t]*(?::[^=\n]*)?=(?!=)", re.M)


def _assignment_lines(source: str, names: dict[str, Any]) -> dict[str, int]:
    """Line of the first module-level `name = ...` of each object (a router, an app), found
    with one regex pass instead of node positions."""
    lines: dict[str, int] = {}
    line, last = 1, 0
    for match in _TOP_ASSIGN.finditer(source):
        if match.group(1) in names and match.group(1) not in lines:
            line += source.count("\n", last, match.start())
            last = match.start()
            lines[match.group(1)] = line
    return lines


def _route_mapping_update(node: cst.Call) -> tuple[int, cst.Dict] | None:
    """`self.routes[0].mapping.update({"put": "bulk_update"})`: a DRF router subclass adding
    methods to one of its `routes` (SimpleRouter.routes is a list of Route namedtuples whose
    `mapping` is the method -> viewset action dict)."""
    func = node.func
    if not (
        isinstance(func, cst.Attribute)
        and func.attr.value == "update"
        and len(node.args) == 1
        and isinstance(node.args[0].value, cst.Dict)
        and isinstance(func.value, cst.Attribute)
        and func.value.attr.value == "mapping"
        and isinstance(func.value.value, cst.Subscript)
    ):
        return None
    sub = func.value.value
    if dotted_name(sub.value) != "self.routes" or len(sub.slice) != 1:
        return None
    index = sub.slice[0].slice
    if not isinstance(index, cst.Index) or not isinstance(index.value, cst.Integer):
        return None
    return int(index.value.evaluated_value), node.args[0].value


def _text(node: cst.BaseExpression) -> str:
    """Source text of a small expression; dotted names without a code generation pass."""
    return dotted_name(node) or code_of(node)


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [item for v in value for item in _flatten(v)]
    if isinstance(value, dict) and value.get("op") == "+":
        return _flatten(value["left"]) + _flatten(value["right"])
    return [value]


def _string_literals(node: cst.BaseExpression) -> list[str]:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return [value] if isinstance(value, str) else []
    if isinstance(node, cst.List | cst.Tuple | cst.Set):
        return [v for e in node.elements for v in _string_literals(e.value)]
    return []


def _returns_nothing(body: cst.BaseSuite) -> bool:
    """The branch is exactly `return` / `return None`."""
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    if len(statements) != 1:
        return False
    line = statements[0]
    small = getattr(line, "body", None)
    if not isinstance(small, Sequence) or len(small) != 1 or not isinstance(small[0], cst.Return):
        return False
    value = small[0].value
    return value is None or (isinstance(value, cst.Name) and value.value == "None")


def _passes_on(body: cst.BaseSuite, record: dict[str, Any]) -> bool:
    """The branch is exactly `return [await] handler(request)` with `handler` a parameter:
    an aiohttp middleware (`async def mw(request, handler)`) handing the request on
    unchecked (https://docs.aiohttp.org/en/stable/web_advanced.html#middlewares)."""
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    if len(statements) != 1:
        return False
    small = getattr(statements[0], "body", None)
    if not isinstance(small, Sequence) or len(small) != 1 or not isinstance(small[0], cst.Return):
        return False
    value = small[0].value
    if isinstance(value, cst.Await):
        value = value.expression
    params = {p["name"] for p in record["params"]}
    return (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value in params
    )


def _disjuncts(test: cst.BaseExpression) -> list[cst.BaseExpression]:
    parts: list[cst.BaseExpression] = []
    todo = [test]
    while todo:
        expr = todo.pop()
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
            todo += [expr.right, expr.left]
        else:
            parts.append(expr)
    return parts


def _called(value: cst.BaseExpression | None, imports: Any) -> str:
    """The qualified function a value calls (`helper(x)`, `await helper(x)`), else ""."""
    if isinstance(value, cst.Await):
        value = value.expression
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name | cst.Attribute):
        return qualify(value.func, imports) or ""
    return ""


def _path_offset(value: cst.BaseExpression, ctx: Any) -> int | None:
    """`request.path[len("/api/v1"):]` / `request.path[8:]` -> 8: the request path without
    its first characters, `request.path` itself -> 0; None for anything else."""
    if _request_attr(value, ctx) == "path":
        return 0
    if not (isinstance(value, cst.Subscript) and _request_attr(value.value, ctx) == "path"):
        return None
    if len(value.slice) != 1 or not isinstance(value.slice[0].slice, cst.Slice):
        return None
    cut = value.slice[0].slice
    if cut.upper is not None or cut.step is not None or cut.lower is None:
        return None
    lower = cut.lower
    if isinstance(lower, cst.Integer):
        return int(lower.evaluated_value)
    if (
        isinstance(lower, cst.Call)
        and isinstance(lower.func, cst.Name)
        and lower.func.value == "len"
        and len(lower.args) == 1
    ):
        text = _literal(lower.args[0].value)
        return len(text) if isinstance(text, str) else None
    return None


_REQUEST_FIELDS = frozenset({"endpoint", "blueprint", "path"})


def _request_conditions(
    test: cst.BaseExpression, ctx: Any, paths: dict[str, int] | None = None
) -> list[list[Any]]:
    """[field, op, literal] for each conjunct of `test` that matches the request's endpoint,
    blueprint or path against a literal; [] when any conjunct is about something else (a
    setting), so the branch is not an exemption the code alone decides. `paths` names locals
    holding the request path without its first n characters (field `path@n`)."""
    parts: list[cst.BaseExpression] = []
    todo = [test]
    while todo:
        expr = todo.pop()
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.And):
            todo += [expr.left, expr.right]
        else:
            parts.append(expr)
    found: list[list[Any]] = []
    for part in parts:
        if isinstance(part, cst.Attribute) and _request_attr(part, ctx):
            continue  # `request.endpoint and ...`, `request.view_args`: truthiness only
        condition = _request_condition(part, ctx, paths or {})
        if condition is None:
            return []
        found.append(condition)
    return found


def _request_attr(expr: cst.BaseExpression, ctx: Any) -> str:
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        name = ctx.resolve(expr.value) or ""
        if name.rsplit(".", 1)[-1] == "request":
            return expr.attr.value
    return ""


def _literal(expr: cst.BaseExpression) -> Any:
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(expr, cst.Tuple | cst.List | cst.Set):
        values = [_literal(e.value) for e in expr.elements]
        return values if all(isinstance(v, str) for v in values) else None
    return None


def _request_condition(
    part: cst.BaseExpression, ctx: Any, paths: dict[str, int]
) -> list[Any] | None:
    def field_of(expr: cst.BaseExpression) -> str:
        if isinstance(expr, cst.Name) and expr.value in paths:
            return f"path@{paths[expr.value]}" if paths[expr.value] else "path"
        return _request_attr(expr, ctx)

    def known(field: str) -> bool:
        return field in _REQUEST_FIELDS or field.startswith("path@")

    if isinstance(part, cst.Call) and isinstance(part.func, cst.Attribute):
        # request.path.startswith("/api/")
        if part.func.attr.value == "startswith" and len(part.args) == 1:
            field = field_of(part.func.value)
            value = _literal(part.args[0].value)
            if known(field) and isinstance(value, str | list):
                return [field, "startswith", value]
        return None
    if not isinstance(part, cst.Comparison) or len(part.comparisons) != 1:
        return None
    op = part.comparisons[0].operator
    right = part.comparisons[0].comparator
    left_field = field_of(part.left)
    right_field = field_of(right)
    if isinstance(op, cst.Equal) and known(left_field):
        value = _literal(right)
        return [left_field, "==", value] if isinstance(value, str) else None
    if isinstance(op, cst.In) and known(left_field):
        value = _literal(right)
        return [left_field, "in", value] if isinstance(value, list) else None
    if isinstance(op, cst.In) and known(right_field):
        value = _literal(part.left)  # "login" in request.endpoint
        return [right_field, "contains", value] if isinstance(value, str) else None
    return None


# parameters that hold the current user: by name, or injected (FastAPI `Depends`, `Annotated`)
_USER_PARAMS = re.compile(r"^(user|current_user|principal|identity|account|me)$")
_USER_TYPE = re.compile(r"current_?(active_?)?user", re.I)


def _user_names(record: dict[str, Any]) -> frozenset[str]:
    """Names that hold the current user or a property of it in a function's body."""
    names = set(record.get("user_locals", ()))
    for param in record["params"]:
        if _USER_PARAMS.match(param["name"]) or _USER_TYPE.search(param["ann_text"]):
            names.add(param["name"])
    return frozenset(names)
