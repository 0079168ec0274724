"""The pre-commit hook (.pre-commit-hooks.yaml) as pre-commit runs it: its entry and args in
the repository being committed, with no file names (the review needs the whole project)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
FIXTURES = REPO / "fixtures"


def hook_command() -> list[str]:
    (hook,) = HOOKS
    entry = shutil.which(hook["entry"])  # the console script pre-commit's venv would hold
    base = [entry] if entry else [sys.executable, "-m", "reviewer"]
    return [*base, *hook["args"]]


def test_hook_is_a_whole_project_hook() -> None:
    (hook,) = HOOKS
    assert hook["id"] == "backend-review" and hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["require_serial"] is True
    assert hook["args"][0] == "."


def test_hook_fails_a_commit_with_a_high_finding_and_passes_a_clean_one(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
    outcomes = {}
    for name in ("flask_service", "clean_service"):
        work = tmp_path / name
        shutil.copytree(FIXTURES / name, work)
        done = subprocess.run(
            [*hook_command(), "--no-cache"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        outcomes[name] = done
    dirty, clean = outcomes["flask_service"], outcomes["clean_service"]
    assert dirty.returncode == 1, dirty.stderr
    assert "[high]" in dirty.stdout or "[critical]" in dirty.stdout
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.rstrip().splitlines()[-1].startswith("Score ")
