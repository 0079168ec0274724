"""Modules of the web layer below the handlers, for the architecture rules (BR403, BR404).

They provide routes their guards or dependencies or decorate handlers, authenticate (read the
`Authorization` header, decode a token, answer 401, redirect to the login), or wire the web app
(register middleware, hooks, blueprints, routers). Reading the request is their job, and the
data they load (the current user) is no service layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from reviewer.framework.values import ref
from reviewer.service import Project


def web_layer_files(project: Project) -> set[str]:
    """Files of the web layer below the handlers: they provide routes their guards or
    dependencies, authenticate, or wire the web app (middleware, hooks, blueprints)."""
    files: set[str] = set()
    for file, facts in project.facts.items():
        wires = any(reg.get("method") in _WIRING for reg in facts.get("registrations", ()))
        if wires or any(
            ref(d).rsplit(".", 1)[-1] in _HOOKS
            for rec in facts.get("functions", {}).values()
            for d in rec["decorators"]
        ):
            files.add(file)
        if any(_authenticates(rec.get("auth", ())) for rec in facts.get("functions", {}).values()):
            files.add(file)
        if any(_request_cycle_class(c) for c in facts.get("classes", {}).values()):
            files.add(file)
    for r in project.routes:
        for guard in (*r.auth, *r.authorization, *r.rate_limits):
            if guard.file:
                files.add(guard.file)
    modules = {m.module: m.file for m in project.layers.modules}
    package = project.taint.package if project.taint is not None else ""
    for r in project.routes:
        for p in r.params:
            if p.dependency:
                files.update(files_of(p.dependency, modules, package))
        # decorators on handlers (`@cache.cached(key_prefix=...)`) wrap the request cycle
        record = project.facts.get(r.file, {}).get("functions", {}).get(r.handler)
        for decorator in record["decorators"] if record else ():
            files.update(files_of(ref(decorator), modules, package))
    return files


def files_of(name: str, modules: dict[str, str], package: str = "") -> Iterator[str]:
    """The project file of the module a qualified name lies in (longest prefix), if any. A
    package reviewed on its own (`CTFd/`) names its modules without the package (`cache`), as
    the imports of its code do not (`CTFd.cache.cache.cached`): that prefix is dropped."""
    if package and name.startswith(package + "."):
        name = name[len(package) + 1 :]
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        file = modules.get(".".join(parts[:cut]))
        if file is not None:
            yield file
            return


# calls that wire the web app: blueprints, routers, routes, middleware, hooks, error handlers
_WIRING = frozenset(
    {"register_blueprint", "include_router", "add_url_rule", "add_api_route", "add_route"}
    | {"add_routes", "add_view", "add_resource", "add_namespace", "mount", "add_subapp"}
    | {"add_middleware", "middleware", "before_request", "before_app_request", "init_app"}
    | {"url_value_preprocessor", "app_url_value_preprocessor", "register_error_handler"}
    | {"add_exception_handler"}
)
# decorators that install a function into the web app's request cycle
_HOOKS = frozenset(
    {"middleware", "before_request", "after_request", "teardown_request", "before_app_request"}
    | {"after_app_request", "url_defaults", "url_value_preprocessor", "exception_handler"}
    | {"errorhandler", "app_errorhandler", "on_event", "context_processor"}
)


# Framework classes the request cycle calls with the request: Django middleware and
# authentication backends, DRF authentication and permission classes, django-allauth adapters
# (https://docs.djangoproject.com/en/stable/topics/http/middleware/,
# https://www.django-rest-framework.org/api-guide/authentication/#custom-authentication,
# https://docs.allauth.org/en/latest/account/advanced.html#custom-redirects)
_REQUEST_CYCLE_BASES = frozenset(
    {"MiddlewareMixin", "RemoteUserMiddleware", "PersistentRemoteUserMiddleware"}
    | {"BaseBackend", "ModelBackend", "RemoteUserBackend", "AllowAllUsersModelBackend"}
    | {"BaseAuthentication", "SessionAuthentication", "TokenAuthentication"}
    | {"BasicAuthentication", "RemoteUserAuthentication", "BasePermission"}
    | {"DefaultAccountAdapter", "DefaultSocialAccountAdapter", "DefaultMFAAdapter"}
)
_MIDDLEWARE_METHODS = frozenset({"process_request", "process_view", "process_response"})
_FRAMEWORKS = ("django.", "rest_framework.", "allauth.")


def _request_cycle_class(record: Mapping[str, Any]) -> bool:
    """A class the framework calls with the request: a subclass of one of its middleware,
    authentication, permission or adapter classes, or a class with Django's middleware hooks."""
    for base in record.get("bases", ()):
        name = ref(base)
        if name.startswith(_FRAMEWORKS) and name.rsplit(".", 1)[-1] in _REQUEST_CYCLE_BASES:
            return True
    methods = record.get("methods", ())
    return bool(_MIDDLEWARE_METHODS & set(methods))


def _authenticates(evidence: Iterable[str]) -> bool:
    """Authentication done here (`Authorization header`, `HTTPException(HTTP_401)`, `redirect
    to login`), not merely a call of another function that authenticates (`get_current_user`)."""
    return any(not e.isidentifier() for e in evidence)
