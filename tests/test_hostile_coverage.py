"""Coverage gaps a pull request can open (issue 11, U7, C8, exit codes): a file padded past
max-file-bytes is still given to the analyzers and named as not reviewed, and
--fail-on-unreviewed fails the gate on it; output errors and internal errors have their own
exit codes. Real files, the real CLI in a subprocess (in-process only for the injected bug).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hostile_samples import VIEWS, review  # a real SQL injection (tests/ is on sys.path)

from reviewer import cli


@pytest.fixture()
def padded(tmp_path: Path) -> Path:
    """U7's reproduction, scaled down: the SQL injection padded past max-file-bytes."""
    root = tmp_path / "svc"
    (root / "app").mkdir(parents=True)
    (root / ".backend-review.yml").write_text("max-file-bytes: 20000\n")
    padding = "".join(f"# {'x' * 97}\n" for _ in range(300))
    (root / "app" / "views.py").write_text(VIEWS + padding)
    return root


def test_a_file_over_max_file_bytes_still_goes_to_the_analyzers(padded: Path) -> None:
    result = review(padded, "-q", "-f", "json", "--fail-on", "high")
    doc = json.loads(result.stdout)
    views = [f for f in doc["findings"] if f["location"]["path"] == "app/views.py"]
    assert any(f["code"] == "BR901" and "max-file-bytes" in f["message"] for f in views)
    injection = [f for f in views if f["severity"] in ("high", "critical")]
    assert injection and any(s.startswith("ruff:S608") for f in injection for s in f["sources"])
    assert result.returncode == 1, result.stderr
    assert doc["not_reviewed"][0]["path"] == "app/views.py"


def test_fail_on_unreviewed_fails_the_gate(padded: Path) -> None:
    (padded / ".backend-review.yml").write_text(
        "max-file-bytes: 20000\nanalyzers: {ruff: false, bandit: false}\n"
    )
    assert review(padded, "-q", "-f", "json").returncode == 0  # analyzers off: nothing found
    result = review(padded, "-q", "-f", "json", "--fail-on-unreviewed")
    assert result.returncode == 1, result.stderr
    (padded / ".backend-review.yml").write_text("analyzers: {ruff: false, bandit: false}\n")
    assert review(padded, "-q", "-f", "json", "--fail-on-unreviewed").returncode == 0


def test_an_output_that_cannot_be_written_is_exit_2_and_leaves_no_partial_file(
    padded: Path, tmp_path: Path
) -> None:
    """C8: `-o /nonexistent/x` was a traceback with rc 1, the code of a failed gate."""
    result = review(padded, "-q", "-f", "json", "-o", str(tmp_path / "missing" / "r.json"))
    assert result.returncode == 2
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr
    out = tmp_path / "r.json"
    out.write_text("old")
    victim = tmp_path / "victim.txt"  # a link the checkout planted where the report goes
    victim.write_text("precious")
    link = tmp_path / "link.json"
    link.symlink_to(victim)
    assert review(padded, "-q", "-f", "json", "-o", str(link)).returncode == 0
    assert link.is_file() and not link.is_symlink()  # replaced, never written through
    assert victim.read_text() == "precious"
    assert review(padded, "-q", "-f", "json", "-o", "/dev/null").returncode == 0  # kept a device
    assert Path("/dev/null").is_char_device()
    if Path("/dev/full").exists():  # a full disk: one line, exit 2
        full = review(padded, "-q", "-f", "json", "-o", "/dev/full")
        assert full.returncode == 2 and "cannot write" in full.stderr
    assert review(padded, "-q", "-f", "json", "-o", str(out)).returncode == 0
    assert json.loads(out.read_text())["files_reviewed"] == 0


def test_an_internal_error_is_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "app.py").write_text("x = 1\n")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("reviewer.progress.review_with_progress", broken)
    assert cli.main([str(tmp_path), "-q", "--no-cache"]) == cli.EXIT_INTERNAL == 3


def test_a_crash_is_one_line_naming_the_traceback_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 18: a crash says what broke in one line and where the traceback is."""

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr("reviewer.progress.review_with_progress", broken)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    (tmp_path / "app.py").write_text("x = 1\n")
    assert cli.main([str(tmp_path), "-q", "--no-cache"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("backend-review: internal error (exit 3): RuntimeError: a bug over")
    (crash,) = tmp_path.glob("backend-review-crash-*.txt")
    assert str(crash) in err[0]
    assert 'raise RuntimeError("a bug' in crash.read_text()


def test_a_thousand_nested_folders_are_reviewed(tmp_path: Path) -> None:
    """C4: 1000 nested folders (a committed tree) raised RecursionError in os.walk."""
    root = tmp_path / "svc"
    deep = str(root)
    os.mkdir(deep)
    for _ in range(1000):  # pathlib's and os.makedirs' own recursion would give out first
        deep += "/d"
        os.mkdir(deep)
    with open(deep + "/views.py", "w") as out:
        out.write(VIEWS)
    (root / "top.py").write_text("x = 1\n")
    try:
        _review_deep(root)
    finally:  # pytest's own cleanup (shutil.rmtree) recurses per level and would give out
        os.unlink(deep + "/views.py")
        while deep != str(root):
            os.rmdir(deep)
            deep = os.path.dirname(deep)


def _review_deep(root: Path) -> None:
    result = review(
        root, "-q", "-f", "json", "--disable-analyzer", "ruff", "--disable-analyzer", "bandit"
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    doc = json.loads(result.stdout)
    assert doc["files_reviewed"] == 2
    assert any(
        f["code"] == "BR101" and f["location"]["path"].endswith("d/views.py")
        for f in doc["findings"]
    )
