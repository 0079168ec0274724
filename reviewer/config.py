"""Read `.backend-review.yml` or `[tool.backend-review]` into one frozen Config.

The file is found from the target up to its repository root (the folder holding .git), never
above it. File values come first, CLI overrides replace them. Every file is checked against the
published schema (config_schema, config_check): an unknown key or a wrong type is a ConfigError
naming the file, line and key, so a typo never silently changes nothing.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import yaml

from reviewer.config_check import key_line, normalized, problems
from reviewer.config_schema import published_schema
from reviewer.model import Severity

if TYPE_CHECKING:
    from reviewer.base_tree import BaseTree

CONFIG_FILES = (".backend-review.yml", ".backend-review.yaml")
ANALYZERS = ("bandit", "ruff", "semgrep")
DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "env",
    ".env",
    ".tox",
    ".nox",
    "node_modules",
    "build",
    "dist",
    "site-packages",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".backend-review-cache",
    "migrations",
    "*.egg-info",
)


class ConfigError(Exception):
    """A configuration value that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class AnalyzerConfig:
    enabled: bool = True
    args: tuple[str, ...] = ()
    timeout: float = 300.0


@dataclass(frozen=True)
class Config:
    root: Path
    source: str = "defaults"  # where the file values came from
    select: tuple[str, ...] = ()  # codes, code prefixes or checklist items; empty means all
    ignore: tuple[str, ...] = ()
    per_path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (glob, selectors)
    exclude: tuple[str, ...] = ()  # globs, added to DEFAULT_EXCLUDES
    use_default_excludes: bool = True
    severity_overrides: tuple[tuple[str, Severity], ...] = ()  # (code, severity)
    analyzers: Mapping[str, AnalyzerConfig] = field(
        default_factory=lambda: {name: AnalyzerConfig() for name in ANALYZERS}
    )
    semgrep_configs: tuple[str, ...] = ()
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    auth_decorators: tuple[str, ...] = ()
    auth_dependencies: tuple[str, ...] = ()
    public_routes: tuple[str, ...] = ()
    rate_limit_decorators: tuple[str, ...] = ()
    fail_under: float | None = None
    fail_on: Severity | None = None
    max_file_bytes: int = 2_000_000
    file_time_limit: float = 60.0  # seconds of native analysis per file; then BR901, not a hang
    warnings: tuple[str, ...] = ()
    # (setting, file): what a config file inside the reviewed checkout set that can hide a
    # finding or loosen the gate; the report shows each one (issue 11, U6)
    switched_off: tuple[tuple[str, str], ...] = ()
    # in a pull-request run, the base commit's .gitignore files (folder relative to root,
    # lines) that discovery applies instead of the checkout's; None: the checkout's own
    ignore_files: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    # (dotted key, "file:line") of the file's selector keys; the command line's are absent
    origins: tuple[tuple[str, str], ...] = ()

    def origin(self, key: str) -> str:
        """Where `key` (select, severity.BR101...) was set: "file:line" or "command line"."""
        return dict(self.origins).get(key) or dict(self.origins).get(
            key.partition(".")[0], "command line"
        )

    def options_for(self, code: str) -> Mapping[str, Any]:
        return self.rule_options.get(code, {})


_LIST_KEYS = {
    "select": "select",
    "ignore": "ignore",
    "exclude": "exclude",
    "semgrep-configs": "semgrep_configs",
    "auth-decorators": "auth_decorators",
    "auth-dependencies": "auth_dependencies",
    "public-routes": "public_routes",
    "rate-limit-decorators": "rate_limit_decorators",
}
_KNOWN_KEYS = set(_LIST_KEYS) | {
    "per-path-ignores",
    "severity",
    "analyzers",
    "rules",
    "fail-under",
    "fail-on",
    "max-file-bytes",
    "file-time-limit",
    "default-excludes",
}
_ANALYZER_KEYS = {"enabled", "args", "timeout"}


def _load_yaml(text: str) -> Any:
    """yaml.safe_load, refusing aliases first: a config never needs `*anchor`, and nine levels
    of them (413 bytes, a billion laughs) cost minutes and gigabytes (issue 11, U14). Nesting
    too deep for the parser is a YAMLError, not a RecursionError (C7)."""
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                where = f"line {mark.line + 1}" if mark is not None else "somewhere"
                raise yaml.YAMLError(f"aliases (*{event.anchor}, {where}) are not accepted")
        return yaml.safe_load(text)
    except RecursionError:
        raise yaml.YAMLError("nested too deeply") from None


