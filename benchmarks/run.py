"""Benchmark backend-review against running bandit, ruff and semgrep yourself.

    python benchmarks/run.py            # full: Django + a service-like project + a ~500k-line tree
    python benchmarks/run.py --quick    # Django only, 1 repetition, fewer scaling points
    python benchmarks/run.py --quick --compare HEAD~1   # also time that commit, interleaved

`--compare REV` exports the commit REV of this repository (git archive) into benchmarks/cache/
and times its backend-review cold and warm on Django in the same interleaved rounds as the
working tree's, so a slowdown shows side by side and not across machines or hours.

Code bases are fetched from PyPI as sdists (`pip download --no-binary`) into benchmarks/cache/.
Every command runs as a subprocess; times are wall-clock medians over interleaved repetitions,
memory is the peak RSS of the process tree (getrusage of the waited child). Prints a table and
writes benchmarks/results/latest.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = HERE / "cache"
RESULTS = HERE / "results"
ENV = {**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0", "NO_COLOR": "1"}

# (label, pip requirement, package folder inside the sdist)
DJANGO = ("django", "django==5.2.*", "django")
SERVICE = ("flask-appbuilder", "flask-appbuilder==4.8.*", "flask_appbuilder")
EXTRA = [
    ("wagtail", "wagtail==6.4.*", "wagtail"),
    ("sqlalchemy", "sqlalchemy==2.0.*", "lib/sqlalchemy"),
]


def fetch(requirement: str, inner: str) -> Path:
    """Download and unpack an sdist once; return the package folder inside it."""
    CACHE.mkdir(parents=True, exist_ok=True)
    name = requirement.split("=")[0]
    target = CACHE / name
    if not target.exists():
        download = CACHE / f"{name}-sdist"
        download.mkdir(exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                name,  # the sdist of this package only: its build tools may come as wheels
                "-d",
                str(download),
                "-q",
                requirement,
            ],
            check=True,
        )
        archive = next(download.glob("*.tar.gz"))
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
    roots = [p for p in target.iterdir() if p.is_dir()]
    return roots[0] / inner


def count_lines(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*.py") if p.is_file()]
    return len(files), sum(p.read_bytes().count(b"\n") for p in files)


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of one command."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    # backend-review has no gate here, so anything but 0 is a crash; bandit exits 1 on findings
    allowed = (0,) if "reviewer" in argv else (0, 1)
    if code not in allowed:
        raise RuntimeError(f"{' '.join(argv[:4])} failed with exit code {code}")
    return elapsed, usage.ru_maxrss // 1024


def analyzer_commands(target: Path) -> dict[str, list[str]]:
    bindir = Path(sys.executable).parent
    semgrep_rules = REPO / "rules" / "semgrep"
    return {
        "bandit": [str(bindir / "bandit"), "-r", str(target), "-f", "json", "-q"],
        "ruff": [
            str(bindir / "ruff"),
            "check",
            str(target),
            "--output-format",
            "json",
            "--exit-zero",
            "--no-cache",
        ],
        "semgrep": [
            str(bindir / "semgrep"),
            "scan",
            "--json",
            "--metrics=off",
            "--disable-version-check",
            "--config",
            str(semgrep_rules),
            str(target),
        ],
    }


def review_command(target: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "reviewer",
        str(target),
        "-q",
        "-f",
        "json",
        "-o",
        os.devnull,
        *extra,
    ]


Step = tuple[list[str], Path, object] | tuple[list[str], Path, object, dict[str, str]]


def measure(name: str, repetitions: int, steps: dict[str, Step]) -> dict:
    """Interleave the commands, `repetitions` rounds; prepare hooks run before each command.

    A step is (argv, cwd, prepare) or (argv, cwd, prepare, env) for a command that needs its
    own environment (the --compare commit's code on PYTHONPATH).
    """
    samples: dict[str, list[tuple[float, int]]] = {key: [] for key in steps}
    order = list(steps)
    for _ in range(repetitions):
        random.shuffle(order)
        for key in order:
            argv, cwd, prepare, *env = steps[key]
            if callable(prepare):
                prepare()
            samples[key].append(run(argv, cwd, env[0] if env else None))
    return {
        key: {
            "seconds": round(statistics.median(s for s, _ in values), 3),
            "peak_mib": max(m for _, m in values),
            "runs": [round(s, 3) for s, _ in values],
        }
        for key, values in samples.items()
    }


def export_commit(rev: str) -> tuple[str, Path]:
    """The commit `rev` of this repository as a plain folder under the cache (once per commit)."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    folder = CACHE / f"commit-{sha[:12]}"
    if not (folder / "reviewer").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", sha], cwd=REPO, check=True, capture_output=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
    return sha[:12], folder


def compare_steps(target: Path, label: str, rev: str) -> dict[str, Step]:
    """Cold and warm review steps that run commit `rev`'s backend-review instead of this one."""
    sha, folder = export_commit(rev)
    env = {**ENV, "PYTHONPATH": str(folder)}
    cache_dir = CACHE / f"review-cache-{label}-{sha}"
    shutil.rmtree(cache_dir, ignore_errors=True)

    def warm_up() -> None:
        if not (cache_dir / "cache.sqlite").exists():
            run(review_command(target, "--cache-dir", str(cache_dir)), target, env)

    return {
        f"review-cold@{sha}": (review_command(target, "--no-cache"), target, None, env),
        f"review-warm@{sha}": (
            review_command(target, "--cache-dir", str(cache_dir)),
            target,
            warm_up,
            env,
        ),
    }


def bench_tree(
    label: str, target: Path, repetitions: int, diff_files: int = 10, compare: str | None = None
) -> dict:
    cache_dir = CACHE / f"review-cache-{label}"
    commands = analyzer_commands(target)

    # this working tree's code first on the path, whatever the installed copy points at
    own = {**ENV, "PYTHONPATH": str(REPO)}

    def wipe() -> None:
        shutil.rmtree(cache_dir, ignore_errors=True)

    def warm_up() -> None:
        if not (cache_dir / "cache.sqlite").exists():
            run(review_command(target, "--cache-dir", str(cache_dir)), target, own)

    steps: dict[str, Step] = {name: (argv, target, None) for name, argv in commands.items()}
    steps["review-cold"] = (review_command(target, "--no-cache"), target, None, own)
    steps["review-warm"] = (
        review_command(target, "--cache-dir", str(cache_dir)),
        target,
        warm_up,
        own,
    )
    if compare:
        steps.update(compare_steps(target, label, compare))
    results = measure(label, repetitions, steps)
    results["analyzers-sequential"] = {
        "seconds": round(sum(results[n]["seconds"] for n in commands), 3),
        "peak_mib": max(results[n]["peak_mib"] for n in commands),
    }
    diff = bench_diff(target, repetitions, diff_files)
    if diff:
        results["review-diff"] = diff
    wipe()
    files, lines = count_lines(target)
    return {"files": files, "lines": lines, "results": results}


def bench_diff(target: Path, repetitions: int, changed: int) -> dict | None:
    """The pull-request case: `changed` files edited on a branch, reviewed with --diff.

    As in CI with the cache folder restored from the base branch (actions/cache), the cache
    holds the base commit's results; only the changed files are analyzed again. Each
    repetition starts from that base-branch cache. The three analyzers on the whole tree are
    timed again in the same rounds; the ratio is against their sum from this window.
    """
    work = CACHE / "diff-work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(target, work / target.name)
    git = ["git", "-c", "user.email=b@example.com", "-c", "user.name=bench"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=work, check=True)
    subprocess.run([*git, "add", "-A"], cwd=work, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=work, check=True)
    base_cache = CACHE / "diff-base-cache"
    run_cache = CACHE / "diff-run-cache"
    shutil.rmtree(base_cache, ignore_errors=True)
    run(review_command(work, "--cache-dir", str(base_cache)), work)
    candidates = sorted((work / target.name).rglob("*.py"))
    step = max(1, len(candidates) // changed)
    for path in candidates[::step][:changed]:
        path.write_text(path.read_text(encoding="utf-8", errors="replace") + "\nx_changed = 1\n")
    subprocess.run([*git, "commit", "-qam", "change"], cwd=work, check=True)

    def restore() -> None:
        shutil.rmtree(run_cache, ignore_errors=True)
        shutil.copytree(base_cache, run_cache)

    argv = review_command(work, "--cache-dir", str(run_cache), "--diff", "HEAD~1")
    # the three analyzers again, interleaved with the diff runs: its ratio compares runs made
    # in the same minutes (a shared machine's speed drifts between the tree's and this window)
    steps: dict[str, Step] = {
        name: (cmd, work, None) for name, cmd in analyzer_commands(work / target.name).items()
    }
    steps["review-diff"] = (argv, work, restore)
    measured = measure("diff", repetitions, steps)
    result = measured["review-diff"]
    result["baseline_seconds"] = round(
        sum(measured[name]["seconds"] for name in ("bandit", "ruff", "semgrep")), 3
    )
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(base_cache, ignore_errors=True)
    shutil.rmtree(run_cache, ignore_errors=True)
    return result


def bench_scaling(trees: list[Path], fractions: list[float]) -> dict:
    """backend-review cold on growing fractions of one combined tree.

    A fraction is of the tree's lines, not its file count: files are taken in a fixed random
    order until the sample holds that share of the lines (file sizes vary a hundredfold, so
    10% of the files can hold 8% or 12% of the code).
    """
    combined = CACHE / "combined"
    if not combined.exists():
        for tree in trees:
            shutil.copytree(tree, combined / tree.name)
    files = sorted(p for p in combined.rglob("*.py"))
    random.Random(7).shuffle(files)
    sizes = [path.read_bytes().count(b"\n") for path in files]
    total = sum(sizes)
    out = {}
    for fraction in fractions:
        part = CACHE / f"part-{int(fraction * 100)}"
        shutil.rmtree(part, ignore_errors=True)
        taken = 0
        for path, size in zip(files, sizes, strict=True):
            if taken >= fraction * total:
                break
            taken += size
            dest = part / path.relative_to(combined)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
        seconds, peak = run(review_command(part, "--no-cache"), part)
        n, lines = count_lines(part)
        out[f"{int(fraction * 100)}%"] = {
            "files": n,
            "lines": lines,
            "seconds": round(seconds, 3),
            "peak_mib": peak,
        }
        shutil.rmtree(part, ignore_errors=True)
    if "10%" in out and "100%" in out:
        out["growth"] = {
            "100% / (10 x 10%)": round(out["100%"]["seconds"] / (10 * out["10%"]["seconds"]), 3)
        }
    return out


def table(results: dict) -> str:
    rows = []
    for label, data in results["trees"].items():
        r = data["results"]
        base = r["analyzers-sequential"]["seconds"]
        rows.append(f"\n{label}: {data['files']} files, {data['lines']} lines")
        for key, value in r.items():
            own = value.get("baseline_seconds") or base  # review-diff: its own window's sum
            ratio = value["seconds"] / own if own else 0
            row = f"  {key:22} {value['seconds']:8.2f} s  {ratio:5.2f}x  {value['peak_mib']:6} MiB"
            mine = r.get(key.split("@")[0]) if "@" in key else None
            if mine:  # a --compare commit: this tree's time over that commit's
                row += f"  (this tree {mine['seconds'] / value['seconds']:.2f}x of it)"
            rows.append(row)
    if "scaling" in results:
        rows.append("\nscaling (backend-review cold):")
        for key, value in results["scaling"].items():
            if key == "growth":
                rows.extend(f"  {name}: {ratio:.2f}" for name, ratio in value.items())
                continue
            rows.append(
                f"  {key:>5} {value['lines']:8} lines {value['seconds']:8.2f} s "
                f"{value['peak_mib']:6} MiB"
            )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="Django only, one repetition unless --repetitions"
    )
    parser.add_argument("--repetitions", type=int, help="interleaved rounds (default 3)")
    parser.add_argument(
        "--compare",
        metavar="REV",
        help="also time this git commit's backend-review on Django, interleaved with this tree's",
    )
    args = parser.parse_args()
    repetitions = args.repetitions or (1 if args.quick else 3)
    results: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "memory_gib": round(
                os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1
            ),
        },
        "trees": {},
    }
    django = fetch(DJANGO[1], DJANGO[2])
    results["trees"]["django"] = bench_tree("django", django, repetitions, compare=args.compare)
    if not args.quick:
        service = fetch(SERVICE[1], SERVICE[2])
        results["trees"][SERVICE[0]] = bench_tree(SERVICE[0], service, repetitions)
        extra = [fetch(req, inner) for _, req, inner in EXTRA]
        results["scaling"] = bench_scaling([django, service, *extra], [0.1, 0.25, 0.5, 1.0])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
