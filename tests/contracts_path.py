"""Where the tests read the shared contracts (SARIF schema, GitHub REST subset, events)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def contracts_dir() -> Path:
    """$BACKEND_REVIEW_CONTRACTS, else `../shared/contracts` beside the repository, else the
    copy in tests/contracts/."""
    env = os.environ.get("BACKEND_REVIEW_CONTRACTS")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared" / "contracts", REPO / "tests" / "contracts"]
    for candidate in candidates:
        if (candidate / "sarif-schema-2.1.0.json").is_file() and (
            candidate / "github-rest-subset.json"
        ).is_file():
            return candidate
    raise FileNotFoundError("contracts not found; set BACKEND_REVIEW_CONTRACTS")
