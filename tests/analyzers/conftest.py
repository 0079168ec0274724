"""Small target projects for the analyzer tests, written into tmp_path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from reviewer.config import AnalyzerConfig

DATA = Path(__file__).resolve().parent / "data"

APP = """\
import subprocess

import requests


def run(cmd: str) -> None:
    subprocess.call(cmd, shell=True)
    subprocess.call(cmd, shell=True)  # nosec
    subprocess.call(cmd, shell=True)  # noqa: S602


def fetch(url: str) -> bytes:
    print(url)
    try:
        return requests.get(url, timeout=5, verify=False).content
    except:
        return b""
"""

# PEP 701 f-string (3.12 syntax): bandit on 3.11 cannot parse it, ruff and semgrep can.
NEW_SYNTAX = """\
def greet(names: list[str]) -> str:
    print(names)
    return f"hello {", ".join(names)}"
"""

BROKEN = """\
def broken(:
    pass
"""


def write(root: Path, files: dict[str, str]) -> list[Path]:
    """Write `files` (relative path -> source) under root; return the relative paths."""
    paths = []
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        paths.append(Path(rel))
    return paths


def only(*names: str, **overrides: AnalyzerConfig) -> dict[str, AnalyzerConfig]:
    """Configs enabling just `names` (others disabled), with per-analyzer overrides."""
    configs = {n: AnalyzerConfig(enabled=n in names) for n in ("bandit", "ruff", "semgrep")}
    configs.update(overrides)
    return configs


@pytest.fixture
def data_dir() -> Path:
    return DATA
