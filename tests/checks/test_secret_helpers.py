"""The secret helpers shared by BR201/BR202, BR201 lining up with bandit, and secrets never
appearing in a message."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reviewer.checks.base import Case
from reviewer.checks.env_lookups import env_lookup
from reviewer.checks.secrets._common import (
    classify_name,
    find_key_format,
    is_not_a_secret_value,
    is_placeholder,
    literal_string,
    looks_random,
    mask,
    shannon_entropy,
)
from reviewer.checks.secrets.hardcoded_secret import HardcodedSecret
from reviewer.checks.secrets.secret_default_in_env_lookup import SecretDefaultInEnvLookup
from reviewer.testing import run_rule_on_case

from ._support import bandit_lines, first_call


@pytest.mark.parametrize(
    ("name", "strong", "weak", "signing"),
    [
        ("password", True, False, False),
        ("DB_PASSWORD", True, False, False),
        ("apiKey", True, False, False),
        ("X-API-Key", True, False, False),
        ("client_secret", True, False, False),
        ("SECRET_KEY", True, False, True),
        ("JWT_SECRET", True, False, True),
        ("secret_key", True, False, True),
        ("auth_token", True, False, False),
        ("stripe_key", False, True, False),
        ("salt", False, True, False),
    ],
)
def test_secret_names(name: str, strong: bool, weak: bool, signing: bool) -> None:
    kind = classify_name(name)
    assert kind is not None
    assert (kind.strong, kind.weak, kind.signing) == (strong, weak, signing)


@pytest.mark.parametrize(
    "name",
    [
        "password_field",
        "TOKEN_HEADER",
        "password_reset_url",
        "token_type",
        "PASSWORD_MIN_LENGTH",
        "SECRET_KEY_FILE",
        "is_password",
        "username",
        "bypass",
        "monkey",
        "tokenizer",
    ],
)
def test_not_secret_names(name: str) -> None:
    assert classify_name(name) is None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "  ",
        "changeme",
        "CHANGE_ME",
        "your-secret-here",
        "<token>",
        "${SECRET}",
        "xxx",
        "TODO: set me",
        "replace-me",
        "dummy",
        "example-key",
        "****",
    ],
)
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["hunter2!", "s3cr3t", "dev", "Winter2024!", "secret"])
def test_not_placeholders(value: str) -> None:
    assert not is_placeholder(value)


@pytest.mark.parametrize(
    "value",
    [
        "Authorization",
        "X-API-Key",
        "password",
        "access_token",
        "MY_API_KEY",
        "/reset",
        "https://auth.example.com/token",
        "keys/private.pem",
        "app.auth.TokenBackend",
        "Enter your password here please",
    ],
)
def test_values_that_name_a_secret(value: str) -> None:
    assert is_not_a_secret_value(value)


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("AKIAZ7QH3XK2LPM4N5RT", "an AWS access key id"),
        ("token=ghp_Zx8Kq2mN4pR7tW1vB5nC9yH3jL6dF0sA2gE4", "a GitHub token"),
        ("xoxb-2345678901-2345678901234-AbCdEfGhIjKlMnOp", "a Slack token"),
        ("sk_live_4eC39HqLyjWDarjtT1zdp7dc8aB", "a Stripe live key"),
        ("AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW", "a Google API key"),
    ],
)
def test_key_formats(value: str, label: str) -> None:
    found = find_key_format(value)
    assert found is not None and found[0].label == label


@pytest.mark.parametrize(
    "value",
    [
        "AKIAIOSFODNN7EXAMPLE",
        "AKIAXXXXXXXXXXXXXXXX",
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "-----BEGIN RSA PRIVATE KEY-----",
        "ghp_short",
        "eyJhbGciOiJIUzI1NiJ9",
    ],
)
def test_not_key_formats(value: str) -> None:
    assert find_key_format(value) is None


def test_entropy_and_randomness() -> None:
    assert shannon_entropy("aaaa") == 0
    assert shannon_entropy("abcd") == 2
    assert looks_random("a8f5f167f44f4964e6c998dee827110c", 3.5, 16)
    assert looks_random("sk_test_4eC39HqLyjWDarjtT1zdp7dc", 3.5, 16)
    assert not looks_random("r2c-internal-project-depends-on", 3.5, 16)
    assert not looks_random("short1A", 3.5, 16)
    assert not looks_random("correct horse battery staple", 3.5, 16)


@given(st.text(min_size=0, max_size=80))
def test_mask_shows_at_most_four_characters(value: str) -> None:
    masked = mask(value)
    assert masked.endswith("…")
    assert len(masked) - 1 <= min(4, len(value))
    assert value.startswith(masked[:-1])


@settings(max_examples=25, deadline=None)
@given(
    st.text(alphabet=string.ascii_letters + string.digits, min_size=12, max_size=40).filter(
        lambda s: any(c.isdigit() for c in s) and any(c.isalpha() for c in s)
    ),
    st.sampled_from(["password", "API_TOKEN", "client_secret", "SECRET_KEY"]),
)
@example("A000000PWDAa", "password")  # once read as a label for holding "PWD"
def test_messages_never_print_the_secret(secret: str, name: str) -> None:
    code = f'{name} = "{secret}"\nvalue = os.getenv("{name}", "{secret}")\n'
    findings = [
        *run_rule_on_case(HardcodedSecret, Case(code)),
        *run_rule_on_case(SecretDefaultInEnvLookup, Case(code)),
    ]
    assert {f.code for f in findings} >= {"BR201", "BR202"} or is_placeholder(secret)
    for finding in findings:
        assert secret not in finding.message
        assert secret[4:] not in finding.message


@pytest.mark.parametrize(
    ("source", "variable", "default"),
    [
        ('import os\nos.environ.get("A", "x")', "A", '"x"'),
        ('import os\nos.getenv("A", default="x")', "A", '"x"'),
        ('from os import environ\nenviron.setdefault("A", "x")', "A", '"x"'),
        ('from decouple import config\nconfig("A", "x")', "A", '"x"'),
        ('config("A", cast=str, default="x")', "A", '"x"'),
        ('config("A", str)', "A", None),
        ('env.str("A", "x")', "A", '"x"'),
        ('env("A", default="x")', "A", '"x"'),
        ('import os\nos.getenv("A")', "A", None),
        ('app.config.get("A", "x")', "A", '"x"'),
        ('settings.get("A", default="x")', "A", '"x"'),
        ('getattr(settings, "A", "x")', "A", '"x"'),
    ],
)
def test_env_lookups(source: str, variable: str, default: str | None) -> None:
    ctx, call = first_call(source)
    lookup = env_lookup(call, ctx.call_name(call))
    assert lookup is not None and lookup.variable == variable
    shown = None if lookup.default is None else ctx.module.code_for_node(lookup.default)
    assert shown == default


@pytest.mark.parametrize(
    "source",
    [
        'requests.get("A", "x")',
        "os.getenv(name, 'x')",
        'getattr(user, "token", "x")',
        'cache.get("A", "x")',
    ],
)
def test_not_env_lookups(source: str) -> None:
    ctx, call = first_call(source)
    assert env_lookup(call, ctx.call_name(call)) is None


ALIGNED = """\
import psycopg2

