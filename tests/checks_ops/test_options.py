"""Thresholds of the architecture rules come from `rules: {CODE: {...}}` in the config."""

from __future__ import annotations

from pathlib import Path

from reviewer.checks.architecture.giant_controller import GiantController
from reviewer.checks.architecture.logic_in_controller import LogicInController
from reviewer.checks.async_io.blocking_call_in_async import BlockingCallInAsync
from reviewer.config import Config
from reviewer.model import Severity
from reviewer.native import review_files

APP = b"""
from flask import Flask
app = Flask(__name__)

@app.get("/orders")
def orders():
    rows = Order.query.all()
    extra = Refund.query.all()
    for row in rows:
        row.total = 1
    return {"n": len(rows) + len(extra)}
"""


def _codes(rule, options=None):
    config = Config(root=Path("."), rule_options=options or {})
    return [
        (f.code, f.location.line, dict(f.extra))
        for f in review_files({"app.py": APP}, [rule], config).findings
    ]


def test_logic_in_controller_thresholds_are_configurable() -> None:
    found = _codes(LogicInController)
    assert [(c, line) for c, line, _ in found] == [("BR401", 6)]
    assert found[0][2] == {"db_calls": 2, "models": 2, "loops": 1, "branches": 0, "statements": 5}
    assert _codes(LogicInController, {"BR401": {"max-loops": 5}}) == []


def test_giant_controller_thresholds_are_configurable() -> None:
    assert _codes(GiantController) == []
    found = _codes(GiantController, {"BR402": {"max-handler-lines": 3}})
    assert [(c, line) for c, line, _ in found] == [("BR402", 6)]
    assert found[0][2]["lines"] == 5


def test_blocking_call_in_flask_async_view_is_low_severity() -> None:
    source = b"import time\nfrom flask import Flask\n\nasync def view():\n    time.sleep(1)\n"
    config = Config(root=Path("."))
    (finding,) = review_files({"app.py": source}, [BlockingCallInAsync], config).findings
    assert finding.severity == Severity.LOW
    fastapi = source.replace(b"from flask import Flask", b"from fastapi import FastAPI")
    (finding,) = review_files({"app.py": fastapi}, [BlockingCallInAsync], config).findings
    assert finding.severity == Severity.MEDIUM
