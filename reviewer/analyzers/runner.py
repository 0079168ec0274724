"""Run bandit, ruff and semgrep concurrently as subprocesses while native analysis goes on.

`start_analyzers` starts every enabled analyzer at once (no shell, cwd = target root, output
to temporary files so full pipes never block) and returns; `RunningAnalyzers.collect` waits,
and each analyzer's timeout is enforced by a watcher thread that kills the process group.
Analyzer trouble is data: every outcome is an `AnalyzerRun` (ok, missing, failed, timeout,
disabled, skipped), never an exception.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

from reviewer.analyzers.bandit import BanditAdapter
from reviewer.analyzers.base import (
    Adapter,
    AnalyzerOutputError,
    ExternalFinding,
    as_argument,
    chunk_files,
)
from reviewer.analyzers.ruff import RuffAdapter
from reviewer.analyzers.semgrep import ENV as SEMGREP_ENV
from reviewer.analyzers.semgrep import SemgrepAdapter
from reviewer.config import AnalyzerConfig
from reviewer.model import AnalyzerRun
from reviewer.resources import semgrep_rules_dir

ANALYZERS = ("bandit", "ruff", "semgrep")
VERSION_TIMEOUT = 15.0
# One pathological file (ruff overflows its stack on `1+1+…` of 3000 terms and aborts) made the
# whole chunk, thousands of files, "failed" (issue 11, U20). A failed bandit or ruff chunk is
# split in halves until the failing file runs alone; it is then the only file not covered.
# SPLIT_BUDGET extra runs at most, so a failure every file shares (a broken install) costs a
# bounded number of retries. semgrep is not split: it reports a file it cannot parse in its
# JSON (`errors`) and fails as a whole only on its configuration, which splitting cannot fix.
SPLIT_ON_FAILURE = frozenset(("bandit", "ruff"))
SPLIT_BUDGET = 24

Finder = Callable[[str], "str | None"]


def find_executable(name: str) -> str | None:
    """The analyzer next to the running Python (same virtualenv) first, then on PATH."""
    beside = shutil.which(name, path=str(Path(sys.executable).parent))
    return beside or shutil.which(name)


def start_analyzers(
    root: Path,
    files: Sequence[Path],
    configs: Mapping[str, AnalyzerConfig],
    semgrep_configs: Sequence[str] = (),
    *,
    skip_ids: Collection[str] = (),
    semgrep_rules: Path | None = None,
    find: Finder = find_executable,
    argv_budget: int | None = None,
) -> RunningAnalyzers:
    """Start every enabled analyzer on `files` (absolute or relative to `root`) and return.

    `skip_ids` are external ids ("bandit:B101", "ruff:S101") not worth running, typically the
    ids the passthrough policy drops and no rule claims. Analyzers missing from `configs` run
    with default settings.
    """
    root = Path(root)
    relative = _relative_files(root, files)
    # A vanished file would make semgrep reject the whole run: leave it out, report it.
    gone = [p for p in relative if not (root / p).is_file()]
    relative = [p for p in relative if p not in frozenset(gone)]
    adapters: dict[str, Adapter] = {
        "bandit": BanditAdapter(skips=_ids_of(skip_ids, "bandit")),
        "ruff": RuffAdapter(ignore=_ids_of(skip_ids, "ruff"), root=str(root.absolute())),
        "semgrep": SemgrepAdapter(
            configs=(
                str((semgrep_rules or semgrep_rules_dir()).absolute()),
                *(_user_config(c) for c in semgrep_configs),
            )
        ),
    }
    budget = argv_budget if argv_budget is not None else _argv_budget()
    jobs: list[_Job] = []
    for name in ANALYZERS:
        config = configs.get(name, AnalyzerConfig())
        job = _Job(adapters[name], config, root)
        jobs.append(job)
        if not config.enabled:
            job.finish_without_running("disabled")
        elif not relative:
            job.finish_without_running("skipped", "no files to analyze", gone)
        elif (exe := find(adapters[name].executable)) is None:
            job.finish_without_running(
                "missing",
                f"{adapters[name].executable} not found next to {sys.executable} or on PATH",
            )
        else:
            job.start(exe, chunk_files([as_argument(p) for p in relative], budget), gone)
    return RunningAnalyzers(jobs)


class RunningAnalyzers:
    """Analyzers started by `start_analyzers`; `collect` waits for them and parses.

    Used as a context manager, leaving the block (an exception, Ctrl-C) cancels whatever still
    runs; analyzers run in their own sessions, so the terminal's Ctrl-C never reaches them.
    """

    def __init__(self, jobs: Sequence[_Job]) -> None:
        self._jobs = tuple(jobs)
        self._result: tuple[list[ExternalFinding], list[AnalyzerRun]] | None = None

    @property
    def started(self) -> tuple[str, ...]:
        """Names of the analyzers whose first process has been started."""
        return tuple(job.name for job in self._jobs if job.started)

    def done(self) -> bool:
        """True when every analyzer has finished (collect will not wait)."""
        return all(job.finished.is_set() for job in self._jobs)

    def cancel(self) -> None:
        """Kill every analyzer still running; their runs become failed ("cancelled")."""
        for job in self._jobs:
            job.cancel()

    def __enter__(self) -> RunningAnalyzers:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cancel()

    def collect(self) -> tuple[list[ExternalFinding], list[AnalyzerRun]]:
        """Wait for every analyzer (each within its timeout) and return findings and runs."""
        if self._result is None:
            findings: list[ExternalFinding] = []
            runs: list[AnalyzerRun] = []
            for job in self._jobs:
                job.finished.wait()
                findings.extend(job.findings)
                runs.append(job.run)
            self._result = (findings, runs)
        return list(self._result[0]), list(self._result[1])


@dataclass
class _Chunk:
    files: list[str]
    process: subprocess.Popen[bytes]
    stdout: IO[bytes]
    stderr: IO[bytes]


@dataclass(eq=False)
class _Job:
    """One analyzer: its chunks run one after another in a watcher thread."""

    adapter: Adapter
    config: AnalyzerConfig
    root: Path
    findings: list[ExternalFinding] = field(default_factory=list)
    run: AnalyzerRun = field(init=False)
    started: bool = False
    finished: threading.Event = field(default_factory=threading.Event)
    _exe: str = field(default="", init=False)
    _t0: float = field(default=0.0, init=False)
    _deadline: float = field(default=0.0, init=False)
    _gone: list[str] = field(default_factory=list, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _current: subprocess.Popen[bytes] | None = field(default=None, init=False)
    # the `--version` probe runs beside the first chunk; a cancel must kill it too
    _probe: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _cancelled: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self.run = AnalyzerRun(name=self.name, status="disabled")

    @property
    def name(self) -> str:
        return self.adapter.name

    def finish_without_running(
        self, status: str, message: str = "", not_covered: Sequence[str] = ()
    ) -> None:
        self.run = AnalyzerRun(
            name=self.name, status=status, message=message, not_covered=tuple(not_covered)
        )
        self.finished.set()

    def start(self, exe: str, chunks: list[list[str]], gone: Sequence[str] = ()) -> None:
        self._exe = exe
        self._gone = list(gone)
        self._t0 = time.monotonic()
        self._deadline = self._t0 + self.config.timeout
        try:
            first = self._spawn(chunks[0])
        except OSError as exc:
            self._record("failed", message=f"cannot start {exe}: {exc}")
            self.finished.set()
            return
        self.started = True
        _LIVE.add(self)
        thread = threading.Thread(
            target=self._watch, args=(first, chunks[1:]), name=f"analyzer-{self.name}", daemon=True
        )
        thread.start()

    def _spawn(self, files: list[str]) -> _Chunk:
        argv = self.adapter.argv(self._exe, files, self.config.args)
        # The files outlive this call: _finish closes them once the process is done.
        stdout = tempfile.TemporaryFile()  # noqa: SIM115
        stderr = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            process = subprocess.Popen(
                argv,
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                env=_environment(),
                start_new_session=os.name == "posix",
            )
        except OSError:
            stdout.close()
            stderr.close()
            raise
        with self._lock:
            self._current = process
            if self._cancelled:
                _kill(process)
        return _Chunk(files, process, stdout, stderr)

    def cancel(self) -> None:
        with self._lock:
            if self.finished.is_set():
                return
            self._cancelled = True
            processes = (self._current, self._probe)
        for process in processes:
            if process is not None and process.poll() is None:
                _kill(process)

    def _watch(self, first: _Chunk, rest: list[list[str]]) -> None:
        version = ""
        status, messages, not_covered = "ok", [], list(self._gone)
        chunk: _Chunk | None = first
        try:
            version = self._version()
            pending = list(rest)
            splittable = self.name in SPLIT_ON_FAILURE
            retries = SPLIT_BUDGET if splittable else 0
            while chunk is not None:
                outcome = self._finish(chunk)
                isolate = outcome.status == "failed" and not self._cancelled
                if isolate and len(chunk.files) == 1 and retries < SPLIT_BUDGET and splittable:
                    # the one file a split isolated: it alone is not covered, the rest is
                    messages.append(f"{chunk.files[0].removeprefix('./')}: {outcome.message}")
                    not_covered += chunk.files
                elif isolate and len(chunk.files) > 1 and retries >= 2:
                    retries -= 2
                    half = len(chunk.files) // 2
                    pending[:0] = [chunk.files[:half], chunk.files[half:]]
                elif outcome.status != "ok":
                    status = outcome.status
                    messages.append(outcome.message)
                    not_covered += chunk.files
                    if status == "timeout" or self._cancelled:
                        not_covered += [f for files in pending for f in files]
                        break
                else:
                    version = outcome.version or version
                    if outcome.message:
                        messages.append(outcome.message)
                    not_covered += outcome.not_covered
                chunk = self._spawn(pending.pop(0)) if pending else None
        except Exception as exc:  # a crash here must become data, not a lost thread
            status, messages = "failed", [f"{type(exc).__name__}: {exc}"]
            if chunk is not None and chunk.process.poll() is None:
                _kill(chunk.process)
        self._record(status, version, "\n".join(m for m in messages if m), not_covered)
        self.finished.set()
        _LIVE.discard(self)

    def _finish(self, chunk: _Chunk) -> _Outcome:
        try:
            try:
                chunk.process.wait(timeout=max(0.0, self._deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _kill(chunk.process)
                return _Outcome("timeout", f"timed out after {self.config.timeout:g} s")
            if self._cancelled:
                return _Outcome("failed", "cancelled before it finished")
            stdout = _read(chunk.stdout)
            stderr = _read(chunk.stderr)
        finally:
            chunk.stdout.close()
            chunk.stderr.close()
        code = chunk.process.returncode
        if code not in self.adapter.ok_returncodes():
            detail = self.adapter.describe_failure(stdout, stderr) or "no output"
            return _Outcome("failed", f"exit code {code}: {detail}")
        try:
            parsed = self.adapter.parse(stdout, stderr)
        except AnalyzerOutputError as exc:
            detail = self.adapter.describe_failure("", stderr)
            return _Outcome("failed", f"{exc}" + (f"\n{detail}" if detail else ""))
        self.findings.extend(parsed.findings)
        return _Outcome("ok", parsed.message, parsed.not_covered, parsed.version)

    def _version(self) -> str:
        argv = self.adapter.version_argv(self._exe)
        if argv is None:
            return ""
        try:
            probe = subprocess.Popen(
                argv,
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=_environment(),
                start_new_session=os.name == "posix",
            )
        except OSError:
            return ""
        with self._lock:
            self._probe = probe
            if self._cancelled:
                _kill(probe)
        try:
            stdout, _ = probe.communicate(
                timeout=min(VERSION_TIMEOUT, max(0.1, self._deadline - time.monotonic()))
            )
        except subprocess.SubprocessError:
            _kill(probe)
            return ""
        finally:
            with self._lock:
                self._probe = None
        return self.adapter.parse_version(stdout.decode("utf-8", "replace"))

    def _record(
        self, status: str, version: str = "", message: str = "", not_covered: Sequence[str] = ()
    ) -> None:
        seconds = time.monotonic() - self._t0
        self.run = AnalyzerRun(
            name=self.name,
            status=status,
            version=version,
            seconds=round(seconds, 3),
            message=message,
            not_covered=tuple(sorted({p.removeprefix("./") for p in not_covered})),
        )


@dataclass(frozen=True)
class _Outcome:
    status: str
    message: str = ""
    not_covered: tuple[str, ...] = ()
    version: str = ""


# Analyzers still running when the interpreter exits (Ctrl-C, an error) are killed, not orphaned.
_LIVE: weakref.WeakSet[_Job] = weakref.WeakSet()


@atexit.register
def _cancel_live_jobs() -> None:
    for job in list(_LIVE):
        job.cancel()


def _read(stream: IO[bytes]) -> str:
    stream.seek(0)
    return stream.read().decode("utf-8", "replace")


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill the analyzer and its children (semgrep runs semgrep-core under it)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    process.wait()


# Secrets the analyzers never need: they read files offline, and a hostile config or plugin
# that reaches their process must find no token to steal (the Action's GITHUB_TOKEN, the
# runner's ACTIONS_* tokens, workflow inputs).
_SECRET_PREFIXES = ("ACTIONS_", "INPUT_")
_SECRET_WORDS = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|PRIVATE_?KEY")


def analyzer_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` without tokens and secrets, plus what the analyzers need to run predictably."""
    kept = {
        name: value
        for name, value in environ.items()
        if not name.upper().startswith(_SECRET_PREFIXES) and not _SECRET_WORDS.search(name.upper())
    }
    return {**kept, **SEMGREP_ENV, "PYTHONIOENCODING": "utf-8"}


