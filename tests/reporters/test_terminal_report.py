"""Terminal report: colour rules, width stability and tolerance of odd source files."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reviewer.model import Report
from reviewer.reporters import RenderOptions, terminal
from reviewer.scoring import ChecklistItem

ESC = "\x1b["


def test_no_color_env_means_no_escape_sequences(
    report: Report, checklist: tuple[ChecklistItem, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")  # NO_COLOR wins
    text = terminal.render(report, checklist)
    assert ESC not in text
    assert "SQL injection" in text


def test_force_color_and_explicit_color_emit_ansi(
    report: Report, checklist: tuple[ChecklistItem, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert ESC in terminal.render(report, checklist, RenderOptions(width=100))
    monkeypatch.delenv("FORCE_COLOR")
    assert ESC in terminal.render(report, checklist, RenderOptions(color=True, width=100))


def test_non_tty_defaults_to_plain_text_at_width_100(
    report: Report, checklist: tuple[ChecklistItem, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "40")  # ignored when not on a TTY
    text = terminal.render(report, checklist)  # pytest captures stdout: not a TTY
    assert ESC not in text
    body = text.rstrip().splitlines()[:-1]  # the closing summary line is never wrapped
    assert max(len(line) for line in body) <= 100
    assert any(len(line) > 90 for line in body)
    assert text == terminal.render(report, checklist, RenderOptions(color=False, width=100))


def test_sections_sources_flow_and_code_frame(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    text = terminal.render(report, checklist, RenderOptions(color=False))
    lines = text.splitlines()
    assert lines[1].startswith("Score 68.4/100")
    assert "also reported by bandit:B608, ruff:S608" in text
    assert 'flow: request.args.get("q") (app/views.py:12) → db.find_orders(term)' in text
    assert " > 11 │     return conn.execute(sql).fetchall()" in lines
    order = [
        text.index(h) for h in ("Top findings", "Suppressed (1)", "Analyzers", "Not reviewed (1)")
    ]
    assert order == sorted(order)
    assert "semgrep  1.185.0  timeout  no result within 120 s" in text
    assert "legacy/broken.py · syntax error: unexpected indent (line 3)" in text
    assert "BR201 app/config.py:7:5 · test-only key" in text


def test_odd_sources_are_tolerated(report: Report, checklist: tuple[ChecklistItem, ...]) -> None:
    text = terminal.render(report, checklist, RenderOptions(color=False))
    # missing file: the finding is shown without a frame
    removed = text.index("BR702 internal-error-exposed · app/removed.py:3:5")
    assert "│" not in text[removed : text.index("\n\n", removed)]
    # undecodable bytes are replaced and the escape sequence in the source is neutralised
    assert ' > 5 │     print("report[31m done")' in text.splitlines()
    assert "\x1b" not in text
    # a target that does not exist at all still renders
    gone = terminal.render(
        replace(report, target="/nonexistent/x"), checklist, RenderOptions(color=False)
    )
    assert "BR101 sql-injection" in gone and "│" not in gone


def test_clean_report_says_so(report: Report, checklist: tuple[ChecklistItem, ...]) -> None:
    clean = replace(report, findings=(), analyzers=(), not_reviewed=())
    text = terminal.render(clean, checklist, RenderOptions(color=False))
    assert "0 findings" in text and "Suppressed" not in text and "Not reviewed" not in text


def test_worst_first_then_the_rest_one_line_per_finding(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    text = terminal.render(report, checklist, RenderOptions(color=False, top=2))
    top = text[text.index("Top findings") : text.index("\n\n ", text.index("Top findings"))]
    assert "CRITICAL  BR101" in top  # the worst finding opens the list
    after_top = text[text.index("HIGH  BR201") :]
    # the third finding by severity is no longer shown in full: one line under its item
    assert "HIGH  BR601 blocking-call-in-async" not in after_top
    assert "  high    BR601 app/views.py:27:5 time.sleep() blocks the event loop" in text
    assert text.count("BR101 sql-injection") == 1  # a top finding is not repeated below
    assert text.rstrip().splitlines()[-1].startswith("Score 68.4/100 · ")


def test_long_item_lists_are_cut_and_counted(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    many = tuple(
        replace(report.findings[0], location=replace(report.findings[0].location, line=n))
        for n in range(1, 1 + terminal.ITEM_LINES + 5)
    )
    crowded = replace(report, findings=many)
    text = terminal.render(crowded, checklist, RenderOptions(color=False, top=0))
    assert "… and 5 more (every finding: --format concise or json)" in text
    assert "Top findings" not in text


def test_summary_line_carries_the_gate(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    options = RenderOptions(color=False, gate="gate failed: score 68.4 below 80 (--fail-under)")
    last = terminal.render(report, checklist, options).rstrip().splitlines()[-1]
    assert last.startswith("Score 68.4/100 · gate failed: score 68.4 below 80 (--fail-under) · ")
