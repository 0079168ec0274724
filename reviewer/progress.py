"""The review behind a rich progress bar on stderr, shown only on a terminal and only once the
review has taken a second (a quick run should not flash a bar)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reviewer.config import Config
from reviewer.model import Report


def review_with_progress(
    target: Path,
    config: Config,
    quiet: bool,
    cache_dir: Path | None,
    jobs: int | None,
    on_framework_facts: Callable[[dict[tuple[str, str], Any]], None] | None = None,
) -> Report:
    """engine.review with a progress bar unless quiet or stderr is not a terminal."""
    from reviewer.engine import review

    if quiet or not sys.stderr.isatty():
        return review(
            target,
            config,
            cache_dir=cache_dir,
            jobs=jobs,
            on_framework_facts=on_framework_facts,
        )
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    started = time.monotonic()
    progress = Progress(
        TextColumn("reviewing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    )
    task: list[Any] = []

    def on_file(relpath: str, done: int, total: int) -> None:
        if not task:
            if time.monotonic() - started < 1.0:
                return
            progress.start()
            task.append(progress.add_task(relpath, total=total))
        progress.update(task[0], completed=done, description=relpath)

    try:
        return review(
            target,
            config,
            progress=on_file,
            cache_dir=cache_dir,
            jobs=jobs,
            on_framework_facts=on_framework_facts,
        )
    finally:
        progress.stop()
