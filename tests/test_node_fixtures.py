"""The Node sample services, reviewed end to end: their routes through the unchanged core.

fixtures/express_service, fastify_service and nest_service mark offending lines
`// expect: BR301` and near misses `// ok: BR301`; a real review must report exactly those
(code, path, line) triples among the scored rules. The only reviewer notes allowed are the
analyzers' "no files to analyze" (bandit, ruff and semgrep have no JavaScript input). fixtures/node_clean_service must give no finding and score 100.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from reviewer import engine, node_frontend
from reviewer.config import load as load_config
from reviewer.model import Report
from reviewer.registry import load as load_registry
from reviewer.reporters import render_report
from reviewer.testing import tree_annotations, triples

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
META = ("BR901", "BR902", "BR903")


@cache
def reviewed(name: str) -> Report:
    root = FIXTURES / name
    config = load_config(root)
    return engine.review(root, config, registry=load_registry(config))


def _node_files(root: Path) -> list[str]:
    suffixes = (".js", ".ts", ".mjs", ".cjs", ".jsx", ".tsx")
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.suffix in suffixes)


SERVICES = {
    "express_service": "express",
    "fastify_service": "fastify",
    "nest_service": "nestjs",
    "hono_service": "hono",
    "koa_service": "koa",
}


@pytest.mark.parametrize("name", SERVICES)
def test_findings_match_annotations(name: str) -> None:
    report = reviewed(name)
    expected, near = tree_annotations(FIXTURES / name)
    got = {t for t in triples(report.active) if t[0] not in META}
    assert got == expected
    assert not got & near
    assert len(expected) >= 2 and len(near) >= 4


@pytest.mark.parametrize("name", SERVICES)
def test_service_is_fully_reviewed(name: str) -> None:
    report = reviewed(name)
    assert report.files_reviewed == len(_node_files(FIXTURES / name))
    assert report.not_reviewed == ()
    notes = [(f.code, f.message) for f in report.findings if f.code in META]
    assert all(code == "BR902" and "no files to analyze" in text for code, text in notes), notes
    assert {r.framework for r in report.routes} == {SERVICES[name]}


def test_express_scores_only_what_its_rules_cover() -> None:
    status = {i.item: i.status for i in reviewed("express_service").score.items}
    assert status["authentication"] in ("warn", "fail")
    assert status["rate-limiting"] == "pass"  # express-rate-limit on the login route
    assert status["secrets"] in ("warn", "fail")  # BR201 in src/config.js
    assert status["sql-injection"] in ("warn", "fail")  # BR101 in src/controllers/search.js
    assert status["error-handling"] in ("warn", "fail")  # BR702 in src/controllers/users.js
    # no JavaScript rule reviews these yet: n/a, never a clean 100
    for item in ("tests", "input-validation"):
        assert status[item] == "n/a", item


def test_express_routes_reach_every_reporter() -> None:
    report = reviewed("express_service")
    sarif = json.loads(render_report("sarif", report))
    located = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in sarif["runs"][0]["results"]
    }
    assert ("BR301", "fixtures/express_service/src/routes/health.js") in located
    data = json.loads(render_report("json", report))
    assert {r["framework"] for r in data["routes"]} == {"express"}
    assert "POST /webhooks/payments" in render_report("markdown", report)


def test_clean_node_service_has_no_findings() -> None:
    report = reviewed("node_clean_service")
    assert not any(tree_annotations(FIXTURES / "node_clean_service"))
    scored = [(f.code, f.location.path, f.location.line) for f in report.active]
    assert [t for t in scored if t[0] not in META] == []
    assert report.files_reviewed == len(_node_files(FIXTURES / "node_clean_service"))
    assert report.score.overall == 100
    assert len(report.routes) == 5


def test_a_warm_run_reads_the_node_review_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = FIXTURES / "node_clean_service"
    config = load_config(root)
    cold = engine.review(root, config, cache_dir=tmp_path)

    def no_parse(*args: object) -> None:
        raise AssertionError("the Node files were parsed again")

    monkeypatch.setattr(node_frontend, "review_node", no_parse)
    warm = engine.review(root, config, cache_dir=tmp_path)
    assert warm.routes == cold.routes and len(warm.routes) == 5
    assert warm.files_reviewed == cold.files_reviewed


def test_a_javascript_comment_suppresses_a_node_finding(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text(
        'const express = require("express");\n'
        "const app = express();\n"
        'app.delete("/users/:id", (req, res) => res.sendStatus(204));'
        " // backend-review: ignore[BR301] behind the VPN\n"
        'app.post("/orders", (req, res) => res.json({}));\n'
    )
    config = load_config(tmp_path)
    report = engine.review(tmp_path, config, registry=load_registry(config))
    br301 = {f.location.line: f for f in report.findings if f.code == "BR301"}
    assert br301[3].suppressed and br301[3].suppression_reason == "behind the VPN"
    assert not br301[4].suppressed
