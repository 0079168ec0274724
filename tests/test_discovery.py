"""Discovery: gitignore, default and configured excludes, hostile trees."""

from __future__ import annotations

import os
from pathlib import Path

from reviewer.config import Config
from reviewer.discovery import find_sources


def make(root: Path, rel: str, text: str = "x = 1\n") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def relpaths(root: Path, config: Config | None = None) -> list[str]:
    return [f.relpath for f in find_sources(root, config or Config(root=root)).files]


def test_finds_python_files_and_skips_default_excludes(tmp_path: Path) -> None:
    for rel in [
        "app/main.py",
        "app/models.py",
        "app/migrations/0001_initial.py",
        ".venv/lib/site.py",
        "venv/x.py",
        "node_modules/pkg/a.py",
        "build/lib/a.py",
        "README.md",
    ]:
        make(tmp_path, rel)
    assert relpaths(tmp_path) == ["app/main.py", "app/models.py"]


def test_alembic_environments_are_migrations_whatever_their_name(tmp_path: Path) -> None:
    for rel in [
        "app/db/revisions/tenant/env.py",
        "app/db/revisions/tenant/versions/2021_abc.py",
        "app/db/revisions/core/env.py",
        "app/db/revisions/core/versions/2022_def.py",
        "app/importers/versions/v1.py",  # merely named like one: reviewed
        "app/importers/env.py",  # an env.py without Alembic's template beside it: reviewed
        "app/db/revisions/__init__.py",
    ]:
        make(tmp_path, rel)
    for env in ("tenant", "core"):
        make(tmp_path, f"app/db/revisions/{env}/script.py.mako", "${upgrades}\n")
    assert relpaths(tmp_path) == [
        "app/db/revisions/__init__.py",
        "app/importers/env.py",
        "app/importers/versions/v1.py",
    ]
    # with the default excludes switched off, they are reviewed like everything else
    everything = relpaths(tmp_path, Config(root=tmp_path, use_default_excludes=False))
    assert "app/db/revisions/tenant/versions/2021_abc.py" in everything


def test_gitignore_nested_and_config_excludes(tmp_path: Path) -> None:
    make(tmp_path, ".gitignore", "generated/\n*_pb2.py\n")
    make(tmp_path, "svc/.gitignore", "local_settings.py\n")
    for rel in [
        "svc/app.py",
        "svc/local_settings.py",
        "generated/x.py",
        "api/a_pb2.py",
        "scripts/tool.py",
        "other/local_settings.py",
    ]:
        make(tmp_path, rel)
    config = Config(root=tmp_path, exclude=("scripts/",))
    assert relpaths(tmp_path, config) == ["other/local_settings.py", "svc/app.py"]


def test_symlink_loops_and_escapes_are_listed_not_followed(tmp_path: Path) -> None:
    make(tmp_path, "app.py")
    os.symlink("loop_b.py", tmp_path / "loop_a.py")
    os.symlink("loop_a.py", tmp_path / "loop_b.py")
    os.symlink(tmp_path, tmp_path / "self_dir")
    outside = tmp_path.parent / (tmp_path.name + "_outside.py")
    outside.write_text("x = 1\n")
    os.symlink(outside, tmp_path / "escape.py")
    found = find_sources(tmp_path, Config(root=tmp_path))
    assert [f.relpath for f in found.files] == ["app.py"]
    reasons = dict(found.not_reviewed)
    assert "loop" in reasons["loop_a.py"] and "loop" in reasons["loop_b.py"]
    assert "outside" in reasons["escape.py"]
    assert "not followed" in reasons["self_dir"]


def test_large_files_are_listed(tmp_path: Path) -> None:
    make(tmp_path, "big.py", "x = 1\n" * 100)
    found = find_sources(tmp_path, Config(root=tmp_path, max_file_bytes=50))
    assert found.files == ()
    assert "max-file-bytes" in dict(found.not_reviewed)["big.py"]


def test_single_file_target(tmp_path: Path) -> None:
    make(tmp_path, "pkg/app.py")
    found = find_sources(tmp_path / "pkg" / "app.py", Config(root=tmp_path))
    assert [f.relpath for f in found.files] == ["pkg/app.py"]
