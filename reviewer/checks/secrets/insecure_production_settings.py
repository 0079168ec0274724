"""BR212 insecure-production-settings: Django deployment settings switched to an insecure value."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from reviewer.checks._settings import env_flag, env_scheme, is_production_settings, with_scheme
from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.checks.env_lookups import EnvLookup, env_lookup, env_wrappers, literal_string
from reviewer.checks.secrets._common import name_words
from reviewer.model import Confidence, Severity

if TYPE_CHECKING:
    from reviewer.context import FileContext


@dataclass(frozen=True)
class _Flag:
    """A setting `manage.py check --deploy` wants True, and what an attacker gains when off."""

    severity: Severity
    gain: str
    explicit: bool  # whether `= False` is this rule's (the cookie flags are BR206's)


_FLAGS = {
    "SESSION_COOKIE_SECURE": _Flag(
        Severity.MEDIUM,
        "the session cookie is also sent over plain HTTP, where anyone on the network path "
        "(public Wi-Fi, a proxy) reads it and takes over the session",
        explicit=False,
    ),
    "CSRF_COOKIE_SECURE": _Flag(
        Severity.LOW,
        "the CSRF cookie is also sent over plain HTTP, where a network attacker reads the token "
        "and can then forge state-changing requests",
        explicit=False,
    ),
    "SESSION_COOKIE_HTTPONLY": _Flag(
        Severity.MEDIUM,
        "scripts can read the session cookie, so any injected script (XSS) steals the session",
        explicit=False,
    ),
    "SECURE_SSL_REDIRECT": _Flag(
        Severity.LOW,
        "plain-HTTP requests are served instead of redirected to HTTPS, so a network attacker "
        "can read and alter them (SSL stripping)",
        explicit=True,
    ),
    "SECURE_CONTENT_TYPE_NOSNIFF": _Flag(
        Severity.LOW,
        "Django stops sending `X-Content-Type-Options: nosniff`, so browsers may sniff uploaded "
        "or user-supplied files as HTML or script and run them (XSS)",
        explicit=True,
    ),
}
_HSTS_GAIN = (
    "browsers are not told to insist on HTTPS, so each visit's first plain-HTTP request can be "
    "intercepted and downgraded (SSL stripping)"
)
_HOSTS_GAIN = (
    "Django accepts any `Host` header, so with a forged host an attacker gets the absolute links "
    "Django builds from `request.get_host()` (password-reset e-mails, redirects) pointing at a "
    "server of theirs, and can poison caches keyed on the host"
)
# A comment saying TLS is handled in front of Django (the redirect then happens there).
_PROXY_NOTE = re.compile(
    r"proxy|nginx|apache|load[- ]?balancer|\blb\b|ingress|traefik|caddy|haproxy|heroku|"
    r"cloudflare|terminat|upstream|front[- ]?end server|handled by|done by",
    re.IGNORECASE,
)
_DEV_WORDS = frozenset({"debug", "dev", "devel", "development", "local", "test", "testing"})
_FRAME_OPTIONS = frozenset({"DENY", "SAMEORIGIN"})


def _is_false(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "False"


def _is_zero(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Integer):
        return expr.value in ("0", "0x0")
    value = literal_string(expr)
    return value is not None and value.strip() == "0"


def _strings(expr: cst.BaseExpression) -> list[str] | None:
    """`"*"`, `"a,*"`, `["*"]`, `("a", "*")`: the host patterns of a literal, else None."""
    value = literal_string(expr)
    if value is not None:
        return [part.strip() for part in value.split(",")]
    if isinstance(expr, cst.List | cst.Tuple | cst.Set):
        found = [literal_string(e.value) for e in expr.elements]
        return [f.strip() for f in found if f is not None]
    return None


def _calls(expr: cst.BaseExpression) -> Iterator[cst.Call]:
    stack: list[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call):
            yield node
        if not isinstance(node, cst.Lambda):
            stack.extend(node.children)


def _sets_proxy_header(module: cst.Module) -> bool:
    """The module sets `SECURE_PROXY_SSL_HEADER` (to anything but None): Django runs behind a
    proxy that terminates TLS, which is where the HTTPS redirect and HSTS belong."""
    stack: list[cst.CSTNode] = list(module.body)
    while stack:
        node = stack.pop()
        if isinstance(node, cst.FunctionDef | cst.ClassDef):
            continue
        if (
            isinstance(node, cst.Assign)
            and not (isinstance(node.value, cst.Name) and node.value.value == "None")
            and any(
                isinstance(t.target, cst.Name) and t.target.value == "SECURE_PROXY_SSL_HEADER"
                for t in node.targets
            )
        ):
            return True
        stack.extend(c for c in node.children if not isinstance(c, cst.BaseExpression))
    return False


def _env_helper(call: cst.Call) -> EnvLookup | None:
    """An imported helper named for the environment (`get_list_from_env("X", default=[...])`,
    `env_list("X", [...])`) called with a variable name and a fallback."""
    func = call.func
    name = func.value if isinstance(func, cst.Name) else None
    if isinstance(func, cst.Attribute):
        name = func.attr.value
    if name is None or not {"env", "environ", "getenv"} & set(name_words(name)):
        return None
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    variable = literal_string(positional[0]) if positional else None
    if variable is None:
        return None
    default = next(
        (a.value for a in call.args if a.keyword is not None and a.keyword.value == "default"),
        positional[1] if len(positional) > 1 else None,
    )
    return EnvLookup(variable, default)


class InsecureProductionSettings(Rule):
    """Django production settings set to a value `manage.py check --deploy` warns about.

    ## What it does
    In Django settings modules that production may load (`settings.py`, `settings/prod.py`;
    not `settings/dev.py`, `local.py`, `test.py`, nor the shared `base.py`/`common.py` that
    production settings override), reports settings given an insecure value explicitly, or
    read from the environment with an insecure fallback:

    - `ALLOWED_HOSTS` containing `"*"` (`["*"]`, `os.getenv("ALLOWED_HOSTS", "*").split(",")`,
      `env.list("ALLOWED_HOSTS", default=["*"])`);
    - `SECURE_SSL_REDIRECT = False` and `SECURE_HSTS_SECONDS = 0`, unless the module sets
      `SECURE_PROXY_SSL_HEADER` (Django runs behind a proxy that terminates TLS, where the
      redirect and HSTS belong) or a comment beside the setting says a proxy, load balancer or
      ingress handles them;
    - `SECURE_CONTENT_TYPE_NOSNIFF = False`;
    - `X_FRAME_OPTIONS` other than `"DENY"` or `"SAMEORIGIN"`;
    - `SECURE_REFERRER_POLICY = "unsafe-url"`;
    - `SESSION_COOKIE_SECURE`, `CSRF_COOKIE_SECURE`, `SESSION_COOKIE_HTTPONLY` and the settings
      above read from the environment with a fallback that is off
      (`env.bool("SESSION_COOKIE_SECURE", default=False)`,
      `os.getenv("SECURE_SSL_REDIRECT", "False") == "True"`). The explicit `= False` of the
      cookie flags is BR206's (insecure-cookie); `DEBUG` is BR702's (internal-error-exposed).

    Lookups read: `os.getenv`/`os.environ.get`, python-decouple `config`, django-environ and
    environs (`env.bool`, `env.int`, `env.list`, and `env("X")` taking its default from the
    scheme `environ.Env(X=(bool, False))`), `getattr(configuration, "X", default)`, the
    module's own wrappers around `os.getenv`, and imported helpers named for the environment
    called with a variable name and a default (`get_list_from_env("X", default=["*"])`).

    A setting that is merely absent is not reported: many services set these from the
    environment or in a settings module of their deployment. Assignments under `if DEBUG:` are
    development-only and not reported.

    ## Why is this bad
    These settings are Django's protections of the transport and of the `Host` header. With
    `ALLOWED_HOSTS = ["*"]` an attacker who sends a forged `Host` header gets password-reset
    links built from it (the reset token is then delivered to their server) and poisons caches.
    Without the SSL redirect and HSTS, a network attacker strips HTTPS from a visit; a session
    cookie without Secure travels in clear text, one without HttpOnly is readable by any
    injected script; without `nosniff` browsers may run uploaded files as script; without frame
    protection pages can be framed for clickjacking. A fallback that is off means a deployment
    that forgets one variable runs insecurely without any sign.

    ## Example
    ```python
    # mysite/settings.py
    ALLOWED_HOSTS = ["*"]
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
    SECURE_SSL_REDIRECT = False
    ```

    ## Use instead
    ```python
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")          # required: start-up fails without it
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = True  # or a comment saying the proxy in front redirects to HTTPS
    SECURE_HSTS_SECONDS = 31536000
    ```

    ## References
    - https://docs.djangoproject.com/en/stable/howto/deployment/checklist/
    - https://docs.djangoproject.com/en/stable/ref/checks/#security (W004-W022)
    - https://docs.djangoproject.com/en/stable/ref/settings/#allowed-hosts
    - https://docs.djangoproject.com/en/stable/topics/security/#host-header-validation
    - https://docs.djangoproject.com/en/stable/ref/middleware/#http-strict-transport-security
    - https://cwe.mitre.org/data/definitions/1188.html
    """

    code = "BR212"
    name = "insecure-production-settings"
    item = "secrets"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    summary = "A Django production setting is given an insecure value or insecure fallback"
    cwe = (1188, 319, 346)

    VALID = [
        Valid(
            """
