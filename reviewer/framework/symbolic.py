"""Expressions inside a function written as plain data, with its locals inlined, for the few
calls whose arguments are built from the function's parameters: a decorator that appends
what it decorates to a module-level registry (`registry[app][model].append({...})`), and a
function that loops over such a registry and builds URL patterns (`path(url, view)` per entry).

The build step (`view_registry.py`) evaluates these with the arguments of each call site, so a
URL pattern built by a project's own function is listed like one written out. Only names the
function binds are inlined: parameters, loop and comprehension variables stay `{"var": name}`;
a local assigned once becomes its value, one assigned several times `{"any": [values]}`.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from reviewer.framework.values import code_of, qualify
from reviewer.imports import ImportTable

MAX_DEPTH = 12
_COMPARE = {
    cst.Equal: "==",
    cst.NotEqual: "!=",
    cst.Is: "is",
    cst.IsNot: "is not",
    cst.In: "in",
    cst.NotIn: "not in",
}


class Scope:
    """The names a chain of enclosing functions binds: parameters and loop variables (left
    as variables) and local assignments (inlined)."""

    def __init__(self, functions: list[cst.FunctionDef]) -> None:
        self.variables: set[str] = set()
        self.locals: dict[str, list[cst.BaseExpression]] = {}
        for func in functions:  # outermost first, so an inner function's names win
            inner: dict[str, list[cst.BaseExpression]] = {}
            params = func.params
            for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
                self.variables.add(param.name.value)
                self.locals.pop(param.name.value, None)
            for star in (params.star_arg, params.star_kwarg):
                if isinstance(star, cst.Param):
                    self.variables.add(star.name.value)
            _bindings(func.body, inner, self.variables)
            self.locals.update(inner)
            for name in inner:
                self.variables.discard(name)

    def binds(self, name: str) -> bool:
        return name in self.variables or name in self.locals


def _bindings(
    node: cst.CSTNode, found: dict[str, list[cst.BaseExpression]], loops: set[str]
) -> None:
    """Assignments and `for` targets in a function body, not in nested functions or classes."""
    for child in node.children:
        if isinstance(child, cst.FunctionDef | cst.ClassDef | cst.Lambda):
            continue
        if isinstance(child, cst.Assign) and len(child.targets) == 1:
            target = child.targets[0].target
            if isinstance(target, cst.Name):
                found.setdefault(target.value, []).append(child.value)
        elif isinstance(child, cst.AnnAssign) and child.value is not None:
            if isinstance(child.target, cst.Name):
                found.setdefault(child.target.value, []).append(child.value)
        elif isinstance(child, cst.For) and isinstance(child.target, cst.Name):
            loops.add(child.target.value)
        _bindings(child, found, loops)


def symbolic(
    expr: cst.BaseExpression,
    scope: Scope,
    imports: ImportTable,
    bound: frozenset[str] = frozenset(),
    depth: int = 0,
) -> Any:
    """`expr` as plain data (see the module docstring); names the scope does not bind are
    `{"ref": qualified}`, what is not modelled `{"?": source}`."""
    if depth > MAX_DEPTH:
        return {"?": code_of(expr)[:60]}

    def again(e: cst.BaseExpression, extra: frozenset[str] = frozenset()) -> Any:
        return symbolic(e, scope, imports, bound | extra, depth + 1)

    if isinstance(expr, cst.SimpleString | cst.ConcatenatedString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else {"?": code_of(expr)[:60]}
    if isinstance(expr, cst.Integer):
        return int(expr.evaluated_value)
    if isinstance(expr, cst.Name):
        name = expr.value
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        if name in bound or name in scope.variables:
            return {"var": name}
        values = scope.locals.get(name)
        if values is not None:
            inner = frozenset({name})  # a local read in its own assignment stays a variable
            alternatives = [again(v, inner) for v in values]
            return alternatives[0] if len(alternatives) == 1 else {"any": alternatives}
    if isinstance(expr, cst.Name | cst.Attribute):
        head: cst.BaseExpression = expr
        while isinstance(head, cst.Attribute):
            head = head.value
        if isinstance(expr, cst.Attribute) and (
            not isinstance(head, cst.Name) or head.value in bound or scope.binds(head.value)
        ):
            return {"attr": [again(expr.value), expr.attr.value]}
        q = qualify(expr, imports)
        if q is not None:
            return {"ref": q}
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1:
        index = expr.slice[0].slice
        if isinstance(index, cst.Index):
            return {"item": [again(expr.value), again(index.value)]}
    if isinstance(expr, cst.IfExp):
        return {"if": [again(expr.test), again(expr.body), again(expr.orelse)]}
    if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1:
        op = _COMPARE.get(type(expr.comparisons[0].operator))
        if op is not None:
            return {"cmp": [op, again(expr.left), again(expr.comparisons[0].comparator)]}
    if isinstance(expr, cst.BooleanOperation):
        key = "or" if isinstance(expr.operator, cst.Or) else "and"
        return {key: [again(expr.left), again(expr.right)]}
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
        return {"not": again(expr.expression)}
    if isinstance(expr, cst.FormattedString):
        parts: list[Any] = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value)
            elif isinstance(part, cst.FormattedStringExpression) and part.format_spec is None:
                parts.append(again(part.expression))
            else:
                return {"?": code_of(expr)[:60]}
        return {"fmt": parts}
    if isinstance(expr, cst.Dict):
        return {
            "dict": [
                [again(e.key), again(e.value)]
                for e in expr.elements
                if isinstance(e, cst.DictElement)
            ]
        }
    if isinstance(expr, cst.List | cst.Tuple):
        return [again(e.value) for e in expr.elements if isinstance(e, cst.Element)]
    if isinstance(expr, cst.ListComp | cst.GeneratorExp):
        comp = expr.for_in
        if comp.inner_for_in is None and isinstance(comp.target, cst.Name):
            var = frozenset({comp.target.value})
            return {
                "comp": {
                    "elt": again(expr.elt, var),
                    "var": comp.target.value,
                    "iter": again(comp.iter),
                    "ifs": [again(c.test, var) for c in comp.ifs],
                }
            }
    if isinstance(expr, cst.Call):
        func = again(expr.func)
        return {
            "call": func.get("ref", "") if isinstance(func, dict) else "",
            "func": func,
            "args": [
                {"star": again(a.value)} if a.star == "*" else again(a.value)
                for a in expr.args
                if a.keyword is None and a.star != "**"
            ],
            "kwargs": {a.keyword.value: again(a.value) for a in expr.args if a.keyword is not None},
        }
    return {"?": code_of(expr)[:60]}


def registry_store(call: cst.Call, scope: Scope, imports: ImportTable) -> dict[str, Any] | None:
    """`<container>[k1]...[kn].append(value)` where the container is a module-level or imported
    name (not one the function binds): {"base": qualified, "keys": [...], "value": ...}."""
    func = call.func
    if not (
        isinstance(func, cst.Attribute) and func.attr.value == "append" and len(call.args) == 1
    ):
        return None
    keys: list[cst.BaseExpression] = []
    target = func.value
    while isinstance(target, cst.Subscript) and len(target.slice) == 1:
        index = target.slice[0].slice
        if not isinstance(index, cst.Index):
            return None
        keys.insert(0, index.value)
        target = target.value
    if not keys or not isinstance(target, cst.Name | cst.Attribute):
        return None
    head: cst.BaseExpression = target
    while isinstance(head, cst.Attribute):
        head = head.value
    if not isinstance(head, cst.Name) or scope.binds(head.value):
        return None
    base = qualify(target, imports)
    if base is None:
        return None
    return {
        "base": base,
        "keys": [symbolic(k, scope, imports) for k in keys],
        "value": symbolic(call.args[0].value, scope, imports),
    }


def loops_around(stack: list[cst.CSTNode], scope: Scope, imports: ImportTable) -> list[Any]:
    """The `for` loops of the innermost function that enclose the current node, outermost
    first: [{"var": name, "iter": ...}]."""
    loops: list[Any] = []
    for node in reversed(stack):
        if isinstance(node, cst.FunctionDef):
            break
        if isinstance(node, cst.For) and isinstance(node.target, cst.Name):
            loops.insert(0, {"var": node.target.value, "iter": symbolic(node.iter, scope, imports)})
    return loops


def conditions_around(stack: list[cst.CSTNode], scope: Scope, imports: ImportTable) -> list[Any]:
    """The `if` tests of the innermost function that the current node runs under, each with
    the value it must have: [[test, True]] in the body, [[test, False]] in the else branch."""
    found: list[Any] = []
    for at in range(len(stack) - 2, -1, -1):
        node, below = stack[at], stack[at + 1]
        if isinstance(node, cst.FunctionDef):
            break
        if isinstance(node, cst.If) and below is not node.test:
            found.insert(0, [symbolic(node.test, scope, imports), below is node.body])
    return found
