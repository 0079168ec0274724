"""Capability credentials: a route a caller reaches by holding a secret value instead of a session.

Issue 13 item 3: "Recognise other ways a route authenticates: API keys, HMAC or webhook signature
checks, signed tokens, capability URLs (an unguessable key in the path that the handler looks
up); they are not 'no auth' and not IDOR." A check counts only by what the handler does with the
value, never by a view's name:

- a signed token: the body verifies a signature and answers (returns or raises) when it is
  bad: `except BadSignature:` around `signing.loads()` / `TimestampSigner().unsign()`
  (https://docs.djangoproject.com/en/5.2/topics/signing/#verifying-timestamped-values), or
  itsdangerous' `BadSignature`/`BadData`
  (https://itsdangerous.palletsprojects.com/en/stable/exceptions/). Making a token
  (`signing.dumps`) checks nothing;
- an HMAC compared with what the client sent: `if not hmac.compare_digest(...)` or a project
  helper that computes an HMAC (`hmac.new`, `django.core.signing.base64_hmac`, `salted_hmac`)
  and compares it, in the test of an `if` that refuses (401/403/404);
- a shared secret: the test of a refusing `if` compares a value with a secret-named setting or
  constant (`if key != settings.METRICS_KEY: return HttpResponseForbidden()`);
- an unguessable key in the URL: the path parameter is a UUID (`<uuid:code>`, `code: UUID`) or a
  key/token/secret, the handler looks the object up by it and a miss answers
  (`get_object_or_404(Check, code=code)`, https://docs.djangoproject.com/en/5.2/topics/http/
  shortcuts/#get-object-or-404, or `.get()` in a `try` whose `except DoesNotExist:` returns).
  A lookup by `<int:pk>` is guessable; a `.filter()` finds nothing without failing. On a route
  that also requires a session the key is only an identifier and BR302 still asks for an
  ownership check.

A check inside a branch that reads the request (`if qs := request.META["QUERY_STRING"]:`) is
optional: a caller who leaves the value out skips it, so it does not count.
"""

from __future__ import annotations

import re
from typing import Any

import libcst as cst

from reviewer.context import FileContext
from reviewer.framework.body import answers_with
from reviewer.framework.index import Def, Index
from reviewer.framework.values import code_of, qualify, tail
from reviewer.imports import dotted_name
from reviewer.service import AUTHENTICATION, Guard
from reviewer.walk import walk

SIGNATURE_ERRORS = frozenset(
    {"BadSignature", "SignatureExpired", "BadData", "BadTimeSignature", "BadPayload"}
)
SIGNING_MODULES = ("django.core.signing.", "itsdangerous.")
MISSING_ERRORS = re.compile(r"(^|\.)(DoesNotExist|ObjectDoesNotExist|NoResultFound)$")
# lookups that answer 404 themselves when nothing matches
FAILING_LOADS = frozenset(
    {"get_object_or_404", "aget_object_or_404", "get_or_404", "first_or_404", "one_or_404"}
)
COMPARE_FUNCS = frozenset(
    {
        "hmac.compare_digest",
        "secrets.compare_digest",
        "django.utils.crypto.constant_time_compare",
    }
)
HMAC_FUNCS = COMPARE_FUNCS | frozenset(
    {
        "hmac.new",
        "hmac.digest",
        "hmac.HMAC",
        "django.core.signing.base64_hmac",
        "django.utils.crypto.salted_hmac",
    }
)
# a setting or constant holding a secret: `settings.METRICS_KEY`, `API_TOKEN`, `WEBHOOK_SECRET`
SECRET_NAME = re.compile(r"(^|_)(SECRET|KEY|TOKEN|PASSWORD|PASSPHRASE)S?$")
# a path parameter or model field whose value is a random key
KEY_NAME = re.compile(r"(^|_)(key|token|secret|uuid|nonce)$", re.I)
UUID_CONVERTER = re.compile(r"<uuid:(\w+)>")
# what a refusing branch answers with
_REFUSAL = re.compile(
    r"Forbidden|Unauthorized|NotFound|PermissionDenied|Http404|NotAuthenticated|"
    r"AuthenticationFailed|\b40[134]\b|HTTP_40[134]"
)


def _answers(block: cst.CSTNode) -> bool:
    """The block ends the request: some `return` or `raise` in it."""
    return any(type(n) in (cst.Return, cst.Raise) for n in walk(block))


def _refuses(block: cst.CSTNode) -> bool:
    """The block answers with a 401/403/404 response or exception."""
    return answers_with(block, _REFUSAL)


def optional(stack: list[cst.CSTNode], requests: frozenset[str]) -> bool:
    """The node at the top of `stack` runs only in a branch whose test reads the request."""
    for position in range(len(stack) - 2, -1, -1):
        node = stack[position]
        if type(node) is cst.FunctionDef or type(node) is cst.Lambda:
            return False
        if (
            isinstance(node, cst.If | cst.While | cst.IfExp)
            and stack[position + 1] is not node.test
        ):
            names = {n.value for n in walk(node.test) if type(n) is cst.Name}
            if names & requests:
                return True
    return False


