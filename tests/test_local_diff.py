"""`--diff :staged` and `--diff :worktree`: the changes not committed yet, compared with HEAD,
through the real CLI on a real git repository (issue 18 item 5, pre-commit and local runs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import run_reviewer, without_github
from hostile_samples import git

CLEAN = """\
import sqlite3

conn = sqlite3.connect("app.db")


def by_id(user_id):
    return conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchall()
"""
STAGED_SQL = """

def by_name(name):
    return conn.execute("SELECT * FROM users WHERE name = '" + name + "'").fetchall()
"""
UNSTAGED_SQL = """

def by_mail(mail):
    return conn.execute("SELECT * FROM users WHERE mail = '" + mail + "'").fetchall()
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "svc"
    root.mkdir()
    (root / ".backend-review.yml").write_text("analyzers:\n  semgrep: false\n")
    (root / "db.py").write_text(CLEAN)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "clean")
    (root / "db.py").write_text(CLEAN + STAGED_SQL)
    git(root, "add", "db.py")
    (root / "db.py").write_text(CLEAN + STAGED_SQL + UNSTAGED_SQL)  # edited again, not staged
    return root


def _br101_lines(root: Path, spec: str) -> list[int]:
    done = run_reviewer(
        str(root), "--diff", spec, "--format", "json", "-q", "--no-cache", env=without_github()
    )
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    return sorted(f["location"]["line"] for f in report["findings"] if f["code"] == "BR101")


def test_staged_reports_only_what_the_commit_will_hold(repo: Path) -> None:
    assert _br101_lines(repo, ":staged") == [11]


def test_worktree_reports_every_uncommitted_change(repo: Path) -> None:
    assert _br101_lines(repo, ":worktree") == [11, 15]


def test_without_a_commit_the_message_names_the_problem(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    (root / "db.py").write_text(CLEAN)
    git(root, "init", "-q")
    done = run_reviewer(str(root), "--diff", ":staged", "-q", "--no-cache", env=without_github())
    assert done.returncode == 2
    assert "--diff :staged" in done.stderr and "Traceback" not in done.stderr
