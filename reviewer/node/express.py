"""Express routing: apps, routers, their middleware stacks and mounts, joined into `Route`s.

What Express does (https://expressjs.com/en/guide/routing.html, /en/4x/api.html#app.use):
- `express()` makes an app, `express.Router()` (or `Router()` from "express") a router; both
  keep one ordered stack of layers.
- `X.METHOD(path, ...handlers)` and `X.all(...)` add a route; `X.route(path).get(h).post(h)`
  adds several on one path. Every function but the last is middleware of that route (arrays
  of functions are flattened).
- `X.use([path,] ...fns)` adds middleware that runs for every later layer whose path starts
  with `path` (segment-wise); a router among the arguments is mounted at `path`, behind the
  middleware listed before it in the same call. Order matters: a route added before
  `app.use(auth)` is not behind it.
- A router passed to a function (`require("./routes")(app)`, `registerRoutes(router)`) is the
  same router inside it; a factory that builds and returns a router mounts what it returns.

A route's file and line are those of its registration (`router.post(...)`), where a guard is
added; its handler is the last function's name.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import tree_sitter as ts

from reviewer.node.guards import VALIDATION, Guards, Kinds, handler_kinds
from reviewer.node.modules import External, Param, Program, Resolved, Value
from reviewer.node.syntax import FUNCTIONS, arguments, line, string_value, text, unwrap, walk
from reviewer.service import AUTHENTICATION, AUTHORIZATION, RATE_LIMIT, Guard, Route

METHODS = ("get", "post", "put", "patch", "delete", "options", "head", "all")
_TEST_FILE = re.compile(r"(^|/)(__tests__|tests?|spec|e2e)/|\.(test|spec|e2e)\.[cm]?[jt]sx?$")


def is_test_file(relpath: str) -> bool:
    """A JavaScript/TypeScript test or spec file (`__tests__/`, `*.spec.ts`, `e2e/`)."""
    return bool(_TEST_FILE.search(relpath))


MAX_MOUNT_DEPTH = 16

Key = tuple[object, ...]


@dataclass
class Layer:
    order: tuple[str, int, int]  # (file, byte) of the registration, or of the call that ran it
    file: str
    line: int
    kind: str  # route | use
    path: str
    methods: tuple[str, ...] = ()
    args: tuple[ts.Node, ...] = ()  # middleware (and, for a route, the handler last)
    validated: tuple[str, ...] = ()  # validation the registration itself declares
    declared: tuple[tuple[str, ts.Node], ...] = ()  # middleware declared in another file
    name: str = ""  # the handler's name when no function serves it (Hono's `app.doc`)


@dataclass
class Stack:
    key: Key
    file: str
    line: int
    is_app: bool
    layers: list[Layer] = field(default_factory=list)
    mounted: bool = False
    base: str = ""  # a prefix of its own (koa-router's `prefix`, Hono's `basePath`)
    parent: tuple[Key, tuple[str, int, int]] | None = None  # shares the parent's stack from then


class Express:
    """The Express model of one program: every app and router and what they serve.

    Hono and Koa (reviewer/node/hono.py, koa.py) keep one ordered stack per app or router
    too; they subclass this model and change what makes a stack and what registers a layer."""

    framework = "express"
    packages: tuple[str, ...] = ("express",)  # whose types a router parameter may be declared as
    registers: tuple[str, ...] = (*METHODS, "use")

    def __init__(self, program: Program) -> None:
        self.program = program
        self.guards = Guards(program)
        self.stacks: dict[Key, Stack] = {}
        self.aliases: dict[Key, Key] = {}  # a router parameter -> the router passed in
        self.call_sites: dict[Key, tuple[str, int]] = {}  # ... and where it was passed
        self.limiters: list[Guard] = []

    # -- collection ----------------------------------------------------------------------

    def collect(self) -> None:
        # test code wires apps its own way (`createTestApp(router)`): it defines no route of
        # the service, and what it passes to helpers must not join the service's stacks
        calls = [(f, c) for f, c in self.program.calls() if not _TEST_FILE.search(f)]
        for file, call in calls:
            self._bind_parameters(file, call)
        for file, call in calls:
            self._layer(file, call)

    def _bind_parameters(self, file: str, call: ts.Node) -> None:
        """`registerRoutes(app)`: the function's parameter is the app inside it."""
        args = arguments(call)
        if not args:
            return
        callee = self.program.resolve(file, call.child_by_field_name("function"))
        function = _function_of(callee)
        if function is None or not isinstance(callee, Value):
            return
        for index, arg in enumerate(args):
            stack = self._stack_of(self.program.resolve(file, arg))
            if stack is None:
                continue
            param = _param_at(callee.file, function, index)
            if param is not None and ("param", *param.key) not in self.aliases:
                self.aliases[("param", *param.key)] = stack
                self.call_sites[("param", *param.key)] = (file, call.start_byte)

    def _layer(self, file: str, call: ts.Node) -> None:
        callee = unwrap(call.child_by_field_name("function"))
        if callee is None or callee.type != "member_expression":
            return
        method = text(callee.child_by_field_name("property"))
        obj = unwrap(callee.child_by_field_name("object"))
        if method not in self.registers or obj is None:
            return
        route_path = None
        if obj.type == "call_expression":  # router.route("/x").get(h).post(h)
            obj, route_path = self._route_chain(obj)
            if obj is None:
                return
        value = self.program.resolve(file, obj)
        key = self._stack_of(value, create=True)
        if key is None or key not in self.stacks:
            return
        order = (file, call.start_byte, 0)
        site = self.call_sites.get(("param", *value.key)) if isinstance(value, Param) else None
        if site is not None:  # registered inside a function: in order of the call that ran it
            order = (*site, call.start_byte)
        at = line(callee.child_by_field_name("property") or call)  # `.delete(` of a chain
        self._add(self.stacks[key], order, file, at, method, arguments(call), route_path)

    def _add(
        self,
        stack: Stack,
        order: tuple[str, int, int],
        file: str,
        at: int,
        method: str,
        args: list[ts.Node],
        route_path: str | None,
    ) -> None:
        """One `X.METHOD(...)`/`X.use(...)` call (`route_path` set inside a route chain)."""
        if route_path is not None:
            if method != "use":
                stack.layers.append(
                    Layer(order, file, at, "route", route_path, _methods(method), tuple(args))
                )
            return
        paths = self.program.strings(file, args[0]) if args else None
        rest = tuple(args[1:]) if paths is not None else tuple(args)
        if method == "use":
            for path in paths or [""]:
                stack.layers.append(Layer(order, file, at, "use", path, (), rest))
        elif paths is not None and rest:  # app.get("env") with one argument reads a setting
            for path in filter(is_url_path, paths):
                stack.layers.append(Layer(order, file, at, "route", path, _methods(method), rest))

    def _route_chain(self, call: ts.Node) -> tuple[ts.Node | None, str | None]:
        node: ts.Node | None = call
        while node is not None and node.type == "call_expression":
            callee = unwrap(node.child_by_field_name("function"))
            if callee is None or callee.type != "member_expression":
                return None, None
            prop = text(callee.child_by_field_name("property"))
            if prop == "route":
                args = arguments(node)
                path = string_value(args[0]) if args else None
                return unwrap(callee.child_by_field_name("object")), path
            if prop not in METHODS:
                return None, None
            node = unwrap(callee.child_by_field_name("object"))
        return None, None

    def _stack_of(self, value: Resolved, create: bool = False) -> Key | None:
        """The app or router a value is, following parameters and router factories."""
        return self._stack(value, create, 0)

    def _stack(self, value: Resolved, create: bool, depth: int) -> Key | None:
        if depth > 8 or value is None or isinstance(value, External):
            return None
        if isinstance(value, Param):
            key: Key = ("param", *value.key)
            if key in self.aliases:
                return self.aliases[key]
            if create and self._may_be_router(value):  # joined to its callers later
                self.stacks.setdefault(key, Stack(key, value.file, line(value.function), False))
                return key
            return key if key in self.stacks else None
        node = unwrap(value.node)
        if node is None:
            return None
        if node.type == "variable_declarator":
            made = self._made(value.file, node.child_by_field_name("value"))
            if made is None:
                inner = node.child_by_field_name("value")
                return self._stack(self.program.resolve(value.file, inner), create, depth + 1)
            key = ("var", *value.key)
            self._new(key, value.file, node.child_by_field_name("value"), made)
            return key
        if node.type in ("call_expression", "new_expression"):
            made = self._made(value.file, node)
            if made is not None:
                key = ("call", *value.key)
                self._new(key, value.file, node, made)
                return key
            function = _function_of(
                self.program.resolve(value.file, node.child_by_field_name("function"))
            )
            if function is not None:  # a factory: the router it returns
                callee = self.program.resolve(value.file, node.child_by_field_name("function"))
                file = callee.file if isinstance(callee, Value) else value.file
                for returned in _returns(function):
                    made = self._made(file, returned)
                    if made is not None:  # `return new X()`: a fresh app for every call
                        key = ("call", *value.key)
                        self._new(key, file, unwrap(returned), made)
                        return key
                    found = self._stack(self.program.resolve(file, returned), create, depth + 1)
                    if found is not None:
                        return found
        return None

    def _subs(self, file: str, arg: ts.Node, stack: Stack) -> list[Key]:
        """The routers an argument of `use`/`route` mounts: itself, or each element of a
        literal array a `forEach` callback or a `for...of` loop walks (`routes.forEach((r) =>
        app.route("/", r))`)."""
        found = []
        looped = self.program.loop_values(file, self._mounted(arg))
        for vfile, node in looped or [(file, arg)]:
            sub = self._stack_of(self.program.resolve(vfile, node))
            if sub is not None and sub in self.stacks and sub != stack.key:
                found.append(sub)
        return found

    def _may_be_router(self, param: Param) -> bool:
        """A parameter no resolved call passes a router to may still be one (`module.exports =
        (app) => {...}` called from code we cannot follow), unless it is a constructor's
        (a NestJS service's `configService.get("mail.host", ...)`) or its declared type comes
        from another package than this framework's."""
        if text(param.function.child_by_field_name("name")) == "constructor":
            return False
        params = param.function.child_by_field_name("parameters")
        if params is None or param.index >= len(params.named_children):
            return True
        annotation = params.named_children[param.index].child_by_field_name("type")
        named = [n for n in walk(annotation) if n.type == "type_identifier"] if annotation else []
        if not named:
            return True
        declared = self.program.resolve_name(param.file, named[0])
        if isinstance(declared, External):
            return declared.module in self.packages
        if isinstance(declared, Value):  # a class of the target (a service) is no router
            node = unwrap(declared.node)
            return node is None or node.type != "class_declaration"
        return True  # a type alias or an interface says nothing

    def _new(self, key: Key, file: str, made_by: ts.Node | None, made: str) -> None:
        if key not in self.stacks and made_by is not None:
            stack = Stack(key, file, line(made_by), made == "app")
            stack.base = self._base(file, made_by)
            self.stacks[key] = stack

    def _base(self, file: str, made_by: ts.Node) -> str:
        """The prefix a stack gets where it is made (none in Express)."""
        return ""

    def _made(self, file: str, node: ts.Node | None) -> str | None:
        """ "app" for `express()`, "router" for `express.Router()` / `Router()`, else None."""
        node = unwrap(node)
        if node is None or node.type not in ("call_expression", "new_expression"):
            return None
        callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        made = self.program.resolve(file, callee)
        if isinstance(made, External) and made.module == "express":
            if made.names in ((), ("default",)):
                return "app"
            if made.names[-1:] == ("Router",):
                return "router"
        return None

    # -- the join ------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        for key, target in list(self.aliases.items()):
            if key in self.stacks and target in self.stacks and key != target:
                self.stacks[target].layers += self.stacks.pop(key).layers
        found: list[Route] = []
        for stack in list(self.stacks.values()):
            for layer in stack.layers:
                if layer.kind == "use":
                    for arg in layer.args:
                        for sub in self._subs(layer.file, arg, stack):
                            self.stacks[sub].mounted = True
        roots = [s for s in self.stacks.values() if s.is_app or not s.mounted]
        for root in sorted(roots, key=lambda s: (not s.is_app, s.file, s.line)):
            found += self._walk(root, "", self._shared(root), 0, ())
        self.limiters += [g for r in found for g in r.rate_limits]
        return found

    def _walk(
        self,
        stack: Stack,
        prefix: str,
        inherited: tuple[tuple[str, Guard, Kinds], ...],
        depth: int,
        seen: tuple[Key, ...],
    ) -> list[Route]:
        if depth > MAX_MOUNT_DEPTH or stack.key in seen:
            return []
        seen = (*seen, stack.key)
        active = list(inherited)
        routes: list[Route] = []
        level = self._level(stack, depth)
        prefix = join(prefix, stack.base) if stack.base else prefix
        for layer in sorted(stack.layers, key=lambda item: item.order):
            full = join(prefix, layer.path)
            if layer.kind == "route":
                routes.append(self._route(layer, full, active))
                continue
            before: list[tuple[str, Guard, Kinds]] = []
            for arg in layer.args:
                subs = self._subs(layer.file, arg, stack)
                for sub in subs:
                    routes += self._walk(
                        self.stacks[sub], full, (*active, *before), depth + 1, seen
                    )
                if subs:
                    continue
                kinds = self.guards.classify(layer.file, arg)
                for kind in kinds.kinds:
                    guard = Guard(kinds.name, kind, level, layer.file, layer.line)
                    before.append((full, guard, kinds))
                    if kind == RATE_LIMIT:
                        self.limiters.append(guard)
            active += before
        return routes

    def _mounted(self, arg: ts.Node) -> ts.Node:
        """The router expression an argument of `use` mounts (Koa's `r.routes()`: `r`)."""
        return arg

    def _level(self, stack: Stack, depth: int) -> str:
        return "app" if stack.is_app else "router"

    def _shared(self, stack: Stack) -> tuple[tuple[str, Guard, Kinds], ...]:
        """The middleware a stack that shares its parent's (Hono's `basePath` clone) runs: the
        parent's `use` layers registered before the clone was made."""
        if stack.parent is None or stack.parent[0] not in self.stacks:
            return ()
        parent = self.stacks[stack.parent[0]]
        found = list(self._shared(parent)) if parent.parent is not None else []
        for layer in sorted(parent.layers, key=lambda item: item.order):
            if layer.kind != "use" or layer.order >= stack.parent[1]:
                continue
            for arg in layer.args:
                if self._stack_of(self.program.resolve(layer.file, arg)) is not None:
                    continue
                kinds = self.guards.classify(layer.file, arg)
                for kind in kinds.kinds:
                    guard = Guard(kinds.name, kind, self._level(parent, 0), layer.file, layer.line)
                    found.append((join(parent.base, layer.path), guard, kinds))
        return tuple(found)

    def covers(self, prefix: str, path: str) -> bool:
        """Whether middleware `use`d at `prefix` runs for a route at `path`."""
        return _covers(prefix, path)

    def _route(self, layer: Layer, path: str, active: list[tuple[str, Guard, Kinds]]) -> Route:
        guards = [
            g
            for prefix, g, kinds in active
            if self.covers(prefix, path) and not kinds.unless.exempts(path, layer.methods)
        ]
        *middleware, handler = _flatten(layer.args)
        for arg_file, arg in [*((layer.file, m) for m in middleware), *layer.declared]:
            kinds = self.guards.classify(arg_file, arg)
            if kinds.unless.exempts(path, layer.methods):
                continue
            guards += [Guard(kinds.name, k, "route", layer.file, layer.line) for k in kinds.kinds]
        function = _function_of(self.program.resolve(layer.file, handler))
        if function is None and unwrap(handler) is not None:
            function = unwrap(handler) if (unwrap(handler) or handler).type in FUNCTIONS else None
        handler_file = _file_of(self.program.resolve(layer.file, handler), layer.file)
        inline: frozenset[str] = frozenset()
        if function is not None:
            inline = handler_kinds(self.program, handler_file, function)
        name = layer.name or _handler_name(handler)
        for kind in inline - {VALIDATION}:  # the handler checks the user itself
            guards.append(Guard(name, kind, "route", layer.file, layer.line))
        validation = sorted({g.name for g in guards if g.kind == VALIDATION} | set(layer.validated))
        if VALIDATION in inline:
            validation.append(name)
        return Route(
            framework=self.framework,
            methods=layer.methods,
            path=path,
            handler=name,
            module=posixpath.splitext(layer.file)[0].replace("/", "."),
            file=layer.file,
            line=layer.line,
            auth=_unique(g for g in guards if g.kind == AUTHENTICATION),
            authorization=_unique(g for g in guards if g.kind == AUTHORIZATION),
            rate_limits=_unique(g for g in guards if g.kind == RATE_LIMIT),
            validation=tuple(validation),
            is_async=function is not None and text(function).startswith("async"),
        )


