"""The command line every truth extractor shares (run inside the app's throw-away venv).

`python benchmarks/truth/<framework>_truth.py --checkout DIR --runtime JSON` imports the app the
way the manifest's runtime object says and prints {"routes": [...]} as JSON on stdout. While the
app loads and is walked, stdout is stderr, so the app's own prints cannot corrupt the JSON.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
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


def load_app(
    checkout: str, runtime: dict[str, Any], app_attribute: str, extra_path: str = ""
) -> Any:
    """The app object the manifest's runtime names ("module:attribute"; a factory is called
    with "factory_args" when the object lacks `app_attribute`), after setting its "env",
    putting its "sys_path" entries first on sys.path and changing to its "chdir" folder."""
    os.environ.update({k: str(v) for k, v in runtime.get("env", {}).items()})
    for entry in reversed(runtime.get("sys_path", ["."])):
        sys.path.insert(0, os.path.join(checkout, entry))
    if extra_path:
        sys.path.append(extra_path)
    os.chdir(os.path.join(checkout, runtime.get("chdir", ".")))
    module_name, _, attr = runtime["factory"].partition(":")
    obj = getattr(importlib.import_module(module_name), attr or "app")
    if callable(obj) and not hasattr(obj, app_attribute):
        obj = obj(**runtime.get("factory_args", {}))
    return obj
