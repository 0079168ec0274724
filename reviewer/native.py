"""Native analysis of a set of files, in two phases when rules need the project model.

Phase 1 parses every file once, runs the framework's fact collectors and the file-local rules.
The facts are joined into the project model (routes, guards, models). Phase 2 runs the rules
that need that model, only on the files the model marks as relevant, plus their project-level
checks. Both phases are pure functions of the files' bytes and the config, so their per-file
results are cached by content hash, and the files of one phase are spread over a process pool.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, fields
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from reviewer import __version__
from reviewer.applicability import FACT as APPLICABILITY
from reviewer.cache import Cache, content_hash, key_of
from reviewer.checks.base import Rule
from reviewer.config import Config
from reviewer.context import Visitor
from reviewer.framework import COLLECTORS, build_project
from reviewer.framework.test_calls import TestCallCollector
from reviewer.meta_findings import ANALYZER_FAILED, meta_finding
from reviewer.model import Finding, Location
from reviewer.run_limits import held_back
from reviewer.service import Project, Route
from reviewer.traversal import FileResult, analyze_source

POOL_MIN_FILES = 8  # below this a process pool costs more than it saves
BATCH_FILES = 16


@dataclass(frozen=True)
class NativeResult:
    files: Mapping[str, FileResult]
    findings: tuple[Finding, ...]
    project: Project


@dataclass(frozen=True)
class CachedRun:
    """What the engine reads of a whole native run, cached under the key of all its inputs:
    a re-run with no change decodes this instead of every file's facts and the join."""

    findings: tuple[Finding, ...]
    files: tuple[tuple[str, str, Mapping[str, Any]], ...]  # (relpath, not reviewed, applicability)
    routes: tuple[Route, ...]
    test_calls: Mapping[str, Mapping[str, Any]]

    @classmethod
    def of(cls, result: NativeResult) -> CachedRun:
        return cls(
            findings=result.findings,
            files=tuple(
                (rel, r.not_reviewed, r.facts.get(APPLICABILITY, {}))
                for rel, r in sorted(result.files.items())
            ),
            routes=tuple(result.project.routes),
            test_calls=result.project.test_calls,
        )

    def result(self) -> NativeResult:
        files = {
            rel: FileResult(rel, not_reviewed=reason, facts={APPLICABILITY: applicability})
            for rel, reason, applicability in self.files
        }
        project = Project(routes=self.routes, test_calls=self.test_calls)
        return NativeResult(files, self.findings, project)


def code_salt() -> str:
    """A hash of backend-review's own code and rules: a changed rule invalidates the cache."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def run_salt(rule_classes: Sequence[type[Rule]], config: Config) -> str:
    """What, besides a file's bytes, decides a native result: our code, the config, the rules."""
    return key_of(code_salt(), config_salt(config), ",".join(cls.code for cls in rule_classes))


def phase_key(phase: str, relpath: str, data: bytes, salt: str) -> str:
    """The cache key of one file's result in one phase."""
    return key_of(phase, relpath, content_hash(data), salt)


def config_salt(config: Config) -> str:
    """The config fields that can change a native result (not gates, not analyzer settings)."""
    skip = {
        "root",
        "source",
        "warnings",
        "fail_under",
        "fail_on",
        "analyzers",
        "semgrep_configs",
        "ignore_files",  # which files are reviewed, not what a file's result is
        "switched_off",  # what the report lists
        "origins",  # where the config's keys are written, for error messages
    }
    parts = [f"{f.name}={getattr(config, f.name)!r}" for f in fields(config) if f.name not in skip]
    return key_of(*parts)


# The project model of the phase being run, inherited by forked pool workers instead of
# being pickled once per batch (it holds every file's facts and the taint index).
_PHASE_PROJECT: Project | None = None


def _analyze_batch(
    items: list[tuple[str, bytes]],
    classes: Sequence[type[Visitor]],
    config: Config,
) -> list[FileResult]:
    return [analyze_source(rel, data, classes, config, _PHASE_PROJECT) for rel, data in items]


