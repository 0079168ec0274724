"""aiohttp-demos blog: init_app() takes the loaded TOML config (main() does this from the CLI)."""

from __future__ import annotations

import os
from typing import Any


async def create() -> Any:
    import aiohttpdemo_blog
    from aiohttpdemo_blog.main import init_app
    from aiohttpdemo_blog.settings import load_config

    config = os.path.join(
        os.path.dirname(aiohttpdemo_blog.__file__), "..", "config", "user_config.toml"
    )
    return await init_app(load_config(config))
