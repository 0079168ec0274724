"""The SQL helpers BR101 uses (`reviewer/checks/injection/_sql.py`), and BR101 findings
landing on the same lines as ruff's and bandit's so that they merge into one finding."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from reviewer.checks.base import Case
from reviewer.checks.injection._sql import (
    Bindings,
    Scope,
    find_sql_sink,
    is_constant,
    looks_like_sql,
    string_build,
)
from reviewer.checks.injection.sql_injection import SqlInjection
from reviewer.taint import specs
from reviewer.testing import run_rule_on_case

from ._support import bandit_lines, first_call, ruff_lines


def _bindings(**values: str) -> Bindings:
    scope = Scope("function")
    for name, source in values.items():
        scope.bind(name, cst.parse_expression(source))
    return Bindings([Scope("module"), scope])


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * FROM users WHERE id = ",
        "select name from t",
        "DELETE FROM users WHERE id = ",
        "INSERT INTO log (msg) VALUES (",
        "insert or replace into t",
        "UPDATE users SET name = ",
        "DROP TABLE ",
        " WHERE name = '",
        " ORDER BY ",
        "PRAGMA table_info(",
        "TRUNCATE ",
        "SET search_path TO ",
        "set statement_timeout = ",
    ],
)
def test_sql_text_is_recognized(text: str) -> None:
    assert looks_like_sql(text)


@pytest.mark.parametrize(
    "text",
    [
        "Hello {name}",
        "select",
        "Please select an option",
        "updated the settings",
        "",
        "set up the account",
        "copy",
    ],
)
def test_prose_is_not_sql(text: str) -> None:
    assert not looks_like_sql(text)


@pytest.mark.parametrize(
    ("source", "how"),
    [
        ('f"SELECT * FROM t WHERE a = {x}"', "an f-string"),
        ('"SELECT * FROM t WHERE a = %s" % x', "% formatting"),
        ('"SELECT * FROM t WHERE a = %s" % (x,)', "% formatting"),
        ('"SELECT * FROM t WHERE a = " + x', "concatenation"),
        ('"SELECT * FROM t WHERE a = {}".format(x)', ".format()"),
        ('" AND ".join(x)', "str.join()"),
        ('"SELECT * FROM t WHERE a = " + str(x)', "concatenation"),
        ("f\"SELECT * FROM {request.GET['t']}\"", "an f-string"),
        ('"SELECT " f"{x}"', "an f-string"),
    ],
)
def test_dynamic_strings(source: str, how: str) -> None:
    build = string_build(cst.parse_expression(source), _bindings())
    assert build is not None and build.how == how and build.via == ""


@pytest.mark.parametrize(
    "source",
    [
        '"SELECT * FROM t WHERE a = %s"',
        'f"SELECT * FROM {TABLE} WHERE a = %s"',
        '"SELECT * FROM " + TABLE',
        'f"SELECT * FROM t LIMIT {int(x)}"',
        'f"SELECT * FROM t WHERE id IN ({placeholders})"',
        'f"SELECT * FROM {Model._meta.db_table}"',
        'f"SELECT * FROM {settings.TABLE}"',
        '"SELECT * FROM t ORDER BY %s" % ("a" if x else "b")',
        'f"SELECT * FROM t ORDER BY {COLUMNS[x]}"',
        "f\"SELECT * FROM t ORDER BY {COLUMNS.get(x, 'id')}\"",
        '", ".join("?" for _ in x)',
        '"%s" * 3',
        "a + b",  # no string in sight: not string building
    ],
)
def test_constant_or_unknown_strings(source: str) -> None:
    bindings = _bindings(placeholders='", ".join(["?"] * len(x))', x="__parameter__")
    assert string_build(cst.parse_expression(source), bindings) is None  # not a dynamic string


def test_names_follow_local_bindings() -> None:
    bindings = _bindings(q='f"SELECT * FROM t WHERE a = {x}"', c='"SELECT 1"')
    build = string_build(cst.Name("q"), bindings)
    assert build is not None and build.via == "q"
    assert string_build(cst.Name("c"), bindings) is None
    assert is_constant(cst.Name("c"), bindings)
    assert not is_constant(cst.Name("x"), bindings)


@pytest.mark.parametrize(
    ("source", "certain"),
    [
        ("import sqlite3\ncur = None\ncur.execute(q)", True),
        ("from sqlalchemy import text\ntext(q)", True),
        ("import sqlalchemy as sa\nsa.text(q)", True),
        ("from django.db.models import RawSQL\nRawSQL(q, [])", True),
        ("User.objects.raw(q)", True),
        ("conn.fetchrow(q)", True),
        ("db.session.execute(q)", True),
        ("connection.cursor().execute(q)", True),
        ("from psycopg2 import sql\nsql.SQL(q)", True),
        ("import pandas as pd\npd.read_sql(q, engine)", True),
        ("executor.execute(q)", False),
        ("text(q)", False),
    ],
)
def test_sinks(source: str, certain: bool) -> None:
    ctx, call = first_call(source)
    sink = find_sql_sink(call, ctx)
    assert sink is not None and sink.certain is certain
    assert [cst.Module([]).code_for_node(a) for a in sink.arguments] == ["q"]


@pytest.mark.parametrize(
    "source",
    ["requests.get(q)", "print(q)", "subprocess.run(q)", "qs.extra(order_by=['a'])", "q.format(x)"],
)
def test_not_sinks(source: str) -> None:
    ctx, call = first_call(source)
    assert find_sql_sink(call, ctx) is None


def test_extra_reports_each_fragment() -> None:
    ctx, call = first_call('qs.extra(where=["a = %s", b], select={"x": c}, tables=["t"])')
    sink = find_sql_sink(call, ctx)
    assert sink is not None
    names = [cst.Module([]).code_for_node(a) for a in sink.arguments]
    assert names == ['"a = %s"', "b", "c", '"t"']


ALIGNED = """\
from sqlalchemy import text
from django.db.models.expressions import RawSQL


