"""Gitignore-style patterns (`.gitignore` lines, the config's `exclude`) compiled with a
complexity check, because matching them can take hours (issue 11, U13).

pathspec turns each pattern into a backtracking regular expression: every `*` becomes
`[^/]*`, so a pattern with k stars in one path segment costs about n^k steps on a name of n
characters. Measured with pathspec 1.1.1 on a 255-character name: 2 stars 0.03 s, 3 stars
2.8 s, 13 stars (`*a*a*…*b`, the reproduction) longer than anyone waits. Stars in different
segments do not multiply (`[^/]*` stops at `/`), a `**` segment can (it crosses folders). So a
pattern may hold at most MAX_STARS stars in one segment and MAX_DOUBLE_STARS `**` segments;
across the ten corpus apps' 1102 .gitignore lines none holds more than 2 stars in a segment.
In the config's `exclude` (the user's own file) a longer pattern is refused with a config error
naming the key. A `.gitignore` is the repository's, often a standard template (GitHub's Node
template has `report.[0-9]*.[0-9]*.[0-9]*.[0-9]*.json`): refusing it would make a typical
repository unreviewable, so such a line is matched by SegmentGlob instead, a linear-time
matcher for patterns whose segments are literals, `?`, `[...]` and `*` (greedy earliest
match of each fixed-width piece between stars, which is exact for such globs). A line that is
also too complex for it (more `**` segments) stays a config error naming file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

import pathspec

MAX_STARS = 2  # `*` runs in one path segment
MAX_DOUBLE_STARS = 2  # `**` segments in one pattern


class PatternError(ValueError):
    """A pattern too complex to match safely; the message names where it came from."""


def too_complex(pattern: str) -> str:
    """Why matching `pattern` could backtrack for hours ("" when it cannot)."""
    text = pattern.strip()
    if not text or text.startswith("#"):
        return ""
    text = text.removeprefix("!")
    segments: list[str] = [""]
    escaped = False
    for char in text:  # split on unescaped `/`, keeping escapes so `\*` is no star
        if escaped:
            segments[-1] += "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "/":
            segments.append("")
        else:
            segments[-1] += char
    double = sum(1 for s in segments if s == "**")
    if double > MAX_DOUBLE_STARS:
        return f"{double} `**` segments (at most {MAX_DOUBLE_STARS})"
    for segment in segments:
        if segment == "**":
            continue
        stars = _star_runs(segment)
        if stars > MAX_STARS:
            return f"{stars} `*` in the path segment {segment!r} (at most {MAX_STARS})"
    return ""


def _star_runs(segment: str) -> int:
    runs, previous, escaped = 0, False, False
    for char in segment:
        star = char == "*" and not escaped
        if star and not previous:
            runs += 1
        previous = star
        escaped = char == "\\" and not escaped
    return runs


class Matcher(Protocol):
    """What discovery asks of an ignore file: does it ignore this path (a folder ends in /)?"""

    def match_file(self, file: str) -> bool: ...


def compile_spec(lines: Iterable[str], where: str) -> Matcher:
    """The matcher of an ignore file's `lines`: pathspec's GitIgnoreSpec, unless a line is too
    complex for its backtracking regexes; then every line is matched in order (the last
    matching line decides, `!` re-includes) with those lines as SegmentGlobs. PatternError
    naming `where` and the line when a line is too complex for both."""
    kept = list(lines)
    risky = {}
    for number, line in enumerate(kept, 1):
        reason = too_complex(line)
        if reason:
            glob = SegmentGlob.parse(line)
            if glob is None:
                raise PatternError(f"{where}: line {number}: {refusal(line, reason)}")
            risky[number - 1] = glob
    if not risky:
        return pathspec.GitIgnoreSpec.from_lines(kept)
    negated = [line.strip().startswith("!") for line in kept]
    return _OrderedSpec(
        [
            risky.get(i) or pathspec.GitIgnoreSpec.from_lines([_positive(line, negated[i])])
            for i, line in enumerate(kept)
        ],
        [not n for n in negated],
    )


def _positive(line: str, negated: bool) -> str:
    """A `!pattern` line as the pattern it re-includes (matched positively, then applied as a
    re-inclusion by _OrderedSpec); a one-line spec of `!x` alone would never match."""
    return line.strip()[1:] if negated else line


class _OrderedSpec:
    """Lines matched one by one, in order: the last that matches decides (gitignore(5))."""

    def __init__(self, matchers: Sequence[Matcher], includes: Sequence[bool]) -> None:
        self._lines = list(zip(matchers, includes, strict=True))

    def match_file(self, file: str) -> bool:
        ignored = False
        for matcher, include in self._lines:
            if include:
                ignored = ignored or matcher.match_file(file)
            elif ignored and matcher.match_file(file):
                ignored = False
        return ignored


class SegmentGlob:
    """One gitignore line without `**`, matched in linear time per path segment.

    gitignore(5): a pattern with no `/` but a trailing one matches a name at any depth; with a
    `/` at the start or in the middle it is relative to the .gitignore's folder; a trailing
    `/` matches folders only; `!` negates (the caller orders the lines). Within a segment `*`
    matches any run of characters but `/`, `?` one, `[...]` one of a set.
    """

    def __init__(self, segments: list[list[re.Pattern[str]]], anchored: bool, folder: bool):
        self._segments = segments  # each: the fixed-width pieces between the stars
        self._anchored = anchored
        self._folder = folder

    @classmethod
    def parse(cls, line: str) -> SegmentGlob | None:
        text = line.strip().removeprefix("!")
        folder = text.endswith("/")
        text = text.rstrip("/")
        anchored = "/" in text
        parts = [p for p in text.split("/") if p]
        if not parts or any("**" in p for p in parts):
            return None
        try:
            return cls([_pieces(p) for p in parts], anchored, folder)
        except re.error:
            return None

    def match_file(self, file: str) -> bool:
        is_folder = file.endswith("/")
        names = [n for n in file.split("/") if n]
        if not names or (self._folder and not is_folder):
            return False
        if not self._anchored:
            return _segment_matches(self._segments[0], names[-1])
        if len(names) != len(self._segments):
            return False
        return all(_segment_matches(p, n) for p, n in zip(self._segments, names, strict=True))


_PIECE_UNIT = re.compile(r"\\.|\[[!^]?\]?[^\]]*\]|\?|[^*?\[\\]+|\[")


def _pieces(segment: str) -> list[re.Pattern[str]]:
    """The segment split at its star runs, each piece a fixed-width regex; a leading or
    trailing star gives an empty first or last piece."""
    pieces = []
    for raw in re.split(r"(?<!\\)\*+", segment):
        out = []
        for unit in _PIECE_UNIT.findall(raw):
            if unit.startswith("\\"):
                out.append(re.escape(unit[1:]))
            elif unit == "?":
                out.append("[^/]")
            elif unit.startswith("[") and unit.endswith("]") and len(unit) > 2:
                body = unit[1:-1]
                body = "^" + body[1:] if body[:1] in "!^" else body
                out.append("[" + body + "]")
            else:
                out.append(re.escape(unit))
        pieces.append(re.compile("".join(out)))
    return pieces


def _segment_matches(pieces: list[re.Pattern[str]], name: str) -> bool:
    """Greedy: the first piece at the start, the last at the end, each middle one at its
    earliest place after the previous; exact for fixed-width pieces, O(len(name) * pieces)."""
    if len(pieces) == 1:
        return pieces[0].fullmatch(name) is not None
    first, *middle, last = pieces
    start = first.match(name)
    if start is None:
        return False
    pos = start.end()
    for piece in middle:
        found = piece.search(name, pos)
        if found is None:
            return False
        pos = found.end()
    return any(
        last.fullmatch(name, end_start) is not None for end_start in _tail_starts(name, pos, last)
    )


def _tail_starts(name: str, pos: int, last: re.Pattern[str]) -> range:
    """Where the last piece may start: it is fixed-width, so only at len(name) - width."""
    width = _width(last)
    begin = len(name) - width
    return range(begin, begin + 1) if begin >= pos else range(0)


def _width(piece: re.Pattern[str]) -> int:
    probe = re.sub(r"\[[^\]]*\]|\\.|.", "x", piece.pattern)
    return len(probe)


def refusal(pattern: str, reason: str) -> str:
    return (
        f"pattern {pattern.strip()[:80]!r} is refused: {reason}; matching such a pattern can "
        "take hours (catastrophic backtracking)"
    )
