"""Routes anonymous callers must reach by nature (login, password reset...), in path forms."""

from __future__ import annotations

import pytest

from reviewer.framework.lookup import public_by_nature
from reviewer.service import Route


def route(path: str, handler: str = "h") -> Route:
    return Route(
        framework="express",
        methods=("POST",),
        path=path,
        handler=handler,
        module="app",
        file="app.js",
        line=1,
    )


@pytest.mark.parametrize(
    "path",
    ["/forgot", "/auth/forgot/password", "/v1/auth/reset/password", "/password-reset", "/login"],
)
def test_password_reset_in_any_separator_is_public(path: str) -> None:
    assert public_by_nature(route(path))


@pytest.mark.parametrize("path", ["/ai/agent/reset", "/devices/:id/reset", "/forgotten-items"])
def test_other_resets_are_not(path: str) -> None:
    assert not public_by_nature(route(path))
