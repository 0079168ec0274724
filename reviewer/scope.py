"""Diff-aware and baseline-aware reviews: the glue between CLI flags and the report.

    prepare(ns, target)  before the review: load the diff and the baseline, fail fast on bad input
    finish(plan, report) after it: hide baselined findings, keep the findings the change is
                         responsible for, set the "new code" score (Report.new_code)

The overall score stays the whole tree's. The new-code score is the same scoring function
(same rules, checklist and applicability) over the findings that remain: those that pass the
diff filter and are not in the baseline. SARIF keeps the whole tree (see `Outcome.full`):
code scanning diffs PR results against the base branch itself, and results missing from an
upload would show as fixed.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reviewer import baseline as baseline_mod
from reviewer import scoring
from reviewer.base_tree import BaseTree, BaseUnreadableError, open_base
from reviewer.config import Config, ConfigError, inside_checkout, shown_path
from reviewer.config import load as load_config
from reviewer.diff import (
    LOCAL_CHANGES,
    DiffError,
    FileDiffs,
    FilterMode,
    changed_files_from_git,
    filter_findings,
    load_diff,
    parse_filter_mode,
    parse_github_files,
)
from reviewer.git import GitError, run_git
from reviewer.github.event import EventContext
from reviewer.model import (
    BaselineSummary,
    DiffSummary,
    Finding,
    NewCodeScore,
    Report,
    RouteChanges,
    Score,
)

FROM_EVENT = "@event"  # the value of a bare `--diff`


class UsageError(Exception):
    """A flag combination or input that cannot work; the CLI exits 2 with this message."""


@dataclass(frozen=True)
class ScopePlan:
    """What `prepare` decided before the review ran."""

    diff: FileDiffs | None = None
    diff_label: str = ""
    mode: FilterMode = "nofilter"
    baseline: baseline_mod.Baseline | None = None
    baseline_path: Path | None = None
    path_prefix: str = ""  # the target's folder inside its git repository
    ctx: EventContext | None = None  # the GitHub event, when GitHub is involved
    notes: tuple[str, ...] = ()  # warnings for stderr
    root: Path | None = None  # the target's folder (for the base commit's route inventory)
    config_file: Path | None = None  # --config, to build the base inventory with the same config
    route_base: str = ""  # git ref the route inventory is compared with ("" = not compared)
    route_base_missing: str = ""  # why route changes cannot be computed for this diff
    cache_dir: Path | None = None  # the review's result cache (the base inventory reads it)
    # a pull-request run whose base commit is readable: the config, baseline and .gitignore
    # files come from there, not from the checkout (issue 11, U6; reviewer/base_tree.py)
    base_tree: BaseTree | None = None
    switched_off: tuple[tuple[str, str], ...] = ()  # (setting, file) the report lists


@dataclass(frozen=True)
class Outcome:
    report: Report  # what terminal/json/markdown and the PR review show
    full: Report  # the whole tree (baseline suppressions marked), for SARIF
    notes: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- before the review


def prepare(
    ns: argparse.Namespace, target: Path, env: Mapping[str, str] | None = None
) -> ScopePlan:
    """Validate the flags and load the diff and baseline; raises `UsageError`."""
    env = os.environ if env is None else env
    root = target if target.is_dir() else target.parent
    if ns.max_comments < 0:
        raise UsageError("--max-comments must be 0 or more")
    if ns.filter_mode and not ns.diff and not ns.github_review:
        raise UsageError("--filter-mode needs --diff (or --github-review in a pull request)")
    notes: list[str] = []
    wanted = ns.diff is not None or ns.baseline is not None or ns.github_review or ns.upload_sarif
    if not wanted:
        return ScopePlan(root=root, cache_dir=_cache_dir(ns, root))
    prefix = repo_prefix(root, env)
    ctx = None
    if ns.github_review or ns.upload_sarif or ns.diff == FROM_EVENT:
        ctx, problem = _event_context(env)
        if ctx is not None:
            from reviewer.github.event import fork_target_problem

            refused = fork_target_problem(ctx, env)
            if refused:
                raise UsageError(refused)
        if problem:
            if ns.diff == FROM_EVENT:
                raise UsageError(f"--diff without a value reads the GitHub event: {problem}")
            notes.append(f"github: {problem}; skipping GitHub steps")
    spec = ns.diff
    if spec is None and ns.github_review and ctx is not None and ctx.is_pull_request:
        spec = FROM_EVENT  # in a pull request the review covers the change by default
    diff, label = None, ""
    route_base, route_base_missing = "", ""
    if spec == FROM_EVENT:
        diff, label = _event_diff(ctx, root, prefix, notes)
        base_sha = getattr(ctx, "base_sha", "") or ""
        route_base = base_sha if set(base_sha) - {"0"} else ""
        route_base_missing = "" if route_base else "the event names no base commit"
    elif spec is not None:
        if spec in LOCAL_CHANGES:
            route_base = "HEAD"  # the uncommitted changes are compared with the last commit
        elif Path(spec).is_file():
            route_base_missing = "the diff is a file, not a git ref"
        else:
            route_base = spec
        try:
            diff = _strip_prefix(load_diff(root, spec), prefix)
        except (DiffError, OSError) as exc:
            raise UsageError(f"--diff {spec}: {exc}") from None
        label = spec
    mode: FilterMode = "nofilter"
    if diff is not None:
        mode = parse_filter_mode(ns.filter_mode) if ns.filter_mode else "added"
    tree = None
    if route_base:
        try:
            tree = open_base(root, route_base)
        except BaseUnreadableError as exc:
            notes.append(
                f"base: {exc}; the config, baseline and .gitignore files come from the checkout"
            )
    switched: list[tuple[str, str]] = []
    baseline = None
    if ns.baseline is not None:
        baseline = _load_baseline(ns.baseline, root, tree, switched)
    return ScopePlan(
        diff,
        label,
        mode,
        baseline,
        ns.baseline,
        prefix,
        ctx,
        tuple(notes),
        root=root,
        config_file=getattr(ns, "config", None),
        route_base=route_base,
        route_base_missing=route_base_missing,
        cache_dir=_cache_dir(ns, root),
        base_tree=tree,
        switched_off=tuple(switched),
    )


def _load_baseline(
    path: Path, root: Path, tree: BaseTree | None, switched: list[tuple[str, str]]
) -> baseline_mod.Baseline | None:
    """The baseline to apply. A baseline inside the checkout is, in a pull-request run, the
    base commit's copy: a pull request that adds findings to it (or adds it) would hide them.
    A changed one is listed in `switched` as not applied."""
    try:
        if tree is None or not inside_checkout(path, root):
            return baseline_mod.load(path)
        data = tree.read(path)
        head = path.read_bytes() if path.is_file() else None
        shown = shown_path(path, root)
        if head is not None and head != data:
            what = "adds it" if data is None else "changes it"
            switched.append(
                (f"not applied, changed since the {tree.label}: the checkout {what}", shown)
            )
        if data is None:
            return None
        return baseline_mod.from_json(data.decode("utf-8", "replace"), f"{shown} ({tree.label})")
    except baseline_mod.BaselineError as exc:
        raise UsageError(str(exc)) from None


def _cache_dir(ns: argparse.Namespace, root: Path) -> Path | None:
    """The cache the CLI's review uses (same rule as reviewer/cli.py)."""
    if getattr(ns, "no_cache", False):
        return None
    given = getattr(ns, "cache_dir", None)
    if given:
        return Path(given)
    from reviewer.cache import default_cache_dir

    return default_cache_dir(root.resolve())


