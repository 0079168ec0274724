"""A `.gitignore` line that would make pathspec backtrack for hours is matched in linear time
instead, an `exclude` glob of that kind is refused with a config error naming the file
(issue 11, U13), and `--time-limit` stops any run that takes too long with a clear message.

The real CLI in a subprocess on tmp trees.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostile_samples import VIEWS, review  # a real SQL injection (tests/ is on sys.path)

from reviewer.patterns import too_complex

REDOS = "*a*a*a*a*a*a*a*a*a*a*a*a*a*b"  # the reproduction: pathspec alone took 265 s on 40 chars


@pytest.fixture()
def target(tmp_path: Path) -> Path:
    root = tmp_path / "svc"
    (root / "app").mkdir(parents=True)
    (root / "app" / "views.py").write_text(VIEWS)
    (root / "app" / ("a" * 60 + ".py")).write_text("x = 1\n")
    return root


def test_a_redos_line_in_a_gitignore_is_matched_in_linear_time(target: Path) -> None:
    """The committed `.gitignore` holding this line hung the run (killed at 60 s); now it is
    applied by the linear-time matcher: the run ends, and the line still ignores what it names."""
    (target / "app" / ".gitignore").write_text("*.pyc\n" + REDOS + ".py\n")
    (target / "app" / "xaxaxaxaxaxaxaxaxaxaxaxaxaxb.py").write_text("x = 1\n")
    result = review(target, "-q", "-f", "json", "--time-limit", "120")
    assert result.returncode == 0, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert doc["files_reviewed"] == 2  # views.py and the 60-character name, not the ignored one
    assert "BR101" in {f["code"] for f in doc["findings"]}


def test_the_standard_node_gitignore_is_accepted(target: Path) -> None:
    """GitHub's Node.gitignore template holds a four-star line (diagnostic reports)."""
    (target / ".gitignore").write_text("node_modules/\nreport.[0-9]*.[0-9]*.[0-9]*.[0-9]*.py\n")
    (target / "app" / "report.20240101.101010.1234.0.001.py").write_text("x = 1\n")
    result = review(target, "-q", "-f", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["files_reviewed"] == 2


def test_a_gitignore_line_too_complex_for_both_matchers_is_a_config_error(target: Path) -> None:
    (target / "app" / ".gitignore").write_text("*.pyc\n**/a/**/b/**/" + REDOS + "\n")
    result = review(target, "-q")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "config error: app/.gitignore: line 2: pattern" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_linear_matcher_agrees_with_fnmatch_and_gitignore_order() -> None:
    import fnmatch
    import random

    import pathspec

    from reviewer.patterns import SegmentGlob, compile_spec

    rng = random.Random(7)
    globs = ["*a*b", "a*b*c", "?x*[0-9]*z", "[!a]*b*", "*.db*", "a?c*d*e?", "[ab]?*[!c]*", "*a*a*"]
    for _ in range(20000):
        glob = rng.choice(globs)
        name = "".join(rng.choice("abcxyz0.9") for _ in range(rng.randint(1, 10)))
        assert SegmentGlob.parse(glob).match_file(name) == fnmatch.fnmatchcase(name, glob)  # type: ignore[union-attr]
    lines = ["*.pyc", "a*b*c*d", "!keep_a_b_c_d", "build/", "/top*x*y*z", "sub/*a*b*c*"]
    lines += ["*x*y*z*", "!kxyz_keep", "*q*r*s*", "!*q*r*s*_keep"]  # re-included after a risky line
    ours, theirs = compile_spec(lines, "x"), pathspec.GitIgnoreSpec.from_lines(lines)
    paths = ["a1b2c3d", "keep_a_b_c_d", "q/a_b_c_d", "build/", "x/build/", "topAxByz", "s/topxyz"]
    paths += [
        "sub/xaybzc1",
        "sub/q/aabbcc",
        "m.pyc",
        "sub/",
        "kxyz_keep",
        "kxyz",
        "qrs",
        "qrs_keep",
    ]
    assert [ours.match_file(p) for p in paths] == [theirs.match_file(p) for p in paths]


def test_a_redos_exclude_glob_is_a_config_error(target: Path) -> None:
    (target / ".backend-review.yml").write_text(f'exclude: ["build/", "{REDOS}"]\n')
    result = review(target, "-q")
    assert result.returncode == 2, result.stdout + result.stderr
    assert ".backend-review.yml: `exclude`: pattern" in result.stderr
    assert REDOS in result.stderr


def test_real_patterns_are_accepted(target: Path) -> None:
    # the most complex lines of the corpus apps' .gitignore files, and escaped stars
    lines = ["*.db*", ".coverage.*.*", "**/node_modules/**", "a/**/b/*_x_*.py", r"\*\*\*a*b*"]
    assert [too_complex(line) for line in lines] == [""] * len(lines)
    assert too_complex("*a*b*c") and too_complex("**/a/**/b/**") and too_complex("!x/*a*b*c")
    (target / ".gitignore").write_text("\n".join(lines) + "\n*_x_*.py\n")
    (target / "app" / "gen_x_1.py").write_text("import os\n")
    doc = json.loads(review(target, "-q", "-f", "json").stdout)
    assert "BR101" in {f["code"] for f in doc["findings"]}
    assert doc["files_reviewed"] == 2  # views.py and the 60-character name


def test_the_time_limit_stops_the_run_with_a_clear_message(target: Path) -> None:
    result = review(target, "-q", "--time-limit", "0.001")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "stopped: the run took longer than --time-limit 0.001 s" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    for bad in ("nan", "0", "-5", "inf"):
        refused = review(target, "-q", "--time-limit", bad)
        assert refused.returncode == 2 and "--time-limit" in refused.stderr
    assert review(target, "-q", "--time-limit", "600").returncode == 0
