"""Where a JavaScript/TypeScript string literal gets a name, for the secrets rules' Node side.

The judging (secret-like names, placeholders, values that only name a secret) is the Python
rule's, in `_common.py` and `hardcoded_secret.judge_named`; this module only finds the
(name, literal) pairs in a tree-sitter tree, as libcst visitors find them in Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

from reviewer.checks.secrets._common import (
    EXAMPLE_WORDS,
    SIGNING_KEY,
    SecretName,
    is_password_name,
    name_words,
)
from reviewer.node.syntax import arguments, callee_path, string_value, text, unwrap, walk

_STATEMENTS = frozenset(
    {"program", "statement_block", "class_body", "expression_statement", "lexical_declaration"}
)
# jsonwebtoken: jwt.sign(payload, secretOrPrivateKey[, options]) and
# jwt.verify(token, secretOrPublicKey[, options]) (https://github.com/auth0/node-jsonwebtoken);
# node:crypto createHmac(algorithm, key) (https://nodejs.org/api/crypto.html#cryptocreatehmacalgorithm-key-options).
_JWT_RECEIVERS = frozenset({"jwt", "jsonwebtoken", "JWT", "jsonWebToken"})
_KEY_CALLS = {"sign": 1, "verify": 1}
# Middleware that signs cookies or verifies tokens with the `secret` option of its first
# argument: express-session (https://github.com/expressjs/session#secret), express-jwt
# (https://github.com/auth0/express-jwt#usage), koa-jwt, cookie-session `keys`, and
# cookie-parser's first argument (https://github.com/expressjs/cookie-parser#cookieparsersecret-options).
_SECRET_OPTION_CALLS = frozenset({"session", "expressjwt", "expressJwt", "koaJwt", "cookieSession"})
_SECRET_ARGUMENT_CALLS = frozenset({"cookieParser"})
_COMPARISONS = frozenset({"==", "===", "!=", "!=="})
# The Fetch standard's RequestInit `credentials` member takes one of three keywords (whether
# cookies go with the request), never a credential itself:
# https://fetch.spec.whatwg.org/#requestcredentials. `{credentials: "same-origin"}` in every
# fetch() call of a web front end made 72 BR201 findings on CTFd's admin theme.
_FETCH_CREDENTIALS_MODES = frozenset({"omit", "same-origin", "include"})


@dataclass(frozen=True)
class Named:
    """A literal bound to a name: `name` what it is bound to, `value` the literal's text."""

    name: str
    value: str
    node: ts.Node
    kind: SecretName | None = None  # None: judged by the name; SIGNING_KEY for signing calls


def named_literals(root: ts.Node) -> Iterator[Named]:
    """Every (name, string literal) binding: declarations, assignments, object keys, parameter
    defaults, password comparisons, and the key argument of jwt.sign/verify and createHmac."""
    for node in walk(root):
        found = _binding(node)
        if found is None:
            continue
        name, value_node, kind = found
        value_node = unwrap(value_node)
        value = string_value(value_node)
        if value is None or value_node is None or name is None or _in_example(node):
            continue
        if name == "credentials" and value in _FETCH_CREDENTIALS_MODES:
            continue  # `{credentials: "include"}`, `options.credentials = "same-origin"`
        yield Named(name, value, value_node, kind)


def string_literals(root: ts.Node) -> Iterator[tuple[str, ts.Node]]:
    """Every string literal (and template string without substitutions) with its value."""
    for node in walk(root):
        if node.type in ("string", "template_string"):
            value = string_value(node)
            if value is not None:
                yield value, node


