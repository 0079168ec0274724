"""Run backend-review as a user does: a real subprocess of this interpreter, without colour
and without semgrep's version check (CI has no network beyond the package registries)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_reviewer(
    *args: str, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
    return subprocess.run(
        [sys.executable, "-m", "reviewer", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
