"""Parse one file once and run every native rule over it in a single traversal.

This is a pure function of (path, bytes, rules, config), so it can run in a worker process and
its result can be cached by content hash. Problems with the file itself (binary, undecodable,
syntax error) and crashes of a rule become findings (BR901/BR902), never exceptions.
"""

from __future__ import annotations

import codecs
import io
import time
import tokenize
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import libcst as cst

from reviewer.config import Config
from reviewer.context import FileContext, Visitor
from reviewer.imports import build_import_table
from reviewer.meta_findings import ANALYZER_FAILED, PARSE_ERROR, meta_finding
from reviewer.model import Finding, FlowStep, Location, mask_secret
from reviewer.nesting_bound import within_limits
from reviewer.service import Project
from reviewer.walk import traverse


@dataclass(frozen=True)
class FileResult:
    relpath: str
    findings: tuple[Finding, ...] = ()
    not_reviewed: str = ""  # reason the native rules could not review the file
    facts: dict[str, Any] = field(default_factory=dict)
    cacheable: bool = True  # False for a result that depends on the moment (a time budget)


class FileTimeLimitError(Exception):
    """The native analysis of one file ran past `file-time-limit` (issue 11: a per-file
    budget, so one crafted file cannot hold the review; the analyzers still review it)."""


CLOCK_EVERY = 4096  # nodes between two looks at the clock (a look costs ~50 ns)


class _Dispatcher:
    """Calls each rule's visit_<Node>/leave_<Node> and keeps the ancestor stack; stops the
    file when its time budget is spent."""

    def __init__(self, ctx: FileContext, rules: Sequence[Visitor], deadline: float) -> None:
        self.deadline = deadline
        self.nodes = 0
        self.ctx = ctx
        self.visits: dict[str, list[tuple[str, Callable[[cst.CSTNode], object]]]] = defaultdict(
            list
        )
        self.leaves: dict[str, list[tuple[str, Callable[[cst.CSTNode], object]]]] = defaultdict(
            list
        )
        for rule in rules:
            label = rule.code or type(rule).__name__
            for prefix, node_type, attr in _handlers(type(rule)):
                table = self.visits if prefix == "visit" else self.leaves
                table[node_type].append((label, getattr(rule, attr)))
        self.crashed: dict[str, str] = {}

    def _call(self, table: dict[str, list[Any]], node: cst.CSTNode) -> None:
        handlers = table.get(type(node).__name__)
        if not handlers:
            return
        for label, method in handlers:
            if label in self.crashed:
                continue
            try:
                method(node)
            except Exception as exc:  # a rule bug must not lose the rest of the review
                self.crashed[label] = f"{type(exc).__name__}: {exc}"

    def enter(self, node: cst.CSTNode) -> None:
        self.nodes += 1
        if not self.nodes % CLOCK_EVERY:
            self.check_clock()
        self.ctx.stack.append(node)
        self._call(self.visits, node)

    def check_clock(self) -> None:
        if time.monotonic() > self.deadline:
            raise FileTimeLimitError

    def leave(self, node: cst.CSTNode) -> None:
        self._call(self.leaves, node)
        self.ctx.stack.pop()


_HANDLERS: dict[type, tuple[tuple[str, str, str], ...]] = {}


def _handlers(cls: type[Visitor]) -> tuple[tuple[str, str, str], ...]:
    """(visit|leave, node type name, method name) of a visitor class, computed once."""
    if cls not in _HANDLERS:
        found = []
        for attr in dir(cls):
            prefix, _, node_type = attr.partition("_")
            if prefix in ("visit", "leave") and node_type[:1].isupper():
                found.append((prefix, node_type, attr))
        _HANDLERS[cls] = tuple(found)
    return _HANDLERS[cls]


