"""Fixtures: a small git repository with a PR-like change, and the loopback fake GitHub."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reviewer.github.client import GitHubClient, RetryPolicy
from reviewer.github.event import EventContext, load_event_context

# this folder and tests/ (for cli_runner), under any --import-mode
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from contracts_path import contracts_dir
from fake_github import TOKEN, FakeGitHub, Sleeps, Spec, actions_env
from gh_repo import BASE_APP, HEAD_APP, NEW_SERVICE, PRRepo, git, github_files


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
