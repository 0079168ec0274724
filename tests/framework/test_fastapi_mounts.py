"""FastAPI composition the model reads without running code (issue 13, FastAPI part).

Factories that build an app and hand it to a caller that mounts it, routers included in a loop
over a module-level tuple, prefixes held in module constants and f-strings, paths held in a
parameter's default, exclusive `if`/`else` mounts, route decorators applied by a call, and a
loop over a plugin registry whose classes carry their router as a class attribute. Docs:
fastapi tutorial/bigger-applications.md, advanced/sub-applications.md.
"""

from __future__ import annotations

from pathlib import Path

from tests.framework.test_fastapi_routers import inventory


def paths(files: dict[str, str]) -> set[tuple[str, str]]:
    return {(r.methods[0], r.path) for r in inventory(files)}


ITEMS = """
from fastapi import APIRouter
router = APIRouter(prefix="/items")

@router.get("/{id}")
def read_item(id: int): ...
"""
USERS = """
from fastapi import APIRouter
router = APIRouter(prefix="/users")

@router.post("/")
def create_user(): ...
"""


def test_factory_app_mounted_by_its_caller_with_routers_included_in_a_loop() -> None:
    """`create_api()` builds the API app, includes each router of an imported module-level
    tuple in a `for` loop and returns it; its caller mounts the returned app under "/api"
    (bound to a name first). The health route takes its path from a parameter default."""
    found = paths(
        {
            "pkg/__init__.py": "",
            "pkg/items.py": ITEMS,
            "pkg/users.py": USERS,
            "pkg/registry.py": """
            from pkg import items, users
            ALL_ROUTERS = (items.router, users.router)
            """,
            "pkg/server.py": """
            from fastapi import FastAPI
            from pkg.registry import ALL_ROUTERS

            def create_api(health_path: str = "/health") -> FastAPI:
                api = FastAPI()

                @api.get(health_path)
                def health(): ...

                for router in ALL_ROUTERS:
                    api.include_router(router)
                return api

            def create_app(settings) -> FastAPI:
                app = FastAPI()
                sub = create_api()
                if settings.base_path:
                    app.mount(settings.base_path.value(), app=sub)
                else:
                    app.mount("/api", app=sub)
                return app
            """,
        }
    )
    assert found == {
        ("GET", "/api/health"),
        ("GET", "/api/items/{id}"),
        ("POST", "/api/users/"),
    }


def test_mounts_in_the_same_branch_are_not_alternatives() -> None:
    """must not drop: two mounts that both run (no exclusive `if` branches) both serve, the
    unreadable prefix marked `{?}`."""
    found = paths(
        {
            "items.py": ITEMS,
            "main.py": """
            from fastapi import FastAPI
            from items import router
            import settings

            def make_api():
                api = FastAPI()
                api.include_router(router)
                return api

            app = FastAPI()
            sub = make_api()
            app.mount("/v1", sub)
            app.mount(settings.EXTRA, sub)
            """,
        }
    )
    assert found == {("GET", "/v1/items/{id}"), ("GET", "/{?}/items/{id}")}


def test_loop_over_an_unknown_iterable_composes_nothing() -> None:
    """must not guess: `for r in discover():` names no element the code shows, so the
    routers stay where they are declared."""
    found = paths(
        {
            "items.py": ITEMS,
            "main.py": """
            from fastapi import FastAPI
            from loader import discover
            import items

            app = FastAPI()
            for r in discover():
                app.include_router(r, prefix="/api")
            """,
        }
    )
    assert found == {("GET", "/items/{id}")}


def test_tuple_target_loop_binds_router_and_prefix_element_wise() -> None:
    found = paths(
        {
            "items.py": ITEMS,
            "users.py": USERS,
            "main.py": """
            from fastapi import FastAPI
            import items, users

            app = FastAPI()
            for router, prefix in [(items.router, "/v1"), (users.router, "/v2")]:
                app.include_router(router, prefix=prefix)
            """,
        }
    )
    assert found == {("GET", "/v1/items/{id}"), ("POST", "/v2/users/")}


def test_prefixes_held_in_module_constants_and_f_strings() -> None:
    """`prefix = "/recipes"` then `include_router(r, prefix=prefix)`; `APIRouter(prefix=
    f"{base}/tags")` with `base` a constant, one imported from another module."""
    found = paths(
        {
            "consts.py": 'BASE = "/organizers"\n',
            "tags.py": """
            from fastapi import APIRouter
            from consts import BASE
            local = "/tags"
            router = APIRouter(prefix=f"{BASE}{local}")

            @router.get("")
            def all_tags(): ...
            """,
            "bulk.py": """
            from fastapi import APIRouter
            router = APIRouter(prefix="/bulk-actions")

            @router.post("/tag")
            def tag(): ...
            """,
            "main.py": """
            from fastapi import FastAPI
            import bulk, tags

            prefix = "/recipes"
            app = FastAPI()
            app.include_router(bulk.router, prefix=prefix)
            app.include_router(tags.router, prefix="/explore" + prefix)
            """,
        }
    )
    assert found == {
        ("POST", "/recipes/bulk-actions/tag"),
        ("GET", "/explore/recipes/organizers/tags"),
    }


