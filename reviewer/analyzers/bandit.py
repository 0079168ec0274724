"""bandit adapter: `bandit -f json` over explicit files.

bandit parses with the interpreter it runs on, so a file with newer syntax (PEP 701 f-strings
on 3.11) lands in `errors` as a syntax error: such files come back as not covered.
Explicit file targets mean no directory walk and no project `.bandit` ini is read; `# nosec`
keeps working. `-n 1` keeps the code excerpts (which we discard) to one line; tests whose
findings the policy drops can be skipped with `-s` so bandit does not run them at all.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from reviewer.analyzers._json import expect, level, load_json
from reviewer.analyzers.base import (
    AnalyzerOutputError,
    ExternalFinding,
    ParseOutcome,
    StandardCli,
    normalize_path,
    parse_cwe,
)
from reviewer.model import Confidence, Location, Severity

SEVERITY = {"HIGH": Severity.HIGH, "MEDIUM": Severity.MEDIUM, "LOW": Severity.LOW}
CONFIDENCE = {"HIGH": Confidence.HIGH, "MEDIUM": Confidence.MEDIUM, "LOW": Confidence.LOW}


@dataclass(frozen=True)
class BanditAdapter(StandardCli):
    """`skips`: bandit test ids ("B101") not to run, e.g. the ids the policy drops."""

    skips: Collection[str] = ()
    name: str = "bandit"
    executable: str = "bandit"

    def argv(self, exe: str, files: Sequence[str], extra_args: Sequence[str]) -> list[str]:
        argv = [exe, "-f", "json", "-q", "-n", "1", "--exit-zero"]
        if self.skips:
            argv += ["-s", ",".join(sorted(self.skips))]
        return [*argv, *extra_args, *files]

    def parse(self, stdout: str, stderr: str) -> ParseOutcome:
        data = expect(load_json(stdout, "bandit"), dict, "top level", "bandit")
        results = expect(data.get("results", []), list, "results", "bandit")
        errors = expect(data.get("errors", []), list, "errors", "bandit")
        findings = tuple(_finding(expect(r, dict, "a result", "bandit")) for r in results)
        not_covered = sorted(
            {
                normalize_path(e["filename"])
                for e in errors
                if isinstance(e, dict) and isinstance(e.get("filename"), str)
            }
        )
        return ParseOutcome(findings=findings, not_covered=tuple(not_covered))


def _finding(raw: dict[str, Any]) -> ExternalFinding:
    try:
        test_id = str(raw["test_id"])
        line = int(raw["line_number"])
        path = normalize_path(str(raw["filename"]))
    except (KeyError, TypeError, ValueError):
        _bad_shape("a result lacks test_id, line_number or filename")
    line_range = [n for n in raw.get("line_range") or [] if isinstance(n, int)]
    col = raw.get("col_offset")
    end_col = raw.get("end_col_offset")
    location = Location(
        path=path,
        line=line,
        column=col + 1 if isinstance(col, int) else 1,
        end_line=max([line, *line_range]),
        end_column=end_col + 1 if isinstance(end_col, int) else 0,
    )
    return ExternalFinding(
        external_id=f"bandit:{test_id}",
        location=location,
        message=str(raw.get("issue_text", "")).strip(),
        severity=level(raw.get("issue_severity"), SEVERITY),
        confidence=level(raw.get("issue_confidence"), CONFIDENCE),
        cwe=parse_cwe(raw.get("issue_cwe")),
    )


def _bad_shape(message: str) -> NoReturn:
    raise AnalyzerOutputError(f"bandit JSON: {message}")
