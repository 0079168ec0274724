"""Join every file's framework facts into the project model: the route inventory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from reviewer.config import Config
from reviewer.context import is_test_path
from reviewer.framework import guards as g
from reviewer.framework.apps import Apps
from reviewer.framework.collect import FACTS_KEY
from reviewer.framework.common import is_validator_type
from reviewer.framework.django import Django
from reviewer.framework.graphql import GraphQL, inherit_tests
from reviewer.framework.index import Index, package_name
from reviewer.framework.layers import build_layers
from reviewer.framework.litestar import Litestar
from reviewer.framework.relations import relations_from_facts
from reviewer.framework.test_calls import FACTS_KEY as TEST_CALLS
from reviewer.framework.test_match import resolve_references, tests_for
from reviewer.framework.values import ref, tail
from reviewer.http import ANY_METHOD, method_rank
from reviewer.service import RATE_LIMIT, BuilderError, Guard, Layers, Project, Route
from reviewer.taint.index import FACTS_KEY as TAINT
from reviewer.taint.index import build_index_from_facts

SERVICE_PARTS = (
    "service",
    "services",
    "usecases",
    "use_cases",
    "domain",
    "repository",
    "repositories",
    "crud",
    "selectors",
    "queries",
    "dao",
    "tasks",
)


def build_project(facts: Mapping[str, Mapping[str, Any]], config: Config) -> Project:
    """The route inventory and the files second-phase rules must visit."""
    framework_facts = {path: f[FACTS_KEY] for path, f in facts.items() if f and FACTS_KEY in f}
    index = Index.build(framework_facts, config)
    routes: list[Route] = []
    errors: list[BuilderError] = []
    django = Django(index)
    for name, builder in (
        ("flask/fastapi/aiohttp", lambda: Apps(index).routes()),
        ("django", django.routes),
        ("litestar", lambda: Litestar(index).routes()),
    ):
        try:
            routes += builder()
        except Exception as exc:  # a model bug must not lose the rest of the review
            reading = _file_being_read(exc, framework_facts)
            errors.append(BuilderError(name, reading, f"{type(exc).__name__}: {exc}"))
    try:  # GraphQL operations behind the endpoints the builders above found
        routes += GraphQL(index).routes(routes)
    except Exception as exc:
        reading = _file_being_read(exc, framework_facts)
        errors.append(BuilderError("graphql", reading, f"{type(exc).__name__}: {exc}"))
    # Routes declared in test files are test scaffolding (an app built inside a test to
    # exercise a library), not endpoints of the service under review.
    routes = [r for r in _dedupe(routes) if not is_test_path(r.file)]
    files = {r.file for r in routes if r.file}
    files |= {p for p in framework_facts if is_service_module(p)}
    # views exempted from Django's CSRF check that no route reaches, DRF session authentication
    # without its CSRF check (BR211 judges them alone)
    files |= {p for p, f in framework_facts.items() if _declares_csrf_exempt(f)}
    frameworks = tuple(sorted({r.framework for r in routes}))
    taint = build_index_from_facts(
        {p: f for p, f in facts.items() if f and TAINT in f}, package_name(config.root)
    )
    files |= taint.relevant_files()
    test_calls = resolve_references(
        {p: f[TEST_CALLS] for p, f in facts.items() if f and TEST_CALLS in f}
    )
    routes = inherit_tests([replace(r, tests=tuple(tests_for(r, test_calls))) for r in routes])
    schemas = frozenset(
        name
        for name, d in index.defs.items()
        if d.kind == "class" and d.qualname == name and is_validator_type(index, name)
    )
    try:  # the layer model (module roles) is read by the architecture rules and `layers`
        layers = build_layers(index, facts, routes, schemas)
    except Exception as exc:
        layers = Layers()
        errors.append(BuilderError("layers", "", f"{type(exc).__name__}: {exc}"))
    return Project(
        routes=tuple(sorted(routes, key=_route_order)),
        files=frozenset(files),
        frameworks=frameworks,
        rate_limiting=_rate_limiting(index, routes, django),
        facts=framework_facts,
        test_calls=test_calls,
        taint=taint,
        errors=tuple(errors),
        relations=tuple(relations_from_facts(framework_facts)),
        schemas=schemas,
        layers=layers,
    )


def _file_being_read(error: Exception, facts: Mapping[str, Any]) -> str:
    """The reviewed file whose facts a crashed builder was reading: the builders name it
    `relpath` while they walk a file, so the innermost frame holding one tells (else "")."""
    frames = []
    tb = error.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in reversed(frames):
        relpath = frame.f_locals.get("relpath")
        if isinstance(relpath, str) and relpath in facts:
            return relpath
    return ""


def _route_order(route: Route) -> tuple[Any, ...]:
    rank = method_rank(route.methods[0] if route.methods else ANY_METHOD)
    return (route.path, rank, route.methods, route.file, route.line, route.handler)


def _dedupe(routes: list[Route]) -> list[Route]:
    seen: dict[tuple[Any, ...], Route] = {}
    for r in routes:
        seen.setdefault((r.methods, r.path, r.file, r.handler), r)
    return list(seen.values())


def _declares_csrf_exempt(facts: Mapping[str, Any]) -> bool:
    """Some function of the file is decorated `@csrf_exempt` (django.views.decorators.csrf), or
    a DRF authentication class overrides `enforce_csrf` or `authenticate`."""
    for record in facts.get("functions", {}).values():
        for dec in record.get("decorators", ()):
            if isinstance(dec, Mapping) and dec.get("ref") in g.CSRF_EXEMPT:
                return True
    for record in facts.get("classes", {}).values():
        methods = record.get("methods", ())
        if ("enforce_csrf" in methods or "authenticate" in methods) and any(
            isinstance(b, Mapping) and str(b.get("ref", "")).endswith("Authentication")
            for b in record.get("bases", ())
        ):
            return True
    return False


def is_service_module(relpath: str) -> bool:
    """Service-layer modules: `services.py`, `services/...`, `*_service.py`."""
    parts = relpath.removesuffix(".py").split("/")
    return any(p in SERVICE_PARTS or p.endswith("_service") for p in parts)


def _rate_limiting(index: Index, routes: list[Route], django: Django) -> tuple[Guard, ...]:
    """Every limiter, throttle or rate-limit guard anywhere in the project."""
    found: list[Guard] = [x for r in routes for x in r.rate_limits]
    for d in index.defs.values():
        if d.kind == "object" and index.canonical(ref(d.record)) in g.LIMITER_CTORS:
            found.append(Guard(tail(d.qualname), RATE_LIMIT, "app", d.file))
        if d.kind == "function":
            for dec in d.record["decorators"]:
                kinds, shown = g.decorator_kinds(index, dec)
                if RATE_LIMIT in kinds:
                    found.append(Guard(shown, RATE_LIMIT, "route", d.file, d.record["line"]))
    if django.default_throttles():
        found.append(
            Guard("DEFAULT_THROTTLE_CLASSES", RATE_LIMIT, "settings", django.settings_file)
        )
    for name in django.middleware:
        if g.RATE_NAME.search(tail(name)):
            found.append(Guard(tail(name), RATE_LIMIT, "settings", django.settings_file))
    for f in index.facts.values():
        for reg in f["registrations"]:
            if (
                reg["method"] == "add_middleware"
                and reg["args"]
                and g.RATE_NAME.search(tail(ref(reg["args"][0])))
            ):
                found.append(Guard(tail(ref(reg["args"][0])), RATE_LIMIT, "middleware"))
    return tuple(sorted(set(found)))
