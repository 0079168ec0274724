"""BR106 code-injection: request data evaluated as Python code."""

from __future__ import annotations

from reviewer.checks._taint import TaintRule
from reviewer.checks.base import Invalid, Valid
from reviewer.model import Confidence, Severity


class CodeInjection(TaintRule):
    """Request data reaches `eval`, `exec`, `compile` or a dynamic import.

    ## What it does
    Follows client data (and, at low confidence, environment data) to `eval`, `exec`,
    `compile`, `importlib.import_module` and `__import__`. `ast.literal_eval` is the safe parser
    and is not reported.

    ## Why is this bad
    Evaluated input is code: the client runs anything the interpreter can (CWE-94; eval of
    input is CWE-95).

    ## Example
    ```python
    result = eval(request.args["expr"])
    ```

    ## Use instead
    ```python
    result = ast.literal_eval(request.args["expr"])
    ```

    ## References
    - https://cwe.mitre.org/data/definitions/95.html
    - https://cwe.mitre.org/data/definitions/94.html
    """

    code = "BR106"
    name = "code-injection"
    item = "injection"
    severity = Severity.CRITICAL
    confidence = Confidence.HIGH
    summary = "Request data is evaluated as code"
    cwe = (95, 94)
    taint_kinds = {"code": "code evaluation"}
    advice = (
        "never evaluate client data; parse it (json, ast.literal_eval) or map it to known functions"
    )
    external_ids = ("bandit:B307", "bandit:B102", "ruff:S307", "ruff:S102")

    INVALID = [
        Invalid(
            """
from flask import Flask, request

app = Flask(__name__)

@app.route("/calc")
def calc():
    expr = request.args.get("expr")
    value = eval(expr)  # expect: BR106
    exec("x = " + request.form["code"])  # expect: BR106
    return str(value)
"""
        ),
        Invalid(
            """
from fastapi import FastAPI

app = FastAPI()

class Calculator:
    def run(self, text):
        return eval(text)  # expect: BR106

@app.get("/calc")
def calc(q: str):
    return {"v": Calculator().run(q)}
"""
        ),
    ]
    VALID = [
        Valid(
            """
import ast
from flask import Flask, request

app = Flask(__name__)

@app.route("/calc")
def calc():
    value = ast.literal_eval(request.args["expr"])  # ok: BR106
    total = eval("1 + 2")  # ok: BR106
    return str(value + total)
"""
        ),
    ]
