"""`guard.unless({...})`: the requests an express-jwt or koa-jwt guard lets through unchecked.

express-jwt and koa-jwt both expose `.unless(options)` (express-unless, koa-unless): the guard
is skipped for a request whose path matches an entry of `path` (a string compared with the
path, a regular expression tested on it, or `{ url, methods }` for some methods only), or
whose method is listed in `method`
(https://github.com/jfromaniello/express-unless#readme, https://github.com/koajs/jwt#unless,
https://github.com/Foxandxss/koa-unless#readme). `ext` and `custom` are not read: a guard
with them counts as exempting nothing, as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter as ts

from reviewer.node.modules import Program, Value
from reviewer.node.syntax import arguments, string_value, text, unwrap

MAX_DEPTH = 8
MAX_PATTERN = 200
# a quantified group holding a quantifier (`(a+)+`): backtracking that can take exponential time
_NESTED = re.compile(r"\([^)]*[+*}][^)]*\)\s*[+*{]")


@dataclass(frozen=True)
class Entry:
    literal: str | None  # a path compared as it is
    pattern: re.Pattern[str] | None  # or a regular expression tested on it
    methods: tuple[str, ...] = ()  # only for these methods (none: all)

    def matches(self, path: str, methods: tuple[str, ...]) -> bool:
        if self.methods and not set(methods) <= set(self.methods):
            return False
        if self.literal is not None:
            return self.literal.rstrip("/") == path.rstrip("/")
        return self.pattern is not None and self.pattern.search(path[:512]) is not None


@dataclass(frozen=True)
class Unless:
    entries: tuple[Entry, ...] = ()
    methods: tuple[str, ...] = ()

    def exempts(self, path: str, methods: tuple[str, ...]) -> bool:
        if self.methods and set(methods) <= set(self.methods):
            return True
        return any(entry.matches(path, methods) for entry in self.entries)


NOTHING = Unless()


def unless_of(program: Program, file: str, node: ts.Node, depth: int = 0) -> Unless:
    """The exemptions of a middleware expression (`jwt(...).unless({...})`, or a name bound
    to one)."""
    node = unwrap(node) or node
    if depth > MAX_DEPTH:
        return NOTHING
    if node.type == "identifier":
        value = program.resolve(file, node)
        if isinstance(value, Value):
            target = unwrap(value.node)
            if target is not None and target.type == "variable_declarator":
                inner = target.child_by_field_name("value")
                if inner is not None:
                    return unless_of(program, value.file, inner, depth + 1)
        return NOTHING
    if node.type != "call_expression":
        return NOTHING
    callee = unwrap(node.child_by_field_name("function"))
    if callee is None or callee.type != "member_expression":
        return NOTHING
    if text(callee.child_by_field_name("property")) != "unless":
        return NOTHING
    args = arguments(node)
    options = unwrap(args[0]) if args else None
    if options is None or options.type != "object":
        return NOTHING
    return Unless(
        entries=tuple(_entries(_property(options, "path"))),
        methods=_upper(_property(options, "method")),
    )


def _entries(node: ts.Node | None) -> list[Entry]:
    node = unwrap(node)
    if node is None:
        return []
    items = node.named_children if node.type == "array" else [node]
    found: list[Entry] = []
    for item in items:
        item = unwrap(item) or item
        if item.type == "object":
            url = _property(item, "url")
            methods = _upper(_property(item, "methods") or _property(item, "method"))
            found += [Entry(e.literal, e.pattern, methods) for e in _entries(url)]
            continue
        literal = string_value(item)
        if literal is not None:
            found.append(Entry(literal, None))
        elif item.type == "regex":
            pattern = _regex(item)
            if pattern is not None:
                found.append(Entry(None, pattern))
    return found


def _regex(node: ts.Node) -> re.Pattern[str] | None:
    source = text(node.child_by_field_name("pattern"))
    flags = text(node.child_by_field_name("flags"))
    if len(source) > MAX_PATTERN or _NESTED.search(source):
        return None  # the target's regex is not run when it could take exponential time
    try:
        return re.compile(source, re.I if "i" in flags else 0)
    except (re.error, RecursionError, OverflowError):
        return None  # a JavaScript-only construct: exempts nothing


def _upper(node: ts.Node | None) -> tuple[str, ...]:
    node = unwrap(node)
    if node is None:
        return ()
    items = node.named_children if node.type == "array" else [node]
    return tuple(v.upper() for v in (string_value(i) for i in items) if v is not None)


def _property(obj: ts.Node | None, name: str) -> ts.Node | None:
    obj = unwrap(obj)
    if obj is None or obj.type != "object":
        return None
    for pair in obj.named_children:
        if pair.type == "pair" and text(pair.child_by_field_name("key")) == name:
            return pair.child_by_field_name("value")
    return None
