"""The sample service and its PR-like change, as a real git repository (shared by the tests).

Kept out of conftest.py so test modules can import it by a unique name.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASE_APP = """\
from flask import Flask, request

app = Flask(__name__)


@app.get("/health")
def health():
    return {"ok": True}


def helper(x):
    return x * 2


def unchanged_far_away():
    value = 1
    value += 1
    value += 2
    value += 3
    value += 4
    value += 5
    value += 6
    value += 7
    return value
"""

HEAD_APP = """\
from flask import Flask, request

app = Flask(__name__)


@app.get("/health")
def health():
    return {"ok": True}


@app.post("/users")
def create_user():
    name = request.json["name"]
    db.execute("INSERT INTO users VALUES ('%s')" % name)
    print(request.json)
    return {"ok": True}


def helper(x):
    return x * 2


def unchanged_far_away():
    value = 1
    value += 1
    value += 2
    value += 3
    value += 4
    value += 5
    value += 6
    value += 7
    return value
"""

NEW_SERVICE = """\
import pickle
import subprocess


def load(blob):
    return pickle.loads(blob)


def run(cmd):
    return subprocess.run(cmd, shell=True)


def one():
    print("one")


def two():
    print("two")


def three():
    print("three")


def four():
    print("four")
"""


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "core.quotePath=false", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


@dataclass(frozen=True)
class PRRepo:
    root: Path
    base: str
    head: str
    files: list[dict[str, Any]]  # pulls/list-files entries built from the real git diff


def github_files(root: Path, base: str, head: str) -> list[dict[str, Any]]:
    """What pulls/list-files would return for base..head (patch = hunks without headers)."""
    statuses = {"A": "added", "M": "modified", "D": "removed", "R": "renamed"}
    entries = []
    for row in git(root, "diff", "--name-status", "-M", base, head).splitlines():
        cols = row.split("\t")
        kind = cols[0][0]
        paths = cols[1:]
        diff = git(root, "diff", "--unified=3", "--no-color", "-M", base, head, "--", *paths)
        at = diff.find("\n@@ ")
        patch = diff[at + 1 :].rstrip("\n") if at >= 0 else None
        adds = sum(1 for ln in (patch or "").split("\n") if ln.startswith("+"))
        dels = sum(1 for ln in (patch or "").split("\n") if ln.startswith("-"))
        entry: dict[str, Any] = {
            "sha": "a" * 40,
            "filename": paths[-1],
            "status": statuses[kind],
            "additions": adds,
            "deletions": dels,
            "changes": adds + dels,
            "blob_url": f"https://github.com/o/r/blob/{head}/{paths[-1]}",
            "raw_url": f"https://github.com/o/r/raw/{head}/{paths[-1]}",
            "contents_url": f"https://api.github.com/repos/o/r/contents/{paths[-1]}",
        }
        if patch is not None:
            entry["patch"] = patch
        if kind == "R":
            entry["previous_filename"] = paths[0]
        entries.append(entry)
    return entries
