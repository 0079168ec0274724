"""URL patterns a project's own function builds from a registry its decorators fill.

A decorator (or decorator factory) appends what it decorates to a module-level container,
keyed by its arguments (`registry["views"][app][model].append({"view": cls, "path": ...})`);
a function looks the entries up by its own arguments and returns one `path()` per entry; the
URLconf calls it (`path("sites/", include(get_model_urls("dcim", "site")))`). At run time the
decorators have run by the time the URLconf is imported, so the URL map holds every entry.
Statically: evaluate every decorator site (and `decorator(args)(target)` call) with its
arguments to fill the registry, then each builder call with its arguments, over the symbolic
facts of symbolic.py. What cannot be evaluated is UNKNOWN and yields nothing, never a guess.
Framework meaning (what `Model._meta.app_label` or `View.as_view()` is) comes from the caller
as hooks, so this module only knows Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from reviewer.framework.index import Def, Index, qualified
from reviewer.framework.values import ref

MAX_ENTRIES = (
    20000  # evaluated registry entries and built patterns, each: hostile input stays cheap
)


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class Ref:
    """A name in the project or a library (a class, a function), canonical when known."""

    name: str


@dataclass(frozen=True)
class Slot:
    """`container[k1]...[kn]` read from a module-level container: the entries stored there."""

    base: str
    keys: tuple[Any, ...]


@dataclass(frozen=True)
class Pattern:
    """One URL pattern a builder call returns: `path(route, view, name=...)`."""

    kind: str  # path | re_path | url
    route: Any  # str, or UNKNOWN
    view: Any  # Ref, or UNKNOWN
    name: Any


# hooks: attribute(value, name) and call(callee qualified name, function value, args, kwargs);
# startup(): the calls the framework makes when the application starts, each with its bindings
AttributeHook = Callable[[Any, str], Any]
CallHook = Callable[[str, Any, list[Any], dict[str, Any]], Any]
StartupHook = Callable[[], list[tuple[dict[str, Any], dict[str, Any]]]]


class ViewRegistry:
    def __init__(
        self,
        index: Index,
        attribute: AttributeHook,
        call: CallHook,
        startup: StartupHook | None = None,
    ) -> None:
        self.index = index
        self.attribute = attribute
        self.call = call
        self.startup = startup
        self.entries: dict[tuple[str, tuple[Any, ...]], list[Any]] = {}
        self.builders: dict[str, list[dict[str, Any]]] = {}
        self.applied_in: dict[str, list[dict[str, Any]]] = {}  # function -> its applications
        self._count = 0
        registrars: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for f in index.facts.values():
            module = f["module"]
            for applied in f.get("applied", ()):
                if applied.get("scope"):
                    scope = qualified(module, applied["scope"])
                    self.applied_in.setdefault(scope, []).append(applied)
            for store in f.get("registry_stores", ()):
                scope = qualified(module, store["scope"])
                registrars.setdefault(scope, []).append(("bare", store))
                if "." in store["scope"]:
                    registrars.setdefault(scope.rsplit(".", 1)[0], []).append(("factory", store))
            for build in f.get("url_builds", ()):
                self.builders.setdefault(qualified(module, build["scope"]), []).append(build)
        if registrars and self.builders:
            self._fill(registrars)

    # -- filling the registry ----------------------------------------------------------
    def _fill(self, registrars: dict[str, list[tuple[str, dict[str, Any]]]]) -> None:
        index = self.index
        for f in index.facts.values():
            module = f["module"]
            for table in ("classes", "functions"):
                for name, record in f[table].items():
                    target = Ref(qualified(module, name))
                    for dec in record["decorators"]:
                        self._apply(dec, target, registrars)
            for applied in f.get("applied", ()):
                if not applied.get("scope"):
                    self._apply(applied["decorator"], self.value(applied["target"]), registrars)
        if self.startup is not None and self.applied_in:
            for call, env in self.startup():
                self._run(call, env, registrars)

    def _run(
        self,
        call: dict[str, Any],
        env: dict[str, Any],
        registrars: dict[str, list[tuple[str, dict[str, Any]]]],
    ) -> None:
        """A startup call of a function that applies registrars in its body
        (`register_models(*self.get_models())` -> `register(model, "journal")(View)` per model
        that passes the `if` tests around it)."""
        callee = self.evaluate(call.get("func"), env)
        found = self.index.function(callee.name) if isinstance(callee, Ref) else None
        if found is None or found.qualname not in self.applied_in:
            return
        args = self._args(call["args"], env)
        if args is UNKNOWN:
            return
        kwargs = {k: self.evaluate(v, env) for k, v in call["kwargs"].items()}
        inner = self._bind_values(found.record["params"], args, kwargs)
        for applied in self.applied_in[found.qualname]:
            for bound in self._loops(applied["loops"], inner):
                tests = [
                    _truth(self.evaluate(test, bound)) in (want, UNKNOWN)
                    for test, want in applied["conditions"]
                ]
                dec = applied["decorator"]
                if not all(tests) or not isinstance(dec, dict) or "func" not in dec:
                    continue
                registrar = self.evaluate(dec["func"], bound)
                target_def = (
                    self.index.function(registrar.name) if isinstance(registrar, Ref) else None
                )
                dec_args = self._args(dec["args"], bound)
                if target_def is None or dec_args is UNKNOWN:
                    continue
                dec_kwargs = {k: self.evaluate(v, bound) for k, v in dec["kwargs"].items()}
                target = self.evaluate(applied["target"], bound)
                self._apply_values(target_def, True, dec_args, dec_kwargs, target, registrars)

    def _apply(
        self, dec: Any, target: Any, registrars: dict[str, list[tuple[str, dict[str, Any]]]]
    ) -> None:
        name = ref(dec)
        if not name:
            return
        found = self.index.function(name)
        if found is None or found.qualname not in registrars:
            return
        called = isinstance(dec, dict) and "call" in dec
        args = [self.value(a) for a in dec["args"]] if called else []
        kwargs = {k: self.value(v) for k, v in dec["kwargs"].items()} if called else {}
        self._apply_values(found, called, args, kwargs, target, registrars)

    def _apply_values(
        self,
        found: Def,
        called: bool,
        args: list[Any],
        kwargs: dict[str, Any],
        target: Any,
        registrars: dict[str, list[tuple[str, dict[str, Any]]]],
    ) -> None:
        if found.qualname not in registrars:
            return
        for shape, store in registrars[found.qualname]:
            if (shape == "factory") != called:
                continue
            env: dict[str, Any] = {}
            if called:
                env.update(self._bind_values(found.record["params"], args, kwargs))
                inner = self.index.function(f"{found.qualname}.{store['scope'].rsplit('.', 1)[1]}")
                params = inner.record["params"] if inner is not None else []
            else:
                params = found.record["params"]
            if params:
                env[params[0]["name"]] = target
            self._store(store, env)

    def _store(self, store: dict[str, Any], env: dict[str, Any]) -> None:
        if self._count >= MAX_ENTRIES:
            return
        keys = tuple(self.evaluate(k, env) for k in store["keys"])
        if not all(isinstance(k, str | int | bool) for k in keys):
            return
        value = self.evaluate(store["value"], env)
        if value is UNKNOWN:
            return
        base = self.index.canonical(store["base"])
        self.entries.setdefault((base, keys), []).append(value)
        self._count += 1

    def _bind(
        self, params: list[dict[str, Any]], args: list[Any], kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        """Parameters bound to a call site's encoded arguments (values.encode)."""
        values = [self.value(a) for a in args]
        return self._bind_values(params, values, {k: self.value(v) for k, v in kwargs.items()})

    def _bind_values(
        self, params: list[dict[str, Any]], args: list[Any], kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        """Parameters bound to evaluated arguments: positional ones in order, the rest into
        `*args`, keywords by name, defaults for what is not passed."""
        env: dict[str, Any] = {}
        positional = [p for p in params if p["kind"] == "pos"]
        for i, param in enumerate(positional):
            if i < len(args):
                env[param["name"]] = args[i]
        rest = next((p for p in params if p.get("stars") == "*"), None)
        if rest is not None:
            env[rest["name"]] = list(args[len(positional) :])
        for param in params:
            name = param["name"]
            if name in kwargs:
                env[name] = kwargs[name]
            elif name not in env and param["kind"] != "star":
                env[name] = self.value(param["default"])
        return env

    def _args(self, syms: list[Any], env: dict[str, Any]) -> Any:
        """Positional arguments evaluated, `*iterable` spread; UNKNOWN when a spread is."""
        out: list[Any] = []
        for sym in syms:
            if isinstance(sym, dict) and "star" in sym:
                spread = self.evaluate(sym["star"], env)
                if not isinstance(spread, list):
                    return UNKNOWN
                out += spread
            else:
                out.append(self.evaluate(sym, env))
        return out

    def value(self, encoded: Any) -> Any:
        """A value as values.encode wrote it (a call site's argument, a default)."""
        if encoded is None or isinstance(encoded, str | int | bool | float):
            return encoded
        if isinstance(encoded, list):
            return [self.value(v) for v in encoded]
        if isinstance(encoded, dict):
            if "ref" in encoded:
                return Ref(self.index.canonical(str(encoded["ref"])))
            if "dict" in encoded:
                pairs = [(self.value(k), self.value(v)) for k, v in encoded["dict"]]
                if all(isinstance(k, str | int | bool) for k, _ in pairs):
                    return dict(pairs)
        return UNKNOWN

    # -- building patterns -------------------------------------------------------------
    def is_builder(self, name: str) -> bool:
        found = self.index.function(name) if name else None
        return found is not None and found.qualname in self.builders

    def build(self, call: dict[str, Any]) -> list[Pattern]:
        """The patterns `builder(args)` returns, for an encoded call in a URLconf."""
        found = self.index.function(ref(call))
        if found is None or found.qualname not in self.builders:
            return []
        env = self._bind(found.record["params"], call["args"], call["kwargs"])
        patterns: list[Pattern] = []
        for build in self.builders[found.qualname]:
            for bound in self._loops(build["loops"], env):
                made = build["call"]
                args = [self.evaluate(a, bound) for a in made["args"]]
                if len(args) < 2 or len(patterns) >= MAX_ENTRIES:
                    continue
                name = self.evaluate(made["kwargs"].get("name"), bound)
                kind = made["call"].rsplit(".", 1)[-1]
                patterns.append(Pattern(kind, args[0], args[1], name))
        return patterns

    def _loops(self, loops: list[dict[str, Any]], env: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if not loops:
            yield env
            return
        first, rest = loops[0], loops[1:]
        for item in self._iterate(self.evaluate(first["iter"], env)):
            yield from self._loops(rest, {**env, first["var"]: item})

    def _iterate(self, value: Any) -> list[Any]:
        if isinstance(value, Slot):
            return list(self.entries.get((value.base, value.keys), []))
        if isinstance(value, list):
            return value
        return []

    # -- the evaluator -----------------------------------------------------------------
    def _issubclass(self, args: list[Any]) -> Any:
        """Python's issubclass() over the project's class hierarchy (a base outside the
        project is known by its qualified name)."""
        if len(args) != 2 or not isinstance(args[0], Ref):
            return UNKNOWN
        bases = args[1] if isinstance(args[1], list) else [args[1]]
        if not all(isinstance(b, Ref) for b in bases):
            return UNKNOWN
        chain = {args[0].name, *self.index.ancestors(args[0].name)}
        return any(b.name in chain for b in bases)

    def evaluate(self, sym: Any, env: dict[str, Any]) -> Any:
        if sym is None or isinstance(sym, str | int | bool | float):
            return sym
        if isinstance(sym, list):
            return [self.evaluate(s, env) for s in sym]
        if not isinstance(sym, dict):
            return UNKNOWN
        if "var" in sym:
            return env.get(sym["var"], UNKNOWN)
        if "ref" in sym:
            return Ref(self.index.canonical(sym["ref"]))
        if "any" in sym:
            for alternative in sym["any"]:
                found = self.evaluate(alternative, env)
                if found is not UNKNOWN:
                    return found
            return UNKNOWN
        if "attr" in sym:
            base, name = sym["attr"]
            value = self.evaluate(base, env)
            return UNKNOWN if value is UNKNOWN else self.attribute(value, name)
        if "item" in sym:
            return _item(self.evaluate(sym["item"][0], env), self.evaluate(sym["item"][1], env))
        if "if" in sym:
            test = _truth(self.evaluate(sym["if"][0], env))
            if test is UNKNOWN:
                return UNKNOWN
            return self.evaluate(sym["if"][1] if test else sym["if"][2], env)
        if "cmp" in sym:
            op, left, right = sym["cmp"]
            return _compare(op, self.evaluate(left, env), self.evaluate(right, env))
        if "or" in sym or "and" in sym:
            is_or = "or" in sym
            left_sym, right_sym = sym["or" if is_or else "and"]
            left = self.evaluate(left_sym, env)
            test = _truth(left)
            if test is UNKNOWN:
                return UNKNOWN
            return left if test == is_or else self.evaluate(right_sym, env)
        if "not" in sym:
            test = _truth(self.evaluate(sym["not"], env))
            return UNKNOWN if test is UNKNOWN else not test
        if "fmt" in sym:
            parts = [self.evaluate(p, env) for p in sym["fmt"]]
            if all(isinstance(p, str | int) and not isinstance(p, bool) for p in parts):
                return "".join(str(p) for p in parts)
            return UNKNOWN
        if "dict" in sym:
            pairs = [(self.evaluate(k, env), self.evaluate(v, env)) for k, v in sym["dict"]]
            if all(isinstance(k, str | int | bool) for k, _ in pairs):
                return dict(pairs)
            return UNKNOWN
        if "comp" in sym:
            comp = sym["comp"]
            out = []
            for item in self._iterate(self.evaluate(comp["iter"], env)):
                inner = {**env, comp["var"]: item}
                tests = [_truth(self.evaluate(t, inner)) for t in comp["ifs"]]
                if all(t is not False for t in tests):  # an unknown filter keeps the entry
                    out.append(self.evaluate(comp["elt"], inner))
            return out
        if "call" in sym:
            func = self.evaluate(sym["func"], env)
            args = self._args(sym["args"], env)
            if args is UNKNOWN:
                return UNKNOWN
            kwargs = {k: self.evaluate(v, env) for k, v in sym["kwargs"].items()}
            callee = func.name if isinstance(func, Ref) else ""
            if callee.rsplit(".", 1)[-1] == "issubclass" and self.index.resolve(callee) is None:
                return self._issubclass(args)
            return self.call(callee, func, args, kwargs)
        return UNKNOWN


def _item(base: Any, key: Any) -> Any:
    if key is UNKNOWN or base is UNKNOWN:
        return UNKNOWN
    if isinstance(base, dict):
        return base.get(key, UNKNOWN) if isinstance(key, str | int | bool) else UNKNOWN
    if isinstance(base, list) and isinstance(key, int) and not isinstance(key, bool):
        return base[key] if -len(base) <= key < len(base) else UNKNOWN
    if isinstance(key, str | int | bool):
        if isinstance(base, Ref):
            return Slot(base.name, (key,))
        if isinstance(base, Slot):
            return Slot(base.base, (*base.keys, key))
    return UNKNOWN


def _truth(value: Any) -> Any:
    if value is UNKNOWN or isinstance(value, Slot):
        return UNKNOWN
    if isinstance(value, Ref):
        return True
    return bool(value)


def _compare(op: str, left: Any, right: Any) -> Any:
    if left is UNKNOWN or right is UNKNOWN or isinstance(left, Slot) or isinstance(right, Slot):
        return UNKNOWN
    if op == "is":
        return left is right if left is None or right is None else left == right
    if op == "is not":
        return left is not right if left is None or right is None else left != right
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op in ("in", "not in") and isinstance(right, str | list | dict):
        try:
            found = left in right
        except TypeError:
            return UNKNOWN
        return found if op == "in" else not found
    return UNKNOWN
