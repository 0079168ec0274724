"""The pull-request summary comment in GitHub-flavoured Markdown.

The first line is a hidden marker so the Action finds and updates its own comment. The
comment shows the score and checklist, the worst findings with relative file links, gaps
(analyzer problems, files not reviewed), and collapsible details. It stays under
`max_chars` (GitHub allows 65,536): details shrink first, then the text is cut with a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from reviewer.model import Finding, Report, Severity
from reviewer.reporters.base import RenderOptions
from reviewer.reporters.support import (
    analyzer_problems,
    checklist_or_default,
    group_by_item,
    one_line,
    other_sources,
    reported_new_code_score,
    route_coverage_note,
    rules_by_code,
    scope_note,
    severity_counts,
    severity_first,
)
from reviewer.scoring import ChecklistItem

SUMMARY_MARKER = "<!-- backend-review:summary -->"  # the PR summary comment is found by it
STATUS_EMOJI = {"pass": "✅", "warn": "⚠️", "fail": "❌", "n/a": "\u2796"}
SEVERITY_EMOJI = {
    Severity.CRITICAL: "🔴",
    Severity.HIGH: "🟠",
    Severity.MEDIUM: "🟡",
    Severity.LOW: "🔵",
    Severity.INFO: "⚪",
}
MAX_MESSAGE = 300
MAX_DETAIL_FINDINGS = 300
TRUNCATION_NOTE = "\n\n> [!NOTE]\n> This summary was cut to fit GitHub's comment size limit."


def render(
    report: Report,
    checklist: Sequence[ChecklistItem] | None = None,
    options: RenderOptions | None = None,
) -> str:
    options = options or RenderOptions()
    writer = _Writer(report, checklist_or_default(checklist), options)
    limit: int | None = MAX_DETAIL_FINDINGS
    while True:
        text = writer.render(limit)
        if len(text) <= options.max_chars or limit == 0:
            break
        limit = 0 if limit is None else limit // 2
    if len(text) > options.max_chars:
        budget = max(options.max_chars - len(TRUNCATION_NOTE) - 1, 0)
        text = text[:budget].rstrip() + TRUNCATION_NOTE + "\n"
    return text


def escape(text: str) -> str:
    """One line, safe inside a table cell: no pipes, no HTML, bounded length."""
    text = one_line(text)
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 1].rstrip() + "…"
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def code(text: str) -> str:
    """An inline code span that survives backticks in the text."""
    text = one_line(text).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


class _Writer:
    def __init__(
        self, report: Report, checklist: tuple[ChecklistItem, ...], options: RenderOptions
    ) -> None:
        self.report = report
        self.checklist = checklist
        self.options = options
        self.rules = rules_by_code(report)

    def render(self, detail_limit: int | None) -> str:
        parts = [
            SUMMARY_MARKER,
            self.heading(),
            self.checklist_table(),
            self.top_findings(),
            self.route_changes(),
            self.problems(),
            self.switched_off(),
            self.not_reviewed(),
            self.details(detail_limit),
            self.routes(detail_limit),
            self.scoring(),
            self.footer(),
        ]
        return "\n\n".join(p for p in parts if p) + "\n"

    def link(self, finding: Finding) -> str:
        location = finding.location
        if finding.project_level or not location.path:
            return "project"
        label = f"{location.path}:{location.line}"
        anchor = f"#L{location.line}"
        if location.end_line > location.line:
            anchor += f"-L{location.end_line}"
        href = self.options.link_base + quote(location.path, safe="/") + anchor
        return f"[{escape(label)}]({href})"

    def heading(self) -> str:
        report = self.report
        statuses = {item.status for item in report.score.items}
        status = "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"
        overall = report.score.overall
        score = "n/a" if overall is None else f"{overall:.1f} / 100"
        active = report.active
        counts = ", ".join(f"{n} {sev}" for sev, n in severity_counts(active).items())
        line = f"**{len(active)} findings**" + (f" ({counts})" if counts else "")
        suppressed = len(report.findings) - len(active)
        if suppressed:
            line += f" · {suppressed} suppressed"
        line += f" · {report.files_reviewed} files reviewed"
        if scope_note(report):
            line += f" · {escape(scope_note(report))}"
        present, new_code = reported_new_code_score(report)
        if present:
            score += " · new code: " + ("n/a" if new_code is None else f"{new_code:.1f} / 100")
        return f"## {STATUS_EMOJI[status]} backend-review score: {score}\n\n{line}"

    def checklist_table(self) -> str:
        rows = ["| Checklist item | Score | Status | Findings |", "|:--|--:|:--|--:|"]
        for item in self.report.score.items:
            score = "—" if item.score is None else f"{item.score:.1f}"
            findings = "" if item.score is None else str(item.findings)
            emoji = STATUS_EMOJI.get(item.status, "")
            rows.append(f"| {escape(item.title)} | {score} | {emoji} {item.status} | {findings} |")
        coverage = route_coverage_note(self.report)
        return "\n".join(rows) + (f"\n\nTests: {coverage}." if coverage else "")

    def top_findings(self) -> str:
        active = severity_first(f for f in self.report.active if self.scored(f))
        if not active:
            return "### Findings\n\nNo findings. 🎉"
        shown = active[: self.options.max_findings]
        rows = [
            f"### Top findings ({len(shown)} of {len(active)})",
            "",
            "| Severity | Rule | Location | Finding |",
            "|:--|:--|:--|:--|",
        ]
        for finding in shown:
            rule = self.rules.get(finding.code)
            name = f" {code(rule.name)}" if rule else ""
            message = escape(finding.message)
            also = other_sources(finding)
            if also:
                message += f"<br><sub>also reported by {escape(', '.join(also))}</sub>"
            rows.append(
                f"| {SEVERITY_EMOJI[finding.severity]} {finding.severity.value} "
                f"| **{finding.code}**{name} | {self.link(finding)} | {message} |"
            )
        return "\n".join(rows)

    def route_changes(self) -> str:
        """Routes the change added, removed or unguarded (a diff against a git ref)."""
        from reviewer.reporters.route_changes import markdown_section

        return markdown_section(self.report.route_changes)

    def scored(self, finding: Finding) -> bool:
        """Reviewer notes (unscored BR9xx rules) stay out of the top findings."""
        rule = self.rules.get(finding.code)
        return rule is None or rule.scored

    def problems(self) -> str:
        problems = analyzer_problems(self.report)
        if not problems:
            return ""
        lines = ["### ⚠️ Analyzer problems", ""]
        for run in problems:
            line = f"- **{escape(run.name)}**: {escape(run.status)}"
            if run.message.strip():
                line += f" — {escape(run.message)}"
            if run.not_covered:
                paths = ", ".join(code(p) for p in run.not_covered[:10])
                more = f" and {len(run.not_covered) - 10} more" if len(run.not_covered) > 10 else ""
                line += f"; could not analyze {paths}{more}"
            lines.append(line)
        return "\n".join(lines)

    def switched_off(self) -> str:
        """What the reviewed checkout's own config turned off (issue 11, U6)."""
        settings = self.report.switched_off
        if not settings:
            return ""
        lines = [f"### Switched off by the reviewed checkout ({len(settings)})", ""]
        lines += [f"- {code(source)}: {code(setting)}" for setting, source in settings[:50]]
        if len(settings) > 50:
            lines.append(f"- … and {len(settings) - 50} more")
        return "\n".join(lines)

    def not_reviewed(self) -> str:
        skipped = self.report.not_reviewed
        if not skipped:
            return ""
        lines = [f"### Not reviewed ({len(skipped)})", ""]
        lines += [f"- {code(path)}: {escape(reason)}" for path, reason in skipped[:50]]
        if len(skipped) > 50:
            lines.append(f"- … and {len(skipped) - 50} more")
        return "\n".join(lines)

    def details(self, limit: int | None) -> str:
        groups = group_by_item(self.report, self.checklist, include_suppressed=True)
        total = sum(len(findings) for _, findings in groups)
        if not total:
            return ""
        lines = [
            f"<details><summary>All findings by checklist item ({total})</summary>",
            "",
        ]
        budget = total if limit is None else limit
        listed = 0
        for item, findings in groups:
            if listed >= budget:
                break
            lines.append(f"#### {escape(item.title)} ({len(findings)})")
            lines.append("")
            for finding in findings[: budget - listed]:
                lines.extend(self.detail(finding))
                listed += 1
            lines.append("")
        if listed < total:
            lines.append(f"_Only {listed} of {total} findings are listed; see the full report._")
            lines.append("")
        lines.append("</details>")
        return "\n".join(lines)

    def detail(self, finding: Finding) -> list[str]:
        rule = self.rules.get(finding.code)
        name = f" {code(rule.name)}" if rule else ""
        head = (
            f"- {SEVERITY_EMOJI[finding.severity]} **{finding.code}**{name} {self.link(finding)}"
            f" — {escape(finding.message)} _({finding.confidence.value} confidence)_"
        )
        if finding.suppressed:
            reason = escape(finding.suppression_reason) or "no reason given"
            head = f"- ~~{head[2:]}~~ suppressed: {reason}"
        lines = [head]
        also = other_sources(finding)
        if also:
            lines.append(f"  - also reported by {escape(', '.join(also))}")
        if finding.flow:
            steps = " → ".join(
                f"{escape(step.message)} ({code(f'{step.location.path}:{step.location.line}')})"
                for step in finding.flow
            )
            lines.append(f"  - flow: {steps}")
        return lines

    def routes(self, limit: int | None) -> str:
        """The route inventory, collapsed; dropped first when the comment is over budget."""
        from reviewer.reporters.routes import markdown as routes_table

        routes = list(self.report.routes)
        if not routes or limit == 0:
            return ""
        return "\n".join(
            [
                f"<details><summary>Route inventory ({len(routes)})</summary>",
                "",
                routes_table(routes).rstrip(),
                "",
                "</details>",
            ]
        )

    def scoring(self) -> str:
        items = [item for item in self.report.score.items if item.costs]
        if not items:
            return ""
        lines = [
            "<details><summary>How the score was computed</summary>",
            "",
            "Each finding costs severity weight \u00d7 confidence factor; each rule's cost is capped; "
            "an item scores 100 \u00d7 exp(\u2212cost / 10); the overall score is the weighted mean of "
            "the items that apply, and a failing item caps it at (100 + its score) / 2.",
            "",
            "| Checklist item | Weight | Cost | Cost by rule |",
            "|:--|--:|--:|:--|",
        ]
        for item in items:
            by_rule = ", ".join(f"{code_} {cost:g}" for code_, cost in item.costs)
            lines.append(f"| {escape(item.title)} | {item.weight:g} | {item.cost:g} | {by_rule} |")
        lines += ["", "</details>"]
        return "\n".join(lines)

    def footer(self) -> str:
        return f"<sub>backend-review {escape(self.report.version)}</sub>"
