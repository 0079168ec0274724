"""The abstract interpreter of one function's libcst tree: the part that knows no library.

Statements update an environment (name -> Taint), branches are joined, loops run twice,
`if x not in ALLOWED: return` style guards clear taint after the `if`. Where client data enters
(`sources`) and where it must not arrive (`sinks`) are the subclasses' business, and calls into
project code go to `Hooks`, so the same interpreter computes summaries in phase 1 (symbolic
parameters and call results) and flows in phase 2 (concrete taints).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from reviewer.imports import ImportTable, dotted_name
from reviewer.taint import specs, syntax
from reviewer.taint.values import Taint, merge, merge_all

ALL = specs.ALL_KINDS
_ADDERS = frozenset({"append", "extend", "add", "insert", "update", "setdefault", "appendleft"})
_SCALARS = frozenset({"int", "float", "bool"})
_TERMINATORS = frozenset({"flask.abort", "abort", "sys.exit", "exit", "os._exit", "quit"})
_CHECKED = "@"  # environment keys of checked client-data reads (no variable name has it)


@dataclass
class SinkHit:
    """A tainted value reaching a sink (phase 2) or any sink being reached (phase 1)."""

    kind: str
    label: str
    node: cst.CSTNode  # where to report
    taint: Taint
    cwe: int = 0
    confidence_cap: str = "high"


class Hooks:
    """What the interpreter asks its phase: parameter taints, project calls, sink reports."""

    def param(self, index: int, name: str, node: cst.Param) -> Taint | None:
        return None

    def project_call(
        self,
        callee: str,
        bound: bool,
        call: cst.Call,
        args: Sequence[tuple[str, Taint | None]],
    ) -> tuple[bool, Taint | None]:
        """(handled, result): handled False means "not project code, use the defaults"."""
        return False, None

    def sink(self, hit: SinkHit) -> None:
        """A sink reached by a value with taint (called for any taint, even symbolic)."""

    def guard(self, callee: str) -> dict[int, frozenset[str]]:
        """Parameters a project function validates (see FunctionAnalyzer._record_guard)."""
        return {}

    def field(self, attr: str, node: cst.CSTNode) -> Taint | None:
        """The taint callers store in `self.<attr>` of the current class."""
        return None

    def is_enum(self, qname: str) -> bool:
        """`qname` is an `enum.Enum` subclass (of the project or the standard library)."""
        return qname in specs.ENUM_CLASSES


class Interpreter:
    """Runs over one function (or a module's top-level statements); see the module docstring."""

    def __init__(
        self,
        module: cst.Module,
        imports: ImportTable,
        hooks: Hooks,
        local_functions: frozenset[str],
        local_classes: frozenset[str],
        class_name: str | None = None,
        with_trail: bool = True,
        qname: str = "",
        defs: frozenset[str] = frozenset(),
    ) -> None:
        self.module = module
        self.qname = qname  # this function's qualified name
        self.defs = defs  # the qualified names of every def of the module (nested ones too)
        self.imports = imports
        self.hooks = hooks
        self.local_functions = local_functions
        self.local_classes = local_classes
        self.class_name = class_name
        self.with_trail = with_trail
        self.request_names: set[str] = set(specs.REQUEST_PARAM_NAMES)
        self.params: set[str] = set()
        self.param_index: dict[str, int] = {}
        self.guards: dict[int, frozenset[str]] | None = None  # parameter -> kinds it validates
        self.fields: dict[str, Taint] = {}  # self.<attr> stores in a method
        self.types: dict[str, str] = {}
        self.derived: dict[str, str] = {}
        self.returns: Taint | None = None
        self.return_sink: str | None = None  # "xss" for Flask views, "random" for token makers
        self.has_source = False
        self.has_sink = False
        self.fn_name = ""
        self.fn_node: cst.FunctionDef | None = None
        self.assigning: tuple[cst.BaseExpression, str] | None = None  # (value, target name)

    # -- entry points ------------------------------------------------------------------

    def run_function(self, fn: cst.FunctionDef) -> None:
        self.fn_name = fn.name.value
        self.fn_node = fn
        env = self.enter_function(fn)
        self.block(fn.body.body, env)

    def run_module(self, statements: Sequence[cst.BaseStatement]) -> None:
        self.fn_name = "<module>"
        self.block([s for s in statements if not isinstance(s, cst.FunctionDef | cst.ClassDef)], {})

    # -- statements --------------------------------------------------------------------

    def block(
        self,
        statements: Sequence[cst.BaseStatement | cst.BaseSmallStatement],
        env: dict[str, Taint],
    ) -> tuple[dict[str, Taint], bool]:
        for stmt in statements:
            env, done = self.statement(stmt, env)
            if done:
                return env, True
        return env, False

    def statement(self, stmt: cst.CSTNode, env: dict[str, Taint]) -> tuple[dict[str, Taint], bool]:
        if type(stmt) is cst.SimpleStatementLine:
            return self.block(stmt.body, env)
        if type(stmt) is cst.Assign:
            only = stmt.targets[0].target if len(stmt.targets) == 1 else None
            self.assigning = (stmt.value, only.value if type(only) is cst.Name else "")
            value = self.expr(stmt.value, env)
            self.assigning = None
            for target in stmt.targets:
                self.assign(target.target, value, env, stmt.value)
            return env, False
        if type(stmt) is cst.AnnAssign:
            if stmt.value is not None:
                self.assign(stmt.target, self.expr(stmt.value, env), env, stmt.value)
            return env, False
        if type(stmt) is cst.AugAssign:
            value = merge(self.expr(stmt.target, env), self.expr(stmt.value, env))
            self.assign(stmt.target, value, env, stmt.value)
            return env, False
        if type(stmt) is cst.Expr:
            self.expr(stmt.value, env)
            return env, self._terminates_expr(stmt.value)
        if type(stmt) is cst.Return:
            if stmt.value is not None:
                self.returned(stmt.value, env)
            return env, True
        if type(stmt) is cst.Raise:
            if stmt.exc is not None:
                self.expr(stmt.exc, env)
            return env, True
        if type(stmt) is cst.Continue or type(stmt) is cst.Break:
            return env, True
        if type(stmt) is cst.Assert:
            self.expr(stmt.test, env)
            pos, _ = self.refine(stmt.test, env)
            return self.apply(env, pos), False
        if type(stmt) is cst.Del:
            if isinstance(stmt.target, cst.Name):
                env = dict(env)
                env.pop(stmt.target.value, None)
            return env, False
        if type(stmt) is cst.If:
            return self.if_(stmt, env)
        if type(stmt) is cst.For:
            return self.for_(stmt, env)
        if type(stmt) is cst.While:
            self.expr(stmt.test, env)
            first, _ = self.block(stmt.body.body, dict(env))
            out = join(env, first)
            if out != env:
                second, _ = self.block(stmt.body.body, dict(out))
                out = join(out, second)
            if stmt.orelse is not None:
                out, _ = self.block(stmt.orelse.body.body, out)
            return out, False
        if type(stmt) is cst.Try or type(stmt) is cst.TryStar:
            return self.try_(stmt, env)
        if type(stmt) is cst.With:
            env = dict(env)
            for item in stmt.items:
                value = self.expr(item.item, env)
                if item.asname is not None:
                    self.remember_type(item.asname.name, item.item)
                    self.assign(item.asname.name, value, env, item.item)
            return self.block(stmt.body.body, env)
        if type(stmt) is cst.Match:
            self.expr(stmt.subject, env)
            outs = [self.block(case.body.body, dict(env)) for case in stmt.cases]
            live = [e for e, done in outs if not done]
            return (join_all([env, *live]), False)
        return env, False  # nested defs, classes, imports, pass, global...

    def if_(self, stmt: cst.If, env: dict[str, Taint]) -> tuple[dict[str, Taint], bool]:
        self.expr(stmt.test, env)
        pos, neg = self.refine(stmt.test, env)
        then_env, then_done = self.block(stmt.body.body, dict(self.apply(env, pos)))
        else_env = dict(self.apply(env, neg))
        else_done = False
        if isinstance(stmt.orelse, cst.If):
            else_env, else_done = self.if_(stmt.orelse, else_env)
        elif isinstance(stmt.orelse, cst.Else):
            else_env, else_done = self.block(stmt.orelse.body.body, else_env)
        if then_done and else_done:
            return join(then_env, else_env), True
        if then_done:
            return else_env, False
        if else_done:
            return then_env, False
        return join(then_env, else_env), False

    def for_(self, stmt: cst.For, env: dict[str, Taint]) -> tuple[dict[str, Taint], bool]:
        items = self.expr(stmt.iter, env)
        loop_env = dict(env)
        self.assign(stmt.target, items, loop_env, stmt.iter)
        first, _ = self.block(stmt.body.body, dict(loop_env))
        joined = join(loop_env, first)
        if joined != loop_env:  # loop-carried taint: one more pass
            second, _ = self.block(stmt.body.body, dict(joined))
            joined = join(joined, second)
        out = join(env, joined)
        if stmt.orelse is not None:
            out, _ = self.block(stmt.orelse.body.body, out)
        return out, False

    def try_(
        self, stmt: cst.Try | cst.TryStar, env: dict[str, Taint]
    ) -> tuple[dict[str, Taint], bool]:
        body_env, body_done = self.block(stmt.body.body, dict(env))
        outs: list[tuple[dict[str, Taint], bool]] = []
        if stmt.orelse is not None and not body_done:
            outs.append(self.block(stmt.orelse.body.body, body_env))
        else:
            outs.append((body_env, body_done))
        for handler in stmt.handlers:
            outs.append(self.block(handler.body.body, join(env, body_env)))
        live = [e for e, done in outs if not done]
        out = join_all(live) if live else join(env, body_env)
        if stmt.finalbody is not None:
            out, _ = self.block(stmt.finalbody.body.body, out)
        return out, not live

    def _terminates_expr(self, expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Await):
            expr = expr.expression
        if isinstance(expr, cst.Call):
            name = self.imports.resolve(expr.func) or ""
            return name in _TERMINATORS or name.endswith(".abort")
        return False

    def returned(self, value: cst.BaseExpression, env: dict[str, Taint]) -> None:
        self._record_guard(value, env)
        taint = self.expr(value, env)
        if taint is None:
            return
        self.returns = merge(
            self.returns, taint.step(value, "returned") if self.with_trail else taint
        )
        self.return_sinks(value, taint, env)

    def _record_guard(self, value: cst.BaseExpression, env: dict[str, Taint]) -> None:
        """A function whose every return is False/None, a check of a parameter, or True after
        checks of it is a guard: `if not is_allowed(url): abort()` then clears `url` at the call
        site."""
        if self.guards is None:
            return
        if isinstance(value, cst.Name) and value.value in ("False", "None"):
            return
        if isinstance(value, cst.Name) and value.value == "True":
            # `if parsed.netloc: return False ... return True`: the checks made on the way
            # here are what the True answer vouches for
            found = {
                i: env[n].cleared
                for n, i in self.param_index.items()
                if n in env and env[n].cleared and f"P:{i}" in env[n].labels
            }
        else:
            pos, _ = self.refine(value, env)
            found = {self.param_index[n]: k for n, k in pos.items() if n in self.param_index}
        if not found:
            self.guards = None
            return
        for index, kinds in found.items():
            self.guards[index] = self.guards.get(index, kinds) & kinds
        for index in list(self.guards):
            if index not in found:
                del self.guards[index]

    # -- assignments -------------------------------------------------------------------

    def assign(
        self,
        target: cst.BaseExpression,
        value: Taint | None,
        env: dict[str, Taint],
        source_expr: cst.BaseExpression | None = None,
    ) -> None:
        if isinstance(target, cst.Name):
            name = target.value
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value.step(target, f"assigned to {name}") if self.with_trail else value
            if source_expr is not None:
                self.remember_type(target, source_expr)
            if value is not None and "random" in self._kinds_for(value):
                self._name_sink(name, target, value)
            return
        if isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                inner = element.value
                if isinstance(element, cst.StarredElement):
                    inner = element.value
                self.assign(inner, value, env)
            return
        if isinstance(target, cst.StarredElement):
            self.assign(target.value, value, env)
            return
        if isinstance(target, cst.Attribute):
            key = dotted_name(target)
            if (
                key is not None
                and value is not None
                and self.class_name
                and key == f"self.{target.attr.value}"
            ):
                self.fields[target.attr.value] = (
                    merge(self.fields.get(target.attr.value), value) or value
                )
            if key is not None:
                if value is None:
                    env.pop(key, None)
                else:
                    env[key] = value.step(target, f"stored in {key}") if self.with_trail else value
                    root = key.split(".")[0]
                    if root != "self":
                        env[root] = merge(env.get(root), value) or value
                if value is not None and "random" in self._kinds_for(value):
                    self._name_sink(target.attr.value, target, value)
            return
        if isinstance(target, cst.Subscript):
            self.subscript_store(target, value, env)

    def subscript_store(
        self, target: cst.Subscript, value: Taint | None, env: dict[str, Taint]
    ) -> None:
        holder = target.value
        key = syntax.const_key(target)
        sunk = False
        if value is not None:
            sunk = self.store_sinks(target, holder, key, value)
        # A store into a container taints the container (weak update).
        root = holder
        while isinstance(root, cst.Subscript | cst.Attribute):
            root = root.value
        if isinstance(root, cst.Name) and value is not None and not sunk:
            name = root.value
            stepped = value.step(target, f"stored in {name}") if self.with_trail else value
            env[name] = merge(env.get(name), stepped) or stepped

    def remember_type(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if not isinstance(target, cst.Name):
            return
        expr = value.expression if isinstance(value, cst.Await) else value
        if isinstance(expr, cst.Call):
            name = self.imports.resolve(expr.func) or ""
            if name == "lxml.etree.XMLParser":
                safe = syntax.kw_is(expr, "resolve_entities", False)
                unsafe = syntax.kw_is(expr, "resolve_entities", True) or syntax.kw_is(
                    expr, "no_network", False
                )
                name += ":safe" if safe else ":unsafe" if unsafe else ""
            elif name == "xml.sax.make_parser":
                name += ":safe"
            elif name in self.local_classes:
                name = f"{self.imports.module}.{name}"
            plain = name.split(":")[0]
            last = plain.rsplit(".", 1)[-1]
            if (
                last[:1].isupper()
                or plain in specs.TYPED_METHOD_SINKS
                or name in specs.RESPONSE_CONSTRUCTORS
            ):
                self.types[target.value] = name
            else:
                self.types.pop(target.value, None)
            origin = _derived_from(expr)
            if origin is not None:
                self.derived[target.value] = origin
        elif isinstance(expr, cst.Attribute | cst.Name):
            base = dotted_name(expr)
            if base and base.split(".")[0] in self.derived:
                self.derived[target.value] = self.derived[base.split(".")[0]]

    # -- guards --------------------------------------------------------------------------

    def refine(
        self, test: cst.BaseExpression, env: dict[str, Taint]
    ) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
        """Names made safe when `test` is true (pos) and when it is false (neg)."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            pos, neg = self.refine(test.expression, env)
            return neg, pos
        if isinstance(test, cst.BooleanOperation):
            lp, ln = self.refine(test.left, env)
            rp, rn = self.refine(test.right, env)
            if isinstance(test.operator, cst.And):
                return {**lp, **rp}, {}
            return {}, {**ln, **rn}
        if isinstance(test, cst.Attribute) and test.attr.value in ("netloc", "hostname", "host"):
            # `if parsed.netloc: return False`: past it the URL names no host (a relative path)
            return {}, {s: frozenset({"redirect", "ssrf"}) for s in self._subjects(test)}
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            comp = test.comparisons[0]
            op = comp.operator
            right_taint = self.expr(comp.comparator, env)
            subjects = self._subjects(test.left)
            kinds = ALL
            if isinstance(test.left, cst.Attribute) and test.left.attr.value in (
                "netloc",
                "hostname",
                "scheme",
                "host",
            ):
                kinds = frozenset({"redirect", "ssrf"})
            if isinstance(test.left, cst.Call):
                called = self.imports.resolve(test.left.func) or ""
                if called.endswith("commonpath") or called.endswith("commonprefix"):
                    kinds = frozenset({"path"})
                    subjects = {
                        s
                        for arg in test.left.args
                        for el in syntax.elements(arg.value)
                        for s in self._subjects(el)
                    }
            if right_taint is not None and right_taint.sources():
                return {}, {}
            refined = {s: kinds for s in subjects}
            if isinstance(op, cst.In | cst.Equal | cst.Is):
                return refined, {}
            if isinstance(op, cst.NotIn | cst.NotEqual | cst.IsNot):
                return {}, refined
            return {}, {}
        if isinstance(test, cst.Call):
            name = self.imports.resolve(test.func) or ""
            if name in ("isinstance",) and test.args:
                return {s: ALL for s in self._subjects(test.args[0].value)}, {}
            if name in specs.GUARD_CALLS:
                index = 1 if name.startswith("re.") else 0
                if len(test.args) > index:
                    kinds = _expand(specs.GUARD_CALLS[name])
                    return {s: kinds for s in self._subjects(test.args[index].value)}, {}
            if isinstance(test.func, cst.Attribute):
                method = test.func.attr.value
                if method in specs.GUARD_METHODS:
                    kinds = _expand(specs.GUARD_METHODS[method])
                    receiver = test.func.value
                    if method in ("match", "fullmatch") and test.args:
                        # compiled_pattern.match(value)
                        return {s: kinds for s in self._subjects(test.args[0].value)}, {}
                    return {s: kinds for s in self._subjects(receiver)}, {}
            callee, bound = self.callee_of(test.func, name)
            if callee:
                guards = self.hooks.guard(callee)
                positional = [a.value for a in test.args if a.keyword is None and not a.star]
                out: dict[str, frozenset[str]] = {}
                for index, kinds in guards.items():
                    at = index - (1 if bound else 0)
                    if 0 <= at < len(positional):
                        for subject in self._subjects(positional[at]):
                            out[subject] = kinds
                if out:
                    return out, {}
        return {}, {}

    def _subjects(self, expr: cst.BaseExpression) -> set[str]:
        """The names a check of `expr` is about (its root name and what that was derived from),
        or, for a read of client data such as `request.args.get("next")`, that expression's
        key: the same read later in the branch is the checked value."""
        reads = type(expr) is cst.Call or type(expr) is cst.Attribute or type(expr) is cst.Subscript
        if reads and self._reads_source(expr):
            return {_expr_key(self.module, expr)}
        while True:
            if isinstance(expr, cst.Attribute | cst.Subscript):
                expr = expr.value
            elif isinstance(expr, cst.Call):
                if isinstance(expr.func, cst.Attribute) and not expr.args:
                    expr = expr.func.value
                elif expr.args:
                    expr = expr.args[0].value
                else:
                    return set()
            elif isinstance(expr, cst.Await):
                expr = expr.expression
            else:
                break
        if not isinstance(expr, cst.Name):
            return set()
        names = {expr.value}
        seen = expr.value
        while seen in self.derived and self.derived[seen] not in names:
            seen = self.derived[seen]
            names.add(seen)
        return names

    def apply(self, env: dict[str, Taint], refined: dict[str, frozenset[str]]) -> dict[str, Taint]:
        if not refined:
            return env
        out = dict(env)
        for name, kinds in refined.items():
            if name in out:
                out[name] = out[name].with_(cleared=kinds)
            elif name[:1] == _CHECKED:  # a checked read of client data: a marker, no value
                out[name] = Taint(frozenset(), cleared=kinds)
        return out

    def _reads_source(self, expr: cst.BaseExpression) -> bool:
        """`expr` itself reads client data (`request.args.get("x")`, `request.form["x"]`)."""
        if type(expr) is cst.Call:
            func = expr.func
            return type(func) is cst.Attribute and self.source_of(func) is not None
        assert isinstance(expr, cst.Attribute | cst.Subscript)
        return self.source_of(expr) is not None

    def _checked(self, node: cst.BaseExpression, taint: Taint, env: dict[str, Taint]) -> Taint:
        """A read of client data the branch has checked (see `_subjects`) is cleared as the
        check made it."""
        if not any(key[:1] == _CHECKED for key in env):
            return taint
        mark = env.get(_expr_key(self.module, node))
        return taint if mark is None else taint.with_(cleared=mark.cleared)

    # -- expressions -------------------------------------------------------------------

    def expr(self, node: cst.BaseExpression, env: dict[str, Taint]) -> Taint | None:
        if type(node) is cst.Name:
            return env.get(node.value)
        if type(node) is cst.Attribute:
            src = self.source_of(node)
            if src is not None:
                return self._checked(node, src, env)
            key = dotted_name(node)
            if key is not None and key in env:
                return env[key]
            if self.class_name and key == f"self.{node.attr.value}":
                stored = self.hooks.field(node.attr.value, node)
                if stored is not None:
                    return stored
            if node.attr.value in specs.VALIDATED_ATTRS:
                return None
            return self.expr(node.value, env)
        if type(node) is cst.Subscript:
            src = self.source_of(node)
            if src is not None:
                return self._checked(node, src, env)
            for element in node.slice:
                if isinstance(element.slice, cst.Index):
                    self.expr(element.slice.value, env)
            return self.expr(node.value, env)
        if type(node) is cst.Call:
            return self.call(node, env)
        if type(node) is cst.Await:
            return self.expr(node.expression, env)
        if type(node) is cst.BinaryOperation:
            if type(node.operator) is cst.Add and _builds_text(node):
                return _joined(
                    [
                        (syntax.literal(op), None)
                        if type(op) is cst.SimpleString
                        else (None, self.expr(op, env))
                        for op in _added(node)
                    ]
                )
            both = merge(self.expr(node.left, env), self.expr(node.right, env))
            if (
                both is not None
                and isinstance(node.operator, cst.Modulo)
                and isinstance(node.left, cst.Call)
                and (self.imports.resolve(node.left.func) or "").endswith("Markup")
            ):
                return both.with_(cleared=frozenset({"xss", "template"}))  # Markup % escapes
            return both
        if type(node) is cst.FormattedString:
            return _joined(
                [
                    (None, self.expr(part.expression, env))
                    if isinstance(part, cst.FormattedStringExpression)
                    else (part.value if isinstance(part, cst.FormattedStringText) else None, None)
                    for part in node.parts
                ]
            )
        if type(node) is cst.ConcatenatedString:
            return merge(self.expr(node.left, env), self.expr(node.right, env))
        if type(node) is cst.List or type(node) is cst.Tuple or type(node) is cst.Set:
            return merge_all([self.expr(e.value, env) for e in node.elements])
        if type(node) is cst.Dict:
            parts: list[Taint | None] = []
            for item in node.elements:
                value_t = self.expr(item.value, env)
                parts.append(value_t)
                if isinstance(item, cst.DictElement):
                    self.expr(item.key, env)
                    if (
                        isinstance(item.key, cst.SimpleString)
                        and value_t is not None
                        and "random" in self._kinds_for(value_t)
                    ):
                        self._name_sink(str(item.key.evaluated_value), item.value, value_t)
            return merge_all(parts)
        if (
            type(node) is cst.ListComp
            or type(node) is cst.SetComp
            or type(node) is cst.GeneratorExp
            or type(node) is cst.DictComp
        ):
            inner = dict(env)
            comp: cst.CompFor | None = node.for_in
            while comp is not None:
                self.assign(comp.target, self.expr(comp.iter, inner), inner)
                for cond in comp.ifs:
                    self.expr(cond.test, inner)
                    pos, _ = self.refine(cond.test, inner)
                    inner = self.apply(inner, pos)
                comp = comp.inner_for_in
            if isinstance(node, cst.DictComp):
                return merge(self.expr(node.key, inner), self.expr(node.value, inner))
            return self.expr(node.elt, inner)
        if type(node) is cst.IfExp:
            self.expr(node.test, env)
            pos, neg = self.refine(node.test, env)
            return merge(
                self.expr(node.body, self.apply(env, pos)),
                self.expr(node.orelse, self.apply(env, neg)),
            )
        if type(node) is cst.BooleanOperation:
            return merge(self.expr(node.left, env), self.expr(node.right, env))
        if type(node) is cst.Comparison:
            self.expr(node.left, env)
            for comparison in node.comparisons:
                self.expr(comparison.comparator, env)
            return None
        if type(node) is cst.UnaryOperation:
            inner_t = self.expr(node.expression, env)
            return None if isinstance(node.operator, cst.Not) else inner_t
        if type(node) is cst.NamedExpr:
            value = self.expr(node.value, env)
            self.assign(node.target, value, env, node.value)
            return value
        if type(node) is cst.StarredElement:
            return self.expr(node.value, env)
        if type(node) is cst.Yield and isinstance(node.value, cst.BaseExpression):
            self.returned(node.value, env)
            return None
        return None

    def call(self, node: cst.Call, env: dict[str, Taint]) -> Taint | None:
        func = node.func
        name = (
            self.imports.resolve(func)
            if (type(func) is cst.Name or type(func) is cst.Attribute)
            else None
        )
        name = name or ""
        receiver: Taint | None = None
        method = ""
        if type(func) is cst.Attribute:
            method = func.attr.value
            if self.source_of(func) is not None:
                self._eval_args(node, env)
                if method == "get" and syntax.kw_name(node, "type") in _SCALARS:
                    return None  # request.args.get("n", type=int) converts
                return self._checked(
                    node, self._source(node, syntax.describe(self.module, node)), env
                )
            receiver = self.expr(func.value, env)
        elif type(func) is not cst.Name:
            self.expr(func, env)
        args = self._eval_args(node, env)
        positional = [(a, t) for a, t in args if a.keyword is None and not a.star]
        all_args = merge_all([t for _, t in args])

        # Sources.
        source = self.call_source(node, name, method)
        if source is not None:
            return source
        # Sinks.
        if self.check_sinks(node, name, method, args, positional, env):
            return None
        # Results.
        if name in specs.KILLER_CALLS:
            return None
        if name.split(".")[-1] in ("render_template", "render", "TemplateResponse"):
            return None
        if name in specs.SANITIZERS:
            if all_args is None:
                return None
            kinds = specs.SANITIZERS[name]
            sanitized = all_args.with_(cleared=kinds)
            return sanitized.step(node, f"sanitized by {name}()") if self.with_trail else sanitized
        if name in specs.PASSTHROUGH_CALLS:
            return all_args
        callee, bound = self.callee_of(func, name)
        if callee and bound:  # a method of a project class: its summary beats name heuristics
            keyed = [(syntax.arg_key(i, a), t) for i, (a, t) in enumerate(args)]
            handled, result = self.hooks.project_call(
                callee, bound, node, [*keyed, ("recv", receiver)]
            )
            if handled:
                return result
        if method == "get" and receiver is not None and syntax.kw_name(node, "type") in _SCALARS:
            return None  # request.args.get("n", type=int) converts
        if self.upload_sink(method, receiver, positional):
            return None
        if method in _ADDERS and all_args is not None and type(func) is cst.Attribute:
            self._store_into(func.value, all_args, node, env)
        if method:
            if method in specs.VALIDATOR_METHODS:
                return None
            if receiver is not None and method in specs.PASSTHROUGH_METHODS:
                return merge(receiver, all_args)
            if type(func) is cst.Attribute and isinstance(
                func.value, cst.SimpleString | cst.ConcatenatedString | cst.FormattedString
            ):
                return all_args  # "sep".join(x), "...{}".format(x)
            if method in specs.KILLER_METHODS:
                return None
        if callee and not bound:
            handled, result = self.hooks.project_call(
                callee, bound, node, [(syntax.arg_key(i, a), t) for i, (a, t) in enumerate(args)]
            )
            if handled:
                return result
        if method == "get" and receiver is None and 0 < len(positional) == len(args) <= 2:
            # a lookup on a mapping that holds no client data: the value stored under the key
            # or the default, not the key (`watches.get(uuid)` is a stored watch)
            return positional[1][1] if len(positional) == 2 else None
        unresolved = merge(receiver, all_args)
        if unresolved is None:
            return None
        weak = unresolved.with_(weak=True)
        label = name or method or "call"
        return weak.step(node, f"through unresolved call {label}()") if self.with_trail else weak

    def _store_into(
        self, holder: cst.BaseExpression, value: Taint, node: cst.CSTNode, env: dict[str, Taint]
    ) -> None:
        key = dotted_name(holder)
        if key is None:
            return
        stepped = value.step(node, f"stored in {key}") if self.with_trail else value
        env[key] = merge(env.get(key), stepped) or stepped

    def _eval_args(
        self, node: cst.Call, env: dict[str, Taint]
    ) -> list[tuple[cst.Arg, Taint | None]]:
        out = []
        for arg in node.args:
            taint = self.expr(arg.value, env)
            out.append((arg, taint))
            if arg.keyword is not None and taint is not None and "random" in self._kinds_for(taint):
                self._name_sink(arg.keyword.value, arg.value, taint)
        return out

    def callee_of(self, func: cst.BaseExpression, name: str) -> tuple[str, bool]:
        """The qualified name of a call that may be project code, and whether it is bound."""
        module = self.imports.module
        if isinstance(func, cst.Name):
            if name == func.value and (nested := self._nested_def(name)):
                return nested, False
            if name in self.local_functions or name in self.local_classes:
                return f"{module}.{name}", False
            if name != func.value:
                return name, False  # imported
            return "", False
        if isinstance(func, cst.Attribute):
            base = func.value
            if isinstance(base, cst.Name):
                if base.value in ("self", "cls") and self.class_name:
                    return f"{module}.{self.class_name}.{func.attr.value}", True
                if base.value in self.types:
                    typ = self.types[base.value].split(":")[0]
                    return f"{typ}.{func.attr.value}", True
                if base.value in self.local_classes:
                    return f"{module}.{base.value}.{func.attr.value}", False
                head = self.imports.names.get(base.value)
                if head is not None:
                    return name, False
            elif isinstance(base, cst.Call) and isinstance(base.func, cst.Name | cst.Attribute):
                owner, _ = self.callee_of(base.func, self.imports.resolve(base.func) or "")
                if owner:
                    return f"{owner}.{func.attr.value}", True
        return "", False

    def _nested_def(self, name: str) -> str:
        """The def a bare name calls when it is nested in this function or an enclosing one
        (a Flask blueprint factory's helpers): Python's enclosing-function scopes."""
        scope = self.qname
        while "." in scope:
            if scope in self.defs and f"{scope}.{name}" in self.defs:
                return f"{scope}.{name}"
            scope = scope.rsplit(".", 1)[0]
        return ""

    def _kinds_for(self, taint: Taint) -> set[str]:
        kinds = set()
        for label in taint.labels:
            if label[0] == "R":
                kinds.add("random")
            elif label[0] in "SEPC":
                kinds.add("data")
        return kinds

    # -- what the sources and sinks parts implement ------------------------------------

    def enter_function(self, fn: cst.FunctionDef) -> dict[str, Taint]:
        """The taints of `fn`'s parameters on entry (route parameters, callers' values)."""
        raise NotImplementedError

    def source_of(self, node: cst.Attribute | cst.Subscript) -> Taint | None:
        """A taint when `node` reads client data or the environment directly."""
        raise NotImplementedError

    def call_source(self, node: cst.Call, name: str, method: str) -> Taint | None:
        """A taint when the call returns client data, the environment or weak randomness."""
        raise NotImplementedError

    def _source(self, node: cst.CSTNode, desc: str, prefix: str = "S") -> Taint:
        raise NotImplementedError

    def _is_request(self, expr: cst.BaseExpression) -> bool:
        raise NotImplementedError

    def check_sinks(
        self,
        node: cst.Call,
        name: str,
        method: str,
        args: list[tuple[cst.Arg, Taint | None]],
        positional: list[tuple[cst.Arg, Taint | None]],
        env: dict[str, Taint],
    ) -> bool:
        """Report the sink `node` is, if any; True when it is one (its result is clean)."""
        raise NotImplementedError

    def upload_sink(
        self, method: str, receiver: Taint | None, positional: list[tuple[cst.Arg, Taint | None]]
    ) -> bool:
        raise NotImplementedError

    def store_sinks(
        self, target: cst.Subscript, holder: cst.BaseExpression, key: str, value: Taint
    ) -> bool:
        """Sinks reached by a store `holder[key] = value`; True when the store is one."""
        raise NotImplementedError

    def return_sinks(self, value: cst.BaseExpression, taint: Taint, env: dict[str, Taint]) -> None:
        raise NotImplementedError

    def _name_sink(self, name: str, node: cst.CSTNode, taint: Taint) -> None:
        raise NotImplementedError

    def _sink(
        self,
        kind: str,
        label: str,
        node: cst.CSTNode,
        taint: Taint,
        cwe: int = 0,
        cap: str = "high",
    ) -> None:
        raise NotImplementedError


# -- helpers -----------------------------------------------------------------------------


def join(a: dict[str, Taint], b: dict[str, Taint]) -> dict[str, Taint]:
    out = dict(a)
    if a is b:
        return out
    for key, value in b.items():
        if key[:1] == _CHECKED and key not in a:
            continue  # checked on one branch only: not checked after the join
        out[key] = merge(out.get(key), value) or value
    for key in a:
        if key[:1] == _CHECKED and key not in b:
            del out[key]
    return out


def join_all(envs: list[dict[str, Taint]]) -> dict[str, Taint]:
    out: dict[str, Taint] = {}
    for env in envs:
        out = join(out, env)
    return out


_FIXED_ORIGIN = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#\\]*[/?#]")


def _fixed_by(prefix: str) -> frozenset[str]:
    """What a URL's text before a value fixes: after `scheme://host/` (or any `?`/`#`) the
    value only picks a path, query or fragment of that host, so it cannot choose where a
    request goes or a redirect leads; after `/x` (a same-host path) it cannot leave the host."""
    if "?" in prefix or "#" in prefix or _FIXED_ORIGIN.match(prefix):
        return frozenset({"ssrf", "redirect"})
    if len(prefix) > 1 and prefix[0] == "/" and prefix[1] not in "/\\":
        return frozenset({"redirect"})
    return frozenset()


def _joined(parts: list[tuple[str | None, Taint | None]]) -> Taint | None:
    """The taint of text built from parts in order (literal text, or a value's taint): each
    value is cleared of what the text before it fixes (see `_fixed_by`)."""
    prefix = ""
    out: list[Taint | None] = []
    for text, taint in parts:
        fixed = _fixed_by(prefix)
        if taint is not None:
            out.append(taint.with_(cleared=fixed) if fixed else taint)
        prefix += text if text is not None else "\x00"
    return merge_all(out)


def _added(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The operands of an `a + b + c` chain, in order."""
    if type(node) is cst.BinaryOperation and type(node.operator) is cst.Add:
        return [*_added(node.left), *_added(node.right)]
    return [node]


def _builds_text(node: cst.BinaryOperation) -> bool:
    return any(
        type(op) is cst.SimpleString or type(op) is cst.FormattedString for op in _added(node)
    )


def _expr_key(module: cst.Module, node: cst.CSTNode) -> str:
    """The environment key of a checked expression: its code without whitespace."""
    return _CHECKED + "".join(module.code_for_node(node).split())


def _derived_from(call: cst.Call) -> str | None:
    """The name a call's result is derived from: its first argument that is a name, looking
    into nested calls (`urlparse(urljoin(base_url, target))` is derived from `target`)."""
    for arg in call.args:
        value = arg.value
        if type(value) is cst.Name:
            return value.value
        if type(value) is cst.Call:
            inner = _derived_from(value)
            if inner is not None:
                return inner
    return None


def _expand(kinds: frozenset[str]) -> frozenset[str]:
    return ALL if "*" in kinds else kinds
