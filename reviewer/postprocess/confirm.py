"""Native authority and severity overrides, applied to the merged findings after dedupe."""

from __future__ import annotations

from dataclasses import replace

from reviewer.config import Config
from reviewer.model import Finding
from reviewer.registry import Registry


def drop_unconfirmed(
    findings: list[Finding], registry: Registry, reviewed: set[str]
) -> list[Finding]:
    """A native rule is the authority on the external ids it claims.

    bandit's B105 fires on `TOKEN_HEADER = "Authorization"`; BR201 claims B105 and knows
    better. So a claimed analyzer finding survives only when the native rule reported the same
    problem there (they merged in dedupe), or when the native rules could not review the file.
    """
    native = {cls.code for cls in registry.enabled_native}
    return [
        f
        for f in findings
        if f.code not in native or "backend-review" in f.sources or f.location.path not in reviewed
    ]


def apply_severity_overrides(findings: list[Finding], config: Config) -> list[Finding]:
    """The config's `severity` overrides, on every finding of an overridden code."""
    overrides = dict(config.severity_overrides)
    if not overrides:
        return findings
    return [replace(f, severity=overrides[f.code]) if f.code in overrides else f for f in findings]
