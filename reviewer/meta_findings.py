"""BR901 (file not reviewed) and BR902 (an analyzer or rule failed): the findings the
pipeline itself reports, built in one place for traversal (per file) and the engine (analyzers,
discovery)."""

from __future__ import annotations

from reviewer.model import Confidence, Finding, Location, Severity

PARSE_ERROR = "BR901"
ANALYZER_FAILED = "BR902"


def meta_finding(
    code: str, location: Location, message: str, project_level: bool = False
) -> Finding:
    """An informational, certain finding: it says what the report could not cover."""
    return Finding(
        code=code,
        message=message,
        location=location,
        severity=Severity.INFO,
        confidence=Confidence.HIGH,
        project_level=project_level,
    )
