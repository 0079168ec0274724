"""Django and DRF: urlpatterns (path/re_path/include), function and class views, DRF routers,
permission/throttle classes and the REST_FRAMEWORK / MIDDLEWARE settings (frameworks.md §4, §5)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from typing import Any

from reviewer.framework import guards as g
from reviewer.framework.common import guards_from_decorators, make_route
from reviewer.framework.index import Def, Index, qualified
from reviewer.framework.values import is_call, ref, tail, text
from reviewer.framework.view_registry import UNKNOWN, Ref, ViewRegistry
from reviewer.service import AUTHENTICATION, AUTHORIZATION, RATE_LIMIT, Guard, Route

HANDLERS = ("get", "post", "put", "patch", "delete")
GENERIC_METHODS: dict[str, tuple[str, ...]] = {
    "CreateView": ("get", "post"),
    "UpdateView": ("get", "post"),
    "FormView": ("get", "post"),
    "DeleteView": ("get", "post", "delete"),
    "ListView": ("get",),
    "DetailView": ("get",),
    "TemplateView": ("get",),
    "RedirectView": ("get", "post", "put", "patch", "delete"),
    "CreateAPIView": ("post",),
    "ListAPIView": ("get",),
    "RetrieveAPIView": ("get",),
    "DestroyAPIView": ("delete",),
    "UpdateAPIView": ("put", "patch"),
    "ListCreateAPIView": ("get", "post"),
    "RetrieveUpdateAPIView": ("get", "put", "patch"),
    "RetrieveDestroyAPIView": ("get", "delete"),
    "RetrieveUpdateDestroyAPIView": ("get", "put", "patch", "delete"),
    "APIRootView": ("get",),  # rest_framework.routers.APIRootView, DefaultRouter's root
}
VIEWSET_ACTIONS: dict[str, tuple[str, ...]] = {
    "ModelViewSet": ("list", "create", "retrieve", "update", "partial_update", "destroy"),
    "ReadOnlyModelViewSet": ("list", "retrieve"),
    "CreateModelMixin": ("create",),
    "ListModelMixin": ("list",),
    "RetrieveModelMixin": ("retrieve",),
    "UpdateModelMixin": ("update", "partial_update"),
    "DestroyModelMixin": ("destroy",),
}
ROOT_VIEW_NAME = "api-root"  # DefaultRouter.root_view_name
LIST_ROUTE = (("GET", "list"), ("POST", "create"))
DETAIL_ROUTE = (
    ("GET", "retrieve"),
    ("PUT", "update"),
    ("PATCH", "partial_update"),
    ("DELETE", "destroy"),
)
CBV_GUARDS = {
    "LoginRequiredMixin": (AUTHENTICATION,),
    "PermissionRequiredMixin": (AUTHENTICATION, AUTHORIZATION),
    "UserPassesTestMixin": (AUTHENTICATION, AUTHORIZATION),
    "StaffuserRequiredMixin": (AUTHENTICATION, AUTHORIZATION),
    "SuperuserRequiredMixin": (AUTHENTICATION, AUTHORIZATION),
}
METHOD_DECORATORS = {
    "django.views.decorators.http.require_GET": ("GET",),
    "django.views.decorators.http.require_POST": ("POST",),
    "django.views.decorators.http.require_safe": ("GET",),
}


# A viewset's extra routes: `@action(detail=...)`, and its spellings before DRF 3.8 deprecated
# them (removed in 3.10, still used by older services and DRF forks): `@list_route` is
# `@action(detail=False)`, `@detail_route` is `@action(detail=True)`. None: read `detail=`.
# Docs: https://www.django-rest-framework.org/api-guide/viewsets/#marking-extra-actions-for-routing
# and https://www.django-rest-framework.org/community/3.8-announcement/#action-decorator-replaces-list_route-and-detail_route
EXTRA_ACTION_DECORATORS: dict[str, bool | None] = {
    "action": None,
    "list_route": False,
    "detail_route": True,
}


class Django:
    def __init__(self, index: Index) -> None:
        self.index = index
        self.settings: dict[str, Any] = {}
        self.settings_file = ""
        for relpath, f in sorted(index.facts.items()):
            for key, value in f["settings"].items():
                self.settings.setdefault(key, value)
                if key in ("REST_FRAMEWORK", "MIDDLEWARE"):
                    self.settings_file = self.settings_file or relpath
        self.drf = _dict(self.settings.get("REST_FRAMEWORK"))
        self.middleware = [m for m in self.settings.get("MIDDLEWARE") or [] if isinstance(m, str)]

    # -- settings-level guards ---------------------------------------------------------
    def default_permissions(self) -> list[Any]:
        value = self.drf.get("DEFAULT_PERMISSION_CLASSES")
        return [{"ref": v} if isinstance(v, str) else v for v in value or []]

    def default_throttles(self) -> list[Any]:
        value = self.drf.get("DEFAULT_THROTTLE_CLASSES")
        return [v for v in value or [] if v]

    def middleware_guards(self) -> list[Guard]:
        found = []
        for name in self.middleware:
            for kind in sorted(g.middleware_kinds(self.index, name)):
                found.append(Guard(tail(name), kind, "settings", self.settings_file))
        return found

    # -- url walking ---------------------------------------------------------------------
    def routes(self) -> list[Route]:
        modules = {
            f["module"]: relpath
            for relpath, f in self.index.facts.items()
            if f["urlpatterns"]
            or any(r["recv"].endswith(".urlpatterns") for r in f["registrations"])
        }
        if not modules:
            return []
        included: set[str] = set()  # relpaths of URLconfs another one includes
        for relpath in modules.values():
            for entry in self._patterns(relpath):
                for item in _include_targets(entry):
                    target = self.index.modules.get(item)
                    if target is not None:
                        included.add(target)
        root = self.settings.get("ROOT_URLCONF")
        root_path = self.index.modules.get(root) if isinstance(root, str) else None
        roots = (
            [m for m, rel in modules.items() if rel == root_path][:1]
            if root_path in modules.values()
            else sorted(m for m, rel in modules.items() if rel not in included)
        )
        routes: list[Route] = []
        for module in roots:
            routes += self._walk(module, "", [], frozenset())
        return routes

    def _patterns(self, relpath: str) -> list[Any]:
        f = self.index.facts[relpath]
        entries = list(f["urlpatterns"])
        for reg in f["registrations"]:
            if reg["recv"].endswith(".urlpatterns") and reg["args"]:
                arg = reg["args"][0]
                entries += arg if isinstance(arg, list) else [arg]
        return entries

    def _walk(
        self, module: str, prefix: str, outer: list[Guard], seen: frozenset[str]
    ) -> list[Route]:
        relpath = self.index.modules.get(module)
        if relpath is None or relpath in seen or len(seen) > 20:
            return []
        return self._entries(self._patterns(relpath), prefix, outer, seen | {relpath}, relpath)

    def _entries(
        self,
        entries: list[Any],
        prefix: str,
        outer: list[Guard],
        seen: frozenset[str],
        relpath: str,
    ) -> list[Route]:
        routes: list[Route] = []
        for entry in entries:
            if isinstance(entry, dict) and "star" in entry:  # [*router.urls, *other_patterns]
                entry = entry["star"]
            if is_call(entry) and self.registry.is_builder(ref(entry)):
                routes += self._built(entry, prefix, outer, relpath)  # [*get_urls(...)]
                continue
            if not is_call(entry):
                name = ref(entry)
                if name.endswith(".urls"):
                    routes += self._router(name.removesuffix(".urls"), prefix, outer)
                elif name and len(seen) < 20:
                    found = self._local_list(name)
                    if found is not None:
                        routes += self._entries(found, prefix, outer, seen | {name}, relpath)
                continue
            kind = tail(ref(entry))
            if kind not in ("path", "re_path", "url") or len(entry["args"]) < 2:
                continue
            route = entry["args"][0] if isinstance(entry["args"][0], str) else ""
            if kind != "path":
                route = regex_route(route)
            full = prefix + route
            view = entry["args"][1]
            if is_call(view) and tail(ref(view)) == "include":
                target = view["args"][0] if view["args"] else None
                if (
                    isinstance(target, list)
                    and len(target) == 2
                    and isinstance(target[1], str)
                    and not is_call(target[0])
                ):
                    target = target[0]  # include((patterns, app_name)), patterns a list or a name
                if isinstance(target, str):
                    routes += self._walk(target, full, outer, seen)
                elif isinstance(target, list):
                    routes += self._entries(target, full, outer, seen, relpath)
                elif is_call(target) and self.registry.is_builder(ref(target)):
                    routes += self._built(target, full, outer, relpath)
                elif ref(target).endswith(".urls"):
                    routes += self._router(ref(target).removesuffix(".urls"), full, outer)
                elif ref(target) and ref(target) not in seen and len(seen) < 20:
                    found = self._local_list(ref(target))  # include(_patterns)
                    if found is not None:
                        routes += self._entries(found, full, outer, seen | {ref(target)}, relpath)
                continue
            found = self._view(view, "/" + full, outer, [], relpath)
            kwargs = entry.get("kwargs")
            url_name = kwargs.get("name") if isinstance(kwargs, dict) else None
            if isinstance(url_name, str) and url_name:
                found = [replace(r, url_name=url_name) for r in found]
            routes += found
        return routes

    @functools.cached_property
    def registry(self) -> ViewRegistry:
        return ViewRegistry(self.index, self._attribute, self._call, self._startup)

    def _startup(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """The calls in each AppConfig subclass's `ready()`, which Django runs once when the
        app registry is ready (https://docs.djangoproject.com/en/5.2/ref/applications/#django.apps.AppConfig.ready),
        with `self` bound to the app config."""
        calls = []
        for f in self.index.facts.values():
            for entry in f.get("ready_calls", ()):
                klass = qualified(f["module"], entry["scope"].rsplit(".", 1)[0])
                if "django.apps.AppConfig" in self.index.ancestors(klass):
                    calls.append((entry["call"], {"self": _AppConfig(klass)}))
        return calls

    def _built(self, call: Any, prefix: str, outer: list[Guard], relpath: str) -> list[Route]:
        """The URL patterns a project function builds from a registry its decorators filled
        (view_registry.py), listed as if the URLconf spelled them out."""
        routes: list[Route] = []
        for pattern in self.registry.build(call):
            route = pattern.route if isinstance(pattern.route, str) else "{?}"
            if pattern.kind != "path":
                route = regex_route(route)
            path = "/" + prefix + route
            if not isinstance(pattern.view, Ref):
                continue
            found = self.index.resolve(pattern.view.name)
            if found is not None and found.kind == "class":
                made = self._class_view(found.qualname, path, outer, [])
            elif found is not None and found.kind == "function":
                made = self._function_view(found, path, outer, [])
            else:
                made = self._outside_view(pattern.view.name, path, outer, [], relpath)
            if isinstance(pattern.name, str) and pattern.name:
                made = [replace(r, url_name=pattern.name) for r in made]
            routes += made
        return routes

    def _attribute(self, value: Any, name: str) -> Any:
        """What Django gives for an attribute the registry code reads: a model class's
        `_meta` (Options: `app_label`, `model_name`, `object_name`, `label`, `label_lower`,
        https://docs.djangoproject.com/en/5.2/ref/models/options/) and `View.as_view`."""
        if isinstance(value, _AppConfig):
            if name == "get_models":
                return _GetModels(value.config)
            found = self.index.class_attr(value.config, name)
            return found[0] if found and isinstance(found[0], str) else UNKNOWN
        if isinstance(value, Ref) and name == "_meta":
            return _Meta(value.name)
        if isinstance(value, Ref) and name == "as_view":
            return _AsView(value.name)
        if isinstance(value, _Meta):
            object_name = tail(value.model)
            app_label = self._app_label(value.model)
            return {
                "object_name": object_name,
                "model_name": object_name.lower(),
                "app_label": app_label,
                "label": f"{app_label}.{object_name}",
                "label_lower": f"{app_label}.{object_name.lower()}",
            }.get(name, UNKNOWN)
        return UNKNOWN

    def _call(self, callee: str, func: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """`View.as_view()` serves the class's handlers; `import_string("a.b.View")` is the
        named object (https://docs.djangoproject.com/en/5.2/ref/utils/#django.utils.module_loading.import_string)."""
        if isinstance(func, _GetModels):
            return self._app_models(func.config)
        if isinstance(func, _AsView):
            return Ref(func.view)
        if callee.endswith(".as_view"):  # `BookList.as_view()` written with the class's name
            found = self.index.resolve(callee.removesuffix(".as_view"))
            return Ref(found.qualname) if found is not None and found.kind == "class" else UNKNOWN
        if callee == "django.utils.module_loading.import_string" and args:
            return Ref(self.index.canonical(args[0])) if isinstance(args[0], str) else UNKNOWN
        return UNKNOWN

    def _app_models(self, config: str) -> list[Any]:
        """AppConfig.get_models(): the app's concrete models, those whose app label is the
        config's `label` (default: the last component of its `name`)."""
        index = self.index
        label_attr = index.class_attr(config, "label")
        name_attr = index.class_attr(config, "name")
        if label_attr and isinstance(label_attr[0], str):
            label = label_attr[0]
        elif name_attr and isinstance(name_attr[0], str):
            label = tail(name_attr[0])
        else:
            return []
        models: list[Any] = []
        for f in index.facts.values():
            for name in f["classes"]:
                klass = qualified(f["module"], name)
                if "." in name or "django.db.models.Model" not in index.ancestors(klass):
                    continue
                meta = index.resolve(f"{klass}.Meta")
                if meta is not None and meta.record["attrs"].get("abstract") is True:
                    continue
                if self._app_label(klass) == label:
                    models.append(Ref(klass))
        return models

    def _app_label(self, model: str) -> str:
        """A model's app label: its `Meta.app_label`, else the label (last component) of the
        installed app whose package holds the model's module, else the package above the
        `models` module (https://docs.djangoproject.com/en/5.2/ref/applications/#django.apps.AppConfig.label)."""
        meta = self.index.resolve(f"{model}.Meta")
        if meta is not None and meta.kind == "class":
            label = meta.record["attrs"].get("app_label")
            if isinstance(label, str):
                return label
        found = self.index.resolve(model)
        module = found.module if found is not None else model.rsplit(".", 1)[0]
        apps = self.settings.get("INSTALLED_APPS")
        names = [a for a in apps if isinstance(a, str)] if isinstance(apps, list) else []
        owners = [a for a in names if module == a or module.startswith(a + ".")]
        if owners:
            return tail(max(owners, key=len))
        parts = module.split(".")
        if "models" in parts[1:]:
            return parts[parts.index("models", 1) - 1]
        return parts[0]

    def _local_list(self, name: str, depth: int = 0) -> list[Any] | None:
        """The patterns a name holds: a module-level list (`_patterns = [...]`, possibly imported
        from another module) or another URLconf's `urlpatterns`. Django's include() accepts
        "an iterable of path() and/or re_path() instances" as well as a module
        (https://docs.djangoproject.com/en/5.2/ref/urls/#include)."""
        module, _, local = name.rpartition(".")
        relpath = self.index.modules.get(module)
        if relpath is None or depth > 5:
            return None
        f = self.index.facts[relpath]
        if local == "urlpatterns":
            return self._patterns(relpath)
        found = f.get("lists", {}).get(local)
        if isinstance(found, list):
            return found
        imported = f["imports"].get(local) or ref(f["aliases"].get(local))
        if imported and imported != name:
            return self._local_list(imported, depth + 1)
        return None

    # -- views ---------------------------------------------------------------------------
    def _view(
        self, view: Any, path: str, outer: list[Guard], wrappers: list[Any], relpath: str = ""
    ) -> list[Route]:
        index = self.index
        if is_call(view) and tail(ref(view)) == "as_view":
            klass = index.canonical(ref(view).rsplit(".", 1)[0])
            mapping = view["args"][0] if view["args"] else None
            if isinstance(mapping, dict) and "dict" in mapping:
                actions = {str(k).upper(): v for k, v in mapping["dict"] if isinstance(v, str)}
                return self._viewset_routes(klass, path, list(actions.items()), outer, wrappers)
            found = self._class_view(klass, path, outer, wrappers)
            return found or self._outside_view(klass, path, outer, wrappers, relpath)
        if is_call(view) and view["args"]:
            # login_required(MyView.as_view()), csrf_exempt(view), cache_page(60)(view)
            return self._view(view["args"][0], path, outer, [*wrappers, view["func"]], relpath)
        func = index.function(ref(view))
        if func is None:
            return self._outside_view(ref(view), path, outer, wrappers, relpath)
        return self._function_view(func, path, outer, wrappers)

    def _outside_view(
        self, name: str, path: str, outer: list[Guard], wrappers: list[Any], relpath: str
    ) -> list[Route]:
        """A view defined outside the reviewed tree (allauth's `views.login`, Django's
        `RedirectView.as_view(url=...)`): the URLconf still serves it, so it is listed at the
        URLconf with what is known: a generic view's methods, else `*`, and the guards of
        the wrappers, the include chain and the middleware."""
        if not name or not relpath or name.endswith(".urls") or self.index.resolve(name):
            return []  # `admin.site.urls`, `router.urls`: URLconfs, not views
        verbs = next(
            (GENERIC_METHODS[tail(b)] for b in (name,) if tail(b) in GENERIC_METHODS), None
        )
        methods = [v.upper() for v in verbs] if verbs else ["*"]
        guards, flags = guards_from_decorators(self.index, wrappers, "route", relpath, 1)
        guards += self._login_middleware(flags)
        f = self.index.facts[relpath]
        return [
            make_route(
                self.index,
                "django",
                methods,
                path,
                None,
                [*outer, *guards],
                file=relpath,
                module=f["module"],
                handler=name,
                line=1,
                flags=flags,
            )
        ]

    def _function_view(
        self, func: Def, path: str, outer: list[Guard], wrappers: list[Any]
    ) -> list[Route]:
        index = self.index
        record = func.record
        decorators = list(record["decorators"])
        api_view = next((i for i, d in enumerate(decorators) if tail(ref(d)) == "api_view"), None)
        line = record["line"]
        if api_view is not None:
            dec = decorators[api_view]
            given = dec["args"][0] if is_call(dec) and dec["args"] else ["GET"]
            methods = [str(m).upper() for m in given] if isinstance(given, list) else ["GET"]
            below = decorators[api_view + 1 :]
            guards, flags = guards_from_decorators(
                index, [*wrappers, *below], "route", func.file, line
            )
            has_perm = any(tail(ref(d)) == "permission_classes" for d in below)
            has_throttle = any(tail(ref(d)) == "throttle_classes" for d in below)
            if has_perm:
                perm = next(d for d in below if tail(ref(d)) == "permission_classes")
                guards = [x for x in guards if x.name != "permission_classes"]
                guards += self._permission_guards(
                    perm["args"][0] if perm["args"] else [], methods, "route", func.file, line
                )
                if perm["args"] and g.is_allow_any(index, perm["args"][0]):
                    flags.add("public")
            else:
                guards += self._permission_guards(
                    self.default_permissions(), methods, "settings", self.settings_file, 0
                )
            if not has_throttle:
                guards += self._throttle_guards(
                    self.default_throttles(), "settings", self.settings_file
                )
            return [make_route(index, "drf", methods, path, func, [*outer, *guards], flags=flags)]
        methods = self._fbv_methods(record)
        guards, flags = guards_from_decorators(
            index, [*wrappers, *decorators], "route", func.file, line
        )
        guards += self._login_middleware(flags)
        return [make_route(index, "django", methods, path, func, [*outer, *guards], flags=flags)]

    def _fbv_methods(self, record: dict[str, Any]) -> list[str]:
        for dec in record["decorators"]:
            name = self.index.canonical(ref(dec))
            if name in METHOD_DECORATORS:
                return list(METHOD_DECORATORS[name])
            if tail(name) == "require_http_methods" and is_call(dec) and dec["args"]:
                arg = dec["args"][0]
                return [str(m).upper() for m in arg] if isinstance(arg, list) else ["*"]
        literals = record.get("method_literals") or []
        if literals:
            return sorted({"GET", *literals})
        return ["*"]

    def _login_middleware(self, flags: set[str]) -> list[Guard]:
        if "public" in flags:
            return []
        return [x for x in self.middleware_guards() if x.kind == AUTHENTICATION]

    def _is_drf(self, klass: str) -> bool:
        return any(a.startswith("rest_framework.") for a in self.index.ancestors(klass))

    def _class_view(
        self, klass: str, path: str, outer: list[Guard], wrappers: list[Any]
    ) -> list[Route]:
        index = self.index
        cdef = index.resolve(klass)
        if cdef is None or cdef.kind != "class":
            return []
        methods = index.class_methods(klass)
        served: dict[str, str] = {}
        for base in [klass, *index.ancestors(klass)]:
            for verb in GENERIC_METHODS.get(tail(base), ()):
                served.setdefault(verb, base)
        for verb in HANDLERS:
            if verb in methods:
                served[verb] = methods[verb]
        drf = self._is_drf(klass)
        routes = []
        for verb, owner in sorted(served.items(), key=lambda kv: HANDLERS.index(kv[0])):
            func = index.function(f"{owner}.{verb}")
            routes.append(self._class_route(klass, cdef, func, verb, path, outer, wrappers, drf))
        if not routes and "dispatch" in methods and self._library_view(klass):
            # a subclass of a library's view (strawberry's GraphQLView) that only overrides
            # dispatch: the library's handlers are not known, so every method is listed
            func = index.function(f"{methods['dispatch']}.dispatch")
            route = self._class_route(klass, cdef, func, "*", path, outer, wrappers, drf)
            routes.append(
                replace(route, handler=f"{cdef.record['name']}.dispatch", action="dispatch")
            )
        return routes

    def _library_view(self, klass: str) -> bool:
        """A base class outside the project that is not Django's or DRF's own View."""
        return any(
            self.index.resolve(base) is None
            and not base.startswith(("django.", "rest_framework."))
            and tail(base) not in GENERIC_METHODS
            for base in self.index.ancestors(klass)
        )

    def _class_route(
        self,
        klass: str,
        cdef: Def,
        func: Def | None,
        verb: str,
        path: str,
        outer: list[Guard],
        wrappers: list[Any],
        drf: bool,
        action: str = "",
        action_kwargs: dict[str, Any] | None = None,
    ) -> Route:
        index = self.index
        line = cdef.record["line"]
        methods = [verb.upper()]
        guards, flags = guards_from_decorators(index, wrappers, "route", cdef.file, line)
        cg, cf = guards_from_decorators(index, cdef.record["decorators"], "class", cdef.file, line)
        guards += cg
        flags |= cf
        dispatch = index.function(f"{klass}.dispatch")
        if dispatch is not None:
            dg, df = guards_from_decorators(
                index,
                dispatch.record["decorators"],
                "class",
                dispatch.file,
                dispatch.record["line"],
            )
            guards += dg
            flags |= df
        if func is not None and func.record["decorators"]:
            fg, ff = guards_from_decorators(
                index, func.record["decorators"], "route", func.file, func.record["line"]
            )
            guards += [x for x in fg if x.name != "action"]
            flags |= ff
        for base in index.ancestors(klass):
            for kind in CBV_GUARDS.get(tail(base), ()):
                guards.append(Guard(tail(base), kind, "class", cdef.file, line))
        guards += self._dispatch_guards(klass)
        if drf:
            guards += self._drf_class_guards(klass, cdef, methods, action_kwargs or {}, flags)
        else:
            guards += self._login_middleware(flags)
        serializer = index.class_attr(klass, "serializer_class")
        response_model = text(serializer[0]) if serializer else ""
        if drf and not response_model and "get_serializer_class" in index.class_methods(klass):
            # the view picks its serializer at run time (per action or API version): typed too
            response_model = f"{cdef.record['name']}.get_serializer_class()"
        validation = [response_model] if serializer and verb in ("post", "put", "patch") else []
        return make_route(
            index,
            "drf" if drf else "django",
            methods,
            path,
            func,
            [*outer, *guards],
            file=cdef.file,
            module=cdef.module,
            handler=f"{cdef.record['name']}.{action or verb}",
            line=line,
            view_class=cdef.record["name"],
            action=action or verb,
            flags=flags,
            response_model=response_model,
            validation=validation,
        )

    def _dispatch_guards(self, klass: str) -> list[Guard]:
        """A project access mixin: a `dispatch` in the view's class chain that rejects (returns
        `handle_no_permission()`, `redirect_to_login()`, a 401/403) after checking the user
        (`is_authenticated`) or a permission (`has_perm(s)`/`has_permission`). Django's own
        mixins work this way (https://docs.djangoproject.com/en/5.2/topics/auth/default/#the-loginrequiredmixin-mixin)."""
        index = self.index
        found: list[Guard] = []
        for base in [index.canonical(klass), *index.ancestors(klass)]:
            if tail(base) in CBV_GUARDS:
                continue
            dispatch = index.function(f"{base}.dispatch")
            if dispatch is None or dispatch.qualname != f"{base}.dispatch":
                continue
            auth, authz = index.nested_evidence(dispatch)
            if not any(g.rejects(e) for e in [*auth, *authz]):
                continue
            where = (dispatch.file, dispatch.record["line"])
            if any(e in ("is_authenticated", "is_anonymous") for e in auth):
                found.append(Guard(tail(base), AUTHENTICATION, "class", *where))
            if any(e in _PERMISSION_CHECKS for e in authz):
                found.append(Guard(tail(base), AUTHORIZATION, "class", *where))
        return found

    def _drf_class_guards(
        self,
        klass: str,
        cdef: Def,
        methods: list[str],
        action_kwargs: dict[str, Any],
        flags: set[str],
    ) -> list[Guard]:
        index = self.index
        guards: list[Guard] = []
        ignore = self._ignores_model_permissions(klass)
        perms = action_kwargs.get("permission_classes")
        level = "route"
        if perms is None:
            found = index.class_attr(klass, "permission_classes")
            perms, level = (found[0], "class") if found else (None, "settings")
        getter = index.function(f"{klass}.get_permissions")
        if getter is None:
            for base in index.ancestors(klass):
                getter = index.function(f"{base}.get_permissions")
                if getter is not None:
                    break
        if getter is not None:
            called = [{"ref": c} for c in getter.record["calls"]]
            kinds: set[str] = set()
            for item in called:
                kinds |= g.permission_kinds(index, [item], tuple(methods), ignore)
            for kind in sorted(kinds):
                guards.append(
                    Guard("get_permissions()", kind, "class", getter.file, getter.record["line"])
                )
            # `return super().get_permissions()`: DRF's APIView.get_permissions instantiates
            # self.permission_classes, so the class attribute (or the settings default) still
            # applies to the actions the override does not change.
            if any(c == "super" or tail(c) == "get_permissions" for c in getter.record["calls"]):
                if perms is None:
                    guards += self._permission_guards(
                        self.default_permissions(),
                        methods,
                        "settings",
                        self.settings_file,
                        0,
                        ignore,
                    )
                else:
                    guards += self._permission_guards(
                        perms, methods, level, cdef.file, cdef.record["line"], ignore
                    )
        elif perms is None:
            guards += self._permission_guards(
                self.default_permissions(), methods, "settings", self.settings_file, 0, ignore
            )
        else:
            guards += self._permission_guards(
                perms, methods, level, cdef.file, cdef.record["line"], ignore
            )
            if g.is_allow_any(index, perms):
                flags.add("public")
        throttles = action_kwargs.get("throttle_classes")
        if throttles is None:
            found = index.class_attr(klass, "throttle_classes")
            if found is not None:
                throttles = found[0]
                if (
                    throttles
                    and index.class_attr(klass, "throttle_scope") is None
                    and all(tail(ref(t)) == "ScopedRateThrottle" for t in throttles)
                ):
                    throttles = []
                guards += self._throttle_guards(throttles, "class", cdef.file)
            else:
                guards += self._throttle_guards(
                    self.default_throttles(), "settings", self.settings_file
                )
        else:
            guards += self._throttle_guards(throttles, "route", cdef.file)
        return guards

    def _ignores_model_permissions(self, klass: str) -> bool:
        """The view sets `_ignore_model_permissions` (DRF's APIRootView does): DRF's model
        permission classes then only require a user."""
        found = self.index.class_attr(klass, "_ignore_model_permissions")
        if found is not None:
            return found[0] is True
        return "rest_framework.routers.APIRootView" in self.index.ancestors(klass)

    def _permission_guards(
        self,
        perms: Any,
        methods: list[str],
        level: str,
        file: str,
        line: int,
        ignore_model: bool = False,
    ) -> list[Guard]:
        kinds = g.permission_kinds(self.index, perms, tuple(methods), ignore_model)
        items = perms if isinstance(perms, list) else [perms]
        shown = ", ".join(_short(p) for p in items) or "[]"
        return [Guard(shown, kind, level, file, line) for kind in sorted(kinds)]

    def _throttle_guards(self, throttles: Any, level: str, file: str) -> list[Guard]:
        items = throttles if isinstance(throttles, list) else []
        if not items:
            return []
        return [Guard(", ".join(_short(t) for t in items), RATE_LIMIT, level, file)]

    # -- DRF routers ---------------------------------------------------------------------
    def _router(self, router: str, prefix: str, outer: list[Guard]) -> list[Route]:
        index = self.index
        found = index.resolve(router)
        if found is None or found.kind != "object":
            return []
        routes: list[Route] = []
        shapes = self._router_shapes(ref(found.record))
        for f in index.facts.values():
            for reg in f["registrations"]:
                if reg["method"] != "register" or len(reg["args"]) < 2:
                    continue
                target = index.resolve(reg["recv"])
                if target is None or target.qualname != found.qualname:
                    continue
                rprefix = reg["args"][0] if isinstance(reg["args"][0], str) else ""
                viewset = index.canonical(ref(reg["args"][1]))
                routes += self._viewset(viewset, prefix, rprefix, found.record, outer, shapes)
        return self._root_view(found, prefix, outer) + routes

    def _router_shapes(self, router_class: str) -> tuple[list[tuple[str, str]], ...]:
        """The (method, action) pairs of the list and the detail route a router class maps.
        SimpleRouter.routes is [list Route, list DynamicRoute, detail Route, detail
        DynamicRoute]; a subclass may add methods with `self.routes[0].mapping.update({...})`
        in its `__init__` (bulk PUT/PATCH/DELETE on the list URL), and DRF routes a method only
        to an action the viewset has (https://www.django-rest-framework.org/api-guide/routers/#custom-routers)."""
        index = self.index
        shapes = {0: dict(LIST_ROUTE), 2: dict(DETAIL_ROUTE)}
        klass = index.canonical(router_class)
        for owner in reversed([klass, *index.ancestors(klass)]):
            init = index.function(f"{owner}.__init__")
            if init is None or init.qualname != f"{owner}.__init__":
                continue
            for position, mapping in init.record.get("route_updates", ()):
                if position in shapes and isinstance(mapping, dict):
                    for key, value in mapping.get("dict", ()):
                        if isinstance(key, str) and isinstance(value, str):
                            shapes[position][key.upper()] = value
        return list(shapes[0].items()), list(shapes[2].items())

    def _root_view(self, router: Def, prefix: str, outer: list[Guard]) -> list[Route]:
        """DefaultRouter serves an API root view (GET) at the router's own prefix unless
        `include_root_view=False`; the view is the router's `APIRootView` attribute, which the
        URLconf may replace (`router.APIRootView = views.MyRoot`)
        (https://www.django-rest-framework.org/api-guide/routers/#defaultrouter)."""
        index = self.index
        klass = index.canonical(ref(router.record))
        chain = [klass, *index.ancestors(klass)]
        if "rest_framework.routers.DefaultRouter" not in chain:
            return []
        kwargs = router.record.get("kwargs") or {}
        own = index.class_attr(klass, "include_root_view")
        if kwargs.get("include_root_view", own[0] if own else True) is False:
            return []
        assigned = index.facts[router.file].get("attr_assigns", {})
        local = router.qualname.removeprefix(f"{router.module}.")
        view = ref(assigned.get(f"{local}.APIRootView"))
        if not view:
            found = index.class_attr(klass, "APIRootView")
            view = ref(found[0]) if found else ""
        path = "/" + prefix
        if view and index.resolve(view) is not None:
            routes = self._class_view(index.canonical(view), path, outer, [])
            return [replace(r, url_name=ROOT_VIEW_NAME) for r in routes]
        # DRF's own APIRootView: an APIView with `get`, under the settings' permission classes
        guards = self._permission_guards(
            self.default_permissions(), ["GET"], "settings", self.settings_file, 0, True
        )
        guards += self._throttle_guards(self.default_throttles(), "settings", self.settings_file)
        route = make_route(
            index,
            "drf",
            ["GET"],
            path,
            None,
            [*outer, *guards],
            file=router.file,
            module=router.module,
            handler="APIRootView.get",
            line=index.facts[router.file].get("object_lines", {}).get(local, 1),
        )
        return [replace(route, url_name=ROOT_VIEW_NAME)]

    def _viewset(
        self,
        klass: str,
        prefix: str,
        rprefix: str,
        router: dict[str, Any],
        outer: list[Guard],
        shapes: tuple[list[tuple[str, str]], ...] = (list(LIST_ROUTE), list(DETAIL_ROUTE)),
    ) -> list[Route]:
        index = self.index
        cdef = index.resolve(klass)
        if cdef is None or cdef.kind != "class":
            return []
        slash = "" if router["kwargs"].get("trailing_slash") is False else "/"
        lookup_attr = index.class_attr(klass, "lookup_url_kwarg") or index.class_attr(
            klass, "lookup_field"
        )
        lookup = lookup_attr[0] if lookup_attr and isinstance(lookup_attr[0], str) else "pk"
        base = "/" + prefix + rprefix
        routes = self._viewset_routes(klass, base + slash, shapes[0], outer, [])
        routes += self._viewset_routes(klass, f"{base}/<{lookup}>{slash}", shapes[1], outer, [])
        methods = index.class_methods(klass)
        for name, owner in methods.items():
            func = index.function(f"{owner}.{name}")
            if func is None:
                continue
            for dec in func.record["decorators"]:
                spelling = tail(ref(dec))
                if spelling not in EXTRA_ACTION_DECORATORS or not is_call(dec):
                    continue
                kwargs = dec["kwargs"]
                url_path = kwargs.get("url_path", name)
                verbs = kwargs.get("methods") or ["get"]
                detail = EXTRA_ACTION_DECORATORS[spelling]
                path = (
                    f"{base}/<{lookup}>/{url_path}{slash}"
                    if (kwargs.get("detail") if detail is None else detail)
                    else f"{base}/{url_path}{slash}"
                )
                for verb in verbs if isinstance(verbs, list) else ["get"]:
                    routes.append(
                        self._class_route(
                            klass,
                            cdef,
                            func,
                            str(verb).lower(),
                            path,
                            outer,
                            [],
                            True,
                            name,
                            kwargs,
                        )
                    )
        return routes

    def _viewset_routes(
        self,
        klass: str,
        path: str,
        pairs: list[tuple[str, Any]],
        outer: list[Guard],
        wrappers: list[Any],
    ) -> list[Route]:
        index = self.index
        cdef = index.resolve(klass)
        if cdef is None or cdef.kind != "class":
            return []
        available = dict(index.class_methods(klass))
        for base in [klass, *index.ancestors(klass)]:
            for action in VIEWSET_ACTIONS.get(tail(base), ()):
                available.setdefault(action, base)
        routes = []
        for verb, action in pairs:
            if action not in available:
                continue
            func = index.function(f"{available[action]}.{action}")
            routes.append(
                self._class_route(
                    klass, cdef, func, verb.lower(), path, outer, wrappers, True, action
                )
            )
        return routes


_PERMISSION_CHECKS = ("has_perm", "has_perms", "has_permission")


@dataclass(frozen=True)
class _Meta:
    """`Model._meta` of a model class, for the registry evaluator."""

    model: str


@dataclass(frozen=True)
class _AppConfig:
    """`self` in an AppConfig subclass's ready()."""

    config: str


@dataclass(frozen=True)
class _GetModels:
    """`self.get_models` of an app config, not yet called."""

    config: str


@dataclass(frozen=True)
class _AsView:
    """`View.as_view`, not yet called."""

    view: str


def regex_route(regex: str) -> str:
    """A `re_path()` regex written as the path a client requests: `(?P<slug>\\w+)` becomes
    `<slug>`, a non-capturing group `(?:/x)?` is taken with its content, an optional `/?` is
    the slash, anchors and escapes go (`^share/(?P<slug>\\w+)/?$` -> `share/<slug>/`). Django
    matches re_path regexes with `re.search` after stripping the prefix matched so far
    (https://docs.djangoproject.com/en/5.2/ref/urls/#re-path); unnamed groups stay as written.
    """
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
                out.append(f"<{named.group(1)}>")
            elif group.startswith("(?:"):
                out.append(regex_route(group[3:-1]))
            else:
                out.append(group)
            i = j + 1 if j < len(regex) and regex[j] in "?*+" else j
            continue
        if ch == "\\" and i + 1 < len(regex):
            nxt = regex[i + 1]
            out.append("" if nxt in "dwsZAbB" else nxt)
            i += 2
            continue
        if ch == "$" or (ch == "?" and out and out[-1] == "/"):
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict) and "dict" in value:
        return {k: v for k, v in value["dict"] if isinstance(k, str)}
    return {}


def _include_targets(entry: Any) -> list[str]:
    if not is_call(entry) or len(entry["args"]) < 2:
        return []
    view = entry["args"][1]
    if is_call(view) and tail(ref(view)) == "include" and view["args"]:
        target = view["args"][0]
        if isinstance(target, str):
            return [target]
    return []


def _short(value: Any) -> str:
    if isinstance(value, str):
        return tail(value)
    if isinstance(value, dict) and "ref" in value:
        return tail(str(value["ref"])) if "text" not in value else str(value["text"])
    return text(value)
