"""Our semgrep rules: annotated targets pass `semgrep --test`, metadata loads, folder is clean."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from reviewer.analyzers.runner import find_executable
from reviewer.analyzers.semgrep import BASE_FLAGS, ENV, SemgrepAdapter
from reviewer.analyzers.semgrep_rules import (
    SemgrepRuleError,
    load_semgrep_rule_metas,
    rule_files,
)
from reviewer.resources import semgrep_rules_dir

RULES = semgrep_rules_dir()


def _semgrep(*args: str) -> subprocess.CompletedProcess[str]:
    exe = find_executable("semgrep")
    assert exe is not None, "semgrep is a dependency"
    return subprocess.run(
        [exe, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **ENV},
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def test_report() -> dict[str, Any]:
    done = _semgrep("--test", "--json", "--metrics=off", "--disable-version-check", str(RULES))
    assert done.stdout, done.stderr
    return dict(json.loads(done.stdout))


def test_every_rule_file_has_an_annotated_target() -> None:
    files = rule_files(RULES)
    assert len(files) >= 2  # BR204 (JWT) moved to a native rule
    for rule_file in files:
        target = rule_file.with_suffix(".py")
        assert target.is_file(), f"{rule_file} has no test target {target.name}"
        text = target.read_text(encoding="utf-8")
        rule_id = rule_file.stem
        assert f"# ruleid: {rule_id}" in text
        assert f"# ok: {rule_id}" in text


def test_semgrep_test_passes_on_every_pair(test_report: dict[str, Any]) -> None:
    assert test_report["config_missing_tests"] == []
    assert test_report["config_with_errors"] == []
    checked = {}
    for result in test_report["results"].values():
        for rule_id, check in result["checks"].items():
            for target, match in check["matches"].items():
                assert check["passed"], (rule_id, target, match)
                assert match["expected_lines"] == match["reported_lines"]
                checked[rule_id] = len(match["expected_lines"])
    assert set(checked) == {f.stem for f in rule_files(RULES)}
    assert all(count >= 3 for count in checked.values()), checked


def test_whole_folder_is_one_valid_config_and_maps_to_codes() -> None:
    """What the runner does: the folder as one --config, results mapped via metadata.code."""
    targets = sorted(str(p) for p in RULES.rglob("*.py"))
    adapter = SemgrepAdapter(configs=(str(RULES),))
    done = _semgrep(*adapter.argv("semgrep", targets, [])[1:])
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = adapter.parse(done.stdout, done.stderr)
    assert outcome.message == ""
    assert outcome.not_covered == ()
    by_file = {Path(f.location.path).stem: set() for f in outcome.findings}
    for finding in outcome.findings:
        by_file[Path(finding.location.path).stem].add(finding.external_id)
    codes = {m.name: f"semgrep:{m.code}" for m in load_semgrep_rule_metas(RULES)}
    assert by_file == {name: {external_id} for name, external_id in codes.items()}
    assert set(BASE_FLAGS) <= set(adapter.argv("semgrep", [], []))


def test_folder_holds_only_semgrep_rules_and_their_targets() -> None:
    for path in RULES.rglob("*"):
        if path.is_dir():
            continue
        assert path.suffix in (".yaml", ".py"), f"{path}: semgrep rejects a folder with it"
        if path.suffix == ".yaml":
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            assert isinstance(data, dict) and isinstance(data.get("rules"), list), path


def test_metadata_loads_into_rule_metas() -> None:
    metas = load_semgrep_rule_metas(RULES)
    assert [m.code for m in metas] == sorted(m.code for m in metas)
    by_code = {m.code: m for m in metas}
    assert {"BR203", "BR205"} <= set(by_code)
    tls = by_code["BR205"]
    assert tls.name == "tls-verification-disabled"
    assert tls.item == "secrets"
    assert tls.source == "semgrep"
    assert tls.cwe == (295,)
    assert tls.external_ids[0] == "semgrep:BR205"
    assert "bandit:B501" in tls.external_ids
    for meta in metas:
        assert re.search(r"(?m)^## References$", meta.docs)
        assert meta.summary and meta.cwe


GOOD_META = {
    "code": "BR299",
    "name": "x-rule",
    "item": "secrets",
    "severity": "high",
    "confidence": "low",
    "cwe": [1],
    "summary": "s",
    "docs": "\n".join(
        f"## {s}\ntext"
        for s in ("What it does", "Why is this bad", "Example", "Use instead", "References")
    ),
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": "X1"}, "not BR + three digits"),
        ({"name": "other-name"}, "kebab-case rule id"),
        ({"item": "security"}, "not a checklist item"),
        ({"severity": "bad"}, "unknown severity"),
        ({"cwe": ["CWE-1"]}, "list of integers"),
        ({"external_ids": ["B501"]}, "'tool:id' strings"),
        ({"docs": "## What it does\nonly"}, "lacks section(s) Why is this bad"),
        ({"summary": ""}, "metadata.summary"),
    ],
)
def test_bad_metadata_is_rejected(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    rule = {
        "id": "x-rule",
        "languages": ["python"],
        "severity": "ERROR",
        "message": "m",
        "pattern": "f()",
        "metadata": {**GOOD_META, **change},
    }
    (tmp_path / "x-rule.yaml").write_text(yaml.safe_dump({"rules": [rule]}))
    with pytest.raises(SemgrepRuleError) as info:
        load_semgrep_rule_metas(tmp_path)
    assert message in str(info.value)
    assert "x-rule.yaml" in str(info.value)


def test_duplicate_codes_are_rejected(tmp_path: Path) -> None:
    for name in ("a-rule", "b-rule"):
        rule = {"id": name, "metadata": {**GOOD_META, "name": name}}
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump({"rules": [rule]}))
    with pytest.raises(SemgrepRuleError, match="BR299 is also used"):
        load_semgrep_rule_metas(tmp_path)