def test_route_decorator_applied_by_a_call() -> None:
    """`register = router.post("/register")(register)` is `@router.post("/register")`; a
    call of something that is no route object declares nothing."""
    found = paths(
        {
            "main.py": """
            from fastapi import APIRouter, FastAPI
            import cache

            router = APIRouter()

            def register(): ...

            def lookup(): ...

            register = router.post("/register")(register)
            lookup = cache.get("lookup")(lookup)

            app = FastAPI()
            app.include_router(router, prefix="/auth")
            """,
        }
    )
    assert found == {("POST", "/auth/register")}


def test_flask_route_applied_by_a_call() -> None:
    found = paths(
        {
            "app.py": """
            from flask import Flask
            app = Flask(__name__)

            def index(): ...

            app.route("/", methods=["GET"])(index)
            """,
        }
    )
    assert found == {("GET", "/")}


def test_plugin_routers_included_by_a_loop_over_the_registry() -> None:
    """`for plugin in plugins.all(): api.include_router(plugin.events, prefix=...)` inside a
    helper that gets an imported router: each plugin class whose `events` class attribute is
    a router is included; a class attribute of that name that is no router is not."""
    found = paths(
        {
            "plugins/__init__.py": "",
            "plugins/chat/__init__.py": "",
            "plugins/chat/endpoints.py": """
            from fastapi import APIRouter
            router = APIRouter()

            @router.post("/chat/event")
            def chat_event(): ...
            """,
            "plugins/chat/plugin.py": """
            from plugins.chat.endpoints import router as chat_router

            class ChatPlugin:
                events = chat_router

            class Other:
                events = ["started", "stopped"]
            """,
            "registry.py": """
            from fastapi import APIRouter
            from pluginbase import plugins

            def install_plugin_events(api):
                for plugin in plugins.all():
                    if plugin.events:
                        api.include_router(plugin.events, prefix="/{org}/events")
            """,
            "routes.py": """
            from fastapi import APIRouter
            api_router = APIRouter()
            """,
            "main.py": """
            from fastapi import FastAPI
            from registry import install_plugin_events
            from routes import api_router

            install_plugin_events(api_router)
            app = FastAPI()
            app.include_router(api_router, prefix="/api")
            """,
        }
    )
    assert found == {("POST", "/api/{org}/events/chat/event")}


def test_package_reviewed_from_its_parent_keeps_the_loop(tmp_path: Path) -> None:
    """The loop variable is matched as written, so the module prefix of a package reviewed
    on its own does not hide it."""
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "__init__.py").write_text("")
    found = {
        (r.methods[0], r.path)
        for r in inventory(
            {
                "__init__.py": "",
                "items.py": ITEMS,
                "main.py": """
                from fastapi import FastAPI
                from svc import items
                ROUTERS = [items.router]
                app = FastAPI()
                for one in ROUTERS:
                    app.include_router(one, prefix="/api")
                """,
            },
            tmp_path / "svc",
        )
    }
    assert found == {("GET", "/api/items/{id}")}


CHECK_TOKEN = """
from fastapi import HTTPException
from starlette.middleware.base import BaseHTTPMiddleware

class TokenMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        if request.headers.get("Authorization") is None:
            raise HTTPException(status_code=401)
        return await call_next(request)
"""


def test_auth_middleware_installed_inside_an_if_is_not_counted() -> None:
    """`if settings.auth_string: @api.middleware("http") ...`: the middleware runs only in
    configurations that set it, so the route is not authenticated; the route says why."""
    routes = inventory(
        {
            "main.py": """
            from fastapi import FastAPI, Request
            from fastapi.responses import JSONResponse
            import settings

            def create_app() -> FastAPI:
                api = FastAPI()

                @api.get("/things")
                def things(): ...

                if settings.AUTH_STRING is not None:

                    @api.middleware("http")
                    async def token_validation(request: Request, call_next):
                        if request.headers.get("Authorization") is None:
                            return JSONResponse(status_code=401, content={})
                        return await call_next(request)

                return api
            """,
        }
    )
    (route,) = routes
    assert not route.auth
    assert any("token_validation" in n and "only on one branch" in n for n in route.notes)


def test_auth_middleware_added_inside_an_if_is_not_counted_but_unconditional_is() -> None:
    routes = inventory(
        {
            "mw.py": CHECK_TOKEN,
            "main.py": """
            from fastapi import FastAPI
            from mw import TokenMiddleware
            import settings

            open_app = FastAPI()
            if settings.SECURE:
                open_app.add_middleware(TokenMiddleware)

            @open_app.get("/open")
            def open_view(): ...

            closed_app = FastAPI()
            closed_app.add_middleware(TokenMiddleware)

            @closed_app.get("/closed")
            def closed_view(): ...
            """,
        }
    )
    by_path = {r.path: r for r in routes}
    assert not by_path["/open"].auth
    assert any("TokenMiddleware" in n for n in by_path["/open"].notes)
    # must not drop: the same middleware added unconditionally guards every route
    assert [g.name for g in by_path["/closed"].auth] == ["TokenMiddleware"]
    assert not by_path["/closed"].notes


