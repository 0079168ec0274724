"""BR101: SQL text built from non-constant parts reaching something that runs it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from reviewer.checks._taint import flow_message
from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.checks.injection._sql import (
    Bindings,
    Scope,
    SqlSink,
    StringBuild,
    bind_targets,
    find_sql_sink,
    is_constant,
    is_non_text_annotation,
    literal_text,
    looks_like_sql,
    record_guard,
    record_mutation,
    string_build,
)
from reviewer.checks.injection._sql_javascript import built_sql_calls
from reviewer.model import Confidence, Finding, Severity
from reviewer.node.express import is_test_file as is_node_test_file
from reviewer.node.syntax import Parsed
from reviewer.node.syntax import text as node_text
from reviewer.taint import Flow, flows
from reviewer.walk import children as syntax_children

if TYPE_CHECKING:
    from reviewer.config import Config
    from reviewer.context import FileContext

_MAX_SHOWN = 40


class SqlInjection(Rule):
    r"""SQL built by f-string, `%`, `+`, `.format()` or `str.join()` from non-constant parts
    and executed.

    ## What it does
    Finds SQL text that is built by formatting or concatenating values that are not constants and
    then passed to something that runs it: DB-API cursors and connections (`sqlite3`, `psycopg`,
    `psycopg2`, `pymysql`, `MySQLdb`: `execute`, `executemany`, `executescript`), `asyncpg`
    (`fetch`, `fetchrow`, `fetchval`, `execute`), `aiosqlite`, SQLAlchemy (`text()`,
    `session.execute`, `connection.execute`, `exec_driver_sql`), Django (`Model.objects.raw`,
    `QuerySet.extra(where=/select=/tables=)`, `RawSQL`, `connection.cursor().execute`), psycopg's
    `sql.SQL()` and `pandas.read_sql`.

    Where the taint engine follows client data (Flask `request.*`, route parameters, Django/DRF
    and aiohttp request attributes) into the SQL text, through assignments, containers, helper
    functions, methods of the module's classes and queries passed in as parameters, the finding
    carries that flow (source, steps, sink) at high confidence (medium through a call the engine
    could not resolve, low for environment data such as `os.environ` or `sys.argv`). Where no
    flow is known the SQL is still reported from its shape, as a risk to check rather than a
    proven injection: low severity and low confidence (the SQL built into a local variable first
    must then read like SQL). On four real services every such finding was a constant, an
    identifier from the schema or a value read back from the database. One finding per query.

    Not reported: parameterized queries (`execute("... WHERE id = %s", (user_id,))`,
    `text("... :id").bindparams(id=x)`, `raw("... %s", [x])`); strings whose every part is
    constant (literals, UPPER_CASE constants, names only bound to constants, `Model._meta.db_table`,
    `__tablename__`, numbers such as `int(x)` or `len(ids)`, placeholder lists such as
    `", ".join("?" * len(ids))`), parameters annotated as numbers, booleans, UUIDs or dates
    (`item_id: int`, `Optional[UUID]`: FastAPI and pydantic validate them, and in any case such
    a value cannot hold a quote); identifiers picked from a hard allowlist (`COLUMNS[key]`,
    `COLUMNS.get(key, "id")`, `"DESC" if desc else "ASC"`, or a name checked with
    `if col not in ALLOWED: raise ...` / `assert col in ALLOWED` earlier in the function). An
    allowlist makes the value one of a few constants, so it is not reported at all; a check that
    does not exit (`if col in BANNED: raise`) is not an allowlist.

    Flows are followed across the functions and classes of one module; SQL built from data that
    comes from another module is reported from its shape.

    JavaScript/TypeScript: a call to `.query`/`.execute` (node-postgres, mysql/mysql2,
    sequelize, TypeORM), knex `.raw`/`.whereRaw` and the other `*Raw` builders, sequelize
    `literal`, or Prisma `$queryRawUnsafe`/`$executeRawUnsafe`, whose SQL argument (or the
    local variable it was built into, `+=` included) is a template literal with a substitution
    or a `+` concatenation with a non-constant part; for `.query`/`.execute` the literal parts
    must read like SQL. High severity and confidence when the substituted value is read from
    the request in the same function (`req.query/params/body`, Fastify `request.*`, Koa `ctx.*`,
    Hono `c.req.*`, directly or through a local or destructured variable); otherwise low
    severity and low confidence, as for Python's shape-only findings. Not reported: parameters
    passed apart (`query("... $1", [x])`, `?` bindings), tagged templates (Prisma
    `$queryRaw\`...\``, `sql\`...\``: the tag binds the values), numbers (`Number(x)`,
    `parseInt`) and the drivers' escaping functions (`escape`, `escapeId`, `escapeLiteral`,
    `escapeIdentifier`, pg-format `format`).

    ## Why is this bad
    Anything formatted into SQL text becomes SQL: a quote in a user's input ends the string
    literal and the rest runs as part of the statement (CWE-89). Drivers bind parameters out of
    band, so the database never parses them as SQL.

    ## Example
    ```python
    @app.get("/users")
    def find_users():
        name = request.args["name"]
        cursor.execute(f"SELECT * FROM users WHERE name = '{name}'")
    ```

    ## Use instead
    ```python
    @app.get("/users")
    def find_users():
        name = request.args["name"]
        cursor.execute("SELECT * FROM users WHERE name = %s", (name,))
    ```
    With SQLAlchemy: `session.execute(text("SELECT * FROM users WHERE name = :name"),
    {"name": name})`; with Django: `User.objects.raw("SELECT ... WHERE name = %s", [name])` or the
    ORM. Identifiers (column names in `ORDER BY`) cannot be parameters: map the user's choice
    through a dict of allowed columns, or use `psycopg.sql.Identifier`.

    ## References
    - https://cwe.mitre.org/data/definitions/89.html
    - https://owasp.org/www-community/attacks/SQL_Injection
    - https://peps.python.org/pep-0249/#id15 (DB-API parameters)
    - https://docs.sqlalchemy.org/en/20/core/sqlelement.html#sqlalchemy.sql.expression.text
    - https://docs.djangoproject.com/en/5.2/topics/db/sql/
    - https://node-postgres.com/features/queries (parameterized queries, `$1` and a values array)
    - https://sidorares.github.io/node-mysql2/docs/examples/queries/prepared-statements
    - https://knexjs.org/guide/raw (raw parameter binding, `?` and `??`)
    - https://sequelize.org/docs/v6/core-concepts/raw-queries/ (replacements and bind parameters)
    - https://www.prisma.io/docs/orm/prisma-client/using-raw-sql/raw-queries (`$queryRaw` tagged
      templates are parameterized; the `Unsafe` methods take a raw string)
    """

    # Runs in phase 1: phase 2 visits only route, service and taint-relevant files, and a file
    # whose SQL has no known source would lose its shape-only finding there. The code also runs
    # in phase 2 (it then reads the project's cross-module index) once every file with an SQL
    # sink is sent there.
    code = "BR101"
    name = "sql-injection"
    item = "sql-injection"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    summary = "SQL text built from non-constant values is executed"
    cwe = (89,)
    taint_kinds = {"sql": "an SQL query"}
    advice = "pass the values as query parameters instead of building the SQL text"
    external_ids = (
        "bandit:B608",
        "bandit:B610",
        "bandit:B611",
        "ruff:S608",
        "ruff:S610",
        "ruff:S611",
    )

    @classmethod
    def node_findings(cls, file: Parsed, config: Config) -> list[Finding]:
        """The JavaScript/TypeScript side: SQL text built by template or `+` and run."""
        if is_node_test_file(file.relpath):
            return []
        findings: list[Finding] = []
        for built in built_sql_calls(file.root):
            if built.request:
                message = (
                    f"SQL text built from `{built.request[:60]}` (request data) is run by "
                    f"`{built.method}()`: a crafted value rewrites the query. Pass the values as "
                    "query parameters (`$1`/`?` with a values array, knex bindings, Prisma "
                    "`$queryRaw` tagged templates) instead of building the SQL text."
                )
                severity, confidence = Severity.HIGH, Confidence.HIGH
            else:
                message = (
                    f"SQL text built from non-constant values is run by `{built.method}()`; no "
                    "request data was seen flowing into it in this function. Check where the "
                    "values come from, and pass them as query parameters instead."
                )
                severity, confidence = Severity.LOW, Confidence.LOW
            call = built.call
            findings.append(
                cls.node_finding(
                    file,
                    call,
                    message,
                    snippet=node_text(call)[:200],
                    severity=severity,
                    confidence=confidence,
                )
            )
        return findings

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.scopes: list[Scope] = [Scope("module")]
        self.sites: list[_SinkSite] = []
        self.site_of: dict[int, _SinkSite] = {}

    # -- scopes and bindings, collected on the way --------------------------------------------

    @property
    def bindings(self) -> Bindings:
        return Bindings(self.scopes)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        scope = Scope("function")
        for param in (*node.params.posonly_params, *node.params.params, *node.params.kwonly_params):
            typed = is_non_text_annotation(param.annotation)
            scope.bind(param.name.value, cst.Integer("0") if typed else cst.Name("__parameter__"))
        self.scopes.append(scope)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scopes.append(Scope("class"))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.scopes.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            bind_targets(self.scopes[-1], target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            bind_targets(self.scopes[-1], node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            kind = "augadd" if isinstance(node.operator, cst.AddAssign) else "assign"
            self.scopes[-1].bind(node.target.value, node.value, kind)

    def visit_For(self, node: cst.For) -> None:
        if isinstance(node.target, cst.Name):
            self.scopes[-1].bind(node.target.value, node.iter, "iter")
        else:
            bind_targets(self.scopes[-1], node.target, cst.Name("__unknown__"))

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            if item.asname is not None:
                bind_targets(self.scopes[-1], item.asname.name, cst.Name("__unknown__"))

    def visit_If(self, node: cst.If) -> None:
        record_guard(self.scopes[-1], node, self.bindings)

    def visit_Assert(self, node: cst.Assert) -> None:
        record_guard(self.scopes[-1], node, self.bindings)

    # -- sinks ---------------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        record_mutation(self.scopes[-1], node)
        sink = find_sql_sink(node, self.ctx)
        if sink is None:
            return
        bindings = self.bindings
        site = _SinkSite(node, sink)
        self.sites.append(site)
        for arg in node.args:
            self.site_of[id(arg.value)] = site
        for argument in sink.arguments:
            self.site_of[id(argument)] = site
            text = literal_text(argument, bindings)
            if sink.certain or looks_like_sql(text):
                site.flow_ok.add(id(argument))
            if is_constant(argument, bindings):
                site.constant.add(id(argument))
            build = string_build(argument, bindings, in_sink=True)
            if build is None:
                continue
            if build.via and not sink.certain:
                continue  # a variable handed to some `.execute()`: too weak a hint alone
            if (build.via or not sink.certain) and not looks_like_sql(text):
                continue
            site.builds.append((argument, build))

    def finish(self) -> None:
        flows = self._flows() if self.sites else {}
        reported: set[int] = set()
        for site in self.sites:
            built = {id(argument): build for argument, build in site.builds}
            for argument in site.sink.arguments:
                flow = flows.get(id(argument))
                build = built.get(id(argument))
                if flow is not None and id(argument) not in site.constant:
                    at = build.node if build is not None else argument
                    if id(at) not in reported:
                        reported.add(id(at))
                        self._report_flow(at, flow)
                elif build is not None and id(build.node) not in reported:
                    reported.add(id(build.node))
                    self._report_pattern(site.call, site.sink.label, build)

    def _flows(self) -> dict[int, Flow]:
        """The file's tainted SQL flows by the sink argument they reach (kept only where the
        sink is one this rule recognises and the argument is not provably constant). In phase 1
        the engine follows flows within this file (from the summaries the taint collector
        stored), in phase 2 across the project."""
        found: dict[int, Flow] = {}
        for flow in flows(self.ctx, self.taint_kinds):
            site = self.site_of.get(id(flow.node))
            if site is None:
                continue
            target = _argument_of(site, flow.node)
            if target is None or id(target) not in site.flow_ok:
                continue
            old = found.get(id(target))
            if old is None or flow.confidence.rank > old.confidence.rank:
                found[id(target)] = flow
        return found

    def _report_flow(self, at: cst.CSTNode, flow: Flow) -> None:
        message = flow_message(flow, self.taint_kinds["sql"], self.advice)
        self.report(at, message, confidence=flow.confidence, flow=flow.steps)

    def _report_pattern(self, call: cst.Call, sink: str, build: StringBuild) -> None:
        culprit = _shorten(self.ctx.module.code_for_node(build.culprit))
        if build.via:
            where = f"SQL built with {build.how} from `{culprit}` into `{build.via}`"
        else:
            where = f"SQL built with {build.how} from `{culprit}`"
        message = (
            f"{where} is run by `{sink}`: if that value can come from a client, a quote in it "
            "rewrites the query (no flow from request data was found). Pass values as query "
            "parameters (`execute(sql, params)`, `text(...)` with `:name` binds, "
            "`raw(sql, [params])`) and pick identifiers from a fixed allowlist."
        )
        flow = [(build.node, f"SQL text built with {build.how}"), (call, f"executed by {sink}")]
        # no client data reaches it: a string-built query is a risk to check, not a proven
        # injection (on four real services every such finding was a constant, an identifier
        # from the schema or a value read back from the database)
        self.report(
            build.node, message, severity=Severity.LOW, confidence=Confidence.LOW, flow=flow
        )

    VALID = [
        Valid(
            """
