"""package.json and tsconfig.json: how a bare specifier names a file of the target.

Node resolves a bare specifier (`@acme/shared`, `@acme/shared/db`) to a package; in a
monorepo that package is a folder of the target with a package.json `name`, and its entry is
`exports` (the `"."` entry or a subpath, a string or conditions `import`/`require`/`default`,
https://nodejs.org/api/packages.html#package-entry-points) or else `main`, or `index`.
TypeScript first maps specifiers through the nearest tsconfig.json's `compilerOptions.paths`
(patterns with one `*`, relative to `baseUrl` or the tsconfig's folder) and resolves
non-relative names against `baseUrl`
(https://www.typescriptlang.org/docs/handbook/modules/reference.html#paths,
https://www.typescriptlang.org/tsconfig/#baseUrl). jsconfig.json is read like tsconfig.json.

The manifests are the target's (untrusted): read as data with size limits, never run.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

# dotenv templates: the environment a target documents (`cp .env.example .env`); never `.env`
# itself, a deployment's own file that holds its secrets
ENV_TEMPLATES = (".env.example", ".env.sample", ".env.defaults", ".env.template")
NAMES = ("package.json", "tsconfig.json", "jsconfig.json", *ENV_TEMPLATES)
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
MAX_BYTES = 1 << 20
_JSONC = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/|,(?=\s*[}\]])', re.S)
CONDITIONS = ("import", "require", "node", "default", "types")


def read_manifests(root: Path, relpaths: Iterable[str]) -> dict[str, bytes]:
    """The manifests in every folder of `relpaths` and its ancestors up to `root`."""
    folders: set[str] = set()
    for relpath in relpaths:
        folder = posixpath.dirname(relpath)
        while folder not in folders:
            folders.add(folder)
            if not folder:
                break
            folder = posixpath.dirname(folder)
    found: dict[str, bytes] = {}
    base = root.resolve()
    for folder in sorted(folders):
        for name in NAMES:
            rel = posixpath.join(folder, name) if folder else name
            path = root / rel
            try:
                if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_BYTES:
                    continue
                if not path.resolve().is_relative_to(base):
                    continue
                found[rel] = path.read_bytes()
            except OSError:
                continue
    return found


def load_jsonc(data: bytes) -> object:
    """JSON with comments and trailing commas (tsconfig.json); None when it is not valid."""
    raw = data.decode("utf-8", "replace")
    cleaned = _JSONC.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", raw)
    try:
        return json.loads(cleaned)
    except (ValueError, RecursionError):
        return None


@dataclass
class Manifests:
    """The target's packages (name -> folder, package.json) and TypeScript path maps."""

    packages: dict[str, tuple[str, dict[str, object]]] = field(default_factory=dict)
    configs: dict[str, tuple[str, list[tuple[str, list[str]]]]] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)  # from the dotenv templates

    @classmethod
    def of(cls, manifests: Mapping[str, bytes]) -> Manifests:
        found = cls()
        for rel, data in sorted(manifests.items()):
            folder, name = posixpath.split(rel)
            if name in ENV_TEMPLATES:
                for key, value in _dotenv(data).items():
                    found.environment.setdefault(key, value)
                continue
            loaded = load_jsonc(data) if name != "package.json" else _json(data)
            if not isinstance(loaded, dict):
                continue
            if name == "package.json":
                package = loaded.get("name")
                if isinstance(package, str) and package not in found.packages:
                    found.packages[package] = (folder, loaded)
            elif folder not in found.configs or name == "tsconfig.json":
                config = _compiler_paths(folder, loaded)
                if config is not None:
                    found.configs[folder] = config
        return found

    def candidates(self, importer: str, spec: str) -> list[str]:
        """Paths (without extension resolution) a bare specifier may name, in Node's order."""
        out: list[str] = []
        config = self._config_of(importer)
        if config is not None:
            base, paths = config
            for pattern, targets in paths:
                matched = _match(pattern, spec)
                if matched is not None:
                    out += [_at(base, t.replace("*", matched)) for t in targets]
            out.append(_at(base, spec))
        out += self._package(spec)
        return [c for c in out if c != ".." and not c.startswith("../")]

    def _config_of(self, importer: str) -> tuple[str, list[tuple[str, list[str]]]] | None:
        folder = posixpath.dirname(importer)
        while True:
            if folder in self.configs:
                return self.configs[folder]
            if not folder:
                return None
            folder = posixpath.dirname(folder)

    def _package(self, spec: str) -> list[str]:
        parts = spec.split("/")
        size = 2 if spec.startswith("@") else 1
        name, sub = "/".join(parts[:size]), "/".join(parts[size:])
        hit = self.packages.get(name)
        if hit is None:
            return []
        folder, manifest = hit
        entry = _export(manifest.get("exports"), "./" + sub if sub else ".")
        if entry is not None:
            return [posixpath.normpath(posixpath.join(folder, entry))]
        if sub:
            return [posixpath.normpath(posixpath.join(folder, sub))]
        main = manifest.get("main")
        targets = [main] if isinstance(main, str) else []
        return [posixpath.normpath(posixpath.join(folder, t)) for t in [*targets, "index"]]


