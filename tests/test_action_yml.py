"""action.yml against GitHub's action metadata rules, and its review step run as a runner would.

The metadata rules (docs.github.com, "Metadata syntax for GitHub Actions"): `name`,
`description` and `runs` are required; input ids start with a letter or `_` and hold only
alphanumerics, `-` and `_`; every input has a `description`; a composite action's outputs each
need `description` and `value`; `runs.using: composite` with `steps`, and a step that has `run`
must say its `shell`. The injection rule: user inputs reach shell scripts only through `env`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from packaging.requirements import Requirement  # pytest's own dependency
from packaging.utils import canonicalize_name
from packaging.version import Version

from reviewer.github import outputs as action_outputs

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
CONSTRAINTS = ROOT / ".ci" / "action-constraints.txt"
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
ID = "^[A-Za-z_][A-Za-z0-9_-]*$"

STEP = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": ID},
        "if": {"type": ["string", "boolean"]},
        "name": {"type": "string"},
        "run": {"type": "string"},
        "shell": {"type": "string"},
        "uses": {"type": "string"},
        "with": {"type": "object"},
        "env": {
            "type": "object",
            "additionalProperties": {"type": ["string", "number", "boolean"]},
        },
        "working-directory": {"type": "string"},
        "continue-on-error": {"type": ["string", "boolean"]},
    },
    "additionalProperties": False,
    "oneOf": [{"required": ["run", "shell"]}, {"required": ["uses"]}],
}
SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["name", "description", "runs"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "author": {"type": "string"},
        "description": {"type": "string", "minLength": 1},
        "branding": {
            "type": "object",
            "properties": {"icon": {"type": "string"}, "color": {"type": "string"}},
            "additionalProperties": False,
        },
        "inputs": {
            "type": "object",
            "propertyNames": {"pattern": ID},
            "additionalProperties": {
                "type": "object",
                "required": ["description"],
                "properties": {
                    "description": {"type": "string", "minLength": 1},
                    "required": {"type": "boolean"},
                    "default": {"type": "string"},
                    "deprecationMessage": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
        "outputs": {
            "type": "object",
            "propertyNames": {"pattern": ID},
            "additionalProperties": {
                "type": "object",
                "required": ["description", "value"],
                "properties": {
                    "description": {"type": "string", "minLength": 1},
                    "value": {"type": "string", "minLength": 1},
                },
                "additionalProperties": False,
            },
        },
        "runs": {
            "type": "object",
            "required": ["using", "steps"],
            "properties": {
                "using": {"const": "composite"},
                "steps": {"type": "array", "minItems": 1, "items": STEP},
            },
            "additionalProperties": False,
        },
    },
}
INPUTS = {
    "path",
    "fail-under",
    "fail-on",
    "fail-on-unreviewed",
    "filter-mode",
    "max-comments",
    "sarif-file",
    "upload-sarif",
    "config",
    "github-token",
}
OUTPUTS = {"score", "new-code-score", "sarif-file", "findings"}


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return data


def test_metadata_follows_githubs_rules(action: dict[str, Any]) -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    errors = sorted(jsonschema.Draft7Validator(SCHEMA).iter_errors(action), key=str)
    assert not errors, [e.message for e in errors]
    assert set(action["inputs"]) >= INPUTS and set(action["outputs"]) == OUTPUTS
    ids = [s["id"] for s in action["runs"]["steps"] if "id" in s]
    assert len(ids) == len(set(ids))
    for output in action["outputs"].values():
        match = EXPR.fullmatch(output["value"])
        assert match and match.group(1).startswith("steps.")
        assert match.group(1).split(".")[1] in ids
    # input ids are case-insensitive on GitHub
    assert len({k.lower() for k in action["inputs"]}) == len(action["inputs"])


def test_the_schema_rejects_what_github_rejects(action: dict[str, Any]) -> None:
    validator = jsonschema.Draft7Validator(SCHEMA)
    broken = [
        {k: v for k, v in action.items() if k != "description"},
        {**action, "runs": {**action["runs"], "using": "node20"}},
        {**action, "outputs": {"score": {"description": "no value"}}},
        {**action, "inputs": {"1bad": {"description": "x"}}},
        {**action, "inputs": {"ok": {"default": "no description"}}},
        {**action, "runs": {"using": "composite", "steps": [{"run": "echo hi"}]}},
    ]
    for doc in broken:
        assert list(validator.iter_errors(doc)), doc


def test_inputs_reach_scripts_only_through_env(action: dict[str, Any]) -> None:
    used: set[str] = set()
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), f"expression inside the script of {step['name']}"
        for value in step.get("env", {}).values():
            for expr in EXPR.findall(str(value)):
                if expr.startswith("inputs."):
                    used.add(expr.split(".", 1)[1])
    assert used == set(action["inputs"]), set(action["inputs"]) - used
    install = next(s for s in action["runs"]["steps"] if s.get("id") == "install")
    assert "pip install" in install["run"] and "$ACTION_PATH" in install["run"]
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"


# --------------------------------------------------------------------------- the review step, run


def _resolve(value: str, inputs: dict[str, str], steps: dict[str, dict[str, str]]) -> str:
    def one(match: re.Match[str]) -> str:
        expr = match.group(1)
        if expr.startswith("inputs."):
            return inputs[expr.split(".", 1)[1]]
        if expr.startswith("steps."):
            _, step, _, name = expr.split(".", 3)
            return steps[step][name]
        return {"github.token": "", "github.action_path": str(ROOT)}[expr]

    return EXPR.sub(one, value)


@pytest.fixture(scope="module")
def installed_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A virtualenv whose site-packages hold this worktree, as the install step would leave it.

    The review step runs Python isolated (`-I`: no cwd, no PYTHONPATH on sys.path), so the
    package must come from site-packages, where `pip install` puts it.
    """
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)],
        check=True,
        timeout=120,
    )
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-I", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    # read before the system site-packages, so this worktree wins over any other install
    (Path(site) / "aaa_worktree.pth").write_text(str(ROOT) + "\n")
    # and the dependencies come from the environment running the tests: when that is itself a
    # virtualenv, `--system-site-packages` would only reach the base interpreter's packages
    parents = [p for p in {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")} if p]
    lines = [f"import site; site.addsitedir({p!r})" for p in sorted(parents)]
    (Path(site) / "zzz_test_environment.pth").write_text("\n".join(lines) + "\n")
    return str(python)


def run_review_step(
    action: dict[str, Any], tmp_path: Path, workspace: Path, python: str, **given: str
) -> tuple[int, dict[str, str], str]:
    """The review step as the runner runs it: env resolved, `bash -e -o pipefail`."""
    inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    inputs.update({k.replace("_", "-"): v for k, v in given.items() if k != "event"})
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "review")
    steps = {"install": {"python": python}}
    env = {k: _resolve(str(v), inputs, steps) for k, v in step["env"].items()}
    output_file = tmp_path / "github_output"
    output_file.write_text("")
    env.update(
        # the analyzers' executables live beside the interpreter that has them installed
        PATH=f"{Path(sys.executable).parent}:/usr/bin:/bin:/usr/local/bin",
        HOME=str(tmp_path),
        RUNNER_TEMP=str(tmp_path),
        GITHUB_OUTPUT=str(output_file),
        GITHUB_EVENT_NAME=given.get("event", "workflow_dispatch"),
        GITHUB_STEP_SUMMARY=str(tmp_path / "step_summary.md"),
    )
    script = tmp_path / "step.sh"
    script.write_text(step["run"])
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    values = dict(
        line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
    )
    return proc.returncode, values, proc.stdout + proc.stderr


def test_review_step_runs_and_writes_outputs(
    action: dict[str, Any], tmp_path: Path, installed_python: str
) -> None:
    workspace = tmp_path / "ws"
    (workspace / "svc").mkdir(parents=True)
    (workspace / "svc" / ".backend-review.yml").write_text("analyzers:\n  semgrep: false\n")
    (workspace / "svc" / "app.py").write_text(
        "import subprocess\n\n\ndef run(cmd):\n    print(cmd)\n    return subprocess.run(cmd)\n"
    )
    code, values, log = run_review_step(action, tmp_path, workspace, installed_python, path="svc")
    assert code == 0, log
    assert set(values) == OUTPUTS
    assert float(values["score"]) == float(values["new-code-score"]) <= 100
    assert int(values["findings"]) >= 1 and values["sarif-file"] == "backend-review.sarif"
    sarif = json.loads((workspace / "backend-review.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert "backend-review" in log and "Score" in log
    # the job summary is written outside pull requests too (push, schedule, manual runs)
    summary = (tmp_path / "step_summary.md").read_text()
    assert summary.count("backend-review score:") == 1, summary[:300]

    # the gate decides the step's exit code, and the outputs are still written
    code, values, log = run_review_step(
        action,
        tmp_path,
        workspace,
        installed_python,
        path="svc",
        fail_on="low",
        sarif_file="out.sarif",
    )
    assert code == 1 and values["sarif-file"] == "out.sarif" and values["score"], log

    # a usage error exits 2 with empty outputs, no traceback
    code, values, log = run_review_step(
        action, tmp_path, workspace, installed_python, path="missing"
    )
    assert code == 2 and values["score"] == "" and "Traceback" not in log
    code, _, log = run_review_step(
        action, tmp_path, workspace, installed_python, path="svc", github_review="maybe"
    )
    assert code == 2 and "github-review must be" in log


def test_a_push_run_writes_the_job_summary_once(
    action: dict[str, Any], tmp_path: Path, installed_python: str
) -> None:
    workspace = tmp_path / "ws"
    (workspace / "svc").mkdir(parents=True)
    (workspace / "svc" / ".backend-review.yml").write_text("analyzers:\n  semgrep: false\n")
    (workspace / "svc" / "app.py").write_text("def run(cmd):\n    print(cmd)\n")
    code, _, log = run_review_step(
        action, tmp_path, workspace, installed_python, path="svc", event="push"
    )
    assert code == 0, log
    summary = (tmp_path / "step_summary.md").read_text()
    assert summary.count("backend-review score:") == 1, summary[:300]


def test_the_install_pins_the_analyzers_within_the_projects_ranges(
    action: dict[str, Any],
) -> None:
    """issue 18 item 5: the action installs the analyzers at versions in the repository."""
    install = next(s for s in action["runs"]["steps"] if s.get("id") == "install")
    assert '-c "$ACTION_PATH/.ci/action-constraints.txt"' in install["run"]
    pins = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = Version(version)
    assert {"bandit", "ruff", "semgrep", "libcst", "tree-sitter"} <= set(pins)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    ranges = {
        canonicalize_name(r.name): r for r in map(Requirement, project["project"]["dependencies"])
    }
    for name, version in pins.items():
        assert name in ranges, f"{name} is pinned but not a dependency"
        assert ranges[name].specifier.contains(version), (name, str(version), str(ranges[name]))


def test_windows_runners_are_refused_with_a_reason(action: dict[str, Any]) -> None:
    steps = action["runs"]["steps"]
    refuse = next(s for s in steps if s.get("if") == "runner.os == 'Windows'")
    assert steps.index(refuse) == 0  # before anything is downloaded
    assert "::error" in refuse["run"] and "semgrep" in refuse["run"]
    assert refuse["run"].rstrip().endswith("exit 2")


def test_installs_and_review_results_are_cached_between_runs(action: dict[str, Any]) -> None:
    steps = action["runs"]["steps"]
    ids = [s.get("id") for s in steps]
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    install = steps[ids.index("install")]
    assert steps.index(cache) < steps.index(install)  # restored before pip runs
    paths = cache["with"]["path"].splitlines()
    assert install["env"]["PIP_CACHE_DIR"] in paths
    assert "~/.cache/backend-review" in paths  # reviewer.cache.user_cache_base() on the runner
    # one entry per run, restored from the newest of the same OS and action version
    assert cache["with"]["key"].endswith("-${{ github.run_id }}")
    assert cache["with"]["restore-keys"].strip() + "${{ github.run_id }}" == cache["with"]["key"]


def test_a_file_the_review_leaves_out_fails_the_step_unless_switched_off(
    action: dict[str, Any], tmp_path: Path, installed_python: str
) -> None:
    """issue 11, U7: a pull request padding a file past max-file-bytes (or making it
    unparsable) hid it from the native rules and the step passed; `fail-on-unreviewed` is on
    by default in the Action."""
    workspace = tmp_path / "ws"
    (workspace / "svc").mkdir(parents=True)
    (workspace / "svc" / ".backend-review.yml").write_text("analyzers:\n  semgrep: false\n")
    (workspace / "svc" / "app.py").write_text("def ok():\n    return 1\n")
    (workspace / "svc" / "broken.py").write_text("def broken(:\n")
    code, values, log = run_review_step(action, tmp_path, workspace, installed_python, path="svc")
    assert code == 1 and values["score"], log
    assert "broken.py" in log
    code, values, log = run_review_step(
        action, tmp_path, workspace, installed_python, path="svc", fail_on_unreviewed="false"
    )
    assert code == 0 and values["score"], log
    code, _, log = run_review_step(
        action, tmp_path, workspace, installed_python, path="svc", fail_on_unreviewed="yes"
    )
    assert code == 2 and "fail-on-unreviewed must be" in log


def test_review_step_runs_nothing_from_the_workspace(
    action: dict[str, Any], tmp_path: Path, installed_python: str
) -> None:
    """A pull request adding `__future__.py` or a `reviewer/` package must not run (U1)."""
    marker = tmp_path / "stolen"
    steal = f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"
    hostile = {
        "__future__.py": steal + "annotations = None\n",
        "reviewer/__init__.py": steal,
        "reviewer/__main__.py": steal,
        "reviewer/github/__init__.py": steal,
        "reviewer/github/outputs.py": steal,
    }
    # `__future__.py` alone (the real package imports it first), then both
    for count in (1, len(hostile)):
        workspace = tmp_path / f"ws{count}"
        for name, text in list(hostile.items())[:count]:
            (workspace / name).parent.mkdir(parents=True, exist_ok=True)
            (workspace / name).write_text(text)
        (workspace / "svc").mkdir()
        (workspace / "svc" / ".backend-review.yml").write_text("analyzers:\n  semgrep: false\n")
        (workspace / "svc" / "app.py").write_text(
            "import pickle\n\n\ndef load(b):\n    return pickle.loads(b)\n"
        )
        code, values, log = run_review_step(
            action, tmp_path, workspace, installed_python, path="svc"
        )
        assert not marker.exists(), marker.read_text()
        assert code == 0 and values["score"] and int(values["findings"]) >= 1, log


def test_outputs_module(tmp_path: Path) -> None:
    report = {
        "score": {"overall": 81.25},
        "extra": {"new_code_score": 60},
        "summary": {"findings": 3},
    }
    sarif = tmp_path / "r.sarif"
    sarif.write_text("{}")
    assert action_outputs.outputs(report, str(sarif)) == {
        "score": "81.2",
        "new-code-score": "60.0",
        "findings": "3",
        "sarif-file": str(sarif),
    }
    none = action_outputs.outputs({"score": {"overall": None}, "summary": {}}, "nope")
    assert none == {"score": "", "new-code-score": "", "findings": "", "sarif-file": ""}
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    out = tmp_path / "out"
    out.write_text("before=1\n")
    old = os.environ.get("GITHUB_OUTPUT")
    os.environ["GITHUB_OUTPUT"] = str(out)
    try:
        assert action_outputs.main([str(path), str(sarif)]) == 0
        assert action_outputs.main([str(tmp_path / "broken.json"), ""]) == 0
    finally:
        if old is None:
            del os.environ["GITHUB_OUTPUT"]
        else:
            os.environ["GITHUB_OUTPUT"] = old
    lines = out.read_text().splitlines()
    assert lines[0] == "before=1" and "score=81.2" in lines and "score=" in lines
    assert action_outputs.main([]) == 2
