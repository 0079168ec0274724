"""How SQL text is built and where it is executed: the reusable half of BR101.

`find_sql_sink(call, ctx)` names the sinks (DB-API cursors and connections, asyncpg, aiosqlite,
SQLAlchemy, Django, pandas, psycopg's `sql.SQL`) from the SQL sink names in
`reviewer.taint.specs` (their one home, shared with the taint engine), and
`string_build(expr, bindings)` tells whether an expression builds a string from non-constant
parts (f-string, `%`, `+`, `.format()`, `str.join`).

Constant means "cannot carry request data": literals, UPPER_CASE names, names only ever bound to
constants in the current function or module, class attributes bound to constants, ORM table
names (`Model._meta.db_table`, `__tablename__`), numbers (`int(x)`, `len(x)`), lookups in constant
mappings (`COLUMNS[key]`, `COLUMNS.get(key, "id")`), choices between constants, and names checked
against a constant allowlist (`if col not in ALLOWED: raise ...`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from reviewer.imports import dotted_name
from reviewer.taint import specs
from reviewer.walk import children as syntax_children

if TYPE_CHECKING:
    from reviewer.context import FileContext

# ---------------------------------------------------------------------------------------------
# Bindings: what a name was assigned in the current function (flow-insensitive, cheap).


@dataclass
class Binding:
    """One value a name received: `x = v` (kind "assign"), `x += v` ("augadd"), `x.append(v)`
    ("element"), `for x in v` ("iter")."""

    value: cst.BaseExpression
    kind: str = "assign"


@dataclass
class Scope:
    """Names bound in one module, class or function body, and names checked against allowlists."""

    kind: str  # module | class | function
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    allowlisted: set[str] = field(default_factory=set)

    def bind(self, name: str, value: cst.BaseExpression, kind: str = "assign") -> None:
        self.bindings.setdefault(name, []).append(Binding(value, kind))


@dataclass
class Bindings:
    """The scopes visible from one point: the innermost function, its class, the module."""

    scopes: Sequence[Scope]

    def _function(self) -> Scope | None:
        for scope in reversed(self.scopes):
            if scope.kind == "function":
                return scope
        return None

    def lookup(self, name: str) -> list[Binding] | None:
        """Bindings of a plain name: the function's own, else the module's; None when unbound."""
        function = self._function()
        if function is not None and name in function.bindings:
            return function.bindings[name]
        module = self.scopes[0] if self.scopes and self.scopes[0].kind == "module" else None
        if module is not None and name in module.bindings:
            return module.bindings[name]
        return None

    def lookup_attribute(self, attr: str) -> list[Binding] | None:
        """Bindings of `self.attr` / `cls.attr` in the class body around the current method."""
        for scope in reversed(self.scopes):
            if scope.kind == "class":
                return scope.bindings.get(attr)
        return None

    def is_allowlisted(self, name: str) -> bool:
        function = self._function()
        return function is not None and name in function.allowlisted


def bind_targets(scope: Scope, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
    """Record `target = value`; unpacking binds each name to an unknown (non-constant) value."""
    if isinstance(target, cst.Name):
        scope.bind(target.value, value)
    elif isinstance(target, cst.Tuple | cst.List):
        values: Sequence[cst.BaseExpression] = ()
        if isinstance(value, cst.Tuple | cst.List) and len(value.elements) == len(target.elements):
            values = [e.value for e in value.elements]
        for index, element in enumerate(target.elements):
            item = values[index] if values else cst.Name("__unknown__")
            bind_targets(scope, element.value, item)


_MUTATORS = {"append": "element", "extend": "iter", "insert": "element", "add": "element"}


def record_mutation(scope: Scope, call: cst.Call) -> None:
    """`parts.append(v)`, `parts.extend(vs)`, `parts.insert(i, v)`: v becomes part of `parts`."""
    func = call.func
    if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
        return
    kind = _MUTATORS.get(func.attr.value)
    if kind is None or not call.args:
        return
    scope.bind(func.value.value, call.args[-1].value, kind)


def is_non_text_annotation(annotation: cst.Annotation | None) -> bool:
    """`item_id: int`, `uid: uuid.UUID | None`, `Optional[int]`: a value that cannot hold a quote
    (FastAPI and pydantic convert and validate it before the handler runs)."""
    if annotation is None:
        return False
    return _non_text(annotation.annotation)


def _non_text(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
        return _non_text(expr.left) and _non_text(expr.right)
    if isinstance(expr, cst.Subscript):
        head = (dotted_name(expr.value) or "").split(".")[-1]
        if head in ("Optional", "Annotated") and expr.slice:
            index = expr.slice[0].slice
            return isinstance(index, cst.Index) and _non_text(index.value)
        return False
    name = dotted_name(expr) or ""
    return name == "None" or name.split(".")[-1] in specs.NON_TEXT_TYPES


# ---------------------------------------------------------------------------------------------
# Allowlist guards: `if col not in ALLOWED: raise`, `if col in ALLOWED: ...`, `assert col in ...`


def _exits(block: cst.BaseSuite) -> bool:
    statements = (
        block.body if isinstance(block, cst.IndentedBlock | cst.SimpleStatementSuite) else ()
    )
    for statement in statements:
        smalls = statement.body if isinstance(statement, cst.SimpleStatementLine) else [statement]
        for small in smalls:
            if isinstance(small, cst.Raise | cst.Return | cst.Continue | cst.Break):
                return True
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                name = dotted_name(small.value.func) or ""
                if name.split(".")[-1] in ("abort", "exit", "fail"):
                    return True
    return False


def _membership(test: cst.BaseExpression, bindings: Bindings) -> tuple[str, bool] | None:
    """(name, negated) for `name in CONST` / `name not in CONST` with a constant collection."""
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
        return None
    if not isinstance(test.left, cst.Name):
        return None
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.In | cst.NotIn):
        return None
    if not is_constant(target.comparator, bindings):
        return None
    return test.left.value, isinstance(target.operator, cst.NotIn)


def record_guard(scope: Scope, node: cst.If | cst.Assert, bindings: Bindings) -> None:
    """Mark names proven to be members of a constant allowlist (for the rest of the function)."""
    found = _membership(node.test, bindings)
    if found is None:
        return
    name, negated = found
    if isinstance(node, cst.Assert):
        if not negated:
            scope.allowlisted.add(name)
        return
    exits = _exits(node.body)
    else_exits = isinstance(node.orelse, cst.Else) and _exits(node.orelse.body)
    # `not in ALLOWED: raise` guards what follows; `in ALLOWED:` guards its body (or what
    # follows when the else branch exits); `in BANNED: raise` is a denylist, not an allowlist.
    if (negated and exits) or (not negated and (not exits or else_exits)):
        scope.allowlisted.add(name)


# ---------------------------------------------------------------------------------------------
# Constants


_SAFE_CALLS = {"int", "float", "len", "bool", "abs", "round", "range", "ord", "hash", "uuid4"}
# Identifier quoting (Django's `connection.ops.quote_name`, schema editors' `quote_name`, the
# compiler's `quote_name_unless_alias`, `quote_ident`): identifiers cannot be bound parameters.
_QUOTE_IDENTIFIER = frozenset(
    {"quote_name", "quote_name_unless_alias", "quote_ident", "quote_identifier", "quote_column"}
)
_ORM_NAME_ATTRS = ("_meta.db_table", "_meta.model_name", "_meta.app_label", "__tablename__")
_REQUEST_DATA = {"GET", "POST", "META", "FILES", "COOKIES", "REQUEST", "DATA", "QUERY", "FORM"}
_UPPER = re.compile(r"^_*[A-Z][A-Z0-9_]*$")


def _is_upper(name: str) -> bool:
    return bool(_UPPER.match(name)) and any(c.isalpha() for c in name)


def is_constant(
    expr: cst.BaseExpression, bindings: Bindings, _seen: frozenset[str] = frozenset()
) -> bool:
    """True when `expr` cannot carry outside data into the text it is formatted into."""
    if isinstance(expr, cst.SimpleString | cst.Integer | cst.Float | cst.Imaginary):
        return True
    if isinstance(expr, cst.ConcatenatedString):
        return is_constant(expr.left, bindings, _seen) and is_constant(expr.right, bindings, _seen)
    if isinstance(expr, cst.FormattedString):
        return all(is_constant(e, bindings, _seen) for e in _fstring_expressions(expr))
    if isinstance(expr, cst.Name):
        return _name_is_constant(expr.value, bindings, _seen)
    if isinstance(expr, cst.Attribute):
        return _attribute_is_constant(expr, bindings, _seen)
    if isinstance(expr, cst.Tuple | cst.List | cst.Set):
        return all(is_constant(e.value, bindings, _seen) for e in expr.elements)
    if isinstance(expr, cst.Dict):
        return all(
            isinstance(e, cst.DictElement)
            and is_constant(e.key, bindings, _seen)
            and is_constant(e.value, bindings, _seen)
            for e in expr.elements
        )
    if isinstance(expr, cst.BinaryOperation):
        left = is_constant(expr.left, bindings, _seen)
        right = is_constant(expr.right, bindings, _seen)
        if isinstance(expr.operator, cst.Multiply):  # "?" * len(ids), ["%s"] * n
            return left or right
        return left and right
    if isinstance(expr, cst.UnaryOperation):
        return is_constant(expr.expression, bindings, _seen)
    if isinstance(expr, cst.IfExp):
        return is_constant(expr.body, bindings, _seen) and is_constant(expr.orelse, bindings, _seen)
    if isinstance(expr, cst.Subscript):  # one of a constant mapping's values
        return is_constant(expr.value, bindings, _seen)
    if isinstance(expr, cst.Call):
        return _call_is_constant(expr, bindings, _seen)
    if isinstance(expr, cst.GeneratorExp | cst.ListComp | cst.SetComp):
        return _comprehension_is_constant(expr, bindings, _seen)
    return False


def _fstring_expressions(expr: cst.FormattedString) -> Iterator[cst.BaseExpression]:
    for part in expr.parts:
        if isinstance(part, cst.FormattedStringExpression):
            yield part.expression


def _name_is_constant(name: str, bindings: Bindings, seen: frozenset[str]) -> bool:
    if name in ("True", "False", "None") or name in seen:
        return True
    if bindings.is_allowlisted(name):
        return True
    bound = bindings.lookup(name)
    if bound is None:
        return _is_upper(name)
    return all(is_constant(b.value, bindings, seen | {name}) for b in bound)


def _attribute_is_constant(expr: cst.Attribute, bindings: Bindings, seen: frozenset[str]) -> bool:
    dotted = dotted_name(expr) or ""
    if dotted.endswith(_ORM_NAME_ATTRS) or dotted.endswith("__table__.name"):
        return True
    if _is_upper(expr.attr.value) and expr.attr.value not in _REQUEST_DATA:
        return True  # settings.TABLE, cls.COLUMNS, models.Model.FIELDS
    if isinstance(expr.value, cst.Name) and expr.value.value in ("self", "cls"):
        key = f"{expr.value.value}.{expr.attr.value}"
        bound = bindings.lookup_attribute(expr.attr.value)
        if bound is not None and key not in seen:
            return all(is_constant(b.value, bindings, seen | {key}) for b in bound)
    return False


def _quotes_identifier(func: cst.BaseExpression, bindings: Bindings) -> bool:
    """`ops.quote_name(x)`, or `qn(x)` after `qn = connection.ops.quote_name`."""
    if isinstance(func, cst.Attribute):
        return func.attr.value in _QUOTE_IDENTIFIER
    if isinstance(func, cst.Name):
        if func.value in _QUOTE_IDENTIFIER:
            return True
        bound = bindings.lookup(func.value)
        return bool(bound) and all(
            isinstance(b.value, cst.Attribute | cst.Name)
            and (dotted_name(b.value) or "").rsplit(".", 1)[-1] in _QUOTE_IDENTIFIER
            for b in bound or ()
        )
    return False


def _call_is_constant(call: cst.Call, bindings: Bindings, seen: frozenset[str]) -> bool:
    func = call.func
    args = [a.value for a in call.args]
    if _quotes_identifier(func, bindings):
        return True
    if isinstance(func, cst.Name):
        if func.value in _SAFE_CALLS:
            return True
        if func.value in (
            "str",
            "repr",
            "tuple",
            "list",
            "set",
            "frozenset",
            "sorted",
            "dict",
            "min",
            "max",
            "sum",
        ):
            return all(is_constant(a, bindings, seen) for a in args)
        return False
    if isinstance(func, cst.Attribute):
        dotted = dotted_name(func) or ""
        if dotted.endswith(("uuid.uuid4", "uuid.uuid1")):
            return True
        # Methods of a constant (COLUMNS.get(key, "id"), SEP.join(PARTS), TEMPLATE.format(...)).
        receiver = is_constant(func.value, bindings, seen)
        if func.attr.value == "get" and receiver:
            return len(args) < 2 or is_constant(args[1], bindings, seen)
        return receiver and all(is_constant(a, bindings, seen) for a in args)
    return False


def _comprehension_is_constant(
    expr: cst.GeneratorExp | cst.ListComp | cst.SetComp, bindings: Bindings, seen: frozenset[str]
) -> bool:
    """Constant when the element is, reading each loop variable as constant iff its iterable is."""
    loop: cst.CompFor | None = expr.for_in
    extra = set()
    while loop is not None:
        if is_constant(loop.iter, bindings, seen) and isinstance(loop.target, cst.Name):
            extra.add(loop.target.value)
        elif isinstance(loop.target, cst.Name) and _mentions(expr.elt, loop.target.value):
            return False
        loop = loop.inner_for_in
    return is_constant(expr.elt, bindings, seen | extra)


def _mentions(expr: cst.CSTNode, name: str) -> bool:
    if isinstance(expr, cst.Name):
        return expr.value == name
    return any(_mentions(child, name) for child in syntax_children(expr))


# ---------------------------------------------------------------------------------------------
# Dynamic strings


@dataclass(frozen=True)
class StringBuild:
    """A string built from non-constant parts: how, where, and whether through a variable."""

    how: str  # "an f-string", "% formatting", "concatenation", ".format()", "str.join()"
    node: cst.BaseExpression  # the building expression (where analyzers report it too)
    culprit: cst.BaseExpression  # the first non-constant part
    via: str = ""  # the variable the SQL went through, "" when built in place


def _is_stringish(expr: cst.BaseExpression, bindings: Bindings, seen: frozenset[str]) -> bool:
    """Whether `expr` is (very likely) a str, so that `+` / `%` on it is string building."""
    if isinstance(expr, cst.SimpleString | cst.ConcatenatedString | cst.FormattedString):
        return True
    if isinstance(expr, cst.Name):
        if expr.value in seen:
            return False
        bound = bindings.lookup(expr.value)
        if bound is None:
            return _is_upper(expr.value)
        return any(
            b.kind == "assign" and _is_stringish(b.value, bindings, seen | {expr.value})
            for b in bound
        )
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add | cst.Modulo):
        return _is_stringish(expr.left, bindings, seen) or (
            isinstance(expr.operator, cst.Add) and _is_stringish(expr.right, bindings, seen)
        )
    if (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value in ("format", "join", "strip", "replace", "lower", "upper")
    ):
        return _is_stringish(expr.func.value, bindings, seen)
    return False


def _add_operands(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return [*_add_operands(expr.left), *_add_operands(expr.right)]
    return [expr]


def string_build(
    expr: cst.BaseExpression,
    bindings: Bindings,
    *,
    in_sink: bool = False,
    _seen: frozenset[str] = frozenset(),
) -> StringBuild | None:
    """How `expr` builds a string from non-constant parts, or None when it does not (constant,
    parameterized, or unknown). `in_sink` accepts `x % y` whatever `x` is: inside `execute()`
    `%` can only be string formatting."""
    if isinstance(expr, cst.FormattedString):
        for part in _fstring_expressions(expr):
            if not is_constant(part, bindings):
                return StringBuild("an f-string", expr, part)
        return None
    if isinstance(expr, cst.ConcatenatedString):
        for side in (expr.left, expr.right):
            found = string_build(side, bindings, _seen=_seen)
            if found is not None:
                return StringBuild(found.how, expr, found.culprit)
        return None
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
        if (in_sink or _is_stringish(expr.left, bindings, _seen)) and not is_constant(
            expr.right, bindings
        ):
            return StringBuild("% formatting", expr, expr.right)
        return None
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        operands = _add_operands(expr)
        if any(_is_stringish(o, bindings, _seen) for o in operands):
            for operand in operands:
                if not is_constant(operand, bindings):
                    return StringBuild("concatenation", expr, operand)
        return None
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        return _method_build(expr, expr.func, bindings, _seen)
    if isinstance(expr, cst.Name):
        return _name_build(expr.value, bindings, _seen)
    return None


def _method_build(
    call: cst.Call, func: cst.Attribute, bindings: Bindings, seen: frozenset[str]
) -> StringBuild | None:
    method = func.attr.value
    if method == "format" and _is_stringish(func.value, bindings, seen):
        for arg in call.args:
            if not is_constant(arg.value, bindings):
                return StringBuild(".format()", call, arg.value)
        return None
    if method == "join" and _is_stringish(func.value, bindings, seen) and call.args:
        iterable = call.args[0].value
        if not is_constant(iterable, bindings):
            return StringBuild("str.join()", call, iterable)
    return None


def _name_build(name: str, bindings: Bindings, seen: frozenset[str]) -> StringBuild | None:
    if name in seen or bindings.is_allowlisted(name):
        return None
    bound = bindings.lookup(name)
    if not bound:
        return None
    stringish = _is_stringish(cst.Name(name), bindings, seen)
    for binding in bound:
        if binding.kind == "assign":
            found = string_build(binding.value, bindings, _seen=seen | {name})
        elif binding.kind == "augadd" and stringish:
            found = string_build(binding.value, bindings, _seen=seen | {name})
            if found is None and not is_constant(binding.value, bindings, frozenset({name})):
                found = StringBuild("concatenation", binding.value, binding.value)
        else:
            found = None
        if found is not None:
            return StringBuild(found.how, found.node, found.culprit, found.via or name)
    return None


# ---------------------------------------------------------------------------------------------
# SQL text


_SQL_TEXT = re.compile(
    r"\bselect\b.+\bfrom\b|\bdelete\s+from\b|\binsert\s+(or\s+\w+\s+)?into\b|\bupdate\b.+\bset\b"
    r"|\b(create|drop|alter|truncate)\s+(table|index|view|database|schema)\b"
    r"|\bwhere\b.+(=|<|>|\blike\b|\bin\b|\bis\b)|\border\s+by\b|\bgroup\s+by\b"
    r"|\bunion\s+(all\s+)?select\b|\bvalues\s*\(|\bexec\b\s+\w+"
    r"|^\s*(pragma|truncate|vacuum|attach|grant|revoke|listen|notify|savepoint)\b"
    r"|^\s*copy\s+\S+.*\b(from|to)\b"
    r"|^\s*set\s+[\w.]+\s*(=|to\b)",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_sql(text: str) -> bool:
    """Whether literal text reads like SQL (keywords in SQL order, not just the word 'select')."""
    return bool(_SQL_TEXT.search(text))


def literal_text(
    expr: cst.BaseExpression, bindings: Bindings, _seen: frozenset[str] = frozenset()
) -> str:
    """The literal text an expression's string is built from (following local names), joined by
    spaces; the non-literal parts are left out."""
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else value.decode("latin-1")
    if isinstance(expr, cst.FormattedString):
        return " ".join(p.value for p in expr.parts if isinstance(p, cst.FormattedStringText))
    if isinstance(expr, cst.Name) and expr.value not in _seen:
        bound = bindings.lookup(expr.value) or []
        seen = _seen | {expr.value}
        return " ".join(literal_text(b.value, bindings, seen) for b in bound)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        return " ".join(
            [literal_text(expr.func.value, bindings, _seen)]
            + [literal_text(a.value, bindings, _seen) for a in expr.args]
        )
    return " ".join(
        literal_text(child, bindings, _seen)
        for child in syntax_children(expr)
        if isinstance(child, cst.BaseExpression)
    )


# ---------------------------------------------------------------------------------------------
# Sinks


@dataclass(frozen=True)
class SqlSink:
    """A call that runs or compiles SQL text, and the arguments that carry the text."""

    label: str  # what to call it in a message: "cursor.execute", "text()", ".extra(where=...)"
    arguments: tuple[cst.BaseExpression, ...]
    certain: bool  # the callee is known to take SQL; otherwise the text must look like SQL


_DB_RECEIVER = re.compile(
    r"(^|_)(cu|cur|curs|crs|cursor|conn|connection|con|db|database|session|sess|engine|txn|tx|"
    r"transaction|pool|objects|sqlite|pg|mysql|psql)(_|$)|(cursor|conn|connection|session|"
    r"engine|db)$|^c$",
    re.IGNORECASE,
)


def _sql_argument(call: cst.Call) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in specs.SQL_KEYWORDS:
            return arg.value
    if call.args and call.args[0].keyword is None and not call.args[0].star:
        return call.args[0].value
    return None


def _receiver_is_db(receiver: cst.BaseExpression) -> bool:
    """`cursor`, `self.conn`, `db.session`, `connection.cursor()`, `Model.objects`..."""
    if isinstance(receiver, cst.Await):
        receiver = receiver.expression
    if isinstance(receiver, cst.Call):
        last = (dotted_name(receiver.func) or "").split(".")[-1]
        return last in ("cursor", "connect", "begin", "acquire", "connection", "Session") or bool(
            _DB_RECEIVER.search(last.lstrip("_"))
        )
    dotted = dotted_name(receiver)
    if dotted is None:
        return False
    return bool(_DB_RECEIVER.search(dotted.split(".")[-1].lstrip("_")))


def find_sql_sink(call: cst.Call, ctx: FileContext) -> SqlSink | None:
    """The SQL sink this call is, if any (by library semantics, through the module's imports)."""
    func = call.func
    qualified = ctx.resolve(func) or ""
    if (
        qualified
        in specs.SQL_TEXT_FUNCTIONS | specs.SQL_COMPOSE_FUNCTIONS | specs.SQL_DATAFRAME_READERS
    ):
        arg = _sql_argument(call)
        label = qualified.rsplit(".", 1)[-1] + "()"
        return SqlSink(label, (arg,) if arg is not None else (), True)
    if (
        qualified.endswith(specs.SQL_RAW_CLASSES)
        or qualified == "RawSQL"
        or qualified.endswith(".RawSQL")
    ):
        arg = _sql_argument(call)
        return SqlSink("RawSQL()", (arg,) if arg is not None else (), True)
    if isinstance(func, cst.Name) and func.value == "text":
        arg = _sql_argument(call)
        return SqlSink("text()", (arg,) if arg is not None else (), False)
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    receiver = dotted_name(func.value) or ("cursor()" if isinstance(func.value, cst.Call) else "")
    label = f"{receiver.split('.')[-1] or '...'}.{method}()"
    if method == "extra":
        return _extra_sink(call)
    if method == "text":  # Flask-SQLAlchemy's db.text(), sa.text() under another import name
        arg = _sql_argument(call)
        certain = qualified.startswith("sqlalchemy.") or qualified.startswith("flask_sqlalchemy.")
        return SqlSink("text()", (arg,) if arg is not None else (), certain)
    if method in ("read_sql", "read_sql_query"):
        arg = _sql_argument(call)
        return SqlSink(f"{method}()", (arg,) if arg is not None else (), False)
    if method in specs.SQL_DRIVER_METHODS or method in specs.SQL_DB_METHODS:
        arg = _sql_argument(call)
        certain = method in specs.SQL_DRIVER_METHODS or _receiver_is_db(func.value)
        return SqlSink(label, (arg,) if arg is not None else (), certain)
    return None


def _extra_sink(call: cst.Call) -> SqlSink | None:
    """Django `QuerySet.extra(where=[...], select={...}, tables=[...])`: raw SQL fragments."""
    fragments: list[cst.BaseExpression] = []
    for arg in call.args:
        if arg.keyword is None or arg.keyword.value not in specs.SQL_EXTRA_KEYWORDS:
            continue
        value = arg.value
        if isinstance(value, cst.List | cst.Tuple):
            fragments.extend(e.value for e in value.elements)
        elif isinstance(value, cst.Dict):
            fragments.extend(e.value for e in value.elements if isinstance(e, cst.DictElement))
        else:
            fragments.append(value)
    if not fragments:
        return None
    return SqlSink(".extra()", tuple(fragments), True)
