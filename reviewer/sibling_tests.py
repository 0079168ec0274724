"""The test suite beside a reviewed folder: `backend-review routes CTFd/` where the project keeps
its tests in `../tests`, or `src/pkg` with `../../tests` (issue 13 item 4).

Only read, never run: the files are handed to the test-call collector so routes can be marked
tested; no rule reports on them. The project root must say it is one (pyproject.toml, setup.py,
setup.cfg, tox.ini, pytest.ini), so reviewing a folder never reads an unrelated parent's files;
discovery's excludes, .gitignore and symlink rules apply inside the test folder.
"""

from __future__ import annotations

from pathlib import Path

from reviewer.config import Config
from reviewer.discovery import find_sources

PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "tox.ini", "pytest.ini")
TEST_DIRS = ("tests", "test")
# A bound on what a hostile tree can make us read, and on the cost: every file is parsed with
# libcst for its test-client calls. The corpus apps' suites beside a package hold at most 129
# files; Django's 1935-file tests/ beside django/ made a cold review of django/ 2.5 times
# slower (benchmarks/run.py, 2026-12-03), so past this many files, in path order, the rest of
# the suite is not read (routes it alone tests are then reported untested, BR804 low).
MAX_FILES = 200


def sibling_test_files(root: Path, config: Config) -> dict[str, bytes]:
    """Python files of the project's test folder next to `root`, by a path relative to `root`
    (`../tests/test_api.py`); empty when `root` is no folder or its project root has none."""
    try:
        root = root.resolve()
    except OSError:
        return {}
    if not root.is_dir():
        return {}
    bases = [(root.parent, "..")]
    if root.parent.name == "src":
        bases.append((root.parent.parent, "../.."))
    files: dict[str, bytes] = {}
    for base, up in bases:
        if not any((base / marker).is_file() for marker in PROJECT_MARKERS):
            continue
        for name in TEST_DIRS:
            folder = base / name
            if folder.is_symlink() or not folder.is_dir() or folder == root:
                continue
            for source in find_sources(folder, config, (".py",)).files:
                if len(files) >= MAX_FILES:
                    return files
                try:
                    files[f"{up}/{name}/{source.relpath}"] = source.path.read_bytes()
                except OSError:
                    continue
    return files
