"""Django URL patterns that a project builds indirectly: DRF router subclasses that change
`routes`, DefaultRouter's API root view, and URL patterns built by a function from a registry
that a decorator fills (frameworks.md §4, §5)."""

from __future__ import annotations

from tests.framework.test_semantics import inventory, table

BULK_ROUTER = """
from rest_framework.routers import DefaultRouter

class BulkRouter(DefaultRouter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.routes[0].mapping.update({"put": "bulk_update", "delete": "bulk_destroy"})
"""


def test_router_subclass_adds_methods_to_the_list_route_for_actions_the_viewset_has() -> None:
    """`self.routes[0].mapping.update(...)` maps more methods on the list URL; DRF routes a
    method only when the viewset has the action (Notes has no bulk_update: no PUT)."""
    routes = inventory(
        {
            "api/routers.py": BULK_ROUTER,
            "api/urls.py": """
            from django.urls import include, path
            from rest_framework import viewsets
            from api.routers import BulkRouter
            class Books(viewsets.ModelViewSet):
                def bulk_update(self, request): ...
                def bulk_destroy(self, request): ...
            class Notes(viewsets.ReadOnlyModelViewSet):
                pass
            router = BulkRouter()
            router.register("books", Books)
            router.register("notes", Notes)
            urlpatterns = [path("api/", include(router.urls))]
            """,
        }
    )
    found = table(routes)
    assert ("PUT", "/api/books/", "Books.bulk_update") in found
    assert ("DELETE", "/api/books/", "Books.bulk_destroy") in found
    assert ("PUT", "/api/books/<pk>/", "Books.update") in found  # the detail route is unchanged
    assert not any(path == "/api/notes/" and m in ("PUT", "DELETE") for m, path, _ in found)


def test_a_router_that_is_not_a_subclass_keeps_drf_s_mapping() -> None:
    """An `update` on some other object's `routes` in an unrelated class changes nothing."""
    routes = inventory(
        {
            "api/urls.py": """
            from django.urls import include, path
            from rest_framework import viewsets
            from rest_framework.routers import SimpleRouter
            class Menu:
                def __init__(self):
                    self.routes[0].mapping.update({"put": "bulk_update"})
            class Books(viewsets.ModelViewSet):
                def bulk_update(self, request): ...
            router = SimpleRouter()
            router.register("books", Books)
            urlpatterns = [path("api/", include(router.urls))]
            """,
        }
    )
    assert not any(m == "PUT" and p == "/api/books/" for m, p, _ in table(routes))
    assert not any(p == "/api/" for _, p, _ in table(routes))  # SimpleRouter: no root view


def test_default_router_serves_its_api_root_view_under_the_settings_permissions() -> None:
    """DefaultRouter adds GET at its prefix; `router.APIRootView = Root` replaces the view,
    and DRF's DEFAULT_PERMISSION_CLASSES guard it like any APIView."""
    routes = inventory(
        {
            "settings.py": """
            REST_FRAMEWORK = {
                "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
            }
            """,
            "api/urls.py": """
            from django.urls import include, path
            from rest_framework import viewsets
            from rest_framework.routers import APIRootView, DefaultRouter
            class Root(APIRootView):
                pass
            class Books(viewsets.ReadOnlyModelViewSet):
                pass
            plain = DefaultRouter()
            plain.register("books", Books)
            custom = DefaultRouter()
            custom.APIRootView = Root
            custom.register("books", Books)
            hidden = DefaultRouter(include_root_view=False)
            hidden.register("books", Books)
            urlpatterns = [
                path("a/", include(plain.urls)),
                path("b/", include(custom.urls)),
                path("c/", include(hidden.urls)),
            ]
            """,
        }
    )
    roots = {r.path: r for r in routes if r.path in ("/a/", "/b/", "/c/")}
    assert set(roots) == {"/a/", "/b/"}
    assert roots["/a/"].handler == "APIRootView.get" and roots["/a/"].methods == ("GET",)
    assert roots["/b/"].handler == "Root.get"
    assert all(r.auth for r in roots.values())


