"""`backend-review routes PATH`: build the route inventory of a target without running rules."""

from __future__ import annotations

from pathlib import Path

from reviewer.config import Config
from reviewer.discovery import find_sources
from reviewer.native import review_files
from reviewer.service import Route


def inventory(root: Path, config: Config) -> tuple[Route, ...]:
    """Every route of the Python files under `root` (discovery's excludes apply)."""
    found = find_sources(Path(root), config)
    files: dict[str, bytes] = {}
    for source in found.files:
        try:
            files[source.relpath] = source.path.read_bytes()
        except OSError:
            continue
    return tuple(review_files(files, [], config).project.routes)