def _load_toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError("nested too deeply") from None


class Found(NamedTuple):
    """A config file read: its path, its table (checked), the text and how to find lines."""

    path: Path
    table: dict[str, Any]
    text: str
    kind: str  # "yaml", "pyproject" (the [tool.backend-review] table) or "toml" (whole file)


def find_config_file(root: Path) -> Found | None:
    """The config file for the target folder `root`, or None."""
    return _discover(root, _read_text)


def _read_text(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _discover(folder: Path, read: Any) -> Found | None:
    """The first config file from `folder` up to its repository root (the folder holding
    .git), like ruff's discovery; never above the repository, and only `folder` itself when it
    is in no repository (a file above it could belong to anyone)."""
    folder = folder.resolve()
    chain = [folder]
    top = next((d for d in (folder, *folder.parents) if (d / ".git").exists()), None)
    if top is not None:
        chain = [d for d in (folder, *folder.parents) if d.is_relative_to(top)]
    for directory in chain:
        found = _find_in(directory, read)
        if found is not None:
            return found
    return None


def _find_in(root: Path, read: Any) -> Found | None:
    """The config file `read` (path -> text or None) finds in the folder `root`."""
    for name in CONFIG_FILES:
        path = root / name
        try:
            text = read(path)
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from None
        if text is not None:
            return _checked(path, _yaml_table(text, path), text, "yaml")
    pyproject = root / "pyproject.toml"
    try:
        text = read(pyproject)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{pyproject}: not valid TOML: {exc}") from None
    if text is not None:
        table = _tool_table(_parsed_toml(text, pyproject))
        if table is not None:
            return _checked(pyproject, table, text, "pyproject")
    return None


def _toml_found(path: Path, text: str, where: str) -> Found:
    data = _parsed_toml(text, where)
    table = _tool_table(data)
    if table is not None:
        return _checked(path, table, text, "pyproject")
    return _checked(path, data, text, "toml")


def _parsed_toml(text: str, where: object) -> dict[str, Any]:
    try:
        return _load_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None


def _tool_table(data: dict[str, Any]) -> dict[str, Any] | None:
    """The `[tool.backend-review]` table of a pyproject.toml, if it has one (a `tool` key that
    is not a table, as in `tool = 1`, has none)."""
    tool = data.get("tool")
    table = tool.get("backend-review") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else None


def _checked(path: Path, table: dict[str, Any], text: str, kind: str) -> Found:
    """The table, refused with every problem the published schema finds in it."""
    found = problems(normalized(table), published_schema(), str(path), text, kind)
    if found:
        raise ConfigError("\n".join(found))
    return Found(path, table, text, kind)


def origins(found: Found) -> tuple[tuple[str, str], ...]:
    """Where the selector keys are written ("file:line"), for errors found later (an unknown
    rule code is only known once the rules are)."""
    out: list[tuple[str, str]] = []
    for key, value in normalized(found.table).items():
        paths = [[key]]
        if key in {"severity", "per-path-ignores"} and isinstance(value, dict):
            paths += [[key, str(k)] for k in value]
        for path in paths:
            line = key_line(found.text, found.kind, path)
            out.append((".".join(path), f"{found.path}:{line}" if line else str(found.path)))
    return tuple(out)


def _yaml_table(text: str, path: Path) -> dict[str, Any]:
    try:
        data = _load_yaml(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    return data


def load(
    root: Path,
    overrides: Mapping[str, Any] | None = None,
    config_file: Path | None = None,
    base: BaseTree | None = None,
) -> Config:
    """Build the Config for `root`: defaults, then the file, then CLI `overrides` (same keys).

    With `base` (a pull-request run), a config file inside the checkout and the .gitignore
    files are read from the base commit; what the checkout changed in them is listed in
    `switched_off` as not applied (issue 11, U6).
    """
    root = root.resolve()
    folder = root if root.is_dir() else root.parent
    found = _read_explicit(config_file) if config_file is not None else find_config_file(folder)
    not_applied: tuple[tuple[str, str], ...] = ()
    ignore_files = None
    label = ""
    if base is not None:
        ignore_files = base.ignore_files()
        not_applied = tuple(
            (f"not applied, changed since the {base.label}: {IGNORE_NOTE}", name)
            for name in base.changed_ignore_files()
        )
        if found is None or inside_checkout(found[0], root):
            head = found
            found = _base_config(base, folder, config_file)
            not_applied = _changed_settings(head, found, base, root) + not_applied
            label = f" ({base.label})"
    config = Config(root=root, ignore_files=ignore_files)
    if found is not None:
        path, table = found.path, found.table
        inside = inside_checkout(path, root)
        if inside:
            _refuse_raw_analyzer_flags(table, path)
        config = _apply(config, table, str(path) + label)
        semgrep = _checked_semgrep_configs(config.semgrep_configs, path, root, inside)
        config = replace(
            config,
            source=str(path) + label,
            semgrep_configs=semgrep,
            origins=tuple((k, w + label) for k, w in origins(found)),
        )
        if inside:
            shown = tuple((s, f + label) for s, f in _switch_offs(table, path, root))
            config = replace(config, switched_off=shown)
    config = replace(config, switched_off=config.switched_off + not_applied)
    if overrides:
        config = _apply(config, dict(overrides), "command line")
    return config


IGNORE_NOTE = "the base commit's ignore rules are used"


def _base_config(base: BaseTree, folder: Path, config_file: Path | None) -> Found | None:
    """The config file at the base commit: `config_file` there, or the first one found."""

    def read(path: Path) -> str | None:
        data = base.read(path)
        return None if data is None else data.decode("utf-8")

    if config_file is None:
        return _discover(folder, read)
    text = read(config_file)
    if text is None:
        return None
    if config_file.suffix == ".toml":
        return _toml_found(config_file, text, f"{config_file} ({base.label})")
    return _checked(config_file, _yaml_table(text, config_file), text, "yaml")


def _changed_settings(
    head: Found | None,
    base: Found | None,
    tree: BaseTree,
    root: Path,
) -> tuple[tuple[str, str], ...]:
    """Each setting the checkout's config file has that differs from the base commit's, as a
    (setting, file) entry saying it is not applied."""
    prefix = f"not applied, changed since the {tree.label}"
    if head is None:
        if base is None:
            return ()
        return ((f"{prefix}: the checkout removes this config file", shown_path(base[0], root)),)
    path, table = head.path, head.table
    shown = shown_path(path, root)
    before = {str(k).replace("_", "-"): v for k, v in (base[1] if base else {}).items()}
    after = {str(k).replace("_", "-"): v for k, v in table.items()}
    changed = []
    for key in sorted(set(before) | set(after)):
        if key not in after:
            changed.append((f"{prefix}: {key} removed", shown))
        elif key not in before or before[key] != after[key]:
            changed.append((f"{prefix}: {key}: {brief(after[key])}", shown))
    return tuple(changed)


def inside_checkout(path: Path, root: Path) -> bool:
    """Whether `path` is in the reviewed tree: `root`, or the git checkout that holds it.

    Everything there is written by whoever opened the pull request.
    """
    return path.resolve().is_relative_to(_checkout_of(root))


# The keys whose value, written by whoever opened the pull request, can hide a finding, skip a
# file or an analyzer, or loosen the gate. `semgrep-configs` only adds rules.
_HIDING_KEYS = _KNOWN_KEYS - {"semgrep-configs"}


def _switch_offs(table: Mapping[str, Any], path: Path, root: Path) -> tuple[tuple[str, str], ...]:
    """Each hiding setting of a config file inside the checkout, as (setting, file)."""
    shown = shown_path(path, root)
    found = []
    for key, value in table.items():
        norm = str(key).replace("_", "-")
        if norm in _HIDING_KEYS:
            found.append((f"{norm}: {brief(value)}", shown))
    return tuple(found)


def shown_path(path: Path, root: Path) -> str:
    """`path` relative to the checkout that holds `root` (as given when outside it)."""
    checkout = _checkout_of(root)
    resolved = path.resolve()
    return (
        resolved.relative_to(checkout).as_posix()
        if resolved.is_relative_to(checkout)
        else str(path)
    )


def brief(value: Any, limit: int = 100) -> str:
    """A short one-line rendering of a YAML/TOML value, bounded however large or aliased the
    value is (a billion-laughs table costs `limit` characters, not gigabytes)."""
    out: list[str] = []
    size = 0

    def put(text: str) -> bool:
        nonlocal size
        out.append(text)
        size += len(text)
        return size < limit

    def walk(item: Any, depth: int) -> bool:
        if depth > 20:
            return put("…")
        if isinstance(item, dict):
            if not put("{"):
                return False
            for i, (k, v) in enumerate(item.items()):
                if (i and not put(", ")) or not put(f"{k}: ") or not walk(v, depth + 1):
                    return False
            return put("}")
        if isinstance(item, list | tuple):
            if not put("["):
                return False
            for i, v in enumerate(item):
                if (i and not put(", ")) or not walk(v, depth + 1):
                    return False
            return put("]")
        return put(" ".join(str(item).split())[:limit])

    walk(value, 0)
    text = "".join(out)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# What semgrep resolves over the network: URLs, `auto`, registry rulesets/rules/snippets
# (semgrep.dev/docs/running-rules: `--config p/python`, `r/<rule id>`, `s/<snippet>`).
_REMOTE_SEMGREP = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|auto$|[prs]/)")


def _checked_semgrep_configs(
    configs: tuple[str, ...], path: Path, root: Path, inside: bool
) -> tuple[str, ...]:
    """Only local rule files (issue 11, U12). semgrep fetches a URL or a registry name (`p/…`,
    `r/…`, `auto`) from the network and runs the rules it gets, so none is accepted. A config
    inside the checkout may only name rule files inside the checkout (made absolute): a path
    outside it, or a link out of it, would run or hash whatever the pull request's author
    points at (`/`, `/sys`). A config the caller names outside the checkout is trusted with
    local paths, relative to the working directory as before."""
    checkout = _checkout_of(root)
    checked = []
    for entry in configs:
        where = f"{path}: `semgrep-configs` entry {entry!r}"
        if _REMOTE_SEMGREP.match(entry):
            raise ConfigError(
                f"{where} is a remote config (a URL or a semgrep registry name): remote rules "
                "are never fetched; vendor the rule files and name their path (./p/… for a "
                "local folder named like a registry prefix)"
            )
        if not inside:
            checked.append(entry)
            continue
        local = Path(entry) if Path(entry).is_absolute() else root / entry
        try:
            resolved = local.resolve(strict=True)
        except (OSError, RuntimeError):
            raise ConfigError(f"{where} does not exist in the reviewed checkout") from None
        if not resolved.is_relative_to(checkout):
            raise ConfigError(
                f"{where} is outside the reviewed checkout: a config inside the checkout may "
                "only name rule files inside it"
            )
        checked.append(str(resolved))
    return tuple(checked)


def _checkout_of(root: Path) -> Path:
    return next((d for d in (root, *root.parents) if (d / ".git").exists()), root)


def _refuse_raw_analyzer_flags(table: Mapping[str, Any], path: Path) -> None:
    """Raw bandit/ruff/semgrep flags can write files and run code (`-o`, `--msg-template`):
    they come only from the command line or a config file outside the reviewed checkout."""
    analyzers = table.get("analyzers")
    if not isinstance(analyzers, dict):
        return
    for name, settings in analyzers.items():
        if isinstance(settings, dict) and settings.get("args"):
            raise ConfigError(
                f"{path}: `analyzers.{name}.args` is not accepted from a config file inside the "
                "reviewed checkout (raw analyzer flags could write files or run code); pass a "
                "config file outside it with --config"
            )


def _read_explicit(path: Path) -> Found:
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        kind = "TOML" if path.suffix == ".toml" else "YAML"
        raise ConfigError(f"{path}: not valid {kind}: {exc}") from None
    if path.suffix == ".toml":
        return _toml_found(path, text, str(path))
    return _checked(path, _yaml_table(text, path), text, "yaml")


def _str_list(value: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where}: `{key}` must be a list of strings")


def _apply(config: Config, table: Mapping[str, Any], where: str) -> Config:
    changes: dict[str, Any] = {}
    warnings = list(config.warnings)
    for key, value in table.items():
        norm = str(key).replace("_", "-")
        if norm not in _KNOWN_KEYS:
            warnings.append(f"{where}: unknown key `{key}` ignored")
            continue
        if norm in _LIST_KEYS:
            changes[_LIST_KEYS[norm]] = _str_list(value, where, norm)
            if norm == "exclude":
                _check_patterns(changes["exclude"], where)
        elif norm == "per-path-ignores":
            changes["per_path_ignores"] = _per_path(value, where)
        elif norm == "severity":
            changes["severity_overrides"] = _severities(value, where)
        elif norm == "analyzers":
            changes["analyzers"] = _analyzers(config.analyzers, value, where, warnings)
        elif norm == "rules":
            changes["rule_options"] = _rule_options(config.rule_options, value, where)
        elif norm == "fail-under":
            if value is not None and (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 <= value <= 100
            ):
                raise ConfigError(f"{where}: `fail-under` must be a number from 0 to 100")
            changes["fail_under"] = None if value is None else float(value)
        elif norm == "fail-on":
            changes["fail_on"] = None if value is None else _severity(value, where, "fail-on")
        elif norm == "max-file-bytes":
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ConfigError(f"{where}: `max-file-bytes` must be a positive integer")
            changes["max_file_bytes"] = value
        elif norm == "file-time-limit":
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 < value <= 3600
            ):
                raise ConfigError(
                    f"{where}: `file-time-limit` must be a number of seconds from 0 to 3600"
                )
            changes["file_time_limit"] = float(value)
        elif norm == "default-excludes":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: `default-excludes` must be true or false")
            changes["use_default_excludes"] = value
    changes["warnings"] = tuple(warnings)
    return replace(config, **changes)


