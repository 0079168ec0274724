"""BR802: `print()` in application code instead of logging."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.model import Confidence, Severity

if TYPE_CHECKING:
    from reviewer.context import FileContext

# Files that are scripts or command-line tools by convention, not server code.
_SCRIPT_PATH = re.compile(
    r"(^|/)(scripts?|bin|tools|examples?|docs|benchmarks?|management/commands|notebooks?)/"
    r"|(^|/)(manage|setup|conftest|__main__|cli|console|fabfile|noxfile)\.py$"
)
# `if verbosity >= 2:`, `if self.verbose:`, `if options["verbosity"] > 1:` (Django's migrate
# signal handlers and command helpers): output the operator asked for on the console.
_VERBOSITY = re.compile(r"\bverbos(e|ity)\b|[\"']verbos(e|ity)[\"']", re.I)
_CLI_LIBS = frozenset({"argparse", "optparse", "getopt", "click", "typer", "fire", "docopt"})


class PrintInServerCode(Rule):
    """`print()` in application modules, where logging belongs.

    ## What it does
    Reports calls to the built-in `print()` in the modules of a service. Scripts and command-line
    tools are left alone: test files, `if __name__ == "__main__":` blocks, output under an
    `if verbosity ...:` test, Django management commands, `manage.py`/`setup.py`/`__main__.py`/
    `cli.py`/`console.py`, files under `scripts/`, `bin/`, `tools/`, `examples/`, and modules that
    build a CLI with argparse, optparse, getopt, click or typer. Alembic migration environments
    are not reviewed at all (see the README's exclusions).

    ## Why is this bad
    `print` writes to stdout with no level, timestamp, logger name or request context; it cannot be
    filtered, routed or silenced in production, it is easily lost under a process manager, and
    debug prints left behind tend to dump user data into the output.

    ## Example
    ```python
    @app.post("/orders")
    def create_order():
        print("creating order", request.json)
    ```

    ## Use instead
    ```python
    logger = logging.getLogger(__name__)

    @app.post("/orders")
    def create_order():
        logger.info("creating order for customer %s", customer_id)
    ```

    ## References
    - https://docs.python.org/3/howto/logging.html
    - https://docs.astral.sh/ruff/rules/print/
    """

    code = "BR802"
    name = "print-in-server-code"
    item = "logging"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    summary = "`print()` in server code instead of logging"
    cwe = (778,)
    external_ids = ("ruff:T201",)

    VALID = [
        Valid(
            """
import logging
from flask import Flask
app = Flask(__name__)
logger = logging.getLogger(__name__)

@app.get("/")
def index():
    logger.info("index")
    return "ok"

if __name__ == "__main__":
    print("serving on :5000")        # ok: BR802
    app.run()
"""
        ),
        Valid(
            """
from django.core.management.base import BaseCommand

class Command(BaseCommand):
    def handle(self, *args, **options):
        print("imported 3 rows")      # ok: BR802
""",
            path="shop/management/commands/import_rows.py",
        ),
        Valid(
            """
import argparse

def main():
    parser = argparse.ArgumentParser()
    print(parser.parse_args())        # ok: BR802
""",
            path="app/seed.py",
        ),
        Valid('print("hello")\n', path="scripts/migrate_data.py"),
        Valid(
            """
import getopt
import sys

def print_help():
    print("Usage: app.py [options]")  # ok: BR802 (the launcher's own --help)

def main():
    opts, _ = getopt.getopt(sys.argv[1:], "hp:")
    if not opts:
        print_help()
""",
            path="app/__init__.py",
        ),
        Valid(
            "def print_line(text):\n    print(text)  # ok: BR802 (a console-output helper)\n",
            path="shop/text/console.py",
        ),
        Valid(
            """
def create_defaults(app_config, verbosity=2, **kwargs):
    if verbosity >= 2:
        print("Creating default rows")  # ok: BR802 (output the operator asked for)
    created = seed()
    if verbosity and created:
        print(f"{created} rows")  # ok: BR802
""",
            path="shop/signals.py",
        ),
        Valid('def main():\n    print("report")  # ok: BR802\n', path="pkg/report.py"),
        Valid('def test_x():\n    print("debug")\n', path="tests/test_api.py"),
        Valid(
            """
class Printer:
    def print(self, doc):
        self.device.print(doc)        # ok: BR802 (a method named print)
"""
        ),
    ]
    INVALID = [
        Invalid(
            """
from flask import Flask, request
app = Flask(__name__)

@app.post("/orders")
def create_order():
    print("creating order", request.json)  # expect: BR802
    return "ok"

if __name__ == "__main__":
    app.run()
"""
        ),
        Invalid(
            """
import sys

def charge(customer, amount):
    try:
        gateway.charge(customer, amount)
    except GatewayError as e:
        print(f"charge failed: {e}", file=sys.stderr)  # expect: BR802
        raise
""",
            path="billing/services.py",
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        roots = {n.split(".")[0] for n in ctx.imports.names.values()}
        self._skip = (
            ctx.is_test_file or bool(_SCRIPT_PATH.search(ctx.relpath)) or bool(roots & _CLI_LIBS)
        )

    def visit_Call(self, node: cst.Call) -> None:
        if self._skip or self.ctx.call_name(node) != "print":
            return
        for ancestor in self.ctx.stack:
            if isinstance(ancestor, cst.If):
                test = cst.Module([]).code_for_node(ancestor.test)
                if "__main__" in test or _VERBOSITY.search(test):
                    return  # a script's entry point; console output the caller asked for
            if isinstance(ancestor, cst.FunctionDef) and ancestor.name.value == "main":
                return  # a command-line entry point
        self.report(
            node,
            "`print()` in server code: the output has no level, timestamp or request context and "
            "cannot be filtered or routed in production. Use a module logger "
            "(`logger = logging.getLogger(__name__)`) at the right level.",
        )