import os
import environ

env = environ.Env()

ALLOWED_HOSTS = os.environ["ALLOWED_HOSTS"].split(",")                 # ok: BR212
ALLOWED_HOSTS = os.getenv("ALLOWED_HOSTS", "localhost").split(",")     # ok: BR212
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["api.example.com"]) # ok: BR212
ALLOWED_HOSTS = [".example.com", "localhost"]                          # ok: BR212
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)  # ok: BR212
CSRF_COOKIE_SECURE = os.getenv("CSRF_COOKIE_SECURE", "True") == "True"   # ok: BR212
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT")                  # ok: BR212 (required)
SECURE_SSL_REDIRECT = False  # TLS and the HTTPS redirect are done by the nginx proxy
# HSTS is added by the load balancer
SECURE_HSTS_SECONDS = 0                                                # ok: BR212
SECURE_HSTS_SECONDS = int(os.getenv("SECURE_HSTS_SECONDS", "31536000"))  # ok: BR212
X_FRAME_OPTIONS = "SAMEORIGIN"                                         # ok: BR212
SESSION_COOKIE_SECURE = False  # BR206's, not reported twice
if DEBUG:
    ALLOWED_HOSTS = ["*"]                                              # ok: BR212 (dev only)
    SECURE_SSL_REDIRECT = False                                        # ok: BR212
