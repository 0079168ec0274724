"""Flask before_request hooks guard only when they can stop the request (issue 13 item 3;
FlaskBB in benchmarks/corpus/README.md): a hook that returns Flask-Login's refresh answer
authenticates, one that only reads `current_user.is_authenticated` to update a timestamp
guards nothing, even when a function it calls returns a value (that goes back to the hook)."""

from __future__ import annotations

from pathlib import Path

from tests.framework.test_flask_shapes import authed, review


def test_before_request_hook_guards_only_when_it_stops_requests(tmp_path: Path) -> None:
    routes = review(
        tmp_path,
        {
            "app.py": """
            from flask import Blueprint, Flask, current_app
            from flask_login import current_user, login_fresh

            app = Flask(__name__)
            admin = Blueprint("admin", __name__)
            forum = Blueprint("forum", __name__)

            def stamp():
                return 1

            @app.before_request
            def touch_last_seen():
                if current_user.is_authenticated:
                    current_user.seen = stamp()

            @admin.before_request
            def fresh_only():
                if not login_fresh():
                    return current_app.login_manager.needs_refresh()

            @admin.route("/panel")
            def panel(): ...

            @forum.route("/topics")
            def topics(): ...

            app.register_blueprint(admin, url_prefix="/admin")
            app.register_blueprint(forum)
            """,
        },
    )
    assert authed(routes) == {("GET", "/admin/panel"): True, ("GET", "/topics"): False}


def test_aiohttp_middleware_rejects_through_a_helper_and_exempts_paths(tmp_path: Path) -> None:
    """An aiohttp middleware that returns the 401 a helper builds (`err = verify(request);
    if err is not None: return err`, the helper returning a property that makes
    `web.json_response(status=HTTPStatus.UNAUTHORIZED)`) authenticates every route of its app
    except the paths it hands on first (`sub = request.path[len("/api"):]`,
    `if sub.startswith("/public/") or sub == "/health": return await handler(request)`).
    A middleware that only hands on (logs) guards nothing."""
    routes = review(
        tmp_path,
        {
            "answers.py": """
            from http import HTTPStatus
            from aiohttp import web

            class Answers:
                @property
                def missing(self) -> web.Response:
                    return web.json_response({"error": "no key"}, status=HTTPStatus.UNAUTHORIZED)

            answers = Answers()
            """,
            "app.py": """
            from aiohttp import web
            from answers import answers

            def verify(request):
                if not request.headers.get("X-Key"):
                    return answers.missing
                return None

            @web.middleware
            async def gate(request, handler):
                sub = request.path[len("/api"):]
                if sub.startswith("/public/") or sub == "/health":
                    return await handler(request)
                err = verify(request)
                if err is not None:
                    return err
                return await handler(request)

            @web.middleware
            async def log_all(request, handler):
                if request.path.startswith("/api/"):
                    return await handler(request)
                return await handler(request)

            async def items(request): ...
            async def page(request): ...
            async def health(request): ...
            async def open_page(request): ...

            def make_api():
                api = web.Application(middlewares=[gate])
                api.router.add_get("/items", items)
                api.router.add_get("/public/page", page)
                api.router.add_get("/health", health)
                return api

            def make_app():
                app = web.Application(middlewares=[log_all])
                app.add_subapp("/api", make_api())
                app.router.add_get("/open", open_page)
                return app
            """,
        },
    )
    assert authed(routes) == {
        ("GET", "/api/items"): True,
        ("GET", "/api/public/page"): False,
        ("GET", "/api/health"): False,
        ("GET", "/open"): False,
    }


def test_flask_allows_requirements_are_authorization(tmp_path: Path) -> None:
    """Flask-Allows `allows.requires(IsAdmin)` in a MethodView's `decorators` checks the
    identity's permissions: authorization. A `requires` method of some other object (a
    feature-flag helper) checks nothing about the caller."""
    routes = review(
        tmp_path,
        {
            "app.py": """
            from flask import Flask
            from flask.views import MethodView
            from flask_allows2 import Allows
            from flags import Flags

            app = Flask(__name__)
            allows = Allows()
            flags = Flags()

            def IsAdmin(user):
                return user.admin

            class Panel(MethodView):
                decorators = [allows.requires(IsAdmin)]
                def get(self): ...

            class Beta(MethodView):
                decorators = [flags.requires("beta")]
                def get(self): ...

            app.add_url_rule("/panel", view_func=Panel.as_view("panel"))
            app.add_url_rule("/beta", view_func=Beta.as_view("beta"))
            """,
        },
    )
    authorized = {
        r.path: bool(r.authorization) or any(g.kind == "authorization" for g in r.auth)
        for r in routes
    }
    assert authorized == {"/panel": True, "/beta": False}
