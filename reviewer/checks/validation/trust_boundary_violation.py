"""BR112 trust-boundary-violation: raw request data stored in the server-side session."""

from __future__ import annotations

from reviewer.checks._taint import TaintRule
from reviewer.checks.base import Invalid, Valid
from reviewer.model import Confidence, Severity


class TrustBoundaryViolation(TaintRule):
    """Request data is stored in the session without validation.

    ## What it does
    Follows client data to stores into Flask's `session[...]` or Django's
    `request.session[...]`. Values converted (`int()`), checked against an allowlist, or taken
    from validated forms/serializers pass.

    ## Why is this bad
    Code reads the session as server-decided state (`session["role"]`, `session["user_id"]`);
    mixing unvalidated client input into it lets a client set what later code trusts (CWE-501).

    ## Example
    ```python
    session["role"] = request.form["role"]
    ```

    ## Use instead
    ```python
    role = request.form["role"]
    if role not in SELF_SERVICE_ROLES:
        abort(403)
    session["role"] = role
    ```

    ## References
    - https://cwe.mitre.org/data/definitions/501.html
    """

    code = "BR112"
    name = "trust-boundary-violation"
    item = "input-validation"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    summary = "Raw request data is stored in the session"
    cwe = (501,)
    taint_kinds = {"trust": "the server-side session"}
    advice = "validate the value and store only what the server decided, not raw client data"

    INVALID = [
        Invalid(
            """
from flask import Flask, request, session

app = Flask(__name__)

@app.route("/prefs", methods=["POST"])
def prefs():
    session["role"] = request.form["role"]  # expect: BR112
    return "ok"
"""
        ),
        Invalid(
            """
def set_lang(request):
    lang = request.POST.get("lang")
    request.session["lang"] = lang  # expect: BR112
"""
        ),
    ]
    VALID = [
        Valid(
            """
from flask import Flask, request, session

app = Flask(__name__)
ROLES = {"reader", "writer"}

@app.route("/prefs", methods=["POST"])
def prefs():
    role = request.form["role"]
    if role not in ROLES:
        return "bad", 400
    session["role"] = role  # ok: BR112
    session["count"] = int(request.form["count"])  # ok: BR112
    session["user"] = "anonymous"  # ok: BR112
    return "ok"
"""
        ),
    ]
