"""The end of a run that a signal asks for waits while code that must not be cut runs."""

import os
import signal

import pytest

from reviewer.run_limits import TerminatedError, held_back, terminate_on_sigterm


def test_sigterm_inside_held_back_is_raised_after_the_block() -> None:
    steps: list[str] = []
    with pytest.raises(TerminatedError), terminate_on_sigterm():
        with held_back():
            os.kill(os.getpid(), signal.SIGTERM)
            steps.append("rest of the block ran")
        steps.append("after the block")
    assert steps == ["rest of the block ran"]


def test_sigterm_outside_held_back_ends_at_once() -> None:
    steps: list[str] = []
    with pytest.raises(TerminatedError), terminate_on_sigterm():
        os.kill(os.getpid(), signal.SIGTERM)
        steps.append("not reached")
    assert steps == []


def test_nested_blocks_raise_once_when_the_outer_one_ends() -> None:
    steps: list[str] = []
    with pytest.raises(TerminatedError), terminate_on_sigterm(), held_back():
        with held_back():
            os.kill(os.getpid(), signal.SIGTERM)
        steps.append("outer block went on")
    assert steps == ["outer block went on"]
    with held_back():
        steps.append("nothing left held")
