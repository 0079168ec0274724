"""Precision of the review on real services, against hand audits of its findings.

    python3 benchmarks/precision.py                       # every app with an audit file
    python3 benchmarks/precision.py --app ctfd --app dispatch --out results.json
    python3 benchmarks/precision.py --app ctfd --template  # add unaudited findings, verdict "todo"
    python3 benchmarks/precision.py --reports /tmp/reports  # save (or reuse) the JSON reports

For each app, run `backend-review <corpus>/<app>/<review_path> --format json` (a subprocess;
PYTHONPATH is this repository, so the reviewer under test is this worktree's), take the
findings of the audited rules (`scope` in the audit file: a list of code prefixes, the native
rules by default) and match them against benchmarks/audits/precision/<app>.json:

    {"app": "ctfd", "commit": "<corpus commit>", "scope": ["BR1", ...], "exclude": ["BR301"],
     "findings": [{"rule": "BR103", "path": "api/v1/files.py", "line": 42,
                   "snippet": "...", "verdict": "tp|fp|debatable", "reason": "one line"}]}

A finding matches an audit entry on rule + path + line; failing that, on rule + path + the
whitespace-normalized snippet of the flagged line (the nearest such line), so code that moved
keeps its verdict. Reported per rule, per severity and overall:

- precision = tp / (tp + fp) over the matched audited findings (debatable ones are counted
  and shown, and left out of the ratio);
- lost: audited true positives no finding matches any more;
- new: findings in scope that no audit entry matches (to be audited).

Writes the result as JSON (--out) and prints a Markdown table per rule.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
MANIFESTS = REPO / "benchmarks" / "corpus"
AUDITS = REPO / "benchmarks" / "audits" / "precision"
CORPUS = Path(os.environ.get("CORPUS_DIR", "/work/corpus"))
NATIVE_SCOPE = ("BR1", "BR2", "BR3", "BR4", "BR5", "BR6", "BR7", "BR8")
DEFAULT_EXCLUDE = ("BR301", "BR302", "BR804")  # the route model's rules: audited in issue 13
VERDICTS = ("tp", "fp", "debatable")
TODO = "todo"

Entry = dict[str, Any]


def in_scope(code: str, scope: list[str], exclude: list[str]) -> bool:
    return any(code.startswith(p) for p in scope) and code not in exclude


def normalize(snippet: str) -> str:
    return " ".join(snippet.split())


@dataclass
class Match:
    """The findings of one run set against one audit file."""

    matched: list[tuple[Entry, Entry]] = field(default_factory=list)  # (finding, audit entry)
    new: list[Entry] = field(default_factory=list)  # findings no entry matches
    lost: list[Entry] = field(default_factory=list)  # audited tps no finding matches
    unmatched: list[Entry] = field(default_factory=list)  # every audit entry no finding matches


def match(findings: list[Entry], audit: list[Entry]) -> Match:
    """Pair each finding with at most one audit entry: exact line first, then snippet."""
    result = Match()
    free = list(range(len(audit)))
    by_line: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for index in free:
        entry = audit[index]
        by_line[(entry["rule"], entry["path"], int(entry["line"]))].append(index)
    used: set[int] = set()
    pending: list[Entry] = []
    for finding in findings:
        key = (finding["rule"], finding["path"], finding["line"])
        candidates = [i for i in by_line.get(key, []) if i not in used]
        if candidates:
            used.add(candidates[0])
            result.matched.append((finding, audit[candidates[0]]))
        else:
            pending.append(finding)
    for finding in pending:  # moved code: same rule, file and flagged line text
        text = normalize(finding.get("snippet", ""))
        candidates = [
            i
            for i in free
            if i not in used
            and text
            and audit[i]["rule"] == finding["rule"]
            and audit[i]["path"] == finding["path"]
            and normalize(audit[i].get("snippet", "")) == text
        ]
        if candidates:
            best = min(candidates, key=lambda i: abs(int(audit[i]["line"]) - finding["line"]))
            used.add(best)
            result.matched.append((finding, audit[best]))
        else:
            result.new.append(finding)
    result.unmatched = [audit[i] for i in free if i not in used]
    result.lost = [e for e in result.unmatched if e.get("verdict") == "tp"]
    return result


def tally(pairs: list[tuple[Entry, Entry]], key: str) -> dict[str, Counter[str]]:
    """Verdict counts grouped by a finding field ("rule", "severity")."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for finding, entry in pairs:
        counts[finding[key]][entry.get("verdict", TODO)] += 1
    return counts


