"""One line per finding, like ruff's default output, then one closing summary line.

    app/views.py:12:5: BR101 [high] SQL built from request data reaches cursor.execute

Made for grep, editors' quickfix lists and CI logs: no colour, no code frames, findings in
path/line order, suppressed findings left out (they are counted in the summary).
"""

from __future__ import annotations

from collections.abc import Sequence

from reviewer.model import Finding, Report
from reviewer.reporters.base import RenderOptions
from reviewer.reporters.support import clean_text, one_line, summary_line
from reviewer.scoring import ChecklistItem


def render(
    report: Report,
    checklist: Sequence[ChecklistItem] | None = None,
    options: RenderOptions | None = None,
) -> str:
    options = options or RenderOptions()
    lines = [finding_line(f) for f in sorted(report.active, key=lambda f: f.sort_key)]
    lines.append(summary_line(report, options.gate))
    return "\n".join(lines) + "\n"


def finding_line(finding: Finding) -> str:
    """`path:line:col: CODE [severity] message`; 1-based, as in ruff. A finding about the
    project as a whole with no place of its own is given the target itself, `.:1:1`."""
    loc = finding.location
    path = clean_text(loc.path) or "."
    return (
        f"{path}:{max(loc.line, 1)}:{max(loc.column, 1)}: "
        f"{finding.code} [{finding.severity.value}] {one_line(finding.message)}"
    )
