"""The checklist and the score: a pure, documented, monotonic function of the findings.

Scoring formula
===============

1. **Finding cost.** An unsuppressed finding of a scored rule costs
   ``severity weight x confidence factor``: severity critical 10, high 5, medium 2, low 0.5,
   info 0; confidence high 1.0, medium 0.6, low 0.3.
   Suppressed findings, findings of unscored rules (``RuleMeta.scored`` false: the BR9xx
   reviewer notes) and findings of rules or items the checklist does not know cost nothing.

2. **Per-rule cap.** Within an item, the costs of one rule are added and capped at
   ``base x min(2 + 0.25 x (n - 1), 3)``, where ``base`` is the largest severity weight among
   the rule's default severity and its findings' severities and ``n`` is the number of its
   findings that cost something. One finding is never capped; a noisy rule can cost at most
   three times its severity weight, so it cannot sink an item on its own.

3. **Item score.** ``cost = sum of capped rule costs`` and ``score = 100 x exp(-cost / 10)``:
   one confident high finding gives 60.7, one critical 36.8, one medium 81.9, one low 95.1.
   An item applies when the engine says so (``applicable[item]``) or when it has an unsuppressed
   finding of a scored rule; an item that does not apply is ``n/a`` (score ``None``), not 100.

4. **Item status.** ``fail`` on any unsuppressed high or critical finding of high confidence,
   ``warn`` on any other unsuppressed finding of severity low or worse, ``pass`` otherwise
   (info findings are shown but do not warn).

5. **Overall score.** The weighted mean of the items the engine marked applicable, weights
   from ``rules/checklist.yaml``. An item that applies only because it has findings adds its
   penalty ``weight x (100 - score)`` but no weight to the mean, so a finding can never raise
   the overall score by making a clean-looking item count (when the engine marked nothing
   applicable, the weights of all scored items form the denominator). Then a ceiling: the
   overall score never exceeds ``(100 + s) / 2`` for any failing item of score ``s``, so one
   critical problem cannot hide behind many clean items. ``None`` when nothing applies.

Scores are rounded to one decimal, costs to three. The function is deterministic (costs are
summed with ``math.fsum``, independent of input order) and monotonic: adding a finding never
raises an item or the overall score, removing one never lowers them. Scores never divide by
code size: a service's SQL injection is not diluted by its other files.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

from reviewer.checklist import CHECKLIST_FILE, ChecklistItem, load_checklist  # noqa: F401 - re-exported
from reviewer.model import (
    Confidence,
    Finding,
    ItemScore,
    RuleMeta,
    Score,
    Severity,
)

SEVERITY_WEIGHT: Mapping[Severity, float] = {
    Severity.CRITICAL: 10.0,
    Severity.HIGH: 5.0,
    Severity.MEDIUM: 2.0,
    Severity.LOW: 0.5,
    Severity.INFO: 0.0,
}
CONFIDENCE_FACTOR: Mapping[Confidence, float] = {
    Confidence.HIGH: 1.0,
    Confidence.MEDIUM: 0.6,
    Confidence.LOW: 0.3,
}
SCALE_K = 10.0  # item score = 100 * exp(-cost / SCALE_K)
CAP_BASE = 2.0  # a rule costs at most CAP_BASE x its severity weight ...
CAP_STEP = 0.25  # ... plus this much per extra finding ...
CAP_MAX = 3.0  # ... but never more than CAP_MAX x its severity weight

PASS, WARN, FAIL, NA = "pass", "warn", "fail", "n/a"


def finding_cost(finding: Finding) -> float:
    """Severity weight x confidence factor, before any cap."""
    return SEVERITY_WEIGHT[finding.severity] * CONFIDENCE_FACTOR[finding.confidence]


def rule_cap(base_weight: float, costly_findings: int) -> float:
    """The most one rule may cost within an item."""
    factor = min(CAP_BASE + CAP_STEP * max(costly_findings - 1, 0), CAP_MAX)
    return base_weight * factor


def item_score(cost: float) -> float:
    """100 x exp(-cost / k), unrounded."""
    return 100.0 * math.exp(-cost / SCALE_K)


def score(
    findings: Sequence[Finding],
    rules: Mapping[str, RuleMeta],
    checklist: Sequence[ChecklistItem],
    applicable: Mapping[str, bool],
) -> Score:
    """Score the findings against the checklist (see the module docstring for the formula)."""
    scored_items = [item for item in checklist if item.scored]
    known = {item.id for item in scored_items}
    by_item: dict[str, list[tuple[Finding, RuleMeta]]] = defaultdict(list)
    for finding in findings:
        rule = rules.get(finding.code)
        if finding.suppressed or rule is None or not rule.scored or rule.item not in known:
            continue
        by_item[rule.item].append((finding, rule))

    results: list[ItemScore] = []
    raw_scores: dict[str, float] = {}
    for item in scored_items:
        result, raw = _score_item(item, by_item.get(item.id, []), applicable.get(item.id, False))
        results.append(result)
        if raw is not None:
            raw_scores[item.id] = raw
    overall = _overall(scored_items, results, raw_scores, applicable)
    return Score(overall=overall, items=tuple(results))


def _score_item(
    item: ChecklistItem, entries: list[tuple[Finding, RuleMeta]], applies: bool
) -> tuple[ItemScore, float | None]:
    if not entries and not applies:
        return ItemScore(item.id, item.title, item.weight, None, NA, 0.0, 0), None
    per_rule: dict[str, list[tuple[Finding, RuleMeta]]] = defaultdict(list)
    for entry in entries:
        per_rule[entry[0].code].append(entry)
    costs: list[tuple[str, float]] = []
    for code in sorted(per_rule):
        group = per_rule[code]
        values = [finding_cost(f) for f, _ in group]
        base = max(
            [SEVERITY_WEIGHT[group[0][1].severity]]
            + [SEVERITY_WEIGHT[f.severity] for f, _ in group]
        )
        capped = min(math.fsum(values), rule_cap(base, sum(1 for v in values if v > 0)))
        costs.append((code, capped))
    cost = math.fsum(c for _, c in costs)
    raw = item_score(cost)
    result = ItemScore(
        item=item.id,
        title=item.title,
        weight=item.weight,
        score=round(raw, 1),
        status=_status([f for f, _ in entries]),
        cost=round(cost, 3),
        findings=len(entries),
        costs=tuple((code, round(c, 3)) for code, c in costs),
    )
    return result, raw


def _status(findings: Sequence[Finding]) -> str:
    if any(
        f.severity.rank >= Severity.HIGH.rank and f.confidence is Confidence.HIGH for f in findings
    ):
        return FAIL
    if any(f.severity.rank >= Severity.LOW.rank for f in findings):
        return WARN
    return PASS


def _overall(
    items: Sequence[ChecklistItem],
    results: Sequence[ItemScore],
    raw_scores: Mapping[str, float],
    applicable: Mapping[str, bool],
) -> float | None:
    if not raw_scores:
        return None
    base_weight = math.fsum(i.weight for i in items if applicable.get(i.id, False))
    if base_weight <= 0:
        base_weight = math.fsum(i.weight for i in items)
    if base_weight <= 0:
        return None
    penalty = math.fsum(i.weight * (100.0 - raw_scores[i.id]) for i in items if i.id in raw_scores)
    overall = max(0.0, 100.0 - penalty / base_weight)
    for result in results:
        if result.status == FAIL:
            overall = min(overall, (100.0 + raw_scores[result.item]) / 2.0)
    return round(overall, 1)
