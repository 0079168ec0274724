"""The command line every truth extractor shares (run inside the app's throw-away venv).

`python benchmarks/truth/<framework>_truth.py --checkout DIR --runtime JSON` imports the app the
way the manifest's runtime object says and prints {"routes": [...]} as JSON on stdout. While the
app loads and is walked, stdout is stderr, so the app's own prints cannot corrupt the JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

Extract = Callable[[str, dict[str, Any]], list[dict[str, Any]]]


def run(description: str, extract: Extract) -> int:
    """Parse the shared arguments, call `extract(checkout, runtime)`, print its routes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--checkout", required=True, help="the app's checkout directory")
    parser.add_argument("--runtime", required=True, help="the manifest's runtime object, as JSON")
    ns = parser.parse_args()
    real_stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        found = extract(ns.checkout, json.loads(ns.runtime))
    finally:
        sys.stdout = real_stdout
    json.dump({"routes": found}, sys.stdout, indent=1)
    return 0