def search(conn, name, qs):
    conn.execute(f"SELECT * FROM users WHERE name = '{name}'")
    conn.execute("SELECT * FROM users WHERE name = '%s'" % name)
    conn.execute("DELETE FROM users WHERE name = '" + name + "'")
    conn.execute("UPDATE users SET seen = 1 WHERE name = '{}'".format(name))
    query = f"SELECT * FROM orders WHERE user_id = {name}"
    conn.execute(query)
    conn.execute(text(f"SELECT * FROM users WHERE name = '{name}'"))
    qs.annotate(v=RawSQL("SELECT col FROM t WHERE name = '" + name + "'", ()))
    qs.extra(where=[f"name = '{name}'"])
"""


def test_br101_reports_where_ruff_and_bandit_do(tmp_path: Path) -> None:
    """Dedupe merges co-located findings: BR101 must point at the lines the analyzers use."""
    path = tmp_path / "app.py"
    path.write_text(ALIGNED)
    native = {f.location.line for f in run_rule_on_case(SqlInjection, Case(ALIGNED))}
    assert native == {6, 7, 8, 9, 10, 12, 13, 14}
    assert native == ruff_lines(path, "S608,S610,S611")
    assert native == bandit_lines(path, "B608,B610,B611")


def test_shape_only_findings_are_low_risks_to_check() -> None:
    """Without a known flow from request data the shape is reported, below taint findings:
    low severity, low confidence (a proven flow is high)."""
    code = textwrap.dedent(
        """
        def f(cursor, x):
            cursor.execute(f"SELECT * FROM t WHERE a = {x}")
            q = f"SELECT * FROM t WHERE b = {x}"
            cursor.execute(q)
        """
    )
    findings = sorted(run_rule_on_case(SqlInjection, Case(code)), key=lambda f: f.location.line)
    assert [(f.location.line, f.confidence.value, f.severity.value) for f in findings] == [
        (3, "low", "low"),
        (4, "low", "low"),
    ]
    assert [s.message for s in findings[1].flow] == [
        "SQL text built with an f-string",
        "executed by cursor.execute()",
    ]
    assert findings[1].flow[1].location.line == 5


def test_the_engines_sql_sinks_are_a_subset_of_br101s() -> None:
    """One home for SQL sinks (reviewer.taint.specs): a flow the engine follows into an SQL sink
    is one BR101 recognises, so no flow is dropped for want of a matching sink site."""
    methods = specs.SQL_METHODS | {m for m, s in specs.METHOD_SINKS.items() if s.kind == "sql"}
    assert methods - {"extra"} <= specs.SQL_DRIVER_METHODS | specs.SQL_DB_METHODS
    functions = specs.SQL_FUNCTIONS | specs.SQL_FUNCTIONS_ALIASES
    assert functions <= specs.SQL_TEXT_FUNCTIONS | set(specs.SQL_RAW_CLASSES)
    assert specs.METHOD_SINKS["extra"].keywords == specs.SQL_EXTRA_KEYWORDS
