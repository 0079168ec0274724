"""Line/column positions of libcst nodes at a fraction of PositionProvider's cost.

libcst's PositionProvider regenerates the module's code while tracking line and column for
every token and building a CodeRange for every node: on large files that costs seven times a
plain code generation. Here code generation records only token indices per node; lines and
columns are computed for the nodes someone actually asks about. The semantics are libcst's
(syntactic positions: a statement starts at its first token, not at its leading comments).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from itertools import accumulate

import libcst as cst
from libcst._nodes.internal import CodegenState

_NEWLINE = re.compile(r"\r\n?|\n")


class _AllPlacedError(Exception):
    """Every wanted node has its span: the rest of the module need not be generated."""


class _SpanState(CodegenState):
    """Code generation that notes each node's (first token, past-last token) indices."""

    def __init__(self, module: cst.Module, wanted: set[cst.CSTNode] | None) -> None:
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        self.spans: dict[cst.CSTNode, tuple[int, int]] = {}
        self._starts: list[int] = []
        self._wanted = wanted

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append(len(self.tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._starts.pop()
        if node not in self.spans:
            self.spans[node] = (start, len(self.tokens))
        if self._wanted is not None and node in self._wanted:
            self._wanted.discard(node)
            if not self._wanted:
                raise _AllPlacedError

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        start = len(self.tokens)
        yield  # not in try/finally: after _AllPlacedError, the span of end_node may not exist
        end = len(self.tokens)
        if start_node is not None:
            start = self.spans[start_node][0]
        if end_node is not None:
            end = self.spans[end_node][1]
        self.spans[node] = (start, end)


class Positions:
    """Positions for the nodes of one module; `range(node)` gives 1-based lines, 0-based columns.

    Given `wanted` nodes, code generation stops once they all have their span (on average
    half the file); `range` of any other node may then be None (`partial` is True).
    """

    def __init__(self, module: cst.Module, wanted: Collection[cst.CSTNode] | None = None) -> None:
        state = _SpanState(module, set(wanted) if wanted is not None else None)
        self.partial = False
        try:
            module._codegen(state)
        except _AllPlacedError:
            self.partial = True
        self._spans = state.spans
        self._offsets = list(accumulate((len(t) for t in state.tokens), initial=0))
        text = "".join(state.tokens)
        self._line_starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]

    def _point(self, token_index: int) -> tuple[int, int]:
        offset = self._offsets[min(token_index, len(self._offsets) - 1)]
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1]

    def range(self, node: cst.CSTNode) -> tuple[int, int, int, int] | None:
        """(start line, start column, end line, end column) or None for unknown nodes."""
        span = self._spans.get(node)
        if span is None:
            return None
        start_line, start_col = self._point(span[0])
        end_line, end_col = self._point(span[1])
        return start_line, start_col, end_line, end_col
