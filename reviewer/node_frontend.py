"""The Node.js frontend behind the engine's seam (reviewer/frontend.py).

It reviews the JavaScript/TypeScript files with reviewer/node/ (tree-sitter, module
resolution, Express, Fastify, NestJS, Hono and Koa routes) and runs, on the routes it found, the
project-level rules whose logic is language-neutral: BR301 (route without authentication)
and BR803 (no rate limiting); then the rules with a per-file JavaScript side (BR201 hardcoded
secrets, BR202 env fallbacks, BR101 SQL injection, BR601 blocking calls in handlers,
BR801 sensitive data logged) on every file that parsed. Only their checklist items apply to a Node-only service;
every other item stays n/a until a JavaScript rule covers it. Its results are cached under all
their inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reviewer.cache import Cache, content_hash, key_of
from reviewer.checks.async_io.blocking_call_in_async import BlockingCallInAsync
from reviewer.checks.auth.route_without_auth import RouteWithoutAuth
from reviewer.checks.base import Rule
from reviewer.checks.errors.internal_error_exposed import InternalErrorExposed
from reviewer.checks.injection.sql_injection import SqlInjection
from reviewer.checks.logging.sensitive_data_logged import SensitiveDataLogged
from reviewer.checks.ratelimit.route_without_rate_limit import RouteWithoutRateLimit
from reviewer.checks.secrets.hardcoded_secret import HardcodedSecret
from reviewer.checks.secrets.secret_default_in_env_lookup import SecretDefaultInEnvLookup
from reviewer.config import Config
from reviewer.frontend import FrontendResult, FrontendRun
from reviewer.meta_findings import ANALYZER_FAILED, PARSE_ERROR
from reviewer.model import Finding, RuleMeta
from reviewer.native import code_salt, config_salt
from reviewer.node import NODE_ITEMS, NodeReview, review_node
from reviewer.node.manifests import read_manifests
from reviewer.node.syntax import SUFFIXES, parse
from reviewer.registry import Registry
from reviewer.service import Project

RULES: tuple[type[Rule], ...] = (RouteWithoutAuth, RouteWithoutRateLimit)
# Rules with a per-file JavaScript/TypeScript side (`Rule.node_findings`) and the checklist
# item each makes applicable wherever a Node file was reviewed.
FILE_RULES: tuple[type[Rule], ...] = (
    HardcodedSecret,
    SecretDefaultInEnvLookup,
    SqlInjection,
    BlockingCallInAsync,
    SensitiveDataLogged,
    InternalErrorExposed,
)


class NodeFrontend:
    name = "node"
    suffixes: tuple[str, ...] = SUFFIXES

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def rules(self) -> Sequence[RuleMeta]:
        codes = {cls.code for cls in (*RULES, *FILE_RULES)} | {PARSE_ERROR, ANALYZER_FAILED}
        return tuple(m for m in self.registry.enabled if m.code in codes)

    def review(self, files: Mapping[str, bytes], run: FrontendRun) -> FrontendResult:
        if not files:
            return FrontendResult()
        node = cached_review(files, run.config, run.cache)
        enabled = self.registry.enabled_codes
        findings = [f for f in node.findings if f.code in enabled]
        findings += node_findings([c for c in RULES if c.code in enabled], node, run.config)
        file_rules = [c for c in FILE_RULES if c.code in enabled]
        reviewed = {rel: files[rel] for rel in node.reviewed}
        findings += cached_file_findings(file_rules, reviewed, run.config, run.cache)
        applicable = dict.fromkeys(NODE_ITEMS, bool(node.routes))
        applicable |= {cls.item: bool(node.reviewed) for cls in file_rules}
        return FrontendResult(
            findings=tuple(findings),
            routes=node.routes,
            not_reviewed=node.not_reviewed,
            applicable=applicable,
        )


def node_findings(rules: Sequence[type[Rule]], node: NodeReview, config: Config) -> list[Finding]:
    """The project-level findings of `rules` on the Node frontend's routes."""
    project = Project(
        routes=node.routes,
        frameworks=tuple(sorted({r.framework for r in node.routes})),
        rate_limiting=node.rate_limiting,
    )
    return [f for cls in rules if cls in RULES for f in cls.project_findings(project, config)]


def file_findings(
    rules: Sequence[type[Rule]], files: Mapping[str, bytes], config: Config
) -> list[Finding]:
    """The per-file findings of `rules` on the JavaScript/TypeScript files that parsed."""
    findings: list[Finding] = []
    for relpath, data in sorted(files.items()):
        parsed = parse(relpath, data)
        for cls in rules:
            findings += cls.node_findings(parsed, config)
    return findings


def cached_file_findings(
    rules: Sequence[type[Rule]], files: Mapping[str, bytes], config: Config, cache: Cache | None
) -> list[Finding]:
    """`file_findings`, cached under our code, the config, the rules and every file's hash."""
    if cache is None or not rules or not files:
        return file_findings(rules, files, config)
    key = key_of(
        "node-files",
        code_salt(),
        config_salt(config),
        *sorted(cls.code for cls in rules),
        *sorted(key_of(rel, content_hash(data)) for rel, data in files.items()),
    )
    hit = cache.get_many([key]).get(key)
    if isinstance(hit, list):
        return hit
    result = file_findings(rules, files, config)
    cache.put_many({key: result})
    return result


def cached_review(files: Mapping[str, bytes], config: Config, cache: Cache | None) -> NodeReview:
    """`review_node`, cached under our code, the config and every file's hash: a warm run does
    not parse the JavaScript again."""
    manifests = read_manifests(config.root, files)  # package.json/tsconfig.json: part of the key
    if cache is None:
        return review_node(files, config, manifests)
    key = key_of(
        "node",
        code_salt(),
        config_salt(config),
        *sorted(key_of(rel, content_hash(data)) for rel, data in files.items()),
        *sorted(key_of(rel, content_hash(data)) for rel, data in manifests.items()),
    )
    hit = cache.get_many([key]).get(key)
    if isinstance(hit, NodeReview):
        return hit
    result = review_node(files, config, manifests)
    cache.put_many({key: result})
    return result
