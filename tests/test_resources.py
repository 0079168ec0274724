"""rules_dir() finds the shipped rules in a source checkout."""

from __future__ import annotations

from pathlib import Path

import reviewer
from reviewer.resources import external_policy_file, rules_dir, semgrep_rules_dir


def test_rules_dir_in_a_checkout() -> None:
    package = Path(reviewer.__file__).resolve().parent
    expected = package / "_rules"
    if not expected.is_dir():
        expected = package.parent / "rules"
    assert rules_dir() == expected
    assert external_policy_file().is_file()
    assert semgrep_rules_dir().is_dir()
    assert (rules_dir() / "checklist.yaml").is_file()