def _check_patterns(patterns: tuple[str, ...], where: str, key: str = "exclude") -> None:
    """`exclude` and `per-path-ignores` globs are matched by a backtracking engine: refuse the ones that could take
    hours on a crafted file name (issue 11, U13; reviewer/patterns.py)."""
    from reviewer.patterns import refusal, too_complex

    for pattern in patterns:
        reason = too_complex(pattern)
        if reason:
            raise ConfigError(f"{where}: `{key}`: {refusal(pattern, reason)}")


def _severity(value: Any, where: str, key: str) -> Severity:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: `{key}` must be a severity name")
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: `{key}`: {exc}") from None


def _per_path(value: Any, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `per-path-ignores` must map globs to lists of codes")
    result = tuple(
        (str(glob), _str_list(codes, where, f"per-path-ignores.{glob}"))
        for glob, codes in value.items()
    )
    _check_patterns(tuple(glob for glob, _ in result), where, "per-path-ignores")
    return result


def _severities(value: Any, where: str) -> tuple[tuple[str, Severity], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `severity` must map rule codes to severities")
    return tuple(
        (str(code).upper(), _severity(sev, where, f"severity.{code}"))
        for code, sev in value.items()
    )


def _analyzers(
    current: Mapping[str, AnalyzerConfig], value: Any, where: str, warnings: list[str]
) -> dict[str, AnalyzerConfig]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `analyzers` must be a mapping of analyzer names")
    result = dict(current)
    for name, settings in value.items():
        if name not in ANALYZERS:
            raise ConfigError(
                f"{where}: `analyzers.{name}`: unknown analyzer (choose from {', '.join(ANALYZERS)})"
            )
        if isinstance(settings, bool):
            result[name] = replace(result[name], enabled=settings)
            continue
        if not isinstance(settings, dict):
            raise ConfigError(f"{where}: `analyzers.{name}` must be true/false or a mapping")
        cfg = result[name]
        for key, item in settings.items():
            if key not in _ANALYZER_KEYS:
                warnings.append(f"{where}: unknown key `analyzers.{name}.{key}` ignored")
            elif key == "enabled":
                if not isinstance(item, bool):
                    raise ConfigError(f"{where}: `analyzers.{name}.enabled` must be true or false")
                cfg = replace(cfg, enabled=item)
            elif key == "args":
                cfg = replace(cfg, args=_str_list(item, where, f"analyzers.{name}.args"))
            elif key == "timeout":
                # .nan timed every analyzer out at once, .inf never (U17)
                if (
                    isinstance(item, bool)
                    or not isinstance(item, int | float)
                    or not math.isfinite(item)
                    or item <= 0
                ):
                    raise ConfigError(
                        f"{where}: `analyzers.{name}.timeout` must be a positive number of seconds"
                    )
                cfg = replace(cfg, timeout=float(item))
        result[name] = cfg
    return result


def _rule_options(
    current: Mapping[str, Mapping[str, Any]], value: Any, where: str
) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `rules` must map rule codes to option tables")
    result = {code: dict(opts) for code, opts in current.items()}
    for code, options in value.items():
        if not isinstance(options, dict):
            raise ConfigError(f"{where}: `rules.{code}` must be a mapping of options")
        result.setdefault(str(code).upper(), {}).update(
            {str(k).replace("_", "-"): v for k, v in options.items()}
        )
    return result
