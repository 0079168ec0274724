"""Deep nesting cannot crash the review (issue 11, C1): 4 KB of `[` made libcst's native parser
overflow its stack (SIGSEGV, rc 139, or a BrokenProcessPool traceback with 8 files or more).
Such a file is now BR901 "not reviewed: too deeply nested", found from its tokens before
libcst parses it, and the rest of the review goes on.

The real CLI in a subprocess, the real libcst in its worker processes.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hostile_samples import VIEWS, review  # a real SQL injection (tests/ is on sys.path)

from reviewer import traversal
from reviewer.nesting_bound import within_limits
from reviewer.traversal import MAX_BRACKETS, MAX_INDENT, MAX_NESTING, nesting_problem

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


def test_the_cheap_bound_clears_ordinary_code_and_no_deep_file() -> None:
    """nesting_problem skips its token walk when nesting_bound clears the file: the bound
    must clear what real code looks like, and none of the crashing shapes."""
    limits = (MAX_BRACKETS, MAX_INDENT, MAX_NESTING)
    table = "DATA = {\n" + "".join(f'    "k{i}": [{i}, {i} + 1],\n' for i in range(2000)) + "}\n"
    code = Path(traversal.__file__).read_text()
    assert within_limits(table, *limits)
    assert within_limits(code, *limits)
    assert within_limits(code.replace("\n", "\r\n"), *limits)
    for text in DEEP.values():
        assert not within_limits(text, *limits)


# Pieces of token soup: brackets, separators, operators, keywords that chain, strings of
# every quoting (closed, open, continued), comments, continuations, indentation.
_ATOMS = [
    *"()[]{},;:.+!$ ",
    *("**=", "->", "...", "  ", "\t", "\f", "\n", "\n    ", "\n  ", "\n\n", "\r\n", "\r"),
    *("'", '"', "'''", '"""', "#", "\\", "\\\n", "\\'", '\\"', "f'", "b'"),
    *("if", " if ", "in", " not ", "else", "lambda", "await", "xor", "1if", "x", "y1", "1.5"),
]


def test_the_cheap_bound_never_clears_what_the_token_walk_refuses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With tiny limits, random token soup reaches them often: whenever the bound clears a
    text, the token walk must find nothing in it either."""
    monkeypatch.setattr(traversal, "MAX_BRACKETS", 3)
    monkeypatch.setattr(traversal, "MAX_INDENT", 3)
    monkeypatch.setattr(traversal, "MAX_NESTING", 6)
    rnd = random.Random(11)
    cleared = refused = 0
    for _ in range(20000):
        text = "".join(rnd.choice(_ATOMS) for _ in range(rnd.randint(1, 40)))
        found = traversal.token_nesting_problem(text)
        if within_limits(text, 3, 3, 6):
            cleared += 1
            assert found == ("", 0), repr(text)
        elif found[0]:
            refused += 1
    assert cleared > 2000 and refused > 1000  # both sides of the limits were exercised
