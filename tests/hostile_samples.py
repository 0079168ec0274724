"""What the hostile-input tests share: the code they plant in a target (a real SQL injection a
hidden finding would be) and the real CLI run on it in a subprocess."""

from __future__ import annotations

import subprocess
from pathlib import Path

from cli_runner import run_reviewer

REPO = Path(__file__).resolve().parent.parent

VIEWS = """\
import sqlite3
from flask import Flask, request

app = Flask(__name__)
conn = sqlite3.connect("app.db")


@app.route("/users")
def users():
    name = request.args["name"]
    return conn.execute(f"SELECT * FROM users WHERE name = '{name}'").fetchall()
"""


def git(cwd: Path, *args: str) -> None:
    """Run git in CWD as a throw-away identity (the tests' repositories have no user set)."""
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@x", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def review(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m reviewer TARGET --no-cache --disable-analyzer semgrep ARGS`, this repository's
    reviewer on PYTHONPATH, run from the target's parent (from this repository `-m` would import
    the reviewer found in the working directory whatever PYTHONPATH says)."""
    return run_reviewer(
        str(target), "--no-cache", "--disable-analyzer", "semgrep", *args, cwd=target.parent
    )
