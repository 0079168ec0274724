"""BR703: a broad `except` that hides the error: nothing logged, nothing re-raised."""

from __future__ import annotations

import re
from collections.abc import Sequence

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.checks.errors._common import (
    caught_names,
    is_broad,
    reports_or_raises,
    uses_name,
    walk_scope,
)
from reviewer.imports import dotted_name
from reviewer.model import Confidence, Severity


def _trivial(body: cst.BaseSuite) -> str | None:
    """`pass`, `...`, `continue`, `break`, `return`, `return None/False/[]/{}...`: the word for it."""
    statements: list[cst.BaseSmallStatement] = []
    blocks = body.body if isinstance(body, cst.IndentedBlock) else [body]
    for block in blocks:
        if not isinstance(block, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            return None
        statements.extend(block.body)
    words = []
    for stmt in statements:
        if isinstance(stmt, cst.Pass):
            words.append("pass")
        elif isinstance(stmt, cst.Continue):
            words.append("continue")
        elif isinstance(stmt, cst.Break):
            words.append("break")
        elif isinstance(stmt, cst.Expr) and isinstance(stmt.value, cst.Ellipsis | cst.SimpleString):
            words.append("pass")
        elif isinstance(stmt, cst.Return) and (stmt.value is None or _constant(stmt.value)):
            words.append("return a default")
        else:
            return None
    return words[-1] if words else None


def _fallback_value(body: cst.BaseSuite) -> bool:
    """`state = False`, `VERSION = "unknown"`, `versions = []` (with an optional `pass`): the
    handler chooses the value to go on with; that is a decision, not a lost error."""
    blocks = body.body if isinstance(body, cst.IndentedBlock) else [body]
    assigned = False
    for block in blocks:
        if not isinstance(block, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            return False
        for stmt in block.body:
            if isinstance(stmt, cst.Pass):
                continue
            if not isinstance(stmt, cst.Assign) or not _literal_value(stmt.value):
                return False
            if not all(isinstance(t.target, cst.Name) for t in stmt.targets):
                return False
            assigned = True
    return assigned


def _literal_value(expr: cst.BaseExpression) -> bool:
    return _constant(expr) or isinstance(expr, cst.SimpleString | cst.Integer | cst.Float)


def _constant(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Name):
        return expr.value in {"None", "False", "True"}
    if isinstance(expr, cst.Integer | cst.Float | cst.SimpleString):
        return True
    if isinstance(expr, cst.List | cst.Dict | cst.Tuple | cst.Set):
        return not expr.elements
    return False


# A ruff "noqa" for BLE001/S110/S112/E722 (or a bare one) or bandit's "nosec" on the `except`
# line: the team already accepted this handler under the peer tool's id for the same problem.
_NOQA = re.compile(r"#\s*(noqa(?!\s*:)|noqa\s*:.*\b(BLE001|S110|S112|E722)\b|nosec)", re.I)
_NOT_AN_EXPLANATION = re.compile(r"^#\s*(todo|fixme|xxx|hack|noqa|type:|pragma|nosec)", re.I)
# Best-effort cleanup calls: failing to close what is being thrown away is not an error to report.
_CLEANUP = frozenset(
    {
        "close",
        "aclose",
        "shutdown",
        "disconnect",
        "unlink",
        "remove",
        "rmtree",
        "cleanup",
        "release",
        "terminate",
        "kill",
        "stop",
    }
)


def _header_comment(body: cst.BaseSuite) -> str:
    """The comment on the `except` line itself."""
    if isinstance(body, cst.IndentedBlock):
        trailing = body.header
    elif isinstance(body, cst.SimpleStatementSuite):
        trailing = body.trailing_whitespace
    else:
        return ""
    return trailing.comment.value if trailing.comment is not None else ""


def _body_comments(body: cst.BaseSuite) -> list[str]:
    """Comments on the handler's own lines: above or beside its statements."""
    found: list[str] = []
    if isinstance(body, cst.IndentedBlock):
        for stmt in body.body:
            lines: Sequence[cst.EmptyLine] = getattr(stmt, "leading_lines", ())
            found.extend(line.comment.value for line in lines if line.comment)
            trailing = getattr(stmt, "trailing_whitespace", None)
            if trailing is not None and trailing.comment is not None:
                found.append(trailing.comment.value)
    return found


def _explained(comments: list[str]) -> bool:
    """A comment of a few words says why the error is dropped: the swallow is deliberate."""
    return any(
        not _NOT_AN_EXPLANATION.match(c) and len(c.lstrip("#").split()) >= 3 for c in comments
    )


def _only_cleanup(body: cst.BaseSuite) -> bool:
    """`try: conn.close()` and nothing else: best-effort release of a resource."""
    blocks = body.body if isinstance(body, cst.IndentedBlock) else [body]
    calls = 0
    for block in blocks:
        if not isinstance(block, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            return False
        for stmt in block.body:
            value = stmt.value if isinstance(stmt, cst.Expr) else None
            if isinstance(value, cst.Await):
                value = value.expression
            if not isinstance(value, cst.Call):
                return False
            func = value.func
            name = func.attr.value if isinstance(func, cst.Attribute) else ""
            if isinstance(func, cst.Name):
                name = func.value
            if name not in _CLEANUP:
                return False
            calls += 1
    return calls > 0


_CLIENT_ERROR = re.compile(r"^(HTTP_)?4\d\d(_\w+)?$")
_CLIENT_ERROR_RESPONSES = frozenset(
    {"HttpResponseBadRequest", "HttpResponseNotFound", "HttpResponseForbidden", "HTTPBadRequest"}
)


def _answers_client_error(body: cst.BaseSuite) -> bool:
    """`return JsonResponse({"error": "invalid JSON"}, status=400)`: the failure is the client's
    (bad input) and is answered with a 4xx; there is nothing for the service's logs."""
    for node in walk_scope(body):
        if not isinstance(node, cst.Return) or node.value is None:
            continue
        for inner in walk_scope(node):
            if isinstance(inner, cst.Integer) and _CLIENT_ERROR.match(inner.value):
                return True
            if isinstance(inner, cst.Name | cst.Attribute):
                last = (dotted_name(inner) or "").rsplit(".", 1)[-1]
                if _CLIENT_ERROR.match(last) or last in _CLIENT_ERROR_RESPONSES:
                    return True
    return False


def _uses_exc_info(body: cst.BaseSuite) -> bool:
    return any(
        isinstance(n, cst.Attribute)
        and n.attr.value == "exc_info"
        and dotted_name(n) == "sys.exc_info"
        for n in walk_scope(body)
    )


class SwallowedException(Rule):
    """A broad `except` whose body neither logs nor re-raises the error.

    ## What it does
    Reports `except:`, `except Exception:` and `except BaseException:` clauses (alone or in a
    tuple) whose body does nothing with the error: `pass`, `...`, `continue`, `break`, or
    `return None`/a constant, or any other body that neither re-raises, aborts,
    logs (`logger.*`, `logging.*`, loguru, structlog), reports to an error tracker
    (`sentry_sdk.capture_exception`, `traceback.print_exc`) nor uses the exception object
    (all at low confidence, see Precision). Handlers of specific exceptions (`except KeyError: pass`) are deliberate
    and not reported; neither is `contextlib.suppress(...)`, which states the intent, a handler
    whose comment explains why the error is dropped, one already accepted with ruff's `noqa`
    (BLE001, S110, S112, E722) or bandit's `nosec`, one passing `sys.exc_info()` on, nor a
    `pass` after a `try` that only closes or releases a resource (best-effort cleanup), nor a
    handler that only assigns a fallback value (`state = False`, `VERSION = "unknown"`).

    ## Precision
    Demoted to low confidence. On four real services (benchmarks/audits/precision/) most
    broad handlers that drop an error were deliberate best-effort code: optional platform
    calls (`ctypes`), a `logging.Handler.emit` that must not raise, parse-with-fallback helpers.
    Fewer than one in five findings was a lost error a reviewer would flag, and nothing in the
    handler tells the two apart, so the findings cost little in the score.

    ## Why is this bad
    The program carries on as if nothing happened: a failed payment, a lost write or a broken
    dependency leaves no trace in the logs, and the first sign of it is a user's complaint.
    A bare `except:` also catches `KeyboardInterrupt` and `SystemExit`.

    ## Example
    ```python
    try:
        send_receipt(order)
    except Exception:
        pass
    ```

    ## Use instead
    ```python
    try:
        send_receipt(order)
    except SMTPException:
        logger.exception("receipt for order %s not sent", order.id)
    ```

    ## References
    - https://cwe.mitre.org/data/definitions/390.html
    - https://docs.astral.sh/ruff/rules/try-except-pass/
    - https://docs.astral.sh/ruff/rules/blind-except/
    - https://bandit.readthedocs.io/en/latest/plugins/b110_try_except_pass.html
    """

    code = "BR703"
    name = "swallowed-exception"
    item = "error-handling"
    severity = Severity.MEDIUM
    confidence = Confidence.LOW  # demoted: see "Precision" in the docs
    summary = "broad `except` hides the error: nothing is logged or re-raised"
    cwe = (390,)
    external_ids = (
        "bandit:B110",
        "bandit:B112",
        "ruff:S110",
        "ruff:S112",
        "ruff:BLE001",
        "ruff:E722",
    )

    VALID = [
        Valid(
            """
import contextlib, logging
logger = logging.getLogger(__name__)

def load(path):
    try:
        return parse(path)
    except KeyError:                       # ok: BR703 (specific exception)
        pass
    except ValueError:                     # ok: BR703
        return None
    try:
        notify()
    except Exception:                      # ok: BR703 (logged)
        logger.exception("notify failed")
    try:
        notify()
    except Exception as exc:               # ok: BR703 (re-raised as a domain error)
        raise NotifyError("notify failed") from exc
    try:
        notify()
    except BaseException:                  # ok: BR703 (cleanup, then re-raise)
        rollback()
        raise
    with contextlib.suppress(FileNotFoundError):
        remove(path)
"""
        ),
        Valid(
            """
import sentry_sdk
from flask import abort

def handler(items):
    errors = []
    for item in items:
        try:
            process(item)
        except Exception as e:             # ok: BR703 (the error is collected)
            errors.append(e)
    try:
        charge()
    except Exception:                      # ok: BR703 (sent to the error tracker)
        sentry_sdk.capture_exception()
    try:
        charge()
    except Exception:                      # ok: BR703 (aborts the request)
        abort(500)
    try:
        charge()
    except Exception:
        self.log.warning("charge failed")  # ok: BR703
    try:
        load_plugins()
    except Exception:                      # ok: BR703 (shown to the user)
        click.secho(traceback.format_exc(), err=True)
    return errors
"""
        ),
        Valid(
            """
import sys

def parse_date_safe(value):
    try:
        return parse_date(value)
    except Exception:                      # ok: BR703 (the reason is written down)
        # filters must never raise: an unparsable date renders as empty
        return None


def legacy(value):
    try:
        return convert(value)
    except Exception:  # noqa: BLE001     # ok: BR703 (accepted under ruff's id)
        return None


def release(conn, resources):
    try:
        conn.close()
    except Exception:                      # ok: BR703 (best-effort cleanup)
        pass
    for resource in resources:
        try:
            resource.release()
        except Exception:                  # ok: BR703
            pass
    try:
        dispatch(conn)
    except Exception:                      # ok: BR703 (the exception is passed on)
        handle_uncaught(sys.exc_info())


def update_flow(request):
    try:
        data = json.loads(request.body.decode())
    except Exception:                      # ok: BR703 (answered with a 400: bad input)
        return JsonResponse({"error": "Invalid data"}, status=400)
    try:
        item = decode(data)
    except Exception:                      # ok: BR703
        return Response({"detail": "invalid"}, status=status.HTTP_400_BAD_REQUEST)
    return item
"""
        ),
    ]
    INVALID = [
        Invalid(
            """
def sync(items):
    try:
        push(items)
    except:  # expect: BR703
        pass
    for item in items:
        try:
            push(item)
        except Exception:  # expect: BR703
            continue
    try:
        return load()
    except (ValueError, Exception):  # expect: BR703
        return None
"""
        ),
        Invalid(
            """
def refresh(cache, conn):
    try:
        cache.refresh()
    except Exception:  # expect: BR703
        # ignore errors
        pass
    try:
        conn.close()
        conn.reconnect()
    except Exception:  # expect: BR703
        pass
    try:
        conn.close()
    except Exception:  # ok: BR703 (a fallback value chosen on purpose)
        conn = None
    try:
        version = read_version()
    except Exception:  # expect: BR703
        version = compute_fallback()
    try:
        cache.refresh()
    except Exception:  # TODO: handle this  # expect: BR703
        pass
"""
        ),
        Invalid(
            """
from flask import jsonify

@app.post("/orders")
def create_order():
    try:
        order = service.create(request.json)
    except Exception:  # expect: BR703
        return jsonify({"error": "could not create the order"}), 500
    try:
        audit(order)
    except BaseException:  # expect: BR703
        ...
    return jsonify(order)
"""
        ),
    ]

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._check(node)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        self._check(node)

    def _check(self, node: cst.ExceptHandler | cst.ExceptStarHandler) -> None:
        if self.ctx.is_test_file:
            return
        names = caught_names(node, self.ctx.resolve)
        if not is_broad(names):
            return
        what = "a bare `except:`" if names is None else "`except Exception`"
        if names is not None and any(n.endswith("BaseException") for n in names):
            what = "`except BaseException`"
        if reports_or_raises(node.body, self.ctx.resolve) or _uses_exc_info(node.body):
            return
        if _answers_client_error(node.body):
            return
        if _NOQA.search(_header_comment(node.body)) or _explained(_body_comments(node.body)):
            return
        parent = self.ctx.parent
        if isinstance(parent, cst.Try) and _only_cleanup(parent.body) and _trivial(node.body):
            return
        bound = node.name.name if node.name is not None else None
        if isinstance(bound, cst.Name) and uses_name(node.body, bound.value):
            return
        if _fallback_value(node.body):
            return
        trivial = _trivial(node.body)
        if trivial is not None:
            self.report(
                node,
                f"{what} followed by `{trivial}` swallows every error silently: failures "
                "leave no trace. Catch the specific exceptions you expect, and log the rest "
                "with `logger.exception(...)` or let them propagate.",
            )
            return
        self.report(
            node,
            f"{what} handles the error without logging it: the stack trace is lost and the "
            "failure cannot be diagnosed. Call `logger.exception(...)` in the handler, or catch "
            "only the exceptions you expect.",
        )
