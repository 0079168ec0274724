"""`backend-review routes PATH`: build the route inventory of a target without running rules."""

from __future__ import annotations

from pathlib import Path

from reviewer.config import Config
from reviewer.discovery import SOURCE_SUFFIXES, find_sources
from reviewer.native import review_files
from reviewer.node import review_node
from reviewer.node.syntax import SUFFIXES as NODE_SUFFIXES
from reviewer.service import Route
from reviewer.sibling_tests import sibling_test_files


def inventory(root: Path, config: Config) -> tuple[Route, ...]:
    """Every route of the Python and Node files under `root` (discovery's excludes apply);
    a package folder is matched against its project's test folder beside it too."""
    found = find_sources(Path(root), config, (*SOURCE_SUFFIXES, *NODE_SUFFIXES))
    files: dict[str, bytes] = {}
    node_files: dict[str, bytes] = {}
    for source in found.files:
        target = node_files if source.relpath.endswith(NODE_SUFFIXES) else files
        try:
            target[source.relpath] = source.path.read_bytes()
        except OSError:
            continue
    beside = sibling_test_files(Path(root), config)
    routes = review_files(files, [], config, test_files=beside).project.routes
    return (*routes, *(review_node(node_files, config).routes if node_files else ()))
