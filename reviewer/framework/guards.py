"""Which decorators, dependencies, permission classes and middlewares are guards, and of what kind.

Known libraries are matched by qualified name (frameworks.md §1.5, §2.5, §4.5, §5.2, §6.2);
project-defined guards by what their body checks, then by conventional names; config names
(`auth-decorators`, `auth-dependencies`, `rate-limit-decorators`) always win.
"""

from __future__ import annotations

import re
from typing import Any

from reviewer.framework.index import Def, Index
from reviewer.framework.values import is_call, ref, tail, text
from reviewer.http import changes_state
from reviewer.service import AUTHENTICATION, AUTHORIZATION, RATE_LIMIT

AUTH_DECORATORS = frozenset(
    {
        "flask_login.login_required",
        "flask_login.utils.login_required",
        "flask_login.fresh_login_required",
        "flask_jwt_extended.jwt_required",
        "flask_jwt_extended.view_decorators.jwt_required",
        "flask_jwt_extended.fresh_jwt_required",
        "flask_jwt_extended.jwt_refresh_token_required",
        "django.contrib.auth.decorators.login_required",
        "flask_security.auth_required",
        "flask_security.login_required",
        "flask_security.decorators.auth_required",
        "flask_praetorian.auth_required",
        "starlette.authentication.requires",
    }
)
AUTHZ_DECORATORS = frozenset(
    {
        "django.contrib.auth.decorators.permission_required",
        "django.contrib.auth.decorators.user_passes_test",
        "django.contrib.admin.views.decorators.staff_member_required",
        "flask_security.roles_required",
        "flask_security.roles_accepted",
        "flask_security.permissions_required",
        "flask_praetorian.roles_required",
        "flask_praetorian.roles_accepted",
    }
)
RATE_DECORATORS = frozenset(
    {
        "django_ratelimit.decorators.ratelimit",
        "ratelimit.decorators.ratelimit",
        "django_ratelimit.ratelimit",
    }
)
PUBLIC_DECORATORS = frozenset({"django.contrib.auth.decorators.login_not_required"})
CSRF_EXEMPT = frozenset({"django.views.decorators.csrf.csrf_exempt"})
LIMITER_CTORS = frozenset(
    {
        "flask_limiter.Limiter",
        "flask_limiter.extension.Limiter",
        "slowapi.Limiter",
        "slowapi.extension.Limiter",
    }
)
HTTPAUTH_CTORS = frozenset(
    {
        "flask_httpauth.HTTPBasicAuth",
        "flask_httpauth.HTTPTokenAuth",
        "flask_httpauth.HTTPDigestAuth",
        "flask_httpauth.MultiAuth",
    }
)
SECURITY_SCHEME_PREFIXES = ("fastapi.security.", "fastapi.security")
FASTAPI_USERS = ("fastapi_users.FastAPIUsers",)
RATE_LIMIT_DEPENDENCIES = frozenset(
    {"fastapi_limiter.depends.RateLimiter", "fastapi_limiter.RateLimiter"}
)

DRF = "rest_framework.permissions."
DRF_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "AllowAny": (),
    "IsAuthenticated": (AUTHENTICATION,),
    "IsAdminUser": (AUTHENTICATION, AUTHORIZATION),
    "IsAuthenticatedOrReadOnly": ("unsafe:" + AUTHENTICATION,),
    "DjangoModelPermissions": (AUTHENTICATION, "unsafe:" + AUTHORIZATION),
    "DjangoModelPermissionsOrAnonReadOnly": (
        "unsafe:" + AUTHENTICATION,
        "unsafe:" + AUTHORIZATION,
    ),
    "DjangoObjectPermissions": (AUTHENTICATION, AUTHORIZATION),
}

AUTH_NAME = re.compile(
    r"(login|auth|token|jwt|session|signed_in|logged_in|api_?key)s?_(required|needed)"
    r"|requires?_(login|auth|authentication|user|token|jwt|api_?key|session)"
    r"|^(authenticated|authenticate|protected|current_(active_)?user|get_current_(active_)?user)$"
    r"|^(verify|validate|check)_(token|jwt|api_?key|auth|credentials)",
    re.I,
)
AUTHZ_NAME = re.compile(
    r"(admin|staff|superuser|role|permission|perm|owner|scope)s?_(required|only|accepted)"
    r"|requires?_(admin|role|permission|perm|staff|superuser|owner|scope)"
    r"|^(has_role|has_permission|is_admin|admin_only)$"
    r"|current_(active_)?(superuser|admin)",
    re.I,
)
RATE_NAME = re.compile(r"rate_?limit|throttl|limiter", re.I)

