"""Line-independent fingerprints, so a finding keeps its identity when code moves.

fingerprint = sha256(code, path, enclosing scope, normalized snippet, occurrence index)[:20].
The occurrence index counts identical (code, path, scope, snippet) findings in file order, so two
copies of one bad line are two fingerprints and a new copy of an old problem is new.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from reviewer.model import Finding

_SPACE = re.compile(r"\s+")


def normalize_snippet(snippet: str) -> str:
    text = snippet.split("# backend-review:")[0]
    return _SPACE.sub(" ", text).strip()


def fingerprint_all(findings: Iterable[Finding]) -> list[Finding]:
    seen: Counter[tuple[str, str, str, str]] = Counter()
    result = []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        snippet = normalize_snippet(finding.snippet)
        if finding.project_level:
            snippet = finding.message
        key = (finding.code, finding.location.path, finding.scope, snippet)
        index = seen[key]
        seen[key] += 1
        digest = hashlib.sha256("\x1f".join([*key, str(index)]).encode("utf-8")).hexdigest()
        result.append(replace(finding, fingerprint=digest[:20]))
    return result
