"""BR801's Node side: secrets and whole request payloads passed to `console.*` or a logger.

The judgement of names is the Python rule's (`sensitive_name`); this module finds the logged
values in a tree-sitter tree. Logging calls: `console.log/info/warn/error/debug/trace` and the
level methods of a logger object (`logger.info`, `req.log.warn`, `fastify.log.error`,
`this.logger.debug`: pino, winston, bunyan, NestJS `Logger`), see
https://nodejs.org/api/console.html, https://getpino.io/#/docs/api?id=logger,
https://github.com/winstonjs/winston#logging.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import tree_sitter as ts

from reviewer.node.syntax import FUNCTIONS, arguments, callee_path, string_value, text, unwrap

_CONSOLE = frozenset({"log", "info", "warn", "error", "debug", "trace"})
_LEVELS = _CONSOLE | {"fatal", "verbose", "silly", "http", "notice", "critical"}
_LOGGERS = frozenset({"logger", "log", "_logger", "Logger", "winston", "pino", "bunyan"})
_REQUESTS = frozenset({"req", "request"})
# What the client sent as a whole (Express req.body/headers/cookies/query, Fastify
# request.body/headers, Koa ctx.request.body, ctx.headers)
_WHOLE = frozenset({"body", "headers", "cookies", "signedCookies"})
_SENSITIVE_HEADERS = frozenset(
    {"authorization", "cookie", "x-api-key", "x-auth-token", "proxy-authorization", "set-cookie"}
)
_SANITIZERS = re.compile(r"mask|redact|scrub|sanitize|obfuscate|hash|count|last4", re.I)


def logging_calls(root: ts.Node) -> Iterator[ts.Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        stack.extend(reversed(node.named_children))
        if node.type == "call_expression" and _is_logging(node):
            yield node


def _is_logging(call: ts.Node) -> bool:
    path = callee_path(call.child_by_field_name("function"))
    if len(path) < 2:
        return False
    if path[0] == "console" and len(path) == 2:
        return path[1] in _CONSOLE
    return path[-1] in _LEVELS and path[-2] in _LOGGERS


def sensitive_values(
    call: ts.Node, is_sensitive_name: Callable[[str], bool]
) -> Iterator[tuple[ts.Node, str]]:
    """(node, what it is) for the first sensitive value in each argument of a logging call."""
    for arg in arguments(call):
        found = _first(arg, is_sensitive_name)
        if found is not None:
            yield found


def _first(root: ts.Node, is_sensitive_name: Callable[[str], bool]) -> tuple[ts.Node, str] | None:
    stack = [root]
    while stack:
        node = unwrap(stack.pop())
        if node is None or node.type in FUNCTIONS:
            continue
        what = _judge(node, is_sensitive_name)
        if what == "":
            continue  # a masked value or metadata: nothing below it is logged as it is
        if what is not None:
            return node, what
        if node.type == "pair":
            value = node.child_by_field_name("value")
            stack.extend([value] if value is not None else [])
            continue
        if node.type in ("member_expression", "subscript_expression"):
            # a part of an object is logged, not the object: only a plain name is looked at
            # (`token.value` logs the token), never a request object (`req.body.email`)
            obj = unwrap(node.child_by_field_name("object"))
            if obj is not None and obj.type == "identifier" and obj.text not in (b"req", b"ctx"):
                stack.append(obj)
            continue
        if node.type == "call_expression":
            stack.extend(reversed(arguments(node)))
            continue
        stack.extend(reversed(node.named_children))
    return None


def _judge(node: ts.Node, is_sensitive_name: Callable[[str], bool]) -> str | None:
    """The words for a sensitive value, "" for a value to skip whole, None to look inside."""
    if node.type in ("identifier", "shorthand_property_identifier"):
        return f"`{text(node)}`" if is_sensitive_name(text(node)) else None
    if node.type == "call_expression":
        path = callee_path(node.child_by_field_name("function"))
        if path and _SANITIZERS.search(path[-1]):
            return ""
        if len(path) == 2 and path[0] in _REQUESTS and path[1] in ("get", "header"):
            header = string_value(arguments(node)[0]) if arguments(node) else None
            if header and header.lower() in _SENSITIVE_HEADERS:
                return f"the `{header}` header"
        return None
    if node.type == "subscript_expression":
        base = callee_path(node.child_by_field_name("object"))
        key = string_value(node.child_by_field_name("index"))
        if key and base[-1:] == ["headers"] and key.lower() in _SENSITIVE_HEADERS:
            return f"the `{key}` header"
        if key and is_sensitive_name(key):
            return f"`{text(node)[:60]}`"
        return None
    if node.type != "member_expression":
        return None
    path = callee_path(node)
    prop = text(node.child_by_field_name("property"))
    if prop in ("length", "size"):
        return ""
    if len(path) >= 2 and path[-2] == "headers" and prop.lower() in _SENSITIVE_HEADERS:
        return f"the `{prop}` header"
    if _is_request(path[:-1]) and prop in _WHOLE:
        return f"the whole request `{prop}` (`{text(node)[:60]}`)"
    if is_sensitive_name(prop):
        return f"`{text(node)[:60]}`"
    return None


def _is_request(path: list[str]) -> bool:
    """`req`, `request`, `ctx`, `ctx.request`, `c.req` (Hono)."""
    return path in (["req"], ["request"], ["ctx"], ["ctx", "request"], ["c", "req"])
