"""A review ended by SIGTERM (a cancelled CI job, `timeout`) or SIGKILL leaves no process
behind (issue 11, U22): without a handler, SIGTERM ended the review at once and its analyzers
(in their own sessions) and forked pool workers ran on, orphaned, forever.

The real CLI, real analyzers and the real process pool; processes are found through /proc by
their working folder (analyzers run in the target, pool workers in the review's own folder).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_samples import REPO, VIEWS

pytestmark = pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs /proc")


def processes_in(folder: Path, but: int = 0) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != but:
            try:
                if Path(os.readlink(entry / "cwd")) == folder:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def wait_for(condition, seconds: float = 120) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def start(tmp_path: Path, files: int) -> tuple[subprocess.Popen[str], Path, Path]:
    target = (tmp_path / "svc").resolve()
    (target / "app").mkdir(parents=True)
    (target / "app" / "views.py").write_text(VIEWS)
    for i in range(files):
        (target / "app" / f"m{i}.py").write_text(VIEWS.replace("users", f"users{i}") * 20)
    here = (tmp_path / "run").resolve()
    here.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO), "SEMGREP_ENABLE_VERSION_CHECK": "0"}
    review = subprocess.Popen(
        [sys.executable, "-m", "reviewer", str(target), "-q", "--no-cache", "--jobs", "2"],
        cwd=here,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return review, target, here


def end(pids: list[int]) -> None:
    for pid in pids:  # only processes this test started, by their id
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_sigterm_kills_the_analyzers_and_the_pool(tmp_path: Path) -> None:
    review, target, here = start(tmp_path, 40)
    try:
        assert wait_for(lambda: processes_in(target)), "no analyzer started"
        review.send_signal(signal.SIGTERM)
        _, stderr = review.communicate(timeout=120)
        assert review.returncode == 143, stderr
        assert "terminated (SIGTERM)" in stderr and "Traceback" not in stderr
        assert wait_for(lambda: not processes_in(target) and not processes_in(here), 10), (
            processes_in(target) + processes_in(here)
        )
    finally:
        review.kill()
        review.wait()
        end(processes_in(target) + processes_in(here))


def test_sigkill_leaves_no_pool_worker(tmp_path: Path) -> None:
    review, target, here = start(tmp_path, 300)
    try:
        assert wait_for(lambda: processes_in(here, but=review.pid)), "no pool worker started"
        review.kill()
        review.wait(timeout=60)
        assert wait_for(lambda: not processes_in(here), 10), processes_in(here)
    finally:
        end(processes_in(target) + processes_in(here))  # analyzers: their own sessions
