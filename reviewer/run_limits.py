"""How a review run ends early, cleanly: `--time-limit` and SIGTERM (issue 11, U13, U22).

Both raise a BaseException in the main thread, so no `except Exception` on the way (a rule's
crash guard, an analyzer's) swallows it, and every `finally` and context manager runs: the
process pool is shut down, the running analyzers (in their own sessions, where no terminal
signal reaches them) are killed by process group, nothing is left orphaned. Without a
handler, SIGTERM ended the process at once and left its analyzers and pool workers running.
"""

from __future__ import annotations

import argparse
import math
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class TimeLimitReachedError(BaseException):
    """--time-limit passed; the argument is the limit as given."""


class TerminatedError(BaseException):
    """SIGTERM arrived."""


def positive_seconds(text: str) -> float:
    """argparse type: a finite positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise TimeLimitReachedError in the main thread after `seconds` (SIGALRM; Python's
    regex engine and blocking waits are interrupted by it). Forked workers inherit no timer."""
    if not seconds or not hasattr(signal, "setitimer") or not _in_main_thread():
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        _end_run(TimeLimitReachedError(f"{seconds:g}"))

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def terminate_on_sigterm() -> Iterator[None]:
    """While inside, SIGTERM raises TerminatedError in the main thread (then the handler that
    was there before is restored, for an in-process caller)."""
    if not _in_main_thread():
        yield
        return

    def terminated(signum: int, frame: Any) -> None:
        _end_run(TerminatedError())

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# Ends held back while the main thread is inside `held_back()` (the first one counts).
_held: list[BaseException] = []
_holding = 0


def _end_run(end: BaseException) -> None:
    if _holding and _in_main_thread():
        _held.append(end)
        return
    raise end


@contextmanager
def held_back() -> Iterator[None]:
    """A signal's end of the run waits until the block is done, then is raised.

    For code that must not be cut in the middle: an exception raised inside
    ProcessPoolExecutor.submit, between the pool creating its manager thread and starting it,
    left a pool whose shutdown failed with "cannot join thread before it is started"; one
    raised in the at-fork hooks of a starting worker was printed as "Exception ignored" and
    lost, so the review went on after SIGTERM. Masking the signal would not do: another thread
    of the process (an analyzer's reader) takes it and the handler still runs here."""
    global _holding
    _holding += 1
    try:
        yield
    finally:
        _holding -= 1
        if not _holding and _held:
            end = _held[0]
            _held.clear()
            raise end
