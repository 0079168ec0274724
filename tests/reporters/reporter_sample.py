"""A hand-built, realistic Report for the reporter tests, plus golden-file helpers.

The sample service is written to a temporary folder (it holds deliberately bad code, an
undecodable file and an escape sequence, which must not live in the repository as Python).
Golden files live in tests/reporters/snapshots/; UPDATE_SNAPSHOTS=1 rewrites them.
"""

from __future__ import annotations

from pathlib import Path

from reviewer.model import (
    AnalyzerRun,
    Confidence,
    Finding,
    FlowStep,
    Location,
    Report,
    RuleMeta,
    Severity,
)
from reviewer.scoring import ChecklistItem, score
from reviewer.service import Guard, Route

SNAPSHOTS = Path(__file__).parent / "snapshots"
REPO_ROOT = Path(__file__).resolve().parents[2]
VERSION = "0.1.0"

SAMPLE_FILES: dict[str, bytes] = {
    "app/__init__.py": b"",
    "app/views.py": b'''"""Orders API: a small sample service for the reporter golden tests."""

from flask import Flask, jsonify, request

from app import db

app = Flask(__name__)


@app.post("/orders/search")
def search_orders():
    term = request.args.get("q", "")
    rows = db.find_orders(term)
    return jsonify(rows)


@app.delete("/orders/<int:order_id>")
def delete_order(order_id: int):
    db.delete_order(order_id)
    return "", 204


@app.get("/health")
async def health():
    import time

    time.sleep(1)
    return {"ok": True}
''',
    "app/db.py": b'''"""Data access for orders."""

import sqlite3

DB_PATH = "orders.db"


def find_orders(term):
    conn = sqlite3.connect(DB_PATH)
    sql = f"SELECT id, total FROM orders WHERE customer LIKE '%{term}%'"
    return conn.execute(sql).fetchall()


def delete_order(order_id):
    conn = sqlite3.connect(DB_PATH)
    try:
        conn.execute("DELETE FROM orders WHERE id = ?", (order_id,))
    except Exception:
        pass
''',
    "app/config.py": b'''"""Settings."""


SECRET_KEY = "dev-secret-key-4f9a8b7c6d5e"
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///orders.db")
TEST_API_KEY = "sk_test_1234567890abcdef"  # backend-review: ignore[BR201] test-only key
''',
    "app/latin1.py": (
        b'"""Legacy report job (latin-1 encoded: caf\xe9)."""\n\n\n'
        b'def run():\n    print("report\x1b[31m done")\n'
    ),
}

SQL_DOCS = """## What it does
Finds SQL text built from strings (f-strings, concatenation, `%`, `.format()`) that reaches
`execute()`, `raw()`, `text()` or `extra()`.

## Why is this bad?
An attacker who controls part of the string controls the query.

## Example
```python
conn.execute(f"SELECT * FROM orders WHERE id = {order_id}")
```

## Use instead
```python
conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,))
```

## References
- https://owasp.org/www-community/attacks/SQL_Injection
"""


def _rule(
    code: str, name: str, item: str, sev: str, conf: str, summary: str, **kw: object
) -> RuleMeta:
    return RuleMeta(code, name, item, Severity(sev), Confidence(conf), summary, **kw)  # type: ignore[arg-type]


RULES: tuple[RuleMeta, ...] = (
    _rule("BR101", "sql-injection", "sql-injection", "critical", "high",
          "SQL built from strings reaches a query call.", docs=SQL_DOCS, cwe=(89,),
          external_ids=("bandit:B608", "ruff:S608")),
    _rule("BR201", "hardcoded-secret", "secrets", "high", "high",
          "A secret is written into the source code.", cwe=(798,),
          external_ids=("bandit:B105",)),
    _rule("BR301", "route-without-auth", "authentication", "high", "medium",
          "A state-changing route has no authentication.", cwe=(306,)),
    _rule("BR601", "blocking-call-in-async", "async", "high", "high",
          "A blocking call runs inside async def."),
    _rule("BR702", "internal-error-exposed", "error-handling", "medium", "high",
          "Exception details are returned to the client.", cwe=(209,)),
    _rule("BR703", "swallowed-exception", "error-handling", "low", "medium",
          "An exception is caught and ignored.", cwe=(390,)),
    _rule("BR802", "print-in-server-code", "logging", "low", "high",
          "print() in server code instead of logging."),
    _rule("BR803", "route-without-rate-limit", "rate-limiting", "medium", "medium",
          "The service has no rate limiting.", cwe=(770,)),
    _rule("BR805", "untyped-handler", "types", "low", "low",
          "A handler has no type annotations."),
    _rule("BR901", "parse-error", "meta", "medium", "high",
          "A file could not be parsed.", source="meta", scored=False),
)  # fmt: skip


def _finding(
    code: str, path: str, line: int, message: str, sev: str, conf: str, **kw: object
) -> Finding:
    loc = kw.pop("location", None) or Location(path, line, 5, line, 40)
    return Finding(code, message, loc, Severity(sev), Confidence(conf), **kw)  # type: ignore[arg-type]


