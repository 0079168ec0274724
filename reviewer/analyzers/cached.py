"""Run the analyzers only on files whose results are not cached, and split results per file.

Each analyzer's results are stored per (analyzer, tool version, settings, file content), so a
re-run with one changed file re-runs bandit, ruff and semgrep on that file alone, and a re-run
with no change starts no analyzer at all. Only clean runs are cached: a timeout or crash is
retried next time. A `narrow` function may say which files an analyzer could report anything
on (bandit's remaining tests need certain texts): the others count as analyzed, with no result.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from reviewer.analyzers.base import ExternalFinding
from reviewer.analyzers.runner import RunningAnalyzers, find_executable, start_analyzers
from reviewer.cache import Cache, key_of
from reviewer.config import ANALYZERS, AnalyzerConfig
from reviewer.model import AnalyzerRun
from reviewer.resources import semgrep_rules_dir


@dataclass(frozen=True)
class CachedFile:
    """One analyzer's results for one file."""

    findings: tuple[ExternalFinding, ...] = ()
    not_covered: bool = False


def tool_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def _tree_digest(paths: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for entry in paths:
        path = Path(entry)
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for item in files:
            digest.update(os.fsencode(str(item)))
            try:
                if item.is_file():
                    digest.update(item.read_bytes())
            except OSError as exc:  # unreadable: semgrep will say so; the key still differs
                digest.update(f"unreadable {exc.errno}".encode())
    return digest.hexdigest()


# Given the contents of the files an analyzer has no cached result for, the ones worth running it on.
Narrow = Callable[[Mapping[str, bytes]], set[str]]


@dataclass
class _Pending:
    name: str
    keys: dict[str, str]  # relpath -> cache key
    hits: dict[str, CachedFile]
    running: RunningAnalyzers | None
    missing: list[str] = field(default_factory=list)  # analyzed in this run
    skipped: list[str] = field(default_factory=list)  # nothing to find there (narrowed out)


class CachedAnalyzers:
    """Started on construction; `collect()` waits and returns (findings, runs)."""

    def __init__(
        self,
        root: Path,
        files: Mapping[str, Path],  # relpath -> path
        hashes: Mapping[str, str],  # relpath -> content hash
        configs: Mapping[str, AnalyzerConfig],
        semgrep_configs: Sequence[str],
        cache: Cache | None,
        skip_ids: frozenset[str] = frozenset(),
        contents: Mapping[str, bytes] | None = None,  # relpath -> bytes, for `narrow`
        narrow: Mapping[str, Narrow] | None = None,  # analyzer name -> its narrowing
    ) -> None:
        self.cache = cache
        self.pending: list[_Pending] = []
        off = AnalyzerConfig(enabled=False)
        for name in ANALYZERS:
            config = configs.get(name, AnalyzerConfig())
            if not config.enabled:
                self.pending.append(_Pending(name, {}, {}, None))
                continue
            salt = key_of(
                "ext", name, tool_version(name), repr(config.args), repr(sorted(skip_ids))
            )
            if name == "semgrep":
                salt = key_of(salt, _tree_digest([str(semgrep_rules_dir()), *semgrep_configs]))
            keys = {rel: key_of(salt, rel, hashes[rel]) for rel in files}
            found = cache.get_many(keys.values()) if cache is not None else {}
            hits = {
                rel: found[key]
                for rel, key in keys.items()
                if isinstance(found.get(key), CachedFile)
            }
            missing = [rel for rel in sorted(files) if rel not in hits]
            skipped: list[str] = []
            # a missing executable must still be reported as missing, not narrowed away
            if missing and contents and narrow and name in narrow and find_executable(name):
                worth = narrow[name]({rel: contents[rel] for rel in missing})
                skipped = [rel for rel in missing if rel not in worth]
                missing = [rel for rel in missing if rel in worth]
                if cache is not None and skipped:
                    cache.put_many({keys[rel]: CachedFile() for rel in skipped})
                hits.update({rel: CachedFile() for rel in skipped})
            running = None
            if missing or not files:
                only = {n: (config if n == name else off) for n in ANALYZERS}
                running = start_analyzers(
                    root, [files[rel] for rel in missing], only, semgrep_configs, skip_ids=skip_ids
                )
            self.pending.append(_Pending(name, keys, hits, running, missing, skipped))

    def still_running(self) -> list[str]:
        """Names of the analyzers whose processes have not finished yet."""
        return [i.name for i in self.pending if i.running is not None and not i.running.done()]

    def collect(self) -> tuple[list[ExternalFinding], list[AnalyzerRun]]:
        findings: list[ExternalFinding] = []
        runs: list[AnalyzerRun] = []
        for item in self.pending:
            cached_findings = [f for c in item.hits.values() for f in c.findings]
            cached_uncovered = [rel for rel, c in item.hits.items() if c.not_covered]
            if item.running is None:
                status = "disabled" if not item.keys else "ok"
                message = "" if status == "disabled" else "all results from the cache"
                if item.skipped and len(item.skipped) == len(item.keys):
                    message = "no file contains what its remaining tests look for"
                runs.append(
                    AnalyzerRun(
                        item.name,
                        status,
                        version="" if status == "disabled" else tool_version(item.name),
                        message=message,
                        not_covered=tuple(sorted(cached_uncovered)),
                    )
                )
                findings.extend(cached_findings)
                continue
            fresh, fresh_runs = item.running.collect()
            run = next(r for r in fresh_runs if r.name == item.name)
            findings.extend(cached_findings)
            findings.extend(fresh)
            runs.append(
                AnalyzerRun(
                    run.name,
                    run.status,
                    run.version,
                    run.seconds,
                    run.message,
                    tuple(sorted({*run.not_covered, *cached_uncovered})),
                )
            )
            if run.status == "ok" and self.cache is not None:
                by_file: dict[str, list[ExternalFinding]] = {rel: [] for rel in item.missing}
                for finding in fresh:
                    by_file.setdefault(finding.location.path, []).append(finding)
                uncovered = set(run.not_covered)
                self.cache.put_many(
                    {
                        item.keys[rel]: CachedFile(tuple(by_file[rel]), rel in uncovered)
                        for rel in item.missing
                        if rel in item.keys
                    }
                )
        return findings, runs
