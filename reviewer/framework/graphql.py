"""GraphQL operations as routes: every root Query and Mutation field a GraphQL endpoint serves.

One HTTP endpoint (`/graphql/`) executes any operation of its schema, so the endpoint's guards
are only the outer layer: each root field runs its own resolver with its own permission classes,
decorators and in-body checks. Each field becomes a `Route` (framework "graphql") at
`<endpoint path>#<query|mutation>.<field>`, `POST` (the GraphQL-over-HTTP transport; a `#`
part is never sent, so no test URL or other route can collide with it), carrying the
endpoint's guards and the field's own, so BR301/BR302 judge each operation.

How the libraries declare them (read, never imported):
- strawberry: `strawberry.Schema(query=Query, mutation=Mutation)`; fields are annotated class
  attributes `x: T = strawberry.field(...)` or methods decorated `@strawberry.field` /
  `@strawberry.mutation`; `permission_classes=[...]` (a `BasePermission` with
  `has_permission`) and `extensions=[PermissionExtension(permissions=[...])]` guard one field
  (https://strawberry.rocks/docs/guides/permissions, https://strawberry.rocks/docs/types/schema);
  strawberry-django's `strawberry_django.field()` and its permission extensions
  (`IsAuthenticated()`, `IsStaff()`, `HasPerm(...)`:
  https://strawberry.rocks/docs/django/guide/permissions); field names are camel-cased unless
  `StrawberryConfig(auto_camel_case=False)`.
- graphene: `graphene.Schema(query=Query, mutation=Mutation)`; every class attribute of an
  `ObjectType` is a field, resolved by `resolve_<name>` or `resolver=`; a mutation field is
  `CreateX.Field()`, resolved by `CreateX.mutate`
  (https://docs.graphene-python.org/en/latest/types/objecttypes/#resolvers,
  https://docs.graphene-python.org/en/latest/types/mutations/).
- ariadne: `make_executable_schema(type_defs, query, mutation)` with `query = QueryType()`,
  `@query.field("name")` or `query.set_field("name", resolver)`
  (https://ariadnegraphql.org/docs/resolvers, https://ariadnegraphql.org/docs/mutations).

Endpoints: a route whose view class derives from a library's GraphQL view (strawberry's and
graphene-django's `GraphQLView`, served through Django's or Flask's URL map), a handler that
executes the schema itself (ariadne's `graphql_sync(schema, data)`), or an ASGI GraphQL app
included or mounted on an app (`app.include_router(GraphQLRouter(schema), prefix="/graphql")`,
`app.mount("/graphql", GraphQL(schema))`:
https://strawberry.rocks/docs/integrations/fastapi, https://ariadnegraphql.org/docs/starlette-integration).
A schema no endpoint is found for keeps its operations, at `/{?}#...` with a note saying so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from reviewer.context import is_test_path
from reviewer.framework import guards as g
from reviewer.framework.common import guards_from_decorators, make_route
from reviewer.framework.index import Def, Index
from reviewer.framework.values import is_call, ref, tail
from reviewer.service import AUTHENTICATION, AUTHORIZATION, Guard, Route

FRAMEWORK = "graphql"
UNKNOWN_ENDPOINT = "/{?}"

SCHEMA_CTORS = frozenset(
    {
        "strawberry.Schema",
        "strawberry.schema.Schema",
        "strawberry.federation.Schema",
        "graphene.Schema",
        "graphene.types.schema.Schema",
        "ariadne.make_executable_schema",
        "ariadne.executable_schema.make_executable_schema",
        "ariadne_graphql_modules.make_executable_schema",
    }
)
# View classes that execute the schema given to `as_view(schema=...)` (or set as `schema`)
VIEW_BASES = frozenset(
    {
        "strawberry.django.views.GraphQLView",
        "strawberry.django.views.AsyncGraphQLView",
        "strawberry_django.views.GraphQLView",
        "strawberry.flask.views.GraphQLView",
        "strawberry.flask.views.AsyncGraphQLView",
        "strawberry.sanic.views.GraphQLView",
        "graphene_django.views.GraphQLView",
        "graphene_django.GraphQLView",
        "graphql_server.flask.GraphQLView",
        "flask_graphql.GraphQLView",
        "ariadne_django.views.GraphQLView",
        "ariadne.contrib.django.views.GraphQLView",
    }
)
# ASGI apps / routers that serve a schema where they are mounted or included
ASGI_APPS = frozenset(
    {
        "strawberry.fastapi.GraphQLRouter",
        "strawberry.asgi.GraphQL",
        "ariadne.asgi.GraphQL",
        "starlette_graphene3.GraphQLApp",
    }
)
# Functions a handler calls to execute a schema itself (ariadne's Flask/Django recipes)
EXECUTORS = frozenset({"ariadne.graphql_sync", "ariadne.graphql", "graphql.graphql_sync"})
SCHEMA_METHODS = frozenset({"execute", "execute_sync"})
# ariadne root bindables: `QueryType()`, `MutationType()`, `ObjectType("Query")`
ARIADNE_ROOTS = {
    "ariadne.QueryType": "query",
    "ariadne.MutationType": "mutation",
    "ariadne.SubscriptionType": "subscription",
}
ARIADNE_OBJECT = frozenset({"ariadne.ObjectType"})
STRAWBERRY_RESOLVER_DECORATORS = ("field", "mutation", "subscription")
# strawberry-django permission extensions (https://strawberry.rocks/docs/django/guide/permissions)
DJANGO_PERMISSION_EXTENSIONS = {
    "IsAuthenticated": (AUTHENTICATION,),
    "IsStaff": (AUTHENTICATION, AUTHORIZATION),
    "IsSuperuser": (AUTHENTICATION, AUTHORIZATION),
    "HasPerm": (AUTHENTICATION, AUTHORIZATION),
    "HasSourcePerm": (AUTHENTICATION, AUTHORIZATION),
    "HasRetvalPerm": (AUTHENTICATION, AUTHORIZATION),
}
# graphene mutation classes: the method that resolves `X.Field()`
MUTATE_METHODS = ("mutate", "mutate_and_get_payload", "perform_mutate")
ROOT_KWARGS = ("query", "mutation", "subscription")


@dataclass
class Schema:
    name: str  # qualified name of the schema object
    file: str
    library: str  # strawberry | graphene | ariadne
    roots: list[tuple[str, str]]  # (query | mutation | subscription, class or object qualname)
    camel_case: bool = True


@dataclass
class Operation:
    kind: str  # query | mutation | subscription
    name: str  # as the client writes it
    file: str
    line: int
    handler: str  # qualname inside its module
    module: str
    resolver: Def | None
    guards: list[Guard] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


class GraphQL:
    """The GraphQL schemas of a project, their operations and the endpoints serving them."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.schemas = [
            s
            for s in (self._schema(d) for name, d in index.defs.items() if name == d.qualname)
            if s is not None
        ]

    # -- schemas ---------------------------------------------------------------------------
    def _schema(self, d: Def) -> Schema | None:
        if d.kind != "object" or is_test_path(d.file):
            return None  # a schema a test builds serves no endpoint of the service
        ctor = self.index.canonical(ref(d.record))
        if ctor not in SCHEMA_CTORS:
            return None
        call = d.record
        library = ctor.partition(".")[0].removesuffix("_graphql_modules")
        roots: list[tuple[str, str]] = []
        if library == "ariadne":
            for arg in _flat(call["args"][1:]):
                found = self.index.resolve(ref(arg))
                if found is not None and found.kind == "object":
                    kind = self._ariadne_root(found)
                    if kind:
                        roots.append((kind, found.qualname))
        else:
            given = dict(zip(ROOT_KWARGS, call["args"], strict=False))
            given.update({k: v for k, v in call["kwargs"].items() if k in ROOT_KWARGS})
            for kind in ROOT_KWARGS:
                found = self.index.resolve(ref(given.get(kind)))
                if found is not None and found.kind == "class":
                    roots.append((kind, found.qualname))
        return Schema(d.qualname, d.file, library, roots, _camel_case(library, call))

    def _ariadne_root(self, obj: Def) -> str:
        ctor = self.index.canonical(ref(obj.record))
        if ctor in ARIADNE_ROOTS:
            return ARIADNE_ROOTS[ctor]
        args = obj.record["args"]
        if ctor in ARIADNE_OBJECT and args and args[0] in ("Query", "Mutation", "Subscription"):
            return str(args[0]).lower()
        return ""

    # -- operations ------------------------------------------------------------------------
    def operations(self, schema: Schema) -> list[Operation]:
        found: list[Operation] = []
        for kind, root in schema.roots:
            if schema.library == "ariadne":
                found += self._ariadne_fields(kind, root)
            else:
                found += self._class_fields(schema, kind, root)
        return found

    def _class_fields(self, schema: Schema, kind: str, root: str) -> list[Operation]:
        """Fields of a strawberry/graphene root class and of the project classes it derives
        from (netbox's `Query(UsersQuery, CircuitsQuery, ...)`); the nearest class wins."""
        index = self.index
        seen: dict[str, Operation] = {}
        for klass in [root, *index.ancestors(root)]:
            cdef = index.resolve(klass)
            if cdef is None or cdef.kind != "class":
                continue
            record = cdef.record
            lines = record.get("attr_lines", {})
            for attr, value in record["attrs"].items():
                if attr in seen or not is_call(value) or attr.startswith("_"):
                    continue
                seen[attr] = self._attribute_field(schema, kind, cdef, attr, value, lines)
            for method in record["methods"]:
                func = index.function(f"{cdef.qualname}.{method}")
                if func is None or method in seen:
                    continue
                decorator = next(
                    (d for d in func.record["decorators"] if _strawberry_field(index, d)), None
                )
                if decorator is not None:
                    name = _field_name(decorator, method, schema.camel_case)
                    op = self._operation(kind, name, func)
                    op.guards += _field_guards(index, decorator, func.file, func.record["line"])
                    others = [d for d in func.record["decorators"] if d is not decorator]
                    self._decorated(op, others, func)
                    seen[method] = op
        return list(seen.values())

    def _attribute_field(
        self,
        schema: Schema,
        kind: str,
        cdef: Def,
        attr: str,
        value: dict[str, Any],
        lines: dict[str, int],
    ) -> Operation:
        index = self.index
        line = lines.get(attr, cdef.record["line"])
        resolver = index.function(ref(value["kwargs"].get("resolver")))
        if resolver is None:  # graphene `resolve_<name>` on the class chain
            defining = index.class_methods(cdef.qualname).get(f"resolve_{attr}")
            resolver = index.function(f"{defining}.resolve_{attr}") if defining else None
        if resolver is None and tail(ref(value)) == "Field":  # graphene `CreateUser.Field()`
            owner = index.resolve(ref(value).rpartition(".")[0])
            if owner is not None and owner.kind == "class":
                methods = index.class_methods(owner.qualname)
                for method in MUTATE_METHODS:
                    if method in methods:
                        resolver = index.function(f"{methods[method]}.{method}")
                        break
        name = _field_name(value, attr, schema.camel_case)
        op = Operation(
            kind,
            name,
            cdef.file,
            line,
            f"{cdef.record['name']}.{attr}",
            cdef.module,
            None,
        )
        if resolver is not None:
            op = self._operation(kind, name, resolver)
            self._decorated(op, resolver.record["decorators"], resolver)
        op.guards += _field_guards(index, value, cdef.file, line)
        op.guards += self._queryset_guards(cdef, attr, value)
        return op

    def _queryset_guards(self, cdef: Def, attr: str, value: dict[str, Any]) -> list[Guard]:
        """strawberry-django: a field without its own resolver returns the queryset of its
        type's `get_queryset` (https://strawberry.rocks/docs/django/guide/optimizer), so a
        permission check there (`user.has_perm(...)`) guards the field."""
        if tail(self.index.canonical(ref(value))) != "field":
            return []
        annotation = cdef.record.get("annotations", {}).get(attr)
        found: list[Guard] = []
        for name in _type_names(annotation):
            getter = self._method(name, "get_queryset")
            if getter is None:
                continue
            auth, authz = self.index.nested_evidence(getter)
            if authz:
                found.append(
                    Guard(
                        f"{tail(name)}.get_queryset",
                        AUTHORIZATION,
                        "class",
                        getter.file,
                        getter.record["line"],
                    )
                )
            if auth:
                found.append(
                    Guard(
                        f"{tail(name)}.get_queryset",
                        AUTHENTICATION,
                        "class",
                        getter.file,
                        getter.record["line"],
                    )
                )
        return found

    def _method(self, klass: str, method: str) -> Def | None:
        defining = self.index.class_methods(klass).get(method)
        return self.index.function(f"{defining}.{method}") if defining else None

    def _operation(self, kind: str, name: str, func: Def) -> Operation:
        return Operation(
            kind,
            name,
            func.file,
            func.record["line"],
            func.record["qualname"],
            func.module,
            func,
        )

    def _decorated(self, op: Operation, decorators: list[Any], func: Def) -> None:
        guards, flags = guards_from_decorators(
            self.index, decorators, "route", func.file, func.record["line"]
        )
        op.guards += guards
        op.flags |= flags

    def _ariadne_fields(self, kind: str, root: str) -> list[Operation]:
        index = self.index
        found: list[Operation] = []
        for d in list(index.defs.values()):
            if d.kind != "function" or d.qualname != index.canonical(d.qualname):
                continue
            decorators = d.record["decorators"]
            for i, dec in enumerate(decorators):
                receiver, _, verb = ref(dec).rpartition(".")
                if verb != "field" or not is_call(dec) or not dec["args"]:
                    continue
                owner = index.resolve(receiver)
                if owner is None or owner.qualname != root or not isinstance(dec["args"][0], str):
                    continue
                op = self._operation(kind, dec["args"][0], d)
                self._decorated(op, decorators[i + 1 :], d)
                found.append(op)
        for f in index.facts.values():
            for reg in f["registrations"]:
                if reg["method"] != "set_field" or len(reg["args"]) < 2:
                    continue
                owner = index.resolve(reg["recv"])
                func = index.function(ref(reg["args"][1]))
                if owner is None or owner.qualname != root or func is None:
                    continue
                if not isinstance(reg["args"][0], str):
                    continue
                op = self._operation(kind, reg["args"][0], func)
                self._decorated(op, func.record["decorators"], func)
                found.append(op)
        return found

    # -- endpoints -------------------------------------------------------------------------
    def is_endpoint(self, route: Route) -> bool:
        """A route whose view is a GraphQL view, or whose handler executes a schema."""
        index = self.index
        names = [route.handler, route.handler.rpartition(".")[0]]
        if route.view_class:
            names.append(f"{route.module}.{route.view_class}" if route.module else route.view_class)
        for name in names:
            if not name:
                continue
            canonical = index.canonical(name)
            if canonical in VIEW_BASES or any(a in VIEW_BASES for a in index.ancestors(canonical)):
                return True
        func = index.function(route.qualname)
        if func is None:
            return False
        for called in func.record["calls"]:
            canonical = index.canonical(called)
            if canonical in EXECUTORS:
                return True
            owner, _, method = canonical.rpartition(".")
            if method in SCHEMA_METHODS and any(s.name == owner for s in self.schemas):
                return True
        return False

    def mounted_endpoints(self) -> Iterator[tuple[str, Schema | None, str, int]]:
        """(path, schema, file, line) of each ASGI GraphQL app an app includes or mounts with a
        literal path: `include_router(GraphQLRouter(schema), prefix=...)`, `mount(path, app)`."""
        index = self.index
        for relpath, f in index.facts.items():
            for reg in f["registrations"]:
                if reg["method"] not in ("include_router", "mount", "add_route") or not reg["args"]:
                    continue
                app = reg["args"][1] if reg["method"] != "include_router" else reg["args"][0]
                if reg["method"] != "include_router" and len(reg["args"]) < 2:
                    app = reg["kwargs"].get("app")
                call = self._asgi_call(app)
                if call is None:
                    continue
                if reg["method"] == "include_router":
                    prefix = reg["kwargs"].get("prefix", "")
                    own = call["kwargs"].get(
                        "path", call["args"][1] if len(call["args"]) > 1 else ""
                    )
                    path = (
                        f"{prefix}{own}"
                        if isinstance(prefix, str) and isinstance(own, str)
                        else None
                    )
                else:
                    path = reg["args"][0] if isinstance(reg["args"][0], str) else None
                given = call["kwargs"].get("schema", call["args"][0] if call["args"] else None)
                schema = next(
                    (s for s in self.schemas if s.name == index.canonical(ref(given))), None
                )
                yield (path if path is not None else UNKNOWN_ENDPOINT), schema, relpath, 1

    def _asgi_call(self, value: Any) -> dict[str, Any] | None:
        if is_call(value) and self.index.canonical(ref(value)) in ASGI_APPS:
            return value
        found = self.index.resolve(ref(value)) if ref(value) else None
        if (
            found is not None
            and found.kind == "object"
            and self.index.canonical(ref(found.record)) in ASGI_APPS
        ):
            return dict(found.record)
        return None

    def schema_of(self, route: Route) -> Schema | None:
        """The schema an endpoint serves: the one named in the URL declaration of its path
        (`path("graphql/", View.as_view(schema=schema))`) or as its view class's `schema`
        attribute, else the project's only schema."""
        names = {s.name: s for s in self.schemas}
        view = route.view_class or tail(route.handler)
        best: tuple[int, Schema] | None = None
        for relpath, facts in self.index.facts.items():
            declared = [facts.get("urlpatterns"), facts.get("lists"), facts["registrations"]]
            if not (any(declared) or relpath == route.file):
                continue
            for call in _calls(declared):
                rule = call["args"][0] if call["args"] else None
                if not isinstance(rule, str) or not _ends_with(route.path, rule):
                    continue
                refs = list(_refs(call))
                if relpath != route.file and not any(view in n.split(".") for n in refs):
                    continue
                for name in refs:
                    schema = names.get(self.index.canonical(name))
                    if schema is not None and (best is None or len(rule) > best[0]):
                        best = (len(rule), schema)
        if best is not None:
            return best[1]
        if route.view_class:
            klass = f"{route.module}.{route.view_class}" if route.module else route.view_class
            given = self.index.class_attr(klass, "schema")
            if given is not None and self.index.canonical(ref(given[0])) in names:
                return names[self.index.canonical(ref(given[0]))]
        return self.schemas[0] if len(self.schemas) == 1 else None

    # -- routes ----------------------------------------------------------------------------
    def routes(self, built: list[Route]) -> list[Route]:
        """One route per operation per endpoint serving its schema."""
        if not self.schemas:
            return []
        served: dict[str, list[Route]] = {}
        for route in built:
            if route.framework != FRAMEWORK and self.is_endpoint(route):
                schema = self.schema_of(route)
                if schema is not None:
                    served.setdefault(schema.name, []).append(route)
        mounted: dict[str, list[tuple[str, str, int]]] = {}
        for path, schema, file, line in self.mounted_endpoints():
            if schema is None and len(self.schemas) == 1:
                schema = self.schemas[0]
            if schema is not None:
                mounted.setdefault(schema.name, []).append((path, file, line))
        routes: list[Route] = []
        for schema in self.schemas:
            operations = self.operations(schema)
            endpoints = served.get(schema.name, [])
            for op in operations:
                for endpoint in endpoints:
                    routes.append(self._route(op, endpoint.path, list(_outer(endpoint)), []))
                for path, _, _ in mounted.get(schema.name, []):
                    routes.append(self._route(op, path, [], []))
                if not endpoints and not mounted.get(schema.name):
                    note = (
                        f"no endpoint serving the GraphQL schema `{tail(schema.name)}` "
                        f"({schema.file}) was found, so its path is shown as {UNKNOWN_ENDPOINT}"
                    )
                    routes.append(self._route(op, UNKNOWN_ENDPOINT, [], [note]))
        return routes

    def _route(self, op: Operation, endpoint: str, outer: list[Guard], notes: list[str]) -> Route:
        path = f"{endpoint}#{op.kind}.{op.name}"
        return make_route(
            self.index,
            FRAMEWORK,
            ["POST"],
            path,
            op.resolver,
            [*outer, *op.guards],
            file=op.file,
            module=op.module,
            handler=op.handler,
            line=op.line,
            action=op.kind,
            flags=op.flags,
            notes=notes,
        )