def _caught(handler: cst.ExceptHandler, ctx: FileContext) -> list[str]:
    if handler.type is None:
        return []
    items = handler.type.elements if isinstance(handler.type, cst.Tuple) else None
    exprs = [e.value for e in items] if items is not None else [handler.type]
    return [qualify(e, ctx.imports) or dotted_name(e) or "" for e in exprs]


def except_facts(
    handler: cst.ExceptHandler, ctx: FileContext, record: dict[str, Any], requests: frozenset[str]
) -> None:
    """An `except` clause that answers: a bad signature refused, or a lookup's miss refused."""
    if not _answers(handler) or optional(ctx.stack, requests):
        return
    caught = _caught(handler, ctx)
    signed = [c for c in caught if tail(c) in SIGNATURE_ERRORS and c.startswith(SIGNING_MODULES)]
    if signed:
        record.setdefault("capability", []).append(["signed", f"signed token ({tail(signed[0])})"])
    if not any(MISSING_ERRORS.search(c) for c in caught):
        return
    tried = next((n for n in reversed(ctx.stack) if type(n) is cst.Try), None)
    if tried is None:
        return
    for node in walk(tried.body):
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in ("get", "aget")
        ):
            _key_lookup(node, record)


def call_facts(
    call: cst.Call, name: str, ctx: FileContext, record: dict[str, Any], requests: frozenset[str]
) -> None:
    """A lookup that 404s by itself; an HMAC computed or compared in the body."""
    if tail(name) in FAILING_LOADS and not optional(ctx.stack, requests):
        _key_lookup(call, record)
    if name in HMAC_FUNCS:
        record.setdefault("hmac", []).append(name)


def _key_lookup(call: cst.Call, record: dict[str, Any]) -> None:
    fields = {
        a.keyword.value: a.value.value
        for a in call.args
        if a.keyword is not None and type(a.value) is cst.Name
    }
    if fields:
        record.setdefault("key_lookups", []).append([fields, code_of(call)[:120]])


def if_facts(
    node: cst.If, ctx: FileContext, record: dict[str, Any], requests: frozenset[str]
) -> None:
    """A refusing `if`: the calls in its test (a signature helper), a compare with a secret."""
    if not _refuses(node.body) or optional(ctx.stack, requests):
        return
    for sub in walk(node.test):
        if type(sub) is cst.Call:
            called = qualify(sub.func, ctx.imports)
            if called:
                record.setdefault("refusing_calls", []).append(called)
        elif type(sub) is cst.Comparison:
            secret = _secret_side(sub)
            if secret:
                record.setdefault("capability", []).append(["secret", f"{secret} compared"])


def _secret_side(node: cst.Comparison) -> str:
    if not any(isinstance(c.operator, cst.Equal | cst.NotEqual) for c in node.comparisons):
        return ""
    sides = [node.left, *(c.comparator for c in node.comparisons)]
    secret = ""
    for side in sides:
        if isinstance(side, cst.Name | cst.Attribute):
            last = (dotted_name(side) or "").rsplit(".", 1)[-1]
            if SECRET_NAME.search(last):
                secret = secret or last
    others = [s for s in sides if (dotted_name(s) or "").rsplit(".", 1)[-1] != secret]
    # a secret compared with a literal is a configuration test, not a credential check
    if secret and others and not any(_literal(s) for s in others):
        return secret
    return ""


def _literal(expr: cst.BaseExpression) -> bool:
    return isinstance(
        expr, cst.SimpleString | cst.Integer | cst.ConcatenatedString | cst.FormattedString
    ) or code_of(expr) in ("None", "True", "False", '""', "''")


def returns_compare(node: cst.Return) -> bool:
    return isinstance(node.value, cst.Comparison)


def _verifies_hmac(index: Index, func: Def) -> bool:
    """A project helper that computes an HMAC and compares it with what it was given."""
    record = func.record
    used = set(record.get("hmac", []))
    return bool(used) and bool(used & COMPARE_FUNCS or record.get("returns_compare"))


def capability_guards(
    index: Index, func: Def, path: str, in_path: frozenset[str], session: bool
) -> list[Guard]:
    """The capability guards of a handler; `session`: the route already requires a user."""
    record = func.record
    where = (func.file, record["line"])
    found: list[Guard] = []
    for kind, what in record.get("capability", []):
        found.append(Guard(f"capability: {what}", AUTHENTICATION, "route", *where, kind))
    for called in dict.fromkeys(record.get("refusing_calls", [])):
        helper = index.function(called)
        if called in COMPARE_FUNCS or (helper is not None and _verifies_hmac(index, helper)):
            found.append(
                Guard(f"capability: HMAC ({tail(called)})", AUTHENTICATION, "route", *where, "hmac")
            )
    if session:
        return found
    annotations = {p["name"]: p["ann_text"] for p in record["params"]}
    uuids = set(UUID_CONVERTER.findall(path))
    for fields, _text in record.get("key_lookups", []):
        for field, name in fields.items():
            if name not in in_path:
                continue
            unguessable = (
                name in uuids
                or tail(annotations.get(name, "")) == "UUID"
                or KEY_NAME.search(field.rsplit("__", 1)[-1])
                or KEY_NAME.search(name)
            )
            if unguessable:
                shown = f"capability: key in the path ({name})"
                found.append(Guard(shown, AUTHENTICATION, "route", *where, "key"))
                break
    return list(dict.fromkeys(found))
