"""Shared test helpers: where the repository and the shared contracts are."""

from __future__ import annotations

from pathlib import Path

import pytest
from contracts_path import contracts_dir

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


@pytest.fixture(scope="session")
def contracts() -> Path:
    return contracts_dir()
