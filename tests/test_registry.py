"""The registry refuses a native rule whose checklist item does not exist, and taint sink kinds
claimed by no rule or by two."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer import registry
from reviewer.checks.base import Rule
from reviewer.config import load as load_config
from reviewer.taint.specs import SINK_KINDS


class _TypoRule(Rule):
    code = "BR999"
    name = "typo-rule"
    item = "authentcation"  # sic: the typo the registry must catch


def test_a_rule_with_an_unknown_item_fails_registry_loading(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real = registry.native_rule_classes()
    monkeypatch.setattr(registry, "native_rule_classes", lambda: (*real, _TypoRule))
    with pytest.raises(
        RuntimeError, match=r"BR999 .*'authentcation'.*known items: .*authentication"
    ):
        registry.load(load_config(tmp_path))


def test_every_shipped_rule_has_a_checklist_item(tmp_path: Path) -> None:
    loaded = registry.load(load_config(tmp_path))
    assert {m.item for m in loaded.all if m.source == "native"} <= registry.checklist_ids()


class _SecondShell(Rule):
    code = "BR998"
    name = "second-shell"
    item = "injection"
    taint_kinds = {"command": "a shell command"}


def test_every_taint_sink_kind_is_claimed_by_exactly_one_rule(tmp_path: Path) -> None:
    registry.load(load_config(tmp_path))  # the shipped rules pass
    claimed = [k for cls in registry.native_rule_classes() for k in cls.taint_kinds]
    assert sorted(claimed) == sorted(SINK_KINDS)


def test_two_rules_claiming_one_kind_fail(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = registry.native_rule_classes()
    monkeypatch.setattr(registry, "native_rule_classes", lambda: (*real, _SecondShell))
    with pytest.raises(RuntimeError, match=r"kind 'command' is claimed by BR102, BR998"):
        registry.load(load_config(tmp_path))


def test_an_unclaimed_kind_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rest = tuple(cls for cls in registry.native_rule_classes() if "ssrf" not in cls.taint_kinds)
    monkeypatch.setattr(registry, "native_rule_classes", lambda: rest)
    with pytest.raises(RuntimeError, match=r"kind 'ssrf' is claimed by no rule"):
        registry.load(load_config(tmp_path))


def test_a_kind_the_specs_do_not_define_fails() -> None:
    with pytest.raises(RuntimeError, match=r"kind 'command' \(BR998\) is not a sink kind"):
        registry.check_taint_kinds([_SecondShell], kinds=())
