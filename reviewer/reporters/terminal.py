"""The human report for a terminal: score first, the worst findings in full, the rest short.

Order (issue 14, "the worst first"): the score and checklist table; "Top findings", the
`RenderOptions.top` worst by severity then confidence (opt-in code-quality findings never
among them), each with its code frame; then every
other finding as one line under its checklist item (at most ITEM_LINES per item, the rest
counted); then suppressed findings, analyzers, what the checkout switched off, what was not
reviewed, and a closing summary line. The full detail stays in JSON, SARIF and Markdown, and
`--format concise` lists every finding on one line.

Colour follows NO_COLOR / FORCE_COLOR and whether stdout is a TTY; without colour the output
has no escape sequences at all and a fixed width (100), so golden files stay byte-stable.
Untrusted text (messages, source lines) is rendered as plain Text, never as rich markup.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from reviewer.analyzers.policy import QUALITY_ITEM
from reviewer.model import Finding, ItemScore, Report, Severity
from reviewer.reporters.base import RenderOptions
from reviewer.reporters.support import (
    SourceFiles,
    analyzer_problems,
    checklist_or_default,
    clean_text,
    code_frame,
    group_by_item,
    location_text,
    one_line,
    other_sources,
    reported_new_code_score,
    route_coverage_note,
    rules_by_code,
    scope_note,
    severity_counts,
    severity_first,
    summary_line,
)
from reviewer.scoring import ChecklistItem

DEFAULT_WIDTH = 100
ITEM_LINES = 8  # one-line findings shown per checklist item after the top findings
SUPPRESSED_LINES = 10
SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
STATUS_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "n/a": "dim"}


def use_color(options: RenderOptions) -> bool:
    """Explicit choice, else NO_COLOR off, FORCE_COLOR on, else colour only on a TTY."""
    if options.color is not None:
        return options.color
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def render(
    report: Report,
    checklist: Sequence[ChecklistItem] | None = None,
    options: RenderOptions | None = None,
) -> str:
    options = options or RenderOptions()
    color = use_color(options)
    width = options.width or (shutil.get_terminal_size().columns if color else DEFAULT_WIDTH)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        legacy_windows=False,
        soft_wrap=False,
    )
    _Writer(console, report, checklist_or_default(checklist), options).write()
    text = buffer.getvalue()
    if not color:  # rich pads table cells; plain text needs no trailing blanks
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    return text


class _Writer:
    def __init__(
        self,
        console: Console,
        report: Report,
        checklist: tuple[ChecklistItem, ...],
        options: RenderOptions,
    ) -> None:
        self.out = console
        self.report = report
        self.checklist = checklist
        self.options = options
        self.rules = rules_by_code(report)
        self.sources = SourceFiles(report.target)

    def write(self) -> None:
        self.header()
        self.score_table()
        # style findings someone opted into stay in their own section, never in the top list
        checklist_concerns = [
            f
            for f in self.report.active
            if getattr(self.rules.get(f.code), "item", "") != QUALITY_ITEM
        ]
        top = severity_first(checklist_concerns)[: max(self.options.top, 0)]
        if top:
            self.out.rule(Text(" Top findings ", style="bold"), align="left", characters="━")
            for finding in top:
                self.finding(finding)
        shown = {id(f) for f in top}
        for item, findings in group_by_item(self.report, self.checklist):
            rest = [f for f in findings if id(f) not in shown]
            if rest:
                self.item_section(item, rest)
        self.suppressed()
        self.analyzers()
        self.switched_off()
        self.not_reviewed()
        self.route_changes()
        # one line however long, so CI logs and `tail -1` get the whole verdict
        summary = Text(summary_line(self.report, self.options.gate), style="bold")
        self.out.print(summary, soft_wrap=True)

    def header(self) -> None:
        report = self.report
        self.out.print(
            Text.assemble(
                ("backend-review ", "bold"), report.version, " · ", clean_text(report.target)
            )
        )
        overall = report.score.overall
        score = Text(
            "n/a" if overall is None else f"{overall:.1f}/100", style=_score_style(overall)
        )
        active = report.active
        counts = ", ".join(f"{n} {sev}" for sev, n in severity_counts(active).items())
        summary = f"{len(active)} findings" + (f" ({counts})" if counts else "")
        suppressed = len(report.findings) - len(active)
        line = Text.assemble(("Score ", "bold"), score)
        present, new_code = reported_new_code_score(report)
        if present:
            line.append(" · new code ", "bold")
            text = "n/a" if new_code is None else f"{new_code:.1f}/100"
            line.append(text, style=_score_style(new_code))
        line.append(f" · {report.files_reviewed} files reviewed")
        if route_coverage_note(report):
            line.append(f" · {route_coverage_note(report)}")
        line.append(f" · {summary}")
        if suppressed:
            line.append(f" · {suppressed} suppressed")
        if scope_note(report):
            line.append(f" · {scope_note(report)}")
        self.out.print(line)
        self.out.print()

    def score_table(self) -> None:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        table.add_column("Checklist item")
        table.add_column("Weight", justify="right")
        table.add_column("Score", justify="right")
        table.add_column("Status")
        table.add_column("Findings", justify="right")
        table.add_column("Cost (by rule)")
        for item in self.report.score.items:
            table.add_row(
                item.title,
                f"{item.weight:g}",
                Text(
                    "—" if item.score is None else f"{item.score:.1f}",
                    style=_score_style(item.score),
                ),
                Text(item.status.upper(), style=STATUS_STYLE.get(item.status, "")),
                str(item.findings) if item.score is not None else "",
                _costs(item),
            )
        self.out.print(table)
        self.out.print()

    def item_section(self, item: ChecklistItem, findings: list[Finding]) -> None:
        scored = {s.item: s for s in self.report.score.items}.get(item.id)
        title = f" {item.title} "
        if scored is not None and scored.score is not None:
            title += f"· {scored.score:.1f} · {scored.status.upper()} "
        self.out.rule(Text(title, style="bold"), align="left", characters="━")
        for finding in findings[:ITEM_LINES]:
            self.short_finding(finding)
        if len(findings) > ITEM_LINES:
            more = len(findings) - ITEM_LINES
            self.out.print(
                Text(f"  … and {more} more (every finding: --format concise or json)", style="dim")
            )
        self.out.print()

    def short_finding(self, finding: Finding) -> None:
        where = "project" if finding.project_level else location_text(finding.location)
        self.out.print(
            Text.assemble(
                "  ",
                (f"{finding.severity.value:<8}", SEVERITY_STYLE[finding.severity]),
                (finding.code, "bold"),
                " ",
                (where, "cyan"),
                " ",
                one_line(finding.message),
            ),
            no_wrap=True,
            overflow="ellipsis",
            crop=True,
        )

    def finding(self, finding: Finding) -> None:
        rule = self.rules.get(finding.code)
        head = Text.assemble(
            (f" {finding.severity.value.upper()} ", SEVERITY_STYLE[finding.severity]),
            " ",
            (finding.code, "bold"),
            f" {rule.name}" if rule else "",
            " · ",
            ("project" if finding.project_level else location_text(finding.location), "cyan"),
            f" · {finding.confidence.value} confidence",
        )
        self.out.print(head)
        self.indented(Text(one_line(finding.message)))
        also = other_sources(finding)
        if also:
            self.indented(Text("also reported by " + ", ".join(also), style="dim"))
        if finding.flow:
            steps = " → ".join(
                f"{one_line(step.message)} ({location_text(step.location, column=False)})"
                for step in finding.flow
            )
            self.indented(Text("flow: " + steps, style="magenta"))
        if not finding.project_level:
            self.code_frame(finding)
        self.out.print()

    def indented(self, text: Text) -> None:
        self.out.print(Padding(text, (0, 0, 0, 2)))

    def code_frame(self, finding: Finding) -> None:
        frame = code_frame(self.sources, finding, self.options.context_lines)
        digits = len(str(frame[-1][0])) if frame else 0
        for number, marked, line in frame:
            text = Text()
            text.append(" > " if marked else "   ", style="bold red" if marked else "")
            text.append(f"{number:>{digits}} │ ", style="dim")
            text.append(line, style="bold" if marked else "")
            self.out.print(text, no_wrap=True, overflow="ellipsis", crop=True)

    def suppressed(self) -> None:
        hidden = [f for f in self.report.findings if f.suppressed]
        if not hidden:
            return
        self.out.rule(
            Text(f" Suppressed ({len(hidden)}) ", style="bold"), align="left", characters="━"
        )
        for finding in hidden[:SUPPRESSED_LINES]:
            reason = one_line(finding.suppression_reason) or "no reason given"
            self.out.print(
                Text(f"  {finding.code} {location_text(finding.location)} · {reason}", style="dim")
            )
        if len(hidden) > SUPPRESSED_LINES:
            more = len(hidden) - SUPPRESSED_LINES
            self.out.print(Text(f"  … and {more} more (all in the JSON report)", style="dim"))
        self.out.print()

    def analyzers(self) -> None:
        if not self.report.analyzers:
            return
        self.out.rule(Text(" Analyzers ", style="bold"), align="left", characters="━")
        problems = {run.name for run in analyzer_problems(self.report)}
        table = Table(box=None, show_header=False, pad_edge=False)
        for _ in range(4):
            table.add_column()
        for run in self.report.analyzers:
            status_style = "bold red" if run.name in problems and run.status != "ok" else "green"
            if run.status not in {"ok", "failed", "timeout", "missing"}:
                status_style = "dim"
            note = one_line(run.message)
            if run.not_covered:
                note = (note + "; " if note else "") + (
                    f"could not analyze {len(run.not_covered)} file(s): "
                    + ", ".join(run.not_covered[:5])
                )
            table.add_row(
                f"  {run.name}", run.version or "-", Text(run.status, style=status_style), note
            )
        self.out.print(table)
        self.out.print()

    def switched_off(self) -> None:
        """What the reviewed checkout's own config turned off: its author may be the attacker."""
        settings = self.report.switched_off
        if not settings:
            return
        self.out.rule(
            Text(f" Switched off by the reviewed checkout ({len(settings)}) ", style="bold yellow"),
            align="left",
            characters="━",
        )
        for setting, source in settings:
            self.out.print(Text(f"  {clean_text(source)} · {one_line(setting)}"))
        self.out.print()

    def not_reviewed(self) -> None:
        skipped = self.report.not_reviewed
        if not skipped:
            return
        self.out.rule(
            Text(f" Not reviewed ({len(skipped)}) ", style="bold"), align="left", characters="━"
        )
        for path, reason in skipped:
            self.out.print(Text(f"  {clean_text(path)} · {one_line(reason)}"))
        self.out.print()

    def route_changes(self) -> None:
        """Routes the change added, removed or unguarded (a diff against a git ref)."""
        from reviewer.reporters.route_changes import terminal_lines

        found = terminal_lines(self.report.route_changes)
        for line in found:
            self.out.print(Text(clean_text(line)))
        if found:
            self.out.print()


def _score_style(score: float | None) -> str:
    if score is None:
        return "dim"
    if score >= 90:
        return "bold green"
    return "bold yellow" if score >= 60 else "bold red"


def _costs(item: ItemScore) -> str:
    return ", ".join(f"{code} {cost:g}" for code, cost in item.costs)
