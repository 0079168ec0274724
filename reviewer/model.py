"""The data types every stage passes along: immutable, sortable, serializable.

Each stage of the pipeline is a function from these values to these values, so each stage can
be tested on its own and results can be cached and compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a type only: the route model (reviewer/service.py) is a layer above these
    from reviewer.service import Route


class Severity(StrEnum):
    """How bad a finding is if it is real."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical 4 ... info 0."""
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls(value.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r} (choose from {choices})") from None


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Confidence(StrEnum):
    """How sure the rule is that the finding is real."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return {"high": 2, "medium": 1, "low": 0}[self.value]

    @classmethod
    def parse(cls, value: str) -> Confidence:
        try:
            return cls(value.strip().lower())
        except ValueError:
            choices = ", ".join(c.value for c in cls)
            raise ValueError(f"unknown confidence {value!r} (choose from {choices})") from None


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based line/column range in a file; `path` is POSIX and relative to the target root."""

    path: str
    line: int
    column: int = 1
    end_line: int = 0
    end_column: int = 0

    def __post_init__(self) -> None:
        if self.end_line < self.line:
            object.__setattr__(self, "end_line", self.line)


def mask_secret(text: str, location: Location, line: int) -> str:
    """`text` (source line `line`) with the part inside `location` masked, quotes kept.

    Shows at most the first four characters of a secret of twelve or more, like the messages.
    """
    if not location.line <= line <= location.end_line:
        return text
    start = location.column - 1 if line == location.line else len(text) - len(text.lstrip())
    end = location.end_column - 1 if line == location.end_line else len(text)
    secret = text[start:end]
    body = secret.strip("'\"bBrRuUfF")
    if not body:
        return text
    opening = secret[: secret.index(body)]
    closing = secret[secret.index(body) + len(body) :]
    shown = body[:4] if len(body) >= 12 else ""
    return text[:start] + opening + shown + "…" + closing + text[end:]


@dataclass(frozen=True)
class FlowStep:
    """One step of a data flow (source, propagation, sink) shown as evidence."""

    location: Location
    message: str


@dataclass(frozen=True)
class RuleMeta:
    """Everything a user sees about a rule; native checks and semgrep rules share it."""

    code: str
    name: str
    item: str  # checklist item id, see rules/checklist.yaml
    severity: Severity
    confidence: Confidence
    summary: str  # one line: what is wrong
    docs: str = ""  # Markdown: What it does / Why is this bad / Example / Use instead / References
    cwe: tuple[int, ...] = ()
    external_ids: tuple[str, ...] = ()  # e.g. ("bandit:B608", "ruff:S608")
    source: str = "native"  # native | semgrep | meta
    scored: bool = True


@dataclass(frozen=True)
class Finding:
    """One problem at one place, possibly reported by several sources.

    `sources` lists who reported it: "backend-review" for native checks, "bandit:B608",
    "ruff:S608", "semgrep:<rule-id>" for analyzers. `scope` is the enclosing qualified
    function/class name (empty at module level); with `snippet` it feeds the fingerprint.
    """

    code: str
    message: str
    location: Location
    severity: Severity
    confidence: Confidence
    sources: tuple[str, ...] = ("backend-review",)
    scope: str = ""
    snippet: str = ""
    fingerprint: str = ""
    flow: tuple[FlowStep, ...] = ()
    fix: str | None = None  # replacement text for the location's lines, when safe
    project_level: bool = False  # about the project as a whole (e.g. no rate limiting anywhere)
    suppressed: bool = False
    suppression_reason: str = ""
    extra: tuple[tuple[str, Any], ...] = ()  # rule-specific measures, e.g. (("db_calls", 3),)
    redact: bool = False  # the location's range holds a secret: show it masked, never in full

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)


@dataclass(frozen=True)
class AnalyzerRun:
    """What happened when one external analyzer ran."""

    name: str  # bandit | ruff | semgrep
    status: str  # ok | missing | failed | timeout | disabled | skipped
    version: str = ""
    seconds: float = 0.0
    message: str = ""
    not_covered: tuple[str, ...] = ()  # relative paths the analyzer could not analyze