def decode_source(data: bytes) -> tuple[str | None, str]:
    """Decoded text, or None and the reason the bytes are not reviewable Python source.

    The text is what CPython would run: a second, different encoding cookie or one after a code
    line must not make the rules read another program (hostile-review U3).
    """
    if b"\x00" in data[:8192]:
        return None, "binary file (contains NUL bytes)"
    encoding, reason = source_encoding(data)
    if encoding is None:
        return None, reason
    try:
        return data.decode(encoding).removeprefix("\ufeff"), ""
    except UnicodeDecodeError as exc:
        return None, f"not valid {encoding} text (byte {exc.start}): {exc.reason}"
    except UnicodeError as exc:  # a codec that fails without saying where (punycode)
        return None, f"not valid {encoding} text: {exc}"


# Every printable ASCII character and the whitespace Python source uses.
_ASCII_PROBE = "".join(map(chr, range(32, 127))) + "\t\n\r\f"


def source_encoding(data: bytes) -> tuple[str | None, str]:
    """The encoding CPython reads `data` with (PEP 263, via `tokenize.detect_encoding`), or None
    and why the file is refused.

    Refused too: encodings in which ASCII bytes do not mean ASCII (utf-7, utf-16, punycode,
    EBCDIC, the stateful iso2022 family), where the analyzers and the rules would read
    different code than a human reviewer sees.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        return None, f"bad source encoding declaration: {exc.msg}"
    name = codecs.lookup(encoding).name
    if name in ("utf-8", "utf-8-sig"):
        return encoding, ""
    try:
        ascii_compatible = (
            not name.startswith("iso2022")
            and _ASCII_PROBE.encode(encoding) == _ASCII_PROBE.encode("ascii")
            and _ASCII_PROBE.encode("ascii").decode(encoding) == _ASCII_PROBE
        )
    except (LookupError, UnicodeError):
        ascii_compatible = False
    if not ascii_compatible:
        return None, f"source encoding {encoding!r} is not ASCII-compatible"
    return encoding, ""


# libcst's native parser overflows its stack, a SIGSEGV that kills the worker and the run, on
# deep input (issue 11, C1): 5000 nested brackets, or an expression chaining 5000 operators or
# trailers (`1+1+…`, `y[0][0]…`, `f()()…`, `a.b.c…`, `lambda: lambda: …`), and `y[0]` 2991 times
# already. CPython itself refuses more than 200 nested brackets and 100 indentation levels, so
# those limits lose nothing runnable; every shape above parses at 1000.
MAX_BRACKETS = 200
MAX_INDENT = 100
MAX_NESTING = 1000  # open brackets plus the operators and trailers chained inside them
_CHAINING_NAMES = frozenset(("lambda", "if", "else", "and", "or", "not", "in", "is", "await"))


def nesting_problem(text: str) -> tuple[str, int]:
    """Why `text` is too deep for the parser ("" when it is not) and the line: from its
    tokens, unless a cheap upper bound of the same measures clears it (nesting_bound.py)."""
    if within_limits(text, MAX_BRACKETS, MAX_INDENT, MAX_NESTING):
        return "", 0
    return token_nesting_problem(text)


def token_nesting_problem(text: str) -> tuple[str, int]:
    """nesting_problem from every token: bracket depth, indentation depth, and how many
    operators and trailers chain into one expression (each nests the previous one in the
    tree; a comma starts a sibling)."""
    depth = indent = running = 0
    chains = [0]  # chained tokens per open bracket level, since its last comma
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            kind, string, line = tok.type, tok.string, tok.start[0]
            if kind == tokenize.INDENT:
                indent += 1
                if indent > MAX_INDENT:
                    return f"more than {MAX_INDENT} indentation levels", line
            elif kind == tokenize.DEDENT:
                indent -= 1
            elif kind == tokenize.NEWLINE:
                chains, running = [0], 0
            elif kind == tokenize.OP and string in "([{":
                chains[-1] += 1  # a call, subscript or group nests what came before
                chains.append(0)
                depth += 1
                running += 1
                if depth > MAX_BRACKETS:
                    return f"more than {MAX_BRACKETS} nested brackets", line
            elif kind == tokenize.OP and string in ")]}":
                if len(chains) > 1:
                    running -= chains.pop()
                    depth -= 1
            elif kind == tokenize.OP and string in (",", ";"):
                running -= chains[-1]
                chains[-1] = 0
            elif kind == tokenize.OP or (kind == tokenize.NAME and string in _CHAINING_NAMES):
                chains[-1] += 1
                running += 1
            if running > MAX_NESTING:
                return f"an expression nested more than {MAX_NESTING} levels deep", line
    except (tokenize.TokenError, SyntaxError):  # libcst reports the syntax error itself
        return "", 0
    return "", 0


def analyze_source(
    relpath: str,
    data: bytes,
    visitor_classes: Sequence[type[Visitor]],
    config: Config,
    project: Project | None = None,
) -> FileResult:
    """Review one file's bytes with the given rules and fact collectors."""
    started = time.monotonic()
    text, reason = decode_source(data)
    if text is None:
        return _not_reviewed(relpath, reason, 1)
    deep, line = nesting_problem(text)
    if deep:
        return _not_reviewed(relpath, f"too deeply nested: {deep}", line)
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        return FileResult(
            relpath,
            (
                meta_finding(
                    PARSE_ERROR,
                    Location(relpath, max(exc.raw_line, 1)),
                    f"syntax error, file not reviewed by native rules: {exc.message}",
                ),
            ),
            not_reviewed=f"syntax error at line {exc.raw_line}: {exc.message}",
        )
    except RecursionError:
        return _not_reviewed(relpath, "too deeply nested to parse", 1)
    ctx = FileContext(
        relpath=relpath,
        source=text,
        module=module,
        imports=build_import_table(module, relpath),
        config=config,
        project=project,
    )
    rules = [cls(ctx) for cls in visitor_classes]
    dispatcher = _Dispatcher(ctx, rules, started + config.file_time_limit)
    try:
        traverse(module, dispatcher.enter, dispatcher.leave)
        for rule in rules:
            label = rule.code or type(rule).__name__
            if label in dispatcher.crashed:
                continue
            try:
                rule.finish()
            except Exception as exc:
                dispatcher.crashed[label] = f"{type(exc).__name__}: {exc}"
            dispatcher.check_clock()
    except RecursionError:
        return _not_reviewed(relpath, "too deeply nested to review", 1)
    except FileTimeLimitError:
        spent = config.file_time_limit
        late = _not_reviewed(
            relpath, f"native analysis took longer than {spent:g} s (file-time-limit)", 1
        )
        return replace(late, cacheable=False)  # a quieter machine may finish it next time
    findings = _locate(ctx, tuple(text.splitlines()) if ctx.pending else ())
    for code, error in sorted(dispatcher.crashed.items()):
        findings.append(
            meta_finding(
                ANALYZER_FAILED, Location(relpath, 1), f"rule {code} crashed on this file: {error}"
            )
        )
    return FileResult(relpath, tuple(findings), facts=ctx.facts)


def _not_reviewed(relpath: str, reason: str, line: int) -> FileResult:
    finding = meta_finding(PARSE_ERROR, Location(relpath, line), f"file not reviewed: {reason}")
    return FileResult(relpath, (finding,), not_reviewed=reason)


def _locate(ctx: FileContext, lines: tuple[str, ...]) -> list[Finding]:
    result = []
    for item in ctx.pending:
        loc = ctx.location(item.node)
        snippet = lines[loc.line - 1] if 0 < loc.line <= len(lines) else ""
        if item.redact:
            snippet = mask_secret(snippet, loc, loc.line)
        snippet = snippet.strip()
        result.append(
            Finding(
                code=item.code,
                message=item.message,
                location=loc,
                severity=item.severity,
                confidence=item.confidence,
                scope=item.scope,
                snippet=snippet,
                flow=tuple(FlowStep(ctx.location(node), text) for node, text in item.flow),
                fix=item.fix,
                extra=item.extra,
                redact=item.redact,
            )
        )
    return result
