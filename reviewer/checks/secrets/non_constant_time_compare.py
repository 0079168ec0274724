"""BR209 non-constant-time-compare: a token, signature or HMAC compared with `==`."""

from __future__ import annotations

import re

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.checks.secrets._common import target_name
from reviewer.model import Confidence, Severity

# The last word of a name that holds a secret the client must match (an HMAC, a signature, an
# API key, a CSRF or reset token). `token_type`, `token_count`, `signature_version` end in
# another word and pass.
_SECRET = re.compile(
    r"(^|_)(token|secret|signature|sig|hmac|api_?key|apikey|csrf|csrf_token|xsrf|otp|"
    r"nonce|passcode|mac_digest|expected_digest)$",
    re.IGNORECASE,
)
_HMAC_CALLS = frozenset({"hmac.new", "hmac.digest", "hmac.HMAC"})
# query builders: `Model.token == value` inside these is SQL, compared by the database
_QUERY_CALLS = frozenset(
    {"filter", "filter_by", "where", "having", "and_", "or_", "not_", "join", "exclude"}
)
_NEUTRAL_CALLS = frozenset({"len", "type", "isinstance", "bool", "int", "id", "hash"})


def _last_word(node: cst.BaseExpression) -> str:
    """The name a value is held under: `sig`, `req.token`, `headers["X-Api-Key"]`, `.get("otp")`."""
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "get"
        and node.args
    ):
        node = cst.Subscript(node.func.value, [cst.SubscriptElement(cst.Index(node.args[0].value))])
    return (target_name(node) or "").replace("-", "_")


def _is_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString | cst.Integer | cst.Float):
        return True
    if isinstance(node, cst.FormattedString):
        return False
    return isinstance(node, cst.Name) and node.value in ("None", "True", "False")


