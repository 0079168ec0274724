"""The project's symbol table built from every file's facts, and name resolution across modules.

`Index.resolve("app.auth.require_user")` follows re-exports (`from .decorators import x` in a
package `__init__`) and module-level aliases until it reaches a definition: a function, a class or
an object (`bp = Blueprint(...)`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewer.config import Config
from reviewer.framework.values import ref


def qualified(module: str, name: str) -> str:
    """`module.name`; names of the reviewed root's own `__init__.py` (module "") stay bare."""
    return f"{module}.{name}" if module else name


@dataclass
class Def:
    kind: str  # function | class | object
    qualname: str  # absolute dotted name
    file: str
    module: str
    record: Any


@dataclass
class Index:
    config: Config
    facts: Mapping[str, Mapping[str, Any]]  # relpath -> framework facts
    modules: dict[str, str] = field(default_factory=dict)  # module -> relpath
    defs: dict[str, Def] = field(default_factory=dict)
    _cache: dict[str, Def | None] = field(default_factory=dict)

    @classmethod
    def build(cls, facts: Mapping[str, Mapping[str, Any]], config: Config) -> Index:
        index = cls(config, facts)
        for relpath, f in facts.items():
            module = f["module"]
            index.modules[module] = relpath
            # the reviewed root's own `__init__.py` is module "": its names are unprefixed,
            # as `values.qualify` writes them
            dotted = f"{module}." if module else ""
            for qualname, record in f["functions"].items():
                index.defs[dotted + qualname] = Def(
                    "function", dotted + qualname, relpath, module, record
                )
            for qualname, record in f["classes"].items():
                index.defs[dotted + qualname] = Def(
                    "class", dotted + qualname, relpath, module, record
                )
            for name, call in f["objects"].items():
                index.defs.setdefault(
                    dotted + name, Def("object", dotted + name, relpath, module, call)
                )
        index._add_source_roots()
        index._add_package_root()
        return index

    def _add_package_root(self) -> None:
        """Reviewing a package directory (`backend-review routes CTFd/`, `CTFd/__init__.py`
        exists): its modules are imported as `CTFd.admin`, not `admin`, so every module and
        definition is also known under the package's dotted name (parents that are packages
        too included). Names of the reviewed tree itself always win."""
        package = package_name(self.config.root)
        if not package:
            return
        for module, relpath in list(self.modules.items()):
            if self.modules.get(module) == relpath and module == self.facts[relpath]["module"]:
                self.modules.setdefault(f"{package}.{module}" if module else package, relpath)
        for name, d in list(self.defs.items()):
            if name == d.qualname:
                self.defs.setdefault(f"{package}.{name}", d)

    def _add_source_roots(self) -> None:
        """`src/shop/views.py` is imported as `shop.views`: make every module reachable under
        the names it has below each of its parent directories (exact names always win)."""
        extra_modules: dict[str, str] = {}
        for module, relpath in self.modules.items():
            parts = module.split(".")
            for cut in range(1, len(parts)):
                extra_modules.setdefault(".".join(parts[cut:]), relpath)
        extra_defs: dict[str, Def] = {}
        for name, d in self.defs.items():
            parts = d.module.split(".")
            local = name[len(d.module) + 1 :]
            for cut in range(1, len(parts)):
                extra_defs.setdefault(".".join([*parts[cut:], local]), d)
        for module, relpath in extra_modules.items():
            self.modules.setdefault(module, relpath)
        for name, d in extra_defs.items():
            self.defs.setdefault(name, d)

    def resolve(self, name: str, depth: int = 0) -> Def | None:
        """The definition a qualified name refers to, following imports and aliases."""
        if not name or depth > 8:
            return None
        if name in self._cache:
            return self._cache[name]
        found = self.defs.get(name)
        if found is None:
            found = self._through_module(name, depth)
        self._cache[name] = found
        return found

    def _through_module(self, name: str, depth: int) -> Def | None:
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            relpath = self.modules.get(module)
            if relpath is None:
                continue
            f = self.facts[relpath]
            head, rest = parts[cut], parts[cut + 1 :]
            target = f["imports"].get(head)
            if target is None and head in f["aliases"]:
                target = ref(f["aliases"][head])
            if target and target != name:
                return self.resolve(".".join([target, *rest]), depth + 1)
            for star in f.get("star_imports", ()):  # `from .impl import *` re-exports
                found = self.resolve(".".join([star, head, *rest]), depth + 1)
                if found is not None:
                    return found
            return None
        return None

    def canonical(self, name: str) -> str:
        """The definition's qualified name when it is in the project; else the name it is
        imported as from outside (`APIRouter` re-exported by a project module that did
        `from fastapi import APIRouter` is `fastapi.APIRouter`); else `name` itself."""
        found = self.resolve(name)
        return found.qualname if found else self._imported_from(name)

    def _imported_from(self, name: str, depth: int = 0) -> str:
        """Follow `from x import y` re-exports of project modules to a name outside them."""
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            relpath = self.modules.get(".".join(parts[:cut]))
            if relpath is None:
                continue
            target = self.facts[relpath]["imports"].get(parts[cut])
            if target and target != name and depth < 8:
                return self._imported_from(".".join([target, *parts[cut + 1 :]]), depth + 1)
            return name
        return name

    def class_bases(self, name: str) -> tuple[str, ...]:
        found = self.resolve(name)
        if found is None or found.kind != "class":
            return ()
        return tuple(self.canonical(ref(b)) for b in found.record["bases"] if ref(b))

    def ancestors(self, name: str) -> list[str]:
        """All base classes of a class, nearest first (project classes are followed)."""
        seen: list[str] = []
        todo = list(self.class_bases(name))
        while todo and len(seen) < 50:
            base = todo.pop(0)
            if base in seen:
                continue
            seen.append(base)
            todo.extend(self.class_bases(base))
        return seen

    def class_attr(self, name: str, attr: str) -> tuple[Any, str] | None:
        """A class attribute's encoded value, looked up through project base classes, with the
        qualified name of the class that sets it."""
        for cls in [self.canonical(name), *self.ancestors(name)]:
            found = self.resolve(cls)
            if found is not None and found.kind == "class" and attr in found.record["attrs"]:
                return found.record["attrs"][attr], cls
        return None

    def class_methods(self, name: str) -> dict[str, str]:
        """method name -> qualified class defining it (own methods win over inherited)."""
        result: dict[str, str] = {}
        for cls in reversed([self.canonical(name), *self.ancestors(name)]):
            found = self.resolve(cls)
            if found is not None and found.kind == "class":
                for method in found.record["methods"]:
                    result[method] = cls
        return result

    def function(self, qualname: str) -> Def | None:
        found = self.resolve(qualname)
        return found if found is not None and found.kind == "function" else None

    def nested_evidence(self, func: Def) -> tuple[list[str], list[str]]:
        """Auth and authz evidence of a function and every function nested in it (decorator
        factories check inside their wrapper)."""
        auth: list[str] = []
        authz: list[str] = []
        f = self.facts[func.file]
        own = func.record["qualname"]
        for qualname, record in f["functions"].items():
            if qualname == own or qualname.startswith(own + "."):
                auth.extend(record["auth"])
                authz.extend(record["authz"])
        return auth, authz

    def nested_flag(self, func: Def, flag: str) -> bool:
        """A record flag set on the function or on a function nested in it."""
        f = self.facts[func.file]
        own = func.record["qualname"]
        return any(
            record.get(flag)
            for qualname, record in f["functions"].items()
            if qualname == own or qualname.startswith(own + ".")
        )


def package_name(root: Path) -> str:
    """The dotted name a reviewed package directory is imported under (`CTFd` for `CTFd/`
    with an `__init__.py`, parents that are packages too included); "" for a plain folder."""
    parts: list[str] = []
    try:
        while (root / "__init__.py").is_file() and root.name.isidentifier():
            parts.insert(0, root.name)
            root = root.parent
    except OSError:
        return ""
    return ".".join(parts)
