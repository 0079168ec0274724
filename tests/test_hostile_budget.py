"""A per-file time budget for the native analysis (issue 11, item 4: "an overall time budget
per file and per run"): a file whose analysis runs past `file-time-limit` becomes BR901 "not
reviewed" while the analyzers still review it, and such a result is never cached (a quieter
machine may finish it). The real CLI in a subprocess, and the traversal directly."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from hostile_samples import VIEWS, review

from reviewer.config import Config
from reviewer.framework.test_calls import TestCallCollector
from reviewer.traversal import analyze_source

# thousands of nodes: the budget is looked at every few thousand visited nodes
BIG = "".join(
    f"def f{i}(a, b):\n    return [a + b * {i} for _ in range(a)]\n\n" for i in range(400)
)


def test_a_file_past_its_budget_is_not_reviewed_but_still_analyzed(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "views.py").write_text(VIEWS)
    (root / "big.py").write_text(BIG + 'import os\nos.system("rm -rf " + os.environ["X"])\n')
    (root / ".backend-review.yml").write_text("file-time-limit: 0.000001\n")
    result = review(root, "-q", "-f", "json")
    doc = json.loads(result.stdout)
    reasons = dict((entry["path"], entry["reason"]) for entry in doc["not_reviewed"])
    assert "took longer than 1e-06 s (file-time-limit)" in reasons["big.py"]
    found = {(f["code"], f["location"]["path"]) for f in doc["findings"]}
    assert ("BR901", "big.py") in found
    # bandit and ruff still look at the file the native rules gave up on
    assert any(path == "big.py" and code != "BR901" for code, path in found), found


def test_the_default_budget_reviews_the_same_file(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "big.py").write_text(BIG)
    doc = json.loads(review(root, "-q", "-f", "json").stdout)
    assert doc["not_reviewed"] == [] and doc["files_reviewed"] == 1


def test_a_late_result_is_not_cacheable() -> None:
    classes = [TestCallCollector]  # any visitor: the budget is the traversal's
    late = analyze_source(
        "big.py", BIG.encode(), classes, replace(Config(root=Path(".")), file_time_limit=1e-9)
    )
    assert late.not_reviewed.startswith("native analysis took longer than")
    assert late.cacheable is False
    timely = analyze_source("big.py", BIG.encode(), classes, Config(root=Path(".")))
    assert timely.not_reviewed == "" and timely.cacheable is True


def test_the_budget_is_a_checked_config_key(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "views.py").write_text(VIEWS)
    for bad in ("0", "-1", "true", '"soon"', "7200"):
        (root / ".backend-review.yml").write_text(f"file-time-limit: {bad}\n")
        result = review(root, "-q")
        assert result.returncode == 2, bad
        assert "file-time-limit" in result.stderr and "Traceback" not in result.stderr
