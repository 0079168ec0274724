"""Fastify routing: instances, encapsulated plugins with prefixes, hooks, joined into `Route`s.

What Fastify does (https://fastify.dev/docs/latest/Reference/Routes/, .../Hooks/,
.../Plugins/, .../Encapsulation/):
- `Fastify()` (or `require("fastify")()`) makes an instance; `X.METHOD(path, [options],
  handler)` and `X.route({ method, url, handler, ... })` add routes. Route options
  `onRequest`, `preValidation` and `preHandler` (a function or an array) run before the handler;
  `schema` validates the request; `config.rateLimit` sets @fastify/rate-limit for the route.
- `X.register(plugin, { prefix })` runs `plugin(child, opts)` in a child context: its routes get
  the prefix, and hooks it adds with `child.addHook("onRequest" | "preValidation" |
  "preHandler", fn)` apply to its routes and its children's, never to its parent's. A plugin
  wrapped in fastify-plugin (`fp(plugin)`) is not encapsulated: what it adds belongs to the
  parent. Hooks apply to every route of their context, whatever the order they were added in.
- `X.decorate("authenticate", fn)` names a function that routes then use as
  `onRequest: [fastify.authenticate]` (the @fastify/jwt pattern, `request.jwtVerify()`).
- `X.register(rateLimit, {...})` with @fastify/rate-limit limits every route of the context.
- `X.decorateRequest("isAdmin", fn)` adds `request.isAdmin(...)`: a hook calling it is judged
  by `fn`, where `this` is the request.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field

import tree_sitter as ts

from reviewer.node.express import _TEST_FILE, join
from reviewer.node.guards import (
    VALIDATION,
    Guards,
    Kinds,
    function_kinds,
    handler_kinds,
    request_method_kinds,
)
from reviewer.node.modules import External, Param, Program, Resolved, Value
from reviewer.node.syntax import FUNCTIONS, arguments, line, string_value, text, unwrap, walk
from reviewer.service import AUTHENTICATION, AUTHORIZATION, RATE_LIMIT, Guard, Route

METHODS = ("get", "post", "put", "patch", "delete", "options", "head", "all")
HOOKS = ("onRequest", "preParsing", "preValidation", "preHandler")
INSTANCE_NAMES = ((), ("default",), ("fastify",), ("Fastify",))
LIMITERS = ("@fastify/rate-limit", "fastify-rate-limit")
AUTOLOAD = ("@fastify/autoload", "fastify-autoload")
# instance methods that return the instance (https://fastify.dev/docs/latest/Reference/Server/)
CHAINABLE = (
    "register",
    "addHook",
    "decorate",
    "decorateRequest",
    "decorateReply",
    "setErrorHandler",
    "setNotFoundHandler",
    "addContentTypeParser",
    "addSchema",
    "after",
)
# packages whose result holds the environment as read from .env (`env.API_PREFIX`)
ENV_LOADERS = ("env-schema", "@fastify/env", "envalid")

Key = tuple[object, ...]
Option = tuple[str, ts.Node] | str | None  # an expression where it is, or a computed string


@dataclass
class Context:
    key: Key
    file: str
    parent: Key | None = None
    prefix: str = ""
    hooks: list[tuple[str, ts.Node]] = field(default_factory=list)  # (file, hook expression)
    limiters: list[Guard] = field(default_factory=list)
    routes: list[tuple[str, ts.Node, str, tuple[str, ...], ts.Node | None, ts.Node]] = field(
        default_factory=list
    )  # (file, call, path, methods, options object, handler)


class Fastify:
    def __init__(self, program: Program) -> None:
        self.program = program
        self.guards = Guards(program)
        self.contexts: dict[Key, Context] = {}
        self.plugins: dict[Key, Key] = {}  # plugin function's first parameter -> its context
        self.decorations: dict[str, tuple[str, ts.Node]] = {}
        self.request_decorations: dict[str, tuple[str, ts.Node]] = {}  # request.NAME(...)
        # a plugin function's second parameter -> the options it is registered with: (file,
        # options expression, the prefix @fastify/autoload adds after `options.prefix`)
        self.option_sources: dict[Key, tuple[str, ts.Node | None, str | None]] = {}

    def collect(self) -> None:
        calls = self.program.calls()
        # registrations first, outermost first, so that a plugin's context exists before the
        # calls inside it are read (nested plugins follow their parent)
        for _ in range(4):
            for file, call in calls:
                self._register(file, call)
        for file, call in calls:
            self._call(file, call)

    def _context(self, value: Resolved) -> Key | None:
        if isinstance(value, Param):
            return self.plugins.get(("param", *value.key))
        if not isinstance(value, Value):
            return None
        node = unwrap(value.node)
        if node is not None and node.type == "variable_declarator":
            made = self.program.resolve(value.file, _callee(node.child_by_field_name("value")))
            if (
                isinstance(made, External)
                and made.module == "fastify"
                and made.names in INSTANCE_NAMES
            ):
                key: Key = ("instance", *value.key)
                self.contexts.setdefault(key, Context(key, value.file))
                return key
        return None

    def _member_call(self, file: str, call: ts.Node) -> tuple[Key, str, list[ts.Node]] | None:
        callee = unwrap(call.child_by_field_name("function"))
        if callee is None or callee.type != "member_expression":
            return None
        obj = unwrap(callee.child_by_field_name("object"))
        for _ in range(16):  # `server.register(a).register(b)`: register and friends chain
            inner = _callee(obj) if obj is not None and obj.type == "call_expression" else None
            if inner is None or inner.type != "member_expression":
                break
            if text(inner.child_by_field_name("property")) not in CHAINABLE:
                break
            obj = unwrap(inner.child_by_field_name("object"))
        key = self._context(self.program.resolve(file, obj))
        if key is None:
            return None
        return key, text(callee.child_by_field_name("property")), arguments(call)

    def _register(self, file: str, call: ts.Node) -> None:
        found = self._member_call(file, call)
        if found is None or found[1] != "register" or not found[2]:
            return
        key, _, args = found
        options = unwrap(args[1]) if len(args) > 1 else None
        plugin = self.program.resolve(file, args[0])
        if isinstance(plugin, External) and plugin.module in AUTOLOAD:
            self._autoload(key, file, call, options)
            return
        prefix = self.string(file, _property(options, "prefix")) or ""
        self._plug(key, file, call, text(args[0])[:60], plugin, prefix, (file, options, None))

    def _plug(
        self,
        key: Key,
        file: str,
        call: ts.Node,
        shown: str,
        plugin: Resolved,
        prefix: str,
        source: tuple[str, ts.Node | None, str | None] | None = None,
    ) -> Key | None:
        """Register `plugin` on the context `key`: its first parameter is a child context
        (with `prefix`), or `key` itself when fastify-plugin wraps it; a limiter limits `key`.
        `source` is what the plugin's second parameter (its options) is."""
        if isinstance(plugin, External):
            if plugin.module in LIMITERS:
                guard = Guard(shown, RATE_LIMIT, "app", file, line(call))
                if guard not in self.contexts[key].limiters:
                    self.contexts[key].limiters.append(guard)
            return None
        encapsulated = True
        function = _function(plugin)
        if function is None:
            plugin, function, encapsulated = self._unwrap_plugin(plugin)
        if function is None or not isinstance(plugin, Value):
            return None
        name = _first_parameter(function)
        if not name:
            return None
        second = _parameter(function, 1)
        if second and source is not None:
            self.option_sources[("param", plugin.file, function.start_byte, second)] = source
        param: Key = ("param", plugin.file, function.start_byte, name)
        if param in self.plugins:
            return self.plugins[param]
        if encapsulated:
            child: Key = ("plugin", plugin.file, function.start_byte)
            self.contexts[child] = Context(child, plugin.file, key, prefix)
            self.plugins[param] = child
            return child
        self.plugins[param] = key
        return key

    def _unwrap_plugin(self, plugin: Resolved) -> tuple[Resolved, ts.Node | None, bool]:
        """(the plugin function's value, the function, whether it is encapsulated): a
        `fp(fn)` (fastify-plugin) is `fn`, not encapsulated."""
        function = _function(plugin)
        if function is None and isinstance(plugin, Value):
            wrapper = unwrap(plugin.node)
            if wrapper is not None and wrapper.type == "variable_declarator":
                wrapper = unwrap(wrapper.child_by_field_name("value"))
            if wrapper is not None and wrapper.type == "call_expression":
                made = self.program.resolve(plugin.file, _callee(wrapper))
                if isinstance(made, External) and made.module == "fastify-plugin":
                    inner = arguments(wrapper)
                    if inner:
                        plugin = self.program.resolve(plugin.file, inner[0])
                        return plugin, _function(plugin), False
        return plugin, function, True

    def _autoload(self, key: Key, file: str, call: ts.Node, options: ts.Node | None) -> None:
        """@fastify/autoload: every plugin file under `dir` is registered, each folder a
        context whose name is a prefix of its plugins' routes (`dirNameRoutePrefix`, on by
        default); with `autoHooks`, an `autohooks` file's hooks cover its folder's plugins
        (and, with `cascadeHooks`, its subfolders'). A plugin's `autoPrefix` export adds to
        its prefix (https://github.com/fastify/fastify-autoload#readme)."""
        root = _autoload_dir(file, _property(options, "dir"))
        if root is None:
            return
        prefixes = text(_property(options, "dirNameRoutePrefix")) != "false"
        # `options` are every plugin's options; their `prefix`, without a trailing `/`, comes
        # before the folder's prefix (@fastify/autoload's loadPlugin)
        shared = _property(options, "options")
        base = (self._option_string(self._option(file, shared, "prefix")) or "").removesuffix("/")
        auto_hooks = text(_property(options, "autoHooks")) == "true"
        cascade = text(_property(options, "cascadeHooks")) == "true"
        below = sorted(
            f
            for f in self.program.files
            if f.startswith(root + "/") and not _TEST_FILE.search(f) and not f.endswith(".d.ts")
        )
        top: Key = ("autohooks", file, call.start_byte, "")
        self.contexts[top] = Context(top, file, key, base)
        folders: dict[str, tuple[Key, Key]] = {"": (key, top)}

        def folder_of(rel: str) -> tuple[Key, Key]:
            """(the folder's context, the context of its plugins, where its autohooks go)"""
            if rel in folders:
                return folders[rel]
            parent, hooked = folder_of(posixpath.dirname(rel))
            here: Key = ("autoload", file, call.start_byte, rel)
            prefix = "/" + posixpath.basename(rel) if prefixes else ""
            if not posixpath.dirname(rel) and not cascade:  # under the instance, not `top`
                prefix = base + prefix
            self.contexts[here] = Context(here, file, hooked if cascade else parent, prefix)
            hooks: Key = ("autohooks", file, call.start_byte, rel)
            self.contexts[hooks] = Context(hooks, file, here)
            folders[rel] = (here, hooks)
            return folders[rel]

        for target in below:
            rel = posixpath.relpath(target, root)
            _, context = folder_of(posixpath.dirname(rel) if "/" in rel else "")
            plugin = self.program.export(target, "default")
            shown = plugin.module if isinstance(plugin, External) else target
            if posixpath.basename(target).split(".")[0] == "autohooks":
                if auto_hooks and self._plug(context, target, call, shown, plugin, ""):
                    self.plugins[("param", *self._param_key(plugin))] = context
                continue
            auto = string_value(self._export_value(target, "autoPrefix")) or ""
            # a package's plugin (`export default fastifyRateLimit`) is fastify-plugin wrapped
            # as they ship: it belongs to the instance autoload registers on; so does a plugin
            # of the target's wrapped in fastify-plugin (autoload's prefix is only an option
            # to it, `options.prefix`), unless autohooks put it in its folder's context
            folder = posixpath.dirname(rel) if "/" in rel else ""
            wrapped = not self._unwrap_plugin(plugin)[2]
            owner = key if isinstance(plugin, External) or (wrapped and not auto_hooks) else context
            crumb = "/" + folder if prefixes and folder else ("/" if folder else "")
            self._plug(owner, target, call, shown, plugin, auto, (file, shared, auto or crumb))

    def _param_key(self, plugin: Resolved) -> tuple[object, ...]:
        function = _function(plugin)
        if function is None or not isinstance(plugin, Value):
            return ()
        return (plugin.file, function.start_byte, _first_parameter(function))

    def _export_value(self, file: str, name: str) -> ts.Node | None:
        value = self.program.export(file, name)
        if not isinstance(value, Value):
            return None
        node = unwrap(value.node)
        if node is not None and node.type == "variable_declarator":
            node = node.child_by_field_name("value")
        return node

    def _call(self, file: str, call: ts.Node) -> None:
        found = self._member_call(file, call)
        if found is None:
            return
        key, method, args = found
        context = self.contexts[key]
        options: ts.Node | None
        methods: tuple[str, ...]
        if method in METHODS and len(args) >= 2:
            path = self.string(file, args[0])
            if path is None:
                return
            options = unwrap(args[1]) if len(args) > 2 else None
            if options is not None and options.type != "object":
                options = None
            handler = args[-1]
            methods = ("*",) if method == "all" else (method.upper(),)
            context.routes.append((file, call, path, methods, options, handler))
        elif method == "route" and args:
            options = unwrap(args[0])
            if options is None or options.type != "object":
                return
            path = self.string(file, _property(options, "url") or _property(options, "path"))
            found_handler = _property(options, "handler")
            if path is None or found_handler is None:
                return
            methods = _methods(_property(options, "method"))
            context.routes.append((file, call, path, methods, options, found_handler))
        elif method == "addHook" and len(args) >= 2 and string_value(args[0]) in HOOKS:
            context.hooks.append((file, args[1]))
        elif method == "decorate" and len(args) >= 2:
            name = string_value(args[0])
            if name:
                self.decorations.setdefault(name, (file, args[1]))
        elif method == "decorateRequest" and len(args) >= 2:
            name = string_value(args[0])
            if name:
                self.request_decorations.setdefault(name, (file, args[1]))

    def string(self, file: str, node: ts.Node | None, depth: int = 0) -> str | None:
        """The one string `node` is: a literal or constant, `a + b` and templates of such
        parts, `options.prefix` of the options a plugin is registered with, the default of
        `process.env.X || "d"`, and the environment the target documents (`process.env.X`,
        or an env-schema result, read from its .env templates). None when unknown."""
        node = unwrap(node)
        if node is None or depth > 12:
            return None
        found = self.program.strings(file, node)
        if found is not None:
            return found[0] if len(found) == 1 else None
        kind = node.type
        if kind == "binary_expression":
            operator = text(node.child_by_field_name("operator"))
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if operator == "+":
                a, b = self.string(file, left, depth + 1), self.string(file, right, depth + 1)
                return None if a is None or b is None else a + b
            if operator in ("||", "??"):
                return self.string(file, left, depth + 1) or self.string(file, right, depth + 1)
            return None
        if kind == "template_string":
            out = ""
            for part in node.children:
                if part.type == "template_substitution":
                    inner = part.named_children[0] if part.named_children else None
                    value = self.string(file, inner, depth + 1)
                    if value is None:
                        return None
                    out += value
                elif part.type != "`":
                    out += text(part)
            return out
        if kind == "member_expression":
            obj = unwrap(node.child_by_field_name("object"))
            name = text(node.child_by_field_name("property"))
            if self._is_environment(file, obj):
                return self.program.environment.get(name)
            return self._option_string(self._option(file, obj, name), depth)
        return None

    def _option_string(self, found: Option, depth: int = 0) -> str | None:
        if found is None or isinstance(found, str):
            return found
        return self.string(found[0], found[1], depth + 1)

    def _is_environment(self, file: str, node: ts.Node | None) -> bool:
        node = unwrap(node)
        if node is None:
            return False
        if text(node) == "process.env":
            return True
        value = self.program.resolve(file, node)
        if isinstance(value, Value):
            made = unwrap(value.node)
            if made is not None and made.type == "variable_declarator":
                made = unwrap(made.child_by_field_name("value"))
            callee = self.program.resolve(value.file, _callee(made))
            return isinstance(callee, External) and callee.module in ENV_LOADERS
        return False

    def _option(self, file: str, node: ts.Node | None, name: str, depth: int = 0) -> Option:
        """The expression property `name` of the object `node` is: an object literal (with
        spreads), a variable, `await f()` of a function returning one, `Object.assign(...)`,
        or a plugin's options parameter (what it was registered with)."""
        node = unwrap(node)
        if node is None or depth > 12:
            return None
        if node.type == "object":
            for item in reversed(node.named_children):
                if item.type == "spread_element" and item.named_children:
                    hit = self._option(file, item.named_children[0], name, depth + 1)
                    if hit is not None:
                        return hit
                elif item.type in ("pair", "shorthand_property_identifier"):
                    found = _property(node, name)
                    if found is not None and item.start_byte <= found.start_byte < item.end_byte:
                        return file, found
            return None
        if node.type == "call_expression":
            callee = unwrap(node.child_by_field_name("function"))
            args = arguments(node)
            if text(callee) == "Object.assign":
                for arg in reversed(args):
                    hit = self._option(file, arg, name, depth + 1)
                    if hit is not None:
                        return hit
                return None
            function = _function(self.program.resolve(file, callee))
            if function is None:
                return None
            body = function.child_by_field_name("body")
            if body is not None and body.type != "statement_block":
                return self._option(file, body, name, depth + 1)
            for returned in _returns(body):
                hit = self._option(file, returned, name, depth + 1)
                if hit is not None:
                    return hit
            return None
        if node.type not in ("identifier", "member_expression"):
            return None
        value = self.program.resolve(file, node)
        if isinstance(value, Param):
            source = self.option_sources.get(("param", *value.key))
            if source is None:
                return None
            where, options, crumb = source
            hit = self._option(where, options, name, depth + 1)
            if crumb is None or name != "prefix":
                return hit
            return (self._option_string(hit, depth) or "").removesuffix("/") + crumb
        if isinstance(value, Value):
            target = unwrap(value.node)
            if target is not None and target.type == "variable_declarator":
                target = target.child_by_field_name("value")
            if target is not None and target is not node:
                return self._option(value.file, target, name, depth + 1)
        return None

    def _kinds(self, file: str, node: ts.Node) -> Kinds:
        node = unwrap(node) or node
        if node.type == "array":
            found: set[str] = set()
            names = []
            for item in node.named_children:
                kinds = self._kinds(file, item)
                found |= kinds.kinds
                if kinds.kinds:
                    names.append(kinds.name)
            return Kinds(frozenset(found), ", ".join(names))
        if node.type == "member_expression":
            decorated = self.decorations.get(text(node.child_by_field_name("property")))
            if decorated is not None:
                fn = _function(self.program.resolve(*decorated)) or unwrap(decorated[1])
                if fn is not None and fn.type in FUNCTIONS:
                    judged = function_kinds(self.program, decorated[0], fn)
                    return Kinds(judged, text(node)[:60])
        found_kinds = self.guards.classify(file, node)
        if found_kinds.kinds:
            return found_kinds
        function = _function(self.program.resolve(file, node))
        if function is None and node.type in FUNCTIONS:
            function = node
        if function is not None:  # `(request, reply) => request.isAdmin(reply)`
            judged = self._request_decorated(file, function, 0)
            if judged:
                return Kinds(judged, found_kinds.name or _name(node))
        return found_kinds

    def _request_decorated(self, file: str, function: ts.Node, depth: int) -> frozenset[str]:
        """What the `decorateRequest`ed functions a hook calls (`request.isAdmin(reply)`,
        and `this.verifyAccess(...)` inside them) do: in them `this` is the request
        (https://fastify.dev/docs/latest/Reference/Decorators/#decoraterequestname-value-dependencies)."""
        if depth > 4:
            return frozenset()
        found: set[str] = set()
        for node in walk(function.child_by_field_name("body") or function):
            if node.type != "call_expression":
                continue
            callee = unwrap(node.child_by_field_name("function"))
            if callee is None or callee.type != "member_expression":
                continue
            decorated = self.request_decorations.get(text(callee.child_by_field_name("property")))
            if decorated is None:
                continue
            fn = _function(self.program.resolve(*decorated)) or unwrap(decorated[1])
            if fn is None or fn.type not in FUNCTIONS:
                continue
            found |= request_method_kinds(self.program, decorated[0], fn)
            found |= self._request_decorated(decorated[0], fn, depth + 1)
        return frozenset(found)

    def routes(self) -> tuple[list[Route], list[Guard]]:
        found: list[Route] = []
        limiters: list[Guard] = []
        for context in self.contexts.values():
            chain = self._chain(context)
            prefix = ""
            for ancestor in reversed(chain):
                prefix = join(prefix, ancestor.prefix) if ancestor.prefix else prefix
            inherited: list[Guard] = []
            for ancestor in chain:
                level = "app" if ancestor.parent is None else "router"
                for hook_file, hook in ancestor.hooks:
                    kinds = self._kinds(hook_file, hook)
                    inherited += [
                        Guard(kinds.name, k, level, hook_file, line(hook)) for k in kinds.kinds
                    ]
                inherited += ancestor.limiters
            limiters += context.limiters
            for file, call, path, methods, options, handler in context.routes:
                found.append(
                    self._route(
                        file, call, join(prefix, path), methods, options, handler, inherited
                    )
                )
        return found, limiters

    def _chain(self, context: Context) -> list[Context]:
        chain = [context]
        while chain[-1].parent is not None and len(chain) < 32:
            chain.append(self.contexts[chain[-1].parent])
        return chain

    def _route(
        self,
        file: str,
        call: ts.Node,
        path: str,
        methods: tuple[str, ...],
        options: ts.Node | None,
        handler: ts.Node,
        inherited: list[Guard],
    ) -> Route:
        guards = list(inherited)
        validation: list[str] = []
        for hook in HOOKS:
            value = _property(options, hook)
            if value is not None:
                kinds = self._kinds(file, value)
                guards += [Guard(kinds.name, k, "route", file, line(call)) for k in kinds.kinds]
        if _property(options, "schema") is not None:
            validation.append("schema")
        config = unwrap(_property(options, "config"))
        if config is not None and _property(config, "rateLimit") is not None:
            guards.append(Guard("config.rateLimit", RATE_LIMIT, "route", file, line(call)))
        function = _function(self.program.resolve(file, handler))
        inner = unwrap(handler)
        if function is None and inner is not None and inner.type in FUNCTIONS:
            function = inner
        name = _name(handler)
        if function is not None:
            inline = handler_kinds(self.program, file, function)
            guards += [Guard(name, k, "route", file, line(call)) for k in inline - {VALIDATION}]
            if VALIDATION in inline:
                validation.append(name)
        validation += sorted({g.name for g in guards if g.kind == VALIDATION})
        return Route(
            framework="fastify",
            methods=methods,
            path=path,
            handler=name,
            module=posixpath.splitext(file)[0].replace("/", "."),
            file=file,
            line=line(call),
            auth=_unique(g for g in guards if g.kind == AUTHENTICATION),
            authorization=_unique(g for g in guards if g.kind == AUTHORIZATION),
            rate_limits=_unique(g for g in guards if g.kind == RATE_LIMIT),
            validation=tuple(validation),
            is_async=function is not None and text(function).startswith("async"),
        )


