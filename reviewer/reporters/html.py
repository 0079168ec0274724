"""The HTML report: one self-contained file to open in a browser, nothing loaded from a network.

It shows the score and the checklist items as an inline SVG chart (the new-code score beside
each item on a diff or baseline run), every finding with its code frame, filterable by
checklist item, severity and path, the route inventory as a sortable table with its guards
(the columns of `backend-review routes`), and what the run could not cover.

Everything it shows comes from the reviewed checkout (paths, messages, source lines, route
names) and is hostile: every text goes through `html.escape`, never into markup raw. The JSON
report (`json_report.build`) is embedded for tools as `<script type="application/json">` with
`<`, `>` and `&` written as \\u escapes, so no `</script>` can close it. A Content-Security-Policy
allows only this file's own script and style (by hash) and no network at all, so even markup
that got through could neither run nor load anything. The script only filters and sorts what
the page already shows; without it the page is complete, unfiltered.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Sequence
from typing import Any

from reviewer.model import Finding, ItemScore, Report, RuleMeta, Severity
from reviewer.reporters.base import RenderOptions
from reviewer.reporters.json_report import build as json_document
from reviewer.reporters.route_changes import terminal_lines
from reviewer.reporters.routes import COLUMNS as ROUTE_COLUMNS
from reviewer.reporters.routes import row as route_row
from reviewer.reporters.support import (
    OTHER_ITEM,
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
    severity_first,
    summary_line,
)
from reviewer.scoring import ChecklistItem

MAX_FRAMES = 2_000  # findings shown with their code frame (worst first); the rest without
MAX_LISTED = 200  # lines of the "not reviewed" and analyzer lists
CHART_WIDTH = 760
CHART_LABEL = 230  # width of the item titles left of the bars
CHART_BAR = 420  # width of a 100/100 bar
CHART_ROW = 26

STYLE = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#fff; --soft:#f6f8fa;
  --pass:#1a7f37; --warn:#bf8700; --fail:#cf222e; --na:#8c959f; --new:#0969da; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  background: var(--bg); margin: 0 auto; padding: 1rem 2rem 3rem; max-width: 1200px; }
h1 { font-size: 1.5rem; margin: .5rem 0 .25rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .5rem;
  border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
.muted { color: var(--muted); } code, pre, .mono { font-family: ui-monospace, SFMono-Regular,
  Menlo, Consolas, monospace; font-size: 12.5px; }
.summary { font-weight: 600; } .scores { font-size: 1.1rem; }
.score-pass { color: var(--pass); } .score-warn { color: var(--warn); }
.score-fail { color: var(--fail); } .score-na { color: var(--na); }
svg.chart { max-width: 100%; height: auto; } svg.chart text { font: 12px system-ui, sans-serif;
  fill: var(--fg); } svg.chart .chart-item { cursor: pointer; }
svg.chart .chart-item:hover .track { fill: #eaeef2; }
.bar-pass { fill: var(--pass); } .bar-warn { fill: var(--warn); } .bar-fail { fill: var(--fail); }
.bar-na { fill: var(--na); opacity: .35; } .new-code-bar { fill: var(--new); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
th { background: var(--soft); } th button { all: unset; cursor: pointer; font-weight: 600; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
td.none { color: var(--fail); font-weight: 600; } td.num { text-align: right; }
.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center;
  background: var(--soft); border: 1px solid var(--line); padding: .5rem .75rem; border-radius: 6px;
  position: sticky; top: 0; z-index: 1; }
.filters label { display: flex; gap: .35rem; align-items: center; }
.finding { border: 1px solid var(--line); border-left-width: 4px; border-radius: 6px;
  padding: .5rem .75rem; margin: .6rem 0; }
.finding.suppressed { opacity: .6; }
[hidden] { display: none !important; }
.sev { display: inline-block; min-width: 5.5em; text-align: center; border-radius: 4px;
  color: #fff; font-weight: 700; font-size: 11px; padding: 1px 4px; text-transform: uppercase; }
.sev-critical { border-left-color: #82071e; } .sev-critical .sev { background: #82071e; }
.sev-high { border-left-color: var(--fail); } .sev-high .sev { background: var(--fail); }
.sev-medium { border-left-color: var(--warn); } .sev-medium .sev { background: var(--warn); }
.sev-low { border-left-color: #0969da; } .sev-low .sev { background: #0969da; }
.sev-info { border-left-color: var(--na); } .sev-info .sev { background: var(--na); }
.msg { margin: .35rem 0; } .flow { margin: .25rem 0; padding-left: 1.5rem; }
pre.frame { background: var(--soft); border: 1px solid var(--line); border-radius: 4px;
  padding: .4rem 0; margin: .35rem 0; overflow-x: auto; }
pre.frame span { display: block; padding: 0 .6rem; white-space: pre; }
pre.frame span.hit { background: #fff8c5; font-weight: 600; }
pre.frame i { font-style: normal; color: var(--muted); user-select: none; }
"""

