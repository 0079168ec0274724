"""BR105 ssrf: request data decides where the server sends a request."""

from __future__ import annotations

from reviewer.checks._taint import TaintRule
from reviewer.checks.base import Invalid, Valid
from reviewer.model import Confidence, Severity


class Ssrf(TaintRule):
    """Request data becomes the URL or host of an outgoing HTTP request.

    ## What it does
    Follows client data to `requests`, `httpx`, `urllib.request.urlopen`, `http.client`
    connections and `aiohttp.ClientSession`/`requests.Session`/`httpx.Client` methods. A check of
    `urlparse(url).netloc`/`.hostname` against an allowlist, or
    `url_has_allowed_host_and_scheme()`, stops the flow.

    ## Why is this bad
    The server fetches whatever the client names: cloud metadata endpoints
    (`169.254.169.254`), internal admin services, `file://` URLs (CWE-918).

    ## Example
    ```python
    resp = requests.get(request.args["url"], timeout=5)
    ```

    ## Use instead
    ```python
    url = request.args["url"]
    if urlparse(url).hostname not in ALLOWED_HOSTS:
        abort(400)
    resp = requests.get(url, timeout=5)
    ```

    ## References
    - https://cwe.mitre.org/data/definitions/918.html
    - https://owasp.org/www-community/attacks/Server_Side_Request_Forgery
    """

    code = "BR105"
    name = "ssrf"
    item = "injection"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    summary = "Request data decides the target of an outgoing request"
    cwe = (918,)
    taint_kinds = {"ssrf": "the URL of an outgoing request"}
    advice = "check the URL's scheme and host against an allowlist before fetching it"
    external_ids = ()  # bandit B310 audits every urlopen, tainted or not

    INVALID = [
        Invalid(
            """
import requests
from flask import Flask, request

app = Flask(__name__)

@app.route("/fetch")
def fetch():
    url = request.args["url"]
    return requests.get(url, timeout=5).text  # expect: BR105
"""
        ),
        Invalid(
            """
import aiohttp
from aiohttp import web

async def proxy(request):
    target = request.query["target"]
    async with aiohttp.ClientSession() as session:
        async with session.get(target) as resp:  # expect: BR105
            return web.Response(text=await resp.text())
"""
        ),
    ]
    VALID = [
        Valid(
            """
import requests
from urllib.parse import urlparse
from flask import Flask, request, abort

app = Flask(__name__)
ALLOWED = {"api.example.com"}

@app.route("/fetch")
def fetch():
    url = request.args["url"]
    if urlparse(url).hostname not in ALLOWED:
        abort(400)
    return requests.get(url, timeout=5).text  # ok: BR105

@app.route("/user")
def user():
    uid = int(request.args["id"])
    return requests.get(f"https://api.example.com/users/{uid}", timeout=5).text  # ok: BR105
"""
        ),
    ]
