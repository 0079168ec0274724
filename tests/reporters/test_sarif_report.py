"""SARIF: valid against the OASIS schema and meeting GitHub code scanning's extra rules."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from reporter_sample import RULES

from reviewer.model import Confidence, Finding, Location, Report, RuleMeta, Score, Severity
from reviewer.reporters import RenderOptions, sarif
from reviewer.reporters.linehash import line_hashes
from reviewer.scoring import ChecklistItem

SECURITY_SEVERITY = re.compile(r"^(10\.0|[0-9]\.[0-9])$")


@pytest.fixture(scope="module")
def validator(contracts: Path) -> jsonschema.Draft4Validator:
    schema = json.loads((contracts / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def render(report: Report, checklist: tuple[ChecklistItem, ...], **kw: Any) -> dict[str, Any]:
    return json.loads(sarif.render(report, checklist, RenderOptions(**kw)))  # type: ignore[no-any-return]


def assert_github_ready(log: dict[str, Any], validator: jsonschema.Draft4Validator) -> None:
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, errors[0].message
    assert log["version"] == "2.1.0" and log["$schema"]
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "backend-review" and driver["rules"]
    for rule in driver["rules"]:
        assert re.fullmatch(r"BR\d{3}", rule["id"]), rule["id"]
        for key in ("shortDescription", "fullDescription"):
            assert 0 < len(rule[key]["text"]) <= 1024
        assert rule["help"]["text"].strip() and rule["help"]["markdown"].strip()
        assert len(rule["name"]) <= 255
        assert rule["defaultConfiguration"]["level"] in {"note", "warning", "error"}
        props = rule["properties"]
        assert len(props["tags"]) <= 10
        assert props["precision"] in {"very-high", "high", "medium", "low"}
        if "security-severity" in props:
            value = props["security-severity"]
            assert isinstance(value, str) and SECURITY_SEVERITY.match(value)
            assert 0.0 < float(value) <= 10.0
            assert "security" in props["tags"]
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids))
    assert len(run["results"]) <= 25_000
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["message"]["text"].strip()
        assert len(result["locations"]) == 1
        physical = result["locations"][0]["physicalLocation"]
        assert not physical["artifactLocation"]["uri"].startswith("/")
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert physical["region"]["startLine"] >= 1
        assert result["partialFingerprints"]
        assert all(isinstance(v, str) and v for v in result["partialFingerprints"].values())


def test_sample_report_is_valid_and_github_ready(
    report: Report, checklist: tuple[ChecklistItem, ...], validator: jsonschema.Draft4Validator
) -> None:
    assert_github_ready(render(report, checklist, category="backend-review"), validator)


def test_validator_rejects_a_broken_log(
    report: Report, checklist: tuple[ChecklistItem, ...], validator: jsonschema.Draft4Validator
) -> None:
    log = render(report, checklist)
    log["runs"][0]["results"][0]["level"] = "critical"
    assert list(validator.iter_errors(log))


def test_rules_carry_tags_severity_and_precision(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    rules = {r["id"]: r for r in render(report, checklist)["runs"][0]["tool"]["driver"]["rules"]}
    sql = rules["BR101"]["properties"]
    assert sql["tags"] == ["security", "sql-injection", "external/cwe/cwe-089"]
    assert sql["security-severity"] == "9.5"
    assert sql["precision"] == "high"
    assert rules["BR201"]["properties"]["security-severity"] == "8.0"
    assert rules["BR803"]["properties"]["security-severity"] == "5.5"
    assert rules["BR301"]["properties"]["precision"] == "medium"
    # not a security item: no security tag, no security-severity
    assert "security-severity" not in rules["BR601"]["properties"]
    assert "security" not in rules["BR601"]["properties"]["tags"]
    assert rules["BR101"]["fullDescription"]["text"].startswith("Finds SQL text built")
    assert "## Use instead" in rules["BR101"]["help"]["markdown"]


def test_results_locations_fingerprints_flows_and_suppressions(
    report: Report, checklist: tuple[ChecklistItem, ...], sample_root: Path
) -> None:
    run = render(report, checklist, srcroot=str(sample_root))["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == sample_root.as_uri() + "/"
    results = {
        (r["ruleId"], r["partialFingerprints"]["backendReview/v1"]): r for r in run["results"]
    }
    sql = results[("BR101", "3f1c9a7be2d04c55")]
    physical = sql["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "service/app/db.py"
    assert physical["region"] == {"startLine": 11, "startColumn": 5, "endLine": 11, "endColumn": 40}
    text = (sample_root / "service/app/db.py").read_text(encoding="utf-8")
    assert sql["partialFingerprints"]["primaryLocationLineHash"] == line_hashes(text)[11]
    steps = sql["codeFlows"][0]["threadFlows"][0]["locations"]
    messages = [s["location"]["message"]["text"] for s in steps]
    assert messages == ['request.args.get("q")', "db.find_orders(term)", "f-string with term",
                        "conn.execute(sql)"]  # fmt: skip
    assert sql["properties"]["alsoReportedBy"] == ["bandit:B608", "ruff:S608"]
    assert sql["level"] == "error"

    suppressed = results[("BR201", "5b0f3c8d2a6e4f10")]
    assert suppressed["suppressions"] == [{"kind": "inSource", "justification": "test-only key"}]
    assert "suppressions" not in results[("BR201", "9d2e11aa0b7c4e21")]

    project = results[("BR803", "c0ffee00ddba11ad")]
    region = project["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 1 and project["properties"]["projectLevel"] is True
    # a file that does not exist still gets a location, only without GitHub's line hash
    missing = results[("BR702", "abad1deaabad1dea")]
    assert "primaryLocationLineHash" not in missing["partialFingerprints"]
    # the undecodable file is hashed after replacement decoding, as codeql-action does
    assert (
        "primaryLocationLineHash" in results[("BR802", "1234abcd5678ef90")]["partialFingerprints"]
    )


def test_invocation_reports_analyzer_failures_and_unreviewed_files(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    [invocation] = render(report, checklist)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False  # semgrep timed out
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert "semgrep timeout: no result within 120 s" in texts
    assert any("not reviewed: syntax error" in t for t in texts)
    assert any(t == "ruff could not analyze this file" for t in texts)
    ok = replace(report, analyzers=(), not_reviewed=())
    [clean] = render(ok, checklist)["runs"][0]["invocations"]
    assert clean == {"executionSuccessful": True, "toolExecutionNotifications": []}


def test_category_becomes_automation_details(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    assert "automationDetails" not in render(report, checklist)["runs"][0]
    run = render(report, checklist, category="backend-review/python")["runs"][0]
    assert run["automationDetails"] == {"id": "backend-review/python/"}


def test_uris_are_relative_to_the_git_root(
    report: Report, checklist: tuple[ChecklistItem, ...], tmp_path: Path
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "services" / "orders").mkdir(parents=True)
    moved = replace(report, target=str(tmp_path / "services" / "orders"))
    run = render(moved, checklist)["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert "services/orders/app/db.py" in uris


def test_many_cwes_are_capped_at_ten_tags(
    report: Report, checklist: tuple[ChecklistItem, ...], validator: jsonschema.Draft4Validator
) -> None:
    noisy = replace(RULES[0], cwe=tuple(range(20, 40)), summary="x" * 2000)
    log = render(replace(report, rules=(noisy, *RULES[1:])), checklist)
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert len(rule["properties"]["tags"]) == 10
    assert len(rule["shortDescription"]["text"]) == 1024
    assert_github_ready(log, validator)


def test_results_are_capped_worst_first(
    report: Report, checklist: tuple[ChecklistItem, ...], validator: jsonschema.Draft4Validator
) -> None:
    def finding(i: int, severity: Severity) -> Finding:
        return Finding(
            "BR805", f"finding {i}", Location("app/views.py", 1 + i % 28), severity,
            Confidence.HIGH, fingerprint=f"{i:032x}",
        )  # fmt: skip

    findings = [finding(i, Severity.LOW) for i in range(25_000)]
    findings.append(finding(99_999, Severity.CRITICAL))
    big = replace(report, findings=tuple(sorted(findings, key=lambda f: f.sort_key)))
    run = render(big, checklist)["runs"][0]
    assert len(run["results"]) == 25_000
    assert any(r["message"]["text"] == "finding 99999" for r in run["results"])
    texts = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("25001 results found" in t for t in texts)


def test_unknown_rule_codes_get_a_descriptor(
    report: Report, checklist: tuple[ChecklistItem, ...], validator: jsonschema.Draft4Validator
) -> None:
    stray = Finding("BR999", "odd", Location("app/db.py", 2), Severity.INFO, Confidence.LOW)
    log = render(replace(report, findings=(*report.findings, stray)), checklist)
    assert_github_ready(log, validator)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[-1]["id"] == "BR999"


def test_rule_without_docs_still_has_help(checklist: tuple[ChecklistItem, ...]) -> None:
    bare = RuleMeta("BR110", "unvalidated-request-input", "input-validation", Severity.MEDIUM,
                    Confidence.MEDIUM, "Raw request data is used without a schema.")  # fmt: skip
    [descriptor] = sarif.build(Report("missing-dir", "0", (), Score(None, ()), (bare,)), checklist)[
        "runs"
    ][0]["tool"]["driver"]["rules"]
    assert descriptor["help"]["text"] == "Raw request data is used without a schema."
    assert descriptor["properties"]["security-severity"] == "5.5"


# codeql-action's published vectors (src/fingerprints.test.ts), input -> hash of each line
LINE_HASH_VECTORS = [
    ("", ["c129715d7a2bc9a3:1"]),
    (" a\nb\n  \t\tc\n d", ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1",
                            "a23a3dc5e078b07b:1"]),
    (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
     ["8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1", "c6805c5e1288b612:1",
      "b86d3392aea1be30:1", "e6ceba753e1a442:1"]),
    (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
     ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
      "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"]),
    (" hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
     ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
      "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"]),
    (" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
     ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
      "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"]),
    (" hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
     ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
      "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"]),
    ("Lorem ipsum dolor sit amet.\n" * 10,
     ["a7f2ff13bc495cf2:1", "a7f2ff13bc495cf2:2", "a7f2ff13bc495cf2:3", "a7f2ff13bc495cf2:4",
      "a7f2ff13bc495cf2:5", "a7f2ff13bc495cf2:6", "a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1",
      "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), LINE_HASH_VECTORS)
def test_line_hash_matches_codeql_action(text: str, expected: list[str]) -> None:
    hashes = line_hashes(text)
    assert [hashes[i] for i in range(1, len(hashes) + 1)] == expected
