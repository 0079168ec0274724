"""FastAPI route model on real-code shapes (issue 13, benchmarks/corpus/README.md FastAPI part).

Router subclasses, a package directory reviewed on its own, star re-exports, `mount(app=)`:
each is how Python/FastAPI behave (docs: tutorial/bigger-applications.md,
tutorial/dependencies/global-dependencies.md, advanced/sub-applications.md), on tiny projects.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from reviewer.config import Config
from reviewer.native import review_files
from reviewer.service import Route


def inventory(files: dict[str, str], root: Path = Path(".")) -> list[Route]:
    data = {path: dedent(text).encode() for path, text in files.items()}
    return list(review_files(data, [], Config(root=root)).project.routes)


AUTH = """
from fastapi import HTTPException

def require_user(token: str):
    if not token:
        raise HTTPException(status_code=401)
    return token

def optional_user(token: str | None = None):
    return token
"""


def test_router_subclass_fixes_prefix_and_dependencies_in_its_init() -> None:
    """`class AdminRouter(APIRouter)` whose `__init__` passes `dependencies=[...]` to
    `super().__init__` builds a router that carries those dependencies; the call's own
    `prefix=` is forwarded (mealie's AdminAPIRouter/UserAPIRouter, prefect's PrefectRouter)."""
    routes = inventory(
        {
            "auth.py": AUTH,
            "routers.py": """
            from fastapi import APIRouter, Depends
            from auth import require_user, optional_user

            class UserRouter(APIRouter):
                def __init__(self, prefix: str = "", **kwargs):
                    super().__init__(prefix=prefix, dependencies=[Depends(require_user)], **kwargs)

            class ReadRouter(APIRouter):
                def __init__(self, **kwargs):
                    super().__init__(prefix="/read", dependencies=[Depends(optional_user)], **kwargs)
            """,
            "main.py": """
            from fastapi import FastAPI
            from routers import UserRouter, ReadRouter
            users: UserRouter = UserRouter(prefix="/users")
            reads = ReadRouter()

            @users.get("/{id}")
            def get_user(id: int): ...

            @reads.get("/news")
            def news(): ...

            app = FastAPI()
            app.include_router(users, prefix="/api")
            app.include_router(reads)
            """,
        }
    )
    by_path = {r.path: r for r in routes}
    assert set(by_path) == {"/api/users/{id}", "/read/news"}
    assert [(g.name, g.kind, g.level) for g in by_path["/api/users/{id}"].auth] == [
        ("Depends(require_user)", "authentication", "router")
    ]
    # must not fire: a dependency that only reads an optional user rejects nothing
    assert not by_path["/read/news"].auth


def test_plain_apirouter_subclass_without_init_is_a_router() -> None:
    routes = inventory(
        {
            "main.py": """
            from fastapi import APIRouter, FastAPI
            class Router(APIRouter):
                pass
            router = Router(prefix="/flows")
            @router.post("/")
            def create(): ...
            app = FastAPI()
            app.include_router(router, prefix="/api")
            """
        }
    )
    assert [(r.methods, r.path) for r in routes] == [(("POST",), "/api/flows/")]


def test_a_class_that_is_no_router_declares_no_routes() -> None:
    routes = inventory(
        {
            "main.py": """
            class Registry:
                def __init__(self, prefix=""):
                    super().__init__()
                def get(self, path):
                    return lambda f: f
            registry = Registry(prefix="/x")
            @registry.get("/y")
            def handler(): ...
            """
        }
    )
    assert routes == []


def test_package_reviewed_on_its_own_resolves_its_absolute_imports(tmp_path: Path) -> None:
    """Reviewing `src/shop/` (a package up to `src/`): the code imports `shop.users`, which
    is Python's name for the file `users.py` of the reviewed directory."""
    package = tmp_path / "src" / "shop"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    routes = inventory(
        {
            "__init__.py": "",
            "auth.py": AUTH,
            "users.py": """
            from fastapi import APIRouter
            router = APIRouter()
            @router.get("/{id}")
            def get_user(id: int): ...
            """,
            "main.py": """
            from fastapi import Depends, FastAPI
            from shop.users import router as users_router
            from shop.auth import require_user
            app = FastAPI()
            app.include_router(users_router, prefix="/users", dependencies=[Depends(require_user)])
            """,
        },
        root=package,
    )
    (route,) = routes
    assert route.path == "/users/{id}"
    assert [g.kind for g in route.auth] == ["authentication"]


