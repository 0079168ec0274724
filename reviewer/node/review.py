"""The Node frontend's one call: parse the JavaScript/TypeScript files, build their routes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase

from reviewer.config import Config
from reviewer.framework.test_match import tests_for
from reviewer.meta_findings import ANALYZER_FAILED, PARSE_ERROR, meta_finding
from reviewer.model import Finding, Location
from reviewer.node.express import _TEST_FILE, express_routes
from reviewer.node.fastify import fastify_routes
from reviewer.node.hono import hono_routes
from reviewer.node.koa import koa_routes
from reviewer.node.manifests import Manifests, read_manifests
from reviewer.node.modules import Program
from reviewer.node.nest import nest_routes
from reviewer.node.syntax import Parsed, parse
from reviewer.node.test_requests import test_requests
from reviewer.service import Guard, Route

# The checklist items whose rules read what this frontend builds (BR301 and BR803 on its
# routes); the other items have no JavaScript rule yet and stay n/a for a Node-only service.
NODE_ITEMS = ("authentication", "rate-limiting")


@dataclass(frozen=True)
class NodeReview:
    routes: tuple[Route, ...] = ()
    rate_limiting: tuple[Guard, ...] = ()
    findings: tuple[Finding, ...] = ()
    reviewed: tuple[str, ...] = ()
    not_reviewed: tuple[tuple[str, str], ...] = ()


def review_node(
    files: Mapping[str, bytes], config: Config, manifests: Mapping[str, bytes] | None = None
) -> NodeReview:
    """Routes, limiters and parse errors of the Node files (relative path -> bytes); the
    package.json/tsconfig.json `manifests` (relative path -> bytes) are read from under
    `config.root` when not given."""
    if manifests is None:
        manifests = read_manifests(config.root, files)
    parsed: dict[str, Parsed] = {}
    findings: list[Finding] = []
    not_reviewed: list[tuple[str, str]] = []
    for relpath, data in sorted(files.items()):
        try:
            result = parse(relpath, data)
        except (ValueError, RecursionError) as error:  # pragma: no cover - tree-sitter limits
            not_reviewed.append((relpath, f"cannot be parsed: {error}"))
            continue
        parsed[relpath] = result  # a file with an error still gives the routes outside it
        if result.error_line:
            reason = f"syntax error at line {result.error_line}: {result.error}"
            not_reviewed.append((relpath, reason))
            findings.append(meta_finding(PARSE_ERROR, Location(relpath, result.error_line), reason))
    program = Program(parsed, Manifests.of(manifests))
    routes: list[Route] = []
    limiters: set[Guard] = set()
    for name, builder in (
        ("express", lambda: express_routes(program, files)),
        ("fastify", lambda: fastify_routes(program, files)),
        ("hono", lambda: hono_routes(program, files)),
        ("koa", lambda: koa_routes(program, files)),
        ("nestjs", lambda: _with_limiters(nest_routes(program, files))),
    ):
        try:
            found, limits = builder()
        except (RecursionError, ValueError) as error:  # a hostile tree must not stop the review
            anchor = min(files, default=".")
            message = f"{name} route model failed ({type(error).__name__}); its routes are missing"
            findings.append(meta_finding(ANALYZER_FAILED, Location(anchor, 1), message))
            continue
        routes += [r for r in found if not _TEST_FILE.search(r.file)]
        limiters |= set(limits)
    routes = [replace(r, public=True) if _configured_public(r, config) else r for r in routes]
    sent = test_requests(parsed, _TEST_FILE.search)  # what the test suite requests
    routes = [replace(r, tests=tuple(tests_for(r, sent))) for r in routes]
    return NodeReview(
        routes=tuple(sorted(routes, key=lambda r: (r.path, r.methods, r.file, r.line))),
        rate_limiting=tuple(sorted(limiters)),
        findings=tuple(findings),
        reviewed=tuple(sorted(p for p, r in parsed.items() if not r.error_line)),
        not_reviewed=tuple(not_reviewed),
    )


def _with_limiters(routes: list[Route]) -> tuple[list[Route], list[Guard]]:
    return routes, [g for r in routes for g in r.rate_limits]


def _configured_public(route: Route, config: Config) -> bool:
    """`public-routes` in the config: a path glob (`/health`, `/api/public/*`) or a handler."""
    for pattern in config.public_routes:
        if pattern == route.handler:
            return True
        if pattern.startswith("/") and fnmatchcase(route.path, pattern):
            return True
    return False