def endpoint_path(route: Route) -> str:
    """`/graphql/` of an operation route `/graphql/#query.users`."""
    return route.path.partition("#")[0]


def inherit_tests(routes: list[Route]) -> list[Route]:
    """An operation is reached only through its endpoint: tests that call the endpoint are
    the operation's tests too (which operation a test sends is not read)."""
    tested: dict[str, tuple[str, ...]] = {}
    for r in routes:
        if r.framework != FRAMEWORK and r.tests:
            tested[r.path] = tuple(dict.fromkeys([*tested.get(r.path, ()), *r.tests]))
    return [
        replace(r, tests=tested.get(endpoint_path(r), ()))
        if r.framework == FRAMEWORK and not r.tests
        else r
        for r in routes
    ]


def _outer(endpoint: Route) -> Iterator[Guard]:
    """The endpoint's guards, which every operation passes first."""
    yield from endpoint.auth
    yield from endpoint.authorization
    yield from endpoint.rate_limits


def _field_guards(index: Index, value: Any, file: str, line: int) -> list[Guard]:
    """`permission_classes=[...]` and permission `extensions=[...]` of a strawberry field."""
    if not is_call(value):
        return []
    found: list[Guard] = []
    kwargs = value["kwargs"]
    items = list(_flat([kwargs.get("permission_classes")]))
    for ext in _flat([kwargs.get("extensions")]):
        if not is_call(ext):
            continue
        last = tail(index.canonical(ref(ext)))
        if last == "PermissionExtension":
            items += _flat([ext["kwargs"].get("permissions", ext["args"][:1])])
        elif last in DJANGO_PERMISSION_EXTENSIONS:
            for kind in DJANGO_PERMISSION_EXTENSIONS[last]:
                found.append(Guard(last, kind, "route", file, line))
    for item in items:
        target = item if not is_call(item) else {"ref": ref(item)}
        shown = tail(ref(target)) or "permission"
        for kind in sorted(g.permission_kinds(index, [target], ("POST",))):
            found.append(Guard(shown, kind, "route", file, line))
    return found


