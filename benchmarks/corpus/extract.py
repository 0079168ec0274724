"""Write a corpus app's checkout from a mirror fetched with the search tool's `fetch`.

    python3 benchmarks/corpus/extract.py GITDIR COMMIT DEST [PATHSPEC...]

The mirrors may lack some large blobs (binary test data), and `git archive` stops at the first
missing one, leaving a checkout without the files after it (mealie's tests were lost that way).
This writes every blob the mirror holds, file by file, and counts the ones it skips.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def extract(gitdir: str, commit: str, dest: Path, specs: list[str]) -> tuple[int, int]:
    listing = subprocess.run(
        ["git", f"--git-dir={gitdir}", "ls-tree", "-r", "-z", commit, *specs],
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    batch = subprocess.Popen(
        ["git", f"--git-dir={gitdir}", "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert batch.stdin is not None and batch.stdout is not None
    written = missing = 0
    for entry in (e.decode() for e in listing if e):
        meta, path = entry.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind != "blob" or mode == "120000":  # no symlinks: the checkout is read, never run
            continue
        batch.stdin.write(sha.encode() + b"\n")
        batch.stdin.flush()
        header = batch.stdout.readline().split()
        if header[-1] == b"missing":
            missing += 1
            continue
        data = batch.stdout.read(int(header[2]))
        batch.stdout.read(1)
        out = dest / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        written += 1
    batch.stdin.close()
    batch.wait()
    return written, missing


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    gitdir, commit, dest, *specs = sys.argv[1:]
    written, missing = extract(gitdir, commit, Path(dest), specs)
    print(f"{written} files written, {missing} blobs the mirror lacks skipped")


if __name__ == "__main__":
    main()