FINDINGS: tuple[Finding, ...] = tuple(sorted((
    _finding("BR101", "app/db.py", 11,
             "SQL built with an f-string reaches conn.execute(); use bound parameters",
             "critical", "high",
             sources=("backend-review", "bandit:B608", "ruff:S608"), scope="find_orders",
             snippet="return conn.execute(sql).fetchall()", fingerprint="3f1c9a7be2d04c55",
             flow=(
                 FlowStep(Location("app/views.py", 12, 12), "request.args.get(\"q\")"),
                 FlowStep(Location("app/views.py", 13, 12), "db.find_orders(term)"),
                 FlowStep(Location("app/db.py", 10, 5), "f-string with term"),
                 FlowStep(Location("app/db.py", 11, 12), "conn.execute(sql)"),
             )),
    _finding("BR201", "app/config.py", 5, "Hard-coded secret assigned to SECRET_KEY",
             "high", "high", sources=("backend-review", "bandit:B105"), fingerprint="9d2e11aa0b7c4e21"),
    _finding("BR201", "app/config.py", 7, "Hard-coded secret assigned to TEST_API_KEY",
             "high", "high", fingerprint="5b0f3c8d2a6e4f10", suppressed=True,
             suppression_reason="test-only key"),
    _finding("BR301", "app/views.py", 17, "DELETE /orders/<int:order_id> has no authentication",
             "high", "medium", fingerprint="77a0c2e4d1f35b6a", scope="delete_order"),
    _finding("BR803", "", 0, "No rate limiter is configured for this Flask app",
             "medium", "medium", location=Location("", 0), project_level=True,
             fingerprint="c0ffee00ddba11ad"),
    _finding("BR601", "app/views.py", 27, "time.sleep() blocks the event loop in async def health",
             "high", "high", scope="health", fingerprint="1e2d3c4b5a697887",
             fix="    await asyncio.sleep(1)"),
    _finding("BR703", "app/db.py", 18, "Exception caught and ignored | nothing logged",
             "low", "medium", scope="delete_order", fingerprint="0a1b2c3d4e5f6a7b"),
    _finding("BR805", "app/views.py", 11, "Handler search_orders has no annotations",
             "low", "low", scope="search_orders", fingerprint="fedcba9876543210"),
    _finding("BR802", "app/latin1.py", 5, "print() in server code", "low", "high",
             scope="run", fingerprint="1234abcd5678ef90"),
    _finding("BR702", "app/removed.py", 3, "str(exc) returned to the client <b>500</b>",
             "medium", "high", fingerprint="abad1deaabad1dea"),
    _finding("BR901", "legacy/broken.py", 3, "legacy/broken.py does not parse: unexpected indent",
             "medium", "high", fingerprint="beefbeefbeefbeef"),
), key=lambda f: f.sort_key))  # fmt: skip


APPLICABLE = {
    "input-validation": True,
    "sql-injection": True,
    "injection": True,
    "secrets": True,
    "authentication": True,
    "authorization": True,
    "rate-limiting": True,
    "error-handling": True,
    "response-format": True,
    "logging": True,
    "architecture": True,
    "data-access": False,
    "async": True,
    "tests": False,
    "types": True,
}


def build_report(target: Path, checklist: tuple[ChecklistItem, ...]) -> Report:
    rules = {rule.code: rule for rule in RULES}
    return Report(
        target=str(target),
        version=VERSION,
        findings=FINDINGS,
        score=score(FINDINGS, rules, checklist, APPLICABLE),
        rules=RULES,
        analyzers=(
            AnalyzerRun("bandit", "ok", "1.8.6", 1.25),
            AnalyzerRun("ruff", "ok", "0.14.0", 0.08, not_covered=("app/latin1.py",)),
            AnalyzerRun("semgrep", "timeout", "1.185.0", 120.0, "no result within 120 s"),
        ),
        files_reviewed=5,
        not_reviewed=(("legacy/broken.py", "syntax error: unexpected indent (line 3)"),),
        routes=(
            Route(
                "flask",
                ("POST",),
                "/orders/search",
                "search_orders",
                "app.views",
                "app/views.py",
                11,
                auth=(
                    Guard(
                        "flask_login.login_required", "authentication", "route", "app/views.py", 10
                    ),
                ),
            ),
            Route(
                "flask",
                ("DELETE",),
                "/orders/<int:order_id>",
                "delete_order",
                "app.views",
                "app/views.py",
                20,
            ),
            Route(
                "flask",
                ("GET",),
                "/health",
                "health",
                "app.views",
                "app/views.py",
                30,
                public=True,
            ),
        ),
        seconds=3.5,
    )


def normalize(text: str, root: Path) -> str:
    """Replace machine-specific paths so golden files compare across checkouts."""
    text = text.replace(root.as_uri(), "file:///REPO")
    return text.replace(str(root), "/REPO")
