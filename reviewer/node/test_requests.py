"""The HTTP requests a JavaScript/TypeScript test suite sends to the app, as syntax.

A route is tested when a test file sends its method and path through the usual in-process
clients: supertest (`request(app).get("/x")`, `request(app.getHttpServer()).post(...)` in
NestJS e2e tests, `request.agent(app)`, `supertest(app)`), Fastify's light-my-request
(`app.inject({ method: "GET", url: "/x" })`, `app.inject().get("/x")`) and Hono's
`app.request("/x", { method: "POST" })`. Paths written as template strings keep `{}` where
the test interpolates a value, the form reviewer.framework.test_match matches against route
templates. The result is the same per-file facts the Python collector produces
(`{"requests": [{"method", "path"}]}`), so one matcher serves both languages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import tree_sitter as ts

from reviewer.node.syntax import Parsed, arguments, callee_path, string_value, text, unwrap, walk

_VERBS = frozenset({"get", "post", "put", "patch", "delete", "del", "head", "options"})
# what a supertest chain starts from: `request(app)`, `supertest(app)`, `request.agent(app)`
_CLIENTS = frozenset({"request", "supertest", "agent", "st"})


def test_requests(parsed: Mapping[str, Parsed], is_test: Any) -> dict[str, dict[str, Any]]:
    """Per test file (`is_test(relpath)`), the requests it sends."""
    facts: dict[str, dict[str, Any]] = {}
    for relpath, tree in sorted(parsed.items()):
        if not is_test(relpath):
            continue
        requests = [{"method": m, "path": p} for m, p in _requests(tree.root)]
        if requests:
            facts[relpath] = {"requests": requests}
    return facts


def _requests(root: ts.Node) -> Iterator[tuple[str, str]]:
    for node in walk(root):
        if node.type != "call_expression":
            continue
        func = unwrap(node.child_by_field_name("function"))
        if func is None or func.type != "member_expression":
            continue
        prop = text(func.child_by_field_name("property"))
        receiver = unwrap(func.child_by_field_name("object"))
        args = arguments(node)
        if prop in _VERBS and args and _is_client(receiver):
            path = _path(args[0])
            if path is not None:
                yield ("DELETE" if prop == "del" else prop.upper()), path
        elif prop == "inject" and args and args[0].type == "object":
            found = _inject_options(args[0])
            if found is not None:
                yield found
        elif prop == "request" and args and callee_path(receiver):
            path = _path(args[0])
            if path is not None and path.startswith("/"):
                yield _method_option(args[1] if len(args) > 1 else None), path


def _is_client(node: ts.Node | None) -> bool:
    """`request(app)`, `supertest(server)`, `request.agent(app)`, `app.inject()`, or a name
    bound to one (`const api = request(app)` is left out: too loose without data flow)."""
    if node is None or node.type != "call_expression":
        return False
    path = callee_path(node.child_by_field_name("function"))
    if not path:
        return False
    if path[-1] == "inject" and not arguments(node):
        return True  # fastify.inject().get("/x")
    return path[-1] in _CLIENTS or path[0] in ("request", "supertest")


def _path(node: ts.Node) -> str | None:
    """A literal path, or a template string with `{}` for each `${...}`."""
    value = string_value(node)
    if value is not None:
        return value
    if node.type != "template_string":
        return None
    parts: list[str] = []
    for child in node.children:
        if child.type == "template_substitution":
            parts.append("{}")
        elif child.type == "string_fragment":
            parts.append(text(child))
    return "".join(parts)


def _inject_options(node: ts.Node) -> tuple[str, str] | None:
    """`{ method: "POST", url: "/x" }` (light-my-request's options; `path` is an alias)."""
    url = None
    method = "GET"
    for pair in node.named_children:
        if pair.type != "pair":
            continue
        key = text(pair.child_by_field_name("key")).strip("'\"")
        value = pair.child_by_field_name("value")
        if key in ("url", "path") and value is not None:
            url = _path(value)
        elif key == "method" and value is not None:
            method = (string_value(value) or "GET").upper()
    return (method, url) if url is not None else None


def _method_option(node: ts.Node | None) -> str:
    """The `method` of Hono's `app.request(path, { method })`, GET when absent."""
    if node is not None and node.type == "object":
        for pair in node.named_children:
            if pair.type == "pair" and text(pair.child_by_field_name("key")) == "method":
                return (string_value(pair.child_by_field_name("value")) or "GET").upper()
    return "GET"