""",
            path="mysite/settings.py",
        ),
        Valid(
            """
from .base import *

ALLOWED_HOSTS = ["*"]                                                  # ok: BR212 (dev)
SECURE_SSL_REDIRECT = False                                            # ok: BR212
SECURE_HSTS_SECONDS = 0                                                # ok: BR212
""",
            path="mysite/settings/dev.py",
        ),
        Valid(
            """
from .settings import *

DEBUG = True
ALLOWED_HOSTS = ["*"]                                                  # ok: BR212 (tests)
""",
            path="dojo/settings/unittests.py",
        ),
        Valid(
            """
ALLOWED_HOSTS = ["*"]                                                  # ok: BR212 (not settings)
SECURE_SSL_REDIRECT = False                                            # ok: BR212
""",
            path="mysite/helpers.py",
        ),
        Valid(
            """
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = getattr(configuration, "SECURE_SSL_REDIRECT", False)  # ok: BR212 (proxy)
SECURE_HSTS_SECONDS = getattr(configuration, "SECURE_HSTS_SECONDS", 0)      # ok: BR212
X_FRAME_OPTIONS = "SAMEORIGIN"                                              # ok: BR212
""",
            path="netbox/netbox/settings.py",
        ),
        Valid(
            """
import os

if v := os.getenv("ALLOWED_HOSTS"):
    ALLOWED_HOSTS = v.split(",")                                       # ok: BR212
else:
    ALLOWED_HOSTS = [SITE_DOMAIN]                                      # ok: BR212
""",
            path="hc/settings.py",
        ),
    ]
    INVALID = [
        Invalid(
            """
import os
import environ
from decouple import config, Csv

env = environ.Env()

