"""BR402: route modules, view classes or handlers too large to review and test."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from reviewer.checks.architecture._handlers import route_label
from reviewer.checks.architecture._measure import code_lines, measure
from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.framework.lookup import handler_names, handler_routes
from reviewer.model import Confidence, Severity

if TYPE_CHECKING:
    from reviewer.context import FileContext

_EMPTY = cst.Module(body=[])


def _many_routes(count: int) -> str:
    head = "from fastapi import APIRouter  # expect: BR402\nrouter = APIRouter()\n"
    return head + "".join(
        f"\n@router.get('/r{i}')\ndef r{i}():\n    return {{'n': {i}}}\n" for i in range(count)
    )


def _documented_handler() -> str:
    """A short handler under a long flasgger/OpenAPI docstring and comments."""
    spec = "".join(f"      - in: query\n        name: p{i}\n" for i in range(40))
    notes = "".join(f"    # step {i} of the protocol\n" for i in range(20))
    return (
        "from flask import Flask, request\napp = Flask(__name__)\n\n"
        "@app.get('/redirect-to')\n"
        'def redirect_to():  # ok: BR402\n    """Redirect.\n    ---\n    parameters:\n'
        + spec
        + '    """\n'
        + notes
        + "    return request.args['url']\n"
    )


def _long_handler() -> str:
    body = "".join(f"    total += {i}\n" for i in range(70))
    return (
        "from flask import Flask\napp = Flask(__name__)\n\n"
        "@app.get('/report')\n"
        "def report():  # expect: BR402\n    total = 0\n" + body + "    return {'total': total}\n"
    )


class GiantController(Rule):
    """Route modules, view classes and handlers above a size or complexity limit.

    ## What it does
    Using the route inventory, it reports a route module with more than
    `max-handlers-per-module` handlers or more than `max-module-lines` lines, a view class with
    more than `max-handlers-per-class` handler methods or `max-class-lines` lines, and a handler
    longer than `max-handler-lines` lines or with a cyclomatic complexity above
    `max-handler-complexity`. The measures are attached to the finding.

    Options (`rules: {BR402: {...}}`): `max-handlers-per-module` (20), `max-module-lines`
    (1000), `max-handlers-per-class` (10), `max-class-lines` (500), `max-handler-lines` (60),
    `max-handler-complexity` (12).

    ## Why is this bad
    A controller that serves everything becomes the place every change conflicts in: reviews
    get shallow, merge conflicts frequent, and tests slow because each needs the whole module.
    A long, branchy handler hides business rules that belong in a service and is rarely tested on
    all paths.

    ## Example
    ```python
    # api.py: 45 endpoints for users, orders, billing and reports, 2,300 lines
    ```

    ## Use instead
    Split routes by resource into blueprints/routers/apps (`users.py`, `orders.py`), and move
    long handler bodies into service functions that the handler calls.

    ## References
    - https://flask.palletsprojects.com/en/stable/blueprints/
    - https://fastapi.tiangolo.com/tutorial/bigger-applications/
    - https://en.wikipedia.org/wiki/Cyclomatic_complexity
    """

    code = "BR402"
    name = "giant-controller"
    item = "architecture"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    summary = "route module, view class or handler too large or too complex"
    needs_project = True
    options = {
        "max-handlers-per-module": 20,
        "max-module-lines": 1000,
        "max-handlers-per-class": 10,
        "max-class-lines": 500,
        "max-handler-lines": 60,
        "max-handler-complexity": 12,
    }

    VALID = [
        Valid(_many_routes(20)),
        Valid(_documented_handler()),
        Valid(
            """
from flask import Flask
app = Flask(__name__)

@app.post("/orders")
def create_order():                        # ok: BR402
    data = parse(request)
    if not data:
        return {"error": "empty"}, 400
    return service.create(data), 201

def long_helper():                         # ok: BR402 (not a handler)
"""
            + "".join(f"    x = {i}\n" for i in range(80))
        ),
    ]
    INVALID = [
        Invalid(_many_routes(21).replace("# expect: BR402", "# expect: BR402 (21 handlers)")),
        Invalid(_long_handler()),
        Invalid(
            """
from fastapi import FastAPI
app = FastAPI()

@app.post("/checkout")
def checkout(cart: dict):  # expect: BR402
    if cart.get("a") and cart.get("b"):
        pass
    elif cart.get("c") or cart.get("d"):
        pass
    for item in cart["items"]:
        if item.get("x"):
            continue
        while item.get("y"):
            break
    try:
        pay(cart)
    except TimeoutError:
        pass
    except ValueError:
        pass
    return [i for i in cart if i] if cart else []
"""
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._handlers = handler_names(ctx)
        self._count = 0
        self._class_counts: dict[int, int] = {}

    def finish(self) -> None:
        lines = code_lines(self.ctx.source)
        reasons = []
        if self._count > self.option("max-handlers-per-module"):
            reasons.append(f"{self._count} route handlers")
        if self._handlers and lines > self.option("max-module-lines"):
            reasons.append(f"{lines} lines")
        if reasons:
            self.report(
                self.ctx.module,
                f"This route module has {' and '.join(reasons)}: split it by resource into "
                "several blueprints/routers/view modules so changes and reviews stay local.",
                extra=[("handlers", self._count), ("lines", lines)],
            )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        qualname = self.ctx.scope_name()
        if qualname not in self._handlers:
            return
        self._count += 1
        cls = self.ctx.enclosing_class()
        if cls is not None:
            self._class_counts[id(cls)] = self._class_counts.get(id(cls), 0) + 1
        m = measure(node, self.ctx.resolve)
        reasons = []
        if m.lines > self.option("max-handler-lines"):
            reasons.append(f"{m.lines} lines")
        if m.complexity > self.option("max-handler-complexity"):
            reasons.append(f"cyclomatic complexity {m.complexity}")
        if reasons:
            routes = handler_routes(self.ctx, qualname)
            self.report(
                node.name,
                f"{route_label(routes, qualname)} is too large for a handler "
                f"({', '.join(reasons)}): move the work into service functions the handler "
                "calls, so each rule can be read and tested on its own.",
                extra=[("lines", m.lines), ("complexity", m.complexity)],
            )

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        count = self._class_counts.get(id(node), 0)
        if not count:
            return
        lines = code_lines(_EMPTY.code_for_node(node.body))
        reasons = []
        if count > self.option("max-handlers-per-class"):
            reasons.append(f"{count} handler methods")
        if lines > self.option("max-class-lines"):
            reasons.append(f"{lines} lines")
        if reasons:
            self.report(
                node.name,
                f"View class `{node.name.value}` has {' and '.join(reasons)}: split it by "
                "resource or move the logic into services.",
                extra=[("handlers", count), ("lines", lines)],
            )
