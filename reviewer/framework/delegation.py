"""Guards a view gets from what its own body does with the request and the ids in its path.

A view often leaves the check to a project helper it hands the request or the path id to:
`check = _get_check_for_user(request, code)` looks the object up and answers 404/403 unless the
caller owns it or is a member of its project; `return update_check(request, code)` dispatches to
another view that carries its own guards. Such a helper is the view's authorization (and, for a
dispatch, authentication), as much as a check written inline (issue 13 item 3: "queries scoped
to the current user or tenant", membership checks). A query that looks the path's object up
with the current user in its filter (`Credential.objects.get(user=request.user, code=code)`)
is authorization too: another user's id finds nothing (Django `get_object_or_404` raises 404,
https://docs.djangoproject.com/en/5.2/topics/http/shortcuts/#get-object-or-404).
"""

from __future__ import annotations

from typing import Any

from reviewer.framework import guards as g
from reviewer.framework.index import Def, Index
from reviewer.framework.values import tail
from reviewer.service import AUTHENTICATION, AUTHORIZATION, Guard

MAX_DEPTH = 3
REQUEST_NAMES = frozenset({"request", "req"})
# a view's own evidence that only looks the user up rejects nobody (common.LOOKUPS_ONLY)
_LOOKUPS = frozenset(
    {"is_authenticated", "is_anonymous", "get_current_user", "authorized_userid", "authenticate"}
)


def delegated_guards(index: Index, func: Def, in_path: frozenset[str]) -> list[Guard]:
    """Authorization from user-scoped lookups of a path id and from the helpers the view hands
    its request or path ids to; authentication when every response is another guarded view's."""
    record = func.record
    where = (func.file, record["line"])
    found: list[Guard] = []
    if in_path and _scoped_load(record, in_path):
        found.append(Guard("in-body query scoped to the user", AUTHORIZATION, "route", *where))
    handed = in_path | _request_params(record)
    for callee in _callees(index, func, handed):
        shown = _helper_authz(index, callee, 0, {func.qualname})
        if shown:
            found.append(
                Guard(f"via {tail(callee.qualname)}: {shown}", AUTHORIZATION, "route", *where)
            )
            break
    dispatch = _dispatch_auth(index, func, handed)
    if dispatch:
        found.append(Guard(f"via {dispatch}", AUTHENTICATION, "route", *where))
    return found


def _request_params(record: dict[str, Any]) -> frozenset[str]:
    return frozenset(
        p["name"]
        for p in record["params"]
        if p["name"] in REQUEST_NAMES or p["ann_text"].rsplit(".", 1)[-1].endswith("Request")
    )


def _scoped_load(record: dict[str, Any], names: frozenset[str]) -> bool:
    """A lookup whose filter holds the current user and (when given) one of `names`."""
    return any(
        load["user"] and (not names or names & set(load["names"])) for load in record["loads"]
    )


def _callees(index: Index, func: Def, handed: frozenset[str]) -> list[Def]:
    """Project functions the body calls with one of `handed` as an argument."""
    out: list[Def] = []
    for callee, passed in func.record.get("arg_calls", []):
        if not handed & set(passed):
            continue
        target = index.function(callee)
        if target is not None and target.qualname != func.qualname and target not in out:
            out.append(target)
    return out


def _helper_authz(index: Index, helper: Def, depth: int, seen: set[str]) -> str:
    """What in a helper (or the helpers it hands its parameters on to) decides by the caller's
    role, permission, ownership or membership; "" when nothing does."""
    if depth > MAX_DEPTH or helper.qualname in seen:
        return ""
    seen.add(helper.qualname)
    for dec in helper.record["decorators"]:
        kinds, shown = g.decorator_kinds(index, dec)
        if AUTHORIZATION in kinds:
            return shown
    _, authz = index.nested_evidence(helper)
    if authz:
        return authz[0]
    if _scoped_load(helper.record, frozenset()):
        return "query scoped to the user"
    params = frozenset(p["name"] for p in helper.record["params"])
    for callee in _callees(index, helper, params):
        shown = _helper_authz(index, callee, depth + 1, seen)
        if shown:
            return f"{tail(callee.qualname)}: {shown}"
    return ""


def _dispatch_auth(index: Index, func: Def, handed: frozenset[str]) -> str:
    """`return update_check(request, code)` on every path of a view that returns nothing else:
    the request is answered by views that each authenticate (their decorators, or a body that
    rejects). The names of those views, or "" when some response is the view's own."""
    record = func.record
    returned = list(dict.fromkeys(record.get("returned_calls", [])))
    if not returned or record.get("returns_refs") or record.get("returns_other"):
        return ""
    passed = {callee for callee, names in record.get("arg_calls", []) if handed & set(names)}
    shown: list[str] = []
    for name in returned:
        target = index.function(name)
        if target is None or name not in passed or target.qualname == func.qualname:
            return ""
        if not _authenticates(index, target):
            return ""
        shown.append(tail(target.qualname))
    return ", ".join(shown)


def _authenticates(index: Index, view: Def) -> bool:
    for dec in view.record["decorators"]:
        kinds, _ = g.decorator_kinds(index, dec)
        if AUTHENTICATION in kinds and "public" not in kinds:
            return True
    auth, _ = index.nested_evidence(view)
    return any(e not in _LOOKUPS and g.rejects(e) for e in auth)
