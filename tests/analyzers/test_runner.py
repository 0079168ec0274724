"""The runner with the real bandit, ruff and semgrep on small projects in tmp_path."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from reviewer.analyzers.base import ExternalFinding
from reviewer.analyzers.runner import analyzer_environment, find_executable, start_analyzers
from reviewer.config import AnalyzerConfig
from reviewer.model import AnalyzerRun, Confidence, Severity

from .conftest import APP, BROKEN, NEW_SYNTAX, only, write

USER_RULE = """\
rules:
  - id: no-print-call
    languages: [python]
    severity: INFO
    message: print() in server code
    pattern: print(...)
"""


@dataclass
class FullRun:
    root: Path
    started: tuple[str, ...]
    finished_without_collect: bool
    findings: list[ExternalFinding]
    runs: dict[str, AnalyzerRun]

    def at(self, external_id: str, path: str) -> list[int]:
        return sorted(
            f.location.line
            for f in self.findings
            if f.external_id == external_id and f.location.path == path
        )


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> FullRun:
    """All three analyzers on one project, started and left alone until they finish."""
    root = tmp_path_factory.mktemp("target")
    files = write(
        root,
        {
            "pkg/app.py": APP,
            "pkg/new_syntax.py": NEW_SYNTAX,
            "pkg/broken.py": BROKEN,
            "ignored/also.py": "import requests\nrequests.get('https://x', verify=False)\n",
            "-dash.py": "print('a file name that looks like an option')\n",
            "pkg/quiet.py": (
                "import requests\n"
                "requests.get('https://x', verify=False)  # nosemgrep: tls-verification-disabled\n"
            ),
        },
    )
    files.append(Path("pkg/vanished.py"))  # deleted after discovery
    # Things a target could use to hide code from the analyzers: none may apply.
    (root / ".gitignore").write_text("ignored/\n")
    (root / ".semgrepignore").write_text("ignored/\n")
    (root / "ruff.toml").write_text('[lint.per-file-ignores]\n"*" = ["ALL"]\n')
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    user_dir = tmp_path_factory.mktemp("user")
    (user_dir / "no-print.yaml").write_text(USER_RULE)

    cwd = os.getcwd()
    os.chdir(user_dir)  # the user names their config relative to where they are
    try:
        running = start_analyzers(root, files, {}, ["no-print.yaml"])
    finally:
        os.chdir(cwd)
    started = running.started
    deadline = time.monotonic() + 90
    while not running.done() and time.monotonic() < deadline:
        time.sleep(0.05)
    finished = running.done()
    findings, runs = running.collect()
    return FullRun(
        root=root,
        started=started,
        finished_without_collect=finished,
        findings=findings,
        runs={run.name: run for run in runs},
    )


def test_all_analyzers_start_at_once_and_run_without_collect(full: FullRun) -> None:
    assert full.started == ("bandit", "ruff", "semgrep")
    assert full.finished_without_collect  # collect() only reads what the finished runs wrote


def test_each_run_is_recorded(full: FullRun) -> None:
    for name in ("bandit", "ruff", "semgrep"):
        run = full.runs[name]
        assert run.status == "ok", run
        assert re.match(r"^\d+\.\d+", run.version), run
        assert run.seconds > 0


def test_bandit_findings_keep_nosec(full: FullRun) -> None:
    assert full.at("bandit:B602", "pkg/app.py") == [7, 9]  # line 8 has `# nosec`
    shell = next(f for f in full.findings if f.external_id == "bandit:B602")
    assert shell.severity is Severity.HIGH
    assert shell.confidence is Confidence.HIGH
    assert shell.cwe == (78,)
    assert shell.location.column == 5
    assert full.at("bandit:B501", "pkg/app.py") == [15]


def test_ruff_findings_keep_noqa_and_ignore_the_target_config(full: FullRun) -> None:
    # the target's ruff.toml ignores everything; --isolated must not read it
    assert full.at("ruff:S602", "pkg/app.py") == [7, 8]  # line 9 carries a noqa comment for S602
    assert full.at("ruff:T201", "pkg/app.py") == [13]
    assert full.at("ruff:E722", "pkg/app.py") == [16]
    assert full.at("ruff:T201", "pkg/new_syntax.py") == [2]
    assert full.at("ruff:T201", "-dash.py") == [1]
    s602 = next(f for f in full.findings if f.external_id == "ruff:S602")
    assert (s602.location.column, s602.location.end_column) == (5, 20)


def test_semgrep_maps_our_rules_by_code_and_user_rules_by_id(full: FullRun) -> None:
    assert full.at("semgrep:BR205", "pkg/app.py") == [15]
    tls = next(f for f in full.findings if f.external_id == "semgrep:BR205")
    assert tls.severity is Severity.HIGH
    assert tls.confidence is Confidence.HIGH
    assert tls.cwe == (295,)
    assert full.at("semgrep:no-print-call", "pkg/new_syntax.py") == [2]
    assert full.at("semgrep:no-print-call", "-dash.py") == [1]


def test_tools_own_suppression_comments_keep_working(full: FullRun) -> None:
    assert full.at("semgrep:BR205", "pkg/quiet.py") == []
    assert full.at("bandit:B501", "pkg/quiet.py") == [2]


def test_vanished_files_are_not_covered_by_anyone(full: FullRun) -> None:
    for run in full.runs.values():
        assert "pkg/vanished.py" in run.not_covered, run


def test_explicit_files_are_never_dropped_by_ignore_files(full: FullRun) -> None:
    assert full.at("semgrep:BR205", "ignored/also.py") == [2]
    assert full.at("bandit:B501", "ignored/also.py") == [2]
    assert full.at("ruff:S501", "ignored/also.py") == [2]


def test_files_an_analyzer_cannot_parse_are_not_covered(full: FullRun) -> None:
    # bandit parses with Python 3.11: the PEP 701 f-string is a syntax error for it
    bandit, ruff = full.runs["bandit"].not_covered, full.runs["ruff"].not_covered
    assert bandit == ("pkg/broken.py", "pkg/new_syntax.py", "pkg/vanished.py")
    assert ruff == ("pkg/broken.py", "pkg/vanished.py")
    assert "pkg/new_syntax.py" not in full.runs["semgrep"].not_covered


def test_locations_are_relative_posix_paths(full: FullRun) -> None:
    for finding in full.findings:
        path = finding.location.path
        assert not path.startswith(("/", "./")), finding
        assert (full.root / path).is_file(), finding
        assert finding.location.line >= 1


def test_missing_analyzers_are_reported_not_raised(tmp_path: Path) -> None:
    files = write(tmp_path, {"app.py": APP})
    running = start_analyzers(tmp_path, files, {}, find=lambda name: None)
    assert running.started == ()
    findings, runs = running.collect()
    assert findings == []
    assert [(r.name, r.status) for r in runs] == [
        ("bandit", "missing"),
        ("ruff", "missing"),
        ("semgrep", "missing"),
    ]
    assert "ruff not found" in runs[1].message


def test_one_missing_analyzer_does_not_stop_the_others(tmp_path: Path) -> None:
    files = write(tmp_path, {"app.py": APP})
    running = start_analyzers(
        tmp_path,
        files,
        only("bandit", "ruff"),
        find=lambda name: None if name == "bandit" else find_executable(name),
    )
    findings, runs = running.collect()
    assert [(r.name, r.status) for r in runs] == [
        ("bandit", "missing"),
        ("ruff", "ok"),
        ("semgrep", "disabled"),
    ]
    assert {f.external_id for f in findings} >= {"ruff:S602", "ruff:T201"}


def test_no_files_means_skipped(tmp_path: Path) -> None:
    _, runs = start_analyzers(tmp_path, [], only("ruff")).collect()
    assert [(r.name, r.status) for r in runs] == [
        ("bandit", "disabled"),
        ("ruff", "skipped"),
        ("semgrep", "disabled"),
    ]


def test_timeout_kills_the_analyzer(tmp_path: Path) -> None:
    files = write(tmp_path, {"app.py": APP, "b.py": "x = 1\n"})
    findings, runs = start_analyzers(
        tmp_path, files, only("semgrep", semgrep=AnalyzerConfig(timeout=0.05))
    ).collect()
    semgrep = runs[2]
    assert semgrep.status == "timeout"  # the timeout, not semgrep, ended the run
    assert "0.05 s" in semgrep.message
    assert semgrep.not_covered == ("app.py", "b.py")
    assert findings == []


def _fake_tool(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-tool"
    script.write_text(f"#!{sys.executable}\nimport sys\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


@pytest.mark.skipif(os.name != "posix", reason="shebang scripts")
def test_garbage_output_is_a_failed_run(tmp_path: Path) -> None:
    files = write(tmp_path / "t", {"app.py": APP})
    fake = _fake_tool(
        tmp_path, "print('ruff 0.0.1' if '--version' in sys.argv else '[{\"code\": ')"
    )
    findings, runs = start_analyzers(
        tmp_path / "t", files, only("ruff"), find=lambda n: fake
    ).collect()
    ruff = runs[1]
    assert ruff.status == "failed"
    assert "invalid JSON" in ruff.message
    assert ruff.version == "0.0.1"
    assert ruff.not_covered == ("app.py",)
    assert findings == []


@pytest.mark.skipif(os.name != "posix", reason="shebang scripts")
def test_crash_is_a_failed_run_with_stderr(tmp_path: Path) -> None:
    files = write(tmp_path / "t", {"app.py": APP})
    fake = _fake_tool(
        tmp_path,
        "sys.stderr.write('Traceback (most recent call last):\\nKeyError: boom\\n'); sys.exit(2)",
    )
    _, runs = start_analyzers(tmp_path / "t", files, only("bandit"), find=lambda n: fake).collect()
    bandit = runs[0]
    assert bandit.status == "failed"
    assert bandit.message.startswith("exit code 2: Traceback")
    assert "KeyError: boom" in bandit.message


def test_unstartable_executable_is_a_failed_run(tmp_path: Path) -> None:
    files = write(tmp_path / "t", {"app.py": APP})
    not_executable = tmp_path / "ruff"
    not_executable.write_text("")
    _, runs = start_analyzers(
        tmp_path / "t", files, only("ruff"), find=lambda n: str(not_executable)
    ).collect()
    assert runs[1].status == "failed"
    assert "cannot start" in runs[1].message


def test_chunked_file_lists_give_the_same_result(tmp_path: Path) -> None:
    sources = {f"m{i}.py": f"print({i})\n" for i in range(5)}
    sources["app.py"] = APP
    files = [tmp_path / p for p in write(tmp_path, sources)]  # absolute paths work too
    whole, _ = start_analyzers(tmp_path, files, only("ruff")).collect()
    split, runs_split = start_analyzers(tmp_path, files, only("ruff"), argv_budget=20).collect()
    assert runs_split[1].status == "ok"
    assert sorted(map(repr, split)) == sorted(map(repr, whole))
    assert {f.location.path for f in split if f.external_id == "ruff:T201"} == set(sources)


def test_skip_ids_and_extra_args_reach_the_tools(tmp_path: Path) -> None:
    files = write(tmp_path, {"app.py": APP})
    configs = only("bandit", "ruff", ruff=AnalyzerConfig(args=("--ignore", "E722")))
    findings, runs = start_analyzers(
        tmp_path, files, configs, skip_ids={"bandit:B602", "ruff:T201", "semgrep:BR205"}
    ).collect()
    ids = {f.external_id for f in findings}
    assert runs[0].status == runs[1].status == "ok"
    assert "bandit:B602" not in ids and "bandit:B501" in ids
    assert "ruff:T201" not in ids and "ruff:E722" not in ids and "ruff:S602" in ids


def test_cancel_kills_running_analyzers(tmp_path: Path) -> None:
    files = write(tmp_path, {"app.py": APP})
    with start_analyzers(tmp_path, files, only("semgrep")) as running:
        assert running.started == ("semgrep",)
    findings, runs = running.collect()
    assert (runs[2].status, runs[2].message) == ("failed", "cancelled before it finished")
    assert runs[2].not_covered == ("app.py",)
    assert findings == []


def _processes_in(directory: Path) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink(f"/proc/{pid}/cwd") == str(directory):
                found.append(Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " "))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs /proc")
def test_exiting_without_collect_leaves_no_analyzer_behind(tmp_path: Path) -> None:
    root = (tmp_path / "target").resolve()
    write(root, {"app.py": APP})
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from reviewer.analyzers.runner import start_analyzers\n"
        f"running = start_analyzers(Path({str(root)!r}), [Path('app.py')], {{}})\n"
        "assert running.started == ('bandit', 'ruff', 'semgrep')\n"
        "raise KeyboardInterrupt\n"  # as if the user pressed Ctrl-C during native analysis
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert "KeyboardInterrupt" in done.stderr
    assert "AssertionError" not in done.stderr
    deadline = time.monotonic() + 60  # a bound for a loaded machine, not a speed requirement
    while _processes_in(root) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_in(root) == []


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs /proc")
def test_cancel_kills_the_version_probe_too(tmp_path: Path) -> None:
    """The `--version` probe runs beside the first chunk: a cancel must not leave it behind."""
    root = (tmp_path / "target").resolve()
    files = write(root, {"app.py": APP})
    slow = _fake_tool(tmp_path, "import time\ntime.sleep(60)")
    with start_analyzers(root, files, only("ruff"), find=lambda n: slow):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(
            "--version" in p for p in _processes_in(root)
        ):
            time.sleep(0.05)
        assert any("--version" in p for p in _processes_in(root))
    deadline = time.monotonic() + 30  # well below the fake tool's 60 s: only a kill ends it
    while _processes_in(root) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_in(root) == []


SECRETS = {
    "GITHUB_TOKEN": "ghs_secret",
    "GH_TOKEN": "ghp_secret",
    "ACTIONS_RUNTIME_TOKEN": "rt",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "oidc",
    "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.actions.example/",
    "INPUT_GITHUB-TOKEN": "ghs_input",
    "INPUT_PATH": ".",
    "AWS_SECRET_ACCESS_KEY": "aws",
    "npm_config__authToken": "npm",
}


def test_the_analyzer_environment_holds_no_token() -> None:
    env = analyzer_environment({**SECRETS, "PATH": "/bin", "HOME": "/h", "GITHUB_WORKSPACE": "/w"})
    assert not set(SECRETS) & set(env)
    assert env["PATH"] == "/bin" and env["HOME"] == "/h" and env["GITHUB_WORKSPACE"] == "/w"
    assert env["PYTHONIOENCODING"] == "utf-8"


@pytest.mark.skipif(os.name != "posix", reason="shebang scripts")
def test_analyzer_processes_do_not_see_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """U15: a plugin or hostile config running inside an analyzer finds no token to steal."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    seen = tmp_path / "seen"
    files = write(tmp_path / "t", {"app.py": APP})
    fake = _fake_tool(
        tmp_path,
        "import json, os\n"
        f"open({str(seen)!r}, 'a').write(json.dumps(dict(os.environ)) + '\\n')\n"
        "print('ruff 0.0.1' if '--version' in sys.argv else '[]')",
    )
    _, runs = start_analyzers(tmp_path / "t", files, only("ruff"), find=lambda n: fake).collect()
    assert runs[1].status == "ok", runs[1]
    environments = [json.loads(line) for line in seen.read_text().splitlines()]
    assert len(environments) == 2  # --version and the run
    for env in environments:
        assert not set(SECRETS) & set(env), set(SECRETS) & set(env)
        assert "ghs_secret" not in json.dumps(env) and env["PATH"]
