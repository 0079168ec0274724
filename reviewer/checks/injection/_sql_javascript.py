"""SQL text built from non-constant parts and run, in JavaScript/TypeScript (tree-sitter).

The query methods are the drivers' and ORMs' documented entry points for SQL text:
node-postgres and mysql/mysql2 `query`/`execute`, knex `raw`/`whereRaw` (and the other
`*Raw` builders), sequelize `query`/`literal`, TypeORM `query`, Prisma `$queryRawUnsafe`/
`$executeRawUnsafe`. Their first argument is the SQL; values passed separately (`query(sql,
[x])`, knex `?` bindings) and tagged templates (Prisma `$queryRaw\\`...\\``, `sql\\`...\\``)
are parameterized, so only the SQL argument's shape matters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from reviewer.node.syntax import FUNCTIONS, arguments, callee_path, string_value, text, unwrap, walk

QUERY_METHODS = frozenset(
    {
        "query",
        "execute",
        "raw",
        "whereRaw",
        "orWhereRaw",
        "havingRaw",
        "orHavingRaw",
        "joinRaw",
        "orderByRaw",
        "groupByRaw",
        "literal",
        "$queryRawUnsafe",
        "$executeRawUnsafe",
    }
)
# Methods whose argument is always SQL (a fragment may hold no keyword: `whereRaw("id = " + x)`).
_RAW_ONLY = QUERY_METHODS - {"query", "execute"}
_SQL_WORDS = re.compile(
    r"\b(select|insert\s+into|update|delete\s+from|where|from|values|order\s+by|group\s+by|"
    r"join|limit|set)\b",
    re.IGNORECASE,
)
# Request data in Express (`req.query/params/body`), Fastify (`request.query/params/body`),
# Koa (`ctx.query`, `ctx.params`, `ctx.request.body`) and Hono (`c.req.query()`, `c.req.param()`).
_REQUEST = re.compile(
    r"^(req|request)\.(query|params|body|headers|cookies)\b|^ctx\.(query|params|request)\b|"
    r"^ctx\.request\.(query|body)\b|^c\.req\.(query|param|queries|json|header)\b"
)
# Values that cannot carry SQL syntax: numbers, and the drivers' escaping functions
# (mysql `escape`/`escapeId`, pg `escapeLiteral`/`escapeIdentifier`, pg-format `format`).
_NUMERIC = frozenset({"Number", "parseInt", "parseFloat", "Math"})
_ESCAPES = frozenset({"escape", "escapeId", "escapeLiteral", "escapeIdentifier", "format"})


@dataclass(frozen=True)
class BuiltSql:
    call: ts.Node  # the query call
    method: str
    sql: ts.Node  # the SQL argument (or the expression a local SQL variable was built from)
    request: str  # the request expression it reads, "" when none is seen in the function


def built_sql_calls(root: ts.Node) -> Iterator[BuiltSql]:
    """Every query call whose SQL argument is a template with substitutions or a `+` chain with
    a non-constant part (directly, or through a local `const sql = ...` of the same function)."""
    for node in walk(root):
        if node.type != "call_expression":
            continue
        function = node.child_by_field_name("function")
        if function is None or function.type != "member_expression":
            continue
        method = text(function.child_by_field_name("property"))
        if method not in QUERY_METHODS:
            continue
        raw_args = node.child_by_field_name("arguments")
        if raw_args is None or raw_args.type != "arguments":
            continue  # a tagged template: `prisma.$queryRaw\`...\`` binds its substitutions
        args = arguments(node)
        if not args:
            continue
        scope = _enclosing_function(node)
        sql = unwrap(args[0])
        if sql is None:
            continue
        parts = [sql]
        if sql.type == "identifier":
            parts = _local_values(scope, text(sql), node)
            if len(parts) > 1 and not _dynamic(parts[0]):  # `let sql = "..."; sql += x`
                parts = [parts[0], *(p for p in parts[1:] if not _constant(p) or _dynamic(p))]
                if len(parts) == 1:
                    continue
            elif not parts or not _dynamic(parts[0]):
                continue
        elif not _dynamic(sql):
            continue
        words = " ".join(_literal_text(p) for p in parts)
        if method not in _RAW_ONLY and not _SQL_WORDS.search(words):
            continue  # `.query(...)`/`.execute(...)` of something that is not SQL text
        request = next((r for p in parts if (r := _request_read(p, scope))), "")
        yield BuiltSql(node, method, parts[-1] if len(parts) > 1 else parts[0], request)


def _dynamic(node: ts.Node) -> bool:
    """A template with a non-constant substitution or a `+` with a non-constant operand."""
    node = unwrap(node) or node
    if node.type == "template_string":
        subs = [c for c in node.named_children if c.type == "template_substitution"]
        return any(not _constant(s.named_children[0]) for s in subs if s.named_children)
    if node.type == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
        parts = _plus_parts(node)
        return any(string_value(p) is not None or p.type == "template_string" for p in parts) and (
            any(not _constant(p) for p in parts)
        )
    return False


def _plus_parts(node: ts.Node) -> list[ts.Node]:
    node = unwrap(node) or node
    if node.type == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        return [*(_plus_parts(left) if left else []), *(_plus_parts(right) if right else [])]
    return [node]


def _constant(node: ts.Node | None) -> bool:
    """A part that cannot carry SQL from outside: literals, numbers, UPPER_CASE constants,
    numeric conversions and the drivers' escaping functions."""
    node = unwrap(node)
    if node is None:
        return True
    if node.type in ("number", "true", "false", "null", "undefined"):
        return True
    if string_value(node) is not None:
        return True
    if node.type == "template_string":
        return not _dynamic(node)
    if node.type == "identifier" and re.fullmatch(r"[A-Z][A-Z0-9_]*", text(node)):
        return True
    if node.type == "call_expression":
        path = callee_path(node.child_by_field_name("function"))
        if path and (path[0] in _NUMERIC or path[-1] in _ESCAPES):
            return True
    if node.type == "binary_expression":
        return (
            all(_constant(p) for p in _plus_parts(node))
            if text(node.child_by_field_name("operator")) == "+"
            else text(node.child_by_field_name("operator")) in ("-", "*", "/", "%")
        )
    return False


