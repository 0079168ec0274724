"""BR107 template-injection: request data as template source or unescaped HTML."""

from __future__ import annotations

import libcst as cst

from reviewer.checks._taint import TaintRule
from reviewer.checks.base import Invalid, Valid
from reviewer.model import Confidence, Severity
from reviewer.taint import Flow


def _content_type_target(target: cst.BaseAssignTargetExpression) -> str | None:
    """`resp` for `resp.mimetype`, `resp.content_type`, `resp.headers["Content-Type"]`."""
    if isinstance(target, cst.Attribute) and target.attr.value in ("mimetype", "content_type"):
        return target.value.value if isinstance(target.value, cst.Name) else None
    if (
        isinstance(target, cst.Subscript)
        and isinstance(target.value, cst.Attribute)
        and target.value.attr.value == "headers"
        and isinstance(target.value.value, cst.Name)
        and len(target.slice) == 1
        and isinstance(target.slice[0].slice, cst.Index)
        and isinstance(target.slice[0].slice.value, cst.SimpleString)
        and target.slice[0].slice.value.evaluated_value.lower() == "content-type"
    ):
        return target.value.value.value
    return None


def _not_html(value: cst.BaseExpression) -> bool:
    """A literal content type a browser does not render as HTML (text/plain, JSON, images)."""
    if not isinstance(value, cst.SimpleString):
        return False
    text = str(value.evaluated_value).lower()
    return "html" not in text and "xml" not in text and "svg" not in text


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

    def __init__(self, ctx: object) -> None:
        super().__init__(ctx)  # type: ignore[arg-type]
        self._responses: list[tuple[int, str, cst.Call]] = []  # (function, variable, call)
        self._plain: set[tuple[int, str]] = set()  # responses given a non-HTML content type

    def visit_Assign(self, node: cst.Assign) -> None:
        """`resp = make_response(body)` and then `resp.mimetype = "text/plain"` (or
        `resp.content_type`, `resp.headers["Content-Type"]`): the browser does not parse the
        body as HTML, so it is no XSS sink."""
        scope = id(self.ctx.enclosing_function())
        target = node.targets[0].target if len(node.targets) == 1 else None
        if isinstance(target, cst.Name) and isinstance(node.value, cst.Call):
            self._responses.append((scope, target.value, node.value))
            return
        owner = _content_type_target(target) if target is not None else None
        if owner and _not_html(node.value):
            self._plain.add((scope, owner))

    def keep(self, flow: Flow) -> bool:
        if flow.kind != "xss" or not self._plain:
            return True
        where = self.ctx.location(flow.node)
        for scope, var, call in self._responses:
            if (scope, var) in self._plain:
                span = self.ctx.location(call)
                if span.line <= where.line <= span.end_line:
                    return False
        return True

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
from flask import Flask, request, make_response

app = Flask(__name__)

@app.route("/preview")
def preview():
    reason = "refused: " + request.args.get("url", "")
    r = make_response(reason, 400)  # expect: BR107 (text/html by default)
    r.headers["X-Reason"] = "refused"
    return r

@app.route("/html")
def html():
    r = make_response(request.args.get("q", ""))  # expect: BR107
    r.mimetype = "text/html"
    return r
"""
        ),
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
        # the response is given a non-HTML content type before it is sent; a test module's
        # fixture server echoes on purpose
        Valid(
            """
from flask import Flask, request, make_response

app = Flask(__name__)

@app.route("/headers")
def headers():
    text = "".join(f"{k}: {v}\\n" for k, v in request.headers.items())
    r = make_response(text)  # ok: BR107 (served as text/plain)
    r.mimetype = "text/plain"
    return r

@app.route("/patch")
def patch():
    body = request.args.get("from", "") + "\\n"
    response = make_response(body)  # ok: BR107
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    return response
"""
        ),
        Valid(
            """
from flask import Flask, request, make_response

app = Flask(__name__)

@app.route("/test-endpoint")
def echo():
    return make_response(request.args.get("content"))  # ok: BR107 (test fixture server)
""",
            path="tests/util.py",
        ),
    ]
