"""The route inventory changes of a diff (reviewer/route_changes.py computes them) as Markdown
for the PR summary and as terminal lines. Pure functions of the report's plain data."""

from __future__ import annotations

import re
from collections.abc import Sequence

from reviewer.model import ChangedRoute, ProtectionChange, RouteChanges, RouteSummary

MAX_LISTED = 100  # lines in the Markdown section; the data keeps everything


def _endpoint(route: RouteSummary) -> str:
    methods = ",".join(route.methods) or "ANY"
    return f"{methods} {route.path}"


def _guards(names: Sequence[str]) -> str:
    return ", ".join(names)


def added_line(route: RouteSummary) -> str:
    """`+ POST /orders (create_order) — no authentication`."""
    text = f"+ {_endpoint(route)} ({route.handler})"
    if route.authentication:
        text += f" — authentication: {_guards(route.authentication)}"
    elif route.public:
        text += " — public"
    else:
        text += " — no authentication"
    if route.authorization:
        text += f"; authorization: {_guards(route.authorization)}"
    return text


def removed_line(route: RouteSummary) -> str:
    return f"- {_endpoint(route)} ({route.handler})"


def _change_text(change: ProtectionChange) -> str:
    kind, before, after = change.kind, list(change.before), list(change.after)
    if kind == "public":
        return "now public" if after == ["True"] else "no longer public"
    if before and not after:
        return f"{kind} removed (was {_guards(before)})"
    if after and not before:
        return f"{kind} added ({_guards(after)})"
    return f"{kind} changed ({_guards(before)} → {_guards(after)})"


def changed_line(item: ChangedRoute) -> str:
    """`~ GET /admin/stats: authentication removed (was login_required)`."""
    texts = "; ".join(_change_text(c) for c in item.changes)
    return f"~ {_endpoint(item.route)}: {texts}"


def lines(data: RouteChanges) -> list[str]:
    """One line per change, removed protection and new routes first."""
    found = (
        [changed_line(i) for i in data.changed]
        + [added_line(i) for i in data.added]
        + [removed_line(i) for i in data.removed]
    )
    return [" ".join(line.split()) for line in found]  # paths come from untrusted source


def _base_name(data: RouteChanges) -> str:
    return (data.base or data.ref)[:12]


def markdown_section(data: RouteChanges | None) -> str:
    """The "Route inventory changes" section of the PR summary ("" when not computed)."""
    if data is None:
        return ""
    title = "### Route inventory changes"
    if not data.available:
        reason = _md(data.reason or "the base is not available")
        return f"{title}\n\n_Not computed: {reason}._"
    found = lines(data)
    if not found:
        return f"{title}\n\nNo routes added, removed or changed since `{_base_name(data)}`."
    counts = (
        f"{len(data.added)} added, {len(data.removed)} removed, "
        f"{len(data.changed)} with changed protection since `{_base_name(data)}`"
    )
    # GitHub colours `+` green, `-` red and `!` orange inside a diff block
    shown = ["!" + line[1:] if line.startswith("~") else line for line in found[:MAX_LISTED]]
    if len(found) > MAX_LISTED:
        shown.append(f"… and {len(found) - MAX_LISTED} more")
    fence = _fence(shown)
    body = [title, "", counts, "", f"{fence}diff", *shown, fence]
    return "\n".join(body)


def terminal_lines(data: RouteChanges | None) -> list[str]:
    """Plain lines for the terminal report ([] when not computed)."""
    if data is None:
        return []
    if not data.available:
        return [f"Route inventory changes: not computed ({data.reason or 'no base'})"]
    found = lines(data)
    if not found:
        return [f"Route inventory changes: none since {_base_name(data)}"]
    return [f"Route inventory changes since {_base_name(data)}:"] + [f"  {x}" for x in found]


def _md(text: str) -> str:
    return " ".join(text.split()).replace("<", "&lt;").replace(">", "&gt;").replace("_", "\\_")


def _fence(texts: Sequence[str]) -> str:
    """A code fence longer than any backtick run in the text, so nothing breaks out of it."""
    longest = max((len(run) for t in texts for run in re.findall(r"`+", t)), default=0)
    return "`" * max(3, longest + 1)
