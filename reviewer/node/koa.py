"""Koa routing: koa-router / @koa/router routers, nested with `use`, mounted on a Koa app.

What Koa and its router do (https://koajs.com/#application, https://github.com/koajs/router/
blob/master/API.md):
- `new Koa()` makes an app; `app.use(fn)` adds middleware for every request after it, in
  order. A router serves its routes once mounted: `app.use(router.routes())` (or
  `router.middleware()`).
- `new Router({ prefix })` (or `Router()`, from koa-router or @koa/router) makes a router; its
  routes get the prefix, as they do after `router.prefix("/x")`.
  `router.METHOD([name,] path, ...middleware, handler)` adds a route (`del` is `delete`, `all`
  any method); every function but the last is middleware of the route.
- `router.use([path,] ...fns)` adds middleware run, in order, for the later routes whose path
  starts with `path`; `router.use("/x", sub.routes())` nests `sub` under `/x`.
- `mount("/x", fn)` (koa-mount) among `use`'s arguments runs `fn` for paths under `/x` only.
- Guards: koa-jwt `jwt({ secret })` answers 401 without a valid token (not with
  `passthrough: true`, https://github.com/koajs/jwt#passthrough); koa-passport's
  `passport.authenticate(...)`; middleware that calls `ctx.throw(401)` (or answers 401/403)
  when the request carries no user, judged by reviewer/node/guards.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import tree_sitter as ts

from reviewer.node.express import (
    _TEST_FILE,
    METHODS,
    Express,
    Key,
    Layer,
    Stack,
    is_url_path,
    join,
)
from reviewer.node.modules import External, Program, Resolved, Value
from reviewer.node.syntax import arguments, string_value, text, unwrap
from reviewer.service import Guard, Route

ROUTERS = ("koa-router", "@koa/router")
_IMPORTS_KOA = re.compile(rb"""['"](koa|koa-router|@koa/router)['"]""")


class Koa(Express):
    framework = "koa"
    packages = ("koa", *ROUTERS)
    registers = (*METHODS, "del", "use", "prefix")

    def _route_chain(self, call: ts.Node) -> tuple[ts.Node | None, str | None]:
        """`router.get("/a", h).post("/b", h)`: every call of the chain returns the router."""
        node: ts.Node | None = call
        while node is not None and node.type == "call_expression":
            callee = unwrap(node.child_by_field_name("function"))
            if callee is None or callee.type != "member_expression":
                return node, None
            if text(callee.child_by_field_name("property")) not in self.registers:
                return node, None
            node = unwrap(callee.child_by_field_name("object"))
        return node, None

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
        if method == "prefix":
            stack.base = (string_value(args[0]) if args else None) or stack.base
            return
        if method == "use":
            paths = _paths(args[0]) if args else None
            rest = tuple(args[1:]) if paths is not None else tuple(args)
            for path in paths or [""]:
                plain = [a for a in rest if self._mount_path(file, a) is None]
                stack.layers.append(Layer(order, file, at, "use", path, (), tuple(plain)))
                for arg in rest:  # koa-mount: `mount("/x", mw)` runs `mw` under /x only
                    mounted = self._mount_path(file, arg)
                    if mounted is not None:
                        inner = tuple(arguments(unwrap(arg) or arg)[1:])
                        at_path = join(path, mounted[0])
                        stack.layers.append(Layer(order, file, at, "use", at_path, (), inner))
            return
        if len(args) > 2 and string_value(args[0]) is not None and _paths(args[1]) is not None:
            args = args[1:]  # a named route: router.get("user", "/users/:id", handler)
        paths = _paths(args[0]) if args else None
        if paths is None or len(args) < 2:
            return
        verbs = ("*",) if method == "all" else ("DELETE",) if method == "del" else (method.upper(),)
        for path in filter(is_url_path, paths):
            stack.layers.append(Layer(order, file, at, "route", path, verbs, tuple(args[1:])))

    def _mounted(self, arg: ts.Node) -> ts.Node:
        node = unwrap(arg)
        if node is not None and node.type == "call_expression":
            callee = unwrap(node.child_by_field_name("function"))
            if (
                callee is not None
                and callee.type == "member_expression"
                and text(callee.child_by_field_name("property")) in ("routes", "middleware")
            ):
                return callee.child_by_field_name("object") or arg
        return arg

    def _stack(self, value: Resolved, create: bool, depth: int) -> Key | None:
        if isinstance(value, Value) and depth <= 8:
            node = unwrap(value.node)
            if node is not None and node.type == "call_expression":
                callee = unwrap(node.child_by_field_name("function"))
                if callee is not None and callee.type == "member_expression":
                    prop = text(callee.child_by_field_name("property"))
                    if prop in ("routes", "middleware"):  # what mounts a router
                        obj = callee.child_by_field_name("object")
                        return self._stack(self.program.resolve(value.file, obj), create, depth + 1)
        return super()._stack(value, create, depth)

    def _mount_path(self, file: str, arg: ts.Node) -> tuple[str] | None:
        """`mount("/x", mw)` with koa-mount (https://github.com/koajs/mount#readme)."""
        node = unwrap(arg)
        if node is None or node.type != "call_expression":
            return None
        made = self.program.resolve(file, node.child_by_field_name("function"))
        args = arguments(node)
        if not (isinstance(made, External) and made.module == "koa-mount") or len(args) < 2:
            return None
        path = string_value(args[0])
        return (path,) if path is not None else None

    def _made(self, file: str, node: ts.Node | None) -> str | None:
        node = unwrap(node)
        if node is None or node.type not in ("call_expression", "new_expression"):
            return None
        callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        made = self.program.resolve(file, callee)
        if not isinstance(made, External):
            return None
        if made.module == "koa" and made.names in ((), ("default",), ("Koa",)):
            return "app" if node.type == "new_expression" else None
        if made.module in ROUTERS and made.names in ((), ("default",), ("Router",)):
            return "router"
        return None

    def _base(self, file: str, made_by: ts.Node) -> str:
        """`new Router({ prefix: "/api" })`."""
        node = unwrap(made_by)
        args = arguments(node) if node is not None else []
        options = unwrap(args[0]) if args else None
        if options is None or options.type != "object":
            return ""
        for pair in options.named_children:
            if pair.type == "pair" and text(pair.child_by_field_name("key")) == "prefix":
                return string_value(pair.child_by_field_name("value")) or ""
        return ""


def koa_routes(program: Program, sources: Mapping[str, bytes]) -> tuple[list[Route], list[Guard]]:
    """The routes of every koa-router router of the program, and its rate limiters."""
    if not any(_IMPORTS_KOA.search(data) for data in sources.values()):
        return [], []
    model = Koa(program)
    model.collect()
    routes = [r for r in model.routes() if not _TEST_FILE.search(r.file)]
    return routes, sorted(set(model.limiters))


def _paths(node: ts.Node) -> list[str] | None:
    """A path argument: a string, or an array of strings (koa-router accepts both)."""
    inner = unwrap(node) or node
    if inner.type == "array":
        found = [string_value(c) for c in inner.named_children]
        return [p for p in found if p is not None] if found and None not in found else None
    value = string_value(inner)
    return [value] if value is not None else None
