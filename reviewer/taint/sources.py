"""Where client data enters a function: request objects, route parameters, the environment.

Flask's global `request`, the `request` parameter of Django/DRF/Starlette/aiohttp handlers,
Tornado-style `self.get_argument()`, route and URL parameters (which handler and which
parameters, from `frameworks`; Litestar handlers' body, path and query parameters), `os.environ`/`sys.argv`/`input()` (environment, low confidence)
and `random` (for the weak-randomness sinks). Tables are in `specs`.
"""

from __future__ import annotations

import libcst as cst

from reviewer.imports import dotted_name
from reviewer.taint import frameworks, specs, syntax
from reviewer.taint.interpreter import Interpreter
from reviewer.taint.values import Taint

_HANDLER_GETTERS = frozenset(
    {
        "get_argument",
        "get_arguments",
        "get_query_argument",
        "get_query_arguments",
        "get_body_argument",
        "get_body_arguments",
        "get_cookie",
        "get_secure_cookie",
    }
)


class Sources(Interpreter):
    """The interpreter's source half: which reads and calls produce taint."""

    def enter_function(self, fn: cst.FunctionDef) -> dict[str, Taint]:
        env: dict[str, Taint] = {}
        is_route, path_params, is_flask, segments = frameworks.route_info(fn, self.imports)
        litestar = not is_route and frameworks.litestar_handler(fn, self.imports)
        params = [*fn.params.posonly_params, *fn.params.params, *fn.params.kwonly_params]
        self.params = {p.name.value for p in params}
        self.param_index = {p.name.value: i for i, p in enumerate(params)}
        self.guards = {}
        names = [p.name.value for p in params]
        request_index = names.index("request") if "request" in names[:2] else -1
        django_view = (
            not is_route
            and request_index == (1 if self.class_name else 0)
            and frameworks.imports_package(self.imports, "django")
        )
        for index, param in enumerate(params):
            name = param.name.value
            ann = frameworks.annotation_name(param)
            if ann and specs.REQUEST_ANNOTATIONS.search(ann):
                self.request_names.add(name)
            taint: Taint | None = None
            if (is_route and index > 0) or (is_route and not (self.class_name and index == 0)):
                if path_params is not None:
                    routed = name in path_params
                else:
                    routed = name not in self.request_names and not frameworks.is_safe_param(param)
                    routed = routed and name not in ("self", "cls") and not self._enum_typed(param)
                if routed:
                    taint = self._source(param, f"route parameter {name}")
                    if name in segments:  # holds no "/": cannot leave a directory
                        taint = taint.with_(cleared=frozenset({"path"}))
            elif litestar and frameworks.litestar_source(param):
                taint = self._source(param, f"route parameter {name}")
            if (
                taint is None
                and django_view
                and index > request_index
                and param.default is None
                and not frameworks.is_safe_param(param)
            ):
                taint = self._source(param, f"URL parameter {name}").with_(weak=True)
            if taint is None:
                taint = self.hooks.param(index, name, param)
            if taint is not None:
                env[name] = taint
        if is_route and is_flask:
            self.return_sink = "xss"
        elif specs.SECURITY_NAME.search(self.fn_name):
            self.return_sink = "random"
        return env

    def _enum_typed(self, param: cst.Param) -> bool:
        """Typed with an Enum: FastAPI admits only its members."""
        cls = frameworks.annotated_class(param)
        if cls is None:
            return False
        name = self.imports.resolve(cls) or ""
        if name in self.local_classes:
            name = f"{self.imports.module}.{name}"
        return bool(name) and self.hooks.is_enum(name)

    def _source(self, node: cst.CSTNode, desc: str, prefix: str = "S") -> Taint:
        self.has_source = True
        trail = ((node, f"source: {desc}"),) if self.with_trail else ()
        return Taint(frozenset({f"{prefix}:{desc}"}), trail)

    def _is_request(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Name):
            name = expr.value
            return (
                name in self.request_names
                and name not in self.types
                and (name in self.params or name not in self.imports.names)
            )
        if isinstance(expr, cst.Attribute):
            return expr.attr.value == "request" and (dotted_name(expr) or "") == "self.request"
        return False

    def source_of(self, node: cst.Attribute | cst.Subscript) -> Taint | None:
        """A taint when `node` reads client data or the environment directly."""
        base = node.value if isinstance(node, cst.Subscript) else node
        if isinstance(base, cst.Attribute):
            resolved = self.imports.resolve(base) or ""
            if base.attr.value in specs.REQUEST_PARAM_ATTRS and self._is_request(base.value):
                return self._source(node, syntax.describe(self.module, node))
            if resolved.startswith("flask.request."):
                attr = resolved.split(".")[2]
                if attr in specs.FLASK_REQUEST_ATTRS:
                    return self._source(node, syntax.describe(self.module, node))
            elif resolved in ("os.environ", "sys.argv"):
                return self._source(node, syntax.describe(self.module, node), "E")
        elif isinstance(base, cst.Name) and isinstance(node, cst.Subscript):
            resolved = self.imports.resolve(base) or ""
            if resolved in ("os.environ", "sys.argv"):
                return self._source(node, syntax.describe(self.module, node), "E")
        return None

    def call_source(self, node: cst.Call, name: str, method: str) -> Taint | None:
        func = node.func
        if (
            method in _HANDLER_GETTERS
            and isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == "self"
        ):
            return self._source(node, syntax.describe(self.module, node))
        if name in specs.ENV_SOURCES:
            return self._source(node, specs.ENV_SOURCES[name], "E")
        if name in specs.RANDOM_CALLS:
            return self._source(node, f"{name}()", "R")
        return None