def test_package_prefix_needs_an_init_in_the_reviewed_directory(tmp_path: Path) -> None:
    """must not resolve: without `__init__.py` the directory is no package named `shop`."""
    folder = tmp_path / "shop"
    folder.mkdir()
    routes = inventory(
        {
            "users.py": """
            from fastapi import APIRouter
            router = APIRouter()
            @router.get("/{id}")
            def get_user(id: int): ...
            """,
            "main.py": """
            from fastapi import FastAPI
            from shop.users import router as users_router
            app = FastAPI()
            app.include_router(users_router, prefix="/users")
            """,
        },
        root=folder,
    )
    assert [r.path for r in routes] == ["/{id}"]


def test_star_reexport_in_a_package_init_reaches_the_dependency() -> None:
    """`deps/__init__.py: from .impl import *` (mealie.core.dependencies): `deps.staff`
    is `deps.impl.staff`, whose 403 is authorization and whose sub-dependency's 401 is
    authentication."""
    routes = inventory(
        {
            "deps/__init__.py": "from .impl import *\n",
            "deps/impl.py": """
            from fastapi import Depends, HTTPException, status
            def get_current_user(token: str):
                if not token:
                    raise HTTPException(status_code=401)
                return token
            def staff(current_user=Depends(get_current_user)):
                if not current_user.admin:
                    raise HTTPException(status.HTTP_403_FORBIDDEN)
                return current_user
            """,
            "main.py": """
            from fastapi import APIRouter, Depends, FastAPI
            from deps import staff
            router = APIRouter(prefix="/admin", dependencies=[Depends(staff)])
            @router.get("/stats")
            def stats(): ...
            app = FastAPI()
            app.include_router(router)
            """,
        }
    )
    (route,) = routes
    assert [g.name for g in route.auth] == ["Depends(staff)"]
    assert [g.name for g in route.authorization] == ["Depends(staff)"]


def test_mount_with_the_sub_app_as_keyword() -> None:
    """`app.mount("/api/v1", app=api)` (Starlette `mount(path, app=None, name=None)`)."""
    routes = inventory(
        {
            "main.py": """
            from fastapi import FastAPI
            api = FastAPI()
            @api.get("/healthcheck")
            def health(): ...
            app = FastAPI()
            app.mount("/api/v1", app=api)
            """
        }
    )
    assert [r.path for r in routes] == ["/api/v1/healthcheck"]


CBV = {
    "auth.py": AUTH,
    "base.py": """
    from fastapi import Depends
    from auth import require_user, optional_user

    class UserController:
        user: str = Depends(require_user)

    class PublicController:
        user = Depends(optional_user)
    """,
}


def test_cbv_class_attribute_dependencies_guard_every_endpoint() -> None:
    """`@cbv(router)` (fastapi-utils; mealie's `@controller(router)`): inherited class
    attributes `user = Depends(require_user)` are dependencies of each method endpoint."""
    routes = inventory(
        {
            **CBV,
            "views.py": """
            from fastapi import APIRouter
            from fastapi_utils.cbv import cbv
            from base import UserController, PublicController
            router = APIRouter(prefix="/comments")

            @cbv(router)
            class Comments(UserController):
                @router.get("")
                def list(self): ...

            @cbv(router)
            class Explore(PublicController):
                @router.get("/public")
                def public(self): ...
            """,
        }
    )
    by_path = {r.path: r for r in routes}
    assert [(g.name, g.level) for g in by_path["/comments"].auth] == [
        ("Depends(require_user)", "class")
    ]
    # must not fire: the attribute only reads an optional user
    assert not by_path["/comments/public"].auth


def test_class_attributes_of_a_class_no_cbv_decorator_binds_are_no_guards() -> None:
    """must not fire: without `@cbv(router)` FastAPI never builds the class, so its
    attributes' Depends run for nothing (the method is a plain endpoint on `self`)."""
    routes = inventory(
        {
            **CBV,
            "views.py": """
            from fastapi import APIRouter
            from base import UserController
            router = APIRouter()

            class Comments(UserController):
                @router.get("/comments")
                def list(self): ...
            """,
        }
    )
    (route,) = routes
    assert not route.auth