import sqlite3
from flask import Flask, request

app = Flask(__name__)
conn = sqlite3.connect("app.db")
SORTS = {"new": "created_at DESC", "name": "name"}


def run_query(sql, params=()):
    return conn.execute(sql, params).fetchall()


@app.get("/users")
def users():
    name = request.args["name"]
    limit = int(request.args.get("limit", 10))
    run_query("SELECT * FROM users WHERE name = ?", (name,))
    conn.execute(f"SELECT * FROM users LIMIT {limit}")  # ok: BR101
    order = SORTS.get(request.args.get("sort", ""), "name")
    conn.execute(f"SELECT * FROM users ORDER BY {order}")  # ok: BR101
    conn.execute("SELECT * FROM users WHERE name = :n", {"n": name})  # ok: BR101
    return "ok"
"""
        ),
        Valid(
            """
import sqlite3

def by_id(conn: sqlite3.Connection, user_id: int):
    conn.execute("SELECT * FROM users WHERE id = ?", (user_id,))
    conn.execute("SELECT * FROM users WHERE id = :id", {"id": user_id})
    cur = conn.cursor()
    cur.executemany("INSERT INTO t (a) VALUES (?)", [(user_id,)])
    cur.execute("SELECT * FROM users WHERE name = %s" , [user_id])  # ok: BR101
