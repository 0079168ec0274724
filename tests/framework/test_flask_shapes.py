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


def test_flask_restx_namespaces_compose_blueprint_api_and_namespace_paths(tmp_path: Path) -> None:
    """Flask-RESTX: a resource's URL is blueprint prefix + Api prefix + namespace path + route;
    `add_namespace(ns, path)` replaces the namespace's own path (default "/" + name); a
    namespace never added to an Api serves nothing. Guards: method decorators and the
    namespace's `decorators=[...]`."""
    routes = review(
        tmp_path / "svc",
        {
            "api/__init__.py": """
            from flask import Blueprint
            from flask_restx import Api
            from api.teams import teams_namespace
            from api.users import users_namespace
            from api.misc import misc
            api = Blueprint("api", __name__, url_prefix="/api/v1")
            API = Api(api, version="v1")
            API.add_namespace(teams_namespace, "/teams")
            API.add_namespace(users_namespace)
            API.add_namespace(misc, path="/m")
            """,
            "api/teams.py": """
            from flask_restx import Namespace, Resource
            from flask_login import login_required
            teams_namespace = Namespace("teams", description="Teams")

            @teams_namespace.route("")
            class TeamList(Resource):
                def get(self): ...
                @login_required
                def post(self): ...

            @teams_namespace.route("/<int:team_id>", "/by-id/<int:team_id>")
            @teams_namespace.param("team_id", "Team ID")
            class TeamPublic(Resource):
                @teams_namespace.doc(description="one team")
                def get(self, team_id): ...
            """,
            "api/users.py": """
            from flask_restx import Namespace, Resource
            from flask_login import login_required
            users_namespace = Namespace("users", decorators=[login_required])
            orphan = Namespace("orphan")

            @users_namespace.route("/me")
            class Me(Resource):
                def get(self): ...

            @orphan.route("/never")
            class Never(Resource):
                def get(self): ...
            """,
            "api/misc.py": """
            from flask_restx import Namespace, Resource
            misc = Namespace("misc", path="/ignored")
            @misc.route("/ping")
            class Ping(Resource):
                def get(self): ...
            """,
            "app.py": """
            from flask import Flask
            from api import api
            app = Flask(__name__)
            app.register_blueprint(api)
            """,
        },
    )
    assert authed(routes) == {
        ("GET", "/api/v1/teams"): False,
        ("POST", "/api/v1/teams"): True,
        ("GET", "/api/v1/teams/<int:team_id>"): False,
        ("GET", "/api/v1/teams/by-id/<int:team_id>"): False,
        ("GET", "/api/v1/users/me"): True,
        ("GET", "/api/v1/m/ping"): False,
    }


def test_flask_restful_api_prefix_and_method_decorators(tmp_path: Path) -> None:
    """Flask-RESTful: `Api(app, prefix=...)` prefixes every `add_resource` URL (several URLs per
    resource); `method_decorators` as a dict applies per lower-case method name only."""
    routes = review(
        tmp_path / "svc",
        {
            "app.py": """
            from flask import Flask, Blueprint
            from flask_restful import Api, Resource
            from flask_login import login_required
            app = Flask(__name__)
            api = Api(app, prefix="/api")
            bp = Blueprint("b", __name__, url_prefix="/bp")
            bp_api = Api(bp)

            class Item(Resource):
                method_decorators = {"post": [login_required]}
                def get(self): ...
                def post(self): ...

            class Other(Resource):
                method_decorators = [login_required]
                def get(self): ...

            api.add_resource(Item, "/items", "/items/<int:id>")
            bp_api.add_resource(Other, "/other")
            app.register_blueprint(bp)
            """,
        },
    )
    assert authed(routes) == {
        ("GET", "/api/items"): False,
        ("POST", "/api/items"): True,
        ("GET", "/api/items/<int:id>"): False,
        ("POST", "/api/items/<int:id>"): True,
        ("GET", "/bp/other"): True,
    }


def test_blueprint_from_a_factory_takes_the_prefix_given_at_registration(tmp_path: Path) -> None:
    """`app.register_blueprint(tags.construct_blueprint(ds), url_prefix="/tags")`: the object
    the factory returns is the blueprint, so its routes are served under /tags only."""
    routes = review(
        tmp_path / "svc",
        {
            "tags.py": """
            from flask import Blueprint
            def construct_blueprint(datastore):
                tags_blueprint = Blueprint("tags", __name__)
                @tags_blueprint.route("/add", methods=["POST"])
                def add(): ...
                return tags_blueprint
            """,
            "app.py": """
            from flask import Flask
            app = Flask(__name__)
            def create(datastore):
                import tags as tag_module
                app.register_blueprint(tag_module.construct_blueprint(datastore), url_prefix="/tags")
                return app
            """,
        },
    )
    assert table(routes) == {("POST", "/tags/add")}


