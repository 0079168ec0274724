"""Route inventory changes of a pull request: which endpoints the change adds, removes or unguards.

A reviewer reading a PR wants to know "did this open a new endpoint, and is it protected?" and
"did this drop the login check from an existing one?". The head inventory is the review's own
(`Report.routes`); the base inventory is built from the base commit's tracked Python and
JavaScript/TypeScript files, read with `git ls-tree`/`git cat-file` (argv lists, no shell, no
checkout into the user's tree) and written to a temporary folder, then parsed by the same
`inventory()` the `routes` command uses. Nothing of the target is imported or executed, and no analyzer runs.

The result is a `model.RouteChanges` for `Report.route_changes` (see `compare_with_base`);
reviewer/reporters/route_changes.py renders it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from reviewer.cache import Cache, content_hash
from reviewer.config import Config
from reviewer.discovery import SOURCE_SUFFIXES, find_sources
from reviewer.framework import build_project
from reviewer.framework.collect import FACTS_KEY
from reviewer.git import GitError, run_git
from reviewer.http import IMPLICIT_METHODS
from reviewer.model import ChangedRoute, ProtectionChange, RouteChanges, RouteSummary
from reviewer.native import phase_key, review_files, run_salt
from reviewer.node import review_node
from reviewer.node.syntax import SUFFIXES as NODE_SUFFIXES
from reviewer.registry import load as load_registry
from reviewer.service import Route
from reviewer.traversal import FileResult

GIT_TIMEOUT_S = 60

# (label, Route attribute, RouteSummary field) of the protections compared
PROTECTIONS: tuple[tuple[str, str, str], ...] = (
    ("authentication", "auth", "authentication"),
    ("authorization", "authorization", "authorization"),
    ("rate limit", "rate_limits", "rate_limit"),
    ("validation", "validation", "validation"),
)

Key = tuple[tuple[str, ...], str]


class BaseUnavailableError(Exception):
    """The base commit cannot be read (not a git repository, ref unknown, shallow clone)."""


# --------------------------------------------------------------------------- the base tree


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        return run_git(root, *args, stdin=stdin, timeout=GIT_TIMEOUT_S)
    except GitError as exc:
        raise BaseUnavailableError(exc.reason) from None


def resolve_base(root: Path, ref: str) -> str:
    """The commit the change started from: merge-base of `ref` and HEAD (as `git diff A...B`)."""
    if not ref or ref.startswith("-"):
        raise BaseUnavailableError(f"invalid base ref {ref!r}")
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except BaseUnavailableError:
        raise BaseUnavailableError(
            f"base {ref[:40]} is not in this clone (shallow checkout? use fetch-depth: 0)"
        ) from None
    sha = commit.decode().strip()
    try:
        return _git(root, "merge-base", sha, "HEAD").decode().strip() or sha
    except BaseUnavailableError:
        return sha


def _wanted(path: str) -> bool:
    name = PurePosixPath(path).name
    # .gitignore: discovery's excludes; JavaScript/TypeScript: the Node frontend's routes
    return name.endswith((".py", *NODE_SUFFIXES)) or name == ".gitignore"


def materialize(
    root: Path, commit: str, dest: Path, max_bytes: int, skip: Collection[str] = ()
) -> tuple[int, set[str]]:
    """Write the commit's Python (and .gitignore) files under `root`'s folder into `dest`.

    Paths are relative to `root` (ls-tree lists the current folder), so the inventory's file
    names match the head's. Symlinks, submodules and files over `max_bytes` are left out, and
    so are the paths in `skip` (files the caller already knows). Returns the number of files
    written and the skipped paths the commit has.
    """
    listing = _git(root, "ls-tree", "-r", "-l", "-z", commit)
    wanted: list[tuple[str, str]] = []  # (object id, path)
    present: set[str] = set()
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) != 4 or parts[0] not in (b"100644", b"100755"):
            continue  # symlink (120000), submodule (160000) or tree
        path = raw_path.decode("utf-8", "surrogateescape")
        size = int(parts[3]) if parts[3].isdigit() else 0
        if not _wanted(path) or size > max_bytes:
            continue
        if path.startswith("/") or ".." in PurePosixPath(path).parts:
            continue
        if path in skip:
            present.add(path)
            continue
        wanted.append((parts[2].decode(), path))
    if not wanted:
        return 0, present
    batch = _git(root, "cat-file", "--batch", stdin="".join(f"{o}\n" for o, _ in wanted).encode())
    pos = 0
    for _, path in wanted:
        header_end = batch.index(b"\n", pos)
        header = batch[pos:header_end].split()
        size = int(header[2])
        body = batch[header_end + 1 : header_end + 1 + size]
        pos = header_end + 1 + size + 1
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    return len(wanted), present


# (relative path, content hash) -> that file's framework facts (None: it has none), from the
# review that just ran
KnownFacts = Mapping[tuple[str, str], Any]


def base_inventory(
    root: Path,
    ref: str,
    config: Config,
    cache_dir: Path | None = None,
    known: KnownFacts | None = None,
    jobs: int | None = None,
) -> tuple[str, tuple[Route, ...]]:
    """(base commit, its routes) for the target folder `root`; raises `BaseUnavailableError`.

    `jobs=1` keeps the parsing of base versions in this process (no pool: for a thread)."""
    commit = resolve_base(root, ref)
    same = unchanged_facts(root, commit, known) if known else {}
    with tempfile.TemporaryDirectory(prefix="backend-review-base-") as tmp:
        dest = Path(tmp) / "base"
        dest.mkdir()
        _, shared = materialize(root, commit, dest, config.max_file_bytes, skip=same.keys())
        shared_facts = {rel: same[rel] for rel in shared}
        return commit, tree_inventory(dest, config, cache_dir, known, shared_facts, jobs)


def unchanged_facts(root: Path, commit: str, known: KnownFacts) -> dict[str, Any]:
    """The reviewed files git reports identical in `commit` and the working tree, with their
    framework facts: the base's copies need not even be written out. Nothing when a
    .gitignore changed (which files discovery keeps could differ) or git cannot tell."""
    try:
        out = _git(root, "diff", "--name-only", "-z", "--no-renames", "--relative", commit)
    except BaseUnavailableError:
        return {}
    changed = {p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p}
    if any(PurePosixPath(p).name == ".gitignore" for p in changed):
        return {}
    return {rel: facts for (rel, _), facts in known.items() if rel not in changed}


def tree_inventory(
    tree: Path,
    config: Config,
    cache_dir: Path | None = None,
    known: KnownFacts | None = None,
    shared: Mapping[str, Any] | None = None,
    jobs: int | None = None,
) -> tuple[Route, ...]:
    """`inventory(tree, config)`, parsing only the files the review did not just see.

    A file the base and the head share has the same content: its framework facts are the
    ones the review computed (`known`), or else the ones in the review's cache (same cache
    key; read-only: the entries hold rule findings this run does not compute, so nothing is
    written). A PR's base inventory then costs about the changed files' parsing. `shared`
    adds files of the tree that were not written into it, with their facts (None: none).
    """
    files: dict[str, bytes] = {}
    node_files: dict[str, bytes] = {}
    for source in find_sources(tree, config, (*SOURCE_SUFFIXES, *NODE_SUFFIXES)).files:
        target = node_files if source.relpath.endswith(NODE_SUFFIXES) else files
        try:
            target[source.relpath] = source.path.read_bytes()
        except OSError:
            continue
    node_routes = review_node(node_files, config).routes if node_files else ()
    framework: dict[str, Any] = {
        rel: facts for rel, facts in (shared or {}).items() if facts is not None
    }
    rest: dict[str, bytes] = {}
    for rel, data in files.items():
        key = (rel, content_hash(data))
        if known is None or key not in known:
            rest[rel] = data
        elif known[key] is not None:
            framework[rel] = known[key]
    if rest and cache_dir is not None and (cache_dir / "cache.sqlite").is_file():
        for rel, facts in cached_facts(rest, config, cache_dir).items():
            if FACTS_KEY in (facts or {}):
                framework[rel] = facts[FACTS_KEY]
            rest.pop(rel)
    if rest:
        for rel, result in review_files(rest, [], config, jobs=jobs).files.items():
            if FACTS_KEY in result.facts:
                framework[rel] = result.facts[FACTS_KEY]
    # routes and their guards come from the framework facts alone; leaving out the taint and
    # test-call facts skips the taint index and test matching (most of build_project's time)
    joined = {rel: {FACTS_KEY: framework[rel]} for rel in sorted(framework)}
    return (*build_project(joined, config).routes, *node_routes)


def cached_facts(
    files: Mapping[str, bytes], config: Config, cache_dir: Path
) -> dict[str, dict[str, Any]]:
    """Phase-1 facts of `files` found in the review's cache (same keys as reviewer/native.py)."""
    salt = run_salt(load_registry(config).enabled_native, config)
    keys = {rel: phase_key("p1", rel, data, salt) for rel, data in files.items()}
    cache = Cache(cache_dir)
    try:
        found = cache.get_many(keys.values())
    finally:
        cache.close()
    facts: dict[str, dict[str, Any]] = {}
    for rel, key in keys.items():
        hit = found.get(key)
        if isinstance(hit, FileResult) and hit.relpath == rel:
            facts[rel] = hit.facts
    return facts