def _environment() -> dict[str, str]:
    return analyzer_environment(os.environ)


def _relative_files(root: Path, files: Sequence[Path]) -> list[str]:
    """POSIX paths relative to root, deduplicated, in the given order."""
    seen: dict[str, None] = {}
    bases = [root.absolute(), root.resolve()]
    for file in files:
        path = Path(file)
        rel = path
        if path.is_absolute():
            for base in bases:
                with contextlib.suppress(ValueError):
                    rel = path.relative_to(base)
                    break
        seen.setdefault(rel.as_posix(), None)
    return list(seen)


def _user_config(config: str) -> str:
    """A user's semgrep config path is relative to their cwd, not the target root we run in."""
    path = Path(config)
    return str(path.absolute()) if not path.is_absolute() and path.exists() else config


def _ids_of(external_ids: Collection[str], tool: str) -> tuple[str, ...]:
    prefix = f"{tool}:"
    return tuple(sorted(i[len(prefix) :] for i in external_ids if i.startswith(prefix)))


def _argv_budget() -> int:
    """Characters of file arguments per process: well under ARG_MAX with the environment."""
    if os.name != "posix":
        return 24_000  # Windows command lines stop at 32k characters
    try:
        arg_max = os.sysconf("SC_ARG_MAX")
    except (ValueError, OSError):
        arg_max = 131_072
    env_size = sum(len(k) + len(v) + 2 for k, v in os.environ.items())
    return max(16_384, min(arg_max // 2, 1_000_000) - env_size)