def fastify_routes(
    program: Program, sources: Mapping[str, bytes]
) -> tuple[list[Route], list[Guard]]:
    """The routes of every Fastify instance of the program, and its rate limiters."""
    if not any(b"fastify" in data for data in sources.values()):
        return [], []
    model = Fastify(program)
    model.collect()
    return model.routes()


def _parameter(function: ts.Node, index: int) -> str:
    """The name of the function's parameter at `index` ("" when it is a pattern)."""
    params = function.child_by_field_name("parameters")
    if params is None:
        return text(function.child_by_field_name("parameter")) if index == 0 else ""
    found = params.named_children[index] if len(params.named_children) > index else None
    if found is None:
        return ""
    target = found.child_by_field_name("pattern") or found
    return text(target) if target.type == "identifier" else ""


def _returns(body: ts.Node | None) -> list[ts.Node]:
    """The expressions a function body returns (not those of functions nested in it)."""
    out: list[ts.Node] = []
    stack = [body] if body is not None else []
    while stack:
        node = stack.pop()
        if node.type == "return_statement":
            out += node.named_children[:1]
            continue
        if node is not body and node.type in FUNCTIONS:
            continue
        stack.extend(reversed(node.named_children))
    return out


def _first_parameter(function: ts.Node) -> str:
    params = function.child_by_field_name("parameters")
    if params is None:
        return text(function.child_by_field_name("parameter"))
    first = params.named_children[0] if params.named_children else None
    if first is None:
        return ""
    target = first.child_by_field_name("pattern") or first
    return text(target) if target.type == "identifier" else ""


