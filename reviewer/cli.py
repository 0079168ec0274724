"""The `backend-review` command line.

    backend-review PATH [options]        review a service and print the scored report
    backend-review rules                 list the rule catalogue
    backend-review explain CODE          print a rule's documentation
    backend-review routes PATH           print the route inventory
    backend-review layers PATH           print the modules by role and the imports between roles
    backend-review baseline create|update PATH   record / ratchet known findings

Exit codes: 0 the quality gate passed, 1 it failed (--fail-under / --fail-on /
--fail-on-unreviewed), 2 usage or configuration error (or an output that cannot be written),
or nothing was scored (no file reviewed, or none a rule covers: an empty review is never a
pass), 3 an internal error (a bug: never reported as a failed gate, which would blame the code),
130 interrupted, 143 terminated (SIGTERM; see reviewer/run_limits.py).
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer import __version__
from reviewer.config import ANALYZERS, Config, ConfigError
from reviewer.config import load as load_config
from reviewer.model import Confidence, Report, Severity
from reviewer.run_limits import (
    TerminatedError,
    TimeLimitReachedError,
    positive_seconds,
    terminate_on_sigterm,
    time_limit,
)

if TYPE_CHECKING:
    from reviewer.scope import Outcome, ScopePlan

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
FORMATS = ("terminal", "concise", "json", "sarif", "markdown", "gitlab", "junit", "html")
COMMANDS = ("review", "rules", "explain", "routes", "layers")

_EPILOG = """\
commands:
  backend-review [review] PATH         review a service and print the scored report
  backend-review rules                 list the rule catalogue
  backend-review explain CODE          a rule's documentation (BR101, sql-injection, bandit:B602)
  backend-review routes PATH           the route inventory with each route's guards
  backend-review layers PATH           modules by role (controller, service, repository, model,
                                       schema) and the imports between roles (text, Mermaid)
  backend-review baseline create|update PATH   record / ratchet down known findings
  each command has its own --help

examples:
  backend-review ./service
  backend-review ./service --format sarif -o review.sarif --format terminal
  backend-review ./service --fail-under 80 --fail-on high
  backend-review ./service --format concise --min-severity medium
  backend-review ./service --format html -o report.html
  backend-review ./service --statistics
  backend-review ./service --select BR1 --ignore BR101
  backend-review explain BR101
  backend-review ./service --diff origin/main --filter-mode added
  backend-review baseline create ./service -o .backend-review-baseline.json
  backend-review ./service --baseline .backend-review-baseline.json

configuration is read from .backend-review.yml or [tool.backend-review] in a pyproject.toml,
the first found from the target up to its repository root (never above); it is validated
against docs/schemas/config.schema.json (an unknown key, rule or option, or a wrong type, is
exit 2 naming file, line and key); command-line options override it. With --diff BASE (or in a pull request),
that config, a --baseline inside the checkout and the .gitignore files are read from the base
commit: what the change alters in them is listed under "Switched off", not applied.

exit codes: 0 gate passed, 1 gate failed (--fail-under / --fail-on / --fail-on-unreviewed),
2 usage or config error, or nothing scored (no file reviewed, or none that a rule covers: the
score is n/a, files in languages not reviewed are listed, and the gate fails), 3 internal error,
130 interrupted, 143 terminated (SIGTERM: the analyzers and workers it started are killed).
"""


class _FormatAction(argparse.Action):
    """`--format F` appends an output; `-o FILE` sets the file of the latest --format."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        outputs = list(getattr(namespace, "outputs", None) or [])
        if option_string in ("-o", "--output"):
            if not outputs:
                outputs.append(["terminal", None])
            if outputs[-1][1] is not None:
                parser.error("each -o/--output follows its own --format")
            outputs[-1][1] = values
        else:
            outputs.append([values, None])
        namespace.outputs = outputs


