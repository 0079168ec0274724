"""Deep nesting cannot crash the review (issue 11, C1): 4 KB of `[` made libcst's native parser
overflow its stack (SIGSEGV, rc 139, or a BrokenProcessPool traceback with 8 files or more).
Such a file is now BR901 "not reviewed: too deeply nested", found from its tokens before
libcst parses it, and the rest of the review goes on.

The real CLI in a subprocess, the real libcst in its worker processes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostile_samples import VIEWS, review  # a real SQL injection (tests/ is on sys.path)

from reviewer.traversal import MAX_NESTING, nesting_problem

DEEP = {
    "brackets.py": "x = " + "[" * 2000 + "]" * 2000 + "\n",
    "subscripts.py": "x = y" + "[0]" * 5000 + "\n",  # 2991 already crashed libcst
    "calls.py": "x = f" + "()" * 5000 + "\n",
    "terms.py": "x = " + "+".join(["1"] * 10000) + "\n",  # 47 s, then SIGSEGV
    "lambdas.py": "x = " + "lambda: " * 5000 + "y\n",
    "indented.py": "".join(" " * i + "if x:\n" for i in range(120)) + " " * 120 + "pass\n",
}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_deeply_nested_files_are_not_reviewed_and_crash_nothing(tmp_path: Path, jobs: str) -> None:
    root = tmp_path / "svc"
    (root / "app").mkdir(parents=True)
    (root / "app" / "views.py").write_text(VIEWS)
    for name, text in DEEP.items():
        (root / "app" / name).write_text(text)
    for i in range(4):  # more than 8 files: the native rules run in a process pool
        (root / "app" / f"ok{i}.py").write_text(f"VALUE = {i}\n")
    result = review(root, "-q", "-f", "json", "--jobs", jobs, "--disable-analyzer", "ruff")
    assert result.returncode == 0, result.stderr[-2000:]
    doc = json.loads(result.stdout)
    assert "BR101" in {f["code"] for f in doc["findings"]}
    reasons = {e["path"]: e["reason"] for e in doc["not_reviewed"]}
    assert set(reasons) == {f"app/{name}" for name in DEEP}
    assert all(reason.startswith("too deeply nested: ") for reason in reasons.values())
    assert "more than 200 nested brackets" in reasons["app/brackets.py"]
    assert "more than 100 indentation levels" in reasons["app/indented.py"]
    assert doc["files_reviewed"] == 5


def test_wide_code_is_not_deep() -> None:
    """A long literal or many statements are siblings in the tree, not nesting."""
    table = "DATA = {\n" + "".join(f'    "k{i}": [{i}, {i} + 1],\n' for i in range(20000)) + "}\n"
    statements = "".join(f"x{i} = a.b.c(d)[0] + {i}\n" for i in range(5000))
    just_under = "x = y" + "[0]" * (MAX_NESTING - 1) + "\n"
    assert nesting_problem(table) == ("", 0)
    assert nesting_problem(statements) == ("", 0)
    assert nesting_problem(just_under) == ("", 0)
    assert nesting_problem(just_under.replace("y", "y[0]", 1) + "\n")[0]
