"""BR107 template-injection: request data as template source or unescaped HTML."""

from __future__ import annotations

import libcst as cst

from reviewer.checks._taint import TaintRule
from reviewer.checks.base import Invalid, Valid
from reviewer.model import Confidence, Severity


class TemplateInjection(TaintRule):
    """Request data becomes template source, or HTML that is sent without escaping.

    ## What it does
    Follows client data to `render_template_string`, `jinja2.Template`,
    `Environment.from_string` (server-side template injection), and to `Markup`, `mark_safe`,
    `format_html`, `make_response`, `HttpResponse`, `HTMLResponse` or a string returned from a
    Flask view (cross-site scripting). `markupsafe.escape`, `html.escape` and `bleach.clean`
    stop the flow; `render_template` with context variables is autoescaped and passes.

    ## Why is this bad
    Template source is code: `{{ config.__class__... }}` payloads reach Python objects and often
    the shell (CWE-1336). Unescaped HTML lets a client run script in other users' browsers
    (CWE-79).

    ## Example
    ```python
    name = request.args["name"]
    return render_template_string(f"<h1>Hello {name}</h1>")
    ```

    ## Use instead
    ```python
    return render_template_string("<h1>Hello {{ name }}</h1>", name=request.args["name"])
    ```

    ## References
    - https://cwe.mitre.org/data/definitions/1336.html
    - https://cwe.mitre.org/data/definitions/79.html
    - https://owasp.org/www-community/attacks/xss/
    """

    code = "BR107"
    name = "template-injection"
    item = "injection"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    summary = "Request data becomes template source or unescaped HTML"
    cwe = (1336, 79)
    taint_kinds = {
        "xss": "HTML output without escaping",
        "template": "a template's source",
    }
    advice = {
        "xss": "escape the data (markupsafe.escape) or render it through an autoescaping template",
        "template": "render a fixed template file and pass the data as context variables",
    }
    external_ids = ("bandit:B703", "bandit:B308", "bandit:B701", "ruff:S308", "ruff:S701")

    def visit_Call(self, node: cst.Call) -> None:
        """`jinja2.Environment(autoescape=False)`: every template it renders is unescaped."""
        if self.ctx.call_name(node) not in ("jinja2.Environment", "jinja2.Template"):
            return
        for arg in node.args:
            if (
                arg.keyword is not None
                and arg.keyword.value == "autoescape"
                and isinstance(arg.value, cst.Name)
                and arg.value.value == "False"
            ):
                self.report(
                    arg,
                    "Jinja environment created with autoescape=False: every variable it renders "
                    "reaches the page unescaped; use autoescape=select_autoescape() or True",
                    confidence=Confidence.MEDIUM,
                    flow=(),
                )

    INVALID = [
        Invalid(
            """
from jinja2 import Environment, FileSystemLoader

env = Environment(loader=FileSystemLoader("templates"), autoescape=False)  # expect: BR107
"""
        ),
        Invalid(
            """
from flask import Flask, request, render_template_string, make_response
from markupsafe import Markup

app = Flask(__name__)

@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    return render_template_string("<h1>Hello " + name + "</h1>")  # expect: BR107

@app.route("/echo")
def echo():
    msg = request.args["msg"]
    return f"<p>{msg}</p>"  # expect: BR107

@app.route("/bio")
def bio():
    return make_response(Markup(request.form["bio"]))  # expect: BR107
"""
        ),
        Invalid(
            """
from django.http import HttpResponse
from django.utils.safestring import mark_safe

def greet(request):
    name = request.GET.get("name")
    html = mark_safe("<b>%s</b>" % name)  # expect: BR107
    return HttpResponse("Hi " + name)  # expect: BR107
"""
        ),
    ]
    VALID = [
        Valid(
            """
import jinja2

env = jinja2.Environment(autoescape=True)  # ok: BR107
other = jinja2.Environment(autoescape=jinja2.select_autoescape())  # ok: BR107
"""
        ),
        Valid(
            """
from flask import Flask, request, render_template, render_template_string, jsonify
from markupsafe import escape

app = Flask(__name__)

@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    render_template_string("<h1>Hello {{ name }}</h1>", name=name)  # ok: BR107
    return render_template("hello.html", name=name)  # ok: BR107

@app.route("/echo")
def echo():
    return f"<p>{escape(request.args['msg'])}</p>"  # ok: BR107

@app.route("/api")
def api():
    return jsonify(q=request.args["q"])  # ok: BR107

@app.route("/dict")
def as_dict():
    return {"q": request.args["q"]}  # ok: BR107
"""
        ),
    ]
