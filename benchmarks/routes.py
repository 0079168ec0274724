"""Score `backend-review routes` against the runtime truth of the development corpus.

For every manifest benchmarks/corpus/<app>.json whose checkout exists under the
corpus directory, run `backend-review routes <checkout>/<review_path> --format
json` (a subprocess; PYTHONPATH is the repo, so the reviewer under test is this
worktree's) and compare on (method, normalized path):

- every path parameter is written `{}` (Flask `<int:x>`, Django `<x>` and regex
  groups, FastAPI `{x:path}`, `:x`);
- a trailing `/` difference is forgiven where the framework redirects (Flask,
  Django's APPEND_SLASH, Starlette/FastAPI `redirect_slashes`) or matches both
  (Express and NestJS on it: the router is not strict by default);
- truth method "*" matches any method the tool gives for that path (and the
  tool's "*" any truth method);
- implicit HEAD/OPTIONS from the tool are ignored unless the truth lists them;
- builtin truth routes (admin, docs) are scored separately;
- GraphQL operations (`POST /graphql/#query.x`, framework "graphql") are not URLs of
  their own: the truth lists their endpoint once, so they are counted apart
  (`graphql_operations`) and never scored as spurious routes.

On matched routes: auth-flag, authorization-flag and tested-flag accuracy, each
over the routes whose truth is not null.  Writes benchmarks/results/routes-<date>.json
and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
MANIFESTS = REPO / "benchmarks" / "corpus"
RESULTS = REPO / "benchmarks" / "results"
# Starlette (so FastAPI) Router(redirect_slashes=True) redirects /x to /x/ and back when only one exists
REDIRECTS_SLASH = {"flask", "django", "fastapi", "starlette"}
# Express's router (so NestJS on it) is not strict by default: /x/ matches the route /x
REDIRECTS_SLASH |= {"express", "nestjs"}
NODE_FRAMEWORKS = {"express", "fastify", "nestjs", "hono", "koa"}
IMPLICIT = {"HEAD", "OPTIONS"}

Route = dict[str, Any]
Key = tuple[str, str]


def _strip_regex_groups(path: str) -> str:
    """Replace each top-level regex group `(...)` (Django re_path) with `{}`."""
    out, depth = [], 0
    for ch in path:
        if ch == "(":
            if depth == 0:
                out.append("{}")
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def normalize_path(path: str) -> str:
    """Write every parameter as `{}`, drop regex anchors, start with `/`."""
    path = path.strip()
    if path.startswith("^"):
        path = path[1:]
    path = path.removesuffix("$").removesuffix("\\Z")
    path = _strip_regex_groups(path)
    path = re.sub(r"<[^<>]*>", "{}", path)
    path = re.sub(r"\{[^{}]*\}", "{}", path)
    path = re.sub(r"(?<=/):[A-Za-z_]\w*", "{}", path)
    path = path.replace("\\", "")
    return path if path.startswith("/") else "/" + path


@dataclass
class Index:
    """(method, path) pairs of one side, and the methods seen per path."""

    routes: dict[Key, Route] = field(default_factory=dict)
    by_path: dict[str, set[str]] = field(default_factory=dict)

    def add(self, method: str, path: str, route: Route) -> None:
        self.routes.setdefault((method, path), route)
        self.by_path.setdefault(path, set()).add(method)

    def find(self, method: str, path: str, slash: bool) -> Route | None:
        """The route for (method, path), via "*" on either side and the trailing-slash redirect."""
        paths = [path]
        if slash:
            paths.append(path[:-1] if path.endswith("/") and len(path) > 1 else path + "/")
        for p in paths:
            methods = self.by_path.get(p, set())
            if method in methods:
                return self.routes[(method, p)]
            if "*" in methods:
                return self.routes[("*", p)]
            if method == "*" and methods:
                return self.routes[(sorted(methods)[0], p)]
        return None


def tool_pairs(tool: list[Route], truth: Index) -> Index:
    index = Index()
    for route in tool:
        if route.get("framework") == "graphql":
            continue
        path = normalize_path(route["path"])
        for method in route.get("methods") or ["*"]:
            method = method.upper()
            if method in IMPLICIT and method not in truth.by_path.get(path, set()):
                continue
            index.add(method, path, route)
    return index


def tool_flags(route: Route) -> dict[str, bool]:
    guards = route.get("auth", [])
    authn = any(g.get("kind") == "authentication" for g in guards) and not route.get(
        "public", False
    )
    authz = bool(route.get("authorization")) or any(
        g.get("kind") == "authorization" for g in guards
    )
    return {"auth": authn, "authorization": authz, "tested": bool(route.get("tests"))}


def run_tool(target: Path) -> list[Route]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-m", "reviewer", "routes", str(target), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"backend-review routes failed on {target}:\n{proc.stderr[-4000:]}")
    routes: list[Route] = json.loads(proc.stdout)
    return routes


def ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def score(manifest: dict[str, Any], tool: list[Route]) -> dict[str, Any]:
    """Compare one app's tool routes with its truth."""
    slash = manifest["framework"] in REDIRECTS_SLASH
    truth = Index()
    builtin = Index()
    for route in manifest["routes"]:
        (builtin if route.get("builtin") else truth).add(
            route["method"], normalize_path(route["path"]), route
        )
    tools = tool_pairs(tool, truth)
    missed, matched, builtin_missed = [], [], []
    for (method, path), route in truth.routes.items():
        hit = tools.find(method, path, slash)
        (
            matched.append((route, hit))
            if hit
            else missed.append(f"{method} {route['path']} ({route['handler']})")
        )
    for (method, path), route in builtin.routes.items():
        if not tools.find(method, path, slash):
            builtin_missed.append(f"{method} {route['path']}")
    spurious = [
        f"{m} {r['path']} ({r.get('file')}:{r.get('line')})"
        for (m, p), r in tools.routes.items()
        if not truth.find(m, p, slash) and not builtin.find(m, p, slash)
    ]
    flags: dict[str, Any] = {}
    for name in ("auth", "authorization", "tested"):
        judged = [(t, h) for t, h in matched if t.get(name) is not None]
        wrong = [
            f"{t['method']} {t['path']}: truth {t[name]}, tool {tool_flags(h)[name]} ({h.get('file')}:{h.get('line')})"
            for t, h in judged
            if bool(t[name]) != tool_flags(h)[name]
        ]
        flags[name] = {
            "judged": len(judged),
            "accuracy": ratio(len(judged) - len(wrong), len(judged)),
            "wrong": wrong,
        }
    n_tool = len(tools.routes)
    return {
        "app": manifest["app"],
        "framework": manifest["framework"],
        "commit": manifest["commit"],
        "truth_routes": len(truth.routes),
        "tool_routes": n_tool,
        "matched": len(matched),
        "recall": ratio(len(matched), len(truth.routes)),
        "precision": ratio(n_tool - len(spurious), n_tool),
        "builtin_routes": len(builtin.routes),
        "builtin_recall": ratio(len(builtin.routes) - len(builtin_missed), len(builtin.routes)),
        "flags": flags,
        "missed": missed,
        "spurious": spurious,
        "builtin_missed": builtin_missed,
        "graphql_operations": sum(1 for r in tool if r.get("framework") == "graphql"),
    }


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f} %"


