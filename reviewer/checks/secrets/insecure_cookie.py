"""BR206 insecure-cookie: cookies set without the Secure or HttpOnly flag."""

from __future__ import annotations

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.model import Confidence, Severity

_SETTINGS = {
    "SESSION_COOKIE_SECURE": "secure",
    "CSRF_COOKIE_SECURE": "secure",
    "SESSION_COOKIE_HTTPONLY": "httponly",
    "REMEMBER_COOKIE_SECURE": "secure",
    "REMEMBER_COOKIE_HTTPONLY": "httponly",
}


def _flag(call: cst.Call, name: str) -> bool | None:
    """True/False when the keyword is given as a literal, None when absent or computed."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            if isinstance(arg.value, cst.Name) and arg.value.value in ("True", "False"):
                return arg.value.value == "True"
            return True  # computed (e.g. secure=not DEBUG): trust the author
    return None


class InsecureCookie(Rule):
    """A cookie is set without `secure=True` or without `httponly=True`.

    ## What it does
    Reports `set_cookie(...)` calls (Flask/Werkzeug, Django, Starlette/FastAPI, aiohttp) that
    do not pass `secure=True` (CWE-614) or `httponly=True` (CWE-1004), and settings that turn
    the flags off (`SESSION_COOKIE_SECURE = False`, `app.config["SESSION_COOKIE_HTTPONLY"] =
    False`). A flag given as an expression (`secure=not settings.DEBUG`) passes. Cookies being
    deleted (`max_age=0`, `expires=0`) are not reported.

    ## Why is this bad
    Without Secure the browser sends the cookie over plain HTTP, where anyone on the path reads
    it; without HttpOnly any injected script can read the session (CWE-614, CWE-1004).

    ## Example
    ```python
    resp.set_cookie("session_id", sid)
    ```

    ## Use instead
    ```python
    resp.set_cookie("session_id", sid, secure=True, httponly=True, samesite="Lax")
    ```

    ## References
    - https://cwe.mitre.org/data/definitions/614.html
    - https://cwe.mitre.org/data/definitions/1004.html
    """

    code = "BR206"
    name = "insecure-cookie"
    item = "secrets"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    summary = "A cookie is set without the Secure or HttpOnly flag"
    cwe = (614, 1004)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "set_cookie":
            return
        if self.ctx.is_test_file or len(node.args) < 1:
            return
        for arg in node.args:
            if (
                arg.keyword is not None
                and arg.keyword.value in ("max_age", "expires")
                and isinstance(arg.value, cst.Integer)
                and arg.value.value == "0"
            ):
                return
        secure, httponly = _flag(node, "secure"), _flag(node, "httponly")
        missing = [
            name for name, value in (("secure", secure), ("httponly", httponly)) if not value
        ]
        if not missing:
            return
        explicit = secure is False or httponly is False
        flags = " and ".join(f"{m}=True" for m in missing)
        self.report(
            node,
            f"cookie set without {flags}: browsers will send it over plain HTTP or expose it to "
            f"scripts; pass {flags} (and samesite='Lax')",
            confidence=Confidence.HIGH if explicit else Confidence.MEDIUM,
        )

    def visit_Assign(self, node: cst.Assign) -> None:
        if not (isinstance(node.value, cst.Name) and node.value.value == "False"):
            return
        for target in node.targets:
            key = ""
            if isinstance(target.target, cst.Name):
                key = target.target.value
            elif isinstance(target.target, cst.Subscript) and len(target.target.slice) == 1:
                element = target.target.slice[0].slice
                if isinstance(element, cst.Index) and isinstance(element.value, cst.SimpleString):
                    key = str(element.value.evaluated_value)
            if key in _SETTINGS and not self.ctx.is_test_file:
                self.report(
                    node,
                    f"{key} = False lets the browser send the session cookie "
                    f"{'over plain HTTP' if _SETTINGS[key] == 'secure' else 'to scripts'}; "
                    "set it to True in production settings",
                    confidence=Confidence.HIGH,
                )

    INVALID = [
        Invalid(
            """
from flask import Flask, make_response

app = Flask(__name__)
app.config["SESSION_COOKIE_SECURE"] = False  # expect: BR206

@app.route("/login")
def login():
    resp = make_response("ok")
    resp.set_cookie("session_id", "abc")  # expect: BR206
    resp.set_cookie("token", "abc", secure=True)  # expect: BR206
    resp.set_cookie("pref", "dark", secure=False, httponly=True)  # expect: BR206
    return resp
"""
        ),
        Invalid(
            """
SESSION_COOKIE_HTTPONLY = False  # expect: BR206
CSRF_COOKIE_SECURE = False  # expect: BR206
""",
            path="project/settings.py",
        ),
    ]
    VALID = [
        Valid(
            """
from django.conf import settings
from django.http import HttpResponse

def login(request):
    resp = HttpResponse("ok")
    resp.set_cookie("sid", "abc", secure=True, httponly=True, samesite="Lax")  # ok: BR206
    resp.set_cookie("sid2", "abc", secure=not settings.DEBUG, httponly=True)  # ok: BR206
    resp.set_cookie("sid", "", max_age=0)  # ok: BR206
    return resp

SESSION_COOKIE_SECURE = True
DEBUG = False
"""
        ),
    ]
