"""GitLab Code Quality and JUnit reports: the shapes the CI systems read, from the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree as ET

from reviewer.model import Report
from reviewer.reporters import RenderOptions, render_report
from reviewer.scoring import ChecklistItem

GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}
APP = """\
import sqlite3


def search(db: sqlite3.Connection, term: str) -> list[tuple[str, ...]]:
    print("searching")
    return db.execute(f"SELECT name FROM items WHERE name = '{term}'").fetchall()
"""


def test_gitlab_issues_have_the_documented_fields(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    issues = json.loads(render_report("gitlab", report, checklist))
    assert len(issues) == len(report.active)
    for issue in issues:
        assert set(issue) == {
            "type",
            "description",
            "check_name",
            "fingerprint",
            "severity",
            "location",
        }
        assert issue["severity"] in GITLAB_SEVERITIES
        assert issue["location"]["lines"]["begin"] >= 1
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    worst = next(i for i in issues if i["check_name"] == "BR101")
    assert worst["severity"] == "blocker"  # critical


def test_gitlab_fingerprints_stay_unique_when_findings_repeat(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    twice = replace(report, findings=report.findings + report.findings)
    issues = json.loads(render_report("gitlab", twice, checklist))
    assert len({i["fingerprint"] for i in issues}) == len(issues) == 2 * len(report.active)


def test_junit_counts_and_escapes(report: Report, checklist: tuple[ChecklistItem, ...]) -> None:
    odd = replace(
        report.findings[1],
        message='<script>alert("x")</script> & \x1b[31m',
        location=replace(report.findings[1].location, path="app/\udcffname.py"),
    )
    text = render_report("junit", replace(report, findings=(*report.findings, odd)), checklist)
    root = ET.fromstring(text.encode("utf-8"))
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(report.active) + 1 == int(root.attrib["failures"])
    messages = [case.find("failure").attrib["message"] for case in cases]  # type: ignore[union-attr]
    assert '<script>alert("x")</script> & [31m' in messages  # escaped, control bytes dropped
    assert "\x1b" not in text
    assert any(s.attrib["name"] == "app/\ufffdname.py" for s in root.findall("testsuite"))


def test_junit_without_findings_has_one_passing_case(
    report: Report, checklist: tuple[ChecklistItem, ...]
) -> None:
    clean = replace(report, findings=())
    root = ET.fromstring(render_report("junit", clean, checklist, RenderOptions()))
    assert root.attrib["failures"] == "0" and len(root.findall("./testsuite/testcase")) == 1


def test_cli_writes_both_with_paths_from_the_repository_root(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    service = repo / "services" / "api"
    service.mkdir(parents=True)
    (service / "app.py").write_text(APP)
    (service / ".backend-review.yml").write_text("analyzers: {semgrep: false}\n")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    gitlab, junit = tmp_path / "gl.json", tmp_path / "junit.xml"
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "reviewer",
            str(service),
            "-q",
            "--no-cache",
            "-f",
            "gitlab",
            "-o",
            str(gitlab),
            "-f",
            "junit",
            "-o",
            str(junit),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    issues = json.loads(gitlab.read_text())
    assert {"BR101", "BR802"} <= {i["check_name"] for i in issues}
    assert {i["location"]["path"] for i in issues} == {"services/api/app.py"}
    root = ET.fromstring(junit.read_text())
    assert {s.attrib["name"] for s in root.findall("testsuite")} == {"app.py"}
    assert len(root.findall("./testsuite/testcase")) == len(issues)
