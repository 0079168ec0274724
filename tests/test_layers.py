"""Imports run one way: a module may import its own layer or a lower one, never a higher one.

The layer order is written down once, in LAYERS (bottom first). A module's layer is the entry with
the longest matching dotted prefix, so a package and its submodules can be placed separately and a
moved module needs one line changed. Lazy imports inside functions count; imports under
`if TYPE_CHECKING:` do not (they never run). Any import cycle between modules fails too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reviewer.graphs import cycles

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
            "reviewer.base_tree",
            "reviewer.patterns",
            "reviewer.positions",
            "reviewer.codec",
            "reviewer.http",
            "reviewer.meta_findings",
            "reviewer.graphs",
        ),
    ),
    (
        "utilities",
        (
            "reviewer.config",
            "reviewer.config_schema",
            "reviewer.config_check",
            "reviewer.diff",
            "reviewer.imports",
            "reviewer.cache",
            "reviewer.resources",
            "reviewer.checklist",
            "reviewer.selection",
            "reviewer.run_limits",
        ),
    ),
    (
        "core model",
        (
            "reviewer.discovery",
            "reviewer.sibling_tests",
            "reviewer.service",
            "reviewer.frontend",
            "reviewer.scoring",
            "reviewer.analyzers",
        ),
    ),
    (
        "frontend",
        # language frontends: Python (framework, taint) and Node.js (node: tree-sitter)
        (
            "reviewer.context",
            "reviewer.taint",
            "reviewer.framework",
            "reviewer.applicability",
            "reviewer.node",
        ),
    ),
    ("checks", ("reviewer.checks",)),
    (
        "catalogue",
        ("reviewer.registry", "reviewer.traversal", "reviewer.nesting_bound", "reviewer.catalogue"),
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
            "reviewer.node_frontend",
            "reviewer.testing",
        ),
    ),
    ("reporters", ("reviewer.reporters",)),
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
            "reviewer.layers",
        ),
    ),
]

# The language-neutral core: what a second frontend (say JavaScript/TypeScript on tree-sitter)
# reuses unchanged to turn its Routes and Findings into a scored report. None of it may import
# libcst, directly, lazily or through another reviewer module. libcst lives in the Python
# frontend: parsing (traversal, positions, walk, imports, context), the collectors (framework/,
# taint/, applicability), the rules (checks/) and the two-phase runner (native).
LANGUAGE_NEUTRAL: tuple[str, ...] = (
    "reviewer.model",
    "reviewer.service",
    "reviewer.http",
    "reviewer.scoring",
    "reviewer.checklist",
    "reviewer.meta_findings",
    "reviewer.selection",
    "reviewer.config",
    "reviewer.diff",
    "reviewer.git",
    "reviewer.base_tree",
    "reviewer.patterns",
    "reviewer.cache",
    "reviewer.codec",
    "reviewer.resources",
    "reviewer.discovery",
    "reviewer.baseline",
    "reviewer.postprocess",
    "reviewer.reporters",
    "reviewer.github",
    "reviewer.frontend",
)

# Edges that exist today and are being removed on other branches; each names where it goes.
KNOWN_UPWARD: set[tuple[str, str]] = set()
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
    """Strongly connected components with more than one module."""
    return cycles(GRAPH)


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


def _neutral(module: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in LANGUAGE_NEUTRAL)


def _names_libcst(path: Path) -> bool:
    """The file imports libcst anywhere, `if TYPE_CHECKING:` included (no parser types either)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == "libcst" for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "libcst":
            return True
    return False


def test_the_language_neutral_core_never_imports_libcst() -> None:
    paths = {_module_name(p): p for p in ROOT.rglob("*.py")}
    parses = {m for m, p in paths.items() if _names_libcst(p)}
    neutral = sorted(m for m in GRAPH if _neutral(m))
    assert "reviewer.reporters.markdown" in neutral and "reviewer.service" in neutral
    found = []
    for start in neutral:
        seen, todo, via = {start}, [start], {start: start}
        while todo:
            m = todo.pop()
            if m in parses:
                chain = [m]
                while chain[-1] != start:
                    chain.append(via[chain[-1]])
                found.append(" <- ".join(chain) + " imports libcst")
                break
            for t in GRAPH[m] - seen:
                seen.add(t)
                via[t] = m
                todo.append(t)
    assert not found, "\n".join(found)


def test_the_core_scores_and_renders_a_report_with_libcst_unimportable(tmp_path: Path) -> None:
    """Run for real: import every neutral module and render a report holding routes and
    findings in every format, in a Python where `import libcst` fails."""
    tests = Path(__file__).resolve().parent
    neutral = sorted(m for m in GRAPH if _neutral(m))
    script = textwrap.dedent(
        f"""
        import importlib, sys
        from importlib.abc import MetaPathFinder

        class NoLibcst(MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "libcst":
                    raise ImportError("libcst is not available to the core")
                return None

        sys.meta_path.insert(0, NoLibcst())
        sys.path[:0] = [{str(ROOT.parent)!r}, {str(tests / "reporters")!r}]
        for module in {neutral!r}:
            importlib.import_module(module)
        from pathlib import Path
        from reporter_sample import build_report
        from reviewer.reporters import REPORTERS, render_report
        from reviewer.scoring import load_checklist

        checklist = load_checklist()
        report = build_report(Path({str(tmp_path)!r}), checklist)
        assert report.routes and report.findings
        for fmt in sorted(REPORTERS):
            text = render_report(fmt, report, checklist)
            assert "/orders/search" in text or fmt in ("sarif", "terminal", "concise", "gitlab", "junit"), fmt
            assert report.findings[0].code in text, fmt
        assert "libcst" not in sys.modules
        print("ok", len(REPORTERS))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == [
        "ok",
        "8",
    ]  # terminal, concise, json, sarif, markdown, gitlab, junit, html
