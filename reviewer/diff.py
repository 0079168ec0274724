"""Unified diffs parsed into hunks, so findings and review comments can be tied to changed lines.

Two inputs share one model: `git diff` output (a whole patch with per-file headers) and the
per-file `patch` strings GitHub returns from pulls/list-files (hunks only). GitHub accepts an
inline review comment only on a line inside a hunk (RIGHT side: added or context lines), and a
multi-line comment only when both ends sit in the same hunk, so the model answers exactly those
questions.

Filter modes (see `filter_findings`):

* ``added``: a finding is kept when a line of its range, or of its data-flow steps, is an added
  line. Editing one line of a flagged range re-surfaces the finding: the change touched it.
* ``diff-context``: the same, with context lines of the hunks counting too.
* ``file``: kept when its file (or a flow step's file) was changed and still exists.
* ``nofilter``: everything.

Project-level findings (``Finding.project_level``, e.g. "no rate limiting anywhere") describe the
whole project rather than a line, so in every mode but ``nofilter`` they are kept only when the
change touches their cause: their location's file or one of their flow steps' files is among
the changed files. A project-level finding without a path is kept only by ``nofilter``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reviewer.git import GitError, run_git
from reviewer.model import Finding

FilterMode = Literal["added", "diff-context", "file", "nofilter"]
FILTER_MODES: tuple[FilterMode, ...] = ("added", "diff-context", "file", "nofilter")

_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$")
GIT_TIMEOUT_S = 120


class DiffError(Exception):
    """The diff could not be produced or parsed; the message says what to do."""


@dataclass(frozen=True)
class Hunk:
    """One ``@@`` block: line numbers are 1-based, new-file numbers for added/context lines."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    added: frozenset[int] = frozenset()
    context: frozenset[int] = frozenset()
    deleted: frozenset[int] = frozenset()  # old-file line numbers
    section: str = ""

    @property
    def new_end(self) -> int:
        """Last new-file line of the hunk (``new_start - 1`` when it only deletes)."""
        return self.new_start + self.new_count - 1

    def contains(self, line: int) -> bool:
        """True when `line` (new file) can carry a RIGHT-side review comment in this hunk."""
        return self.new_count > 0 and self.new_start <= line <= self.new_end


@dataclass(frozen=True)
class FileDiff:
    """The change to one file. `path` is the new path (the old one for deleted files)."""

    path: str
    status: str = "modified"  # added | modified | removed | renamed | copied
    old_path: str | None = None
    hunks: tuple[Hunk, ...] = ()
    binary: bool = False
    patch_missing: bool = False  # GitHub omits `patch` for binary and very large diffs

    @property
    def added_lines(self) -> frozenset[int]:
        return frozenset().union(*(h.added for h in self.hunks))

    @property
    def exists_after(self) -> bool:
        return self.status != "removed"

    def is_added(self, line: int) -> bool:
        return any(line in h.added for h in self.hunks)

    def in_hunk(self, line: int) -> bool:
        return self.hunk_for(line) is not None

    def hunk_for(self, line: int) -> Hunk | None:
        return next((h for h in self.hunks if h.contains(line)), None)

    def hunk_for_range(self, start_line: int, line: int) -> Hunk | None:
        """The hunk holding both ends of ``start_line..line``, or None (GitHub would say 422)."""
        hunk = self.hunk_for(line)
        if hunk is None or start_line > line or not hunk.contains(start_line):
            return None
        return hunk


@dataclass(frozen=True)
class FileDiffs:
    """All changed files of one diff, looked up by path (POSIX, relative to the diff's root)."""

    files: tuple[FileDiff, ...] = ()
    _index: Mapping[str, FileDiff] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {f.path: f for f in self.files})

    def __iter__(self) -> Iterator[FileDiff]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def __contains__(self, path: object) -> bool:
        return path in self._index

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(f.path for f in self.files)

    def get(self, path: str) -> FileDiff | None:
        return self._index.get(path)

    def is_changed(self, path: str) -> bool:
        """True when `path` was added, modified or renamed (deleted files do not count)."""
        fd = self._index.get(path)
        return fd is not None and fd.exists_after

    def is_added(self, path: str, line: int) -> bool:
        fd = self._index.get(path)
        return fd is not None and fd.is_added(line)

    def in_hunk(self, path: str, line: int) -> bool:
        fd = self._index.get(path)
        return fd is not None and fd.in_hunk(line)

    def hunk_for_range(self, path: str, start_line: int, line: int) -> Hunk | None:
        fd = self._index.get(path)
        return None if fd is None else fd.hunk_for_range(start_line, line)

    def relative_to(self, prefix: str) -> FileDiffs:
        """Only the files under directory `prefix`, with the prefix stripped (monorepo targets)."""
        prefix = prefix.strip("/")
        if not prefix:
            return self
        head = prefix + "/"
        kept = []
        for fd in self.files:
            if fd.path.startswith(head):
                old = (
                    fd.old_path[len(head) :]
                    if fd.old_path and fd.old_path.startswith(head)
                    else None
                )
                kept.append(_replace_paths(fd, fd.path[len(head) :], old))
        return FileDiffs(tuple(kept))


