"""JUnit XML for CI systems that show test reports (GitLab `artifacts:reports:junit`,
Jenkins, Azure Pipelines, CircleCI): one test suite per file, one failed test case per
finding, in the shape ruff's `--output-format junit` uses, so CI tools group findings by file.

A review with no findings still has one passing test case, so an empty report never reads as
"no tests ran". The XML is built with xml.etree, which escapes the untrusted messages.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from xml.etree import ElementTree as ET

from reviewer.model import Finding, Report
from reviewer.reporters.base import RenderOptions
from reviewer.reporters.support import clean_text
from reviewer.reporters.support import one_line as _one_line
from reviewer.scoring import ChecklistItem

_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def one_line(text: str) -> str:
    """One line of text XML 1.0 can carry: lone surrogates (from undecodable file names) and
    non-characters are replaced, as XML forbids them even escaped."""
    return _NOT_XML.sub("\ufffd", _one_line(text))


def render(
    report: Report,
    checklist: Sequence[ChecklistItem] | None = None,
    options: RenderOptions | None = None,
) -> str:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(report.active, key=lambda f: f.sort_key):
        by_file[one_line(clean_text(finding.location.path)) or "."].append(finding)
    total = sum(len(found) for found in by_file.values())
    root = ET.Element(
        "testsuites",
        name="backend-review",
        tests=str(max(total, 1)),
        failures=str(total),
    )
    for path, findings in sorted(by_file.items()):
        suite = ET.SubElement(
            root, "testsuite", name=path, tests=str(len(findings)), failures=str(len(findings))
        )
        for finding in findings:
            loc = finding.location
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"backend-review.{finding.code}",
                classname=path,
                file=path,
                line=str(max(loc.line, 1)),
            )
            failure = ET.SubElement(
                case,
                "failure",
                message=one_line(finding.message),
                type=f"{finding.code} [{finding.severity.value}]",
            )
            failure.text = (
                f"line {max(loc.line, 1)}, col {max(loc.column, 1)}: {finding.code} "
                f"[{finding.severity.value}, {finding.confidence.value} confidence] "
                f"{one_line(finding.message)}"
            )
    if not total:
        suite = ET.SubElement(root, "testsuite", name="backend-review", tests="1", failures="0")
        ET.SubElement(suite, "testcase", name="backend-review.review", classname="backend-review")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
