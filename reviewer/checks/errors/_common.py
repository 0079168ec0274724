"""Helpers shared by the error-handling rules: what an `except` catches and what its body does."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from reviewer.checks.logging_calls import is_logging_call
from reviewer.imports import dotted_name
from reviewer.walk import walk_scope

BROAD = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})
# Calls that report an exception somewhere a human will see it.
REPORTERS = frozenset(
    {
        "traceback.print_exc",
        "traceback.print_exception",
        "warnings.warn",
        "sentry_sdk.capture_exception",
        "sentry_sdk.capture_message",
        "capture_exception",
        "capture_message",
        "print",
    }
)


def caught_names(
    handler: cst.ExceptHandler | cst.ExceptStarHandler, resolve: Callable[..., str | None]
) -> list[str] | None:
    """Qualified names of the exception types caught; None for a bare `except:`."""
    if handler.type is None:
        return None
    items = (
        [e.value for e in handler.type.elements]
        if isinstance(handler.type, cst.Tuple)
        else [handler.type]
    )
    return [resolve(item) or dotted_name(item) or "" for item in items]


def is_broad(names: list[str] | None) -> bool:
    return names is None or any(n in BROAD for n in names)


def reports_or_raises(body: cst.CSTNode, resolve: Callable[..., str | None]) -> bool:
    """The handler body re-raises, aborts, logs or hands the error to an error tracker."""
    for node in walk_scope(body):
        if isinstance(node, cst.Raise):
            return True
        if isinstance(node, cst.Call):
            name = resolve(node.func) or ""
            last = name.rsplit(".", 1)[-1]
            if is_logging_call(node, resolve) or name in REPORTERS or last in REPORTERS:
                return True
            if name.startswith("traceback.") or name in {"click.echo", "click.secho"}:
                return True
            if last in {"abort", "exit", "_exit", "fail"}:
                return True
    return False


def uses_name(body: cst.CSTNode, name: str) -> bool:
    return any(isinstance(n, cst.Name) and n.value == name for n in walk_scope(body))
