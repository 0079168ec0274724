"""`backend-review baseline create|update PATH`: write and ratchet baseline files.

baseline create PATH [-o FILE]             record every current finding
baseline update PATH --baseline FILE       drop what is gone; never add (unless --allow-growth)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from reviewer import baseline as baseline_mod
from reviewer.config import ANALYZERS
from reviewer.model import Report

EXIT_OK, EXIT_USAGE = 0, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backend-review baseline",
        description="Record the findings a project has today, so reviews report only new ones.",
    )
    sub = parser.add_subparsers(dest="action", required=True)
    create = sub.add_parser("create", help="write a baseline of every current finding")
    create.add_argument("path", type=Path)
    create.add_argument(
        "-o",
        "--output",
        type=Path,
        help=f"baseline file (default: PATH/{baseline_mod.DEFAULT_FILE})",
    )
    update = sub.add_parser("update", help="shrink a baseline to what is still there")
    update.add_argument("path", type=Path)
    update.add_argument("--baseline", type=Path, required=True, metavar="FILE")
    update.add_argument("-o", "--output", type=Path, help="write here (default: FILE itself)")
    update.add_argument(
        "--allow-growth",
        action="store_true",
        help="also record new findings (re-create the baseline from today's findings)",
    )
    for command in (create, update):
        command.add_argument("--config", type=Path)
        command.add_argument("--disable-analyzer", action="append", choices=ANALYZERS, default=[])
        command.add_argument("--no-cache", action="store_true")
        command.add_argument("--cache-dir", type=Path)
        command.add_argument("--jobs", "-j", type=int, metavar="N")
        command.add_argument("-q", "--quiet", action="store_true")
    return parser


def _review(ns: argparse.Namespace, parser: argparse.ArgumentParser) -> Report:
    from reviewer.cache import default_cache_dir
    from reviewer.config import load as load_config
    from reviewer.progress import review_with_progress

    target: Path = ns.path
    if not target.exists():
        parser.error(f"{target}: no such file or directory")
    overrides = (
        {"analyzers": {n: False for n in ns.disable_analyzer}} if ns.disable_analyzer else {}
    )
    config = load_config(target if target.is_dir() else target.parent, overrides, ns.config)
    for warning in config.warnings:
        print(f"backend-review: warning: {warning}", file=sys.stderr)
    cache_dir = None if ns.no_cache else (ns.cache_dir or default_cache_dir(config.root))
    return review_with_progress(target, config, quiet=ns.quiet, cache_dir=cache_dir, jobs=ns.jobs)


def main(argv: Sequence[str]) -> int:
    parser = _parser()
    ns = parser.parse_args(list(argv))
    if ns.action == "create":
        report = _review(ns, parser)
        created = baseline_mod.create(report.findings)
        root = ns.path if ns.path.is_dir() else ns.path.parent
        output = ns.output or root / baseline_mod.DEFAULT_FILE
        baseline_mod.save(created, output)
        print(
            f"backend-review: baseline {output}: {created.total} finding(s) in "
            f"{len(created.entries)} entr{'y' if len(created.entries) == 1 else 'ies'}",
            file=sys.stderr,
        )
        return EXIT_OK
    try:
        old = baseline_mod.load(ns.baseline)
    except baseline_mod.BaselineError as exc:
        print(f"backend-review: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = _review(ns, parser)
    new = baseline_mod.update(old, report.findings, allow_growth=ns.allow_growth)
    output = ns.output or ns.baseline
    baseline_mod.save(new, output)
    change = new.total - old.total
    verb = "grew" if change > 0 else "shrank" if change < 0 else "is unchanged"
    amount = f" by {abs(change)}" if change else ""
    print(
        f"backend-review: baseline {output} {verb}{amount}: {new.total} finding(s) "
        f"(was {old.total})",
        file=sys.stderr,
    )
    return EXIT_OK
