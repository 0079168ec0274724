"""Litestar route model on tiny projects: handlers, Controllers, Routers, the app, guards and
authentication middleware, each as Litestar behaves (docs.litestar.dev/2: usage/routing/,
usage/security/guards.html, usage/security/excluding-and-including-endpoints.html)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from reviewer.config import Config
from reviewer.native import review_files
from reviewer.service import Route

GUARDS = """
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

def requires_admin(connection, _):
    if not connection.user.is_admin:
        raise PermissionDeniedException("admins only")

def requires_active(connection, _):
    if not connection.user.active:
        raise PermissionDeniedException("inactive")

def internal_only(connection, _):
    if not connection.client.host.startswith("10."):
        raise PermissionDeniedException("internal only")

def logs_only(connection, _):
    print(connection.user)

def has_role(role):
    def guard(connection, _):
        if role not in connection.user.roles:
            raise PermissionDeniedException(role)
    return guard

class ScopeGuard:
    def __init__(self, scope):
        self.scope = scope

    def __call__(self, connection, _):
        if self.scope not in connection.auth.scopes:
            raise NotAuthorizedException()
"""


def inventory(files: dict[str, str], config: Config | None = None) -> list[Route]:
    data = {path: dedent(text).encode() for path, text in files.items()}
    return list(review_files(data, [], config or Config(root=Path("."))).project.routes)


def table(routes: list[Route]) -> dict[tuple[str, str], Route]:
    return {(",".join(r.methods), r.path): r for r in routes}


def names(guards: tuple) -> list[str]:
    return sorted(f"{g.name}@{g.level}" for g in guards)


def test_paths_join_app_router_controller_and_handler_with_typed_params_written_plain() -> None:
    """A handler path may be a list; a Controller's `path` and a Router's `path` prefix it;
    `{id:int}` is written `{id}`, the way the running app lists its routes."""
    routes = inventory(
        {
            "app.py": """
            from litestar import Controller, Litestar, Router, asgi, get, post, route, websocket
            from litestar.enums import HttpMethod

            class Items(Controller):
                path = "/items"

                @get()
                async def list_items(self) -> list: ...

                @get(["/{item_id:int}", "/by-slug/{slug:str}"])
                async def get_item(self, item_id: int = 0, slug: str = "") -> dict: ...

                @route("/{item_id:int}", http_method=[HttpMethod.PUT, "PATCH"])
                async def replace(self, item_id: int) -> dict: ...

            @post(path="/files/{name:path}")
            async def upload(name: str) -> None: ...

            @websocket("/live")
            async def live(socket) -> None: ...

            @asgi("/legacy", is_mount=True)
            async def legacy(scope, receive, send) -> None: ...

            v1 = Router(path="/api/v1/", route_handlers=[Items, upload])
            app = Litestar(route_handlers=[v1, live, legacy])
            """
        }
    )
    assert sorted(table(routes)) == [
        ("*", "/legacy"),
        ("GET", "/api/v1/items"),
        ("GET", "/api/v1/items/by-slug/{slug}"),
        ("GET", "/api/v1/items/{item_id}"),
        ("POST", "/api/v1/files/{name:path}"),
        ("PUT,PATCH", "/api/v1/items/{item_id}"),
        ("WEBSOCKET", "/live"),
    ]
    assert {r.framework for r in routes} == {"litestar"}


def test_guards_count_by_what_they_check_at_every_layer() -> None:
    """A role check authorizes; an account-flag check authenticates only; a guard that checks
    the client's address, or one that never raises, guards nothing. Guard factories and
    callable classes are read through their body."""
    routes = table(
        inventory(
            {
                "guards.py": GUARDS,
                "app.py": """
                from litestar import Controller, Litestar, Router, delete, get, post
                from guards import (
                    ScopeGuard, has_role, internal_only, logs_only, requires_active, requires_admin,
                )

                class Reports(Controller):
                    path = "/reports"
                    guards = [requires_active]

                    @get()
                    async def index(self) -> list: ...

                    @delete("/{rid:int}", guards=[has_role("editor")])
                    async def remove(self, rid: int) -> None: ...

                @post("/reindex", guards=[internal_only, logs_only])
                async def reindex() -> None: ...

                @post("/export", guards=[ScopeGuard("export")])
                async def export() -> None: ...

                admin = Router(path="/admin", guards=[requires_admin], route_handlers=[Reports])
                app = Litestar(route_handlers=[admin, reindex, export])
                """,
            }
        )
    )
    index = routes[("GET", "/admin/reports")]
    assert names(index.auth) == ["requires_active@class", "requires_admin@router"]
    assert names(index.authorization) == ["requires_admin@router"]
    remove = routes[("DELETE", "/admin/reports/{rid}")]
    assert "has_role@route" in names(remove.authorization)
    assert routes[("POST", "/reindex")].auth == ()
    assert names(routes[("POST", "/export")].authorization) == ["ScopeGuard@route"]


JWT = """
from litestar.security.jwt import JWTAuth

