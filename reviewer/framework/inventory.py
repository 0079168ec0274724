"""`backend-review routes PATH`: build the route inventory of a target without running rules."""

from __future__ import annotations

from pathlib import Path

from reviewer.config import Config
from reviewer.discovery import SOURCE_SUFFIXES, find_sources
from reviewer.framework.apps import declared_apps
from reviewer.native import review_files
from reviewer.node import review_node
from reviewer.node.syntax import SUFFIXES as NODE_SUFFIXES
from reviewer.service import Route
from reviewer.sibling_tests import sibling_test_files


def inventory(root: Path, config: Config) -> tuple[Route, ...]:
    """Every route of the Python and Node files under `root` (discovery's excludes apply);
    a package folder is matched against its project's test folder beside it too."""
    return inventory_with_notes(root, config)[0]


def inventory_with_notes(root: Path, config: Config) -> tuple[tuple[Route, ...], list[str]]:
    """The inventory, and what to tell the user about it: when no route was resolved although
    the project builds framework apps, blueprints or routers, where those are."""
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
    project = review_files(files, [], config, test_files=beside).project
    routes = (*project.routes, *(review_node(node_files, config).routes if node_files else ()))
    notes: list[str] = []
    declared = declared_apps(project.facts) if not routes else []
    if declared:
        shown = "; ".join(declared[:5]) + (
            f"; and {len(declared) - 5} more" if len(declared) > 5 else ""
        )
        notes.append(
            "no route could be resolved, although the project declares web-framework objects "
            f"({shown}): its routes are registered in a way backend-review does not read, so "
            "the route-based checks reviewed nothing"
        )
    return routes, notes
