"""BR702's Node side: a caught error's message or stack sent to the client.

Where an error is in hand (the parameter of a `catch` clause, the first parameter of Express's
four-argument error middleware `(err, req, res, next)`), a response that carries the error
itself, its `stack`, or its `message` with a 5xx (or no) status shows the client what the server
hit: SQL, file paths, hosts, library versions. Responses: Express `res.json/send/end/jsonp`
(after `res.status(...)` or not), Fastify `reply.send`, Koa `ctx.body = ...`. Fastify's
`reply.send(err)` of the error itself is its documented way to hand an error to the error
handler (as `throw` does; https://fastify.dev/docs/latest/Reference/Reply/#errors), not a
leak; its `err.stack` or `err.message` in a body is. Not reported: a
4xx status (the handler chose to answer the client's own mistake), a branch that narrowed the
error's type first (`if (err instanceof ValidationError)`, `err.name === "..."`, `err.code`),
and a branch taken only outside production (`process.env.NODE_ENV !== "production"`).
Express's own default handler sends the stack only outside production
(https://expressjs.com/en/guide/error-handling.html#the-default-error-handler).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts

from reviewer.node.syntax import FUNCTIONS, arguments, number_value, text, unwrap, walk

_SEND = frozenset({"json", "send", "end", "jsonp"})
_RESPONSES = frozenset({"res", "response", "reply"})
_NARROWED = re.compile(r"\binstanceof\b|\.name\s*[!=]==?|\.code\b|\.status(Code)?\b|\.type\b")
_DEV_ONLY = re.compile(r"NODE_ENV|isDev|isProduction|development|debug", re.I)


def exposed_errors(root: ts.Node) -> Iterator[tuple[ts.Node, str]]:
    """(node to report, what is exposed) for each response that carries a caught error."""
    for scope, name in _error_scopes(root):
        for node in walk(scope):
            if node.type == "call_expression":
                found = _sent_error(node, name)
            elif node.type == "assignment_expression":
                found = _koa_body(node, name)
            else:
                continue
            if found is not None and not _excused(node, scope):
                yield node, found


def _error_scopes(root: ts.Node) -> Iterator[tuple[ts.Node, str]]:
    """(body, error name) of catch clauses and four-parameter error middleware."""
    for node in walk(root):
        if node.type == "catch_clause":
            param = node.child_by_field_name("parameter")
            body = node.child_by_field_name("body")
            if param is not None and param.type == "identifier" and body is not None:
                yield body, text(param)
        elif node.type in FUNCTIONS:
            params = node.child_by_field_name("parameters")
            names = [
                text(p.child_by_field_name("pattern") or p)
                for p in (params.named_children if params is not None else [])
            ]
            body = node.child_by_field_name("body")
            if len(names) == 4 and names[2] in _RESPONSES and body is not None:
                yield body, names[0].split(":")[0].strip()


def _sent_error(call: ts.Node, name: str) -> str | None:
    func = unwrap(call.child_by_field_name("function"))
    if func is None or func.type != "member_expression":
        return None
    if text(func.child_by_field_name("property")) not in _SEND:
        return None
    receiver = unwrap(func.child_by_field_name("object"))
    status = _status_of(receiver)
    root = _chain_root(receiver)
    if root not in _RESPONSES:
        return None
    for arg in arguments(call):
        if root == "reply" and unwrap(arg) is not None and text(unwrap(arg)) == name:
            continue  # Fastify: `reply.send(err)` hands the error to its error handler, as a throw does
        what = _carried(arg, name, status)
        if what is not None:
            return what
    return None


def _koa_body(node: ts.Node, name: str) -> str | None:
    left = node.child_by_field_name("left")
    right = node.child_by_field_name("right")
    if left is None or right is None or text(left) not in ("ctx.body", "this.body"):
        return None
    return _carried(right, name, None)


def _carried(value: ts.Node, name: str, status: int | None) -> str | None:
    """What of the error `name` the value carries: the error object, its stack, or its
    message when the status is not a 4xx."""
    for node in walk(value):
        if node.type == "shorthand_property_identifier" and text(node) == name:
            if status is None or status >= 500:  # `{ ok: false, err }`
                return f"the error object `{name}`"
            continue
        if node.type == "identifier" and text(node) == name:
            parent = node.parent
            if parent is not None and parent.type == "member_expression":
                prop = text(parent.child_by_field_name("property"))
                if prop == "stack":
                    return f"`{name}.stack`"
                if prop == "message" and (status is None or status >= 500):
                    return f"`{name}.message`"
                continue
            carried = node is value or (
                parent is not None
                and parent.type in ("arguments", "pair", "array", "shorthand_property")
            )
            if carried and (status is None or status >= 500):
                return f"the error object `{name}`"
    return None


def _status_of(receiver: ts.Node | None) -> int | None:
    """`res.status(500)` / `reply.code(500)` in the chain: its number."""
    node = receiver
    while node is not None and node.type == "call_expression":
        func = unwrap(node.child_by_field_name("function"))
        if func is None or func.type != "member_expression":
            return None
        if text(func.child_by_field_name("property")) in ("status", "code"):
            args = arguments(node)
            return number_value(args[0]) if args else None
        node = unwrap(func.child_by_field_name("object"))
    return None


def _chain_root(node: ts.Node | None) -> str:
    while node is not None and node.type in ("call_expression", "member_expression"):
        if node.type == "call_expression":
            node = unwrap(node.child_by_field_name("function"))
        else:
            obj = unwrap(node.child_by_field_name("object"))
            if obj is not None and obj.type == "identifier":
                return text(obj)
            node = obj
    return text(node) if node is not None and node.type == "identifier" else ""


def _excused(node: ts.Node, scope: ts.Node) -> bool:
    """Inside a branch that narrowed the error's type, or taken only outside production."""
    current = node.parent
    while current is not None and current is not scope:
        if current.type in ("if_statement", "ternary_expression"):
            test = current.child_by_field_name("condition")
            if test is not None and (_NARROWED.search(text(test)) or _DEV_ONLY.search(text(test))):
                return True
        current = current.parent
    return False
