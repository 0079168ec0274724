"""Names to values across JavaScript/TypeScript modules, the way Node resolves them.

`Program.resolve(file, node)` follows an expression to what defines it: a local binding in the
enclosing scopes, an ES `import` or CommonJS `require` of a relative module (extensions and
`index` files tried as Node and TypeScript do, `./x.js` also finding `x.ts`), and that module's
`export`/`module.exports`/`exports.name`. Bare specifiers go through tsconfig `paths`/`baseUrl`
and the target's own packages (reviewer/node/manifests.py); any other package import ends as
`External(package, names)`.

References: https://nodejs.org/api/modules.html#all-together,
https://nodejs.org/api/esm.html#import-specifiers,
https://www.typescriptlang.org/docs/handbook/modules/reference.html#relative-file-path-resolution
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass

import tree_sitter as ts

from reviewer.node.manifests import Manifests
from reviewer.node.syntax import (
    FUNCTIONS,
    Parsed,
    callee_path,
    string_value,
    text,
    unwrap,
    walk,
)

EXTENSIONS = (".ts", ".tsx", ".js", ".mjs", ".cjs", ".jsx", ".mts", ".cts")
SCOPES = ("program", "statement_block", "class_body", "switch_body")
MAX_DEPTH = 24


@dataclass(frozen=True)
class External:
    """A value from a package: `External("express", ("Router",))` for `express.Router`."""

    module: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Value:
    """A node in a file: a function, a call, an object literal, or a variable's declarator
    (kept as the variable's identity when its value is a call, such as `express.Router()`)."""

    file: str
    node: ts.Node

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.file, self.node.start_byte, self.node.end_byte)


@dataclass(frozen=True)
class Param:
    """A function parameter: its value is known only at the function's call sites."""

    file: str
    function: ts.Node
    index: int
    name: str

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.file, self.function.start_byte, self.name)


Resolved = External | Value | Param | None


@dataclass(frozen=True)
class _Import:
    spec: str
    name: str  # "default", "*" (the whole module / namespace) or an exported name


def resolve_spec(
    importer: str, spec: str, files: frozenset[str], manifests: Manifests | None = None
) -> str | None:
    """The file a specifier names, or None (a package outside the target, or a file we do not
    have): relative paths as Node does, bare ones through tsconfig `paths`/`baseUrl` and the
    target's own packages (package.json `name`, `exports`, `main`)."""
    if spec.startswith((".", "/")):
        return _file_at(
            posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec)), files
        )
    if manifests is None:
        return None
    for candidate in manifests.candidates(importer, spec):
        found = _file_at(candidate, files)
        if found is not None:
            return found
    return None


def _file_at(base: str, files: frozenset[str]) -> str | None:
    stem, ext = posixpath.splitext(base)
    candidates = [base, *(base + e for e in EXTENSIONS)]
    if ext in (".js", ".jsx", ".mjs", ".cjs"):  # TypeScript: `./x.js` is `./x.ts` before emit
        candidates += [stem + e for e in EXTENSIONS]
    candidates += [f"{base}/index{e}" for e in EXTENSIONS]
    return next((c for c in candidates if c in files), None)


def _require_spec(node: ts.Node | None) -> str | None:
    node = unwrap(node)
    if node is None or node.type != "call_expression":
        return None
    if text(node.child_by_field_name("function")) != "require":
        return None
    args = node.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    return string_value(first)