# --------------------------------------------------------------------------- comparing


def route_key(route: Route) -> Key:
    methods = tuple(sorted({m.upper() for m in route.methods} - IMPLICIT_METHODS))
    return methods, route.path


def _names(route: Route, attribute: str) -> tuple[str, ...]:
    values: Iterable[Any] = getattr(route, attribute)
    return tuple(sorted({getattr(v, "name", v) for v in values}))


def describe(route: Route) -> RouteSummary:
    """A route as the comparison sees it: its key and the names of its protections."""
    methods, path = route_key(route)
    names = {field: _names(route, attribute) for _, attribute, field in PROTECTIONS}
    return RouteSummary(
        methods,
        path,
        route.handler,
        route.file,
        route.line,
        route.public,
        authentication=names["authentication"],
        authorization=names["authorization"],
        rate_limit=names["rate_limit"],
        validation=names["validation"],
    )


def _index(routes: Iterable[Any]) -> dict[Key, list[Route]]:
    index: dict[Key, list[Route]] = {}
    for route in routes:
        if isinstance(route, Route):
            index.setdefault(route_key(route), []).append(route)
    return index


def _pairs(
    before: list[Route], after: list[Route]
) -> tuple[list[tuple[Route, Route]], list[Route], list[Route]]:
    """Pair routes of one key by handler name, then in order; the rest are removed/added."""
    pairs: list[tuple[Route, Route]] = []
    left = list(before)
    right = list(after)
    for new in list(right):
        old = next((r for r in left if r.handler == new.handler), None)
        if old is not None:
            pairs.append((old, new))
            left.remove(old)
            right.remove(new)
    while left and right:
        pairs.append((left.pop(0), right.pop(0)))
    return pairs, left, right


