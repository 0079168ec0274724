"""changedetection.io builds its Flask app from a datastore in its CLI main(); do the same, no server."""

from __future__ import annotations

import os
import tempfile
from typing import Any


def create() -> Any:
    from changedetectionio import __version__, store
    from changedetectionio.flask_app import changedetection_app

    path = tempfile.mkdtemp(prefix="cd-truth-")
    datastore = store.ChangeDetectionStore(
        datastore_path=path, version_tag=__version__, include_default_watches=False
    )
    return changedetection_app({"datastore_path": path}, datastore)


os.environ.setdefault("TZ", "UTC")
