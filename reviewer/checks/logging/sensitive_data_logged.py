"""BR801: credentials, tokens or whole request payloads written to the logs."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.checks.logging._javascript import logging_calls, sensitive_values
from reviewer.checks.logging_calls import is_logging_call
from reviewer.imports import dotted_name
from reviewer.model import Confidence, Finding, Severity
from reviewer.node.express import is_test_file as is_node_test_file
from reviewer.node.syntax import Parsed
from reviewer.node.syntax import text as node_text
from reviewer.walk import children as syntax_children

if TYPE_CHECKING:
    from reviewer.config import Config
    from reviewer.context import FileContext

_SECRET_WORDS = frozenset(
    {"password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "authorization"}
    | {"cookie", "cookies", "ssn", "cvv", "cvc", "pin", "otp", "jwt", "bearer", "credentials"}
    | {"iban"}
)
_SECRET_PAIRS = frozenset(
    {("api", "key"), ("access", "key"), ("private", "key"), ("secret", "key")}
    | {("card", "number"), ("credit", "card"), ("session", "id"), ("auth", "header")}
    | {("client", "secret"), ("signing", "key"), ("session", "key")}
)
# A trailing word that makes the name metadata about the secret, not the secret.
_META_SUFFIX = frozenset(
    {"at", "type", "len", "length", "count", "expiry", "expires", "exp", "url", "uri", "name"}
    | {"field", "policy", "required", "changed", "id", "ttl", "age", "endpoint", "kind", "valid"}
    | {"set", "enabled", "hint", "strength", "label", "version", "scope", "scopes", "ids"}
    | {"provided", "present", "missing", "expired", "names", "types", "counts", "lengths"}
    | {"consent", "banner", "source", "location", "path", "file", "env", "var"}
)
_META_PREFIX = frozenset({"is", "has", "num", "max", "min", "n", "should", "use", "no"})
# Whole request objects: everything the client sent, headers and cookies included.
_REQUEST_WHOLE = frozenset(
    {"headers", "json", "form", "data", "body", "values", "cookies", "POST", "META", "COOKIES"}
    | {"GET", "query_params", "args"}
)
_WHOLE_SENSITIVE = frozenset({"headers", "cookies", "COOKIES", "META", "json", "form", "POST"})
_REQUEST_NAMES = frozenset({"request", "req", "flask.request", "self.request"})
_REQUEST_METHODS = frozenset({"get_json", "json", "form", "body", "post"})
_SANITIZERS = re.compile(r"mask|redact|scrub|sanitize|obfuscate|hash|len|bool|type|count|last4")
_SENSITIVE_HEADERS = frozenset(
    {"authorization", "cookie", "x-api-key", "x-auth-token", "proxy-authorization"}
    | {"x-csrf-token", "x-csrftoken", "set-cookie", "sessionid", "session", "csrftoken"}
)


def _words(name: str) -> list[str]:
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    return [w for w in re.split(r"[^a-z0-9]+", name) if w]


def sensitive_name(name: str) -> bool:
    """`password`, `api_key`, `refreshToken` yes; `token_type`, `password_changed_at` no."""
    words = _words(name)
    if not words or words[-1] in _META_SUFFIX or words[0] in _META_PREFIX:
        return False
    if any(w in _SECRET_WORDS for w in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


def _string_value(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value if isinstance(node.evaluated_value, str) else None
    return None


_CONSEQUENCE = (
    "logs are widely copied and kept for months, so this leaks credentials or personal data. "
    "Log an identifier or a masked value instead, and add a redacting log filter as a safety net."
)


class SensitiveDataLogged(Rule):
    """Passwords, tokens, keys, auth headers or whole request payloads passed to a logger.

    ## What it does
    Looks at every argument of logging calls (`logging.*`, `logger.*`, `self.log.*`,
    `app.logger.*`, loguru, structlog): message arguments, f-string parts, `extra=` dicts and
    structlog-style keyword arguments. It reports values named like secrets (`password`,
    `api_key`, `access_token`, `client_secret`, `card_number`...; not metadata such as
    `token_type` or `password_changed_at`), the `Authorization`/`Cookie` headers, and whole
    request objects (`request.headers`, `request.json`, `request.form`, `request.POST`,
    `request.META`, `request.get_json()`), which contain them. Values wrapped in a masking call
    (`mask(...)`, `redact(...)`, `len(...)`) are not reported.

    JavaScript/TypeScript: the arguments of `console.log/info/warn/error/debug/trace` and of a
    logger's level methods (`logger.info`, `req.log.warn`, `fastify.log.error`,
    `this.logger.debug`: pino, winston, bunyan, NestJS `Logger`), template substitutions and
    object literals included, judged by the same names: secret-like names and properties
    (`password`, `{ token }`, `user.apiKey`), the `Authorization`/`Cookie` headers
    (`req.headers.authorization`, `req.get("Authorization")`), and whole request payloads
    (`req.body`, `req.headers`, `req.cookies`, Fastify `request.body`, Koa `ctx.request.body`).
    One field of the body (`req.body.email`), `.length` and masking calls are not
    reported; nor are test files.

    ## Why is this bad
    Logs are copied to aggregators, backups, support tickets and third parties and are kept for
    months, usually with far weaker access control than the database. A password or token in a
    log line is a leaked credential; a logged request body may also put personal data in scope
    of GDPR/PCI deletion obligations.

    ## Example
    ```python
    logger.info("login attempt user=%s password=%s", username, password)
    logger.debug(f"headers: {request.headers}")
    ```

    ## Use instead
    ```python
    logger.info("login attempt user=%s", username)
    logger.debug("request from %s", request.headers.get("User-Agent"))
    ```
    Add a logging filter that redacts known secret keys as a safety net.

    ## References
    - https://cwe.mitre.org/data/definitions/532.html
    - https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html
    - https://nodejs.org/api/console.html
    - https://getpino.io/#/docs/redaction
    """

    code = "BR801"
    name = "sensitive-data-logged"
    item = "logging"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    summary = "secrets or whole request payloads written to the logs"
    cwe = (532,)

    VALID = [
        Valid(
            """