async def retrieve(token, connection):
    return None

auth = JWTAuth(
    retrieve_user_handler=retrieve,
    token_secret="x",
    exclude=["/health", "^/schema", "/public"],
)
"""


def test_jwt_middleware_covers_every_route_but_its_excludes_and_opted_out_handlers() -> None:
    """The exclude patterns are regexes searched in the path (not anchored): "/public" also
    lets /files/public-link through. `exclude_from_auth=True` on a handler, or in a layer's
    `opt`, bypasses the middleware, and the handler's own opt wins over its layers'."""
    routes = table(
        inventory(
            {
                "security.py": JWT,
                "app.py": """
                from litestar import Controller, Litestar, get, post
                from security import auth

                @get("/health")
                async def health() -> dict: ...

                @post("/files/public-link")
                async def share() -> str: ...

                @post("/files")
                async def upload() -> None: ...

                @post("/newsletter", exclude_from_auth=True)
                async def subscribe() -> None: ...

                class Hooks(Controller):
                    path = "/hooks"
                    opt = {"exclude_from_auth": True}

                    @post("/stripe")
                    async def stripe(self) -> None: ...

                    @post("/internal", opt={"exclude_from_auth": False})
                    async def internal(self) -> None: ...

                app = Litestar(
                    route_handlers=[health, share, upload, subscribe, Hooks],
                    on_app_init=[auth.on_app_init],
                )
                """,
            }
        )
    )
    assert names(routes[("POST", "/files")].auth) == ["JWTAuth@middleware"]
    assert names(routes[("POST", "/hooks/internal")].auth) == ["JWTAuth@middleware"]
    for key in [("GET", "/health"), ("POST", "/files/public-link"), ("POST", "/newsletter")]:
        assert routes[key].auth == (), key
    assert routes[("POST", "/newsletter")].public  # opted out in the code itself
    assert routes[("POST", "/hooks/stripe")].public
    # a pattern that names the path from its start opens it on purpose; one found further in
    # opens it by accident, and the route says so
    assert routes[("GET", "/health")].public
    assert not routes[("POST", "/files/public-link")].public
    assert any("'/public' is found" in n for n in routes[("POST", "/files/public-link")].notes)


def test_an_exclude_pattern_of_slash_opens_every_route_but_marks_none_public() -> None:
    """The docs' warning: `exclude=["/"]` matches every path, so nothing is authenticated;
    such a pattern names no route, so BR301 still sees them all."""
    routes = inventory(
        {
            "security.py": JWT.replace('["/health", "^/schema", "/public"]', '["/"]'),
            "app.py": """
            from litestar import Litestar, post
            from security import auth

            @post("/orders")
            async def order() -> None: ...

            app = Litestar(route_handlers=[order], on_app_init=[auth.on_app_init])
            """,
        }
    )
    assert [(r.path, r.auth, r.public) for r in routes] == [("/orders", (), False)]


def test_a_config_is_installed_by_a_plugin_calling_its_on_app_init() -> None:
    """`auth.on_app_init(app_config)` in a plugin's hook installs the middleware app-wide;
    a config defined but never installed authenticates nothing. A Controller that no app
    reaches statically (a plugin appends it) is listed at its own path."""
    plugin = """
    from litestar.plugins import InitPluginProtocol
    from controllers import Orders

    class Core(InitPluginProtocol):
        def on_app_init(self, app_config):
            from security import auth
            app_config.route_handlers.extend(self._handlers())
            return auth.on_app_init(app_config)

        def _handlers(self):
            return [Orders]
    """
    controllers = """
    from litestar import Controller, post

    class Orders(Controller):
        path = "/orders"

        @post()
        async def create(self) -> None: ...
    """
    app = """
    from litestar import Litestar
    from plugin import Core

    def create_app() -> Litestar:
        return Litestar(plugins=[Core()])
    """
    installed = inventory(
        {"security.py": JWT, "plugin.py": plugin, "controllers.py": controllers, "app.py": app}
    )
    assert [(r.path, names(r.auth)) for r in installed] == [("/orders", ["JWTAuth@middleware"])]
    not_installed = inventory(
        {
            "security.py": JWT,
            "plugin.py": plugin.replace("auth.on_app_init(app_config)", "app_config"),
            "controllers.py": controllers,
            "app.py": app,
        }
    )
    assert [(r.path, r.auth) for r in not_installed] == [("/orders", ())]


def test_custom_authentication_middleware_counts_only_when_it_rejects() -> None:
    """An AbstractAuthenticationMiddleware subclass authenticates when `authenticate_request`
    raises for a request without credentials; one that only attaches a user turns nobody
    away. `DefineMiddleware(cls, exclude=...)` passes its own exclude patterns."""
    routes = table(
        inventory(
            {
                "mw.py": """
                from litestar.exceptions import NotAuthorizedException
                from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

                class KeyAuth(AbstractAuthenticationMiddleware):
                    async def authenticate_request(self, connection):
                        key = connection.headers.get("x-api-key")
                        if not key:
                            raise NotAuthorizedException()
                        return AuthenticationResult(user=key, auth=key)

                class MaybeUser(AbstractAuthenticationMiddleware):
                    async def authenticate_request(self, connection):
                        return AuthenticationResult(user=None, auth=None)
                """,
                "app.py": """
                from litestar import Litestar, Router, post
                from litestar.middleware import DefineMiddleware
                from mw import KeyAuth, MaybeUser

                @post("/orders")
                async def order() -> None: ...

                @post("/status")
                async def status() -> None: ...

                @post("/comments")
                async def comment() -> None: ...

                key_auth = DefineMiddleware(KeyAuth, exclude=["/partners/status"])
                partners = Router(
                    path="/partners", route_handlers=[order, status], middleware=[key_auth]
                )
                feed = Router(path="/feed", route_handlers=[comment], middleware=[MaybeUser])
                app = Litestar(route_handlers=[partners, feed])
                """,
            }
        )
    )
    assert names(routes[("POST", "/partners/orders")].auth) == ["KeyAuth@router"]
    assert routes[("POST", "/partners/status")].auth == ()
    assert routes[("POST", "/feed/comments")].auth == ()


def test_a_provider_that_rejects_anonymous_callers_authenticates_the_handlers_that_ask() -> None:
    """`dependencies={"user": Provide(fn)}`: Litestar calls `fn` only for handlers with a
    parameter of that name; a provider that raises without a user authenticates them."""
    routes = table(
        inventory(
            {
                "app.py": """
                from litestar import Litestar, post
                from litestar.di import Provide
                from litestar.exceptions import NotAuthorizedException

                def require_user(request):
                    if request.user is None:
                        raise NotAuthorizedException()
                    return request.user

                @post("/notes")
                async def create(user: dict) -> None: ...

                @post("/ping")
                async def ping() -> None: ...

                app = Litestar(
                    route_handlers=[create, ping],
                    dependencies={"user": Provide(require_user)},
                )
                """
            }
        )
    )
    assert names(routes[("POST", "/notes")].auth) == ["Provide(require_user)@route"]
    assert [p.source for p in routes[("POST", "/notes")].params] == ["dependency"]
    assert routes[("POST", "/ping")].auth == ()


def test_register_and_base_controllers() -> None:
    """`app.register(handler)` adds a route; a base Controller that only others derive from
    is no route of its own, its handlers are inherited."""
    routes = table(
        inventory(
            {
                "app.py": """
                from litestar import Controller, Litestar, get

                class Base(Controller):
                    @get("/info")
                    async def info(self) -> dict: ...

                class Pets(Base):
                    path = "/pets"

                @get("/late")
                async def late() -> None: ...

                app = Litestar(route_handlers=[Pets])
                app.register(late)
                """
            }
        )
    )
    assert sorted(routes) == [("GET", "/late"), ("GET", "/pets/info")]


def test_a_catastrophic_exclude_pattern_is_not_run() -> None:
    """The exclude patterns come from the reviewed code: a nested quantifier is not handed to
    the regex engine: the route stays covered and says why."""
    security = JWT.replace('["/health", "^/schema", "/public"]', '["^(a+)+$", ".*.*.*.*!"]')
    routes = inventory(
        {
            "security.py": security,
            "app.py": """
            from litestar import Litestar, post
            from security import auth

            @post("/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")
            async def boom() -> None: ...

            app = Litestar(route_handlers=[boom], on_app_init=[auth.on_app_init])
            """,
        }
    )
    assert names(routes[0].auth) == ["JWTAuth@middleware"]
    assert sum("not evaluated" in note for note in routes[0].notes) == 2


def test_apps_and_installs_in_tests_are_scaffolding() -> None:
    """A test that mounts the service's controller under its own Router, or calls a config's
    `on_app_init` to try it out, changes neither the controller's path nor its guards."""
    routes = inventory(
        {
            "security.py": JWT,
            "controllers.py": """
            from litestar import Controller, post

            class Orders(Controller):
                path = "/orders"

                @post()
                async def create(self) -> None: ...
            """,
            "tests/test_orders.py": """
            from litestar import Litestar, Router
            from controllers import Orders
            from security import auth

            def test_it():
                app = Litestar(route_handlers=[Router(path="/t", route_handlers=[Orders])])
                auth.on_app_init(app)
            """,
        }
    )
    assert [(r.path, r.auth) for r in routes] == [("/orders", ())]


