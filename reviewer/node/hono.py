"""Hono routing: apps, sub-apps mounted with `route`, `basePath` clones, middleware by path.

What Hono does (https://hono.dev/docs/api/routing, https://hono.dev/docs/api/hono,
https://hono.dev/docs/guides/middleware):
- `new Hono()` makes an app. `X.METHOD(path, ...handlers)`, `X.all(...)` and
  `X.on(method | [methods], path | [paths], ...handlers)` add routes; every handler but the
  last is middleware of the route. Calls chain (`new Hono().get(...).post(...)`), and a chained
  call without a path (`app.get("/x", h).post(h)`) adds to the previous path.
- `X.use([path,] ...middleware)` adds middleware for the routes registered after it whose path
  matches `path`: a pattern where `*` matches anything (`/api/*` also matches `/api`); no path
  is `*`. Handlers and middleware run in registration order, as in Express.
- `X.route(prefix, sub)` adds `sub`'s routes under `prefix` at that point of `X`'s stack, so
  `X`'s middleware registered before it applies to them.
- `X.basePath(p)` returns a clone whose routes get `p`; the clone shares `X`'s router, so what
  it registers is served by `X` too, behind `X`'s middleware registered before the clone.
- Guards: hono/jwt `jwt()`, hono/jwk `jwk()`, hono/bearer-auth `bearerAuth()`, hono/basic-auth
  `basicAuth()` reject a request without valid credentials with 401
  (https://hono.dev/docs/middleware/builtin/jwt, .../bearer-auth, .../basic-auth); a custom
  middleware (or `createMiddleware(fn)` from hono/factory) is judged by what it does
  (reviewer/node/guards.py). Validators: @hono/zod-validator `zValidator`, hono/validator
  `validator` (https://hono.dev/docs/guides/validation). Rate limit: hono-rate-limiter.
- @hono/zod-openapi: `new OpenAPIHono()` is an app; `X.openapi(createRoute({ method, path,
  middleware, request }), handler)` adds a route at `path` (`{id}` is `:id`), behind the
  route's `middleware`, validating what `request` declares
  (https://hono.dev/examples/zod-openapi, https://github.com/honojs/middleware/tree/main/packages/zod-openapi);
  `X.doc(path, {...})` / `X.doc31(...)` serve the OpenAPI document at `path` (GET).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import tree_sitter as ts

from reviewer.node.express import _TEST_FILE, METHODS, Express, Key, Layer, Stack, is_url_path
from reviewer.node.modules import External, Program, Resolved, Value
from reviewer.node.syntax import arguments, string_value, text, unwrap
from reviewer.service import Guard, Route

APP_CLASSES = (("hono", "Hono"), ("@hono/zod-openapi", "OpenAPIHono"))
CHAIN = (*METHODS, "on", "use", "route", "openapi", "doc", "doc31")
_IMPORTS_HONO = re.compile(rb"""['"](hono|@hono/zod-openapi)['"]""")