def precision(counts: Counter[str]) -> float | None:
    judged = counts["tp"] + counts["fp"]
    return round(counts["tp"] / judged, 3) if judged else None


def summarize(counts: Counter[str]) -> dict[str, Any]:
    return {
        **{v: counts[v] for v in (*VERDICTS, TODO)},
        "precision": precision(counts),
    }


def review(app: str, manifest: dict[str, Any], reports: Path | None) -> list[Entry]:
    """Run the reviewer on one corpus app (or read its saved JSON report from `reports`); its
    findings as flat entries."""
    if reports is not None and (reports / f"{app}.json").is_file():
        saved = json.loads((reports / f"{app}.json").read_text(encoding="utf-8"))
        return [flat(f) for f in saved["findings"] if not f.get("suppressed")]
    root = CORPUS / app / manifest.get("review_path", ".")
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "NO_COLOR": "1",
        "SEMGREP_ENABLE_VERSION_CHECK": "0",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "reviewer", str(root), "-f", "json", "-q", "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=1800,
        check=False,
    )
    if completed.returncode not in (0, 1):
        raise SystemExit(
            f"{app}: backend-review failed ({completed.returncode}): {completed.stderr}"
        )
    report = json.loads(completed.stdout)
    if reports is not None:
        reports.mkdir(parents=True, exist_ok=True)
        (reports / f"{app}.json").write_text(completed.stdout, encoding="utf-8")
    return [flat(f) for f in report["findings"] if not f.get("suppressed")]


def flat(finding: dict[str, Any]) -> Entry:
    location = finding["location"]
    return {
        "rule": finding["code"],
        "path": location["path"],
        "line": int(location["line"]),
        "severity": finding["severity"],
        "confidence": finding["confidence"],
        "snippet": finding.get("snippet", ""),
        "message": finding.get("message", ""),
    }


def load_audit(app: str) -> dict[str, Any]:
    path = AUDITS / f"{app}.json"
    if not path.is_file():
        return {
            "app": app,
            "scope": list(NATIVE_SCOPE),
            "exclude": list(DEFAULT_EXCLUDE),
            "findings": [],
        }
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["findings"]:
        if entry.get("verdict") not in (*VERDICTS, TODO):
            raise SystemExit(f"{path}: bad verdict {entry.get('verdict')!r} in {entry}")
    return data


def score_app(app: str, findings: list[Entry], audit: dict[str, Any]) -> dict[str, Any]:
    scope, exclude = audit.get("scope", list(NATIVE_SCOPE)), audit.get("exclude", [])
    kept = [f for f in findings if in_scope(f["rule"], scope, exclude)]
    result = match(kept, audit["findings"])
    by_rule = tally(result.matched, "rule")
    by_severity = tally(result.matched, "severity")
    overall: Counter[str] = Counter()
    for counts in by_rule.values():
        overall.update(counts)
    new_by_rule = Counter(f["rule"] for f in result.new)
    lost_by_rule = Counter(e["rule"] for e in result.lost)
    rules = sorted({*by_rule, *new_by_rule, *lost_by_rule})
    return {
        "app": app,
        "findings_in_scope": len(kept),
        "overall": {**summarize(overall), "new": len(result.new), "lost": len(result.lost)},
        "by_severity": {s: summarize(c) for s, c in sorted(by_severity.items())},
        "by_rule": {
            r: {
                **summarize(by_rule.get(r, Counter())),
                "new": new_by_rule[r],
                "lost": lost_by_rule[r],
            }
            for r in rules
        },
        "lost": [{k: e[k] for k in ("rule", "path", "line", "reason")} for e in result.lost],
        "new": [{k: f[k] for k in ("rule", "path", "line", "snippet")} for f in result.new],
        "_match": result,
    }