def _event_context(env: Mapping[str, str]) -> tuple[EventContext | None, str]:
    from reviewer.github.event import EventError, load_event_context

    try:
        return load_event_context(env, require_token=False), ""
    except EventError as exc:
        return None, str(exc)


def _event_diff(
    ctx: EventContext | None, root: Path, prefix: str, notes: list[str]
) -> tuple[FileDiffs | None, str]:
    """The pull request's files from the API, else `git diff` against the event's base."""
    if ctx is None:
        return None, ""
    if ctx.pr_number is not None and ctx.token:  # a pull request
        from reviewer.github.client import GitHubError
        from reviewer.github.event import make_client

        try:
            files = make_client(ctx).list_pull_files(ctx.owner, ctx.repo, ctx.pr_number)
            label = f"pull request #{ctx.pr_number}"
            short = truncated_listing(len(files), ctx.changed_files)
            if not short:
                return parse_github_files(files).relative_to(prefix), label
            notes.append(f"github: {short}; the diff comes from git instead")
        except (GitHubError, DiffError) as exc:
            notes.append(f"github: cannot list the pull request's files ({exc}); trying git")
    base = ctx.base_sha
    if base and set(base) != {"0"}:
        try:
            return changed_files_from_git(root, base), base[:12]
        except DiffError as exc:
            notes.append(f"diff: {exc}")
    notes.append("diff: no diff for this event; reporting every finding")
    return None, ""


