"""Routes registered through a project's own helpers, plugin hooks and config values (issue 13
item 2, FlaskBB and maubot in benchmarks/corpus/README.md): each case is a tiny project on disk
reviewed like `backend-review routes DIR`, compared as an exact set with its near misses."""

from __future__ import annotations

from pathlib import Path

from tests.framework.test_flask_shapes import review, table


def test_helper_around_add_url_rule_registers_each_call_sites_rules(tmp_path: Path) -> None:
    """`def add_views(target, rules, view)` looping `target.add_url_rule(rule, view_func=view)`:
    every call registers its own rules on its own blueprint; a call whose rules are not a
    literal list registers nothing (no route with an empty path)."""
    routes = review(
        tmp_path,
        {
            "kit.py": """
            def add_views(target, rules, view, **options):
                for rule in rules:
                    target.add_url_rule(rule, view_func=view, **options)

            def add_one(target, rule, view):
                target.add_url_rule(rule, view_func=view, methods=["POST"])
            """,
            "views.py": """
            from flask import Blueprint, Flask
            from flask.views import MethodView
            from kit import add_views, add_one

            class Shelf(MethodView):
                def get(self): ...
                def post(self): ...

            def stock(): ...

            ALL = load_rules()

            def build():
                app = Flask(__name__)
                store = Blueprint("store", __name__)
                depot = Blueprint("depot", __name__)
                add_views(store, rules=["/shelves", "/shelves/<int:n>"], view=Shelf.as_view("s"))
                add_views(depot, ["/stock"], stock)
                add_one(depot, "/restock", stock)
                add_views(depot, ALL, stock)
                app.register_blueprint(store, url_prefix="/store")
                app.register_blueprint(depot, url_prefix="/depot")
                return app
            """,
        },
    )
    assert table(routes) == {
        ("GET", "/store/shelves"),
        ("POST", "/store/shelves"),
        ("GET", "/store/shelves/<int:n>"),
        ("POST", "/store/shelves/<int:n>"),
        ("GET", "/depot/stock"),
        ("POST", "/depot/restock"),
    }


def test_blueprints_registered_in_pluggy_hooks_get_the_app_and_its_config(
    tmp_path: Path,
) -> None:
    """`@hookimpl def proj_load_blueprints(app)` is called by `pm.hook.proj_load_blueprints(
    app=app)`: its `app` is the application, and `app.config["SHOP_PREFIX"]` is the attribute
    of the class `app.config.from_object` loaded. A function of the same name without the
    hookimpl marker, and a `.hook.` call on something that is no PluginManager, bind nothing."""
    routes = review(
        tmp_path,
        {
            "settings.py": """
            class Base:
                SHOP_PREFIX = "/shop"
                lower_prefix = "/not-config"
            """,
            "plugins.py": """
            import pluggy
            hookimpl = pluggy.HookimplMarker("proj")

            class Manager(pluggy.PluginManager):
                pass

            pm = Manager("proj")
            """,
            "shop.py": """
            from flask import Blueprint
            from plugins import hookimpl

            @hookimpl(tryfirst=True)
            def proj_load_blueprints(app):
                bp = Blueprint("shop", __name__)

                @bp.route("/cart")
                def cart(): ...

                app.register_blueprint(bp, url_prefix=app.config["SHOP_PREFIX"])
            """,
            "other.py": """
            from flask import Blueprint

            def proj_load_blueprints(app):
                side = Blueprint("side", __name__)

                @side.route("/side")
                def side_view(): ...

                app.register_blueprint(side, url_prefix="/unreached")
            """,
            "app.py": """
            from flask import Flask
            from plugins import pm

            class Relay:
                hook = None

            relay = Relay()

            def create_app():
                app = Flask(__name__)
                app.config.from_object("settings.Base")
                pm.hook.proj_load_blueprints(app=app)
                relay.hook.proj_load_blueprints(app=app)
                return app
            """,
        },
    )
    assert table(routes) == {("GET", "/shop/cart"), ("GET", "/side")}


def test_factory_blueprint_beats_an_earlier_local_of_the_same_name(tmp_path: Path) -> None:
    """`user = User.get(...)` in a view, then `user = Blueprint("user", ...)` in the module's
    blueprint factory: `user.add_url_rule` names the blueprint."""
    routes = review(
        tmp_path,
        {
            "views.py": """
            from flask import Blueprint, Flask

            def profile():
                user = User.get(1)
                return user.name

            def create_app():
                app = Flask(__name__)
                user = Blueprint("user", __name__)
                user.add_url_rule("/me", view_func=profile)
                app.register_blueprint(user, url_prefix="/user")
                return app
            """,
        },
    )
    assert table(routes) == {("GET", "/user/me")}


def test_aiohttp_subapp_passed_to_a_constructor_and_kept_in_an_attribute(tmp_path: Path) -> None:
    """`Server(make_api())` where `Server.__init__(self, api)` does `self.app =
    web.Application(); self.app.add_subapp("/api/v1", api)`: the sub-app's routes are under
    the prefix; routes a method adds on `self.app.router` are the server's. A class whose
    attribute is no aiohttp app adds nothing."""
    routes = review(
        tmp_path,
        {
            "api.py": """
            from aiohttp import web
            table = web.RouteTableDef()

            @table.get("/items")
            async def items(request): ...

            def make_api() -> web.Application:
                app = web.Application()
                app.add_routes(table)
                return app
            """,
            "server.py": """
            from aiohttp import web

            async def health(request): ...

            class Server:
                def __init__(self, api: web.Application) -> None:
                    self.app = web.Application()
                    self.app.add_subapp("/api/v1", api)
                    self.setup()

                def setup(self) -> None:
                    self.app.router.add_get("/health", health)

            class Other:
                def __init__(self) -> None:
                    self.app = make_thing()

                def setup(self) -> None:
                    self.app.router.add_get("/not-a-route", health)
            """,
            "main.py": """
            from api import make_api
            from server import Server

            def run():
                api = make_api()
                server = Server(api)
                return server
            """,
        },
    )
    assert table(routes) == {("GET", "/api/v1/items"), ("GET", "/health")}
