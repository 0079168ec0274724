"""Dump a Django project's URL resolver as JSON routes (benchmark only; runs INSIDE the app's venv).

Usage (normally through build.py):
    <venv>/bin/python django_truth.py --checkout DIR --runtime '{"settings": "pkg.settings", ...}'

runtime keys: "settings" (DJANGO_SETTINGS_MODULE), "env" (set before import;
"{factories}" in a value is the absolute path of benchmarks/truth/factories),
"sys_path" (entries relative to the checkout, prepended; the factories folder
is appended), "stub_modules" ({dotted name: {attr: value}}: modules absent from
the snapshot, e.g. a large data file), "builtin_prefixes" (paths starting so are
`builtin`: admin, docs, schema; DRF format-suffix variants `.{format}` always
are, and so are routes below a URLconf module outside the checkout, marked
"third_party"), "login_required_globally" (evidence string: the project enforces login
for every non-DRF view that is not exempt, as Django's LoginRequiredMiddleware
does), "probe" (default true: call each non-DRF view once as an anonymous user
and once as a logged-in user without permissions, with no database reachable,
and read the answer: a redirect to LOGIN_URL or 401/403/PermissionDenied is a
guard, a 2xx is none, anything else stays undecided for the hand labels),
"override_settings" ({NAME: value} set on django.conf.settings before
django.setup(), e.g. a local-memory cache instead of Redis), "migrate" (run `migrate` first: for apps whose settings point at a throw-away
sqlite database).

What it reports, per (method, path):
- the path is the concatenation of every pattern from the root URLconf down
  (django.urls.resolvers: RoutePattern / RegexPattern / LocalePrefixPattern),
  parameters written {name};
- methods: DRF viewsets the router's method->action map (`callback.actions`),
  DRF APIViews and Django class-based views the handlers of
  `http_method_names` they define (head/options left out: Django and DRF
  answer them for every view), function views "*" unless a
  `require_http_methods` wrapper in the `__wrapped__` chain says otherwise;
- DRF: the effective authentication and permission classes, from the view
  instance's get_authenticators()/get_permissions() with the route's
  initkwargs and action (so `@action(permission_classes=...)`, class
  attributes, get_permissions overrides and REST_FRAMEWORK defaults all
  count), and what each permission does with an anonymous request and with
  a logged-in user without any permission (has_permission is called: that
  is the run-time truth for "needs a user" and "needs a permission");
- Django: login_required / permission_required / user_passes_test /
  staff_member_required wrappers (their closures) and AccessMixin subclasses
  in the view class's MRO.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import re
import sys
import types
from typing import Any

import extractor_cli  # sibling module: a script's folder is sys.path[0]

FACTORIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "factories")
SKIP_METHODS = {"head", "options"}


def setup(checkout: str, runtime: dict[str, Any]) -> None:
    for key, value in runtime.get("env", {}).items():
        os.environ[key] = str(value).replace("{factories}", FACTORIES)
    os.environ["DJANGO_SETTINGS_MODULE"] = runtime["settings"]
    for entry in reversed(runtime.get("sys_path", ["."])):
        sys.path.insert(0, os.path.join(checkout, entry))
    sys.path.append(FACTORIES)
    for name, attrs in runtime.get("stub_modules", {}).items():
        module = types.ModuleType(name)
        module.__dict__.update(attrs)
        sys.modules[name] = module
    os.chdir(os.path.join(checkout, runtime.get("cwd", ".")))
    import django
    from django.conf import settings

    for key, value in runtime.get("override_settings", {}).items():
        setattr(settings, key, value)
    django.setup()
    if runtime.get("migrate"):  # a throw-away sqlite database, so views can run their queries
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)


# --- paths -----------------------------------------------------------------


def _regex_to_path(regex: str) -> str:
    """A URL regex as the client sees it: groups -> {name} (or {}), anchors and escapes dropped."""
    regex = regex.removeprefix("^")
    out: list[str] = []
    i = 0
    while i < len(regex):
        ch = regex[i]
        if ch == "(":
            depth, j = 1, i + 1
            while j < len(regex) and depth:
                if regex[j] == "\\":
                    j += 2
                    continue
                depth += {"(": 1, ")": -1}.get(regex[j], 0)
                j += 1
            group = regex[i:j]
            named = re.match(r"\(\?P<(\w+)>", group)
            if named:
                out.append("{" + named.group(1) + "}")
            elif group.startswith("(?:"):
                out.append(_regex_to_path(group[3:-1]))
            else:
                out.append("{}")
            i = j
            if i < len(regex) and regex[i] in "?*+":
                i += 1
            continue
        if ch == "\\" and i + 1 < len(regex):
            nxt = regex[i + 1]
            out.append(nxt if nxt not in "dwsZAbB" else "")
            i += 2
            continue
        if ch in "$":
            i += 1
            continue
        if ch == "?" and out and out[-1] == "/":
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def pattern_text(pattern: Any) -> str:
    from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", str(pattern._route))
    if isinstance(pattern, LocalePrefixPattern):
        return "{language}/"
    if isinstance(pattern, RegexPattern):
        return _regex_to_path(pattern._regex)
    return str(pattern)


def walk(
    patterns: list[Any], prefix: str, namespaces: list[str], checkout: str, external: bool = False
) -> list[tuple[str, Any, str, bool]]:
    """(full path, URLPattern, namespaces, declared outside the checkout) for every endpoint.

    A URLconf module outside the checkout (a third-party package's urls.py, e.g.
    include("allauth.headless.urls")) makes everything below it external: the
    routes are served, but no source in the reviewed tree declares them.
    """
    from django.urls.resolvers import URLPattern, URLResolver

    out = []
    for entry in patterns:
        text = prefix + pattern_text(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespaces + ([entry.namespace] if entry.namespace else [])
            module = entry.urlconf_module
            inner = external
            if isinstance(module, types.ModuleType):
                inner = not os.path.abspath(getattr(module, "__file__", "")).startswith(checkout)
            out += walk(entry.url_patterns, text, ns, checkout, inner)
        elif isinstance(entry, URLPattern):
            out.append(("/" + text, entry, ":".join(namespaces), external))
    return out


# --- views -----------------------------------------------------------------


def _qualname(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}:{getattr(obj, '__qualname__', repr(obj))}"


def wrappers(func: Any) -> tuple[Any, list[dict[str, Any]]]:
    """Unwrap functools.wraps chains; each wrapper's code name and closure say what it does."""
    seen = []
    while hasattr(func, "__wrapped__"):
        code = getattr(func, "__code__", None)
        info: dict[str, Any] = {
            "name": getattr(code, "co_qualname", code.co_name) if code else repr(func)
        }
        try:
            nonlocals = inspect.getclosurevars(func).nonlocals
        except (TypeError, ValueError):
            nonlocals = {}
        for key in ("test_func", "request_method_list", "perm"):
            if key in nonlocals:
                value = nonlocals[key]
                info[key] = getattr(value, "__qualname__", None) if callable(value) else value
        seen.append(info)
        func = func.__wrapped__
    return func, seen


