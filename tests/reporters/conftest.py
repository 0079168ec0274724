"""Fixtures for the reporter tests: the sample service on disk, its Report, golden files."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from reporter_sample import SAMPLE_FILES, SNAPSHOTS, build_report

from reviewer.model import Report
from reviewer.scoring import ChecklistItem, load_checklist


@pytest.fixture(scope="session")
def checklist() -> tuple[ChecklistItem, ...]:
    return load_checklist()


@pytest.fixture(scope="session")
def sample_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fake repository root holding the sample service under service/."""
    root = tmp_path_factory.mktemp("repo")
    for relpath, data in SAMPLE_FILES.items():
        path = root / "service" / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


@pytest.fixture(autouse=True)
def _inside_sample_root(sample_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports name their target relative to the working directory, as the CLI does."""
    monkeypatch.chdir(sample_root)


@pytest.fixture(scope="session")
def report(checklist: tuple[ChecklistItem, ...]) -> Report:
    return build_report(Path("service"), checklist)


@pytest.fixture
def snapshot() -> Callable[[str, str], None]:
    """Compare text with a golden file; UPDATE_SNAPSHOTS=1 (re)writes it instead."""

    def check(name: str, text: str) -> None:
        path = SNAPSHOTS / name
        if os.environ.get("UPDATE_SNAPSHOTS") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            return
        assert path.exists(), f"missing golden file {path}; run with UPDATE_SNAPSHOTS=1"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"{name} differs from its golden file (UPDATE_SNAPSHOTS=1)"

    return check
