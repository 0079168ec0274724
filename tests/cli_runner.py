"""Run backend-review as a user does: a real subprocess of this interpreter, without colour
and without semgrep's version check (CI has no network beyond the package registries).

`PYTHONPATH` points at this checkout, so `-m reviewer` runs the code under test whatever the
working directory (tests run it from the target's parent to be sure the target's own files
cannot shadow the tool)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def reviewer_env(base: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    """`base` (default: this process's environment) plus what every run needs, plus `extra`."""
    env = dict(os.environ if base is None else base)
    env.update(NO_COLOR="1", SEMGREP_ENABLE_VERSION_CHECK="0", PYTHONPATH=str(REPO))
    env.update(extra)
    return env


def without_github(**extra: str) -> dict[str, str]:
    """This environment minus the runner's GITHUB_* variables (a CI run must not leak into
    a test that sets up its own), plus `extra`."""
    return reviewer_env(
        {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}, **extra
    )


def run_reviewer(
    *args: str,
    cwd: Path | None = None,
    timeout: float = 300,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m reviewer *args`; `env` defaults to `reviewer_env()`."""
    return subprocess.run(
        [sys.executable, "-m", "reviewer", *args],
        cwd=cwd,
        env=dict(env) if env is not None else reviewer_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
