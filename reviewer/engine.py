"""The review pipeline: discover, analyze (native + analyzers, concurrently), merge, score.

    find_sources -> start bandit/ruff/semgrep -> each frontend's review of its files (Python:
      native rules, one parse per file; reviewer/frontend.py is the seam for other languages)
      -> collect analyzers -> normalize -> dedupe -> suppress -> fingerprint -> score -> Report

Crashes are data: an unreadable file, a missing or failing analyzer becomes a BR901/BR902
finding and an entry in `Report.not_reviewed` / `Report.analyzers`, never a traceback.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from reviewer import __version__, scoring
from reviewer.analyzers.cached import CachedAnalyzers
from reviewer.analyzers.plan import analyzer_skips, narrowing
from reviewer.analyzers.policy import load_policy
from reviewer.cache import Cache, content_hash
from reviewer.config import Config
from reviewer.discovery import Discovery, SourceFile, find_sources, unsupported_reason
from reviewer.frontend import Frontend, FrontendRun, merge_applicable, merge_coverage
from reviewer.meta_findings import ANALYZER_FAILED, PARSE_ERROR, meta_finding
from reviewer.model import AnalyzerRun, Finding, Location, Report
from reviewer.node_frontend import NodeFrontend
from reviewer.postprocess.confirm import apply_severity_overrides, drop_unconfirmed
from reviewer.postprocess.dedupe import dedupe
from reviewer.postprocess.fingerprint import fingerprint_all
from reviewer.postprocess.normalize import normalize
from reviewer.postprocess.suppression import apply_suppressions
from reviewer.python_frontend import PythonFrontend
from reviewer.registry import Registry, check_selectors
from reviewer.registry import load as load_registry
from reviewer.resources import rules_dir
from reviewer.selection import select
from reviewer.traversal import decode_source

ProgressCallback = Callable[[str, int, int], None]  # (what is happening, files done, total)


def review(
    target: Path,
    config: Config,
    *,
    registry: Registry | None = None,
    progress: ProgressCallback | None = None,
    cache_dir: Path | None = None,
    jobs: int | None = None,
    on_framework_facts: Callable[[dict[tuple[str, str], Any]], None] | None = None,
    frontends: Sequence[Frontend] = (),
) -> Report:
    """Review `target` (a directory or one file) and return the immutable report.

    `cache_dir` holds per-file results from earlier runs (None: no cache).
    `on_framework_facts`, when given, is called as soon as every file's framework facts are
    known, with them by (relative path, content hash); None for a file that has none. The
    base commit's route inventory reuses them for unchanged files, on a thread while the
    review goes on. It is not called when the whole native run comes from the cache.
    `frontends` are languages reviewed beside Python (reviewer/frontend.py): each gets the
    discovered files ending in its suffixes, and its findings and routes join the report.
    """
    started = time.monotonic()
    registry = registry or load_registry(config)
    check_selectors([*registry.all, *(m for f in frontends for m in f.rules())], config)

    python = PythonFrontend(registry, on_framework_facts)
    every: list[Frontend] = [python, NodeFrontend(registry), *frontends]
    suffixes = tuple(s for frontend in every for s in frontend.suffixes)
    found = find_sources(target, config, suffixes)
    data, unreadable = _read_all(found.files)
    owned = _split(data, every)
    python_files = owned[0]
    # too large for the native parser, but the analyzers still see them (issue 11, U7)
    large, _ = _read_all(tuple(f for f in found.oversized if f.relpath.endswith(python.suffixes)))
    analyzed = {**python_files, **large}
    cache = Cache(cache_dir) if cache_dir is not None else None
    paths = {f.relpath: f.path for f in (*found.files, *found.oversized) if f.relpath in analyzed}
    hashes = {rel: content_hash(blob) for rel, blob in (*data.items(), *large.items())}
    policy = load_policy(rules_dir() / "external.yaml")
    skip_ids = analyzer_skips(policy, registry, config)
    running = CachedAnalyzers(  # bandit, ruff and semgrep read the Python files
        found.root,
        paths,
        {rel: hashes[rel] for rel in analyzed},
        config.analyzers,
        config.semgrep_configs,
        cache,
        skip_ids=skip_ids,
        contents=analyzed,
        narrow=narrowing(skip_ids),
    )
    total = len(data)
    done = 0

    def on_file(relpath: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            waiting = running.still_running()
            progress(
                relpath + (f" · running: {', '.join(waiting)}" if waiting else ""), done, total
            )

    run = FrontendRun(config, cache, jobs, on_file)
    results = [frontend.review(files, run) for frontend, files in zip(every, owned, strict=True)]
    while progress is not None and (waiting := running.still_running()):
        progress(f"waiting for {', '.join(waiting)}", total, total)
        time.sleep(0.2)
    external, runs = running.collect()
    if cache is not None:
        cache.close()
    normalized = normalize(external, registry, policy, config.select, config.ignore)
    anchor = min(data) if data else "."
    skipped = [*found.not_reviewed, *unreadable]
    # the config's select/ignore choose among other frontends' rules as among Python's
    others = [m for frontend in frontends for m in frontend.rules()]
    chosen = select(others, config.select, config.ignore) | registry.enabled_codes
    kept = [m for m in others if m.code in chosen]
    rule_metas = {m.code: m for m in [*python.rules(), *kept, *normalized.passthrough_rules]}
    items = {m.code: m.item for m in [*registry.all, *rule_metas.values()]}
    failed = {(p, reason) for result in results for p, reason in result.not_reviewed}
    findings = dedupe(
        [
            *results[0].findings,
            *(f for result in results[1:] for f in result.findings if f.code in chosen),
            *normalized.findings,
            *_analyzer_findings(runs, anchor, registry),
            *_skipped_findings(skipped, registry),
        ],
        items,
    )
    reviewed = set(python_files) - {p for p, _ in failed}
    findings = drop_unconfirmed(findings, registry, reviewed)
    findings = apply_severity_overrides(findings, registry)
    lines = _suppression_candidates(data)
    findings = apply_suppressions(findings, lines, config.per_path_ignores, registry)
    findings = fingerprint_all(findings)
    rules = tuple(sorted(rule_metas.values(), key=lambda m: m.code))
    # no Python file that anything read (native rules or analyzers): no Python item applies,
    # so an empty review is never a pass; the other frontends say what their files make apply
    applicable = merge_applicable(results[1:] if not analyzed else results)
    score = scoring.score(findings, rule_metas, scoring.load_checklist(), applicable)
    return Report(
        target=str(found.root),
        version=__version__,
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        score=score,
        rules=rules,
        analyzers=tuple(runs),
        files_reviewed=total - len({p for p, _ in failed}),
        not_reviewed=tuple(sorted({*skipped, *failed, *_unsupported(found)})),
        routes=tuple(route for result in results for route in result.routes),
        seconds=round(time.monotonic() - started, 3),
        applicable=applicable,
        route_coverage=merge_coverage(results),
        switched_off=config.switched_off,
    )


def _unsupported(found: Discovery) -> list[tuple[str, str]]:
    """Source files in a language no frontend reviews: listed, never silently passed."""
    return [(f.relpath, unsupported_reason(language)) for f, language in found.other_languages]


def _split(data: Mapping[str, bytes], frontends: Sequence[Frontend]) -> list[dict[str, bytes]]:
    """Each file goes to the first frontend that claims its suffix."""
    owned: list[dict[str, bytes]] = [{} for _ in frontends]
    for rel, blob in data.items():
        for index, frontend in enumerate(frontends):
            if rel.endswith(frontend.suffixes):
                owned[index][rel] = blob
                break
    return owned


def _suppression_candidates(data: dict[str, bytes]) -> dict[str, tuple[str, ...]]:
    """The decoded lines of the files that mention a suppression (the only ones that can)."""
    found = {}
    for path, blob in data.items():
        if b"backend-review" in blob:
            text, _ = decode_source(blob)
            if text is not None:
                found[path] = tuple(text.splitlines())
    return found


def _read_all(
    sources: tuple[SourceFile, ...],
) -> tuple[dict[str, bytes], list[tuple[str, str]]]:
    data: dict[str, bytes] = {}
    unreadable: list[tuple[str, str]] = []
    for source in sources:
        try:
            data[source.relpath] = source.path.read_bytes()
        except OSError as exc:
            unreadable.append((source.relpath, f"cannot be read: {exc.strerror or exc}"))
    return data, unreadable


def _analyzer_findings(runs: list[AnalyzerRun], anchor: str, registry: Registry) -> list[Finding]:
    """BR902 for every analyzer that did not run cleanly and every file one could not cover."""
    if ANALYZER_FAILED not in registry.enabled_codes:
        return []
    result = []
    for run in runs:
        if run.status not in ("ok", "disabled"):
            detail = f": {run.message}" if run.message else ""
            result.append(
                meta_finding(
                    ANALYZER_FAILED,
                    Location(anchor, 1),
                    f"{run.name} {run.status}{detail}; its checks are missing from this report",
                    project_level=True,
                )
            )
        for path in run.not_covered:
            result.append(
                meta_finding(
                    ANALYZER_FAILED,
                    Location(path, 1),
                    f"{run.name} could not analyze this file (see its errors); "
                    "only backend-review's native rules and the other analyzers covered it",
                )
            )
    return result


def _skipped_findings(skipped: list[tuple[str, str]], registry: Registry) -> list[Finding]:
    """BR901 for files discovery or reading had to leave out (loops, escapes, huge, unreadable)."""
    if PARSE_ERROR not in registry.enabled_codes:
        return []
    return [
        meta_finding(PARSE_ERROR, Location(path, 1), f"file not reviewed: {reason}")
        for path, reason in skipped
    ]
