"""Analyzer planning: which external ids need not run, and which files bandit need scan.

Decided from the policy, the rule catalogue and the config before any analyzer starts, so the
engine only starts them with the plan.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from reviewer.analyzers.bandit import files_worth_scanning
from reviewer.analyzers.policy import ExternalPolicy
from reviewer.analyzers.ruff import bandit_tests_ruff_runs
from reviewer.config import AnalyzerConfig, Config
from reviewer.registry import Registry

Narrowing = Callable[[Mapping[str, bytes]], set[str]]  # files (path -> bytes) -> paths to scan


def analyzer_skips(policy: ExternalPolicy, registry: Registry, config: Config) -> frozenset[str]:
    """External ids no analyzer need run: their findings would be discarded or duplicated.

    - ids the policy drops and no rule claims;
    - bandit ids a native rule claims: native rules are the authority on those (see
      reviewer/postprocess/confirm.py), so bandit's copy could only add a name to "also reported by";
      ruff's confirmations cost next to nothing and are kept;
    - bandit tests ruff runs as its own port (same check, same number): the dedupe would
      merge the two findings, and bandit's is the expensive one.
    """
    claimed = {ext for meta in registry.all for ext in meta.external_ids}
    skips = set(policy.skippable_ids(claimed))
    skips |= {
        ext
        for cls in registry.enabled_native
        for ext in cls.external_ids
        if ext.startswith("bandit:")
    }
    if config.analyzers.get("ruff", AnalyzerConfig()).enabled:
        ruff_ignored = {ext.partition(":")[2] for ext in skips if ext.startswith("ruff:")}
        skips |= {f"bandit:{test}" for test in bandit_tests_ruff_runs(ruff_ignored)}
    return frozenset(skips)


def narrowing(skip_ids: Collection[str]) -> dict[str, Narrowing]:
    """Per analyzer, the files worth handing to it: bandit only scans files where one of the
    tests it still runs could fire (reviewer/analyzers/bandit.py)."""
    bandit_skips = {ext.partition(":")[2] for ext in skip_ids if ext.startswith("bandit:")}
    return {"bandit": lambda files: files_worth_scanning(files, bandit_skips)}
