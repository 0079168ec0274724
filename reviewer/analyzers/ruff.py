"""ruff adapter: `ruff check --output-format json --isolated` with our own rule selection.

`--isolated` ignores the target's ruff configuration (it cannot change what we run) while
`# noqa` comments keep working. A file ruff cannot parse yields `invalid-syntax` diagnostics
(code null in older ruff): that file is not covered. Syntax that is merely newer than ruff's
target version ("... syntax was added in Python 3.12") still parses fully, so it is ignored.
Files ruff cannot read (bad encoding, vanished) appear only on stderr as "Failed to lint".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from reviewer.analyzers._json import expect, load_json, mapping
from reviewer.analyzers.base import (
    AnalyzerOutputError,
    ExternalFinding,
    ParseOutcome,
    StandardCli,
    normalize_path,
)
from reviewer.model import Confidence, Location

# What the checklist needs from ruff; rules/external.yaml maps each code to an item, or to the
# opt-in code-quality section when no checklist concern covers it (and says why).
# S: flake8-bandit; ASYNC: blocking calls in async code; BLE001/E722: error handling; T20:
# print; DJ006/DJ007: mass assignment; RUF006: dangling asyncio tasks. Code quality (run so
# that `--select` can bring it in): B904, TRY203, TRY400, TRY401, LOG, DJ001, FAST.
SELECTION = (
    "S",
    "ASYNC",
    "BLE",
    "T20",
    "E722",
    "B904",
    "TRY203",
    "TRY400",
    "TRY401",
    "LOG",
    "DJ",
    "FAST",
    "RUF006",
)

# bandit tests that ruff implements as stable S rules with the same number (flake8-bandit's
# ports). When ruff runs one, bandit running it too only adds a duplicate the dedupe merges,
# so bandit skips it (tests/analyzers checks this list against the installed ruff).
BANDIT_PORTS = frozenset(
    {
        *(f"B{n}" for n in (101, 102, 103, 104, 105, 106, 107, 108, 110, 112, 113, 201, 202)),
        *(f"B{n}" for n in range(301, 325) if n not in (309, 322)),
        *(f"B{n}" for n in range(501, 510)),
        *(f"B{n}" for n in range(601, 613)),
        "B701",
        "B702",
        "B704",
    }
)


def bandit_tests_ruff_runs(ignore: Collection[str]) -> frozenset[str]:
    """The BANDIT_PORTS whose ruff rule runs, given the ruff codes ignored ("S311")."""
    return frozenset(b for b in BANDIT_PORTS if "S" + b[1:] not in ignore)


_BLACKLIST_PORT = re.compile(r"^S3\d\d$")
_FAILED_TO_LINT = re.compile(r"Failed to lint (.+?): ")
_VERSION_SYNTAX = re.compile(r"syntax was (?:added|removed) in Python \d")


@dataclass(frozen=True)
class RuffAdapter(StandardCli):
    """`ignore`: ruff codes ("S101") not to run, e.g. the codes the policy drops."""

    ignore: Collection[str] = ()
    root: str = ""  # ruff prints absolute paths: they are made relative to this
    name: str = "ruff"
    executable: str = "ruff"

    def argv(self, exe: str, files: Sequence[str], extra_args: Sequence[str]) -> list[str]:
        argv = [
            exe,
            "check",
            "--output-format",
            "json",
            "--no-cache",
            "--isolated",
            "--exit-zero",
            "--no-fix",
            "--select",
            ",".join(SELECTION),
        ]
        if self.ignore:
            argv += ["--ignore", ",".join(sorted(self.ignore))]
        return [*argv, *extra_args, *files]

    def parse(self, stdout: str, stderr: str) -> ParseOutcome:
        data = expect(load_json(stdout, "ruff"), list, "top level", "ruff")
        findings: list[ExternalFinding] = []
        not_covered: set[str] = set()
        for raw in data:
            raw = expect(raw, dict, "a diagnostic", "ruff")
            code = raw.get("code")
            message = str(raw.get("message", ""))
            if code is None or code == "invalid-syntax" or code == "E999":
                if not _VERSION_SYNTAX.search(message):
                    not_covered.add(self._path(raw))
                continue
            findings.append(self._finding(raw, str(code), message))
        for line in stderr.splitlines():
            if match := _FAILED_TO_LINT.search(line):
                not_covered.add(normalize_path(match.group(1), self.root))
        return ParseOutcome(findings=tuple(findings), not_covered=tuple(sorted(not_covered)))

    def _path(self, raw: dict[str, Any]) -> str:
        filename = raw.get("filename")
        if not isinstance(filename, str):
            raise AnalyzerOutputError("ruff JSON: a diagnostic has no filename")
        return normalize_path(filename, self.root)

    def _finding(self, raw: dict[str, Any], code: str, message: str) -> ExternalFinding:
        start = expect(raw.get("location"), dict, "location", "ruff")
        end = mapping(raw.get("end_location"))
        try:
            location = Location(
                path=self._path(raw),
                line=int(start["row"]),
                column=int(start["column"]),
                end_line=int(end.get("row", 0)),
                end_column=int(end.get("column", 0)),
            )
        except (KeyError, TypeError, ValueError):
            raise AnalyzerOutputError("ruff JSON: a diagnostic has no usable location") from None
        return ExternalFinding(
            external_id=f"ruff:{code}",
            location=location,
            message=message.strip(),
            severity=None,  # ruff has no severity: the policy or the claiming rule decides
            # S3xx port bandit's blacklist: a named call or import matched exactly, which
            # bandit reports at high confidence; other codes leave it to the policy
            confidence=Confidence.HIGH if _BLACKLIST_PORT.match(code) else None,
        )
