"""BR901: a file the native rules could not review."""

from __future__ import annotations

from reviewer.checks.base import Rule
from reviewer.model import Confidence, Severity


class ParseError(Rule):
    """A file could not be reviewed by the native rules.

    ## What it does
    Lists every file that backend-review could not parse or decode: a syntax error, a file
    that is not valid text in its declared encoding, a binary file named `.py`, a file too large
    to review. The engine raises it; no syntax pattern triggers it.

    ## Why is this bad
    A file that is not reviewed is a blind spot: a clean report would hide it.

    ## Example
    ```python
    def handler(:   # syntax error: nothing in this file is checked
    ```

    ## Use instead
    Fix the syntax or encoding, or exclude generated and vendored files in the config.

    ## References
    - PEP 263 (source encodings)
    """

    code = "BR901"
    name = "parse-error"
    item = "meta"
    severity = Severity.INFO
    confidence = Confidence.HIGH
    summary = "file could not be reviewed"
    scored = False
    source = "meta"
