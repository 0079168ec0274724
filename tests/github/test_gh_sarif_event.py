"""Event context from the contract payloads, and SARIF upload through the fake."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fake_github import TOKEN, FakeGitHub, actions_env

from reviewer.github.client import GitHubClient, ValidationFailedError
from reviewer.github.event import EventContext, EventError, load_event_context
from reviewer.github.sarif_upload import SarifUploadError, encode_sarif, upload_sarif

SARIF: dict[str, Any] = {
    "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
    "version": "2.1.0",
    "runs": [{"tool": {"driver": {"name": "backend-review", "rules": []}}, "results": []}],
}
SHA_RE = re.compile(r"^[0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?$")


def test_pull_request_context(fake: FakeGitHub, ctx: EventContext) -> None:
    assert (ctx.owner, ctx.repo, ctx.pr_number) == ("Codertocat", "Hello-World", 2)
    assert ctx.head_sha.startswith("ec26c3e5") and ctx.base_sha.startswith("f95f852b")
    assert ctx.ref == "refs/pull/2/head" and ctx.api_url == fake.url
    assert not ctx.is_fork and not ctx.read_only_expected
    assert TOKEN not in repr(ctx) and ctx.token == TOKEN


def push_payload(gh_contracts: Path, tmp_path: Path) -> Path:
    """The contract push payload deletes a tag; make it an ordinary push to main."""
    data = json.loads((gh_contracts / "push-event.json").read_text())
    data.update(ref="refs/heads/main", after=data["before"], deleted=False)
    path = tmp_path / "push-main.json"
    path.write_text(json.dumps(data))
    return path


def test_synchronize_and_push_contexts(
    fake: FakeGitHub, gh_contracts: Path, tmp_path: Path
) -> None:
    sync = load_event_context(
        actions_env(fake, gh_contracts / "pull_request-synchronize-event.json")
    )
    assert sync.pr_number == 2 and sync.ref == "refs/pull/2/head"
    push = load_event_context(actions_env(fake, push_payload(gh_contracts, tmp_path), "push"))
    assert not push.is_pull_request
    assert push.ref == "refs/heads/main" and push.head_sha.startswith("6113728f")
    # the contract payload itself is a tag deletion (after = 0000...): nothing to analyse
    with pytest.raises(EventError, match="refs/tags/simple-tag was deleted"):
        load_event_context(actions_env(fake, gh_contracts / "push-event.json", "push"))


def test_missing_environment_is_named(fake: FakeGitHub, gh_contracts: Path, tmp_path: Path) -> None:
    env = actions_env(fake, gh_contracts / "pull_request-event.json")
    for key, message in (
        ("GITHUB_EVENT_NAME", "GITHUB_EVENT_NAME"),
        ("GITHUB_REPOSITORY", "GITHUB_REPOSITORY"),
        ("GITHUB_TOKEN", "GITHUB_TOKEN"),
        ("GITHUB_EVENT_PATH", "GITHUB_EVENT_PATH"),
    ):
        partial = {k: v for k, v in env.items() if k != key}
        with pytest.raises(EventError, match=message):
            load_event_context(partial)
    assert load_event_context({**env, "GITHUB_TOKEN": ""}, require_token=False).token == ""
    with pytest.raises(EventError, match="missing file"):
        load_event_context({**env, "GITHUB_EVENT_PATH": str(tmp_path / "nope.json")})
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    with pytest.raises(EventError, match="not a JSON object"):
        load_event_context({**env, "GITHUB_EVENT_PATH": str(bad)})
    without_api = {k: v for k, v in env.items() if k != "GITHUB_API_URL"}
    assert load_event_context(without_api).api_url == "https://api.github.com"


def test_upload_for_a_pull_request(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    result = upload_sarif(client, ctx, SARIF, tool_name="backend-review")
    assert result.id and result.url and result.gzip_bytes > 0
    (upload,) = fake.sarifs
    body = upload["request"]
    assert body["ref"] == "refs/pull/2/head" and SHA_RE.match(body["commit_sha"])
    assert body["commit_sha"] == ctx.head_sha
    assert json.loads(gzip.decompress(base64.b64decode(body["sarif"]))) == SARIF
    assert upload["log"] == SARIF


def test_upload_for_a_push(
    fake: FakeGitHub, client: GitHubClient, gh_contracts: Path, tmp_path: Path
) -> None:
    ctx = load_event_context(actions_env(fake, push_payload(gh_contracts, tmp_path), "push"))
    raw = json.dumps(SARIF, indent=2)
    upload_sarif(client, ctx, raw)
    body = fake.sarifs[0]["request"]
    assert body["ref"] == "refs/heads/main" and body["commit_sha"] == ctx.head_sha
    assert gzip.decompress(base64.b64decode(body["sarif"])).decode() == raw


def test_too_large_is_a_clear_error(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    fake.sarif_limit = 10  # the fake answers 413 like GitHub over its limit
    with pytest.raises(SarifUploadError, match="too large for code scanning"):
        upload_sarif(client, ctx, SARIF)
    assert fake.sarifs == []


def test_the_fake_rejects_bad_upload_bodies(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    encoded, _ = encode_sarif(SARIF)
    for payload, needle in (
        ({"commit_sha": "abc", "ref": ctx.ref, "sarif": encoded}, "does not match"),
        ({"commit_sha": ctx.head_sha, "ref": "main", "sarif": encoded}, "does not match"),
        ({"commit_sha": ctx.head_sha, "ref": ctx.ref}, "'sarif' is a required property"),
        ({"commit_sha": ctx.head_sha, "ref": ctx.ref, "sarif": encoded, "x": 1}, "Additional"),
    ):
        with pytest.raises(ValidationFailedError, match=needle):
            client.upload_sarif(ctx.owner, ctx.repo, payload)
    assert fake.sarifs == []


def test_upload_checks_sha_and_ref_before_sending(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    from dataclasses import replace

    with pytest.raises(SarifUploadError, match="commit sha"):
        upload_sarif(client, replace(ctx, head_sha="abc"), SARIF)
    with pytest.raises(SarifUploadError, match="ref"):
        upload_sarif(client, replace(ctx, ref="main"), SARIF)
    assert fake.requests == []


def test_encoding_is_deterministic() -> None:
    assert encode_sarif(SARIF) == encode_sarif(SARIF)
    assert encode_sarif(json.dumps(SARIF, separators=(",", ":"))) == encode_sarif(SARIF)


def test_forbidden_upload_explains_the_permission(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    fake.read_only = True
    with pytest.raises(SarifUploadError, match="security-events: write"):
        upload_sarif(client, ctx, SARIF)


def test_make_client_uses_the_context(ctx: EventContext) -> None:
    from dataclasses import replace

    from reviewer.github.event import make_client

    client = make_client(ctx)
    assert client.api_url == ctx.api_url and TOKEN not in repr(client)
    with pytest.raises(EventError, match="GITHUB_TOKEN"):
        make_client(replace(ctx, token=""))
