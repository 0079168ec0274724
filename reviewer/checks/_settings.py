"""Django settings modules and settings read from the environment.

Shared by BR702 (`DEBUG` on in production settings) and BR212 (insecure production settings):
which modules production may load, and what a setting read from the environment is when the
variable is not set.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import libcst as cst

from reviewer.checks.env_lookups import EnvLookup, EnvWrapper, env_lookup, literal_string

DEV_SETTINGS = re.compile(
    r"(^|[/_.-])(dev|devel|development|local|test|tests|testing|unittests?|ci)([/_.-]|$)"
)
# The shared base that production settings import and override.
_BASE_SETTINGS = frozenset({"base", "common", "defaults", "shared"})


def _stem(relpath: str) -> str:
    return relpath.lower().rsplit("/", 1)[-1].removesuffix(".py")


def is_dev_settings(relpath: str) -> bool:
    """A module named for development, tests or CI (`settings/dev.py`, `local_settings.py`)."""
    return bool(DEV_SETTINGS.search(_stem(relpath)))


def is_production_settings(relpath: str) -> bool:
    """A settings module that production may use: `settings.py`, or a module of a `settings/`
    package other than development ones and the shared base that production settings import
    and override (`base.py`, `common.py`, `defaults.py`)."""
    path = relpath.lower()
    stem = _stem(path)
    if DEV_SETTINGS.search(stem):
        return False
    if path.endswith("settings.py"):
        return True
    return "/settings/" in f"/{path}" and stem not in _BASE_SETTINGS


# what `distutils.util.strtobool`, django-environ's and environs' `bool` read as on
TRUTHY = frozenset({"1", "true", "yes", "on", "y", "t"})
FALSY = frozenset({"0", "false", "no", "off", "n", "f", ""})


def truthy_literal(expr: cst.BaseExpression | None) -> bool:
    if expr is None:
        return False
    if (isinstance(expr, cst.Name) and expr.value == "True") or (
        isinstance(expr, cst.Integer) and expr.value not in ("0", "0x0")
    ):
        return True
    value = literal_string(expr)
    return value is not None and value.strip().lower() in TRUTHY


def _falsy_literal(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Name):
        return expr.value in ("False", "None")
    if isinstance(expr, cst.Integer):
        return expr.value in ("0", "0x0")
    value = literal_string(expr)
    return value is not None and value.strip().lower() in FALSY


_STRING_METHODS = ("lower", "strip", "casefold", "upper")
_SCHEME_CLASSES = frozenset({"environ.Env", "environ.FileAwareEnv"})


@dataclass(frozen=True)
class EnvScheme:
    """django-environ's scheme: `env = environ.Env(DEBUG=(bool, False))` gives `env("DEBUG")`
    and `env.bool("DEBUG")` the default False. `objects`: the names bound to such an Env."""

    objects: frozenset[str] = frozenset()
    defaults: Mapping[str, cst.BaseExpression] = field(default_factory=dict)


def env_scheme(
    module: cst.Module, resolve: Callable[[cst.BaseExpression], str | None]
) -> EnvScheme:
    """The module-level `name = environ.Env(VAR=(cast, default), ...)` assignments."""
    objects: set[str] = set()
    defaults: dict[str, cst.BaseExpression] = {}
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if not isinstance(small, cst.Assign) or not isinstance(small.value, cst.Call):
                continue
            if resolve(small.value.func) not in _SCHEME_CLASSES:
                continue
            objects.update(t.target.value for t in small.targets if isinstance(t.target, cst.Name))
            for arg in small.value.args:
                value = arg.value
                if (
                    arg.keyword is not None
                    and isinstance(value, cst.Tuple)
                    and len(value.elements) == 2
                ):
                    defaults[arg.keyword.value] = value.elements[1].value
    return EnvScheme(frozenset(objects), defaults)


def with_scheme(call: cst.Call, lookup: EnvLookup, scheme: EnvScheme | None) -> EnvLookup:
    """`env("VAR")` / `env.bool("VAR")` without a default on a django-environ Env whose scheme
    declares one: the lookup with the scheme's default."""
    if scheme is None or lookup.default is not None or lookup.variable not in scheme.defaults:
        return lookup
    func = call.func
    receiver = func.value if isinstance(func, cst.Attribute) else func
    if isinstance(receiver, cst.Name) and receiver.value in scheme.objects:
        return EnvLookup(lookup.variable, scheme.defaults[lookup.variable])
    return lookup


def env_flag(
    expr: cst.BaseExpression,
    call_name: Callable[[cst.Call], str | None],
    wrappers: Mapping[str, EnvWrapper],
    scheme: EnvScheme | None = None,
) -> tuple[EnvLookup, bool | None] | None:
    """`os.getenv("X", "True") == "True"`, `env.bool("X", default=False)`, `envbool("X", "1")`:
    the lookup and the flag's value when the variable is not set (None when that is not known
    from literals), or None when `expr` is not a flag read from the environment."""
    value, compared = expr, None
    if isinstance(value, cst.Comparison) and len(value.comparisons) == 1:
        test = value.comparisons[0]
        if not isinstance(test.operator, cst.Equal | cst.In):
            return None
        value, compared = value.left, test.comparator
        while (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Attribute)
            and value.func.attr.value in _STRING_METHODS
        ):
            value = value.func.value
    if not isinstance(value, cst.Call):
        return None
    lookup = env_lookup(value, call_name(value), wrappers)
    if lookup is None:
        return None
    lookup = with_scheme(value, lookup, scheme)
    default = lookup.default
    if compared is None:
        if default is None:
            return lookup, None
        if truthy_literal(default):
            return lookup, True
        return lookup, False if _falsy_literal(default) else None
    fallback = literal_string(default) if default is not None else None
    if fallback is None:
        return lookup, None
    elements = getattr(compared, "elements", None)
    accepted = (
        {literal_string(e.value) for e in elements}
        if elements is not None
        else {literal_string(compared)}
    )
    if fallback.strip().lower() in {a.lower() for a in accepted if a is not None}:
        return lookup, True
    return lookup, None if None in accepted else False
