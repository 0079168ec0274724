"""Post findings to a pull request as one review with inline comments, plus one summary comment.

The flow follows what users of other review bots asked for (research/peers.md sections 3 and 4):

* comments only on lines the PR added or changed, each anchor checked against the PR's hunks
  before sending (GitHub rejects the whole review with 422 if one line is outside the diff);
* a noise budget: at most `max_comments` inline comments ranked by severity x confidence, at
  most `per_rule_limit` per rule; the rest are listed in the summary;
* no duplicates: each comment carries ``<!-- backend-review:fp=<fingerprint> -->``; re-runs skip
  posted fingerprints, and our comments whose finding is gone are deleted (no replies) or edited
  to say resolved (someone replied, keep the thread);
* one summary comment found by ``<!-- backend-review:summary -->`` and edited in place, and only
  when its text changed, so an unchanged re-run makes no write request at all;
* failures: a 422 on the review posts the comments one by one, a 422 on one comment falls back
  to a file-level comment and then to the summary; a read-only token (fork PRs) writes the
  summary to GITHUB_STEP_SUMMARY and prints workflow annotations instead.
The review event is always COMMENT: the quality gate is the exit code, not an approval.
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
import re
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from reviewer.diff import FileDiff, FileDiffs, parse_github_files
from reviewer.github.client import (
    ForbiddenError,
    GitHubClient,
    ServerError,
    ValidationFailedError,
)
from reviewer.github.event import EventContext, load_event_context, make_client
from reviewer.model import Finding, RuleMeta, Severity
from reviewer.reporters.markdown import SUMMARY_MARKER
from reviewer.scoring import finding_cost

log = logging.getLogger("reviewer.github")

RESOLVED_MARKER = "<!-- backend-review:resolved -->"
FP_MARKER = "<!-- backend-review:fp={} -->"
_FP_RE = re.compile(r"<!-- backend-review:fp=([A-Za-z0-9:._-]+) -->")
MAX_BODY = 65_000  # GitHub's comment limit is about 65,536 characters
MAX_SUMMARY_ITEMS = 50
MULTILINE_SPAN = 10  # longer ranges get a single-line anchor unless a suggestion needs them


# The identity the workflow's GITHUB_TOKEN posts as. A GitHub App or personal token posts as
# someone else: set BACKEND_REVIEW_BOT_LOGIN (GET /user does not answer installation tokens).
DEFAULT_BOT_LOGIN = "github-actions[bot]"
BOT_LOGIN_ENV = "BACKEND_REVIEW_BOT_LOGIN"


def bot_login(env: Mapping[str, str]) -> str:
    return env.get(BOT_LOGIN_ENV, "").strip() or DEFAULT_BOT_LOGIN


def is_ours(comment: Mapping[str, Any], login: str) -> bool:
    """A comment is ours only when our identity wrote it. Markers and fingerprints are public
    (a local run computes them), so anyone can write them: a pull request's author who posts
    comments ending in our markers must not suppress our comments, have their comment adopted
    as our summary, or make us delete someone else's comment (issue 11, U9)."""
    user = comment.get("user")
    if not isinstance(user, Mapping) or user.get("login") != login:
        return False
    return not login.endswith("[bot]") or user.get("type") == "Bot"


class ReviewError(Exception):
    """The review cannot run (e.g. the event is not a pull request)."""


@dataclass(frozen=True)
class ReviewOptions:
    max_comments: int = 25
    per_rule_limit: int = 3
    path_prefix: str = ""  # the target's folder inside the repository ("" = repository root)
    rules: Mapping[str, RuleMeta] = field(default_factory=dict)  # code -> meta, for titles
    # who posts our comments: only comments by this login are ever read as ours (see `is_ours`)
    bot_login: str = DEFAULT_BOT_LOGIN


