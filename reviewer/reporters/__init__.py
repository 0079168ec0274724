"""Reporters render one immutable Report as text: terminal, concise, json, sarif, markdown,
gitlab (Code Quality), junit and html (one self-contained page).

Each is a function `render(report, checklist=None, options=None) -> str`; pick one by name
from REPORTERS (the CLI's --format choices) or call `render_report`.
"""

from __future__ import annotations

from collections.abc import Sequence

from reviewer.model import Report
from reviewer.reporters import (
    concise,
    gitlab,
    html,
    json_report,
    junit,
    markdown,
    sarif,
    statistics,
    terminal,
)
from reviewer.reporters.base import RenderOptions, Reporter
from reviewer.scoring import ChecklistItem

REPORTERS: dict[str, Reporter] = {
    "terminal": terminal.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "markdown": markdown.render,
    "concise": concise.render,
    "gitlab": gitlab.render,
    "junit": junit.render,
    "html": html.render,
}
# not a --format: `--statistics` prints it instead of the text report on standard output
STATISTICS: Reporter = statistics.render

__all__ = ["REPORTERS", "STATISTICS", "RenderOptions", "Reporter", "render_report"]


def render_report(
    fmt: str,
    report: Report,
    checklist: Sequence[ChecklistItem] | None = None,
    options: RenderOptions | None = None,
) -> str:
    """Render `report` in the named format; unknown names raise ValueError."""
    try:
        reporter = REPORTERS[fmt]
    except KeyError:
        choices = ", ".join(sorted(REPORTERS))
        raise ValueError(f"unknown report format {fmt!r} (choose from {choices})") from None
    return reporter(report, checklist, options)
