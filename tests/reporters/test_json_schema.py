"""The JSON report's published schema (docs/schemas/report.schema.json) holds for what the
real command line writes: every fixture service, Python and Node.js, a baseline run, and the
"nothing reviewed" report. In-process renders are validated by the autouse fixture in
tests/conftest.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "docs" / "schemas" / "report.schema.json").read_text())
SERVICES = sorted(
    p.name for p in (REPO / "fixtures").iterdir() if p.is_dir() and p.name.endswith("_service")
)


def review(target: Path, out: Path, *args: str) -> dict[str, object]:
    env = {**os.environ, "NO_COLOR": "1", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "reviewer",
            str(target),
            "-q",
            "--no-cache",
            "-f",
            "json",
            "-o",
            str(out),
            "--disable-analyzer",
            "semgrep",
            *args,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    document: dict[str, object] = json.loads(out.read_text())
    return document


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("service", SERVICES)
def test_every_fixture_service_report_follows_the_schema(service: str, tmp_path: Path) -> None:
    document = review(REPO / "fixtures" / service, tmp_path / "r.json")
    jsonschema.validate(document, SCHEMA)
    assert document["files_reviewed"], service  # a real review, not an error document


def test_baseline_and_empty_reports_follow_the_schema(tmp_path: Path) -> None:
    service = REPO / "fixtures" / "flask_service"
    baseline = tmp_path / "baseline.json"
    env = {**os.environ, "NO_COLOR": "1"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "reviewer",
            "baseline",
            "create",
            str(service),
            "-o",
            str(baseline),
            "--disable-analyzer",
            "semgrep",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    known = review(service, tmp_path / "known.json", "--baseline", str(baseline))
    jsonschema.validate(known, SCHEMA)
    assert known["extra"]["baseline"]["known"] > 0  # type: ignore[index]
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no code here\n")
    jsonschema.validate(review(empty, tmp_path / "empty.json"), SCHEMA)


def test_a_renamed_key_breaks_the_schema() -> None:
    """The schema is strict: it would notice a report that changed shape."""
    sample = json.loads((REPO / "tests" / "reporters" / "snapshots" / "report.json").read_text())
    jsonschema.validate(sample, SCHEMA)
    sample["findings"][0]["severity_level"] = sample["findings"][0].pop("severity")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(sample, SCHEMA)
