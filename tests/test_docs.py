"""Keep the docs honest: the README's quick-start commands are the ones CI runs,
its example scan really produces what it shows, and every command has an example."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from auditor.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [line for b in blocks for line in b.splitlines() if line and not line.startswith("#")]


def test_readme_has_two_quick_start_commands_and_ci_runs_the_test_command() -> None:
    commands = _quick_start()
    setup, test = commands[0], commands[1]
    assert "venv" in setup and "auditor scan fixtures/cases/islamabad-safe-city" in setup
    assert "pytest" in test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci, "'.ci/run' must run the README's test command verbatim"


def test_readme_example_case_exists_and_shows_what_the_readme_promises() -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["scan", str(ROOT / "fixtures/cases/islamabad-safe-city"), "--no-cache", "--quiet", "--width", "160"])
    assert res.exit_code == 0
    for rule in ("inflated-cost-vs-loan", "court-found-irregularity", "missing-feasibility-study", "waived-tendering",
                 "vendor-not-named-in-financing"):
        assert rule in res.stdout and rule in README
    assert "short-bidding-period: no tender notice" in res.stdout
    res = runner.invoke(app, ["scan", str(ROOT / "fixtures/cases/clean-open-tender"), "--no-cache", "--quiet"])
    assert res.exit_code == 0 and "0 finding(s)" in res.stdout


def test_readme_lists_every_rule_and_exit_code() -> None:
    from auditor.ruleset.schema import builtin_rules_dir, load_rules

    rules, _ = load_rules([builtin_rules_dir()])
    for rule in rules:
        assert f"`{rule.id}`" in README
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |", "| 4 |"):
        assert code in README


def test_every_command_documents_an_example() -> None:
    runner = CliRunner()
    for cmd in (["scan"], ["facts"], ["rules", "list"], ["rules", "show"], ["rules", "validate"], ["rules", "test"],
                ["rules", "schema"]):
        res = runner.invoke(app, [*cmd, "--help"])
        assert res.exit_code == 0
        assert "Example: auditor" in res.stdout, cmd
