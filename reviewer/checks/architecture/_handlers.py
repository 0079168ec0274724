"""Which functions of the visited file are route handlers, and how to name them in messages.

Route handlers come from the project's route inventory (`Project.routes`, built by
`reviewer/framework`); rules that use this run in phase 2 (`needs_project = True`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reviewer.context import FileContext


def handler_routes(ctx: FileContext, qualname: str) -> tuple[Any, ...]:
    """The routes the function `qualname` of the visited file serves (empty: not a handler)."""
    project = ctx.project
    if project is None:
        return ()
    return tuple(project.routes_of(ctx.relpath, qualname))


def handler_names(ctx: FileContext) -> frozenset[str]:
    project = ctx.project
    if project is None:
        return frozenset()
    return frozenset(project.handler_names(ctx.relpath))


def route_label(routes: tuple[Any, ...], qualname: str) -> str:
    """`create_order (POST /orders)`; several routes are summarised by the first."""
    if not routes:
        return f"`{qualname}`"
    first = routes[0]
    methods = ",".join(m for m in first.methods if m not in ("HEAD", "OPTIONS")) or "ANY"
    more = f" and {len(routes) - 1} more" if len(routes) > 1 else ""
    return f"`{qualname}` ({methods} {first.path}{more})"
