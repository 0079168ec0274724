"""BR204 jwt-verification-disabled: a JWT decoded without its signature, algorithm or claims checked.

Native (it was a semgrep rule): it needs the enclosing function's assignments to see an
`options` dict or an algorithm list taken from the token's own header, and the test-path skip.
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.model import Confidence, Severity

# PyJWT (`import jwt`) and python-jose (`from jose import jwt`) decoders. PyJWT 2 raises when
# `algorithms` is missing and the signature is verified; python-jose accepts any algorithm the
# token header names when `algorithms` is None (jose/jws.py `_verify_signature`).
_PYJWT = frozenset(
    {"jwt.decode", "jwt.decode_complete", "jwt.api_jwt.decode", "jwt.api_jwt.decode_complete"}
)
_JOSE = frozenset({"jose.jwt.decode"})
_UNVERIFIED_HEADER = frozenset({"jwt.get_unverified_header", "jose.jwt.get_unverified_header"})
_CLAIM_CHECKS = {"verify_exp": "expiry (`exp`)", "verify_aud": "audience (`aud`)"}


def _literal_str(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _is_false(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"


def _keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _false_keys(node: cst.BaseExpression) -> set[str]:
    """Keys a literal dict (`{...}` or `dict(k=False)`) sets to the literal False."""
    keys: set[str] = set()
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement) and _is_false(element.value):
                key = _literal_str(element.key)
                if key:
                    keys.add(key)
    elif isinstance(node, cst.Call) and m.matches(node.func, m.Name("dict")):
        keys = {a.keyword.value for a in node.args if a.keyword and _is_false(a.value)}
    return keys


def _assigned(scope: cst.CSTNode, name: str) -> list[cst.BaseExpression]:
    """Values bound to `name` by plain assignments anywhere in `scope`."""
    values: list[cst.BaseExpression] = []
    for assign in m.findall(scope, m.Assign()):
        assert isinstance(assign, cst.Assign)
        for target in assign.targets:
            if isinstance(target.target, cst.Name) and target.target.value == name:
                values.append(assign.value)
    for ann in m.findall(scope, m.AnnAssign(target=m.Name(name))):
        assert isinstance(ann, cst.AnnAssign)
        if ann.value is not None:
            values.append(ann.value)
    return values


class JwtVerificationDisabled(Rule):
    """A JSON Web Token is decoded without checking its signature, algorithm, expiry or audience.

    ## What it does
    Looks at PyJWT (`jwt.decode`, `jwt.decode_complete`) and python-jose (`jose.jwt.decode`)
    calls and reports:
    - signature verification turned off: `options={"verify_signature": False}` (also through a
      variable or `dict(...)`), PyJWT 1.x `verify=False` (critical, CWE-347);
    - the `none` algorithm accepted (`algorithms=["none"]`), or the allowed algorithms taken
      from the token's own header (`jwt.get_unverified_header(token)["alg"]`) (critical);
    - python-jose decoding without `algorithms`: jose then accepts whatever algorithm the token
      header names (medium: exploitable where jose reads the key under another algorithm,
      as in CVE-2024-33663). PyJWT 2 refuses to verify without `algorithms`, so a missing list
      there fails closed and is not reported;
    - expiry or audience checks turned off (`verify_exp` / `verify_aud` False) (medium,
      CWE-345).
    A flag given as an expression (`verify=settings.VERIFY`) is the author's decision and
    passes. `get_unverified_header` used to pick the key (`kid`) with a pinned `algorithms`
    list passes. Test modules are not reviewed.

    ## Why is this bad
    A JWT is only as trustworthy as its signature. Without verification the claims (`sub`,
    `role`, `exp`) are whatever the caller wrote: anyone logs in as anyone. Accepting `none`
    or the header's `alg` lets the attacker strip the signature or pick an algorithm that
    reads the public key as an HMAC secret (RFC 8725 §2.1). Without the expiry check a
    stolen or revoked token works forever; without the audience check a token minted for
    another service is accepted here.

    ## Example
    ```python
    import jwt

    def current_user(token: str) -> str:
        alg = jwt.get_unverified_header(token)["alg"]
        claims = jwt.decode(token, PUBLIC_KEY, algorithms=[alg])
        return claims["sub"]
    ```

    ## Use instead
    ```python
    import jwt

    def current_user(token: str) -> str:
        claims = jwt.decode(token, PUBLIC_KEY, algorithms=["RS256"], audience="api")
        return claims["sub"]
    ```
    To pick a key by `kid`, read `jwt.get_unverified_header(token)["kid"]` and still pass a
    fixed `algorithms` list.

    ## References
    - [CWE-347: Improper Verification of Cryptographic Signature](https://cwe.mitre.org/data/definitions/347.html)
    - [CWE-345: Insufficient Verification of Data Authenticity](https://cwe.mitre.org/data/definitions/345.html)
    - [PyJWT API: `jwt.decode` (algorithms must not come from the token)](https://pyjwt.readthedocs.io/en/latest/api.html)
    - [PyJWT usage: reading the claimset without validation](https://pyjwt.readthedocs.io/en/stable/usage.html#reading-the-claimset-without-validation)
    - [python-jose: `jose.jwt.decode` options and algorithms](https://python-jose.readthedocs.io/en/latest/jwt/api.html)
    - [python-jose #346: algorithm confusion when `algorithms` is left out (CVE-2024-33663)](https://github.com/mpdavis/python-jose/issues/346)
    - [RFC 8725 §2.1: algorithm verification](https://www.rfc-editor.org/rfc/rfc8725.html#section-2.1)
    """

    code = "BR204"
    name = "jwt-verification-disabled"
    item = "secrets"
    severity = Severity.CRITICAL
    confidence = Confidence.HIGH
    summary = "A JSON Web Token is decoded without verifying its signature, algorithm or claims"
    cwe = (347, 345)

    def visit_Call(self, node: cst.Call) -> None:
        if self.ctx.is_test_file:
            return
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in (
            "decode",
            "decode_complete",
        ):
            return
        head = func
        while isinstance(head.value, cst.Attribute):
            head = head.value
        if not isinstance(head.value, cst.Name) or head.value.value not in self.ctx.imports.names:
            return  # `jwt` must be imported, not a local object that happens to be called so
        qualified = self.ctx.call_name(node)
        if qualified not in _PYJWT and qualified not in _JOSE:
            return
        scope: cst.CSTNode = self.ctx.enclosing_function() or self.ctx.module
        problems: list[tuple[Severity, int, str]] = []
        false_options = self._false_options(node, scope)
        verify = _keyword(node, "verify")
        if "verify_signature" in false_options or (
            qualified in _PYJWT and verify is not None and _is_false(verify)
        ):
            problems.append(
                (Severity.CRITICAL, 347, "signature verification is off: anyone can forge it")
            )
        algorithms = _keyword(node, "algorithms")
        if algorithms is None and len(node.args) >= 3 and node.args[2].keyword is None:
            algorithms = node.args[2].value
        if algorithms is not None:
            if self._accepts_none(algorithms, scope):
                problems.append((Severity.CRITICAL, 347, 'the "none" algorithm is accepted'))
            elif self._from_header(algorithms, scope):
                problems.append(
                    (
                        Severity.CRITICAL,
                        347,
                        "the allowed algorithm is read from the token's own header, so the "
                        "attacker chooses it",
                    )
                )
        elif qualified in _JOSE and "verify_signature" not in false_options:
            problems.append(
                (
                    Severity.MEDIUM,
                    347,
                    "no `algorithms` list: python-jose accepts any algorithm the token header "
                    "names",
                )
            )
        for key, words in _CLAIM_CHECKS.items():
            if key in false_options and "verify_signature" not in false_options:
                problems.append((Severity.MEDIUM, 345, f"the {words} check is off"))
        if not problems:
            return
        severity = min((p[0] for p in problems), key=_order)
        cwes = ", ".join(f"CWE-{c}" for c in sorted({p[1] for p in problems}))
        reasons = "; ".join(p[2] for p in problems)
        self.report(
            node,
            f"JWT decoded unsafely: {reasons}; pass the key, a fixed `algorithms` list "
            f"(e.g. ['RS256']) and leave the verify_* options on ({cwes})",
            severity=severity,
        )

    def _false_options(self, call: cst.Call, scope: cst.CSTNode) -> set[str]:
        options = _keyword(call, "options")
        if options is None:
            return set()
        if isinstance(options, cst.Name):
            keys: set[str] = set()
            for value in _assigned(scope, options.value):
                keys |= _false_keys(value)
            return keys
        return _false_keys(options)

    def _accepts_none(self, algorithms: cst.BaseExpression, scope: cst.CSTNode) -> bool:
        values: list[cst.BaseExpression] = [algorithms]
        if isinstance(algorithms, cst.Name):
            values += _assigned(scope, algorithms.value)
        for value in values:
            if (_literal_str(value) or "").lower() == "none":
                return True
            if isinstance(value, cst.List | cst.Tuple | cst.Set):
                for element in value.elements:
                    if (_literal_str(element.value) or "").lower() == "none":
                        return True
        return False

    def _from_header(self, algorithms: cst.BaseExpression, scope: cst.CSTNode) -> bool:
        """`algorithms` reads the `alg` of a header `get_unverified_header` returned."""
        headers = {
            name
            for name in self._names_bound(scope)
            if any(self._is_header_call(v) for v in _assigned(scope, name))
        }
        alg_names = {
            name
            for name in self._names_bound(scope)
            if any(self._reads_alg(v, headers) for v in _assigned(scope, name))
        }
        for expr in [algorithms, *m.findall(algorithms, m.Name() | m.Subscript() | m.Call())]:
            if isinstance(expr, cst.BaseExpression) and self._reads_alg(expr, headers):
                return True
            if isinstance(expr, cst.Name) and expr.value in alg_names:
                return True
        return False

    def _names_bound(self, scope: cst.CSTNode) -> set[str]:
        names: set[str] = set()
        for assign in m.findall(scope, m.Assign()):
            assert isinstance(assign, cst.Assign)
            names |= {t.target.value for t in assign.targets if isinstance(t.target, cst.Name)}
        return names

    def _is_header_call(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Call) and self.ctx.call_name(node) in _UNVERIFIED_HEADER

    def _reads_alg(self, node: cst.BaseExpression, headers: set[str]) -> bool:
        """`H["alg"]` or `H.get("alg")` where H is an unverified header (a name or the call)."""
        base: cst.BaseExpression | None = None
        if isinstance(node, cst.Subscript) and len(node.slice) == 1:
            index = node.slice[0].slice
            if isinstance(index, cst.Index) and _literal_str(index.value) == "alg":
                base = node.value
        elif (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "get"
            and node.args
            and _literal_str(node.args[0].value) == "alg"
        ):
            base = node.func.value
        if base is None:
            return False
        return self._is_header_call(base) or (isinstance(base, cst.Name) and base.value in headers)

    INVALID = [
        Invalid(
            """
import jwt

SECRET = load_key()

def unverified(token):
    return jwt.decode(token, options={"verify_signature": False})  # expect: BR204

def unverified_but_only_logged(token):
    log.info("token for %s", jwt.decode(token, options={"verify_signature": False})["sub"])  # expect: BR204

def pyjwt_one(token):
    return jwt.decode(token, SECRET, verify=False)  # expect: BR204

def complete(token):
    return jwt.decode_complete(token, SECRET, algorithms=["HS256"], options=dict(verify_signature=False))  # expect: BR204

def options_in_variable(token):
    opts = {"verify_signature": False, "verify_exp": True}
    return jwt.decode(token, SECRET, algorithms=["HS256"], options=opts)  # expect: BR204

def accepts_none(token):
    return jwt.decode(token, SECRET, algorithms=["HS256", "none"])  # expect: BR204

def alg_from_header(token):
    header = jwt.get_unverified_header(token)
    return jwt.decode(token, PUBLIC_KEY, algorithms=[header["alg"]])  # expect: BR204

def alg_from_header_inline(token):
    return jwt.decode(token, PUBLIC_KEY, algorithms=jwt.get_unverified_header(token)["alg"])  # expect: BR204

def alg_through_name(token):
    alg = jwt.get_unverified_header(token).get("alg")
    return jwt.decode(token, PUBLIC_KEY, algorithms=[alg])  # expect: BR204

def no_expiry(token):
    return jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})  # expect: BR204

def no_audience(token):
    return jwt.decode(token, SECRET, algorithms=["RS256"], options={"verify_aud": False})  # expect: BR204
"""
        ),
        Invalid(
            """
from jose import jwt

def jose_unverified(token):
    return jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_signature": False})  # expect: BR204

def jose_any_algorithm(token):
    return jwt.decode(token, SECRET)  # expect: BR204

def jose_no_expiry(token):
    return jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})  # expect: BR204
""",
            path="auth/tokens.py",
        ),
    ]
    VALID = [
        Valid(
            """
import jwt
from jose import jwt as jose_jwt

def verified(token):
    return jwt.decode(token, SECRET, algorithms=["HS256"])  # ok: BR204

def verified_explicitly(token):
    return jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_signature": True})  # ok: BR204

def pyjwt2_without_algorithms(token):
    return jwt.decode(token, SECRET)  # ok: BR204

def key_by_kid(token):
    kid = jwt.get_unverified_header(token)["kid"]
    return jwt.decode(token, KEYS[kid], algorithms=["RS256"], audience="api")  # ok: BR204

def header_dict_for_kid(token):
    header = jwt.get_unverified_header(token)
    return jwt.decode(token, KEYS[header["kid"]], algorithms=ALLOWED)  # ok: BR204

def verify_from_setting(token, verify=True):
    return jwt.decode(token, SECRET, algorithms=[ALG], options={"verify_signature": verify})  # ok: BR204

def other_option_off(token):
    return jose_jwt.decode(token, SECRET, algorithms=["RS256"], options={"verify_at_hash": False})  # ok: BR204

def jose_verified(token):
    return jose_jwt.decode(token, SECRET, algorithms=["HS256"])  # ok: BR204

def other_decode(data: bytes):
    return data.decode("utf-8", errors="strict")  # ok: BR204
"""
        ),
        Valid(
            """
class Codec:
    def decode(self, token, verify=False):
        return token

jwt = Codec()

def local_object(token):
    return jwt.decode(token, verify=False)  # ok: BR204
"""
        ),
        Valid(
            """
import jwt

def test_reads_claims(token):
    claims = jwt.decode(token, options={"verify_signature": False})  # ok: BR204
    assert claims["sub"] == "alice"
""",
            path="tests/test_auth.py",
        ),
    ]


def _order(severity: Severity) -> int:
    """Sort key: the worst severity first."""
    return [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO].index(
        severity
    )
