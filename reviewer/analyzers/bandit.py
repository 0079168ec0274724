"""bandit adapter: `bandit -f json` over explicit files.

bandit parses with the interpreter it runs on, so a file with newer syntax (PEP 701 f-strings
on 3.11) lands in `errors` as a syntax error: such files come back as not covered.
Explicit file targets mean no directory walk and no project `.bandit` ini is read; `# nosec`
keeps working. `-n 1` keeps the code excerpts (which we discard) to one line; tests whose
findings the policy drops can be skipped with `-s` so bandit does not run them at all.

Most of bandit's run time is its own parse and AST walk, paid per file whatever the tests.
When every test left to run can only fire on a file that contains a known text (an import
name, a control character), `files_worth_scanning` keeps bandit to the files that do.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
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

# Tests that cannot fire on a file lacking all of these texts (bandit resolves names through
# the file's imports, so the module name is always spelled out somewhere in the file).
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200f"
REQUIRED_TEXT: Mapping[str, tuple[bytes, ...]] = {
    "B412": (b"CGIHandler", b"twcgi"),  # httpoxy: wsgiref CGIHandler, twisted.web.twcgi
    "B413": (b"Crypto",),  # pycrypto's Crypto.* packages
    "B613": tuple(ch.encode("utf-8") for ch in _BIDI),  # trojan source
    "B614": (b"torch",),  # torch.load
    "B615": (b"transformers", b"datasets", b"huggingface_hub"),  # unpinned HF downloads
}


@functools.cache
def installed_tests() -> frozenset[str]:
    """Every test id the installed bandit knows (plugins and blacklist calls/imports)."""
    from bandit.core import extension_loader

    manager = extension_loader.MANAGER
    return frozenset(manager.plugins_by_id) | frozenset(manager.blacklist_by_id)


def files_worth_scanning(
    files: Mapping[str, bytes], skips: Collection[str], tests: Collection[str] | None = None
) -> set[str]:
    """The files on which some test bandit will run (all `tests` but `skips`) could fire.

    Every file when a running test has no REQUIRED_TEXT entry; a file declaring a source
    encoding other than UTF-8 is always kept (its bytes need not spell the texts in UTF-8).
    """
    try:
        known = installed_tests() if tests is None else frozenset(tests)
    except ImportError:  # bandit runs from elsewhere (PATH): its test list is unknown here
        return set(files)
    running = known - frozenset(skips)
    if not running <= REQUIRED_TEXT.keys():
        return set(files)
    needles = [text for test in sorted(running) for text in REQUIRED_TEXT[test]]
    return {
        rel
        for rel, data in files.items()
        if _declares_encoding(data) or any(n in data for n in needles)
    }


def _declares_encoding(data: bytes) -> bool:
    head = data.split(b"\n", 2)[:2]
    return any(b"coding" in line and line.lstrip().startswith(b"#") for line in head)


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
