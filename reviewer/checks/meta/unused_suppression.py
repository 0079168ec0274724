"""BR903: a suppression comment that suppresses nothing."""

from __future__ import annotations

from reviewer.checks.base import Rule
from reviewer.model import Confidence, Severity


class UnusedSuppression(Rule):
    """A `# backend-review: ignore[CODE]` comment with no matching finding on its line.

    ## What it does
    Reports inline suppressions whose code no longer fires on the line they cover (the comment's
    own line, or the next line when the comment stands alone), and suppressions without a code.

    ## Why is this bad
    Stale suppressions hide the next real problem on that line and mislead readers into thinking
    something dangerous happens there.

    ## Example
    ```python
    cursor.execute("SELECT 1")  # backend-review: ignore[BR101] legacy
    ```

    ## Use instead
    Delete the comment, or name the code that actually fires.

    ## References
    - https://docs.astral.sh/ruff/rules/unused-noqa/
    """

    code = "BR903"
    name = "unused-suppression"
    item = "meta"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    summary = "suppression comment suppresses nothing"
    scored = False
    source = "meta"