_IMPORTS_EXPRESS = re.compile(rb"""(require\s*\(\s*|from\s*|import\s*)['"]express['"]""")


def express_routes(
    program: Program, sources: Mapping[str, bytes]
) -> tuple[list[Route], list[Guard]]:
    """The routes of every Express app and router of the program, and its rate limiters."""
    if not any(_IMPORTS_EXPRESS.search(data) for data in sources.values()):
        return [], []  # no file imports express: no app, no router (and no cost)
    model = Express(program)
    model.collect()
    routes = [r for r in model.routes() if not _TEST_FILE.search(r.file)]
    return routes, sorted(set(model.limiters))


def is_url_path(path: str) -> bool:
    """Route paths start with `/` (or are `*`): a request path always does, so a "route" at
    `mail.host` is a `configService.get("mail.host", ...)`, not a route."""
    return path.startswith(("/", "*", "("))


def join(prefix: str, path: str) -> str:
    if not prefix:
        return path or "/"
    if not path or path == "/":
        return prefix
    return prefix.rstrip("/") + "/" + path.lstrip("/")


def _covers(prefix: str, path: str) -> bool:
    prefix = prefix.rstrip("/")
    return not prefix or path == prefix or path.startswith(prefix + "/")


def _methods(method: str) -> tuple[str, ...]:
    return ("*",) if method == "all" else (method.upper(),)


