"""Pull-request runs under attack (issue 11), against the contract-checking fake GitHub on
127.0.0.1 and a real git repository: U8 (more files than pulls/list-files returns)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from cli_runner import run_reviewer, without_github
from fake_github import TOKEN, FakeGitHub, Fault, actions_env
from gh_repo import PRRepo

from reviewer.scope import LIST_FILES_CAP, truncated_listing


def event_for(repo: PRRepo, contracts: Path, tmp: Path, changed_files: int) -> Path:
    data: dict[str, Any] = json.loads((contracts / "pull_request-event.json").read_text())
    data["pull_request"]["head"]["sha"] = repo.head
    data["pull_request"]["base"]["sha"] = repo.base
    data["pull_request"]["changed_files"] = changed_files
    path = tmp / "event.json"
    path.write_text(json.dumps(data))
    return path


def review(
    fake: FakeGitHub, repo: PRRepo, event: Path, tmp: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    proc = run_reviewer(
        *(str(repo.root), "-q", "--no-cache", "--diff", "--format", "json", "--fail-on", "high"),
        *args,
        env=without_github(**actions_env(fake, event)),
        cwd=tmp,
        timeout=240,
    )
    assert TOKEN not in proc.stdout + proc.stderr and "Traceback" not in proc.stderr
    return proc


def test_a_listing_shorter_than_the_pull_request_falls_back_to_git(
    fake: FakeGitHub, pr_repo: PRRepo, gh_contracts: Path, tmp_path: Path
) -> None:
    """U8: 3002 changed files, the API lists 3000, the SQL injection in the last one was shown
    nowhere and the gate passed. Here the API lists only app.py of the four changed files; the
    pickle.loads in services/jobs.py must still be reported and fail the gate."""
    (pr_repo.root / ".backend-review.yml").write_text("analyzers: {semgrep: false}\n")
    fake.files = [f for f in pr_repo.files if f["filename"] == "app.py"]
    event = event_for(pr_repo, gh_contracts, tmp_path, changed_files=len(pr_repo.files))
    proc = review(fake, pr_repo, event, tmp_path)
    assert (
        f"the API listed 1 of the pull request's {len(pr_repo.files)} changed files" in proc.stderr
    )
    paths = {f["location"]["path"] for f in json.loads(proc.stdout)["findings"]}
    assert "services/jobs.py" in paths and "app.py" in paths
    assert proc.returncode == 1
    assert any(r.op_id == "pulls/list-files" for r in fake.requests)


def test_a_complete_listing_is_used(
    fake: FakeGitHub, pr_repo: PRRepo, gh_contracts: Path, tmp_path: Path
) -> None:
    (pr_repo.root / ".backend-review.yml").write_text("analyzers: {semgrep: false}\n")
    event = event_for(pr_repo, gh_contracts, tmp_path, changed_files=len(pr_repo.files))
    proc = review(fake, pr_repo, event, tmp_path)
    assert "changed files" not in proc.stderr and "git instead" not in proc.stderr
    assert json.loads(proc.stdout)["extra"]["diff"]["base"].startswith("pull request #")


def test_the_cap_alone_means_truncated() -> None:
    assert truncated_listing(LIST_FILES_CAP, None)
    assert truncated_listing(LIST_FILES_CAP, LIST_FILES_CAP)  # exactly 3000: maybe more
    assert not truncated_listing(2999, None) and not truncated_listing(4, 4)


def _as_user(comment: dict[str, Any], login: str) -> dict[str, Any]:
    return {**comment, "user": {**comment["user"], "login": login, "type": "User"}}


def test_comments_with_our_markers_by_someone_else_are_not_ours(
    fake: FakeGitHub, pr_repo: PRRepo, gh_contracts: Path, tmp_path: Path
) -> None:
    """U9: the author pre-posted review comments ending in our fingerprints and an issue
    comment starting with our summary marker: the bot posted 0 of 11 findings and PATCHed the
    author's comment. A human's comment ending in a stale marker was deleted."""
    (pr_repo.root / ".backend-review.yml").write_text("analyzers: {semgrep: false}\n")
    fake.head_sha = pr_repo.head
    event = event_for(pr_repo, gh_contracts, tmp_path, changed_files=len(pr_repo.files))
    first = review(fake, pr_repo, event, tmp_path, "--github-review")
    assert first.returncode == 1, first.stderr
    ours = list(fake.review_comments)
    summary = list(fake.issue_comments)
    assert ours and len(summary) == 1
    # the same bodies, written by mallory (the pull request's author) instead of the bot
    mallory = [_as_user(c, "mallory") for c in ours]
    stale = _as_user({**ours[0], "id": fake.new_id()}, "alice")
    stale["body"] = "I disagree\n\n<!-- backend-review:fp=0000000000000000 -->"
    fake.review_comments = [*mallory, stale]
    fake.issue_comments = [_as_user(summary[0], "mallory")]
    fake.requests.clear()

    again = review(fake, pr_repo, event, tmp_path, "--github-review")
    assert again.returncode == 1, again.stderr
    bot = [c for c in fake.review_comments if c["user"]["login"] == "github-actions[bot]"]
    assert sorted(c["body"] for c in bot) == sorted(c["body"] for c in ours)  # all posted again
    assert [c for c in fake.review_comments if c["user"]["login"] != "github-actions[bot]"] == [
        *mallory,
        stale,
    ]  # nothing of theirs edited or deleted
    assert fake.issue_comments[0] == _as_user(summary[0], "mallory")
    assert [c["user"]["login"] for c in fake.issue_comments] == ["mallory", "github-actions[bot]"]
    assert not [r for r in fake.requests if r.method in ("PATCH", "DELETE")]


def test_pull_request_target_from_a_fork_is_refused(
    fake: FakeGitHub, pr_repo: PRRepo, gh_contracts: Path, tmp_path: Path
) -> None:
    """U16: a pull_request_target run with a fork head was a normal write run; with a checkout
    of the head (U1/U2) the fork's code posted as the bot."""
    (pr_repo.root / ".backend-review.yml").write_text("analyzers: {semgrep: false}\n")
    data: dict[str, Any] = json.loads(event_for(pr_repo, gh_contracts, tmp_path, 4).read_text())
    data["pull_request"]["head"]["repo"]["full_name"] = "mallory/fork"
    event = tmp_path / "fork-event.json"
    event.write_text(json.dumps(data))

    def run(**extra: str) -> subprocess.CompletedProcess[str]:
        return run_reviewer(
            *(str(pr_repo.root), "-q", "--no-cache", "--diff", "--github-review"),
            *("--format", "json"),
            env=without_github(**actions_env(fake, event, "pull_request_target", **extra)),
            cwd=tmp_path,
            timeout=240,
        )

    refused = run()
    assert refused.returncode == 2, refused.stderr
    assert "mallory/fork" in refused.stderr and "pull_request_target" in refused.stderr
    assert fake.requests == []
    allowed = run(BACKEND_REVIEW_ALLOW_FORK_PULL_REQUEST_TARGET="true")
    assert allowed.returncode == 0, allowed.stderr
    assert any(r.op_id == "pulls/list-files" for r in fake.requests)


