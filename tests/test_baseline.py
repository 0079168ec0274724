"""Baselines: the file format, matching by count, ratcheting, and real runs on a tmp project."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from reviewer import baseline as bl
from reviewer.cli import main
from reviewer.model import Confidence, Finding, Location, Severity

APP = """\
from flask import Flask, request

app = Flask(__name__)


@app.post("/users")
def create_user():
    name = request.json["name"]
    db.execute("INSERT INTO users VALUES ('%s')" % name)
    print(name)
    return {"ok": True}
"""

HELPER = '''

def helper(x):
    """Some unrelated new code above the old findings."""
    return x * 2

'''


def finding(code: str, line: int, snippet: str, scope: str = "f", path: str = "a.py") -> Finding:
    return Finding(
        code=code,
        message=f"{code} at {line}",
        location=Location(path, line),
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        scope=scope,
        snippet=snippet,
    )


# --------------------------------------------------------------------------- units


def test_counts_per_key_and_new_copies_are_new() -> None:
    old = [finding("BR101", 3, "db.execute(q)"), finding("BR101", 9, "db.execute(q)")]
    base = bl.create(old)
    assert len(base.entries) == 1 and base.entries[0].count == 2 and base.total == 2
    # the same two lines moved down, plus a third copy: exactly one is new
    now = [finding("BR101", n, "db.execute(q)") for n in (13, 19, 25)]
    applied = bl.apply(now, base)
    assert (applied.matched, applied.new, applied.can_shrink) == (2, 1, 0)
    hidden = [f for f in applied.findings if f.suppressed]
    assert [f.suppression_reason for f in hidden] == ["baseline", "baseline"]
    assert [f.location.line for f in applied.findings if not f.suppressed] == [25]


def test_whitespace_and_lines_do_not_change_the_key_but_scope_and_code_do() -> None:
    a = finding("BR101", 3, "db.execute( q )")
    assert bl.baseline_key(a) == bl.baseline_key(finding("BR101", 40, "db.execute(   q   )"))
    assert bl.baseline_key(a) != bl.baseline_key(finding("BR101", 3, "db.execute( q )", "g"))
    assert bl.baseline_key(a) != bl.baseline_key(finding("BR102", 3, "db.execute( q )"))
    assert bl.baseline_key(a) != bl.baseline_key(finding("BR101", 3, "db.execute( q )", path="b"))


def test_stale_entries_and_ratchet_never_grows_unless_allowed() -> None:
    base = bl.create([finding("BR101", 1, "x"), finding("BR101", 2, "x"), finding("BR802", 5, "p")])
    now = [finding("BR101", 1, "x"), finding("BR205", 7, "new")]
    applied = bl.apply(now, base)
    assert applied.can_shrink == 2 and applied.new == 1
    ratcheted = bl.update(base, now)
    assert ratcheted.total == 1 and {e.code for e in ratcheted.entries} == {"BR101"}
    grown = bl.update(base, now, allow_growth=True)
    assert grown.total == 2 and {e.code for e in grown.entries} == {"BR101", "BR205"}
    # already suppressed findings are neither recorded nor matched
    inline = replace(finding("BR101", 1, "x"), suppressed=True, suppression_reason="noqa")
    assert bl.create([inline]).total == 0
    assert bl.apply([inline], base).findings[0].suppression_reason == "noqa"


def test_json_is_versioned_sorted_and_round_trips(tmp_path: Path) -> None:
    base = bl.create(
        [finding("BR802", 5, "p", path="z.py"), finding("BR101", 1, "x"), finding("BR101", 2, "x")]
    )
    text = bl.to_json(base)
    data = json.loads(text)
    assert data["version"] == 1 and data["tool"] == "backend-review"
    assert [e["path"] for e in data["entries"]] == ["a.py", "z.py"]
    assert set(data["entries"][0]) == {"key", "code", "path", "scope", "count"}
    assert "snippet" not in text and bl.from_json(text) == base
    path = tmp_path / "b.json"
    bl.save(base, path)
    assert bl.load(path) == base and path.read_text() == text
    for bad, message in (
        ("{", "not valid JSON"),
        ('{"version": 2, "entries": []}', "unsupported baseline version 2"),
        ('{"version": 1, "entries": {}}', "must be a list"),
        ('{"version": 1, "entries": [{"key": "k", "count": 0}]}', "invalid count"),
        ('{"version": 1, "entries": [{"count": 1}]}', "string `key`"),
    ):
        with pytest.raises(bl.BaselineError, match=message):
            bl.from_json(bad)
    with pytest.raises(bl.BaselineError, match="baseline create"):
        bl.load(tmp_path / "missing.json")


# --------------------------------------------------------------------------- real runs


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "svc"
    root.mkdir()
    (root / ".backend-review.yml").write_text("analyzers:\n  semgrep: false\n")
    (root / "app.py").write_text(APP)
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    code = main([*args, "--no-cache", "-q", "--format", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def active(report: dict) -> list[tuple[str, int]]:  # type: ignore[type-arg]
    return [(f["code"], f["location"]["line"]) for f in report["findings"] if not f["suppressed"]]


def test_real_runs_moving_code_keeps_findings_known(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base_file = project / ".backend-review-baseline.json"
    assert main(["baseline", "create", str(project), "-o", str(base_file), "--no-cache", "-q"]) == 0
    err = capsys.readouterr().err
    recorded = json.loads(base_file.read_text())
    assert recorded["entries"] and "finding(s)" in err
    codes = {e["code"] for e in recorded["entries"]}
    assert {"BR101", "BR802"} <= codes

    # unchanged tree: everything known, nothing new, the overall score is still the tree's
    _, before, _ = run(capsys, str(project))
    _, report, err = run(capsys, str(project), "--baseline", str(base_file))
    assert active(report) == []
    assert report["extra"]["baseline"]["new"] == 0
    assert report["score"]["overall"] == before["score"]["overall"]
    assert report["extra"]["new_code_score"] == 100.0
    assert "can shrink" not in err and "gone" not in err

    # lines added above and the route moved below a new function: still nothing new
    (project / "app.py").write_text(
        APP.replace("app = Flask(__name__)\n", "app = Flask(__name__)\n" + HELPER)
    )
    _, moved, _ = run(capsys, str(project), "--baseline", str(base_file))
    sqli = [f for f in moved["findings"] if f["code"] == "BR101"]
    assert sqli and sqli[0]["location"]["line"] > 9 and sqli[0]["suppressed"]
    assert active(moved) == [] and moved["extra"]["baseline"]["new"] == 0


def test_real_runs_new_copy_is_new_and_gone_findings_shrink(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base_file = project / "base.json"
    assert main(["baseline", "create", str(project), "-o", str(base_file), "--no-cache", "-q"]) == 0
    capsys.readouterr()
    old = json.loads(base_file.read_text())
    prints = sum(e["count"] for e in old["entries"] if e["code"] == "BR802")

    # a second copy of the same print in the same handler: exactly that copy is new
    (project / "app.py").write_text(
        APP.replace("    print(name)\n", "    print(name)\n    print(name)\n")
    )
    code, report, _ = run(capsys, str(project), "--baseline", str(base_file), "--fail-on", "low")
    assert [c for c, _ in active(report)] == ["BR802"] and code == 1
    assert report["extra"]["baseline"]["new"] == 1

    # the prints are fixed: the baseline can shrink, and `update` ratchets it down
    (project / "app.py").write_text(APP.replace("    print(name)\n", ""))
    code, report, err = run(capsys, str(project), "--baseline", str(base_file))
    assert code == 0 and active(report) == []
    assert report["extra"]["baseline"]["can_shrink"] == prints
    assert "baseline update" in err and str(base_file) in err
    assert (
        main(["baseline", "update", str(project), "--baseline", str(base_file), "--no-cache", "-q"])
        == 0
    )
    assert "shrank" in capsys.readouterr().err
    after = json.loads(base_file.read_text())
    assert all(e["code"] != "BR802" for e in after["entries"])
    assert (
        sum(e["count"] for e in after["entries"])
        == sum(e["count"] for e in old["entries"]) - prints
    )

    # a new problem is not added by `update`, only with --allow-growth
    (project / "app.py").write_text(APP.replace("    print(name)\n", "    print(name)\n"))
    main(["baseline", "update", str(project), "--baseline", str(base_file), "--no-cache", "-q"])
    assert json.loads(base_file.read_text()) == after
    grow = ["baseline", "update", str(project), "--baseline", str(base_file), "--allow-growth"]
    main([*grow, "--no-cache", "-q"])
    assert json.loads(base_file.read_text()) == old
    capsys.readouterr()


def test_bad_baseline_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([str(project), "--baseline", str(project / "nope.json"), "-q"])
    assert exc.value.code == 2
    assert "no such baseline file" in capsys.readouterr().err
    assert main(["baseline", "update", str(project), "--baseline", str(project / "nope.json")]) == 2
