"""tree-sitter parsing of JavaScript/TypeScript files and small helpers over its nodes.

One grammar per suffix: TypeScript for .ts/.mts/.cts, TSX for .tsx, JavaScript (which includes
JSX) for .js/.mjs/.cjs/.jsx. tree-sitter recovers from syntax errors with ERROR/MISSING nodes;
the first one is reported as the file's parse error (BR901), as libcst's error is for Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import tree_sitter as ts
import tree_sitter_javascript as ts_javascript
import tree_sitter_typescript as ts_typescript

from reviewer.model import Location

SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
FUNCTIONS: tuple[str, ...] = (
    "function_declaration",
    "function_expression",
    "arrow_function",
    "function",
)
FUNCTIONS += ("generator_function_declaration", "method_definition")


@cache
def _parser(grammar: str) -> ts.Parser:
    if grammar == "typescript":
        language = ts.Language(ts_typescript.language_typescript())
    elif grammar == "tsx":
        language = ts.Language(ts_typescript.language_tsx())
    else:
        language = ts.Language(ts_javascript.language())
    return ts.Parser(language)


def grammar_of(relpath: str) -> str:
    if relpath.endswith(".tsx"):
        return "tsx"
    if relpath.endswith((".ts", ".mts", ".cts")):
        return "typescript"
    return "javascript"


@dataclass(frozen=True)
class Parsed:
    relpath: str
    root: ts.Node
    error_line: int  # 1-based line of the first syntax error, 0 when none
    error: str


def parse(relpath: str, data: bytes) -> Parsed:
    tree = _parser(grammar_of(relpath)).parse(data)
    root = tree.root_node
    line, what = 0, ""
    if root.has_error:
        bad = _first_error(root)
        if bad is not None:
            line = bad.start_point[0] + 1
            what = f"missing {bad.type}" if bad.is_missing else "unexpected input"
    return Parsed(relpath, root, line, what)


def _first_error(node: ts.Node) -> ts.Node | None:
    if node.is_error or node.is_missing:
        return node
    for child in node.children:
        if child.has_error or child.is_missing:
            found = _first_error(child)
            if found is not None:
                return found
    return None


def text(node: ts.Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def location(relpath: str, node: ts.Node) -> Location:
    """The 1-based range of `node` in `relpath` (tree-sitter points are 0-based)."""
    return Location(
        relpath,
        node.start_point[0] + 1,
        node.start_point[1] + 1,
        node.end_point[0] + 1,
        node.end_point[1] + 1,
    )


def line(node: ts.Node) -> int:
    return node.start_point[0] + 1


def string_value(node: ts.Node | None) -> str | None:
    """The value of a string literal or a template string without substitutions."""
    if node is None:
        return None
    if node.type == "string":
        return "".join(text(c) for c in node.named_children if c.type != "comment")
    if node.type == "template_string":
        if any(c.type == "template_substitution" for c in node.named_children):
            return None
        return text(node)[1:-1]
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return string_value(node.named_children[0])
    return None


def number_value(node: ts.Node | None) -> int | None:
    if node is not None and node.type == "number" and text(node).isdigit():
        return int(text(node))
    return None


def arguments(call: ts.Node) -> list[ts.Node]:
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [a for a in args.named_children if a.type != "comment"]


def walk(node: ts.Node) -> Iterator[ts.Node]:
    """Every node below `node` (itself included), in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.named_children))


def unwrap(node: ts.Node | None) -> ts.Node | None:
    """Strip parentheses, `await`, TypeScript `as`/`!`/`satisfies` around an expression."""
    while node is not None and node.type in (
        "parenthesized_expression",
        "await_expression",
        "as_expression",
        "non_null_expression",
        "satisfies_expression",
        "type_assertion",
    ):
        children = node.named_children
        node = children[0] if children else None
    return node


def callee_path(node: ts.Node | None) -> list[str]:
    """`a.b.c` -> ["a", "b", "c"]; [] for anything that is not a plain name chain."""
    node = unwrap(node)
    if node is None:
        return []
    if node.type in ("identifier", "this", "property_identifier"):
        return [text(node)]
    if node.type == "member_expression":
        obj = callee_path(node.child_by_field_name("object"))
        prop = node.child_by_field_name("property")
        return [*obj, text(prop)] if obj and prop is not None else []
    return []