ALLOWED_HOSTS = ["*"]                                                  # expect: BR212
ALLOWED_HOSTS = os.getenv("DJANGO_ALLOWED_HOSTS", "*").split(",")      # expect: BR212
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])               # expect: BR212
ALLOWED_HOSTS = config("ALLOWED_HOSTS", default="*", cast=Csv())       # expect: BR212
SECURE_SSL_REDIRECT = False                                            # expect: BR212
SECURE_HSTS_SECONDS = 0                                                # expect: BR212
SECURE_CONTENT_TYPE_NOSNIFF = False                                    # expect: BR212
X_FRAME_OPTIONS = "ALLOWALL"                                           # expect: BR212
SECURE_REFERRER_POLICY = "unsafe-url"                                  # expect: BR212
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)  # expect: BR212
SESSION_COOKIE_HTTPONLY = os.getenv("COOKIE_HTTPONLY", "0") == "1"     # expect: BR212
CSRF_COOKIE_SECURE = config("CSRF_COOKIE_SECURE", default=False, cast=bool)  # expect: BR212
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)        # expect: BR212
""",
            path="mysite/settings/production.py",
        ),
        Invalid(
            """
import environ

env = environ.FileAwareEnv(
    DD_SESSION_COOKIE_SECURE=(bool, False),
    DD_CSRF_COOKIE_SECURE=(bool, True),
    DD_ALLOWED_HOSTS=(list, ["*"]),
)
SESSION_COOKIE_SECURE = env("DD_SESSION_COOKIE_SECURE")               # expect: BR212
CSRF_COOKIE_SECURE = env("DD_CSRF_COOKIE_SECURE")                     # ok: BR212
ALLOWED_HOSTS = env.list("DD_ALLOWED_HOSTS")                           # expect: BR212
""",
            path="mysite/settings/production.py",
        ),
        Invalid(
            """
import os
from paperless.settings.parsers import get_list_from_env


def envbool(name, default):
    return os.getenv(name, default=default) == "True"


ALLOWED_HOSTS = get_list_from_env("PAPERLESS_ALLOWED_HOSTS", default=["*"])  # expect: BR212
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False")          # expect: BR212
if not DEBUG:
    SECURE_HSTS_SECONDS = 0                                            # expect: BR212
