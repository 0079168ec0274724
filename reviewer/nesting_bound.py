"""A C-speed upper bound on what the token-level nesting check (`traversal.nesting_problem`)
measures, so that check only tokenizes the rare file the bound cannot clear.

The precise check walks every token of every file in Python (a tenth of a cold review). This
module computes, from a few regular-expression passes and one loop over brackets, commas and
line ends only, numbers that are never below the precise check's: bracket depth and the
chained-token count exactly as it tracks them, with every operator character and every
chaining keyword counted as one token (a token has at least one such character, so this only
over-counts), and the indentation depth bounded by the widest leading whitespace. When all
stay within the limits the precise check cannot find a problem; otherwise it runs and gives
its own answer and line. Anything the passes do not model as Python 3.11's tokenize does (a
carriage return, an unterminated string, a bracket closed at depth 0) sends the file to the
precise check too, as does Python 3.12+, whose tokenize splits f-strings into tokens.
"""

from __future__ import annotations

import re
import sys

# Strings, comments and backslash continuations, in the order tokenize tries them at a quote:
# triple quotes first (closed, or open to the end of the file, where tokenize stops with an
# error and the precise check answers from what came before), then one-line strings (a
# backslash escapes any character, a newline included), then an unterminated one-line string,
# whose quote is kept (`g`) so that the file goes to the precise check.
_STRIP = re.compile(
    r"""(?=['"#\\])(?:'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*(?:'''|\Z)"""
    r'''|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*(?:"""|\Z)'''
    r"""|'[^\n'\\]*(?:\\.[^\n'\\]*)*'"""
    r'''|"[^\n"\\]*(?:\\.[^\n"\\]*)*"'''
    r"""|(?P<g>['"])[^\n]*"""
    r"""|\#[^\n]*"""
    r"""|\\\n)""",
    re.DOTALL,
)
# A chaining keyword ends where its name ends (a longer name is another token); the match may
# start inside a longer name (`for` holds `or`): that only over-counts.
_WORDS = re.compile(r"(?:lambda|if|else|and|or|not|in|is|await)(?!\w)")
# Everything that is neither an operator character, a bracket, a separator nor a line end.
_NOISE = re.compile(r"[^()\[\]{},;\n+\-*/%&|^~<>=!.:@]+")
_EVENTS = re.compile(r"([()\[\]{},;\n])")
_INDENT = re.compile(r"^[ \t\f]+", re.MULTILINE)


def within_limits(text: str, max_brackets: int, max_indent: int, max_nesting: int) -> bool:
    """True when the precise nesting check is sure to find nothing in `text`."""
    if sys.version_info >= (3, 12):
        return False
    if "\r" in text:  # tokenize reads \r\n as \n, a lone \r as an error token
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return False
    # Indentation: each level is a wider column; a space or form feed moves at most one
    # column, a tab at most eight.
    widest = max(map(len, _INDENT.findall(text)), default=0)
    if widest * (8 if "\t" in text else 1) > max_indent:
        return False
    code = _STRIP.sub(r" \g<g>", text)
    if "'" in code or '"' in code:
        return False
    parts = _EVENTS.split(_NOISE.sub("", _WORDS.sub("+", code)))
    chains = [len(parts[0])]  # chained tokens per open bracket level, since its last comma
    running = chains[0]
    if running > max_nesting:
        return False
    for at in range(1, len(parts), 2):
        event, ops = parts[at], len(parts[at + 1])
        if event in "([{":
            chains[-1] += 1
            chains.append(ops)
            running += 1 + ops
            if len(chains) > max_brackets + 1:
                return False
        elif event in ")]}":
            if len(chains) == 1:  # tokenize's own bracket level goes negative here
                return False
            running -= chains.pop()
            chains[-1] += ops
            running += ops
        elif event == "\n" and len(chains) == 1:
            chains[0] = running = ops
        elif event == "\n":
            chains[-1] += ops
            running += ops
        else:  # , or ;
            running += ops - chains[-1]
            chains[-1] = ops
        if running > max_nesting:
            return False
    return True
