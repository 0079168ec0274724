"""Our cheap positions equal libcst's PositionProvider on every node."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from reviewer.positions import Positions

REPO = Path(__file__).resolve().parent.parent
SAMPLE = '''\
"""Doc."""
import os  # comment

@decorator(arg)
async def handler(request, *, q: str = "x") -> dict:
    # leading comment
    value = f"{q!r:>{10}}" + "a" \\
        "b"
    for item in [x for x in range(3) if x]:
        with open(os.path.join("a", item)) as fh, lock:
            pass
    try:
        return {"k": (value, lambda y: y ** 2)}
    except (ValueError, TypeError) as exc:
        raise RuntimeError() from exc
class A(B, metaclass=M):
    x: int = 1; y = 2
'''


def assert_same(module: cst.Module) -> int:
    ours = Positions(module)
    theirs = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    for node, rng in theirs.items():
        expected = (rng.start.line, rng.start.column, rng.end.line, rng.end.column)
        assert ours.range(node) == expected, (type(node).__name__, ours.range(node), expected)
    return len(theirs)


def test_same_positions_on_tricky_sample() -> None:
    assert assert_same(cst.parse_module(SAMPLE)) > 100


def test_same_positions_on_our_own_code() -> None:
    total = 0
    for path in sorted((REPO / "reviewer").rglob("*.py"))[:40]:
        total += assert_same(cst.parse_module(path.read_bytes()))
    assert total > 10_000
