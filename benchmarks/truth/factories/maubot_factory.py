"""maubot: the management API sub-app and the MaubotServer around it, as `Maubot.prepare()` builds them.

The server is built, never started (no database, no Matrix clients).  The
config is the shipped example (every `api_features` module on, the defaults
`ui_base_path: /_matrix/maubot`, `plugin_base_path: /_matrix/maubot/plugin/`).
The React UI build is not in the repository; `override_resource_path` points at
a temporary folder with the files `setup_management_ui()` opens.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from typing import Any


def _fake_ui() -> str:
    root = tempfile.mkdtemp(prefix="maubot-ui-")
    os.makedirs(os.path.join(root, "static"))
    for name in ("index.html", "asset-manifest.json", "manifest.json", "favicon.png"):
        with open(os.path.join(root, name), "w") as f:
            f.write("{}")
    return root


async def create() -> Any:
    from maubot.config import Config
    from maubot.management.api import init as init_mgmt_api
    from maubot.server import MaubotServer

    example = os.path.join("maubot", "example-config.yaml")
    cfg = Config(example, example)
    cfg.load()
    cfg.update(save=False)
    cfg["server.override_resource_path"] = _fake_ui()
    loop = asyncio.get_running_loop()
    server = MaubotServer(init_mgmt_api(cfg, loop), cfg, loop)
    return server.app
