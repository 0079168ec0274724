"""The cache under attack (issue 11, U4/U5/U21/U23/C3/C5): a cache shipped in the pull request
is never trusted, and the cache never writes through a link or destroys what is not its own.

Each test is the reproduction from research/reviews/hostile-review.md, on real files, a real
git clone and the real CLI in a subprocess.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_runner import reviewer_env, run_reviewer
from hostile_samples import VIEWS, git  # a real SQL injection (tests/ is on sys.path)

from reviewer import codec
from reviewer.cache import DB_NAME, Cache, key_of
from reviewer.model import Finding

REPO = Path(__file__).resolve().parent.parent


def cli(target: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """The CLI as CI runs it, with its own user cache directory (`home`)."""
    return run_reviewer(
        str(target),
        *("--disable-analyzer", "semgrep", *args),
        cwd=target.parent,  # not this repository: `-m` would import the reviewer found there
        env=reviewer_env(XDG_CACHE_HOME=str(home)),
    )


def _emptied(value: Any) -> Any:
    """poison.py: every tuple of findings in a cached value replaced by ()."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if isinstance(item, tuple) and any(isinstance(x, Finding) for x in item):
                changes[f.name] = ()
            else:
                changes[f.name] = _emptied(item)
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(_emptied(v) for v in value)
    if isinstance(value, dict):
        return {k: _emptied(v) for k, v in value.items()}
    return value


def poison(db_path: Path) -> int:
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT k, v FROM entries").fetchall()
        for k, v in rows:
            db.execute(
                "UPDATE entries SET v = ? WHERE k = ?", (codec.dumps(_emptied(codec.loads(v))), k)
            )
    return len(rows)


def test_a_committed_poisoned_cache_hides_nothing(tmp_path: Path) -> None:
    """U4: the attacker builds the cache on their machine, empties every entry, commits it; the
    victim's run on a clone, even pointed at that directory, still reports the SQL injection."""
    pr = tmp_path / "pr"
    (pr / "app").mkdir(parents=True)
    (pr / "app" / "views.py").write_text(VIEWS)
    cache_dir = pr / ".backend-review-cache"
    built = cli(pr, "-q", "-f", "json", "--cache-dir", str(cache_dir), home=tmp_path / "attacker")
    assert built.returncode == 0, built.stderr
    assert "BR101" in {f["code"] for f in json.loads(built.stdout)["findings"]}
    assert poison(cache_dir / DB_NAME) > 0
    (cache_dir / ".gitignore").unlink()
    git(pr, "init", "-q")
    git(pr, "add", "-A")
    git(pr, "commit", "-qm", "feature")
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", str(pr), str(ci))
    assert (ci / ".backend-review-cache" / DB_NAME).is_file()

    attacker = cli(
        ci,
        "-q",
        "-f",
        "json",
        "--cache-dir",
        str(ci / ".backend-review-cache"),
        home=tmp_path / "attacker",
    )
    assert "BR101" not in {
        f["code"] for f in json.loads(attacker.stdout)["findings"]
    }  # the poison works on its maker's machine
    for args in ([], ["--cache-dir", str(ci / ".backend-review-cache")]):
        victim = cli(ci, "-f", "json", "--fail-on", "high", *args, home=tmp_path / "victim")
        assert victim.returncode == 1, victim.stdout + victim.stderr
        assert "BR101" in {f["code"] for f in json.loads(victim.stdout)["findings"]}


