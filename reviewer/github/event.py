"""The GitHub Actions run context (event payload + environment), read once into a frozen value.

Actions passes the webhook payload as a file named by GITHUB_EVENT_PATH and the rest in
environment variables. Everything downstream takes this value instead of reading os.environ,
so tests can build it from the example payloads in shared/contracts/.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewer.github.client import DEFAULT_API_URL, GitHubClient

PR_EVENTS = frozenset({"pull_request", "pull_request_target", "pull_request_review"})
_ZERO_SHA = "0" * 40


class EventError(Exception):
    """The Actions environment is missing something; the message names it."""


@dataclass(frozen=True)
class EventContext:
    """Who/what/where of the run. `token` is excluded from repr so it never lands in logs."""

    event_name: str
    owner: str
    repo: str
    api_url: str = DEFAULT_API_URL
    token: str = field(default="", repr=False)
    pr_number: int | None = None
    head_sha: str = ""
    base_sha: str = ""
    ref: str = ""  # the git ref the results belong to, e.g. refs/pull/2/head, refs/heads/main
    head_repo: str = ""  # owner/name of the PR's head repository
    base_repo: str = ""
    changed_files: int | None = None  # pull_request.changed_files: what list-files should give
    step_summary_path: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repo}"

    @property
    def is_pull_request(self) -> bool:
        return self.pr_number is not None

    @property
    def is_fork(self) -> bool:
        """A PR from another repository: its `pull_request` token is read-only."""
        return bool(self.head_repo and self.base_repo and self.head_repo != self.base_repo)

    @property
    def read_only_expected(self) -> bool:
        """Writes will fail with 403: fork PRs on `pull_request` (not `pull_request_target`)."""
        return self.is_fork and self.event_name == "pull_request"


ALLOW_FORK_TARGET_ENV = "BACKEND_REVIEW_ALLOW_FORK_PULL_REQUEST_TARGET"


def fork_target_problem(ctx: EventContext, env: Mapping[str, str]) -> str:
    """Why this run must not go on ("" when it may): a `pull_request_target` run of a fork's
    pull request holds the base repository's write token, and a workflow that checks out the
    head reviews (and may run) the fork's code with it (issue 11, U16; GitHub's warning:
    docs.github.com/en/actions/reference/events-that-trigger-workflows#pull_request_target)."""
    if ctx.event_name != "pull_request_target" or not ctx.is_fork:
        return ""
    if env.get(ALLOW_FORK_TARGET_ENV, "").strip().lower() == "true":
        return ""
    return (
        f"refusing a pull_request_target run of a pull request from the fork {ctx.head_repo}: "
        "it runs with a write token on code the fork controls; use the pull_request event "
        f"(read-only token), or set {ALLOW_FORK_TARGET_ENV}=true if this workflow never "
        "checks out the pull request's head"
    )


def load_event_context(
    env: Mapping[str, str] | None = None, *, require_token: bool = True
) -> EventContext:
    """Read GITHUB_EVENT_NAME/_PATH, GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_API_URL, ..."""
    env = os.environ if env is None else env
    event_name = env.get("GITHUB_EVENT_NAME", "").strip()
    if not event_name:
        raise EventError("GITHUB_EVENT_NAME is not set: run inside GitHub Actions or set it")
    repository = env.get("GITHUB_REPOSITORY", "").strip()
    owner, _, repo = repository.partition("/")
    if not owner or not repo or "/" in repo:
        raise EventError(f"GITHUB_REPOSITORY must be 'owner/name', got {repository!r}")
    token = env.get("GITHUB_TOKEN", "").strip() or env.get("INPUT_GITHUB-TOKEN", "").strip()
    if require_token and not token:
        raise EventError(
            "GITHUB_TOKEN is not set: pass `github-token: ${{ github.token }}` to the action "
            "or export GITHUB_TOKEN"
        )
    payload = _read_payload(env.get("GITHUB_EVENT_PATH", "").strip())
    api_url = (env.get("GITHUB_API_URL", "").strip() or DEFAULT_API_URL).rstrip("/")
    parts = urllib.parse.urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        # never echoed: it may hold credentials (x-access-token:<TOKEN>@host), issue 11 C9
        raise EventError("GITHUB_API_URL must be an http(s) URL without credentials")
    common: dict[str, Any] = {
        "event_name": event_name,
        "owner": owner,
        "repo": repo,
        "api_url": api_url,
        "token": token,
        "step_summary_path": env.get("GITHUB_STEP_SUMMARY") or None,
    }
    pr = payload.get("pull_request")
    if event_name in PR_EVENTS or isinstance(pr, dict):
        if not isinstance(pr, dict):
            raise EventError(f"the {event_name} event payload has no pull_request object")
        number = payload.get("number", pr.get("number"))
        if not isinstance(number, int):
            raise EventError("the event payload has no pull request number")
        head, base = pr.get("head") or {}, pr.get("base") or {}
        head_sha = str(head.get("sha") or "")
        if not head_sha:
            raise EventError("the event payload has no pull_request.head.sha")
        return EventContext(
            **common,
            pr_number=number,
            head_sha=head_sha,
            base_sha=str(base.get("sha") or ""),
            ref=f"refs/pull/{number}/head",
            head_repo=_full_name(head),
            base_repo=_full_name(base),
            changed_files=_count(pr.get("changed_files")),
        )
    ref = str(payload.get("ref") or env.get("GITHUB_REF") or "")
    sha = str(payload.get("after") or env.get("GITHUB_SHA") or "")
    if sha == _ZERO_SHA:
        raise EventError(f"{ref or 'the ref'} was deleted by this push: nothing to analyse")
    if ref and not ref.startswith("refs/"):
        ref = f"refs/heads/{ref}"
    return EventContext(**common, head_sha=sha, base_sha=str(payload.get("before") or ""), ref=ref)


def _read_payload(path: str) -> dict[str, Any]:
    if not path:
        raise EventError("GITHUB_EVENT_PATH is not set: it must name the event payload file")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EventError(f"GITHUB_EVENT_PATH names a missing file: {path}") from None
    except (OSError, ValueError) as exc:
        raise EventError(f"cannot read the event payload {path}: {exc}") from None
    if not isinstance(data, dict):
        raise EventError(f"the event payload {path} is not a JSON object")
    return data


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _full_name(side: Mapping[str, Any]) -> str:
    repo = side.get("repo")
    if isinstance(repo, dict):
        return str(repo.get("full_name") or "")
    return ""


def make_client(ctx: EventContext, **kwargs: Any) -> GitHubClient:
    """A client for the run's API URL and token (kwargs go to `GitHubClient`)."""
    if not ctx.token:
        raise EventError("GITHUB_TOKEN is not set: the GitHub API cannot be called")
    return GitHubClient(ctx.token, ctx.api_url, **kwargs)
