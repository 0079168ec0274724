"""Helpers for the checks' unit tests: a file context from source, analyzer runs on a snippet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import libcst as cst

from reviewer.config import Config
from reviewer.context import FileContext
from reviewer.imports import build_import_table


def file_context(source: str, relpath: str = "app.py") -> FileContext:
    module = cst.parse_module(source)
    return FileContext(
        relpath=relpath,
        source=source,
        module=module,
        imports=build_import_table(module, relpath),
        config=Config(root=Path(".")),
    )


def first_call(source: str) -> tuple[FileContext, cst.Call]:
    """The context of `source` and the last statement's outermost call."""
    ctx = file_context(source)
    statement = ctx.module.body[-1]
    assert isinstance(statement, cst.SimpleStatementLine)
    expr = statement.body[0]
    assert isinstance(expr, cst.Expr) and isinstance(expr.value, cst.Call)
    return ctx, expr.value


def ruff_lines(path: Path, codes: str) -> set[int]:
    """Lines where the real ruff reports one of `codes` (comma-separated) in `path`."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--isolated",
            "--select",
            codes,
            "--output-format",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return {item["location"]["row"] for item in json.loads(out.stdout or "[]")}


def bandit_lines(path: Path, tests: str) -> set[int]:
    """Lines where the real bandit reports one of `tests` (comma-separated) in `path`."""
    out = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-t", tests, "-f", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return {item["line_number"] for item in json.loads(out.stdout)["results"]}
