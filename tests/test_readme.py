"""The README's rule catalogue is generated from the registry and must not go stale."""

from __future__ import annotations

from pathlib import Path

from reviewer.catalogue import README_BEGIN, README_END, render_catalogue

REPO = Path(__file__).resolve().parent.parent


def test_readme_rule_catalogue_is_current() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(README_BEGIN) + len(README_BEGIN)
    end = text.index(README_END)
    assert text[start:end].strip() == render_catalogue("markdown").strip(), (
        "README rule catalogue is stale: run `python -m reviewer.catalogue --update-readme`"
    )


def test_readme_taint_table_is_the_generated_one() -> None:
    """The README copies docs/taint-accuracy.md's table, between the markers that
    benchmarks/taint_accuracy.py rewrites."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    begin, end = "<!-- taint-accuracy:begin -->", "<!-- taint-accuracy:end -->"
    assert readme.count(begin) == 1 and readme.count(end) == 1
    assert readme.index(begin) < readme.index(end)
    doc = (REPO / "docs" / "taint-accuracy.md").read_text(encoding="utf-8")
    table = "\n".join(line for line in doc.splitlines() if line.startswith("|"))
    assert table in readme, "copy docs/taint-accuracy.md's table into the README"
