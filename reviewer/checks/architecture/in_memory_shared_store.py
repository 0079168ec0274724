"""BR407 in-memory-shared-store: rate limits, sessions or throttles kept in the process's memory."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from reviewer.checks._settings import is_dev_settings, is_production_settings
from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.checks.env_lookups import env_lookup, env_wrappers, literal_string
from reviewer.model import Confidence, Severity

if TYPE_CHECKING:
    from reviewer.context import FileContext

# flask-limiter and slowapi count in `memory://` unless told otherwise; both take a storage URI
# (https://flask-limiter.readthedocs.io/en/stable/configuration.html#RATELIMIT_STORAGE_URI,
# https://slowapi.readthedocs.io/en/latest/api/#limiter)
_LIMITERS = frozenset(
    {"flask_limiter.Limiter", "flask_limiter.extension.Limiter", "slowapi.Limiter"}
    | {"slowapi.extension.Limiter"}
)
_STORAGE_SETTINGS = frozenset({"RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_URL"})
_LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
_CACHE_SESSIONS = frozenset(
    {"django.contrib.sessions.backends.cache", "django.contrib.sessions.backends.cached_db"}
)


class InMemorySharedStore(Rule):
    """Rate-limit counters, sessions or throttles stored in the memory of each process.

    ## What it does
    Reports a storage that only the current process sees, where the data must be shared:
    flask-limiter's or slowapi's `Limiter(storage_uri="memory://")`, a `RATELIMIT_STORAGE_URI`
    setting of `memory://`, and either read from the environment with `memory://` as the
    fallback; and, in Django settings that production may use, a `LocMemCache` cache when the
    same module keeps sessions in the cache (`SESSION_ENGINE` `cache`/`cached_db`) or configures
    DRF throttles (`DEFAULT_THROTTLE_CLASSES`, which count in the default cache). A limiter
    without a storage URI is not reported here (the setting may come from the app's config),
    nor are development and test settings.

    ## Why is this bad
    Every worker process and every instance counts on its own: with four gunicorn workers a
    limit of 5 login attempts a minute is 20, and a session stored in one worker's memory is
    missing in the next request another worker serves, so users are logged out at random. It
    also resets on every restart and deploy.

    ## Example
    ```python
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://")
    ```

    ## Use instead
    ```python
    limiter = Limiter(get_remote_address, app=app, storage_uri=os.environ["REDIS_URL"])
    ```
    In Django, use a shared cache (Redis, memcached) for sessions and throttles.

    ## References
    - https://flask-limiter.readthedocs.io/en/stable/configuration.html#RATELIMIT_STORAGE_URI
    - https://slowapi.readthedocs.io/en/latest/
    - https://docs.djangoproject.com/en/stable/topics/cache/#local-memory-caching
    - https://docs.djangoproject.com/en/stable/topics/http/sessions/#using-cached-sessions
    - https://www.django-rest-framework.org/api-guide/throttling/#setting-up-the-cache
    - https://12factor.net/processes
    """

    code = "BR407"
    name = "in-memory-shared-store"
    item = "architecture"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    summary = "rate limits, sessions or throttles kept in each process's memory"

    VALID = [
        Valid(
            """
import os
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(get_remote_address, storage_uri=os.environ["REDIS_URL"])  # ok: BR407
other = Limiter(get_remote_address)  # ok: BR407 (the URI may come from the app's config)
RATELIMIT_STORAGE_URI = os.getenv("REDIS_URL", "redis://localhost:6379/0")  # ok: BR407
"""
        ),
        Valid(
            """
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # ok: BR407
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
""",
            path="project/settings/dev.py",
        ),
        Valid(
            """
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # ok: BR407 (sessions in the database)
""",
            path="project/settings.py",
        ),
    ]
    INVALID = [
        Invalid(
            """
import os
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(get_remote_address, storage_uri="memory://")  # expect: BR407
RATELIMIT_STORAGE_URI = os.getenv("REDIS_URL", "memory://")  # expect: BR407
"""
        ),
        Invalid(
            """
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},  # expect: BR407
}
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
REST_FRAMEWORK = {"DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"]}
""",
            path="project/settings.py",
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._skip = ctx.is_test_file or is_dev_settings(ctx.relpath)
        self._wrappers = env_wrappers(ctx.module, ctx.resolve) if not self._skip else {}
        self._django = not self._skip and is_production_settings(ctx.relpath)
        self._shares_cache = self._django and _keeps_shared_data_in_cache(ctx.module)

    def visit_Call(self, node: cst.Call) -> None:
        if self._skip or (self.ctx.call_name(node) or "") not in _LIMITERS:
            return
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "storage_uri":
                self._judge_uri(arg.value, "the limiter's `storage_uri`")

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._skip:
            return
        for target in node.targets:
            name = target.target
            if isinstance(name, cst.Name) and name.value in _STORAGE_SETTINGS:
                self._judge_uri(node.value, f"`{name.value}`")
            elif isinstance(name, cst.Name) and name.value == "CACHES" and self._shares_cache:
                for backend in _locmem_backends(node.value):
                    self.report(
                        backend,
                        "The cache is `LocMemCache`, and this module keeps sessions or DRF "
                        "throttles in the cache: each process has its own, so sessions vanish "
                        "and limits multiply with every worker. Use a shared cache (Redis, "
                        "memcached).",
                    )

    def _judge_uri(self, value: cst.BaseExpression, what: str) -> None:
        uri = literal_string(value)
        fallback = False
        if uri is None and isinstance(value, cst.Call):
            lookup = env_lookup(value, self.ctx.call_name(value), self._wrappers)
            if lookup is not None and lookup.default is not None:
                uri, fallback = literal_string(lookup.default), True
        if uri is None or not uri.startswith("memory://"):
            return
        how = "falls back to `memory://`" if fallback else "is `memory://`"
        self.report(
            value,
            f"{what} {how}: each worker process counts its own requests, so a limit of N "
            "becomes N times the number of workers and instances, and resets on restart. "
            "Point it at a shared store (`redis://...`).",
        )


def _keeps_shared_data_in_cache(module: cst.Module) -> bool:
    """The settings module keeps sessions in the cache or configures DRF throttles."""
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if not isinstance(small, cst.Assign) or len(small.targets) != 1:
                continue
            target = small.targets[0].target
            if not isinstance(target, cst.Name):
                continue
            if target.value == "SESSION_ENGINE" and literal_string(small.value) in _CACHE_SESSIONS:
                return True
            if target.value == "REST_FRAMEWORK" and isinstance(small.value, cst.Dict):
                for element in small.value.elements:
                    if isinstance(element, cst.DictElement) and (
                        literal_string(element.key) == "DEFAULT_THROTTLE_CLASSES"
                    ):
                        return True
    return False


def _locmem_backends(value: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The `"BACKEND": LocMemCache` values of a CACHES dict literal."""
    found: list[cst.BaseExpression] = []
    if not isinstance(value, cst.Dict):
        return found
    for element in value.elements:
        if not isinstance(element, cst.DictElement) or not isinstance(element.value, cst.Dict):
            continue
        for inner in element.value.elements:
            if (
                isinstance(inner, cst.DictElement)
                and literal_string(inner.key) == "BACKEND"
                and literal_string(inner.value) == _LOCMEM
            ):
                found.append(inner.value)
    return found