def write_template(app: str, audit: dict[str, Any], scored: dict[str, Any]) -> None:
    """Append the new findings as `todo` entries. Entries of findings that vanished stay: a
    true positive keeps showing as lost, a fixed false positive keeps its verdict should it
    come back."""
    result: Match = scored["_match"]
    kept = [e for _, e in result.matched] + result.unmatched
    for finding in result.new:
        kept.append(
            {
                "rule": finding["rule"],
                "path": finding["path"],
                "line": finding["line"],
                "snippet": finding["snippet"],
                "message": finding["message"][:160],
                "verdict": TODO,
                "reason": "",
            }
        )
    kept.sort(key=lambda e: (e["rule"], e["path"], int(e["line"])))
    audit = {**audit, "findings": kept}
    AUDITS.mkdir(parents=True, exist_ok=True)
    (AUDITS / f"{app}.json").write_text(json.dumps(audit, indent=1) + "\n", encoding="utf-8")


def combined(apps: list[dict[str, Any]]) -> dict[str, Any]:
    """Every app's verdicts added per rule and per severity."""
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    by_severity: dict[str, Counter[str]] = defaultdict(Counter)
    overall: Counter[str] = Counter()
    for app in apps:
        result: Match = app["_match"]
        for rule, counts in tally(result.matched, "rule").items():
            by_rule[rule].update(counts)
            overall.update(counts)
        for severity, counts in tally(result.matched, "severity").items():
            by_severity[severity].update(counts)
        for f in result.new:
            by_rule[f["rule"]]["new"] += 1
            overall["new"] += 1
        for e in result.lost:
            by_rule[e["rule"]]["lost"] += 1
            overall["lost"] += 1

    def row(counts: Counter[str]) -> dict[str, Any]:
        return {**summarize(counts), "new": counts["new"], "lost": counts["lost"]}

    return {
        "overall": row(overall),
        "by_severity": {s: summarize(c) for s, c in sorted(by_severity.items())},
        "by_rule": {r: row(c) for r, c in sorted(by_rule.items())},
    }


def markdown(total: dict[str, Any]) -> str:
    lines = [
        "| rule | tp | fp | debatable | precision | lost tp | new (unaudited) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{100 * value:.0f} %"

    for rule, row in total["by_rule"].items():
        lines.append(
            f"| {rule} | {row['tp']} | {row['fp']} | {row['debatable']} | {pct(row['precision'])}"
            f" | {row['lost']} | {row['new']} |"
        )
    o = total["overall"]
    lines.append(
        f"| **all** | {o['tp']} | {o['fp']} | {o['debatable']} | **{pct(o['precision'])}**"
        f" | {o['lost']} | {o['new']} |"
    )
    return "\n".join(lines) + "\n"


def reviewer_commit() -> str:
    completed = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return completed.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", action="append", help="corpus app (repeatable)")
    parser.add_argument("--out", type=Path, help="write the result JSON here")
    parser.add_argument(
        "--template", action="store_true", help="add unaudited findings as `todo` entries"
    )
    parser.add_argument(
        "--reports",
        type=Path,
        help="folder of saved JSON reports (<app>.json): read instead of reviewing, else written",
    )
    ns = parser.parse_args(argv)
    apps = ns.app or sorted(p.stem for p in AUDITS.glob("*.json"))
    results = []
    for app in apps:
        manifest = json.loads((MANIFESTS / f"{app}.json").read_text(encoding="utf-8"))
        if not (CORPUS / app).is_dir():
            print(f"{app}: no checkout under {CORPUS}, skipped", file=sys.stderr)
            continue
        findings = review(app, manifest, ns.reports)
        audit = load_audit(app)
        scored = score_app(app, findings, audit)
        if ns.template:
            write_template(app, audit, scored)
        results.append(scored)
        o = scored["overall"]
        print(
            f"{app}: {scored['findings_in_scope']} findings in scope · tp {o['tp']} fp {o['fp']}"
            f" debatable {o['debatable']} todo {o['todo']} · precision {o['precision']}"
            f" · new {o['new']} · lost {o['lost']}",
            file=sys.stderr,
        )
    total = combined(results)
    print(markdown(total))
    if ns.out:
        document = {
            "date": date.today().isoformat(),
            "reviewer_commit": reviewer_commit(),
            "total": total,
            "apps": [{k: v for k, v in r.items() if k != "_match"} for r in results],
        }
        ns.out.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