def test_routes_declared_on_a_parameter_follow_the_call_sites(tmp_path: Path) -> None:
    """A helper that receives the blueprint (`construct_feed_routes(rss_blueprint, ds)`) adds
    routes to the blueprint it is called with; a helper nobody calls with a blueprint adds none."""
    routes = review(
        tmp_path / "svc",
        {
            "feed.py": """
            def construct_feed_routes(rss_blueprint, datastore):
                @rss_blueprint.route("/feed")
                def feed(): ...
            def unrelated(thing):
                @thing.route("/nope")
                def nope(): ...
            """,
            "rss.py": """
            from flask import Blueprint
            from feed import construct_feed_routes
            def construct_blueprint(datastore):
                rss_blueprint = Blueprint("rss", __name__, url_prefix="/rss")
                construct_feed_routes(rss_blueprint, datastore)
                return rss_blueprint
            """,
            "app.py": """
            from flask import Flask
            import rss
            app = Flask(__name__)
            app.register_blueprint(rss.construct_blueprint(None))
            """,
        },
    )
    assert table(routes) == {("GET", "/rss/feed")}


def test_aiohttp_setup_routes_and_route_tables_in_other_modules(tmp_path: Path) -> None:
    """aiohttp's usual layout: `setup_routes(app)` in routes.py adds to the Application it is
    called with (`app.router.add_get`, `app.router.add_routes([web.get(...)])`, a
    `RouteTableDef` added with `app.add_routes(table)`), under a sub-app's prefix too."""
    routes = review(
        tmp_path / "svc",
        {
            "views.py": """
            from aiohttp import web
            routes = web.RouteTableDef()
            async def index(request): ...
            async def login(request): ...
            async def status(request): ...
            @routes.get("/table")
            async def from_table(request): ...
            """,
            "routes.py": """
            from aiohttp import web
            from views import index, login, routes, status
            def setup_routes(app):
                app.router.add_get("/", index, name="index")
                app.router.add_routes([web.post("/login", login)])
                app.add_routes(routes)
            def setup_admin(admin):
                admin.router.add_get("/status", status)
            """,
            "main.py": """
            from aiohttp import web
            from routes import setup_admin, setup_routes
            async def init_app():
                app = web.Application()
                setup_routes(app)
                admin = web.Application()
                setup_admin(admin)
                app.add_subapp("/admin/", admin)
                return app
            """,
        },
    )
    assert table(routes) == {
        ("GET", "/"),
        ("POST", "/login"),
        ("GET", "/table"),
        ("GET", "/admin/status"),
    }


def test_a_403_after_a_login_check_is_not_an_authorization_check(tmp_path: Path) -> None:
    """A decorator that checks the login or API key and answers 403 refuses the anonymous
    caller (authentication only); a role check (`is_admin`) is what makes it authorization; a
    403 without a login check of its own is authorization when it depends on the user (as a
    FastAPI admin dependency below `get_current_user`, tests/framework/test_fastapi_routers.py);
    one on the event's schedule refuses everybody alike and is no guard."""
    routes = review(
        tmp_path / "svc",
        {
            "app.py": """
            import functools
            from flask import Flask, abort, jsonify, make_response, request
            from flask_login import current_user
            app = Flask(__name__)
            KEY = "k"

            def members(f):
                @functools.wraps(f)
                def wrapper(*a, **kw):
                    if current_user.is_authenticated:
                        return f(*a, **kw)
                    abort(403)
                return wrapper

            def keyed(f):
                @functools.wraps(f)
                def wrapper(*a, **kw):
                    if request.headers.get("x-api-key") != KEY:
                        return make_response(jsonify("invalid key"), 403)
                    return f(*a, **kw)
                return wrapper

            def staff_area(f):
                @functools.wraps(f)
                def wrapper(*a, **kw):
                    if not current_user.is_authenticated or not current_user.is_admin:
                        abort(403)
                    return f(*a, **kw)
                return wrapper

            def during_event(f):
                @functools.wraps(f)
                def wrapper(*a, **kw):
                    if not event_started():
                        abort(403)
                    return f(*a, **kw)
                return wrapper

            @app.get("/members")
            @members
            def m(): ...

            @app.get("/keyed")
            @keyed
            def k(): ...

            @app.get("/staff")
            @staff_area
            def s(): ...

            @app.get("/event")
            @during_event
            def e(): ...
            """,
        },
    )
    flags = {r.path: (bool(r.auth), bool(r.authorization)) for r in routes}
    assert flags == {
        "/members": (True, False),
        "/keyed": (True, False),
        "/staff": (True, True),
        "/event": (False, False),
    }


