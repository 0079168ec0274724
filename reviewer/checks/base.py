"""The base of every native rule: metadata, inline cases, and `report()`.

A rule is one class in one file under `reviewer/checks/<category>/`. It declares its metadata as
class attributes, its docs as the class docstring (Markdown), and `VALID`/`INVALID` cases that
the test suite discovers and runs. Its logic is `visit_<Node>` / `leave_<Node>` methods, called by
the engine's single traversal of each file (see `reviewer/traversal.py`); it reads what it needs
from `self.ctx` (imports, ancestors, config) and calls `self.report(node, message)`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import libcst as cst

from reviewer.context import Visitor
from reviewer.model import Confidence, Finding, RuleMeta, Severity
from reviewer.node.syntax import location
from reviewer.service import Project

if TYPE_CHECKING:
    from tree_sitter import Node

    from reviewer.config import Config
    from reviewer.node.syntax import Parsed

__all__ = ["Case", "Invalid", "Rule", "Valid", "Visitor"]


@dataclass(frozen=True)
class Case:
    """An inline example. In INVALID cases every offending line carries `# expect: CODE`.

    `files` adds more modules to the same little project (path, text), for rules whose answer
    depends on other files (a guard defined in `auth.py`, routes included from `urls.py`).
    """

    code: str
    path: str = "app.py"
    files: tuple[tuple[str, str], ...] = ()

    def all_files(self) -> dict[str, str]:
        return {self.path: self.code, **dict(self.files)}


def Valid(code: str, path: str = "app.py", files: dict[str, str] | None = None) -> Case:
    return Case(code, path, tuple((files or {}).items()))


def Invalid(code: str, path: str = "app.py", files: dict[str, str] | None = None) -> Case:
    return Case(code, path, tuple((files or {}).items()))


_DOC_SECTIONS = ("What it does", "Why is this bad", "Example", "Use instead", "References")


class Rule(Visitor):
    """Base class of native rules. Subclasses set the class attributes below."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    item: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.MEDIUM
    confidence: ClassVar[Confidence] = Confidence.MEDIUM
    summary: ClassVar[str] = ""
    cwe: ClassVar[tuple[int, ...]] = ()
    external_ids: ClassVar[tuple[str, ...]] = ()
    scored: ClassVar[bool] = True
    source: ClassVar[str] = "native"  # "meta" for the reviewer's own problems (BR9xx)
    needs_project: ClassVar[bool] = False  # True: runs after the project model (routes) is built
    options: ClassVar[Mapping[str, Any]] = {}  # option defaults, overridable under `rules.<CODE>`
    # taint sink kinds this rule reports (`reviewer.taint.specs.SINK_KINDS`), each with the words
    # for what that sink is ("a shell command"); every kind belongs to exactly one rule
    taint_kinds: ClassVar[Mapping[str, str]] = {}
    VALID: ClassVar[Sequence[Case | str]] = ()
    INVALID: ClassVar[Sequence[Case | str]] = ()

    @classmethod
    def meta(cls) -> RuleMeta:
        return RuleMeta(
            code=cls.code,
            name=cls.name,
            item=cls.item,
            severity=cls.severity,
            confidence=cls.confidence,
            summary=cls.summary,
            docs=_dedent_doc(cls.__doc__ or ""),
            cwe=cls.cwe,
            external_ids=cls.external_ids,
            source=cls.source,
            scored=cls.scored,
        )

    @classmethod
    def node_findings(cls, file: Parsed, config: Config) -> list[Finding]:
        """Findings in one parsed JavaScript/TypeScript file (the Node frontend calls this for
        the rules it lists in `node_frontend.FILE_RULES`); rules without a Node side give none."""
        return []

    @classmethod
    def node_finding(
        cls,
        file: Parsed,
        node: Node,
        message: str,
        *,
        snippet: str,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        redact: bool = False,
    ) -> Finding:
        """A finding of this rule at `node` of a JavaScript/TypeScript file (what `report()` is
        on the Python side; `redact`: the node is a secret literal, `snippet` already masked)."""
        return Finding(
            code=cls.code,
            message=message,
            location=location(file.relpath, node),
            severity=severity or cls.severity,
            confidence=confidence or cls.confidence,
            snippet=snippet,
            redact=redact,
        )

    @classmethod
    def cases(cls, which: str) -> list[Case]:
        raw = cls.VALID if which == "valid" else cls.INVALID
        return [c if isinstance(c, Case) else Case(c) for c in raw]

    def option(self, key: str) -> Any:
        configured = self.ctx.config.options_for(self.code)
        return configured.get(key, self.options[key])

    def report(
        self,
        node: cst.CSTNode,
        message: str | None = None,
        *,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        flow: Sequence[tuple[cst.CSTNode, str]] = (),
        fix: str | None = None,
        extra: Sequence[tuple[str, Any]] = (),
        redact: bool = False,
    ) -> None:
        """Record a finding at `node`; its position is computed once, after the traversal.

        `redact`: the node is a secret literal; snippets and code frames show it masked."""
        self.ctx.add_pending(
            code=self.code,
            node=node,
            message=message or self.summary,
            severity=severity or self.severity,
            confidence=confidence or self.confidence,
            flow=tuple(flow),
            fix=fix,
            extra=tuple(extra),
            redact=redact,
        )

    @classmethod
    def project_findings(cls, project: Project, config: Config) -> list[Finding]:
        """Findings about the project as a whole (needs_project rules only), e.g. no limiter."""
        return []


def _dedent_doc(doc: str) -> str:
    lines = doc.expandtabs().splitlines()
    if not lines:
        return ""
    body = lines[1:]
    indents = [len(line) - len(line.lstrip()) for line in body if line.strip()]
    cut = min(indents) if indents else 0
    return "\n".join([lines[0].strip(), *(line[cut:] for line in body)]).strip() + "\n"


def missing_doc_sections(docs: str) -> list[str]:
    """The required Markdown sections a rule's docs lack (checked by the registry tests)."""
    present = {m.group(1).strip().rstrip("?") for m in re.finditer(r"^##\s+(.+)$", docs, re.M)}
    return [s for s in _DOC_SECTIONS if s not in present]
