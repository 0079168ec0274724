"""Gitignore-style patterns (`.gitignore` lines, the config's `exclude`) compiled with a
complexity check, because matching them can take hours (issue 11, U13).

pathspec turns each pattern into a backtracking regular expression: every `*` becomes
`[^/]*`, so a pattern with k stars in one path segment costs about n^k steps on a name of n
characters. Measured with pathspec 1.1.1 on a 255-character name: 2 stars 0.03 s, 3 stars
2.8 s, 13 stars (`*a*a*…*b`, the reproduction) longer than anyone waits. Stars in different
segments do not multiply (`[^/]*` stops at `/`), a `**` segment can (it crosses folders). So a
pattern may hold at most MAX_STARS stars in one segment and MAX_DOUBLE_STARS `**` segments;
across the ten corpus apps' 1102 .gitignore lines none holds more than 2 stars in a segment.
A longer pattern is refused, never applied (applying it could hang, dropping it silently
could change what is reviewed): a PatternError that the caller turns into a config error
naming the file and the line or key.
"""

from __future__ import annotations

from collections.abc import Iterable

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


def compile_spec(lines: Iterable[str], where: str) -> pathspec.GitIgnoreSpec:
    """A GitIgnoreSpec of `lines`; PatternError naming `where` (a file) and the line when one
    is too complex to match safely."""
    kept = list(lines)
    for number, line in enumerate(kept, 1):
        reason = too_complex(line)
        if reason:
            raise PatternError(f"{where}: line {number}: {refusal(line, reason)}")
    return pathspec.GitIgnoreSpec.from_lines(kept)


def refusal(pattern: str, reason: str) -> str:
    return (
        f"pattern {pattern.strip()[:80]!r} is refused: {reason}; matching such a pattern can "
        "take hours (catastrophic backtracking)"
    )