def test_a_403_is_authorization_when_the_user_decides_it(tmp_path: Path) -> None:
    """In a view, a 403 (`abort(403)`, `HTTPException(status_code=403)`, `status.HTTP_403_...`,
    `Forbidden`, `PermissionDenied`) counts as authorization when a condition around it reads a
    role or permission of the current user or compares the user (or the tenant an API key
    authenticated, `request.project`) with the object's owner, when
    it answers a permission error, or when nothing conditions it; refused on a setting, a
    feature flag or a bad invitation, or where an admin exemption only frees admins from a
    non-role condition (`if is_admin() or not_set_up:` else 403), it is not."""
    routes = review(
        tmp_path / "svc",
        {
            "app.py": """
            from flask import Flask, abort, request
            from flask_login import current_user, login_required
            from werkzeug.exceptions import Forbidden
            from settings import InviteExpired, check_access, event_open, get_config, is_admin
            from settings import load_invite
            from models import Check, Post
            app = Flask(__name__)

            @app.route("/settings", methods=["GET", "POST"])
            def settings():
                if is_admin():
                    return "ok"
                else:
                    abort(403)

            @app.route("/setup", methods=["GET", "POST"])
            def setup():
                if is_admin() or get_config("setup") is False:
                    if not request.args.get("state"):
                        abort(403)
                    return "ok"
                else:
                    abort(403)

            def during_event(f):
                def wrapper(*a, **kw):
                    if event_open() or current_user.is_admin:
                        return f(*a, **kw)
                    else:
                        abort(403)
                return wrapper

            @app.get("/scoreboard")
            @during_event
            def scoreboard():
                return "ok"

            @app.get("/invite")
            @login_required
            def invite():
                try:
                    team = load_invite(request.args["code"])
                except InviteExpired:
                    abort(403, description="This invite URL has expired")
                return team

            @app.get("/reports/<int:pk>")
            @login_required
            def report(pk):
                try:
                    return check_access(current_user, pk)
                except PermissionError:
                    abort(403)

            @app.post("/posts/<int:pk>/edit")
            @login_required
            def edit(pk):
                post = Post.query.get_or_404(pk)
                if post.author_id != current_user.id:
                    raise Forbidden()
                return "ok"

            @app.delete("/checks/<int:pk>")
            @login_required
            def delete_check(pk):
                check = Check.query.get_or_404(pk)
                if check.project_id != request.project.id:
                    abort(403)
                return "ok"

            @app.post("/teams/new")
            @login_required
            def new_team():
                if bool(get_config("team_creation", default=True)) is False:
                    abort(403, description="Team creation is disabled")
                return "ok"

            @app.get("/beta")
            @login_required
            def beta():
                if not get_config("beta"):
                    raise Forbidden()
                if current_user.is_admin is False and current_user.verified is False:
                    abort(403)
                return "ok"
            """,
        },
    )
    flags = {r.path: bool(r.authorization) for r in routes}
    assert flags == {
        "/settings": True,
        "/setup": False,  # admins pass, and everyone while the app is not set up
        "/scoreboard": False,  # admins pass, everyone while the event is open
        "/invite": False,
        "/reports/<int:pk>": True,
        "/posts/<int:pk>/edit": True,
        "/checks/<int:pk>": True,  # the API key's project, attached to the request
        "/teams/new": False,
        "/beta": False,
    }


