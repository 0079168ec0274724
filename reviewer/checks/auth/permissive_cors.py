"""BR303: CORS that lets any origin make credentialed requests."""

from __future__ import annotations

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.model import Confidence, Severity

CORS_MIDDLEWARES = frozenset(
    {
        "starlette.middleware.cors.CORSMiddleware",
        "fastapi.middleware.cors.CORSMiddleware",
    }
)
FLASK_CORS = frozenset({"flask_cors.CORS", "flask_cors.cross_origin"})
ALLOW_ALL_SETTINGS = frozenset({"CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL"})


def _is_true(expr: cst.BaseExpression | None) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "True"


def _is_wildcard(expr: cst.BaseExpression | None) -> bool:
    """`"*"`, `["*"]`, `("*",)` and a regex that matches everything."""
    if isinstance(expr, cst.SimpleString):
        return expr.evaluated_value in ("*", ".*", "^.*$", ".+", "^.*")
    if isinstance(expr, cst.List | cst.Tuple | cst.Set):
        return any(_is_wildcard(e.value) for e in expr.elements)
    return False


def _kwargs(call: cst.Call) -> dict[str, cst.BaseExpression]:
    return {a.keyword.value: a.value for a in call.args if a.keyword is not None}


class PermissiveCors(Rule):
    """CORS configured to accept every origin together with credentials (cookies, auth headers).

    ## What it does
    Reports Starlette/FastAPI `CORSMiddleware` with `allow_origins=["*"]` (or a match-all
    `allow_origin_regex`) and `allow_credentials=True`; flask-cors `CORS(...)`/`@cross_origin`
    with `supports_credentials=True` and the default or a `*` origin; and django-cors-headers
    `CORS_ALLOW_ALL_ORIGINS = True` (`CORS_ORIGIN_ALLOW_ALL` before 3.0).

    ## Why is this bad
    Browsers refuse a literal `*` with credentials, so these libraries answer with the caller's
    own origin instead: every website a signed-in user visits can then read that user's data
    from the API with the user's cookies. With all origins allowed in Django, one mistaken
    `CORS_ALLOW_CREDENTIALS` away from the same hole.

    ## Example
    ```python
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    ```

    ## Use instead
    ```python
    app.add_middleware(
        CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True
    )
    ```

    ## References
    - https://portswigger.net/web-security/cors
    - https://cwe.mitre.org/data/definitions/942.html
    - https://www.starlette.io/middleware/#corsmiddleware
    - https://github.com/adamchainz/django-cors-headers#cors_allow_all_origins-bool
    """

    code = "BR303"
    name = "permissive-cors"
    item = "authorization"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    summary = "CORS allows any origin to make credentialed requests"
    cwe = (942,)

    def visit_Call(self, node: cst.Call) -> None:
        name = self.ctx.call_name(node) or ""
        kwargs = _kwargs(node)
        if name in FLASK_CORS:
            origins = kwargs.get("origins", kwargs.get("resources"))
            if _is_true(kwargs.get("supports_credentials")) and (
                origins is None or _is_wildcard(origins) or _resources_wildcard(origins)
            ):
                self.report(
                    node,
                    "flask-cors allows every origin with supports_credentials=True: any website "
                    "can make requests with your users' cookies and read the answers. List the "
                    "trusted origins in `origins=`.",
                )
            return
        middleware = None
        if node.args and node.args[0].keyword is None:
            middleware = self.ctx.resolve(node.args[0].value)
        if middleware not in CORS_MIDDLEWARES:
            return
        wildcard = _is_wildcard(kwargs.get("allow_origins")) or _is_wildcard(
            kwargs.get("allow_origin_regex")
        )
        if wildcard and _is_true(kwargs.get("allow_credentials")):
            self.report(
                node,
                "CORSMiddleware allows every origin with allow_credentials=True: Starlette then "
                "reflects the caller's origin, so any website can read your users' data with "
                "their cookies. List the trusted origins in `allow_origins=`.",
            )

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.ctx.enclosing_function() is not None or self.ctx.enclosing_class() is not None:
            return
        for target in node.targets:
            if (
                isinstance(target.target, cst.Name)
                and target.target.value in ALLOW_ALL_SETTINGS
                and _is_true(node.value)
            ):
                self.report(
                    node,
                    f"{target.target.value} = True lets every website call this API from a "
                    "browser; list trusted origins in CORS_ALLOWED_ORIGINS instead "
                    "(and never combine allow-all with CORS_ALLOW_CREDENTIALS).",
                )


def _resources_wildcard(expr: cst.BaseExpression) -> bool:
    """flask-cors `resources={r"/api/*": {"origins": "*"}}`."""
    if not isinstance(expr, cst.Dict):
        return False
    for element in expr.elements:
        if isinstance(element, cst.DictElement) and isinstance(element.value, cst.Dict):
            for inner in element.value.elements:
                if (
                    isinstance(inner, cst.DictElement)
                    and isinstance(inner.key, cst.SimpleString)
                    and inner.key.evaluated_value == "origins"
                    and _is_wildcard(inner.value)
                ):
                    return True
    return False


PermissiveCors.VALID = [
    Valid(
        """
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"])  # ok: BR303
app.add_middleware(  # ok: BR303
    CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True
)
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False)  # ok: BR303
"""
    ),
    Valid(
        """
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app)  # ok: BR303
CORS(app, origins=["https://app.example.com"], supports_credentials=True)  # ok: BR303
"""
    ),
    Valid(
        """
CORS_ALLOW_ALL_ORIGINS = False  # ok: BR303
CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
CORS_ALLOW_CREDENTIALS = True
""",
        path="project/settings.py",
    ),
]

PermissiveCors.INVALID = [
    Invalid(
        """
from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)  # expect: BR303
middleware = [
    Middleware(CORSMiddleware, allow_origin_regex=".*", allow_credentials=True),  # expect: BR303
]
"""
    ),
    Invalid(
        """
from flask import Flask
from flask_cors import CORS, cross_origin

app = Flask(__name__)
CORS(app, supports_credentials=True)  # expect: BR303
CORS(app, resources={r"/api/*": {"origins": "*"}}, supports_credentials=True)  # expect: BR303

@app.get("/me")
@cross_origin(origins="*", supports_credentials=True)  # expect: BR303
def me():
    return {}
"""
    ),
    Invalid(
        """
DEBUG = False
CORS_ALLOW_ALL_ORIGINS = True  # expect: BR303
CORS_ORIGIN_ALLOW_ALL = True  # expect: BR303
""",
        path="project/settings.py",
    ),
]