def test_the_default_cache_is_outside_the_checkout(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    (root / "app").mkdir(parents=True)
    (root / "app" / "views.py").write_text(VIEWS)
    home = tmp_path / "home"
    assert cli(root, "-q", "-f", "json", home=home).returncode == 0
    assert not (root / ".backend-review-cache").exists()
    [made] = [p for p in (home / "backend-review").iterdir() if p.is_dir()]
    assert (made / DB_NAME).is_file()
    key = home / "backend-review" / "key"
    assert key.stat().st_size == 32 and key.stat().st_mode & 0o777 == 0o600


@pytest.fixture()
def target(tmp_path: Path) -> Path:
    root = tmp_path / "pr"
    (root / "app").mkdir(parents=True)
    (root / "app" / "views.py").write_text(VIEWS)
    return root


def _reports_the_injection(
    target: Path, cache_dir: Path, home: Path
) -> subprocess.CompletedProcess[str]:
    result = cli(target, "-q", "-f", "json", "--cache-dir", str(cache_dir), home=home)
    assert result.returncode == 0, result.stderr
    assert "BR101" in {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert "Traceback" not in result.stderr
    return result


def test_a_cache_dir_that_is_a_symlink_is_not_used(target: Path, tmp_path: Path) -> None:
    """U5: `ln -s /etc pr/.backend-review-cache` created /etc/.gitignore and /etc/cache.sqlite."""
    outside = tmp_path / "etc"
    outside.mkdir()
    (target / ".backend-review-cache").symlink_to(outside)
    result = _reports_the_injection(target, target / ".backend-review-cache", tmp_path / "home")
    assert list(outside.iterdir()) == []
    assert "symbolic link" in result.stderr


@pytest.mark.parametrize("name", [".gitignore", DB_NAME, f"{DB_NAME}-journal"])
def test_links_in_the_cache_dir_are_not_followed(target: Path, tmp_path: Path, name: str) -> None:
    """U5: `.gitignore` -> ~/.config/git/config was overwritten; `cache.sqlite` -> a missing
    outside path was created; a journal link would be written through."""
    cache_dir = target / ".backend-review-cache"
    cache_dir.mkdir()
    outside = tmp_path / "outside" / "config"
    outside.parent.mkdir()
    (cache_dir / name).symlink_to(outside)
    _reports_the_injection(target, cache_dir, tmp_path / "home")
    assert not outside.exists()
    assert not (cache_dir / name).is_symlink()


def test_a_linked_foreign_database_is_left_intact(target: Path, tmp_path: Path) -> None:
    """U5: `cache.sqlite` -> another program's database with an `entries` table: the old
    cache ran DELETE FROM entries on it."""
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE entries (k TEXT PRIMARY KEY, v TEXT)")
        db.execute("INSERT INTO entries VALUES ('customer', 'precious')")
    before = foreign.read_bytes()
    cache_dir = target / ".backend-review-cache"
    cache_dir.mkdir()
    (cache_dir / DB_NAME).symlink_to(foreign)
    _reports_the_injection(target, cache_dir, tmp_path / "home")
    assert foreign.read_bytes() == before
    hard = tmp_path / "hard"
    hard.mkdir()
    os.link(foreign, hard / DB_NAME)  # a hard link: same file, another name
    _reports_the_injection(target, hard, tmp_path / "home")
    assert foreign.read_bytes() == before


def test_a_foreign_database_in_our_directory_is_replaced_not_emptied(tmp_path: Path) -> None:
    path = tmp_path / "c" / DB_NAME
    path.parent.mkdir()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE entries (k TEXT PRIMARY KEY, v TEXT)")
        db.execute("INSERT INTO entries VALUES ('customer', 'precious')")
    moved = tmp_path / "kept.db"
    os.link(path, moved)  # keep a second name to see what happened to the old file
    os.unlink(path)
    os.link(moved, path)
    cache = Cache(path.parent)
    assert cache._db is not None
    cache.close()
    with sqlite3.connect(moved) as db:
        assert db.execute("SELECT v FROM entries").fetchall() == [("precious",)]


def test_a_locked_cache_is_not_deleted(tmp_path: Path) -> None:
    """U21: a lock held for longer than the timeout was taken for corruption and the live
    database unlinked; the holder's COMMIT then failed."""
    cache_dir = tmp_path / "c"
    first = Cache(cache_dir, secret=b"k" * 32)
    first.put_many({"a": 1})
    first.close()
    holder = sqlite3.connect(cache_dir / DB_NAME, timeout=0, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO entries VALUES ('held', '2')")
    try:
        second = Cache(cache_dir, secret=b"k" * 32)
        assert second.get_many(["a"]) == {}  # this run goes without
        second.close()
    finally:
        holder.commit()
        holder.close()
    third = Cache(cache_dir, secret=b"k" * 32)
    assert third.get_many(["a"]) == {"a": 1}
    assert third._db is not None
    assert third._db.execute("SELECT v FROM entries WHERE k = 'held'").fetchone() == ("2",)
    third.close()


def test_entries_are_keyed_by_the_machine_secret(tmp_path: Path) -> None:
    mine = Cache(tmp_path / "c", secret=b"a" * 32)
    mine.put_many({"k": (1, 2)})
    mine.close()
    assert Cache(tmp_path / "c", secret=b"b" * 32).get_many(["k"]) == {}
    assert Cache(tmp_path / "c", secret=b"a" * 32).get_many(["k"]) == {"k": (1, 2)}
    with sqlite3.connect(tmp_path / "c" / DB_NAME) as db:
        assert db.execute("SELECT k FROM entries").fetchall() != [("k",)]


def test_decoding_never_imports_main() -> None:
    """U23: `{"__e__": "reviewer.__main__:X"}` imported reviewer.__main__, which ran the CLI."""
    probe = (
        "import sys\nfrom reviewer import codec\n"
        'for text in [\'{"__e__": "reviewer.__main__:X", "v": 1}\','
        ' \'{"__d__": "reviewer.__main__:main", "a": []}\']:\n'
        "    try:\n        codec.loads(text)\n    except codec.CodecError:\n        pass\n"
        "    else:\n        raise SystemExit('decoded')\n"
        "print('reviewer.__main__' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert (result.returncode, result.stdout.strip()) == (0, "False"), result.stderr


def test_deep_values_are_a_miss_not_a_crash() -> None:
    """C5: a 200k-deep JSON value raised RecursionError on every run."""
    for text in ["[" * 200_000 + "]" * 200_000, '{"a":' * 200_000 + "1" + "}" * 200_000]:
        with pytest.raises(codec.CodecError):
            codec.loads(text)


def test_keys_of_non_utf8_file_names() -> None:
    """C3: a file name with bytes that are not UTF-8 raised UnicodeEncodeError in key_of."""
    name = os.fsdecode(b"bad\xff\xfename.py")
    assert key_of("p1", name) != key_of("p1", "badname.py")


def test_the_lock_test_really_holds_a_lock(tmp_path: Path) -> None:
    """Guard for test_a_locked_cache_is_not_deleted: the held lock blocks another writer."""
    Cache(tmp_path / "c", secret=b"k" * 32).close()
    holder = sqlite3.connect(tmp_path / "c" / DB_NAME, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(tmp_path / "c" / DB_NAME, timeout=0)
    with pytest.raises(sqlite3.OperationalError):
        other.execute("SELECT 1 FROM entries").fetchall()
    holder.rollback()
