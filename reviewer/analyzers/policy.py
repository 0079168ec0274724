"""The passthrough policy (rules/external.yaml) for external findings no rule claims.

Each external id maps to a checklist item (with an optional severity override) or is dropped,
and says why (`why`, or the reason given to `drop`); ids not listed get the file's `default`.
An id mapped to the `code-quality` item is style, not a checklist concern: it is opt-in (reported
only when a selector names it) and never scored. The file is validated on load: a bad entry is
a PolicyError naming the file and the key.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reviewer.checklist import checklist_ids
from reviewer.model import Severity

# The checklist item ids, derived from rules/checklist.yaml (its one loader).
CHECKLIST_ITEMS = checklist_ids()
DROP = "drop"
QUALITY_ITEM = "code-quality"  # opt-in, unscored: style findings no checklist concern covers
_ID = re.compile(r"^(bandit|ruff|semgrep):\S+$")


class PolicyError(ValueError):
    """rules/external.yaml (or a user's copy) is malformed."""


@dataclass(frozen=True)
class PolicyEntry:
    item: str
    severity: Severity | None = None  # None: keep the analyzer's severity
    why: str = field(default="", compare=False)  # why the id is in the checklist (or in quality)

    @property
    def opt_in(self) -> bool:
        """Code quality, not a checklist concern: reported only when selected, never scored."""
        return self.item == QUALITY_ITEM


@dataclass(frozen=True)
class ExternalPolicy:
    default: PolicyEntry | None  # None: unlisted ids are dropped
    entries: Mapping[str, PolicyEntry | None] = field(default_factory=dict)
    reasons: Mapping[str, str] = field(default_factory=dict)  # why each id is in or out

    def lookup(self, external_id: str) -> PolicyEntry | None:
        """The item (and severity override) for an unclaimed external id; None = drop it."""
        if external_id in self.entries:
            return self.entries[external_id]
        return self.default

    def dropped_ids(self) -> frozenset[str]:
        """Ids listed as `drop`: analyzers need not even run them (unless a rule claims them)."""
        return frozenset(key for key, entry in self.entries.items() if entry is None)

    def opt_in_ids(self) -> frozenset[str]:
        """Ids of the opt-in code-quality section (reported only when a selector names them)."""
        return frozenset(k for k, e in self.entries.items() if e is not None and e.opt_in)

    def skippable_ids(self, claimed: Collection[str]) -> frozenset[str]:
        """Dropped ids that no rule claims: pass them as `start_analyzers(skip_ids=...)`."""
        return self.dropped_ids() - frozenset(claimed)


def load_policy(path: Path | str) -> ExternalPolicy:
    """Read and validate a policy file."""
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{file}: cannot read the external policy: {exc}") from None
    return parse_policy(data, str(file))


def parse_policy(data: Any, source: str = "external policy") -> ExternalPolicy:
    """Validate an already-loaded policy mapping."""
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: expected a mapping with `version`, `default` and `ids`")
    unknown = set(data) - {"version", "default", "ids"}
    if unknown:
        raise PolicyError(f"{source}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    if data.get("version") != 1:
        raise PolicyError(f"{source}: `version` must be 1, got {data.get('version')!r}")
    default, _ = _entry(data.get("default", DROP), f"{source}: default")
    ids = data.get("ids") or {}
    if not isinstance(ids, dict):
        raise PolicyError(f"{source}: `ids` must be a mapping of external id to entry")
    entries: dict[str, PolicyEntry | None] = {}
    reasons: dict[str, str] = {}
    for key, raw in ids.items():
        if not isinstance(key, str) or not _ID.match(key):
            raise PolicyError(
                f"{source}: ids.{key}: expected 'bandit:<id>', 'ruff:<code>' or 'semgrep:<id>'"
            )
        entries[key], reasons[key] = _entry(raw, f"{source}: ids.{key}")
    return ExternalPolicy(default=default, entries=entries, reasons=reasons)


def _entry(raw: Any, where: str) -> tuple[PolicyEntry | None, str]:
    """The entry (None: dropped) and the reason it gives."""
    if raw == DROP:
        return None, ""
    if not isinstance(raw, dict):
        raise PolicyError(
            f"{where}: expected `drop`, {{drop: why}} or {{item: ..., severity: ..., why: ...}},"
            f" got {raw!r}"
        )
    if set(raw) == {DROP}:
        return None, _why(raw[DROP], where)
    extra = set(raw) - {"item", "severity", "why"}
    if extra:
        raise PolicyError(f"{where}: unknown key(s) {', '.join(sorted(map(str, extra)))}")
    why = _why(raw.get("why", ""), where)
    item = raw.get("item")
    if item not in CHECKLIST_ITEMS:
        choices = ", ".join(sorted(CHECKLIST_ITEMS))
        raise PolicyError(f"{where}: unknown checklist item {item!r} (choose from {choices})")
    severity = raw.get("severity")
    if severity is None:
        return PolicyEntry(item=item, why=why), why
    if not isinstance(severity, str):
        raise PolicyError(f"{where}: severity must be a string, got {severity!r}")
    try:
        return PolicyEntry(item=item, severity=Severity.parse(severity), why=why), why
    except ValueError as exc:
        raise PolicyError(f"{where}: {exc}") from None


def _why(raw: Any, where: str) -> str:
    if not isinstance(raw, str):
        raise PolicyError(f"{where}: the reason (`why` or `drop`) must be a string, got {raw!r}")
    return " ".join(raw.split())
