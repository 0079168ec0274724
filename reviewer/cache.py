"""A per-file result cache in SQLite, so a re-run re-analyzes only what changed.

Keys hash the file's content with everything that can change its result: backend-review's
version, the rule set, the tools' versions and the config. Values are JSON (reviewer/codec.py),
never pickle: the cache may sit in the untrusted target repository. A corrupt, foreign or
unreadable cache is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from reviewer import __version__, codec

SCHEMA = "backend-review-cache/1"
DIRNAME = ".backend-review-cache"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key_of(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class Cache:
    """get/put JSON-encoded values by key; every failure degrades to a miss."""

    def __init__(self, directory: Path | None) -> None:
        self.path = directory / "cache.sqlite" if directory is not None else None
        self._db: sqlite3.Connection | None = None
        self.hits = 0
        self.misses = 0
        self.unencodable = 0
        if self.path is not None:
            self._db = self._open(self.path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection | None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            ignore = path.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# created by backend-review\n*\n", encoding="utf-8")
            db = sqlite3.connect(path, timeout=5)
            db.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS entries (k TEXT PRIMARY KEY, v TEXT)")
            row = db.execute("SELECT v FROM meta WHERE k = 'schema'").fetchone()
            if row is None or row[0] != f"{SCHEMA} {__version__}":
                db.execute("DELETE FROM entries")
                db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (f"{SCHEMA} {__version__}",)
                )
                db.commit()
            return db
        except (sqlite3.Error, OSError):
            try:
                path.unlink(missing_ok=True)  # corrupt or foreign: start over once
                db = sqlite3.connect(path, timeout=5)
                db.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT)")
                db.execute("CREATE TABLE entries (k TEXT PRIMARY KEY, v TEXT)")
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (f"{SCHEMA} {__version__}",))
                db.commit()
                return db
            except (sqlite3.Error, OSError):
                return None

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        return self.decode(self.fetch(keys))

    def fetch(self, keys: Iterable[str]) -> dict[str, str]:
        """The stored text of the keys present (decode it with `decode`, on any thread)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, str] = {}
        if self._db is None or not wanted:
            self.misses += len(wanted)
            return found
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(f"SELECT k, v FROM entries WHERE k IN ({marks})", chunk)
                found.update(rows)
        except sqlite3.Error:
            found = {}
        self.misses += len(wanted) - len(found)
        return found

    def decode(self, raw: Mapping[str, str]) -> dict[str, Any]:
        """Decoded values; an entry that does not decode is left out (a miss)."""
        found: dict[str, Any] = {}
        for key, text in raw.items():
            try:
                found[key] = codec.loads(text)
            except codec.CodecError:
                self.misses += 1
                continue
        self.hits += len(found)
        return found

    def put_many(self, items: Mapping[str, Any]) -> None:
        if self._db is None or not items:
            return
        rows = []
        for key, value in items.items():
            try:
                rows.append((key, codec.dumps(value)))
            except codec.CodecError:
                self.unencodable += 1  # that file is simply analyzed again next time
        try:
            self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", rows)
            self._db.commit()
        except sqlite3.Error:
            return

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def default_cache_dir(root: Path) -> Path:
    """PATH/.backend-review-cache when writable, else a per-target folder in the user cache."""
    local = root / DIRNAME
    if os.access(local if local.exists() else root, os.W_OK):
        return local
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "backend-review" / hashlib.sha256(str(root).encode()).hexdigest()[:16]