"""
        ),
        Valid(
            """
TABLE = "users"
COLUMNS = "id, name"

def constant_parts(cursor, user_id):
    cursor.execute(f"SELECT {COLUMNS} FROM {TABLE} WHERE id = %s", (user_id,))  # ok: BR101
    cursor.execute("SELECT * FROM " + TABLE + " WHERE id = %s", (user_id,))  # ok: BR101
    cursor.execute(f"SELECT * FROM users")
    cursor.execute("SELECT * FROM {} WHERE id = %s".format(TABLE), [user_id])  # ok: BR101
    query = "SELECT * FROM users " "WHERE id = %s"
    query += " AND deleted = false"
    cursor.execute(query, (user_id,))  # ok: BR101
"""
        ),
        Valid(
            """
def by_ids(cursor, ids):
    placeholders = ", ".join("?" * len(ids))
    cursor.execute(f"SELECT * FROM users WHERE id IN ({placeholders})", ids)  # ok: BR101
    marks = ",".join(["%s"] * len(ids))
    cursor.execute("DELETE FROM users WHERE id IN (%s)" % marks, ids)  # ok: BR101
    same = ", ".join("%s" for _ in ids)
    cursor.execute(f"SELECT 1 FROM t WHERE id IN ({same})", ids)  # ok: BR101
    cursor.execute(f"SELECT * FROM users LIMIT {int(ids[0])}")  # ok: BR101
    limit = min(int(ids[1]), 100)
    cursor.execute(f"SELECT * FROM users LIMIT {limit} OFFSET {max(0, int(ids[2]))}")  # ok: BR101
