"""The language seam: a frontend that is not Python adds routes and findings through the public
interface (reviewer/frontend.py) alone, and every reporter shows them.

The fake language is three lines of parsing: `route METHOD PATH -> HANDLER` declares an
endpoint, a line calling `eval(` is a finding. Nothing of the core knows about it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import jsonschema
import pytest

from reviewer.config import load
from reviewer.diff import parse_unified_diff
from reviewer.engine import review
from reviewer.frontend import Frontend, FrontendResult, FrontendRun
from reviewer.github.review import ReviewOptions, annotation, compose_summary, plan_comments
from reviewer.model import Confidence, Finding, Location, Report, RuleMeta, Severity
from reviewer.reporters import REPORTERS, RenderOptions, render_report
from reviewer.service import Route

EVAL = RuleMeta(
    "FK001",
    "fake-eval",
    "injection",
    Severity.HIGH,
    Confidence.HIGH,
    "eval of request data",
    docs="## What it does\nFinds `eval(`.\n\n## Why is this bad?\nIt runs code.",
)


class FakeFrontend:
    name = "fake"
    suffixes = (".fake",)

    def rules(self) -> Sequence[RuleMeta]:
        return (EVAL,)

    def review(self, files: Mapping[str, bytes], run: FrontendRun) -> FrontendResult:
        findings, routes = [], []
        for rel, data in sorted(files.items()):
            for number, line in enumerate(data.decode().splitlines(), 1):
                words = line.split()
                if words[:1] == ["route"]:
                    routes.append(
                        Route("fakeweb", (words[1],), words[2], words[4], "", rel, number)
                    )
                if "eval(" in line:
                    where = Location(rel, number, line.index("eval(") + 1)
                    severity, confidence = EVAL.severity, EVAL.confidence
                    snippet = line.strip()
                    findings.append(
                        Finding("FK001", EVAL.summary, where, severity, confidence, snippet=snippet)
                    )
        return FrontendResult(tuple(findings), tuple(routes), applicable={"injection": True})


SOURCE = "route POST /fake/run -> run_it\n\nfunction run_it(req) { return eval(req.body) }\n"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    root = tmp_path_factory.mktemp("fakesvc")
    (root / "app.fake").write_text(SOURCE)
    (root / "util.py").write_text("def double(x):\n    return 2 * x\n")
    off = {"analyzers": {"bandit": False, "ruff": False, "semgrep": False}}
    frontend: Frontend = FakeFrontend()  # the Protocol is the public interface
    return review(root, load(root, off), frontends=[frontend], jobs=1)


def test_the_engine_merges_the_frontends_route_and_finding(report: Report) -> None:
    [finding] = [f for f in report.active if f.code == "FK001"]
    assert (finding.location.path, finding.location.line) == ("app.fake", 3)
    assert finding.fingerprint and finding.snippet.startswith("function run_it")
    assert [(r.framework, r.path, r.handler) for r in report.routes] == [
        ("fakeweb", "/fake/run", "run_it")
    ]
    assert "FK001" in {m.code for m in report.rules}
    assert report.files_reviewed == 2  # the .py file went to the Python frontend
    injection = {i.item: i for i in report.score.items}["injection"]
    assert injection.findings == 1 and dict(injection.costs).get("FK001")


def test_the_config_selects_among_its_rules(tmp_path: Path) -> None:
    (tmp_path / "app.fake").write_text(SOURCE)
    config = load(tmp_path, {"ignore": ["FK001"], "analyzers": {"semgrep": False}})
    ignored = review(tmp_path, config, frontends=[FakeFrontend()], jobs=1)
    assert "FK001" not in {f.code for f in ignored.findings} | {m.code for m in ignored.rules}
    assert [r.path for r in ignored.routes] == ["/fake/run"]  # the inventory is not a rule


def test_every_reporter_shows_them(report: Report, contracts: Path) -> None:
    shown = {
        fmt: render_report(fmt, report, options=RenderOptions(color=False, width=200))
        for fmt in REPORTERS
    }
    assert set(shown) >= {"terminal", "json", "sarif", "markdown"}
    for fmt, text in shown.items():
        assert "FK001" in text and "app.fake" in text, fmt
    assert "/fake/run" in shown["markdown"]  # the route inventory section
    document = json.loads(shown["json"])
    assert [r["path"] for r in document["routes"]] == ["/fake/run"]
    assert [f["code"] for f in document["findings"]] == ["FK001"]
    sarif = json.loads(shown["sarif"])
    schema = json.loads((contracts / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(sarif))
    assert not errors, errors[0].message
    [run] = sarif["runs"]
    assert [r["ruleId"] for r in run["results"]] == ["FK001"]
    assert "FK001" in {rule["id"] for rule in run["tool"]["driver"]["rules"]}


def test_the_github_review_plans_a_comment_on_it(report: Report) -> None:
    diff = parse_unified_diff(
        "diff --git a/app.fake b/app.fake\n--- a/app.fake\n+++ b/app.fake\n@@ -0,0 +1,3 @@\n"
        + "".join(f"+{line}\n" for line in SOURCE.splitlines())
    )
    rules = {m.code: m for m in report.rules}
    plan = plan_comments(report.active, diff, ReviewOptions(rules=rules))
    [comment] = plan.inline
    assert (comment.path, comment.line, comment.finding.code) == ("app.fake", 3, "FK001")
    assert "fake-eval" in comment.body or "FK001" in comment.body
    summary = compose_summary(
        render_report("markdown", report), plan.overflow, plan.not_on_changed_lines
    )
    assert "/fake/run" in summary and "FK001" in summary
    assert annotation(comment.finding).startswith("::error file=app.fake,line=3")
