"""Where the shipped `rules/` folder is: beside the package in a checkout, inside it when installed.

An installed wheel carries `rules/` as `reviewer/_rules` (package data); a source checkout has
`rules/` next to the `reviewer` package.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent  # .../reviewer


def rules_dir() -> Path:
    """The rules folder (holding checklist.yaml, external.yaml and semgrep/)."""
    for candidate in (_PACKAGE / "_rules", _PACKAGE.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"backend-review rules not found: neither {_PACKAGE / '_rules'} "
        f"nor {_PACKAGE.parent / 'rules'} exists (broken installation?)"
    )


def semgrep_rules_dir() -> Path:
    """Our semgrep rules: a folder holding semgrep rule files (and their test targets) only."""
    return rules_dir() / "semgrep"


def external_policy_file() -> Path:
    """The passthrough policy for external findings no rule claims."""
    return rules_dir() / "external.yaml"
