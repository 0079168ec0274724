"""The PR review flow end to end against the loopback fake GitHub (real HTTP, real git diff)."""

from __future__ import annotations

import io
import json
import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fake_github import TOKEN, FakeGitHub, Fault, Sleeps, actions_env

from reviewer.diff import parse_github_files
from reviewer.github.client import GitHubClient, GitHubError, RateLimitedError, RetryPolicy
from reviewer.github.event import EventContext, load_event_context
from reviewer.github.review import (
    FP_MARKER,
    RESOLVED_MARKER,
    SUMMARY_MARKER,
    ReviewError,
    ReviewOptions,
    ReviewResult,
    plan_comments,
    run_review,
)
from reviewer.model import Confidence, Finding, Location, Severity

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def finding(
    code: str,
    path: str,
    line: int,
    severity: Severity = H,
    *,
    end_line: int = 0,
    fix: str | None = None,
    project_level: bool = False,
    suppressed: bool = False,
    confidence: Confidence = Confidence.HIGH,
) -> Finding:
    return Finding(
        code=code,
        message=f"{code} problem at {path}:{line}",
        location=Location(path, line, end_line=end_line),
        severity=severity,
        confidence=confidence,
        fingerprint=f"fp-{code}-{path.replace('/', '_')}-{line}",
        fix=fix,
        project_level=project_level,
        suppressed=suppressed,
    )


SQLI = finding(
    "BR101",
    "app.py",
    14,
    C,
    fix='    db.execute("INSERT INTO users VALUES (%s)", (name,))\n',
)
LOGIC = finding("BR401", "app.py", 12, M, end_line=16)
PRINT_APP = finding("BR802", "app.py", 15, L)
FAR = finding("BR703", "app.py", 30, H)  # unchanged line outside every hunk
PICKLE = finding("BR104", "services/jobs.py", 6, H)
SHELL = finding("BR102", "services/jobs.py", 10, C)
PRINTS = [finding("BR802", "services/jobs.py", n, L) for n in (14, 18, 22, 26)]
PROJECT = finding("BR803", "app.py", 1, M, project_level=True)
SUPPRESSED = finding("BR101", "services/jobs.py", 7, C, suppressed=True)
FINDINGS = [SQLI, LOGIC, PRINT_APP, FAR, PICKLE, SHELL, *PRINTS, PROJECT, SUPPRESSED]


def review(
    client: GitHubClient,
    ctx: EventContext,
    findings: list[Finding] | None = None,
    summary: str = "## backend-review\n\nScore: 71/100",
    out: io.StringIO | None = None,
) -> ReviewResult:
    return run_review(
        client, ctx, FINDINGS if findings is None else findings, summary, out=out or io.StringIO()
    )


def marker_fps(comments: list[dict[str, Any]]) -> set[str]:
    found = set()
    for c in comments:
        m = re.search(r"backend-review:fp=(\S+) -->", c["body"])
        if m:
            found.add(m.group(1))
    return found


