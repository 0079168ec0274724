"""BR406 layer-import-cycle: modules of different layers that import each other in a cycle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.graphs import cycles
from reviewer.model import Confidence, Finding, Location, Severity
from reviewer.service import ModuleImport, Project

if TYPE_CHECKING:
    from reviewer.config import Config

# top to bottom: an import from a lower layer into a higher one is the edge that closes a cycle
_ORDER = {"controller": 0, "service": 1, "repository": 2, "model": 3}

_DB = "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n"
_VIEWS = (
    "from flask import Blueprint, jsonify\nfrom app import orders\n"
    "bp = Blueprint('o', __name__)\n\n"
    "@bp.get('/orders/<int:oid>')\ndef show(oid):\n    return jsonify(orders.show(oid))\n"
)
_MODELS = (
    "from app.db import db\n\nclass Order(db.Model):\n"
    "    id = db.Column(db.Integer, primary_key=True)\n"
)


class LayerImportCycle(Rule):
    """Modules of two layers import each other (directly or round a longer cycle).

    ## What it does
    Reads the layer model (`backend-review layers`: each module's role, controller, service,
    repository or model, from what it contains) and its import graph, and finds the cycles:
    groups of modules that reach each other through imports. Each such group spanning layers is
    reported once, at its first import that runs from a lower layer to a higher one (a
    repository importing a service, a model importing a repository), with the shortest cycle
    that import closes and the size of the group. Imports under
    `if TYPE_CHECKING:` never run and do not count, nor do imports between a package and its own
    submodules (a package `__init__` re-exporting them); cycles among modules of one layer, and
    imports from below into a controller (BR403's finding), are left out.

    ## Why is this bad
    A cycle ties the layers into one block: the repository cannot be tested or reused without
    the service above it, a change in either breaks the other, and the import order becomes
    fragile (a partly initialised module at import time, often "fixed" with a function-level
    import that hides the dependency). The layers exist so that dependencies run one way.

    ## Example
    ```python
    # app/orders.py (service)
    from app import repo
    def show(oid): return repo.get(oid)

    # app/repo.py (repository)
    from app.orders import audit   # back up into the service
    ```

    ## Use instead
    Move what both need (`audit`) down into the lower layer or into a module of its own that
    imports neither, or pass it in as a parameter.

    ## References
    - https://martinfowler.com/bliki/PresentationDomainDataLayering.html
    - https://docs.python.org/3/faq/programming.html#what-are-the-best-practices-for-using-import-in-a-module
    - https://import-linter.readthedocs.io/en/stable/contract_types.html#layers
    """

    code = "BR406"
    name = "layer-import-cycle"
    item = "architecture"
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    summary = "modules of different layers import each other in a cycle"
    needs_project = True

    VALID = [
        # controller -> service -> repository -> model: one way, no cycle
        Valid(
            "from app.db import db\nfrom app.models import Order\n\n"
            "def get(oid):\n    return db.session.get(Order, oid)\n",
            path="app/repo.py",
            files={
                "app/db.py": _DB,
                "app/models.py": _MODELS,
                "app/views.py": _VIEWS,
                "app/orders.py": "from app import repo  # ok: BR406\n\n"
                "def show(oid):\n    return repo.get(oid).id\n",
            },
        ),
        # the way back is only for type checking
        Valid(
            "from typing import TYPE_CHECKING\nfrom app.db import db\nfrom app.models import Order\n"
            "if TYPE_CHECKING:\n    from app.orders import Audit  # ok: BR406\n\n"
            "def get(oid, audit: 'Audit'):\n    return db.session.get(Order, oid)\n",
            path="app/repo.py",
            files={
                "app/db.py": _DB,
                "app/models.py": _MODELS,
                "app/views.py": _VIEWS,
                "app/orders.py": "from app import repo\n\nclass Audit: ...\n\n"
                "def show(oid):\n    return repo.get(oid, Audit()).id\n",
            },
        ),
    ]
    VALID.append(
        # a package re-exporting its submodule, which imports a sibling through the package
        Valid(
            "from app.db import db\nfrom app.models import Order\n"
            "from app.store import clean  # ok: BR406\n\n"
            "def get(oid):\n    return db.session.get(Order, clean(oid))\n",
            path="app/store/repo.py",
            files={
                "app/db.py": _DB,
                "app/models.py": _MODELS,
                "app/store/__init__.py": "from app.store.repo import get\n\n"
                "def clean(x):\n    return x\n",
                "app/views.py": _VIEWS.replace(
                    "from app import orders", "from app import store"
                ).replace("orders.show(oid)", "store.get(oid).id"),
            },
        )
    )
    INVALID = [
        # the repository imports back up into the service that calls it
        Invalid(
            "from app.db import db\nfrom app.models import Order\n"
            "from app.orders import audit  # expect: BR406\n\n"
            "def get(oid):\n    audit(oid)\n    return db.session.get(Order, oid)\n",
            path="app/repo.py",
            files={
                "app/db.py": _DB,
                "app/models.py": _MODELS,
                "app/views.py": _VIEWS,
                "app/orders.py": "from app import repo\n\ndef audit(oid):\n    return oid\n\n"
                "def show(oid):\n    return repo.get(oid).id\n",
            },
        ),
    ]

    @classmethod
    def project_findings(cls, project: Project, config: Config) -> list[Finding]:
        layers = project.layers
        roles = {m.module: m.role for m in layers.modules}
        edges: dict[str, set[str]] = {}
        lines: dict[tuple[str, str], ModuleImport] = {}
        for imp in layers.imports:
            if imp.type_only or not imp.target or imp.target == imp.module:
                continue
            if imp.module not in roles or imp.target not in roles:
                continue
            if imp.module.startswith(imp.target + ".") or imp.target.startswith(imp.module + "."):
                continue  # a package and its own submodules (re-exports): structure, no layering
            edges.setdefault(imp.module, set()).add(imp.target)
            lines.setdefault((imp.module, imp.target), imp)
        component = _components(edges)
        first: dict[int, tuple[ModuleImport, str, str]] = {}
        for (source, target), imp in sorted(lines.items(), key=lambda kv: (kv[1].file, kv[1].line)):
            low, high = _ORDER.get(roles[source]), _ORDER.get(roles[target])
            if low is None or high is None or high >= low or roles[target] == "controller":
                continue  # not upward, or BR403's (an import into a controller)
            group = component.get(source)
            if group is not None and group == component.get(target):
                first.setdefault(group, (imp, source, target))
        findings: list[Finding] = []
        for group, (imp, source, target) in sorted(first.items(), key=lambda kv: kv[1][0].file):
            members = [m for m, g in component.items() if g == group]
            layers_in = sorted({roles[m] for m in members}, key=lambda r: _ORDER.get(r, 9))
            cycle = " -> ".join([*_path(edges, target, source), target])
            findings.append(
                Finding(
                    code=cls.code,
                    message=(
                        f"This {roles[source]} module imports the {roles[target]} module "
                        f"`{target}`, which reaches back to it ({cycle}): {len(members)} modules "
                        f"of the {', '.join(layers_in)} layers import each other in a cycle. "
                        "Move what both need down a layer or into a module of its own, or "
                        "pass it in."
                    ),
                    location=Location(imp.file, imp.line),
                    severity=cls.severity,
                    confidence=cls.confidence,
                    extra=(("cycle", cycle), ("modules", len(members))),
                )
            )
        return findings


def _components(edges: dict[str, set[str]]) -> dict[str, int]:
    """module -> number of its import cycle, for modules in one."""
    return {m: n for n, group in enumerate(cycles(edges)) for m in group}


def _path(edges: dict[str, set[str]], start: str, goal: str) -> list[str]:
    """A shortest import path from `start` to `goal` (both in one component)."""
    previous: dict[str, str | None] = {start: None}
    queue = [start]
    for node in queue:
        if node == goal:
            break
        for child in sorted(edges.get(node, ())):
            if child not in previous:
                previous[child] = node
                queue.append(child)
    path: list[str] = []
    at: str | None = goal
    while at is not None:
        path.append(at)
        at = previous.get(at)
    return path[::-1]
