"""Shapes of libcst nodes the taint interpreter's parts read: call arguments, literals, keys.

Pure functions of one node, kept apart so the interpreter, the sources and the sinks share them
without importing each other.
"""

from __future__ import annotations

import libcst as cst

from reviewer.imports import dotted_name


def describe(module: cst.Module, node: cst.CSTNode, limit: int = 60) -> str:
    """Short source text of a node for flow messages."""
    if isinstance(node, cst.Subscript):
        base = dotted_name(node.value)
        elements = node.slice
        if base and len(elements) == 1 and isinstance(elements[0].slice, cst.Index):
            key = elements[0].slice.value
            if isinstance(key, cst.SimpleString):
                return f"{base}[{key.value}]"
    name = dotted_name(node) if isinstance(node, cst.Name | cst.Attribute) else None
    if name:
        return name
    text = module.code_for_node(node).strip().replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def owner_is_self(owner: cst.BaseExpression, class_name: str | None) -> bool:
    return bool(class_name) and isinstance(owner, cst.Name) and owner.value == "self"


def elements(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(expr, cst.List | cst.Tuple):
        return [e.value for e in expr.elements]
    return [expr]


def arg(node: cst.Call, index: int, keyword: str) -> cst.BaseExpression | None:
    positional = [a for a in node.args if a.keyword is None and not a.star]
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    if index < len(positional):
        return positional[index].value
    return None


def literal(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else ""
    return ""


def kw_name(node: cst.Call, keyword: str) -> str:
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return dotted_name(arg.value) or ""
    return ""


def is_true(expr: cst.BaseExpression) -> bool:
    return (isinstance(expr, cst.Name) and expr.value == "True") or (
        isinstance(expr, cst.Integer) and expr.value != "0"
    )


def kw_is(node: cst.Call, keyword: str, value: bool) -> bool:
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            if isinstance(arg.value, cst.Name) and arg.value.value in ("True", "False"):
                return (arg.value.value == "True") is value
            if value:
                return not (isinstance(arg.value, cst.Integer) and arg.value.value == "0")
            return False
    return False


def const_key(target: cst.Subscript) -> str:
    if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
        key = target.slice[0].slice.value
        if isinstance(key, cst.SimpleString):
            return str(key.evaluated_value)
    return ""


def arg_key(index: int, arg: cst.Arg) -> str:
    if arg.keyword is not None:
        return f"kw:{arg.keyword.value}"
    if arg.star:
        return f"*{arg.star}"
    return str(index)


def stringish(expr: cst.BaseExpression) -> bool:
    """Could be an HTML string (not a dict/list that Flask turns into JSON)."""
    if isinstance(expr, cst.Dict | cst.List | cst.DictComp | cst.ListComp | cst.Set):
        return False
    return not (isinstance(expr, cst.Call) and (dotted_name(expr.func) or "").endswith("jsonify"))