Kinds = set[str]


def _config_match(name: str, configured: tuple[str, ...]) -> bool:
    return any(name == c or name.endswith("." + c) or tail(name) == c for c in configured)


def _object_ctor(index: Index, name: str) -> str:
    found = index.resolve(name)
    if found is not None and found.kind == "object":
        return index.canonical(ref(found.record))
    return ""


# `abort(403)`, `make_response(..., 403)`: how body.call_evidence writes a bare 403 refusal
_REFUSAL_ONLY = re.compile(r"^\w+\((?:403|HTTP_403)\)$")


def function_kinds(index: Index, func: Def) -> Kinds:
    """What a project function checks (a decorator factory, a dependency, a middleware).

    In a function that checks the login or API key itself, a bare 403 is the refusal of the
    anonymous caller (CTFd's `authed_only` aborts 403 for JSON requests, most API-key decorators
    answer 403), not an authorization check; without such a check of its own (a FastAPI admin
    dependency below `get_current_user`) the 403 stays authorization."""
    auth, authz = index.nested_evidence(func)
    handed_auth, handed_authz = returned_rejections(index, func)
    auth, authz = [*auth, *handed_auth], [*authz, *handed_authz]
    if auth:
        authz = [e for e in authz if not _REFUSAL_ONLY.match(e)]
    kinds: Kinds = set()
    if auth:
        kinds.add(AUTHENTICATION)
    if authz:
        kinds.add(AUTHORIZATION)
    name = func.record["name"]
    if AUTHZ_NAME.search(name):
        kinds |= {AUTHENTICATION, AUTHORIZATION}
    elif AUTH_NAME.search(name):
        kinds.add(AUTHENTICATION)
    if index.nested_flag(func, "open_view_call"):
        # some path through the wrapper runs the view without looking at the caller (a
        # setting makes the page public): what the other paths check is no guarantee
        kinds -= {AUTHENTICATION, AUTHORIZATION}
    return kinds


def returned_rejections(index: Index, func: Def, depth: int = 0) -> tuple[list[str], list[str]]:
    """The rejections (401/403 responses, redirects to login) a function answers with by
    returning what a project helper returns: `err = check_token(request); if err is not None:
    return err`, where `check_token` returns `resp.no_token`, a property building
    `web.json_response(..., status=401)`. The helper's own rejecting evidence counts as the
    function's, through at most four calls."""
    if depth > 3:
        return [], []
    record, module = func.record, func.module
    names = list(record.get("returned_calls", []))
    call_locals = record.get("call_locals", {})
    for value in record.get("returns_refs", []):
        name = ref(value)
        local = name[len(module) + 1 :] if module and name.startswith(module + ".") else name
        names.append(call_locals.get(local, name))
    auth: list[str] = []
    authz: list[str] = []
    for name in dict.fromkeys(names):
        target = index.function(name) or _property(index, name)
        if target is None or target.qualname == func.qualname:
            continue
        own_auth, own_authz = index.nested_evidence(target)
        auth += [e for e in own_auth if rejects(e)]
        authz += [e for e in own_authz if rejects(e)]
        more_auth, more_authz = returned_rejections(index, target, depth + 1)
        auth += more_auth
        authz += more_authz
    return auth, authz


def _property(index: Index, name: str) -> Def | None:
    """`resp.no_token` where `resp = Responses()`: the method `no_token` of that class."""
    owner, _, attr = name.rpartition(".")
    found = index.resolve(owner) if owner else None
    if found is None or found.kind != "object":
        return None
    klass = index.resolve(ref(found.record))
    if klass is None or klass.kind != "class":
        return None
    defining = index.class_methods(klass.qualname).get(attr)
    return index.function(f"{defining}.{attr}") if defining else None


# Flask-Allows (and its fork flask-allows2): `Allows()` whose `requires` checks requirements
ALLOWS_CTORS = frozenset(
    {"flask_allows.Allows", "flask_allows.allows.Allows", "flask_allows2.Allows"}
    | {"flask_allows2.allows.Allows"}
)


