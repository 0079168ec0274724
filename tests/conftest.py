"""Shared test helpers: where the repository and the shared contracts are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def contracts_dir() -> Path:
    """`../shared/contracts` beside the repository, or $BACKEND_REVIEW_CONTRACTS."""
    env = os.environ.get("BACKEND_REVIEW_CONTRACTS")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared" / "contracts", REPO / "shared" / "contracts"]
    for candidate in candidates:
        if (candidate / "sarif-schema-2.1.0.json").is_file():
            return candidate
    raise FileNotFoundError("shared/contracts not found; set BACKEND_REVIEW_CONTRACTS")


@pytest.fixture(scope="session")
def contracts() -> Path:
    return contracts_dir()
