"""reviewer/diff.py: parsing real git output and GitHub patches, hunk questions, filter modes."""

from __future__ import annotations

import difflib
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.diff import (
    DiffError,
    FileDiffs,
    changed_files_from_git,
    filter_findings,
    load_diff,
    parse_filter_mode,
    parse_github_files,
    parse_patch,
    parse_unified_diff,
)
from reviewer.model import Confidence, Finding, FlowStep, Location, Severity


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def make_repo(root: Path) -> Path:
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "Test")
    return root


def test_git_diff_matches_githubs_per_file_patches(pr_repo) -> None:  # type: ignore[no-untyped-def]
    local = changed_files_from_git(pr_repo.root, "main")
    remote = parse_github_files(pr_repo.files)
    assert sorted(local.paths) == sorted(remote.paths)
    for fd in local:
        other = remote.get(fd.path)
        assert other is not None and other.status == fd.status, fd.path
        assert other.hunks == fd.hunks, fd.path
    app = local.get("app.py")
    assert app is not None and app.status == "modified"
    assert {12, 13, 14, 15, 16} <= app.added_lines
    assert not app.is_added(30) and not app.in_hunk(30) and app.in_hunk(8)
    new = local.get("services/jobs.py")
    assert new is not None and new.status == "added" and new.added_lines == set(range(1, 27))
    renamed = local.get("new_name.py")
    assert renamed is not None and renamed.status == "renamed"
    assert renamed.old_path == "old_name.py" and renamed.hunks == ()
    gone = local.get("obsolete.py")
    assert gone is not None and gone.status == "removed" and not local.is_changed("obsolete.py")
    assert gone.hunks[0].deleted == {1} and not gone.in_hunk(1)


def test_odd_files_binary_unicode_spaces_renames_with_edits(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r")
    (root / "data.bin").write_bytes(b"\x00\x01\x02")
    (root / "keep.py").write_text("".join(f"line{i}\n" for i in range(1, 21)))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "f")
    (root / "data.bin").write_bytes(b"\x00\x09")
    (root / "new image.png").write_bytes(b"\x89PNG\x00\x00")
    (root / 'café "quoted".py').write_text("x = 1\n")
    text = (root / "keep.py").read_text().replace("line10\n", "line10 changed\n")
    (root / "moved.py").write_text(text)
    (root / "keep.py").unlink()
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "f")
    diffs = changed_files_from_git(root, "main")
    by = {fd.path: fd for fd in diffs}
    assert by["data.bin"].binary and by["data.bin"].status == "modified"
    assert by["new image.png"].binary and by["new image.png"].status == "added"
    assert by['café "quoted".py'].added_lines == {1}
    moved = by["moved.py"]
    assert moved.status == "renamed" and moved.old_path == "keep.py" and moved.added_lines == {10}


def test_relative_to_a_subfolder(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "mono")
    (root / "svc").mkdir()
    (root / "svc" / "a.py").write_text("a = 1\n")
    (root / "top.py").write_text("t = 1\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "f")
    (root / "svc" / "a.py").write_text("a = 1\nb = 2\n")
    (root / "top.py").write_text("t = 2\n")
    git(root, "commit", "-q", "-am", "f")
    sub = changed_files_from_git(root / "svc", "main")
    assert sub.paths == ("a.py",) and sub.is_added("a.py", 2)
    full = changed_files_from_git(root, "main")
    assert sorted(full.paths) == ["svc/a.py", "top.py"]
    assert full.relative_to("svc/").paths == ("a.py",)
    assert full.relative_to("").paths == full.paths


def test_git_errors_are_clear(tmp_path: Path, pr_repo) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DiffError, match="fetch-depth"):
        changed_files_from_git(pr_repo.root, "no-such-branch")
    with pytest.raises(DiffError, match="invalid base ref"):
        changed_files_from_git(pr_repo.root, "--output=/tmp/x")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(DiffError, match="failed"):
        changed_files_from_git(plain, "main")


def test_load_diff_accepts_a_patch_file(tmp_path: Path, pr_repo) -> None:  # type: ignore[no-untyped-def]
    patch = tmp_path / "change.diff"
    patch.write_text(git(pr_repo.root, "diff", "main...HEAD"))
    from_file = load_diff(pr_repo.root, str(patch))
    from_ref = load_diff(pr_repo.root, "main")
    assert {f.path: f.hunks for f in from_file} == {f.path: f.hunks for f in from_ref}


PATCH = """\
@@ -1,4 +1,5 @@ def top():
 one
-two
+TWO
+two and a half

 four
@@ -20 +21,2 @@
 twenty
+twenty-one
\\ No newline at end of file"""


