"""Where tainted data must not arrive: calls, stores and returns the taint specs name as sinks.

Reads `specs` (function, method and typed-receiver sinks, SQL, subprocess, YAML, XML parsers,
headers, session stores) and reports each hit through `Hooks.sink` with its kind; which rule
reports a kind is the rules' business (`Rule.taint_kinds`).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from reviewer.imports import dotted_name
from reviewer.taint import frameworks, specs, syntax
from reviewer.taint.interpreter import Interpreter, SinkHit
from reviewer.taint.values import Taint

_PATH_METHODS = frozenset(
    {"read_text", "read_bytes", "write_text", "write_bytes", "unlink", "rmdir", "iterdir", "touch"}
)
_LIBRARIES = frozenset(
    {
        "sqlalchemy",
        "django",
        "psycopg2",
        "psycopg",
        "sqlite3",
        "pymysql",
        "MySQLdb",
        "mysql",
        "asyncpg",
        "aiosqlite",
        "aiomysql",
        "databases",
        "peewee",
        "pony",
        "records",
        "cx_Oracle",
        "oracledb",
        "pyodbc",
        "ldap",
        "ldap3",
        "lxml",
        "requests",
        "httpx",
        "aiohttp",
        "flask",
        "xml",
        "jinja2",
        "pymongo",
        "motor",
        "redis",
        "clickhouse_driver",
        "snowflake",
        "duckdb",
    }
)
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "cmd", "cmd.exe", "powershell", "pwsh"})


class Sinks(Interpreter):
    """The interpreter's sink half: which calls, stores and returns a taint must not reach."""

    def check_sinks(
        self,
        node: cst.Call,
        name: str,
        method: str,
        args: list[tuple[cst.Arg, Taint | None]],
        positional: list[tuple[cst.Arg, Taint | None]],
        env: dict[str, Taint],
    ) -> bool:
        sink = specs.FUNCTION_SINKS.get(name)
        if sink is None and name in specs.SQL_FUNCTIONS | specs.SQL_FUNCTIONS_ALIASES:
            sink = specs.Sink("sql", f"{name}()")
        if sink is None and method:
            func = node.func
            assert isinstance(func, cst.Attribute)
            owner = func.value
            typ = self.types.get(owner.value, "") if isinstance(owner, cst.Name) else ""
            typed = specs.TYPED_METHOD_SINKS.get(
                typ.split(":")[0] if typ.endswith(":unsafe") else typ
            )
            if typed is not None and method in typed:
                sink = typed[method]
            elif typ == "xml.sax.make_parser:safe" and method == "setFeature":
                if (
                    len(positional) >= 2
                    and (dotted_name(positional[0][0].value) or "").endswith("feature_external_ges")
                    and syntax.is_true(positional[1][0].value)
                ):
                    assert isinstance(owner, cst.Name)
                    self.types[owner.value] = "xml.sax.make_parser"
                return False
            elif (typ and self._is_project_type(typ)) or syntax.owner_is_self(
                owner, self.class_name
            ):
                pass  # a method of the project's own class: its summary decides
            elif method in specs.METHOD_SINKS and name not in specs.PASSTHROUGH_CALLS:
                sink = specs.METHOD_SINKS[method]
                if method == "xpath" and any(a.keyword is not None for a, _ in args):
                    sink = specs.Sink("xpath", sink.label, (0,), (), sink.cwe)
            elif method in specs.SQL_METHODS:
                sink = specs.Sink(
                    "sql", f".{method}() query", (0,), ("statement", "sql", "operation")
                )
            elif (
                method in ("add", "append", "set", "setdefault", "add_header", "__setitem__")
                and isinstance(owner, cst.Attribute)
                and owner.attr.value == "headers"
                and not self._is_request(owner.value)
            ):
                if frameworks.rejects_crlf(self.imports, self.types, owner.value):
                    return True  # the framework refuses CR/LF: no response splitting
                sink = specs.Sink("header", "response header", (0, 1), (), 113)
        if sink is not None:
            self._check_args(sink, node, name, args, positional)
            return True
        if method in _PATH_METHODS and isinstance(node.func, cst.Attribute):
            receiver = self.expr(node.func.value, env)
            if receiver is not None:
                self._sink("path", f"Path.{method}()", node.func.value, receiver, 22)
            return True
        if name in specs.SUBPROCESS_CALLS:
            self._check_subprocess(node, name, args, env)
            return True
        if name in ("yaml.load", "yaml.load_all"):
            loader = syntax.arg(node, 1, "Loader")
            loader_name = (
                self.imports.resolve(loader)
                if loader is not None and isinstance(loader, cst.Name | cst.Attribute)
                else ""
            )
            if not (loader_name or "").endswith(("SafeLoader", "CSafeLoader", "BaseLoader")):
                self._check_args(
                    specs.Sink("deserialization", f"{name}() with an unsafe Loader"),
                    node,
                    name,
                    args,
                    positional,
                )
            return True
        return False

    def upload_sink(
        self, method: str, receiver: Taint | None, positional: list[tuple[cst.Arg, Taint | None]]
    ) -> bool:
        """`request.files["f"].save(path)`: the path an upload is written to."""
        if (
            method == "save"
            and receiver is not None
            and receiver.sources()
            and positional
            and positional[0][1] is not None
        ):
            arg_node, arg_taint = positional[0]
            if arg_taint is not None:
                self._sink("path", "uploaded file .save() path", arg_node.value, arg_taint, 22)
            return True
        return False

    def store_sinks(
        self, target: cst.Subscript, holder: cst.BaseExpression, key: str, value: Taint
    ) -> bool:
        sunk = False
        resolved = self.imports.resolve(holder) or ""
        if resolved in specs.SESSION_OBJECTS or (
            isinstance(holder, cst.Attribute)
            and holder.attr.value == "session"
            and self._is_request(holder.value)
        ):
            self._sink("trust", "the session", target, value, 501)
            sunk = True
        elif (
            isinstance(holder, cst.Attribute)
            and holder.attr.value == "headers"
            and not self._is_request(holder.value)
        ) or (
            isinstance(holder, cst.Name)
            and self.types.get(holder.value, "") in specs.RESPONSE_CONSTRUCTORS
        ):
            response = holder.value if isinstance(holder, cst.Attribute) else holder
            if not frameworks.rejects_crlf(self.imports, self.types, response):
                self._sink("header", f"response header {key or ''}".strip(), target, value, 113)
            sunk = True
        if key and "random" in self._kinds_for(value):
            self._name_sink(key, target, value)
        return sunk

    def return_sinks(self, value: cst.BaseExpression, taint: Taint, env: dict[str, Taint]) -> None:
        """A Flask view's returned HTML (xss), a token maker's returned value (random)."""
        if self.return_sink == "xss":
            shown: cst.BaseExpression = value
            shown_taint: Taint | None = taint
            if isinstance(value, cst.Tuple) and value.elements:
                shown = value.elements[0].value
                shown_taint = self.expr(shown, env)
            if shown_taint is not None and syntax.stringish(shown):
                self._sink("xss", "HTML response returned by a Flask view", shown, shown_taint, 79)
        elif self.return_sink == "random":
            self._sink("random", f"value returned by {self.fn_name}()", value, taint, 338)

    def _is_project_type(self, typ: str) -> bool:
        top = typ.split(".")[0]
        return top == self.imports.module.split(".")[0] or top not in _LIBRARIES

    def _check_args(
        self,
        sink: specs.Sink,
        node: cst.Call,
        name: str,
        args: list[tuple[cst.Arg, Taint | None]],
        positional: list[tuple[cst.Arg, Taint | None]],
    ) -> None:
        cap = "high"
        if sink.kind == "xxe":
            parser = syntax.arg(node, 1, "parser")
            if parser is not None:
                ptype = ""
                if isinstance(parser, cst.Name):
                    ptype = self.types.get(parser.value, "")
                elif isinstance(parser, cst.Call):
                    ptype = self.imports.resolve(parser.func) or ""
                    if syntax.kw_is(parser, "resolve_entities", False):
                        ptype += ":safe"
                if ptype.endswith(":safe") or (ptype and "XMLParser" not in ptype):
                    return
                cap = "high" if ptype.endswith(":unsafe") else "medium"
            else:
                cap = "medium"
        if sink.kind == "xss":
            declared = next(
                (
                    syntax.literal(a.value) or "?"
                    for a in node.args
                    if a.keyword is not None and a.keyword.value in specs.CONTENT_TYPE_KEYWORDS
                ),
                "",
            )
            if not declared and self.assigning is not None and self.assigning[0] is node:
                declared = self._declared_later(self.assigning[1])
            if declared and "html" not in declared:
                return  # JSON, plain text, CSV...: not rendered as HTML
            if not declared and name in specs.HTML_ONLY_WHEN_DECLARED:
                return
        if name == "numpy.load" and not syntax.kw_is(node, "allow_pickle", True):
            return
        if name == "torch.load" and syntax.kw_is(node, "weights_only", True):
            return
        if (
            name in ("flask.send_file", "flask.helpers.send_file")
            and syntax.arg(node, 0, "path_or_file") is not None
        ):
            pass
        for index, (arg, taint) in enumerate(positional):
            if index in sink.positions and taint is not None:
                self._sink(sink.kind, sink.label, arg.value, taint, sink.cwe, cap)
        for arg, taint in args:
            if arg.keyword is not None and arg.keyword.value in sink.keywords and taint is not None:
                self._sink(sink.kind, sink.label, arg.value, taint, sink.cwe, cap)

    def _declared_later(self, name: str) -> str:
        """The Content-Type this function gives the response it stored in `name` (`r.mimetype =
        "text/plain"`, `r.headers["Content-Type"] = ...`, `r.content_type = ...`): the literal,
        "?" for a computed one, "" when none is set."""
        if not name or self.fn_node is None:
            return ""
        found = ""
        for assign in _assignments(self.fn_node):
            for target in assign.targets:
                t = target.target
                if isinstance(t, cst.Attribute) and t.attr.value in ("mimetype", "content_type"):
                    owner = t.value
                elif (
                    isinstance(t, cst.Subscript)
                    and isinstance(t.value, cst.Attribute)
                    and t.value.attr.value == "headers"
                    and syntax.const_key(t).lower() == "content-type"
                ):
                    owner = t.value.value
                else:
                    continue
                if isinstance(owner, cst.Name) and owner.value == name:
                    value = syntax.literal(assign.value) or "?"
                    if "html" in value.lower():
                        return value
                    found = value
        return found

    def _check_subprocess(
        self,
        node: cst.Call,
        name: str,
        args: list[tuple[cst.Arg, Taint | None]],
        env: dict[str, Taint],
    ) -> None:
        first = syntax.arg(node, 0, "args")
        if first is None:
            return
        taint = next((t for a, t in args if a.value is first), None)
        if syntax.kw_is(node, "shell", True):
            if taint is not None:
                self._sink("command", f"{name}(..., shell=True)", first, taint, 78)
            return
        if name == "asyncio.create_subprocess_exec":
            program_taint, program = taint, first
        elif isinstance(first, cst.List | cst.Tuple):
            if not first.elements:
                return
            program = first.elements[0].value
            program_taint = self.expr(program, env)
            if (
                program_taint is None
                and len(first.elements) >= 3
                and syntax.literal(program).rsplit("/", 1)[-1] in _SHELLS
                and syntax.literal(first.elements[1].value) in ("-c", "/c", "-Command")
            ):
                program = first.elements[2].value
                program_taint = self.expr(program, env)
        else:
            program, program_taint = first, taint
        if program_taint is not None:
            self._sink("command", f"{name}() program name", program, program_taint, 78)

    def _name_sink(self, name: str, node: cst.CSTNode, taint: Taint) -> None:
        if specs.SECURITY_NAME.search(name):
            self._sink("random", f"security value {name}", node, taint, 338)

    def _sink(
        self,
        kind: str,
        label: str,
        node: cst.CSTNode,
        taint: Taint,
        cwe: int = 0,
        cap: str = "high",
    ) -> None:
        self.has_sink = True
        self.hooks.sink(SinkHit(kind, label, node, taint, cwe, cap))


def _assignments(fn: cst.FunctionDef) -> list[cst.Assign]:
    """Every assignment statement of a function body (not of the defs nested in it)."""
    found: list[cst.Assign] = []
    stack: list[cst.CSTNode] = [*_suite(fn.body)]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.SimpleStatementLine):
            found.extend(s for s in node.body if isinstance(s, cst.Assign))
        elif isinstance(
            node, cst.BaseCompoundStatement | cst.Else | cst.Finally | cst.ExceptHandler
        ):
            if isinstance(node, cst.FunctionDef | cst.ClassDef):
                continue
            stack.extend(_suite(node.body))
            orelse = getattr(node, "orelse", None)
            if orelse is not None:
                stack.append(orelse)
            stack.extend(getattr(node, "handlers", ()))
            final = getattr(node, "finalbody", None)
            if final is not None:
                stack.append(final)
    return found


def _suite(body: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return body.body if isinstance(body, cst.IndentedBlock) else ()
