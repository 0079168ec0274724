"""The pull request's own config and .gitignore cannot switch checks off without a word
(issue 11, U6): every hiding setting of a config inside the checkout is listed in the report
with the file that set it, and a tracked file a .gitignore skips is listed as not reviewed.

Real git repositories in tmp dirs, the real CLI in a subprocess.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from cli_runner import run_reviewer
from hostile_samples import VIEWS, git, review  # a real SQL injection (tests/ is on sys.path)

from reviewer.config import ConfigError, brief, load


@pytest.fixture()
def pr(tmp_path: Path) -> Path:
    root = tmp_path / "pr"
    (root / "app").mkdir(parents=True)
    (root / "app" / "views.py").write_text(VIEWS)
    git(root, "init", "-q")
    return root


@pytest.mark.parametrize(
    ("setting", "shown"),
    [
        ("select: [BR804]", "select: [BR804]"),
        ('exclude: ["*.py"]', "exclude: [*.py]"),
        ('per-path-ignores: {"**": [BR]}', "per-path-ignores: {**: [BR]}"),
        ("max-file-bytes: 1", "max-file-bytes: 1"),
        ("fail-under: 0", "fail-under: 0"),
    ],
)
def test_a_hiding_setting_in_the_checkouts_config_is_reported(
    pr: Path, setting: str, shown: str
) -> None:
    (pr / ".backend-review.yml").write_text(setting + "\n")
    git(pr, "add", "-A")
    git(pr, "commit", "-qm", "pr")
    doc = json.loads(review(pr, "-q", "-f", "json").stdout)
    assert doc["switched_off"] == [{"setting": shown, "file": ".backend-review.yml"}]
    terminal = review(pr).stdout
    assert "Switched off by the reviewed checkout (1)" in terminal
    assert f".backend-review.yml · {shown}" in terminal
    markdown = review(pr, "-q", "-f", "markdown").stdout
    assert "Switched off by the reviewed checkout (1)" in markdown


def test_a_config_outside_the_checkout_is_the_callers_choice(pr: Path, tmp_path: Path) -> None:
    outside = tmp_path / "ours.yml"
    outside.write_text("select: [BR804]\n")
    doc = json.loads(review(pr, "-q", "-f", "json", "--config", str(outside)).stdout)
    assert doc["switched_off"] == []
    (pr / "pyproject.toml").write_text('[tool.backend-review]\nignore = ["BR101"]\n')
    doc = json.loads(review(pr, "-q", "-f", "json").stdout)
    assert doc["switched_off"] == [{"setting": "ignore: [BR101]", "file": "pyproject.toml"}]


@pytest.mark.parametrize(
    ("ignore_file", "line"), [("app/.gitignore", "views.py"), (".gitignore", "app/")]
)
def test_a_tracked_file_a_gitignore_skips_is_listed(pr: Path, ignore_file: str, line: str) -> None:
    """`app/.gitignore` = `views.py` with views.py force-added gave 0 files and no word."""
    (pr / ignore_file).write_text(line + "\n")
    git(pr, "add", "-A")
    git(pr, "add", "-f", "app/views.py")
    git(pr, "commit", "-qm", "pr")
    (pr / "app" / "local.py").write_text("x = 1\n")  # untracked and ignored: not listed
    (pr / ".gitignore").open("a").write("app/local.py\n")
    doc = json.loads(review(pr, "-q", "-f", "json").stdout)
    assert {
        "path": "app/views.py",
        "reason": f"tracked by git but ignored by {ignore_file}",
    } in doc["not_reviewed"]
    assert not [e for e in doc["not_reviewed"] if e["path"] == "app/local.py"]


def test_an_unreadable_directory_is_listed(tmp_path: Path) -> None:
    """U19: os.walk dropped an unreadable directory silently."""
    if os.geteuid() == 0:
        pytest.skip("root reads every directory")
    root = tmp_path / "svc"
    (root / "locked").mkdir(parents=True)
    (root / "locked" / "views.py").write_text(VIEWS)
    (root / "locked").chmod(0)
    try:
        doc = json.loads(review(root, "-q", "-f", "json").stdout)
    finally:
        (root / "locked").chmod(0o755)
    assert [e["path"] for e in doc["not_reviewed"]] == ["locked"]


def test_brief_is_bounded_on_a_billion_laughs() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]")
    lines.append("rules: {BR101: {opt: *j}}")
    table = yaml.safe_load("\n".join(lines))
    text = brief(table["rules"])
    assert len(text) <= 100 and text.startswith("{BR101: {opt: [[[")


def test_load_records_switch_offs_only_for_the_checkouts_file(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "r.yml").write_text("rules: []\n")
    (root / ".backend-review.yml").write_text(
        "analyzers: {ruff: false}\nsemgrep-configs: [r.yml]\n"
    )
    assert load(root).switched_off == (("analyzers: {ruff: False}", ".backend-review.yml"),)
    assert load(root, {"select": ["BR1"]}).switched_off == load(root).switched_off


@pytest.mark.parametrize(
    "entry",
    ["http://127.0.0.1:{port}/r.yml", "p/python", "r/python.lang.security.audit", "auto"],
)
def test_remote_semgrep_configs_are_refused(pr: Path, entry: str) -> None:
    """U12: `semgrep-configs: ["http://127.0.0.1:8766/r.yml"]` was fetched and its rule run."""
    import http.server
    import threading

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"rules: []\n")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        value = entry.format(port=server.server_address[1])
        (pr / ".backend-review.yml").write_text(f'semgrep-configs: ["{value}"]\n')
        result = run_reviewer(str(pr), "-q", "--no-cache", cwd=pr.parent)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 2, result.stdout + result.stderr
    assert "remote config" in result.stderr and value in result.stderr
    assert ".backend-review.yml" in result.stderr and "Traceback" not in result.stderr
    assert hits == []


@pytest.mark.parametrize("entry", ["/", "../rules", "linked"])
def test_semgrep_configs_outside_the_checkout_are_refused(
    pr: Path, tmp_path: Path, entry: str
) -> None:
    """U12/C6: `/` hashed the whole disk for 43 s then crashed; `..` escaped the checkout."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yml").write_text("rules: []\n")
    (pr / "linked").symlink_to(tmp_path / "rules")
    (pr / ".backend-review.yml").write_text(f'semgrep-configs: ["{entry}"]\n')
    result = review(pr, "-q")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "outside the reviewed checkout" in result.stderr and repr(entry) in result.stderr


