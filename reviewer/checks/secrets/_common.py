"""What looks like a secret: secret-like names, known key formats, entropy, placeholders, labels.

Shared by BR201 (hardcoded-secret) and BR202 (secret-default-in-env-lookup). Names are read by
words (`apiKey`, `API_KEY`, `X-API-Key` are all `api key`); values are judged by what they look
like: a header name, a URL, an env var name or a placeholder is not a secret, a key in a known
provider format always is.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import libcst as cst

from reviewer.checks.env_lookups import keyword_arg, literal_string, positional_arg


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# -- names ------------------------------------------------------------------------------------

_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

# A value bound to these is a secret whatever it looks like (unless it is a placeholder/label).
_STRONG = re.compile(
    r"(^|_)(pass|password|passwd|passphrase|passcode|pwd|secret|secrets|token|tokens|apikey|"
    r"api_key|access_key|private_key|secret_key|signing_key|encryption_key|auth_key|"
    r"client_secret|credential|credentials|creds)(_|$)"
)
# A value bound to these is a secret only when it looks random (high entropy, long enough).
_WEAK = re.compile(r"(^|_)(key|keys|salt|auth|signature|sig|hmac|dsn|license|authorization)(_|$)")
# Words saying the value is *about* a secret (its field, header, URL, length...), not the secret.
_ABOUT = _words(
    """
    field fields header headers url uri urls path paths name names type types length len min
    max prefix suffix label param params env var vars file filename files dir endpoint route
    routes regex re pattern template message msg help title placeholder column col attr
    attribute hash hashed hasher hashers expiry expires expire expiration ttl lifetime age
    algorithm algorithms alg scheme location reset forgot change id ids count timeout validator
    validators policy error errors input widget display text mode format fmt size version class
    module backend backends model serializer form view service provider kind source storage
    manager handler required enabled method methods usage index idx query arg args lookup
    strategy char chars charset alphabet audience issuer scope scopes description desc hint
    rounds iterations cost location cookie domain samesite secure httponly status state
    generator factory func fn seconds second secs sec minutes minute mins hours hour days day
    weeks ms delta duration interval limit limits retries attempts claim claims exp rule rules
    classes encoder decoder leeway
    """
)
# Names whose value signs sessions/tokens: a placeholder there is still the real key.
_SIGNING = re.compile(r"(^|_)(secret_key|signing_key|jwt_secret|jwt_secret_key|jwt_key)$")


# Labels of API docs examples and of lists of known placeholders (`PLACEHOLDER_SECRETS = {...}`,
# compared against at start-up): the values under them are samples, not credentials.
EXAMPLE_WORDS = _words("example examples sample samples demo placeholder placeholders")

_PASSWORD_WORDS = _words("pass password passwd passphrase passcode pwd")


def is_password_name(name: str) -> bool:
    """The password family only: comparisons with other names (`token == "integer"` in a parser)
    are too often not about secrets."""
    return bool(set(name_words(name)) & _PASSWORD_WORDS)


def name_words(name: str) -> list[str]:
    """`apiKey` -> [api, key]; `X-API-Key` -> [x, api, key]; `SECRET_KEY` -> [secret, key]."""
    spaced = _CAMEL.sub("_", name)
    return [w.lower() for w in _WORD_SPLIT.split(spaced) if w]


@dataclass(frozen=True)
class SecretName:
    """How a name bears on secrets: `strong` any value counts, `weak` only random-looking ones,
    `signing` placeholders count too (the app signs with whatever is there)."""

    strong: bool
    weak: bool
    signing: bool


def classify_name(name: str) -> SecretName | None:
    """None when the name is not about a secret, or is about one without holding it."""
    words = name_words(name)
    if not words:
        return None
    joined = "_".join(words)
    signing = bool(_SIGNING.search(joined))
    if not signing and any(w in _ABOUT for w in words):
        return None
    if words[0] in ("is", "has", "use", "enable", "enabled", "num", "min", "max", "should"):
        return None
    strong = signing or bool(_STRONG.search(joined)) or "apikey" in joined
    weak = not strong and bool(_WEAK.search(joined))
    if not (strong or weak):
        return None
    return SecretName(strong, weak, signing)


# -- values -----------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"^(x+|\*+|\.+|-+|_+|0+|changeme|change[-_ ]?(me|it|this)\b.*|replace[-_ ]?me\b.*|todo\b.*|"
    r"tbd|fixme|placeholder|null|none|nil|undefined|redacted|hidden|example|sample|dummy|fake|"
    r"foo|bar|baz|foobar|xxx.*|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|\$[A-Za-z_]+|%\([^)]*\)s|"
    r"\{[a-z_]*\}|%s|(your|my|insert|enter|put|add|set)[-_ ].*|.*[-_ ](here|goes[-_ ]here))$",
    re.IGNORECASE,
)
_PLACEHOLDER_MARKERS = (
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "dummy",
    "xxxx",
    "replace_me",
    "replace-me",
    "redacted",
)
_FLAGS = frozenset({"true", "false", "yes", "no", "on", "off", "enabled", "disabled"})
_ENV_VAR_NAME = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")
_DOTTED_PATH = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
_URL_OR_PATH = re.compile(r"^(/|\./|\.\./|~/|[a-z][a-z0-9+.-]*://[^:@/\s]*(/|$))", re.IGNORECASE)
_KEY_FILE = re.compile(r"\.(pem|key|crt|cer|der|p12|pfx|jks|json|ya?ml|txt|env|cfg|ini)$", re.I)
# "password", "access_token", "API key", "AWSSecretKey" / "X-API-Key", "Authorization".
_IDENTIFIER_LABEL = re.compile(r"^[A-Za-z][A-Za-z0-9_]*( [A-Za-z][A-Za-z0-9_]*)?$")
_CODE_IDENTIFIER = re.compile(r"^[a-z]+(_[a-z]+)+$|^[a-z]+([A-Z][a-z]+)+$")
_HEADER_LABEL = re.compile(r"^[A-Z][A-Za-z0-9]*(-[A-Z0-9][A-Za-z0-9]*)*$")
_SECRET_WORDS = _words(
    """
    password passwd pwd pass secret token key api apikey auth authorization bearer credential
    credentials basic digest jwt passwords secrets tokens keys
    """
)


def is_placeholder(value: str) -> bool:
    """ "changeme", "your-secret-here", "<token>", "${SECRET}", "xxx", "TODO", "" ..."""
    stripped = value.strip()
    if not stripped or _PLACEHOLDER.match(stripped):
        return True
    lowered = stripped.lower()
    return any(marker in lowered for marker in _PLACEHOLDER_MARKERS)


def is_not_a_secret_value(value: str, *, signing: bool = False) -> bool:
    """Values that say what a secret is called or where it lives: a header or field name
    ("Authorization", "X-API-Key", "password", "aws_secret_access_key"), an env var name, a
    dotted path, a URL without credentials, a file path, a sentence. For signing keys a lone
    word ("secret") is taken as the key itself, not a label."""
    stripped = value.strip()
    if _ENV_VAR_NAME.match(stripped) or _DOTTED_PATH.match(stripped):
        return True
    if stripped.lower() in _FLAGS:  # `"Access-Control-Allow-Credentials": "true"`
        return True
    if _URL_OR_PATH.match(stripped) or _KEY_FILE.search(stripped):
        return True
    if len(stripped.split()) >= 3 and not signing:  # a sentence: a label or help text
        return True
    if not signing and _CODE_IDENTIFIER.match(stripped):  # "refresh_exp", "hashPassword"
        return True
    if _IDENTIFIER_LABEL.match(stripped) or _HEADER_LABEL.match(stripped):
        words = name_words(stripped)
        # a label is made of words ("X-API-Key", "db_password"); "A000000PWDAa" has a run of
        # digits in it: random text that happens to hold "PWD"
        if (
            set(words) & _SECRET_WORDS
            and (len(words) >= 2 or not signing)
            and all(w.isalpha() for w in words)
        ):
            return True
    return False


def names_the_key(name: str, value: str) -> bool:
    """`CSRF_TOKEN_KEY = "csrftoken"`, `SESSION_TOKEN_KEY = "session-token"`: the value of a
    `..._key` name spells the name's other words, so it is the key a secret is stored under."""
    words = name_words(name)
    if len(words) < 2 or words[-1] != "key":
        return False
    spelled = "".join(_WORD_SPLIT.split(value.lower()))
    head = words[:-1]
    for start in range(len(head)):
        for end in range(start + 1, len(head) + 1):
            run = head[start:end]
            if "".join(run) == spelled and set(run) & _SECRET_WORDS:
                return True
    return False