def decorator_kinds(index: Index, value: Any) -> tuple[Kinds, str]:
    """Kinds of guard a decorator (encoded) provides, and its display name.

    Extra kinds: "public" (login_not_required), "csrf-exempt".
    """
    config = index.config
    call = is_call(value)
    name = ref(value)
    if not name:
        return set(), text(value)
    canonical = index.canonical(name)
    shown = tail(canonical) if "." in canonical else canonical
    kinds: Kinds = set()
    if _config_match(name, config.auth_decorators) or _config_match(
        canonical, config.auth_decorators
    ):
        kinds.add(AUTHENTICATION)
    if _config_match(name, config.rate_limit_decorators) or _config_match(
        canonical, config.rate_limit_decorators
    ):
        kinds.add(RATE_LIMIT)
    if canonical in AUTH_DECORATORS:
        kinds.add(AUTHENTICATION)
        if call and tail(canonical) == "requires":
            scopes = [a for a in value["args"] if a != "authenticated"]
            if scopes and scopes != [["authenticated"]]:
                kinds.add(AUTHORIZATION)
        if call and value["kwargs"].get("optional") is True:
            kinds.discard(AUTHENTICATION)
    if canonical in AUTHZ_DECORATORS:
        kinds |= {AUTHENTICATION, AUTHORIZATION}
    if canonical in RATE_DECORATORS and not (
        call and "rate" in value["kwargs"] and value["kwargs"]["rate"] is None
    ):
        kinds.add(RATE_LIMIT)
    if canonical in PUBLIC_DECORATORS:
        kinds.add("public")
    if canonical in CSRF_EXEMPT:
        kinds.add("csrf-exempt")
    if canonical.endswith("method_decorator") and call and value["args"]:
        return decorator_kinds(index, value["args"][0])
    if canonical.startswith("rest_framework.decorators."):
        which = tail(canonical)
        if which == "permission_classes" and call and value["args"]:
            return permission_kinds(index, value["args"][0], ("POST",)), "permission_classes"
        if which == "throttle_classes" and call and value["args"] and value["args"][0]:
            return {RATE_LIMIT}, "throttle_classes"
    receiver, _, method = canonical.rpartition(".")
    if receiver and not kinds:
        ctor = _object_ctor(index, receiver)
        if ctor:
            shown = f"{tail(receiver)}.{method}"
        if method in ("limit", "shared_limit") and (
            ctor in LIMITER_CTORS or RATE_NAME.search(tail(receiver))
        ):
            kinds.add(RATE_LIMIT)
        elif method == "requires" and ctor in ALLOWS_CTORS:
            # Flask-Allows `allows.requires(IsAdmin, ...)`: the identity must meet every
            # requirement, else `on_fail`/`throws` (403 Forbidden by default) answers
            # (https://flask-allows.readthedocs.io/en/latest/api.html#flask_allows.allows.Allows.requires)
            kinds.add(AUTHORIZATION)
        elif method == "login_required" and (ctor in HTTPAUTH_CTORS or not ctor):
            kinds.add(AUTHENTICATION)
            if call and value["kwargs"].get("role"):
                kinds.add(AUTHORIZATION)
            if call and value["kwargs"].get("optional") is True:
                kinds.discard(AUTHENTICATION)
    known = canonical in AUTH_DECORATORS | AUTHZ_DECORATORS | RATE_DECORATORS
    if not kinds and not known:
        func = index.function(name)
        if func is not None:
            kinds = function_kinds(index, func)
        elif canonical == name and not name.startswith(("flask.", "fastapi.", "django.")):
            # an unresolvable name (an installed package or a dynamic import): trust names
            last = tail(name)
            if AUTHZ_NAME.search(last):
                kinds = {AUTHENTICATION, AUTHORIZATION}
            elif AUTH_NAME.search(last):
                kinds = {AUTHENTICATION}
            elif RATE_NAME.search(last):
                kinds = {RATE_LIMIT}
    return kinds, shown


