"""The reviewed code never runs, even when it shadows standard-library modules."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest
from cli_runner import run_reviewer

from reviewer.traversal import decode_source

REPO = Path(__file__).resolve().parent.parent
PAYLOAD = "import pathlib\npathlib.Path({marker!r}).write_text('ran')\n"


@pytest.mark.parametrize("module", ["http/__init__.py", "json.py", "re.py", "typing.py"])
def test_shadowing_modules_in_the_working_directory_are_not_imported(
    tmp_path: Path, module: str
) -> None:
    target = tmp_path / "target"
    marker = tmp_path / "pwned"
    path = target / module
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PAYLOAD.format(marker=str(marker)))
    (target / "app.py").write_text("import os\nprint(os.getcwd())\n")
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "SEMGREP_ENABLE_VERSION_CHECK": "0",
        "NO_COLOR": "1",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "reviewer",
            ".",
            "-q",
            "--no-cache",
            "--disable-analyzer",
            "semgrep",
        ],
        cwd=target,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stderr
    assert not marker.exists(), "the reviewed project's code was executed"


def test_analyzer_args_in_the_targets_config_stop_the_review(tmp_path: Path) -> None:
    """U2: the reproduction's `-o ….pth` from the checkout's config is refused, exit 2."""
    target = tmp_path / "target"
    target.mkdir()
    written = tmp_path / "zz-backend-review.pth"
    (target / ".backend-review.yml").write_text(
        "analyzers:\n  bandit:\n"
        f'    args: ["-s", "B000", "-f", "custom", "--msg-template", "x", "-o", "{written}"]\n'
    )
    (target / "app.py").write_text("import pickle\n\n\ndef load(b):\n    return pickle.loads(b)\n")
    result = run_reviewer(".", "-q", "--no-cache", cwd=target)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "analyzers.bandit.args" in result.stderr and ".backend-review.yml" in result.stderr
    assert "Traceback" not in result.stderr and not written.exists()


COOKIE_DIFFERENTIAL = """\
# -*- coding: utf-8 -*-
# vim: set fileencoding=utf-7 :
import sqlite3
from flask import Flask, request
app = Flask(__name__); conn = sqlite3.connect("app.db")
_doc = "+ACI-"

@app.route("/users")
def users():
    name = request.args["name"]
    return conn.execute(f"SELECT * FROM users WHERE name = '{name}'").fetchall()

_end = "+ACI-"
"""


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"# -*- coding: utf-8 -*-\n# vim: set fileencoding=utf-7 :\nx = 1\n", "x = 1"),
        (b"#!/usr/bin/env python\n# coding: latin-1\nx = '\xe9'\n", "x = '\xe9'"),
        (b"\xef\xbb\xbfx = 1\n", "x = 1"),
        (b"# coding: cp1252\nx = '\x80'\n", "x = '\u20ac'"),
    ],
)
def test_source_is_decoded_as_cpython_reads_it(data: bytes, expected: str) -> None:
    """PEP 263 as `tokenize` (CPython's rules) applies it: the first cookie of line 1 or 2."""
    text, reason = decode_source(data)
    assert reason == "" and text is not None and expected in text
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    assert text == data.decode(encoding).removeprefix("\ufeff")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"# coding: utf-7\nx = '+ACI-'\n", "'utf-7' is not ASCII-compatible"),
        (b"# coding: utf-16\nx = 1\n", "'utf-16' is not ASCII-compatible"),
        (b"# coding: punycode\nx=1\n", "'punycode' is not ASCII-compatible"),
        (b"# coding: rot13\nx=1\n", "'rot13' is not ASCII-compatible"),
        (b"# coding: cp037\nx=1\n", "'cp037' is not ASCII-compatible"),
        (b"# coding: no-such-codec\nx=1\n", "unknown encoding"),
        (b"\xef\xbb\xbf# coding: latin-1\nx=1\n", "bad source encoding declaration"),
        (b"x = 1\n# coding: latin-1\ny = '\xe9'\n", "not valid utf-8 text"),  # line 2 after code
    ],
)
def test_encodings_cpython_rejects_or_that_hide_code_are_refused(data: bytes, reason: str) -> None:
    text, why = decode_source(data)
    assert text is None and reason in why, why


def test_a_second_encoding_cookie_hides_nothing(tmp_path: Path) -> None:
    """U3: the native rules read what CPython runs, and a refused file keeps ruff's findings."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(COOKIE_DIFFERENTIAL, encoding="utf-8")
    only_utf7 = COOKIE_DIFFERENTIAL.replace("# -*- coding: utf-8 -*-\n", "", 1)
    (tmp_path / "app" / "utf7.py").write_text(only_utf7, encoding="utf-8")
    result = run_reviewer(
        *(".", "-q", "--no-cache", "--fail-on", "high"),
        *("--disable-analyzer", "semgrep", "--disable-analyzer", "bandit", "-f", "json"),
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    found = {(f["code"], f["location"]["path"], f["location"]["line"]) for f in report["findings"]}
    assert ("BR101", "app/views.py", 11) in found  # the injection the utf-7 reading hid
    assert ("BR901", "app/utf7.py", 1) in found  # not reviewed natively ...
    assert ("BR101", "app/utf7.py", 10) in found  # ... so ruff's S608 is kept, not dropped
    assert [e["path"] for e in report["not_reviewed"]] == ["app/utf7.py"]
