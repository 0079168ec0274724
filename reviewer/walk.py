"""Fast read-only traversal of libcst trees.

libcst's own `visit` rebuilds every node on the way back up (it is built for transformers):
on Django that costs about three times the parse. Rules only read, so this module walks the
dataclass fields that hold syntax (not whitespace or punctuation) in source order, with no
copies. `traverse` drives enter/leave callbacks (the engine's single pass); `walk` yields a
subtree's nodes for rules that scan a function body or a loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from functools import cache

import libcst as cst

_SKIPPED_PREFIXES = ("whitespace", "lpar", "rpar", "lbracket", "rbracket", "lbrace", "rbrace")
_SKIPPED = {
    "leading_lines",
    "lines_after_decorators",
    "trailing_whitespace",
    "header",
    "footer",
    "indent",
    "semicolon",
    "comma",
    "equal",
    "colon",
    "dot",
    "asynchronous",
    "relative",
    "encoding",
    "default_indent",
    "default_newline",
    "has_trailing_newline",
    "start",
    "end",
    "star",
    "posonly_ind",
}
# Where libcst's field order is not source order.
_SOURCE_ORDER = {
    cst.FunctionDef: ("decorators", "name", "type_parameters", "params", "returns", "body"),
    cst.ClassDef: ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    cst.ExceptHandler: ("type", "name", "body"),
    cst.ExceptStarHandler: ("type", "name", "body"),
    cst.Parameters: ("posonly_params", "params", "star_arg", "kwonly_params", "star_kwarg"),
}


@cache
def syntax_fields(cls: type[cst.CSTNode]) -> tuple[str, ...]:
    """The fields of a node class that can hold child syntax, in source order."""
    if cls in _SOURCE_ORDER:
        return _SOURCE_ORDER[cls]
    return tuple(
        f.name
        for f in dataclasses.fields(cls)
        if f.name not in _SKIPPED and not f.name.startswith(_SKIPPED_PREFIXES)
    )


_IS_NODE: dict[type, bool] = {}


def _is_node(value: object) -> bool:
    """isinstance(value, CSTNode) without the ABC machinery (a hot path: every field)."""
    kind = type(value)
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return known


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The syntax children of `node`, in source order."""
    for name in syntax_fields(type(node)):
        value = getattr(node, name)
        if type(value) is tuple or type(value) is list:
            for item in value:
                if _is_node(item):
                    yield item
        elif _is_node(value):
            yield value


def traverse(
    node: cst.CSTNode,
    enter: Callable[[cst.CSTNode], None],
    leave: Callable[[cst.CSTNode], None],
) -> None:
    """Depth-first: enter(node), then its children, then leave(node)."""
    enter(node)
    for child in children(node):
        traverse(child, enter, leave)
    leave(node)


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """`node` and every syntax node below it, pre-order, source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))


def walk_scope(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The nodes below `node` in source order, not entering nested defs, classes or lambdas
    (their bodies run at another time: a loop in a nested def is not a loop of this one)."""
    stack = list(reversed(list(children(node))))
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, cst.FunctionDef | cst.ClassDef | cst.Lambda):
            continue
        stack.extend(reversed(list(children(current))))