def _replace_paths(fd: FileDiff, path: str, old_path: str | None) -> FileDiff:
    return FileDiff(path, fd.status, old_path, fd.hunks, fd.binary, fd.patch_missing)


# --------------------------------------------------------------------------- parsing


def parse_patch(patch: str) -> tuple[Hunk, ...]:
    """Parse the hunks of one file (a GitHub `patch` string, or the body after ``+++``)."""
    hunks, _ = _parse_hunks(patch.splitlines(), 0)
    return hunks


def _parse_hunks(lines: Sequence[str], i: int) -> tuple[tuple[Hunk, ...], int]:
    """Parse consecutive hunks from lines[i]; return them and the index after the last one."""
    hunks: list[Hunk] = []
    while i < len(lines):
        match = _HUNK_RE.match(lines[i])
        if match is None:
            if lines[i].startswith("\\"):  # "\ No newline at end of file"
                i += 1
                continue
            break
        old_start, new_start = int(match[1]), int(match[3])
        old_count = 1 if match[2] is None else int(match[2])
        new_count = 1 if match[4] is None else int(match[4])
        added: set[int] = set()
        context: set[int] = set()
        deleted: set[int] = set()
        old_no, new_no = old_start, new_start
        old_left, new_left = old_count, new_count
        i += 1
        while i < len(lines) and (old_left > 0 or new_left > 0):
            text = lines[i]
            tag = text[:1]
            if tag == "+" and new_left > 0:
                added.add(new_no)
                new_no, new_left = new_no + 1, new_left - 1
            elif tag == "-" and old_left > 0:
                deleted.add(old_no)
                old_no, old_left = old_no + 1, old_left - 1
            elif tag in (" ", "") and old_left > 0 and new_left > 0:
                # an empty line is a context line whose trailing space was stripped
                context.add(new_no)
                old_no, new_no = old_no + 1, new_no + 1
                old_left, new_left = old_left - 1, new_left - 1
            elif tag == "\\":
                pass
            else:
                raise DiffError(f"malformed hunk near line {i + 1}: {text[:80]!r}")
            i += 1
        if old_left or new_left:
            raise DiffError(f"truncated hunk starting {match[0]!r}")
        hunks.append(
            Hunk(
                old_start,
                old_count,
                new_start,
                new_count,
                frozenset(added),
                frozenset(context),
                frozenset(deleted),
                match[5].strip(),
            )
        )
    return tuple(hunks), i


def parse_unified_diff(text: str) -> FileDiffs:
    """Parse `git diff` output (or a plain ``diff -u`` / ``.patch`` file) into per-file hunks."""
    lines = text.splitlines()
    files: list[FileDiff] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("diff --git "):
            fd, i = _parse_git_file(lines, i)
            files.append(fd)
        elif line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            old = _header_path(lines[i][4:])
            new = _header_path(lines[i + 1][4:])
            hunks, i = _parse_hunks(lines, i + 2)
            files.append(_file_from_paths(old, new, hunks, binary=False, rename=False))
        else:
            i += 1
    return FileDiffs(tuple(files))