def _review_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backend-review",
        description="Review a Python backend against a senior architect's checklist: native "
        "libcst rules plus bandit, ruff and semgrep, merged into one scored report. Node.js "
        "(JavaScript/TypeScript): Express, Fastify, NestJS, Hono and Koa routes and their guards "
        "(BR301, BR803), hardcoded secrets (BR201, BR202), SQL built from request data (BR101), "
        "synchronous calls in request handlers (BR601), secrets in logs (BR801) and errors "
        "sent to clients (BR702) only.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", type=Path, help="the service to review (directory or file)")
    parser.add_argument(
        "--format",
        "-f",
        choices=FORMATS,
        action=_FormatAction,
        dest="outputs",
        help="output format; repeat for several, at most one to standard output (default: "
        "terminal; concise = one line per finding, path:line:col: CODE [severity] message; "
        "gitlab = GitLab Code Quality JSON; junit = JUnit XML for CI test reports; html = one "
        "self-contained page: score chart, filterable findings with code frames, sortable "
        "route table)",
    )
    parser.add_argument(
        "-o",
        "--output",
        action=_FormatAction,
        dest="outputs",
        metavar="FILE",
        help="write the preceding --format to FILE instead of standard output",
    )
    parser.add_argument(
        "--statistics",
        action="store_true",
        help="on standard output, print how many findings each rule reported instead of the "
        "findings (files written with -o are unchanged)",
    )
    parser.add_argument(
        "--min-severity",
        choices=[s.value for s in Severity],
        help="show only findings of this severity or worse, in every format and in "
        "--statistics; the score and the gate still count every finding",
    )
    parser.add_argument(
        "--min-confidence",
        choices=[c.value for c in Confidence],
        help="show only findings of this confidence or higher (same rules as --min-severity)",
    )
    parser.add_argument("--config", type=Path, help="config file (default: found in PATH)")
    parser.add_argument(
        "--select", help="only these rules: codes, prefixes or checklist items, comma-separated"
    )
    parser.add_argument("--ignore", help="skip these rules (same syntax as --select)")
    parser.add_argument(
        "--fail-under", type=float, metavar="SCORE", help="gate: fail when the score is below"
    )
    parser.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        help="gate: fail on any unsuppressed finding of this severity or worse",
    )
    parser.add_argument(
        "--fail-on-unreviewed",
        action="store_true",
        help="gate: fail when any file could not be reviewed natively (too large, not "
        "parsable, hidden by a .gitignore although git tracks it...): see 'Not reviewed'",
    )
    parser.add_argument(
        "--disable-analyzer",
        action="append",
        choices=ANALYZERS,
        default=[],
        help="do not run this analyzer (repeatable)",
    )
    parser.add_argument("--sarif-category", help="SARIF runAutomationDetails category (monorepos)")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="where per-file results are cached (default: a folder per target in "
        "$XDG_CACHE_HOME/backend-review or ~/.cache/backend-review, never inside PATH); entries "
        "are keyed with this machine's secret, so a cache copied from elsewhere is never read",
    )
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write a cache")
    parser.add_argument(
        "--jobs", "-j", type=int, metavar="N", help="worker processes (default: CPU count)"
    )
    parser.add_argument(
        "--time-limit",
        type=positive_seconds,
        metavar="SECONDS",
        help="stop the whole run after this many seconds, with exit 2 and no report (a "
        "pathological file or pattern must not hold a CI job until its own timeout)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--version", action="version", version=f"backend-review {__version__}")

    _add_scope_arguments(parser)
    return parser