def django_guards(callback: Any, view_class: Any) -> dict[str, list[str]]:
    """Django-level guards visible at run time: wrappers and AccessMixin classes."""
    auth: list[str] = []
    authz: list[str] = []
    _, chain = wrappers(callback)
    if getattr(callback, "login_required", None) is False:
        auth.append("exempt: login_not_required")
    for info in chain:
        test = str(info.get("test_func") or "")
        if "user_passes_test" in info["name"]:
            if "login_required" in test:
                auth.append("runtime: login_required")
            elif "permission_required" in test:
                auth.append("runtime: permission_required (anonymous has no perms)")
                authz.append(f"runtime: permission_required {info.get('perm', '')}".strip())
            elif "staff_member_required" in test:
                auth.append("runtime: staff_member_required")
                authz.append("runtime: staff_member_required (is_staff)")
            else:
                auth.append(f"runtime: user_passes_test({test})")
    if view_class is not None:
        try:
            from django.contrib.auth import mixins
        except ImportError:  # pragma: no cover
            mixins = None
        if mixins is not None:
            mro = view_class.__mro__
            if mixins.LoginRequiredMixin in mro:
                auth.append("runtime: LoginRequiredMixin in MRO")
            if mixins.PermissionRequiredMixin in mro:
                auth.append("runtime: PermissionRequiredMixin in MRO (redirects anonymous)")
                authz.append("runtime: PermissionRequiredMixin in MRO")
            if mixins.UserPassesTestMixin in mro:
                auth.append("runtime: UserPassesTestMixin in MRO")
            other = [
                c.__qualname__
                for c in mro
                if issubclass(c, mixins.AccessMixin)
                and c.__module__ != mixins.__name__
                and c is not view_class
            ]
            if other:  # not decisive by itself: the probe says what they do
                return {"auth": auth, "authz": authz, "mixins": other}
    return {"auth": auth, "authz": authz}


