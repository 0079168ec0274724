"""The result cache: warm runs equal cold runs, changes are re-analyzed, bad caches ignored."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from reviewer import codec
from reviewer.cache import Cache
from reviewer.config import load
from reviewer.engine import review
from reviewer.model import (
    BaselineSummary,
    ChangedRoute,
    Confidence,
    DiffSummary,
    Finding,
    Location,
    NewCodeScore,
    ProtectionChange,
    Report,
    RouteChanges,
    RouteCoverage,
    RouteSummary,
    Score,
    Severity,
)

APP = """\
import sqlite3
from flask import Flask, request

app = Flask(__name__)


@app.post("/items")
def items():
    db = sqlite3.connect("x.db")
    q = request.args["q"]
    return {"rows": db.execute(f"SELECT * FROM t WHERE name = '{q}'").fetchall()}
"""


def comparable(report: Report) -> list[tuple[str, str, int, tuple[str, ...], str, bool]]:
    return [
        (f.code, f.location.path, f.location.line, f.sources, f.fingerprint, f.suppressed)
        for f in report.findings
    ]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "app.py").write_text(APP)
    (root / "util.py").write_text("import time\n\nasync def f():\n    time.sleep(1)\n")
    (root / "jobs.py").write_text(
        "import time\n\nasync def g():\n    time.sleep(2)  # backend-review: ignore[BR601] ok\n"
    )
    return root


def test_warm_run_equals_cold_and_starts_no_analyzer(project: Path, tmp_path: Path) -> None:
    config = load(project)
    cache_dir = tmp_path / "cache"
    cold = review(project, config, cache_dir=cache_dir)
    warm = review(project, config, cache_dir=cache_dir)
    assert comparable(cold) == comparable(warm)
    assert any(f.suppressed for f in warm.findings)
    assert cold.score == warm.score
    assert cold.routes == warm.routes
    assert cold.applicable == warm.applicable and cold.route_coverage == warm.route_coverage
    assert all(run.message == "all results from the cache" for run in warm.analyzers)
    uncached = review(project, config)
    assert comparable(uncached) == comparable(cold)


def test_changed_file_is_reanalyzed(project: Path, tmp_path: Path) -> None:
    config = load(project, {"analyzers": {"semgrep": False}})
    cache_dir = tmp_path / "cache"
    review(project, config, cache_dir=cache_dir)
    (project / "util.py").write_text(
        "import asyncio\n\nasync def f():\n    await asyncio.sleep(1)\n"
    )
    warm = review(project, config, cache_dir=cache_dir)
    assert not [f for f in warm.findings if f.location.path == "util.py"]
    assert comparable(warm) == comparable(review(project, config))


def test_corrupt_cache_is_rebuilt(project: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / "cache.sqlite").write_bytes(b"this is not a database" * 100)
    config = load(project, {"analyzers": {"semgrep": False}})
    report = review(project, config, cache_dir=cache_dir)
    assert comparable(report) == comparable(review(project, config))
    assert sqlite3.connect(cache_dir / "cache.sqlite").execute("SELECT count(*) FROM entries")


def test_foreign_entries_are_never_trusted(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    assert cache._db is not None
    cache._db.execute(
        "INSERT INTO entries VALUES (?, ?)",
        (cache._stored_key("k1"), '{"__d__": "subprocess:Popen", "a": ["touch /tmp/pwned"]}'),
    )
    cache._db.execute("INSERT INTO entries VALUES (?, 'not json')", (cache._stored_key("k2"),))
    cache._db.commit()
    assert cache.get_many(["k1", "k2"]) == {}


def test_codec_round_trips_findings() -> None:
    finding = Finding(
        code="BR101",
        message="m",
        location=Location("a.py", 3, 1, 4, 2),
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        extra=(("db_calls", 3),),
    )
    value = {"findings": (finding, replace(finding, code="BR102")), "set": frozenset({"a"})}
    assert codec.loads(codec.dumps(value)) == value


def test_codec_round_trips_a_report_with_every_typed_field() -> None:
    secret = Finding(
        "BR201", "m", Location("a.py", 1, 5, 1, 20), Severity.HIGH, Confidence.HIGH, redact=True
    )
    route = RouteSummary(("POST",), "/orders", "create", "app.py", 7, False, ("login",))
    changes = RouteChanges(
        "abc",
        "main",
        True,
        added=(route,),
        removed=(replace(route, path="/old"),),
        changed=(
            ChangedRoute(
                route,
                (ProtectionChange("authentication", ("login",), ()),),
            ),
        ),
    )
    report = Report(
        "svc",
        "1",
        (secret,),
        Score(None, ()),
        (),
        applicable={"secrets": True, "async": False},
        route_coverage=RouteCoverage(2, 3),
        baseline=BaselineSummary("b.json", 4, 1, 0),
        diff=DiffSummary("main", "added", 2, 5),
        route_changes=changes,
        new_code=NewCodeScore(87.5, {"secrets": 87.5}),
    )
    decoded = codec.loads(codec.dumps(report))
    assert decoded == report
    assert decoded.findings[0].redact and decoded.route_changes.changed[0].changes[0].before == (
        "login",
    )


def test_cache_dir_in_target_is_gitignored(project: Path) -> None:
    cache_dir = project / ".backend-review-cache"
    review(project, load(project, {"analyzers": {"semgrep": False}}), cache_dir=cache_dir)
    assert (cache_dir / ".gitignore").read_text().strip().endswith("*")
    shutil.rmtree(cache_dir)


@pytest.mark.parametrize(
    "value",
    [
        {"__t__": 1},  # a plain dict whose keys look like a tag stays a dict
        {"__s__": [1], "frozen": True},
        {"a": (1, 2), "b": {"__m__": [1]}},
        {(1, 2): "x", "y": frozenset({1, (2, 3)})},
        [Severity.HIGH, {"k": {"__d__": "x", "a": []}}],
        ((), {}, set(), [()]),
    ],
)
def test_codec_keeps_types_and_plain_dicts_that_look_like_tags(value: object) -> None:
    decoded = codec.loads(codec.dumps(value))
    assert decoded == value
    assert repr(decoded) == repr(value)  # same types all the way down (tuple vs list etc.)


@pytest.mark.parametrize(
    "text",
    [
        '{"__e__": "enum:Enum", "v": 1}',
        '{"__d__": "reviewer.model:Severity", "a": []}',
        '{"__s__": [[1]], "frozen": true}',
        '{"__d__": "reviewer.model:Location", "a": [1, 2, 3, 4, 5, 6, 7, 8, 9]}',
        '{"__d__": "reviewer.model:Location", "a": "abc"}',
    ],
)
def test_codec_rejects_foreign_or_malformed_entries(text: str) -> None:
    with pytest.raises(codec.CodecError):
        codec.loads(text)


def test_entries_that_do_not_decode_are_analyzed_again(project: Path, tmp_path: Path) -> None:
    """Every stored entry garbled (values, not the database): the review still equals cold."""
    config = load(project, {"analyzers": {"semgrep": False}})
    cache_dir = tmp_path / "cache"
    cold = review(project, config, cache_dir=cache_dir)
    with sqlite3.connect(cache_dir / "cache.sqlite") as db:
        db.execute('UPDATE entries SET v = \'{"__d__": "reviewer.model:Location", "a": 1}\'')
    (project / "extra.py").write_text("x = 1\n")  # no whole-run hit: per-file entries are read
    again = review(project, config, cache_dir=cache_dir)
    assert comparable(again) == comparable(cold)
