"""The corpus scorer (benchmarks/routes.py) and truth merge (benchmarks/truth/build.py) on a tiny
synthetic manifest: no corpus checkout, no venv, no network."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


routes = _load("bench_routes", BENCH / "routes.py")
build = _load("bench_build", BENCH / "truth" / "build.py")


def truth(method: str, path: str, **flags: Any) -> dict[str, Any]:
    return {"method": method, "path": path, "handler": f"m:{path}", **flags}


def tool(methods: list[str], path: str, auth: bool = False, public: bool = False) -> dict[str, Any]:
    guards = [{"name": "login_required", "kind": "authentication"}] if auth else []
    return {
        "methods": methods,
        "path": path,
        "auth": guards,
        "authorization": [],
        "public": public,
        "tests": [],
        "file": "x.py",
        "line": 1,
    }


def test_parameters_of_every_framework_normalize_alike() -> None:
    same = {"/u/<int:id>", "/u/<id>", "/u/{id}", "/u/{id:path}", "/u/:id", r"^u/(?P<id>\d+)$"}
    assert {routes.normalize_path(p) for p in same} == {"/u/{}"}
    assert routes.normalize_path("/u/<a>/<b>") != routes.normalize_path("/u/<a>")


def test_recall_precision_and_flags_on_a_synthetic_app() -> None:
    manifest = {
        "app": "tiny",
        "framework": "flask",
        "commit": "0" * 40,
        "routes": [
            truth("GET", "/a", auth=True),
            truth("POST", "/a", auth=False),
            truth("GET", "/items/{id}/", auth=None),  # Flask redirects the slash: still matched
            truth("*", "/any", auth=False),
            truth("GET", "/missed", auth=True),
            truth("GET", "/doc", builtin=True),
        ],
    }
    found = [
        tool(["GET", "HEAD"], "/a", auth=True),
        tool(["POST"], "/a", auth=True, public=True),  # public overrides the guard
        tool(["GET"], "/items/<int:id>"),
        tool(["DELETE"], "/any"),
        tool(["GET"], "/extra"),
    ]
    result = routes.score(manifest, found)
    assert (result["truth_routes"], result["matched"]) == (5, 4)
    assert result["missed"] == ["GET /missed (m:/missed)"]
    assert result["spurious"] == ["GET /extra (x.py:1)"]
    assert result["tool_routes"] == 5  # HEAD is implicit and not counted
    assert result["recall"] == 0.8 and result["precision"] == 0.8
    assert result["flags"]["auth"]["judged"] == 3  # the null truth is not judged
    assert result["flags"]["auth"]["accuracy"] == 1.0
    assert result["builtin_routes"] == 1 and result["builtin_recall"] == 0.0
    overall = routes.overall([result])
    assert overall["recall"] == 0.8 and overall["auth_accuracy"] == 1.0


def test_a_wrong_flag_is_listed() -> None:
    manifest = {
        "app": "tiny",
        "framework": "aiohttp",
        "commit": "0" * 40,
        "routes": [truth("GET", "/x/", auth=True)],
    }
    result = routes.score(manifest, [tool(["GET"], "/x")])
    assert result["matched"] == 0  # aiohttp does not redirect a missing slash
    result = routes.score(manifest, [tool(["GET"], "/x/")])
    assert result["flags"]["auth"]["accuracy"] == 0.0
    assert result["flags"]["auth"]["wrong"] == ["GET /x/: truth True, tool False (x.py:1)"]


def test_merge_keeps_read_routes_and_applies_labels_in_order() -> None:
    manifest: dict[str, Any] = {
        "routes": [
            truth("GET", "/old", source="runtime"),
            truth("GET", "/hidden", source="read", auth=True),
        ],
        "labels": {
            "GET /a*": {"auth": True, "auth_evidence": "read: x"},
            "GET /admin": {"auth": False},
            "GET /nothing": {"auth": True},
        },
    }
    unused = build.merge(manifest, [truth("GET", "/admin"), truth("POST", "/admin")])
    got = {(r["method"], r["path"]): (r["source"], r["auth"]) for r in manifest["routes"]}
    assert got == {
        ("GET", "/admin"): ("runtime", False),
        ("POST", "/admin"): ("runtime", None),
        ("GET", "/hidden"): ("read", True),
    }
    assert unused == ["GET /nothing"]