SECURE_PROXY_SSL_HEADER = None
SESSION_COOKIE_SECURE = getattr(configuration, "SESSION_COOKIE_SECURE", False)  # expect: BR212
""",
            path="src/paperless/settings/__init__.py",
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._active = is_production_settings(ctx.relpath) and not ctx.is_test_file
        self._wrappers = env_wrappers(ctx.module, ctx.resolve) if self._active else {}
        self._behind_proxy = self._active and _sets_proxy_header(ctx.module)
        self._scheme = env_scheme(ctx.module, ctx.resolve) if self._active else None

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self._active or self.ctx.enclosing_function() is not None:
            return
        if self.ctx.enclosing_class() is not None or self._development_branch():
            return
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self._check(node, target.target.value, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is None or not self._active or self.ctx.enclosing_function() is not None:
            return
        if self.ctx.enclosing_class() is not None or self._development_branch():
            return
        if isinstance(node.target, cst.Name):
            self._check(node, node.target.value, node.value)

    # --- which branch -------------------------------------------------------------------

    def _development_branch(self) -> bool:
        """Inside `if DEBUG:` (or the `else` of `if not DEBUG:`): development only."""
        stack = self.ctx.stack
        for i, node in enumerate(stack[:-1]):
            if not isinstance(node, cst.If):
                continue
            test, negated = node.test, False
            if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
                test, negated = test.expression, True
            words = set(name_words(cst.Module([]).code_for_node(test)))
            if not words & _DEV_WORDS:
                continue
            in_body = stack[i + 1] is node.body
            if in_body != negated:
                return True
        return False

    def _proxy_note(self) -> bool:
        """A comment on the statement or the lines just above it naming a proxy in front."""
        for node in reversed(self.ctx.stack):
            if isinstance(node, cst.SimpleStatementLine):
                comments = [line.comment.value for line in node.leading_lines if line.comment]
                if node.trailing_whitespace.comment is not None:
                    comments.append(node.trailing_whitespace.comment.value)
                return any(_PROXY_NOTE.search(c) for c in comments)
        return False

    # --- the settings -------------------------------------------------------------------

    def _check(self, node: cst.CSTNode, name: str, value: cst.BaseExpression) -> None:
        if name == "ALLOWED_HOSTS":
            self._check_hosts(node, value)
        elif name in _FLAGS:
            self._check_flag(node, name, value)
        elif name == "SECURE_HSTS_SECONDS":
            self._check_hsts(node, value)
        elif name == "X_FRAME_OPTIONS":
            option = literal_string(value)
            if option is not None and option.strip().upper() not in _FRAME_OPTIONS:
                self.report(
                    node,
                    f'`X_FRAME_OPTIONS = "{option}"` is not a value browsers honour (DENY or '
                    "SAMEORIGIN): any site can frame the pages and trick users into clicks "
                    "(clickjacking). Use DENY.",
                    severity=Severity.LOW,
                )
        elif name == "SECURE_REFERRER_POLICY":
            policy = literal_string(value)
            if policy is not None and policy.strip().lower() == "unsafe-url":
                self.report(
                    node,
                    '`SECURE_REFERRER_POLICY = "unsafe-url"` sends the full URL, query string '
                    "included (reset tokens, ids), to every other site a page links to, even "
                    'over plain HTTP. Use "same-origin" (Django\'s default).',
                    severity=Severity.LOW,
                )

    def _lookups(self, value: cst.BaseExpression) -> Iterator[EnvLookup]:
        for call in _calls(value):
            lookup = env_lookup(call, self.ctx.call_name(call), self._wrappers)
            if lookup is None and not (
                isinstance(call.func, cst.Name) and call.func.value in self._wrappers
            ):
                lookup = _env_helper(call)
            if lookup is not None:
                yield with_scheme(call, lookup, self._scheme)

    def _check_hosts(self, node: cst.CSTNode, value: cst.BaseExpression) -> None:
        hosts = _strings(value)
        if hosts is not None:
            if "*" in hosts:
                self.report(
                    node,
                    f'`ALLOWED_HOSTS` contains "*": {_HOSTS_GAIN}. List the service\'s host names.',
                )
            return
        for lookup in self._lookups(value):
            fallback = _strings(lookup.default) if lookup.default is not None else None
            if fallback is not None and "*" in fallback:
                self.report(
                    node,
                    f'`ALLOWED_HOSTS` falls back to "*" when `{lookup.variable}` is not set: '
                    f"{_HOSTS_GAIN}. Make the variable required or fall back to the real host.",
                    confidence=Confidence.MEDIUM,
                )
                return

    def _check_flag(self, node: cst.CSTNode, name: str, value: cst.BaseExpression) -> None:
        flag = _FLAGS[name]
        if name == "SECURE_SSL_REDIRECT" and (self._behind_proxy or self._proxy_note()):
            return
        if _is_false(value):
            if flag.explicit:
                self.report(
                    node,
                    f"`{name} = False`: {flag.gain}. Set it to True in production settings"
                    + (
                        " (or say in a comment that the proxy in front redirects to HTTPS)."
                        if name == "SECURE_SSL_REDIRECT"
                        else "."
                    ),
                    severity=flag.severity,
                )
            return
        found = env_flag(value, self.ctx.call_name, self._wrappers, self._scheme)
        if found is None or found[1] is not False:
            return
        lookup = found[0]
        self.report(
            node,
            f"`{name}` falls back to off when `{lookup.variable}` is not set: {flag.gain}. "
            "Make the fallback True.",
            severity=flag.severity,
            confidence=Confidence.MEDIUM,
        )

    def _check_hsts(self, node: cst.CSTNode, value: cst.BaseExpression) -> None:
        if self._behind_proxy or self._proxy_note():
            return
        if _is_zero(value):
            self.report(
                node,
                f"`SECURE_HSTS_SECONDS = 0`: {_HSTS_GAIN}. Set it (start with 3600, then a "
                "year) once the whole site is served over HTTPS.",
                severity=Severity.LOW,
            )
            return
        for lookup in self._lookups(value):
            if lookup.default is not None and _is_zero(lookup.default):
                self.report(
                    node,
                    f"`SECURE_HSTS_SECONDS` falls back to 0 when `{lookup.variable}` is not set: "
                    f"{_HSTS_GAIN}. Fall back to a positive value.",
                    severity=Severity.LOW,
                    confidence=Confidence.MEDIUM,
                )
                return
