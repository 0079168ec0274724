"""A target full of awkward files, or an analyzer that is missing, still yields a full report.

fixtures/robustness/ holds the text cases; what git should not hold (a binary `.py`, latin-1
bytes without a coding cookie, a symlink loop) is added in a temporary copy. Every problem must
be listed (BR901 for files the native rules could not read, BR902 for analyzers) with its file,
and everything else must still be reviewed, including syntax newer than this interpreter.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tokenize
from pathlib import Path

import pytest

from reviewer import engine
from reviewer.config import load as load_config
from reviewer.model import Report
from reviewer.testing import Expectation, read_annotations, triples

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "fixtures" / "robustness"

BINARY = "app/binary.py"
NO_COOKIE = "app/latin1_no_cookie.py"
LOOP = "app/loop.py"
DIR_LOOP = "app/cycle"
NEWER_SYNTAX = ("app/modern_fstrings.py", "app/except_comma.py")


def _build_tree(root: Path) -> Path:
    shutil.copytree(FIXTURE, root)
    (root / BINARY).write_bytes(b"\x00\x01\x02\xff\xfePK\x03\x04" + bytes(range(256)) * 4)
    (root / NO_COOKIE).write_bytes(b'NAME = "K\xf6ln"\nGREETING = "Gr\xfc\xdf dich"\n')
    (root / LOOP).symlink_to("loop.py")
    (root / DIR_LOOP).symlink_to(".", target_is_directory=True)
    return root


def _annotations(root: Path) -> set[Expectation]:
    """`# expect:` triples of every readable .py file, in each file's declared encoding."""
    expected: set[Expectation] = set()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink() or rel in (BINARY, NO_COOKIE):
            continue
        with path.open("rb") as handle:
            encoding, _ = tokenize.detect_encoding(handle.readline)
        try:
            text = path.read_text(encoding=encoding)
        except UnicodeDecodeError:
            continue  # the file that must not parse is also here; it carries no annotations
        expected |= read_annotations(text, rel)[0]
    return expected


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_tree(tmp_path_factory.mktemp("robust") / "target")


@pytest.fixture(scope="module")
def report(tree: Path) -> Report:
    return engine.review(tree, load_config(tree))


def _codes_at(report: Report, path: str) -> set[str]:
    return {f.code for f in report.findings if f.location.path == path}


def test_review_completes_and_lists_every_unreadable_file(report: Report) -> None:
    for path in ("app/broken.py", BINARY, NO_COOKIE):
        assert "BR901" in _codes_at(report, path), f"{path} not reported as unreviewable"
        assert path in {p for p, _ in report.not_reviewed}


def test_symlink_loops_are_listed_not_followed(report: Report) -> None:
    listed = {p for p, _ in report.not_reviewed}
    assert LOOP in listed
    assert "BR901" in _codes_at(report, LOOP), "the symlink loop is not reported as a finding"
    assert not any(f.location.path.startswith(f"{DIR_LOOP}/") for f in report.findings)


def test_everything_else_is_reviewed(report: Report, tree: Path) -> None:
    """Including a latin-1 file with a coding cookie and 3.12/3.14 syntax: BR101 still fires."""
    expected = _annotations(tree)
    assert {path for _, path, _ in expected} >= {
        "app/service.py",
        "app/latin1_cookie.py",
        *NEWER_SYNTAX,
    }
    assert triples(report.active, ["BR101"]) == expected
    reviewed_ok = ("app/service.py", "app/latin1_cookie.py", "app/empty.py", *NEWER_SYNTAX)
    for path in reviewed_ok:
        assert "BR901" not in _codes_at(report, path), path
        assert path not in {p for p, _ in report.not_reviewed}, path


def test_files_an_analyzer_could_not_parse_are_reported_not_dropped(
    report: Report, tree: Path
) -> None:
    """bandit parses with this interpreter: newer syntax lands in its errors, not its results.

    With ruff on, bandit runs only the few tests ruff lacks, on the files that could trigger
    them; with ruff off it runs its whole set on every file and meets the newer syntax.
    """
    runs = {run.name: run for run in report.analyzers}
    assert {name: run.status for name, run in runs.items()} == {
        "bandit": "ok",
        "ruff": "ok",
        "semgrep": "ok",
    }
    without_ruff = engine.review(tree, load_config(tree, {"analyzers": {"ruff": False}}))
    bandit = next(run for run in without_ruff.analyzers if run.name == "bandit")
    if sys.version_info < (3, 12):
        assert set(NEWER_SYNTAX) <= set(bandit.not_covered)
    for checked in (report, without_ruff):
        not_covered = {path for run in checked.analyzers for path in run.not_covered}
        for path in not_covered:
            assert "BR902" in _codes_at(checked, path), f"{path} is not covered but not reported"


