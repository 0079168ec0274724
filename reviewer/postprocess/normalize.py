"""Turn analyzer findings into the report's findings, each owned by a rule.

An external id claimed by a rule (`ruff:S608` by BR101) becomes a finding of that rule, with the
rule's severity and confidence; an unclaimed id follows `rules/external.yaml` (mapped onto a
checklist item under its own id, or dropped). An id of the opt-in code-quality section is
reported only when the config's `select` names it, and is never scored. Semgrep rules we ship
carry their code already.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from reviewer.analyzers.base import ExternalFinding
from reviewer.analyzers.policy import ExternalPolicy, PolicyEntry
from reviewer.model import Confidence, Finding, RuleMeta, Severity
from reviewer.selection import select

if TYPE_CHECKING:  # a type only: the registry reaches the rules, which parse Python
    from reviewer.registry import Registry


@dataclass(frozen=True)
class Normalized:
    findings: tuple[Finding, ...]
    passthrough_rules: tuple[RuleMeta, ...]  # rule entries for unclaimed external ids


def _passthrough_meta(ext: ExternalFinding, entry: PolicyEntry) -> RuleMeta:
    tool, _, rule_id = ext.external_id.partition(":")
    why = f" It is {'not a checklist concern' if entry.opt_in else 'in the checklist'}: {entry.why}"
    return RuleMeta(
        code=ext.external_id,
        name=f"{tool}-{rule_id}".lower(),
        item=entry.item,
        severity=entry.severity or ext.severity or Severity.MEDIUM,
        confidence=ext.confidence or Confidence.MEDIUM,
        summary=f"{tool} {rule_id}",
        docs=(
            f"Reported by {tool} ({rule_id}) and mapped onto the checklist by rules/external.yaml."
            + (why if entry.why else "")
            + f"\n\nSee the {tool} documentation for {rule_id}.\n"
        ),
        cwe=ext.cwe,
        external_ids=(ext.external_id,),
        source=tool,
        scored=not entry.opt_in,
    )


def canonical_id(external_id: str) -> str:
    """ruff's flake8-bandit `S` codes are bandit's tests renumbered (S602 = B602): one problem
    reported by both tools gets one code, so dedupe can merge it."""
    tool, _, rule = external_id.partition(":")
    if tool == "ruff" and rule[:1] == "S" and rule[1:].isdigit() and len(rule) == 4:
        return f"bandit:B{rule[1:]}"
    return external_id


def normalize(
    external: Iterable[ExternalFinding],
    registry: Registry,
    policy: ExternalPolicy,
    config_select: tuple[str, ...],
    config_ignore: tuple[str, ...],
) -> Normalized:
    findings: list[Finding] = []
    extra_rules: dict[str, RuleMeta] = {}
    by_code = registry.by_code
    for ext in external:
        meta = registry.claimant(ext.external_id)
        if meta is None and ext.external_id.startswith("semgrep:"):
            meta = by_code.get(ext.external_id.removeprefix("semgrep:"))
        if meta is not None:
            if meta.code not in registry.enabled_codes:
                continue
            findings.append(
                Finding(
                    code=meta.code,
                    message=ext.message
                    if meta.source == "semgrep"
                    else meta.summary + f" ({ext.message})",
                    location=ext.location,
                    severity=meta.severity,
                    confidence=meta.confidence,
                    sources=(ext.external_id,),
                )
            )
            continue
        entry = policy.lookup(ext.external_id)
        if entry is None:
            continue
        code = canonical_id(ext.external_id)
        passthrough = extra_rules.get(code) or _passthrough_meta(
            replace(ext, external_id=code), entry
        )
        if entry.opt_in and not config_select:
            continue  # code quality is opt-in: only a selector that names it brings it in
        if not select([passthrough], config_select, config_ignore):
            continue
        extra_rules[code] = passthrough
        findings.append(
            Finding(
                code=code,
                message=ext.message,
                location=ext.location,
                severity=passthrough.severity,
                confidence=ext.confidence or passthrough.confidence,
                sources=(ext.external_id,),
            )
        )
    return Normalized(tuple(findings), tuple(sorted(extra_rules.values(), key=lambda m: m.code)))