def dependency_kinds(index: Index, value: Any, depth: int = 0) -> tuple[Kinds, str]:
    """Kinds a FastAPI `Depends(x)`/`Security(x)` target provides (encoded target)."""
    if depth > 6 or value is None:
        return set(), ""
    config = index.config
    name = ref(value)
    canonical = index.canonical(name) if name else ""
    shown = tail(canonical) if canonical else text(value)
    kinds: Kinds = set()
    if name and (
        _config_match(name, config.auth_dependencies)
        or _config_match(canonical, config.auth_dependencies)
    ):
        kinds.add(AUTHENTICATION)
    if canonical in RATE_LIMIT_DEPENDENCIES:
        return {RATE_LIMIT}, "RateLimiter"
    if is_call(value):
        # Depends(RateLimiter(...)), Depends(fastapi_users.current_user(superuser=True)), ...
        kinds |= _call_dependency(index, value, canonical)
        found = index.resolve(name) if name else None
        if not kinds and found is not None and found.kind == "class":
            kinds |= _class_dependency(index, found)  # Depends(JWTBearer())
            if index.function(f"{found.qualname}.__call__") is not None:
                kinds |= _given_classes(index, value, depth)
        return kinds, shown
    found = index.resolve(name) if name else None
    if found is not None and found.kind == "object":
        kinds |= _call_dependency(index, found.record, index.canonical(ref(found.record)))
    elif found is not None and found.kind == "function":
        kinds |= function_kinds(index, found)
        for param in found.record["params"]:
            sub = param_dependency(param)
            if sub is not None:
                sub_kinds, _ = dependency_kinds(index, sub[0], depth + 1)
                kinds |= sub_kinds - {RATE_LIMIT}
            elif _security_annotation(index, param):
                kinds.add(AUTHENTICATION)
    elif found is not None and found.kind == "class":
        kinds |= _class_dependency(index, found)
    elif canonical.startswith(SECURITY_SCHEME_PREFIXES):
        kinds.add(AUTHENTICATION)
    elif name and found is None:
        last = tail(name)
        if AUTHZ_NAME.search(last):
            kinds |= {AUTHENTICATION, AUTHORIZATION}
        elif AUTH_NAME.search(last):
            kinds.add(AUTHENTICATION)
    return kinds, shown


def _class_dependency(index: Index, found: Def) -> Kinds:
    """A class used as a dependency: a security scheme subclass, or a `__call__` that checks."""
    kinds: Kinds = set()
    if any(a.startswith(SECURITY_SCHEME_PREFIXES) for a in index.ancestors(found.qualname)):
        kinds.add(AUTHENTICATION)
    call = index.function(f"{found.qualname}.__call__")
    if call is not None:
        auth, authz = index.nested_evidence(call)
        if auth:
            kinds.add(AUTHENTICATION)
        if authz:
            kinds.add(AUTHORIZATION)
    if AUTHZ_NAME.search(found.record["name"]):
        kinds |= {AUTHENTICATION, AUTHORIZATION}
    elif re.search(r"JWT|Bearer|Token|Auth", found.record["name"]):
        kinds.add(AUTHENTICATION)
    return kinds


def _given_classes(index: Index, call: dict[str, Any], depth: int) -> Kinds:
    """`Depends(PermissionsDependency([CanEdit, IsMember]))`: the instance's `__call__` runs the
    classes it was built with, so what their constructors and `__call__` check (through their
    base classes) is checked on every request."""
    kinds: Kinds = set()
    items: list[Any] = [*call["args"], *call["kwargs"].values()]
    while items and depth <= 6:
        item = items.pop()
        if isinstance(item, list):
            items.extend(item)
            continue
        found = index.resolve(ref(item)) if ref(item) else None
        if found is None or found.kind != "class":
            continue
        methods = index.class_methods(found.qualname)
        for method in ("__init__", "__call__"):
            func = index.function(f"{methods[method]}.{method}") if method in methods else None
            if func is not None:
                auth, authz = _method_evidence(index, found.qualname, func)
                if auth:
                    kinds.add(AUTHENTICATION)
                if authz:
                    kinds.add(AUTHORIZATION)
    return kinds


def _call_dependency(index: Index, call: dict[str, Any], canonical: str) -> Kinds:
    if canonical in RATE_LIMIT_DEPENDENCIES:
        return {RATE_LIMIT}
    if canonical.startswith(SECURITY_SCHEME_PREFIXES):
        if call["kwargs"].get("auto_error") is False:
            return set()
        return {AUTHENTICATION}
    receiver, _, method = canonical.rpartition(".")
    if method == "current_user" and _object_ctor(index, receiver).startswith(FASTAPI_USERS):
        kwargs = call["kwargs"]
        if kwargs.get("optional") is True:
            return set()
        return {AUTHENTICATION, AUTHORIZATION} if kwargs.get("superuser") else {AUTHENTICATION}
    if receiver and re.fullmatch(r"current_(active_)?(user|superuser|admin)", method):
        # `users.current_user(active=True)` on an object the index cannot type (a parameter, an
        # import from a package): a factory of the current-user dependency either way.
        kwargs = call["kwargs"]
        if kwargs.get("optional") is True:
            return set()
        authz = kwargs.get("superuser") or AUTHZ_NAME.search(method)
        return {AUTHENTICATION, AUTHORIZATION} if authz else {AUTHENTICATION}
    return set()