import logging
from flask import request
logger = logging.getLogger(__name__)

def login(username, password, token_type, password_changed_at):
    logger.info("login attempt for %s", username)
    logger.info("password reset requested for %s", username)     # ok: BR801 (only the text)
    logger.debug("token type %s", token_type)                     # ok: BR801
    logger.info("password changed at %s", password_changed_at)    # ok: BR801
    logger.info("password length %d", len(password))              # ok: BR801
    logger.info("ua %s", request.headers.get("User-Agent"))       # ok: BR801
    logger.info("key %s", mask(api_key))                          # ok: BR801
    logger.info("has token: %s", has_token)                       # ok: BR801
    check(password)
"""
        ),
        Valid(
            """
import structlog
log = structlog.get_logger()

def refresh(user, token):
    log.info("token refreshed", user_id=user.id, token_id=token.id)   # ok: BR801
    log.info("loaded %s", secret_names)                                # ok: BR801
    log.info("consent %s", cookie_consent)                             # ok: BR801
    cache.set("token", token)
"""
        ),
    ]
    INVALID = [
        Invalid(
            """
import logging
from flask import request
logger = logging.getLogger(__name__)

def login(username, password):
    logger.info("login attempt user=%s password=%s", username, password)   # expect: BR801
    logger.debug(f"headers: {request.headers}")                            # expect: BR801
    logging.info("payload %s", request.get_json())                         # expect: BR801
    logger.warning("auth %s", request.headers["Authorization"])            # expect: BR801
    logging.getLogger(__name__).info("pw %s", password)                    # expect: BR801
"""
        ),
        Invalid(
            """
from loguru import logger
import structlog
log = structlog.get_logger()

def connect(settings, user):
    logger.info("connecting with key {}", settings.API_KEY)                # expect: BR801
    log.info("user created", email=user.email, password=user.password)    # expect: BR801
    current_app.logger.error("bad login", extra={"refreshToken": rt})      # expect: BR801
"""
        ),
        Invalid(
            """
import logging
from starlette.requests import Request
log = logging.getLogger(__name__)
TOKEN_HEADER = "Authorization"

def current_user(request):
    header = request.headers.get(TOKEN_HEADER, "")
    log.debug("authorization header: %s", header)                          # expect: BR801
    agent = request.headers.get("User-Agent")
    log.debug("agent %s", agent)                                           # ok: BR801

async def webhook(request: Request):
    event = await request.json()
    log.info("billing event %s", event)                                    # expect: BR801
    kind = event["type"]
    log.info("billing event type %s", kind)                                # ok: BR801
"""
        ),
        Invalid(
            """
import logging
log = logging.getLogger("api")

class OrderView(APIView):
    def post(self, request):
        log.info("order request %s", request.data)                        # expect: BR801
        log.info(
            "session %s",
            request.COOKIES.get("sessionid"),                              # expect: BR801
        )
