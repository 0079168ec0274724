"""Route inventory changes between a diff's base commit and the reviewed tree (issue 6).

A real git repository whose change adds a route, removes one and drops the login guard from
another; the base inventory is read from git objects into a temporary folder, never by a
checkout, and the summary shows it. semgrep is disabled in the repo's config to stay fast.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run_reviewer, without_github
from fake_github import TOKEN, FakeGitHub, Spec, actions_env
from gh_repo import git, github_files

from reviewer import route_changes
from reviewer.cli import main
from reviewer.config import load as load_config
from reviewer.framework.inventory import inventory
from reviewer.github.review import SUMMARY_MARKER
from reviewer.model import RouteChanges
from reviewer.reporters import route_changes as route_changes_render
from reviewer.reporters.json_report import route_changes_json

BASE = """\
from flask import Flask
from flask_login import login_required

app = Flask(__name__)


@app.get("/health")
def health():
    return {"ok": True}


@app.get("/admin/stats")
@login_required
def admin_stats():
    return {"users": 1}


@app.delete("/users/<int:user_id>")
@login_required
def delete_user(user_id):
    return {"deleted": user_id}
"""

HEAD = """\
from flask import Flask, request
from flask_login import login_required

app = Flask(__name__)


@app.get("/health")
def health():
    return {"ok": True}


@app.get("/admin/stats")
def admin_stats():
    return {"users": 1}


@app.post("/orders")
def create_order():
    return {"id": request.json["id"]}


@app.get("/me")
@login_required
def me():
    return {"me": True}
