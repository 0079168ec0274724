"""The route inventory changes of a diff (reviewer/route_changes.py computes them) as Markdown
for the PR summary and as terminal lines. Pure functions of the report's plain data."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

MAX_LISTED = 100  # lines in the Markdown section; the data keeps everything


def _endpoint(item: Mapping[str, Any]) -> str:
    methods = ",".join(item.get("methods") or ()) or "ANY"
    return f"{methods} {item.get('path', '')}"


def _guards(names: Sequence[str]) -> str:
    return ", ".join(names)


def added_line(item: Mapping[str, Any]) -> str:
    """`+ POST /orders (create_order) — no authentication`."""
    text = f"+ {_endpoint(item)} ({item.get('handler', '')})"
    auth = item.get("authentication") or []
    if auth:
        text += f" — authentication: {_guards(auth)}"
    elif item.get("public"):
        text += " — public"
    else:
        text += " — no authentication"
    if item.get("authorization"):
        text += f"; authorization: {_guards(item['authorization'])}"
    return text


def removed_line(item: Mapping[str, Any]) -> str:
    return f"- {_endpoint(item)} ({item.get('handler', '')})"


def _change_text(change: Mapping[str, Any]) -> str:
    kind, before, after = change["kind"], list(change["before"]), list(change["after"])
    if kind == "public":
        return "now public" if after == ["True"] else "no longer public"
    if before and not after:
        return f"{kind} removed (was {_guards(before)})"
    if after and not before:
        return f"{kind} added ({_guards(after)})"
    return f"{kind} changed ({_guards(before)} → {_guards(after)})"


def changed_line(item: Mapping[str, Any]) -> str:
    """`~ GET /admin/stats: authentication removed (was login_required)`."""
    texts = "; ".join(_change_text(c) for c in item.get("changes") or ())
    return f"~ {_endpoint(item)}: {texts}"


def lines(data: Mapping[str, Any]) -> list[str]:
    """One line per change, removed protection and new routes first."""
    found = (
        [changed_line(i) for i in data.get("changed") or ()]
        + [added_line(i) for i in data.get("added") or ()]
        + [removed_line(i) for i in data.get("removed") or ()]
    )
    return [" ".join(line.split()) for line in found]  # paths come from untrusted source


def _base_name(data: Mapping[str, Any]) -> str:
    return str(data.get("base") or data.get("ref") or "")[:12]


def markdown_section(extra: Mapping[str, Any]) -> str:
    """The "Route inventory changes" section of the PR summary ("" when not computed)."""
    data = extra.get("route_changes")
    if not isinstance(data, Mapping):
        return ""
    title = "### Route inventory changes"
    if not data.get("available"):
        reason = _md(str(data.get("reason") or "the base is not available"))
        return f"{title}\n\n_Not computed: {reason}._"
    found = lines(data)
    if not found:
        return f"{title}\n\nNo routes added, removed or changed since `{_base_name(data)}`."
    counts = (
        f"{len(data.get('added') or ())} added, {len(data.get('removed') or ())} removed, "
        f"{len(data.get('changed') or ())} with changed protection since `{_base_name(data)}`"
    )
    # GitHub colours `+` green, `-` red and `!` orange inside a diff block
    shown = ["!" + line[1:] if line.startswith("~") else line for line in found[:MAX_LISTED]]
    if len(found) > MAX_LISTED:
        shown.append(f"… and {len(found) - MAX_LISTED} more")
    fence = _fence(shown)
    body = [title, "", counts, "", f"{fence}diff", *shown, fence]
    return "\n".join(body)


def terminal_lines(extra: Mapping[str, Any]) -> list[str]:
    """Plain lines for the terminal report ([] when not computed)."""
    data = extra.get("route_changes")
    if not isinstance(data, Mapping):
        return []
    if not data.get("available"):
        return [f"Route inventory changes: not computed ({data.get('reason') or 'no base'})"]
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
