"""Step outputs for the composite Action: read the JSON report, append to $GITHUB_OUTPUT.

    python -m reviewer.github.outputs REPORT.json SARIF_FILE

Writes ``score``, ``new-code-score``, ``findings`` and ``sarif-file``. A missing or broken
report (the review exited with a usage error) gives empty values rather than failing the step
a second time; the review's own exit code is what the Action returns.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def outputs(report: Mapping[str, Any] | None, sarif_file: str) -> dict[str, str]:
    """The Action's outputs as strings ("" when unknown)."""
    values = {"score": "", "new-code-score": "", "findings": "", "sarif-file": ""}
    if sarif_file and Path(sarif_file).is_file():
        values["sarif-file"] = sarif_file
    if not report:
        return values
    overall = (report.get("score") or {}).get("overall")
    values["score"] = "" if overall is None else f"{float(overall):.1f}"
    extra = report.get("extra") or {}
    new_code = extra.get("new_code_score", overall)
    values["new-code-score"] = "" if new_code is None else f"{float(new_code):.1f}"
    summary = report.get("summary") or {}
    if isinstance(summary.get("findings"), int):
        values["findings"] = str(summary["findings"])
    return values


def _load(path: str) -> Mapping[str, Any] | None:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, Mapping) else None


def write(values: Mapping[str, str], target: str | None) -> None:
    lines = "".join(f"{key}={value}\n" for key, value in values.items())
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(lines)
    else:
        sys.stdout.write(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m reviewer.github.outputs REPORT.json SARIF_FILE", file=sys.stderr)
        return 2
    write(outputs(_load(args[0]), args[1]), os.environ.get("GITHUB_OUTPUT"))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