def test_reading_the_user_or_checking_a_password_in_a_view_is_no_guard(tmp_path: Path) -> None:
    """In a view body, looking the user up (`get_current_user()`, `authorized_userid()`,
    `current_user.is_authenticated`) or verifying a submitted password (the login form itself)
    rejects nobody; a view that refuses the anonymous caller (401, redirect to the login page,
    `raise Unauthorized`) is guarded."""
    routes = review(
        tmp_path / "svc",
        {
            "app.py": """
            from flask import Flask, abort, redirect, request, url_for
            from flask_login import current_user
            from users import get_current_user, verify_password
            app = Flask(__name__)

            @app.route("/login", methods=["GET", "POST"])
            def login():
                if current_user.is_authenticated:
                    return redirect(url_for("index"))
                if verify_password(request.form["name"], request.form["password"]):
                    return redirect(url_for("index"))
                return "wrong password"

            @app.get("/files")
            def files():
                user = get_current_user()
                return str(user)

            @app.get("/settings")
            def settings():
                if not current_user.is_authenticated:
                    return redirect(url_for("auth.login"))
                return "settings"

            @app.get("/me")
            def me():
                user = get_current_user()
                if user is None:
                    abort(401)
                return str(user)
            """,
        },
    )
    assert authed(routes) == {
        ("GET,POST", "/login"): False,
        ("GET", "/files"): False,
        ("GET", "/settings"): True,
        ("GET", "/me"): True,
    }


def test_aiohttp_view_that_redirects_the_anonymous_caller_to_login(tmp_path: Path) -> None:
    """aiohttp-demos style: `authorized_userid()` then `raise redirect(router, "login")` (or
    `web.HTTPFound("/login")`) turns the anonymous caller away; the login view, which
    redirects a known user elsewhere, is not guarded."""
    routes = review(
        tmp_path / "svc",
        {
            "views.py": """
            from aiohttp import web
            from aiohttp_security import authorized_userid

            def redirect(router, route_name):
                return web.HTTPFound(router[route_name].url_for())

            async def index(request):
                username = await authorized_userid(request)
                if not username:
                    raise redirect(request.app.router, "login")
                return web.Response(text=username)

            async def create(request):
                if not await authorized_userid(request):
                    raise web.HTTPFound("/login")
                return web.Response(text="ok")

            async def login(request):
                if await authorized_userid(request):
                    raise redirect(request.app.router, "index")
                return web.Response(text="form")
            """,
            "main.py": """
            from aiohttp import web
            from views import create, index, login
            app = web.Application()
            app.router.add_get("/", index)
            app.router.add_get("/create", create)
            app.router.add_get("/login", login)
            """,
        },
    )
    assert authed(routes) == {
        ("GET", "/"): True,
        ("GET", "/create"): True,
        ("GET", "/login"): False,
    }


def test_before_request_guard_with_exemptions_reaches_blueprints_but_not_exempt_routes(
    tmp_path: Path,
) -> None:
    """An app's `before_request` runs for every request, blueprint routes included (Flask
    docs, Application.before_request); the early `return None` branches a hook takes for some
    endpoints, blueprints or paths leave exactly those routes public. A branch that also
    depends on configuration is not an exemption the code alone decides."""
    routes = review(
        tmp_path / "svc",
        {
            "app.py": """
            from flask import Flask, request
            from flask_login import LoginManager, current_user
            from ui import ui
            from feed import feed
            app = Flask(__name__)
            login_manager = LoginManager(app)
            app.register_blueprint(ui)
            app.register_blueprint(feed, url_prefix="/rss")

            @app.before_request
            def check_authentication():
                if not current_user.is_authenticated:
                    if request.endpoint and request.endpoint == "static_content":
                        return None
                    elif request.endpoint and "login" in request.endpoint:
                        return None
                    elif request.blueprint == "feed":
                        return None
                    elif request.path.startswith("/api/"):
                        return None
                    elif request.endpoint == "ui.maybe" and app.config.get("OPEN"):
                        return None
                    else:
                        return login_manager.unauthorized()

            @app.get("/static/<path:p>")
            def static_content(p): ...

            @app.route("/login", methods=["GET", "POST"])
            def login(): ...

            @app.get("/api/things")
            def api_things(): ...

            @app.get("/home")
            def home(): ...
            """,
            "ui.py": """
            from flask import Blueprint
            ui = Blueprint("ui", __name__)
            @ui.get("/edit")
            def edit(): ...
            @ui.get("/maybe")
            def maybe(): ...
            @ui.get("/ui-login")
            def login(): ...
            """,
            "feed.py": """
            from flask import Blueprint
            feed = Blueprint("feed", __name__)
            @feed.get("/")
            def items(): ...
            """,
        },
    )
    assert authed(routes) == {
        ("GET", "/static/<path:p>"): False,
        ("GET,POST", "/login"): False,
        ("GET", "/api/things"): False,
        ("GET", "/home"): True,
        ("GET", "/edit"): True,
        ("GET", "/maybe"): True,
        ("GET", "/ui-login"): False,  # endpoint "ui.login" contains "login"
        ("GET", "/rss/"): False,
    }