class Program:
    """Every parsed Node file of the target, with memoized lookups between them."""

    def __init__(self, parsed: Mapping[str, Parsed], manifests: Manifests | None = None) -> None:
        self.parsed = parsed
        self.files = frozenset(parsed)
        self.manifests = manifests
        # the environment the target documents in its dotenv templates (KEY -> value)
        self.environment: dict[str, str] = manifests.environment if manifests else {}
        self._exports: dict[str, dict[str, tuple[str, ts.Node]]] = {}
        self._resolved: dict[tuple[str, int, int, str, int], Resolved] = {}
        self._bindings: dict[tuple[str, int, int, str], Resolved | bool] = {}
        self._calls: list[tuple[str, ts.Node]] | None = None

    def calls(self) -> list[tuple[str, ts.Node]]:
        """Every call expression of every file, files in name order: walked once, shared by the
        framework models (each reads the calls that register its routes)."""
        if self._calls is None:
            self._calls = [
                (file, node)
                for file, parsed in sorted(self.parsed.items())
                for node in walk(parsed.root)
                if node.type == "call_expression"
            ]
        return self._calls

    # -- names ---------------------------------------------------------------------------

    def resolve(self, file: str, node: ts.Node | None, depth: int = 0) -> Resolved:
        node = unwrap(node)
        if node is None or depth > MAX_DEPTH:
            return None
        if node.type not in ("identifier", "shorthand_property_identifier", "member_expression"):
            return self._resolve(file, node, depth)
        key = (file, node.start_byte, node.end_byte, node.type, depth > MAX_DEPTH // 2)
        if key not in self._resolved:
            self._resolved[key] = None  # a name defined by itself resolves to nothing
            self._resolved[key] = self._resolve(file, node, depth)
        return self._resolved[key]

    def _resolve(self, file: str, node: ts.Node, depth: int) -> Resolved:
        if node.type in ("identifier", "shorthand_property_identifier"):
            return self._resolve_name(file, node, text(node), depth)
        if node.type == "member_expression":
            prop = text(node.child_by_field_name("property"))
            base = self.resolve(file, node.child_by_field_name("object"), depth + 1)
            return self.member(base, prop, depth)
        if node.type == "call_expression" and _require_spec(node) is not None:
            return self._module_value(file, _Import(_require_spec(node) or "", "*"), depth)
        return Value(file, node)

    def member(self, base: Resolved, prop: str, depth: int = 0) -> Resolved:
        if isinstance(base, External):
            return External(base.module, (*base.names, prop))
        if isinstance(base, Value):
            target = unwrap(base.node)
            if target is not None and target.type == "variable_declarator":
                target = unwrap(target.child_by_field_name("value"))
            if target is not None and target.type == "object":
                found = _property(target, prop)
                if found is not None:
                    return self.resolve(base.file, found, depth + 1)
            if target is not None and target.type == "program":  # a module namespace
                return self.export(base.file, prop, depth + 1)
        return None

    def resolve_name(self, file: str, node: ts.Node) -> Resolved:
        """What the name `node` (an identifier or a TypeScript type name) is bound to."""
        return self._resolve_name(file, node, text(node), 0)

    def _resolve_name(self, file: str, ident: ts.Node, name: str, depth: int) -> Resolved:
        scope: ts.Node | None = ident
        while scope is not None:
            if scope.type in FUNCTIONS:
                found = _parameter(file, scope, name)
                if found is not None:
                    return found
                if scope.type in ("function_expression", "function") and (
                    text(scope.child_by_field_name("name")) == name
                ):
                    return Value(file, scope)
            if scope.type in SCOPES or scope.type in FUNCTIONS:
                body = scope.child_by_field_name("body") if scope.type in FUNCTIONS else scope
                if body is not None:
                    hit = self._declared(file, body, name, depth)
                    if hit is not False:
                        return hit  # type: ignore[return-value]
            scope = scope.parent
        return None

    def _declared(self, file: str, body: ts.Node, name: str, depth: int) -> Resolved | bool:
        """What `name` is bound to directly in `body`; False when `body` does not bind it."""
        key = (file, body.start_byte, body.end_byte, name)
        if key not in self._bindings:
            self._bindings[key] = False
            self._bindings[key] = self._declared_in(file, body, name, depth)
        return self._bindings[key]

    def _declared_in(self, file: str, body: ts.Node, name: str, depth: int) -> Resolved | bool:
        for stmt in body.named_children:
            if stmt.type == "export_statement":
                inner = stmt.child_by_field_name("declaration")
                if inner is None:
                    continue
                stmt = inner
            if stmt.type in ("lexical_declaration", "variable_declaration"):
                for decl in stmt.named_children:
                    if decl.type != "variable_declarator":
                        continue
                    hit = self._declarator(file, decl, name, depth)
                    if hit is not False:
                        return hit
            elif stmt.type in (
                "function_declaration",
                "generator_function_declaration",
                "class_declaration",
            ):
                if text(stmt.child_by_field_name("name")) == name:
                    return Value(file, stmt)
            elif stmt.type == "import_statement":
                imported = _import_binding(stmt, name)
                if imported is not None:
                    return self._module_value(file, imported, depth)
        return False

    def _declarator(self, file: str, decl: ts.Node, name: str, depth: int) -> Resolved | bool:
        target = decl.child_by_field_name("name")
        value = decl.child_by_field_name("value")
        if target is None:
            return False
        if target.type == "identifier":
            if text(target) != name:
                return False
            spec = _require_spec(value)
            if spec is not None:
                return self._module_value(file, _Import(spec, "*"), depth)
            inner = unwrap(value)
            if inner is not None and inner.type == "member_expression":
                spec = _require_spec(inner.child_by_field_name("object"))
                if spec is not None:  # require("./x").y
                    prop = text(inner.child_by_field_name("property"))
                    return self._module_value(file, _Import(spec, prop), depth)
            if inner is not None and inner.type in ("call_expression", "new_expression"):
                return Value(file, decl)  # the variable is the identity (a router, an app)
            return self.resolve(file, value, depth + 1) if value is not None else None
        if target.type == "object_pattern":
            for part in target.named_children:
                local, key = _pattern_names(part)
                if local != name:
                    continue
                spec = _require_spec(value)
                if spec is not None:
                    return self._module_value(file, _Import(spec, key), depth)
                return self.member(self.resolve(file, value, depth + 1), key, depth + 1)
        return False

    # -- literal values ------------------------------------------------------------------

    def strings(self, file: str, node: ts.Node | None, depth: int = 0) -> list[str] | None:
        """Every string an expression can be, when the code says so: a literal, a constant
        (`const API = "/api"`), `a + b` and templates of such parts, and the variable of a
        `for (const x of [...])` loop over literals or over a `new Map([[k, v], ...])`'s keys
        (hackathon-starter registers its library files that way). None when unknown."""
        node = unwrap(node)
        if node is None or depth > 8:
            return None
        literal = string_value(node)
        if literal is not None:
            return [literal]
        if node.type == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
            left = self.strings(file, node.child_by_field_name("left"), depth + 1)
            right = self.strings(file, node.child_by_field_name("right"), depth + 1)
            if left is None or right is None or len(left) * len(right) > 64:
                return None
            return [a + b for a in left for b in right]
        if node.type == "template_string":
            out = [""]
            for part in node.children:
                if part.type == "template_substitution":
                    inner = part.named_children[0] if part.named_children else None
                    values = self.strings(file, inner, depth + 1)
                elif part.type == "`":
                    continue
                else:
                    values = [text(part)]
                if values is None or len(out) * len(values) > 64:
                    return None
                out = [a + b for a in out for b in values]
            return out
        if node.type != "identifier":
            return None
        looped = self._loop_strings(file, node, depth)
        if looped is not None:
            return looped
        value = self.resolve(file, node, depth + 1)
        if not isinstance(value, Value):
            return None
        declarator = value.node if value.node.type == "variable_declarator" else value.node.parent
        if declarator is None or declarator.type != "variable_declarator":
            return None
        declaration = declarator.parent
        if declaration is None or not text(declaration).startswith("const"):
            return None  # a `let` may be reassigned
        return self.strings(value.file, declarator.child_by_field_name("value"), depth + 1)

    def loop_values(self, file: str, node: ts.Node) -> list[tuple[str, ts.Node]] | None:
        """The elements a name takes when it is a `for (const x of LIST)` variable or the first
        parameter of a `LIST.forEach((x) => ...)` callback, LIST a literal array (or a `const`
        bound to one, `as const` too); None otherwise."""
        node = unwrap(node) or node
        if node.type != "identifier":
            return None
        name = text(node)
        scope = node.parent
        while scope is not None and scope.type != "program":
            if (
                scope.type == "for_in_statement"
                and "of" in [c.type for c in scope.children]
                and text(scope.child_by_field_name("left")) == name
            ):
                return self._elements(file, scope.child_by_field_name("right"))
            if scope.type in FUNCTIONS:
                param = _parameter(file, scope, name)
                if param is None:
                    return None
                call = scope.parent.parent if scope.parent is not None else None
                if param.index != 0 or call is None or call.type != "call_expression":
                    return None
                callee = unwrap(call.child_by_field_name("function"))
                if callee is None or callee.type != "member_expression":
                    return None
                if text(callee.child_by_field_name("property")) not in ("forEach", "map"):
                    return None
                return self._elements(file, callee.child_by_field_name("object"))
            scope = scope.parent
        return None

    def _elements(self, file: str, node: ts.Node | None) -> list[tuple[str, ts.Node]] | None:
        node = unwrap(node)
        if node is not None and node.type == "identifier":
            value = self.resolve(file, node)
            if not isinstance(value, Value):
                return None
            file, node = value.file, unwrap(value.node)
            if node is not None and node.type == "variable_declarator":
                node = unwrap(node.child_by_field_name("value"))
        if node is None or node.type != "array":
            return None
        return [(file, item) for item in node.named_children if item.type != "comment"]

    def _loop_strings(self, file: str, ident: ts.Node, depth: int) -> list[str] | None:
        name = text(ident)
        loop = ident.parent
        while loop is not None and loop.type not in FUNCTIONS and loop.type != "program":
            if loop.type == "for_in_statement" and "of" in [c.type for c in loop.children]:
                left = loop.child_by_field_name("left")
                first = (
                    left.named_children[0]
                    if left is not None and left.type == "array_pattern" and left.named_children
                    else None
                )
                if left is not None and text(left) == name:
                    return self._items(file, loop.child_by_field_name("right"), False, depth)
                if first is not None and text(first) == name:  # `[key, value]` of a Map
                    return self._items(file, loop.child_by_field_name("right"), True, depth)
            loop = loop.parent
        return None

    def _items(self, file: str, node: ts.Node | None, keys: bool, depth: int) -> list[str] | None:
        node = unwrap(node)
        if node is not None and node.type == "identifier":
            value = self.resolve(file, node, depth + 1)
            if not isinstance(value, Value):
                return None
            file, node = value.file, unwrap(value.node)
            if node is not None and node.type == "variable_declarator":
                node = unwrap(node.child_by_field_name("value"))
        if node is not None and node.type == "new_expression" and keys:
            if text(node.child_by_field_name("constructor")) != "Map":
                return None
            args = node.child_by_field_name("arguments")
            node = (
                unwrap(args.named_children[0]) if args is not None and args.named_children else None
            )
        if node is None or node.type != "array":
            return None
        out: list[str] = []
        for item in node.named_children:
            if item.type == "comment":
                continue
            if keys:
                pair = unwrap(item)
                if pair is None or pair.type != "array" or not pair.named_children:
                    return None
                item = pair.named_children[0]
            literal = string_value(item)
            if literal is None:
                return None
            out.append(literal)
        return out

    # -- modules -------------------------------------------------------------------------

    def _module_value(self, file: str, imported: _Import, depth: int) -> Resolved:
        target = resolve_spec(file, imported.spec, self.files, self.manifests)
        if target is None:
            names = () if imported.name in ("*", "default") else (imported.name,)
            return External(_package(imported.spec), names)
        if imported.name == "*":
            found = self.export(target, "*", depth + 1)
            if found is not None:
                return found
            return Value(target, self.parsed[target].root)  # the namespace
        return self.export(target, imported.name, depth + 1)

    def export(self, file: str, name: str, depth: int = 0) -> Resolved:
        exports = self._exports_of(file)
        hit = exports.get(name)
        if hit is None and name in ("default", "*"):  # CommonJS <-> ES module interop
            hit = exports.get("*" if name == "default" else "default")
        if hit is not None:
            return self.resolve(hit[0], hit[1], depth + 1)
        whole = exports.get("*")
        if whole is not None:
            return self.member(self.resolve(whole[0], whole[1], depth + 1), name, depth + 1)
        return None

    def _exports_of(self, file: str) -> dict[str, tuple[str, ts.Node]]:
        cached = self._exports.get(file)
        if cached is not None:
            return cached
        found: dict[str, tuple[str, ts.Node]] = {}
        self._exports[file] = found
        root = self.parsed[file].root
        for stmt in root.named_children:
            if stmt.type == "expression_statement" and stmt.named_children:
                _commonjs_export(file, stmt.named_children[0], found)
            elif stmt.type == "export_statement":
                _es_export(file, stmt, found)
        return found


def _commonjs_export(file: str, expr: ts.Node, found: dict[str, tuple[str, ts.Node]]) -> None:
    if expr.type != "assignment_expression":
        return
    left = callee_path(expr.child_by_field_name("left"))
    right = expr.child_by_field_name("right")
    if right is None:
        return
    if left == ["module", "exports"]:
        found["*"] = (file, right)
    elif len(left) == 2 and left[0] == "exports":
        found[left[1]] = (file, right)
    elif len(left) == 3 and left[:2] == ["module", "exports"]:
        found[left[2]] = (file, right)


def _es_export(file: str, stmt: ts.Node, found: dict[str, tuple[str, ts.Node]]) -> None:
    declaration = stmt.child_by_field_name("declaration")
    value = stmt.child_by_field_name("value")
    if value is not None:  # export default EXPR
        found["default"] = (file, value)
        return
    if len(stmt.children) > 2 and stmt.children[1].type == "=":  # TypeScript `export = EXPR`
        found["*"] = (file, stmt.children[2])  # module.exports = EXPR, for require()
        return
    if declaration is not None:
        is_default = any(c.type == "default" for c in stmt.children)
        if declaration.type in ("lexical_declaration", "variable_declaration"):
            for decl in declaration.named_children:
                name = decl.child_by_field_name("name")
                if decl.type == "variable_declarator" and name is not None:
                    found[text(name)] = (file, name)
        else:
            name = declaration.child_by_field_name("name")
            if name is not None:
                found[text(name)] = (file, declaration)
            if is_default:
                found["default"] = (file, declaration)
        return
    for clause in stmt.named_children:
        if clause.type != "export_clause":
            continue
        for spec in clause.named_children:
            local = spec.child_by_field_name("name")
            alias = spec.child_by_field_name("alias") or local
            if local is not None and alias is not None:
                found[text(alias)] = (file, local)


def _import_binding(stmt: ts.Node, name: str) -> _Import | None:
    for clause in stmt.named_children:
        if clause.type == "import_require_clause":  # TypeScript `import x = require("./x")`
            local = clause.named_children[0] if clause.named_children else None
            required = string_value(clause.child_by_field_name("source"))
            if local is not None and text(local) == name and required is not None:
                return _Import(required, "*")
    source = string_value(stmt.child_by_field_name("source"))
    if source is None:
        return None
    for clause in stmt.named_children:
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier" and text(part) == name:
                return _Import(source, "default")
            if part.type == "namespace_import" and any(
                text(c) == name for c in part.named_children
            ):
                return _Import(source, "*")
            if part.type == "named_imports":
                for spec in part.named_children:
                    imported = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias") or imported
                    if alias is not None and text(alias) == name:
                        return _Import(source, text(imported))
    return None


def _pattern_names(part: ts.Node) -> tuple[str, str]:
    """(local name, property) of one `{ a, b: c, d = 1 }` destructuring entry."""
    if part.type == "shorthand_property_identifier_pattern":
        return text(part), text(part)
    if part.type == "pair_pattern":
        key = text(part.child_by_field_name("key"))
        value = part.child_by_field_name("value")
        if value is not None and value.type == "assignment_pattern":
            value = value.child_by_field_name("left")
        return text(value), key
    if part.type == "object_assignment_pattern":
        left = part.child_by_field_name("left")
        return text(left), text(left)
    return "", ""


def _parameter(file: str, function: ts.Node, name: str) -> Param | None:
    params = function.child_by_field_name("parameters")
    if params is None:
        single = function.child_by_field_name("parameter")  # `x => ...`
        if single is not None and text(single) == name:
            return Param(file, function, 0, name)
        return None
    for index, param in enumerate(params.named_children):
        target = param.child_by_field_name("pattern") or param
        if target.type == "assignment_pattern":
            target = target.child_by_field_name("left") or target
        if target.type == "identifier" and text(target) == name:
            return Param(file, function, index, name)
    return None


def _property(obj: ts.Node, prop: str) -> ts.Node | None:
    for pair in obj.named_children:
        if pair.type == "pair":
            key = pair.child_by_field_name("key")
            key_text = string_value(key) if key is not None and key.type == "string" else text(key)
            if key_text == prop:
                return pair.child_by_field_name("value")
        elif (pair.type == "shorthand_property_identifier" and text(pair) == prop) or (
            pair.type == "method_definition" and text(pair.child_by_field_name("name")) == prop
        ):
            return pair
    return None


def _package(spec: str) -> str:
    """`@scope/pkg/sub` -> `@scope/pkg`; `pkg/sub` -> `pkg`; `node:fs` -> `fs`."""
    spec = spec.removeprefix("node:")
    parts = spec.split("/")
    return "/".join(parts[:2]) if spec.startswith("@") else parts[0]