def _security_annotation(index: Index, param: dict[str, Any]) -> bool:
    ann = param.get("annotation")
    name = ref(ann) if isinstance(ann, dict) else ""
    return bool(name) and index.canonical(name).startswith(
        ("fastapi.security.", "starlette.authentication.")
    )


def param_dependency(param: dict[str, Any]) -> tuple[Any, dict[str, Any]] | None:
    """(dependency target, the Depends/Security call) of a parameter, else None.

    Covers `x = Depends(dep)`, `x: Annotated[T, Depends(dep)]` and `x: T = Depends()` (the
    annotation is the dependency)."""
    for value in (param.get("default"), *_annotated_items(param.get("annotation"))):
        if is_call(value) and tail(value["call"]) in ("Depends", "Security"):
            target = value["args"][0] if value["args"] else value["kwargs"].get("dependency")
            if target is None:
                target = param.get("annotation")
            return target, value
    return None


def _annotated_items(annotation: Any) -> list[Any]:
    if (
        isinstance(annotation, dict)
        and "sub" in annotation
        and tail(ref(annotation["sub"])) == "Annotated"
    ):
        return list(annotation["items"][1:])
    return []


# DRF's model permission classes: `has_permission` checks the user, then returns True at once
# for a view with `_ignore_model_permissions` (DefaultRouter's APIRootView sets it), so such a
# view needs a user but no model permission.
MODEL_PERMISSIONS = frozenset(
    {"DjangoModelPermissions", "DjangoModelPermissionsOrAnonReadOnly", "DjangoObjectPermissions"}
)


def permission_kinds(
    index: Index, value: Any, methods: tuple[str, ...], ignore_model: bool = False
) -> Kinds:
    """Kinds that a DRF `permission_classes` list gives a route serving `methods`;
    `ignore_model`: the view sets `_ignore_model_permissions`."""
    unsafe = changes_state(methods)
    items = value if isinstance(value, list) else [value]
    kinds: Kinds = set()
    for item in items:
        kinds |= _permission_item(index, item, unsafe, 0, ignore_model)
    return kinds


def _permission_item(
    index: Index, item: Any, unsafe: bool, depth: int = 0, ignore_model: bool = False
) -> Kinds:
    if depth > 6:
        return set()
    if isinstance(item, dict) and "op" in item:
        if item["op"] == "~":
            return set()
        left = _permission_item(index, item["left"], unsafe, depth + 1, ignore_model)
        right = _permission_item(index, item.get("right"), unsafe, depth + 1, ignore_model)
        return left & right if item["op"] == "|" else left | right
    name = ref(item)
    if not name:
        return set()
    canonical = index.canonical(name)
    last = tail(canonical)
    if canonical.startswith(DRF) or (last in DRF_PERMISSIONS and index.resolve(name) is None):
        kinds: Kinds = set()
        for kind in DRF_PERMISSIONS.get(last, ()):
            if kind.startswith("unsafe:"):
                if unsafe:
                    kinds.add(kind.removeprefix("unsafe:"))
            else:
                kinds.add(kind)
        if ignore_model and last in MODEL_PERMISSIONS:
            kinds.discard(AUTHORIZATION)
        return kinds
    found = index.resolve(name)
    if found is not None and found.kind == "class":
        kinds = set()
        model = ignore_model and any(
            b.startswith(DRF) and tail(b) in MODEL_PERMISSIONS
            for b in index.ancestors(found.qualname)
        )
        for method in ("has_permission", "has_object_permission"):
            if model and method == "has_object_permission":
                continue  # never reached: the view returned before any object is loaded
            func = index.function(f"{found.qualname}.{method}")
            if func is not None:
                auth, authz = _method_evidence(index, found.qualname, func)
                # Django's AnonymousUser has no permission, role or staff flag: a permission
                # class that checks one in has_permission turns anonymous callers away too.
                if auth or (authz and method == "has_permission"):
                    kinds.add(AUTHENTICATION)
                if authz or method == "has_object_permission":
                    kinds.add(AUTHORIZATION)
        for base in index.ancestors(found.qualname):
            if base.startswith(DRF) and tail(base) != "BasePermission":
                kinds |= _permission_item(index, {"ref": base}, unsafe, depth + 1, ignore_model)
        if AUTHZ_NAME.search(last) or re.search(r"Admin|Staff|Owner|Role", last):
            kinds.add(AUTHORIZATION)
        if re.search(r"Authenticated|Admin|Staff|Superuser", last):
            kinds.add(AUTHENTICATION)
        return kinds
    return set()


