"""A project-level rule that raises becomes a BR902 naming the rule; the other findings stay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewer.checks.base import Rule
from reviewer.config import Config
from reviewer.model import Finding
from reviewer.native import review_files


class _Broken(Rule):
    code = "BR999"
    name = "broken-project-rule"
    needs_project = True

    @classmethod
    def project_findings(cls, project: Any, config: Config) -> list[Finding]:
        raise RuntimeError("boom")


def test_project_findings_crash_is_a_br902_naming_the_rule() -> None:
    files = {"b.py": b"x = 1\n", "a.py": b"y = 2\n"}
    result = review_files(files, [_Broken], Config(root=Path(".")))
    (finding,) = [f for f in result.findings if f.code == "BR902"]
    assert finding.location.path == "a.py"
    assert finding.message == "rule BR999 crashed on the project model: boom"