def test_semgrep_configs_inside_the_checkout_are_resolved_there(pr: Path, tmp_path: Path) -> None:
    (pr / "rules").mkdir()
    (pr / "rules" / "r.yml").write_text("rules: []\n")
    (pr / ".backend-review.yml").write_text("semgrep-configs: [rules, ./rules/r.yml]\n")
    config = load(pr)
    assert config.semgrep_configs == (str(pr / "rules"), str(pr / "rules" / "r.yml"))
    outside = tmp_path / "ours.yml"  # the caller's own config: local paths as given
    outside.write_text(f'semgrep-configs: ["{tmp_path}"]\n')
    assert load(pr, config_file=outside).semgrep_configs == (str(tmp_path),)
    outside.write_text('semgrep-configs: ["https://semgrep.dev/c/p/python"]\n')
    with pytest.raises(ConfigError, match="remote config"):
        load(pr, config_file=outside)


def _bomb(levels: int) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    lines.append(f"rules: {{BR101: {{opt: *{chr(96 + levels)}}}}}")
    return "\n".join(lines) + "\n"


def test_a_yaml_bomb_is_a_config_error_at_once(pr: Path) -> None:
    """U14: nine levels of aliases in `rules:` cost 74 s and 1.5 GB; ten, MemoryError. The
    loader refuses aliases before expanding any (the message says so), so no clock is needed."""
    (pr / ".backend-review.yml").write_text(_bomb(10))
    result = review(pr, "-q")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "aliases" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "text",
    ["rules: " + "[" * 5000 + "]" * 5000 + "\n", "exclude: " + "{a: " * 5000 + "1" + "}" * 5000],
)
def test_deep_yaml_is_a_config_error(pr: Path, text: str) -> None:
    """C7: depth 5000 gave a RecursionError traceback, rc 1 (the failed-gate code)."""
    (pr / ".backend-review.yml").write_text(text)
    result = review(pr, "-q")
    assert result.returncode == 2 and "nested too deeply" in result.stderr
    assert "Traceback" not in result.stderr


def test_deep_toml_is_a_config_error(pr: Path) -> None:
    """C7: 100k-deep [tool.poetry] in pyproject.toml crashed every review."""
    (pr / "pyproject.toml").write_text("[tool.poetry]\nx = " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = review(pr, "-q")
    assert result.returncode == 2 and "nested too deeply" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("text", ["tool = 1\n", 'tool = "backend-review"\n', "tool = [1]\n"])
def test_a_pyproject_whose_tool_key_is_no_table_has_no_config(pr: Path, text: str) -> None:
    """`tool = 1` in a pull request's pyproject.toml crashed the review (exit 3,
    AttributeError); it is valid TOML with no `[tool.backend-review]`, so the defaults hold."""
    (pr / "pyproject.toml").write_text(text)
    result = review(pr, "-q")
    assert result.returncode == 0, result.stderr
    assert "no gate set" in result.stdout and "2 high" in result.stdout  # the sample's findings


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_a_timeout_must_be_finite(pr: Path, value: str) -> None:
    """U17: `.nan` timed ruff and semgrep out at once (their checks silently off); `.inf`
    removed the timeout."""
    (pr / ".backend-review.yml").write_text(f"analyzers: {{ruff: {{timeout: {value}}}}}\n")
    result = review(pr, "-q")
    assert result.returncode == 2 and "analyzers.ruff.timeout" in result.stderr


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ('{BR201: {min-length: "abc"}}', ":1: `rules.BR201.min-length`: must be an integer"),
        ("{BR401: {max-db-calls: null}}", ":1: `rules.BR401.max-db-calls`: must be an integer"),
        ("{BR401: {max-db-calls: true}}", ":1: `rules.BR401.max-db-calls`: must be an integer"),
        (
            "{BR201: {entropy-threshold: .nan}}",
            ": `rules.BR201.entropy-threshold` must be a finite",
        ),
        (
            "{BR201: {entropy-threshold: [1]}}",
            ":1: `rules.BR201.entropy-threshold`: must be a number",
        ),
    ],
)
def test_a_rule_option_of_the_wrong_type_is_a_config_error(
    pr: Path, rules: str, message: str
) -> None:
    """U18: `min-length: "abc"` made BR201 crash on every file (BR902 info): the rule was off."""
    (pr / ".backend-review.yml").write_text(f"rules: {rules}\n")
    result = review(pr, "-q")
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"config error: {pr / '.backend-review.yml'}{message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_rule_options_of_the_right_type_are_used(pr: Path) -> None:
    (pr / ".backend-review.yml").write_text(
        "rules: {BR201: {min-length: 20, entropy-threshold: 4}, BR401: {max-db-calls: 0}}\n"
    )
    result = review(pr, "-q", "-f", "json")
    assert result.returncode == 0, result.stderr
    assert not [f for f in json.loads(result.stdout)["findings"] if f["code"] == "BR902"]
