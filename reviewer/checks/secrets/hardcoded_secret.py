"""BR201: a password, token or key written into the source."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.checks.secrets._common import (
    EXAMPLE_WORDS,
    SIGNING_KEY,
    SecretName,
    classify_name,
    find_key_format,
    is_not_a_secret_value,
    is_password_name,
    is_placeholder,
    is_sample_or_test_config,
    is_settings_class,
    literal_string,
    looks_random,
    mask,
    name_words,
    names_the_key,
    same_words,
    signing_key_argument,
    target_name,
)
from reviewer.checks.secrets._javascript import named_literals, string_literals
from reviewer.model import Confidence, Finding, Severity
from reviewer.node.express import _TEST_FILE
from reviewer.node.syntax import Parsed, text

if TYPE_CHECKING:
    from tree_sitter import Node

    from reviewer.config import Config
    from reviewer.context import FileContext

_AUTH_SCHEMES = ("bearer ", "basic ", "token ", "digest ")


class HardcodedSecret(Rule):
    """A credential written into the code: a password, token, API key, private key or signing key.

    ## What it does
    Reports string literals that are credentials:

    - literals in a known credential format anywhere (AWS access key ids `AKIA...`, GitHub tokens
      `ghp_`/`gho_`/`github_pat_`, Slack `xox?-`, Stripe `sk_live_`/`rk_live_`, Google `AIza...`,
      PEM private keys, JSON Web Tokens), in test files too;
    - literals bound to a secret-like name (`password`, `passwd`, `pwd`, `secret`, `token`,
      `api_key`, `access_key`, `private_key`, `client_secret`, `auth_token`, `SECRET_KEY`...) by
      assignment, attribute (`app.secret_key = ...`), subscript (`app.config["SECRET_KEY"] = ...`),
      keyword argument (`connect(password=...)`), dict key (`{"PASSWORD": ...}`), parameter default
      or, for password-like names only, `==` comparison (`if password == "letmein"`);
    - literal keys given to signing calls: `jwt.encode(payload, "...")`, `jwt.decode(token,
      "...")` (PyJWT, python-jose), `hmac.new(b"...", ...)`, itsdangerous serializers and signers;
    - random-looking literals (Shannon entropy at least `entropy-threshold` bits per character,
      at least `min-length` characters) bound to weaker names (`key`, `salt`, `auth`, `dsn`...).

    Not reported: empty strings and placeholders (`"changeme"`, `"your-secret-here"`, `"xxx"`,
    `"<token>"`, `"${SECRET}"`, `"TODO"`); values that name or locate a secret rather than hold
    one (`TOKEN_HEADER = "Authorization"`, `password_field = "password"`,
    `password_reset_url = "/reset"`, `token_type = "bearer"`, env var names, file paths, dotted
    paths, sentences); values under 4 characters; fields of pydantic `BaseSettings` classes and
    env lookups' defaults (both BR202); and, in test files, everything but known key formats
    (tests use dummies such as `"password123"`), which includes test settings modules
    (`settings/test.py`, `testing.py`) and samples (`config.example.py`, `settings_sample.py`,
    files under `examples/` or `docs/`); values inside API documentation examples
    (`json_schema_extra={"examples": [...]}`, `Field(examples=[...])`, `EXAMPLE_USER = {...}`); JWTs in test files are sample tokens and are
    skipped too.

    A placeholder is still reported (medium confidence) when it is the value of a signing key
    (`SECRET_KEY`, `app.secret_key`, `JWT_SECRET`, `SIGNING_KEY`): Django and Flask sign sessions
    and password reset tokens with whatever is there, so a `"changeme"` that reaches production is
    a publicly known key. Only `""` is exempt (both frameworks refuse to sign with it).

    Messages show at most the first 4 characters of a value.

    JavaScript/TypeScript files get the same judgement (`judge_named`) over their bindings:
    `const JWT_SECRET = "..."`, `{ password: "..." }`, `this.apiKey = "..."`, parameter
    defaults, `password === "..."`, and the key of `jwt.sign`/`jwt.verify` (jsonwebtoken),
    `crypto.createHmac`, cookie-parser and the `secret` option of express-session, express-jwt,
    koa-jwt and cookie-session (signing keys: a placeholder counts). `process.env.X || "dev"` is
    no BR201, as `os.environ.get("X", "dev")` is none in Python (BR202's concern).

    ## Why is this bad
    A secret in the source is in every clone, fork, CI log and backup of the repository and in
    its git history forever (CWE-798). It cannot be rotated without a deploy, and the same value
    usually ends up in every environment.

    ## Example
    ```python
    SECRET_KEY = "django-insecure-k2#x9v$3m!q8w@z1"
    stripe.api_key = "sk_live_51H8xT2LkdIwHu7ix..."
    db = connect(host="db", user="app", password="hunter2!")
    ```

    ## Use instead
    ```python
    SECRET_KEY = os.environ["SECRET_KEY"]
    stripe.api_key = os.environ["STRIPE_API_KEY"]
    db = connect(host="db", user="app", password=os.environ["DB_PASSWORD"])
    ```
    Then revoke and rotate the exposed value: removing it from the code does not remove it from
    the history.

    ## References
    - https://cwe.mitre.org/data/definitions/798.html
    - https://owasp.org/Top10/A07_2021-Identification_and_Authentication_Failures/
    - https://docs.djangoproject.com/en/5.2/ref/settings/#secret-key
    - https://flask.palletsprojects.com/en/stable/config/#SECRET_KEY
    - https://docs.github.com/en/code-security/secret-scanning/introduction/supported-secret-scanning-patterns
    - https://github.com/auth0/node-jsonwebtoken#jwtsignpayload-secretorprivatekey-options-callback
    - https://github.com/expressjs/session#secret
    """

    code = "BR201"
    name = "hardcoded-secret"
    item = "secrets"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    summary = "a credential is hardcoded in the source"
    cwe = (798,)
    external_ids = (
        "bandit:B105",
        "bandit:B106",
        "bandit:B107",
        "ruff:S105",
        "ruff:S106",
        "ruff:S107",
    )
    options = {"entropy-threshold": 3.5, "min-length": 16}

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.done: set[int] = set()
        self.test_file = ctx.is_test_file or is_sample_or_test_config(ctx.relpath)

    @classmethod
    def node_findings(cls, file: Parsed, config: Config) -> list[Finding]:
        """The JavaScript/TypeScript side: the same judgement over tree-sitter bindings
        (`const JWT_SECRET = "..."`, `{ secret: "..." }`, `jwt.sign(payload, "...")`).
        `process.env.X || "dev"` is not a literal binding: like `os.environ.get("X", "dev")` on
        the Python side it is no BR201 (the fallback is BR202's concern)."""
        test_file = bool(_TEST_FILE.search(file.relpath)) or is_sample_or_test_config(file.relpath)
        options = {**cls.options, **config.options_for(cls.code)}
        found: dict[int, tuple[Node, str, Confidence]] = {}
        for value, node in string_literals(file.root):
            key = find_key_format(value)
            if key is None or (not key[0].certain and test_file):
                continue
            message = (
                f"This string holds {key[0].label} (`{mask(key[1])}`): anyone with the code or its "
                "history can use it. Revoke it now, then load the new one from the environment or "
                "a secret manager."
            )
            confidence = Confidence.HIGH if key[0].certain else Confidence.MEDIUM
            found[node.start_byte] = (node, message, confidence)
        if not test_file:
            for named in named_literals(file.root):
                if named.node.start_byte in found:
                    continue
                verdict = judge_named(
                    named.name,
                    named.value,
                    named.kind,
                    options["entropy-threshold"],
                    options["min-length"],
                    env_hint=_node_env_hint(named.name),
                )
                if verdict is not None:
                    found[named.node.start_byte] = (named.node, *verdict)
        return [
            # the range is the secret literal
            cls.node_finding(
                file, node, message, snippet=mask(text(node)), confidence=confidence, redact=True
            )
            for _, (node, message, confidence) in sorted(found.items())
        ]

    # -- where a literal gets a name ----------------------------------------------------------

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._in_settings_class() or self._in_testing_config():
            return
        for target in node.targets:
            self._named(target_name(target.target), node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self._in_settings_class() or self._in_testing_config():
            return
        if node.value is not None:
            self._named(target_name(node.target), node.value)

    def _in_testing_config(self) -> bool:
        """A config class that sets `TESTING = True` (Flask's flag for the test client) is the
        test suite's configuration: its keys sign test sessions only. Key formats (an AWS key,
        a private key block) are still reported from the string itself."""
        owner = self.ctx.enclosing_class()
        if owner is None or not isinstance(owner.body, cst.IndentedBlock):
            return False
        for line in owner.body.body:
            if not isinstance(line, cst.SimpleStatementLine):
                continue
            for stmt in line.body:
                if (
                    isinstance(stmt, cst.Assign)
                    and any(target_name(t.target) == "TESTING" for t in stmt.targets)
                    and isinstance(stmt.value, cst.Name)
                    and stmt.value.value == "True"
                ):
                    return True
        return False

    def visit_Call(self, node: cst.Call) -> None:
        for arg in node.args:
            if arg.keyword is not None:
                self._named(arg.keyword.value, arg.value)
        signing = signing_key_argument(node, self.ctx.call_name(node))
        if signing is not None:
            label, value_node = signing
            self._named(label, value_node, SIGNING_KEY)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        key = literal_string(node.key)
        if key is not None:
            self._named(key, node.value)

    def visit_Param(self, node: cst.Param) -> None:
        if node.default is not None:
            self._named(node.name.value, node.default)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        name = target_name(node.left)
        if name is None or not is_password_name(name):
            return
        for target in node.comparisons:
            if isinstance(target.operator, cst.Equal | cst.NotEqual):
                self._named(name, target.comparator)

    # -- known formats anywhere ---------------------------------------------------------------

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if not isinstance(self.ctx.parent, cst.ConcatenatedString):
            self._formats(node, literal_string(node))

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        if not isinstance(self.ctx.parent, cst.ConcatenatedString):
            self._formats(node, literal_string(node))

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        self._formats(node, node.value)

    # -- judging ------------------------------------------------------------------------------

    def _formats(self, node: cst.CSTNode, value: str | None) -> bool:
        if value is None or id(node) in self.done:
            return False
        found = find_key_format(value)
        if found is None:
            return False
        key_format, text = found
        if not key_format.certain and (self.test_file or self._in_example(assignments=False)):
            return False  # sample JWTs in tests and API docs examples are sample data
        self.done.add(id(node))
        self.report(
            node,
            f"This string holds {key_format.label} (`{mask(text)}`): anyone with the code or its "
            "history can use it. Revoke it now, then load the new one from the environment or a "
            "secret manager.",
            confidence=Confidence.HIGH if key_format.certain else Confidence.MEDIUM,
            redact=True,  # the range is the secret literal: snippets mask it
        )
        return True

    def _named(
        self, name: str | None, value_node: cst.BaseExpression, kind: SecretName | None = None
    ) -> None:
        value = literal_string(value_node)
        if name is None or value is None or id(value_node) in self.done:
            return
        if self._formats(value_node, value) or self.test_file or self._in_example():
            return
        verdict = judge_named(
            name, value, kind, self.option("entropy-threshold"), self.option("min-length")
        )
        if verdict is not None:
            message, confidence = verdict
            self.done.add(id(value_node))
            self.report(value_node, message, confidence=confidence, redact=True)

    def _in_example(self, *, assignments: bool = True) -> bool:
        """Inside API docs examples: `json_schema_extra={"examples": [{"password": "..."}]}`,
        `Body(examples=...)`, `EXAMPLE_USER = {...}` (with `assignments`)."""
        for node in reversed(self.ctx.stack):
            label: str | None = None
            if isinstance(node, cst.DictElement):
                label = literal_string(node.key)
            elif isinstance(node, cst.Arg) and node.keyword is not None:
                label = node.keyword.value
            elif isinstance(node, cst.Assign) and assignments:
                label = " ".join(target_name(t.target) or "" for t in node.targets)
            elif isinstance(node, cst.BaseStatement):
                return False
            if label and EXAMPLE_WORDS & set(name_words(label)):
                return True
        return False

    def _in_settings_class(self) -> bool:
        """A pydantic BaseSettings field: its default is an env lookup default (BR202)."""
        stack = self.ctx.stack
        owner = stack[-4] if len(stack) >= 4 else None
        if not isinstance(owner, cst.ClassDef):
            return False
        bases = [self.ctx.resolve(b.value) or "" for b in owner.bases]
        return is_settings_class(bases)

    VALID = [
        Valid(
            """
class ServerConfig:
    SECRET_KEY = os.environ["SECRET_KEY"]


class TestingConfig(ServerConfig):
    SECRET_KEY = "AAAAAAAAAAAAAAAAAAAA"  # ok: BR201 (the test suite's config: TESTING = True)
    TESTING = True
    DEBUG = True
""",
            path="app/config.py",
        ),
        Valid(
            """
CSRF_TOKEN_KEY = "csrftoken"  # ok: BR201 (the key the token is stored under)
SESSION_TOKEN_KEY = "session-token"  # ok: BR201


def lex(tokens):
    token = tokens[0]
    if token == "is":
        token = "is not"  # ok: BR201 (a parser token, not a credential)


def cors(response):
    response.headers["Access-Control-Allow-Credentials"] = "true"  # ok: BR201
    return response


LOGIN_RESPONSES = {
    200: {
        "content": {
            "application/json": {
                "example": {
                    "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiOTIyMWZm"  # ok: BR201
                    "YzktNjQwZi00MzcyLTg2ZDMtY2U2NDJjYmE1NjAzIn0.M2lUhB7bG1mEsoJ4sFDr4h8gDEBSyI5k",
                    "token_type": "bearer",
                }
            }
        }
    }
}
"""
        ),
        Valid(
            """
import os
from decouple import config

SECRET_KEY = os.environ["SECRET_KEY"]
DB_PASSWORD = os.getenv("DB_PASSWORD")
API_TOKEN = config("API_TOKEN")
password = ""
token = None
"""
        ),
        Valid(
            """
TOKEN_HEADER = "Authorization"  # ok: BR201
API_KEY_HEADER = "X-API-Key"  # ok: BR201
password_field = "password"  # ok: BR201
password_reset_url = "/reset"  # ok: BR201
token_type = "bearer"  # ok: BR201
SECRET_KEY_ENV = "DJANGO_SECRET_KEY"  # ok: BR201
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
PASSWORD_MIN_LENGTH = 12
private_key_path = "/etc/app/private.pem"  # ok: BR201
private_key = "keys/jwt-private.pem"  # ok: BR201
token_url = "https://auth.example.com/oauth/token"  # ok: BR201
password_help = "Your password must contain at least 12 characters."  # ok: BR201
cache_key = "user:profile:v2"  # ok: BR201
AUTH_TOKEN_COOKIE = "session"  # ok: BR201
SECRET_KEY = "AWS_SECRET_ACCESS_KEY"  # ok: BR201
SECRET_KEY = "aws_secret_access_key"  # ok: BR201
LABELS = {"secrets": "Secrets", "token": "Token"}  # ok: BR201
DEPENDS_ON_KEY = "r2c-internal-project-depends-on"  # ok: BR201
strategy = shared(module, key="hypothesis.strategies.random_module()")  # ok: BR201
SECRET_KEY_PATH = "secrets/django.key"  # ok: BR201


class UserIn(BaseModel):
    password: str = Field(min_length=12, examples=["correct-horse-9"])  # ok: BR201
    model_config = {
        "json_schema_extra": {"examples": [{"username": "ann", "password": "Sup3r-s3cret"}]}  # ok: BR201
    }


EXAMPLE_LOGIN = {"username": "ann", "password": "hunter22"}  # ok: BR201
PLACEHOLDER_SECRETS = {"AUTH_JWT_SECRET": "secret"}  # ok: BR201 (known placeholders, checked)
auth_failure = "NotGitHubAuthorized"  # ok: BR201 (camel-case words, not random)
SIMPLE_JWT = {
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_NAME": "HTTP_AUTHORIZATION",  # ok: BR201
    "TOKEN_TYPE_CLAIM": "token_type",  # ok: BR201
    "TOKEN_OBTAIN_SERIALIZER": "rest_framework_simplejwt.serializers.TokenObtainPairSerializer",
    "SLIDING_TOKEN_REFRESH_EXP_CLAIM": "refresh_exp",  # ok: BR201
    "REVOKE_TOKEN_CLAIM": "hash_password",  # ok: BR201
}
OAUTH = {"token_endpoint_auth_method": "client_secret_post", "password_param": "pwd"}  # ok: BR201
refresh_token_key = "refreshToken"  # ok: BR201


def lex(token, password):
    if token == "integer":  # ok: BR201
        return 1
    return password != ""
"""
        ),
        Valid(
            """
DB_PASSWORD = "changeme"  # ok: BR201
api_key = "your-api-key-here"  # ok: BR201
token = "<token>"  # ok: BR201
client_secret = "${CLIENT_SECRET}"  # ok: BR201
password = "xxxxxxxx"  # ok: BR201
secret = "TODO"  # ok: BR201
pwd = "abc"  # ok: BR201
PEM_HEADER = "-----BEGIN RSA PRIVATE KEY-----"  # ok: BR201
DOC_KEY = "AKIAIOSFODNN7EXAMPLE"  # ok: BR201
FILLER = "AKIAXXXXXXXXXXXXXXXX"  # ok: BR201
"""
        ),
        Valid(
            """
import pytest

@pytest.fixture
def user(db):
    return User.objects.create_user(username="alice", password="password123")  # ok: BR201

def test_login(client):
    SECRET_KEY = "test-secret"  # ok: BR201
    client.post("/login", data={"password": "hunter2", "token": "dummy"})  # ok: BR201
    assert login(password="fake-password")  # ok: BR201
""",
            path="tests/test_auth.py",
        ),
        Valid(
            """
SECRET_KEY = "test"  # ok: BR201
PASSWORD = "secret-for-tests"  # ok: BR201
""",
            path="project/settings/test.py",
        ),
        Valid(
            """
DATABASE_PASSWORD = "s3cret-pass"  # ok: BR201
SECRET_KEY = "put-something-long-here-0123456789"  # ok: BR201
""",
            path="config.example.py",
        ),
        Valid(
            """
from pydantic_settings import BaseSettings

class Settings(BaseSettings):
    secret_key: str = "dev-secret"  # ok: BR201
    database_password: str = "postgres"  # ok: BR201

def login(form):
    if form.password == "":
        return None
    if form.token_type == "bearer":  # ok: BR201
        return form
"""
        ),
    ]

    INVALID = [
        # a production config class that only sets DEBUG is not the test suite's
        Invalid(
            """
class ProductionConfig:
    SECRET_KEY = "AAAAAAAAAAAAAAAAAAAA"  # expect: BR201
    DEBUG = False
    TESTING = False
""",
            path="app/config.py",
        ),
        Invalid(
            """
ADMIN_PASSWORD = "admin"  # expect: BR201
db_password = "open sesame"  # expect: BR201
API_KEY = "apikey"
SECRET_KEY = "not a secret"  # expect: BR201
session_token = "csrftoken"  # expect: BR201
"""
        ),
        Invalid(
            """
import hmac
import jwt
from itsdangerous import URLSafeTimedSerializer

def issue(user_id):
    return jwt.encode({"sub": user_id}, "my-jwt-signing-secret", algorithm="HS256")  # expect: BR201

def read(token):
    return jwt.decode(token, key="changeme", algorithms=["HS256"])  # expect: BR201

serializer = URLSafeTimedSerializer("s3cr3t-salted-value")  # expect: BR201
digest = hmac.new(b"webhook-key-2024", b"body", "sha256")  # expect: BR201
SAMPLE = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"  # expect: BR201

def safe(token, key):
    jwt.decode(token, key, algorithms=["HS256"])
    jwt.encode({"a": 1}, "", algorithm="HS256")  # ok: BR201
    hmac.new(key, b"body", "sha256")
"""
        ),
        Invalid(
            """
SECRET_KEY = "django-insecure-8l#v2^k0x!z@3q$w7e(r)t1y_u9i-o4p"  # expect: BR201
DEBUG = False
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "USER": "app",
        "PASSWORD": "pr0d-Passw0rd!",  # expect: BR201
    }
}
EMAIL_HOST_PASSWORD = "mailgun-pass-2024"  # expect: BR201
""",
            path="mysite/settings.py",
        ),
        Invalid(
            """
from flask import Flask

app = Flask(__name__)
app.secret_key = "changeme"  # expect: BR201
app.config["SECRET_KEY"] = "dev"  # expect: BR201
app.config.from_mapping(SECRET_KEY="super secret key")  # expect: BR201
app.config["JWT_SECRET_KEY"] = "t0p-s3cr3t-jwt-signing-value"  # expect: BR201
app.config.update(SECRET_KEY="secret")  # expect: BR201
SECRET_KEY = "dev-secret-key"  # expect: BR201
SIGNING_KEY = b'_5#y2L"F4Q8z\\n\\xec]/'  # expect: BR201
SMTP = {"password": "Winter2024!"}  # expect: BR201
SMTP_DEMO = {"password": "my-secret-password"}  # ok: BR201
"""
        ),
        Invalid(
            """
import psycopg2
import stripe

stripe.api_key = "sk_live_4eC39HqLyjWDarjtT1zdp7dc8aB"  # expect: BR201
conn = psycopg2.connect(host="db", user="app", password="hunter2!")  # expect: BR201

def connect(user, password="admin123"):  # expect: BR201
    return psycopg2.connect(user=user, password=password)

def check(password):
    return password == "letmein!"  # expect: BR201

class Client:
    def __init__(self):
        self.apiKey = "a8f5f167f44f4964e6c998dee827110c"  # expect: BR201
        self.session_key = "k9Xz2LmQ7pR4tW8vB1nC6yH3"  # expect: BR201
        self.cache_key = "profile"  # ok: BR201
"""
        ),
        Invalid(
            """
AWS_ACCESS_KEY_ID = "AKIAZ7QH3XK2LPM4N5RT"  # expect: BR201
GITHUB = "ghp_Zx8Kq2mN4pR7tW1vB5nC9yH3jL6dF0sA2gE4"  # expect: BR201
SLACK_HOOK_TOKEN = "xoxb-2345678901-2345678901234-AbCdEfGhIjKlMnOpQrStUvWx"  # expect: BR201
headers = {"X-Goog-Api-Key": "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW"}  # expect: BR201
KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\\n"  # expect: BR201
    "MIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM2u8fAnT4yoAJFVPRiwjoSu2LhJwLr4ZBr9J1\\n"
    "-----END RSA PRIVATE KEY-----\\n"
)
message = f"token ghp_Zx8Kq2mN4pR7tW1vB5nC9yH3jL6dF0sA2gE4 for {user}"  # expect: BR201
"""
        ),
        Invalid(
            """
FAKE_AWS = "AKIAZ7QH3XK2LPM4N5RT"  # expect: BR201
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"  # ok: BR201
password = "password123"  # ok: BR201
""",
            path="tests/test_client.py",
        ),
    ]


def judge_named(
    name: str,
    value: str,
    kind: SecretName | None,
    threshold: float,
    min_length: int,
    env_hint: str = "",
) -> tuple[str, Confidence] | None:
    """Whether the literal `value` bound to `name` is a hardcoded secret: the message and the
    confidence, or None. Shared by the Python and the JavaScript/TypeScript sides of BR201."""
    kind = kind or classify_name(name)
    if kind is None:
        return None
    stripped = value.strip()
    if is_placeholder(value):
        if kind.signing and stripped:
            return (
                f"`{name}` signs sessions and tokens with the placeholder `{mask(stripped)}`: "
                "if this default reaches production anyone can forge them. Read the key from "
                "the environment and fail at start-up when it is missing.",
                Confidence.MEDIUM,
            )
        return None
    if is_not_a_secret_value(value, signing=kind.signing) or same_words(name, stripped):
        return None
    if not kind.signing and (
        names_the_key(name, stripped)
        or (not is_password_name(name) and any(c.isspace() for c in _strip_scheme(stripped)))
    ):
        return None  # `CSRF_TOKEN_KEY = "csrftoken"`; tokens and keys never hold spaces
    if not kind.signing and len(stripped) < 4:
        return None
    random = looks_random(_strip_scheme(stripped), threshold, min_length)
    if kind.weak and not random:
        return None
    insecure = stripped.startswith("django-insecure-")
    return (
        f"`{name}` is set to a hardcoded secret (`{mask(stripped)}`): it is in every copy of "
        "the code and its history. Read it from the environment or a secret manager "
        f"({env_hint or _env_hint(name)}) and rotate the exposed value.",
        Confidence.HIGH if (random or insecure) else Confidence.MEDIUM,
    )


def _env_hint(name: str) -> str:
    variable = "_".join(name_words(name)).upper()
    if not name.isidentifier() or not variable:
        return "`os.environ[...]`"
    return f'`os.environ["{variable}"]`'


def _node_env_hint(name: str) -> str:
    variable = "_".join(name_words(name)).upper()
    if not name.replace("$", "_").isidentifier() or not variable:
        return "`process.env`"
    return f"`process.env.{variable}`"


def _strip_scheme(value: str) -> str:
    lowered = value.lower()
    for scheme in _AUTH_SCHEMES:
        if lowered.startswith(scheme):
            return value[len(scheme) :]
    return value
