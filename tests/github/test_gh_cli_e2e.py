"""Full `python -m reviewer PATH --github-review` runs (real subprocesses) against the fake GitHub.

The repository is a real git repo with a PR-like change (conftest.pr_repo); the fake serves its
files and patches from the real `git diff`, validates every request against the REST contract
and rejects anchors outside the hunks. semgrep is disabled in the repo's config to stay fast.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run_reviewer, without_github
from fake_github import TOKEN, FakeGitHub, Fault, actions_env
from gh_repo import PRRepo, git, github_files

from reviewer.github.review import FP_MARKER, RESOLVED_MARKER, SUMMARY_MARKER

FP_RE = re.compile(r"<!-- backend-review:fp=([A-Za-z0-9:._-]+) -->")


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass
class Harness:
    fake: FakeGitHub
    repo: PRRepo
    tmp: Path
    contracts: Path
    cache: Path

    @property
    def options(self) -> list[str]:
        return ["--cache-dir", str(self.cache)]

    def event(self, name: str = "pull_request-event.json", **changes: Any) -> Path:
        data = json.loads((self.contracts / name).read_text())
        if "head_sha" in changes:
            data["pull_request"]["head"]["sha"] = changes["head_sha"]
        if "fork" in changes:
            data["pull_request"]["head"]["repo"]["full_name"] = changes["fork"]
        path = self.tmp / f"event-{len(list(self.tmp.glob('event-*')))}.json"
        path.write_text(json.dumps(data))
        return path

    def run(
        self, *args: str, event: Path | None = None, event_name: str = "pull_request", **env: str
    ) -> Run:
        actions = actions_env(
            self.fake,
            event or self.contracts / "pull_request-event.json",
            event_name,
            GITHUB_STEP_SUMMARY=str(self.tmp / "step_summary.md"),
        )
        proc = run_reviewer(
            str(self.repo.root),
            *("-q", *self.options, *args),
            env=without_github(**{**actions, **env}),
            cwd=self.tmp,
            timeout=240,
        )
        assert TOKEN not in proc.stdout and TOKEN not in proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr
        return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def h(fake: FakeGitHub, pr_repo: PRRepo, gh_contracts: Path, tmp_path: Path) -> Harness:
    (pr_repo.root / ".backend-review.yml").write_text("analyzers:\n  semgrep: false\n")
    work = tmp_path / "work"
    work.mkdir()
    return Harness(fake, pr_repo, work, gh_contracts, tmp_path / "cache")


def fps(comments: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found = {}
    for c in comments:
        m = FP_RE.search(c["body"])
        if m:
            found[m.group(1)] = c
    return found


def summary_comment(fake: FakeGitHub) -> str:
    ours = [c for c in fake.issue_comments if c["body"].startswith(SUMMARY_MARKER)]
    assert len(ours) == 1
    return str(ours[0]["body"])


def test_first_run_rerun_and_fix(h: Harness) -> None:
    fake = h.fake
    first = h.run("--github-review", "--upload-sarif", "--sarif-category", "svc")
    assert first.code == 0, first.err
    # one review, on changed lines only (the fake rejects anything outside the hunks)
    reviews = [r for r in fake.requests if r.op_id == "pulls/create-review"]
    assert [r.status for r in reviews] == [200]
    comments = fake.review_comments
    assert comments and all(c["path"] in ("app.py", "services/jobs.py") for c in comments)
    by_line = {(c["path"], c["line"]) for c in comments}
    assert ("app.py", 14) in by_line  # the SQL injection on the added line
    assert all(line != 7 for path, line in by_line if path == "app.py")  # unchanged handler
    sqli = next(c for c in comments if c["line"] == 14)
    assert "BR101" in sqli["body"] and sqli["body"].rstrip().endswith("-->")
    summary = summary_comment(fake)
    assert summary.count(SUMMARY_MARKER) == 1
    assert f"(https://github.com/Codertocat/Hello-World/blob/{fake.head_sha}/app.py#L14)" in summary
    assert "backend-review score:" in summary and "new code:" in summary
    assert "outside the change (added vs pull request #2)" in summary
    assert "backend-review: github:" in first.err and "SARIF uploaded" in first.err
    # the SARIF upload: whole tree, PR ref and head sha, category as runAutomationDetails
    (upload,) = fake.sarifs
    assert upload["request"]["ref"] == "refs/pull/2/head"
    assert upload["request"]["commit_sha"] == fake.head_sha
    assert upload["log"]["runs"][0]["automationDetails"]["id"].startswith("svc")
    sarif = json.loads(gzip.decompress(base64.b64decode(upload["request"]["sarif"])))
    assert sarif == upload["log"]
    uploaded_lines = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for r in upload["log"]["runs"][0]["results"]
        if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("app.py")
    }
    assert 7 in uploaded_lines  # the SARIF keeps findings outside the change

    # re-run on the synchronize event with nothing changed: no request creates content
    writes = len(fake.content_creating())
    sync = h.contracts / "pull_request-synchronize-event.json"
    again = h.run("--github-review", event=sync)
    assert again.code == 0, again.err
    assert len(fake.content_creating()) == writes
    assert "0 comment(s) posted" in again.err and "summary unchanged" in again.err

    # fix the SQL injection and the print in a new commit; a human replied to the SQL comment
    app = h.repo.root / "app.py"
    fixed = app.read_text().replace(
        """    db.execute("INSERT INTO users VALUES ('%s')" % name)\n""",
        """    db.execute("INSERT INTO users VALUES (?)", (name,))\n""",
    )
    app.write_text(fixed)
    git(h.repo.root, "commit", "-q", "-am", "fix sql")
    head = git(h.repo.root, "rev-parse", "HEAD").strip()
    fake.files[:] = github_files(h.repo.root, h.repo.base, head)
    fake.head_sha = head
    fake.add_reply(sqli["id"], "good catch, fixing")
    sqli_fp = FP_RE.search(sqli["body"]).group(1)  # type: ignore[union-attr]
    before = {fp for fp in fps(fake.review_comments)}
    fixed_run = h.run("--github-review", event=h.event(head_sha=head))
    assert fixed_run.code == 0, fixed_run.err
    after = fps(fake.review_comments)
    assert after[sqli_fp]["body"].startswith(RESOLVED_MARKER)
    assert f"at `{head[:7]}`" in after[sqli_fp]["body"]
    assert FP_MARKER.format(sqli_fp) in after[sqli_fp]["body"]
    assert set(after) <= before  # nothing re-posted
    assert "1 retired" in fixed_run.err
    assert "summary updated" in fixed_run.err


def test_422_on_one_anchor_keeps_the_rest(h: Harness) -> None:
    h.fake.reject_anchors = {("app.py", 14)}
    # three comments keep the one-by-one fallback (1 s between writes, as GitHub asks) short
    run = h.run("--github-review", "--fail-on", "high", "--max-comments", "3")
    assert run.code == 1  # the gate, not GitHub, decides
    assert [r.status for r in h.fake.requests if r.op_id == "pulls/create-review"] == [422]
    posted = h.fake.review_comments
    line_comments = [c for c in posted if c["subject_type"] == "line"]
    file_comments = [c for c in posted if c["subject_type"] == "file"]
    assert len(line_comments) >= 2
    assert all((c["path"], c["line"]) != ("app.py", 14) for c in line_comments)
    assert len(file_comments) == 1 and file_comments[0]["body"].startswith("Line 14:")
    assert "one by one" in run.err and "file-level comment" in run.err
    assert summary_comment(h.fake)


def test_rate_limit_then_success(h: Harness) -> None:
    h.fake.faults.append(
        Fault(
            "pulls/create-review",
            403,
            {"message": "You have exceeded a secondary rate limit."},
            {"Retry-After": "1"},
        )
    )
    h.fake.faults.append(
        Fault("issues/list-comments", 429, {"message": "Too Many Requests"}, {"Retry-After": "0"})
    )
    run = h.run("--github-review")
    assert run.code == 0, run.err
    statuses = [r.status for r in h.fake.requests if r.op_id == "pulls/create-review"]
    assert statuses == [403, 200]
    assert h.fake.review_comments and summary_comment(h.fake)
    assert "not posted" not in run.err


def test_server_errors_then_success(h: Harness) -> None:
    h.fake.faults.append(Fault("pulls/list-files", 502, times=1))
    h.fake.faults.append(Fault("issues/create-comment", 500, times=1))
    run = h.run("--github-review")
    assert run.code == 0, run.err
    assert [r.status for r in h.fake.requests if r.op_id == "issues/create-comment"] == [500, 201]
    assert summary_comment(h.fake) and h.fake.review_comments
    assert "cannot list" not in run.err


def test_fork_pull_request_uses_the_job_summary_and_annotations(h: Harness) -> None:
    h.fake.read_only = True
    event = h.event(fork="someone/Hello-World")
    run = h.run("--github-review", "--upload-sarif", "--fail-on", "critical", event=event)
    assert run.code == 0  # nothing critical: the gate passes although GitHub refused writes
    assert [r for r in h.fake.writes() if r.op_id != "code-scanning/upload-sarif"] == []
    assert h.fake.content_creating() == [] and h.fake.sarifs == []
    summary = (h.tmp / "step_summary.md").read_text()
    assert "backend-review score:" in summary and "new code:" in summary
    assert SUMMARY_MARKER not in summary
    annotations = [ln for ln in run.out.splitlines() if ln.startswith("::")]
    assert any(ln.startswith("::error file=app.py,line=14,") for ln in annotations)
    assert "read-only token" in run.err
    assert "SARIF upload failed" in run.err and "security-events: write" in run.err


def test_github_failures_never_crash_the_run(h: Harness) -> None:
    run = h.run("--github-review", "--upload-sarif", "--fail-on", "high", GITHUB_TOKEN="wrong")
    assert run.code == 1  # the gate's answer: the high findings are still there
    assert "Bad credentials" in run.err and "review was not posted" in run.err
    assert "reporting every finding" in run.err  # no diff: nothing hidden
    assert "wrong" not in run.out
    no_token = h.run("--github-review", GITHUB_TOKEN="")
    assert no_token.code == 0 and "GITHUB_TOKEN is not set" in no_token.err


def test_push_uploads_sarif_and_skips_the_review(h: Harness) -> None:
    data = json.loads((h.contracts / "push-event.json").read_text())
    data.update(ref="refs/heads/main", after=h.fake.head_sha, deleted=False)
    event = h.tmp / "push.json"
    event.write_text(json.dumps(data))
    run = h.run("--github-review", "--upload-sarif", event=event, event_name="push")
    assert run.code == 0, run.err
    assert "not a pull request" in run.err
    (upload,) = h.fake.sarifs
    assert upload["request"]["ref"] == "refs/heads/main"
    assert upload["request"]["commit_sha"] == h.fake.head_sha
    assert h.fake.review_comments == [] and h.fake.issue_comments == []


def test_diff_from_the_event_needs_an_event(h: Harness) -> None:
    proc = run_reviewer(str(h.repo.root), "--diff", "-q", env=without_github(), timeout=120)
    assert proc.returncode == 2 and "GITHUB_EVENT_NAME" in proc.stderr
