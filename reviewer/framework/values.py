"""Turn libcst expressions into plain, picklable data the project builder can read.

Strings, numbers, booleans and None stay Python values; lists/tuples/sets become lists;
names become `{"ref": qualified, "text": as_written}`; calls `{"call": ..., "args", "kwargs"}`;
dicts `{"dict": [[k, v], ...]}`; `a | b` `{"op": "|", ...}`; a starred list element `*x`
`{"star": x}` (Django's `[*router.urls, path(...)]`); f-strings `{"fstr": [pieces], "expr": code}`;
anything else `{"expr": code}`.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from reviewer.imports import ImportTable, dotted_name

_EMPTY = cst.Module(body=[])
# Nesting kept before a value becomes opaque text: Django URLconfs nest
# list > re_path() > include() > list > path() several times (paperless-ngx: 4 includes deep).
MAX_DEPTH = 16


def qualify(expr: cst.BaseExpression, imports: ImportTable) -> str | None:
    """Qualified name of a Name/Attribute: imported names through the import table, names
    defined in the module itself prefixed with the module (`bp` in `app/views.py` ->
    `app.views.bp`)."""
    dotted = dotted_name(expr)
    if dotted is None:
        return None
    head = dotted.partition(".")[0]
    if head in imports.names:
        return imports.resolve(expr)
    if head in _BUILTINS or not imports.module:
        return dotted
    return f"{imports.module}.{dotted}"


_BUILTINS = frozenset(
    [
        "dict",
        "list",
        "set",
        "tuple",
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "object",
        "type",
        "None",
        "True",
        "False",
        "any",
        "all",
        "len",
        "isinstance",
        "super",
        "print",
        "self",
        "cls",
    ]
)


def code_of(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def encode(expr: cst.BaseExpression | None, imports: ImportTable, depth: int = 0) -> Any:
    if expr is None:
        return None
    if depth > MAX_DEPTH:
        return {"expr": code_of(expr)[:80]}
    if isinstance(expr, cst.SimpleString | cst.ConcatenatedString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else {"expr": code_of(expr)[:80]}
    if isinstance(expr, cst.FormattedString):
        return {"fstr": _fstring_parts(expr, imports, depth), "expr": code_of(expr)[:80]}
    if isinstance(expr, cst.Integer):
        return int(expr.evaluated_value)
    if isinstance(expr, cst.Name) and expr.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[expr.value]
    if isinstance(expr, cst.Name | cst.Attribute):
        q = qualify(expr, imports)
        if q is not None:
            return {"ref": q, "text": dotted_name(expr) or q}
    if isinstance(expr, cst.List | cst.Tuple | cst.Set):
        return [
            encode(e.value, imports, depth + 1)
            if isinstance(e, cst.Element)
            else {"star": encode(e.value, imports, depth + 1)}
            for e in expr.elements
        ]
    if isinstance(expr, cst.Dict):
        return {
            "dict": [
                [encode(e.key, imports, depth + 1), encode(e.value, imports, depth + 1)]
                for e in expr.elements
                if isinstance(e, cst.DictElement)
            ]
        }
    if isinstance(expr, cst.Call):
        return encode_call(expr, imports, depth)
    if isinstance(expr, cst.BinaryOperation):
        op = {cst.BitOr: "|", cst.BitAnd: "&", cst.Add: "+"}.get(type(expr.operator))
        if op:
            return {
                "op": op,
                "left": encode(expr.left, imports, depth + 1),
                "right": encode(expr.right, imports, depth + 1),
            }
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.BitInvert):
        return {"op": "~", "left": encode(expr.expression, imports, depth + 1)}
    if isinstance(expr, cst.Subscript):
        return {
            "sub": encode(expr.value, imports, depth + 1),
            "items": [
                encode(s.slice.value, imports, depth + 1)
                for s in expr.slice
                if isinstance(s.slice, cst.Index)
            ],
            "expr": code_of(expr)[:120],
        }
    return {"expr": code_of(expr)[:80]}


def _fstring_parts(expr: cst.FormattedString, imports: ImportTable, depth: int) -> list[Any]:
    """The pieces of an f-string: literal text as str, `{name}` as an encoded name; a piece
    with a conversion or format spec (`{x!r}`, `{x:>4}`) is opaque (`{"expr": ...}`)."""
    parts: list[Any] = []
    for part in expr.parts:
        if isinstance(part, cst.FormattedStringText):
            parts.append(part.value.replace("{{", "{").replace("}}", "}"))
        elif isinstance(part, cst.FormattedStringExpression) and not (
            part.conversion or part.format_spec
        ):
            parts.append(encode(part.expression, imports, depth + 1))
        else:
            parts.append({"expr": code_of(part)[:80]})
    return parts


def encode_call(call: cst.Call, imports: ImportTable, depth: int = 0) -> dict[str, Any]:
    func = encode(call.func, imports, depth + 1)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for arg in call.args:
        if arg.keyword is not None:
            kwargs[arg.keyword.value] = encode(arg.value, imports, depth + 1)
        elif arg.star:
            continue
        else:
            args.append(encode(arg.value, imports, depth + 1))
    name = func.get("ref", "") if isinstance(func, dict) else ""
    return {"call": name, "func": func, "args": args, "kwargs": kwargs}


# Readers of encoded values -------------------------------------------------------------


def ref(value: Any) -> str:
    """The qualified name of an encoded reference (or of a call's function), else ""."""
    if isinstance(value, dict):
        if "ref" in value:
            return str(value["ref"])
        if "call" in value:
            return str(value["call"]) or ref(value.get("func"))
        if "sub" in value:  # `FastAPIUsers[User, int]`
            return ref(value["sub"])
    return ""


def is_call(value: Any) -> bool:
    return isinstance(value, dict) and "call" in value


def text(value: Any) -> str:
    """A short human-readable rendering of an encoded value."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        if "ref" in value:
            return str(value.get("text") or value["ref"])
        if "call" in value:
            inner = ", ".join(text(a) for a in value["args"])
            return f"{text(value['func'])}({inner})"
        if "op" in value:
            if value["op"] == "~":
                return f"~{text(value['left'])}"
            return f"{text(value['left'])} {value['op']} {text(value['right'])}"
        if "expr" in value:
            return str(value["expr"])
    if isinstance(value, list):
        return "[" + ", ".join(text(v) for v in value) + "]"
    return repr(value)


def tail(name: str) -> str:
    return name.rsplit(".", 1)[-1]