"""
        ),
        Valid(
            """
SORTS = {"name": "name", "newest": "created_at DESC"}
ALLOWED = {"name", "email", "created_at"}

def listing(cursor, sort, direction, col, desc):
    order = SORTS.get(sort, "name")
    cursor.execute(f"SELECT * FROM users ORDER BY {order}")  # ok: BR101
    cursor.execute(f"SELECT * FROM users ORDER BY {SORTS[sort]}")  # ok: BR101
    way = "DESC" if desc else "ASC"
    cursor.execute(f"SELECT * FROM users ORDER BY name {way}")  # ok: BR101
    if col not in ALLOWED:
        raise ValueError(col)
    cursor.execute(f"SELECT * FROM users ORDER BY {col}")  # ok: BR101

def asserted(cursor, field):
    assert field in ("a", "b")
    cursor.execute("SELECT %s FROM t" % field)  # ok: BR101
"""
        ),
        Valid(
            """
from sqlalchemy import text
from django.db.models.expressions import RawSQL

def orm(session, User, name, qs):
    session.execute(text("SELECT * FROM users WHERE name = :name"), {"name": name})
    session.execute(text("SELECT * FROM users WHERE id = :id").bindparams(id=name))
    User.objects.raw("SELECT * FROM app_user WHERE name = %s", [name])
    qs.extra(where=["name = %s"], params=[name])
    qs.annotate(v=RawSQL("SELECT col FROM t WHERE id = %s", (name,)))
    User.objects.raw(f"SELECT * FROM {User._meta.db_table} WHERE id = %s", [name])  # ok: BR101