def test_root_view_under_model_permissions_needs_a_user_but_no_permission() -> None:
    """DjangoModelPermissions.has_permission returns True for a view with
    `_ignore_model_permissions` (DRF's APIRootView sets it) once the user is authenticated;
    a viewset under the same class still needs the model permission for a write."""
    routes = inventory(
        {
            "settings.py": """
            REST_FRAMEWORK = {
                "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissions"],
            }
            """,
            "api/urls.py": """
            from django.urls import include, path
            from rest_framework import viewsets
            from rest_framework.views import APIView
            from rest_framework.routers import DefaultRouter
            class Status(APIView):
                _ignore_model_permissions = True
                def get(self, request): ...
            class Books(viewsets.ModelViewSet):
                pass
            router = DefaultRouter()
            router.register("books", Books)
            urlpatterns = [path("api/", include(router.urls)), path("status/", Status.as_view())]
            """,
        }
    )
    by_key = {(r.methods, r.path): r for r in routes}
    for key in ((("GET",), "/api/"), (("GET",), "/status/")):
        assert by_key[key].auth and not by_key[key].authorization
    assert by_key[(("POST",), "/api/books/")].authorization


REGISTRY = """
registry = {"views": {}}
"""
REGISTER = """
from core.registry import registry

def register_view(model, name="", path=None, detail=True):
    def _wrapper(cls):
        app_label = model._meta.app_label
        model_name = model._meta.model_name
        registry["views"].setdefault(app_label, {}).setdefault(model_name, [])
        registry["views"][app_label][model_name].append({
            "name": name,
            "view": cls,
            "path": path if path is not None else name,
            "detail": detail,
        })
        return cls
    return _wrapper
"""
BUILDER = """
from django.urls import path
from django.utils.module_loading import import_string
from django.views.generic import View
from core.registry import registry

def get_urls(app_label, model_name, detail=True):
    paths = []
    views = [v for v in registry["views"][app_label][model_name] if v["detail"] == detail]
    for config in views:
        if type(config["view"]) is str:
            view_ = import_string(config["view"])
        else:
            view_ = config["view"]
        if issubclass(view_, View):
            view_ = view_.as_view()
        url_path = f"{config['path']}/" if config["path"] else ""
        name = f"{model_name}_{config['name']}" if config["name"] else model_name
        paths.append(path(url_path, view_, name=name))
    return paths
"""
SHOP_VIEWS = """
from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import DetailView, ListView, UpdateView
from core.views import register_view
from shop.models import Book, Shelf

@register_view(Book, "list", path="", detail=False)
class BookList(ListView): ...

@register_view(Book)
class BookDetail(DetailView): ...

@register_view(Book, "edit")
class BookEdit(LoginRequiredMixin, UpdateView): ...

@register_view(Shelf, "list", path="", detail=False)
class ShelfList(ListView): ...

class Trace(DetailView): ...

register_view(Book, "trace")(Trace)
register_view(Book, "history")("shop.views.History")

class History(DetailView): ...
"""


def registry_project(urls: str) -> dict[str, str]:
    return {
        "core/registry.py": REGISTRY,
        "core/views.py": REGISTER,
        "core/urls.py": BUILDER,
        "shop/models.py": """
        from django.db import models
        class Book(models.Model):
            pass
        class Shelf(models.Model):
            class Meta:
                app_label = "library"
        """,
        "shop/views.py": SHOP_VIEWS,
        "shop/urls.py": urls,
        "urls.py": """
        from django.urls import include, path
        urlpatterns = [path("", include("shop.urls"))]
        """,
    }


def test_url_patterns_built_from_a_registry_that_decorators_fill() -> None:
    """`@register_view(Model, name, path=, detail=)` appends the class to
    registry[app_label][model_name]; `get_urls(app, model, detail)` returns a path() per
    entry whose `detail` matches. Keys follow Django's `_meta` (model_name is the lower-case
    class name, app_label the app or `Meta.app_label`); `decorator(args)(View)` and a dotted
    path through `import_string` register too. Each route keeps its view's guards."""
    routes = inventory(
        registry_project(
            """
            from django.urls import include, path
            from core.urls import get_urls
            urlpatterns = [
                path("books/", include(get_urls("shop", "book", detail=False))),
                path("books/<int:pk>/", include(get_urls("shop", "book"))),
                path("shelves/", include(get_urls("library", "shelf", False))),
            ]
            """
        )
    )
    assert table(routes) == {
        ("GET", "/books/", "BookList.get"),
        ("GET", "/books/<int:pk>/", "BookDetail.get"),
        ("GET", "/books/<int:pk>/edit/", "BookEdit.get"),
        ("POST", "/books/<int:pk>/edit/", "BookEdit.post"),
        ("GET", "/books/<int:pk>/trace/", "Trace.get"),
        ("GET", "/books/<int:pk>/history/", "History.get"),
        ("GET", "/shelves/", "ShelfList.get"),
    }
    names = {r.path: r.url_name for r in routes}
    assert names["/books/"] == "book_list" and names["/books/<int:pk>/"] == "book"
    edit = [r for r in routes if r.path.endswith("/edit/")]
    assert all(r.auth for r in edit)
    assert not any(r.auth for r in routes if not r.path.endswith("/edit/"))


