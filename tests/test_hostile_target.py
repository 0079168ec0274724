"""The reviewed code never runs, even when it shadows standard-library modules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAYLOAD = "import pathlib\npathlib.Path({marker!r}).write_text('ran')\n"


@pytest.mark.parametrize("module", ["http/__init__.py", "json.py", "re.py", "typing.py"])
def test_shadowing_modules_in_the_working_directory_are_not_imported(
    tmp_path: Path, module: str
) -> None:
    target = tmp_path / "target"
    marker = tmp_path / "pwned"
    path = target / module
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PAYLOAD.format(marker=str(marker)))
    (target / "app.py").write_text("import os\nprint(os.getcwd())\n")
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "SEMGREP_ENABLE_VERSION_CHECK": "0",
        "NO_COLOR": "1",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "reviewer",
            ".",
            "-q",
            "--no-cache",
            "--disable-analyzer",
            "semgrep",
        ],
        cwd=target,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stderr
    assert not marker.exists(), "the reviewed project's code was executed"


def test_analyzer_args_in_the_targets_config_stop_the_review(tmp_path: Path) -> None:
    """U2: the reproduction's `-o ….pth` from the checkout's config is refused, exit 2."""
    target = tmp_path / "target"
    target.mkdir()
    written = tmp_path / "zz-backend-review.pth"
    (target / ".backend-review.yml").write_text(
        "analyzers:\n  bandit:\n"
        f'    args: ["-s", "B000", "-f", "custom", "--msg-template", "x", "-o", "{written}"]\n'
    )
    (target / "app.py").write_text("import pickle\n\n\ndef load(b):\n    return pickle.loads(b)\n")
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "reviewer", ".", "-q", "--no-cache"],
        cwd=target,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "analyzers.bandit.args" in result.stderr and ".backend-review.yml" in result.stderr
    assert "Traceback" not in result.stderr and not written.exists()