@dataclass(frozen=True)
class PlannedComment:
    """One inline comment whose anchor was checked against the PR's hunks."""

    finding: Finding
    fingerprint: str
    path: str  # repository-relative
    line: int
    start_line: int | None
    body: str

    def review_entry(self) -> dict[str, Any]:
        """The item for pulls/create-review ``comments[]``."""
        entry: dict[str, Any] = {"path": self.path, "body": self.body, "line": self.line}
        entry["side"] = "RIGHT"
        if self.start_line is not None:
            entry["start_line"] = self.start_line
            entry["start_side"] = "RIGHT"
        return entry


@dataclass(frozen=True)
class CommentPlan:
    inline: tuple[PlannedComment, ...]
    overflow: tuple[Finding, ...]  # anchorable, but over the budget or the per-rule limit
    not_on_changed_lines: tuple[Finding, ...]


@dataclass
class ReviewResult:
    """What one run did, by fingerprint; for logs and tests."""

    posted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already on the PR
    resolved: list[str] = field(default_factory=list)  # edited to say resolved
    deleted: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    file_level: list[str] = field(default_factory=list)
    to_summary: list[str] = field(default_factory=list)  # every anchor was rejected
    fallbacks: list[str] = field(default_factory=list)  # human-readable notes
    overflow: int = 0
    summary_action: str = ""  # created | updated | unchanged | step-summary | stdout
    summary_comment_id: int | None = None
    read_only: bool = False
    annotations: int = 0


# --------------------------------------------------------------------------- planning


def fingerprint_of(finding: Finding) -> str:
    """The finding's fingerprint, or a stable stand-in when the pipeline did not set one."""
    if finding.fingerprint:
        return re.sub(r"[^A-Za-z0-9:._-]", "-", finding.fingerprint)
    key = "\0".join(
        (finding.code, finding.location.path, finding.scope, finding.snippet, finding.message)
    )
    return "x" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def _rank_key(finding: Finding) -> tuple[float, int, int, tuple[str, int, int, str, str]]:
    """Costliest first, by the score's own weights (reviewer/scoring.py). INFO costs nothing
    there, so severity and then confidence break ties: info findings still rank among
    themselves by confidence, as they did when this module kept its own INFO weight of 0.1."""
    return (
        -finding_cost(finding),
        -finding.severity.rank,
        -finding.confidence.rank,
        finding.sort_key,
    )


def repo_path(path: str, prefix: str) -> str:
    prefix = prefix.strip("/")
    return posixpath.join(prefix, path) if prefix else path


def choose_anchor(finding: Finding, fd: FileDiff) -> tuple[int | None, int, bool] | None:
    """(start_line, line, whole_range) for a comment, or None when no line of it was added.

    `whole_range` is True when the anchor covers exactly the finding's lines, which a
    ``suggestion`` block needs because it replaces the commented lines.
    """
    start = finding.location.line
    end = max(start, finding.location.end_line)
    span = range(start, end + 1)
    first_added = next((n for n in span if fd.is_added(n)), None)
    if first_added is None:
        return None
    if fd.hunk_for_range(start, end) is not None:
        if end == start:
            return None, start, True
        if finding.fix is not None or end - start < MULTILINE_SPAN:
            return start, end, True
    if fd.in_hunk(start):
        return None, start, start == end
    return None, first_added, False


def anchor_is_valid(diffs: FileDiffs, path: str, line: int, start_line: int | None) -> bool:
    """GitHub's own rule: `line` in a hunk; `start_line` before it in the same hunk."""
    if start_line is None:
        return diffs.in_hunk(path, line)
    return start_line < line and diffs.hunk_for_range(path, start_line, line) is not None