def _parse_git_file(lines: Sequence[str], i: int) -> tuple[FileDiff, int]:
    """Parse one ``diff --git`` section starting at lines[i]."""
    old, new = _split_git_header(lines[i][len("diff --git ") :])
    rename = copy = binary = False
    status_hint = ""
    i += 1
    while i < len(lines) and not lines[i].startswith(("diff --git ", "@@ ")):
        line = lines[i]
        if line.startswith("rename from "):
            old, rename = _unquote(line[len("rename from ") :]), True
        elif line.startswith("rename to "):
            new, rename = _unquote(line[len("rename to ") :]), True
        elif line.startswith("copy from "):
            old, copy = _unquote(line[len("copy from ") :]), True
        elif line.startswith("copy to "):
            new, copy = _unquote(line[len("copy to ") :]), True
        elif line.startswith("new file mode"):
            status_hint = "added"
        elif line.startswith("deleted file mode"):
            status_hint = "removed"
        elif line.startswith("Binary files ") or line == "GIT binary patch":
            binary = True
        elif line.startswith("--- "):
            path = _header_path(line[4:])
            old = path if path is not None else old
            if path is None:
                status_hint = "added"
        elif line.startswith("+++ "):
            path = _header_path(line[4:])
            new = path if path is not None else new
            if path is None:
                status_hint = "removed"
        i += 1
    hunks, i = _parse_hunks(lines, i)
    if status_hint == "added":
        return FileDiff(new or old or "", "added", None, hunks, binary), i
    if status_hint == "removed":
        return FileDiff(old or new or "", "removed", None, hunks, binary), i
    if copy:
        return FileDiff(new or "", "copied", old, hunks, binary), i
    return _file_from_paths(old, new, hunks, binary=binary, rename=rename), i


def _file_from_paths(
    old: str | None, new: str | None, hunks: tuple[Hunk, ...], *, binary: bool, rename: bool
) -> FileDiff:
    if old is None and new is not None:
        return FileDiff(new, "added", None, hunks, binary)
    if new is None and old is not None:
        return FileDiff(old, "removed", None, hunks, binary)
    assert new is not None
    if rename or (old is not None and old != new):
        return FileDiff(new, "renamed", old, hunks, binary)
    return FileDiff(new, "modified", None, hunks, binary)


def _split_git_header(rest: str) -> tuple[str | None, str | None]:
    """Split ``a/x b/y`` (either side may be C-quoted); exact paths come from later headers."""
    if rest.startswith('"'):
        end = _quoted_end(rest)
        old, tail = _unquote(rest[: end + 1]), rest[end + 2 :]
        return _strip_prefix(old), _strip_prefix(_unquote(tail))
    if rest.endswith('"'):
        start = rest.rfind(' "')
        return _strip_prefix(rest[:start]), _strip_prefix(_unquote(rest[start + 1 :]))
    # unquoted: "a/p b/p" with the same path twice is the common case; split in the middle
    half = len(rest) // 2
    if rest[half : half + 1] == " " and rest[:half][2:] == rest[half + 1 :][2:]:
        return _strip_prefix(rest[:half]), _strip_prefix(rest[half + 1 :])
    old, _, new = rest.partition(" b/")
    return _strip_prefix(old), new


def _quoted_end(text: str) -> int:
    i = 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    raise DiffError(f"unterminated quoted path: {text[:80]!r}")


def _strip_prefix(path: str) -> str:
    return path[2:] if path[:2] in ("a/", "b/") else path


def _header_path(raw: str) -> str | None:
    """The path of a ``---``/``+++`` header, or None for /dev/null."""
    raw = raw.split("\t", 1)[0] if not raw.startswith('"') else raw
    path = _unquote(raw.rstrip("\n"))
    if path == "/dev/null":
        return None
    return _strip_prefix(path)


