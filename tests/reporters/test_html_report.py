"""The HTML report without a browser: hostile text is escaped, the page needs no network, the
embedded JSON is the JSON report, the script the CSP allows is the one on the page, and a diff
run shows its new-code score. tests/reporters/test_html_browser.py drives it in Chromium."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

from reviewer.model import DiffSummary, Location, NewCodeScore, Report
from reviewer.reporters import RenderOptions, render_report
from reviewer.reporters.html import embed_json
from reviewer.scoring import ChecklistItem
from reviewer.service import Guard

SCRIPT = "</script><script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
DATA = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.S)


class _Tags(HTMLParser):
    """Every start tag of a page as a browser's tokenizer sees it: (tag, attribute names)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, set[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name for name, _ in attrs}))


def tags(page: str) -> list[tuple[str, set[str]]]:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser.tags


def _hostile(report: Report, root: Path) -> Report:
    """The sample report with a finding, a source line and a route full of markup."""
    name = f"app/{SCRIPT}.py"
    path = root / "service" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"x = 1\nrun('{SCRIPT}')  # {IMG}\ny = 2\n", encoding="utf-8")
    first = next(f for f in report.findings if not f.project_level and not f.suppressed)
    bad = replace(
        first,
        message=f"message {SCRIPT} & {IMG}",
        location=Location(name, 2, 1, 2, 10),
        scope=SCRIPT,
    )
    route = replace(
        report.routes[0],
        path=f"/x/{IMG}",
        handler=SCRIPT,
        auth=(Guard(SCRIPT, "authentication", "route"),),
    )
    return replace(
        report,
        findings=tuple(bad if f is first else f for f in report.findings),
        routes=(route, *report.routes[1:]),
        not_reviewed=((f"legacy/{SCRIPT}", IMG),),
        switched_off=((SCRIPT, IMG),),
    )


def test_hostile_text_is_escaped_everywhere(
    report: Report, checklist: tuple[ChecklistItem, ...], sample_root: Path
) -> None:
    hostile = _hostile(report, sample_root)
    page = render_report("html", hostile, checklist)
    assert SCRIPT not in page and IMG not in page and "<img" not in page
    # exactly the page's own two script elements: the data and the code
    assert page.count("<script") == 2 and page.count("</script>") == 2
    found = tags(page)
    assert [t for t, _ in found if t == "script"] == ["script", "script"]
    assert "img" not in {t for t, _ in found}
    assert not [(t, a) for t, a in found for name in a if name.startswith("on") or name == "src"]
    escaped = html.escape(SCRIPT)
    assert f"message {escaped} &amp; {html.escape(IMG)}" in page  # the message
    assert f'data-path="app/{escaped}.py"' in page  # the filter attribute
    assert f"run(&#x27;{escaped}&#x27;)" in page  # the code frame's source line
    assert f"/x/{html.escape(IMG)}" in page  # the route table
    assert f"legacy/{escaped}" in page  # not reviewed


def test_the_embedded_data_is_the_json_report_and_cannot_close_its_element(
    report: Report, checklist: tuple[ChecklistItem, ...], sample_root: Path
) -> None:
    hostile = _hostile(report, sample_root)
    page = render_report("html", hostile, checklist)
    [data] = DATA.findall(page)
    assert "<" not in data and ">" not in data and "&" not in data
    assert json.loads(data) == json.loads(render_report("json", hostile, checklist))
    assert json.loads(embed_json({"a": "</script>\u2028&"})) == {"a": "</script>\u2028&"}


def test_the_page_loads_nothing_and_its_csp_allows_only_its_own_script_and_style(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    page = render_report("html", report, checklist)
    assert not re.search(r"\s(src|href|action|srcset)\s*=", page, re.I)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert "<iframe" not in page and "<object" not in page
    [csp] = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    [code] = re.findall(r"<script>(.*?)</script>", page, re.S)
    [style] = re.findall(r"<style>(.*?)</style>", page, re.S)
    for text, directive in ((code, "script-src"), (style, "style-src")):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp
    # no inline event handler: the CSP would block it, and none is needed
    assert not [(t, a) for t, a in tags(page) for name in a if name.startswith("on")]


def test_every_finding_and_route_is_on_the_page_with_its_filter_keys(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    page = render_report("html", report, checklist, RenderOptions())
    cards = re.findall(
        r'<article class="finding[^"]*" data-severity="(\w+)" data-item="([^"]*)"', page
    )
    assert len(cards) == len(report.findings)
    rules = {rule.code: rule.item for rule in report.rules}
    assert sorted(cards) == sorted((f.severity.value, rules[f.code]) for f in report.findings)
    assert page.count(" hidden>") == len(report.findings) - len(report.active)  # suppressed
    assert page.count('class="chart-item"') == len(report.score.items)
    assert page.count("<tr data-index=") == len(report.routes) + len(report.score.items)
    assert render_report("html", report, checklist) == page  # deterministic


def test_a_diff_run_shows_the_new_code_score(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    plain = render_report("html", report, checklist)
    assert 'id="new-code-score"' not in plain and 'class="new-code-bar"' not in plain
    on_diff = replace(
        report,
        new_code=NewCodeScore(72.5, {"sql-injection": 40.0, "secrets": 100.0}),
        diff=DiffSummary("origin/main", "added", 3, 4),
    )
    page = render_report("html", on_diff, checklist)
    assert re.search(r'id="new-code-score" class="score-warn">72.5</b>', page)
    assert "4 outside the change (added vs origin/main)" in page
    # one thin bar per item the new code scores, plus the legend's
    assert page.count('class="new-code-bar"') == 2 + 1
    assert 'width="168.0" height="5"' in page  # 40 of 100 on a 420 px bar
