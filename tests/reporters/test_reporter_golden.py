"""Golden files: every reporter renders the sample report byte for byte as recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from reporter_sample import normalize

from reviewer.model import Report
from reviewer.reporters import REPORTERS, RenderOptions, render_report
from reviewer.scoring import ChecklistItem

GOLDEN = {
    "terminal": ("report.txt", RenderOptions(color=False)),
    "json": ("report.json", RenderOptions()),
    "sarif": ("report.sarif", RenderOptions(category="backend-review")),
    "markdown": ("report.md", RenderOptions()),
    "concise": ("report.concise.txt", RenderOptions(gate="gate passed")),
    "gitlab": ("report.gitlab.json", RenderOptions()),
    "junit": ("report.junit.xml", RenderOptions()),
}


@pytest.mark.parametrize("fmt", sorted(GOLDEN))
def test_golden(
    fmt: str,
    report: Report,
    checklist: tuple[ChecklistItem, ...],
    sample_root: Path,
    snapshot: Callable[[str, str], None],
) -> None:
    name, options = GOLDEN[fmt]
    if fmt == "sarif":
        options = RenderOptions(category="backend-review", srcroot=str(sample_root))
    text = render_report(fmt, report, checklist, options)
    snapshot(name, normalize(text, sample_root))


@pytest.mark.parametrize("fmt", sorted(GOLDEN))
def test_rendering_is_deterministic(
    fmt: str, report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    options = RenderOptions(color=False)
    assert render_report(fmt, report, checklist, options) == render_report(
        fmt, report, checklist, options
    )


def test_registry_names_every_format() -> None:
    assert set(REPORTERS) == {
        "terminal",
        "concise",
        "json",
        "sarif",
        "markdown",
        "gitlab",
        "junit",
        "html",
    }


def test_unknown_format_is_an_error(report: Report) -> None:
    with pytest.raises(ValueError, match="unknown report format 'xml'"):
        render_report("xml", report)


def test_default_checklist_is_loaded_when_none_given(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    assert render_report("json", report) == render_report("json", report, checklist)
    assert json.loads(render_report("json", report))["checklist"][0]["id"] == checklist[0].id
