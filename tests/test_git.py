"""The one git runner: stdout on success, GitError with git's own words otherwise."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reviewer.git import GitError, run_git


def test_output_of_a_successful_command(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert run_git(tmp_path, "rev-parse", "--is-inside-work-tree").strip() == b"true"


def test_failure_carries_gits_last_line(tmp_path: Path) -> None:
    with pytest.raises(GitError) as caught:
        run_git(tmp_path, "rev-parse", "--verify", "no-such-ref^{commit}")
    assert str(caught.value) == "git rev-parse failed"
    assert caught.value.reason and caught.value.reason != str(caught.value)