"""
        ),
        Valid(
            """
def where_clauses(cursor, name, email):
    clauses = ["deleted = false"]
    params = []
    if name:
        clauses.append("name = %s")
        params.append(name)
    if email:
        clauses.append("email = %s")
        params.append(email)
    sql = "SELECT * FROM users WHERE " + " AND ".join(clauses)  # ok: BR101
    cursor.execute(sql, params)
"""
        ),
        Valid(
            """
import logging
log = logging.getLogger(__name__)

def not_sql(executor, task, name, job, plugin_manager):
    executor.execute(f"task-{task}")  # ok: BR101
    plugin_manager.execute(f"hook-{task}")  # ok: BR101
    log.info(f"SELECT for {name} took long")  # ok: BR101
    job.run(f"SELECT * FROM t WHERE a = '{name}'")
    message = f"Hello {name}, select a plan from the list"
    executor.execute(message)  # ok: BR101
"""
        ),
        Valid(
            """
from psycopg import sql

class Repo:
    table = "users"

    def get(self, cursor, column, value):
        query = sql.SQL("SELECT * FROM {} WHERE {} = %s").format(  # ok: BR101
            sql.Identifier(self.table), sql.Identifier(column)
        )
        cursor.execute(query, (value,))
        cursor.execute(f"SELECT * FROM {self.table} WHERE id = %s", (value,))  # ok: BR101
"""
        ),
        Valid(
            """
def typed(cursor, item_id: int, owner: uuid.UUID | None, day: Optional[date] = None):
    cursor.execute(f"SELECT * FROM items WHERE id = {item_id}")  # ok: BR101
    cursor.execute(f"SELECT * FROM items WHERE owner = '{owner}' AND day = '{day}'")  # ok: BR101


