"""bandit runs only the tests nothing else covers, and only on files where they could fire."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.analyzers.bandit import REQUIRED_TEXT, files_worth_scanning, installed_tests
from reviewer.analyzers.cached import CachedAnalyzers
from reviewer.analyzers.plan import analyzer_skips
from reviewer.analyzers.policy import load_policy
from reviewer.analyzers.ruff import BANDIT_PORTS, bandit_tests_ruff_runs
from reviewer.cache import Cache, content_hash
from reviewer.config import AnalyzerConfig, Config
from reviewer.registry import load as load_registry
from reviewer.resources import rules_dir

TORCH = b"import torch\n\n\ndef restore(path):\n    return torch.load(path)\n"
PLAIN = b"import hashlib\n\n\ndef digest(data):\n    return hashlib.md5(data).hexdigest()\n"


def test_ports_are_stable_flake8_bandit_rules_of_the_installed_ruff() -> None:
    ruff = Path(sys.executable).parent / "ruff"
    listing = subprocess.run(
        [str(ruff), "rule", "--all", "--output-format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    stable = {
        rule["code"]
        for rule in json.loads(listing.stdout)
        if rule.get("linter") == "flake8-bandit" and not rule.get("preview")
    }
    assert {"S" + test[1:] for test in BANDIT_PORTS} <= stable


def test_ruff_ignored_codes_keep_bandit_running_them() -> None:
    assert "B324" in bandit_tests_ruff_runs(set())
    assert "B324" not in bandit_tests_ruff_runs({"S324"})


@pytest.mark.parametrize(
    ("running", "files", "expected"),
    [
        ({"B614"}, {"ml.py": TORCH, "plain.py": PLAIN}, {"ml.py"}),
        ({"B613"}, {"a.py": "x = '\u202e'\n".encode(), "b.py": PLAIN}, {"a.py"}),
        # a source encoding other than UTF-8 could spell the texts differently: kept
        ({"B613"}, {"gb.py": b"# -*- coding: gb18030 -*-\nx = 1\n"}, {"gb.py"}),
        # a running test with no known trigger text: bandit needs every file
        ({"B614", "B324"}, {"ml.py": TORCH, "plain.py": PLAIN}, {"ml.py", "plain.py"}),
        (set(), {"plain.py": PLAIN}, set()),
    ],
)
def test_files_worth_scanning(
    running: set[str], files: dict[str, bytes], expected: set[str]
) -> None:
    all_tests = {"B324", *REQUIRED_TEXT}
    assert files_worth_scanning(files, all_tests - running, tests=all_tests) == expected


def _skips(config: Config) -> frozenset[str]:
    policy = load_policy(rules_dir() / "external.yaml")
    return analyzer_skips(policy, load_registry(config), config)


def test_with_ruff_on_bandit_runs_only_tests_that_name_their_trigger(tmp_path: Path) -> None:
    skips = _skips(Config(root=tmp_path))
    running = installed_tests() - {s.partition(":")[2] for s in skips if s.startswith("bandit:")}
    assert running and running <= REQUIRED_TEXT.keys()
    assert "bandit:B324" in skips and "ruff:S324" not in skips


def test_with_ruff_off_bandit_runs_the_ported_tests_itself(tmp_path: Path) -> None:
    config = Config(root=tmp_path, analyzers={"ruff": AnalyzerConfig(enabled=False)})
    skips = _skips(config)
    assert "bandit:B324" not in skips
    bandit_skips = {s.partition(":")[2] for s in skips if s.startswith("bandit:")}
    assert files_worth_scanning({"plain.py": PLAIN}, bandit_skips) == {"plain.py"}


def test_bandit_is_given_only_the_file_that_can_trigger_its_tests(tmp_path: Path) -> None:
    """Real bandit: torch.load is found in ml.py; plain.py is never handed to bandit."""
    files = {"ml.py": TORCH, "plain.py": PLAIN}
    for rel, data in files.items():
        (tmp_path / rel).write_bytes(data)
    config = Config(root=tmp_path)
    skips = _skips(config)
    bandit_skips = {s.partition(":")[2] for s in skips if s.startswith("bandit:")}
    only_bandit = {"ruff": AnalyzerConfig(enabled=False), "semgrep": AnalyzerConfig(enabled=False)}
    cache = Cache(tmp_path / "cache")

    def start() -> CachedAnalyzers:
        return CachedAnalyzers(
            tmp_path,
            {rel: tmp_path / rel for rel in files},
            {rel: content_hash(data) for rel, data in files.items()},
            only_bandit,
            (),
            cache,
            skip_ids=skips,
            contents=files,
            narrow={"bandit": lambda fs: files_worth_scanning(fs, bandit_skips)},
        )

    analyzers = start()
    bandit = next(p for p in analyzers.pending if p.name == "bandit")
    assert (bandit.missing, bandit.skipped) == (["ml.py"], ["plain.py"])
    findings, runs = analyzers.collect()
    assert {(f.external_id, f.location.path, f.location.line) for f in findings} == {
        ("bandit:B614", "ml.py", 5)
    }
    assert {r.name: r.status for r in runs}["bandit"] == "ok"
    # the next run reads both files' results from the cache and starts nothing
    again = start()
    assert again.still_running() == []
    assert [f.external_id for f in again.collect()[0]] == ["bandit:B614"]


def test_ruff_blacklist_ports_carry_bandit_blacklist_confidence(tmp_path: Path) -> None:
    """Real ruff: pickle.loads (S301, a blacklist port) is high confidence like bandit's B301."""
    from reviewer.analyzers.runner import start_analyzers
    from reviewer.model import Confidence

    (tmp_path / "a.py").write_text(
        "import pickle\nimport subprocess\n\n\ndef f(blob, cmd):\n"
        "    subprocess.call(cmd, shell=True)\n    return pickle.loads(blob)\n"
    )
    only_ruff = {"bandit": AnalyzerConfig(enabled=False), "semgrep": AnalyzerConfig(enabled=False)}
    findings, _ = start_analyzers(tmp_path, [tmp_path / "a.py"], only_ruff).collect()
    confidence = {f.external_id: f.confidence for f in findings}
    assert confidence["ruff:S301"] == Confidence.HIGH
    assert confidence["ruff:S602"] is None  # not a blacklist port: the policy decides


def test_report_says_why_bandit_had_nothing_to_scan(tmp_path: Path) -> None:
    from reviewer.config import load as load_config
    from reviewer.engine import review

    (tmp_path / "plain.py").write_bytes(PLAIN)
    report = review(tmp_path, load_config(tmp_path, {"analyzers": {"semgrep": False}}))
    runs = {run.name: run for run in report.analyzers}
    assert (runs["bandit"].status, runs["bandit"].message) == (
        "ok",
        "no file contains what its remaining tests look for",
    )
    assert (runs["semgrep"].status, runs["semgrep"].message) == ("disabled", "")
