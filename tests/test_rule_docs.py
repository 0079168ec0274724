"""Rule pages under docs/rules/ (SARIF helpUri) and the SARIF the real CLI writes: every rule
linked to its page, valid against the SARIF 2.1.0 contract schema, and honest about what was
not done (analyzer failures, the checkout's own switch-offs) in the invocation."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
from cli_runner import run_reviewer

from reviewer.catalogue import rule_pages
from reviewer.reporters.sarif import RULE_DOCS_URI

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "rules"

VIEWS = """\
import sqlite3


def search(name):
    conn = sqlite3.connect("x.db")
    return conn.execute("SELECT * FROM t WHERE name = '" + name + "'").fetchall()


def debug():
    print("debug")
"""


def test_the_rule_pages_are_current() -> None:
    pages = rule_pages()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    assert on_disk == pages, "docs/rules is stale: run `python -m reviewer.catalogue --update-docs`"
    assert "## What it does" in pages["BR101.md"]


def sarif_of(tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "out.sarif"
    result = run_reviewer(
        str(tmp_path / "repo" / "svc"), "-q", "--no-cache", "-f", "sarif", "-o", str(out), *args
    )
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def make_repo(tmp_path: Path, config: str) -> None:
    svc = tmp_path / "repo" / "svc"
    svc.mkdir(parents=True)
    (svc / "views.py").write_text(VIEWS, encoding="utf-8")
    (tmp_path / "repo" / ".backend-review.yml").write_text(config, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)


def validate(log: dict[str, Any], contracts: Path) -> None:
    schema = json.loads((contracts / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(log), key=str)
    assert not errors, errors[0].message


def test_cli_sarif_links_rules_and_reports_switch_offs(tmp_path: Path, contracts: Path) -> None:
    # the config sits at the repository root, above the target: found by discovery
    make_repo(tmp_path, "ignore: [BR802]\nanalyzers: {semgrep: false}\n")
    log = sarif_of(tmp_path)
    validate(log, contracts)
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert {r["ruleId"] for r in run["results"]} >= {"BR101"}
    assert "BR802" not in {r["ruleId"] for r in run["results"]}
    for rule in rules:
        assert rule["helpUri"] == f"{RULE_DOCS_URI}{rule['id']}.md"
        assert (DOCS / f"{rule['id']}.md").is_file(), rule["id"]
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    switched = [n for n in notes if n["descriptor"]["id"] == "config-switched-off"]
    texts = sorted(n["message"]["text"] for n in switched)
    assert texts == [
        "switched off by the reviewed checkout (.backend-review.yml): analyzers: {semgrep: False}",
        "switched off by the reviewed checkout (.backend-review.yml): ignore: [BR802]",
    ]
    sql = next(r for r in run["results"] if r["ruleId"] == "BR101")
    region = sql["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 6 and region["endLine"] == 6 and region["endColumn"] > 1


def test_a_failing_analyzer_makes_the_invocation_unsuccessful(
    tmp_path: Path, contracts: Path
) -> None:
    make_repo(tmp_path, "analyzers: {semgrep: false}\n")
    ours = tmp_path / "ours.yml"  # outside the checkout: raw flags are the caller's choice
    ours.write_text("analyzers:\n  semgrep: false\n  ruff: {args: [--no-such-flag]}\n")
    log = sarif_of(tmp_path, "--config", str(ours))
    validate(log, contracts)
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    failed = [
        n
        for n in invocation["toolExecutionNotifications"]
        if n["descriptor"]["id"] == "analyzer-failed"
    ]
    assert failed and failed[0]["message"]["text"].startswith("ruff failed")
    assert failed[0]["level"] == "error"
    # the failure is a notification, not a result located at "."
    for result in log["runs"][0]["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri not in {".", ""}