def banned_is_not_an_allowlist(cursor, query):
    # a parameter of unknown origin: left to the taint rules
    cursor.execute(query)
    rows = cursor.fetchall()
    return rows
"""
        ),
        Valid(
            """
from django.db import connection

def table_size(model, table_name):
    # identifiers quoted by the backend (Django's quote_name) cannot be bound as parameters
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM %s" % qn(table_name))  # ok: BR101
        cursor.execute(
            "SELECT %s FROM %s WHERE id = %%s"  # ok: BR101
            % (connection.ops.quote_name("value"), connection.ops.quote_name(table_name)),
            [1],
        )
        cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE id = %s", [1])  # ok: BR101
"""
        ),
    ]

    INVALID = [
        Invalid(
            """
import sqlite3
from flask import Flask, request

app = Flask(__name__)
conn = sqlite3.connect("app.db")


def run_query(sql):
    return conn.execute(sql).fetchall()  # expect: BR101


class Users:
    def __init__(self, db):
        self.db = db

    def by_name(self, name):
        query = "SELECT * FROM users WHERE name = '" + name + "'"  # expect: BR101
        return self.db.execute(query)


@app.get("/users")
def users():
    name = request.args["name"]
    run_query(f"SELECT * FROM users WHERE name = '{name}'")
    Users(conn).by_name(name)
    filters = {"name": name}
    conn.execute("SELECT * FROM t WHERE n = '%s'" % filters["name"])  # expect: BR101
    return "ok"
"""
        ),
        Invalid(
            """
import sqlite3
from flask import request

def search():
    name = request.args["name"]
    conn = sqlite3.connect("app.db")
    conn.execute(f"SELECT * FROM users WHERE name = '{name}'")  # expect: BR101
    cur = conn.cursor()
    cur.execute("SELECT * FROM users WHERE name = '%s'" % name)  # expect: BR101
    cur.execute("DELETE FROM users WHERE name = '" + name + "'")  # expect: BR101
    cur.execute("UPDATE users SET seen = 1 WHERE name = '{}'".format(name))  # expect: BR101
    cur.executescript("DROP TABLE " + name)  # expect: BR101
    cur.execute("SELECT * FROM users WHERE id = %s" % (name,))  # expect: BR101
"""
        ),
        Invalid(
            """
def report(cursor, user_id, status):
    query = f"SELECT * FROM orders WHERE user_id = {user_id}"  # expect: BR101
    cursor.execute(query)
    sql = "SELECT * FROM orders WHERE 1 = 1"
    sql += " AND status = '" + status + "'"  # expect: BR101
    cursor.execute(sql)
    where = " AND ".join(f"{k} = '{v}'" for k, v in status.items())
    cursor.execute("SELECT * FROM t WHERE " + where)  # expect: BR101
"""
        ),
        Invalid(
            """
import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.orm import Session

def orm(session: Session, engine, name, db):
    session.execute(text(f"SELECT * FROM users WHERE name = '{name}'"))  # expect: BR101
    session.execute(sa.text("SELECT * FROM users WHERE name = '%s'" % name))  # expect: BR101
    with engine.connect() as connection:
        connection.exec_driver_sql(f"DELETE FROM users WHERE id = {name}")  # expect: BR101
        connection.execute(f"SELECT * FROM users WHERE name = '{name}'")  # expect: BR101
    db.session.execute(db.text(f"SELECT * FROM users WHERE name = '{name}'"))  # expect: BR101
"""
        ),
        Invalid(
            """
from django.db import connection
from django.db.models.expressions import RawSQL
from .models import User

def django_views(request):
    q = request.GET["q"]
    User.objects.raw(f"SELECT * FROM app_user WHERE name = '{q}'")  # expect: BR101
    User.objects.filter(active=True).extra(where=[f"name = '{q}'"])  # expect: BR101
    User.objects.extra(select={"x": "SELECT count(*) FROM t WHERE a = %s" % q})  # expect: BR101
    User.objects.annotate(v=RawSQL("SELECT col FROM t WHERE name = '" + q + "'", ()))  # expect: BR101
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM app_user WHERE name = '{q}'")  # expect: BR101
    connection.cursor().execute("SELECT * FROM t WHERE a = '%s'" % q)  # expect: BR101
