"""Which checklist items apply to a project: an item that does not apply is n/a, not 100.

A collector notes per file whether it has `async def` and whether it talks to a database; the
route inventory says whether there are routes. Injection, secrets, error handling, logging and
types always apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import libcst as cst

from reviewer.context import Visitor

ALWAYS = ("sql-injection", "injection", "secrets", "error-handling", "logging", "types")
ROUTE_ITEMS = (
    "authentication",
    "authorization",
    "input-validation",
    "rate-limiting",
    "response-format",
    "architecture",
    "tests",
)
DB_MODULES = (
    "django.db",
    "sqlalchemy",
    "sqlmodel",
    "peewee",
    "tortoise",
    "pony",
    "mongoengine",
    "sqlite3",
    "psycopg",
    "psycopg2",
    "pymysql",
    "MySQLdb",
    "asyncpg",
    "aiosqlite",
    "databases",
    "rest_framework",
)
FACT = "applicability"


class ApplicabilityCollector(Visitor):
    """Records `async` and `db` facts for one file."""

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.has_async = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is not None:
            self.has_async = True

    def finish(self) -> None:
        targets = self.ctx.imports.names.values()
        uses_db = any(t == m or t.startswith(m + ".") for t in targets for m in DB_MODULES)
        self.ctx.facts[FACT] = {"async": self.has_async, "db": uses_db}


def applicable_items(facts: Iterable[Mapping[str, Any]], has_routes: bool) -> dict[str, bool]:
    result = dict.fromkeys(ALWAYS, True)
    any_async = any_db = False
    for file_facts in facts:
        fact = file_facts.get(FACT, {})
        any_async = any_async or bool(fact.get("async"))
        any_db = any_db or bool(fact.get("db"))
    result["async"] = any_async
    result["data-access"] = any_db
    for item in ROUTE_ITEMS:
        result[item] = has_routes
    return result
