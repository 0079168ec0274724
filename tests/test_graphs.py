"""reviewer.graphs.cycles: the strongly connected components the layer rules and tests use."""

from __future__ import annotations

from reviewer.graphs import cycles


def test_components_of_two_or_more_are_found_and_sorted() -> None:
    edges = {
        "a": ["b"],
        "b": ["c"],
        "c": ["a", "d"],
        "d": ["e"],
        "e": ["d"],
        "f": ["f", "a"],  # a self-loop alone is no cycle of modules
    }
    assert cycles(edges) == [["a", "b", "c"], ["d", "e"]]


def test_a_graph_without_cycles_and_a_deep_chain() -> None:
    assert cycles({"a": ["b"], "b": ["c"]}) == []
    chain = {str(i): [str(i + 1)] for i in range(5000)}  # no recursion limit
    chain["5000"] = ["0"]
    assert len(cycles(chain)) == 1 and len(cycles(chain)[0]) == 5001
