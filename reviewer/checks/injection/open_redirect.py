"""BR108 open-redirect: request data chooses the redirect target."""

from __future__ import annotations

from reviewer.checks._taint import TaintRule
from reviewer.checks.base import Invalid, Valid
from reviewer.model import Confidence, Severity


class OpenRedirect(TaintRule):
    """Request data reaches `redirect()`, `HttpResponseRedirect` or `RedirectResponse`.

    ## What it does
    Follows client data (typically a `next` parameter) to the redirect helpers of Flask,
    Django, FastAPI/Starlette and aiohttp. `url_has_allowed_host_and_scheme()`, a host
    allowlist check on `urlparse(url).netloc` or membership in a set of known paths stop it,
    and so does a project's own check that compares the parsed target's scheme or host (an
    `is_safe_url()` port), found by what its returns test, also when it checks the request
    read itself (`if is_safe(request.args.get("next")): return redirect(request.args.get("next"))`).

    ## Why is this bad
    A link on your domain that forwards to any site is a phishing tool: users trust the domain
    they clicked and land on an attacker's login page (CWE-601).

    ## Example
    ```python
    return redirect(request.args.get("next", "/"))
    ```

    ## Use instead
    ```python
    target = request.args.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.host}):
        target = "/"
    return redirect(target)
    ```

    ## References
    - https://cwe.mitre.org/data/definitions/601.html
    - https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html
    """

    code = "BR108"
    name = "open-redirect"
    item = "injection"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    summary = "Request data chooses the redirect target"
    cwe = (601,)
    taint_kinds = {"redirect": "a redirect target"}
    advice = (
        "redirect only to relative paths or hosts checked with "
        "url_has_allowed_host_and_scheme()/an allowlist"
    )

    INVALID = [
        Invalid(
            """
from flask import Flask, request, redirect

app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    target = request.args.get("next", "/")
    return redirect(target)  # expect: BR108
"""
        ),
        Invalid(
            """
from django.http import HttpResponseRedirect

def go(request):
    return HttpResponseRedirect(request.GET["to"])  # expect: BR108
"""
        ),
    ]
    VALID = [
        Valid(
            """
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from flask import Flask, request, redirect, url_for

app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    target = request.args.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={"example.com"}):
        target = "/"
    return redirect(target)  # ok: BR108

@app.route("/home")
def home():
    return redirect(url_for("index"))  # ok: BR108

def go(request):
    return HttpResponseRedirect("/done")  # ok: BR108
"""
        ),
    ]
