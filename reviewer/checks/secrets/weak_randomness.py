"""BR207 weak-randomness: the `random` module used for tokens, passwords and other secrets."""

from __future__ import annotations

from reviewer.checks._taint import TaintRule
from reviewer.checks.base import Invalid, Valid
from reviewer.model import Confidence, Severity
from reviewer.taint import Flow


class WeakRandomness(TaintRule):
    """Output of `random` (a non-cryptographic generator) becomes a security value.

    ## What it does
    Follows values from `random.random/randint/choice/choices/sample/getrandbits/...` and
    `uuid.uuid1()` through string building to names, keys, keyword arguments and return values
    of functions whose names say they are secrets: token, password, secret, nonce, salt, OTP,
    session id, CSRF, API key, reset or verification code. `random` used for shuffling,
    sampling or jitter is not reported; the `secrets` module passes.

    ## Why is this bad
    Mersenne Twister output is predictable: 624 observed outputs reveal the state, and with it
    every future token (CWE-338, CWE-330).

    ## Example
    ```python
    token = "".join(random.choice(ALPHABET) for _ in range(32))
    ```

    ## Use instead
    ```python
    token = secrets.token_urlsafe(32)
    ```

    ## References
    - https://cwe.mitre.org/data/definitions/338.html
    - https://docs.python.org/3/library/secrets.html
    """

    code = "BR207"
    name = "weak-randomness"
    item = "secrets"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    summary = "A non-cryptographic random generator produces a security value"
    cwe = (338, 330)
    taint_kinds = {"random": "a security-sensitive value"}
    advice = "use the secrets module (secrets.token_urlsafe(), secrets.choice())"
    external_ids = ()  # bandit B311 flags every use of random; the policy drops it

    def message(self, flow: Flow) -> str:
        return (
            f"{flow.sources} is not a cryptographic generator but its output becomes "
            f"{flow.sink}; {self.advice}."
        )

    INVALID = [
        Invalid(
            """
import random
import string

def make_reset_token():
    return "".join(random.choice(string.ascii_letters) for _ in range(32))  # expect: BR207

def register(user):
    otp = random.randint(100000, 999999)  # expect: BR207
    user.api_key = "%032x" % random.getrandbits(128)  # expect: BR207
    send(user, code=otp)
"""
        ),
    ]
    VALID = [
        Valid(
            """
import random
import secrets

def make_reset_token():
    return secrets.token_urlsafe(32)  # ok: BR207

def backoff(attempt):
    delay = random.uniform(0, 2 ** attempt)  # ok: BR207
    items = [1, 2, 3]
    random.shuffle(items)  # ok: BR207
    return delay
"""
        ),
    ]
