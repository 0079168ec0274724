"""Build the runtime truth of a corpus app: venv, extractor, hand labels, manifest.

Benchmark-only: this imports and runs the corpus apps (inside their own
virtualenvs), which backend-review itself never does.  The corpus sources are
already on disk (/work/corpus/<app>); the only network use is pip installing
the app's own requirements into /work/corpus-venvs/<app> when that venv is
missing.

Extractor contract (every benchmarks/truth/<family>_truth.py follows it):

    <venv>/bin/python benchmarks/truth/<family>_truth.py \
        --checkout /work/corpus/<app> --runtime '<manifest runtime object as JSON>'

prints on stdout either a JSON list of routes or {"routes": [...]}; each route
has at least "method", "path", "handler" and may carry "builtin", "auth",
"auth_evidence", "authorization", "authz_evidence" when the run time knows them.

A manifest may name the interpreter for the venv ("python": "python3.12") when
the app needs another Python than the one running build.py.

Node apps (framework express, fastify): the "venv" is a throw-away copy of the
checkout under /work/corpus-node-env/<app> with its node_modules, installed by
`npm <install step>` for each manifest `install` step (e.g. ["ci",
"--ignore-scripts"]: no install script runs, so native bindings stay unbuilt and
the extractor stubs them).  A dependency or override the lock resolves from a
git host, which the sandbox cannot reach, is dropped from package.json together
with the lock before a step that names `install` ("npm_drop_git": true).  The
extractor, node_truth.js, runs with `node` in that copy.  Their checkouts live in
/work/corpus-node/<app> (`--node-corpus`).

Merge: the extractor's routes become `"source": "runtime"`; routes of the old
manifest with `"source": "read"` are kept; then the manifest's `labels` object
is applied.  A label key is an fnmatch pattern matched against "METHOD path"
and against the handler; its value is a dict of route fields to set.  Keys are
applied in manifest order, so later (more specific) keys win.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS_MANIFESTS = HERE.parent / "corpus"
DEFAULT_CORPUS = Path("/work/corpus")
DEFAULT_VENVS = Path("/work/corpus-venvs")
DEFAULT_NODE_CORPUS = Path("/work/corpus-node")
DEFAULT_NODE_ENVS = Path("/work/corpus-node-env")
NODE_FRAMEWORKS = {"express", "fastify", "nestjs", "hono", "koa"}
EXTRACTORS = {
    "flask": "flask_truth.py",
    "aiohttp": "aiohttp_truth.py",
    "django": "django_truth.py",
    "fastapi": "fastapi_truth.py",
    "starlette": "fastapi_truth.py",
    "litestar": "litestar_truth.py",
    "express": "node_truth.js",
    "fastify": "node_truth.js",
}
FLAG_FIELDS = (
    "auth",
    "auth_evidence",
    "authorization",
    "authz_evidence",
    "tested",
    "tested_evidence",
)

Route = dict[str, Any]


def route_key(route: Route) -> str:
    return f"{route['method']} {route['path']}"


def ensure_venv(
    venv: Path, checkout: Path, install: list[list[str]], interpreter: str | None = None
) -> Path:
    """Create the app's throw-away venv (with the manifest's "python", e.g. "python3.12") and pip install its steps, once."""
    python = venv / "bin" / "python"
    if python.exists():
        return python
    subprocess.run([interpreter or sys.executable, "-m", "venv", str(venv)], check=True)
    for step in install:
        subprocess.run([str(python), "-m", "pip", "install", "-q", *step], cwd=checkout, check=True)
    return python


def ensure_node_env(env: Path, checkout: Path, manifest: dict[str, Any]) -> Path:
    """Copy a Node app's checkout to `env` and npm install it there, once; returns the copy."""
    if (env / "node_modules").is_dir():
        return env
    shutil.copytree(checkout, env, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".git"))
    if manifest.get("npm_drop_git"):
        package = json.loads((env / "package.json").read_text())
        for section in ("dependencies", "devDependencies", "optionalDependencies", "overrides"):
            for name, spec in list(package.get(section, {}).items()):
                if isinstance(spec, str) and re.match(
                    r"(github:|git\+|git://|https://github)", spec
                ):
                    del package[section][name]
        (env / "package.json").write_text(json.dumps(package, indent=2) + "\n")
        (env / "package-lock.json").unlink(missing_ok=True)
    for step in manifest.get("install", []):
        subprocess.run(["npm", *step, "--no-audit", "--no-fund"], cwd=env, check=True)
    return env


