"""The score: worked examples plus hypothesis properties (determinism, monotonicity, caps, n/a)."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.model import Confidence, Finding, ItemScore, Location, RuleMeta, Score, Severity
from reviewer.resources import rules_dir
from reviewer.scoring import (
    CAP_MAX,
    SEVERITY_WEIGHT,
    ChecklistItem,
    finding_cost,
    load_checklist,
    score,
)

CHECKLIST = load_checklist()
ITEMS = [item.id for item in CHECKLIST if item.scored]


def _rule(code: str, item: str, severity: Severity, scored: bool = True) -> RuleMeta:
    return RuleMeta(code, code.lower(), item, severity, Confidence.HIGH, "summary", scored=scored)


RULES = {
    r.code: r
    for r in (
        _rule("BR101", "sql-injection", Severity.CRITICAL),
        _rule("BR102", "injection", Severity.HIGH),
        _rule("BR103", "injection", Severity.HIGH),
        _rule("BR201", "secrets", Severity.HIGH),
        _rule("BR301", "authentication", Severity.HIGH),
        _rule("BR601", "async", Severity.HIGH),
        _rule("BR703", "error-handling", Severity.LOW),
        _rule("BR805", "types", Severity.LOW),
        _rule("BR901", "meta", Severity.MEDIUM, scored=False),
    )
}
CODES = [*RULES, "BR999"]  # BR999: a code no rule claims
STATUS_RANK = {"n/a": 0, "pass": 0, "warn": 1, "fail": 2}

findings_st = st.builds(
    Finding,
    code=st.sampled_from(CODES),
    message=st.just("m"),
    location=st.builds(Location, st.sampled_from(["a.py", "b.py"]), st.integers(1, 50)),
    severity=st.sampled_from(list(Severity)),
    confidence=st.sampled_from(list(Confidence)),
    suppressed=st.booleans(),
)
applicable_st = st.dictionaries(st.sampled_from(ITEMS), st.booleans())


def run(findings: list[Finding], applicable: dict[str, bool]) -> Score:
    return score(findings, RULES, CHECKLIST, applicable)


def f(
    code: str, severity: Severity, confidence: Confidence = Confidence.HIGH, **kw: object
) -> Finding:
    return Finding(code, "m", Location("a.py", 1), severity, confidence, **kw)  # type: ignore[arg-type]


def item(result: Score, item_id: str) -> ItemScore:
    return next(i for i in result.items if i.item == item_id)


def assert_not_better(after: Score, before: Score) -> None:
    """`after` (more findings) is nowhere better than `before`."""
    if before.overall is not None:
        assert after.overall is not None and after.overall <= before.overall
    for new, old in zip(after.items, before.items, strict=True):
        if old.score is not None:
            assert new.score is not None and new.score <= old.score
            assert new.cost >= old.cost
        assert STATUS_RANK[new.status] >= STATUS_RANK[old.status]


# --- worked examples -------------------------------------------------------------------------


def test_one_confident_critical_finding() -> None:
    result = run([f("BR101", Severity.CRITICAL)], {"sql-injection": True, "types": True})
    sql = item(result, "sql-injection")
    assert (sql.score, sql.status, sql.cost, sql.costs) == (36.8, "fail", 10.0, (("BR101", 10.0),))
    # weighted mean (3 x 36.8 + 0.5 x 100) / 3.5 = 45.8, below the ceiling (100 + 36.8) / 2
    assert result.overall == pytest.approx((3 * 100 * math.exp(-1) + 50) / 3.5, abs=0.05)


def test_ceiling_keeps_a_failing_item_from_hiding() -> None:
    applicable = dict.fromkeys(ITEMS, True)
    result = run([f("BR101", Severity.CRITICAL)], applicable)
    assert result.overall == round((100 + 100 * math.exp(-1)) / 2, 1)  # 68.4, not ~92.8


def test_confidence_and_severity_weights() -> None:
    assert finding_cost(f("BR102", Severity.HIGH, Confidence.MEDIUM)) == pytest.approx(3.0)
    assert finding_cost(f("BR102", Severity.LOW, Confidence.LOW)) == pytest.approx(0.15)
    assert finding_cost(f("BR102", Severity.INFO)) == 0.0
    warn = item(run([f("BR301", Severity.HIGH, Confidence.MEDIUM)], {}), "authentication")
    assert (warn.score, warn.status) == (74.1, "warn")


def test_noisy_rule_is_capped() -> None:
    ten = [f("BR102", Severity.HIGH) for _ in range(10)]
    injection = item(run(ten, {}), "injection")
    assert injection.cost == 15.0  # 5 x min(2 + 0.25 x 9, 3), not 50
    two = item(run(ten[:2], {}), "injection")
    assert two.cost == 10.0  # 5 x 2.25 cap is not reached by 2 x 5
    # a second rule in the same item adds its own capped cost
    mixed = item(run([*ten, f("BR103", Severity.HIGH)], {}), "injection")
    assert mixed.costs == (("BR102", 15.0), ("BR103", 5.0))


def test_suppressed_unscored_and_unknown_findings_cost_nothing() -> None:
    applicable = {"secrets": True}
    clean = run([], applicable)
    noise = [
        f("BR201", Severity.CRITICAL, suppressed=True),
        f("BR901", Severity.HIGH),
        f("BR999", Severity.CRITICAL),
    ]
    assert run(noise, applicable) == clean
    assert clean.overall == 100.0


def test_info_findings_pass_and_make_the_item_apply() -> None:
    types = item(run([f("BR805", Severity.INFO)], {}), "types")
    assert (types.score, types.status, types.findings) == (100.0, "pass", 1)


def test_not_applicable_items_are_na_not_100() -> None:
    result = run([], {"async": False, "types": True})
    assert item(result, "async").score is None
    assert item(result, "async").status == "n/a"
    assert item(result, "types").score == 100.0
    assert run([], {}).overall is None
    assert [i.item for i in result.items] == ITEMS  # checklist order, meta left out


def test_item_applying_only_through_findings_never_raises_overall() -> None:
    applicable = {"sql-injection": True}
    before = run([f("BR101", Severity.CRITICAL)], applicable)
    after = run([f("BR101", Severity.CRITICAL), f("BR805", Severity.LOW)], applicable)
    assert item(after, "types").score == 95.1
    assert after.overall is not None and before.overall is not None
    assert after.overall <= before.overall  # a plain weighted mean would rise to ~48


# --- properties ------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.lists(findings_st, max_size=25), applicable_st, st.randoms(use_true_random=False))
def test_deterministic_and_order_independent(
    findings: list[Finding], applicable: dict[str, bool], rnd: random.Random
) -> None:
    first = run(findings, applicable)
    shuffled = list(findings)
    rnd.shuffle(shuffled)
    assert run(findings, applicable) == first
    assert run(shuffled, applicable) == first


@settings(max_examples=150, deadline=None)
@given(st.lists(findings_st, max_size=25), findings_st, applicable_st)
def test_adding_a_finding_never_raises_a_score(
    findings: list[Finding], extra: Finding, applicable: dict[str, bool]
) -> None:
    assert_not_better(run([*findings, extra], applicable), run(findings, applicable))


@settings(max_examples=100, deadline=None)
@given(st.lists(findings_st, max_size=25), st.data(), applicable_st)
def test_removing_findings_never_lowers_a_score(
    findings: list[Finding], data: st.DataObject, applicable: dict[str, bool]
) -> None:
    keep = data.draw(st.lists(st.booleans(), min_size=len(findings), max_size=len(findings)))
    subset = [x for x, k in zip(findings, keep, strict=True) if k]
    assert_not_better(run(findings, applicable), run(subset, applicable))


@settings(max_examples=100, deadline=None)
@given(st.lists(findings_st, max_size=40), applicable_st)
def test_scores_are_bounded_and_rule_costs_capped(
    findings: list[Finding], applicable: dict[str, bool]
) -> None:
    result = run(findings, applicable)
    if result.overall is not None:
        assert 0.0 <= result.overall <= 100.0
    for entry in result.items:
        if entry.score is None:
            assert entry.status == "n/a" and entry.cost == 0 and entry.findings == 0
            assert not applicable.get(entry.item, False)
            continue
        assert 0.0 <= entry.score <= 100.0
        assert entry.cost == pytest.approx(sum(c for _, c in entry.costs), abs=0.01)
        for code, cost in entry.costs:
            rule_findings = [x for x in findings if x.code == code and not x.suppressed]
            base = max(SEVERITY_WEIGHT[x.severity] for x in rule_findings)
            base = max(base, SEVERITY_WEIGHT[RULES[code].severity])
            assert 0.0 <= cost <= CAP_MAX * base + 1e-9
            assert cost <= sum(finding_cost(x) for x in rule_findings) + 1e-9


@settings(max_examples=100, deadline=None)
@given(st.lists(findings_st, max_size=25), applicable_st)
def test_an_item_applies_exactly_when_marked_or_found(
    findings: list[Finding], applicable: dict[str, bool]
) -> None:
    result = run(findings, applicable)
    found = {
        RULES[x.code].item
        for x in findings
        if x.code in RULES and RULES[x.code].scored and not x.suppressed
    }
    for entry in result.items:
        applies = applicable.get(entry.item, False) or entry.item in found
        assert (entry.score is not None) == applies


# --- the checklist file ----------------------------------------------------------------------


def test_checklist_file() -> None:
    assert (rules_dir() / "checklist.yaml").is_file()
    ids = [i.id for i in CHECKLIST]
    assert ids == [
        "input-validation", "sql-injection", "injection", "secrets", "authentication",
        "authorization", "rate-limiting", "error-handling", "response-format", "logging",
        "architecture", "data-access", "async", "tests", "types", "code-quality", "meta",
    ]  # fmt: skip
    for unscored in CHECKLIST[-2:]:  # the opt-in code-quality section, the reviewer notes
        assert not unscored.scored and unscored.weight == 0
    security = [i.weight for i in CHECKLIST if i.security]
    other = [i.weight for i in CHECKLIST if not i.security and i.scored]
    assert min(security) >= max(other) and sum(security) / len(security) > sum(other) / len(other)
    assert all(i.title and i.description and i.weight >= 0 for i in CHECKLIST)


def test_bad_checklist_files_are_rejected(tmp_path: Path) -> None:
    dup = tmp_path / "dup.yaml"
    dup.write_text("items:\n  - {id: a, title: A}\n  - {id: a, title: B}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="duplicate checklist ids a"):
        load_checklist(dup)
    bad = tmp_path / "bad.yaml"
    bad.write_text("items:\n  - {id: a, title: A, weight: -1}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="invalid weight"):
        load_checklist(bad)
    empty = tmp_path / "empty.yaml"
    empty.write_text("nothing: here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'items' list"):
        load_checklist(empty)
    ok = tmp_path / "ok.yaml"
    ok.write_text("items:\n  - {id: a, title: A, description: '  x\n    y '}\n", encoding="utf-8")
    assert load_checklist(ok) == (ChecklistItem("a", "A", 1.0, "x y"),)
