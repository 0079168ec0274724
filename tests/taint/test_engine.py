"""The taint engine's joins: recursion terminates, re-exports resolve, facts pickle, flows show.

Run through the production native pipeline (`reviewer.native.review_files`: phase 1 collects the
summaries, the project join builds the index, phase 2 re-reads the taint-relevant files)."""

from __future__ import annotations

import pickle
from pathlib import Path

from reviewer.checks.injection.command_injection import CommandInjection
from reviewer.checks.injection.open_redirect import OpenRedirect
from reviewer.config import Config
from reviewer.model import Confidence, Finding
from reviewer.native import review_files
from reviewer.service import Project

CONFIG = Config(root=Path("."))


def _run(files: dict[str, str]) -> tuple[list[Finding], Project]:
    data = {path: text.encode() for path, text in files.items()}
    result = review_files(data, [CommandInjection], CONFIG)
    return list(result.findings), result.project


def test_mutual_recursion_terminates_and_still_flows() -> None:
    findings, _ = _run(
        {
            "app/views.py": """
import os
from flask import request

def ping(host, n):
    if n > 0:
        return pong(host, n - 1)
    os.system("ping " + host)

def pong(host, n):
    return ping(host, n)

@app.route("/p")
def view():
    return ping(request.args["h"], 3)
""",
        }
    )
    assert [(f.location.path, f.location.line) for f in findings] == [("app/views.py", 8)]


def test_reexport_through_package_init_and_flow_evidence() -> None:
    findings, project = _run(
        {
            "app/__init__.py": "",
            "app/tools/__init__.py": "from .shell import run\n",
            "app/tools/shell.py": "import os\n\ndef run(cmd):\n    os.system(cmd)\n",
            "app/views.py": """
from flask import Flask, request
from app.tools import run

app = Flask(__name__)

@app.route("/r")
def view():
    q = request.args["q"]
    run(q)
    return "ok"
""",
        }
    )
    assert [(f.location.path, f.location.line) for f in findings] == [("app/tools/shell.py", 4)]
    finding = findings[0]
    assert finding.confidence is Confidence.HIGH
    assert "request.args" in finding.flow[0].message
    assert finding.flow[-1].message.startswith("sink: os.system")
    assert project.taint.relevant_files() == frozenset({"app/tools/shell.py"})


def test_unresolved_call_lowers_confidence_and_facts_pickle() -> None:
    findings, project = _run(
        {
            "svc.py": """
import os
import thirdparty
from flask import request

@app.route("/x")
def view():
    cmd = thirdparty.normalize(request.args["c"])
    os.system(cmd)
""",
        }
    )
    assert [f.confidence for f in findings] == [Confidence.MEDIUM]
    assert (
        pickle.loads(pickle.dumps(project.taint)).functions.keys() == project.taint.functions.keys()
    )


def test_litestar_handler_parameters_that_carry_client_data() -> None:
    """Litestar hands a handler its body as `data` and path/query values as simple-typed
    parameters; a dependency it injects by name (a service, the current user) is no source, nor
    is an `int` path parameter."""
    findings, _ = _run(
        {
            "app.py": """
import os
from litestar import Controller, get, post

class Jobs(Controller):
    path = "/jobs"

    @post("/run")
    async def run(self, data: dict, runner: Runner) -> None:
        os.system("run " + data["cmd"])

    @get("/{job_id:int}/logs")
    async def logs(self, job_id: int, pattern: str, runner: Runner) -> None:
        os.system(f"grep {pattern} /var/log/{job_id}")
        os.system("tail " + runner.path)
        os.system(f"cat /var/log/{job_id}")

@get("/ping")
async def ping(host: str | None = None) -> None:
    os.system("ping " + host)
""",
        }
    )
    assert sorted(f.location.line for f in findings) == [10, 14, 20]


def test_a_package_directorys_own_guard_resolves_by_its_absolute_name(tmp_path: Path) -> None:
    """`backend-review shop/` with `shop/__init__.py`: `from shop import checks` names the
    module reviewed as `checks`; its host check still clears the redirect target."""
    root = tmp_path / "shop"
    root.mkdir()
    (root / "__init__.py").write_text("")
    files = {
        "__init__.py": "",
        "checks.py": """
from urllib.parse import urlparse

def is_local(target):
    return urlparse(target).netloc == ""
""",
        "views.py": """
from flask import Flask, redirect, request
from shop import checks

app = Flask(__name__)

@app.route("/a")
def checked():
    target = request.args["next"]
    if checks.is_local(target):
        return redirect(target)
    return redirect("/")

@app.route("/b")
def unchecked():
    return redirect(request.args["next"])
""",
    }
    data = {path: text.encode() for path, text in files.items()}
    result = review_files(data, [OpenRedirect], Config(root=root))
    assert [(f.location.path, f.location.line) for f in result.findings] == [("views.py", 16)]
