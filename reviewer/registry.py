"""The rule catalogue: native checks found by walking `reviewer.checks`, plus semgrep rules.

No central table: adding a rule file adds the rule. The registry also answers which rule claims
an external id (`bandit:B608` -> BR101) and which rules a config selects.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import math
import pkgutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

import reviewer.checks
from reviewer.checklist import checklist_ids
from reviewer.checks.base import Rule
from reviewer.config import Config, ConfigError, brief
from reviewer.model import RuleMeta
from reviewer.selection import matches, select
from reviewer.taint.specs import SINK_KINDS


@cache
def native_rule_classes() -> tuple[type[Rule], ...]:
    """Every concrete Rule subclass under reviewer/checks, sorted by code."""
    found: dict[str, type[Rule]] = {}
    for info in pkgutil.walk_packages(reviewer.checks.__path__, "reviewer.checks."):
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(obj, Rule)
                and obj is not Rule
                and obj.code
                and obj.__module__ == info.name
            ):
                if obj.code in found and found[obj.code] is not obj:
                    raise RuntimeError(f"rule code {obj.code} is defined twice")
                found[obj.code] = obj
    return tuple(found[code] for code in sorted(found))


def _check_items(classes: Iterable[type[Rule]]) -> None:
    """Every native rule scores under an item of rules/checklist.yaml: a typo would otherwise
    score it nowhere (its findings would count under no item)."""
    known = checklist_ids()
    wrong = [
        f"{cls.code} ({cls.__module__}): {cls.item!r}" for cls in classes if cls.item not in known
    ]
    if wrong:
        raise RuntimeError(
            f"rules with an item that rules/checklist.yaml does not define: {'; '.join(wrong)}"
            f" (known items: {', '.join(sorted(known))})"
        )


def check_taint_kinds(classes: Iterable[type[Rule]], kinds: Iterable[str] = SINK_KINDS) -> None:
    """Every taint sink kind is reported by exactly one rule (`Rule.taint_kinds`): an unclaimed
    kind would be followed and never reported, a kind claimed twice reported twice."""
    claims: dict[str, list[str]] = {}
    for cls in classes:
        for kind in cls.taint_kinds:
            claims.setdefault(kind, []).append(cls.code)
    known = set(kinds)
    problems = [f"kind {k!r} is claimed by no rule" for k in sorted(known - set(claims))]
    problems += [
        f"kind {k!r} is claimed by {', '.join(codes)}"
        for k, codes in sorted(claims.items())
        if len(codes) > 1
    ]
    problems += [
        f"kind {k!r} ({', '.join(codes)}) is not a sink kind of reviewer.taint.specs"
        for k, codes in sorted(claims.items())
        if k not in known
    ]
    if problems:
        raise RuntimeError(f"taint sink kinds: {'; '.join(problems)}")


def _semgrep_metas() -> list[RuleMeta]:
    try:
        from reviewer.analyzers.semgrep_rules import load_semgrep_rule_metas
        from reviewer.resources import rules_dir
    except ImportError:
        return []
    return list(load_semgrep_rule_metas(rules_dir() / "semgrep"))


@dataclass(frozen=True)
class Registry:
    """The rules that exist (`all`) and those the config enabled (`enabled`)."""

    all: tuple[RuleMeta, ...]
    native: tuple[type[Rule], ...]
    enabled_codes: frozenset[str] = field(default_factory=frozenset)
    overridden: frozenset[str] = field(default_factory=frozenset)  # codes the config re-rated

    @property
    def by_code(self) -> dict[str, RuleMeta]:
        return {meta.code: meta for meta in self.all}

    @property
    def enabled(self) -> tuple[RuleMeta, ...]:
        return tuple(m for m in self.all if m.code in self.enabled_codes)

    @property
    def enabled_native(self) -> tuple[type[Rule], ...]:
        return tuple(cls for cls in self.native if cls.code in self.enabled_codes)

    def claimant(self, external_id: str) -> RuleMeta | None:
        """The rule that claims an external finding id, e.g. `ruff:S608` -> BR101."""
        return _claims(self.all).get(external_id)

    def get(self, code_or_name: str) -> RuleMeta | None:
        key = code_or_name.strip()
        for meta in self.all:
            if meta.code.lower() == key.lower() or meta.name == key:
                return meta
        return None


@cache
def _claims(metas: tuple[RuleMeta, ...]) -> dict[str, RuleMeta]:
    claims: dict[str, RuleMeta] = {}
    for meta in metas:
        for ext in meta.external_ids:
            claims[ext] = meta
    return claims


def check_rule_options(classes: Iterable[type[Rule]], config: Config) -> None:
    """Every `rules.<CODE>.<option>` value has the type of the option's default (issue 11,
    U18): `min-length: "abc"` or `max-db-calls: null` made the rule crash on every file, so it
    was silently off. A ConfigError names the file and the key instead."""
    for cls in classes:
        for key, value in config.options_for(cls.code).items():
            if key not in cls.options:
                continue  # not an option this rule has: left alone
            expected = _option_type(cls.options[key])
            if expected and not _has_type(value, cls.options[key]):
                raise ConfigError(
                    f"{config.source}: `rules.{cls.code}.{key}` must be {expected} (its "
                    f"default is {cls.options[key]!r}), not {type(value).__name__} "
                    f"{_shown(value)}"
                )


ANALYZER_PREFIXES = ("bandit:", "ruff:", "semgrep:")


def check_selectors(metas: Sequence[RuleMeta], config: Config) -> None:
    """Every selector of `select`, `ignore` and `per-path-ignores`, and every `severity` code,
    names a rule that exists (issue 18): `--select BR999` used to score 100/100 on nothing.
    Analyzer ids (`ruff:TRY`, `bandit:B1`) are accepted for any id of a known analyzer, since
    the passthrough findings are only known once the analyzers ran."""
    items = set(checklist_ids())  # code-quality holds only analyzer ids, known once they ran
    known = sorted({m.code for m in metas} | {m.name for m in metas} | items)
    problems: list[str] = []

    def check(selector: str, key: str) -> None:
        sel = selector.strip()
        if not sel or sel.upper() == "ALL" or sel.lower().startswith(ANALYZER_PREFIXES):
            return
        if sel in items or any(matches(sel, m) for m in metas):
            return
        problems.append(_unknown(config.origin(key), key, sel, known, "rule selector"))

    for sel in config.select:
        check(sel, "select")
    for sel in config.ignore:
        check(sel, "ignore")
    for glob, selectors in config.per_path_ignores:
        for sel in selectors:
            check(sel, f"per-path-ignores.{glob}")
    codes = sorted(m.code for m in metas)
    for code, _ in config.severity_overrides:
        if code not in codes and not code.lower().startswith(ANALYZER_PREFIXES):
            key = f"severity.{code}"
            problems.append(_unknown(config.origin(key), key, code, codes, "rule code"))
    if problems:
        raise ConfigError("\n".join(problems))


def _unknown(where: str, key: str, value: str, known: Sequence[str], what: str) -> str:
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{where}: `{key}`: unknown {what} {value!r} ({hint}see `backend-review rules`)"


def _option_type(default: object) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "an integer"
    if isinstance(default, float):
        return "a finite number"
    if isinstance(default, str):
        return "a string"
    if isinstance(default, list | tuple):
        return "a list of strings" if all(isinstance(d, str) for d in default) else "a list"
    return ""


def _has_type(value: object, default: object) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if isinstance(default, int):
        return isinstance(value, int)
    if isinstance(default, float):
        return isinstance(value, int | float) and math.isfinite(value)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, list | tuple):
        strings = all(isinstance(d, str) for d in default)
        return isinstance(value, list) and (not strings or all(isinstance(v, str) for v in value))
    return True


def _shown(value: object) -> str:
    return brief(value, 60)


def load(config: Config) -> Registry:
    """The catalogue with the config's selection and severity overrides applied."""
    check_rule_options(native_rule_classes(), config)
    overrides = dict(config.severity_overrides)
    _check_items(native_rule_classes())
    check_taint_kinds(native_rule_classes())
    metas = [cls.meta() for cls in native_rule_classes()] + _semgrep_metas()
    metas = [
        replace(m, severity=overrides[m.code]) if m.code in overrides else m
        for m in sorted(metas, key=lambda m: m.code)
    ]
    codes = [m.code for m in metas]
    duplicates = {c for c in codes if codes.count(c) > 1}
    if duplicates:
        raise RuntimeError(f"rule codes defined twice: {', '.join(sorted(duplicates))}")
    enabled = select(metas, config.select, config.ignore)
    return Registry(
        all=tuple(metas),
        native=native_rule_classes(),
        enabled_codes=frozenset(enabled),
        overridden=frozenset(overrides) & frozenset(codes),
    )


def config_schema() -> dict[str, object]:
    """The config file's JSON Schema, with every rule's declared options (committed as
    docs/schemas/config.schema.json; tests/test_config_schema.py keeps it current)."""
    from reviewer.config import ANALYZERS
    from reviewer.config_schema import build_schema

    options: dict[str, dict[str, object]] = {m.code: {} for m in _semgrep_metas()}
    for cls in native_rule_classes():
        options[cls.code] = dict(cls.options)
    return build_schema(options, ANALYZERS)
