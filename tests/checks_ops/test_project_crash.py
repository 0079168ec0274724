"""A project-level rule or a route builder that raises becomes a BR902 naming it; the other
findings stay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reviewer.checks.base import Rule
from reviewer.config import Config
from reviewer.framework.apps import Apps
from reviewer.framework.django import Django
from reviewer.model import Finding
from reviewer.native import review_files
from reviewer.service import Project


class _Broken(Rule):
    code = "BR999"
    name = "broken-project-rule"
    needs_project = True

    @classmethod
    def project_findings(cls, project: Project, config: Config) -> list[Finding]:
        raise RuntimeError("boom")


def test_project_findings_crash_is_a_br902_naming_the_rule() -> None:
    files = {"b.py": b"x = 1\n", "a.py": b"y = 2\n"}
    result = review_files(files, [_Broken], Config(root=Path(".")))
    (finding,) = [f for f in result.findings if f.code == "BR902"]
    assert finding.location.path == "a.py"
    assert finding.message == "rule BR999 crashed on the project model: boom"


FLASK = (
    b"from flask import Flask\napp = Flask(__name__)\n\n@app.get('/a')\ndef a():\n    return 'a'\n"
)


def test_route_builder_crash_is_a_br902_naming_the_builder_and_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The crashed builder's routes are missing: the report says so at the file it was reading."""

    def crash(*args: Any, **kwargs: Any) -> list[Any]:
        raise KeyError("decorators")

    monkeypatch.setattr(Apps, "_decorated", crash)
    files = {"a_first.py": b"x = 1\n", "views.py": FLASK}
    result = review_files(files, [], Config(root=Path(".")))
    (finding,) = [f for f in result.findings if f.code == "BR902"]
    assert finding.location.path == "views.py"
    assert finding.message.startswith(
        "the flask/fastapi/aiohttp route model crashed (KeyError: 'decorators')"
    )
    assert result.project.routes == ()


def test_route_builder_crash_outside_any_file_is_anchored_at_the_first_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def crash(self: Django) -> list[Any]:
        raise RuntimeError("boom")

    monkeypatch.setattr(Django, "routes", crash)
    files = {"views.py": FLASK, "a_first.py": b"x = 1\n"}
    result = review_files(files, [], Config(root=Path(".")))
    (finding,) = [f for f in result.findings if f.code == "BR902"]
    assert finding.location.path == "a_first.py"
    assert "the django route model crashed (RuntimeError: boom)" in finding.message
    # the other builder's routes stay
    assert [r.path for r in result.project.routes] == ["/a"]
