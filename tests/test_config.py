"""Config: file formats, CLI precedence, unknown keys, bad values named by file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.config import ConfigError, load
from reviewer.model import Severity


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = load(tmp_path)
    assert config.source == "defaults"
    assert config.select == () and config.analyzers["bandit"].enabled


def test_yaml_file_values(tmp_path: Path) -> None:
    write(
        tmp_path / ".backend-review.yml",
        """
select: [BR1, secrets]
ignore: BR102
per-path-ignores:
  "scripts/*": [BR802]
severity: {BR101: critical}
analyzers:
  semgrep: false
  bandit: {timeout: 30}
rules:
  BR402: {max-handlers-per-module: 12}
fail-under: 70
fail-on: high
auth-decorators: [myapp.auth.require_login]
""",
    )
    config = load(tmp_path)
    assert config.select == ("BR1", "secrets")
    assert config.ignore == ("BR102",)
    assert config.per_path_ignores == (("scripts/*", ("BR802",)),)
    assert dict(config.severity_overrides) == {"BR101": Severity.CRITICAL}
    assert not config.analyzers["semgrep"].enabled
    assert config.analyzers["bandit"].timeout == 30.0
    assert config.options_for("BR402") == {"max-handlers-per-module": 12}
    assert config.fail_under == 70.0 and config.fail_on is Severity.HIGH
    assert config.auth_decorators == ("myapp.auth.require_login",)


def test_pyproject_table_and_cli_overrides(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.backend-review]\nselect = ["BR1"]\nfail-under = 50\n',
    )
    config = load(tmp_path, {"fail-under": 90, "ignore": "BR101,BR102"})
    assert config.select == ("BR1",)
    assert config.fail_under == 90.0
    assert config.ignore == ("BR101", "BR102")
    assert str(tmp_path / "pyproject.toml") in config.source


def test_unknown_keys_are_errors_with_line_and_suggestion(tmp_path: Path) -> None:
    path = write(
        tmp_path / ".backend-review.yml",
        "selct: [BR1]\nanalyzers: {ruff: {tmeout: 3}}\nrules:\n  BR402: {max-handlers: 12}\n",
    )
    with pytest.raises(ConfigError) as info:
        load(tmp_path)
    lines = str(info.value).splitlines()
    assert lines == [
        f"{path}:1: `selct`: unknown key (did you mean `select`?)",
        f"{path}:2: `analyzers.ruff.tmeout`: unknown key (did you mean `timeout`?)",
        f"{path}:4: `rules.BR402.max-handlers`: unknown key (did you mean `max-handler-lines`?)",
    ]


def test_pyproject_problems_name_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.backend-review]\nselect = ["BR1"]\n'
        'fail_under = "high"\n\n[tool.backend-review.rules.BR402]\nmax-module-lines = "x"\n'
        "[tool.backend-review.analyzers]\nruff = {enabled = true, timeot = 3}\n",
    )
    with pytest.raises(ConfigError) as info:
        load(tmp_path)
    assert str(info.value).splitlines() == [
        f"{path}:6: `fail-under`: must be a number from 0 to 100 or null, not string 'high'",
        f"{path}:9: `rules.BR402.max-module-lines`: must be an integer, not string 'x'",
        f"{path}:11: `analyzers.ruff.timeot`: unknown key (did you mean `timeout`?)",
    ]


def test_rule_codes_under_rules_are_checked(tmp_path: Path) -> None:
    path = write(tmp_path / ".backend-review.yml", "rules:\n  BR40: {}\n  br402: {}\n")
    with pytest.raises(ConfigError, match=rf"{path}:2: `rules.BR40`: unknown key \(did you mean"):
        load(tmp_path)
    write(path, "rules:\n  br402: {max_module_lines: 3}\n")
    assert load(tmp_path).options_for("BR402") == {"max-module-lines": 3}


def test_config_is_found_up_to_the_repository_root_never_above(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    target = repo / "services" / "api"
    target.mkdir(parents=True)
    (repo / ".git").mkdir()
    above = write(tmp_path / ".backend-review.yml", "select: [BR1]\n")
    assert load(target).source == "defaults"  # above the repository: never read
    middle = write(repo / "services" / ".backend-review.yml", "select: [BR2]\n")
    assert load(target).source == str(middle) and load(target).select == ("BR2",)
    # a pyproject.toml without our table does not stop the walk; one with it does
    write(repo / "services" / "api" / "pyproject.toml", '[project]\nname = "api"\n')
    assert load(target).source == str(middle)
    middle.unlink()
    top = write(repo / "pyproject.toml", '[tool.backend-review]\nignore = ["BR3"]\n')
    assert load(target).source == str(top) and load(target).ignore == ("BR3",)
    # outside any repository only the target folder itself counts
    (repo / ".git").rmdir()
    assert load(target).source == "defaults"
    assert above.is_file()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("fail-under: 120\n", "fail-under"),
        ("fail-on: catastrophic\n", "fail-on"),
        ("analyzers: {pylint: true}\n", "analyzers.pylint"),
        ("analyzers: {ruff: {timeout: -1}}\n", "analyzers.ruff.timeout"),
        ("select: 3\n", "select"),
        ("severity: {BR101: huge}\n", "severity.BR101"),
        ("rules: {BR402: 5}\n", "rules.BR402"),
        ("- just\n- a list\n", "top level"),
        ("select: [\n", "YAML"),
    ],
)
def test_bad_values_name_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path / ".backend-review.yml", text)
    with pytest.raises(ConfigError) as info:
        load(tmp_path)
    assert str(path) in str(info.value)
    assert key in str(info.value)


BANDIT_ARGS = 'analyzers:\n  bandit: {args: ["-s", "B101", "-o", "/tmp/x.pth"]}\n'


@pytest.mark.parametrize("name", [".backend-review.yml", "sub/.backend-review.yml"])
def test_analyzer_args_from_inside_the_checkout_are_refused(tmp_path: Path, name: str) -> None:
    """U2: raw flags from the reviewed checkout could make bandit write a .pth file."""
    (tmp_path / ".git").mkdir()
    service = tmp_path / "svc"
    service.mkdir()
    found = service / ".backend-review.yml"
    write(found, BANDIT_ARGS)
    with pytest.raises(ConfigError, match=r"\.backend-review\.yml: `analyzers\.bandit\.args`"):
        load(service)
    # named explicitly, but still in the checkout (the Action's `config` input is relative to it)
    explicit = tmp_path / name
    explicit.parent.mkdir(exist_ok=True)
    write(explicit, BANDIT_ARGS)
    found.unlink()
    with pytest.raises(ConfigError, match=str(explicit)):
        load(service, config_file=explicit)
    # pyproject.toml of the target too
    write(service / "pyproject.toml", '[tool.backend-review.analyzers.ruff]\nargs = ["-o", "x"]\n')
    with pytest.raises(ConfigError, match=r"pyproject\.toml: `analyzers\.ruff\.args`"):
        load(service)


def test_analyzer_args_from_the_caller_still_work(tmp_path: Path) -> None:
    target = tmp_path / "target"
    (target / ".git").mkdir(parents=True)
    outside = tmp_path / "ci" / "review.yml"
    outside.parent.mkdir()
    write(outside, 'analyzers:\n  bandit: {timeout: 30, args: ["--skip", "B101"]}\n')
    config = load(target, config_file=outside)
    assert config.analyzers["bandit"].args == ("--skip", "B101")
    assert config.analyzers["bandit"].timeout == 30.0
    command_line = load(target, {"analyzers": {"ruff": {"args": ["--select", "S"]}}})
    assert command_line.analyzers["ruff"].args == ("--select", "S")
    # timeout and enabled stay allowed in the target's own file
    write(target / ".backend-review.yml", "analyzers:\n  bandit: {timeout: 30}\n  semgrep: false\n")
    assert load(target).analyzers["bandit"].timeout == 30.0
