"""backend-review: a senior backend architect's review checklist as one scored report."""

from __future__ import annotations

__version__ = "0.1.0"