def _binding(node: ts.Node) -> tuple[str | None, ts.Node | None, SecretName | None] | None:
    kind = node.type
    if kind == "variable_declarator":
        return _name_of(node.child_by_field_name("name")), node.child_by_field_name("value"), None
    if kind in ("assignment_expression", "assignment_pattern"):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        return _name_of(left), right, None
    if kind == "pair":
        return _name_of(node.child_by_field_name("key")), node.child_by_field_name("value"), None
    if kind in ("public_field_definition", "field_definition"):
        field = node.child_by_field_name("name") or node.child_by_field_name("property")
        return _name_of(field), node.child_by_field_name("value"), None
    if kind == "binary_expression":
        operator = node.child_by_field_name("operator")
        compared = _name_of(node.child_by_field_name("left"))
        if operator is None or text(operator) not in _COMPARISONS or compared is None:
            return None
        if not is_password_name(compared):
            return None
        return compared, node.child_by_field_name("right"), None
    if kind == "call_expression":
        path = callee_path(node.child_by_field_name("function"))
        args = arguments(node)
        if len(path) >= 2 and path[-2] in _JWT_RECEIVERS and path[-1] in _KEY_CALLS:
            index = _KEY_CALLS[path[-1]]
            if len(args) > index:
                return f"{path[-2]}.{path[-1]}() secret", args[index], SIGNING_KEY
        if path and path[-1] == "createHmac" and len(args) > 1:
            return "createHmac() key", args[1], SIGNING_KEY
        if path and path[-1] in _SECRET_ARGUMENT_CALLS and args:
            return f"{path[-1]}() secret", args[0], SIGNING_KEY
        if path and path[-1] in _SECRET_OPTION_CALLS and args and args[0].type == "object":
            for pair in args[0].named_children:
                if pair.type == "pair" and _name_of(pair.child_by_field_name("key")) == "secret":
                    return f"{path[-1]}() secret", pair.child_by_field_name("value"), SIGNING_KEY
    return None


def _name_of(node: ts.Node | None) -> str | None:
    node = unwrap(node)
    if node is None:
        return None
    if node.type in ("identifier", "property_identifier", "shorthand_property_identifier"):
        return text(node)
    if node.type in ("private_property_identifier",):
        return text(node).lstrip("#")
    if node.type == "string":
        return string_value(node)
    if node.type == "member_expression":
        return _name_of(node.child_by_field_name("property"))
    if node.type == "subscript_expression":
        return string_value(unwrap(node.child_by_field_name("index")))
    return None


def _in_example(node: ts.Node) -> bool:
    """Inside an API docs example: `{ example: { password: "..." } }`, `const SAMPLE_USER = {}`."""
    current: ts.Node | None = node
    while current is not None and current.type not in _STATEMENTS:
        label: str | None = None
        if current.type == "pair":
            label = _name_of(current.child_by_field_name("key"))
        elif current.type == "variable_declarator":
            label = _name_of(current.child_by_field_name("name"))
        if label and EXAMPLE_WORDS & set(name_words(label)):
            return True
        current = current.parent
    return False


def env_fallbacks(root: ts.Node) -> Iterator[tuple[str, ts.Node, str]]:
    """(variable, literal node, value) of `process.env.X || "v"`, `process.env["X"] ?? "v"`
    and `const { X = "v" } = process.env`."""
    for node in walk(root):
        if node.type == "binary_expression":
            operator = node.child_by_field_name("operator")
            if operator is None or text(operator) not in ("||", "??"):
                continue
            variable = _env_variable(node.child_by_field_name("left"))
            right = unwrap(node.child_by_field_name("right"))
            value = string_value(right)
            if variable is not None and right is not None and value is not None:
                yield variable, right, value
        elif node.type == "variable_declarator":
            value_node = unwrap(node.child_by_field_name("value"))
            pattern = node.child_by_field_name("name")
            if pattern is None or pattern.type != "object_pattern":
                continue
            if value_node is None or callee_path(value_node) != ["process", "env"]:
                continue
            for child in pattern.named_children:
                if child.type != "object_assignment_pattern":
                    continue
                left = child.child_by_field_name("left")
                right = unwrap(child.child_by_field_name("right"))
                value = string_value(right)
                if left is not None and right is not None and value is not None:
                    yield text(left), right, value


def _env_variable(node: ts.Node | None) -> str | None:
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "member_expression":
        path = callee_path(node)
        return path[2] if len(path) == 3 and path[:2] == ["process", "env"] else None
    if node.type == "subscript_expression" and callee_path(node.child_by_field_name("object")) == [
        "process",
        "env",
    ]:
        return string_value(unwrap(node.child_by_field_name("index")))
    return None