def test_parse_patch_and_hunk_questions() -> None:
    first, second = parse_patch(PATCH)
    assert (first.new_start, first.new_count, first.section) == (1, 5, "def top():")
    assert first.added == {2, 3} and first.context == {1, 4, 5} and first.deleted == {2}
    assert (second.old_count, second.new_start, second.new_end) == (1, 21, 22)
    fd = parse_github_files([{"filename": "x.py", "status": "modified", "patch": PATCH}])
    assert fd.is_added("x.py", 3) and not fd.is_added("x.py", 4) and fd.in_hunk("x.py", 4)
    assert not fd.in_hunk("x.py", 10)
    assert fd.hunk_for_range("x.py", 1, 5) == first
    assert fd.hunk_for_range("x.py", 4, 21) is None  # spans two hunks
    assert fd.hunk_for_range("x.py", 5, 3) is None
    assert fd.hunk_for_range("other.py", 1, 1) is None


def test_malformed_patches_raise() -> None:
    with pytest.raises(DiffError, match="truncated"):
        parse_patch("@@ -1,3 +1,3 @@\n a\n b\n")
    with pytest.raises(DiffError, match="malformed"):
        parse_patch("@@ -1,2 +1,2 @@\n a\n?b\n")


def test_github_files_without_patch() -> None:
    diffs = parse_github_files(
        [
            {"filename": "big.py", "status": "added"},
            {"filename": "gone.py", "status": "removed"},
            {"filename": "mode.sh", "status": "changed", "patch": ""},
        ]
    )
    assert diffs.get("big.py").patch_missing  # type: ignore[union-attr]
    assert not diffs.get("gone.py").patch_missing  # type: ignore[union-attr]
    assert diffs.get("mode.sh").status == "modified"  # type: ignore[union-attr]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from("abcde"), max_size=30),
    st.lists(st.sampled_from("abcdef"), max_size=30),
    st.integers(min_value=0, max_value=4),
)
def test_added_and_deleted_lines_match_difflib(old: list[str], new: list[str], ctx: int) -> None:
    text = "".join(
        difflib.unified_diff([s + "\n" for s in old], [s + "\n" for s in new], "a/f", "b/f", n=ctx)
    )
    diffs = parse_unified_diff(text)
    opcodes = difflib.SequenceMatcher(None, old, new).get_opcodes()
    added = {
        j + 1
        for tag, _, _, j1, j2 in opcodes
        if tag in ("insert", "replace")
        for j in range(j1, j2)
    }
    deleted = {
        i + 1
        for tag, i1, i2, _, _ in opcodes
        if tag in ("delete", "replace")
        for i in range(i1, i2)
    }
    if not text:
        assert len(diffs) == 0 and not added and not deleted
        return
    (fd,) = diffs
    assert fd.added_lines == added
    assert set().union(*(h.deleted for h in fd.hunks)) == deleted
    for hunk in fd.hunks:  # every RIGHT line of a hunk is commentable, and only those
        assert hunk.added | hunk.context == set(range(hunk.new_start, hunk.new_end + 1))


def f(
    line: int,
    path: str = "app.py",
    *,
    end: int = 0,
    project: bool = False,
    flow: tuple[FlowStep, ...] = (),
) -> Finding:
    return Finding(
        "BR101",
        f"m{line}",
        Location(path, line, end_line=end),
        Severity.HIGH,
        Confidence.HIGH,
        flow=flow,
        project_level=project,
    )


def test_filter_modes() -> None:
    diffs = parse_github_files(
        [
            {"filename": "app.py", "status": "modified", "patch": PATCH},
            {"filename": "gone.py", "status": "removed", "patch": "@@ -1 +0,0 @@\n-x"},
        ]
    )
    added, context, outside, other_file = f(2), f(4), f(10), f(1, "lib.py")
    spanning = f(9, end=21)  # reaches a context line (21), no added one
    reaching = f(18, end=22)
    via_flow = f(1, "lib.py", flow=(FlowStep(Location("app.py", 3), "source"),))
    project_touched = f(1, "app.py", project=True)
    project_elsewhere = f(1, "settings.py", project=True)
    project_nowhere = f(1, "", project=True)
    deleted_file = f(1, "gone.py")
    every = [
        added,
        context,
        outside,
        other_file,
        spanning,
        reaching,
        via_flow,
        project_touched,
        project_elsewhere,
        project_nowhere,
        deleted_file,
    ]
    assert filter_findings(every, diffs, "added") == [added, reaching, via_flow, project_touched]
    assert filter_findings(every, diffs, "diff-context") == [
        added,
        context,
        spanning,
        reaching,
        via_flow,
        project_touched,
    ]
    assert filter_findings(every, diffs, "file") == [
        added,
        context,
        outside,
        spanning,
        reaching,
        via_flow,
        project_touched,
    ]
    assert filter_findings(every, diffs, "nofilter") == every
    assert filter_findings(every, FileDiffs(), "added") == []
    assert parse_filter_mode("diff-context") == "diff-context"
    with pytest.raises(ValueError, match="choose from"):
        parse_filter_mode("lines")