def test_registry_keys_must_match_and_other_functions_build_nothing() -> None:
    """A builder call whose keys no decorator used (`shop`, `author`) and the wrong app label
    (Shelf's is `library`, not `shop`) add nothing; a spliced `*get_urls(...)` is read too, and
    so is a function that builds a path() per item of the list it is given."""
    routes = inventory(
        registry_project(
            """
            from django.urls import path
            from core.urls import get_urls
            from shop.views import BookList
            def other_urls(items):
                out = []
                for item in items:
                    out.append(path(item, BookList.as_view()))
                return out
            urlpatterns = [
                *get_urls("shop", "author"),
                *get_urls("shop", "shelf", False),
                *other_urls(["a/", "b/"]),
                *get_urls("shop", "book", False),
            ]
            """
        )
    )
    assert table(routes) == {
        ("GET", "/", "BookList.get"),
        ("GET", "/a/", "BookList.get"),
        ("GET", "/b/", "BookList.get"),
    }


def test_a_library_view_subclass_that_only_overrides_dispatch_serves_every_method() -> None:
    """strawberry's GraphQLView (not in the project) serves the requests; the subclass's
    dispatch guard applies. A Django View subclass with no handler serves nothing."""
    routes = inventory(
        {
            "urls.py": """
            from django.http import HttpResponseForbidden
            from django.urls import path
            from django.views import View
            from strawberry.django.views import GraphQLView
            class Gql(GraphQLView):
                def dispatch(self, request, *args, **kwargs):
                    if not request.user.is_authenticated:
                        return HttpResponseForbidden("no credentials")
                    return super().dispatch(request, *args, **kwargs)
            class Plain(View):
                def dispatch(self, request):
                    return super().dispatch(request)
            urlpatterns = [path("graphql/", Gql.as_view(schema=1)), path("plain/", Plain.as_view())]
            """
        }
    )
    assert table(routes) == {("*", "/graphql/", "Gql.dispatch")}
    assert routes[0].auth


FEATURES = """
from django.db import models

class JournalMixin(models.Model):
    class Meta:
        abstract = True

class TaggedMixin(models.Model):
    class Meta:
        abstract = True

def register_models(*models):
    from core.views import register_view
    for model in models:
        if issubclass(model, JournalMixin):
            register_view(model, "journal")("shop.views.History")
        if issubclass(model, TaggedMixin):
            register_view(model, "tags")("shop.views.History")
"""


def test_registrations_made_in_app_config_ready_for_each_model_of_the_app() -> None:
    """`AppConfig.ready()` runs at startup; `self.get_models()` is the app's concrete models
    (app label `shop`: Book, not the abstract mixins nor Shelf, labelled `library`); each
    model registers the views of the mixins it subclasses. A `ready` in a class that is not
    an AppConfig is never called by Django."""
    files = registry_project(
        """
        from django.urls import include, path
        from core.urls import get_urls
        urlpatterns = [
            path("books/<int:pk>/", include(get_urls("shop", "book"))),
            path("shelves/<int:pk>/", include(get_urls("library", "shelf"))),
            path("notes/<int:pk>/", include(get_urls("notes", "note"))),
        ]
        """
    )
    files["core/features.py"] = FEATURES
    files["shop/models.py"] = """
    from django.db import models
    from core.features import JournalMixin
    class Book(JournalMixin, models.Model):
        pass
    class Shelf(JournalMixin, models.Model):
        class Meta:
            app_label = "library"
    """
    files["shop/apps.py"] = """
    from django.apps import AppConfig
    class ShopConfig(AppConfig):
        name = "shop"
        def ready(self):
            from core.features import register_models
            register_models(*self.get_models())
    """
    files["notes/models.py"] = """
    from django.db import models
    from core.features import TaggedMixin
    class Note(TaggedMixin, models.Model):
        pass
    """
    files["notes/apps.py"] = """
    from core.features import register_models
    class NotesSetup:
        name = "notes"
        def ready(self):
            register_models(*self.get_models())
    """
    paths = {path for _, path, _ in table(inventory(files))}
    assert "/books/<int:pk>/journal/" in paths
    assert "/books/<int:pk>/tags/" not in paths  # Book is no TaggedMixin
    assert not any(p.startswith(("/shelves/", "/notes/")) for p in paths)
