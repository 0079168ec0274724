"""The reviewed checkout's file names cannot inject GitHub workflow commands into our output
(issue 11, U10): a file named `a\\n::stop-commands::pwn\\nb.py` put `::stop-commands::pwn` at
the start of a stdout line, after which GitHub ignores every annotation."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import run_reviewer

from reviewer.cli import no_workflow_commands


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html"])
def test_a_file_name_with_a_workflow_command_is_defused(tmp_path: Path, fmt: str) -> None:
    root = tmp_path / "svc"
    (root / "app").mkdir(parents=True)
    (root / "app" / "a\n::stop-commands::pwn\nb.py").write_text("import os\nos.system(input())\n")
    result = run_reviewer(
        str(root), "-q", "--no-cache", "-f", fmt, "--disable-analyzer", "semgrep", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "stop-commands" in result.stdout  # the file is reported ...
    assert not [ln for ln in result.stdout.splitlines() if ln.lstrip().startswith("::")]


def test_only_command_lines_change() -> None:
    text = "ok ::not at the start\n  ::warning file=x::y\n::error::z\n"
    assert no_workflow_commands(text) == (
        "ok ::not at the start\n  :\u200b:warning file=x::y\n:\u200b:error::z\n"
    )