def _flatten(args: tuple[ts.Node, ...]) -> list[ts.Node]:
    out: list[ts.Node] = []
    for arg in args:
        inner = unwrap(arg) or arg
        if inner.type == "array":
            out += _flatten(tuple(inner.named_children))
        else:
            out.append(arg)
    return out or list(args)


def _function_of(value: Resolved) -> ts.Node | None:
    if not isinstance(value, Value):
        return None
    node = unwrap(value.node)
    if node is not None and node.type == "variable_declarator":
        node = unwrap(node.child_by_field_name("value"))
    if node is not None and (node.type in FUNCTIONS or node.type == "function_declaration"):
        return node
    return None


def _file_of(value: Resolved, default: str) -> str:
    return value.file if isinstance(value, Value) else default


def _param_at(file: str, function: ts.Node, index: int) -> Param | None:
    params = function.child_by_field_name("parameters")
    if params is None or index >= len(params.named_children):
        return None
    param = params.named_children[index]
    target = param.child_by_field_name("pattern") or param
    if target.type != "identifier":
        return None
    return Param(file, function, index, text(target))


def _returns(function: ts.Node) -> Iterator[ts.Node]:
    body = function.child_by_field_name("body")
    if body is None:
        return
    if body.type != "statement_block":
        yield body
        return
    for node in walk(body):
        if node.type == "return_statement" and node.named_children:
            yield node.named_children[0]


_NAMES = ("identifier", "member_expression")


def _handler_name(handler: ts.Node) -> str:
    node = unwrap(handler) or handler
    if node.type in FUNCTIONS:
        return text(node.child_by_field_name("name")) or "anonymous"
    if node.type == "call_expression":  # asyncHandler(controller.create)
        args = arguments(node)
        last = unwrap(args[-1]) if args else None
        if last is not None and (last.type in FUNCTIONS or last.type in _NAMES):
            return _handler_name(last)
        callee = node.child_by_field_name("function")  # passport.authenticate("github")
        return text(callee)[:60] if callee is not None else text(node)[:60]
    return text(node)[:60]


def _unique(guards: Iterator[Guard] | list[Guard]) -> tuple[Guard, ...]:
    seen: dict[tuple[str, str], Guard] = {}
    for guard in guards:
        seen.setdefault((guard.name, guard.level), guard)
    return tuple(seen.values())
