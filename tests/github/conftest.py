"""Fixtures: a small git repository with a PR-like change, and the loopback fake GitHub."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reviewer.github.client import GitHubClient, RetryPolicy
from reviewer.github.event import EventContext, load_event_context

sys.path.insert(0, str(Path(__file__).resolve().parent))  # works under any --import-mode

from fake_github import TOKEN, FakeGitHub, Sleeps, Spec, actions_env, contracts_dir

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


@pytest.fixture
def pr_repo(tmp_path: Path) -> PRRepo:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "Test")
    (root / "app.py").write_text(BASE_APP)
    (root / "old_name.py").write_text("def f():\n    return 1\n")
    (root / "obsolete.py").write_text("X = 1\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    base = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-q", "-b", "feature")
    (root / "app.py").write_text(HEAD_APP)
    (root / "services").mkdir()
    (root / "services" / "jobs.py").write_text(NEW_SERVICE)
    git(root, "mv", "old_name.py", "new_name.py")
    git(root, "rm", "-q", "obsolete.py")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "feature")
    head = git(root, "rev-parse", "HEAD").strip()
    return PRRepo(root, base, head, github_files(root, base, head))


@pytest.fixture(scope="session")
def gh_contracts() -> Path:
    return contracts_dir()


@pytest.fixture(scope="session")
def spec(gh_contracts: Path) -> Spec:
    return Spec(gh_contracts / "github-rest-subset.json")


@pytest.fixture(scope="session")
def pr_event(gh_contracts: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((gh_contracts / "pull_request-event.json").read_text())
    return data


@pytest.fixture
def fake(spec: Spec, pr_repo: PRRepo, pr_event: dict[str, Any]) -> Iterator[FakeGitHub]:
    owner, repo = pr_event["repository"]["full_name"].split("/")
    server = FakeGitHub(
        spec,
        owner=owner,
        repo=repo,
        number=pr_event["number"],
        head_sha=pr_event["pull_request"]["head"]["sha"],
        files=pr_repo.files,
        token=TOKEN,
        page_size=2,  # small pages so every list call exercises Link pagination
    ).start()
    try:
        yield server
    finally:
        server.stop()
    assert server.internal_errors == [], server.internal_errors


@pytest.fixture
def ctx(fake: FakeGitHub, gh_contracts: Path, tmp_path: Path) -> EventContext:
    env = actions_env(
        fake,
        gh_contracts / "pull_request-event.json",
        GITHUB_STEP_SUMMARY=str(tmp_path / "step_summary.md"),
    )
    return load_event_context(env)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(ctx: EventContext, sleeps: Sleeps) -> GitHubClient:
    policy = RetryPolicy(max_retries=3, max_wait=30.0, backoff_base=0.01)
    return GitHubClient(
        ctx.token, ctx.api_url, retry=policy, sleep=sleeps, timeout=10.0, write_interval=0
    )
