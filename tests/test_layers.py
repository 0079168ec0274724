"""Imports run one way: a module may import its own layer or a lower one, never a higher one.

The layer order is written down once, in LAYERS (bottom first). A module's layer is the entry with
the longest matching dotted prefix, so a package and its submodules can be placed separately and a
moved module needs one line changed. Lazy imports inside functions count; imports under
`if TYPE_CHECKING:` do not (they never run). Any import cycle between modules fails too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "reviewer"

# Bottom to top. Each layer lists module prefixes; the longest matching prefix wins.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "values",
        (
            "reviewer",
            "reviewer.model",
            "reviewer.walk",
            "reviewer.git",
            "reviewer.positions",
            "reviewer.codec",
            "reviewer.http",
            "reviewer.meta_findings",
        ),
    ),
    (
        "utilities",
        (
            "reviewer.config",
            "reviewer.diff",
            "reviewer.imports",
            "reviewer.cache",
            "reviewer.resources",
            "reviewer.checklist",
        ),
    ),
    (
        "core model",
        (
            "reviewer.context",
            "reviewer.discovery",
            "reviewer.service",
            "reviewer.frontend",
            "reviewer.scoring",
            "reviewer.analyzers",
        ),
    ),
    ("frontend", ("reviewer.taint", "reviewer.framework", "reviewer.applicability")),
    ("checks", ("reviewer.checks",)),
    (
        "catalogue",
        ("reviewer.registry", "reviewer.traversal", "reviewer.catalogue"),
    ),
    (
        "pipeline",
        (
            "reviewer.native",
            "reviewer.postprocess",
            "reviewer.engine",
            "reviewer.baseline",
            "reviewer.analyzers.plan",
            "reviewer.python_frontend",
            "reviewer.testing",
        ),
    ),
    ("reporters", ("reviewer.reporters", "reviewer.framework.render")),
    ("github", ("reviewer.github",)),
    # The face: everything a user runs. Placed generously; modules being moved between them
    # (branch `face`) need no change here.
    (
        "face",
        (
            "reviewer.cli",
            "reviewer.pr",
            "reviewer.baseline_cli",
            "reviewer.route_changes",
            "reviewer.framework.inventory",
            "reviewer.__main__",
            "reviewer.scope",
            "reviewer.progress",
            "reviewer.inventory",
        ),
    ),
]

# Edges that exist today and are being removed on other branches; each names where it goes.
KNOWN_UPWARD: set[tuple[str, str]] = {
    # branch `taint` deletes taint/pipeline.py
    ("reviewer.taint.pipeline", "reviewer.traversal"),
}
KNOWN_CYCLES: set[frozenset[str]] = set()


def layer_of(module: str) -> int:
    best, rank = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            # the bare package name places only `reviewer/__init__.py`, never its submodules
            inside = prefix != "reviewer" and module.startswith(prefix + ".")
            if (module == prefix or inside) and len(prefix) > best:
                best, rank = len(prefix), index
    assert rank >= 0, f"{module} has no layer in LAYERS"
    return rank


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, module: str, modules: set[str]) -> set[str]:
    """Every reviewer module imported anywhere in the file (lazy ones too), TYPE_CHECKING aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("reviewer") and (target := resolve(alias.name)):
                    found.add(target)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.startswith("reviewer"):
                for alias in node.names:
                    target = (
                        resolve(f"{base}.{alias.name}")
                        if f"{base}.{alias.name}" in modules
                        else resolve(base)
                    )
                    if target:
                        found.add(target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(module)
    return found


def _graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in ROOT.rglob("*.py")}
    modules = set(paths)
    return {m: _imports(p, m, modules) for m, p in paths.items()}


GRAPH = _graph()


def test_every_module_has_a_layer() -> None:
    for module in GRAPH:
        layer_of(module)


def test_no_import_runs_upward() -> None:
    upward = sorted(
        f"{m} ({LAYERS[layer_of(m)][0]}) imports {t} ({LAYERS[layer_of(t)][0]})"
        for m, targets in GRAPH.items()
        for t in targets
        if layer_of(t) > layer_of(m) and (m, t) not in KNOWN_UPWARD
    )
    assert not upward, "\n".join(upward)


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            strong(v)
    return out


def test_no_import_cycle() -> None:
    cycles = [c for c in _cycles() if frozenset(c) not in KNOWN_CYCLES]
    assert not cycles, cycles


@pytest.mark.parametrize("module", ["reviewer.framework.build", "reviewer.taint.collector"])
def test_the_walker_sees_the_imports_it_judges(module: str) -> None:
    """A walker that found no imports would pass every check; these two import reviewer modules."""
    assert GRAPH[module]


def test_no_rule_folder_imports_another_folders_private_module() -> None:
    """Helpers two rule folders share live in a public module (reviewer/checks/*.py or the
    framework model), not in one folder's `_private` module."""
    found = []
    for m, targets in GRAPH.items():
        parts = m.split(".")
        if len(parts) < 4 or parts[:2] != ["reviewer", "checks"]:
            continue
        for t in targets:
            tparts = t.split(".")
            if (
                len(tparts) >= 4
                and tparts[:2] == ["reviewer", "checks"]
                and tparts[2] != parts[2]
                and any(p.startswith("_") for p in tparts[3:])
            ):
                found.append(f"{m} imports {t}")
    assert not found, "\n".join(found)