def _dotenv(data: bytes) -> dict[str, str]:
    """`KEY=value` lines of a dotenv file (quotes stripped, `#` comments skipped), as the
    dotenv package reads them (https://github.com/motdotla/dotenv#what-rules-does-the-parsing-engine-follow)."""
    out: dict[str, str] = {}
    for raw in data.decode("utf-8", "replace").splitlines():
        match = _ENV_LINE.match(raw)
        if match is None or raw.lstrip().startswith("#"):
            continue
        value = match.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'`":
            value = value[1:-1]
        else:
            value = value.split(" #", 1)[0].strip()
        out.setdefault(match.group(1), value)
    return out


def _at(folder: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(folder, path))


def _json(data: bytes) -> object:
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def _compiler_paths(
    folder: str, config: dict[str, object]
) -> tuple[str, list[tuple[str, list[str]]]] | None:
    options = config.get("compilerOptions")
    if not isinstance(options, dict):
        return None
    base_url = options.get("baseUrl")
    paths = options.get("paths")
    if not isinstance(base_url, str) and not isinstance(paths, dict):
        return None
    base = (
        posixpath.normpath(posixpath.join(folder, base_url))
        if isinstance(base_url, str)
        else folder
    )
    mapped = [
        (pattern, [t for t in targets if isinstance(t, str)])
        for pattern, targets in (paths.items() if isinstance(paths, dict) else [])
        if isinstance(pattern, str) and isinstance(targets, list)
    ]
    return (base if base != "." else ""), mapped


def _match(pattern: str, spec: str) -> str | None:
    """What `*` matched when `spec` fits `pattern` (`@/*` and `@/lib/db` -> `lib/db`)."""
    if "*" not in pattern:
        return "" if pattern == spec else None
    head, _, tail = pattern.partition("*")
    if spec.startswith(head) and spec.endswith(tail) and len(spec) >= len(head) + len(tail):
        return spec[len(head) : len(spec) - len(tail)]
    return None


def _export(exports: object, subpath: str, depth: int = 0) -> str | None:
    """package.json `exports` for `subpath` ("." or "./x"): a string, conditions, subpaths."""
    if depth > 8 or exports is None:
        return None
    if isinstance(exports, str):
        return exports if subpath == "." else None
    if isinstance(exports, list):
        return next((e for e in (_export(x, subpath, depth + 1) for x in exports) if e), None)
    if not isinstance(exports, dict):
        return None
    if any(isinstance(k, str) and k.startswith(".") for k in exports):  # subpath map
        if subpath in exports:
            return _condition(exports[subpath], depth)
        for key, value in exports.items():
            matched = _match(key, subpath) if "*" in key else None
            if matched:
                target = _condition(value, depth)
                return target.replace("*", matched) if target else None
        return None
    return _condition(exports, depth) if subpath == "." else None


def _condition(value: object, depth: int) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and depth <= 8:
        for name in CONDITIONS:
            if name in value:
                found = _condition(value[name], depth + 1)
                if found:
                    return found
    return None