def extract(python: Path, manifest: dict[str, Any], checkout: Path) -> list[Route]:
    """Run the family's extractor inside the app's venv (Node: its npm copy) and return its routes."""
    runtime = manifest.get("runtime", {})
    script = HERE / runtime.get("extractor", EXTRACTORS[manifest["framework"]])
    runner = "node" if script.suffix == ".js" else str(python)
    proc = subprocess.run(
        [runner, str(script), "--checkout", str(checkout), "--runtime", json.dumps(runtime)],
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{manifest['app']}: extractor failed:\n{proc.stderr[-4000:]}")
    out = json.loads(proc.stdout)
    routes: list[Route] = out["routes"] if isinstance(out, dict) else out
    return routes


def normalize(route: Route, source: str) -> Route:
    """Give a route every field of the manifest format, in a stable order."""
    full: Route = {
        "method": route["method"].upper(),
        "path": route["path"],
        "handler": route.get("handler", ""),
    }
    full["source"] = route.get("source", source)
    if route.get("builtin"):
        full["builtin"] = True
    for name in FLAG_FIELDS:
        full[name] = route.get(name, None if not name.endswith("evidence") else "")
    for (
        name,
        value,
    ) in route.items():  # extractor extras (endpoint, decorators, dependencies) travel along
        full.setdefault(name, value)
    return full


def apply_labels(routes: list[Route], labels: dict[str, dict[str, Any]]) -> list[str]:
    """Set label fields on every route a key matches; return the keys that matched nothing."""
    unused = []
    for pattern, fields in labels.items():
        hit = False
        for route in routes:
            if fnmatch.fnmatchcase(route_key(route), pattern) or fnmatch.fnmatchcase(
                route["handler"], pattern
            ):
                route.update(fields)
                hit = True
        if not hit:
            unused.append(pattern)
    return unused


def merge(manifest: dict[str, Any], runtime_routes: list[Route] | None) -> list[str]:
    """Rebuild manifest['routes'] from runtime routes (or the old ones), read routes and labels."""
    old = manifest.get("routes", [])
    if runtime_routes is None:
        runtime_routes = [r for r in old if r.get("source", "runtime") == "runtime"]
    routes = [normalize(r, "runtime") for r in runtime_routes]
    seen = {route_key(r) for r in routes}
    routes += [
        normalize(r, "read") for r in old if r.get("source") == "read" and route_key(r) not in seen
    ]
    unused = apply_labels(routes, manifest.get("labels", {}))
    routes.sort(key=lambda r: (r["path"], r["method"]))
    manifest["routes"] = routes
    return unused


def build(
    path: Path,
    corpus: Path,
    venvs: Path,
    run_extractor: bool,
    node_corpus: Path = DEFAULT_NODE_CORPUS,
    node_envs: Path = DEFAULT_NODE_ENVS,
) -> None:
    manifest = json.loads(path.read_text())
    node = manifest["framework"] in NODE_FRAMEWORKS
    checkout = (node_corpus if node else corpus) / manifest["app"]
    runtime_routes = None
    if run_extractor and node and manifest["framework"] not in EXTRACTORS:
        run_extractor = False  # hand-labelled truth ("source": "read"), see the manifest notes
    if run_extractor:
        if not checkout.is_dir():
            raise SystemExit(f"{manifest['app']}: no checkout at {checkout}")
        if node:
            env = ensure_node_env(node_envs / manifest["app"], checkout, manifest)
            runtime_routes = extract(Path("node"), manifest, env)
        else:
            python = ensure_venv(
                venvs / manifest["app"],
                checkout,
                manifest.get("install", []),
                manifest.get("python"),
            )
            runtime_routes = extract(python, manifest, checkout)
        manifest["extracted"] = date.today().isoformat()
    unused = merge(manifest, runtime_routes)
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    known = sum(r["auth"] is not None for r in manifest["routes"])
    print(
        f"{manifest['app']}: {len(manifest['routes'])} routes, auth known on {known}",
        file=sys.stderr,
    )
    for key in unused:
        print(f"  label matched no route: {key}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run a corpus app's truth extractor in its venv and merge the hand labels "
        "into benchmarks/corpus/<app>.json (see the module docstring for the extractor contract).",
    )
    parser.add_argument("apps", nargs="+", help="app names (benchmarks/corpus/<app>.json)")
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="where the checkouts are"
    )
    parser.add_argument(
        "--venvs", type=Path, default=DEFAULT_VENVS, help="where the throw-away venvs go"
    )
    parser.add_argument(
        "--node-corpus",
        type=Path,
        default=DEFAULT_NODE_CORPUS,
        help="where the Node apps' checkouts are",
    )
    parser.add_argument(
        "--node-envs",
        type=Path,
        default=DEFAULT_NODE_ENVS,
        help="where the Node apps' throw-away npm installs go",
    )
    parser.add_argument(
        "--labels-only",
        action="store_true",
        help="do not run the extractor; re-apply the labels to the routes already in the manifest",
    )
    ns = parser.parse_args(argv)
    for app in ns.apps:
        build(
            CORPUS_MANIFESTS / f"{app}.json",
            ns.corpus,
            ns.venvs,
            not ns.labels_only,
            ns.node_corpus,
            ns.node_envs,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
