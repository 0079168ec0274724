"""Environment and config lookups as syntax: `os.getenv("NAME", default)` and its friends, a
module's own wrappers around them, and string literals. Shared by the rules that judge what a
lookup falls back to (BR202 secrets, BR702 debug mode)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import libcst as cst


def literal_string(node: cst.BaseExpression) -> str | None:
    """The value of a plain string or bytes literal (implicit concatenation included)."""
    if type(node) is cst.SimpleString and ("\\" not in node.value or "r" in node.prefix.lower()):
        return node.raw_value  # no escape to interpret: skip evaluated_value's literal_eval
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        try:
            value = node.evaluated_value
        except Exception:  # odd escapes in an untrusted file: not worth a crash
            return None
        if isinstance(value, bytes):
            return value.decode("latin-1")
        return value
    return None


_OS_LOOKUPS = {"os.environ.get", "os.getenv", "os.environ.setdefault"}
_ENV_RECEIVERS = {"env", "environ", "environment", "_env"}
# Config objects read with a fallback: Flask `app.config.get`, dynaconf `settings.get`,
# Django `getattr(settings, "X", default)`.
_CONFIG_RECEIVERS = {"config", "settings", "conf", "configuration"}


@dataclass(frozen=True)
class EnvLookup:
    """`os.getenv("NAME", default)` and friends: the variable's name and the default given."""

    variable: str
    default: cst.BaseExpression | None


def keyword_arg(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def positional_arg(call: cst.Call, index: int) -> cst.BaseExpression | None:
    positional = [a for a in call.args if a.keyword is None and not a.star]
    return positional[index].value if len(positional) > index else None


@dataclass(frozen=True)
class EnvWrapper:
    """A module's own helper around an environment lookup (`def envbool(name, default):
    v = os.getenv(name, default=default) ...`): which of its parameters are the variable's name
    and the fallback."""

    name_index: int
    default_index: int | None
    default_keyword: str | None


def env_wrappers(
    module: cst.Module, resolve: Callable[[cst.BaseExpression], str | None]
) -> dict[str, EnvWrapper]:
    """The module-level functions that pass one parameter as the variable name to
    `os.getenv`/`os.environ.get`/python-decouple `config`, and another as its default: a call
    of one with literals is that lookup, with that default."""
    found: dict[str, EnvWrapper] = {}
    for stmt in module.body:
        if not isinstance(stmt, cst.FunctionDef):
            continue
        params = [p.name.value for p in (*stmt.params.posonly_params, *stmt.params.params)]
        for call in _calls(stmt.body):
            qualified = resolve(call.func) or ""
            if qualified not in _OS_LOOKUPS and qualified != "decouple.config":
                continue
            first = positional_arg(call, 0)
            if not isinstance(first, cst.Name) or first.value not in params:
                continue
            default = positional_arg(call, 1) or keyword_arg(call, "default")
            at = (
                params.index(default.value)
                if isinstance(default, cst.Name) and default.value in params
                else None
            )
            keyword = params[at] if at is not None else None
            found[stmt.name.value] = EnvWrapper(params.index(first.value), at, keyword)
            break
    return found


def _calls(node: cst.CSTNode) -> list[cst.Call]:
    out: list[cst.Call] = []

    class _Calls(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            out.append(call)

    node.visit(_Calls())
    return out


def env_lookup(
    call: cst.Call, qualified: str | None, wrappers: Mapping[str, EnvWrapper] | None = None
) -> EnvLookup | None:
    """An environment/config lookup by literal name: `os.environ.get`, `os.getenv`,
    `os.environ.setdefault`, python-decouple `config`, environs / django-environ `env.str`
    (`.bool`, `.int`, `.list`, `.tuple`),
    `env(...)`, starlette `Config` instances called as `config(...)`, config objects read
    with a fallback (`app.config.get("X", d)`, `settings.get("X", d)`,
    `getattr(settings, "X", d)`), and the module's own `wrappers` around one of these."""
    first = positional_arg(call, 0)
    variable = literal_string(first) if first is not None else None
    qualified = qualified or ""
    func = call.func
    default: cst.BaseExpression | None
    if wrappers and isinstance(func, cst.Name) and func.value in wrappers:
        wrapper = wrappers[func.value]
        named = positional_arg(call, wrapper.name_index)
        variable = literal_string(named) if named is not None else None
        if variable is None:
            return None
        default = None
        if wrapper.default_index is not None:
            default = positional_arg(call, wrapper.default_index)
        if default is None and wrapper.default_keyword is not None:
            default = keyword_arg(call, wrapper.default_keyword)
        return EnvLookup(variable, default)
    if isinstance(func, cst.Name) and func.value == "getattr":
        second = positional_arg(call, 1)
        receiver = (_last_name(first) or "").lower() if first is not None else ""
        variable = literal_string(second) if second is not None else None
        if variable is None or receiver not in _CONFIG_RECEIVERS:
            return None
        return EnvLookup(variable, positional_arg(call, 2))
    if variable is None:
        return None
    if qualified in _OS_LOOKUPS or qualified == "decouple.config":
        default = positional_arg(call, 1) or keyword_arg(call, "default")
    elif isinstance(func, cst.Name) and func.value in ("config", "env"):
        # starlette's Config and django-environ's Env take `cast` second: only `default=` counts.
        default = keyword_arg(call, "default")
    elif (
        isinstance(func, cst.Attribute)
        and func.attr.value in ("str", "bool", "int", "get", "get_value", "list", "tuple")
        and (_last_name(func.value) or "").lower() in _ENV_RECEIVERS | _CONFIG_RECEIVERS
    ):
        default = keyword_arg(call, "default")
        # django-environ's `list`/`tuple` take `cast` second: only `default=` counts there.
        if default is None and func.attr.value not in ("get_value", "list", "tuple"):
            default = positional_arg(call, 1)
    else:
        return None
    return EnvLookup(variable, default)


def _last_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Call):
        return _last_name(node.func)
    return None