def same_words(name: str, value: str) -> bool:
    """`"secrets": "Secrets"`, `PASSWORD = "password"`: the value is the name, not a secret."""
    return name_words(name) == name_words(value)


def shannon_entropy(value: str) -> float:
    """Bits per character: random base64 is about 5-6, hex about 4, English words below 3.5."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


_SEPARATORS = re.compile(r"[-_.:/\s]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/=]+")


_CAMEL_WORDS = re.compile(r"([A-Z][a-z]+|[a-z]+)([A-Z][a-z]+)+")


def looks_random(value: str, threshold: float, min_length: int) -> bool:
    """Long, high-entropy, no spaces, and with a run of at least 12 characters mixing letter
    cases or letters and digits: `a8f5f167f44f4964e6c9`, `sk_test_4eC39HqLyjWD`; not
    `r2c-internal-project-depends-on` or `hypothesis.strategies.random_module()`."""
    if len(value) < min_length or any(c.isspace() for c in value):
        return False
    if shannon_entropy(value) < threshold:
        return False
    for run in _SEPARATORS.split(value):
        classes = sum((any(c.islower() for c in run), any(c.isupper() for c in run)))
        classes += any(c.isdigit() for c in run)
        if len(run) >= 12 and classes >= 2 and _BASE64.fullmatch(run):
            if _CAMEL_WORDS.fullmatch(run):
                continue  # `NotGitHubAuthorized`: words in camel case, a label
            return True
    return False


def mask(value: str) -> str:
    """Never print a secret: its first 4 characters and an ellipsis (1 for short values)."""
    shown = 4 if len(value) >= 12 else 1
    return value[:shown] + "…"


# -- known formats ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFormat:
    label: str
    pattern: re.Pattern[str]
    certain: bool  # False for formats also used for test data (JWTs)


KEY_FORMATS = (
    KeyFormat("an AWS access key id", re.compile(r"\b(AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"), True),
    KeyFormat("a GitHub token", re.compile(r"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b"), True),
    KeyFormat("a GitHub token", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{60,}\b"), True),
    KeyFormat("a Slack token", re.compile(r"\bxox[baprs]-[0-9A-Za-z-]{10,}"), True),
    KeyFormat("a Stripe live key", re.compile(r"\b(sk|rk)_live_[0-9A-Za-z]{20,}"), True),
    KeyFormat("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), True),
    KeyFormat(
        "a private key",
        re.compile(
            r"-----BEGIN ((RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----"
            r"\s*(\S+:[^\n]*\n\s*)*[A-Za-z0-9+/=\s]{40,}"
        ),
        True,
    ),
    KeyFormat(
        "a JSON Web Token",
        re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}"),
        False,
    ),
)


_ANY_FORMAT = re.compile(
    r"AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|xox[baprs]-|_live_|AIza|PRIVATE KEY|eyJ"
)


def find_key_format(value: str) -> tuple[KeyFormat, str] | None:
    """The first known credential format in `value` and the matched text, skipping documented
    examples (`AKIAIOSFODNN7EXAMPLE`) and filler (`AKIAXXXXXXXXXXXXXXXX`)."""
    if len(value) < 15 or not _ANY_FORMAT.search(value):
        return None
    for key_format in KEY_FORMATS:
        for match in key_format.pattern.finditer(value):
            text = match.group(0)
            if "EXAMPLE" in text.upper() or len(set(text)) < 10:
                continue
            return key_format, text
    return None


# -- files ------------------------------------------------------------------------------------

_SAMPLE_DIRS = ("examples", "example", "samples", "docs", "doc")


def is_sample_or_test_config(relpath: str) -> bool:
    """`settings/test.py`, `config/testing.py`, `config.example.py`, `examples/app.py`: files
    whose credentials are dummies by purpose (the test folders themselves are `is_test_file`)."""
    parts = relpath.split("/")
    stem = parts[-1].removesuffix(".py").lower()
    if stem in ("test", "tests", "testing", "settings_test", "test_settings"):
        return True
    if any(marker in stem for marker in ("example", "sample")):
        return True
    return any(p.lower() in _SAMPLE_DIRS for p in parts[:-1])


# -- libcst helpers ---------------------------------------------------------------------------


def target_name(node: cst.BaseExpression) -> str | None:
    """`password`, `app.secret_key` -> `secret_key`, `app.config["SECRET_KEY"]` -> `SECRET_KEY`."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        if isinstance(index, cst.Index):
            return literal_string(index.value)
    return None


