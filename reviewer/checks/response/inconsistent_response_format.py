"""BR704: handlers of one API that answer in different shapes."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.checks.response._shapes import Shape, handler_shapes
from reviewer.framework.lookup import handler_names
from reviewer.model import Confidence, Severity

if TYPE_CHECKING:
    from reviewer.context import FileContext


# Keys of a body that is nothing but an error report.
_ERROR_ONLY_KEYS = frozenset({"errors", "message", "detail", "status", "code", "success"})


def _dominant(counter: Counter[str]) -> str | None:
    """The strictly most common value, when there are at least 3 votes and 2 values."""
    if len(counter) < 2 or sum(counter.values()) < 3:
        return None
    (top, n1), (_, n2) = counter.most_common(2)
    return top if n1 > n2 else None


class InconsistentResponseFormat(Rule):
    """Route handlers of one module answer with different envelopes or signal errors with 200.

    ## What it does
    Reads the responses each route handler builds (dict/list literals, `jsonify`,
    `JsonResponse`, `JSONResponse`, DRF `Response`, aiohttp `json_response`, `(body, status)`
    tuples, `raise HTTPException(detail=...)`) and compares the handlers of a route module:
    - error bodies keyed differently (`{"error": ...}` vs `{"detail": ...}` vs
      `{"message": ...}`): the dominant convention is named and the deviations reported;
    - collections returned as bare lists by some handlers and wrapped (`{"data": [...]}`,
      `{"items": ...}`) by others;
    - an error body (`{"error": ...}`) sent with status 200.
    A convention needs at least three responses and a strict majority; bodies built elsewhere
    (variables, serializers, Pydantic models) are not judged.

    ## Why is this bad
    Clients must special-case each endpoint: one error is read from `error`, the next from
    `detail`, a list sometimes sits under `data`. Errors sent with 200 defeat HTTP-level retry,
    monitoring and caching, and are treated as successes by generated clients.

    ## Example
    ```python
    @app.get("/users/<int:uid>")
    def user(uid):
        return jsonify({"error": "not found"}), 404

    @app.get("/orders/<int:oid>")
    def order(oid):
        return jsonify({"message": "not found"}), 404
    ```

    ## Use instead
    Pick one envelope and build it in one place (a helper or a central error handler):
    `{"error": {"code": "not_found", "message": "..."}}` with the right status code, and the same
    shape for every collection (`{"data": [...], "next": ...}` or bare lists, not both).

    ## References
    - https://www.rfc-editor.org/rfc/rfc9457 (Problem Details for HTTP APIs)
    - https://google.github.io/styleguide/jsoncstyleguide.xml
    """

    code = "BR704"
    name = "inconsistent-response-format"
    item = "response-format"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    summary = "handlers return different response envelopes, or errors with status 200"
    needs_project = True

    VALID = [
        Valid(
            """
from flask import Flask, jsonify
app = Flask(__name__)

@app.get("/users/<int:uid>")
def user(uid):
    if uid < 0:
        return jsonify({"error": "bad id"}), 400                # ok: BR704
    return jsonify({"data": {"id": uid}})

@app.get("/users")
def users():
    return jsonify({"data": [], "next": None})                 # ok: BR704

@app.get("/orders/<int:oid>")
def order(oid):
    return jsonify({"error": "not found"}), 404                # ok: BR704

@app.post("/import")
def bulk_import():
    return jsonify({"created": 3, "errors": ["row 4"]})        # ok: BR704 (partial success)

def not_a_route():
    return {"message": "x"}, 500                               # ok: BR704
"""
        ),
        # the status comes from a helper; `"error": None` marks a success body
        Valid(
            """
from flask import Flask, jsonify
app = Flask(__name__)

@app.get("/teams/<int:tid>")
def team(tid):
    success, data, status_code = load_team(tid)
    if success:
        return {"success": success, "data": data}, status_code
    return {"success": success, "errors": data}, status_code   # ok: BR704

@app.get("/summary")
def summary():
    return jsonify({"summary": "...", "error": None})          # ok: BR704
"""
        ),
        Valid(
            """
from fastapi import FastAPI, HTTPException
app = FastAPI()

