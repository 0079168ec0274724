"""The fake enforces GitHub's rules (so the review tests can fail), and the client's transport."""

from __future__ import annotations

import pytest
from fake_github import SPEC_URI, TOKEN, FakeGitHub, Sleeps

from reviewer.github.client import (
    ForbiddenError,
    GitHubClient,
    GitHubError,
    NotFoundError,
    RetryPolicy,
    ValidationFailedError,
    _next_link,
)
from reviewer.github.event import EventContext


def test_invalid_body_is_rejected_with_githubs_message(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    with pytest.raises(ValidationFailedError) as info:
        client.create_review(
            ctx.owner, ctx.repo, 2, commit_id=ctx.head_sha, body="x", comments=[], event="MAYBE"
        )
    assert info.value.status == 422
    assert "Invalid request" in info.value.message and "MAYBE" in info.value.message
    with pytest.raises(ValidationFailedError, match="'body' is a required property"):
        client.create_review_comment(ctx.owner, ctx.repo, 2, {"path": "app.py", "commit_id": "x"})
    assert fake.reviews == [] and fake.review_comments == []


def test_a_line_outside_the_hunks_fails_the_whole_review(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    good = {"path": "app.py", "body": "ok", "line": 14, "side": "RIGHT"}
    far = {"path": "app.py", "body": "no", "line": 30, "side": "RIGHT"}
    with pytest.raises(ValidationFailedError) as info:
        client.create_review(
            ctx.owner, ctx.repo, 2, commit_id=ctx.head_sha, body="r", comments=[good, far]
        )
    assert "must be part of the diff" in str(info.value.errors)
    assert fake.review_comments == []
    cross = {"path": "app.py", "body": "x", "line": 14, "start_line": 14, "side": "RIGHT"}
    with pytest.raises(ValidationFailedError, match="start line must precede"):
        client.create_review_comment(ctx.owner, ctx.repo, 2, {"commit_id": ctx.head_sha, **cross})
    client.create_review(ctx.owner, ctx.repo, 2, commit_id=ctx.head_sha, body="r", comments=[good])
    assert len(fake.review_comments) == 1


def test_pagination_follows_link_headers(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    files = client.list_pull_files(ctx.owner, ctx.repo, 2)
    assert [f["filename"] for f in files] == [f["filename"] for f in fake.files]
    pages = [r for r in fake.requests if r.op_id == "pulls/list-files"]
    assert len(pages) == -(-len(fake.files) // 2) > 1


def test_fake_responses_match_the_response_schemas(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    entry = {"path": "app.py", "body": "b", "line": 16, "start_line": 12, "side": "RIGHT"}
    entry["start_side"] = "RIGHT"
    client.create_review(ctx.owner, ctx.repo, 2, commit_id=ctx.head_sha, body="r", comments=[entry])
    client.create_issue_comment(ctx.owner, ctx.repo, 2, "summary")
    for name, items in (
        ("pull-request-review-comment", client.list_review_comments(ctx.owner, ctx.repo, 2)),
        ("issue-comment", client.list_issue_comments(ctx.owner, ctx.repo, 2)),
        ("diff-entry", client.list_pull_files(ctx.owner, ctx.repo, 2)),
    ):
        validator = fake.spec.validator(f"{SPEC_URI}#/components/schemas/{name}")
        for item in items:
            errors = list(validator.iter_errors(item))
            assert not errors, (name, errors[0].message)


def test_wrong_token_unknown_paths_and_missing_objects(
    fake: FakeGitHub, ctx: EventContext, sleeps: Sleeps
) -> None:
    bad = GitHubClient("not-the-token", ctx.api_url, sleep=sleeps)
    with pytest.raises(GitHubError) as info:
        bad.get_pull(ctx.owner, ctx.repo, 2)
    assert info.value.status == 401 and "not-the-token" not in str(info.value)
    good = GitHubClient(TOKEN, ctx.api_url, sleep=sleeps)
    with pytest.raises(NotFoundError):
        good.request("GET", "/repos/o/r/unknown")
    with pytest.raises(NotFoundError):
        good.update_issue_comment(ctx.owner, ctx.repo, 999999, "x")
    pr = good.get_pull(ctx.owner, ctx.repo, 2)
    assert pr["head"]["sha"] == ctx.head_sha


def test_read_only_403_is_typed_and_not_retried(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext, sleeps: Sleeps
) -> None:
    fake.read_only = True
    with pytest.raises(ForbiddenError) as info:
        client.create_issue_comment(ctx.owner, ctx.repo, 2, "hi")
    assert info.value.read_only and sleeps == []


def test_connection_errors_are_retried_then_reported(sleeps: Sleeps) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = GitHubClient(
        TOKEN, f"http://127.0.0.1:{port}", retry=RetryPolicy(max_retries=2), sleep=sleeps
    )
    with pytest.raises(GitHubError, match="connection failed") as info:
        client.get_pull("o", "r", 1)
    assert info.value.status == 0 and sleeps == [1.0, 2.0]


def test_client_guards() -> None:
    client = GitHubClient(TOKEN, "https://ghe.example.com/api/v3/")
    assert client.api_url == "https://ghe.example.com/api/v3"
    assert TOKEN not in repr(client) and TOKEN not in str(client)
    with pytest.raises(ValueError, match="another origin"):
        client.request("GET", "https://evil.example.com/repos/o/r")
    with pytest.raises(ValueError):
        GitHubClient("", "https://api.github.com")
    with pytest.raises(ValueError):
        GitHubClient(TOKEN, "ftp://x")


def test_link_header_parsing() -> None:
    link = '<https://a/x?page=2>; rel="next", <https://a/x?page=9>; rel="last"'
    assert _next_link(link) == "https://a/x?page=2"
    assert _next_link('<https://a/x?page=1>; rel="prev"') is None
    assert _next_link("") is None


def test_writes_are_spaced_out_reads_are_not(
    fake: FakeGitHub, ctx: EventContext, sleeps: Sleeps
) -> None:
    now = [100.0]
    client = GitHubClient(TOKEN, ctx.api_url, sleep=sleeps, clock=lambda: now[0])
    client.list_pull_files(ctx.owner, ctx.repo, 2)
    first = client.create_issue_comment(ctx.owner, ctx.repo, 2, "one")
    now[0] += 0.25
    client.update_issue_comment(ctx.owner, ctx.repo, first["id"], "two")
    now[0] += 5
    client.delete_issue_comment(ctx.owner, ctx.repo, first["id"])
    client.list_issue_comments(ctx.owner, ctx.repo, 2)
    assert sleeps == [0.75]
    assert fake.issue_comments == []
