"""The one git runner: stdout on success, GitError with git's own words otherwise."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cli_runner import run_reviewer

from reviewer.git import GitError, run_git


def test_output_of_a_successful_command(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert run_git(tmp_path, "rev-parse", "--is-inside-work-tree").strip() == b"true"


def test_failure_carries_gits_last_line(tmp_path: Path) -> None:
    with pytest.raises(GitError) as caught:
        run_git(tmp_path, "rev-parse", "--verify", "no-such-ref^{commit}")
    assert str(caught.value) == "git rev-parse failed"
    assert caught.value.reason and caught.value.reason != str(caught.value)


def test_a_hostile_repository_config_runs_nothing(tmp_path: Path) -> None:
    """issue 11: a `.git/config` that came with a downloaded tree names programs git runs by
    itself (`core.fsmonitor` on ls-files, which discovery runs; hooks). The review, with
    --diff, runs none of them."""
    import json

    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@x", *args], cwd=repo, check=True
        )

    git("init", "-q")
    (repo / "app.py").write_text("x = 1\n")
    git("add", "-A")
    git("commit", "-qm", "a")
    (repo / "app.py").write_text("x = 2\n")
    git("commit", "-qam", "b")
    marker = tmp_path / "ran"
    script = repo / ".git" / "evil.sh"
    script.write_text(f'#!/bin/sh\necho "$0 $*" >> {marker}\n')
    script.chmod(0o755)
    hooks = repo / ".git" / "hooks"
    for name in ("post-checkout", "post-index-change", "reference-transaction"):
        (hooks / name).write_text(script.read_text())
        (hooks / name).chmod(0o755)
    git("config", "core.fsmonitor", str(script))
    git("config", "diff.external", str(script))
    (repo / ".gitattributes").write_text("*.py diff=evil\n")
    git("config", "diff.evil.textconv", str(script))
    subprocess.run(["git", "ls-files"], cwd=repo, check=True, capture_output=True)
    assert marker.exists(), "the probe must be able to run under a plain git"
    marker.unlink()
    result = run_reviewer(
        *(str(repo), "-q", "--no-cache", "-f", "json", "--diff", "HEAD~1"),
        *("--disable-analyzer", "semgrep"),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["extra"]["diff"]["base"] == "HEAD~1"
    assert not marker.exists(), marker.read_text()
    assert run_git(repo, "ls-files").strip() == b"app.py"
    assert not marker.exists()