def plan_comments(
    findings: Sequence[Finding], diffs: FileDiffs, options: ReviewOptions
) -> CommentPlan:
    """Choose and anchor the inline comments; pure, so the budget rules are easy to test."""
    anchored: list[PlannedComment] = []
    elsewhere: list[Finding] = []
    for finding in sorted(findings, key=_rank_key):
        if finding.suppressed:
            continue
        path = repo_path(finding.location.path, options.path_prefix)
        fd = diffs.get(path)
        anchor = None if finding.project_level or fd is None else choose_anchor(finding, fd)
        if anchor is None:
            elsewhere.append(finding)
            continue
        start_line, line, whole = anchor
        if not anchor_is_valid(diffs, path, line, start_line):  # never send a doomed anchor
            elsewhere.append(finding)
            continue
        body = comment_body(finding, options.rules.get(finding.code), suggest=whole)
        anchored.append(
            PlannedComment(finding, fingerprint_of(finding), path, line, start_line, body)
        )
    inline: list[PlannedComment] = []
    overflow: list[Finding] = []
    per_rule: Counter[str] = Counter()
    seen: set[str] = set()
    for planned in anchored:
        code = planned.finding.code
        if planned.fingerprint in seen:
            continue
        if per_rule[code] >= options.per_rule_limit or len(inline) >= options.max_comments:
            overflow.append(planned.finding)
            continue
        per_rule[code] += 1
        seen.add(planned.fingerprint)
        inline.append(planned)
    return CommentPlan(tuple(inline), tuple(overflow), tuple(elsewhere))


# --------------------------------------------------------------------------- bodies


def _title(finding: Finding, meta: RuleMeta | None) -> str:
    name = f" {meta.name}" if meta else ""
    return (
        f"**{finding.code}{name}** · {finding.severity.value} severity · "
        f"{finding.confidence.value} confidence"
    )


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    return "`" * max(3, longest + 1)


def comment_body(finding: Finding, meta: RuleMeta | None = None, *, suggest: bool = True) -> str:
    parts = [_title(finding, meta), "", finding.message.strip()]
    if meta and meta.summary and meta.summary.strip() != finding.message.strip():
        parts += ["", f"_{meta.summary.strip()}_"]
    if suggest and finding.fix is not None:
        fix = finding.fix[:-1] if finding.fix.endswith("\n") else finding.fix
        fence = _fence(fix)
        parts += ["", f"{fence}suggestion", fix, fence]
    text = "\n".join(parts)
    if len(text) > MAX_BODY - 200:
        text = text[: MAX_BODY - 200] + "\n\n… (truncated)"
    return text + "\n\n" + FP_MARKER.format(fingerprint_of(finding))


def marker_fingerprint(body: str) -> str | None:
    """The fingerprint of one of our comments: its marker must be the body's last line.

    Only the last line counts, so a marker quoted in a message, a suggestion or a human's
    comment cannot make us edit or delete a comment that is not ours.
    """
    last = body.rstrip().rsplit("\n", 1)[-1].strip()
    match = _FP_RE.fullmatch(last)
    return match.group(1) if match else None


def resolved_body(original: str, head_sha: str) -> str:
    fp = marker_fingerprint(original)
    title = next((ln for ln in original.splitlines() if ln.strip()), "").strip()
    lines = [
        RESOLVED_MARKER,
        f"✅ **Resolved** at `{head_sha[:7]}`: backend-review no longer reports this finding.",
        "",
        f"~~{title.replace('~', '')}~~",
    ]
    if fp:
        lines += ["", FP_MARKER.format(fp)]
    return "\n".join(lines)


def _finding_line(finding: Finding, prefix: str) -> str:
    loc = finding.location
    where = repo_path(loc.path, prefix) if loc.path else "(project)"
    message = " ".join(finding.message.split())
    return f"- **{finding.code}** `{where}:{loc.line}` ({finding.severity.value}): {message}"