SECRET_KEY = "k2#x9v$3m!q8w@z1-prod"
conn = psycopg2.connect(host="db", user="app", password="hunter2!")


def connect(user, password="admin123"):
    return psycopg2.connect(user=user, password=password)


def check(password):
    return password == "letmein!"
"""


def test_br201_reports_where_bandit_does(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_text(ALIGNED)
    native = {f.location.line for f in run_rule_on_case(HardcodedSecret, Case(ALIGNED))}
    assert native == {3, 4, 7, 12}
    assert native == bandit_lines(path, "B105,B106,B107")


def test_findings_point_at_the_literal_and_ask_for_redaction() -> None:
    """Reporters mask the location's range in code frames: it must be exactly the literal."""
    code = 'API_TOKEN = "k9Xz2LmQ7pR4tW8vB1nC6yH3"\nKEY = os.getenv("DB_PASSWORD", "pg-pass-1")\n'
    findings = [
        *run_rule_on_case(HardcodedSecret, Case(code)),
        *run_rule_on_case(SecretDefaultInEnvLookup, Case(code)),
    ]
    assert sorted(f.code for f in findings) == ["BR201", "BR202"]
    lines = code.splitlines()
    for finding in findings:
        loc = finding.location
        assert finding.redact
        spanned = lines[loc.line - 1][loc.column - 1 : loc.end_column - 1]
        assert spanned in ('"k9Xz2LmQ7pR4tW8vB1nC6yH3"', '"pg-pass-1"')


@pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")
@pytest.mark.parametrize("prefix", ["", "r", "b", "rb", "Br", "u", "R"])
@pytest.mark.parametrize("quote", ["'", '"', "'''", '"""'])
@given(body=st.text(alphabet=string.ascii_letters + " \\\"'\t#$é", max_size=12))
@settings(max_examples=40, deadline=None)
def test_literal_string_matches_python(prefix: str, quote: str, body: str) -> None:
    """The escape-free fast path gives what Python itself makes of the literal."""
    import ast

    import libcst as cst

    source = f"{prefix}{quote}{body}{quote}"
    try:
        expected = ast.literal_eval(source)
        node = cst.parse_expression(source)
    except (SyntaxError, ValueError, cst.ParserSyntaxError):
        return
    if isinstance(expected, bytes):
        expected = expected.decode("latin-1")
    assert literal_string(node) == expected
