"""Flask and aiohttp route shapes met on real services (issue 13, benchmarks/corpus/README.md):
each case is a tiny project written to disk and reviewed like `backend-review routes DIR`, and
the inventory is compared as an exact set, with the near misses that must not change it."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from reviewer.config import load
from reviewer.framework.inventory import inventory
from reviewer.service import Route


def review(root: Path, files: dict[str, str]) -> list[Route]:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
    return list(inventory(root, load(root)))


def table(routes: list[Route]) -> set[tuple[str, str]]:
    return {(",".join(r.methods), r.path) for r in routes}


def authed(routes: list[Route]) -> dict[tuple[str, str], bool]:
    return {(",".join(r.methods), r.path): bool(r.auth) and not r.public for r in routes}


def test_reviewed_package_is_importable_under_its_own_name(tmp_path: Path) -> None:
    """`backend-review routes CTFd/` where CTFd is a package: `from CTFd.admin import admin`
    names the blueprint defined in `admin/__init__.py` of the reviewed directory."""
    routes = review(
        tmp_path / "CTFd",
        {
            "__init__.py": """
            from flask import Flask
            def create_app():
                app = Flask(__name__)
                from CTFd.admin import admin
                app.register_blueprint(admin, url_prefix="/a")
                return app
            """,
            "admin/__init__.py": """
            from flask import Blueprint
            admin = Blueprint("admin", __name__)
            @admin.route("/admin")
            def view(): ...
            """,
            "admin/challenges.py": """
            from CTFd.admin import admin
            from elsewhere.admin import other
            @admin.route("/admin/challenges")
            def listing(): ...
            @other.route("/not-ours")
            def unrelated(): ...
            """,
        },
    )
    assert table(routes) == {("GET", "/a/admin"), ("GET", "/a/admin/challenges")}


def test_not_a_package_root_keeps_plain_module_names(tmp_path: Path) -> None:
    """Without an `__init__.py` the directory name is no package: `from svc.views import bp`
    does not name `views.py` of a directory called svc."""
    routes = review(
        tmp_path / "svc",
        {
            "views.py": """
            from flask import Blueprint
            bp = Blueprint("b", __name__)
            @bp.route("/x")
            def x(): ...
            """,
            "app.py": """
            from flask import Flask
            from svc.views import bp
            app = Flask(__name__)
            app.register_blueprint(bp, url_prefix="/p")
            """,
        },
    )
    assert table(routes) == {("GET", "/x")}


def test_a_local_reassignment_does_not_replace_the_module_blueprint(tmp_path: Path) -> None:
    """`teams = Blueprint(...)` at module level stays the blueprint when a view body reuses
    the name for a query result (`teams = Teams.query.all()`)."""
    routes = review(
        tmp_path / "app",
        {
            "teams.py": """
            from flask import Blueprint, Flask
            app = Flask(__name__)
            teams = Blueprint("teams", __name__)
            @teams.route("/teams")
            def listing():
                teams = Teams.query.filter_by(hidden=False).all()
                return str(teams)
            app.register_blueprint(teams, url_prefix="/t")
            """,
        },
    )
    assert table(routes) == {("GET", "/t/teams")}
