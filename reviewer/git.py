"""Running git in the reviewed repository: one place for the argv, timeout and failures.

Callers turn `GitError` into their own error (a diff that cannot be loaded, a base commit that
cannot be read) with their own hints.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

TIMEOUT_S = 120


class GitError(Exception):
    """git is missing, timed out or failed; `stderr` holds what it printed."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr

    @property
    def reason(self) -> str:
        """git's own last line when it printed one, else the message."""
        lines = self.stderr.strip().splitlines()
        return lines[-1] if lines else str(self)


def run_git(
    root: Path | str, *args: str, stdin: bytes | None = None, timeout: float = TIMEOUT_S
) -> bytes:
    """`git <args>` in `root` (paths printed unquoted); its stdout, or GitError."""
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=str(root),
            input=stdin,
            capture_output=True,
            check=False,
            timeout=timeout,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} timed out after {timeout:g} s") from None
    if proc.returncode != 0:
        raise GitError(f"git {args[0]} failed", proc.stderr.decode("utf-8", "replace"))
    return proc.stdout