def is_settings_class(bases: list[str]) -> bool:
    """pydantic `BaseSettings` (v1) / pydantic-settings: fields are read from the environment."""
    return any(b.endswith("BaseSettings") for b in bases)


# -- calls that take a signing key ------------------------------------------------------------

SIGNING_KEY = SecretName(strong=True, weak=False, signing=True)
# qualified callee -> (position of the key argument, its keyword name)
_KEY_ARGUMENTS = {
    "jwt.encode": (1, "key"),
    "jwt.decode": (1, "key"),
    "jose.jwt.encode": (1, "key"),
    "jose.jwt.decode": (1, "key"),
    "hmac.new": (0, "key"),
    "hmac.digest": (0, "key"),
    "itsdangerous.URLSafeTimedSerializer": (0, "secret_key"),
    "itsdangerous.URLSafeSerializer": (0, "secret_key"),
    "itsdangerous.TimestampSigner": (0, "secret_key"),
    "itsdangerous.Signer": (0, "secret_key"),
    "itsdangerous.Serializer": (0, "secret_key"),
}


def signing_key_argument(
    call: cst.Call, qualified: str | None
) -> tuple[str, cst.BaseExpression] | None:
    """The key passed to a signing call (`jwt.encode(payload, KEY)`, `hmac.new(KEY, ...)`,
    itsdangerous serializers), with a label naming it."""
    spec = _KEY_ARGUMENTS.get(qualified or "")
    if spec is None:
        return None
    index, keyword = spec
    value = keyword_arg(call, keyword) or positional_arg(call, index)
    if value is None:
        return None
    return f"{qualified}() {keyword}", value


# -- environment lookups ----------------------------------------------------------------------