def _autoload_dir(file: str, node: ts.Node | None) -> str | None:
    """`path.join(__dirname, "routes")` (or `import.meta.dirname`, `resolve`): the folder,
    relative to the target, from the registering file's folder and the literal parts."""
    node = unwrap(node)
    if node is None or node.type != "call_expression":
        return None
    if text(node.child_by_field_name("function")).split(".")[-1] not in ("join", "resolve"):
        return None
    parts = [v for v in (string_value(a) for a in arguments(node)) if v is not None]
    if not parts:
        return None
    folder = posixpath.normpath(posixpath.join(posixpath.dirname(file), *parts))
    return None if folder.startswith("..") else folder.removeprefix("./")


def _callee(node: ts.Node | None) -> ts.Node | None:
    node = unwrap(node)
    if node is None or node.type not in ("call_expression", "new_expression"):
        return None
    return node.child_by_field_name("function") or node.child_by_field_name("constructor")


def _function(value: Resolved) -> ts.Node | None:
    if not isinstance(value, Value):
        return None
    node = unwrap(value.node)
    if node is not None and node.type == "variable_declarator":
        node = unwrap(node.child_by_field_name("value"))
    return node if node is not None and node.type in FUNCTIONS else None


def _property(obj: ts.Node | None, name: str) -> ts.Node | None:
    obj = unwrap(obj)
    if obj is None or obj.type != "object":
        return None
    for pair in obj.named_children:
        if pair.type == "pair" and name in (
            text(pair.child_by_field_name("key")),
            string_value(pair.child_by_field_name("key")),
        ):
            return pair.child_by_field_name("value")
        if pair.type == "shorthand_property_identifier" and text(pair) == name:
            return pair
    return None


def _methods(node: ts.Node | None) -> tuple[str, ...]:
    node = unwrap(node)
    if node is None:
        return ("GET",)
    if node.type == "array":
        return tuple((string_value(n) or "").upper() for n in node.named_children) or ("GET",)
    return ((string_value(node) or "GET").upper(),)


def _name(handler: ts.Node) -> str:
    node = unwrap(handler) or handler
    if node.type in FUNCTIONS:
        return text(node.child_by_field_name("name")) or "anonymous"
    return text(node)[:60]


def _unique(guards: object) -> tuple[Guard, ...]:
    seen: dict[tuple[str, str], Guard] = {}
    for guard in guards:  # type: ignore[attr-defined]
        seen.setdefault((guard.name, guard.level), guard)
    return tuple(seen.values())
