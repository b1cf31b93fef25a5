"""The terminal table at any width: columns when there is room, one block per
finding below 100 columns, file names never cut, quotes cut around the words
that make the finding, and the terminal's wishes (COLUMNS, --width, NO_COLOR,
FORCE_COLOR) honoured on a terminal and when piped."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.report import Format, RenderOptions, render
from auditor.report.table import case_relative, fill_items, split_path
from auditor.report.terminal import table_width, use_color

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "fixtures" / "cases"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
LONG_NAME = "letter-of-award-issued-by-the-ministry-of-interior-to-the-vendor.pdf"


def _scan(*paths: Path):
    from auditor.options import OcrMode, ScanOptions
    from auditor.pipeline import run_scan
    from auditor.ruleset.schema import builtin_rules_dir, load_rules

    rules, _ = load_rules([builtin_rules_dir()])
    return run_scan(list(paths), ScanOptions(ocr=OcrMode.OFF, jobs=1, use_cache=False), rules)


@pytest.fixture(scope="module")
def safe_city():
    if not (CASES / "islamabad-safe-city").is_dir():
        pytest.skip("fixtures not generated (python fixtures/make_fixtures.py)")
    return _scan(CASES / "islamabad-safe-city")


@pytest.fixture(scope="module")
def long_named(tmp_path_factory):
    """The Safe City case with one document renamed to a very long file name."""
    root = tmp_path_factory.mktemp("long") / "islamabad-safe-city"
    shutil.copytree(CASES / "islamabad-safe-city", root)
    (root / "letter-of-award.pdf").rename(root / LONG_NAME)
    return _scan(root)


def _words(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize("width", [80, 90, 99, 100, 120, 160, 200])
def test_every_line_fits_and_every_message_is_whole(safe_city, width):
    out = render(safe_city, Format.TABLE, RenderOptions(width=width))
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= width
    # no column so narrow that it shows ellipses or single letters
    assert not any(line.strip() == "…" for line in lines)
    flat = " ".join(out.split())
    for f in safe_city.iter_findings():
        assert " ".join(_words(f.message)) in flat or width >= 100  # stacked: the message reads as one text
        assert f.rule_id in out


@pytest.mark.parametrize("width", [80, 99])
def test_narrow_terminals_stack_the_columns(safe_city, width):
    out = render(safe_city, Format.TABLE, RenderOptions(width=width))
    assert "Severity" not in out and "Message" not in out  # no column headers: blocks
    flat = " ".join(out.split())
    for f in safe_city.iter_findings():
        assert " ".join(f.message.split()) in flat
    assert len(out.splitlines()) < 120  # 8 findings, not 337 lines of "…"


def test_wide_terminals_keep_columns(safe_city):
    out = render(safe_city, Format.TABLE, RenderOptions(width=160))
    assert re.search(r"Severity\s+Rule\s+Message\s+Where", out)


@pytest.mark.parametrize("width", [80, 100, 140, 200])
def test_file_names_are_never_cut(long_named, width):
    out = render(long_named, Format.TABLE, RenderOptions(width=width))
    assert LONG_NAME in out  # whole, on one line
    # and named inside the case, not by the scanned root's path
    assert "islamabad-safe-city/" + LONG_NAME not in out.replace("(islamabad-safe-city/", "(")


def test_case_relative_paths():
    assert case_relative("a/b/judgment.pdf", "a/b") == "judgment.pdf"
    assert case_relative("judgment.pdf", ".") == "judgment.pdf"
    assert case_relative("other/judgment.pdf", "a") == "other/judgment.pdf"


def test_paths_wrap_only_at_separators():
    assert split_path("annexes/2019/judgment.pdf:3", 16) == ["annexes/2019/", "judgment.pdf:3"]
    assert split_path("judgment.pdf:3", 40) == ["judgment.pdf:3"]
    lines = fill_items(["planning-commission-minutes.pdf:1", "judgment.pdf:2", "letter-of-award.pdf:1"], 50)
    assert lines == ["planning-commission-minutes.pdf:1, judgment.pdf:2,", "letter-of-award.pdf:1"]


def test_quote_in_message_keeps_the_trigger():
    from auditor.ruleset.engine import _short

    quote = ("5.4 Decision: The Board approved, by majority, the award of the contract to M/s Nimbus Data "
             "Systems (Pvt.) Ltd. for Rs. 2,150,000,000, and directed that the matter be handled "
             "confidentially, as conveyed by the Ministry.")
    cut = _short(quote, trigger="be handled confidentially")
    assert "be handled confidentially" in cut
    assert len(cut) <= 170
    body = cut.strip("… ")
    assert body in quote  # verbatim, cut at word edges
    assert quote[quote.index(body) - 1] == " " and quote.index(body) > 0
    assert cut.startswith("… ")
    # no trigger: the start of the quote, cut at a word
    plain = _short(quote)
    assert plain.startswith("5.4 Decision") and plain.endswith(" …")
    assert plain[:-2] in quote and quote[len(plain) - 2] == " "


def test_scanned_message_shows_the_words_that_make_the_finding():
    result = _scan(CASES / "confidential-procurement")
    messages = [f.message for f in result.iter_findings() if f.rule_id == "secrecy-request"]
    assert messages and any("confidentially" in m for m in messages)


# --- the terminal's wishes --------------------------------------------------------------


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty

    def fileno(self) -> int:
        raise OSError("no terminal")


def test_width_order():
    assert table_width(90, _Stream(False), {"COLUMNS": "200"}) == 90  # --width first
    assert table_width(0, _Stream(False), {"COLUMNS": "80"}) == 80  # COLUMNS, also piped
    assert table_width(0, _Stream(True), {"COLUMNS": "132"}) == 132
    assert table_width(0, _Stream(False), {}) == 120


def test_color_order():
    assert use_color(_Stream(True), False, True, {}) is True
    assert use_color(_Stream(True), False, True, {"NO_COLOR": "1"}) is False
    assert use_color(_Stream(False), False, True, {}) is False
    assert use_color(_Stream(False), False, True, {"FORCE_COLOR": "1"}) is True
    assert use_color(_Stream(False), False, True, {"FORCE_COLOR": "1", "NO_COLOR": "1"}) is False
    assert use_color(_Stream(True), True, True, {"FORCE_COLOR": "1"}) is False  # never into a file
    assert use_color(_Stream(True), False, False, {"FORCE_COLOR": "1"}) is False  # only the table


def _cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "FORCE_COLOR", "TERM")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["TERM"] = "xterm-256color"
    env.update(extra)
    return env


ARGS = [sys.executable, "-m", "auditor", "scan", str(CASES / "xss-probe"), "--no-cache", "-q", "--ocr", "off"]


def _on_terminal(env: dict[str, str], cols: int = 150) -> str:
    """The CLI's stdout when it is a pseudo-terminal of ``cols`` columns."""
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, cols, 0, 0))
    proc = subprocess.Popen(ARGS, stdout=slave, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def test_terminal_gets_colour_and_its_width():
    out = _on_terminal(_cli_env(), cols=150)
    assert ANSI.search(out)
    assert max(len(ANSI.sub("", line)) for line in out.splitlines()) > 100  # its own width, not a default


def test_no_color_on_a_terminal():
    out = _on_terminal(_cli_env(NO_COLOR="1"))
    assert "waived-tendering" in out and not ANSI.search(out)


def test_force_color_when_piped():
    out = subprocess.run(ARGS, capture_output=True, text=True, env=_cli_env(FORCE_COLOR="1"), cwd=ROOT).stdout
    assert "waived-tendering" in out and ANSI.search(out)
    plain = subprocess.run(ARGS, capture_output=True, text=True, env=_cli_env(), cwd=ROOT).stdout
    assert "waived-tendering" in plain and not ANSI.search(plain)


def test_columns_is_honoured_when_piped():
    out = subprocess.run(ARGS, capture_output=True, text=True, env=_cli_env(COLUMNS="80"), cwd=ROOT).stdout
    assert "waived-tendering" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    wide = subprocess.run(ARGS + ["--width", "150"], capture_output=True, text=True, env=_cli_env(COLUMNS="80"), cwd=ROOT).stdout
    assert max(len(line) for line in wide.splitlines()) > 100


def test_nested_paths_in_the_where_column_break_only_after_a_folder():
    from dataclasses import replace

    from test_report_formats import tiny_result

    result = tiny_result()
    case = result.cases[0]
    folder = "correspondence-with-the-ministry-of-interior"
    f = case.findings[0]
    ev = replace(f.evidence[0], document=f"{case.id}/{folder}/letter-of-award.pdf")
    result = replace(result, cases=(replace(case, findings=(replace(f, evidence=(ev,)),)),))
    out = render(result, Format.TABLE, RenderOptions(width=160))
    assert re.search(r"Severity\s+Rule\s+Message\s+Where", out)  # the column layout
    assert f"{folder}/" in out and "letter-of-award.pdf:" in out  # whole names; the break after "/"