def _run_phase(
    files: Mapping[str, bytes],
    classes: Sequence[type[Visitor]],
    config: Config,
    project: Project | None,
    jobs: int,
) -> Iterator[FileResult]:
    """The files' results as they come. With a pool, the workers are forked before this
    returns (so a thread started afterwards cannot be caught holding a lock in them)."""
    global _PHASE_PROJECT
    items = sorted(files.items())
    if jobs <= 1 or len(items) < POOL_MIN_FILES:
        return (analyze_source(rel, data, classes, config, project) for rel, data in items)
    # small batches for small phases, so both workers stay busy to the end
    size = max(1, min(BATCH_FILES, len(items) // (jobs * 4)))
    batches = [items[i : i + size] for i in range(0, len(items), size)]
    _PHASE_PROJECT = project
    # Frozen objects are left alone by the workers' garbage collector: without this, its
    # first pass touches every object the parent holds (all files' facts) and the kernel
    # copies the whole heap into each worker.
    gc.freeze()
    with held_back():  # SIGTERM or --time-limit: once the pool is whole (see held_back)
        pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=get_context("fork"),
            initializer=_worker_start,
            initargs=(os.getpid(), threading.current_thread() is threading.main_thread()),
        )
        try:
            futures = [pool.submit(_analyze_batch, b, classes, config) for b in batches]
        except BaseException:
            _end_phase(pool)
            raise
    return _pool_results(pool, futures)


def _worker_start(parent: int, forked_by_main_thread: bool) -> None:
    """A pool worker ends with the review (issue 11, U22): SIGTERM back to its default (the
    parent's handler raises in its main thread), and on Linux PR_SET_PDEATHSIG, so a review
    killed with SIGKILL leaves no worker behind (they stayed forever, blocked on their pipe).
    The death signal follows the thread that forked the worker: only the main thread's."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not forked_by_main_thread or not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the review died before the death signal was set
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _pool_results(pool: ProcessPoolExecutor, futures: list[Any]) -> Iterator[FileResult]:
    try:
        for future in futures:
            yield from future.result()
    finally:
        _end_phase(pool)


def _end_phase(pool: ProcessPoolExecutor) -> None:
    global _PHASE_PROJECT
    pool.shutdown(cancel_futures=True)
    _PHASE_PROJECT = None
    gc.unfreeze()


def _cached_phase(
    phase: str,
    files: Mapping[str, bytes],
    classes: Sequence[type[Visitor]],
    config: Config,
    project: Project | None,
    cache: Cache | None,
    salt: str,
    jobs: int,
    on_file: Callable[[str], None] | None,
) -> dict[str, FileResult]:
    keys = {rel: phase_key(phase, rel, data, salt) for rel, data in files.items()}
    raw = cache.fetch(keys.values()) if cache is not None else {}
    # Decoding the cached results (a pure-Python loop) overlaps the pool's work on the files
    # that are not cached: the main thread only waits on the workers meanwhile.
    absent = {rel: data for rel, data in files.items() if keys[rel] not in raw}
    running = _run_phase(absent, classes, config, project, jobs)  # workers forked first
    with ThreadPoolExecutor(max_workers=1) as decoder:
        decoding = decoder.submit(cache.decode, raw) if cache is not None and raw else None
        fresh: dict[str, FileResult] = {}
        for result in running:
            fresh[result.relpath] = result
            if on_file is not None:
                on_file(result.relpath)
        found = decoding.result() if decoding is not None else {}
    results: dict[str, FileResult] = {}
    for rel, key in keys.items():
        hit = found.get(key)
        if rel not in fresh and isinstance(hit, FileResult) and hit.relpath == rel:
            results[rel] = hit
            if on_file is not None:
                on_file(rel)
    # stored but unusable (undecodable or foreign): analyzed now
    late = {rel: data for rel, data in files.items() if rel not in results and rel not in fresh}
    for result in _run_phase(late, classes, config, project, jobs):
        fresh[result.relpath] = result
        if on_file is not None:
            on_file(result.relpath)
    if cache is not None and fresh:
        cache.put_many({keys[rel]: result for rel, result in fresh.items() if result.cacheable})
    results.update(fresh)
    return results


def review_files(
    files: Mapping[str, bytes],
    rule_classes: Sequence[type[Rule]],
    config: Config,
    on_file: Callable[[str], None] | None = None,
    cache: Cache | None = None,
    jobs: int | None = None,
    after_first_phase: Callable[[Mapping[str, FileResult]], None] | None = None,
    test_files: Mapping[str, bytes] | None = None,
) -> NativeResult:
    """Run the native rules over `files` (relative path -> bytes).

    `test_files` (reviewer/sibling_tests.py: the project's tests beside the reviewed folder)
    only feed the test-call collector, so routes are marked tested; no rule reads them.

    `after_first_phase` sees every file's phase-1 result (facts included) as soon as they
    exist, while the join and phase 2 are still to come (not called on a whole-run cache hit).
    """
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    local = [cls for cls in rule_classes if not cls.needs_project]
    global_ = [cls for cls in rule_classes if cls.needs_project]
    salt = run_salt(rule_classes, config) if cache is not None else ""
    # Every input of the run, by name: the same files, rules, config and code give the same
    # result, so a re-run with no change reads one cache entry.
    test_files = test_files or {}
    run_key = key_of(
        "run",
        salt,
        *sorted(key_of(rel, content_hash(data)) for rel, data in files.items()),
        *sorted(key_of("beside", rel, content_hash(data)) for rel, data in test_files.items()),
    )
    if cache is not None:
        hit = cache.get_many([run_key]).get(run_key)
        if isinstance(hit, CachedRun):
            return hit.result()
    first = [*COLLECTORS, *local]
    results = _cached_phase("p1", files, first, config, None, cache, salt, jobs, on_file)
    if after_first_phase is not None:
        after_first_phase(results)
    facts = {p: r.facts for p, r in sorted(results.items())}
    if test_files:
        beside = _cached_phase(
            "p1-tests", test_files, [TestCallCollector], config, None, cache, salt, jobs, None
        )
        facts.update({p: r.facts for p, r in sorted(beside.items()) if p not in facts})
    project = build_project(facts, config)
    findings = [f for r in results.values() for f in r.findings]
    anchor = min(files, default=".")
    findings.extend(_builder_findings(project, anchor))
    if global_:
        second_files = {
            rel: files[rel]
            for rel in sorted(project.files)
            if rel in files and not results[rel].not_reviewed
        }
        # The project model is a pure function of all the run's inputs, which run_key names.
        second = _cached_phase(
            "p2", second_files, global_, config, project, cache, run_key, jobs, None
        )
        findings.extend(f for r in second.values() for f in r.findings)
        for cls in global_:
            findings.extend(_project_findings(cls, project, config, anchor))
    result = NativeResult(results, tuple(findings), project)
    timely = all(r.cacheable for r in results.values()) and all(
        r.cacheable for r in (second.values() if global_ else ())
    )
    if cache is not None and timely:
        cache.put_many({run_key: CachedRun.of(result)})
    return result


def _builder_findings(project: Project, anchor: str) -> list[Finding]:
    """A route builder that crashed becomes a BR902 naming it, at the file it was reading:
    its routes are missing, so the route rules cannot have judged them."""
    return [
        meta_finding(
            ANALYZER_FAILED,
            Location(error.file or anchor, 1),
            f"the {error.builder} route model crashed ({error.message}): its routes are missing "
            "from the inventory, so the route rules did not check them",
        )
        for error in project.errors
    ]


def _project_findings(
    cls: type[Rule], project: Project, config: Config, anchor: str
) -> list[Finding]:
    """A project-level rule that crashes becomes a BR902 naming it, like a crash in visit/finish."""
    try:
        return list(cls.project_findings(project, config))
    except Exception as error:
        return [
            meta_finding(
                ANALYZER_FAILED,
                Location(anchor, 1),
                f"rule {cls.code} crashed on the project model: {error}",
            )
        ]
