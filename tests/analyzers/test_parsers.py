"""Adapter parsers on recorded, odd analyzer output (the real tools are run in test_runner)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.analyzers.bandit import BanditAdapter
from reviewer.analyzers.base import (
    Adapter,
    AnalyzerOutputError,
    as_argument,
    chunk_files,
    normalize_path,
    parse_cwe,
)
from reviewer.analyzers.ruff import RuffAdapter
from reviewer.analyzers.semgrep import SemgrepAdapter
from reviewer.model import Confidence, Location, Severity


def read(data_dir: Path, name: str) -> str:
    return (data_dir / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "adapter", [BanditAdapter(), RuffAdapter(), SemgrepAdapter()], ids=lambda a: a.name
)
@pytest.mark.parametrize("stdout", ["", "   \n", "Traceback (most recent", '{"results": 3}', "[1]"])
def test_garbage_is_an_output_error(adapter: Adapter, stdout: str) -> None:
    with pytest.raises(AnalyzerOutputError):
        adapter.parse(stdout, "")


def test_truncated_bandit_json(data_dir: Path) -> None:
    with pytest.raises(AnalyzerOutputError, match="invalid JSON"):
        BanditAdapter().parse(read(data_dir, "bandit_truncated.json"), "")


def test_bandit_odd_fields_and_errors(data_dir: Path) -> None:
    outcome = BanditAdapter().parse(read(data_dir, "bandit_odd.json"), "")
    first, odd = outcome.findings
    assert first.external_id == "bandit:B501"
    assert first.location == Location("app.py", 6, 5, 6, 34)  # "././app.py", 0-based columns
    assert (first.severity, first.confidence, first.cwe) == (Severity.HIGH, Confidence.HIGH, (295,))
    assert odd.external_id == "bandit:B999"
    assert odd.location == Location("sub/x.py", 3, 5, 5, 0)
    assert odd.severity is None  # UNDEFINED
    assert odd.cwe == ()
    assert outcome.not_covered == ("gone.py", "new.py")


def test_bandit_result_without_line_is_an_output_error() -> None:
    with pytest.raises(AnalyzerOutputError, match="line_number"):
        BanditAdapter().parse('{"results": [{"test_id": "B101", "filename": "a.py"}]}', "")


def test_ruff_syntax_errors_and_unreadable_files(data_dir: Path) -> None:
    outcome = RuffAdapter(root="/srv/target").parse(
        read(data_dir, "ruff_odd.json"), read(data_dir, "ruff_odd.stderr")
    )
    # legacy null code = parse failure; "syntax was added in Python 3.12" still parsed fully
    assert outcome.not_covered == ("enc.py", "legacy_broken.py", "pkg/gone.py")
    assert [(f.external_id, f.location) for f in outcome.findings] == [
        ("ruff:S602", Location("pkg/app.py", 7, 5, 7, 20)),
        ("ruff:T201", Location("pkg/app.py", 13, 5, 13, 0)),
    ]
    assert all(f.severity is None and f.confidence is None for f in outcome.findings)


def test_ruff_argv_isolated_with_our_selection() -> None:
    argv = RuffAdapter(ignore=("S101",)).argv("ruff", ["./a.py"], ["--line-length", "90"])
    assert argv[:2] == ["ruff", "check"]
    assert {"--isolated", "--no-cache", "--exit-zero"} <= set(argv)
    assert argv[argv.index("--output-format") + 1] == "json"
    assert "S" in argv[argv.index("--select") + 1].split(",")
    assert argv[argv.index("--ignore") + 1] == "S101"
    assert argv[-3:] == ["--line-length", "90", "./a.py"]


def test_semgrep_results_errors_and_skips(data_dir: Path) -> None:
    outcome = SemgrepAdapter().parse(read(data_dir, "semgrep_odd.json"), "")
    ours, registry_rule = outcome.findings
    assert ours.external_id == "semgrep:BR205"  # from metadata.code, not the prefixed id
    assert ours.location == Location("app.py", 6, 5, 6, 34)
    assert (ours.severity, ours.confidence, ours.cwe) == (Severity.HIGH, Confidence.HIGH, (295,))
    assert registry_rule.external_id == (
        "semgrep:python.lang.security.audit.formatted-sql-query.formatted-sql-query"
    )
    assert registry_rule.severity is Severity.MEDIUM  # WARNING
    assert registry_rule.confidence is Confidence.LOW
    assert registry_rule.cwe == (89,)
    assert outcome.not_covered == ("enc2.py", "huge.py", "vendor/minified.py")
    assert outcome.version == "1.185.0"
    assert "Rule parse error" in outcome.message


def test_semgrep_fatal_error_is_explained_from_its_json(data_dir: Path) -> None:
    message = SemgrepAdapter().describe_failure(read(data_dir, "semgrep_fatal.json"), "noise")
    assert message.startswith("Rule parse error in rule")
    assert SemgrepAdapter().describe_failure("not json", "fatal: boom\n") == "fatal: boom"


def test_semgrep_argv_never_uses_network_or_ignore_files() -> None:
    argv = SemgrepAdapter(configs=("/rules/semgrep", "user.yaml")).argv("semgrep", ["./a.py"], [])
    assert {"--json", "--metrics=off", "--disable-version-check", "--no-git-ignore"} <= set(argv)
    assert argv.count("--config") == 2
    assert argv[-1] == "./a.py"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"id": 78, "link": "..."}, (78,)),
        (["CWE-89: SQL Injection", "cwe-564"], (89, 564)),
        ([295, 295, True, None, "n/a"], (295,)),
        ("CWE-22", (22,)),
        (None, ()),
    ],
)
def test_parse_cwe(value: object, expected: tuple[int, ...]) -> None:
    assert parse_cwe(value) == expected


def test_paths() -> None:
    assert normalize_path("././pkg/a.py") == "pkg/a.py"
    assert normalize_path("/srv/t/pkg/a.py", "/srv/t") == "pkg/a.py"
    assert normalize_path("/elsewhere/a.py", "/srv/t") == "/elsewhere/a.py"
    assert as_argument("-rf.py") == "./-rf.py"
    assert as_argument("./a.py") == "./a.py"


def test_chunk_files_respects_the_budget() -> None:
    files = [f"./file{i}.py" for i in range(10)]
    chunks = chunk_files(files, 40)
    assert [f for chunk in chunks for f in chunk] == files
    assert all(sum(len(f) + 1 for f in chunk) <= 40 for chunk in chunks)
    assert chunk_files(["./" + "x" * 100], 10) == [["./" + "x" * 100]]  # never drops a file