def _literal_text(node: ts.Node) -> str:
    node = unwrap(node) or node
    if node.type == "template_string":
        return "".join(text(c) for c in node.named_children if c.type == "string_fragment")
    return " ".join(string_value(p) or "" for p in _plus_parts(node))


def _enclosing_function(node: ts.Node) -> ts.Node | None:
    current = node.parent
    while current is not None and current.type not in FUNCTIONS:
        current = current.parent
    return current


def _local_values(scope: ts.Node | None, name: str, before: ts.Node) -> list[ts.Node]:
    """What the SQL variable `name` is built from before `before` in the function (the module
    when none): its last `const/let name = value` and the `name += part` after it."""
    parts: list[ts.Node] = []
    for node in walk(scope if scope is not None else _root(before)):
        if node.start_byte >= before.start_byte:
            break
        if node.type == "variable_declarator" and text(node.child_by_field_name("name")) == name:
            value = node.child_by_field_name("value")
            parts = [value] if value is not None else []
        elif node.type == "augmented_assignment_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None and right is not None and text(left) == name:
                parts.append(right)
    return parts


def _root(node: ts.Node) -> ts.Node:
    while node.parent is not None:
        node = node.parent
    return node


def _request_read(sql: ts.Node, scope: ts.Node | None) -> str:
    """The request expression (`req.query.id`) the SQL reads, directly or through a local
    variable or destructuring assigned from request data in the same function."""
    tainted = _request_names(scope) if scope is not None else {}
    for node in walk(sql):
        if node.type == "member_expression" or node.type == "call_expression":
            expression = text(node)
            if _REQUEST.search(expression):
                return expression
        if node.type == "identifier" and text(node) in tainted:
            return tainted[text(node)]
    return ""


def _request_names(scope: ts.Node) -> dict[str, str]:
    """Local names bound to request data: `const id = req.params.id`, `const { q } = req.query`."""
    names: dict[str, str] = {}
    for node in walk(scope):
        if node.type != "variable_declarator":
            continue
        value = unwrap(node.child_by_field_name("value"))
        target = node.child_by_field_name("name")
        if value is None or target is None or not _REQUEST.search(text(value)):
            continue
        if target.type == "identifier":
            names[text(target)] = text(value)
        elif target.type == "object_pattern":
            for child in walk(target):
                if child.type in ("shorthand_property_identifier_pattern", "identifier"):
                    names[text(child)] = f"{text(value)}.{text(child)}"
    return names
