"""In a pull-request run (`--diff BASE`), the config, the baseline and the .gitignore files that
can switch checks off come from the base commit, never from the pull request's head: a head
that changes them is listed under "Switched off" as not applied (issue 11, U6).

Real git repositories in tmp dirs, the real CLI in a subprocess.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from cli_runner import run_reviewer
from hostile_samples import VIEWS, review  # a real SQL injection (tests/ is on sys.path)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@x", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """`main` holds an app with no config; the branch `pr` is checked out."""
    root = tmp_path / "repo"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "pr")
    return root


def commit(root: Path, files: dict[str, str], *, force: tuple[str, ...] = ()) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git(root, "add", "-A")
    if force:
        git(root, "add", "-f", *force)
    git(root, "commit", "-qm", "change")


def codes(doc: dict) -> set[str]:
    return {f["code"] for f in doc["findings"] if not f.get("suppressed")}


def test_a_config_the_pull_request_adds_is_not_applied(repo: Path) -> None:
    """`select: [BR804]` (one rule) in the pull request's own config hid every other finding."""
    commit(repo, {"app/views.py": VIEWS, ".backend-review.yml": "select: [BR804]\n"})
    local = json.loads(review(repo, "-q", "-f", "json").stdout)
    assert "BR101" not in codes(local)  # outside a pull-request run the checkout's config applies
    result = review(repo, "-q", "-f", "json", "--diff", "main")
    doc = json.loads(result.stdout)
    assert "BR101" in codes(doc), result.stderr
    shown = [(e["setting"], e["file"]) for e in doc["switched_off"]]
    assert len(shown) == 1 and shown[0][1] == ".backend-review.yml"
    assert shown[0][0].startswith("not applied, changed since the base commit ")
    assert shown[0][0].endswith(": select: [BR804]")
    assert result.returncode == 0


def test_the_base_commits_config_applies_and_a_change_to_it_is_listed(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    commit(repo, {".backend-review.yml": "ignore: [BR2]\n"})
    git(repo, "checkout", "-q", "pr")
    git(repo, "merge", "-q", "main")
    commit(repo, {"app/views.py": VIEWS, ".backend-review.yml": "ignore: [BR1, BR2]\n"})
    doc = json.loads(review(repo, "-q", "-f", "json", "--diff", "main").stdout)
    assert "BR101" in codes(doc)
    settings = [e["setting"] for e in doc["switched_off"]]
    assert "ignore: [BR2]" in settings  # the base's own setting, still listed
    assert any(s.endswith("ignore: [BR1, BR2]") and s.startswith("not applied") for s in settings)
    base_entry = next(e for e in doc["switched_off"] if e["setting"] == "ignore: [BR2]")
    assert base_entry["file"].startswith(".backend-review.yml (base commit ")


def test_a_gitignore_the_pull_request_adds_is_not_applied(repo: Path) -> None:
    """A committed `app/.gitignore` naming views.py hid it (now listed as not reviewed); in a
    pull-request run the base's ignore rules apply and views.py is reviewed."""
    commit(repo, {"app/views.py": VIEWS, "app/.gitignore": "views.py\n"}, force=("app/views.py",))
    doc = json.loads(review(repo, "-q", "-f", "json", "--diff", "main").stdout)
    assert "BR101" in codes(doc)
    assert not [e for e in doc["not_reviewed"] if e["path"] == "app/views.py"]
    assert [e["file"] for e in doc["switched_off"]] == ["app/.gitignore"]
    assert "not applied" in doc["switched_off"][0]["setting"]


def make_baseline(repo: Path, out: Path) -> None:
    """`backend-review baseline create` (the real CLI) on the checked-out tree."""
    made = run_reviewer(
        *("baseline", "create", str(repo), "-o", str(out)),
        *("--no-cache", "--disable-analyzer", "semgrep", "-q"),
        cwd=repo.parent,
    )
    assert made.returncode == 0, made.stderr


def test_a_baseline_the_pull_request_writes_is_not_applied(repo: Path) -> None:
    """A baseline recorded on the pull request's tree hid every finding the pull request adds."""
    commit(repo, {"app/views.py": VIEWS})
    baseline = repo / ".backend-review-baseline.json"
    make_baseline(repo, baseline)
    commit(repo, {})
    local = json.loads(review(repo, "-q", "-f", "json", "--baseline", str(baseline)).stdout)
    assert "BR101" not in codes(local)  # no base to read: the baseline applies, and says so
    [hides] = [e["setting"] for e in local["switched_off"]]
    assert re.match(r"baseline hides \d+ findings: BR101, ", hides), hides
    result = review(repo, "-q", "-f", "json", "--baseline", str(baseline), "--diff", "main")
    doc = json.loads(result.stdout)
    assert "BR101" in codes(doc), result.stderr
    assert [(e["setting"].split(": ", 1)[1], e["file"]) for e in doc["switched_off"]] == [
        ("the checkout adds it", ".backend-review-baseline.json")
    ]


def test_the_base_commits_baseline_applies_and_its_suppressions_are_listed(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    commit(repo, {"app/views.py": VIEWS})
    baseline = repo / ".backend-review-baseline.json"
    make_baseline(repo, baseline)
    commit(repo, {})
    git(repo, "checkout", "-q", "pr")
    git(repo, "merge", "-q", "main")
    commit(repo, {"app/other.py": "x = 1\n"})
    args = ("-q", "-f", "json", "--baseline", str(baseline), "--diff", "main")
    doc = json.loads(review(repo, *args, "--filter-mode", "nofilter").stdout)
    assert "BR101" not in codes(doc)
    [hides] = doc["switched_off"]
    assert re.match(r"baseline hides \d+ findings: BR101, ", hides["setting"]), hides
    assert hides["file"] == str(baseline)
    baseline.write_text('{"version": 1, "tool": "backend-review", "entries": []}\n')
    commit(repo, {})  # the pull request empties it: still the base's copy, and a word
    doc = json.loads(review(repo, *args, "--filter-mode", "nofilter").stdout)
    assert "BR101" not in codes(doc)
    settings = [e["setting"] for e in doc["switched_off"]]
    assert len(settings) == 2 and settings[0].endswith(": the checkout changes it")
    assert re.match(r"baseline hides \d+ findings: BR101, ", settings[1]), settings


def test_a_base_commit_missing_from_the_clone_is_said(repo: Path) -> None:
    commit(repo, {"app/views.py": VIEWS, ".backend-review.yml": "select: [BR804]\n"})
    diff = repo.parent / "change.diff"
    diff.write_text(git(repo, "diff", "main...HEAD"))
    result = review(repo, "-q", "-f", "json", "--diff", "no-such-ref")
    assert result.returncode == 2 and "no-such-ref" in result.stderr
    doc = json.loads(review(repo, "-q", "-f", "json", "--diff", str(diff)).stdout)
    # a diff file names no base commit: the checkout's config applies and is listed as before
    assert doc["switched_off"] == [{"setting": "select: [BR804]", "file": ".backend-review.yml"}]
