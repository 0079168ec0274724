"""The review checklist (rules/checklist.yaml): its items' ids, titles, weights and
descriptions. The one source of the checklist ids: scoring, the rule registry and the
analyzers' policy all read them from here."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from reviewer.resources import rules_dir

CHECKLIST_FILE = "checklist.yaml"


@dataclass(frozen=True)
class ChecklistItem:
    """One item of the review checklist (rules/checklist.yaml)."""

    id: str
    title: str
    weight: float
    description: str
    security: bool = False
    scored: bool = True


def load_checklist(path: Path | str | None = None) -> tuple[ChecklistItem, ...]:
    """Read the checklist items, in file order; `path` defaults to rules/checklist.yaml."""
    file = Path(path) if path is not None else rules_dir() / CHECKLIST_FILE
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ValueError(f"{file}: expected a mapping with an 'items' list")
    items = tuple(_parse_item(file, raw) for raw in data["items"])
    ids = [item.id for item in items]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"{file}: duplicate checklist ids {', '.join(duplicates)}")
    return items


def _parse_item(file: Path, raw: Any) -> ChecklistItem:
    if not isinstance(raw, dict) or not raw.get("id") or not raw.get("title"):
        raise ValueError(f"{file}: every item needs an id and a title, got {raw!r}")
    weight = float(raw.get("weight", 1.0))
    if weight < 0 or not math.isfinite(weight):
        raise ValueError(f"{file}: item {raw['id']!r} has an invalid weight {weight}")
    return ChecklistItem(
        id=str(raw["id"]),
        title=str(raw["title"]),
        weight=weight,
        description=" ".join(str(raw.get("description", "")).split()),
        security=bool(raw.get("security", False)),
        scored=bool(raw.get("scored", True)),
    )


@cache
def checklist_ids() -> frozenset[str]:
    """The shipped checklist's item ids."""
    return frozenset(item.id for item in load_checklist())