class Hono(Express):
    framework = "hono"
    packages = ("hono", "@hono/zod-openapi")
    registers = (*METHODS, "on", "use", "route", "openapi", "doc", "doc31")

    def _route_chain(self, call: ts.Node) -> tuple[ts.Node | None, str | None]:
        """`new Hono().get("/a", h).post(h)`: the app under the chain, and the path of the last
        call in it that named one (a chained call without a path adds to that path)."""
        node: ts.Node | None = call
        path: str | None = None
        while node is not None and node.type == "call_expression":
            callee = unwrap(node.child_by_field_name("function"))
            if callee is None or callee.type != "member_expression":
                return node, path  # a factory call: the app it returns
            prop = text(callee.child_by_field_name("property"))
            if prop not in CHAIN:
                return node, path  # `.basePath(...)`: the clone is its own stack
            if path is None and prop in METHODS:
                args = arguments(node)
                path = string_value(args[0]) if args else None
            node = unwrap(callee.child_by_field_name("object"))
        return node, path or ""

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
        first = string_value(args[0]) if args else None
        if method == "use":
            path = first if first is not None else "*"
            rest = args[1:] if first is not None else args
            stack.layers.append(Layer(order, file, at, "use", path, (), tuple(rest)))
        elif method == "route":
            if first is not None and len(args) > 1:
                stack.layers.append(Layer(order, file, at, "use", first, (), (args[1],)))
        elif method in ("doc", "doc31") and len(args) >= 2 and first and is_url_path(first):
            stack.layers.append(
                Layer(order, file, at, "route", first, ("GET",), (args[1],), name=f"{method}()")
            )
        elif method == "openapi" and len(args) >= 2:
            self._openapi(stack, order, file, at, args)
        elif method == "on" and len(args) >= 3:
            methods = _strings(args[0])
            for path in filter(is_url_path, _strings(args[1])):
                verbs = tuple("*" if m.lower() == "all" else m.upper() for m in methods)
                stack.layers.append(Layer(order, file, at, "route", path, verbs, tuple(args[2:])))
        elif first is not None and len(args) > 1 and is_url_path(first):
            verbs = ("*",) if method == "all" else (method.upper(),)
            stack.layers.append(Layer(order, file, at, "route", first, verbs, tuple(args[1:])))
        elif first is None and args and route_path is not None:  # `.post(h)` in a chain
            verbs = ("*",) if method == "all" else (method.upper(),)
            stack.layers.append(Layer(order, file, at, "route", route_path, verbs, tuple(args)))

    def _openapi(
        self, stack: Stack, order: tuple[str, int, int], file: str, at: int, args: list[ts.Node]
    ) -> None:
        found = self._route_config(file, args[0])
        if found is None:
            return
        where, config = found
        path = string_value(_property(config, "path"))
        verb = string_value(_property(config, "method"))
        if path is None or verb is None:
            return
        path = re.sub(r"\{(\w+)\}", r":\1", path)
        if not is_url_path(path):
            return
        middleware = unwrap(_property(config, "middleware"))
        declared: list[ts.Node] = []
        if middleware is not None:
            declared = (
                list(middleware.named_children) if middleware.type == "array" else [middleware]
            )
        request = unwrap(_property(config, "request"))
        validated = ("request schema",) if request is not None and request.type == "object" else ()
        verbs = ("*",) if verb.lower() == "all" else (verb.upper(),)
        stack.layers.append(
            Layer(
                order,
                file,
                at,
                "route",
                path,
                verbs,
                (args[1],),
                validated,
                tuple((where, m) for m in declared if m.type != "comment"),
            )
        )

    def _route_config(self, file: str, node: ts.Node) -> tuple[str, ts.Node] | None:
        """The object of `createRoute({...})` (or a literal) a route argument names."""
        value = self.program.resolve(file, node)
        if not isinstance(value, Value):
            return None
        target = unwrap(value.node)
        if target is not None and target.type == "variable_declarator":
            target = unwrap(target.child_by_field_name("value"))
        if target is not None and target.type == "call_expression":
            made = self.program.resolve(value.file, target.child_by_field_name("function"))
            if not (isinstance(made, External) and made.names[-1:] == ("createRoute",)):
                return None
            inner = arguments(target)
            target = unwrap(inner[0]) if inner else None
        if target is None or target.type != "object":
            return None
        return value.file, target

    def _stack(self, value: Resolved, create: bool, depth: int) -> Key | None:
        if depth > 8 or not isinstance(value, Value):
            return super()._stack(value, create, depth)
        node = unwrap(value.node)
        if node is not None and node.type == "variable_declarator":
            inner = unwrap(node.child_by_field_name("value"))
            if inner is not None and inner.type == "call_expression" and _member_call(inner):
                return self._stack(Value(value.file, inner), create, depth + 1)
        if node is not None and node.type == "call_expression":
            prop, obj = _member_call(node) or ("", None)
            if prop == "basePath":  # a clone with a prefix, sharing its parent's stack
                parent = self._stack(self.program.resolve(value.file, obj), create, depth + 1)
                args = arguments(node)
                if parent is None or not args:
                    return None
                key: Key = ("call", *value.key)
                if key not in self.stacks:
                    clone = Stack(key, value.file, self.stacks[parent].line, False)
                    clone.base = join_base(self.stacks[parent].base, string_value(args[0]) or "")
                    clone.parent = (parent, (value.file, node.start_byte, 0))
                    self.stacks[key] = clone
                return key
            if prop in CHAIN and obj is not None:  # a chain returns the app it was called on
                return self._stack(self.program.resolve(value.file, obj), create, depth + 1)
        return super()._stack(value, create, depth)

    def _made(self, file: str, node: ts.Node | None) -> str | None:
        node = unwrap(node)
        if node is None or node.type != "new_expression":
            return None
        made = self.program.resolve(file, node.child_by_field_name("constructor"))
        if isinstance(made, External) and (made.module, *made.names[-1:]) in APP_CLASSES:
            return "router"  # every Hono app can be mounted; unmounted ones are the roots
        return None

    def _level(self, stack: Stack, depth: int) -> str:
        return "app" if depth == 0 else "router"

    def covers(self, prefix: str, path: str) -> bool:
        """Hono matches a `use` path as a pattern: `*` is anything, `/x/*` also `/x`."""
        if prefix in ("", "*", "/*"):
            return True
        if prefix.endswith("/*") and path == prefix[:-2]:
            return True
        pattern = re.escape(prefix).replace(r"\*", ".*")
        pattern = re.sub(r":\w+", "[^/]+", pattern)
        return re.fullmatch(pattern, path) is not None


def hono_routes(program: Program, sources: Mapping[str, bytes]) -> tuple[list[Route], list[Guard]]:
    """The routes of every Hono app of the program, and its rate limiters."""
    if not any(_IMPORTS_HONO.search(data) for data in sources.values()):
        return [], []
    model = Hono(program)
    model.collect()
    routes = [r for r in model.routes() if not _TEST_FILE.search(r.file)]
    return routes, sorted(set(model.limiters))


def join_base(base: str, path: str) -> str:
    if not base:
        return path
    return base.rstrip("/") + "/" + path.lstrip("/") if path.strip("/") else base


def _member_call(call: ts.Node) -> tuple[str, ts.Node | None] | None:
    callee = unwrap(call.child_by_field_name("function"))
    if callee is None or callee.type != "member_expression":
        return None
    return text(callee.child_by_field_name("property")), callee.child_by_field_name("object")


def _property(obj: ts.Node | None, name: str) -> ts.Node | None:
    obj = unwrap(obj)
    if obj is None or obj.type != "object":
        return None
    for pair in obj.named_children:
        if pair.type == "pair" and text(pair.child_by_field_name("key")) == name:
            return pair.child_by_field_name("value")
        if pair.type == "shorthand_property_identifier" and text(pair) == name:
            return pair
    return None


def _strings(node: ts.Node) -> list[str]:
    inner = unwrap(node) or node
    if inner.type == "array":
        return [v for v in (string_value(c) for c in inner.named_children) if v is not None]
    value = string_value(inner)
    return [value] if value is not None else []
