"""`backend-review layers PATH`: the service's modules by role and the imports between roles.

The model is `Project.layers` (reviewer/framework/layers.py says how each role is decided); this
builds it for a target without running rules and renders it as text, JSON or a Mermaid
`graph LR` diagram (one node per role, each edge labelled with how many module pairs import
that way). Imports under `if TYPE_CHECKING:` never run and are not edges.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from reviewer.config import Config
from reviewer.discovery import SOURCE_SUFFIXES, find_sources
from reviewer.native import review_files
from reviewer.service import ROLES, Layers

FORMATS = ("text", "mermaid", "json")


def layers_of(root: Path, config: Config) -> Layers:
    """The layer model of the Python files under `root` (discovery's excludes apply)."""
    files: dict[str, bytes] = {}
    for source in find_sources(Path(root), config, SOURCE_SUFFIXES).files:
        if not source.relpath.endswith(".py"):
            continue
        try:
            files[source.relpath] = source.path.read_bytes()
        except OSError:
            continue
    return review_files(files, [], config).project.layers


def role_edges(layers: Layers) -> Counter[tuple[str, str]]:
    """(importing role, imported role) -> number of distinct module pairs importing that way."""
    roles = {m.module: m.role for m in layers.modules}
    pairs = {
        (i.module, i.target)
        for i in layers.imports
        if i.target and not i.type_only and i.module in roles and i.target in roles
    }
    return Counter((roles[a], roles[b]) for a, b in pairs)


def render_layers(layers: Layers, fmt: str = "text") -> str:
    if fmt == "json":
        return _json(layers)
    if fmt == "mermaid":
        return mermaid(layers)
    return _text(layers)


def mermaid(layers: Layers) -> str:
    present = [r for r in ROLES if any(m.role == r for m in layers.modules)]
    counts = Counter(m.role for m in layers.modules)
    lines = ["graph LR"]
    for role in present:
        lines.append(f'    {role}["{role} ({counts[role]})"]')
    for (a, b), n in sorted(role_edges(layers).items()):
        lines.append(f"    {a} -->|{n}| {b}")
    return "\n".join(lines) + "\n"


def _text(layers: Layers) -> str:
    out: list[str] = []
    for role in ROLES:
        members = [m for m in layers.modules if m.role == role]
        if not members:
            continue
        out.append(f"{role} ({len(members)})")
        for m in members:
            why = f"  [{'; '.join(m.evidence)}]" if m.evidence else ""
            out.append(f"  {m.file}{why}")
        out.append("")
    edges = role_edges(layers)
    out.append("imports between roles (module pairs)")
    if not edges:
        out.append("  none")
    for (a, b), n in sorted(edges.items(), key=lambda e: (ROLES.index(e[0][0]), e[0][1])):
        out.append(f"  {a} -> {b}: {n}")
    out.append("")
    out.append("mermaid")
    out.append(mermaid(layers))
    return "\n".join(out)


def _json(layers: Layers) -> str:
    data = {
        "modules": [
            {"module": m.module, "file": m.file, "role": m.role, "evidence": list(m.evidence)}
            for m in layers.modules
        ],
        "edges": [
            {"from": a, "to": b, "modules": n} for (a, b), n in sorted(role_edges(layers).items())
        ],
    }
    return json.dumps(data, indent=2) + "\n"