def compose_summary(
    summary_markdown: str,
    overflow: Sequence[Finding],
    unplaced: Sequence[Finding],
    prefix: str = "",
    *,
    marker: bool = True,
) -> str:
    """The rendered summary plus the findings that did not get an inline comment."""
    parts = [SUMMARY_MARKER] if marker else []
    text = summary_markdown.strip()
    if text.startswith(SUMMARY_MARKER):  # the markdown reporter adds it too: keep one
        text = text[len(SUMMARY_MARKER) :].lstrip("\n")
    parts.append(text)
    for title, items in (
        ("More findings on changed lines (not posted inline)", overflow),
        ("Findings that could not be anchored to the diff", unplaced),
    ):
        if not items:
            continue
        parts += ["", f"<details><summary>{title}: {len(items)}</summary>", ""]
        parts += [_finding_line(f, prefix) for f in items[:MAX_SUMMARY_ITEMS]]
        if len(items) > MAX_SUMMARY_ITEMS:
            parts.append(f"- … and {len(items) - MAX_SUMMARY_ITEMS} more")
        parts += ["", "</details>"]
    body = "\n".join(parts) + "\n"
    if len(body) > MAX_BODY:
        body = body[: MAX_BODY - 40] + "\n\n… (truncated)\n"
    return body


# --------------------------------------------------------------------------- annotations


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, prefix: str = "") -> str:
    """A workflow command such as ``::warning file=app.py,line=3,title=BR101::message``."""
    level = {
        Severity.CRITICAL: "error",
        Severity.HIGH: "error",
        Severity.MEDIUM: "warning",
    }.get(finding.severity, "notice")
    loc = finding.location
    props = [
        f"file={_escape_property(repo_path(loc.path, prefix))}",
        f"line={loc.line}",
        f"endLine={max(loc.line, loc.end_line)}",
        f"title={_escape_property(finding.code)}",
    ]
    return f"::{level} {','.join(props)}::{_escape_data(finding.message.strip())}"


# --------------------------------------------------------------------------- the flow


