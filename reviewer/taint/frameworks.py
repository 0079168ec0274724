"""What the taint engine knows of web frameworks' behaviour, as functions of syntax.

Which functions are route handlers and which of their parameters carry client data (Flask and
FastAPI/Starlette route decorators and their path converters, read with `reviewer.http`; FastAPI parameters made safe by
their annotation, `Depends()` or a validating `Query(pattern=...)`; Litestar's `@get`/`@post`
handlers, whose body, path and query parameters are sources and injected dependencies not), and which frameworks refuse
CR/LF in response header values. The interpreter stays framework-neutral; `sources` and `sinks`
ask these. Data tables (decorator names, converters, safe types) live in `specs`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import libcst as cst

from reviewer.http import path_parameters
from reviewer.imports import ImportTable, dotted_name
from reviewer.taint import specs


class RouteInfo(NamedTuple):
    is_route: bool
    path_params: set[str] | None  # client-controlled path parameters, None: the path has none
    is_flask: bool
    segments: frozenset[str] = frozenset()  # path parameters that match one segment (no "/")


def route_info(fn: cst.FunctionDef, imports: ImportTable) -> RouteInfo:
    """Whether `fn` is a Flask/FastAPI/Starlette route handler, and what its path says."""
    for deco in fn.decorators:
        expr = deco.decorator
        if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Attribute):
            continue
        if expr.func.attr.value not in specs.ROUTE_DECORATORS:
            continue
        resolved = imports.resolve(expr.func) or ""
        path = ""
        if expr.args and isinstance(expr.args[0].value, cst.SimpleString):
            path = expr.args[0].value.evaluated_value or ""  # type: ignore[assignment]
        elif expr.args and isinstance(expr.args[0].value, cst.ConcatenatedString):
            path = "{}"
        elif not expr.args:
            continue
        names: set[str] = set()
        safe: set[str] = set()
        flask_style = "<" in str(path)
        params = path_parameters(str(path))
        for param in params:
            names.add(param.name)
            if param.converter in specs.SAFE_CONVERTERS:
                safe.add(param.name)
        segments = frozenset(
            p.name for p in params if p.name and p.converter in specs.SEGMENT_CONVERTERS
        )
        is_flask = (
            resolved.startswith("flask")
            or flask_style
            or (imports_package(imports, "flask") and not imports_package(imports, "fastapi"))
        )
        return RouteInfo(True, (names - safe) if flask_style else None, is_flask, segments)
    return RouteInfo(False, None, False)


def litestar_handler(fn: cst.FunctionDef, imports: ImportTable) -> bool:
    """The function is a Litestar route handler (`@get(...)`, `@post`, `@route(...)`)."""
    for deco in fn.decorators:
        expr = deco.decorator
        func = expr.func if isinstance(expr, cst.Call) else expr
        resolved = imports.resolve(func) or ""
        if resolved.startswith("litestar.") and resolved.rsplit(".", 1)[-1] in (
            specs.LITESTAR_HANDLERS
        ):
            return True
    return False


def litestar_source(param: cst.Param) -> bool:
    """A Litestar handler parameter that holds client data (see specs.LITESTAR_*)."""
    name = param.name.value
    if name in specs.LITESTAR_INJECTED or is_safe_param(param):
        return False
    if name in specs.LITESTAR_CLIENT_PARAMS:
        return True
    return annotation_name(param).rsplit(".", 1)[-1] in specs.LITESTAR_TEXT_TYPES


def imports_package(imports: ImportTable, package: str) -> bool:
    return any(v == package or v.startswith(package + ".") for v in imports.names.values())


def annotation_name(param: cst.Param) -> str:
    if param.annotation is None:
        return ""
    ann = param.annotation.annotation
    if isinstance(ann, cst.Subscript):
        base = dotted_name(ann.value) or ""
        if base.endswith("Annotated") and ann.slice:
            first = ann.slice[0].slice
            if isinstance(first, cst.Index):
                inner = dotted_name(first.value) or ""
                extra = [
                    e.slice.value
                    for e in ann.slice[1:]
                    if isinstance(e.slice, cst.Index) and isinstance(e.slice.value, cst.Call)
                ]
                if any((dotted_name(c.func) or "") in specs.DEPENDENCY_CALLS for c in extra):
                    return "Depends"
                return inner
        if base.endswith("Optional") and ann.slice:
            first = ann.slice[0].slice
            if isinstance(first, cst.Index):
                return dotted_name(first.value) or ""
        return base
    return dotted_name(ann) or ""


def annotated_class(param: cst.Param) -> cst.BaseExpression | None:
    """The class a parameter is annotated with, looking inside `Annotated[X, ...]` and
    `Optional[X]`: what FastAPI validates the value against."""
    if param.annotation is None:
        return None
    ann = param.annotation.annotation
    if isinstance(ann, cst.Subscript) and ann.slice:
        base = dotted_name(ann.value) or ""
        first = ann.slice[0].slice
        if base.rsplit(".", 1)[-1] in ("Annotated", "Optional") and isinstance(first, cst.Index):
            return first.value
        return None
    return ann if isinstance(ann, cst.Name | cst.Attribute) else None


def is_safe_param(param: cst.Param) -> bool:
    ann = annotation_name(param)
    if (
        ann == "Depends"
        or ann.split(".")[-1] in specs.SAFE_PARAM_TYPES
        or ann in specs.SAFE_PARAM_TYPES
    ):
        return True
    calls = [param.default] if isinstance(param.default, cst.Call) else []
    if param.annotation is not None and isinstance(param.annotation.annotation, cst.Subscript):
        calls += [
            e.slice.value
            for e in param.annotation.annotation.slice
            if isinstance(e.slice, cst.Index) and isinstance(e.slice.value, cst.Call)
        ]
    for call in calls:
        assert isinstance(call, cst.Call)
        func = dotted_name(call.func) or ""
        if func in specs.DEPENDENCY_CALLS:
            return True
        if any(
            a.keyword is not None and a.keyword.value in ("regex", "pattern") for a in call.args
        ):
            return True  # Query(pattern=...) / Path(regex=...) validates the text
    return False


def rejects_crlf(
    imports: ImportTable, types: Mapping[str, str], response: cst.BaseExpression
) -> bool:
    """A response of a framework that refuses CR/LF in header values (specs.CRLF_REJECTING):
    known from its constructor, else from the web frameworks the module imports."""
    known = types.get(response.value, "") if isinstance(response, cst.Name) else ""
    if known in specs.RESPONSE_CONSTRUCTORS:
        return known.startswith(tuple(f"{p}." for p in specs.CRLF_REJECTING))
    if any(imports_package(imports, p) for p in specs.CRLF_ACCEPTING):
        return False
    return any(imports_package(imports, p) for p in specs.CRLF_REJECTING)