_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def _unquote(text: str) -> str:
    """Undo git's C-style path quoting (``"caf\\303\\251.py"`` -> ``café.py``)."""
    text = text.strip()
    if not (len(text) >= 2 and text[0] == '"' and text[-1] == '"'):
        return text
    body = text[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out += ch.encode("utf-8")
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif re.fullmatch(r"[0-7]{3}", body[i + 1 : i + 4]):
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
        else:
            out += b"\\"
            i += 1
    return out.decode("utf-8", errors="surrogateescape")


def parse_github_files(files: Iterable[Mapping[str, Any]]) -> FileDiffs:
    """Build the model from pulls/list-files entries (`filename`, `status`, `patch`, ...)."""
    parsed = []
    for entry in files:
        status = str(entry.get("status", "modified"))
        if status == "changed":  # mode-only change
            status = "modified"
        patch = entry.get("patch")
        hunks = parse_patch(patch) if isinstance(patch, str) else ()
        parsed.append(
            FileDiff(
                path=str(entry["filename"]),
                status=status,
                old_path=entry.get("previous_filename"),
                hunks=hunks,
                binary=False,
                patch_missing=not isinstance(patch, str) and status != "removed",
            )
        )
    return FileDiffs(tuple(parsed))


# --------------------------------------------------------------------------- git


# `--diff` values that are no git ref (a ref name cannot contain ":"): the changes not committed
# yet, for pre-commit hooks and local runs
STAGED = ":staged"  # the index against HEAD (`git diff --cached HEAD`): what the commit will hold
WORKTREE = ":worktree"  # the working tree against HEAD (`git diff HEAD`), staged or not
LOCAL_CHANGES = {STAGED: ("--cached", "HEAD"), WORKTREE: ("HEAD",)}


def changed_files_from_git(root: str | Path, base_ref: str) -> FileDiffs:
    """Diff ``base_ref...HEAD`` (changes since the merge base) in the repository holding `root`,
    or, for `STAGED` / `WORKTREE`, the changes not committed yet against HEAD.

    Paths are relative to `root` (``--relative``), so they match finding paths even when the
    target is a sub-folder of the repository; changes outside `root` are left out. External diff
    drivers and textconv filters are disabled: the repository under review is untrusted.
    """
    if not base_ref or base_ref.startswith("-"):
        raise DiffError(f"invalid base ref {base_ref!r}")
    revisions = LOCAL_CHANGES.get(base_ref, (f"{base_ref}...HEAD",))
    args = [
        "diff",
        "--unified=3",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--find-renames",
        "--relative",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        *revisions,
        "--",
    ]
    try:
        out = run_git(root, *args, timeout=GIT_TIMEOUT_S)
    except GitError as exc:
        err = exc.stderr.strip()
        if not err:
            raise DiffError(str(exc)) from None
        hint = ""
        if "no merge base" in err or "unknown revision" in err or "bad revision" in err:
            hint = " (is the base fetched? in CI use actions/checkout with fetch-depth: 0)"
        raise DiffError(f"git diff {' '.join(revisions)} failed: {err}{hint}") from None
    return parse_unified_diff(out.decode("utf-8", "surrogateescape"))


def load_diff(root: str | Path, spec: str) -> FileDiffs:
    """`spec` is `STAGED`/`WORKTREE`, a unified diff file when such a file exists, else a git
    ref to diff against."""
    candidate = Path(spec)
    if spec not in LOCAL_CHANGES and candidate.is_file():
        return parse_unified_diff(candidate.read_text(encoding="utf-8", errors="surrogateescape"))
    return changed_files_from_git(root, spec)


# --------------------------------------------------------------------------- filtering


def parse_filter_mode(value: str) -> FilterMode:
    for mode in FILTER_MODES:
        if value == mode:
            return mode
    raise ValueError(f"unknown filter mode {value!r} (choose from {', '.join(FILTER_MODES)})")


def _touched_lines(finding: Finding) -> Iterator[tuple[str, int]]:
    loc = finding.location
    for line in range(loc.line, max(loc.line, loc.end_line) + 1):
        yield loc.path, line
    for step in finding.flow:
        sl = step.location
        for line in range(sl.line, max(sl.line, sl.end_line) + 1):
            yield sl.path, line


def _touched_paths(finding: Finding) -> set[str]:
    paths = {finding.location.path} | {s.location.path for s in finding.flow}
    paths.discard("")
    return paths


def keep_finding(finding: Finding, diffs: FileDiffs, mode: FilterMode) -> bool:
    """The filter decision for one finding; see the module docstring for the rules."""
    if mode == "nofilter":
        return True
    if finding.project_level or mode == "file":
        return any(diffs.is_changed(p) for p in _touched_paths(finding))
    if mode == "added":
        return any(diffs.is_added(p, n) for p, n in _touched_lines(finding))
    if mode == "diff-context":
        return any(diffs.in_hunk(p, n) for p, n in _touched_lines(finding))
    raise ValueError(f"unknown filter mode {mode!r}")


def filter_findings(
    findings: Iterable[Finding], diffs: FileDiffs, mode: FilterMode
) -> list[Finding]:
    """The findings the change is responsible for under `mode`, order kept."""
    return [f for f in findings if keep_finding(f, diffs, mode)]
