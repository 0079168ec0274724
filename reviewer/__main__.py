"""`python -m reviewer` is the `backend-review` command."""

from __future__ import annotations

import sys

from reviewer.cli import main

sys.exit(main())
