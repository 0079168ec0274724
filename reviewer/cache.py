"""A per-file result cache in SQLite, so a re-run re-analyzes only what changed.

Keys hash the file's content with everything that can change its result: backend-review's
version, the rule set, the tools' versions and the config. Those inputs are public, so a
pull request could ship a cache whose entries say "no findings" under the right keys (issue
11, U4). Three things keep the cache from lying or writing where it should not:

* Entries are stored under an HMAC of the key with a per-machine secret (`machine_key`, 32
  random bytes in the user's cache directory, mode 0600). A cache committed to the checkout,
  or copied from another machine, has no entry a run here looks up: it is never trusted. This
  was chosen over "refuse a cache that git tracks" because it needs no git and also covers a
  cache that is merely copied into place.
* The default directory is in the user's cache directory, never inside the reviewed checkout
  (`default_cache_dir`), so the checkout cannot place files (or symlinks) in it.
* The cache never follows a symlink (U5): the directory must be a real directory owned by us;
  a symlink, hard link or special file named like one of our files is unlinked (the name
  only, never its target) and files are created with O_NOFOLLOW; a database whose schema is
  not ours is replaced, never emptied in place.

Values are JSON (reviewer/codec.py), never pickle. A corrupt, foreign or unreadable cache is
ignored and rebuilt; a locked one is left alone (another run is using it) and this run goes
without.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import sqlite3
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from reviewer import __version__, codec

SCHEMA = "backend-review-cache/1"
DIRNAME = ".backend-review-cache"
DB_NAME = "cache.sqlite"
# every name SQLite or we create in the directory; none of them may be a link
OWN_FILES = (DB_NAME, f"{DB_NAME}-journal", f"{DB_NAME}-wal", f"{DB_NAME}-shm", ".gitignore")
KEY_BYTES = 32

log = logging.getLogger(__name__)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key_of(*parts: str) -> str:
    # surrogateescape: a file name that is not UTF-8 (bytes from the file system) still has a key
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def user_cache_base() -> Path:
    """$XDG_CACHE_HOME/backend-review, else ~/.cache/backend-review."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "backend-review"


@functools.cache
def machine_key() -> bytes:
    """This machine's secret for the cache's keys (created once); a fresh random one per
    process when it cannot be read or kept safely (the cache then only helps within a run)."""
    path = user_cache_base() / "key"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(os.urandom(KEY_BYTES))
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as src:
            info = os.fstat(src.fileno())
            secret = src.read(KEY_BYTES + 1)
        private = stat.S_ISREG(info.st_mode) and not info.st_mode & 0o077
        if private and info.st_uid == os.geteuid() and len(secret) == KEY_BYTES:
            return secret
        log.warning("backend-review: cache key %s is not a private file of ours; not used", path)
    except OSError as exc:
        log.warning("backend-review: cache key %s unusable (%s)", path, exc.strerror or exc)
    return os.urandom(KEY_BYTES)


def directory_problem(directory: Path) -> str | None:
    """Why `directory` cannot hold our cache (None: it can). It is created (0700) if missing."""
    try:
        if not os.path.lexists(directory):
            directory.parent.mkdir(parents=True, exist_ok=True)
            os.mkdir(directory, 0o700)
        info = os.lstat(directory)
    except OSError as exc:
        return f"cannot be created or read ({exc.strerror or exc})"
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link"
    if not stat.S_ISDIR(info.st_mode):
        return "is not a directory"
    if info.st_uid != os.geteuid():
        return "is owned by another user"
    if info.st_mode & 0o002:
        return "is writable by every user"
    return None


def _unlink_impostors(directory: Path) -> None:
    """Remove any of our file names that is a link or not a regular file (the name only)."""
    for name in OWN_FILES:
        path = directory / name
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError(f"{path} is a directory")
            path.unlink()


def _create_private(path: Path, data: bytes = b"") -> None:
    """Create `path` if missing, never through a link."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _busy(exc: sqlite3.Error) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: another run holds the database, which is not corrupt."""
    return getattr(exc, "sqlite_errorcode", None) in (5, 6) or "locked" in str(exc)


class Cache:
    """get/put JSON-encoded values by key; every failure degrades to a miss.

    `refused` says why the directory was not used (None when it was, or when there is none).
    """

    def __init__(self, directory: Path | None, *, secret: bytes | None = None) -> None:
        self.path = directory / DB_NAME if directory is not None else None
        self._db: sqlite3.Connection | None = None
        self._secret = secret if secret is not None else machine_key()
        self.hits = 0
        self.misses = 0
        self.unencodable = 0
        self.refused: str | None = None
        if directory is not None:
            self.refused = directory_problem(directory)
            if self.refused is not None:
                log.warning(
                    "backend-review: cache directory %s %s; no cache", directory, self.refused
                )
            else:
                self._db = self._open(directory)

    def _stored_key(self, key: str) -> str:
        return hmac.new(
            self._secret, key.encode("utf-8", "surrogateescape"), hashlib.sha256
        ).hexdigest()

    @staticmethod
    def _connect(path: Path, fresh: bool) -> sqlite3.Connection:
        if fresh:
            path.unlink(missing_ok=True)
        _unlink_impostors(path.parent)
        _create_private(path)
        db = sqlite3.connect(path, timeout=5)
        db.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS entries (k TEXT PRIMARY KEY, v TEXT)")
        return db

    @classmethod
    def _open(cls, directory: Path) -> sqlite3.Connection | None:
        path = directory / DB_NAME
        schema = f"{SCHEMA} {__version__}"
        try:
            _unlink_impostors(directory)
            _create_private(directory / ".gitignore", b"# created by backend-review\n*\n")
            db = cls._connect(path, fresh=False)
            row = db.execute("SELECT v FROM meta WHERE k = 'schema'").fetchone()
            if row is not None and row[0] == schema:
                return db
            db.close()  # not ours, or an older version: a new file, the old one untouched
        except sqlite3.Error as exc:
            if _busy(exc):
                log.warning("backend-review: cache %s is locked by another run; no cache", path)
                return None
        except OSError:
            return None
        try:
            db = cls._connect(path, fresh=True)
            db.execute("INSERT INTO meta VALUES ('schema', ?)", (schema,))
            db.commit()
            return db
        except (sqlite3.Error, OSError):
            return None

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        return self.decode(self.fetch(keys))

    def fetch(self, keys: Iterable[str]) -> dict[str, str]:
        """The stored text of the keys present (decode it with `decode`, on any thread)."""
        wanted = {self._stored_key(k): k for k in dict.fromkeys(keys)}
        found: dict[str, str] = {}
        if self._db is None or not wanted:
            self.misses += len(wanted)
            return found
        stored = list(wanted)
        try:
            for start in range(0, len(stored), 500):
                chunk = stored[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(f"SELECT k, v FROM entries WHERE k IN ({marks})", chunk)
                found.update((wanted[k], v) for k, v in rows)
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
                rows.append((self._stored_key(key), codec.dumps(value)))
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
    """A per-target folder in the user's cache directory: never inside the reviewed checkout,
    whose author could otherwise place the cache's files (or links in their place)."""
    name = os.fsencode(str(root))
    return user_cache_base() / hashlib.sha256(name).hexdigest()[:16]
