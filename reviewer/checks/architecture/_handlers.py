"""How the architecture rules name a route handler in their messages.

Which functions are handlers comes from the route inventory (`reviewer.framework.lookup`).
"""

from __future__ import annotations

from reviewer.http import shown_methods
from reviewer.service import Route


def route_label(routes: tuple[Route, ...], qualname: str) -> str:
    """`create_order (POST /orders)`; several routes are summarised by the first."""
    if not routes:
        return f"`{qualname}`"
    first = routes[0]
    more = f" and {len(routes) - 1} more" if len(routes) > 1 else ""
    return f"`{qualname}` ({shown_methods(first.methods)} {first.path}{more})"
