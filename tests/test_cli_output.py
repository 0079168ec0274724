"""The text outputs a user reads or greps: concise lines, statistics, severity floors, the
closing summary line with the gate's verdict. Real subprocesses of the real command line."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from cli_runner import run_reviewer

APP = """\
import os
import sqlite3


def search(term: str) -> list[tuple[str, ...]]:
    db = sqlite3.connect(os.environ["DB_PATH"])
    print("searching")
    return db.execute(f"SELECT name FROM items WHERE name = '{term}'").fetchall()


SIGNING_SECRET = "9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c"  # a high finding (BR201)
"""
CONCISE_LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>\S+) \[(?P<sev>\w+)\] .+"
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return run_reviewer(*args, "--no-cache", "-q")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("svc")
    (root / "app.py").write_text(APP)
    (root / ".backend-review.yml").write_text("analyzers: {semgrep: false}\n")
    return root


@pytest.fixture(scope="module")
def every_finding(
    service: Path, tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, object]]:
    out = tmp_path_factory.mktemp("json") / "r.json"
    assert run(str(service), "-f", "json", "-o", str(out)).returncode == 0
    findings: list[dict[str, object]] = json.loads(out.read_text())["findings"]
    return [f for f in findings if not f.get("suppressed")]


def test_concise_is_one_line_per_finding_then_the_summary(
    service: Path, every_finding: list[dict[str, object]]
) -> None:
    result = run(str(service), "-f", "concise", "--fail-under", "100")
    assert result.returncode == 1, result.stderr
    *lines, summary = result.stdout.rstrip("\n").split("\n")
    assert len(lines) == len(every_finding)
    parsed = [CONCISE_LINE.match(line) for line in lines]
    assert all(parsed), lines
    codes = {(m["code"], m["path"], int(m["line"])) for m in parsed if m}
    assert ("BR101", "app.py", 8) in codes and ("BR802", "app.py", 7) in codes
    assert summary.startswith("Score ") and "gate failed: score" in summary
    assert f"{len(every_finding)} findings" in summary


def test_terminal_closes_with_the_gate_verdict(service: Path) -> None:
    passed = run(str(service), "--fail-under", "0").stdout.rstrip().splitlines()[-1]
    assert passed.startswith("Score ") and " · gate passed · " in passed
    unset = run(str(service)).stdout.rstrip().splitlines()[-1]
    assert " · no gate set · " in unset


def test_min_severity_hides_findings_but_not_from_the_score(
    service: Path, every_finding: list[dict[str, object]]
) -> None:
    everything = run(str(service), "-f", "concise").stdout
    high = run(str(service), "-f", "concise", "--min-severity", "high")
    assert high.returncode == 0
    lines = high.stdout.rstrip("\n").split("\n")[:-1]
    assert lines and all(re.search(r"\[(high|critical)\]", line) for line in lines)
    assert any("BR201" in line for line in lines)
    assert "BR802" not in high.stdout  # low
    hidden = sum(1 for f in every_finding if f["severity"] not in ("high", "critical"))
    assert f"{hidden} finding(s) below --min-severity" in high.stderr
    score = re.compile(r"^Score \S+", re.M)
    assert score.findall(high.stdout) == score.findall(everything)


def test_min_confidence_filters_json_too(service: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert (
        run(str(service), "-f", "json", "-o", str(out), "--min-confidence", "high").returncode == 0
    )
    confidences = {f["confidence"] for f in json.loads(out.read_text())["findings"]}
    assert confidences <= {"high"}


def test_statistics_counts_per_rule(service: Path, every_finding: list[dict[str, object]]) -> None:
    result = run(str(service), "--statistics")
    assert result.returncode == 0, result.stderr
    *rows, summary = result.stdout.rstrip("\n").split("\n")
    counted = {}
    for row in rows:
        count, code, severity = row.split()[:3]
        counted[code] = int(count)
        assert severity.startswith("[") and severity.endswith("]")
    expected: dict[str, int] = {}
    for finding in every_finding:
        code = str(finding["code"])
        expected[code] = expected.get(code, 0) + 1
    assert counted == expected
    assert [int(r.split()[0]) for r in rows] == sorted(counted.values(), reverse=True)
    assert summary.startswith("Score ")


def test_two_formats_on_standard_output_is_a_usage_error(service: Path) -> None:
    result = run(str(service), "-f", "json", "-f", "concise")
    assert result.returncode == 2
    assert "both write to standard output" in result.stderr
    assert result.stdout == ""


def test_output_into_a_missing_folder_fails_before_the_review(
    service: Path, tmp_path: Path
) -> None:
    result = run(str(service), "-f", "json", "-o", str(tmp_path / "nowhere" / "r.json"))
    assert result.returncode == 2
    assert "nowhere" in result.stderr and "does not exist" in result.stderr
