"""BR101 with the taint engine: flows win over shapes, one finding per query, confidence by
how the data got there; and the rule's project-phase path follows flows across modules."""

from __future__ import annotations

import textwrap
from pathlib import Path

from reviewer.checks.base import Case
from reviewer.checks.injection.sql_injection import SqlInjection
from reviewer.config import Config
from reviewer.model import Finding
from reviewer.native import review_files
from reviewer.testing import run_rule_on_case

HEAD = """
import os
import sqlite3
from flask import Flask, request

app = Flask(__name__)
conn = sqlite3.connect("app.db")
"""


def _run(body: str) -> dict[int, Finding]:
    code = HEAD + textwrap.dedent(body)
    found = run_rule_on_case(SqlInjection, Case(code))
    by_line = {f.location.line: f for f in found}
    assert len(by_line) == len(found), "one finding per line"
    return by_line


def _line(body: str, marker: str) -> int:
    code = HEAD + textwrap.dedent(body)
    return next(i for i, text in enumerate(code.splitlines(), 1) if marker in text)


def test_request_flow_is_high_with_source_and_steps() -> None:
    body = """
    @app.get("/u")
    def u():
        name = request.args["name"]
        q = f"SELECT * FROM users WHERE name = '{name}'"  # build
        conn.execute(q)
        return "ok"
    """
    found = _run(body)
    assert set(found) == {_line(body, "# build")}
    finding = found[_line(body, "# build")]
    assert finding.confidence.value == "high"
    steps = [s.message for s in finding.flow]
    assert steps[0].startswith("source: request.args")
    assert steps[-1].startswith("sink:")
    assert "request data" in finding.message


def test_query_through_parameter_and_environment_source() -> None:
    body = """
    def run(sql):
        return conn.execute(sql)  # sink

    def nightly():
        conn.execute("DELETE FROM t WHERE owner = '%s'" % os.environ["OWNER"])  # env

    @app.get("/u")
    def u():
        run("SELECT * FROM users WHERE name = '" + request.args["n"] + "'")
        return "ok"
    """
    found = _run(body)
    sink, env = _line(body, "# sink"), _line(body, "# env")
    assert set(found) == {sink, env}
    assert found[sink].confidence.value == "high"
    assert found[sink].flow[0].message.startswith("parameter sql receives")
    assert found[env].confidence.value == "low"
    assert "environment data" in found[env].message


def test_sanitized_and_parameterized_request_data_is_not_reported() -> None:
    body = """
    def run(sql, params=()):
        return conn.execute(sql, params)

    @app.get("/u")
    def u():
        n = int(request.args["n"])
        conn.execute(f"SELECT * FROM t LIMIT {n}")
        run("SELECT * FROM t WHERE a = ?", (request.args["a"],))
        conn.execute("SELECT * FROM t WHERE a = %s", [request.args["a"]])
        return "ok"
    """
    assert _run(body) == {}


def test_not_an_sql_sink_even_with_request_data() -> None:
    body = """
    @app.get("/u")
    def u(executor):
        executor.execute(f"task-{request.args['t']}")
        return "ok"
    """
    assert _run(body) == {}


class ProjectSqlInjection(SqlInjection):
    """BR101 run in phase 2 (against the project's cross-module index), which its code supports."""

    needs_project = True


def test_project_phase_follows_flows_across_modules() -> None:
    files = {
        "db.py": textwrap.dedent(
            """
            import sqlite3
            conn = sqlite3.connect("app.db")

            def find(name):
                return conn.execute(f"SELECT * FROM u WHERE name = '{name}'")

            def by_id(item_id):
                return conn.execute(f"SELECT * FROM u WHERE id = {item_id}")
            """
        ).encode(),
        "views.py": textwrap.dedent(
            """
            from flask import Flask, request
            from db import by_id, find

            app = Flask(__name__)

            @app.get("/u")
            def u():
                find(request.args["name"])
                by_id(int(request.args["id"]))
                return "ok"
            """
        ).encode(),
    }
    found = review_files(files, [ProjectSqlInjection], Config(root=Path("."))).findings
    by_line = {(f.location.path, f.location.line): f for f in found}
    assert by_line[("db.py", 6)].confidence.value == "high"
    assert by_line[("db.py", 6)].flow[0].message.startswith("parameter name receives")
    # no flow reaches by_id(): only its shape is reported, a low risk to check
    assert by_line[("db.py", 9)].confidence.value == "low"
    assert by_line[("db.py", 9)].severity.value == "low"
    assert by_line[("db.py", 6)].severity.value == "high"