def table(results: list[dict[str, Any]]) -> str:
    head = "| app | framework | truth | tool | recall | precision | auth | authz | tested |\n"
    head += "|---|---|---|---|---|---|---|---|---|\n"
    rows = []
    for r in results:
        f = r["flags"]
        rows.append(
            f"| {r['app']} | {r['framework']} | {r['truth_routes']} | {r['tool_routes']} | {fmt(r['recall'])} "
            f"| {fmt(r['precision'])} | {fmt(f['auth']['accuracy'])} ({f['auth']['judged']}) "
            f"| {fmt(f['authorization']['accuracy'])} ({f['authorization']['judged']}) "
            f"| {fmt(f['tested']['accuracy'])} ({f['tested']['judged']}) |"
        )
    return head + "\n".join(rows) + "\n"


def overall(results: list[dict[str, Any]]) -> dict[str, Any]:
    truth = sum(r["truth_routes"] for r in results)
    tool = sum(r["tool_routes"] for r in results)
    out: dict[str, Any] = {
        "truth_routes": truth,
        "tool_routes": tool,
        "recall": ratio(sum(r["matched"] for r in results), truth),
        "precision": ratio(tool - sum(len(r["spurious"]) for r in results), tool),
    }
    for name in ("auth", "authorization", "tested"):
        judged = sum(r["flags"][name]["judged"] for r in results)
        wrong = sum(len(r["flags"][name]["wrong"]) for r in results)
        out[f"{name}_accuracy"] = ratio(judged - wrong, judged)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Score `backend-review routes` on the development corpus (benchmarks/corpus/*.json) "
        "against each app's runtime truth; writes benchmarks/results/routes-<date>.json and prints a table.",
    )
    parser.add_argument(
        "--corpus", type=Path, default=Path("/work/corpus"), help="where the app checkouts are"
    )
    parser.add_argument(
        "--node-corpus",
        type=Path,
        default=Path("/work/corpus-node"),
        help="where the Node apps' checkouts are",
    )
    parser.add_argument("--app", action="append", help="score only this app (repeatable)")
    parser.add_argument(
        "--out", type=Path, help="results file (default benchmarks/results/routes-<date>.json)"
    )
    ns = parser.parse_args(argv)
    results, skipped = [], []
    for path in sorted(MANIFESTS.glob("*.json")):
        manifest = json.loads(path.read_text())
        if ns.app and manifest["app"] not in ns.app:
            continue
        node = manifest["framework"] in NODE_FRAMEWORKS
        checkout = (ns.node_corpus if node else ns.corpus) / manifest["app"]
        if not checkout.is_dir():
            skipped.append(
                f"{manifest['app']}: git clone https://github.com/{manifest['repo']} {checkout} "
                f"&& git -C {checkout} checkout {manifest['commit']}"
            )
            continue
        print(f"scoring {manifest['app']} ...", file=sys.stderr)
        results.append(score(manifest, run_tool(checkout / manifest.get("review_path", "."))))
    report: dict[str, Any] = {
        "date": date.today().isoformat(),
        "overall": overall(results),
        "apps": results,
        "skipped": skipped,
    }
    out = ns.out or RESULTS / f"routes-{date.today().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(table(results))
    o = report["overall"]
    print(
        f"overall: recall {fmt(o['recall'])}, precision {fmt(o['precision'])}, auth {fmt(o['auth_accuracy'])}, "
        f"authz {fmt(o['authorization_accuracy'])}, tested {fmt(o['tested_accuracy'])}"
    )
    for line in skipped:
        print(f"skipped (no checkout) {line}")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