SCRIPT = """
(function () {
  "use strict";
  var findings = Array.prototype.slice.call(document.querySelectorAll("#findings .finding"));
  var item = document.getElementById("filter-item");
  var severity = document.getElementById("filter-severity");
  var path = document.getElementById("filter-path");
  var suppressed = document.getElementById("show-suppressed");
  var count = document.getElementById("shown-count");
  function apply() {
    var wanted = path.value.trim().toLowerCase();
    var shown = 0;
    findings.forEach(function (f) {
      var d = f.dataset;
      var ok = (!item.value || d.item === item.value) &&
        (!severity.value || d.severity === severity.value) &&
        (!wanted || d.path.toLowerCase().indexOf(wanted) !== -1) &&
        (suppressed.checked || d.suppressed !== "1");
      f.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + findings.length + " shown";
  }
  [item, severity, suppressed].forEach(function (el) { el.addEventListener("change", apply); });
  path.addEventListener("input", apply);
  Array.prototype.forEach.call(document.querySelectorAll("svg.chart .chart-item"), function (g) {
    g.addEventListener("click", function () {
      var id = g.getAttribute("data-item");
      var known = Array.prototype.some.call(item.options, function (o) { return o.value === id; });
      item.value = known ? id : "";
      apply();
      document.getElementById("findings-section").scrollIntoView();
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, column) {
      th.querySelector("button").addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].getAttribute("data-sort") || a.cells[column].textContent;
          var y = b.cells[column].getAttribute("data-sort") || b.cells[column].textContent;
          var order = x.localeCompare(y, undefined, {numeric: true, sensitivity: "base"});
          return (ascending ? order : -order) || (a.dataset.index - b.dataset.index);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  apply();
})();
"""


def render(
    report: Report,
    checklist: Sequence[ChecklistItem] | None = None,
    options: RenderOptions | None = None,
) -> str:
    options = options or RenderOptions()
    writer = _Writer(report, checklist_or_default(checklist), options)
    return writer.render()


def esc(text: object) -> str:
    """Untrusted text as HTML text or attribute value: control characters dropped, escaped."""
    return html.escape(clean_text(str(text)), quote=True)


def embed_json(document: Any) -> str:
    """JSON safe inside a <script> element: no `<`, `>` or `&` that could end or open a tag."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


CSP = (
    f"default-src 'none'; script-src {_hash(SCRIPT)}; style-src {_hash(STYLE)}; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


def _status_class(score: float | None) -> str:
    """The terminal's thresholds: 90 and up pass, 60 and up warn, below fails."""
    if score is None:
        return "score-na"
    return "score-pass" if score >= 90 else "score-warn" if score >= 60 else "score-fail"


def _score_text(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.1f}"