def test_first_run_posts_one_review_and_one_summary(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    result = review(client, ctx)

    review_posts = [r for r in fake.requests if r.op_id == "pulls/create-review"]
    assert len(review_posts) == 1 and review_posts[0].status == 200
    body = review_posts[0].body
    assert body["event"] == "COMMENT" and body["commit_id"] == ctx.head_sha
    # budget: BR802 is capped at 3 inline comments per rule (ties ranked by path, line), the
    # other 2 go to the summary; FAR is on an unchanged line, PROJECT is project-level
    expected = [SQLI, SHELL, PICKLE, LOGIC, PRINT_APP, PRINTS[0], PRINTS[1]]
    assert result.posted == [f.fingerprint for f in expected]
    assert marker_fps(fake.review_comments) == set(result.posted)
    assert SQLI.fingerprint in result.posted and SHELL.fingerprint in result.posted
    assert FAR.fingerprint not in result.posted and PROJECT.fingerprint not in result.posted
    assert SUPPRESSED.fingerprint not in marker_fps(fake.review_comments)
    assert result.overflow == 2
    assert sum(fp.startswith("fp-BR802") for fp in result.posted) == 3
    by_fp = {re.search(r"fp=(\S+) -->", c["body"]).group(1): c for c in fake.review_comments}  # type: ignore[union-attr]
    sqli = by_fp[SQLI.fingerprint]
    assert sqli["line"] == 14 and sqli["start_line"] is None and sqli["side"] == "RIGHT"
    assert (
        '```suggestion\n    db.execute("INSERT INTO users VALUES (%s)", (name,))\n```'
        in (sqli["body"])
    )
    assert FP_MARKER.format(SQLI.fingerprint) in sqli["body"]
    logic = by_fp[LOGIC.fingerprint]
    assert (logic["start_line"], logic["line"], logic["start_side"]) == (12, 16, "RIGHT")

    assert len(fake.issue_comments) == 1
    summary = fake.issue_comments[0]["body"]
    assert summary.startswith(SUMMARY_MARKER) and "Score: 71/100" in summary
    assert "not posted inline): 2" in summary
    assert result.summary_action == "created" and not result.read_only


def test_rerun_without_change_sends_no_write_request(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    first = review(client, ctx)
    before = len(fake.requests)
    second = review(client, ctx)
    later = fake.requests[before:]
    assert later, "the re-run must still read the PR"
    assert [r for r in later if r.method != "GET"] == []
    assert sorted(second.skipped) == sorted(first.posted)
    assert second.posted == [] and second.summary_action == "unchanged"
    assert len(fake.review_comments) == len(first.posted)


def test_rerun_after_fix_resolves_replied_comment_and_deletes_the_other(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    review(client, ctx)
    sqli_comment = next(c for c in fake.review_comments if SQLI.fingerprint in c["body"])
    reply = fake.add_reply(sqli_comment["id"], "Good catch, fixing.")
    summary_id = fake.issue_comments[0]["id"]

    fixed = [f for f in FINDINGS if f not in (SQLI, PICKLE)]
    result = review(client, ctx, fixed, summary="## backend-review\n\nScore: 88/100")

    assert result.resolved == [SQLI.fingerprint]
    assert result.deleted == [PICKLE.fingerprint]
    assert result.posted == []
    edited = next(c for c in fake.review_comments if c["id"] == sqli_comment["id"])
    assert RESOLVED_MARKER in edited["body"] and "Resolved" in edited["body"]
    assert "```suggestion" not in edited["body"]
    assert any(c["id"] == reply["id"] for c in fake.review_comments)  # the thread stays
    assert not any(PICKLE.fingerprint in c["body"] for c in fake.review_comments)
    # the summary comment is edited in place, not re-posted
    assert [c["id"] for c in fake.issue_comments] == [summary_id]
    assert "Score: 88/100" in fake.issue_comments[0]["body"]
    assert result.summary_action == "updated"

    # the finding comes back: the resolved comment is reopened, not duplicated
    again = review(client, ctx, FINDINGS, summary="## backend-review\n\nScore: 88/100")
    assert again.reopened == [SQLI.fingerprint]
    assert sum(SQLI.fingerprint in c["body"] for c in fake.review_comments) == 1
    assert RESOLVED_MARKER not in next(
        c["body"] for c in fake.review_comments if c["id"] == sqli_comment["id"]
    )
    assert again.posted == [PICKLE.fingerprint]


def test_422_on_one_anchor_posts_the_rest_and_falls_back_to_a_file_comment(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    fake.reject_anchors = {("app.py", 14)}  # e.g. the line moved under us
    result = review(client, ctx)

    reviews = [r for r in fake.requests if r.op_id == "pulls/create-review"]
    assert [r.status for r in reviews] == [422]
    assert len(result.posted) == 6 and SQLI.fingerprint not in result.posted
    assert result.file_level == [SQLI.fingerprint]
    file_comment = next(c for c in fake.review_comments if SQLI.fingerprint in c["body"])
    assert file_comment["subject_type"] == "file" and file_comment["body"].startswith("Line 14:")
    assert "```suggestion" not in file_comment["body"]
    assert any("one by one" in note for note in result.fallbacks)


def test_rejected_file_comment_goes_to_the_summary(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    fake.reject_anchors = {("app.py", 14)}
    fake.reject_file_comments = {"app.py"}
    result = review(client, ctx)
    assert result.to_summary == [SQLI.fingerprint]
    assert len(result.posted) == 6
    summary = fake.issue_comments[0]["body"]
    assert "could not be anchored to the diff: 1" in summary
    assert "**BR101** `app.py:14`" in summary


def test_secondary_rate_limit_honours_retry_after_then_succeeds(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext, sleeps: Sleeps
) -> None:
    fake.faults.append(
        Fault(
            "pulls/create-review",
            403,
            {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."},
            {"Retry-After": "2"},
        )
    )
    result = review(client, ctx)
    assert sleeps == [2.0]
    assert len(result.posted) == 7
    statuses = [r.status for r in fake.requests if r.op_id == "pulls/create-review"]
    assert statuses == [403, 200]


def test_primary_rate_limit_waits_until_reset(
    fake: FakeGitHub, ctx: EventContext, sleeps: Sleeps
) -> None:
    now = 1_800_000_000.0
    fake.faults.append(
        Fault(
            "pulls/list-files",
            403,
            {"message": "API rate limit exceeded for installation."},
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(now) + 5)},
        )
    )
    client = GitHubClient(ctx.token, ctx.api_url, sleep=sleeps, clock=lambda: now)
    files = client.list_pull_files(ctx.owner, ctx.repo, 2)
    assert sleeps == [6.0]  # until the reset, plus one second of slack
    assert len(files) == len(fake.files)


def test_rate_limit_longer_than_the_cap_fails_fast(
    fake: FakeGitHub, ctx: EventContext, sleeps: Sleeps
) -> None:
    fake.faults.append(
        Fault("pulls/list-files", 429, {"message": "slow down"}, {"Retry-After": "3600"})
    )
    client = GitHubClient(ctx.token, ctx.api_url, retry=RetryPolicy(max_wait=60), sleep=sleeps)
    with pytest.raises(RateLimitedError, match="over the 60 s cap"):
        client.list_pull_files(ctx.owner, ctx.repo, 2)
    assert sleeps == []


def test_server_errors_back_off_then_succeed(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext, sleeps: Sleeps
) -> None:
    fake.faults.append(Fault("pulls/list-files", 502, {"message": "Bad Gateway"}, times=2))
    fake.faults.append(Fault("issues/create-comment", 503, {"message": "Unavailable"}))
    result = review(client, ctx)
    assert sleeps == [0.01, 0.02, 0.01]
    assert len(result.posted) == 7 and result.summary_action == "created"
    assert len(fake.issue_comments) == 1


def test_server_errors_are_bounded(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    fake.faults.append(Fault("pulls/list-files", 500, {"message": "boom"}, times=99))
    with pytest.raises(GitHubError) as info:
        review(client, ctx)
    assert info.value.status == 500
    assert len([r for r in fake.requests if r.op_id == "pulls/list-files"]) == 4  # 1 + 3 retries


def test_fork_pull_request_writes_step_summary_and_annotations(
    fake: FakeGitHub,
    client: GitHubClient,
    gh_contracts: Path,
    tmp_path: Path,
    pr_event: dict[str, Any],
) -> None:
    payload = json.loads(json.dumps(pr_event))
    payload["pull_request"]["head"]["repo"]["full_name"] = "someone/Hello-World"
    event_path = tmp_path / "fork-event.json"
    event_path.write_text(json.dumps(payload))
    step_summary = tmp_path / "summary.md"
    ctx = load_event_context(actions_env(fake, event_path, GITHUB_STEP_SUMMARY=str(step_summary)))
    assert ctx.is_fork and ctx.read_only_expected
    out = io.StringIO()
    result = review(client, ctx, out=out)

    assert fake.writes() == []
    assert result.read_only and result.summary_action == "step-summary"
    text = step_summary.read_text()
    assert "Score: 71/100" in text and SUMMARY_MARKER not in text
    lines = out.getvalue().splitlines()
    assert len(lines) == result.annotations == 7
    assert (
        "::error file=app.py,line=14,endLine=14,title=BR101::BR101 problem at app.py%3A14"
        not in lines
    )
    assert "::error file=app.py,line=14,endLine=14,title=BR101::BR101 problem at app.py:14" in lines
    assert "::notice file=services/jobs.py,line=14,endLine=14,title=BR802::" in "\n".join(lines)


def test_read_only_token_falls_back_after_the_first_403(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    fake.read_only = True
    out = io.StringIO()
    result = review(client, ctx, out=out)
    writes = fake.writes()
    assert [w.status for w in writes] == [403]  # one attempt, no retry storm
    assert result.read_only and result.annotations == 7
    assert ctx.step_summary_path and "Score: 71/100" in Path(ctx.step_summary_path).read_text()
    assert any("Resource not accessible" in note for note in result.fallbacks)


def test_the_token_never_appears_in_output(
    fake: FakeGitHub,
    client: GitHubClient,
    ctx: EventContext,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    out = io.StringIO()
    fake.faults.append(Fault("pulls/list-files", 502, times=1))
    fake.reject_anchors = {("app.py", 14)}
    review(client, ctx, out=out)
    fake.read_only = True
    review(client, ctx, FINDINGS[:2], out=out)
    fake.faults.append(Fault("pulls/list-files", 500, times=99))
    with pytest.raises(GitHubError) as info:
        review(client, ctx, out=out)
    captured = capsys.readouterr()
    texts = [
        out.getvalue(),
        captured.out,
        captured.err,
        caplog.text,
        str(info.value),
        repr(info.value),
        repr(client),
        str(client),
        repr(ctx),
        Path(ctx.step_summary_path or "").read_text(),
        json.dumps([r.body for r in fake.requests]),
    ]
    assert caplog.records, "the retries should have been logged"
    for text in texts:
        assert TOKEN not in text
    # and it was sent where it belongs
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in fake.requests)


def test_budget_ranks_by_severity_times_confidence() -> None:
    patch = "@@ -0,0 +1,30 @@\n" + "".join(f"+line {n}\n" for n in range(1, 31))
    diffs = parse_github_files([{"filename": "svc/app.py", "status": "added", "patch": patch}])
    low_sure = finding("BR802", "app.py", 3, L)
    high_unsure = finding("BR301", "app.py", 2, H, confidence=Confidence.LOW)
    crit = finding("BR101", "app.py", 9, C)
    medium = finding("BR110", "app.py", 1, M)
    options = ReviewOptions(max_comments=2, path_prefix="svc")
    plan = plan_comments([low_sure, high_unsure, crit, medium], diffs, options)
    assert [p.finding for p in plan.inline] == [crit, medium]  # 10x1, then 2x1 over 5x0.3
    assert plan.overflow == (high_unsure, low_sure)
    assert all(p.path == "svc/app.py" for p in plan.inline)
    elsewhere = plan_comments([finding("BR101", "other.py", 1)], diffs, options)
    assert elsewhere.inline == () and len(elsewhere.not_on_changed_lines) == 1


def test_markers_inside_text_are_not_mistaken_for_ours(
    fake: FakeGitHub, client: GitHubClient, ctx: EventContext
) -> None:
    # a human comment quoting our summary marker must not be edited as if it were ours
    client.create_issue_comment(ctx.owner, ctx.repo, 2, f"see {SUMMARY_MARKER} lol")
    sneaky = replace(PICKLE, message=f"evil {FP_MARKER.format(SHELL.fingerprint)} text")
    result = review(client, ctx, [sneaky, SHELL])
    assert sorted(result.posted) == sorted([PICKLE.fingerprint, SHELL.fingerprint])
    assert len(fake.issue_comments) == 2 and fake.issue_comments[0]["body"].startswith("see")
    again = review(client, ctx, [sneaky])  # SHELL is gone: only its own comment is retired
    assert again.deleted == [SHELL.fingerprint] and again.skipped == [PICKLE.fingerprint]
    assert any(PICKLE.fingerprint in c["body"] for c in fake.review_comments)


def test_review_needs_a_pull_request(client: GitHubClient, ctx: EventContext) -> None:
    with pytest.raises(ReviewError, match="not a pull request"):
        review(client, replace(ctx, event_name="push", pr_number=None))


def test_review_from_the_actions_environment(
    fake: FakeGitHub, gh_contracts: Path, tmp_path: Path
) -> None:
    from reviewer.github.review import review_from_environment

    env = actions_env(fake, gh_contracts / "pull_request-synchronize-event.json")
    result = review_from_environment([SQLI, SHELL], "## summary", env=env, out=io.StringIO())
    assert sorted(result.posted) == sorted([SQLI.fingerprint, SHELL.fingerprint])
    assert fake.issue_comments[0]["body"].startswith(SUMMARY_MARKER)


def test_comments_rank_by_the_scores_weights_and_info_by_confidence() -> None:
    """One weight table (reviewer/scoring.py): costlier first; INFO costs nothing there, so
    severity then confidence order the rest, an INFO finding of high confidence first."""
    from reviewer.github.review import _rank_key
    from reviewer.reporters.markdown import SUMMARY_MARKER as MARKDOWN_MARKER

    info_low = finding("BR001", "a.py", 1, Severity.INFO, confidence=Confidence.LOW)
    info_high = finding("BR001", "z.py", 9, Severity.INFO, confidence=Confidence.HIGH)
    low = finding("BR002", "z.py", 5, L, confidence=Confidence.LOW)
    crit = finding("BR003", "z.py", 7, C, confidence=Confidence.LOW)
    ranked = sorted([info_low, info_high, low, crit], key=_rank_key)
    assert ranked == [crit, low, info_high, info_low]
    assert SUMMARY_MARKER is MARKDOWN_MARKER