def test_a_403_in_a_handler_is_authorization_only_when_the_user_decides_it() -> None:
    """`raise PermissionDeniedException` (Litestar's 403) when the object's owner is not the
    caller authorizes; the same refusal on a setting turns everyone away alike."""
    routes = table(
        inventory(
            {
                "app.py": """
                from litestar import Litestar, delete, post
                from litestar.exceptions import PermissionDeniedException

                SIGNUPS_OPEN = False

                @delete("/notes/{note_id:int}")
                async def remove(note_id: int, current_user: dict) -> None:
                    note = await notes.get(note_id)
                    if note.owner_id != current_user.id:
                        raise PermissionDeniedException()

                @post("/signup")
                async def signup() -> None:
                    if not SIGNUPS_OPEN:
                        raise PermissionDeniedException("closed")

                app = Litestar(route_handlers=[remove, signup])
                """
            }
        )
    )
    assert [g.name for g in routes[("DELETE", "/notes/{note_id}")].authorization] == [
        "in-body PermissionDeniedException"
    ]
    assert routes[("POST", "/signup")].authorization == ()


def test_a_router_nested_in_itself_or_fanned_out_ends() -> None:
    """Python would refuse `r = Router(route_handlers=[r])` at start-up; the model walks the
    tree once per router on a chain and within a fixed number of steps."""
    fan = ", ".join(["r3"] * 20)
    routes = inventory(
        {
            "app.py": f"""
            from litestar import Litestar, Router, get

            @get("/x")
            async def x() -> None: ...

            loop = Router(path="/loop", route_handlers=[x, loop, loop])
            r1 = Router(path="/a", route_handlers=[x])
            r2 = Router(path="/b", route_handlers=[{", ".join(["r1"] * 20)}])
            r3 = Router(path="/c", route_handlers=[{", ".join(["r2"] * 20)}])
            r4 = Router(path="/d", route_handlers=[{fan}])
            r5 = Router(path="/e", route_handlers=[{", ".join(["r4"] * 20)}])
            app = Litestar(route_handlers=[loop, r5])
            """
        }
    )
    assert ("GET", "/loop/x") in table(routes)
    assert ("GET", "/e/d/c/b/a/x") in table(routes)