@dataclass(frozen=True)
class ItemScore:
    """The score of one checklist item."""

    item: str
    title: str
    weight: float
    score: float | None  # None when the item does not apply (n/a)
    status: str  # pass | warn | fail | n/a
    cost: float
    findings: int
    costs: tuple[
        tuple[str, float], ...
    ] = ()  # (rule code, cost after its cap), for the explanation


@dataclass(frozen=True)
class Score:
    overall: float | None
    items: tuple[ItemScore, ...]


@dataclass(frozen=True)
class RouteCoverage:
    """How many of the project's routes some test exercises (BR804's measure)."""

    covered: int
    routes: int


@dataclass(frozen=True)
class BaselineSummary:
    """What a `--baseline` run matched: known findings hidden, new ones kept."""

    file: str
    known: int
    new: int
    can_shrink: int  # recorded findings that are gone (the baseline can be updated)


@dataclass(frozen=True)
class DiffSummary:
    """What a `--diff` run kept: the findings the change is responsible for."""

    base: str  # the diff's label: a git ref, a file, "pull request #N"
    mode: str  # added | diff_context | file | nofilter (reviewer.diff.FilterMode)
    changed_files: int
    outside: int  # findings left out because they lie outside the change


@dataclass(frozen=True)
class RouteSummary:
    """One route as base and head inventories are compared: its key and protection names."""

    methods: tuple[str, ...]  # sorted, HEAD/OPTIONS left out
    path: str
    handler: str
    file: str
    line: int
    public: bool
    authentication: tuple[str, ...] = ()
    authorization: tuple[str, ...] = ()
    rate_limit: tuple[str, ...] = ()
    validation: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProtectionChange:
    """One kind of protection ("authentication", ..., "public") that differs on a route."""

    kind: str
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class ChangedRoute:
    route: RouteSummary  # the head's version
    changes: tuple[ProtectionChange, ...]


@dataclass(frozen=True)
class RouteChanges:
    """Routes a diff adds, removes or changes the protection of, against its base commit."""

    base: str  # the base commit ("" when not available)
    ref: str  # the git ref it was resolved from
    available: bool
    reason: str = ""  # why not, when not available
    added: tuple[RouteSummary, ...] = ()
    removed: tuple[RouteSummary, ...] = ()
    changed: tuple[ChangedRoute, ...] = ()


@dataclass(frozen=True)
class NewCodeScore:
    """The score of the findings a diff or baseline run keeps (same rules and applicability)."""

    overall: float | None  # None: no scored item applies
    items: Mapping[str, float] = field(default_factory=dict)  # item -> score, applicable only


@dataclass(frozen=True)
class Report:
    """The immutable result of one review; every reporter renders only this."""

    target: str
    version: str
    findings: tuple[Finding, ...]  # sorted, unsuppressed and suppressed (see Finding.suppressed)
    score: Score
    rules: tuple[RuleMeta, ...]  # the rules that ran, sorted by code
    analyzers: tuple[AnalyzerRun, ...] = ()
    files_reviewed: int = 0
    not_reviewed: tuple[tuple[str, str], ...] = ()  # (path, reason)
    routes: tuple[Route, ...] = ()  # the route inventory, when built
    seconds: float = 0.0
    applicable: Mapping[str, bool] = field(default_factory=dict)  # checklist item -> applies
    route_coverage: RouteCoverage | None = None  # when routes and tests were measured
    # set by reviewer/scope.py on a diff or baseline run
    baseline: BaselineSummary | None = None
    diff: DiffSummary | None = None
    route_changes: RouteChanges | None = None  # a diff against a git ref
    new_code: NewCodeScore | None = None
    # (setting, file): what the reviewed checkout's own config switched off or loosened
    switched_off: tuple[tuple[str, str], ...] = ()

    @property
    def active(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.suppressed)
