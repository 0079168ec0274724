"""Label `tested` on a corpus manifest's routes from the app's own test suite (benchmark-only).

Method (benchmarks/corpus/README.md, "How `tested` is labelled"): a route is tested when a test
file sends it a request through the framework's test client: a call `<x>client.<verb>(url, ...)`
(Flask `app.test_client()`, Starlette/FastAPI `TestClient`, the suites' `client`, `api_client`,
`admin_client`, `self.client` fixtures) whose verb is the route's method and whose URL resolves
to the route's path. URLs are resolved statically from the tests' own code: string literals,
f-strings, `+`, `%` and `.format`, local and module constants, constants and one-line URL
builder functions of imported test modules (mealie's generated `tests/utils/api_routes`), and
Flask `url_for("endpoint")` by the endpoint the manifest records. Parts that stay unknown match
one path segment. Helpers in the test tree count too (CTFd's `login_as_user` posts /login).
A receiver not named like a client (`admin`, `captain`, `c`) counts when the URL resolves to
a path or a `url_for`; of the routes a concrete URL matches, the one with the fewest parameters
is taken (routers prefer literal segments: `/flags/types` is not `/flags/{flag_id}`).
Every other route gets `tested: false`; calls whose URL cannot be resolved are counted and
printed so a human can check they do not hide a route (the spot-check is in the corpus README).

This reads the tests with `ast`; it never imports or runs them. Usage:

    python3 benchmarks/truth/tested_labels.py --app mealie [--corpus /work/corpus] [--dry-run]
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MANIFESTS = HERE.parent / "corpus"
VERBS = {"get", "post", "put", "patch", "delete", "head", "options"}
UNKNOWN = "\x00"  # one unresolved path segment (or part of one)
Locals = dict[str, list[ast.expr]]

# where each app keeps its test suite (relative to the checkout)
TEST_DIRS = {
    "ctfd": ["tests"],
    "changedetection": ["changedetectionio/tests"],
    "mealie": ["tests"],
    "dispatch": ["tests"],
}

# Calls whose URL the resolver cannot follow, decided by reading the test (method, path, where):
# URLs the server returned, or class attributes of a parametrized route class.
_ORGANIZERS = "tests/integration_tests/category_tag_tool_tests/test_organizers_common.py"
BY_HAND: dict[str, list[tuple[str, str, str]]] = {
    "ctfd": [
        (
            "GET",
            "/share/{type}",
            "tests/test_share.py:47 (the share URL POST /api/v1/shares returned)",
        ),
        (
            "GET",
            "/share/{type}/assets/{path}",
            "tests/test_share.py:57 (og:image URL of that page)",
        ),
    ],
    "mealie": [
        (method, f"/api/organizers/{kind}{suffix}", f"{_ORGANIZERS}:{line} (route class {kind})")
        for kind in ("categories", "tags", "tools")
        for method, suffix, line in (
            ("POST", "", 67),
            ("GET", "/{item_id}", 72),
            ("PUT", "/{item_id}", 111),
            ("DELETE", "/{item_id}", 81),
            ("GET", f"/slug/{{{kind.rstrip('s').replace('categorie', 'category')}_slug}}", 230),
        )
    ],
}


class Module:
    """One test module: its constants, one-line URL functions, imports."""

    def __init__(self, name: str, tree: ast.Module) -> None:
        self.name = name
        self.tree = tree
        self.constants: dict[str, ast.expr] = {}
        self.functions: dict[str, ast.FunctionDef] = {}
        self.imports: dict[str, str] = {}  # local name -> dotted module or module.attr
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    self.constants[target.id] = node.value
            elif isinstance(node, ast.FunctionDef):
                self.functions[node.name] = node
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    self.imports[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0]
                    )
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"


class Resolver:
    """Turns a URL expression in a test into a path pattern (UNKNOWN for what stays open)."""

    def __init__(self, modules: dict[str, Module], endpoints: dict[str, list[str]]) -> None:
        self.modules = modules
        self.endpoints = endpoints  # Flask endpoint -> route paths

    def resolve(self, expr: ast.expr, module: Module, local: Locals, depth: int = 0) -> list[str]:
        """Candidate paths (several when a name is assigned different values)."""
        if depth > 8:
            return [UNKNOWN]
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return [expr.value]
        if isinstance(expr, ast.JoinedStr):
            out = [""]
            for part in expr.values:
                if isinstance(part, ast.Constant):
                    out = [o + str(part.value) for o in out]
                elif isinstance(part, ast.FormattedValue):
                    pieces = self.resolve(part.value, module, local, depth + 1)
                    out = [o + p for o in out for p in pieces[:64]][:200]
            return out
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left = self.resolve(expr.left, module, local, depth + 1)
            right = self.resolve(expr.right, module, local, depth + 1)
            return [a + b for a in left[:64] for b in right[:64]][:200]
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
            return [
                re.sub(r"%[sdir]", UNKNOWN, s)
                for s in self.resolve(expr.left, module, local, depth + 1)
            ]
        if isinstance(expr, ast.Call):
            return self._call(expr, module, local, depth)
        if isinstance(expr, ast.Name):
            if expr.id in local:
                found = [
                    p
                    for value in local[expr.id]
                    for p in self.resolve(value, module, {}, depth + 1)
                ]
                return list(dict.fromkeys(found))[:200]
            if expr.id in module.constants:
                return self.resolve(module.constants[expr.id], module, {}, depth + 1)
            target = self._imported(module, expr.id)
            if target is not None:
                return target
            return [UNKNOWN]
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            other = self._module_of(module, expr.value.id)
            if other is not None and expr.attr in other.constants:
                return self.resolve(other.constants[expr.attr], other, {}, depth + 1)
        return [UNKNOWN]

    def _call(self, call: ast.Call, module: Module, local: Locals, depth: int) -> list[str]:
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "url_for" and call.args:
            first = call.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                return [f"endpoint:{first.value}".split("?", 1)[0]]
            return [UNKNOWN]
        if name == "format" and isinstance(func, ast.Attribute):
            return [
                re.sub(r"\{[^{}]*\}", UNKNOWN, s)
                for s in self.resolve(func.value, module, local, depth + 1)
            ]
        # a URL builder function: `api_routes.recipes_slug(slug)` -> its one `return f"..."`
        target: tuple[Module, ast.FunctionDef] | None = None
        if isinstance(func, ast.Name) and func.id in local:  # `route = api_routes.x; route(id)`
            found = [
                p
                for value in local[func.id]
                for p in self._call(
                    ast.Call(func=value, args=call.args, keywords=[]), module, {}, depth + 1
                )
            ]
            return list(dict.fromkeys(found))[:200] or [UNKNOWN]
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            other = self._module_of(module, func.value.id)
            if other is not None and func.attr in other.functions:
                target = (other, other.functions[func.attr])
        elif isinstance(func, ast.Name) and func.id in module.functions:
            target = (module, module.functions[func.id])
        if target is not None:
            owner, fdef = target
            returns = [n for n in ast.walk(fdef) if isinstance(n, ast.Return) and n.value]
            if len(returns) == 1 and returns[0].value is not None:
                params: Locals = {a.arg: [ast.Constant(UNKNOWN)] for a in fdef.args.args}
                return self.resolve(returns[0].value, owner, params, depth + 1)
        return [UNKNOWN]

    def _module_of(self, module: Module, name: str) -> Module | None:
        dotted = module.imports.get(name)
        if dotted is None:
            return None
        return self.modules.get(dotted) or self.modules.get(dotted.rpartition(".")[0] + "")

    def _imported(self, module: Module, name: str) -> list[str] | None:
        dotted = module.imports.get(name)
        if dotted is None:
            return None
        owner, _, attr = dotted.rpartition(".")
        other = self.modules.get(owner)
        if other is not None and attr in other.constants:
            return self.resolve(other.constants[attr], other, {}, 1)
        return None


def _is_client(expr: ast.expr) -> bool:
    """`client`, `api_client`, `self.client`, `app.test_client()`, `admin_client`, ..."""
    if isinstance(expr, ast.Name):
        return expr.id.endswith("client")
    if isinstance(expr, ast.Attribute):
        return expr.attr.endswith("client")
    if isinstance(expr, ast.Call):
        return _is_client(expr.func)
    return False


def _locals(func: ast.AST) -> Locals:
    """What each local name may hold in a function: its assignments (every branch), the items of
    a `for` loop over a literal or a named list, the values of `pytest.mark.parametrize`."""
    found: Locals = {}
    lists: dict[str, list[ast.expr]] = {}

    def add(name: str, value: ast.expr) -> None:
        found.setdefault(name, []).append(value)

    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                add(target.id, node.value)
                if isinstance(node.value, ast.List | ast.Tuple):
                    lists[target.id] = list(node.value.elts)
    for node in ast.walk(func):
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            items = node.iter
            if isinstance(items, ast.List | ast.Tuple):
                for item in items.elts:
                    add(node.target.id, item)
            elif isinstance(items, ast.Name) and items.id in lists:
                for item in lists[items.id]:
                    add(node.target.id, item)
    if isinstance(func, ast.FunctionDef):
        for deco in func.decorator_list:
            if not (
                isinstance(deco, ast.Call)
                and ast.unparse(deco.func).endswith("parametrize")
                and len(deco.args) >= 2
                and isinstance(deco.args[0], ast.Constant)
                and isinstance(deco.args[1], ast.List | ast.Tuple)
            ):
                continue
            names = [n.strip() for n in str(deco.args[0].value).split(",")]
            for item in deco.args[1].elts:
                values = item.elts if isinstance(item, ast.Tuple) and len(names) > 1 else [item]
                for name, value in zip(names, values, strict=False):
                    add(name, value)
    return found


def load_modules(checkout: Path, dirs: list[str]) -> dict[str, tuple[Module, Path]]:
    modules: dict[str, tuple[Module, Path]] = {}
    for rel in dirs:
        for path in sorted((checkout / rel).rglob("*.py")):
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (SyntaxError, UnicodeDecodeError):
                continue
            parts = path.relative_to(checkout).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            name = ".".join(parts)
            modules[name] = (Module(name, tree), path)
    return modules


def template_regex(path: str) -> re.Pattern[str]:
    """A truth path (`/api/users/{id}`, `/files/{path}`) as a regex over resolved test URLs."""
    out = []
    for piece in re.split(r"(\{[^{}]*\})", path.rstrip("/") or "/"):
        if piece.startswith("{"):
            out.append(".+" if piece in ("{path}", "{filename}") or ":path" in piece else "[^/]+")
        else:
            out.append(re.escape(piece))
    return re.compile("^" + "".join(out) + "/?$")


def _concrete(url: str) -> str:
    url = re.sub(r"^https?://[^/]+", "", url)
    url = url.split("?", 1)[0].split("#", 1)[0]
    if not url.startswith("/"):
        url = "/" + url
    return url.replace(UNKNOWN, "x1").rstrip("/") or "/"


def label(manifest: dict[str, Any], checkout: Path) -> dict[str, Any]:
    """Set `tested`/`tested_evidence` on every route; return statistics for the report."""
    dirs = TEST_DIRS[manifest["app"]]
    loaded = load_modules(checkout, dirs)
    modules = {name: module for name, (module, _) in loaded.items()}
    routes = manifest["routes"]
    endpoints: dict[str, list[str]] = {}
    for route in routes:
        if route.get("endpoint"):
            endpoints.setdefault(route["endpoint"], []).append(route["path"])
    resolver = Resolver(modules, endpoints)
    hits: dict[int, str] = {}
    stats: Counter[str] = Counter()
    unresolved: list[str] = []
    regexes = [template_regex(r["path"]) for r in routes]
    for _name, (module, path) in sorted(loaded.items()):
        rel = path.relative_to(checkout).as_posix()
        scopes = [n for n in ast.walk(module.tree) if isinstance(n, ast.FunctionDef)]
        seen: set[int] = set()
        for scope in [*scopes, module.tree]:
            local = _locals(scope) if scope is not module.tree else {}
            for call in ast.walk(scope):
                if id(call) in seen or not isinstance(call, ast.Call):
                    continue
                func = call.func
                if not (isinstance(func, ast.Attribute) and func.attr in VERBS):
                    continue
                url = call.args[0] if call.args else None
                for kw in call.keywords:
                    if url is None and kw.arg in ("url", "path"):
                        url = kw.value
                if url is None:
                    continue  # `client.get(documentId=0)`: a mocked API client, no URL
                candidates = resolver.resolve(url, module, local)
                # the suites' clients go by many names (`admin`, `captain`, `c`): a receiver
                # not named like a client counts when the URL is one of the app's paths
                if not _is_client(func.value) and not any(
                    c.startswith(("/", "endpoint:", "http://localhost")) for c in candidates
                ):
                    continue
                seen.add(id(call))
                stats["calls"] += 1
                method = func.attr.upper()
                matched = False
                for candidate in candidates:
                    found: list[int] = []
                    for index, route in enumerate(routes):
                        if route["method"] not in (method, "*"):
                            continue
                        if candidate.startswith("endpoint:"):
                            endpoint = re.split(r"[?/]", candidate.removeprefix("endpoint:"))[0]
                            ok = route.get("endpoint") == endpoint
                        elif candidate.strip(UNKNOWN) == "":
                            ok = False
                        else:
                            ok = bool(regexes[index].match(_concrete(candidate)))
                        if ok:
                            found.append(index)
                    if found and not candidate.startswith("endpoint:"):
                        # `/flags/types` is the literal route, not `/flags/{flag_id}`: the
                        # router prefers literal segments over parameters
                        fewest = min(routes[i]["path"].count("{") for i in found)
                        found = [i for i in found if routes[i]["path"].count("{") == fewest]
                    for index in found:
                        matched = True
                        hits.setdefault(index, f"{rel}:{call.lineno}")
                if matched:
                    stats["matched"] += 1
                elif all(c.strip(UNKNOWN) == "" for c in candidates):
                    stats["unresolved"] += 1
                    unresolved.append(f"{rel}:{call.lineno} {ast.unparse(url)[:60]}")
                else:
                    stats["no route"] += 1
                    unresolved.append(
                        f"{rel}:{call.lineno} {method} {candidates[0].replace(UNKNOWN, '{?}')}"
                        " (resolved, matches no route)"
                    )
    how = "benchmarks/truth/tested_labels.py"
    keys = {(r["method"], r["path"]): i for i, r in enumerate(routes)}
    for method, route_path, where in BY_HAND.get(manifest["app"], []):
        if (method, route_path) not in keys:
            raise SystemExit(f"hand label matches no route: {method} {route_path}")
        hits.setdefault(keys[(method, route_path)], f"{where}, read by hand")
    for index, route in enumerate(routes):
        if index in hits:
            route["tested"] = True
            route["tested_evidence"] = f"read: test client call {hits[index]} ({how})"
        else:
            route["tested"] = False
            route["tested_evidence"] = (
                f"read: no test client call in {', '.join(dirs)} resolves to it ({how})"
            )
    stats["routes tested"] = len(hits)
    stats["routes"] = len(routes)
    return {"stats": dict(stats), "unresolved": unresolved}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--app", required=True, choices=sorted(TEST_DIRS))
    parser.add_argument("--corpus", type=Path, default=Path("/work/corpus"))
    parser.add_argument("--dry-run", action="store_true", help="print, do not write")
    parser.add_argument("--show-unresolved", action="store_true")
    ns = parser.parse_args(argv)
    path = MANIFESTS / f"{ns.app}.json"
    manifest = json.loads(path.read_text())
    checkout = ns.corpus / manifest["app"]
    if not checkout.is_dir():
        raise SystemExit(f"no checkout at {checkout}")
    report = label(manifest, checkout)
    print(json.dumps(report["stats"]), file=sys.stderr)
    if ns.show_unresolved:
        for line in report["unresolved"]:
            print("  " + line, file=sys.stderr)
    if not ns.dry_run:
        path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