# pulls/list-files returns at most 3000 files ("Note: Responses include a maximum of 3000
# files", docs.github.com/en/rest/pulls/pulls#list-pull-requests-files). A pull request that
# changes more would have the rest of its diff treated as unchanged, their findings hidden
# (issue 11, U8), so a listing that is capped or shorter than the event's count is not used.
LIST_FILES_CAP = 3000


def truncated_listing(listed: int, expected: int | None) -> str:
    """Why a pulls/list-files answer of `listed` files is incomplete ("" when it is not)."""
    if expected is not None and listed < expected:
        return f"the API listed {listed} of the pull request's {expected} changed files"
    if listed >= LIST_FILES_CAP:
        return f"the API lists at most {LIST_FILES_CAP} files and returned {listed}"
    return ""


def _strip_prefix(diffs: FileDiffs, prefix: str) -> FileDiffs:
    """A diff file written at the repository root names repo paths; map them to the target."""
    if prefix and any(p.startswith(prefix.strip("/") + "/") for p in diffs.paths):
        return diffs.relative_to(prefix)
    return diffs


def repo_prefix(root: Path, env: Mapping[str, str]) -> str:
    """The target folder relative to its git repository ("" at the top or outside git)."""
    top: Path | None = None
    try:
        out = run_git(root, "rev-parse", "--show-toplevel", timeout=30).decode().strip()
        top = Path(out) if out else None
    except (GitError, OSError):
        top = None
    if top is None and env.get("GITHUB_WORKSPACE"):
        top = Path(env["GITHUB_WORKSPACE"])
    if top is None:
        return ""
    try:
        rel = root.resolve().relative_to(top.resolve())
    except ValueError:
        return ""
    return "" if str(rel) == "." else rel.as_posix()


# --------------------------------------------------------------------------- after the review


class BaseInventory:
    """The base commit's route inventory, built on a thread while the review goes on.

    Pass `start` as `engine.review(on_framework_facts=...)`: it receives the review's facts
    once phase 1 is done, and the base inventory (which reuses them for unchanged files)
    overlaps the project join and phase 2. `result` waits for it; when `start` was never
    called (the whole native run came from the cache), it builds the inventory there.
    """

    def __init__(self, plan: ScopePlan, config: Config) -> None:
        self.plan = plan
        self.config = config
        self._pool: ThreadPoolExecutor | None = None
        self._future: Future[tuple[str, tuple[Any, ...]]] | None = None

    def start(self, known: Mapping[tuple[str, str], Any]) -> None:
        from reviewer import route_changes

        if self._future is not None or self.plan.root is None:
            return
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="base-inventory")
        self._future = self._pool.submit(
            route_changes.base_inventory,
            self.plan.root,
            self.plan.route_base,
            self.config,
            self.plan.cache_dir,
            known,
            1,  # jobs: no process pool from a thread
        )

    def result(self) -> tuple[str, tuple[Any, ...]]:
        from reviewer import route_changes

        if self._future is None or self._pool is None:
            root = self.plan.root or Path(".")
            return route_changes.base_inventory(
                root, self.plan.route_base, self.config, self.plan.cache_dir
            )
        try:
            return self._future.result()
        finally:
            self._pool.shutdown()


