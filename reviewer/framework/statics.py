"""Values a route declaration takes from names, read without running the code.

A prefix or path is often not written where it is used: `include_router(r, prefix=prefix)` with
`prefix = "/recipes"` at module level, `APIRouter(prefix=f"{base}/tags")`, `@app.get(path)`
inside `def create_app(path="/health")`, or `for router in ROUTERS: app.include_router(router)`
over a module-level tuple. Python gives each such name one value at the call (module constants
are bound at import; a parameter holds its default unless the caller passes one; a `for` target
takes each element of the iterable in turn), so the model can read them from the facts.
"""

from __future__ import annotations

from typing import Any

from reviewer.framework.index import Index, qualified
from reviewer.framework.values import ref

_DEPTH = 8


def module_value(index: Index, name: str, table: str, depth: int = 0) -> Any:
    """The module-level value (`lists` or `strings` facts) a qualified name holds, following
    `from x import NAME` and `NAME = other.NAME` across modules; None when unknown."""
    module, _, local = name.rpartition(".")
    relpath = index.modules.get(module)
    if relpath is None or depth > _DEPTH:
        return None
    f = index.facts[relpath]
    found = f.get(table, {}).get(local)
    if found is not None:
        return found
    imported = f["imports"].get(local) or ref(f["aliases"].get(local))
    if imported and imported != name:
        return module_value(index, imported, table, depth + 1)
    return None


def sequence(index: Index, value: Any, depth: int = 0) -> list[Any] | None:
    """The elements of an inline list/tuple or of a module-level one a name holds, `*other`
    spread in place; None when the value is no sequence the facts know."""
    if depth > _DEPTH:
        return None
    if not isinstance(value, list):
        found = module_value(index, ref(value), "lists") if ref(value) else None
        if not isinstance(found, list):
            return None
        value = found
    items: list[Any] = []
    for item in value:
        if isinstance(item, dict) and "star" in item:
            inner = sequence(index, item["star"], depth + 1)
            if inner is None:
                return None
            items += inner
        else:
            items.append(item)
    return items


def string_value(index: Index, value: Any, module: str, scope: str, depth: int = 0) -> str | None:
    """The string an encoded value stands for inside function `scope` of `module`: a literal,
    an f-string or `+` of known pieces, a parameter's default (of `scope` or a function around
    it), or a module-level string constant; None when any piece is unknown."""
    if isinstance(value, str):
        return value
    if depth > _DEPTH or not isinstance(value, dict):
        return None
    if "fstr" in value:
        pieces = [string_value(index, p, module, scope, depth + 1) for p in value["fstr"]]
        return "".join(p for p in pieces if p is not None) if None not in pieces else None
    if value.get("op") == "+":
        left = string_value(index, value["left"], module, scope, depth + 1)
        right = string_value(index, value["right"], module, scope, depth + 1)
        return left + right if left is not None and right is not None else None
    name = value.get("ref")
    if not isinstance(name, str) or not name:
        return None
    written = str(value.get("text") or "")
    if written and "." not in written:
        default = _parameter_default(index, written, module, scope)
        if default is not None:
            return string_value(index, default, module, "", depth + 1)
    found = module_value(index, name, "strings")  # its own names are qualified already
    if found is None:
        found = _class_attribute(index, name)
    return string_value(index, found, module, "", depth + 1) if found is not None else None


def _class_attribute(index: Index, name: str) -> Any:
    """`settings.API_PREFIX` with `settings = Settings()` (or `Settings.API_PREFIX`): the class
    attribute the instance reads, through project base classes. For a pydantic
    `BaseSettings` field this is the default, which an environment variable may override at
    run time (https://docs.pydantic.dev/latest/concepts/pydantic_settings/)."""
    owner, _, attr = name.rpartition(".")
    found = index.resolve(owner) if owner else None
    if found is None:
        return None
    klass = found.qualname
    if found.kind == "object":
        built = index.resolve(ref(found.record))
        if built is None or built.kind != "class":
            return None
        klass = built.qualname
    elif found.kind != "class":
        return None
    value = index.class_attr(klass, attr)
    return value[0] if value is not None else None


def _parameter_default(index: Index, param: str, module: str, scope: str) -> Any:
    """The default of parameter `param` of the innermost function around the use that has it
    (None when no such parameter, or it has no default: a caller must pass it)."""
    parts = scope.split(".") if scope else []
    while parts:
        func = index.function(qualified(module, ".".join(parts)))
        if func is not None:
            for p in func.record["params"]:
                if p["name"] == param:
                    return p["default"]
        parts.pop()
    return None


def expand_loops(index: Index, reg: dict[str, Any], module: str) -> list[dict[str, Any]]:
    """One registration per element a `for` loop around it binds: `for router in ROUTERS:
    app.include_router(router)` is an `include_router` of each element of ROUTERS (a tuple
    target `for router, prefix in [(a, "/a")]` binds element-wise). A loop over anything the
    facts do not hold leaves the registration as written."""
    regs = [reg]
    for names, iterable in reg.get("loops", []):
        items = sequence(index, iterable)
        if items is None:
            continue
        expanded = []
        for current in regs:
            for item in items:
                binding = _bind(names, item)
                if binding is not None:
                    expanded.append(_substitute(current, binding, module))
        regs = expanded
    return regs


def _bind(names: list[str], item: Any) -> dict[str, Any] | None:
    if len(names) == 1:
        return {names[0]: item}
    if isinstance(item, list) and len(item) == len(names):
        return dict(zip(names, item, strict=True))
    return None


def _substitute(reg: dict[str, Any], binding: dict[str, Any], module: str) -> dict[str, Any]:
    """The registration with each loop variable replaced by the element bound to it."""
    result = dict(reg)
    result["args"] = [_replace(a, binding) for a in reg["args"]]
    result["kwargs"] = {k: _replace(v, binding) for k, v in reg["kwargs"].items()}
    head, _, rest = reg["recv"].removeprefix(module + ".").partition(".")
    bound = binding.get(head)
    if reg["recv"].startswith(module + ".") and bound is not None and ref(bound):
        result["recv"] = ref(bound) + ("." + rest if rest else "")
    result.pop("loops", None)
    return result


def _replace(value: Any, binding: dict[str, Any]) -> Any:
    if isinstance(value, dict) and "ref" in value:
        head, _, rest = str(value.get("text") or "").partition(".")
        bound = binding.get(head)
        if bound is None:
            return value
        if not rest:
            return bound
        if ref(bound):  # `for plugin in PLUGINS: include(plugin.router)`
            text = f"{bound.get('text', ref(bound))}.{rest}"
            return {"ref": f"{ref(bound)}.{rest}", "text": text}
        return value
    if isinstance(value, list):
        return [_replace(v, binding) for v in value]
    if isinstance(value, dict) and "call" in value:
        return {
            **value,
            "args": [_replace(a, binding) for a in value["args"]],
            "kwargs": {k: _replace(v, binding) for k, v in value["kwargs"].items()},
        }
    return value