def _strawberry_field(index: Index, decorator: Any) -> bool:
    canonical = index.canonical(ref(decorator))
    head, _, last = canonical.rpartition(".")
    return head.split(".")[0] in ("strawberry", "strawberry_django") and (
        last in STRAWBERRY_RESOLVER_DECORATORS
    )


def _field_name(value: Any, python_name: str, camel_case: bool) -> str:
    given = value["kwargs"].get("name") if is_call(value) else None
    if isinstance(given, str):
        return given
    return _camel(python_name) if camel_case else python_name


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _camel_case(library: str, call: dict[str, Any]) -> bool:
    if library == "graphene":
        return call["kwargs"].get("auto_camelcase") is not False
    if library == "strawberry":
        config = call["kwargs"].get("config")
        return not (is_call(config) and config["kwargs"].get("auto_camel_case") is False)
    return False


def _type_names(annotation: Any) -> list[str]:
    """`CircuitType`, `list[CircuitType]`, `CircuitType | None`: the class names written."""
    found: list[str] = []
    todo = [annotation]
    while todo and len(found) < 8:
        value = todo.pop()
        if isinstance(value, list):
            todo += value
        elif isinstance(value, dict):
            if "ref" in value:
                found.append(str(value["ref"]))
            todo += [v for k, v in value.items() if k in ("sub", "items", "left", "right")]
    return found


def _flat(values: Any) -> Iterator[Any]:
    for value in values if isinstance(values, list) else [values]:
        if isinstance(value, list):
            yield from _flat(value)
        elif value is not None:
            yield value


def _ends_with(path: str, rule: str) -> bool:
    rule = rule.strip("^$").strip("/")
    return bool(rule) and path.strip("/").endswith(rule)


def _calls(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every encoded call anywhere in encoded facts."""
    if depth > 40:
        return
    if isinstance(value, dict):
        if is_call(value):
            yield value
        for v in value.values():
            yield from _calls(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _calls(v, depth + 1)


def _refs(value: Any, depth: int = 0) -> Iterator[str]:
    """Every name referenced anywhere in encoded facts."""
    if depth > 40:
        return
    if isinstance(value, dict):
        if "ref" in value:
            yield str(value["ref"])
        for v in value.values():
            yield from _refs(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _refs(v, depth + 1)