""",
            path="orders/views.py",
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._constants: dict[str, str] = {}  # module-level NAME = "literal"
        self._held: dict[tuple[int, str], str] = {}  # (function, variable) -> what it holds

    def visit_Assign(self, node: cst.Assign) -> None:
        func = self.ctx.enclosing_function()
        value: cst.BaseExpression = node.value
        if func is None:
            text = _string_value(value)
            for target in node.targets:
                if text is not None and isinstance(target.target, cst.Name):
                    self._constants[target.target.value] = text
            return
        while isinstance(value, cst.Await):
            value = value.expression
        what = self._sensitive(value)
        if what is None:
            return
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self._held[(id(func), target.target.value)] = what

    def visit_Call(self, node: cst.Call) -> None:
        if self.ctx.is_test_file or not is_logging_call(node, self.ctx.resolve):
            return
        for arg in node.args:
            keyword = arg.keyword.value if arg.keyword is not None else ""
            if (
                keyword not in {"", "extra", "exc_info"}
                and sensitive_name(keyword)
                and not self._literal(arg.value)
            ):
                self._flag(arg, f"the keyword `{keyword}`")
                return
            found = self._find(arg.value)
            if found is not None:
                self._flag(found[0], found[1])
                return

    @staticmethod
    def _literal(expr: cst.BaseExpression) -> bool:
        return isinstance(expr, cst.SimpleString | cst.Integer | cst.Name) and (
            not isinstance(expr, cst.Name) or expr.value in {"None", "True", "False"}
        )

    @classmethod
    def node_findings(cls, file: Parsed, config: Config) -> list[Finding]:
        """The JavaScript/TypeScript side: secrets and request payloads in console/logger calls."""
        if is_node_test_file(file.relpath):
            return []
        return [
            cls.node_finding(
                file,
                node,
                f"{what} is written to the logs: {_CONSEQUENCE}",
                snippet=node_text(call)[:200],
            )
            for call in logging_calls(file.root)
            for node, what in sensitive_values(call, sensitive_name)
        ]

    def _flag(self, node: cst.CSTNode, what: str) -> None:
        self.report(
            node,
            f"{what} is written to the logs: {_CONSEQUENCE}",
        )

    def _find(self, expr: cst.CSTNode) -> tuple[cst.CSTNode, str] | None:
        """The first sensitive value inside one logged argument, and how to name it."""
        for node in self._candidates(expr):
            what = self._sensitive(node)
            if what is not None:
                return node, what
        return None

    def _candidates(self, root: cst.CSTNode) -> Iterator[cst.CSTNode]:
        stack: list[cst.CSTNode] = [root]
        while stack:
            node = stack.pop()
            yield node
            if isinstance(node, cst.Call):
                name = (self.ctx.call_name(node) or "").rsplit(".", 1)[-1].lower()
                if _SANITIZERS.search(name) or name.startswith(("is_", "has_")):
                    continue
                if isinstance(node.func, cst.Attribute) and node.func.attr.value in {"get", "pop"}:
                    continue  # `request.headers.get(...)`: judged by its key alone
            if isinstance(node, cst.Attribute | cst.Subscript):
                continue  # judged as a whole
            if isinstance(node, cst.DictElement):
                stack.append(node.value)
                continue
            stack.extend(reversed(list(syntax_children(node))))

    def _sensitive(self, node: cst.CSTNode) -> str | None:
        if isinstance(node, cst.DictElement):
            key = _string_value(node.key) if isinstance(node.key, cst.BaseExpression) else None
            if key is not None and sensitive_name(key):
                return f"the `{key}` value"
            return None
        if isinstance(node, cst.Name):
            if sensitive_name(node.value):
                return f"`{node.value}`"
            func = self.ctx.enclosing_function()
            held = self._held.get((id(func), node.value)) if func is not None else None
            return f"`{node.value}` (it holds {held})" if held else None
        if isinstance(node, cst.Call):
            return self._sensitive_call(node)
        if isinstance(node, cst.Attribute):
            if self._is_request(node.value) and node.attr.value in _WHOLE_SENSITIVE:
                return f"the whole `request.{node.attr.value}`"
            if self._is_request(node.value) and node.attr.value in _REQUEST_WHOLE:
                return (
                    f"the whole `request.{node.attr.value}`"
                    if node.attr.value
                    in {
                        "data",
                        "body",
                    }
                    else None
                )
            if sensitive_name(node.attr.value):
                return f"`{dotted_name(node) or node.attr.value}`"
            return None
        if isinstance(node, cst.Subscript):
            for element in node.slice:
                index = element.slice
                key = _string_value(index.value) if isinstance(index, cst.Index) else None
                if key is not None and (sensitive_name(key) or key.lower() in _SENSITIVE_HEADERS):
                    return f"the `{key}` value"
            return None
        return None

    def _key(self, node: cst.BaseExpression) -> str | None:
        """A literal key, or a module constant holding one (`TOKEN_HEADER`)."""
        text = _string_value(node)
        if text is None and isinstance(node, cst.Name):
            text = self._constants.get(node.value)
        return text

    def _sensitive_call(self, node: cst.Call) -> str | None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return None
        if func.attr.value in {"get", "pop", "getlist"} and node.args:
            key = self._key(node.args[0].value)
            if key is not None and (sensitive_name(key) or key.lower() in _SENSITIVE_HEADERS):
                return f"the `{key}` value"
        if self._is_request(func.value) and func.attr.value in _REQUEST_METHODS:
            return f"the whole `request.{func.attr.value}()` payload"
        return None

    def _is_request(self, expr: cst.BaseExpression) -> bool:
        name = dotted_name(expr)
        return name is not None and (
            name in _REQUEST_NAMES or self.ctx.resolve(expr) in _REQUEST_NAMES
        )
