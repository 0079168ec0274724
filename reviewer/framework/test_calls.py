"""Phase-1 fact collector: which routes a test file calls, and how.

Records test-client calls (Flask `client.get(...)`, Starlette/FastAPI `TestClient`, Django
`self.client`/`Client()`, DRF `APIClient`, httpx `AsyncClient`, aiohttp `aiohttp_client`): the
HTTP method and the path as written (f-string parts and unknown pieces become `{}`), or the URL
name given to `reverse(...)`/`url_for(...)`/`url_path_for(...)`; and every function a test calls
directly (qualified), for tests that call handlers without HTTP. Stored under
`ctx.facts["test_calls"]` as plain data.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from reviewer.context import Visitor
from reviewer.imports import dotted_name

FACTS_KEY = "test_calls"
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
_GENERIC = frozenset({"open", "request", "generic", "fetch"})
_CLIENT_CTORS = frozenset(
    {"test_client", "TestClient", "APIClient", "Client", "AsyncClient", "aiohttp_client"}
    | {"APIRequestFactory", "RequestFactory", "TestServer", "LiveServer", "app_client"}
)
_URL_NAMES = frozenset({"reverse", "reverse_lazy", "url_for", "url_path_for", "resolve_url"})


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


class TestCallCollector(Visitor):
    """Collects the test-client requests and direct calls of one test file."""

    __test__ = False  # not a pytest test class despite its name

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.active = bool(ctx.is_test_file)
        self.requests: list[dict[str, Any]] = []
        self.calls: set[str] = set()
        self.constants: dict[str, str] = {}
        self.url_names: dict[str, str] = {}  # `url = reverse("shop:detail", ...)`
        self.clients: set[str] = set()
        self.params: list[dict[str, list[str]]] = []
        self.exported: dict[str, str] = {}  # module-level URL constants and builders
        self.lists: dict[str, list[str]] = {}  # `routes = ["/admin/users", ...]`
        self.loops: dict[str, list[str]] = {}  # `for route in routes:` -> its values

    # -- pytest parametrization: the values a test's parameters take --------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if not self.active:
            return
        values: dict[str, list[str]] = {}
        for decorator in node.decorators:
            dec = decorator.decorator
            if not isinstance(dec, cst.Call) or len(dec.args) < 2:
                continue
            if not (dotted_name(dec.func) or "").endswith("parametrize"):
                continue
            names_node = dec.args[0].value
            names_text = _string(names_node)
            if names_text is not None:
                names = [n.strip() for n in names_text.split(",") if n.strip()]
            elif isinstance(names_node, cst.List | cst.Tuple):
                names = [_string(e.value) or "" for e in names_node.elements]
            else:
                continue
            rows = dec.args[1].value
            if not isinstance(rows, cst.List | cst.Tuple):
                continue
            for row in rows.elements:
                cells = (
                    [e.value for e in row.value.elements]
                    if len(names) > 1 and isinstance(row.value, cst.Tuple | cst.List)
                    else [row.value]
                )
                for name, cell in zip(names, cells, strict=False):
                    text = _string(cell)
                    if text is None and isinstance(cell, cst.Integer):
                        text = cell.value
                    values.setdefault(name, []).append(text if text is not None else "{}")
        self.params.append(values)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.active and self.params:
            self.params.pop()
        if self.active and not any(isinstance(n, cst.FunctionDef) for n in self.ctx.stack[:-1]):
            builder = _url_builder(node)
            if builder is not None:  # `def recipes_slug(slug): return f"{prefix}/recipes/{slug}"`
                text = self._path_text(builder)
                if text is not None and text[0] == "path":
                    self.exported[node.name.value + "()"] = text[1].split("\n")[0]

    def _param_values(self, name: str) -> list[str] | None:
        for values in reversed(self.params):
            if name in values:
                return values[name]
        return None

    # -- what names hold ---------------------------------------------------------------

    def _is_client_ctor(self, value: cst.BaseExpression) -> bool:
        if isinstance(value, cst.Await):
            value = value.expression
        if not isinstance(value, cst.Call):
            return False
        name = dotted_name(value.func) or ""
        return name.rsplit(".", 1)[-1] in _CLIENT_CTORS

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self.active:
            return
        for target in node.targets:
            name = dotted_name(target.target)
            if name is None:
                continue
            text = self._path_text(node.value)
            if text is not None and text[0] == "path" and "{}" not in text[1]:
                self.constants[name] = text[1]
                if self.ctx.enclosing_function() is None and "." not in name:
                    self.exported[name] = text[1]
            elif text is not None and text[0] == "path" and name.startswith("self."):
                # `self.url = f"/checks/{self.check.code}/details/"` in setUp: the tests of the
                # class request `self.url`
                self.constants[name] = text[1]
            elif text is not None and text[0] == "name":
                self.url_names[name] = text[1]
            if self._is_client_ctor(node.value):
                self.clients.add(name)
            listed = self._string_list(node.value)
            if listed is not None:
                self.lists[name] = listed

    def visit_For(self, node: cst.For) -> None:
        """`for route in ["/admin", "/admin/users"]: client.get(route)`: the loop variable takes
        each path of a literal list (or of a list assigned to a name before)."""
        if not self.active or not isinstance(node.target, cst.Name):
            return
        values = self._string_list(node.iter)
        if values is None and isinstance(node.iter, cst.Name):
            values = self.lists.get(node.iter.value)
        if values:
            self.loops[node.target.value] = values

    def _string_list(self, node: cst.BaseExpression) -> list[str] | None:
        if not isinstance(node, cst.List | cst.Tuple):
            return None
        values = [_string(e.value) for e in node.elements if isinstance(e, cst.Element)]
        strings = [v for v in values if v is not None]
        return strings if strings and len(strings) == len(values) else None

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if self.active and node.asname is not None and self._is_client_ctor(node.item):
            name = dotted_name(node.asname.name) if isinstance(node.asname.name, cst.Name) else None
            if name:
                self.clients.add(name)

    # -- calls -------------------------------------------------------------------------

    def _is_client(self, receiver: cst.BaseExpression) -> bool:
        if self._is_client_ctor(receiver):
            return True
        name = dotted_name(receiver)
        if name is None:
            return False
        last = name.rsplit(".", 1)[-1].lower()
        return name in self.clients or "client" in last

    def _requests_a_path(self, node: cst.Call) -> bool:
        """`admin.get("/admin/users")`, `captain.post(url_for("teams.invite"))`: suites name
        their logged-in clients after the user (CTFd's `with login_as_user(app) as admin`); an
        HTTP verb called with one of the app's paths (or a route name) is a request."""
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value.lower() not in HTTP_METHODS:
            return False
        first = next((a.value for a in node.args if a.keyword is None), None)
        text = self._path_text(first) if first is not None else None
        if text is None:
            return False
        if text[0] == "name":
            return isinstance(first, cst.Call)  # url_for(...)/reverse(...) given directly
        return text[1].startswith("/")

    def visit_Call(self, node: cst.Call) -> None:
        if not self.active:
            return
        resolved = self.ctx.resolve(node.func)
        if resolved:
            self.calls.add(resolved)
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        if not self._is_client(func.value) and not self._requests_a_path(node):
            return
        method = func.attr.value.lower()
        positional = [a.value for a in node.args if a.keyword is None]
        keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        target: cst.BaseExpression | None
        if method in HTTP_METHODS:
            target = positional[0] if positional else keywords.get("path", keywords.get("url"))
        elif method in _GENERIC:
            verb_node: cst.BaseExpression | None = None
            if method in {"request", "generic"} and len(positional) >= 2:
                verb_node, target = positional[0], positional[1]
            else:
                target = positional[0] if positional else keywords.get("path", keywords.get("url"))
                verb_node = keywords.get("method")
            verb = _string(verb_node) if verb_node is not None else "GET"
            method = (verb or "*").lower()
        else:
            return
        if target is None:
            return
        text = self._path_text(target)
        entry: dict[str, Any] = {"method": method.upper(), "paths": [], "name": None}
        if text is not None and text[0] == "path":
            entry["paths"] = text[1].split("\n")
        elif text is not None:
            entry["name"] = text[1]
        self.requests.append(entry)

    def _path_text(self, node: cst.BaseExpression) -> tuple[str, str] | None:
        """("path", "/orders/{}") or ("name", "orders-detail"), None when unknown. A path that
        interpolates a parametrized test argument has one variant per value, joined by newlines."""
        value = _string(node)
        if value is not None:
            return "path", value
        if isinstance(node, cst.FormattedString):
            variants = [""]
            for part in node.parts:
                options = ["{}"]
                if isinstance(part, cst.FormattedStringText):
                    options = [part.value]
                elif isinstance(part, cst.FormattedStringExpression):
                    options = self._part_values(part.expression)
                variants = [v + o for v in variants for o in options][:64]
            return "path", "\n".join(dict.fromkeys(variants))
        if isinstance(node, cst.ConcatenatedString):
            left, right = self._path_text(node.left), self._path_text(node.right)
            if left and right and left[0] == right[0] == "path":
                return "path", left[1] + right[1]
            return None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left = self._path_text(node.left)
            right = self._path_text(node.right)
            lhs = left[1] if left and left[0] == "path" else "{}"
            rhs = right[1] if right and right[0] == "path" else "{}"
            if lhs == rhs == "{}":
                return None
            return "path", lhs + rhs
        if isinstance(node, cst.Call):
            name = (dotted_name(node.func) or "").rsplit(".", 1)[-1]
            if name in _URL_NAMES and node.args:
                url_name = _string(node.args[0].value)
                return ("name", url_name) if url_name else None
        dotted = dotted_name(node)
        if dotted is not None and dotted in self.constants:
            return "path", self.constants[dotted]
        if dotted is not None and dotted in self.loops:
            return "path", "\n".join(self.loops[dotted])
        if dotted is not None and dotted in self.url_names:
            return "name", self.url_names[dotted]
        imported = self._imported(node.func if isinstance(node, cst.Call) else node)
        if imported is not None:
            return "path", ref_token(imported + ("()" if isinstance(node, cst.Call) else ""))
        return None

    def _part_values(self, expr: cst.BaseExpression) -> list[str]:
        """What an f-string part `{x}` may be: a parametrized argument's values, a constant of
        the file, an imported test constant (resolved across files later), else one unknown."""
        if isinstance(expr, cst.Name):
            values = self._param_values(expr.value)
            if values:
                return values
            if expr.value in self.constants:
                return [self.constants[expr.value]]
        imported = self._imported(expr)
        return [ref_token(imported)] if imported is not None else ["{}"]

    def _imported(self, node: cst.BaseExpression) -> str | None:
        """`api_routes.recipes` with `from tests.utils import api_routes`: the qualified name
        of something another module defines, else None."""
        dotted = dotted_name(node)
        resolved = self.ctx.resolve(node) if dotted else None
        if not resolved or resolved == dotted or "." not in resolved:
            return None
        return resolved

    def finish(self) -> None:
        if not self.active:
            return
        tests = any(
            isinstance(stmt, cst.FunctionDef | cst.ClassDef)
            and stmt.name.value.lower().startswith("test")
            for stmt in self.ctx.module.body
        )
        self.ctx.facts[FACTS_KEY] = {
            "requests": self.requests,
            "calls": sorted(self.calls),
            "has_tests": tests or bool(self.requests),
            "exports": self.exported,
        }


# A reference to another test module's URL constant or builder inside a recorded path, resolved
# when every file's facts are joined (test_match.resolve_references).
REF = "\x01"


def ref_token(qualified: str) -> str:
    return f"{REF}{qualified}{REF}"


def _url_builder(node: cst.FunctionDef) -> cst.BaseExpression | None:
    """The returned string of a function whose body is one `return <f-string or string>`
    (mealie's generated `tests/utils/api_routes`)."""
    body = node.body
    if not isinstance(body, cst.IndentedBlock):
        return None
    statements = [
        s
        for s in body.body
        if not (
            isinstance(s, cst.SimpleStatementLine)
            and all(
                isinstance(x, cst.Expr) and isinstance(x.value, cst.SimpleString) for x in s.body
            )
        )
    ]
    if len(statements) != 1 or not isinstance(statements[0], cst.SimpleStatementLine):
        return None
    (stmt,) = statements[0].body if len(statements[0].body) == 1 else (None,)
    if isinstance(stmt, cst.Return) and isinstance(
        stmt.value, cst.FormattedString | cst.SimpleString | cst.ConcatenatedString
    ):
        return stmt.value
    return None
