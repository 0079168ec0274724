"""BR102 command-injection: request data in a shell command or as the program to run."""

from __future__ import annotations

from reviewer.checks._taint import TaintRule
from reviewer.checks.base import Invalid, Valid
from reviewer.model import Confidence, Severity


class CommandInjection(TaintRule):
    """Request data reaches a shell command or the program name of a subprocess.

    ## What it does
    Follows client data (Flask `request.*`, FastAPI/Flask route parameters, Django/DRF and aiohttp
    request attributes) through assignments, string building, containers and project functions
    in any module, to `os.system`, `os.popen`, `subprocess.*(..., shell=True)`, or the first
    element of an argument list. `shlex.quote`, `int()` and allowlist checks stop the flow.

    ## Why is this bad
    A shell interprets `;`, `|`, `$()` and backticks: anyone who controls part of the command
    line runs their own commands on the server (CWE-78).

    ## Example
    ```python
    host = request.args["host"]
    os.system(f"ping -c 1 {host}")
    ```

    ## Use instead
    ```python
    host = request.args["host"]
    if host not in ALLOWED_HOSTS:
        abort(400)
    subprocess.run(["ping", "-c", "1", host], check=True)
    ```

    ## References
    - https://cwe.mitre.org/data/definitions/78.html
    - https://owasp.org/www-community/attacks/Command_Injection
    """

    code = "BR102"
    name = "command-injection"
    item = "injection"
    severity = Severity.CRITICAL
    confidence = Confidence.HIGH
    summary = "Request data reaches a shell command"
    cwe = (78,)
    taint_kinds = {"command": "a shell command"}
    advice = (
        "pass an argument list without shell=True and validate the value against an "
        "allowlist (shlex.quote() if a shell is unavoidable)"
    )
    external_ids = (
        "bandit:B602",
        "bandit:B605",
        "bandit:B604",
        "ruff:S602",
        "ruff:S605",
        "ruff:S604",
    )

    INVALID = [
        Invalid(
            """
import os
from flask import Flask, request

app = Flask(__name__)

@app.route("/ping")
def ping():
    host = request.args.get("host", "")
    os.system("ping -c 1 " + host)  # expect: BR102
    return "ok"
"""
        ),
        Invalid(
            """
import subprocess
from flask import Flask, request

app = Flask(__name__)

@app.post("/convert")
def convert():
    name = request.form["name"].strip()
    cmd = f"convert {name} out.png"
    subprocess.run(cmd, shell=True)  # expect: BR102
    subprocess.run([request.form["tool"], "-v"])  # expect: BR102
    return "ok"
"""
        ),
        Invalid(
            """
import os
from flask import Flask, request

app = Flask(__name__)

def run_tool(arg):
    os.popen("tool " + arg)  # expect: BR102

@app.route("/run")
def run():
    run_tool(request.args["arg"])
    return "done"
"""
        ),
    ]
    VALID = [
        Valid(
            """
import os, shlex, subprocess
from flask import Flask, request

app = Flask(__name__)

@app.route("/ping")
def ping():
    host = request.args.get("host", "")
    os.system("ping -c 1 " + shlex.quote(host))  # ok: BR102
    subprocess.run(["ping", "-c", "1", host])  # ok: BR102
    count = int(request.args["n"])
    os.system(f"seq {count}")  # ok: BR102
    return "ok"
"""
        ),
        Valid(
            """
import os
from flask import Flask, request

app = Flask(__name__)
TOOLS = {"gzip", "bzip2"}

@app.route("/pack")
def pack():
    tool = request.args["tool"]
    if tool not in TOOLS:
        return "bad", 400
    os.system(tool + " data.txt")  # ok: BR102
    tool = "ls"
    os.system(tool)  # ok: BR102
    return "ok"
"""
        ),
    ]
