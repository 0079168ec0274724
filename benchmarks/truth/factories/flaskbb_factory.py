"""FlaskBB: `create_app()` with the project's own testing config (in-memory sqlite, no Redis, eager Celery).

The database is empty, so `load_plugins()` takes its "database not set up" branch
(flaskbb/app.py:507-516) and loads every installed `flaskbb_plugins` entry point:
the two plugins FlaskBB depends on (conversations, portal) register their
blueprints from outside the checkout.

FlaskBB targets Python >= 3.14, whose annotations are evaluated lazily (PEP 649,
e.g. `flaskbb/plugins/manager.py:37` annotates with a name imported only under
TYPE_CHECKING).  This machine has at most 3.13, so the checkout's modules are
compiled with `from __future__ import annotations` (PEP 563: annotations kept as
strings, never evaluated at definition time), which is what 3.14 does for
code that does not introspect them.
"""

from __future__ import annotations
import __future__

import importlib.machinery
import os
import sys
from typing import Any

_ROOT = os.path.abspath("flaskbb") + os.sep


class _LazyAnnotationsLoader(importlib.machinery.SourceFileLoader):
    def source_to_code(self, data, path, *, _optimize=-1):  # type: ignore[override]
        flags = __future__.annotations.compiler_flag
        return compile(data, path, "exec", flags=flags, dont_inherit=True, optimize=_optimize)


class _Finder(importlib.machinery.PathFinder):
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):  # type: ignore[override]
        if not fullname.startswith("flaskbb"):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.origin and os.path.abspath(spec.origin).startswith(_ROOT):
            spec.loader = _LazyAnnotationsLoader(fullname, spec.origin)
        return spec


def create() -> Any:
    sys.dont_write_bytecode = True  # the 3.12 .pyc files must not carry the changed flags
    sys.meta_path.insert(0, _Finder)
    from flaskbb.app import create_app
    from flaskbb.configs.testing import TestingConfig

    return create_app(TestingConfig)
