"""`--diff` and `--filter-mode` through the CLI, the new-code score and how reporters show it."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from gh_repo import PRRepo, git

from reviewer.cli import main
from reviewer.model import DiffSummary, NewCodeScore, Report, Score
from reviewer.reporters import RenderOptions, render_report
from reviewer.scope import score_new_code


@pytest.fixture
def repo(pr_repo: PRRepo) -> PRRepo:
    (pr_repo.root / ".backend-review.yml").write_text("analyzers:\n  semgrep: false\n")
    return pr_repo


def run(capsys: pytest.CaptureFixture[str], *args: str, fmt: str = "json") -> tuple[int, Any, str]:
    code = main([*args, "--no-cache", "-q", "--format", fmt])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if fmt == "json" else captured.out), captured.err


def places(report: dict[str, Any]) -> set[tuple[str, str, int]]:
    return {
        (f["code"], f["location"]["path"], f["location"]["line"])
        for f in report["findings"]
        if not f["suppressed"]
    }


def test_filter_modes_against_a_git_ref(repo: PRRepo, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(repo.root)
    _, whole, _ = run(capsys, root)
    reports = {
        mode: run(capsys, root, "--diff", repo.base, "--filter-mode", mode)[1]
        for mode in ("added", "diff-context", "file", "nofilter")
    }
    _, default, _ = run(capsys, root, "--diff", repo.base)
    assert places(default) == places(reports["added"])
    assert default["extra"]["diff"]["mode"] == "added"
    added, context, files, everything = (
        places(reports[m]) for m in ("added", "diff-context", "file", "nofilter")
    )
    assert added <= context <= files <= everything == places(whole)
    # the handler at app.py:7 did not change: only the file filter keeps its finding
    assert ("BR805", "app.py", 7) in files and ("BR805", "app.py", 7) not in context
    assert ("BR101", "app.py", 14) in added
    # the overall score is the whole tree's in every mode; nofilter's new-code score equals it
    for report in reports.values():
        assert report["score"] == whole["score"]
    assert reports["nofilter"]["extra"]["new_code_score"] == whole["score"]["overall"]
    assert reports["added"]["extra"]["diff"]["outside"] == len(places(whole)) - len(added)
    # a change that only touches an unrelated file leaves nothing new and a perfect new score
    (repo.root / "README.md").write_text("docs\n")
    git(repo.root, "add", "README.md")
    git(repo.root, "commit", "-q", "-m", "docs")
    _, docs_only, _ = run(capsys, root, "--diff", "HEAD~1")
    assert places(docs_only) == set() and docs_only["extra"]["new_code_score"] == 100.0


def test_diff_file_and_gate_on_new_code(
    repo: PRRepo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    patch = tmp_path / "change.diff"
    patch.write_text(git(repo.root, "diff", repo.base, "HEAD"))
    code, report, _ = run(capsys, str(repo.root), "--diff", str(patch), "--fail-on", "high")
    assert code == 1 and ("BR101", "app.py", 14) in places(report)
    assert report["extra"]["diff"]["base"] == str(patch)
    # the gate's --fail-on looks at the shown findings: nothing high outside the change
    only_old = tmp_path / "old.diff"
    only_old.write_text(
        '--- a/app.py\n+++ b/app.py\n@@ -6,3 +6,3 @@\n @app.get("/health")\n'
        '-def health():\n+def health():  \n     return {"ok": True}\n'
    )
    code, report, _ = run(capsys, str(repo.root), "--diff", str(only_old), "--fail-on", "high")
    assert code == 0 and all(c != "BR101" for c, _, _ in places(report))


def test_bad_diff_inputs_are_usage_errors(repo: PRRepo, capsys: pytest.CaptureFixture[str]) -> None:
    for args, message in (
        (["--diff", "no-such-ref"], "is the base fetched"),
        (["--filter-mode", "file"], "--filter-mode needs --diff"),
        (["--diff", repo.base, "--max-comments", "-1"], "--max-comments"),
    ):
        with pytest.raises(SystemExit) as exc:
            main([str(repo.root), "-q", "--no-cache", *args])
        assert exc.value.code == 2
        assert message in capsys.readouterr().err


def test_target_in_a_subfolder_maps_repository_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "mono"
    svc = root / "services" / "api"
    svc.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "Test")
    (svc / ".backend-review.yml").write_text("analyzers:\n  semgrep: false\n")
    (svc / "app.py").write_text("import os\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    (svc / "app.py").write_text("import os\n\n\ndef f():\n    print('x')\n")
    git(root, "commit", "-q", "-am", "print")
    patch = tmp_path / "root.diff"  # written at the repository root: repo-relative paths
    patch.write_text(git(root, "diff", "HEAD~1", "HEAD"))
    for spec in ("HEAD~1", str(patch)):
        _, report, _ = run(capsys, str(svc), "--diff", spec)
        assert ("BR802", "app.py", 5) in places(report), spec


def test_reporters_show_the_new_code_score(repo: PRRepo) -> None:
    from reviewer.config import load as load_config
    from reviewer.engine import review

    report = review(repo.root, load_config(repo.root))
    assert "new code" not in render_report("markdown", report)
    kept = [f for f in report.findings if f.location.path == "services/jobs.py"]
    score: Score = score_new_code(report, kept)
    # fewer findings never score lower (the overall may tie when a failing item caps both)
    assert score.overall is not None and score.overall >= (report.score.overall or 0)
    full_items = {i.item: i.score for i in report.score.items}
    assert any((i.score or 0) > (full_items[i.item] or 0) for i in score.items)
    shown = replace(
        report,
        findings=tuple(kept),
        new_code=NewCodeScore(score.overall),
        diff=DiffSummary(base="main", mode="added", changed_files=1, outside=3),
    )
    markdown = render_report("markdown", shown)
    assert f"new code: {score.overall:.1f} / 100" in markdown.splitlines()[2]
    assert "3 outside the change (added vs main)" in markdown
    terminal = render_report("terminal", shown, options=RenderOptions(color=False, width=120))
    assert f"new code {score.overall:.1f}/100" in terminal
    document = json.loads(render_report("json", shown))
    assert document["extra"]["new_code_score"] == score.overall
    assert "new code n/a" in render_report(
        "terminal",
        replace(shown, new_code=NewCodeScore(None)),
        options=RenderOptions(color=False),
    )


def test_the_new_code_score_uses_the_engines_applicability(repo: PRRepo) -> None:
    from reviewer.applicability import applicable_items
    from reviewer.config import load as load_config
    from reviewer.engine import review

    report: Report = review(repo.root, load_config(repo.root))
    assert score_new_code(report, report.findings) == report.score
    assert report.applicable["sql-injection"] and report.applicable["authentication"]
    assert not report.applicable["async"]
    assert not applicable_items([], has_routes=False)["authentication"]
    given = replace(report, applicable={"secrets": True})
    scored = {i.item for i in score_new_code(given, ()).items if i.score is not None}
    assert scored == {"secrets"}


def test_git_is_never_run_with_a_ref_that_looks_like_an_option(
    repo: PRRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main([str(repo.root), "-q", "--diff=--output=/tmp/x"])
    assert "invalid base ref" in capsys.readouterr().err
    assert subprocess.run(["git", "status"], cwd=repo.root, capture_output=True).returncode == 0


def test_the_html_report_of_a_diff_run_shows_its_new_code_score(
    repo: PRRepo, tmp_path: Path
) -> None:
    page, data = tmp_path / "report.html", tmp_path / "report.json"
    args = [str(repo.root), "--diff", repo.base, "--no-cache", "-q"]
    assert main([*args, "-f", "html", "-o", str(page), "-f", "json", "-o", str(data)]) == 0
    document = json.loads(data.read_text(encoding="utf-8"))
    new_code = document["extra"]["new_code_score"]
    text = page.read_text(encoding="utf-8")
    assert '<b id="new-code-score" class="score-' in text
    assert f">{new_code:.1f}</b>/100" in text.split('id="new-code-score"')[1][:40]
    outside = document["extra"]["diff"]["outside"]
    assert f"{outside} outside the change (added vs {repo.base})" in text
    # one thin bar per item the new code scores (plus the legend's)
    items = document["extra"]["new_code_items"]
    assert text.count('class="new-code-bar"') == len(items) + 1 > 1
