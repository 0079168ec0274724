"""Framework semantics the inventory must get right (frameworks.md §1-6, §10), on tiny projects."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from textwrap import dedent

from reviewer import codec
from reviewer.config import Config
from reviewer.framework import Route
from reviewer.native import review_files
from reviewer.reporters.routes import render_routes


def inventory(files: dict[str, str], **config: object) -> list[Route]:
    data = {path: dedent(text).encode() for path, text in files.items()}
    result = review_files(data, [], Config(root=Path("."), **config))  # type: ignore[arg-type]
    return list(result.project.routes)


def table(routes: list[Route]) -> set[tuple[str, str, str]]:
    return {(",".join(r.methods), r.path, r.handler) for r in routes}


def test_flask_registration_prefix_replaces_constructor_prefix_and_nests() -> None:
    routes = inventory(
        {
            "app.py": """
            from flask import Flask, Blueprint
            app = Flask(__name__)
            bp = Blueprint("b", __name__, url_prefix="/a")
            child = Blueprint("c", __name__, url_prefix="/child")
            bp.register_blueprint(child)
            @bp.route("")
            def root(): ...
            @child.route("/x", methods=["POST", "put"])
            def x(): ...
            app.register_blueprint(bp, url_prefix="/v2")
            """
        }
    )
    assert table(routes) == {("GET", "/v2", "root"), ("POST,PUT", "/v2/child/x", "x")}


def test_flask_decorator_above_route_is_not_a_guard() -> None:
    (route,) = inventory(
        {
            "app.py": """
            from flask import Flask
            from flask_login import login_required
            app = Flask(__name__)
            @login_required
            @app.post("/orders")
            def create(): ...
            """
        }
    )
    assert not route.auth
    assert route.notes and "never applied" in route.notes[0]


def test_fastapi_prefixes_compose_along_the_include_chain() -> None:
    routes = inventory(
        {
            "users.py": """
            from fastapi import APIRouter
            users = APIRouter(prefix="/users")
            @users.get("/{id}")
            def get_user(id: int): ...
            """,
            "main.py": """
            from fastapi import APIRouter, Depends, FastAPI
            from users import users
            from auth import require_user
            api = APIRouter(prefix="/v1")
            api.include_router(users, prefix="/u", dependencies=[Depends(require_user)])
            app = FastAPI()
            app.include_router(api, prefix="/api")
            """,
            "auth.py": """
            def require_user(token: str):
                if not token:
                    raise HTTPException(status_code=401)
            """,
        }
    )
    (route,) = routes
    assert (route.path, route.methods) == ("/api/v1/u/users/{id}", ("GET",))
    assert [(g.name, g.level) for g in route.auth] == [("Depends(require_user)", "router")]
    assert [(p.name, p.source) for p in route.params] == [("id", "path")]


def test_django_prefixes_concatenate_literally_and_function_views_accept_any_method() -> None:
    routes = inventory(
        {
            "root/urls.py": """
            from django.urls import include, path, re_path
            urlpatterns = [path("api", include("shop.urls")), re_path(r"^old/", include("shop.urls"))]
            """,
            "shop/urls.py": """
            from django.urls import path
            from shop.views import items
            urlpatterns = [path("items/", items)]
            """,
            "shop/views.py": "def items(request): ...\n",
        }
    )
    assert table(routes) == {("*", "/apiitems/", "items"), ("*", "/old/items/", "items")}


def test_drf_router_emits_only_existing_actions_and_permissions_replace_defaults() -> None:
    routes = inventory(
        {
            "api/urls.py": """
            from rest_framework import routers, viewsets
            from rest_framework.decorators import action
            from rest_framework.permissions import AllowAny
            class Books(viewsets.ReadOnlyModelViewSet):
                permission_classes = [AllowAny]
                @action(detail=True, methods=["post"], url_path="borrow")
                def borrow(self, request, pk=None): ...
            router = routers.SimpleRouter(trailing_slash=False)
            router.register("books", Books)
            urlpatterns = router.urls
            """,
            "settings.py": """
            REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
            """,
        }
    )
    assert table(routes) == {
        ("GET", "/books", "Books.list"),
        ("GET", "/books/<pk>", "Books.retrieve"),
        ("POST", "/books/<pk>/borrow", "Books.borrow"),
    }
    assert all(not r.auth and r.public for r in routes)  # AllowAny replaces the default


def test_drf_list_route_and_detail_route_are_the_old_spelling_of_action() -> None:
    """DRF 3.8 deprecated @list_route/@detail_route for @action(detail=False/True); older
    services and DRF forks still declare extra routes that way. A decorator that is not one of
    DRF's (an app's own `route`) adds no route."""
    routes = inventory(
        {
            "api/urls.py": """
            from rest_framework import routers, viewsets
            from rest_framework.decorators import detail_route, list_route
            from app.decorators import route
            class Books(viewsets.GenericViewSet):
                @list_route(methods=["GET"])
                def recent(self, request): ...
                @detail_route(methods=["post", "delete"], url_path="hold")
                def place_hold(self, request, pk=None): ...
                @route(methods=["post"])
                def other(self, request): ...
            router = routers.SimpleRouter(trailing_slash=False)
            router.register("books", Books)
            urlpatterns = router.urls
            """,
        }
    )
    assert table(routes) == {
        ("GET", "/books/recent", "Books.recent"),
        ("POST", "/books/<pk>/hold", "Books.place_hold"),
        ("DELETE", "/books/<pk>/hold", "Books.place_hold"),
    }


def test_drf_default_permission_is_allow_any() -> None:
    (route,) = inventory(
        {
            "urls.py": """
            from django.urls import path
            from rest_framework.decorators import api_view
            @api_view(["POST"])
            def create(request): ...
            urlpatterns = [path("create/", create)]
            """
        }
    )
    assert route.framework == "drf" and not route.auth and not route.public


def test_aiohttp_subapp_routes_are_covered_by_parent_middleware() -> None:
    routes = inventory(
        {
            "app.py": """
            from aiohttp import web
            @web.middleware
            async def auth(request, handler):
                if not request.headers.get("Authorization"):
                    raise web.HTTPUnauthorized()
                return await handler(request)
            async def items(request): ...
            sub = web.Application()
            sub.router.add_route("POST", "/items", items)
            app = web.Application(middlewares=[auth])
            app.add_subapp("/v1/", sub)
            """
        }
    )
    (route,) = routes
    assert (route.methods, route.path) == (("POST",), "/v1/items")
    assert [(g.name, g.level) for g in route.auth] == [("auth", "middleware")]


def test_config_names_guards_and_public_routes() -> None:
    files = {
        "app.py": """
        from flask import Flask
        from corp import sso
        app = Flask(__name__)
        @app.post("/orders")
        @sso
        def create(): ...
        @app.post("/hooks/github")
        def hook(): ...
        """
    }
    plain = {r.handler: r for r in inventory(files)}
    assert not plain["create"].auth and not plain["hook"].public
    configured = {
        r.handler: r
        for r in inventory(files, auth_decorators=("sso",), public_routes=("/hooks/*",))
    }
    assert configured["create"].auth and configured["hook"].public


def test_facts_and_routes_are_plain_data() -> None:
    data = {
        "app.py": b"from flask import Flask\napp = Flask(__name__)\n@app.get('/')\ndef i(): ...\n"
    }
    result = review_files(data, [], Config(root=Path(".")))
    facts = result.files["app.py"].facts
    assert json.loads(json.dumps(facts["framework"])) == facts["framework"]
    assert codec.loads(codec.dumps(facts)) == facts  # what the result cache stores
    assert pickle.loads(pickle.dumps(result.project.routes)) == result.project.routes


def test_render_formats() -> None:
    routes = inventory(
        {
            "app.py": """
            from flask import Flask, request
            app = Flask(__name__)
            @app.post("/orders")
            def create():
                return request.json
            """
        }
    )
    as_json = json.loads(render_routes(routes, "json"))
    assert as_json[0]["path"] == "/orders" and as_json[0]["raw_input"] == ["request.json"]
    markdown = render_routes(routes, "markdown")
    assert "| POST | `/orders` | create (app.py:5) | none |" in markdown
    text = render_routes(routes, "table")
    assert "/orders" in text and "raw: request.json" in text


def test_flask_restful_resources_httpauth_and_api_decorators() -> None:
    routes = inventory(
        {
            "app.py": """
            from flask import Flask
            from flask_restful import Api, Resource
            from flask_httpauth import HTTPBasicAuth
            app = Flask(__name__)
            auth = HTTPBasicAuth()
            api = Api(app, decorators=[auth.login_required])
            class Todo(Resource):
                def get(self, tid): ...
                def delete(self, tid): ...
            api.add_resource(Todo, "/todos/<int:tid>", "/t/<int:tid>")
            @app.post("/admin/x")
            @auth.login_required(role="admin")
            def adm(): ...
            """
        }
    )
    assert table(routes) == {
        ("GET", "/todos/<int:tid>", "Todo.get"),
        ("DELETE", "/todos/<int:tid>", "Todo.delete"),
        ("GET", "/t/<int:tid>", "Todo.get"),
        ("DELETE", "/t/<int:tid>", "Todo.delete"),
        ("POST", "/admin/x", "adm"),
    }
    by = {(r.path, r.handler): r for r in routes}
    assert [g.level for g in by[("/t/<int:tid>", "Todo.delete")].auth] == ["app"]
    adm = by[("/admin/x", "adm")]
    assert [g.name for g in adm.auth] == ["auth.login_required"]
    assert [g.name for g in adm.authorization] == ["auth.login_required"]


def test_fastapi_users_current_user_and_superuser() -> None:
    routes = inventory(
        {
            "app.py": """
            from fastapi import Depends, FastAPI
            from fastapi_users import FastAPIUsers
            fastapi_users = FastAPIUsers[User, int](get_user_manager, [backend])
            current_active_user = fastapi_users.current_user(active=True)
            current_superuser = fastapi_users.current_user(active=True, superuser=True)
            app = FastAPI()
            @app.post("/orders")
            def create(user=Depends(current_active_user)): ...
            @app.delete("/admin/users/{uid}")
            def delete(uid: int, user=Depends(current_superuser)): ...
            """
        }
    )
    by = {r.handler: r for r in routes}
    assert by["create"].auth and not by["create"].authorization
    assert by["delete"].auth and by["delete"].authorization


def test_aiohttp_route_definitions_list() -> None:
    routes = inventory(
        {
            "app.py": """
            from aiohttp import web
            async def a(request): ...
            class V(web.View):
                async def post(self): ...
            app = web.Application()
            app.add_routes([web.get("/a", a), web.view("/v", V), web.route("PATCH", "/p", a)])
            """
        }
    )
    assert table(routes) == {("GET", "/a", "a"), ("POST", "/v", "V.post"), ("PATCH", "/p", "a")}


def test_decorator_calls_are_not_body_evidence() -> None:
    (route,) = inventory(
        {
            "app.py": """
            from fastapi import Depends, FastAPI
            app = FastAPI()
            @app.post("/items")
            def create(db=Depends(get_db)): ...
            """
        }
    )
    assert not route.auth


def test_src_layout_absolute_imports_resolve() -> None:
    routes = inventory(
        {
            "src/shop/api.py": """
            from flask import Blueprint
            from shop.auth import require_login
            bp = Blueprint("api", __name__)
            @bp.post("/orders")
            @require_login
            def create(): ...
            """,
            "src/shop/auth.py": """
            def require_login(fn):
                def wrapper(*a, **k):
                    if not current_user.is_authenticated:
                        abort(401)
                    return fn(*a, **k)
                return wrapper
            """,
            "src/shop/app.py": """
            from flask import Flask
            from shop.api import bp
            app = Flask(__name__)
            app.register_blueprint(bp, url_prefix="/api")
            """,
        }
    )
    (route,) = routes
    assert route.path == "/api/orders" and [g.name for g in route.auth] == ["require_login"]


def test_login_required_middleware_covers_django_views_but_not_drf() -> None:
    routes = inventory(
        {
            "settings.py": """
            MIDDLEWARE = ["django.contrib.auth.middleware.LoginRequiredMiddleware"]
            """,
            "urls.py": """
            from django.contrib.auth.decorators import login_not_required
            from django.urls import path
            from rest_framework.views import APIView
            def orders(request): ...
            @login_not_required
            def signup(request): ...
            class Api(APIView):
                def post(self, request): ...
            urlpatterns = [path("orders/", orders), path("signup/", signup), path("api/", Api.as_view())]
            """,
        }
    )
    by = {r.handler: r for r in routes}
    assert [(g.name, g.level) for g in by["orders"].auth] == [
        ("LoginRequiredMiddleware", "settings")
    ]
    assert not by["signup"].auth and by["signup"].public
    assert not by["Api.post"].auth and not by["Api.post"].public


def test_fastapi_mounted_sub_app_keeps_its_own_dependencies() -> None:
    routes = inventory(
        {
            "main.py": """
            from fastapi import Depends, FastAPI
            from auth import get_current_user, AuthMiddleware
            app = FastAPI(dependencies=[Depends(get_current_user)])
            app.add_middleware(AuthMiddleware)
            legacy = FastAPI()
            @legacy.post("/orders")
            def create(): ...
            @app.post("/orders")
            def create_new(): ...
            app.mount("/legacy", legacy)
            """,
            "auth.py": """
            def get_current_user(token: str):
                return token
            class AuthMiddleware:
                async def __call__(self, scope, receive, send):
                    if b"authorization" not in dict(scope["headers"]):
                        raise HTTPException(status_code=401)
            """,
        }
    )
    by = {r.path: r for r in routes}
    assert [(g.name, g.level) for g in by["/legacy/orders"].auth] == [
        ("AuthMiddleware", "middleware")
    ]
    assert {g.level for g in by["/orders"].auth} == {"app", "middleware"}


def test_starlette_routes_mounts_and_requires() -> None:
    routes = inventory(
        {
            "app.py": """
            from starlette.applications import Starlette
            from starlette.authentication import requires
            from starlette.endpoints import HTTPEndpoint
            from starlette.middleware import Middleware
            from starlette.middleware.authentication import AuthenticationMiddleware
            from starlette.routing import Mount, Route

            async def homepage(request): ...

            @requires("authenticated")
            async def create_order(request): ...

            class Users(HTTPEndpoint):
                async def get(self, request): ...
                async def delete(self, request): ...

            api = [Route("/orders", create_order, methods=["POST"]), Route("/users/{id}", Users)]
            routes = [Route("/", homepage), Mount("/api/", routes=api)]
            app = Starlette(routes=routes, middleware=[Middleware(AuthenticationMiddleware)])
            """
        }
    )
    assert table(routes) == {
        ("GET", "/", "homepage"),
        ("POST", "/api/orders", "create_order"),
        ("GET", "/api/users/{id}", "Users.get"),
        ("DELETE", "/api/users/{id}", "Users.delete"),
    }
    by = {r.handler: r for r in routes}
    assert [g.name for g in by["create_order"].auth] == ["requires"]
    assert not by["Users.delete"].auth  # AuthenticationMiddleware never rejects


def test_flask_limiter_default_limits_and_exempt() -> None:
    routes = inventory(
        {
            "app.py": """
            from flask import Flask
            from flask_limiter import Limiter
            from flask_limiter.util import get_remote_address
            app = Flask(__name__)
            limiter = Limiter(get_remote_address, app=app, default_limits=["100/hour"])
            @app.post("/login")
            def login(): ...
            @app.get("/health")
            @limiter.exempt
            def health(): ...
            """
        }
    )
    by = {r.handler: r for r in routes}
    assert [(g.name, g.level) for g in by["login"].rate_limits] == [
        ("limiter default_limits", "app")
    ]
    assert not by["health"].rate_limits


def test_django_src_layout_root_urlconf() -> None:
    routes = inventory(
        {
            "src/site/settings.py": 'ROOT_URLCONF = "site.urls"\n',
            "src/site/urls.py": """
            from django.urls import include, path
            urlpatterns = [path("shop/", include("shop.urls"))]
            """,
            "src/shop/urls.py": """
            from django.urls import path
            from shop.views import cart
            urlpatterns = [path("cart/", cart)]
            """,
            "src/shop/views.py": "def cart(request): ...\n",
        }
    )
    assert table(routes) == {("*", "/shop/cart/", "cart")}


def test_fastapi_class_dependency_instances() -> None:
    routes = inventory(
        {
            "app.py": """
            from fastapi import Depends, FastAPI, HTTPException
            from fastapi.security import HTTPBearer

            class JWTBearer(HTTPBearer):
                async def __call__(self, request):
                    credentials = await super().__call__(request)
                    if not decode(credentials.credentials):
                        raise HTTPException(status_code=403)
                    return credentials

            class Pagination:
                def __init__(self, page: int = 1): ...

            app = FastAPI()

            @app.post("/orders", dependencies=[Depends(JWTBearer())])
            def create(): ...

            @app.get("/orders")
            def list_orders(p=Depends(Pagination)): ...
            """
        }
    )
    by = {r.handler: r for r in routes}
    assert [g.name for g in by["create"].auth] == ["Depends(JWTBearer)"]
    assert not by["list_orders"].auth
