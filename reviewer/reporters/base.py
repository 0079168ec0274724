"""What every reporter shares: its call signature and its options."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from reviewer.model import Report
from reviewer.scoring import ChecklistItem


@dataclass(frozen=True)
class RenderOptions:
    """Presentation choices; each reporter reads only the fields it needs.

    Defaults give byte-stable output, so golden files can compare whole reports.
    """

    color: bool | None = None  # terminal: None = auto (NO_COLOR, FORCE_COLOR, TTY)
    width: int | None = None  # terminal: None = the terminal's width on a TTY, else 100
    context_lines: int = 2  # terminal: source lines shown around a finding
    category: str | None = None  # sarif: runAutomationDetails.id (GitHub's analysis category)
    srcroot: str | None = None  # sarif: repository root for URIs; None = nearest git root
    include_timings: bool = False  # json: add wall-clock seconds (not byte-stable)
    max_findings: int = 15  # markdown: findings listed in "Top findings"
    max_chars: int = 65_000  # markdown: hard budget (GitHub comments allow 65,536)
    link_base: str = ""  # markdown: prefix for file links, e.g. a blob URL ending with "/"
    gate: str | None = None  # terminal, concise: the gate's verdict for the closing summary line
    top: int = 10  # terminal: findings shown in full (code frame) under "Top findings"


class Reporter(Protocol):
    """A function rendering one immutable Report as text."""

    def __call__(
        self,
        report: Report,
        checklist: Sequence[ChecklistItem] | None = None,
        options: RenderOptions | None = None,
    ) -> str: ...