def _own_attrs(cls: Any) -> set[str]:
    """Attributes defined below django.views.generic.View in the MRO."""
    from django.views.generic import View

    names: set[str] = set()
    for klass in cls.__mro__:
        if klass is View or klass is object:
            break
        names |= set(klass.__dict__)
    return names


def view_methods(callback: Any) -> list[tuple[str, str, Any, str | None]]:
    """(METHOD, handler, view class or None, DRF action or None) for what the view serves."""
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    actions = getattr(callback, "actions", None)
    if actions is None and cls is not None:  # DRF forks (taiga) keep the map in as_view's closure
        try:
            found = inspect.getclosurevars(callback).nonlocals.get("actions")
        except (TypeError, ValueError):
            found = None
        actions = found if isinstance(found, dict) else None
    if cls is not None and actions:
        out = []
        for method, action in sorted(actions.items()):
            if method in SKIP_METHODS:
                continue
            out.append(
                (method.upper(), f"{cls.__module__}:{cls.__qualname__}.{action}", cls, action)
            )
        return out
    if cls is not None:
        out = []
        handlers = [m for m in cls.http_method_names if m not in SKIP_METHODS and hasattr(cls, m)]
        if not handlers and "dispatch" in _own_attrs(
            cls
        ):  # e.g. a GraphQL view: dispatch serves all
            return [("*", f"{cls.__module__}:{cls.__qualname__}.dispatch", cls, None)]
        for method in cls.http_method_names:
            if method in SKIP_METHODS or not hasattr(cls, method):
                continue
            func = getattr(cls, method)
            inner, _ = wrappers(func)
            name = getattr(inner, "__qualname__", f"{cls.__qualname__}.{method}")
            if getattr(cls, "__qualname__", "").startswith("WrappedAPIView"):
                name = cls.__name__  # @api_view: the class takes the function's name
            module = getattr(inner, "__module__", cls.__module__)
            out.append((method.upper(), f"{module}:{name}", cls, None))
        return out
    inner, chain = wrappers(callback)
    methods = None
    for info in chain:
        if info.get("request_method_list"):
            methods = [m.upper() for m in info["request_method_list"]]
    handler = _qualname(inner)
    if methods is None:
        return [("*", handler, None, None)]
    return [(m, handler, None, None) for m in methods if m.lower() not in SKIP_METHODS]


# --- DRF permission evaluation ----------------------------------------------


def plain_user() -> Any:
    """A logged-in user without any permission or role: an unsaved user instance, no DB."""
    from django.contrib.auth import get_user_model

    model = get_user_model()
    user = model(**{model._meta.pk.attname: 987654, model.USERNAME_FIELD: "corpus-plain-user"})
    for attr, value in (("is_staff", False), ("is_superuser", False), ("is_active", True)):
        if hasattr(model, attr):
            setattr(user, attr, value)
    user.has_perm = lambda *a, **k: False
    user.has_perms = lambda *a, **k: False
    user.has_module_perms = lambda *a, **k: False
    user.get_all_permissions = lambda *a, **k: set()
    return user