def test_flask_before_request_registered_inside_an_if_is_not_counted() -> None:
    routes = inventory(
        {
            "app.py": """
            from flask import Flask, abort, session
            import config

            app = Flask(__name__)

            def require_login():
                if "user" not in session:
                    abort(401)

            if config.LOGIN_REQUIRED:
                app.before_request(require_login)

            @app.route("/home")
            def home(): ...
            """,
        }
    )
    (route,) = routes
    assert not route.auth
    assert any("require_login" in n for n in route.notes)


def test_router_class_reexported_by_a_project_module_is_a_router() -> None:
    """`from app.utils import APIRouter` where app/utils.py did `from fastapi import
    APIRouter`: the same class, so its instances declare routes."""
    found = paths(
        {
            "app/__init__.py": "",
            "app/utils.py": "from fastapi import APIRouter\n\n\ndef helper(): ...\n",
            "app/ui.py": """
            from app.utils import APIRouter
            router = APIRouter(prefix="/ui")

            @router.post("/validate")
            def validate(): ...
            """,
            "app/main.py": """
            from fastapi import FastAPI
            from app import ui
            app = FastAPI()
            app.include_router(ui.router)
            """,
        }
    )
    assert found == {("POST", "/ui/validate")}


def test_websocket_endpoint_and_a_computed_path() -> None:
    """`@router.websocket("/events")` is a WebSocket route; a path computed at run time is
    listed with its unknown part marked, and says so."""
    routes = inventory(
        {
            "main.py": """
            from fastapi import FastAPI, WebSocket
            from paths import join

            app = FastAPI()
            settings_path = join("/ui", "settings")

            @app.websocket("/events")
            async def events(websocket: WebSocket): ...

            @app.get(settings_path)
            def ui_settings(): ...
            """,
        }
    )
    by_path = {r.path: r for r in routes}
    assert set(by_path) == {"/events", "/{?}"}
    assert by_path["/events"].methods == ("WEBSOCKET",)
    assert any("settings_path" in n for n in by_path["/{?}"].notes)


def test_br301_is_sure_only_when_a_guard_is_never_applied() -> None:
    """A decorator above the route decorator never runs: BR301 is HIGH confidence. A note
    that only informs (an auth middleware some configurations install) keeps the rule's own
    confidence."""
    from reviewer.checks.auth.route_without_auth import RouteWithoutAuth
    from reviewer.config import Config
    from reviewer.model import Confidence
    from reviewer.native import review_files

    files = {
        "flask_app.py": b"""
from flask import Flask
from flask_login import login_required
app = Flask(__name__)

@login_required
@app.post("/orders")
def create_order(): ...
""",
        "fast.py": b"""
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
import settings

api = FastAPI()

@api.post("/payments")
def pay(): ...

if settings.AUTH:

    @api.middleware("http")
    async def check(request: Request, call_next):
        if request.headers.get("Authorization") is None:
            return JSONResponse(status_code=401, content={})
        return await call_next(request)
""",
    }
    found = review_files(files, [RouteWithoutAuth], Config(root=Path("."))).findings
    by_file = {f.location.path: f for f in found if f.code == "BR301"}
    assert by_file["flask_app.py"].confidence == Confidence.HIGH
    assert by_file["fast.py"].confidence == RouteWithoutAuth.confidence
    assert "only on one branch" in by_file["fast.py"].message


def test_unreadable_router_and_include_prefixes_are_marked() -> None:
    """A prefix the code computes (`prefix=settings.api_prefix()`) stays in the path as `{?}`
    instead of vanishing."""
    found = paths(
        {
            "main.py": """
            from fastapi import APIRouter, FastAPI
            import settings

            router = APIRouter(prefix=settings.router_prefix())

            @router.get("/x")
            def x(): ...

            app = FastAPI()
            app.include_router(router, prefix=settings.api_prefix())
            """,
        }
    )
    assert found == {("GET", "/{?}/{?}/x")}


def test_prefix_from_a_settings_class_field_default() -> None:
    """`include_router(api, prefix=settings.API_V1_STR)` with `settings = Settings()` and
    `class Settings(BaseSettings): API_V1_STR: str = "/api/v1"`: the field's default; a field
    without a default stays unknown."""
    found = paths(
        {
            "core/__init__.py": "",
            "core/config.py": """
            from pydantic_settings import BaseSettings

            class Base(BaseSettings):
                API_V1_STR: str = "/api/v1"

            class Settings(Base):
                ADMIN_PREFIX: str

            settings = Settings()
            """,
            "main.py": """
            from fastapi import APIRouter, FastAPI
            from core.config import settings

            api = APIRouter()
            admin = APIRouter()

            @api.get("/items")
            def items(): ...

            @admin.get("/stats")
            def stats(): ...

            app = FastAPI()
            app.include_router(api, prefix=settings.API_V1_STR)
            app.include_router(admin, prefix=settings.ADMIN_PREFIX)
            """,
        }
    )
    assert found == {("GET", "/api/v1/items"), ("GET", "/{?}/stats")}