"""
        ),
        Invalid(
            """
import asyncpg
import aiosqlite

async def handlers(pool: asyncpg.Pool, name: str, ident: str):
    async with pool.acquire() as conn:
        await conn.fetch(f"SELECT * FROM users WHERE name = '{name}'")  # expect: BR101
        await conn.fetchrow("SELECT * FROM users WHERE id = " + ident)  # expect: BR101
        await conn.fetchval(f"SELECT count(*) FROM {name}")  # expect: BR101
    async with aiosqlite.connect("db.sqlite") as db:
        await db.execute(f"INSERT INTO log (msg) VALUES ('{name}')")  # expect: BR101
"""
        ),
        Invalid(
            """
ALLOWED = {"name", "email"}

def sort_by(cursor, col, banned_col):
    if col in ALLOWED:
        pass
    if banned_col in {"password"}:
        raise ValueError("no")
    cursor.execute(f"SELECT * FROM users ORDER BY {banned_col}")  # expect: BR101
    cursor.execute("SELECT * FROM users ORDER BY " + str(banned_col))  # expect: BR101
    cursor.execute(f"SELECT * FROM users ORDER BY {str(int(banned_col))}")  # ok: BR101
"""
        ),
        Invalid(
            """
import pandas as pd
from psycopg2 import sql

def analytics(engine, cursor, table, fields):
    pd.read_sql(f"SELECT * FROM {table}", engine)  # expect: BR101
    cursor.execute(sql.SQL(f"SELECT * FROM {table}"))  # expect: BR101
    set_clause = ", ".join(f"{k} = %s" for k in fields)
    statement = f"UPDATE items SET {set_clause} WHERE id = %s"  # expect: BR101
    cursor.execute(statement, [*fields.values(), 1])
"""
        ),
        Invalid(
            """
def typed_text(cursor, name: str, either: int | str, n: Optional[int]):
    cursor.execute(f"SELECT * FROM t WHERE name = '{name}'")  # expect: BR101
    cursor.execute(f"SELECT * FROM t WHERE v = {either}")  # expect: BR101
    cursor.execute(f"SELECT * FROM t LIMIT {n}")  # ok: BR101


class Repo:
    def __init__(self, table):
        self.table = table

    def all(self, cursor):
        cursor.execute(f"SELECT * FROM {self.table}")  # expect: BR101

    def admin(self, cursor, table, schema):
        cursor.execute(f"TRUNCATE {table}")  # expect: BR101
        statement = "SET search_path TO " + schema  # expect: BR101
        cursor.execute(statement)

    def twice(self, cursor, name):
        q = "SELECT * FROM users WHERE name = '%s'" % name  # expect: BR101
        cursor.execute(q)
        cursor.execute(q)
"""
        ),
    ]


@dataclass
class _SinkSite:
    """One SQL sink call: its SQL arguments, which are built strings, which are constant."""

    call: cst.Call
    sink: SqlSink
    builds: list[tuple[cst.BaseExpression, StringBuild]] = field(default_factory=list)
    constant: set[int] = field(default_factory=set)
    flow_ok: set[int] = field(default_factory=set)


def _argument_of(site: _SinkSite, node: cst.CSTNode) -> cst.BaseExpression | None:
    """The SQL argument of `site` that the taint engine's sink node is (or contains)."""
    for argument in site.sink.arguments:
        if argument is node:
            return argument
    for argument in site.sink.arguments:  # `.extra(where=[...])`: the engine reports the list
        if id(argument) in site.constant:
            continue
        for arg in site.call.args:
            if arg.value is node and _contains(node, argument):
                return argument
    return None


def _contains(outer: cst.CSTNode, inner: cst.CSTNode) -> bool:
    if outer is inner:
        return True
    return any(_contains(child, inner) for child in syntax_children(outer))


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"