def _denial(exc: Exception) -> bool:
    """DRF and Django turn these into 401/403: raising one is a denial, not an error."""
    from django.core.exceptions import PermissionDenied as DjangoDenied
    from rest_framework import exceptions

    return isinstance(exc, (DjangoDenied, exceptions.PermissionDenied, exceptions.NotAuthenticated))


def _perm_name(perm: Any) -> str:
    cls = type(perm)
    name = f"{cls.__module__}.{cls.__qualname__}"
    if hasattr(perm, "op1") and hasattr(perm, "op2"):  # OperandHolder results
        return f"{cls.__qualname__}({_perm_name(perm.op1)}, {_perm_name(perm.op2)})"
    return name


def _overrides_object_permission(perm: Any) -> bool:
    from rest_framework.permissions import BasePermission

    cls = type(perm)
    for klass in cls.__mro__:
        if "has_object_permission" in klass.__dict__:
            return klass is not BasePermission
    return False


def drf_flags(
    callback: Any, cls: Any, action: str | None, method: str, path: str
) -> dict[str, Any] | None:
    try:
        from rest_framework.views import APIView
    except ImportError:
        return None
    if not (isinstance(cls, type) and issubclass(cls, APIView)):
        return None
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from rest_framework.request import Request

    initkwargs = dict(getattr(callback, "initkwargs", {}) or {})
    result: dict[str, Any] = {}
    try:
        view = cls(**initkwargs)
    except Exception as exc:
        return {"drf_error": f"instantiating {cls.__qualname__}: {exc!r}"}
    raw = RequestFactory().generic(method if method != "*" else "GET", path)
    view.request = Request(raw)
    view.args, view.kwargs, view.format_kwarg = (), {}, None
    view.headers = {}
    if action:
        view.action = action
        view.action_map = getattr(callback, "actions", {})
    with contextlib.suppress(AttributeError):
        view.request.method = raw.method
    try:
        authenticators = view.get_authenticators()
        result["authentication_classes"] = [_qualname(type(a)) for a in authenticators]
    except Exception as exc:
        result["authentication_classes"] = f"error: {exc!r}"
    try:
        perms = view.get_permissions()
    except Exception as exc:
        result["drf_error"] = f"get_permissions: {exc!r}"
        return result
    result["permission_classes"] = [_perm_name(p) for p in perms]
    anon: list[str] = []
    plain: list[str] = []
    for who, user, bucket in (
        ("anonymous", AnonymousUser(), anon),
        ("plain user", plain_user(), plain),
    ):
        request = Request(RequestFactory().generic(raw.method, path))
        request.user = user
        request.auth = None
        view.request = request
        for perm in perms:
            try:
                ok = perm.has_permission(request, view)
            except Exception as exc:
                if _denial(exc):
                    bucket.append(f"{_perm_name(perm)} denies {who} (raises {type(exc).__name__})")
                else:
                    bucket.append(f"{_perm_name(perm)} raised {type(exc).__name__}: {exc}"[:200])
                continue
            if not ok:
                bucket.append(f"{_perm_name(perm)} denies {who}")
    result["anonymous_denied_by"] = anon
    result["plain_user_denied_by"] = plain
    result["object_permission_classes"] = [
        _perm_name(p) for p in perms if _overrides_object_permission(p)
    ]
    return result


# --- the probe: call a Django (non-DRF) view as anonymous and as a plain user ---


class _TimeoutError(Exception):
    pass


def _concrete(path: str) -> tuple[str, dict[str, str]]:
    kwargs = {name: "1" for name in re.findall(r"\{(\w+)\}", path) if name != "language"}
    url = re.sub(r"\{language\}", "en", path)
    url = re.sub(r"\{(\w*)\}", "1", url)
    return url, kwargs


