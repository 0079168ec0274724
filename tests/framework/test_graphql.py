"""GraphQL operations as routes: each root Query/Mutation field of a schema served by an
endpoint, with the endpoint's guards and its own (strawberry, graphene, ariadne; see
reviewer/framework/graphql.py for the documentation each shape follows)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from reviewer import engine
from reviewer.config import Config
from reviewer.config import load as load_config
from reviewer.native import review_files
from reviewer.service import Route
from reviewer.testing import tree_annotations, triples

SERVICE = Path(__file__).resolve().parents[2] / "fixtures" / "graphql_service"


def inventory(files: dict[str, str]) -> dict[str, Route]:
    data = {path: dedent(text).encode() for path, text in files.items()}
    routes = review_files(data, [], Config(root=Path("."))).project.routes
    return {r.path: r for r in routes}


def names(route: Route) -> tuple[list[str], list[str]]:
    return sorted(g.name for g in route.auth), sorted(g.name for g in route.authorization)


GRAPHENE = {
    "app/settings.py": "ROOT_URLCONF = 'app.urls'\n",
    "app/urls.py": """
        from django.urls import path
        from graphene_django.views import GraphQLView
        urlpatterns = [path("api/graphql", GraphQLView.as_view(graphiql=False))]
    """,
    "app/schema.py": """
        import graphene
        from graphql_jwt.decorators import login_required, superuser_required

        class Query(graphene.ObjectType):
            invoices = graphene.List(graphene.String)
            invoice = graphene.Field(graphene.String, invoice_id=graphene.ID())

            @login_required
            def resolve_invoices(root, info):
                return []

            def resolve_invoice(root, info, invoice_id):
                return str(invoice_id)

        class DeleteInvoice(graphene.Mutation):
            ok = graphene.Boolean()

            class Arguments:
                invoice_id = graphene.ID()

            @superuser_required
            def mutate(root, info, invoice_id):
                return DeleteInvoice(ok=True)

        class Mutation(graphene.ObjectType):
            delete_invoice = DeleteInvoice.Field()

        schema = graphene.Schema(query=Query, mutation=Mutation)
    """,
}


def test_graphene_fields_resolvers_and_mutations_are_operations() -> None:
    routes = inventory(GRAPHENE)
    assert "/api/graphql" in routes  # the endpoint itself stays
    listing = routes["/api/graphql#query.invoices"]
    assert (listing.framework, listing.methods, listing.handler) == (
        "graphql",
        ("POST",),
        "Query.resolve_invoices",
    )
    assert names(listing) == (["login_required"], [])
    assert names(routes["/api/graphql#query.invoice"]) == ([], [])
    delete = routes["/api/graphql#mutation.deleteInvoice"]  # graphene camel-cases by default
    assert delete.handler == "DeleteInvoice.mutate"
    assert names(delete) == (["superuser_required"], ["superuser_required"])


def test_graphene_auto_camelcase_off_keeps_python_names() -> None:
    files = dict(GRAPHENE)
    files["app/schema.py"] = files["app/schema.py"].replace(
        "mutation=Mutation)", "mutation=Mutation, auto_camelcase=False)"
    )
    assert "/api/graphql#mutation.delete_invoice" in inventory(files)


ARIADNE_FASTAPI = {
    "svc/main.py": """
        from ariadne import MutationType, QueryType, make_executable_schema
        from ariadne.asgi import GraphQL
        from fastapi import FastAPI

        from svc.auth import require_user

        type_defs = "type Query { me: String } type Mutation { rename(id: ID!): Boolean }"
        query = QueryType()
        mutation = MutationType()

        @query.field("me")
        @require_user
        def resolve_me(obj, info):
            return info.context["request"].user.name

        def resolve_rename(obj, info, id):
            return True

        mutation.set_field("rename", resolve_rename)
        schema = make_executable_schema(type_defs, query, mutation)
        app = FastAPI()
        app.mount("/graphql", GraphQL(schema))
    """,
    "svc/auth.py": """
        from functools import wraps

        def require_user(resolver):
            @wraps(resolver)
            def wrapper(obj, info, **kwargs):
                if not info.context["request"].user.is_authenticated:
                    raise PermissionError("login required")
                return resolver(obj, info, **kwargs)
            return wrapper
    """,
}


def test_ariadne_bindables_mounted_on_an_asgi_app() -> None:
    routes = inventory(ARIADNE_FASTAPI)
    me = routes["/graphql#query.me"]
    assert me.handler == "resolve_me"
    assert names(me)[0] == ["require_user"]
    rename = routes["/graphql#mutation.rename"]
    assert (rename.handler, names(rename)) == ("resolve_rename", ([], []))


STRAWBERRY_FASTAPI = {
    "api/app.py": """
        import strawberry
        from fastapi import FastAPI
        from strawberry.fastapi import GraphQLRouter

        @strawberry.type
        class Query:
            @strawberry.field
            def ping(self) -> str:
                return "pong"

        schema = strawberry.Schema(Query)
        app = FastAPI()
        app.include_router(GraphQLRouter(schema), prefix="/gql")
    """,
}


def test_strawberry_router_included_with_a_prefix() -> None:
    routes = inventory(STRAWBERRY_FASTAPI)
    assert routes["/gql#query.ping"].handler == "Query.ping"


def test_a_schema_no_endpoint_serves_is_kept_with_the_unknown_part_marked() -> None:
    files = {
        "api/app.py": STRAWBERRY_FASTAPI["api/app.py"].replace(
            'app.include_router(GraphQLRouter(schema), prefix="/gql")', "serve(schema)"
        )
    }
    route = inventory(files)["/{?}#query.ping"]
    assert "no endpoint serving the GraphQL schema `schema`" in route.notes[0]


def test_strawberry_permission_extension_and_endpoint_guards_combine() -> None:
    files = {
        "site/settings.py": "ROOT_URLCONF = 'site.urls'\n",
        "site/urls.py": """
            from django.contrib.auth.decorators import login_required
            from django.urls import path
            from strawberry.django.views import GraphQLView
            from site.schema import schema
            urlpatterns = [path("graphql/", login_required(GraphQLView.as_view(schema=schema)))]
        """,
        "site/schema.py": """
            import strawberry
            from strawberry.permission import BasePermission, PermissionExtension

            class IsAdmin(BasePermission):
                def has_permission(self, source, info, **kwargs) -> bool:
                    return info.context.request.user.is_superuser

            @strawberry.type
            class Query:
                @strawberry.field(extensions=[PermissionExtension(permissions=[IsAdmin()])])
                def audit_log(self) -> list[str]:
                    return []

                @strawberry.field
                def version(self) -> str:
                    return "1"

            schema = strawberry.Schema(query=Query)
        """,
    }
    routes = inventory(files)
    assert names(routes["/graphql/#query.auditLog"]) == (
        ["IsAdmin", "login_required"],
        ["IsAdmin"],
    )
    assert names(routes["/graphql/#query.version"]) == (["login_required"], [])


def test_graphql_service_auth_findings_match_its_annotations() -> None:
    """fixtures/graphql_service: BR301/BR302 fire on exactly the `# expect:` lines (one
    operation per root field, behind the endpoint that refuses anonymous callers or the open
    one) and on none of the `# ok:` near misses."""
    codes = ["BR301", "BR302"]
    config = load_config(SERVICE, {"analyzers": {"ruff": False, "bandit": False, "semgrep": False}})
    report = engine.review(SERVICE, config)
    expected, near = tree_annotations(SERVICE)
    got = triples(report.active, codes)
    assert got == {e for e in expected if e[0] in codes}
    assert not got & near
    assert {e[0] for e in near} == set(codes)


def test_endpoint_in_a_local_pattern_list_and_a_schema_a_test_builds() -> None:
    """netbox's shape: `_patterns = [path("graphql/", View.as_view(schema=schema))]` included
    by `urlpatterns`; a schema built inside a test serves nothing and must not make the
    endpoint's schema ambiguous."""
    files = {
        "site/settings.py": "ROOT_URLCONF = 'site.urls'\n",
        "site/urls.py": """
            from django.urls import include, path
            from site.views import TokenGraphQLView
            from site.schema import schema
            _patterns = [path("graphql/", TokenGraphQLView.as_view(schema=schema))]
            urlpatterns = [path("", include(_patterns))]
        """,
        "site/views.py": """
            from django.http import HttpResponseForbidden
            from strawberry.django.views import GraphQLView

            class TokenGraphQLView(GraphQLView):
                def dispatch(self, request, *args, **kwargs):
                    if not request.user.is_authenticated:
                        return HttpResponseForbidden("No credentials provided.")
                    return super().dispatch(request, *args, **kwargs)
        """,
        "site/schema.py": """
            import strawberry

            @strawberry.type
            class Query:
                @strawberry.field
                def version(self) -> str:
                    return "1"

            schema = strawberry.Schema(query=Query)
        """,
        "site/tests/test_schema.py": """
            import strawberry
            from site.schema import Query

            def test_schema():
                test_schema = strawberry.Schema(query=Query)
                assert test_schema
        """,
    }
    route = inventory(files)["/graphql/#query.version"]
    assert "TokenGraphQLView" in names(route)[0]
