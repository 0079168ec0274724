"""Markdown PR summary: marker, score, checklist, links, gaps and the size budget."""

from __future__ import annotations

from dataclasses import replace

from reporter_sample import APPLICABLE, RULES

from reviewer.model import Confidence, Finding, Location, Report, Severity
from reviewer.reporters import RenderOptions, markdown
from reviewer.scoring import ChecklistItem, score


def test_marker_score_and_table(report: Report, checklist: tuple[ChecklistItem, ...]) -> None:
    text = markdown.render(report, checklist)
    lines = text.splitlines()
    assert lines[0] == "<!-- backend-review:summary -->"
    assert "## ❌ backend-review score: 68.4 / 100" in lines
    assert "| SQL injection | 36.8 | ❌ fail | 1 |" in lines
    assert "| Data access | — | \u2796 n/a |  |" in lines
    assert "| Types | 98.5 | ⚠️ warn | 1 |" in lines


def test_top_findings_link_and_escape(report: Report, checklist: tuple[ChecklistItem, ...]) -> None:
    text = markdown.render(report, checklist, RenderOptions(max_findings=3))
    top = text[text.index("### Top findings") : text.index("### ⚠️")]
    assert "### Top findings (3 of 9)" in top  # the BR901 reviewer note is not a top finding
    assert "[app/db.py:11](app/db.py#L11)" in top
    assert "also reported by bandit:B608, ruff:S608" in top
    assert "BR805" not in top
    assert "Exception caught and ignored \\| nothing logged" in text
    assert "&lt;b&gt;500&lt;/b&gt;" in text and "<b>500" not in text
    linked = markdown.render(report, checklist, RenderOptions(link_base="https://x/blob/abc/svc/"))
    assert "[app/db.py:11](https://x/blob/abc/svc/app/db.py#L11)" in linked


def test_gaps_and_details(report: Report, checklist: tuple[ChecklistItem, ...]) -> None:
    text = markdown.render(report, checklist)
    assert "- **semgrep**: timeout — no result within 120 s" in text
    assert "could not analyze `app/latin1.py`" in text
    assert "- `legacy/broken.py`: syntax error: unexpected indent (line 3)" in text
    assert "<details><summary>All findings by checklist item (11)</summary>" in text
    assert "suppressed: test-only key" in text
    assert 'flow: request.args.get("q") (`app/views.py:12`)' in text
    # all findings, suppressed findings, and the route inventory (real Routes since the
    # sample stopped using a stand-in the reporter could not show)
    assert text.count("<details>") == text.count("</details>") == 3
    assert "<details><summary>Route inventory (3)</summary>" in text


def test_clean_report(report: Report, checklist: tuple[ChecklistItem, ...]) -> None:
    rules = {rule.code: rule for rule in RULES}
    clean = replace(
        report,
        findings=(),
        analyzers=(),
        not_reviewed=(),
        routes=(),
        score=score((), rules, checklist, APPLICABLE),
    )
    text = markdown.render(clean, checklist)
    assert "## ✅ backend-review score: 100.0 / 100" in text
    assert "No findings." in text and "<details>" not in text


def test_huge_reports_stay_under_the_budget(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    many = tuple(
        Finding("BR805", f"Handler number {i} has no annotations " + "x" * 200,
                Location(f"app/module_{i:04d}.py", i + 1), Severity.LOW, Confidence.LOW)
        for i in range(3000)
    )  # fmt: skip
    big = replace(report, findings=many)
    text = markdown.render(big, checklist)
    assert len(text) <= 65_000
    assert text.startswith("<!-- backend-review:summary -->")
    assert "findings are listed; see the full report." in text
    assert text.count("<details>") == text.count("</details>")
    tiny = markdown.render(big, checklist, RenderOptions(max_chars=2_000))
    assert len(tiny) <= 2_000 and "cut to fit" in tiny