@app.get("/items/{item_id}")
async def item(item_id: int):
    if item_id < 0:
        raise HTTPException(status_code=400, detail="bad id")  # ok: BR704
    return {"id": item_id}

@app.get("/items")
async def items():
    return [{"id": 1}]                                          # ok: BR704
"""
        ),
    ]
    INVALID = [
        Invalid(
            """
from flask import Flask, jsonify
app = Flask(__name__)

@app.get("/users/<int:uid>")
def user(uid):
    if uid < 0:
        return jsonify({"error": "bad id"}), 400
    return jsonify({"error": "not found"}), 404

@app.get("/orders/<int:oid>")
def order(oid):
    return jsonify({"message": "not found"}), 404                    # expect: BR704

@app.delete("/orders/<int:oid>")
def delete_order(oid):
    if oid == 0:
        return jsonify({"error": "cannot delete the first order"})  # expect: BR704
    return jsonify({"error": "forbidden"}), 403
"""
        ),
        Invalid(
            """
from fastapi import FastAPI, HTTPException, status
from fastapi.responses import JSONResponse
app = FastAPI()

@app.get("/a")
async def a():
    raise HTTPException(status_code=404, detail="no a")

@app.get("/b")
async def b():
    raise HTTPException(status.HTTP_409_CONFLICT, detail="no b")

@app.get("/c")
async def c():
    return JSONResponse(status_code=400, content={"error": "no c"})  # expect: BR704

@app.get("/list-1")
async def list1():
    return {"items": [1, 2]}

@app.get("/list-2")
async def list2():
    return {"items": []}

@app.get("/list-3")
async def list3():
    return [3]                                                       # expect: BR704
"""
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._handlers = handler_names(ctx)
        self._shapes: list[tuple[str, Shape]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        qualname = self.ctx.scope_name()
        if qualname in self._handlers:
            for shape in handler_shapes(node, self.ctx.resolve):
                self._shapes.append((qualname, shape))

    def finish(self) -> None:
        reported: set[int] = set()
        for handler, shape in self._shapes:
            if (
                not shape.is_error
                and (shape.status == 200 or (shape.status is None and not shape.status_given))
                and shape.kind == "dict"
                and (
                    "error" in shape.keys
                    or ("errors" in shape.keys and set(shape.keys) <= _ERROR_ONLY_KEYS)
                )
            ):
                reported.add(id(shape.node))
                self.report(
                    shape.node,
                    f"`{handler}` sends an error body with status 200: clients, monitoring and "
                    "retries treat it as a success. Return the matching 4xx/5xx status (or "
                    "raise the framework's HTTP error).",
                    confidence=Confidence.HIGH,
                )
        errors = [(h, s) for h, s in self._shapes if s.is_error and s.error_key]
        counts = Counter(s.error_key for _, s in errors if s.error_key)
        dominant = _dominant(counts)
        if dominant is not None:
            for handler, shape in errors:
                if shape.error_key != dominant and id(shape.node) not in reported:
                    reported.add(id(shape.node))
                    self.report(
                        shape.node,
                        f'`{handler}` returns its error as `{{"{shape.error_key}": ...}}` '
                        f"while {counts[dominant]} of {sum(counts.values())} error responses in "
                        f'this module use `{{"{dominant}": ...}}`: clients have to handle '
                        "both. Use one error envelope, ideally built by a central error "
                        "handler.",
                        extra=[("convention", dominant), ("deviation", shape.error_key)],
                    )
        collections = [
            (h, s, "a bare list" if s.kind == "list" else f'`{{"{s.envelope}": ...}}`')
            for h, s in self._shapes
            if not s.is_error and (s.kind == "list" or (s.kind == "dict" and s.envelope))
        ]
        styles = Counter(style for _, _, style in collections)
        dominant = _dominant(styles)
        if dominant is None:
            return
        for handler, shape, style in collections:
            if style != dominant and id(shape.node) not in reported:
                reported.add(id(shape.node))
                self.report(
                    shape.node,
                    f"`{handler}` returns {style} while {styles[dominant]} of "
                    f"{sum(styles.values())} collection responses in this module use "
                    f"{dominant}: pick one shape for collections.",
                    extra=[("convention", dominant), ("deviation", style)],
                )