def finish(
    plan: ScopePlan,
    report: Report,
    config: Config | None = None,
    base: BaseInventory | None = None,
) -> Outcome:
    """Apply the baseline and the diff filter; set the report's new-code score.

    With a diff against a git ref, `Report.route_changes` compares the route inventory with
    the base commit's (reviewer/route_changes.py); `config` defaults to the target's
    configuration file; `base` is the inventory started during the review, if any.
    """
    report = replace(report, switched_off=report.switched_off + plan.switched_off)
    if plan.diff is None and plan.baseline is None:
        return Outcome(report, report, plan.notes)
    notes = list(plan.notes)
    findings: Sequence[Finding] = report.findings
    baseline: BaselineSummary | None = None
    if plan.baseline is not None:
        applied = baseline_mod.apply(findings, plan.baseline)
        findings = applied.findings
        if applied.matched:
            report = replace(
                report,
                switched_off=(
                    *report.switched_off,
                    (baseline_hides(findings), str(plan.baseline_path or "baseline")),
                ),
            )
        baseline = BaselineSummary(
            str(plan.baseline_path or ""), applied.matched, applied.new, applied.can_shrink
        )
        if applied.can_shrink:
            notes.append(
                f"baseline: {applied.can_shrink} recorded finding"
                f"{'s are' if applied.can_shrink != 1 else ' is'} gone; shrink the baseline with "
                f"`backend-review baseline update PATH --baseline {plan.baseline_path}`"
            )
    full = tuple(sorted(findings, key=lambda f: f.sort_key))
    kept: Sequence[Finding] = full
    diff: DiffSummary | None = None
    changes: RouteChanges | None = None
    if plan.diff is not None:
        kept = filter_findings(full, plan.diff, plan.mode)
        diff = DiffSummary(plan.diff_label, plan.mode, len(plan.diff), len(full) - len(kept))
        changes = route_changes_of(plan, report, config, base)
    new = score_new_code(report, kept)
    scoped = replace(
        report,
        baseline=baseline,
        diff=diff,
        route_changes=changes,
        new_code=NewCodeScore(
            new.overall, {i.item: i.score for i in new.items if i.score is not None}
        ),
    )
    shown = replace(scoped, findings=tuple(kept))
    whole = replace(scoped, findings=full)
    return Outcome(shown, whole, tuple(notes))


def baseline_hides(findings: Sequence[Finding]) -> str:
    """`baseline hides 3 findings: BR101 (2), BR201`: what a baseline suppressed, by rule."""
    from collections import Counter

    codes = Counter(
        f.code for f in findings if f.suppressed and f.suppression_reason == baseline_mod.REASON
    )
    total = sum(codes.values())
    listed = ", ".join(f"{c} ({n})" if n > 1 else c for c, n in sorted(codes.items())[:20])
    more = ", …" if len(codes) > 20 else ""
    return f"baseline hides {total} finding{'s' if total != 1 else ''}: {listed}{more}"


def route_changes_of(
    plan: ScopePlan,
    report: Report,
    config: Config | None,
    base: BaseInventory | None = None,
) -> RouteChanges:
    """Routes added, removed or with changed guards since the diff's base."""
    from reviewer import route_changes

    if not plan.route_base or plan.root is None:
        return route_changes.unavailable("", plan.route_base_missing or "no base git ref")
    if config is None:
        try:
            config = load_config(plan.root, None, plan.config_file)
        except ConfigError as exc:
            return route_changes.unavailable(plan.route_base, f"config error: {exc}")
    return route_changes.compare_with_base(
        plan.root,
        plan.route_base,
        report.routes,
        config,
        plan.cache_dir,
        base=base.result if base is not None else None,
    )


def score_new_code(report: Report, findings: Sequence[Finding]) -> Score:
    """The tree's scoring over `findings` only (suppressed ones cost nothing, as always), with
    the checklist items the engine found applicable (`Report.applicable`)."""
    rules = {m.code: m for m in report.rules}
    return scoring.score(findings, rules, scoring.load_checklist(), report.applicable)
