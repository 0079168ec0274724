"""BR601's Node side: synchronous calls of Node's I/O, process and crypto APIs in request handlers.

Node runs every request of a process on one thread; the `*Sync` forms of `fs`, `child_process`,
`zlib` and `crypto` (and bcrypt's `hashSync`/`compareSync`) hold that thread until they finish
(https://nodejs.org/en/learn/asynchronous-work/dont-block-the-event-loop). This module finds
such calls, resolved through the file's imports, inside a function that handles a request: one
of its enclosing functions takes the request (`req`/`request`: Express, Fastify; `ctx`: Koa).
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from reviewer.node.modules import External, Program
from reviewer.node.syntax import FUNCTIONS, Parsed, text, unwrap, walk

# Modules whose `*Sync` functions block (https://nodejs.org/api/fs.html#synchronous-api,
# https://nodejs.org/api/child_process.html#synchronous-process-creation,
# https://nodejs.org/api/zlib.html#convenience-methods, https://nodejs.org/api/crypto.html)
_SYNC_MODULES = frozenset({"fs", "fs-extra", "graceful-fs", "child_process", "zlib", "crypto"})
# bcrypt/bcryptjs hash with a deliberate work factor: their sync forms are the slow part
_BCRYPT = frozenset({"bcrypt", "bcryptjs"})
_REQUEST_PARAMETERS = frozenset({"req", "request", "ctx"})


def blocking_calls(file: Parsed) -> Iterator[tuple[ts.Node, str, str]]:
    """(call, `module.function`, the request parameter's name) for each blocking call in a
    request handler of `file`."""
    program = Program({file.relpath: file})
    for node in walk(file.root):
        if node.type != "call_expression":
            continue
        callee = unwrap(node.child_by_field_name("function"))
        made = program.resolve(file.relpath, callee)
        if not isinstance(made, External) or not made.names:
            continue
        name = made.names[-1]
        if not name.endswith("Sync") or (made.module not in _SYNC_MODULES | _BCRYPT):
            continue
        request = _request_parameter(node)
        if request:
            yield node, f"{made.module}.{'.'.join(made.names)}", request


def _request_parameter(node: ts.Node) -> str | None:
    """The request parameter of the nearest enclosing function that takes one."""
    current = node.parent
    while current is not None:
        if current.type in FUNCTIONS:
            for name in _parameter_names(current):
                if name in _REQUEST_PARAMETERS:
                    return name
        current = current.parent
    return None


def _parameter_names(function: ts.Node) -> list[str]:
    params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
    if params is None:
        return []
    if params.type == "identifier":  # req => ...
        return [text(params)]
    names = []
    for param in params.named_children:
        if param.type in ("required_parameter", "optional_parameter"):
            param = param.child_by_field_name("pattern") or param
        if param.type == "identifier":
            names.append(text(param))
    return names
