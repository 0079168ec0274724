"""Native authority and severity overrides, applied to the merged findings after dedupe."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from reviewer.model import Finding

if TYPE_CHECKING:  # a type only: the registry reaches the rules, which parse Python
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


def apply_severity_overrides(findings: list[Finding], registry: Registry) -> list[Finding]:
    """Every finding of a code the config overrides takes its rule's severity.

    The override itself is applied once, by registry.load, to the rule's metadata (which the
    report's rule list, SARIF and scoring read); here a finding follows its rule, so a native
    rule that reported a finding at another severity gives way to the override.
    """
    overridden = registry.overridden
    if not overridden:
        return findings
    metas = registry.by_code
    return [
        replace(f, severity=metas[f.code].severity) if f.code in overridden else f for f in findings
    ]
