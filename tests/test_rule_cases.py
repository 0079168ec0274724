"""Every native rule's VALID and INVALID cases, discovered from the registry."""

from __future__ import annotations

import pytest

from reviewer.checks.base import Rule, missing_doc_sections
from reviewer.registry import native_rule_classes
from reviewer.testing import read_annotations, run_rule_on_case, triples

RULES = native_rule_classes()
CASES = [
    pytest.param(rule, which, index, case, id=f"{rule.code}-{which}-{index}")
    for rule in RULES
    for which in ("valid", "invalid")
    for index, case in enumerate(rule.cases(which))
]


@pytest.mark.parametrize(("rule", "which", "index", "case"), CASES)
def test_rule_case(rule: type[Rule], which: str, index: int, case) -> None:
    findings = run_rule_on_case(rule, case)
    crashes = [f for f in findings if f.code in ("BR901", "BR902")]
    assert not crashes, crashes
    got = triples(findings, [rule.code])
    expected: set[tuple[str, str, int]] = set()
    near_misses: set[tuple[str, str, int]] = set()
    for path, text in case.all_files().items():
        exp, ok = read_annotations(text, path)
        expected |= exp
        near_misses |= ok
    expected = {e for e in expected if e[0] == rule.code}
    if which == "valid":
        assert got == set(), f"VALID case fired: {sorted(got)}\n{case.code}"
    else:
        assert expected, "an INVALID case must mark its offending lines with `# expect: CODE`"
        assert got == expected, f"got {sorted(got)}, expected {sorted(expected)}\n{case.code}"
    assert not (got & {n for n in near_misses if n[0] == rule.code})


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_metadata(rule: type[Rule]) -> None:
    meta = rule.meta()
    assert meta.code.startswith("BR") and len(meta.code) == 5
    assert meta.name and meta.name == meta.name.lower() and " " not in meta.name
    assert meta.item and meta.summary
    assert not missing_doc_sections(meta.docs), missing_doc_sections(meta.docs)
    if meta.source == "native":
        assert rule.cases("valid") and rule.cases("invalid"), "every rule needs VALID and INVALID"


def test_codes_and_names_are_unique() -> None:
    codes = [r.code for r in RULES]
    names = [r.name for r in RULES]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))
