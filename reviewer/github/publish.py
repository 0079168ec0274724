"""`--github-review` and `--upload-sarif`: publish a finished report to GitHub.

Publishing never decides the exit code: the quality gate does. Every GitHub failure (missing
environment, rate limits that outlast the retries, 5xx, no permission) becomes one clear
line on stderr and the run goes on. Messages never contain the token: GitHub errors carry
only method, path and GitHub's message, and every line is scrubbed once more before printing.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, TextIO

from reviewer.github.client import GitHubError
from reviewer.github.event import EventContext, EventError, make_client
from reviewer.github.review import DEFAULT_BOT_LOGIN, ReviewOptions, ReviewResult, run_review
from reviewer.github.sarif_upload import SarifUploadError, SarifUploadResult, upload_sarif
from reviewer.model import Report


@dataclass(frozen=True)
class PublishRequest:
    review: bool = False
    sarif: bool = False
    max_comments: int = 25
    category: str | None = None
    path_prefix: str = ""
    server_url: str = "https://github.com"  # GITHUB_SERVER_URL, for file links in the summary
    bot_login: str = DEFAULT_BOT_LOGIN  # BACKEND_REVIEW_BOT_LOGIN: whose comments are ours


@dataclass
class PublishResult:
    review: ReviewResult | None = None
    sarif: SarifUploadResult | None = None
    errors: list[str] | None = None


def publish(
    ctx: EventContext | None,
    report: Report,
    full: Report,
    request: PublishRequest,
    *,
    err: TextIO | None = None,
    out: TextIO | None = None,
) -> PublishResult:
    """Post the review (from `report`) and upload the SARIF (from `full`); never raises."""
    err = err or sys.stderr
    out = out or sys.stdout
    result = PublishResult(errors=[])
    token = ctx.token if ctx is not None else ""

    def say(message: str) -> None:
        text = message.replace(token, "***") if token else message
        assert result.errors is not None
        result.errors.append(text)
        print(f"backend-review: github: {text}", file=err)

    if ctx is None or not (request.review or request.sarif):
        return result
    if not ctx.token:
        say(
            "GITHUB_TOKEN is not set; pass `github-token: ${{ github.token }}` to the action "
            "or export GITHUB_TOKEN"
        )
        return result
    try:
        client = make_client(ctx)
    except (EventError, ValueError) as exc:
        say(str(exc))
        return result
    if request.review:
        result.review = _review(client, ctx, report, request, say, out, err)
    if request.sarif:
        result.sarif = _upload(client, ctx, full, request, say, err)
    return result


def _review(
    client: Any,
    ctx: EventContext,
    report: Report,
    request: PublishRequest,
    say: Any,
    out: TextIO,
    err: TextIO,
) -> ReviewResult | None:
    if not ctx.is_pull_request:
        print(
            f"backend-review: github: the {ctx.event_name} event is not a pull request; "
            "no review posted",
            file=err,
        )
        return None
    from urllib.parse import quote

    from reviewer.reporters import RenderOptions, render_report

    prefix = request.path_prefix.strip("/")
    link_base = (
        "/".join(
            [
                request.server_url.rstrip("/"),
                quote(ctx.owner),
                quote(ctx.repo),
                "blob",
                ctx.head_sha,
            ]
        )
        + "/"
        + (quote(prefix) + "/" if prefix else "")
    )
    summary = render_report("markdown", report, options=RenderOptions(link_base=link_base))
    options = ReviewOptions(
        max_comments=request.max_comments,
        path_prefix=request.path_prefix,
        rules={m.code: m for m in report.rules},
        bot_login=request.bot_login,
    )
    try:
        done = run_review(client, ctx, report.findings, summary, options, out=out)
    except (GitHubError, OSError) as exc:
        say(f"the review was not posted: {exc}")
        return None
    except Exception as exc:  # an unexpected answer must not take the gate's exit code away
        say(f"the review was not posted: unexpected {type(exc).__name__}: {exc}")
        return None
    _report_review(done, err)
    return done


def _report_review(done: ReviewResult, err: TextIO) -> None:
    if done.read_only:
        print(
            "backend-review: github: read-only token (fork pull request?): the summary went to "
            f"the job summary and {done.annotations} annotation(s) to the log",
            file=err,
        )
        return
    print(
        f"backend-review: github: {len(done.posted)} comment(s) posted, "
        f"{len(done.skipped)} already there, {len(done.resolved) + len(done.deleted)} "
        f"retired, summary {done.summary_action or 'not written'}",
        file=err,
    )
    for note in done.fallbacks:
        print(f"backend-review: github: {note}", file=err)


def _upload(
    client: Any,
    ctx: EventContext,
    full: Report,
    request: PublishRequest,
    say: Any,
    err: TextIO,
) -> SarifUploadResult | None:
    from reviewer.reporters import RenderOptions, render_report

    sarif = render_report("sarif", full, options=RenderOptions(category=request.category))
    try:
        uploaded = upload_sarif(client, ctx, sarif)
    except (SarifUploadError, GitHubError, OSError) as exc:
        say(f"SARIF upload failed: {exc}")
        return None
    except Exception as exc:  # see _review
        say(f"SARIF upload failed: unexpected {type(exc).__name__}: {exc}")
        return None
    print(
        f"backend-review: github: SARIF uploaded for {ctx.ref} ({uploaded.gzip_bytes} bytes "
        f"gzip, id {uploaded.id})",
        file=err,
    )
    return uploaded
