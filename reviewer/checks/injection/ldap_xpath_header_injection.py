"""BR109 ldap-xpath-header-injection: request data in LDAP filters, XPath or response headers."""

from __future__ import annotations

from reviewer.checks._taint import TaintRule
from reviewer.checks.base import Invalid, Valid
from reviewer.model import Confidence, Severity


class LdapXpathHeaderInjection(TaintRule):
    """Request data is spliced into an LDAP filter, an XPath expression or a response header.

    ## What it does
    Follows client data to `python-ldap` `search_s`/`search_ext_s`, `ldap3`
    `Connection.search`, `lxml` `.xpath()`/`etree.XPath()`, and to response headers
    (`response.headers[...] = ...`, `headers.add(...)`/`.append(...)`, `response["X-..."] = ...`).
    `escape_filter_chars()` stops LDAP flows; XPath variables (`xpath(expr, name=value)`) pass.
    Headers of Flask/Werkzeug, Django, DRF and aiohttp responses are not reported: those
    frameworks refuse a header value holding CR or LF, so the response cannot be split.
    Starlette's (FastAPI's) headers accept them, and so are reported.

    ## Why is this bad
    `*)(uid=*))(|(uid=*` widens an LDAP filter to every account (CWE-90); `' or '1'='1` does the
    same to XPath (CWE-643); CR/LF in a header value splits the response (CWE-113).

    ## Example
    ```python
    conn.search_s(BASE, ldap.SCOPE_SUBTREE, f"(uid={request.args['user']})")
    ```

    ## Use instead
    ```python
    user = escape_filter_chars(request.args["user"])
    conn.search_s(BASE, ldap.SCOPE_SUBTREE, f"(uid={user})")
    ```

    ## References
    - https://cwe.mitre.org/data/definitions/90.html
    - https://cwe.mitre.org/data/definitions/643.html
    - https://cwe.mitre.org/data/definitions/113.html
    """

    code = "BR109"
    name = "ldap-xpath-header-injection"
    item = "injection"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    summary = "Request data is spliced into an LDAP filter, XPath expression or header"
    cwe = (90, 643, 113)
    taint_kinds = {
        "ldap": "an LDAP query",
        "xpath": "an XPath expression",
        "header": "an HTTP response header",
    }
    advice = {
        "ldap": "escape the value with escape_filter_chars() before building the filter",
        "xpath": "pass the value as an XPath variable (xpath('//u[@n=$n]', n=value))",
        "header": "reject CR/LF and validate the value before putting it in a header",
    }

    INVALID = [
        Invalid(
            """
import ldap
from flask import Flask, request, make_response
from lxml import etree

app = Flask(__name__)
conn = ldap.initialize("ldap://localhost")

@app.route("/user")
def user():
    name = request.args["user"]
    conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, f"(uid={name})")  # expect: BR109
    tree = etree.parse("users.xml")
    tree.xpath("//user[@name='" + name + "']")  # expect: BR109
    return "ok"
"""
        ),
        Invalid(
            """
from fastapi import FastAPI, Response

app = FastAPI()

@app.get("/download")
def download(filename: str, response: Response):
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"  # expect: BR109
    response.headers.append("X-File", filename)  # expect: BR109
    return {}
"""
        ),
    ]
    VALID = [
        Valid(
            """
import ldap
from ldap.filter import escape_filter_chars
from flask import Flask, request
from lxml import etree

app = Flask(__name__)
conn = ldap.initialize("ldap://localhost")

@app.route("/user")
def user():
    name = escape_filter_chars(request.args["user"])
    conn.search_s("dc=example,dc=com", ldap.SCOPE_SUBTREE, f"(uid={name})")  # ok: BR109
    tree = etree.parse("users.xml")
    tree.xpath("//user[@name=$n]", n=request.args["user"])  # ok: BR109
    return "ok"
"""
        ),
        Valid(
            """
from django.http import HttpResponse
from flask import Flask, make_response, request

app = Flask(__name__)

@app.route("/user")
def user():
    resp = make_response("ok")
    resp.headers["X-User"] = request.args["user"]  # ok: BR109 (Werkzeug refuses CR/LF)
    resp.headers.add("X-Again", request.args["user"])  # ok: BR109
    return resp

def report(request):
    response = HttpResponse("ok")
    response["Content-Disposition"] = "attachment; filename=" + request.GET["name"]  # ok: BR109
    return response
"""
        ),
    ]