class NonConstantTimeCompare(Rule):
    """A secret the client must match (token, signature, HMAC, API key) is compared with `==`.

    ## What it does
    Reports `==` / `!=` comparisons where one side is an HMAC digest (`hmac.new(...).hexdigest()`,
    `hmac.digest(...)`) or a value whose name says it is a secret to be matched: `token`,
    `secret`, `signature`, `sig`, `hmac`, `api_key`, `csrf_token`, `otp`, `nonce` (a variable,
    an attribute, `headers["X-Api-Key"]`, `request.args.get("token")`), and the other side is
    not a literal (`token == ""`, `sig is None` are presence checks). Passes:
    `hmac.compare_digest` / `secrets.compare_digest`, comparisons inside query builders
    (`Model.token == value` in `.filter(...)`, which the database evaluates), `len(token) == 32`,
    names that end in another word (`token_type == "bearer"`), `__eq__` methods and tests.

    ## Why is this bad
    `==` on strings stops at the first differing byte, so the time it takes tells an attacker
    how many leading characters of their guess are right. Measured over many requests this
    recovers a valid signature or token byte by byte (CWE-208). The Python docs ask for
    `compare_digest` whenever a digest is checked against an externally supplied value.

    ## Example
    ```python
    expected = hmac.new(KEY, body, hashlib.sha256).hexdigest()
    if request.headers["X-Signature"] != expected:
        abort(403)
    ```

    ## Use instead
    ```python
    expected = hmac.new(KEY, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(request.headers["X-Signature"], expected):
        abort(403)
    ```

    ## References
    - [CWE-208: Observable Timing Discrepancy](https://cwe.mitre.org/data/definitions/208.html)
    - [Python `hmac.compare_digest` (use it instead of `==` for digests)](https://docs.python.org/3/library/hmac.html#hmac.compare_digest)
    - [Python `secrets.compare_digest`](https://docs.python.org/3/library/secrets.html#other-functions)
    """

    code = "BR209"
    name = "non-constant-time-compare"
    item = "secrets"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    summary = "A token, signature or HMAC is compared with == instead of a constant-time compare"
    cwe = (208,)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if self.ctx.is_test_file or len(node.comparisons) != 1:
            return
        operator = node.comparisons[0].operator
        if not isinstance(operator, cst.Equal | cst.NotEqual):
            return
        left, right = node.left, node.comparisons[0].comparator
        if _is_literal(left) or _is_literal(right):
            return
        function = self.ctx.enclosing_function()
        if function is not None and function.name.value in ("__eq__", "__ne__"):
            return
        if self._in_query(node):
            return
        secret = next((s for s in (left, right) if self._is_secret(s)), None)
        if secret is None:
            return
        if any(self._is_neutral(s) for s in (left, right)):
            return
        shown = cst.Module([]).code_for_node(secret)
        self.report(
            node,
            f"`{shown[:60]}` is compared with `{'==' if isinstance(operator, cst.Equal) else '!='}`"
            ", which returns as soon as a byte differs: the response time tells an attacker how "
            "much of a guessed value is right. Use hmac.compare_digest(a, b) (or "
            "secrets.compare_digest) (CWE-208)",
        )

    def _is_secret(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in ("hexdigest", "digest"):
                inner = func.value
                return isinstance(inner, cst.Call) and self.ctx.call_name(inner) in _HMAC_CALLS
            if self.ctx.call_name(node) in ("hmac.digest",):
                return True
        word = _last_word(node)
        if (
            isinstance(node, cst.Attribute)
            and isinstance(node.value, cst.Name)
            and node.value.value[:1].isupper()
        ):
            return False  # `Token.secret`: a class attribute, a column in a query
        return bool(word) and bool(_SECRET.search(word.lstrip("_").replace("x_", "", 1)))

    def _is_neutral(self, node: cst.BaseExpression) -> bool:
        return (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name)
            and node.func.value in _NEUTRAL_CALLS
        )

    def _in_query(self, node: cst.Comparison) -> bool:
        for ancestor in reversed(self.ctx.stack[:-1]):
            if isinstance(ancestor, cst.Call):
                func = ancestor.func
                name = func.attr.value if isinstance(func, cst.Attribute) else ""
                name = func.value if isinstance(func, cst.Name) else name
                if name in _QUERY_CALLS:
                    return True
            if isinstance(ancestor, cst.FunctionDef | cst.ClassDef | cst.Lambda):
                break
        return False

    INVALID = [
        Invalid(
            """
import hashlib
import hmac

from flask import abort, request

def verify_webhook(body):
    expected = hmac.new(KEY, body, hashlib.sha256).hexdigest()
    if request.headers["X-Signature"] != expected:  # expect: BR209
        abort(403)

def inline(body, signature):
    return hmac.new(KEY, body, hashlib.sha256).hexdigest() == signature  # expect: BR209

def api_key_check():
    if request.headers.get("X-Api-Key") == settings.API_KEY:  # expect: BR209
        return True

def csrf_middleware(session, form):
    token = session.pop("_csrf_token", None)
    if not token or token != form.get("_csrf_token"):  # expect: BR209
        abort(403)

def reset(user, token):
    if user.reset_token == token:  # expect: BR209
        return True
"""
        ),
    ]
    VALID = [
        Valid(
            """
import hashlib
import hmac
import secrets

def verify_webhook(body, signature):
    expected = hmac.new(KEY, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature, expected)  # ok: BR209

def verify_token(token, stored):
    return secrets.compare_digest(token, stored)  # ok: BR209

def presence(token, sig):
    if token == "" or sig is None or token != None:  # ok: BR209
        return False
    return len(token) == 32  # ok: BR209

def kind(token, claims):
    return token.kind == claims.kind or claims["token_type"] == expected_type  # ok: BR209

def lookup(session, value):
    return session.query(ApiToken).filter(ApiToken.token == value).first()  # ok: BR209

def checksum(data, expected_checksum):
    return hashlib.sha256(data).hexdigest() == expected_checksum  # ok: BR209

class Token:
    def __eq__(self, other):
        return self.token == other.token  # ok: BR209
"""
        ),
        Valid(
            """
def test_token_is_issued(client):
    token = client.post("/login").json()["token"]
    assert token == issued_token  # ok: BR209
""",
            path="tests/test_login.py",
        ),
    ]
