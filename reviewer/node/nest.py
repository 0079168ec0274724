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
- `app.setGlobalPrefix("api", { exclude: [...] })`: the listed paths keep no prefix.
- URI versioning (`app.enableVersioning()`, type `VersioningType.URI`, the default) puts
  `/<prefix><version>` (prefix `v` unless set) after the global prefix and before the
  controller's path; the version is the handler's `@Version(...)`, else its controller's
  `@Controller({ version })`, else `defaultVersion`; `VERSION_NEUTRAL` adds none, an array one
  route per version (https://docs.nestjs.com/techniques/versioning). Header and media-type
  versioning leave paths alone.
- `RouterModule.register([{ path, module, children }])` (@nestjs/core) prefixes every
  controller listed in that module's `@Module({ controllers })`, children under their
  parent's path (https://docs.nestjs.com/recipes/router-module).
- A global prefix read from configuration (`configService.get("app.apiPrefix")` over a
  `registerAs("app", ...)` namespace, `process.env.X || "api"`) is taken at the default the
  code gives (reviewer/node/nest_config.py).
Not yet: a version that is not a literal, guards bound in modules other than APP_GUARD.
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
from reviewer.node.nest_config import config_string
from reviewer.node.syntax import arguments, callee_path, line, string_value, text, unwrap, walk
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
        self.prefix_exclude: set[str] = set()
        self.global_validation = False
        self.versioning: tuple[str, tuple[str | None, ...]] | None = None  # (prefix, default)
        self.module_paths: dict[tuple[str, int], str] = {}  # module class -> RouterModule path
        self.controller_paths: dict[tuple[str, int], str] = {}  # controller class -> path
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
                        prefix = config_string(self.program, file, args[0])
                        self.global_prefix = prefix or self.global_prefix
                        excluded = unwrap(_property(args[1], "exclude")) if len(args) > 1 else None
                        if excluded is not None and excluded.type == "array":
                            self.prefix_exclude |= {
                                v.strip("/")
                                for c in excluded.named_children
                                if (v := string_value(c)) is not None
                            }
                    elif method == "enableVersioning":
                        self.versioning = self._versioning(file, args[0] if args else None)
                    elif method == "register" and args and self._is_router_module(file, callee):
                        self._router_module(file, args[0], "", 0)
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

        for file, parsed in sorted(self.program.parsed.items()):
            for node in walk(parsed.root):
                if node.type == "class_declaration":
                    self._module_controllers(file, node)

    def _versioning(
        self, file: str, options: ts.Node | None
    ) -> tuple[str, tuple[str | None, ...]] | None:
        kind = _property(options, "type")
        if kind is not None and not text(kind).endswith("URI"):
            return None  # header, media-type or custom versioning: paths do not change
        prefix_node = unwrap(_property(options, "prefix"))
        prefix = "v" if prefix_node is None else string_value(prefix_node) or ""
        default = self._versions(file, _property(options, "defaultVersion"))
        return prefix, default or ()

    def _versions(self, file: str, node: ts.Node | None) -> tuple[str | None, ...] | None:
        """`"1"` -> ("1",); `["1", "2"]`; VERSION_NEUTRAL -> (None,); absent -> None."""
        node = unwrap(node)
        if node is None:
            return None
        items = node.named_children if node.type == "array" else [node]
        found: list[str | None] = []
        for item in items:
            value = string_value(item)
            if value is not None:
                found.append(value)
            elif text(item).endswith("VERSION_NEUTRAL"):
                found.append(None)
        return tuple(found) or None

    def _is_router_module(self, file: str, callee: ts.Node) -> bool:
        owner = self.program.resolve(file, callee.child_by_field_name("object"))
        return isinstance(owner, External) and owner.names[-1:] == ("RouterModule",)

    def _router_module(self, file: str, routes: ts.Node | None, prefix: str, depth: int) -> None:
        node = unwrap(routes)
        if node is not None and node.type == "identifier" and depth < 4:
            value = self.program.resolve(file, node)  # `const routes: Routes = [...]`
            if isinstance(value, Value):
                target = unwrap(value.node)
                if target is not None and target.type == "variable_declarator":
                    target = target.child_by_field_name("value")
                self._router_module(value.file, target, prefix, depth + 1)
            return
        if node is None or node.type != "array" or depth > 8:
            return
        for entry in node.named_children:
            path = join(prefix, (string_value(_property(entry, "path")) or "").strip("/"))
            named = _property(entry, "module")
            module = self._class_of(file, named) if named is not None else None
            if module is not None:
                self.module_paths[(module[0], module[1].start_byte)] = path
            self._router_module(file, _property(entry, "children"), path, depth + 1)

    def _module_controllers(self, file: str, cls: ts.Node) -> None:
        """`@Module({ controllers: [A, B] })` of a module RouterModule gave a path."""
        path = self.module_paths.get((file, cls.start_byte))
        if path is None:
            return
        own = [c for c in cls.named_children if c.type == "decorator"]
        if cls.parent is not None and cls.parent.type == "export_statement":
            own += [c for c in cls.parent.named_children if c.type == "decorator"]
        for d in self._decorators(file, own):
            if not _nest(d.value, "Module") or not d.args:
                continue
            listed = unwrap(_property(d.args[0], "controllers"))
            for item in listed.named_children if listed is not None else []:
                controller = self._class_of(file, item)
                if controller is not None:
                    self.controller_paths[(controller[0], controller[1].start_byte)] = path

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
        versions: tuple[str | None, ...] | None = None
        if controller.args:
            first = unwrap(controller.args[0])
            prefix = string_value(first) or string_value(_property(first, "path")) or ""
            versions = self._versions(file, _property(first, "version"))
        module_path = self.controller_paths.get((file, cls.start_byte), "")
        prefix = join(module_path, prefix.strip("/")).strip("/") if module_path else prefix
        body = cls.child_by_field_name("body")
        name = text(cls.child_by_field_name("name"))
        routes: list[Route] = []
        if body is None:
            return routes
        for method, method_decorators in _methods(body):
            decorated = self._decorators(file, method_decorators)
            pinned = next((d for d in decorated if _nest(d.value, "Version")), None)
            chosen = self._versions(file, pinned.args[0]) if pinned and pinned.args else versions
            for verb, path in self._verbs(decorated):
                for version in self._segments(chosen):
                    at = self._path(prefix, version, path)
                    routes.append(self._route(file, name, at, method, verb, decorators, decorated))
        return routes

    def _segments(self, versions: tuple[str | None, ...] | None) -> tuple[str, ...]:
        """The URI segments a handler's versions give: `v1`, or "" when not versioned."""
        if self.versioning is None:
            return ("",)
        prefix, default = self.versioning
        chosen = versions if versions is not None else default
        return tuple(dict.fromkeys(prefix + v if v is not None else "" for v in chosen)) or ("",)

    def _path(self, prefix: str, version: str, path: str) -> str:
        local = join(join("/" + prefix.strip("/") if prefix else "", path), "")
        excluded = local.strip("/") in self.prefix_exclude
        head = "" if excluded or not self.global_prefix else "/" + self.global_prefix.strip("/")
        if version:
            head = join(head, version) if head else "/" + version
        return join(head, local) if head else local

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
        path: str,
        method: ts.Node,
        verb: str,
        class_decorators: list[_Decorated],
        decorated: list[_Decorated],
    ) -> Route:
        guards: list[Guard] = []
        for gfile, expr, level in self.global_guards:
            guards += self._guards(gfile, expr, level)
        public = False
        validation = self.global_validation
        guard_exprs = [(f, e) for f, e, _ in self.global_guards] + [
            (file, arg)
            for group in (class_decorators, decorated)
            for d in group
            if _nest(d.value, "UseGuards")
            for arg in d.args
        ]
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
                elif self._opts_out(d, level, guard_exprs):
                    public = True
        handler = text(method.child_by_field_name("name"))
        return Route(
            framework="nestjs",
            methods=(verb,),
            path=path,
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

    def _opts_out(self, d: _Decorated, level: str, guards: list[tuple[str, ts.Node]]) -> bool:
        """`@Public()` made with `SetMetadata(KEY, true)`, when a guard of the route reads KEY
        with its Reflector (`reflector.get/getAllAndOverride/getAllAndMerge(KEY, targets)`)
        from where the decorator is: `context.getClass()` for a class-level one,
        `context.getHandler()` for a method's (https://docs.nestjs.com/fundamentals/execution-context#reflection-and-metadata)."""
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
        if len(args) > 1 and text(args[1]) != "true":
            return False
        key = self._key(d.value.file, args[0])
        target = "getClass" if level == "class" else "getHandler"
        for gfile, expr in guards:
            cls = self._class_of(gfile, expr)
            if cls is None:
                continue
            for call in walk(cls[1]):
                if call.type != "call_expression":
                    continue
                path = callee_path(call.child_by_field_name("function"))
                read = arguments(call)
                if (
                    path[-1:] in (["get"], ["getAllAndOverride"], ["getAllAndMerge"])
                    and len(read) > 1
                    and self._key(cls[0], read[0]) == key
                    and target in text(read[1])
                ):
                    return True
        return False

    def _key(self, file: str, node: ts.Node) -> str:
        """A metadata key: its string, through a constant (`IS_PUBLIC_KEY = "isPublic"`)."""
        literal = string_value(node)
        if literal is not None:
            return literal
        value = self.program.resolve(file, node)
        if isinstance(value, Value):
            target = unwrap(value.node)
            if target is not None and target.type == "variable_declarator":
                found = string_value(unwrap(target.child_by_field_name("value")))
                if found is not None:
                    return found
        return text(node)

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