def test_before_request_that_only_loads_the_user_is_no_guard(tmp_path: Path) -> None:
    """`g.user = load_user(session.get("uid"))` in a before_request hook attaches the user when
    there is one and rejects nobody."""
    routes = review(
        tmp_path / "svc",
        {
            "app.py": """
            from flask import Flask, g, session
            from users import load_user
            app = Flask(__name__)

            @app.before_request
            def attach_user():
                g.user = load_user(session.get("uid"))

            @app.get("/home")
            def home(): ...
            """,
        },
    )
    assert authed(routes) == {("GET", "/home"): False}


def test_login_and_logout_views_redirecting_to_login_are_not_guarded(tmp_path: Path) -> None:
    """The login view redirecting back to itself, and a logout view that sends everyone to the
    login page unconditionally, turn no anonymous caller away; a view that does so on the
    anonymous branch only is guarded."""
    routes = review(
        tmp_path / "svc",
        {
            "app.py": """
            from flask import Flask, redirect, request, url_for
            from flask_login import current_user, logout_user
            app = Flask(__name__)

            @app.route("/login", methods=["GET", "POST"])
            def login():
                if request.method == "POST" and not check(request.form):
                    return redirect(url_for("login"))
                return "form"

            @app.post("/logout")
            def logout():
                logout_user()
                return redirect(url_for("login"))

            @app.get("/diff")
            def diff():
                if not current_user.is_authenticated:
                    return redirect(url_for("login"))
                return "diff"

            @app.get("/admin")
            def admin():
                if current_user.is_authenticated:
                    return redirect(url_for("admin.statistics"))
                return redirect(url_for("auth.login"))
            """,
        },
    )
    assert authed(routes) == {
        ("GET,POST", "/login"): False,
        ("POST", "/logout"): False,
        ("GET", "/diff"): True,
        ("GET", "/admin"): True,  # the redirect after a guard clause runs for the anonymous
    }


def test_redirecting_the_anonymous_caller_to_registration_is_a_login_guard(tmp_path: Path) -> None:
    """CTFd's `registered_only` sends the anonymous caller to `auth.register` instead of the
    login page: the same refusal. A decorator that sends everyone to a registration page
    without checking anything guards nothing."""
    routes = review(
        tmp_path / "svc",
        {
            "app.py": """
            import functools
            from flask import Flask, redirect, url_for
            from auth import authed
            app = Flask(__name__)

            def registered_only(f):
                @functools.wraps(f)
                def wrapper(*a, **kw):
                    if authed():
                        return f(*a, **kw)
                    return redirect(url_for("auth.register", next="/x"))
                return wrapper

            def always_register(f):
                @functools.wraps(f)
                def wrapper(*a, **kw):
                    return redirect(url_for("auth.register"))
                return wrapper

            @app.get("/teams/invite")
            @registered_only
            def invite(): ...

            @app.get("/promo")
            @always_register
            def promo(): ...
            """,
        },
    )
    assert authed(routes) == {("GET", "/teams/invite"): True, ("GET", "/promo"): False}


def test_a_package_reviewed_on_its_own_is_matched_against_the_tests_beside_it(
    tmp_path: Path,
) -> None:
    """`backend-review routes CTFd/` where the project keeps its suite in `../tests` (CTFd,
    mealie), or `src/pkg` with `../../tests` (dispatch): those tests mark routes tested. must
    not read: a parent that is no project (no pyproject.toml/setup.py/...)."""
    app = """
    from flask import Flask
    app = Flask(__name__)

    @app.get("/health")
    def health():
        return "ok"

    @app.post("/orders")
    def create():
        return "", 201
    """
    suite = """
    def test_health(client):
        assert client.get("/health").status_code == 200
    """
    project = tmp_path / "project"
    (project / "pyproject.toml").parent.mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    routes = review(project / "pkg", {"app.py": app, "../tests/test_app.py": suite})
    assert {r.path: r.tests for r in routes} == {
        "/health": ("../tests/test_app.py",),
        "/orders": (),
    }
    layout = tmp_path / "layout"
    (layout / "setup.py").parent.mkdir(parents=True)
    (layout / "setup.py").write_text("")
    routes = review(layout / "src" / "pkg", {"app.py": app, "../../tests/test_app.py": suite})
    assert {r.path: r.tests for r in routes}["/health"] == ("../../tests/test_app.py",)
    loose = tmp_path / "loose"
    routes = review(loose / "pkg", {"app.py": app, "../tests/test_app.py": suite})
    assert {r.path: r.tests for r in routes} == {"/health": (), "/orders": ()}