def test_empty_file_is_reviewed_silently(report: Report) -> None:
    assert _codes_at(report, "app/empty.py") == set()


def _small_target(root: Path, config: str) -> Path:
    root.mkdir()
    shutil.copy(FIXTURE / "app" / "service.py", root / "service.py")
    (root / ".backend-review.yml").write_text(config, encoding="utf-8")
    return root


SQLI = {("BR101", "service.py", 5)}


def _analyzer_problems(report: Report) -> list[str]:
    return [f.message for f in report.findings if f.code == "BR902"]


def test_disabled_analyzer_is_recorded_and_the_rest_runs(tmp_path: Path) -> None:
    root = _small_target(tmp_path / "t", "analyzers:\n  semgrep: false\n")
    report = engine.review(root, load_config(root))
    statuses = {run.name: run.status for run in report.analyzers}
    assert statuses == {"bandit": "ok", "ruff": "ok", "semgrep": "disabled"}
    assert triples(report.active, ["BR101"]) == SQLI
    assert _analyzer_problems(report) == []  # the user's choice, not a problem


def test_crashing_analyzer_is_reported(tmp_path: Path) -> None:
    root = _small_target(tmp_path / "t", "analyzers:\n  semgrep: false\n")
    # raw analyzer flags come only from the caller, not the target's own config file
    crashing = {"analyzers": {"ruff": {"args": ["--no-such-option"]}}}
    report = engine.review(root, load_config(root, crashing))
    statuses = {run.name: run.status for run in report.analyzers}
    assert statuses["ruff"] == "failed" and statuses["bandit"] == "ok"
    assert any("ruff" in message for message in _analyzer_problems(report))
    assert triples(report.active, ["BR101"]) == SQLI


def test_analyzer_timeout_is_reported(tmp_path: Path) -> None:
    config = "analyzers:\n  semgrep:\n    timeout: 0.01\n"
    root = _small_target(tmp_path / "t", config)
    report = engine.review(root, load_config(root))
    statuses = {run.name: run.status for run in report.analyzers}
    assert statuses["semgrep"] == "timeout"
    assert any("semgrep" in message for message in _analyzer_problems(report))
    assert triples(report.active, ["BR101"]) == SQLI


_CHILD = """
import json, sys
from pathlib import Path
from reviewer import engine
from reviewer.config import load
root = Path(sys.argv[1])
report = engine.review(root, load(root))
print(json.dumps({
    "runs": {r.name: r.status for r in report.analyzers},
    "findings": [[f.code, f.location.path, f.location.line, f.message] for f in report.findings],
}))
"""


def _test_environment_site_packages() -> list[str]:
    return sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})


def test_missing_analyzer_is_reported(tmp_path: Path) -> None:
    """A real process whose interpreter directory and PATH hold ruff but no bandit."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    real_bin = Path(sys.executable).parent
    (bindir / "python").symlink_to(sys.executable)
    ruff = shutil.which("ruff", path=str(real_bin)) or shutil.which("ruff")
    assert ruff is not None
    (bindir / "ruff").symlink_to(ruff)
    root = _small_target(tmp_path / "t", "analyzers:\n  semgrep: false\n")
    env = {
        "PATH": f"{bindir}{os.pathsep}/usr/bin{os.pathsep}/bin",
        # the symlinked interpreter is the base one even when the tests run in a virtualenv:
        # the dependencies come from the environment running the tests
        "PYTHONPATH": os.pathsep.join([str(REPO), *_test_environment_site_packages()]),
        "HOME": str(tmp_path),
        "SEMGREP_ENABLE_VERSION_CHECK": "0",
    }
    if shutil.which("bandit", path=env["PATH"]):
        pytest.skip("bandit is installed system-wide; cannot hide it")
    done = subprocess.run(
        [str(bindir / "python"), "-c", _CHILD, str(root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["runs"] == {"bandit": "missing", "ruff": "ok", "semgrep": "disabled"}
    problems = [f for f in result["findings"] if f[0] == "BR902"]
    assert problems and all("bandit" in f[3] for f in problems)
    assert ["BR101", "service.py", 5] in [f[:3] for f in result["findings"]]