def test_in_body_403_keyword_form_is_authorization_only_on_the_user() -> None:
    """`raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)` conditioned on a local
    that holds the user's role is authorization (Netflix dispatch's create_user); the same
    refusal on a setting refuses everyone and is not."""
    routes = inventory(
        {
            "auth.py": AUTH,
            "main.py": """
            from fastapi import Depends, FastAPI, HTTPException, status
            from auth import require_user
            from settings import FEATURES
            app = FastAPI()

            @app.post("/{org}/users")
            def create_user(org: str, current_user=Depends(require_user)):
                role = current_user.get_organization_role(org)
                if role != "owner":
                    raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="no")
                return {}

            @app.post("/{org}/exports")
            def export(org: str, current_user=Depends(require_user)):
                if not FEATURES.get("export"):
                    raise HTTPException(status_code=403, detail="export is disabled")
                return {}
            """,
        }
    )
    flags = {r.path: bool(r.authorization) for r in routes}
    assert flags == {"/{org}/users": True, "/{org}/exports": False}


PERMISSIONS = """
from fastapi import HTTPException
from auth import require_user

class BasePermission:
    def __init__(self, request):
        user = require_user(request.headers.get("token"))
        self.role = user.role_in(request.path_params["org"])
        if not self.has_required_permissions(request):
            raise HTTPException(status_code=self.error_code)

class OwnerPermission(BasePermission):
    def has_required_permissions(self, request):
        return self.role == "owner"

class Header:
    def __init__(self, request):
        self.seen = request.headers.get("x-trace")

class PermissionsDependency:
    def __init__(self, classes):
        self.classes = classes
    def __call__(self, request):
        for klass in self.classes:
            klass(request=request)
"""


def test_a_dependency_instance_runs_the_permission_classes_it_is_given() -> None:
    """`Depends(PermissionsDependency([OwnerPermission]))`: the instance's `__call__` builds each
    class, whose (inherited) constructor reads the user's role and refuses: authorization.
    must not fire: given a class whose constructor checks nothing."""
    routes = inventory(
        {
            "auth.py": AUTH,
            "permissions.py": PERMISSIONS,
            "main.py": """
            from fastapi import Depends, FastAPI
            from permissions import Header, OwnerPermission, PermissionsDependency
            app = FastAPI()

            @app.put("/{org}/projects/{id}", dependencies=[Depends(PermissionsDependency([OwnerPermission]))])
            def update(org: str, id: int): ...

            @app.get("/{org}/projects", dependencies=[Depends(PermissionsDependency([Header]))])
            def listing(org: str): ...
            """,
        }
    )
    flags = {r.path: bool(r.authorization) for r in routes}
    assert flags == {"/{org}/projects/{id}": True, "/{org}/projects": False}


def test_cbv_whose_repositories_are_built_with_the_users_group_is_tenant_scoped() -> None:
    """mealie's controllers: `repos` is `Repos(session, group_id=self.group_id)` and `group_id`
    a property returning `self.user.group_id`, `user` the authenticated class dependency:
    every query the controller makes is scoped to the user's group (authorization).
    must not fire: a subclass that rebuilds `repos` unscoped, and a controller whose
    `group_id` comes from the path rather than the user."""
    routes = inventory(
        {
            **CBV,
            "controllers.py": """
            from fastapi import Depends
            from base import UserController
            from repos import Repos

            class Scoped(UserController):
                @property
                def group_id(self):
                    return self.user.group_id
                @property
                def repos(self):
                    return Repos(self.session, group_id=self.group_id)

            class Unscoped(Scoped):
                @property
                def repos(self):
                    return Repos(self.session, group_id=None)

            class ByPath(UserController):
                @property
                def repos(self):
                    return Repos(self.session, group_id=self.slug)
            """,
            "views.py": """
            from fastapi import APIRouter
            from fastapi_utils.cbv import cbv
            from controllers import ByPath, Scoped, Unscoped
            router = APIRouter()

            @cbv(router)
            class Foods(Scoped):
                @router.get("/foods")
                def list(self):
                    return self.repos.foods.all()

            @cbv(router)
            class AllFoods(Unscoped):
                @router.get("/all-foods")
                def list(self):
                    return self.repos.foods.all()

            @cbv(router)
            class Shared(ByPath):
                @router.get("/shared")
                def list(self):
                    return self.repos.foods.all()
            """,
        }
    )
    flags = {r.path: (bool(r.auth), bool(r.authorization)) for r in routes}
    assert flags == {
        "/foods": (True, True),
        "/all-foods": (True, False),
        "/shared": (True, False),
    }