def test_what_a_plugin_adds_to_the_app_config() -> None:
    """A plugin's `on_app_init(app_config)` (or a helper typed AppConfig) that extends
    `app_config.route_handlers`, appends guards or inserts middleware configures the app:
    its handlers are served with those guards and that middleware."""
    routes = table(
        inventory(
            {
                "guards.py": GUARDS,
                "security.py": JWT,
                "plugin.py": """
                from litestar.config.app import AppConfig
                from litestar.plugins import InitPluginProtocol
                from guards import requires_active
                from security import auth
                from views import create, Reports

                HANDLERS = [create, Reports]

                class Core(InitPluginProtocol):
                    def on_app_init(self, app_config):
                        app_config.route_handlers.extend(HANDLERS)
                        app_config.guards.append(requires_active)
                        configure(app_config)
                        return app_config

                def configure(config: AppConfig) -> None:
                    config.middleware.insert(0, auth.middleware)
                """,
                "views.py": """
                from litestar import Controller, get, post

                @post("/notes")
                async def create() -> None: ...

                class Reports(Controller):
                    path = "/reports"

                    @get()
                    async def index(self) -> list: ...
                """,
                "app.py": """
                from litestar import Litestar
                from plugin import Core

                app = Litestar(plugins=[Core()])
                """,
            }
        )
    )
    assert sorted(routes) == [("GET", "/reports"), ("POST", "/notes")]
    for route in routes.values():
        assert names(route.auth) == ["JWTAuth@middleware", "requires_active@app"]


