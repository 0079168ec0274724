"""BR403 on a package reviewed on its own (`backend-review CTFd/`): the imports of its code name
its modules with the package (`shop.cache`), the layer model without it (`cache`); a module
whose decorator wraps a handler is still recognised as web layer. Real CLI, real parsing."""

from __future__ import annotations

import json
from pathlib import Path

from cli_runner import run_reviewer

FILES = {
    "__init__.py": "from flask import Flask\napp = Flask(__name__)\nfrom shop import views  # noqa\n",
    "db.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
    "models.py": "from shop.db import db\n\nclass Order(db.Model):\n"
    "    id = db.Column(db.Integer, primary_key=True)\n",
    "cache/__init__.py": "from flask import request\nfrom flask_caching import Cache\n\n"
    "from shop.db import db\nfrom shop.models import Order\n\ncache = Cache()\n\n\n"
    "def make_cache_key():\n    return 'view/' + request.path\n\n\n"
    "def orders_count():\n    return db.session.query(Order).count()\n",
    "views.py": "from shop import app\nfrom shop.cache import cache, make_cache_key, orders_count\n\n\n"
    "@app.get('/board')\n@cache.cached(timeout=60, key_prefix=make_cache_key)\n"
    "def board():\n    return {'orders': orders_count()}\n",
}


def test_a_response_cache_module_of_a_reviewed_package_is_web_layer(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    done = run_reviewer(
        str(root), "--select", "BR403", "--format", "json", "--no-cache", "-q",
        "--disable-analyzer", "semgrep", "--disable-analyzer", "bandit",
        "--disable-analyzer", "ruff",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [f["location"]["path"] for f in json.loads(done.stdout)["findings"]] == []
