"""Shared test helpers: where the repository and the shared contracts are."""

from __future__ import annotations

from pathlib import Path

import pytest
from contracts_path import contracts_dir

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


@pytest.fixture(scope="session")
def contracts() -> Path:
    return contracts_dir()


REPORT_SCHEMA = REPO / "docs" / "schemas" / "report.schema.json"


@pytest.fixture(scope="session", autouse=True)
def json_reports_follow_their_schema() -> object:
    """Every JSON report rendered in this test process is validated against the published
    schema (docs/schemas/report.schema.json): a key added, renamed or retyped without the
    schema fails the test that rendered it. Reports of CLI subprocesses are checked by
    tests/reporters/test_json_schema.py."""
    import json

    import jsonschema

    from reviewer.reporters import REPORTERS, json_report

    validator = jsonschema.Draft202012Validator(json.loads(REPORT_SCHEMA.read_text()))
    original = json_report.render

    def render(*args: object, **kwargs: object) -> str:
        text = original(*args, **kwargs)  # type: ignore[arg-type]
        validator.validate(json.loads(text))
        return text

    json_report.render = render  # type: ignore[assignment]
    REPORTERS["json"] = render  # type: ignore[assignment]
    yield
    json_report.render = original  # type: ignore[assignment]
    REPORTERS["json"] = original
