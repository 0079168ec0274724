"""The registry refuses a native rule whose checklist item does not exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer import registry
from reviewer.checks.base import Rule
from reviewer.config import load as load_config


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
