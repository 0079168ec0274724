"""A NestJS setting read from configuration, as the string it is when nothing overrides it.

`app.setGlobalPrefix(configService.get("app.apiPrefix"))` is the common shape: @nestjs/config's
`ConfigService.get(key, default?)` / `getOrThrow(key)` read a namespace registered with
`registerAs("app", () => ({ apiPrefix: process.env.API_PREFIX || "api" }))`, the dotted key
walking into the factory's object; a key with no namespace reads the environment variable of
that name, and `get`'s second argument is its default
(https://docs.nestjs.com/techniques/configuration#configuration-namespaces,
https://docs.nestjs.com/techniques/configuration#using-the-configservice).

The value given is the one the code falls back to: the literal after `process.env.X ||` / `??`,
or `get`'s default. A deployment may set the variable; the code's default is still what runs
when it does not, and the only value a reader of the source can know. Anything else (a variable
with no fallback, a computed value) is None: the caller keeps what it had.
"""

from __future__ import annotations

import tree_sitter as ts

from reviewer.node.modules import External, Program
from reviewer.node.syntax import FUNCTIONS, arguments, callee_path, string_value, text, unwrap, walk

_GETTERS = ("get", "getOrThrow")
_MAX_DEPTH = 6


def config_string(program: Program, file: str, node: ts.Node | None) -> str | None:
    """The string `node` (an argument in `file`) is by default, through configuration."""
    return _value(program, file, node, 0)


def _value(program: Program, file: str, node: ts.Node | None, depth: int) -> str | None:
    node = unwrap(node)
    if node is None or depth > _MAX_DEPTH:
        return None
    found = program.strings(file, node)
    if found is not None and len(found) == 1:
        return found[0]
    if node.type == "binary_expression" and text(node.child_by_field_name("operator")) in (
        "||",
        "??",
    ):
        left = unwrap(node.child_by_field_name("left"))
        if _is_env(left):  # process.env.X || "default"
            return _value(program, file, node.child_by_field_name("right"), depth + 1)
        return None
    if node.type == "call_expression":
        callee = unwrap(node.child_by_field_name("function"))
        if callee is not None and callee.type == "member_expression":
            method = text(callee.child_by_field_name("property"))
            args = arguments(node)
            key = string_value(args[0]) if args else None
            if method in _GETTERS and key:
                default = (
                    _value(program, file, args[1], depth + 1)
                    if method == "get" and len(args) > 1
                    else None
                )
                return _namespaced(program, key, depth) or default
    return None


def _is_env(node: ts.Node | None) -> bool:
    path = callee_path(node)
    return len(path) == 3 and path[:2] == ["process", "env"]


def _namespaced(program: Program, key: str, depth: int) -> str | None:
    """The default of `namespace.path.to.key` in the `registerAs(namespace, factory)` object."""
    namespace, _, rest = key.partition(".")
    if not rest:
        return None
    for file, parsed in sorted(program.parsed.items()):
        if b"registerAs" not in (parsed.root.text or b""):
            continue
        for call in walk(parsed.root):
            if call.type != "call_expression":
                continue
            args = arguments(call)
            if len(args) < 2 or string_value(args[0]) != namespace:
                continue
            made = program.resolve(file, call.child_by_field_name("function"))
            if not (
                isinstance(made, External)
                and made.module == "@nestjs/config"
                and made.names[-1:] == ("registerAs",)
            ):
                continue
            obj = _returned_object(args[1])
            for part in rest.split("."):
                obj = _member(obj, part)
            if obj is not None:
                return _value(program, file, obj, depth + 1)
    return None


def _returned_object(factory: ts.Node | None) -> ts.Node | None:
    """The object literal an arrow/function factory returns (`() => ({...})` or `return {...}`)."""
    factory = unwrap(factory)
    if factory is None or factory.type not in FUNCTIONS:
        return None
    body = unwrap(factory.child_by_field_name("body"))
    if body is not None and body.type == "object":
        return body
    if body is None or body.type != "statement_block":
        return None
    for statement in body.named_children:
        if statement.type == "return_statement" and statement.named_children:
            returned = unwrap(statement.named_children[0])
            return returned if returned is not None and returned.type == "object" else None
    return None


def _member(obj: ts.Node | None, name: str) -> ts.Node | None:
    obj = unwrap(obj)
    if obj is None:
        return None
    if obj.type != "object":
        return None
    for pair in obj.named_children:
        if pair.type == "pair":
            key = pair.child_by_field_name("key")
            if key is not None and (string_value(key) or text(key)) == name:
                return pair.child_by_field_name("value")
    return None
