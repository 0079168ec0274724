"""Which rules a selector names: the language of `select`, `ignore` and per-path ignores.

Plain functions of rule metadata, so the registry (which finds the rules) and the postprocess
stages (which filter findings) share them without the latter depending on the rules.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence

from reviewer.model import RuleMeta


def matches(selector: str, meta: RuleMeta) -> bool:
    """A selector is a code (BR101), a code prefix (BR1), a checklist item or a rule name."""
    sel = selector.strip()
    if not sel:
        return False
    if sel.upper() == "ALL":
        return True
    return (
        meta.code.upper().startswith(sel.upper())
        or sel == meta.item
        or sel == meta.name
        or any(fnmatch.fnmatchcase(ext, sel) for ext in meta.external_ids)
    )


def select(metas: Iterable[RuleMeta], include: Sequence[str], exclude: Sequence[str]) -> set[str]:
    chosen = set()
    for meta in metas:
        picked = not include or any(matches(s, meta) for s in include)
        if meta.source == "meta":
            picked = True  # parse errors and analyzer failures are always reported
        if picked and not any(matches(s, meta) for s in exclude):
            chosen.add(meta.code)
    return chosen
