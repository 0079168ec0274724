"""What a handler's `return`/`raise` sends: body shape, envelope keys and status code.

Read from the syntax of the response: dict and list literals, `jsonify(...)`, `JsonResponse`,
`JSONResponse(content=...)`, DRF `Response`, aiohttp `json_response`, `make_response`,
`(body, status)` tuples, `status=`/`status_code=` arguments (`status.HTTP_404_NOT_FOUND`,
`HTTPStatus.NOT_FOUND` included), and `raise HTTPException(status_code=..., detail=...)`.
Bodies built elsewhere (a variable, a serializer's `.data`, a Pydantic model) are unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

import libcst as cst

from reviewer.imports import dotted_name
from reviewer.walk import walk_scope

RESPONSE_CTORS = frozenset(
    {"jsonify", "JsonResponse", "JSONResponse", "Response", "json_response", "make_response"}
    | {"ORJSONResponse", "UJSONResponse"}
)
ERROR_KEYS = ("error", "errors", "detail", "message", "msg", "error_message", "description")
ENVELOPE_KEYS = frozenset({"data", "items", "results", "result", "records", "payload"})
_HTTP_NAME = re.compile(r"HTTP_(\d{3})")


@dataclass
class Shape:
    """One response a handler can send."""

    node: cst.CSTNode
    status: int | None  # None: the framework default (200, or 201/204 when declared)
    kind: str  # dict | list | unknown
    keys: tuple[str, ...] = ()
    raised: bool = False  # from `raise HTTPException(...)`
    status_given: bool = False  # a status was passed, maybe one not known here (a variable)

    @property
    def is_error(self) -> bool:
        return self.status is not None and self.status >= 400

    @property
    def error_key(self) -> str | None:
        for key in ERROR_KEYS:
            if key in self.keys:
                return key
        return None

    @property
    def envelope(self) -> str | None:
        found = sorted(ENVELOPE_KEYS & set(self.keys))
        return found[0] if found else None


def status_of(expr: cst.BaseExpression | None) -> int | None:
    if expr is None:
        return None
    if isinstance(expr, cst.Integer):
        try:
            return int(expr.value)
        except ValueError:
            return None
    name = dotted_name(expr) or ""
    match = _HTTP_NAME.search(name)
    if match:
        return int(match.group(1))
    last = name.rsplit(".", 1)[-1]
    if last in HTTPStatus.__members__:
        return int(HTTPStatus[last].value)
    return None


def _body(expr: cst.BaseExpression) -> tuple[str, tuple[str, ...]]:
    if isinstance(expr, cst.Dict):
        keys = []
        for element in expr.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                value = element.key.evaluated_value
                if isinstance(value, str) and not (value in ERROR_KEYS and _empty(element.value)):
                    keys.append(value)  # `"error": None` says there is no error
        return "dict", tuple(keys)
    if isinstance(expr, cst.List | cst.ListComp):
        return "list", ()
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name):
        if expr.func.value == "dict":
            return "dict", tuple(a.keyword.value for a in expr.args if a.keyword is not None)
        if expr.func.value == "list":
            return "list", ()
    return "unknown", ()


def _empty(expr: cst.BaseExpression) -> bool:
    """`None`, `False`, `""`: a key present only to say it holds nothing."""
    if isinstance(expr, cst.Name):
        return expr.value in ("None", "False")
    return isinstance(expr, cst.SimpleString) and expr.evaluated_value in ("", b"")


def _keyword(call: cst.Call, *names: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in names:
            return arg.value
    return None


def response_shape(
    node: cst.CSTNode, value: cst.BaseExpression, resolve: Callable[..., str | None]
) -> Shape:
    """The shape of `return value` (or of a response object built inline)."""
    status: int | None = None
    given = False
    if isinstance(value, cst.Tuple) and len(value.elements) >= 2:
        status = status_of(value.elements[1].value)
        given = True  # `return body, status_code`: whatever it holds, it is not the default
        value = value.elements[0].value
    if isinstance(value, cst.Call):
        name = (resolve(value.func) or dotted_name(value.func) or "").rsplit(".", 1)[-1]
        if name in RESPONSE_CTORS:
            given = given or _keyword(value, "status", "status_code") is not None
            explicit = status_of(_keyword(value, "status", "status_code"))
            positional = [a for a in value.args if a.keyword is None]
            if name == "make_response" and len(positional) >= 2:
                explicit = explicit or status_of(positional[1].value)
                given = True
            status = explicit or status
            if name == "jsonify" and not positional:
                keys = tuple(a.keyword.value for a in value.args if a.keyword is not None)
                return Shape(node, status, "dict", keys, status_given=given)
            content = _keyword(value, "content", "data")
            if content is None and positional:
                content = positional[0].value
            if content is None:
                return Shape(node, status, "unknown", status_given=given)
            kind, keys = _body(content)
            return Shape(node, status, kind, keys, status_given=given)
    kind, keys = _body(value)
    return Shape(node, status, kind, keys, status_given=given)


def handler_shapes(func: cst.FunctionDef, resolve: Callable[..., str | None]) -> list[Shape]:
    """Every response the handler's own body sends."""
    shapes: list[Shape] = []
    for node in walk_scope(func.body):
        if isinstance(node, cst.Return) and node.value is not None:
            shapes.append(response_shape(node, node.value, resolve))
        elif isinstance(node, cst.Raise) and isinstance(node.exc, cst.Call):
            name = (resolve(node.exc.func) or "").rsplit(".", 1)[-1]
            if name == "HTTPException":
                status = status_of(_keyword(node.exc, "status_code"))
                if status is None and node.exc.args and node.exc.args[0].keyword is None:
                    status = status_of(node.exc.args[0].value)
                shapes.append(Shape(node, status, "dict", ("detail",), raised=True))
    return shapes