"""


def _init(root: Path) -> None:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "Test")


def make_repo(root: Path, sub: str = "") -> tuple[Path, str]:
    """(target folder, base sha): the service at `sub` inside the repository, change committed."""
    _init(root)
    target = root / sub if sub else root
    target.mkdir(parents=True, exist_ok=True)
    (root / ".backend-review.yml").write_text("analyzers:\n  semgrep: false\n")
    if sub:
        (target / ".backend-review.yml").write_text("analyzers:\n  semgrep: false\n")
    (target / "app.py").write_text(BASE)
    (target / "README.md").write_text("not python\n")
    (target / "util.py").write_text("def double(x):\n    return 2 * x\n")  # never changes
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    base = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-q", "-b", "feature")
    (target / "app.py").write_text(HEAD)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "feature")
    return target, base


def changes_for(target: Path, ref: str) -> RouteChanges:
    config = load_config(target)
    return route_changes.compare_with_base(target, ref, inventory(target, config), config)


def endpoints(items: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(",".join(i["methods"]), i["path"], i["handler"]) for i in items}


def assert_expected(data: dict[str, Any], base: str) -> None:
    assert data["available"] is True and data["base"] == base and data["reason"] == ""
    assert endpoints(data["added"]) == {
        ("POST", "/orders", "create_order"),
        ("GET", "/me", "me"),
    }
    assert endpoints(data["removed"]) == {("DELETE", "/users/<int:user_id>", "delete_user")}
    (changed,) = data["changed"]
    assert (changed["methods"], changed["path"]) == (["GET"], "/admin/stats")
    assert changed["changes"] == [
        {"kind": "authentication", "before": ["login_required"], "after": []}
    ]
    added = {i["handler"]: i for i in data["added"]}
    assert added["create_order"]["authentication"] == []
    assert added["me"]["authentication"] == ["login_required"]


def test_added_removed_and_unguarded_routes(tmp_path: Path) -> None:
    target, base = make_repo(tmp_path / "repo")
    before = git(target, "status", "--porcelain")
    data = changes_for(target, base)
    assert_expected(route_changes_json(data), base)
    json.dumps(route_changes_json(data))  # what the JSON report writes
    # the user's tree is untouched: same status, same branch, head files still the head's
    assert git(target, "status", "--porcelain") == before
    assert git(target, "rev-parse", "--abbrev-ref", "HEAD").strip() == "feature"
    assert (target / "app.py").read_text() == HEAD
    # a branch name works like a sha (merge base with HEAD, as `git diff main...HEAD`)
    assert changes_for(target, "main").base == base
    lines = route_changes_render.lines(data)
    assert "~ GET /admin/stats: authentication removed (was login_required)" in lines
    assert "+ POST /orders (create_order) — no authentication" in lines
    assert "+ GET /me (me) — authentication: login_required" in lines
    assert "- DELETE /users/<int:user_id> (delete_user)" in lines
    # no change: an explicit "none" line instead of an empty section
    same = changes_for(target, "HEAD")
    assert same.available and not (same.added or same.removed or same.changed)
    assert "No routes added, removed or changed" in route_changes_render.markdown_section(same)


def test_target_in_a_subfolder_keeps_its_relative_paths(tmp_path: Path) -> None:
    target, base = make_repo(tmp_path / "mono", sub="services/api")
    data = route_changes_json(changes_for(target, base))
    assert_expected(data, base)
    assert {i["file"] for i in data["removed"]} == {"app.py"}


def test_base_missing_from_a_shallow_clone_is_one_line(tmp_path: Path) -> None:
    target, base = make_repo(tmp_path / "origin")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "-b", "feature", target.as_uri(), str(clone)],
        check=True,
        capture_output=True,
    )
    data = changes_for(clone, base)
    assert data.available is False and "not in this clone" in data.reason
    section = route_changes_render.markdown_section(data)
    assert section.startswith("### Route inventory changes\n\n_Not computed: base ")
    assert len(section.splitlines()) == 3
    assert route_changes_render.terminal_lines(data)[0].startswith(
        "Route inventory changes: not computed (base "
    )
    assert not changes_for(clone, "--output=/tmp/x").available  # never an option to git


def test_cli_markdown_and_json_with_a_git_ref(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target, base = make_repo(tmp_path / "repo")
    code = main([str(target), "--diff", base, "-f", "markdown", "--no-cache", "-q"])
    markdown = capsys.readouterr().out
    assert code == 0
    section = markdown.split("### Route inventory changes", 1)[1].split("\n###", 1)[0]
    assert f"2 added, 1 removed, 1 with changed protection since `{base[:12]}`" in section
    assert "```diff\n! GET /admin/stats: authentication removed (was login_required)\n" in section
    assert "+ POST /orders (create_order) — no authentication" in section
    assert "- DELETE /users/<int:user_id> (delete_user)" in section
    main([str(target), "--diff", base, "-f", "json", "--no-cache", "-q"])
    report = json.loads(capsys.readouterr().out)
    assert_expected(report["extra"]["route_changes"], base)
    main([str(target), "--diff", base, "-f", "terminal", "--no-cache", "-q"])
    terminal = capsys.readouterr().out
    assert f"Route inventory changes since {base[:12]}:" in terminal
    assert "~ GET /admin/stats: authentication removed (was login_required)" in terminal


def test_base_files_the_review_cached_are_not_parsed_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target, base = make_repo(tmp_path / "repo")
    cache = tmp_path / "cache"
    main([str(target), "--diff", base, "-f", "json", "-q", "--cache-dir", str(cache)])
    report = json.loads(capsys.readouterr().out)
    assert_expected(report["extra"]["route_changes"], base)
    config = load_config(target)
    base_files = {"app.py": BASE.encode(), "util.py": (target / "util.py").read_bytes()}
    head_files = {"app.py": HEAD.encode(), "util.py": base_files["util.py"]}
    # the unchanged module comes from the review's cache, the changed one must be parsed
    assert set(route_changes.cached_facts(base_files, config, cache)) == {"util.py"}
    assert set(route_changes.cached_facts(head_files, config, cache)) == {"app.py", "util.py"}
    head_routes = inventory(target, config)
    assert route_changes.tree_inventory(target, config, cache) == head_routes


def test_cli_with_a_diff_file_says_why_there_is_no_comparison(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target, base = make_repo(tmp_path / "repo")
    patch = tmp_path / "change.diff"
    patch.write_text(git(target, "diff", base, "HEAD"))
    main([str(target), "--diff", str(patch), "-f", "markdown", "--no-cache", "-q"])
    markdown = capsys.readouterr().out
    assert "### Route inventory changes\n\n_Not computed: the diff is a file, not a git ref._" in (
        markdown
    )
    main([str(target), "-f", "markdown", "--no-cache", "-q"])  # no diff: no section at all
    assert "Route inventory changes" not in capsys.readouterr().out


def test_pull_request_summary_comment_lists_the_changes(
    tmp_path: Path, gh_contracts: Path, spec: Spec
) -> None:
    """`--github-review` from the event: the base sha comes from the event payload."""
    target, base = make_repo(tmp_path / "repo")
    head = git(target, "rev-parse", "HEAD").strip()
    event = json.loads((gh_contracts / "pull_request-event.json").read_text())
    event["pull_request"]["base"]["sha"] = base
    event["pull_request"]["head"]["sha"] = head
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(event))
    owner, repo = event["repository"]["full_name"].split("/")
    fake = FakeGitHub(
        spec,
        owner=owner,
        repo=repo,
        number=event["number"],
        head_sha=head,
        files=github_files(target, base, head),
        token=TOKEN,
    ).start()
    try:
        actions = actions_env(fake, event_path, GITHUB_STEP_SUMMARY=str(tmp_path / "s.md"))
        proc = run_reviewer(
            *(str(target), "-q", "--no-cache", "--github-review"),
            env=without_github(**actions),
            cwd=tmp_path,
            timeout=240,
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        (summary,) = [
            c["body"] for c in fake.issue_comments if c["body"].startswith(SUMMARY_MARKER)
        ]
    finally:
        fake.stop()
    assert fake.internal_errors == []
    assert "### Route inventory changes" in summary
    assert "! GET /admin/stats: authentication removed (was login_required)" in summary
    assert "+ POST /orders (create_order) — no authentication" in summary
    assert "- DELETE /users/<int:user_id> (delete_user)" in summary


def test_base_inventory_takes_unchanged_files_facts_from_the_review(tmp_path: Path) -> None:
    """Facts the review computed for a (path, content) are used as they are, not recomputed."""
    from reviewer.cache import content_hash
    from reviewer.engine import review
    from reviewer.service import Route

    target, _ = make_repo(tmp_path / "repo")
    config = load_config(target)
    known: dict[tuple[str, str], Any] = {}
    review(target, config, on_framework_facts=known.update)
    head_app = ("app.py", content_hash((target / "app.py").read_bytes()))
    assert head_app in known
    head_routes = inventory(target, config)
    assert route_changes.tree_inventory(target, config, None, known) == head_routes
    # proof of reuse: the same (path, content) said to have no framework facts has no routes
    emptied = {**known, head_app: None}
    routes: tuple[Route, ...] = route_changes.tree_inventory(target, config, None, emptied)
    assert {r.file for r in head_routes} == {"app.py"} and routes == ()


def test_a_review_read_whole_from_the_cache_hands_over_no_facts(tmp_path: Path) -> None:
    """A CachedRun holds no framework facts: nothing may be claimed about any file."""
    from reviewer.engine import review

    target, _ = make_repo(tmp_path / "repo")
    config = load_config(target)
    review(target, config, cache_dir=tmp_path / "cache")
    known: dict[tuple[str, str], Any] = {}
    review(target, config, cache_dir=tmp_path / "cache", on_framework_facts=known.update)
    assert known == {}
    assert route_changes.tree_inventory(target, config, tmp_path / "cache", known) == inventory(
        target, config
    )


def test_files_git_reports_unchanged_are_not_written_out_for_the_base(tmp_path: Path) -> None:
    """Unchanged files take the review's facts; changed and untracked ones are handled apart."""
    from reviewer.engine import review

    target, base = make_repo(tmp_path / "repo")
    (target / "extra.py").write_text(  # untracked: the base commit has no such file
        "from flask import Flask\napp = Flask(__name__)\n\n\n@app.get('/new')\ndef new():\n"
        "    return {}\n"
    )
    config = load_config(target)
    known: dict[tuple[str, str], Any] = {}
    review(target, config, on_framework_facts=known.update)
    assert set(route_changes.unchanged_facts(target, base, known)) == {"util.py", "extra.py"}
    fast = route_changes.base_inventory(target, base, config, None, known)
    slow = route_changes.base_inventory(target, base, config, None, None)
    assert fast == slow
    assert "/new" not in {r.path for r in fast[1]}
    # a changed .gitignore could change what discovery keeps: no shortcut then
    (target / ".gitignore").write_text("*.tmp\n")
    git(tmp_path / "repo", "add", ".gitignore")
    assert route_changes.unchanged_facts(target, base, known) == {}


