"""Find the source files to review: .gitignore-aware, excludes applied, hostile trees survived.

Directories named in DEFAULT_EXCLUDES (virtualenvs, node_modules, build output, migrations...),
Alembic migration environments (by their layout, whatever their name) and the config's
`exclude` globs are skipped; every .gitignore on the way is honoured, and so are those of the
folders above the target up to the repository root and `.git/info/exclude` (issue 18). Symlinked
directories are not followed (no loops); a symlinked file is reviewed only when it resolves
inside the target. Files that cannot be reviewed are listed with the reason, never dropped.

A .gitignore is written by whoever opened the pull request: one that names a file git tracks
(force-added) would hide it from the review, so every tracked file a .gitignore skips is listed
as not reviewed, naming that .gitignore (issue 11, U6). In a pull-request run the .gitignore
files come from the base commit (`Config.ignore_files`, reviewer/base_tree.py). Unreadable
directories are listed too.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

from reviewer.config import DEFAULT_EXCLUDES, Config, ConfigError
from reviewer.git import GitError, run_git
from reviewer.patterns import Matcher, PatternError, compile_spec

SOURCE_SUFFIXES = (".py",)
TOO_LARGE = "larger than max-file-bytes"
# Source files of languages no frontend reviews: found and listed as not reviewed, so that a
# service in one of them never passes as a clean, empty review.
OTHER_LANGUAGES = {
    ".js": "JavaScript",
    ".mjs": "JavaScript",
    ".cjs": "JavaScript",
    ".jsx": "JavaScript",
    ".ts": "TypeScript",
    ".mts": "TypeScript",
    ".cts": "TypeScript",
    ".tsx": "TypeScript",
    ".go": "Go",
    ".rb": "Ruby",
    ".java": "Java",
    ".kt": "Kotlin",
    ".scala": "Scala",
    ".php": "PHP",
    ".cs": "C#",
    ".rs": "Rust",
    ".ex": "Elixir",
    ".exs": "Elixir",
}
# generated or declaration-only files: no service code in them
NOT_SOURCE = ("*.min.js", "*.d.ts", "*.d.mts", "*.d.cts", "*.bundle.js")
_UNSUPPORTED = " source: backend-review does not review this language yet"


@dataclass(frozen=True)
class SourceFile:
    relpath: str  # POSIX, relative to the target root
    path: Path


@dataclass(frozen=True)
class Discovery:
    root: Path
    files: tuple[SourceFile, ...]
    not_reviewed: tuple[tuple[str, str], ...]  # (relpath, reason)
    # over max-file-bytes: too large for the native parser (and listed in not_reviewed), still
    # given to the analyzers, so padding a file cannot hide it from every check (issue 11, U7)
    oversized: tuple[SourceFile, ...] = ()
    other_languages: tuple[tuple[SourceFile, str], ...] = ()  # (file, language) no one reviews


def unsupported_reason(language: str) -> str:
    """The not-reviewed reason of a file in a language no frontend reviews."""
    return language + _UNSUPPORTED


def unsupported_language(reason: str) -> str:
    """The language named by `unsupported_reason`, "" for any other reason."""
    return reason.removesuffix(_UNSUPPORTED) if reason.endswith(_UNSUPPORTED) else ""


def _generated(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in NOT_SOURCE)


def language_of(name: str) -> str:
    """The language of a source file no frontend claims ("" when it is not source code)."""
    if _generated(name):
        return ""
    return OTHER_LANGUAGES.get(os.path.splitext(name)[1], "")


def _gitignore(directory: Path, root: Path) -> Matcher | None:
    path = directory / ".gitignore"
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return _spec(lines, path.relative_to(root).as_posix())


def _spec(lines: Sequence[str], where: str) -> Matcher:
    """The matcher of an ignore file; a line that could backtrack for hours is matched in
    linear time, or is a config error naming the file and line (issue 11, U13)."""
    try:
        return compile_spec(lines, where)
    except PatternError as exc:
        raise ConfigError(str(exc)) from None


def alembic_environment(directory: Path) -> bool:
    """An Alembic migration environment, the layout `alembic init` writes: `env.py` beside the
    `script.py.mako` revision template. Its `env.py` and `versions/` are migrations, excluded
    like Django's `migrations/` whatever the folder is called (`revisions/tenant`); a folder
    merely named like one is not. Decided from the file names alone: nothing is read."""
    return (directory / "env.py").is_file() and (directory / "script.py.mako").is_file()


def _name_excluded(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def find_sources(
    target: Path, config: Config, suffixes: tuple[str, ...] = SOURCE_SUFFIXES
) -> Discovery:
    """The files under `target` (a directory or a single file) that the review covers: those
    whose name ends in one of `suffixes` (every frontend's, see reviewer/frontend.py)."""
    target = target.absolute()
    if target.is_file():
        root = config.root if target.is_relative_to(config.root) else target.parent
        rel = target.relative_to(root).as_posix()
        if not target.name.endswith(suffixes) and language_of(target.name):
            language = language_of(target.name)
            return Discovery(root, (), (), (), ((SourceFile(rel, target), language),))
        return Discovery(root, (SourceFile(rel, target),), ())
    root = target
    names = DEFAULT_EXCLUDES if config.use_default_excludes else ()
    user_spec = pathspec.GitIgnoreSpec.from_lines(config.exclude)
    real_root = root.resolve()
    files: list[SourceFile] = []
    oversized: list[SourceFile] = []
    others: list[tuple[SourceFile, str]] = []
    skipped: list[tuple[str, str]] = []
    # (folder, matcher, the ignore file's name as reported): the repository's ignore files
    # above the target come first, like git reads them (issue 18 item 2)
    outer = _outer_ignores(root, config)
    ignores: list[tuple[Path, Matcher, str]] = []

    # a pull-request run applies the base commit's .gitignore files, not the checkout's
    base_ignores = (
        None
        if config.ignore_files is None
        else {
            folder: _spec(lines, f"{folder}/.gitignore".lstrip("/") + " (base commit)")
            for folder, lines in config.ignore_files
        }
    )
    tracked = _tracked_sources(root, suffixes)
    tracked_dirs = {parent for rel in tracked for parent in _parents(rel)}

    def ignored(path: Path, is_dir: bool) -> str | None:
        """None, "" (the config's exclude) or the .gitignore (relative) that skips `path`."""
        rel = path.relative_to(root).as_posix()
        if user_spec.match_file(rel + ("/" if is_dir else "")):
            return ""
        for base, spec, name in (*outer, *ignores):
            if path.is_relative_to(base):
                sub = path.relative_to(base).as_posix() + ("/" if is_dir else "")
                if spec.match_file(sub):
                    return name
        return None

    def hidden_tracked(rel: str, by: str | None, is_dir: bool) -> None:
        """List the tracked files a .gitignore skips (`rel` is that file or directory)."""
        if not by:
            return
        if not is_dir:
            hits = [rel] if rel in tracked else []
        elif rel in tracked_dirs:
            hits = sorted(t for t in tracked if t.startswith(rel + "/"))
        else:
            hits = []
        skipped.extend((hit, f"tracked by git but ignored by {by}") for hit in hits)

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        rel = where.relative_to(root).as_posix() if where.is_relative_to(root) else str(where)
        skipped.append((rel, f"directory cannot be read: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in _walk(root, unreadable):
        current = Path(dirpath)
        ignores = [entry for entry in ignores if current.is_relative_to(entry[0])]
        if base_ignores is None:
            spec = _gitignore(current, root)
        else:
            folder = current.relative_to(root).as_posix()
            spec = base_ignores.get("" if folder == "." else folder)
        if spec is not None:
            ignores.append((current, spec, (current / ".gitignore").relative_to(root).as_posix()))
        kept = []
        for name in sorted(dirnames):
            sub = current / name
            if _name_excluded(name, names) or (names and alembic_environment(sub)):
                continue
            by = ignored(sub, True)
            if by is not None:
                hidden_tracked(sub.relative_to(root).as_posix(), by, True)
                continue
            if sub.is_symlink():
                skipped.append(
                    (sub.relative_to(root).as_posix(), "symlinked directory not followed")
                )
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            claimed = name.endswith(suffixes) and not _generated(name)
            language = "" if claimed else language_of(name)
            if not (claimed or language) or _name_excluded(name, names):
                continue
            path = current / name
            rel = path.relative_to(root).as_posix()
            by = ignored(path, False)
            if by is not None:
                hidden_tracked(rel, by, False)
                continue
            reason = _unreviewable(path, real_root, config.max_file_bytes)
            if reason:
                skipped.append((rel, reason))
                if reason.startswith(TOO_LARGE):
                    oversized.append(SourceFile(rel, path))
            elif claimed:
                files.append(SourceFile(rel, path))
            else:
                others.append((SourceFile(rel, path), language))
    return Discovery(root, tuple(files), tuple(sorted(skipped)), tuple(oversized), tuple(others))


def repository_root(path: Path) -> Path | None:
    """The nearest folder from `path` up holding `.git` (a folder, or a worktree's file)."""
    for candidate in (path, *path.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _outer_ignores(root: Path, config: Config) -> list[tuple[Path, Matcher, str]]:
    """The ignore files git applies to `root` from outside it: `.git/info/exclude` and the
    `.gitignore` of every folder from the repository root down to `root`'s parent, each with
    the folder its patterns are relative to and its name as reported (`../.gitignore`).

    In a pull-request run the `.gitignore` files come from the base commit (folders `..`,
    `../..` in `Config.ignore_files`); `.git/info/exclude` is the clone's, not the change's.
    A file whose patterns ignore `root` itself (or a folder between) is left out: the folder
    was named on the command line, and git's rule would hide all of it."""
    top = repository_root(root)
    if top is None:
        return []
    found: list[tuple[Path, Matcher, str]] = []
    info = _git_dir(top) / "info" / "exclude"
    try:
        lines = info.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    if lines:
        found.append((top, _spec(lines, os.path.relpath(info, root)), _shown(info, root)))
    base = None if config.ignore_files is None else dict(config.ignore_files)
    for folder in reversed(root.parents):
        if not folder.is_relative_to(top):
            continue
        path = folder / ".gitignore"
        name = _shown(path, root)
        if base is None:
            try:
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            found.append((folder, _spec(text, name), name))
        else:
            key = Path(os.path.relpath(folder.resolve(), root.resolve())).as_posix()
            if key in base:
                found.append((folder, _spec(base[key], name + " (base commit)"), name))
    kept = []
    for folder, spec, name in found:
        between = [p for p in (root, *root.parents) if p.is_relative_to(folder) and p != folder]
        if any(spec.match_file(p.relative_to(folder).as_posix() + "/") for p in between):
            continue
        kept.append((folder, spec, name))
    return kept


def _git_dir(top: Path) -> Path:
    """`top/.git`, or the folder a worktree's `.git` file points at (`gitdir: ...`)."""
    dot = top / ".git"
    if dot.is_file():
        try:
            text = dot.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return dot
        if text.startswith("gitdir:"):
            linked = Path(text[len("gitdir:") :].strip())
            linked = linked if linked.is_absolute() else top / linked
            # a linked worktree's info/exclude is the main repository's (git's common dir)
            common = linked / "commondir"
            try:
                shared = common.read_text(encoding="utf-8").strip()
            except OSError:
                return linked
            return (linked / shared).resolve()
    return dot


def _shown(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def _walk(
    root: Path, onerror: Callable[[OSError], None]
) -> Iterator[tuple[str, list[str], list[str]]]:
    """os.walk(root, followlinks=False) top-down, without recursion: Python 3.11's os.walk
    recurses once per level, so 1000 nested folders (a committed tree) raised RecursionError
    (issue 11, C4). Same order; pruning `dirnames` in place prunes the walk."""
    stack = [str(root)]
    while stack:
        top = stack.pop()
        dirs: list[str] = []
        files: list[str] = []
        links: set[str] = set()
        try:
            with os.scandir(top) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    (dirs if is_dir else files).append(entry.name)
                    if is_dir and entry.is_symlink():
                        links.add(entry.name)
        except OSError as exc:
            onerror(exc)
            continue
        yield top, dirs, files
        stack.extend(os.path.join(top, d) for d in reversed(dirs) if d not in links)


def _tracked_sources(root: Path, suffixes: tuple[str, ...]) -> frozenset[str]:
    """The source files git tracks under `root`, relative to it (empty outside a git repo)."""
    try:
        out = run_git(root, "ls-files", "-z", "--", ".")
    except GitError:
        return frozenset()
    names = (os.fsdecode(raw) for raw in out.split(b"\0") if raw)
    return frozenset(n for n in names if n.endswith(suffixes))


def _parents(rel: str) -> list[str]:
    parts = rel.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _unreviewable(path: Path, real_root: Path, max_bytes: int) -> str:
    if path.is_symlink():
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "broken symlink or symlink loop"
        if not resolved.is_relative_to(real_root):
            return "symlink points outside the target"
    try:
        stat = path.stat()
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if not path.is_file():
        return "not a regular file"
    if stat.st_size > max_bytes:
        return f"{TOO_LARGE} ({stat.st_size} > {max_bytes} bytes; analyzers only)"
    return ""
