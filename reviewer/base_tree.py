"""The base commit's copy of the files that can switch checks off (issue 11, U6).

In a pull-request run everything in the checkout is written by whoever opened the pull request.
The config, the baseline and the .gitignore files decide what is reviewed and what is hidden,
so those are read from the commit the change starts from (the merge base of the diff's base and
HEAD, as `git diff BASE...HEAD`), never from the head; a head that changes them is reported, not
applied. Reads go through the hardened git runner (reviewer/git.py) with `--no-textconv`, so no
driver named by the checkout's `.gitattributes` runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from reviewer.git import GitError, run_git

IGNORE_FILE = ".gitignore"
MAX_IGNORE_FILES = 2000  # a tree with more .gitignore files than this keeps the first ones


class BaseUnreadableError(Exception):
    """The base commit cannot be read here (not a git repository, unknown ref, shallow clone)."""


@dataclass(frozen=True)
class BaseTree:
    """Files of `commit` (a full sha), addressed by their path in the checkout."""

    root: Path  # the reviewed folder in the checkout; git runs there
    commit: str

    @property
    def label(self) -> str:
        return f"base commit {self.commit[:12]}"

    def spec(self, path: Path) -> str:
        """`commit:./rel`, `rel` relative to `root` (git reads `./` from its working folder)."""
        rel = os.path.relpath(path.absolute(), self.root.absolute())
        if rel.startswith(".."):  # a folder above root (symlinks resolved on both sides)
            rel = os.path.relpath(path.resolve(), self.root.resolve())
        return f"{self.commit}:./{Path(rel).as_posix()}"

    def read(self, path: Path) -> bytes | None:
        """The bytes of `path` at the base commit, or None when it has no such file."""
        try:
            return run_git(self.root, "show", "--no-textconv", self.spec(path))
        except GitError:
            return None

    def ignore_files(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Every .gitignore under `root` at the base commit: (folder relative to root, lines),
        and those of the folders above `root` up to the repository root (`..`, `../..`)."""
        return self._outer_ignore_files() + self._inner_ignore_files()

    def _outer_folders(self) -> list[tuple[Path, str]]:
        """The folders from the repository root down to `root`'s parent: (path, `..`-form)."""
        try:
            top = Path(os.fsdecode(run_git(self.root, "rev-parse", "--show-toplevel").strip()))
        except GitError:
            return []
        here, top = self.root.resolve(), top.resolve()
        return [
            (folder, Path(os.path.relpath(folder, here)).as_posix())
            for folder in reversed(here.parents)
            if folder.is_relative_to(top)
        ]

    def _outer_ignore_files(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        result = []
        for folder, rel in self._outer_folders():
            data = self.read(folder / IGNORE_FILE)
            if data is not None:
                result.append((rel, tuple(data.decode("utf-8", "replace").splitlines())))
        return tuple(result)

    def _changed_outer_ignore_files(self) -> tuple[str, ...]:
        """The .gitignore files above `root` whose checkout copy differs from the base's."""
        changed = []
        for folder, rel in self._outer_folders():
            path = folder / IGNORE_FILE
            try:
                head: bytes | None = path.read_bytes() if path.is_file() else None
            except OSError:
                head = None
            if head != self.read(path):
                changed.append(f"{rel}/{IGNORE_FILE}")
        return tuple(changed)

    def _inner_ignore_files(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        try:
            out = run_git(self.root, "ls-tree", "-r", "-z", "--name-only", self.commit, "--", ".")
        except GitError:
            return ()
        found = []
        for raw in out.split(b"\0"):
            name = os.fsdecode(raw)
            if name == IGNORE_FILE or name.endswith("/" + IGNORE_FILE):
                found.append(name)
        result = []
        for name in sorted(found)[:MAX_IGNORE_FILES]:
            data = self.read(self.root / name)
            if data is not None:
                folder = name[: -len(IGNORE_FILE)].rstrip("/")
                result.append((folder, tuple(data.decode("utf-8", "replace").splitlines())))
        return tuple(result)

    def changed_ignore_files(self) -> tuple[str, ...]:
        """The .gitignore files that the checkout has changed since the base: those above
        `root` up to the repository root (`../.gitignore`), then those under it."""
        try:
            out = run_git(
                self.root,
                "diff",
                "--no-ext-diff",
                "--no-textconv",
                "--name-only",
                "--relative",
                "-z",
                self.commit,
                "--",
                IGNORE_FILE,
                f"**/{IGNORE_FILE}",
            )
        except GitError:
            return self._changed_outer_ignore_files()
        inner = sorted(os.fsdecode(raw) for raw in out.split(b"\0") if raw)
        return self._changed_outer_ignore_files() + tuple(inner)


def open_base(root: Path, ref: str) -> BaseTree:
    """The base tree of a change against `ref`: the merge base of `ref` and HEAD."""
    if not ref or ref.startswith("-"):
        raise BaseUnreadableError(f"invalid base ref {ref[:40]!r}")
    try:
        sha = run_git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode()
    except GitError:
        raise BaseUnreadableError(
            f"base {ref[:40]} is not in this clone (shallow checkout? use fetch-depth: 0)"
        ) from None
    sha = sha.strip()
    try:
        merge_base = run_git(root, "merge-base", sha, "HEAD").decode().strip()
    except GitError:
        merge_base = ""
    return BaseTree(root, merge_base or sha)
