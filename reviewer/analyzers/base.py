"""What every analyzer adapter shares: the finding type, the parse result and path helpers.

Adapters are pure (argv in, JSON text out -> values), so they can be unit-tested on recorded
output; only `runner` starts processes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath
from typing import Protocol

from reviewer.model import Confidence, Location, Severity


@dataclass(frozen=True)
class ExternalFinding:
    """One finding of an external analyzer, before it is claimed by a rule or the policy.

    `external_id` is "bandit:B608", "ruff:S608", "semgrep:BR204" (our rules, from
    `metadata.code`) or "semgrep:<check_id>" (user configs without a code).
    """

    external_id: str
    location: Location  # path relative to the target root, POSIX
    message: str
    severity: Severity | None
    confidence: Confidence | None
    cwe: tuple[int, ...] = ()


class AnalyzerOutputError(Exception):
    """The analyzer's output cannot be understood (garbage or truncated JSON, wrong shape)."""


@dataclass(frozen=True)
class ParseOutcome:
    """What one analyzer process reported."""

    findings: tuple[ExternalFinding, ...] = ()
    not_covered: tuple[str, ...] = ()  # relative POSIX paths the analyzer could not analyze
    version: str = ""  # when the output itself names the version (semgrep)
    message: str = ""  # warnings worth showing even though the run succeeded


class Adapter(Protocol):
    """One external analyzer: how to call it and how to read what it says."""

    @property
    def name(self) -> str: ...

    @property
    def executable(self) -> str: ...

    def argv(self, exe: str, files: Sequence[str], extra_args: Sequence[str]) -> list[str]:
        """The full command for one chunk of files (relative, already './'-prefixed)."""
        ...

    def ok_returncodes(self) -> frozenset[int]: ...

    def parse(self, stdout: str, stderr: str) -> ParseOutcome:
        """Read one process's output; raise AnalyzerOutputError when it makes no sense."""
        ...

    def version_argv(self, exe: str) -> list[str] | None:
        """A cheap command printing the version, or None when `parse` finds it in the output."""
        ...

    def parse_version(self, text: str) -> str:
        """The version number from what `version_argv` printed."""
        ...

    def describe_failure(self, stdout: str, stderr: str) -> str:
        """A short explanation of a failed run, for the report."""
        ...


_CWE_RE = re.compile(r"(?i)^\s*(?:CWE-)?(\d+)\b")


def parse_cwe(value: object) -> tuple[int, ...]:
    """CWE ids from an int, "CWE-89: ..." text, {"id": 89} or a list of those."""
    items = value if isinstance(value, list | tuple) else [value]
    out: list[int] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("id")
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            cwe = item
        elif isinstance(item, str) and (match := _CWE_RE.match(item)):
            cwe = int(match.group(1))
        else:
            continue
        if cwe > 0 and cwe not in out:
            out.append(cwe)
    return tuple(out)


def normalize_path(reported: str, root: str = "") -> str:
    """A path as an analyzer printed it -> POSIX, relative to the target root.

    Analyzers run with cwd = root and relative arguments, so most print relative paths
    ("./app.py" from bandit); ruff prints absolute ones, which are made relative to `root`.
    """
    path = reported.replace("\\", "/") if os.sep == "\\" else reported
    if root and os.path.isabs(path):
        for base in _roots(root):
            try:
                return PurePath(path).relative_to(base).as_posix()
            except ValueError:
                continue
        return PurePath(path).as_posix()
    while path.startswith("./"):
        path = path[2:]
    return PurePosixPath(path).as_posix()


def _roots(root: str) -> Iterator[str]:
    yield root
    real = os.path.realpath(root)
    if real != root:
        yield real


def as_argument(relative: str) -> str:
    """'./'-prefix a relative path so a file named '-x.py' is never read as an option."""
    return relative if relative.startswith(("./", "/")) else f"./{relative}"


def chunk_files(files: Sequence[str], budget: int) -> list[list[str]]:
    """Split a file list so each chunk's argv stays under `budget` characters (ARG_MAX)."""
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for path in files:
        cost = len(os.fsencode(path)) + 1
        if current and size + cost > budget:
            chunks.append(current)
            current, size = [], 0
        current.append(path)
        size += cost
    if current:
        chunks.append(current)
    return chunks


def first_lines(text: str, count: int = 5, width: int = 300) -> str:
    """The start of an error stream, short enough for a report line."""
    lines = [line.rstrip()[:width] for line in text.strip().splitlines() if line.strip()]
    return "\n".join(lines[:count])


class StandardCli:
    """Defaults shared by analyzers that exit 0 and print `name X.Y.Z` for `--version`."""

    def ok_returncodes(self) -> frozenset[int]:
        return frozenset({0})

    def version_argv(self, exe: str) -> list[str] | None:
        return [exe, "--version"]

    def parse_version(self, text: str) -> str:
        """`bandit 1.9.4 ...` / `ruff 0.17.6` -> the second word."""
        words = text.split()
        return words[1] if len(words) >= 2 else text.strip()

    def describe_failure(self, stdout: str, stderr: str) -> str:
        return first_lines(stderr) or first_lines(stdout)
