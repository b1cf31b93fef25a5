"""Start-up: ``auditor scan`` parses its own command line and runs without typer,
rich, click, pandas or pydantic before the cache answers; what it accepts and
does is exactly what the typer command declares and does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor import scan_command
from auditor.cli import app
from conftest import EXAMPLE, ROOT

HEAVY = ("typer", "rich", "click", "pandas", "pydantic")


def _typer_scan_params():
    import typer.main

    command = typer.main.get_command(app)
    scan = command.commands["scan"]
    ctx = scan.make_context("scan", ["x"], resilient_parsing=True)
    return [p for p in scan.get_params(ctx) if p.name not in ("help",)]


def test_the_fast_parser_knows_exactly_the_typer_options() -> None:
    params = _typer_scan_params()
    declared: dict[str, tuple[str, bool, bool]] = {}
    for p in params:
        if p.param_type_name != "option":
            continue
        for opt in (*p.opts, *p.secondary_opts):
            declared[opt] = (p.name, bool(getattr(p, "is_flag", False)), bool(getattr(p, "multiple", False)))
    ours = {opt: (dest, kind == "flag", kind in ("strs", "paths")) for opt, (dest, kind) in scan_command.SCAN_OPTIONS.items()}
    assert ours == declared
    defaults = {p.name: p.default for p in params if p.param_type_name == "option"}
    assert {k: (list(v) if isinstance(v, tuple) else v) for k, v in defaults.items()} == scan_command.SCAN_DEFAULTS


@pytest.mark.parametrize("argv, ok", [
    (["a", "-f", "json", "--fail-on=high", "-q", "-j", "2", "--select", "x", "--select", "y"], True),
    (["--", "-odd-name.pdf"], True),
    (["-"], True),
    (["a", "--help"], False),
    (["a", "--jobs", "two"], False),
    (["a", "--bogus"], False),
    (["a", "--format"], False),
    (["-q"], False),  # no path: typer says so
])
def test_parse_scan_args(argv: list[str], ok: bool) -> None:
    parsed = scan_command.parse_scan_args(argv)
    assert (parsed is not None) == ok
    if parsed and argv[0] == "a":
        values, given = parsed
        assert values["paths"] == [Path("a")] and values["format"] == "json" and values["fail_on"] == "high"
        assert values["jobs"] == 2 and values["select"] == ["x", "y"] and values["quiet"] is True
        assert given == {"paths", "format", "fail_on", "quiet", "jobs", "select"}


def _entry(*args: str, entry: str = "auditor.entry") -> subprocess.CompletedProcess:
    code = ("import atexit, sys\n"
            f"heavy = {HEAVY!r}\n"
            "atexit.register(lambda: print('HEAVY=' + ','.join(sorted({m.split('.')[0] for m in sys.modules} & set(heavy))), file=sys.stderr))\n"
            f"sys.argv = ['auditor', *{list(args)!r}]\n"
            f"from {entry} import main\n"
            "main()\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_scan_imports_no_cli_framework_and_gives_the_typer_commands_output(tmp_path: Path) -> None:
    args = ("scan", str(EXAMPLE), "-f", "json", "-q", "--cache-dir", str(tmp_path), "--fail-on", "high")
    fast = _entry(*args)
    assert fast.returncode == 1, fast.stderr
    heavy = [line for line in fast.stderr.splitlines() if line.startswith("HEAVY=")]
    assert heavy == ["HEAVY="], fast.stderr  # json: nothing heavy at all
    slow = _entry(*args, entry="auditor.cli")
    assert slow.returncode == 1 and "typer" in slow.stderr
    assert fast.stdout == slow.stdout


def test_help_and_errors_still_come_from_typer() -> None:
    res = _entry("scan", "--help")
    assert res.returncode == 0 and "--fail-on" in res.stdout
    res = _entry("scan", str(EXAMPLE), "--jobs", "two")
    assert res.returncode == 2 and "Usage: auditor scan" in res.stderr and "Traceback" not in res.stderr
