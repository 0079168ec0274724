"""Read our semgrep rules' metadata (rules/semgrep/**/*.yaml) into RuleMeta for the registry.

Our rules carry everything a user sees in `metadata`: code, name, item, severity, confidence,
cwe, summary and Markdown docs, plus optional `external_ids` they claim (e.g. bandit:B501).
A rule missing any of it is a SemgrepRuleError naming the file and the rule, so a broken rule
fails the test suite instead of shipping.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from reviewer.analyzers.policy import CHECKLIST_ITEMS
from reviewer.model import Confidence, RuleMeta, Severity

DOC_SECTIONS = ("What it does", "Why is this bad", "Example", "Use instead", "References")
_CODE = re.compile(r"^BR\d{3}$")
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_EXTERNAL = re.compile(r"^(bandit|ruff|semgrep):\S+$")


class SemgrepRuleError(ValueError):
    """A shipped semgrep rule lacks or mangles the metadata the reviewer needs."""


def rule_files(semgrep_dir: Path) -> list[Path]:
    """Every semgrep rule file under the folder, sorted."""
    return sorted(p for p in semgrep_dir.rglob("*") if p.suffix in (".yaml", ".yml"))


def load_semgrep_rule_metas(semgrep_dir: Path) -> list[RuleMeta]:
    """RuleMeta for each rule in `semgrep_dir` (rules/semgrep), sorted by code."""
    metas: list[RuleMeta] = []
    seen: dict[str, str] = {}
    for file in rule_files(Path(semgrep_dir)):
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise SemgrepRuleError(f"{file}: cannot read semgrep rules: {exc}") from None
        rules = data.get("rules") if isinstance(data, dict) else None
        if not isinstance(rules, list) or not rules:
            raise SemgrepRuleError(f"{file}: expected a non-empty `rules` list")
        for rule in rules:
            meta = _meta(file, rule)
            if meta.code in seen:
                raise SemgrepRuleError(
                    f"{file}: code {meta.code} is also used in {seen[meta.code]}"
                )
            seen[meta.code] = str(file)
            metas.append(meta)
    return sorted(metas, key=lambda m: m.code)


def _meta(file: Path, rule: Any) -> RuleMeta:
    rule_id = rule.get("id") if isinstance(rule, dict) else None
    where = f"{file}: rule {rule_id!r}"
    if not isinstance(rule_id, str):
        raise SemgrepRuleError(f"{file}: a rule has no string `id`")
    meta = rule.get("metadata")
    if not isinstance(meta, dict):
        raise SemgrepRuleError(f"{where}: no `metadata` mapping")

    def text(key: str) -> str:
        value = meta.get(key)
        if not isinstance(value, str) or not value.strip():
            raise SemgrepRuleError(f"{where}: metadata.{key} must be a non-empty string")
        return value.strip()

    code, name, item = text("code"), text("name"), text("item")
    if not _CODE.match(code):
        raise SemgrepRuleError(f"{where}: metadata.code {code!r} is not BR + three digits")
    if not _NAME.match(name) or name != rule_id:
        raise SemgrepRuleError(f"{where}: metadata.name must be the kebab-case rule id")
    if item not in CHECKLIST_ITEMS:
        raise SemgrepRuleError(f"{where}: metadata.item {item!r} is not a checklist item")
    try:
        severity = Severity.parse(text("severity"))
        confidence = Confidence.parse(text("confidence"))
    except ValueError as exc:
        raise SemgrepRuleError(f"{where}: {exc}") from None
    cwe = meta.get("cwe", [])
    if not isinstance(cwe, list) or not all(
        isinstance(c, int) and not isinstance(c, bool) for c in cwe
    ):
        raise SemgrepRuleError(f"{where}: metadata.cwe must be a list of integers")
    claimed = meta.get("external_ids", [])
    if not isinstance(claimed, list) or not all(
        isinstance(c, str) and _EXTERNAL.match(c) for c in claimed
    ):
        raise SemgrepRuleError(f"{where}: metadata.external_ids must be 'tool:id' strings")
    docs = text("docs")
    missing = [s for s in DOC_SECTIONS if not re.search(rf"(?m)^## {re.escape(s)}\s*$", docs)]
    if missing:
        raise SemgrepRuleError(f"{where}: metadata.docs lacks section(s) {', '.join(missing)}")
    return RuleMeta(
        code=code,
        name=name,
        item=item,
        severity=severity,
        confidence=confidence,
        summary=text("summary"),
        docs=docs,
        cwe=tuple(cwe),
        external_ids=(f"semgrep:{code}", *claimed),
        source="semgrep",
    )
