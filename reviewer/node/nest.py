"""NestJS controllers: `@Controller` classes, their handler decorators and guards, as `Route`s.

What NestJS does (https://docs.nestjs.com/controllers, /guards, /security/authentication,
/security/rate-limiting, /techniques/validation, /faq/global-prefix):
- `@Controller(prefix)` (or `@Controller({ path })`) marks a class; `@Get(path)`, `@Post`,
  `@Put`, `@Patch`, `@Delete`, `@Options`, `@Head`, `@All` on its methods serve
  `/<global prefix>/<prefix>/<path>` (`app.setGlobalPrefix("api")`).
- `@UseGuards(...)` on the class or the method, `app.useGlobalGuards(...)` and
  `{ provide: APP_GUARD, useClass: G }` providers run guards before the handler; a guard
  denies when its `canActivate` returns false (403) or throws (UnauthorizedException 401,
  ForbiddenException 403). `AuthGuard("jwt")` from @nestjs/passport, and classes extending it,
  authenticate; a custom guard is judged by what its `canActivate` checks.
- A decorator made with `SetMetadata(KEY, true)` (the `@Public()` pattern) opts a route out
  when a global guard reads `KEY` and lets such routes through.
- `@Throttle(...)` and ThrottlerGuard (@nestjs/throttler) limit the rate; a ValidationPipe
  (global, `@UsePipes`) validates DTO parameters.
Not yet: versioning (`enableVersioning`), `RouterModule` paths, guards bound in modules other
than APP_GUARD.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import tree_sitter as ts

from reviewer.node.express import join
from reviewer.node.guards import AUTHENTICATION, AUTHORIZATION, RATE_LIMIT, function_kinds
from reviewer.node.modules import External, Program, Resolved, Value
from reviewer.node.syntax import arguments, line, string_value, text, unwrap, walk
from reviewer.service import Guard, Route

COMMON = "@nestjs/common"
HTTP = {
    "Get": "GET",
    "Post": "POST",
    "Put": "PUT",
    "Patch": "PATCH",
    "Delete": "DELETE",
    "Options": "OPTIONS",
    "Head": "HEAD",
    "All": "*",
}
_ROLE = re.compile(r"role|permission|scope|admin|ability", re.I)
_UNAUTHENTICATED = re.compile(
    r"UnauthorizedException|\bverify(Async)?\(|jwtVerify\(|isAuthenticated\(|super\.canActivate\("
    r"|\b(request|req)\.(user|headers|session|cookies)"
)
_DENIES = re.compile(r"\bthrow\b|return\s+false|ForbiddenException|UnauthorizedException")


@dataclass(frozen=True)
class _Decorated:
    name: str  # the decorator as written: "UseGuards"
    value: Resolved  # what its callee resolves to
    args: tuple[ts.Node, ...]
    node: ts.Node


class Nest:
    def __init__(self, program: Program) -> None:
        self.program = program
        self.global_guards: list[tuple[str, ts.Node, str]] = []  # (file, expression, level)
        self.global_prefix = ""
        self.global_validation = False
        self._kinds: dict[tuple[str, int], frozenset[str]] = {}

    def routes(self) -> list[Route]:
        self._globals()
        found: list[Route] = []
        for file, parsed in sorted(self.program.parsed.items()):
            for node in walk(parsed.root):
                if node.type == "class_declaration":
                    found += self._controller(file, node)
        return found

    # -- globals ---------------------------------------------------------------------------

    def _globals(self) -> None:
        for file, parsed in sorted(self.program.parsed.items()):
            for node in walk(parsed.root):
                if node.type == "call_expression":
                    callee = unwrap(node.child_by_field_name("function"))
                    if callee is None or callee.type != "member_expression":
                        continue
                    method = text(callee.child_by_field_name("property"))
                    args = arguments(node)
                    if method == "useGlobalGuards":
                        self.global_guards += [(file, a, "app") for a in args]
                    elif method == "setGlobalPrefix" and args:
                        self.global_prefix = string_value(args[0]) or self.global_prefix
                    elif method == "useGlobalPipes" and any(
                        "ValidationPipe" in text(a) for a in args
                    ):
                        self.global_validation = True
                elif node.type == "object":
                    provide = _property(node, "provide")
                    use = _property(node, "useClass") or _property(node, "useExisting")
                    if provide is None or use is None:
                        continue
                    token = self.program.resolve(file, provide)
                    if isinstance(token, External) and token.names[-1:] == ("APP_GUARD",):
                        self.global_guards.append((file, use, "app"))
                    if isinstance(token, External) and token.names[-1:] == ("APP_PIPE",):
                        self.global_validation = self.global_validation or (
                            "ValidationPipe" in text(use)
                        )

    # -- controllers -----------------------------------------------------------------------

    def _decorators(self, file: str, nodes: list[ts.Node]) -> list[_Decorated]:
        found = []
        for decorator in nodes:
            call = decorator.named_children[0] if decorator.named_children else None
            call = unwrap(call)
            if call is None:
                continue
            if call.type == "call_expression":
                callee = call.child_by_field_name("function")
                args = tuple(arguments(call))
            else:
                callee, args = call, ()
            value = self.program.resolve(file, callee)
            found.append(_Decorated(text(callee), value, args, decorator))
        return found

    def _controller(self, file: str, cls: ts.Node) -> list[Route]:
        own = [c for c in cls.named_children if c.type == "decorator"]
        parent = cls.parent
        if parent is not None and parent.type == "export_statement":
            own = [c for c in parent.named_children if c.type == "decorator"] + own
        decorators = self._decorators(file, own)
        controller = next((d for d in decorators if _nest(d.value, "Controller")), None)
        if controller is None:
            return []
        prefix = ""
        if controller.args:
            first = unwrap(controller.args[0])
            prefix = string_value(first) or string_value(_property(first, "path")) or ""
        body = cls.child_by_field_name("body")
        name = text(cls.child_by_field_name("name"))
        routes: list[Route] = []
        if body is None:
            return routes
        for method, method_decorators in _methods(body):
            decorated = self._decorators(file, method_decorators)
            for verb, path in self._verbs(decorated):
                routes.append(
                    self._route(file, name, prefix, method, verb, path, decorators, decorated)
                )
        return routes

    def _verbs(self, decorated: list[_Decorated]) -> Iterator[tuple[str, str]]:
        for d in decorated:
            if isinstance(d.value, External) and d.value.module == COMMON:
                verb = HTTP.get(d.value.names[-1] if d.value.names else "")
                if verb is None:
                    continue
                first = unwrap(d.args[0]) if d.args else None
                if first is not None and first.type == "array":
                    for item in first.named_children:
                        yield verb, string_value(item) or ""
                else:
                    yield verb, string_value(first) or ""

    def _route(
        self,
        file: str,
        controller: str,
        prefix: str,
        method: ts.Node,
        verb: str,
        path: str,
        class_decorators: list[_Decorated],
        decorated: list[_Decorated],
    ) -> Route:
        guards: list[Guard] = []
        for gfile, expr, level in self.global_guards:
            guards += self._guards(gfile, expr, level)
        public = False
        validation = self.global_validation
        for level, group in (("class", class_decorators), ("route", decorated)):
            for d in group:
                if _nest(d.value, "UseGuards"):
                    for arg in d.args:
                        guards += self._guards(file, arg, level)
                elif isinstance(d.value, External) and d.value.module == "@nestjs/throttler":
                    if d.value.names[-1:] == ("Throttle",):
                        guards.append(Guard("Throttle", RATE_LIMIT, level, file, line(d.node)))
                elif _nest(d.value, "UsePipes"):
                    validation = validation or any("ValidationPipe" in text(a) for a in d.args)
                elif self._opts_out(d):
                    public = True
        handler = text(method.child_by_field_name("name"))
        return Route(
            framework="nestjs",
            methods=(verb,),
            path=join(join("/" + self.global_prefix.strip("/"), prefix.strip("/")), path)
            if self.global_prefix
            else join("/" + prefix.strip("/") if prefix else "", path),
            handler=f"{controller}.{handler}",
            module=posixpath.splitext(file)[0].replace("/", "."),
            file=file,
            line=line(method.child_by_field_name("name") or method),
            view_class=controller,
            action=handler,
            auth=_unique(g for g in guards if g.kind == AUTHENTICATION),
            authorization=_unique(g for g in guards if g.kind == AUTHORIZATION),
            rate_limits=_unique(g for g in guards if g.kind == RATE_LIMIT),
            validation=("ValidationPipe",) if validation else (),
            is_async=text(method).lstrip().startswith("async"),
            public=public,
        )

    def _opts_out(self, d: _Decorated) -> bool:
        """`@Public()` made with `SetMetadata(KEY, true)`, when a global guard reads KEY."""
        if not isinstance(d.value, Value):
            return False
        node = unwrap(d.value.node)
        if node is not None and node.type == "variable_declarator":
            node = unwrap(node.child_by_field_name("value"))
        if node is not None and node.type in ("arrow_function", "function_expression"):
            node = unwrap(node.child_by_field_name("body"))
        if node is None or node.type != "call_expression":
            return False
        made = self.program.resolve(d.value.file, node.child_by_field_name("function"))
        args = arguments(node)
        if not (isinstance(made, External) and made.names[-1:] == ("SetMetadata",)) or not args:
            return False
        key = text(args[0])
        if len(args) > 1 and text(args[1]) != "true":
            return False
        for gfile, expr, _ in self.global_guards:
            cls = self._class_of(gfile, expr)
            if cls is not None and key.strip("'\"") in text(cls[1]):
                return True
        return False

    def _class_of(self, file: str, expr: ts.Node) -> tuple[str, ts.Node] | None:
        node = unwrap(expr)
        if node is not None and node.type == "new_expression":
            node = node.child_by_field_name("constructor")
        value = self.program.resolve(file, node)
        if isinstance(value, Value):
            target = unwrap(value.node)
            if target is not None and target.type == "class_declaration":
                return value.file, target
        return None

    def _guards(self, file: str, expr: ts.Node, level: str) -> list[Guard]:
        shown = text(expr)[:60]
        return [Guard(shown, k, level, file, line(expr)) for k in self._guard_kinds(file, expr)]

    def _guard_kinds(self, file: str, expr: ts.Node) -> frozenset[str]:
        key = (file, expr.start_byte)
        if key not in self._kinds:
            self._kinds[key] = frozenset()
            self._kinds[key] = self._judge(file, expr, 0)
        return self._kinds[key]

    def _judge(self, file: str, expr: ts.Node, depth: int) -> frozenset[str]:
        node = unwrap(expr)
        if node is None or depth > 4:
            return frozenset()
        if node.type in ("call_expression", "new_expression"):
            callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
            value = self.program.resolve(file, callee)
        else:
            value = self.program.resolve(file, node)
        if isinstance(value, External):
            return _external_kinds(value)
        cls = self._class_of(file, node) if not isinstance(value, Value) else None
        if isinstance(value, Value):
            target = unwrap(value.node)
            if target is not None and target.type == "class_declaration":
                cls = (value.file, target)
        if cls is None:
            return frozenset()
        cfile, cnode = cls
        found: set[str] = set()
        heritage = next((c for c in cnode.named_children if c.type == "class_heritage"), None)
        if heritage is not None:
            for item in walk(heritage):
                if item.type in ("identifier", "call_expression", "member_expression"):
                    target = (
                        item.child_by_field_name("function")
                        if item.type == "call_expression"
                        else item
                    )
                    base = self.program.resolve(cfile, target)
                    if isinstance(base, External):
                        found |= _external_kinds(base)
                        break
                    if isinstance(base, Value) and unwrap(base.node) is not None:
                        found |= self._judge(cfile, item, depth + 1)
                        break
        body = cnode.child_by_field_name("body")
        can = None
        if body is not None:
            can = next(
                (
                    m
                    for m in body.named_children
                    if m.type == "method_definition"
                    and text(m.child_by_field_name("name")) == "canActivate"
                ),
                None,
            )
        if can is not None:
            code = text(can)
            found |= function_kinds(self.program, cfile, can) - {"validation"}
            if _UNAUTHENTICATED.search(code) and _DENIES.search(code):
                found.add(AUTHENTICATION)
            if _ROLE.search(code):
                found.add(AUTHORIZATION)
                if "UnauthorizedException" not in code and "super.canActivate" not in code:
                    found.discard(AUTHENTICATION)  # a role check that assumes a user
        return frozenset(found)


def nest_routes(program: Program, sources: Mapping[str, bytes]) -> list[Route]:
    if not any(b"@nestjs/common" in data for data in sources.values()):
        return []
    return Nest(program).routes()


def _external_kinds(value: External) -> frozenset[str]:
    if value.module == "@nestjs/passport" and value.names[-1:] == ("AuthGuard",):
        return frozenset({AUTHENTICATION})
    if value.module == "@nestjs/throttler":
        return frozenset({RATE_LIMIT})
    return frozenset()


def _nest(value: Resolved, name: str) -> bool:
    return isinstance(value, External) and value.module == COMMON and value.names[-1:] == (name,)


def _methods(body: ts.Node) -> Iterator[tuple[ts.Node, list[ts.Node]]]:
    pending: list[ts.Node] = []
    for member in body.named_children:
        if member.type == "decorator":
            pending.append(member)
        elif member.type == "method_definition":
            own = [c for c in member.named_children if c.type == "decorator"]
            yield member, [*pending, *own]
            pending = []
        else:
            pending = []


def _property(obj: ts.Node | None, name: str) -> ts.Node | None:
    obj = unwrap(obj)
    if obj is None or obj.type != "object":
        return None
    for pair in obj.named_children:
        if pair.type == "pair" and text(pair.child_by_field_name("key")) == name:
            return pair.child_by_field_name("value")
    return None


def _unique(guards: Iterator[Guard]) -> tuple[Guard, ...]:
    seen: dict[tuple[str, str], Guard] = {}
    for guard in guards:
        seen.setdefault((guard.name, guard.level), guard)
    return tuple(seen.values())