def test_a_decorator_that_turns_signed_in_users_away_is_no_guard(tmp_path: Path) -> None:
    """FlaskBB's `anonymous_required` (login and register pages): signed-in callers are sent
    home, anonymous ones fall through to the view; a home page that greets signed-in users
    the same way guards nothing either. `if authenticated: return view(); abort(401)` does."""
    routes = review(
        tmp_path / "svc",
        {
            "app.py": """
            import functools
            from flask import Flask, abort, redirect, url_for
            from flask_login import current_user
            app = Flask(__name__)

            def anonymous_required(f):
                @functools.wraps(f)
                def wrapper(*a, **k):
                    if current_user is not None and current_user.is_authenticated:
                        return redirect(url_for("index"))
                    return f(*a, **k)
                return wrapper

            def signed_in(f):
                @functools.wraps(f)
                def wrapper(*a, **k):
                    if current_user.is_authenticated:
                        return f(*a, **k)
                    abort(401)
                return wrapper

            @app.route("/login", methods=["GET", "POST"])
            @anonymous_required
            def login(): ...

            @app.get("/")
            def index():
                if current_user.is_authenticated:
                    return redirect(url_for("dashboard"))
                return "welcome"

            @app.get("/dashboard")
            @signed_in
            def dashboard(): ...
            """,
        },
    )
    flags = {r.path: bool(r.auth) for r in routes}
    assert flags == {"/login": False, "/": False, "/dashboard": True}


def test_a_decorator_that_lets_a_setting_open_the_view_is_no_guard(tmp_path: Path) -> None:
    """CTFd's `check_score_visibility`: when the setting says public the wrapper runs the view
    before looking at the caller, so anonymous callers reach it on that configuration; a
    decorator whose every path to the view goes through a check of the caller stays a guard."""
    routes = review(
        tmp_path / "svc",
        {
            "app.py": """
            import functools
            from flask import Flask, abort, redirect, url_for
            from flask_login import current_user
            app = Flask(__name__)

            def get_config(key): ...

            def check_visibility(f):
                @functools.wraps(f)
                def wrapper(*args, **kwargs):
                    v = get_config("visibility")
                    if v == "public":
                        return f(*args, **kwargs)
                    elif v == "private":
                        if current_user.is_authenticated:
                            return f(*args, **kwargs)
                        return redirect(url_for("auth.login"))
                    abort(404)
                return wrapper

            def members_only(f):
                @functools.wraps(f)
                def wrapper(*args, **kwargs):
                    mode = get_config("mode")
                    if not current_user.is_authenticated:
                        return redirect(url_for("auth.login"))
                    return f(*args, **kwargs)
                return wrapper

            @app.get("/scoreboard")
            @check_visibility
            def scoreboard(): ...

            @app.get("/members")
            @members_only
            def members(): ...
            """,
        },
    )
    flags = {r.path: bool(r.auth) for r in routes}
    assert flags == {"/scoreboard": False, "/members": True}


def test_a_url_set_up_on_the_test_case_marks_its_route_tested(tmp_path: Path) -> None:
    """healthchecks' suites: `self.url = f"/checks/{self.check.code}/details/"` in setUp, then
    `self.client.get(self.url)` in each test (Django's TestCase client)."""
    app = """
    from flask import Flask
    app = Flask(__name__)

    @app.get("/checks/<code>/details/")
    def details(code):
        return code

    @app.post("/checks/<code>/pause/")
    def pause(code):
        return "", 204
    """
    suite = """
    from django.test import TestCase

    class DetailsTestCase(TestCase):
        def setUp(self):
            self.check = make_check()
            self.url = f"/checks/{self.check.code}/details/"

        def test_it_works(self):
            r = self.client.get(self.url)
            self.assertEqual(r.status_code, 200)
    """
    routes = review(tmp_path / "svc", {"app.py": app, "tests/test_details.py": suite})
    assert {r.path: r.tests for r in routes} == {
        "/checks/<code>/details/": ("tests/test_details.py",),
        "/checks/<code>/pause/": (),
    }
