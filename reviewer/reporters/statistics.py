"""`--statistics`: how many findings each rule reported, most first (like ruff --statistics).

The first question on a large service is "which rules speak the most", not "where": this
answers it in a screen, then the closing summary line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from reviewer.model import Report
from reviewer.reporters.base import RenderOptions
from reviewer.reporters.support import one_line, rules_by_code, summary_line
from reviewer.scoring import ChecklistItem


def render(
    report: Report,
    checklist: Sequence[ChecklistItem] | None = None,
    options: RenderOptions | None = None,
) -> str:
    options = options or RenderOptions()
    counts = Counter(f.code for f in report.active)
    worst: dict[str, str] = {}
    for finding in report.active:
        current = worst.get(finding.code)
        if current is None or finding.severity.rank > _rank(current):
            worst[finding.code] = finding.severity.value
    rules = rules_by_code(report)
    width = max((len(str(n)) for n in counts.values()), default=1)
    code_width = max((len(code) for code in counts), default=4)
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = rules.get(code)
        name = one_line(rule.name) if rule else ""
        severity = f"[{worst[code]}]"
        lines.append(f"{count:>{width}}  {code:<{code_width}}  {severity:<10}  {name}".rstrip())
    lines.append(summary_line(report, options.gate))
    return "\n".join(lines) + "\n"


def _rank(severity: str) -> int:
    from reviewer.model import Severity

    return Severity(severity).rank
