"""`python -m reviewer` is the `backend-review` command."""

from __future__ import annotations

import os
import sys

# `python -m` puts the current directory first on sys.path. Inside a reviewed project that
# would let its modules (an `http/` package, say) shadow the standard library and run as soon
# as anything imports it: the reviewed code must never run. Only the `reviewer` package itself
# could be needed from there, and it is imported already.
sys.path[:] = [p for p in sys.path if p not in ("", os.getcwd())]

from reviewer.cli import main  # noqa: E402 - after the sys.path fix, on purpose

sys.exit(main())