def _method_evidence(index: Index, klass: str, func: Def) -> tuple[list[str], list[str]]:
    """Evidence of a method and of the class's own methods it calls (`self._check(...)`)."""
    auth, authz = index.nested_evidence(func)
    for called in func.record.get("calls", []):
        if str(called).startswith("self."):
            helper = index.function(f"{klass}.{str(called).removeprefix('self.')}")
            if helper is not None and helper is not func:
                more_auth, more_authz = index.nested_evidence(helper)
                auth, authz = auth + more_auth, authz + more_authz
    return auth, authz


def is_allow_any(index: Index, value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return any(tail(index.canonical(ref(i))) == "AllowAny" for i in items if ref(i))


def middleware_kinds(index: Index, target: str) -> Kinds:
    """Kinds of a middleware given by qualified name (a function or a class)."""
    canonical = index.canonical(target)
    if canonical in (
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
        "django.contrib.auth.middleware.LoginRequiredMiddleware".lower(),
    ):
        return {AUTHENTICATION}
    if canonical in (
        "slowapi.middleware.SlowAPIMiddleware",
        "slowapi.middleware.SlowAPIASGIMiddleware",
    ):
        return {RATE_LIMIT}
    if canonical.startswith("fastapi_limiter.") or canonical.startswith("slowapi."):
        return {RATE_LIMIT}
    found = index.resolve(canonical)
    kinds: Kinds = set()
    read = False  # a body of the middleware was read: then it decides, not its name
    if found is not None and found.kind == "function":
        read = True
        kinds = {k for k in function_kinds(index, found) if k != AUTHORIZATION}
    elif found is not None and found.kind == "class":
        for method in ("__call__", "dispatch", "process_view", "process_request"):
            func = index.function(f"{found.qualname}.{method}")
            if func is not None:
                read = True
                auth, authz = index.nested_evidence(func)
                if any(rejects(e) for e in [*auth, *authz]):
                    kinds.add(AUTHENTICATION)
    last = tail(canonical)
    if RATE_NAME.search(last):
        kinds.add(RATE_LIMIT)
    elif (
        found is not None
        and not read
        and re.search(r"auth|login|jwt|token", last, re.I)
        and not kinds
        and "Authentication" not in last  # Starlette/Django AuthenticationMiddleware never deny
    ):
        kinds.add(AUTHENTICATION)
    return kinds


# Body evidence (reviewer/framework/body.py) that answers a request instead of passing it on:
# a 401/403 response or exception, or a redirect to the login view.
_REJECTIONS = frozenset(
    {
        "Unauthorized",
        "HTTPUnauthorized",
        "NotAuthenticated",
        "AuthenticationFailed",
        "PermissionDenied",
        "PermissionDeniedException",
        "NotAuthorizedException",
        "Forbidden",
        "HTTPForbidden",
        "HttpResponseForbidden",
        "redirect to login",
        "redirect_to_login",
        "handle_no_permission",
        "login_manager.needs_refresh",
        "login_manager.unauthorized",
    }
)


def rejects(evidence: str) -> bool:
    """A middleware is an authentication guard only when it rejects a request without a user
    (401/403 or a redirect to login); one that only reads `request.user.is_authenticated` or
    attaches the user when there is one (Django's AuthenticationMiddleware, an API-version
    header middleware, a remote-user login) lets every request through (issue 13 item 3;
    https://docs.djangoproject.com/en/5.2/topics/http/middleware/ : a middleware that returns
    a response short-circuits the view)."""
    return evidence in _REJECTIONS or ("(" in evidence and evidence.split("(", 1)[0] in _RESPONSES)


_RESPONSES = frozenset(
    {"abort", "HTTPException", "JSONResponse", "JsonResponse", "Response", "HttpResponse"}
    | {"make_response", "jsonify", "json_response"}
)