# A review allocates millions of short-lived libcst nodes: at the default threshold (a
# collection every 700 allocations) the cyclic collector runs tens of thousands of times over
# a growing heap. Measured on Django's package: the native analysis runs 15-20% faster.
GC_THRESHOLD = (50_000, 50, 100)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    # the pool's forked workers inherit the threshold; restored so an in-process caller
    # (a test, an embedding tool) keeps its own
    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        with terminate_on_sigterm():
            return _command(args)
    except ConfigError as exc:
        print(f"backend-review: config error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except TimeLimitReachedError as exc:
        print(
            f"backend-review: stopped: the run took longer than --time-limit {exc} s; no "
            "report was written (a pathological file, pattern or analyzer? see the last "
            "progress line, or raise the limit)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except TerminatedError:  # SIGTERM: a cancelled CI job, `timeout`; the analyzers are killed
        print("backend-review: terminated (SIGTERM); no report was written", file=sys.stderr)
        return 143
    except Exception as exc:  # a bug or an environment we did not foresee, never "the gate failed"
        print(f"backend-review: {internal_error(exc)}", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        gc.set_threshold(*previous)


def _command(args: list[str]) -> int:
    if args and args[0] in COMMANDS[1:]:
        return _subcommand(args[0], args[1:])
    if args and args[0] == "baseline":
        from reviewer.baseline_cli import main as baseline_main

        return baseline_main(args[1:])
    if args and args[0] == "review":
        args = args[1:]
    return _review(args)


def internal_error(exc: BaseException) -> str:
    """One line for a crash: what broke and where its traceback was written (a file, so the
    line stays readable in CI logs and the traceback can be attached to a bug report)."""
    import tempfile
    import traceback

    what = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
    try:
        fd, name = tempfile.mkstemp(prefix="backend-review-crash-", suffix=".txt")
        with open(fd, "w", encoding="utf-8", errors="replace") as out:
            out.write(f"backend-review {__version__}\n{' '.join(sys.argv)}\n\n")
            out.write("".join(traceback.format_exception(exc)))
    except OSError:  # no writable temporary folder: the traceback goes to stderr instead
        traceback.print_exception(exc)
        return f"internal error (exit 3): {what}; traceback above; please report it"
    return f"internal error (exit 3): {what}; traceback written to {name}; please report it"


def _overrides(ns: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if ns.select:
        overrides["select"] = ns.select
    if ns.ignore:
        overrides["ignore"] = ns.ignore
    if ns.fail_under is not None:
        overrides["fail-under"] = ns.fail_under
    if ns.fail_on:
        overrides["fail-on"] = ns.fail_on
    if ns.disable_analyzer:
        overrides["analyzers"] = {name: False for name in ns.disable_analyzer}
    return overrides


def _review(argv: list[str]) -> int:
    parser = _review_parser()
    ns = parser.parse_args(argv)
    with time_limit(ns.time_limit):
        return _review_run(parser, ns)


def _review_run(parser: argparse.ArgumentParser, ns: argparse.Namespace) -> int:
    target: Path = ns.path
    if not target.exists():
        parser.error(f"{target}: no such file or directory")
    from reviewer import scope
    from reviewer.progress import review_with_progress

    to_stdout = [fmt for fmt, output in (ns.outputs or [["terminal", None]]) if not output]
    if len(to_stdout) > 1:
        parser.error(
            f"--format {' and '.join(to_stdout)} both write to standard output: give all but "
            "one an -o FILE"
        )
    for _, output in ns.outputs or []:
        folder = Path(output).parent if output else None
        if folder is not None and not folder.is_dir():
            parser.error(f"cannot write {output}: folder {folder} does not exist")
    try:
        plan = scope.prepare(ns, target)
    except scope.UsageError as exc:
        parser.error(str(exc))
    # in a pull-request run the config and .gitignore files come from the base commit
    folder = target if target.is_dir() else target.parent
    config = load_config(folder, _overrides(ns), ns.config, base=plan.base_tree)
    for warning in config.warnings:
        print(f"backend-review: warning: {warning}", file=sys.stderr)
    # the base commit's route inventory starts once the review knows every file's facts
    # (it reuses them for the files the change left alone) and runs while the review goes on
    base = scope.BaseInventory(plan, config) if plan.route_base else None
    report = review_with_progress(
        target,
        config,
        quiet=ns.quiet,
        cache_dir=plan.cache_dir,
        jobs=ns.jobs,
        on_framework_facts=base.start if base is not None else None,
    )
    outcome = scope.finish(plan, report, config, base)
    _print_notes(outcome.notes)
    report = outcome.report
    outputs = ns.outputs or [["terminal", None]]
    gate = gate_summary(report, config, ns.fail_on_unreviewed)
    shown_report, hidden = _shown(report, ns)
    if hidden:
        print(
            f"backend-review: {hidden} finding(s) below --min-severity/--min-confidence are not "
            "shown; the score and the gate count them",
            file=sys.stderr,
        )
    written = True
    for fmt, output in outputs:
        # SARIF: the whole tree, see reviewer/scope.py
        shown = _shown(outcome.full, ns)[0] if fmt == "sarif" else shown_report
        if ns.statistics and not output:
            fmt = "statistics"
        text = _render(fmt, shown, category=ns.sarif_category, to_file=bool(output), gate=gate)
        if output:
            try:
                _write_atomically(Path(output), text)
            except OSError as exc:
                print(
                    f"backend-review: cannot write {output}: {exc.strerror or exc}", file=sys.stderr
                )
                written = False
        else:
            text = no_workflow_commands(text)
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if ns.github_review or ns.upload_sarif:
        sys.stdout.flush()
        _publish(plan, outcome, ns)
    if not written:
        return EXIT_USAGE
    if outcome.full.score.overall is None:  # nothing reviewed, or nothing that a rule covers
        print(f"backend-review: {nothing_reviewed(outcome.full)}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_GATE if gate_failed(report, config, ns.fail_on_unreviewed) else EXIT_OK


def no_workflow_commands(text: str) -> str:
    """Defuse every line that GitHub Actions would read as a workflow command.

    The runner treats a stdout line that starts with `::` (after leading blanks) as a command,
    e.g. `::stop-commands::TOKEN`, which silences every later annotation. File names and
    messages in a report come from the reviewed checkout: a file named
    `a\n::stop-commands::x\nb.py` put that line in the terminal report (issue 11, U10). A
    zero-width space between the two colons keeps the text readable and no longer a command;
    our own annotations are written elsewhere (reviewer/github/review.py)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith("::"):
            lines[i] = line[: len(line) - len(stripped)] + ":\u200b:" + stripped[2:]
    return "\n".join(lines)


def _write_atomically(path: Path, text: str) -> None:
    """Write a sibling temporary file, then rename it over `path`: a full disk leaves the old
    file (or none), never a truncated report, and a symlink at `path` is replaced, not
    followed (issue 11, C8). A device or pipe (`-o /dev/stdout`, `/dev/null`, a FIFO), or a
    link to one, is written to as it is: it is never replaced."""
    import os
    import stat
    import tempfile

    try:
        special = not stat.S_ISREG(path.stat().st_mode)
    except OSError:
        special = False  # missing (or a dangling link): created below
    if special and not path.is_dir():
        with path.open("w", encoding="utf-8") as out:
            out.write(text)
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # what write_text would have made, not mkstemp's 0600
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def nothing_reviewed(report: Report) -> str:
    """Why a review that scored nothing fails: what was found instead, by language."""
    from reviewer.discovery import unsupported_language

    found: dict[str, int] = {}
    for _, reason in report.not_reviewed:
        language = unsupported_language(reason) or "unreviewable"
        found[language] = found.get(language, 0) + 1
    if report.files_reviewed:
        return (
            f"nothing scored: {report.files_reviewed} file(s) reviewed, but no checklist item"
            " applies to them (in JavaScript/TypeScript only Express, Fastify, NestJS, Hono and Koa"
            " routes (BR301, BR803), hardcoded secrets (BR201, BR202), SQL injection (BR101),"
            " blocking calls in handlers (BR601), secrets in logs (BR801) and errors sent to"
            " clients (BR702) are reviewed so far);"
            " the score"
            " is n/a and the gate fails"
        )
    if not found:
        return f"nothing reviewed: no source file found in {report.target}; the gate fails"
    listed = ", ".join(f"{n} {language}" for language, n in sorted(found.items()))
    return (
        f"nothing reviewed: found {listed} file(s) and no Python file that could be reviewed;"
        " the score is n/a and the gate fails"
    )


def _print_notes(notes: Sequence[str]) -> None:
    for note in notes:
        print(f"backend-review: {note}", file=sys.stderr)


def _publish(plan: ScopePlan, outcome: Outcome, ns: argparse.Namespace) -> None:
    """`--github-review` / `--upload-sarif`; failures are printed, never raised."""
    import os

    from reviewer.github.publish import PublishRequest
    from reviewer.github.publish import publish as publish_to_github
    from reviewer.github.review import bot_login

    request = PublishRequest(
        review=bool(ns.github_review),
        sarif=bool(ns.upload_sarif),
        max_comments=ns.max_comments,
        category=getattr(ns, "sarif_category", None),
        path_prefix=plan.path_prefix,
        server_url=os.environ.get("GITHUB_SERVER_URL") or "https://github.com",
        bot_login=bot_login(os.environ),
    )
    publish_to_github(plan.ctx, outcome.report, outcome.full, request)


def _add_scope_arguments(parser: argparse.ArgumentParser) -> None:
    """The diff, baseline and GitHub flags of `backend-review PATH` (reviewer/scope.py)."""
    from reviewer.diff import FILTER_MODES
    from reviewer.scope import FROM_EVENT

    group = parser.add_argument_group("changes, baselines and GitHub")
    group.add_argument(
        "--diff",
        nargs="?",
        const=FROM_EVENT,
        metavar="BASE",
        help="report only what the change is responsible for: a git ref (diffs BASE...HEAD), "
        "a unified diff file, :staged (the index against HEAD, what a pre-commit hook "
        "commits), :worktree (uncommitted changes against HEAD), or no value in GitHub Actions "
        "(the pull request from the event)",
    )
    group.add_argument(
        "--filter-mode",
        choices=FILTER_MODES,
        help="with --diff: added (default: findings on added lines), diff-context (inside "
        "hunks), file (in changed files) or nofilter",
    )
    group.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="hide the findings recorded in FILE (see `backend-review baseline`)",
    )
    group.add_argument(
        "--github-review",
        action="store_true",
        help="post a pull-request review and summary comment (GitHub Actions environment)",
    )
    group.add_argument(
        "--upload-sarif",
        action="store_true",
        help="upload the SARIF log to GitHub code scanning (GitHub Actions environment)",
    )
    group.add_argument(
        "--max-comments",
        type=int,
        default=25,
        metavar="N",
        help="with --github-review: at most N inline comments (default 25)",
    )


def _render(
    fmt: str,
    report: Report,
    category: str | None = None,
    to_file: bool = False,
    gate: str | None = None,
) -> str:
    from reviewer.reporters import STATISTICS, RenderOptions, render_report

    options = RenderOptions(category=category, color=False if to_file else None, gate=gate)
    if fmt == "statistics":
        return STATISTICS(report, None, options)
    return render_report(fmt, report, options=options)


def _shown(report: Report, ns: argparse.Namespace) -> tuple[Report, int]:
    """The report as shown under --min-severity/--min-confidence, and how many active findings
    that hides. Only the findings are filtered: the score stays the whole review's."""
    import dataclasses

    floor = Severity(ns.min_severity).rank if ns.min_severity else None
    sure = Confidence(ns.min_confidence).rank if ns.min_confidence else None
    if floor is None and sure is None:
        return report, 0

    def kept(finding: Any) -> bool:
        if floor is not None and finding.severity.rank < floor:
            return False
        return sure is None or finding.confidence.rank >= sure

    findings = tuple(f for f in report.findings if kept(f))
    hidden = sum(1 for f in report.active if not kept(f))
    return dataclasses.replace(report, findings=findings), hidden


def gate_failed(report: Report, config: Config, unreviewed: bool = False) -> bool:
    """The quality gate: score below --fail-under, a finding at or above --fail-on, or (with
    `unreviewed`, --fail-on-unreviewed) any file the review had to leave out."""
    return gate_verdict(report, config, unreviewed) is not None


def gate_verdict(report: Report, config: Config, unreviewed: bool = False) -> str | None:
    """Why the quality gate fails, in a few words; None when it passes."""
    if unreviewed and report.not_reviewed:
        return f"{len(report.not_reviewed)} file(s) not reviewed (--fail-on-unreviewed)"
    if config.fail_under is not None:
        overall = report.score.overall
        if overall is not None and overall < config.fail_under:
            return f"score {overall:.1f} below {config.fail_under:g} (--fail-under)"
    if config.fail_on is not None:
        threshold = config.fail_on.rank
        scored = {m.code for m in report.rules if m.scored}
        worse = [f for f in report.active if f.severity.rank >= threshold and f.code in scored]
        if worse:
            return f"{len(worse)} finding(s) {config.fail_on.value} or worse (--fail-on)"
    return None


def gate_summary(report: Report, config: Config, unreviewed: bool = False) -> str:
    """The gate's result for the closing summary line of the text reports."""
    if config.fail_under is None and config.fail_on is None and not unreviewed:
        return "no gate set"
    if report.score.overall is None:
        return "gate failed: nothing scored"
    verdict = gate_verdict(report, config, unreviewed)
    return "gate passed" if verdict is None else f"gate failed: {verdict}"


def _subcommand(name: str, argv: list[str]) -> int:
    if name == "rules":
        return _rules(argv)
    if name == "explain":
        return _explain(argv)
    if name == "layers":
        return _layers(argv)
    return _routes(argv)


def _rules(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="backend-review rules", description="List the rule catalogue."
    )
    parser.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    ns = parser.parse_args(argv)
    from reviewer.catalogue import render_catalogue

    sys.stdout.write(render_catalogue(ns.format))
    return EXIT_OK


def _explain(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="backend-review explain", description="Print a rule's documentation."
    )
    parser.add_argument("code", help="rule code or name, e.g. BR101 or sql-injection")
    ns = parser.parse_args(argv)
    from reviewer.registry import load

    registry = load(Config(root=Path.cwd()))
    meta = registry.get(ns.code) or registry.claimant(ns.code)  # an analyzer id a rule claims
    if meta is None and (described := _explain_external(ns.code)):
        sys.stdout.write(described)
        return EXIT_OK
    if meta is None:
        print(
            f"backend-review: unknown rule {ns.code!r}; see `backend-review rules`", file=sys.stderr
        )
        return EXIT_USAGE
    from reviewer.catalogue import rule_page

    sys.stdout.write(rule_page(meta))
    return EXIT_OK


def _explain_external(code: str) -> str:
    """An analyzer id no rule claims: where rules/external.yaml puts it, and why."""
    from reviewer.analyzers.policy import load_policy
    from reviewer.resources import external_policy_file

    policy = load_policy(external_policy_file())
    if code not in policy.entries:
        return ""
    entry = policy.entries[code]
    if entry is None:
        place = "not reported"
    elif entry.opt_in:
        place = (
            "not a checklist concern: opt-in code quality, never scored, reported only when"
            " --select names it"
        )
    else:
        severity = f", severity {entry.severity.value}" if entry.severity else ""
        place = f"in the checklist: item {entry.item}{severity}"
    return f"# {code}\n\n{place}\nwhy: {policy.reasons.get(code) or '-'}\n"


def _routes(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="backend-review routes",
        description="Print the route inventory: every endpoint and what guards it.",
        epilog="When the project builds framework apps, blueprints or routers but no route "
        "is resolved, a note on stderr (and below the table/Markdown) names them.",
    )
    parser.add_argument("path", type=Path)
    parser.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    parser.add_argument("--config", type=Path)
    ns = parser.parse_args(argv)
    if not ns.path.exists():
        parser.error(f"{ns.path}: no such file or directory")
    config = load_config(ns.path, None, ns.config)
    from reviewer.framework.inventory import inventory_with_notes
    from reviewer.reporters.routes import render_routes

    routes, notes = inventory_with_notes(ns.path, config)
    sys.stdout.write(render_routes(routes, ns.format))
    for note in notes:  # stdout stays the inventory (JSON stays parseable); the note is not lost
        sys.stderr.write(f"backend-review routes: {note}\n")
        if ns.format != "json":
            sys.stdout.write(f"\nnote: {note}\n")
    return EXIT_OK


def _layers(argv: list[str]) -> int:
    from reviewer.layers import FORMATS as LAYER_FORMATS

    parser = argparse.ArgumentParser(
        prog="backend-review layers",
        description="Print the layer model: each module's role (controller, service, "
        "repository, model, schema, other), decided from what it contains (route handlers, ORM "
        "model classes, queries, validation classes, calls from handlers), and how many module "
        "pairs import from one role into another.",
        epilog="`--format mermaid` prints only the Mermaid `graph LR` diagram (one node per role, "
        "edges labelled with module-pair counts); the text output ends with it.",
    )
    parser.add_argument("path", type=Path)
    parser.add_argument("--format", choices=LAYER_FORMATS, default="text")
    parser.add_argument("--config", type=Path)
    ns = parser.parse_args(argv)
    if not ns.path.exists():
        parser.error(f"{ns.path}: no such file or directory")
    config = load_config(ns.path, None, ns.config)
    from reviewer.layers import layers_of, render_layers

    sys.stdout.write(render_layers(layers_of(ns.path, config), ns.format))
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
