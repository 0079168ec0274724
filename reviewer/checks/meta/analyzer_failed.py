"""BR902: an analyzer or rule that failed, so part of the review is missing."""

from __future__ import annotations

from reviewer.checks.base import Rule
from reviewer.model import Confidence, Severity


class AnalyzerFailed(Rule):
    """An external analyzer (bandit, ruff, semgrep) or a native rule failed.

    ## What it does
    Records an analyzer that is missing, timed out, crashed or returned output that could not be
    read, every file an analyzer skipped (bandit, for one, silently skips files written in syntax
    newer than its interpreter), and a native rule that crashed on a file.

    ## Why is this bad
    The findings of that analyzer are missing from the report for those files; the score would
    otherwise look better than the code is.

    ## Example
    ```text
    bandit: not installed; its checks were not run
    ```

    ## Use instead
    Install the analyzer (`pip install backend-review` brings all three), raise its timeout under
    `analyzers.<name>.timeout`, or disable it explicitly under `analyzers.<name>.enabled`.

    ## References
    - https://bandit.readthedocs.io/
    """

    code = "BR902"
    name = "analyzer-failed"
    item = "meta"
    severity = Severity.INFO
    confidence = Confidence.HIGH
    summary = "an analyzer could not check part of the code"
    scored = False
    source = "meta"
