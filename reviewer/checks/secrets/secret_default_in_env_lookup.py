"""BR202: a secret read from the environment with a hardcoded fallback value."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.checks.env_lookups import EnvWrapper, env_lookup, env_wrappers, literal_string
from reviewer.checks.secrets._common import (
    classify_name,
    is_password_name,
    is_sample_or_test_config,
    is_settings_class,
    looks_random,
    mask,
)
from reviewer.checks.secrets._javascript import env_fallbacks
from reviewer.model import Confidence, Finding, Severity
from reviewer.node.express import is_test_file as is_node_test_file
from reviewer.node.syntax import Parsed

# A number, a rate or a duration ("0", "5/min", "100/hour", "30s"): what a token budget or a
# throttle holds. A password of digits still counts (`is_password_name`).
_QUANTITY = re.compile(r"^\d+(\.\d+)?\s*(/\s*[a-z]+|ms|[smhd]|%)?$", re.IGNORECASE)

if TYPE_CHECKING:
    from reviewer.config import Config
    from reviewer.context import FileContext


def judge_fallback(
    variable: str,
    value: str,
    what: str,
    threshold: float,
    min_length: int,
    advice: str = "Drop the default so start-up fails (`os.environ[...]`, `config(...)` without "
    "`default=`).",
) -> str | None:
    """The message when the literal fallback `value` of the secret-like `variable` is a
    hardcoded secret, else None. Shared by the Python and JavaScript/TypeScript sides."""
    if not value.strip():
        return None
    kind = classify_name(variable)
    if kind is None:
        return None
    if _QUANTITY.match(value.strip()) and not is_password_name(variable):
        return None  # "0", "5/min", "30s": a budget, rate or duration, not a secret
    if kind.weak and not looks_random(value.strip(), threshold, min_length):
        return None
    return (
        f"{what[0].upper()}{what[1:]} falls back to the hardcoded value `{mask(value)}`: when "
        "the variable is missing in production the service runs on a secret that is in the "
        f"repository. {advice}"
    )


class SecretDefaultInEnvLookup(Rule):
    """A secret read from the environment with a literal fallback: the app runs on the fallback.

    ## What it does
    Reports environment and config lookups of a secret-like variable (`SECRET_KEY`, `API_TOKEN`,
    `DB_PASSWORD`...) that fall back to a non-empty string literal:
    `os.environ.get("SECRET_KEY", "dev")`, `os.getenv("API_TOKEN", "abc123")`,
    `os.environ.setdefault("SECRET_KEY", "...")`, python-decouple `config("SECRET", default="...")`,
    environs / django-environ `env.str("SECRET_KEY", default="...")` and `env("X", default="...")`,
    `os.environ.get("SECRET_KEY") or "dev"`, the module's own wrappers around `os.getenv` /
    `os.environ.get` (`def env_str(name, fallback): return os.environ.get(name, fallback)` called
    as `env_str("API_TOKEN", "...")`), config objects read with a fallback
    (`app.config.get("SECRET_KEY", "dev")`, `getattr(settings, "API_TOKEN", "...")`, dynaconf
    `settings.get(...)`), and pydantic `BaseSettings` fields with a literal
    default (`secret_key: str = "dev"`). Weaker names (`key`, `salt`, `dsn`) count only when the
    fallback looks random.

    Not reported: lookups without a default (`os.environ["SECRET_KEY"]`, `os.getenv("SECRET_KEY")`),
    defaults that are `None`, `""` or not literals, variables that are not secrets
    (`os.getenv("PORT", "8000")`, `os.getenv("LOG_LEVEL", "INFO")`, `os.getenv("TOKEN_TTL", "3600")`),
    and test files, test settings and samples (`settings/test.py`, `config.example.py`,
    `examples/`): setting a dummy secret for a test run is what they should do.

    JavaScript/TypeScript: `process.env.X || "literal"`, `process.env["X"] ?? "literal"` and
    `const { X = "literal" } = process.env`, judged the same way.

    ## Why is this bad
    When the variable is missing in production (a typo, a new deployment, a renamed secret) the
    service starts anyway and signs sessions, tokens or connects with a value that is in the
    repository (CWE-798, CWE-1188). Nothing tells you it happened.

    ## Example
    ```python
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-secret")
    STRIPE_KEY = config("STRIPE_KEY", default="sk_test_4eC39HqLyjWDarjtT1zdp7dc")
    ```

    ## Use instead
    ```python
    SECRET_KEY = os.environ["SECRET_KEY"]  # fails loudly at start-up when missing
    STRIPE_KEY = config("STRIPE_KEY")
    ```
    For local development put the value in an untracked `.env` file.

    ## References
    - https://cwe.mitre.org/data/definitions/798.html
    - https://cwe.mitre.org/data/definitions/1188.html
    - https://12factor.net/config
    - https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/#secret-key
    """

    code = "BR202"
    name = "secret-default-in-env-lookup"
    item = "secrets"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    summary = "a secret read from the environment falls back to a hardcoded value"
    cwe = (798, 1188)
    options = {"entropy-threshold": 3.5, "min-length": 16}

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.test_file = ctx.is_test_file or is_sample_or_test_config(ctx.relpath)
        self.wrappers: dict[str, EnvWrapper] = {}
        if not self.test_file:
            self.wrappers = env_wrappers(ctx.module, ctx.resolve)

    def visit_Call(self, node: cst.Call) -> None:
        if self.test_file:
            return
        lookup = env_lookup(node, self.ctx.call_name(node), self.wrappers)
        if lookup is not None and lookup.default is not None:
            self._check(lookup.variable, lookup.default, f"the lookup of `{lookup.variable}`")

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        """`os.environ.get("SECRET_KEY") or "dev"`."""
        if self.test_file or not isinstance(node.operator, cst.Or):
            return
        if not isinstance(node.left, cst.Call):
            return
        lookup = env_lookup(node.left, self.ctx.call_name(node.left), self.wrappers)
        if lookup is not None:
            self._check(lookup.variable, node.right, f"the lookup of `{lookup.variable}`")

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        """pydantic settings: `secret_key: str = "dev"` is the env variable's default."""
        if self.test_file or node.value is None or not self._in_settings_class():
            return
        if not isinstance(node.target, cst.Name):
            return
        value = node.value
        if isinstance(value, cst.Call) and (self.ctx.call_name(value) or "").endswith("Field"):
            value = next(
                (a.value for a in value.args if a.keyword is None or a.keyword.value == "default"),
                value,
            )
        self._check(node.target.value, value, f"the settings field `{node.target.value}`")

    def _check(self, variable: str, default: cst.BaseExpression, what: str) -> None:
        value = literal_string(default)
        if value is None:
            return
        threshold, min_length = self.option("entropy-threshold"), self.option("min-length")
        message = judge_fallback(variable, value, what, threshold, min_length)
        if message is not None:
            self.report(default, message, redact=True)  # the range is the secret literal

    @classmethod
    def node_findings(cls, file: Parsed, config: Config) -> list[Finding]:
        """The JavaScript/TypeScript side: `process.env.X || "dev"`, `process.env.X ?? "dev"`
        and `const { X = "dev" } = process.env`, judged as the Python lookups are."""
        if is_node_test_file(file.relpath) or is_sample_or_test_config(file.relpath):
            return []
        options = {**cls.options, **config.options_for(cls.code)}
        findings = []
        for variable, node, value in env_fallbacks(file.root):
            message = judge_fallback(
                variable,
                value,
                f"the lookup of `process.env.{variable}`",
                options["entropy-threshold"],
                options["min-length"],
                advice="Drop the fallback so start-up fails when the variable is missing.",
            )
            if message is None:
                continue
            findings.append(cls.node_finding(file, node, message, snippet=mask(value), redact=True))
        return findings

    def _in_settings_class(self) -> bool:
        stack = self.ctx.stack
        owner = stack[-4] if len(stack) >= 4 else None
        if not isinstance(owner, cst.ClassDef):
            return False
        return is_settings_class([self.ctx.resolve(b.value) or "" for b in owner.bases])

    VALID = [
        Valid(
            """
import os

SECRET_KEY = os.environ["SECRET_KEY"]
API_TOKEN = os.getenv("API_TOKEN")
DB_PASSWORD = os.environ.get("DB_PASSWORD", "")
JWT_SECRET = os.environ.get("JWT_SECRET", None)
PORT = int(os.getenv("PORT", "8000"))
LOG_LEVEL = os.getenv("LOG_LEVEL", "INFO")
TOKEN_TTL = os.getenv("TOKEN_TTL", "3600")  # ok: BR202
ACCESS_TOKEN_MINUTES = int(os.getenv("ACCESS_TOKEN_MINUTES", "30"))  # ok: BR202
PASSWORD_RESET_TIMEOUT = os.getenv("PASSWORD_RESET_TIMEOUT", "259200")  # ok: BR202
SECRET_KEY_FILE = os.getenv("SECRET_KEY_FILE", "/run/secrets/key")  # ok: BR202
CACHE_KEY_PREFIX = os.getenv("CACHE_KEY_PREFIX", "app")  # ok: BR202
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
TOKEN = os.getenv("API_TOKEN", default_token)
TOKEN_BUDGET = int(os.getenv("LLM_TOKEN_BUDGET_MONTH", "0"))  # ok: BR202 (a count)
THROTTLE = os.getenv("APP_TOKEN_THROTTLE_RATE", "5/min")  # ok: BR202 (a rate)
"""
        ),
        Valid(
            """
from decouple import config
import environ

env = environ.Env()
DEBUG = config("DEBUG", default=False, cast=bool)
SECRET_KEY = config("SECRET_KEY")
DATABASE_URL = env.str("DATABASE_URL", default="sqlite:///db.sqlite3")
REDIS_KEY = env("REDIS_KEY", default="cache")  # ok: BR202
ALLOWED = env.list("ALLOWED_HOSTS", default=["*"])
"""
        ),
        Valid(
            """
import os

os.environ.setdefault("SECRET_KEY", "test-secret")  # ok: BR202
PASSWORD = os.getenv("PASSWORD", "password123")  # ok: BR202
""",
            path="tests/conftest.py",
        ),
        Valid(
            """
import os

SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-test-key")  # ok: BR202
""",
            path="mysite/settings/testing.py",
        ),
        Valid(
            """
from pydantic import BaseModel

class LoginForm(BaseModel):
    password: str = "x"  # ok: BR202
"""
        ),
    ]

    INVALID = [
        Invalid(
            """
import os


def env_str(name, fallback=None):
    return os.environ.get(name, fallback)


def env(name, default=None):
    return os.getenv(name, default=default)


API_TOKEN = env_str("API_TOKEN", "k9Lm2Qx7Vb4Tz8Rw1Np6")          # expect: BR202
SECRET_KEY = env("SECRET_KEY", default="dev-secret")              # expect: BR202
DB_PASSWORD = env_str("DB_PASSWORD")                              # ok: BR202 (no fallback)
PORT = env_str("PORT", "8000")                                    # ok: BR202 (not a secret)
""",
            path="project/config.py",
        ),
        Invalid(
            """
import os
from os import environ, getenv

SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-dev-key")  # expect: BR202
API_TOKEN = os.getenv("API_TOKEN", "abc123")  # expect: BR202
DB_PASSWORD = os.getenv("DB_PASSWORD", "123456")  # expect: BR202 (digits, still a password)
DB_PASSWORD = environ.get("DB_PASSWORD", default="postgres")  # expect: BR202
JWT_SECRET = getenv("JWT_SECRET", "changeme")  # expect: BR202
os.environ.setdefault("SECRET_KEY", "not-so-secret")  # expect: BR202
FLASK_SECRET = os.environ.get("FLASK_SECRET_KEY") or "dev"  # expect: BR202
STRIPE_KEY = os.getenv("STRIPE_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc")  # expect: BR202
"""
        ),
        Invalid(
            """
from django.conf import settings
from flask import current_app

def sign(payload):
    key = getattr(settings, "WEBHOOK_SECRET", "whsec-local")  # expect: BR202
    token = current_app.config.get("API_TOKEN", "dev-token")  # expect: BR202
    timeout = current_app.config.get("TOKEN_TIMEOUT", "30")  # ok: BR202
    name = getattr(settings, "SITE_NAME", "shop")
    return key, token, timeout, name
"""
        ),
        Invalid(
            """
from decouple import config
from environs import Env

env = Env()
SECRET_KEY = config("SECRET_KEY", default="dev-secret")  # expect: BR202
EMAIL_PASSWORD = config("EMAIL_PASSWORD", "smtp-pass")  # expect: BR202
GITHUB_TOKEN = env.str("GITHUB_TOKEN", "local-token")  # expect: BR202
CLIENT_SECRET = env("OAUTH_CLIENT_SECRET", default="s3cr3t")  # expect: BR202
""",
            path="config/settings.py",
        ),
        Invalid(
            """
from pydantic import Field
from pydantic_settings import BaseSettings

class Settings(BaseSettings):
    app_name: str = "api"
    secret_key: str = "dev-secret-key"  # expect: BR202
    database_password: str = Field(default="postgres")  # expect: BR202
    api_token: str | None = None
"""
        ),
    ]
