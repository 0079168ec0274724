"""The opt-in code-quality section, through the real CLI and ruff: style findings (TRY400,
B904, LOG015...) are neither reported nor scored by default, `--select` brings them in, and
they never move the score."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import run_reviewer

from reviewer.analyzers.policy import load_policy
from reviewer.resources import external_policy_file

REPO = Path(__file__).resolve().parent.parent
# ruff reports TRY400 (error instead of exception), B904 (raise without from) and LOG015 (root
# logger call) here; the SQL string built from the argument is BR101, a checklist concern.
APP = """\
import logging
import sqlite3


def load(name: str) -> list[tuple[str, ...]]:
    db = sqlite3.connect("app.db")
    try:
        return db.execute(f"SELECT * FROM t WHERE name = '{name}'").fetchall()
    except sqlite3.Error as exc:
        logging.error("query failed")
        raise RuntimeError("query failed") from None if name else RuntimeError(str(exc))


def parse(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise KeyError(value)
"""
QUALITY = {"ruff:TRY400", "ruff:B904", "ruff:LOG015"}


def review(target: Path, *args: str) -> dict:
    result = run_reviewer(str(target), "--no-cache", "-q", "-f", "json", *args, cwd=REPO)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("quality")
    (root / "app.py").write_text(APP)
    (root / ".backend-review.yml").write_text("analyzers: {semgrep: false, bandit: false}\n")
    return root


def codes(report: dict) -> set[str]:
    return {f["code"] for f in report["findings"]}


def test_style_findings_are_out_of_the_default_report(service: Path) -> None:
    report = review(service)
    assert "BR101" in codes(report)
    assert not codes(report) & QUALITY
    assert not {r["code"] for r in report["rules"]} & QUALITY


@pytest.mark.parametrize("selector", ["BR,code-quality", "ruff:TRY,ruff:B904,ruff:LOG,BR", "ALL"])
def test_select_brings_them_in_without_moving_the_score(service: Path, selector: str) -> None:
    default = review(service)
    selected = review(service, "--select", selector)
    assert codes(selected) >= QUALITY
    assert selected["score"] == default["score"]
    rules = {r["code"]: r for r in selected["rules"]}
    assert {rules[c]["item"] for c in QUALITY} == {"code-quality"}
    assert not any(rules[c]["scored"] for c in QUALITY)


def test_select_of_one_code_brings_only_that_one(service: Path) -> None:
    assert codes(review(service, "--select", "ruff:B904")) == {"ruff:B904"}


def test_terminal_shows_them_only_when_selected(service: Path) -> None:
    plain = run_reviewer(str(service), "--no-cache", "-q", cwd=REPO)
    chosen = run_reviewer(str(service), "--no-cache", "-q", "--select", "BR,code-quality", cwd=REPO)
    assert "Code quality" not in plain.stdout and "B904" not in plain.stdout
    assert "ruff:B904" in chosen.stdout and "ruff:TRY400" in chosen.stdout


def test_explain_says_why_a_code_is_out_of_the_checklist() -> None:
    result = run_reviewer("explain", "ruff:B904", cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "not a checklist concern" in result.stdout


def test_every_shipped_entry_says_why_it_is_in_or_out() -> None:
    policy = load_policy(external_policy_file())
    assert sorted(k for k, why in policy.reasons.items() if len(why) < 8) == []
    assert set(policy.reasons) == set(policy.entries)
    assert policy.opt_in_ids() >= QUALITY
    # the checklist concerns stay in: a security port, blocking I/O, print, mass assignment
    for kept in ("ruff:S608", "ruff:ASYNC251", "ruff:T201", "ruff:DJ007", "ruff:BLE001"):
        assert kept not in policy.opt_in_ids()