def test_a_post_applied_then_answered_502_is_not_duplicated(
    fake: FakeGitHub, pr_repo: PRRepo, gh_contracts: Path, tmp_path: Path
) -> None:
    """U11: GitHub applied create-review and create-comment, then answered 502; the retried
    POSTs gave 2 reviews, 22 inline comments (11 duplicates) and 2 summaries."""
    (pr_repo.root / ".backend-review.yml").write_text("analyzers: {semgrep: false}\n")
    fake.head_sha = pr_repo.head
    event = event_for(pr_repo, gh_contracts, tmp_path, changed_files=len(pr_repo.files))
    fake.faults += [
        Fault("pulls/create-review", 502, applied=True),
        Fault("issues/create-comment", 502, applied=True),
    ]
    proc = review(fake, pr_repo, event, tmp_path, "--github-review")
    assert proc.returncode == 1, proc.stderr
    bodies = [c["body"] for c in fake.review_comments]
    assert bodies and len(bodies) == len(set(bodies))
    assert len(fake.issue_comments) == 1
    assert [r.status for r in fake.requests if r.op_id == "pulls/create-review"] == [502]


def test_a_single_comment_applied_then_502_is_not_duplicated(
    fake: FakeGitHub, pr_repo: PRRepo, gh_contracts: Path, tmp_path: Path
) -> None:
    """The one-by-one fallback (a 422 on the review) re-lists after a 5xx too; a comment that
    was not applied is posted again."""
    (pr_repo.root / ".backend-review.yml").write_text("analyzers: {semgrep: false}\n")
    fake.head_sha = pr_repo.head
    event = event_for(pr_repo, gh_contracts, tmp_path, changed_files=len(pr_repo.files))
    fake.faults += [
        Fault("pulls/create-review", 422, {"message": "Validation Failed"}),
        Fault("pulls/create-review-comment", 502, applied=True),
        Fault("issues/create-comment", 503),  # not applied: posted again after the re-list
    ]
    proc = review(fake, pr_repo, event, tmp_path, "--github-review")
    assert proc.returncode == 1, proc.stderr
    bodies = [c["body"] for c in fake.review_comments]
    assert len(bodies) == len(set(bodies)) > 1
    assert len(fake.issue_comments) == 1


def test_an_api_url_with_credentials_is_refused_without_echoing_it(
    fake: FakeGitHub, pr_repo: PRRepo, gh_contracts: Path, tmp_path: Path
) -> None:
    """C9: `GITHUB_API_URL=ftp://x-access-token:<TOKEN>@…` was an uncaught ValueError whose
    traceback printed the URL, token included."""
    event = event_for(pr_repo, gh_contracts, tmp_path, changed_files=len(pr_repo.files))
    env = without_github(**actions_env(fake, event))
    env["GITHUB_API_URL"] = f"ftp://x-access-token:{TOKEN}@127.0.0.1:1"
    proc = run_reviewer(
        *(str(pr_repo.root), "-q", "--no-cache", "--diff", "--disable-analyzer", "semgrep"),
        env=env,
        cwd=tmp_path,
        timeout=240,
    )
    assert proc.returncode == 2, proc.stderr
    assert "GITHUB_API_URL must be an http(s) URL without credentials" in proc.stderr
    assert TOKEN not in proc.stdout + proc.stderr and "Traceback" not in proc.stderr
