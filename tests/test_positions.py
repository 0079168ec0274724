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


def test_stopping_at_the_wanted_nodes_gives_the_same_positions() -> None:
    """Code generation that stops once the wanted nodes are placed answers as a full one."""
    from reviewer.walk import walk

    module = cst.parse_module(SAMPLE)
    full = Positions(module)
    nodes = list(walk(module))
    assert len(nodes) > 100
    for node in nodes:
        assert Positions(module, {node}).range(node) == full.range(node), type(node).__name__
    early = Positions(module, {nodes[5]})
    assert early.partial and early.range(nodes[-1]) is None  # past the stop: unknown
    last_statement = module.body[-1]
    assert Positions(module, {nodes[5], last_statement}).range(nodes[5]) == full.range(nodes[5])


def test_file_context_places_a_node_it_was_not_asked_for_in_advance() -> None:
    from reviewer.config import Config
    from reviewer.context import FileContext
    from reviewer.imports import ImportTable
    from reviewer.model import Location

    module = cst.parse_module(SAMPLE)
    ctx = FileContext("a.py", SAMPLE, module, ImportTable(), Config(root=REPO))
    first, last = module.body[0], module.body[-1]
    assert ctx.location(first).line == 1  # positions computed up to `first` only
    assert ctx.location(last).line == 16  # beyond the stop: recomputed in full
    assert ctx.location(last) == Location("a.py", 16, 1, 17, 22)
