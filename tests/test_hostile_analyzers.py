"""One pathological file cannot switch an analyzer off for every other file (issue 11, U20):
ruff overflows its stack on a long `1+1+…` and aborts, which made the whole chunk, every file
given to that process, "failed". A failed bandit or ruff chunk is now split until the failing
file runs alone; only that file is reported as not covered.

The real CLI and the real ruff in subprocesses.
"""

from __future__ import annotations

import json
from pathlib import Path

from hostile_samples import VIEWS, review  # a real SQL injection (tests/ is on sys.path)

# ruff 0.17 aborts (SIGABRT, "has overflowed its stack") on 10 000 terms already
DEEP = "import subprocess\nsubprocess.call(input(), shell=True)\nx = " + "+".join(["1"] * 30000)
SHELL = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"


def test_a_file_that_crashes_ruff_is_the_only_one_it_misses(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    (root / "app").mkdir(parents=True)
    (root / "app" / "views.py").write_text(VIEWS)
    (root / "app" / "deep.py").write_text(DEEP + "\n")
    for i in range(6):
        (root / "app" / f"jobs{i}.py").write_text(SHELL)
    result = review(root, "-q", "-f", "json", "--disable-analyzer", "bandit")
    assert result.returncode == 0, result.stderr[-2000:]
    doc = json.loads(result.stdout)
    ruff = next(run for run in doc["analyzers"] if run["name"] == "ruff")
    assert ruff["status"] == "ok", ruff
    assert ruff["not_covered"] == ["app/deep.py"]
    assert ruff["message"].startswith("app/deep.py: exit code ")
    uncovered = {
        f["location"]["path"]
        for f in doc["findings"]
        if f["code"] == "BR902" and "could not analyze" in f["message"]
    }
    assert uncovered == {"app/deep.py"}