def test_litestar_test_clients_map_tests_to_routes() -> None:
    """Requests through Litestar's `AsyncTestClient(app)` and `create_test_client(...)`, under
    any variable name, mark the routes they call as tested."""
    routes = table(
        inventory(
            {
                "app.py": """
                from litestar import Litestar, get, post

                @get("/items")
                async def items() -> list: ...

                @post("/items")
                async def add() -> None: ...

                app = Litestar(route_handlers=[items, add])
                """,
                "tests/test_items.py": """
                from litestar.testing import AsyncTestClient, create_test_client
                from app import add, app

                async def test_items():
                    async with AsyncTestClient(app=app) as tc:
                        assert (await tc.get("/items")).status_code == 200

                def test_add():
                    with create_test_client(route_handlers=[add]) as api:
                        assert api.post("/items").status_code == 201
                """,
            }
        )
    )
    assert routes[("GET", "/items")].tests == ("tests/test_items.py",)
    assert routes[("POST", "/items")].tests == ("tests/test_items.py",)


def test_a_guard_a_plugin_adds_on_one_branch_only_is_not_counted() -> None:
    """`if settings.auth: app_config.guards.append(g)`: some deployments run without it, so
    the routes do not count it and say why."""
    routes = inventory(
        {
            "guards.py": GUARDS,
            "plugin.py": """
            from litestar.plugins import InitPluginProtocol
            from guards import requires_active

            AUTH = False

            class Core(InitPluginProtocol):
                def on_app_init(self, app_config):
                    if AUTH:
                        app_config.guards.append(requires_active)
                    return app_config
            """,
            "app.py": """
            from litestar import Litestar, post
            from plugin import Core

            @post("/notes")
            async def create() -> None: ...

            app = Litestar(route_handlers=[create], plugins=[Core()])
            """,
        }
    )
    assert [(r.path, r.auth) for r in routes] == [("/notes", ())]
    assert any("only on one branch" in n for n in routes[0].notes)
