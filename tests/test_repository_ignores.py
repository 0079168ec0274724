"""Issue 18 item 2: discovery honours the repository's ignore files above the target (every
`.gitignore` up to the repository root and `.git/info/exclude`), and `per-path-ignores` takes
the same gitignore-style patterns as `exclude`. Each test runs the real command line."""

from __future__ import annotations

import json
from pathlib import Path

from hostile_samples import VIEWS, git, review  # a real SQL injection (tests/ is on sys.path)


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def sql_paths(target: Path, *args: str) -> dict[str, str]:
    """path -> suppression reason ("" when active) of every BR101 the real CLI reports."""
    result = review(target, "-q", "-f", "json", "--disable-analyzer", "bandit", *args)
    assert result.returncode in (0, 1), result.stderr
    doc = json.loads(result.stdout)
    return {
        f["location"]["path"]: f["suppression_reason"]
        for f in doc["findings"]
        if f["code"] == "BR101"
    }


def test_gitignore_files_above_the_target_are_honoured_up_to_the_repository_root(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside"
    repo = outside / "repo"
    write(
        repo,
        {
            "svc/app/__init__.py": "",
            "svc/app/views.py": VIEWS,
            "svc/generated/views.py": VIEWS,
            "svc/vendored/views.py": VIEWS,
            ".gitignore": "generated/\n",
        },
    )
    # a .gitignore above the repository root is not the repository's: never applied
    (outside / ".gitignore").write_text("app/\n")
    (repo / "svc" / ".gitignore").write_text("")
    svc = repo / "svc"
    # no repository yet: the target's own folder only, everything is reviewed
    assert set(sql_paths(svc)) == {"app/views.py", "generated/views.py", "vendored/views.py"}
    git(repo, "init", "-q")
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "exclude").write_text("# local\nvendored/\n")
    assert set(sql_paths(svc)) == {"app/views.py"}


def test_an_outer_gitignore_naming_the_target_itself_does_not_hide_it(tmp_path: Path) -> None:
    """`backend-review build/` reviews build/ even though the repository ignores it."""
    repo = tmp_path / "repo"
    write(repo, {"build/views.py": VIEWS, "build/skip/views.py": VIEWS, ".gitignore": "build/\n"})
    (repo / "build" / ".gitignore").write_text("skip/\n")
    git(repo, "init", "-q")
    assert set(sql_paths(repo / "build")) == {"views.py"}


def test_a_pull_request_run_reads_the_outer_gitignore_from_the_base_commit(tmp_path: Path) -> None:
    """A head that adds `../.gitignore: app/` must not hide the change from the review."""
    repo = tmp_path / "repo"
    write(repo, {"svc/app/__init__.py": "", ".gitignore": "generated/\n"})
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-qb", "pr")
    write(
        repo,
        {"svc/app/views.py": VIEWS, "svc/generated/views.py": VIEWS, ".gitignore": "app/\n"},
    )
    git(repo, "add", "-A")
    # both committed (the head's .gitignore would keep `git add` from adding app/views.py)
    git(repo, "add", "-f", "svc/app/views.py", "svc/generated/views.py")
    git(repo, "commit", "-qm", "change")
    result = review(
        repo / "svc", "-q", "-f", "json", "--disable-analyzer", "bandit", "--diff", "main"
    )
    doc = json.loads(result.stdout)
    assert {f["location"]["path"] for f in doc["findings"] if f["code"] == "BR101"} == {
        "app/views.py"
    }
    # the head's change to the outer .gitignore is said, not applied
    assert [e["file"] for e in doc["switched_off"]] == ["../.gitignore"]


def test_per_path_ignores_take_gitignore_patterns_like_exclude(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(
        repo,
        {
            "views.py": VIEWS,
            "legacy/deep/views.py": VIEWS,
            "api/views.py": VIEWS,
            "api/v2/handlers.py": VIEWS,
            "scripts/x/tool.py": VIEWS,
            ".backend-review.yml": (
                "per-path-ignores:\n"
                '  "legacy/": [BR101]\n'  # a folder: everything below it (fnmatch: nothing)
                '  "/views.py": [BR101]\n'  # anchored: the top-level file only
                '  "handlers.py": [BR101]\n'  # no slash: that name at any depth
                '  "scripts/*": [BR101]\n'  # one level, and what is inside it
            ),
        },
    )
    found = sql_paths(repo)
    assert found == {
        "views.py": "per-path-ignores: /views.py",
        "legacy/deep/views.py": "per-path-ignores: legacy/",
        "api/views.py": "",
        "api/v2/handlers.py": "per-path-ignores: handlers.py",
        "scripts/x/tool.py": "per-path-ignores: scripts/*",
    }


def test_a_per_path_ignores_pattern_too_complex_to_match_safely_is_a_config_error(
    tmp_path: Path,
) -> None:
    write(
        tmp_path / "svc",
        {"views.py": VIEWS, ".backend-review.yml": 'per-path-ignores:\n  "*a*b*c*d*": [BR101]\n'},
    )
    result = review(tmp_path / "svc", "-q")
    assert result.returncode == 2, result.stderr
    assert "per-path-ignores" in result.stderr