class _Writer:
    def __init__(
        self, report: Report, checklist: tuple[ChecklistItem, ...], options: RenderOptions
    ) -> None:
        self.report = report
        self.checklist = checklist
        self.options = options
        self.rules = rules_by_code(report)
        self.sources = SourceFiles(report.target)
        self.groups = group_by_item(report, checklist, include_suppressed=True)
        self.item_of = {id(f): item for item, findings in self.groups for f in findings}
        present, new_code = reported_new_code_score(report)
        self.new_code = new_code if present else None
        self.has_new_code = present

    def render(self) -> str:
        report = self.report
        body = "\n".join(
            part
            for part in (
                self.header(),
                self.chart(),
                self.checklist_table(),
                self.findings(),
                self.routes(),
                self.route_changes(),
                self.gaps(),
            )
            if part
        )
        data = embed_json(json_document(report, self.checklist))
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="referrer" content="no-referrer">\n'
            f"<title>backend-review: {esc(report.target)}</title>\n"
            f"<style>{STYLE}</style>\n</head>\n<body>\n{body}\n"
            f'<script type="application/json" id="report-data">{data}</script>\n'
            f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
        )

    # -- header and score -------------------------------------------------------------------

    def header(self) -> str:
        report = self.report
        overall = report.score.overall
        scores = [
            f'Score <b id="overall-score" class="{_status_class(overall)}">'
            f"{_score_text(overall)}</b>/100"
        ]
        if self.has_new_code:
            scores.append(
                f'new code <b id="new-code-score" class="{_status_class(self.new_code)}">'
                f"{_score_text(self.new_code)}</b>/100"
            )
        notes = [note for note in (scope_note(report), route_coverage_note(report)) if note]
        return "\n".join(
            [
                "<header>",
                f"<h1>backend-review report: <span class='mono'>{esc(report.target)}</span></h1>",
                f'<p class="scores">{" · ".join(scores)}</p>',
                f'<p class="summary" id="summary">{esc(summary_line(report, self.options.gate))}'
                "</p>",
                *(f'<p class="muted">{esc(note)}</p>' for note in notes),
                f'<p class="muted">backend-review {esc(report.version)}</p>',
                "</header>",
            ]
        )

    def chart(self) -> str:
        """One bar per checklist item (its score, coloured by status); on a diff or baseline
        run a thin bar under it shows the new code's score for that item."""
        items = self.report.score.items
        new_items = self.report.new_code.items if self.report.new_code is not None else {}
        row = CHART_ROW + (8 if new_items else 0)
        height = 30 + row * len(items)
        parts = [
            f'<svg class="chart" id="score-chart" role="img" viewBox="0 0 {CHART_WIDTH} {height}"'
            f' width="{CHART_WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
            "<title>Score per checklist item</title>",
            f'<text x="{CHART_LABEL}" y="16" class="muted">0</text>',
            f'<text x="{CHART_LABEL + CHART_BAR - 20}" y="16">100</text>',
        ]
        if new_items:
            parts.append(
                f'<rect x="{CHART_LABEL + 40}" y="8" width="14" height="6" class="new-code-bar"/>'
                f'<text x="{CHART_LABEL + 60}" y="16">new code</text>'
            )
        for index, item in enumerate(items):
            parts.append(self._chart_row(item, 26 + index * row, new_items.get(item.item)))
        parts.append("</svg>")
        return '<section id="chart-section"><h2>Checklist</h2>\n' + "\n".join(parts) + "</section>"

    def _chart_row(self, item: ItemScore, y: int, new: float | None) -> str:
        status = item.status if item.status in ("pass", "warn", "fail") else "na"
        width = CHART_BAR if item.score is None else round(CHART_BAR * item.score / 100, 1)
        label = f"{item.title}: {_score_text(item.score)}"
        label += f" ({item.status}, {item.findings} findings)" if item.score is not None else ""
        if new is not None:
            label += f"; new code {new:.1f}"
        score = "n/a" if item.score is None else f"{item.score:.1f} · {item.status}"
        lines = [
            f'<g class="chart-item" data-item="{esc(item.item)}" data-status="{esc(item.status)}">',
            f"<title>{esc(label)}</title>",
            f'<rect class="track" x="0" y="{y - 2}" width="{CHART_WIDTH}" height="{CHART_ROW}"'
            ' fill="transparent"/>',
            f'<text x="{CHART_LABEL - 8}" y="{y + 14}" text-anchor="end">{esc(item.title)}</text>',
            f'<rect class="bar bar-{status}" x="{CHART_LABEL}" y="{y + 2}" width="{width}"'
            ' height="16" rx="2"/>',
            f'<text x="{CHART_LABEL + CHART_BAR + 8}" y="{y + 14}">{esc(score)}</text>',
        ]
        if new is not None:
            new_width = round(CHART_BAR * new / 100, 1)
            lines.append(
                f'<rect class="new-code-bar" x="{CHART_LABEL}" y="{y + 20}" width="{new_width}"'
                ' height="5" rx="1"/>'
            )
        lines.append("</g>")
        return "".join(lines)

    def checklist_table(self) -> str:
        new_items = self.report.new_code.items if self.report.new_code is not None else {}
        heads = ["Checklist item", "Weight", "Score", "Status", "Findings", "Cost (by rule)"]
        if self.has_new_code:
            heads.insert(3, "New code")
        rows = []
        for index, item in enumerate(self.report.score.items):
            costs = ", ".join(f"{code} {cost:g}" for code, cost in item.costs)
            cells = [
                esc(item.title),
                _num(f"{item.weight:g}"),
                _num(_score_text(item.score), -1 if item.score is None else item.score),
                esc(item.status),
                _num(str(item.findings) if item.score is not None else "", item.findings),
                esc(costs),
            ]
            if self.has_new_code:
                new = new_items.get(item.item)
                cells.insert(3, _num(_score_text(new), -1 if new is None else new))
            rows.append(_row(cells, index))
        return (
            "<details><summary>Checklist as a table</summary>\n"
            + _table("checklist-table", heads, rows)
            + "</details>"
        )

    # -- findings ---------------------------------------------------------------------------

    def findings(self) -> str:
        findings = severity_first(self.report.findings)
        severities = [s.value for s in Severity]
        item_options = "".join(
            f'<option value="{esc(item.id)}">{esc(item.title)} ({len(found)})</option>'
            for item, found in self.groups
        )
        severity_options = "".join(f'<option value="{s}">{s}</option>' for s in severities)
        paths = sorted({f.location.path for f in findings if f.location.path})
        datalist = "".join(f'<option value="{esc(p)}">' for p in paths)
        filters = (
            '<div class="filters" id="filters" role="search">'
            '<label>Checklist item <select id="filter-item"><option value="">all</option>'
            f"{item_options}</select></label>"
            '<label>Severity <select id="filter-severity"><option value="">all</option>'
            f"{severity_options}</select></label>"
            '<label>Path <input id="filter-path" type="search" list="finding-paths" '
            f'placeholder="contains…" autocomplete="off"></label><datalist id="finding-paths">'
            f"{datalist}</datalist>"
            '<label><input id="show-suppressed" type="checkbox"> suppressed</label>'
            f'<span id="shown-count" class="muted">{len(self.report.active)} of {len(findings)}'
            " shown</span></div>"
        )
        if not findings:
            cards = '<p id="no-findings">No findings.</p>'
        else:
            cards = "\n".join(self.card(f, index < MAX_FRAMES) for index, f in enumerate(findings))
        return (
            f'<section id="findings-section"><h2>Findings ({len(self.report.active)})</h2>\n'
            f'{filters}\n<div id="findings">\n{cards}\n</div></section>'
        )

    def card(self, finding: Finding, with_frame: bool) -> str:
        rule: RuleMeta | None = self.rules.get(finding.code)
        item = self.item_of.get(id(finding), OTHER_ITEM)
        where = "project" if finding.project_level else location_text(finding.location)
        severity = finding.severity.value
        classes = f"finding sev-{severity}" + (" suppressed" if finding.suppressed else "")
        head = (
            f'<span class="sev">{severity}</span> <b class="code">{esc(finding.code)}</b>'
            + (f" {esc(rule.name)}" if rule else "")
            + f' · <span class="loc mono">{esc(where)}</span>'
            + f" · {esc(finding.confidence.value)} confidence"
            + f' · <span class="item muted">{esc(item.title)}</span>'
        )
        parts = [
            f'<article class="{classes}" data-severity="{severity}" data-item="{esc(item.id)}"'
            f' data-path="{esc(finding.location.path)}" data-code="{esc(finding.code)}"'
            f' data-suppressed="{int(finding.suppressed)}"'
            + (" hidden" if finding.suppressed else "")
            + ">",
            f"<div>{head}</div>",
            f'<p class="msg">{esc(one_line(finding.message))}</p>',
        ]
        if finding.suppressed:
            reason = one_line(finding.suppression_reason) or "no reason given"
            parts.append(f'<p class="muted">suppressed: {esc(reason)}</p>')
        also = other_sources(finding)
        if also:
            parts.append(f'<p class="muted">also reported by {esc(", ".join(also))}</p>')
        if finding.flow:
            steps = "".join(
                f"<li>{esc(one_line(step.message))} <span class='mono muted'>"
                f"{esc(location_text(step.location, column=False))}</span></li>"
                for step in finding.flow
            )
            parts.append(f'<ol class="flow">{steps}</ol>')
        frame = code_frame(self.sources, finding, self.options.context_lines) if with_frame else []
        if frame:
            digits = len(str(frame[-1][0]))
            lines = "".join(
                f"<span{' class=hit' if hit else ''}><i>{number:>{digits}} </i>{esc(text)}</span>"
                for number, hit, text in frame
            )
            parts.append(f'<pre class="frame"><code>{lines}</code></pre>')
        if finding.fix is not None and not finding.redact:
            parts.append(
                '<details><summary>Suggested fix</summary><pre class="frame"><code>'
                f"<span>{esc(finding.fix)}</span></code></pre></details>"
            )
        parts.append("</article>")
        return "".join(parts)

    # -- routes and gaps --------------------------------------------------------------------

    def routes(self) -> str:
        routes = self.report.routes
        if not routes:
            return ""
        rows = []
        for index, route in enumerate(routes):
            values = route_row(route)
            cells = []
            for column in ROUTE_COLUMNS:
                value = values[column]
                cls = ' class="none"' if value == "none" else ""
                cells.append(f"<td{cls}>{esc(value)}</td>")
            rows.append(f'<tr data-index="{index}">' + "".join(cells) + "</tr>")
        coverage = route_coverage_note(self.report)
        note = f'<p class="muted">{esc(coverage)}</p>' if coverage else ""
        return (
            f'<section id="routes-section"><h2>Route inventory ({len(routes)})</h2>\n{note}'
            + _table("routes", list(ROUTE_COLUMNS), rows)
            + "</section>"
        )

    def route_changes(self) -> str:
        found = terminal_lines(self.report.route_changes)
        if not found:
            return ""
        text = "\n".join(esc(line) for line in found)
        return f'<section id="route-changes"><h2>Route changes</h2><pre>{text}</pre></section>'

    def gaps(self) -> str:
        report = self.report
        sections = []
        problems = analyzer_problems(report)
        if problems:
            lines = []
            for run in problems[:MAX_LISTED]:
                line = f"<b>{esc(run.name)}</b>: {esc(run.status)}"
                if run.message.strip():
                    line += f" — {esc(one_line(run.message))}"
                if run.not_covered:
                    shown = ", ".join(run.not_covered[:20])
                    more = len(run.not_covered) - 20
                    line += f"; could not analyze {esc(shown)}" + (
                        f" and {more} more" if more > 0 else ""
                    )
                lines.append(f"<li>{line}</li>")
            sections.append(f"<h2>Analyzer problems</h2><ul>{''.join(lines)}</ul>")
        if report.switched_off:
            lines = [
                f"<li><span class='mono'>{esc(source)}</span>: "
                f"<span class='mono'>{esc(setting)}</span></li>"
                for setting, source in report.switched_off[:MAX_LISTED]
            ]
            sections.append(
                f"<h2>Switched off by the reviewed checkout ({len(report.switched_off)})</h2>"
                f"<ul>{''.join(lines)}</ul>"
            )
        if report.not_reviewed:
            lines = [
                f"<li><span class='mono'>{esc(path)}</span>: {esc(one_line(reason))}</li>"
                for path, reason in report.not_reviewed[:MAX_LISTED]
            ]
            more = len(report.not_reviewed) - MAX_LISTED
            if more > 0:
                lines.append(f"<li>… and {more} more (all in the JSON report)</li>")
            sections.append(
                f"<h2>Not reviewed ({len(report.not_reviewed)})</h2><ul>{''.join(lines)}</ul>"
            )
        if not sections:
            return ""
        return '<section id="gaps">' + "\n".join(sections) + "</section>"


def _num(text: str, key: float | None = None) -> str:
    """A number cell; `key` sorts it (zero-padded, as the script compares text)."""
    sort = f' data-sort="{key:012.3f}"' if key is not None and key >= 0 else ""
    return f'<td class="num"{sort}>{esc(text)}</td>'


def _row(cells: list[str], index: int) -> str:
    wrapped = [c if c.startswith("<td") else f"<td>{c}</td>" for c in cells]
    return f'<tr data-index="{index}">' + "".join(wrapped) + "</tr>"


def _table(table_id: str, heads: list[str], rows: list[str]) -> str:
    """A table whose header buttons sort it (the script); `rows` are finished <tr> elements."""
    head = "".join(f'<th scope="col"><button type="button">{esc(h)}</button></th>' for h in heads)
    return (
        f'<table class="sortable" id="{table_id}"><thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n"
    )
