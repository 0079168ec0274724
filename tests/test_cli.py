"""The command line as a user runs it: real subprocesses, exit codes, formats, subcommands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import run_reviewer

REPO = Path(__file__).resolve().parent.parent
APP = """\
import os
import sqlite3

from flask import Flask, request

app = Flask(__name__)


@app.get("/search")
def search() -> list[tuple[str, ...]]:
    term = request.args["q"]
    db = sqlite3.connect(os.environ["DB_PATH"])
    return db.execute(f"SELECT name FROM items WHERE name = '{term}'").fetchall()
"""


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return run_reviewer(*args, cwd=cwd)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("svc")
    (root / "app.py").write_text(APP)
    (root / ".backend-review.yml").write_text("analyzers: {semgrep: false}\n")
    return root


def test_review_prints_terminal_report_and_passes_without_gate(service: Path) -> None:
    result = run(str(service), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "BR101" in result.stdout and "Score" in result.stdout
    assert "\x1b[" not in result.stdout


def test_several_formats_with_outputs(service: Path, tmp_path: Path) -> None:
    sarif, data = tmp_path / "r.sarif", tmp_path / "r.json"
    result = run(
        str(service), "--no-cache", "-f", "sarif", "-o", str(sarif), "-f", "json", "-o", str(data)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    codes = {f["code"] for f in json.loads(data.read_text())["findings"]}
    assert "BR101" in codes


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--fail-on", "high"], 1),
        (["--fail-under", "99.9"], 1),
        (["--fail-under", "0"], 0),
        (["--fail-on", "critical", "--ignore", "BR101"], 0),
    ],
)
def test_gate_exit_codes(service: Path, args: list[str], code: int) -> None:
    result = run(str(service), "--no-cache", "-q", "-f", "json", *args)
    assert result.returncode == code, result.stderr


def test_usage_and_config_errors_exit_2(service: Path, tmp_path: Path) -> None:
    assert run(str(tmp_path / "missing")).returncode == 2
    assert run(str(service), "--format", "xml").returncode == 2
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / ".backend-review.yml").write_text("fail-under: lots\n")
    result = run(str(bad))
    assert result.returncode == 2
    assert ".backend-review.yml" in result.stderr and "fail-under" in result.stderr


def test_rules_and_explain() -> None:
    listing = run("rules", "--format", "json")
    assert listing.returncode == 0
    codes = {rule["code"] for rule in json.loads(listing.stdout)}
    assert {"BR101", "BR201", "BR202", "BR901"} <= codes
    explained = run("explain", "BR101")
    assert explained.returncode == 0
    assert "## What it does" in explained.stdout and "CWE-89" in explained.stdout
    assert run("explain", "sql-injection").stdout == explained.stdout
    assert run("explain", "BR000").returncode == 2


def test_help_explains_options() -> None:
    result = run("--help")
    assert result.returncode == 0
    for word in ("--fail-under", "--fail-on", "--format", "exit codes", ".backend-review.yml"):
        assert word in result.stdout


def test_help_lists_every_subcommand_and_each_has_its_own_help() -> None:
    from reviewer.cli import COMMANDS

    listed = run("--help").stdout.split("commands:", 1)[1].split("examples:", 1)[0]
    for command in (*COMMANDS[1:], "baseline"):
        assert f"backend-review {command}" in listed, command
        own = run(command, "--help")
        assert own.returncode == 0 and own.stdout.startswith("usage: backend-review"), command


def test_markdown_report_carries_the_route_inventory(tmp_path: Path) -> None:
    app = tmp_path / "svc"
    app.mkdir()
    (app / "app.py").write_text(
        "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
        '@app.post("/orders")\ndef create_order() -> dict[str, str]:\n    return {}\n'
    )
    (app / ".backend-review.yml").write_text("analyzers: {semgrep: false}\n")
    result = run(str(app), "--no-cache", "-q", "-f", "markdown")
    assert "Route inventory (1)" in result.stdout
    assert "`/orders`" in result.stdout and "create_order" in result.stdout


def test_summary_reports_how_many_routes_tests_cover() -> None:
    result = run(
        str(REPO / "fixtures" / "flask_service"),
        "--no-cache",
        "-q",
        "-f",
        "markdown",
        "--disable-analyzer",
        "semgrep",
        "--disable-analyzer",
        "bandit",
    )
    assert "Tests: 14 of 31 routes tested." in result.stdout


def test_plain_review_writes_and_reuses_its_cache(service: Path, tmp_path: Path) -> None:
    """A review without --diff or --baseline still caches (regression: the cache was off)."""
    import sqlite3

    cache = tmp_path / "cache"
    first = run(str(service), "--cache-dir", str(cache), "-q", "-f", "json")
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(cache / "cache.sqlite") as db:
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] > 0
    second = run(str(service), "--cache-dir", str(cache), "-q", "-f", "json")
    assert json.loads(second.stdout)["findings"] == json.loads(first.stdout)["findings"]


def test_default_cache_sits_in_the_user_cache_and_no_cache_writes_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never inside the reviewed checkout (issue 11, U4): its author could plant entries there."""
    root = tmp_path / "svc"
    root.mkdir()
    (root / "app.py").write_text(APP)
    (root / ".backend-review.yml").write_text("analyzers: {semgrep: false}\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    assert run(str(root), "--no-cache", "-q", "-f", "json").returncode == 0
    assert not (root / ".backend-review-cache").exists()
    assert not (tmp_path / "user-cache" / "backend-review").exists()
    assert run(str(root), "-q", "-f", "json").returncode == 0
    assert not (root / ".backend-review-cache").exists()
    assert list((tmp_path / "user-cache" / "backend-review").glob("*/cache.sqlite"))


def _stderr_on_a_terminal(*args: str) -> str:
    """Run the CLI with stderr on a pseudo-terminal (stdout piped); what the terminal got."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))  # 200 columns
    env = {**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0", "COLUMNS": "120"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "reviewer", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=300) == 0
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def slow_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Long enough to show progress (> 1 s): bandit runs its full set on 150 files."""
    root = tmp_path_factory.mktemp("slow")
    for n in range(150):
        (root / f"mod_{n}.py").write_text(APP.replace("search", f"search_{n}") * 3)
    (root / ".backend-review.yml").write_text("analyzers: {ruff: false, semgrep: false}\n")
    return root


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminal")
def test_progress_bar_on_a_terminal_counts_files_and_goes_with_quiet(slow_target: Path) -> None:
    """(Which analyzers are still running is shown too, but whether one still runs at a given
    moment is a matter of timing, so it is not asserted.)"""
    shown = _stderr_on_a_terminal(str(slow_target), "--no-cache", "-j", "1", "-f", "json")
    assert "reviewing" in shown and "/150" in shown  # files done / total
    quiet = _stderr_on_a_terminal(str(slow_target), "--no-cache", "-j", "1", "-f", "json", "-q")
    assert "reviewing" not in quiet
    piped = run(str(slow_target), "--no-cache", "-j", "1", "-f", "json")
    assert "reviewing" not in piped.stderr  # not a terminal: no bar


def test_main_leaves_the_callers_gc_threshold_alone(capsys: pytest.CaptureFixture[str]) -> None:
    """cli.main raises the GC threshold for the review and restores it for an in-process caller."""
    import gc

    from reviewer import cli

    before = gc.get_threshold()
    assert before != cli.GC_THRESHOLD
    assert cli.main(["rules"]) == 0
    assert gc.get_threshold() == before


def test_routes_says_when_a_framework_app_yields_no_route(tmp_path: Path) -> None:
    """A Flask app whose views all come from a package outside the reviewed tree: the
    inventory is empty, and `routes` says which app it found instead of printing `[]` alone;
    a project without any web framework gets no such note."""
    svc = tmp_path / "svc"
    svc.mkdir()
    (svc / "app.py").write_text(
        "from flask import Flask\nfrom vendor_views import bp\n\n"
        "app = Flask(__name__)\napp.register_blueprint(bp)\n"
    )
    proc = run("routes", str(svc), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []
    assert "no route could be resolved" in proc.stderr
    assert "flask app `app` in app.py" in proc.stderr
    table = run("routes", str(svc))
    assert "note: no route could be resolved" in table.stdout
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "tool.py").write_text("def add(a: int, b: int) -> int:\n    return a + b\n")
    quiet = run("routes", str(plain), "--format", "json")
    assert json.loads(quiet.stdout) == [] and "no route" not in quiet.stderr