def test_base_inventory_job_runs_during_the_review_and_matches_the_direct_one(
    tmp_path: Path,
) -> None:
    from reviewer import scope
    from reviewer.engine import review

    target, base = make_repo(tmp_path / "repo")
    config = load_config(target)
    plan = scope.ScopePlan(root=target, route_base=base)
    job = scope.BaseInventory(plan, config)
    started: list[bool] = []

    def start(known: dict[tuple[str, str], Any]) -> None:
        started.append(True)
        job.start(known)

    review(target, config, on_framework_facts=start)
    assert started == [True]  # handed over during the review, before it returned
    direct = route_changes.base_inventory(target, base, config)
    assert job.result() == direct
    assert scope.BaseInventory(plan, config).result() == direct  # never started: built on demand


EXPRESS_BASE = """\
const express = require("express");
const passport = require("passport");
const app = express();
const auth = passport.authenticate("jwt", { session: false });
app.delete("/users/:id", auth, (req, res) => res.sendStatus(204));
app.get("/health", (req, res) => res.send("ok"));
module.exports = app;
"""

EXPRESS_HEAD = """\
const express = require("express");
const app = express();
app.delete("/users/:id", (req, res) => res.sendStatus(204));
app.get("/health", (req, res) => res.send("ok"));
app.post("/orders", (req, res) => res.status(201).json({}));
module.exports = app;
"""


def test_express_routes_are_compared_with_the_base_too(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _init(root)
    (root / "app.js").write_text(EXPRESS_BASE)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    base = git(root, "rev-parse", "HEAD").strip()
    (root / "app.js").write_text(EXPRESS_HEAD)
    git(root, "commit", "-q", "-am", "feature")
    data = route_changes_json(changes_for(root, base))
    assert data["available"] is True
    assert endpoints(data["added"]) == {("POST", "/orders", "anonymous")}
    assert data["removed"] == []
    (changed,) = data["changed"]
    assert (changed["methods"], changed["path"]) == (["DELETE"], "/users/:id")
    assert changed["changes"] == [{"kind": "authentication", "before": ["auth"], "after": []}]
