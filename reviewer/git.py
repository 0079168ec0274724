"""Running git in the reviewed repository: one place for the argv, timeout and failures.

Callers turn `GitError` into their own error (a diff that cannot be loaded, a base commit that
cannot be read) with their own hints.

The repository may be hostile (issue 11): a `.git/config` that came with a downloaded tree can
name programs git runs by itself. `core.fsmonitor` runs on `git ls-files`/`status`, hooks on
some commands, external diff and textconv drivers on `git diff`. Command-line `-c` values win
over every config file, so each run switches those off; the system config is not read, git
never prompts and never fetches (`protocol.allow=never`), and it takes no optional locks (a
read-only review writes no index). safe.directory is left to git: a repository owned by
another user stays refused.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

TIMEOUT_S = 120
SAFE_CONFIG = (
    "core.quotePath=false",
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "diff.external=",
    "credential.helper=",
    "protocol.allow=never",
)
SAFE_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_PAGER": "cat",
}


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
    argv = ["git"]
    for setting in SAFE_CONFIG:
        argv += ["-c", setting]
    env = {k: v for k, v in os.environ.items() if k != "GIT_EXTERNAL_DIFF"}
    env.update(SAFE_ENV)
    try:
        proc = subprocess.run(
            [*argv, *args],
            cwd=str(root),
            env=env,
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
