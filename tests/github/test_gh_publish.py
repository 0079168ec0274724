"""reviewer.github.publish.publish: GitHub trouble is reported, never raised."""

from __future__ import annotations

import io
from dataclasses import replace

from fake_github import TOKEN, FakeGitHub, Fault

from reviewer.github.event import EventContext
from reviewer.github.publish import PublishRequest, publish
from reviewer.model import Confidence, Finding, Location, Report, Score, Severity

SQLI = Finding(
    code="BR101",
    message="SQL built from request data",
    location=Location("app.py", 14),
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    fingerprint="fp-sqli",
)
REPORT = Report(
    target=".", version="0", findings=(SQLI,), score=Score(overall=60.7, items=()), rules=()
)


def test_unexpected_answers_become_one_line_on_stderr(fake: FakeGitHub, ctx: EventContext) -> None:
    # a stale comment of ours without an id: the API answered something we do not understand
    bot = {"login": "github-actions[bot]", "type": "Bot"}  # ours (issue 11, U9), but no id
    odd = [{"body": "old\n\n<!-- backend-review:fp=gone -->", "user": bot}]
    fake.faults.append(Fault("pulls/list-review-comments", 200, odd))  # type: ignore[arg-type]
    err, out = io.StringIO(), io.StringIO()
    result = publish(ctx, REPORT, REPORT, PublishRequest(review=True), err=err, out=out)
    assert result.review is None and result.errors
    assert "unexpected KeyError" in err.getvalue()
    assert TOKEN not in err.getvalue() + out.getvalue()


def test_token_in_a_message_is_scrubbed(fake: FakeGitHub, ctx: EventContext) -> None:
    fake.faults.append(
        Fault("code-scanning/upload-sarif", 400, {"message": f"bad token {TOKEN}"}, times=1)
    )
    err = io.StringIO()
    result = publish(ctx, REPORT, REPORT, PublishRequest(sarif=True), err=err)
    assert result.sarif is None and "SARIF upload failed" in err.getvalue()
    assert TOKEN not in err.getvalue() and "***" in err.getvalue()


def test_nothing_requested_or_no_context_does_nothing(fake: FakeGitHub, ctx: EventContext) -> None:
    err = io.StringIO()
    assert publish(None, REPORT, REPORT, PublishRequest(review=True), err=err).errors == []
    assert publish(ctx, REPORT, REPORT, PublishRequest(), err=err).errors == []
    no_token = replace(ctx, token="")
    result = publish(no_token, REPORT, REPORT, PublishRequest(sarif=True), err=err)
    assert result.errors and "GITHUB_TOKEN is not set" in err.getvalue()
    assert fake.requests == []