def probe(entry: Any, path: str, method: str, user: Any) -> str:
    """What the view answers: login-redirect, denied, ok, 404, 405, redirect, or error <type>."""
    import signal

    from django.conf import settings
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.core.exceptions import PermissionDenied
    from django.http import Http404
    from django.shortcuts import resolve_url
    from django.test import RequestFactory

    url, kwargs = _concrete(path)
    request = RequestFactory().generic("GET" if method == "*" else method, url)
    request.user = user
    request._dont_enforce_csrf_checks = True  # as django.test.Client: a CSRF 403 is no auth guard
    request.session = SessionStore()
    request._messages = CookieStorage(request)
    kwargs = {**kwargs, **(entry.default_args or {})}

    def _alarm(*_: Any) -> None:
        raise _TimeoutError()

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(5)
    try:
        response = entry.callback(request, **kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            with contextlib.suppress(Exception):
                response.render()
    except PermissionDenied:
        return "denied (PermissionDenied)"
    except Http404:
        return "404"
    except _TimeoutError:
        return "error timeout"
    except Exception as exc:
        return f"error {type(exc).__name__}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    status = getattr(response, "status_code", 0)
    if status in (301, 302, 303, 307):
        location = response.get("Location", "")
        login = str(resolve_url(settings.LOGIN_URL)).split("?")[0]
        # redirect_to_login (login_required, AccessMixin) sends the user to LOGIN_URL with ?next=
        to_login = location.startswith(login) or "/login" in location
        if to_login and "next=" in location:
            return f"login-redirect {location[:80]}"
        return f"redirect {location[:80]}"
    if status in (401, 403):
        return f"denied ({status})"
    if status == 405:
        return "405"
    if status == 404:
        return "404"
    return f"ok ({status})" if 200 <= status < 300 else f"status {status}"


def flags(
    route: dict[str, Any],
    detail: bool,
    drf: dict[str, Any] | None,
    guards: dict[str, Any],
    runtime: dict[str, Any],
    probes: dict[str, str],
) -> None:
    """auth / authorization from the run-time facts; None where they cannot tell."""
    if drf is not None and "permission_classes" in drf:
        anon = drf["anonymous_denied_by"]
        plain = drf["plain_user_denied_by"]
        perms = ", ".join(drf["permission_classes"])
        if [a for a in anon if " raised " in a]:
            route["auth_evidence"] = f"runtime: permission_classes=[{perms}]; " + "; ".join(anon)
            return
        route["auth"] = bool(anon)
        route["auth_evidence"] = f"runtime: permission_classes=[{perms}]" + (
            f"; {'; '.join(anon)}" if anon else "; anonymous passes has_permission"
        )
        objs = drf["object_permission_classes"]
        if [a for a in plain if " raised " in a]:
            route["authz_evidence"] = "runtime: " + "; ".join(plain)
        elif plain:
            route["authorization"] = True
            route["authz_evidence"] = "runtime: " + "; ".join(plain)
        elif objs and detail:
            route["authorization"] = True
            route["authz_evidence"] = "runtime: has_object_permission of " + ", ".join(objs)
        else:
            route["authorization"] = False
            route["authz_evidence"] = (
                "runtime: a logged-in user without permissions passes has_permission"
                + (
                    f" (object permissions {', '.join(objs)} not reached: no get_object on this route)"
                    if objs
                    else ""
                )
            )
        return
    auth, authz = guards["auth"], guards["authz"]
    exempt = any(a.startswith("exempt") for a in auth)
    real = [a for a in auth if not a.startswith("exempt")]
    anon, plain = probes.get("anonymous", ""), probes.get("plain user", "")
    if real:
        route["auth"] = True
        route["auth_evidence"] = "; ".join(real)
    elif runtime.get("login_required_globally") and not exempt and drf is None:
        route["auth"] = True
        route["auth_evidence"] = runtime["login_required_globally"]
    elif anon.startswith(("login-redirect", "denied")):
        route["auth"] = True
        route["auth_evidence"] = f"runtime probe: anonymous {route['method']} -> {anon}"
    elif anon.startswith("redirect") and anon == plain:
        route["auth"] = False  # every caller is sent to the same place: the target guards itself
        route["auth_evidence"] = (
            f"runtime probe: anonymous and logged-in {route['method']} -> {anon}"
        )
    elif anon.startswith("ok") and not guards.get("mixins"):
        route["auth"] = False
        route["auth_evidence"] = f"runtime probe: anonymous {route['method']} -> {anon}"
    elif anon:
        route["auth_evidence"] = f"runtime probe: anonymous {route['method']} -> {anon} (undecided)"
    if guards.get("mixins"):
        route["auth_evidence"] = (
            route.get("auth_evidence", "") + "; access mixins " + ", ".join(guards["mixins"])
        ).lstrip("; ")
    if authz:
        route["authorization"] = True
        route["authz_evidence"] = "; ".join(authz)
    elif route.get("auth") is False:
        route["authorization"] = False
        route["authz_evidence"] = "runtime: served to an anonymous request"
    elif plain.startswith(("login-redirect", "denied")):
        route["authorization"] = True
        route["authz_evidence"] = f"runtime probe: a logged-in user without permissions -> {plain}"
    elif plain.startswith("ok"):
        route["authorization"] = False
        route["authz_evidence"] = f"runtime probe: a logged-in user without permissions -> {plain}"
    elif plain:
        route["authz_evidence"] = (
            f"runtime probe: a logged-in user without permissions -> {plain} (undecided)"
        )


def routes(runtime: dict[str, Any]) -> list[dict[str, Any]]:
    from django.urls import get_resolver

    builtin = tuple(runtime.get("builtin_prefixes", []))
    out = []
    checkout = os.path.abspath(runtime["_checkout"])
    for path, entry, namespace, external in walk(get_resolver().url_patterns, "", [], checkout):
        callback = entry.callback
        detail = bool(re.search(r"\{(?!format\})\w*\}", path))
        for method, handler, cls, action in view_methods(callback):
            route: dict[str, Any] = {"method": method, "path": path, "handler": handler}
            if entry.name:
                route["name"] = f"{namespace}:{entry.name}" if namespace else entry.name
            if builtin and path.startswith(builtin):
                route["builtin"] = True
            if external:
                route["builtin"] = True
                route["third_party"] = True
            # DRF format_suffix_patterns: a variant of the route beside it. A route written with
            # path() takes the `<drf_format_suffix:format>` converter, whose regex holds the
            # dot, so DefaultRouter's root variant reads `/api/{format}`, not `/api/.{format}`.
            if ".{format}" in path or path.endswith("/{format}"):
                route["builtin"] = True
                route["format_suffix"] = True
            drf = drf_flags(callback, cls, action, method, path)
            guards = django_guards(callback, cls)
            if drf and "permission_classes" in drf:
                route["permission_classes"] = drf["permission_classes"]
            probes: dict[str, str] = {}
            if drf is None and runtime.get("probe", True):
                from django.contrib.auth.models import AnonymousUser

                for who, user in (("anonymous", AnonymousUser()), ("plain user", plain_user())):
                    probes[who] = probe(entry, path, method, user)
            flags(route, detail, drf, guards, runtime, probes)
            out.append(route)
    return out


def extract(checkout: str, runtime: dict[str, Any]) -> list[dict[str, Any]]:
    runtime["_checkout"] = checkout
    setup(checkout, runtime)
    for name in runtime.get("import", []):
        importlib.import_module(name)
    return routes(runtime)


def main() -> int:
    return extractor_cli.run(
        "Print a Django project's routes from its URL resolver as JSON.", extract
    )


if __name__ == "__main__":
    sys.exit(main())