def protection_changes(old: Route, new: Route) -> list[ProtectionChange]:
    """The guards that differ between two versions of one route."""
    changes = []
    for label, attribute, _ in PROTECTIONS:
        before, after = _names(old, attribute), _names(new, attribute)
        if before != after:
            changes.append(ProtectionChange(label, before, after))
    if old.public != new.public:
        changes.append(ProtectionChange("public", (str(old.public),), (str(new.public),)))
    return changes


def compare(
    base: Iterable[Any], head: Iterable[Any]
) -> tuple[tuple[RouteSummary, ...], tuple[RouteSummary, ...], tuple[ChangedRoute, ...]]:
    """(added, removed, changed protection) routes, keyed by (methods, path)."""
    before, after = _index(base), _index(head)
    added: list[RouteSummary] = []
    removed: list[RouteSummary] = []
    changed: list[ChangedRoute] = []
    for key in sorted(set(before) | set(after), key=lambda k: (k[1], k[0])):
        pairs, gone, new = _pairs(before.get(key, []), after.get(key, []))
        removed += [describe(route) for route in gone]
        added += [describe(route) for route in new]
        for old, route in pairs:
            diffs = protection_changes(old, route)
            if diffs:
                changed.append(ChangedRoute(describe(route), tuple(diffs)))
    return tuple(added), tuple(removed), tuple(changed)


def compare_with_base(
    root: Path,
    ref: str,
    head_routes: Sequence[Any],
    config: Config,
    cache_dir: Path | None = None,
    base: Callable[[], tuple[str, tuple[Route, ...]]] | None = None,
) -> RouteChanges:
    """`Report.route_changes`: the base commit's routes against `head_routes`.

    `cache_dir` is the review's result cache, if any (see `tree_inventory`); `base`, when
    given, returns `base_inventory(...)`'s result computed elsewhere (`scope.BaseInventory`,
    a thread that ran during the review).
    """
    try:
        if base is not None:
            commit, base_routes = base()
        else:
            commit, base_routes = base_inventory(root, ref, config, cache_dir)
    except (BaseUnavailableError, OSError) as exc:
        return unavailable(ref, str(exc))
    added, removed, changed = compare(base_routes, head_routes)
    return RouteChanges(commit, ref, True, "", added, removed, changed)


def unavailable(ref: str, reason: str) -> RouteChanges:
    return RouteChanges(base="", ref=ref, available=False, reason=reason)
