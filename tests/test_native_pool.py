"""The process pool gives exactly the sequential results, in both phases."""

from __future__ import annotations

from pathlib import Path

from reviewer import native
from reviewer.config import Config
from reviewer.registry import load as load_registry

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_pool_and_sequential_runs_agree() -> None:
    files = {
        path.relative_to(FIXTURES).as_posix(): path.read_bytes()
        for path in sorted(FIXTURES.glob("*_service/**/*.py"))
    }
    config = Config(root=FIXTURES)
    rules = load_registry(config).enabled_native
    sequential = native.review_files(files, rules, config, jobs=1)
    pooled = native.review_files(files, rules, config, jobs=2)
    second_phase = [rel for rel in sequential.project.files if rel in files]
    assert len(second_phase) >= native.POOL_MIN_FILES  # phase 2 went through the pool too
    assert sorted(pooled.findings, key=lambda f: f.sort_key) == sorted(
        sequential.findings, key=lambda f: f.sort_key
    )
    assert pooled.project.routes == sequential.project.routes
    assert {f.code for f in sequential.findings} >= {"BR101", "BR301"}