class _Run:
    """State of one review run (kept out of module globals so runs are independent)."""

    def __init__(
        self,
        client: GitHubClient,
        ctx: EventContext,
        findings: Sequence[Finding],
        summary_markdown: str,
        options: ReviewOptions,
        out: TextIO,
    ) -> None:
        self.client = client
        self.ctx = ctx
        self.findings = [f for f in findings if not f.suppressed]
        self.summary_markdown = summary_markdown
        self.options = options
        self.out = out
        self.result = ReviewResult()
        self.unplaced: list[Finding] = []

    @property
    def number(self) -> int:
        assert self.ctx.pr_number is not None
        return self.ctx.pr_number

    def run(self) -> ReviewResult:
        ctx = self.ctx
        files = self.client.list_pull_files(ctx.owner, ctx.repo, self.number)
        diffs = parse_github_files(files)
        plan = plan_comments(self.findings, diffs, self.options)
        self.result.overflow = len(plan.overflow)
        if ctx.read_only_expected:
            self.result.fallbacks.append("fork pull request: the token is read-only")
            return self.read_only(plan)
        try:
            to_post = self.reconcile(plan)
            self.post(to_post)
            self.write_summary(plan)
        except ForbiddenError as exc:
            if not exc.read_only:
                raise
            self.result.fallbacks.append(f"no write access ({exc.message})")
            return self.read_only(plan)
        return self.result

    def reconcile(self, plan: CommentPlan) -> list[PlannedComment]:
        """Skip posted comments, reopen resolved ones that came back, retire stale ones."""
        ctx, result = self.ctx, self.result
        existing = self.client.list_review_comments(ctx.owner, ctx.repo, self.number)
        replied = {c.get("in_reply_to_id") for c in existing if c.get("in_reply_to_id")}
        ours: dict[str, list[dict[str, Any]]] = {}
        for comment in existing:
            if not is_ours(comment, self.options.bot_login):
                continue
            fp = marker_fingerprint(str(comment.get("body") or ""))
            if fp and not comment.get("in_reply_to_id"):
                ours.setdefault(fp, []).append(comment)
        to_post: list[PlannedComment] = []
        for planned in plan.inline:
            found = ours.get(planned.fingerprint)
            if not found:
                to_post.append(planned)
            elif RESOLVED_MARKER in str(found[0].get("body") or ""):
                self.client.update_review_comment(ctx.owner, ctx.repo, found[0]["id"], planned.body)
                result.reopened.append(planned.fingerprint)
            else:
                result.skipped.append(planned.fingerprint)
        current = {fingerprint_of(f) for f in self.findings}
        for fp, comments in sorted(ours.items()):
            if fp in current:
                continue
            for comment in comments:
                body = str(comment.get("body") or "")
                if RESOLVED_MARKER in body:
                    continue
                if comment["id"] in replied:
                    new_body = resolved_body(body, ctx.head_sha)
                    self.client.update_review_comment(ctx.owner, ctx.repo, comment["id"], new_body)
                    result.resolved.append(fp)
                else:
                    self.client.delete_review_comment(ctx.owner, ctx.repo, comment["id"])
                    result.deleted.append(fp)
        return to_post

    def post(self, to_post: list[PlannedComment]) -> None:
        if not to_post:
            return
        count = len(to_post)
        body = (
            f"backend-review: {count} finding{'s' if count != 1 else ''} on changed lines. "
            "The summary comment has the full report."
        )
        try:
            attempt = 0
            while True:
                try:
                    self._create_review(body, to_post)
                    break
                except ServerError:
                    # GitHub may have applied it: wait, re-list, post only what is missing
                    if attempt >= self.client.retry.max_retries:
                        raise
                    self.client.back_off(attempt)
                    attempt += 1
                    there = self._posted_fingerprints()
                    self.result.posted.extend(
                        p.fingerprint for p in to_post if p.fingerprint in there
                    )
                    to_post = [p for p in to_post if p.fingerprint not in there]
                    if not to_post:
                        return
            self.result.posted.extend(p.fingerprint for p in to_post)
            return
        except ValidationFailedError as exc:
            log.warning("review rejected (%s); posting comments one by one", exc.message)
            self.result.fallbacks.append(f"review rejected with 422 ({exc.message}): one by one")
        for planned in to_post:
            self.post_one(planned)

    def _create_review(self, body: str, to_post: list[PlannedComment]) -> None:
        ctx = self.ctx
        self.client.create_review(
            ctx.owner,
            ctx.repo,
            self.number,
            commit_id=ctx.head_sha,
            body=body,
            comments=[p.review_entry() for p in to_post],
            event="COMMENT",
        )

    def _posted_fingerprints(self) -> set[str]:
        """The fingerprints of our comments on the pull request now (after a 5xx on a POST)."""
        ctx = self.ctx
        existing = self.client.list_review_comments(ctx.owner, ctx.repo, self.number)
        return {
            fp
            for c in existing
            if is_ours(c, self.options.bot_login)
            and (fp := marker_fingerprint(str(c.get("body") or "")))
        }

    def _create_comment(self, comment: dict[str, Any], fingerprint: str) -> None:
        """pulls/create-review-comment; after a 5xx, again only if it is not there."""
        ctx = self.ctx

        def there() -> bool | None:
            return True if fingerprint in self._posted_fingerprints() else None

        self._create_once(
            lambda: self.client.create_review_comment(ctx.owner, ctx.repo, self.number, comment),
            there,
        )

    def _create_once(self, create: Callable[[], Any], already: Callable[[], Any]) -> Any:
        """`create()`; after a 5xx (GitHub may have applied it anyway) wait as a retry would,
        then return `already()` when it finds the result, else create again (issue 11, U11)."""
        attempt = 0
        while True:
            try:
                return create()
            except ServerError:
                if attempt >= self.client.retry.max_retries:
                    raise
                self.client.back_off(attempt)
                attempt += 1
                found = already()
                if found is not None:
                    return found

    def post_one(self, planned: PlannedComment) -> None:
        ctx = self.ctx
        comment: dict[str, Any] = {"commit_id": ctx.head_sha, **planned.review_entry()}
        try:
            self._create_comment(comment, planned.fingerprint)
            self.result.posted.append(planned.fingerprint)
            return
        except ValidationFailedError as exc:
            self.result.fallbacks.append(
                f"{planned.path}:{planned.line} rejected ({exc.message}): file-level comment"
            )
        loc = planned.finding.location
        file_comment = {
            "commit_id": ctx.head_sha,
            "path": planned.path,
            "subject_type": "file",
            "body": f"Line {loc.line}: {comment_body(planned.finding, suggest=False)}",
        }
        try:
            self._create_comment(file_comment, planned.fingerprint)
            self.result.file_level.append(planned.fingerprint)
        except ValidationFailedError as exc:
            self.result.fallbacks.append(f"{planned.path} file comment rejected ({exc.message})")
            self.result.to_summary.append(planned.fingerprint)
            self.unplaced.append(planned.finding)

    def write_summary(self, plan: CommentPlan) -> None:
        ctx = self.ctx
        body = compose_summary(
            self.summary_markdown, plan.overflow, self.unplaced, self.options.path_prefix
        )
        mine = self._summary_comment()
        if mine is None:
            created = self._create_once(
                lambda: self.client.create_issue_comment(ctx.owner, ctx.repo, self.number, body),
                self._summary_comment,
            )
            self.result.summary_action = "created"
            self.result.summary_comment_id = created.get("id")
        elif str(mine.get("body") or "") != body:
            self.client.update_issue_comment(ctx.owner, ctx.repo, mine["id"], body)
            self.result.summary_action = "updated"
            self.result.summary_comment_id = mine["id"]
        else:
            self.result.summary_action = "unchanged"
            self.result.summary_comment_id = mine["id"]

    def _summary_comment(self) -> dict[str, Any] | None:
        ctx = self.ctx
        comments = self.client.list_issue_comments(ctx.owner, ctx.repo, self.number)
        return next(
            (
                c
                for c in comments
                if str(c.get("body") or "").startswith(SUMMARY_MARKER)
                and is_ours(c, self.options.bot_login)
            ),
            None,
        )

    def read_only(self, plan: CommentPlan) -> ReviewResult:
        """No write access: job summary file plus workflow annotations."""
        result, prefix = self.result, self.options.path_prefix
        result.read_only = True
        summary = compose_summary(
            self.summary_markdown, plan.overflow, self.unplaced, prefix, marker=False
        )
        path = self.ctx.step_summary_path
        if path:
            with Path(path).open("a", encoding="utf-8") as fh:
                fh.write(summary + "\n")
            result.summary_action = "step-summary"
        else:
            self.out.write("::group::backend-review summary\n" + summary + "::endgroup::\n")
            result.summary_action = "stdout"
        for planned in plan.inline:
            self.out.write(annotation(planned.finding, prefix) + "\n")
            result.annotations += 1
        self.out.flush()
        return result


def run_review(
    client: GitHubClient,
    ctx: EventContext,
    findings: Sequence[Finding],
    summary_markdown: str,
    options: ReviewOptions | None = None,
    *,
    out: TextIO | None = None,
) -> ReviewResult:
    """Review the event's pull request; returns what was done. Raises `ReviewError` off-PR.

    `findings` are the report's findings (suppressed ones are ignored) with paths relative to
    the target; `options.path_prefix` maps them to repository paths. Other GitHub errors
    (rate limits that outlast the cap, 5xx after the retries) propagate as `GitHubError`.
    """
    if not ctx.is_pull_request:
        raise ReviewError(f"the {ctx.event_name} event is not a pull request: nothing to review")
    run = _Run(
        client, ctx, findings, summary_markdown, options or ReviewOptions(), out or sys.stdout
    )
    return run.run()


def review_from_environment(
    findings: Sequence[Finding],
    summary_markdown: str,
    options: ReviewOptions | None = None,
    *,
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    client: GitHubClient | None = None,
) -> ReviewResult:
    """`run_review` for the Actions run described by `env` (default: os.environ)."""
    ctx = load_event_context(env)
    return run_review(client or make_client(ctx), ctx, findings, summary_markdown, options, out=out)
