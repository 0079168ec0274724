"""rules/external.yaml: complete for every id our analyzers can report, and validated."""

from __future__ import annotations

import json
import re
import subprocess
import warnings
from pathlib import Path

import pytest
import yaml

from reviewer.analyzers.policy import (
    CHECKLIST_ITEMS,
    PolicyEntry,
    PolicyError,
    load_policy,
    parse_policy,
)
from reviewer.analyzers.ruff import SELECTION
from reviewer.analyzers.runner import find_executable
from reviewer.model import Severity
from reviewer.resources import external_policy_file, rules_dir


def _selects(selector: str, code: str) -> bool:
    """ruff's rule selectors: "S" selects S101 but not SIM101 (a different linter)."""
    letters = re.match(r"[A-Z]+", code)
    return code.startswith(selector) and letters is not None and selector.startswith(letters[0])


@pytest.fixture(scope="module")
def shipped() -> dict[str, PolicyEntry | None]:
    return dict(load_policy(external_policy_file()).entries)


def test_every_installed_bandit_test_has_a_policy(shipped: dict[str, PolicyEntry | None]) -> None:
    with warnings.catch_warnings():  # stevedore warns about an argument bandit still passes
        warnings.simplefilter("ignore")
        from bandit.core import extension_loader
    manager = extension_loader.MANAGER
    ids = set(manager.plugins_by_id) | set(manager.blacklist_by_id)
    assert len(ids) > 60
    assert sorted(f"bandit:{i}" for i in ids if f"bandit:{i}" not in shipped) == []


def test_every_stable_ruff_code_we_select_has_a_policy(
    shipped: dict[str, PolicyEntry | None],
) -> None:
    ruff = find_executable("ruff")
    assert ruff is not None
    out = subprocess.run(
        [ruff, "rule", "--all", "--output-format", "json"], capture_output=True, check=True
    ).stdout
    selected = {
        rule["code"]
        for rule in json.loads(out)
        if rule.get("code")
        and not rule.get("preview")
        and any(_selects(prefix, rule["code"]) for prefix in SELECTION)
    }
    assert {"S608", "ASYNC251", "BLE001", "T201", "E722", "RUF006"} <= selected
    assert sorted(c for c in selected if f"ruff:{c}" not in shipped) == []


def test_items_are_the_checklist_items() -> None:
    checklist = yaml.safe_load((rules_dir() / "checklist.yaml").read_text(encoding="utf-8"))
    ids = {item["id"] for item in checklist["items"]}
    assert ids >= CHECKLIST_ITEMS


def test_lookup(shipped: dict[str, PolicyEntry | None]) -> None:
    policy = load_policy(external_policy_file())
    assert policy.lookup("bandit:B101") is None
    assert policy.lookup("ruff:S602") == PolicyEntry("injection", Severity.HIGH)
    assert policy.lookup("bandit:B608") == PolicyEntry("sql-injection", Severity.MEDIUM)
    assert policy.lookup("semgrep:some.user.rule") == policy.default
    assert "bandit:B101" in policy.dropped_ids()
    assert "bandit:B602" not in policy.dropped_ids()
    skippable = policy.skippable_ids({"bandit:B101", "ruff:S602"})
    assert "bandit:B101" not in skippable  # a rule claims it: keep running it
    assert {"bandit:B104", "ruff:S101"} <= skippable
    assert "ruff:S602" not in skippable


def test_default_drop_and_no_severity() -> None:
    policy = parse_policy(
        {"version": 1, "default": "drop", "ids": {"ruff:T201": {"item": "logging"}}}
    )
    assert policy.lookup("ruff:E501") is None
    assert policy.lookup("ruff:T201") == PolicyEntry("logging", None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "expected a mapping"),
        ("version: 2\nids: {}", "`version` must be 1"),
        ("version: 1\nextra: 1", "unknown key"),
        ("version: 1\nids: {bandit:B1: keep}", "ids.bandit:B1: expected `drop`"),
        ("version: 1\nids: {'flake8:X1': drop}", "ids.flake8:X1"),
        ("version: 1\nids: {'ruff:S1': {item: sql}}", "ids.ruff:S1: unknown checklist item 'sql'"),
        ("version: 1\nids: {'ruff:S1': {item: logging, severity: huge}}", "unknown severity"),
        ("version: 1\nids: {'ruff:S1': {item: logging, sev: low}}", "unknown key(s) sev"),
        ("version: 1\ndefault: {item: nope}", "default: unknown checklist item"),
        ("version: 1\nids: [a]", "`ids` must be a mapping"),
        ("version: 1\nids: {a: [", "cannot read"),
    ],
)
def test_bad_policy_files_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    file = tmp_path / "external.yaml"
    file.write_text(text)
    with pytest.raises(PolicyError) as info:
        load_policy(file)
    assert message in str(info.value)
    assert str(file) in str(info.value)
