"""Never a false pass: a tree nothing was scored on is not "100/100, exit 0".

The real command line in a temporary directory: files in languages backend-review does not
review are listed as not reviewed, the score is n/a, and the run exits 2 with or without a gate.
JavaScript/TypeScript is reviewed by the Node frontend, for the items its rules cover.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from cli_runner import run_reviewer

from reviewer.config import Config
from reviewer.discovery import find_sources, unsupported_language

REPO = Path(__file__).resolve().parent.parent
EXPRESS = """\
const express = require("express");
const app = express();
app.delete("/users/:id", (req, res) => res.sendStatus(204));
module.exports = app;
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return run_reviewer(*args, "--no-cache", "-q", cwd=REPO)


def _node_service(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.js").write_text(EXPRESS)
    (root / "src" / "users.ts").write_text("export const x: number = 1;\n")
    (root / "src" / "types.d.ts").write_text("declare const y: number;\n")
    (root / "public").mkdir()
    (root / "public" / "vendor.min.js").write_text("var a=1;\n")
    (root / "node_modules" / "express").mkdir(parents=True)
    (root / "node_modules" / "express" / "index.js").write_text("module.exports = 1;\n")
    (root / "package.json").write_text('{"name": "svc", "main": "src/app.js"}\n')
    return root


def _go_service(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "main.go").write_text("package main\n")
    (root / "handlers.rb").write_text("puts 1\n")
    return root


def test_a_service_in_unsupported_languages_is_not_a_pass(tmp_path: Path) -> None:
    root = _go_service(tmp_path / "svc")
    result = run(str(root), "-f", "json")
    assert result.returncode == 2, result.stderr
    report = json.loads(result.stdout)
    assert report["score"]["overall"] is None
    assert {i["status"] for i in report["score"]["items"]} == {"n/a"}
    assert report["files_reviewed"] == 0
    listed = {(n["path"], unsupported_language(n["reason"])) for n in report["not_reviewed"]}
    assert listed == {("main.go", "Go"), ("handlers.rb", "Ruby")}
    assert "nothing reviewed: found 1 Go, 1 Ruby file(s)" in result.stderr


def test_the_terminal_report_says_what_it_did_not_review(tmp_path: Path) -> None:
    root = _go_service(tmp_path / "svc")
    result = run(str(root))
    assert result.returncode == 2
    assert "Score n/a · 0 files reviewed" in result.stdout
    assert "Not reviewed (2)" in result.stdout
    assert "main.go · Go source" in result.stdout
    assert "100.0" not in result.stdout


def test_any_gate_fails_with_exit_2(tmp_path: Path) -> None:
    root = _go_service(tmp_path / "svc")
    assert run(str(root), "--fail-under", "0").returncode == 2
    assert run(str(root), "--fail-on", "critical").returncode == 2


def test_an_empty_tree_fails_too(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("# nothing\n")
    result = run(str(empty))
    assert result.returncode == 2
    assert "no source file found" in result.stderr


def test_a_node_service_is_reviewed_for_its_routes(tmp_path: Path) -> None:
    root = _node_service(tmp_path / "svc")
    result = run(str(root), "-f", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["files_reviewed"] == 2  # node_modules, bundles and .d.ts are not the service
    assert report["not_reviewed"] == []
    found = {(f["code"], f["location"]["path"], f["location"]["line"]) for f in report["findings"]}
    assert ("BR301", "src/app.js", 3) in found
    status = {i["item"]: i["status"] for i in report["score"]["items"]}
    assert status["authentication"] == "warn" and status["input-validation"] == "n/a"
    assert status["error-handling"] == "pass"  # BR702 reads every JavaScript/TypeScript file
    assert report["score"]["overall"] is not None


def test_node_files_without_routes_are_scored_on_secrets_only(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    (root / "index.ts").write_text("export const add = (a: number, b: number) => a + b;\n")
    result = run(str(root), "-f", "json", "--fail-under", "100")
    assert result.returncode == 0, result.stderr
    status = {i["item"]: i["status"] for i in json.loads(result.stdout)["score"]["items"]}
    assert status["secrets"] == "pass"  # BR201 reads every JavaScript/TypeScript file
    assert status["sql-injection"] == "pass"  # and BR101
    assert status["error-handling"] == "pass"  # and BR702
    assert status["authentication"] == "n/a" and status["input-validation"] == "n/a"
    (root / "keys.ts").write_text('export const JWT_SECRET = "s3cr3t-Jwt-k3y-for-prod";\n')
    assert run(str(root), "--fail-under", "100").returncode == 1


def test_node_files_with_no_rule_for_them_are_not_a_pass(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    (root / "index.ts").write_text("export const add = (a: number, b: number) => a + b;\n")
    result = run(str(root), "--fail-under", "0", "--ignore", "BR201,BR202,BR101,BR601,BR801,BR702")
    assert result.returncode == 2
    assert "nothing scored: 1 file(s) reviewed" in result.stderr


def test_a_single_javascript_file_is_reviewed_not_parsed_as_python(tmp_path: Path) -> None:
    root = _node_service(tmp_path / "svc")
    result = run(str(root / "src" / "app.js"), "-f", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["files_reviewed"] == 1
    assert not [f for f in report["findings"] if f["code"] == "BR901"]  # no Python syntax error
    assert [f["code"] for f in report["findings"] if f["code"] == "BR301"] == ["BR301"]


def test_a_mixed_tree_reviews_both_languages(tmp_path: Path) -> None:
    root = _node_service(tmp_path / "svc")
    (root / "tool.py").write_text("def add(a: int, b: int) -> int:\n    return a + b\n")
    (root / "main.go").write_text("package main\n")
    (root / ".backend-review.yml").write_text("analyzers: {semgrep: false}\n")
    result = run(str(root), "-f", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["files_reviewed"] == 3
    assert report["score"]["overall"] is not None
    assert {n["path"] for n in report["not_reviewed"]} == {"main.go"}


def test_discovery_keeps_python_and_other_languages_apart(tmp_path: Path) -> None:
    root = _node_service(tmp_path / "svc")
    (root / "app.py").write_text("x = 1\n")
    found = find_sources(root, Config(root=root))
    assert [f.relpath for f in found.files] == ["app.py"]
    assert [(f.relpath, lang) for f, lang in found.other_languages] == [
        ("src/app.js", "JavaScript"),
        ("src/users.ts", "TypeScript"),
    ]
