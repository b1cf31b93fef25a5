"""Issue 15 (part A): hostile input must never overwrite, crash or inject.

Each test rebuilds one defect's reproducer (the number in its name is the
issue's item) and runs the real command line in a subprocess where the defect
showed there (exit codes, what reaches stdout/stderr, what is left on disk).
The PDFs are written at test time by tests/pdfgen.py.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import pdfgen
from auditor.report import Format, render
from conftest import ROOT

ESC = "\x1b"
OSC_TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
# One sentence that fires waived-tendering, carrying markup, escape sequences,
# bracketed words and Markdown/HTML that must all stay inert.
HOSTILE = [
    "The Ministry awarded the contract to M/s Acme [bold] Ltd [/x] on a",
    f"single-source basis without open tendering {OSC_TITLE} {CLEAR} [sic] for Rs 12,000,000,",
    "see ![logo](http://evil.example/x.png) and [the note](http://evil.example) <b>now</b> www.evil.example.",
]
CONTROL_CHARS = {chr(c) for c in [*range(0, 9), *range(11, 32), *range(0x7F, 0xA0)]}


def run(*args: str, cwd: Path, stdout=subprocess.PIPE, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "auditor", *args], cwd=cwd, stdout=stdout,
                          stderr=subprocess.PIPE, env=env, timeout=timeout)


def scan(cwd: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return run("scan", *args, "--no-cache", "--quiet", "--jobs", "1", **kw, cwd=cwd)


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, (proc.returncode, err)
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "Exception ignored" not in err
    return err


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    case = tmp_path / "case"
    case.mkdir()
    pdfgen.text_pdf(case / "award.pdf", [HOSTILE])
    pdfgen.text_pdf(case / "notice.pdf", [["The Authority invited open competitive bids for the buses."]])
    return tmp_path


# --- 1. --output must never overwrite an input ----------------------------------------------


@pytest.mark.parametrize("target", ["case/award.pdf", "case/new-report.pdf", "link.json", "hard.json"])
def test_1_output_naming_an_input_is_refused(work: Path, target: str) -> None:
    original = (work / "case" / "award.pdf").read_bytes()
    (work / "link.json").symlink_to(work / "case" / "award.pdf")
    os.link(work / "case" / "award.pdf", work / "hard.json")
    proc = scan(work, "case", "--format", "json", "--output", target)
    assert "input" in one_line_error(proc) or "scanned folder" in proc.stderr.decode()
    assert (work / "case" / "award.pdf").read_bytes() == original
    assert not (work / "case" / "new-report.pdf").exists()
    assert sorted(p.name for p in (work / "case").iterdir()) == ["award.pdf", "notice.pdf"]


def test_1_output_naming_a_single_input_file_is_refused(work: Path) -> None:
    original = (work / "case" / "notice.pdf").read_bytes()
    proc = scan(work, "case/notice.pdf", "--format", "json", "--output", "case/notice.pdf")
    one_line_error(proc)
    assert (work / "case" / "notice.pdf").read_bytes() == original
    proc = run("facts", "case", "--no-cache", "--format", "json", "--output", "case/award.pdf", cwd=work)
    one_line_error(proc)
    assert (work / "case" / "award.pdf").read_bytes()[:5] == b"%PDF-"


def test_1_a_report_beside_the_inputs_under_another_name_is_written(work: Path) -> None:
    proc = scan(work, "case", "--format", "json", "--output", "case/report.json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((work / "case" / "report.json").read_text())["cases"]


# --- 2. special files are streamed to, never replaced -----------------------------------------


def test_2_output_to_a_fifo_streams_and_keeps_the_fifo(work: Path) -> None:
    fifo = work / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    proc = scan(work, "case", "--format", "json", "--output", str(fifo))
    reader.join(30)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced by a regular file"
    assert json.loads(got[0])["schema_version"] == 1
    assert leftovers(work) == []


def test_2_output_through_a_symlink_keeps_the_link(work: Path) -> None:
    (work / "reports").mkdir()
    (work / "latest.json").symlink_to(work / "reports" / "r.json")  # dangling until written
    proc = scan(work, "case", "--format", "json", "--output", "latest.json")
    assert proc.returncode == 0, proc.stderr
    assert (work / "latest.json").is_symlink()
    assert json.loads((work / "reports" / "r.json").read_text())["schema_version"] == 1
    # a link to the process's own stdout (what /dev/stdout is), stdout being a file
    (work / "stdout-link").symlink_to("/proc/self/fd/1")
    with open(work / "captured.json", "wb") as captured:
        proc = scan(work, "case", "--format", "json", "--output", str(work / "stdout-link"), stdout=captured)
    assert proc.returncode == 0, proc.stderr
    assert (work / "stdout-link").is_symlink()
    assert json.loads((work / "captured.json").read_text())["schema_version"] == 1
    assert leftovers(work) == [] and leftovers(work / "reports") == []


def _full_device(folder: Path) -> Path:
    """A private node of the /dev/full device (root only): a test that
    regresses must not replace the system's /dev/full."""
    node = folder / "full"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        with open(node, "wb", buffering=0) as fh:
            fh.write(b"x")
    except PermissionError:
        pytest.skip("creating a device node needs root")
    except OSError as exc:
        if exc.errno != 28:
            pytest.skip(f"no full device here: {exc}")
    return node


def test_2_output_to_a_full_device_is_a_one_line_error(work: Path) -> None:
    node = _full_device(work)
    proc = scan(work, "case", "--format", "json", "--output", str(node))
    assert "No space left on device" in one_line_error(proc)
    assert stat.S_ISCHR(os.lstat(node).st_mode), "the device node was replaced"
    assert leftovers(work) == []


def test_7_stdout_on_a_full_device_is_a_one_line_error(work: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    for fmt in ("json", "table"):
        with open("/dev/full", "wb") as full:
            proc = scan(work, "case", "--format", fmt, stdout=full)
        assert "standard output" in one_line_error(proc)
    for args in (["rules", "list"], ["rules", "show", "waived-tendering"], ["--help"]):
        with open("/dev/full", "wb") as full:
            proc = run(*args, cwd=work, stdout=full)
        assert "No space left on device" in one_line_error(proc)


# --- 7. bad options and baselines: one line, exit 2 ------------------------------------------------


def test_7_output_whose_parent_is_a_file(work: Path) -> None:
    (work / "afile").write_text("x")
    for target in ("afile/out.json", "afile/deeper/out.json"):
        proc = scan(work, "case", "--format", "json", "--output", target)
        assert "not a directory" in one_line_error(proc)
    assert (work / "afile").read_text() == "x"
    assert leftovers(work) == []


def test_7_output_that_is_a_directory(work: Path) -> None:
    one_line_error(scan(work, "case", "--format", "json", "--output", "case"))


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0", "-inf", "1e400"])
def test_7_doc_timeout_must_be_a_finite_positive_number(work: Path, value: str) -> None:
    assert "--doc-timeout" in one_line_error(scan(work, "case", "--doc-timeout", value))


@pytest.mark.parametrize("body", [
    "[" * 100_000 + "]" * 100_000,
    '{"cases": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"cases": 5}',
    '{"cases": "abc"}',
    '{"cases": [5]}',
    '{"cases": [{"findings": 7}]}',
    '{"cases": [{"findings": {"a": 1}}]}',
])
def test_7_a_malformed_baseline_is_a_one_line_error(work: Path, body: str) -> None:
    (work / "baseline.json").write_text(body)
    assert "baseline" in one_line_error(scan(work, "case", "--baseline", "baseline.json"))


def test_7_a_baseline_with_odd_fingerprints_is_read(work: Path) -> None:
    (work / "baseline.json").write_text('{"cases": [{"findings": [{"fingerprint": 5}, 3, {"fingerprint": "ab"}]}]}')
    proc = scan(work, "case", "--baseline", "baseline.json", "--format", "json")
    assert proc.returncode == 0, proc.stderr


# --- 5 and 9. document text is never markup, never a terminal command ---------------------------


def _no_controls(text: str) -> None:
    bad = sorted({c for c in text if c in CONTROL_CHARS} - {"\n"})
    assert not bad, [hex(ord(c)) for c in bad]


def test_5_9_table_shows_markup_verbatim_and_no_escape_sequences(work: Path) -> None:
    proc = scan(work, "case", "--width", "400")
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr
    assert "waived-tendering" in out
    for word in ("[bold]", "[/x]", "[sic]"):
        assert word in out
    _no_controls(out)
    assert "pwned" not in out  # an OSC string goes whole: its payload is no text
    assert "tendering" in out and "for Rs 12,000,000" in out


def test_5_9_facts_table_and_csv(work: Path) -> None:
    proc = run("facts", "case", "--no-cache", "--width", "400", cwd=work)
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr
    assert "[sic]" in out and "[/x]" in out and "[bold]" in out
    _no_controls(out)
    proc = run("facts", "case", "--no-cache", "--format", "csv", cwd=work)
    text = proc.stdout.decode()
    assert ESC not in text and "[sic]" in text


def test_9_progress_bar_shows_hostile_names_as_text() -> None:
    from types import SimpleNamespace

    from rich.console import Console

    from auditor.progress import ScanProgress

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=160, color_system=None)
    name = f"case/[bold]{OSC_TITLE}{CLEAR}evil.pdf"  # the bar shows a file's own name (no "/" in it)
    task = SimpleNamespace(rel=name, path=Path("/nonexistent"))
    bar = ScanProgress(SimpleNamespace(cases=[SimpleNamespace(documents=[task])]), console=console)
    bar.start()
    bar.document_started(task)  # the bar names the documents in flight
    bar._progress.refresh()
    info = SimpleNamespace(pages=1, ocr_pages=(), error=None)
    bar.document_done(task, SimpleNamespace(info=info, from_cache=False))
    bar._progress.refresh()
    bar.stop()
    out = buf.getvalue()
    assert "evil.pdf" in out and "[bold]" in out
    assert OSC_TITLE not in out and CLEAR not in out and "]0;" not in out


def _report(work: Path, fmt: str) -> str:
    proc = scan(work, "case", "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.decode("utf-8")


def test_9_csv_neutralises_formulas_and_controls(work: Path) -> None:
    (work / "case" / "formula").mkdir()
    pdfgen.text_pdf(work / "case" / "formula" / "formula.pdf", [[
        "=HYPERLINK(\"http://evil.example\") The contract was awarded on a single-source basis without tender."]])
    text = _report(work, "csv")
    _no_controls(text)
    rows = list(csv.DictReader(io.StringIO(text)))
    quotes = [r["quote"] for r in rows]
    assert any(q.startswith("'=HYPERLINK") for q in quotes), quotes
    assert not any(q[:1] in "=+-@" for q in quotes)
    assert any("[sic]" in q for q in quotes)


def test_9_markdown_renders_document_text_inert(work: Path) -> None:
    from markdown_it import MarkdownIt

    text = _report(work, "markdown")
    _no_controls(text)
    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    assert "evil.example" in rendered
    assert "<img" not in rendered and 'href="http://evil' not in rendered and "<b>" not in rendered
    assert "[sic]" in rendered and "[bold]" in rendered
    assert "http\\://evil.example" in text and "www\\.evil.example" in text  # no GFM autolink either


def test_9_html_is_escaped(work: Path) -> None:
    text = _report(work, "html")
    assert "<b>now</b>" not in text and "&lt;b&gt;now&lt;/b&gt;" in text
    assert "[sic]" in text
    _no_controls(text)


def test_5_rule_titles_are_no_markup(tmp_path: Path) -> None:
    text = RULE.read_text()
    assert "title: Competitive tendering waived or bypassed" in text
    pack = _rule_dir(tmp_path, text.replace("title: Competitive tendering waived or bypassed",
                                            "title: 'Tendering [/x] waived [sic]'"))
    proc = run("rules", "list", "--rules", str(pack), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "[/x]" in proc.stdout.decode() and "[sic]" in proc.stdout.decode()


def test_9_sarif_and_json_keep_quotes_verbatim_but_escaped(work: Path) -> None:
    texts = {fmt: _report(work, fmt) for fmt in ("sarif", "json")}
    for text in texts.values():
        _no_controls(text)  # the file itself is inert when printed
    sarif = json.loads(texts["sarif"])
    results = sarif["runs"][0]["results"]
    assert results
    for r in results:
        _no_controls(r["message"]["text"])
        # SARIF escapes literal brackets in a message with embedded links (SARIF 2.1.0, 3.11.6): unescaped, verbatim
        assert "[sic]" in r["message"]["text"].replace("\\[", "[").replace("\\]", "]")
    snippets = [loc["physicalLocation"]["region"]["snippet"]["text"] for r in results for loc in r["locations"]]
    assert any(OSC_TITLE in s for s in snippets)  # verbatim, JSON-escaped in the file
    report = json.loads(texts["json"])
    quotes = [e["quote"] for c in report["cases"] for f in c["findings"] for e in f["evidence"]]
    assert any(OSC_TITLE in q and "[sic]" in q for q in quotes)


def test_9_c1_and_bidi_characters_are_escaped_in_json_text() -> None:
    from dataclasses import replace

    from test_report_formats import tiny_result

    base = tiny_result()
    f = base.cases[0].findings[0]
    evil = "a\x9b2Jb\u202ec\x7fd"
    e = replace(f.evidence[0], quote=evil)
    result = replace(base, cases=(replace(base.cases[0], findings=(replace(f, evidence=(e,), message=evil),)),))
    for fmt in (Format.JSON, Format.SARIF):
        text = render(result, fmt)
        _no_controls(text)
        assert "\u202e" not in text
        assert evil in json.dumps(json.loads(text), ensure_ascii=False)  # the values are unchanged
    for fmt in (Format.TABLE, Format.MARKDOWN, Format.CSV):
        text = render(result, fmt)
        _no_controls(text)
        assert "\u202e" not in text


# --- 6. file names that are not UTF-8 --------------------------------------------------------------


def test_6_non_utf8_file_names_are_reported_escaped(work: Path) -> None:
    odd = work / "odd"
    odd.mkdir()
    try:
        pdfgen.text_pdf(Path(os.fsdecode(bytes(odd) + b"/caf\xe9.pdf")), [HOSTILE])
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses non-UTF-8 names")
    outs = work / "out"
    for fmt in ("table", "json", "sarif", "markdown", "csv", "html"):
        proc = scan(work, "odd", "--format", fmt, "--output", f"out/report.{fmt}")
        assert proc.returncode == 0, (fmt, proc.stderr)
        text = (outs / f"report.{fmt}").read_text(encoding="utf-8")
        assert "caf" in text and "\udce9" not in text
    assert leftovers(outs) == []
    report = json.loads((outs / "report.json").read_text())
    assert report["cases"][0]["documents"][0]["path"] == "odd/caf\\xe9.pdf"  # its case id, then its name
    sarif = json.loads((outs / "report.sarif").read_text())
    uris = {a["location"]["uri"] for a in sarif["runs"][0]["artifacts"]}
    assert any(u.endswith("caf%E9.pdf") for u in uris), uris
    proc = scan(work, os.fsdecode(bytes(odd) + b"/caf\xe9.pdf"), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    case = json.loads(proc.stdout)["cases"][0]  # a file given alone: its folder's case
    assert case["id"] == "odd" and case["documents"][0]["path"] == "odd/caf\\xe9.pdf"


# --- 8. rule packs: bounded cost, errors as file:line:col --------------------------------------------

RULE = ROOT / "rules" / "waived-tendering.yaml"
PARAM_RULE = ROOT / "rules" / "short-bidding-period.yaml"


def _laughs(levels: int = 9, name: str = "lol") -> str:
    """The "billion laughs": each level an anchored list of nine aliases of the last."""
    lines = [f"{name}0: &{name}0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"{name}{i}: &{name}{i} [" + ", ".join([f"*{name}{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def _rule_dir(tmp_path: Path, text: str, source: Path = RULE, test_text: str | None = None) -> Path:
    d = tmp_path / "pack"
    d.mkdir(exist_ok=True)
    (d / source.name).write_text(text, encoding="utf-8")
    test_file = source.with_name(source.stem + ".test.yaml")
    if test_file.exists():
        (d / test_file.name).write_text(test_text if test_text is not None else test_file.read_text(), encoding="utf-8")
    return d


HOSTILE_PACKS = {
    # the bomb inside a value the validator reads (the rule's tags)
    "alias-bomb": (lambda t: _laughs(8, "t").replace("t8: &t8", "tags: &t8") + t.replace("tags:", "old_tags:", 1),
                   "expands to more than"),
    "python-object": (lambda t: t.replace("severity: high", "severity: !!python/object:os.system high"), "unsupported tag"),
    "unknown-tag": (lambda t: t.replace("severity: high", "severity: !secret high"), "unsupported tag"),
    "deep-nesting": (lambda t: t.replace("severity: high", "severity: high\ntags: " + "[" * 20_000 + "]" * 20_000),
                     "nested more than"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_PACKS))
def test_8_hostile_rule_files_are_rule_file_errors(tmp_path: Path, case: str) -> None:
    make, expected = HOSTILE_PACKS[case]
    pack = _rule_dir(tmp_path, make(RULE.read_text()))
    for args in (["rules", "validate", str(pack)], ["rules", "test", str(pack)],
                 ["scan", str(ROOT / "fixtures" / "cases" / "clean-open-tender"), "--rules", str(pack), "--no-cache", "-q"]):
        proc = run(*args, cwd=tmp_path, timeout=60)
        out = (proc.stdout + proc.stderr).decode()
        assert proc.returncode == 2, (args, proc.returncode, out[-2000:])
        assert "Traceback" not in out and "internal error" not in out
        assert any(line.startswith(f"{pack / RULE.name}:") and expected in line for line in out.splitlines()), out[-2000:]


@pytest.mark.parametrize("value, expected", [("9" * 5000, "number too long"), ("!!int abc", "cannot read this value")])
def test_8_numbers_that_cannot_be_read(tmp_path: Path, value: str, expected: str) -> None:
    text = PARAM_RULE.read_text()
    assert "    national: 15\n" in text
    pack = _rule_dir(tmp_path, text.replace("    national: 15\n", f"    national: {value}\n"), PARAM_RULE)
    proc = run("rules", "validate", str(pack), cwd=tmp_path, timeout=60)
    out = (proc.stdout + proc.stderr).decode()
    assert proc.returncode == 2 and "Traceback" not in out, out
    assert re.search(rf"^{re.escape(str(pack / PARAM_RULE.name))}:\d+:\d+: .*{expected}", out, re.M), out


def test_8_a_test_file_bomb_is_refused_quickly(tmp_path: Path) -> None:
    test_file = RULE.with_name(RULE.stem + ".test.yaml")
    pack = _rule_dir(tmp_path, RULE.read_text(), test_text=_laughs(9) + test_file.read_text())
    proc = run("rules", "test", str(pack), cwd=tmp_path, timeout=60)
    out = (proc.stdout + proc.stderr).decode()
    assert proc.returncode == 2, out[-2000:]
    assert f"{pack / test_file.name}:" in out and "expands to more than" in out


@pytest.mark.parametrize("field, expected", [("{quote:>100000000}", "width or precision above"),
                                             ("{quote:.{page}}", "nested field"),
                                             ("{quote:>40}", None)])
def test_8_message_template_width_is_bounded(tmp_path: Path, field: str, expected: str | None) -> None:
    text = RULE.read_text()
    assert '"{quote}"' in text
    pack = _rule_dir(tmp_path, text.replace('"{quote}"', f'"{field}"', 1))
    proc = run("rules", "validate", str(pack), cwd=tmp_path, timeout=60)
    out = (proc.stdout + proc.stderr).decode()
    if expected is None:
        assert proc.returncode == 0, out
        return
    assert proc.returncode == 2, out
    assert re.search(rf"^{re.escape(str(pack / RULE.name))}:\d+:\d+: message: .*{expected}", out, re.M), out


def test_8_limits_leave_the_builtin_pack_valid() -> None:
    from auditor.ruleset.packs import load_rule_set
    from auditor.ruleset.schema import builtin_rules_dir

    _, problems = load_rule_set([builtin_rules_dir()], collect=True)
    assert problems == []
    for packdir in sorted((ROOT / "packs").iterdir()):
        if packdir.is_dir():
            _, problems = load_rule_set([builtin_rules_dir(), packdir], collect=True)
            assert problems == [], packdir


# --- 4. a figure cut by a line break, a tab or a no-break space ----------------------------------


@pytest.mark.parametrize("text, value", [
    ("Rs 12\n,000 only", 12_000.0),            # OCR'd line break before the comma: read
    ("Rs 1,200\n,000", 1_200_000.0),
    ("Rs 1\t,200,000", 1_200_000.0),
    ("USD 4\n,35,00,000", 43_500_000.0),
    ("Rs 1\u00a0200\u00a0000", 1_200_000.0),   # typeset digit groups: read
    ("Rs 1\u202f200\u202f000", 1_200_000.0),
    ("Rs 1200\n000 only", None),               # a figure cut in two: read neither way
    ("Rs. 1 200\t000", None),
    ("Rs " + "9" * 5000, None),                # no amount is infinite
])
def test_4_money_reads_or_leaves_broken_figures(text: str, value: float | None) -> None:
    from auditor.extract.money import find_amounts

    amounts = find_amounts(text, "PKR")
    assert [a.value for a in amounts] == ([value] if value is not None else [])


def test_4_a_document_with_broken_figures_keeps_its_facts(tmp_path: Path) -> None:
    case = tmp_path / "case"
    case.mkdir()
    pdfgen.text_pdf(case / "award.pdf", [[
        "The contract was awarded on a single-source basis without open tendering.",
        "The contract price is Rs 12\t,000,000 for the supply of the buses.",
    ], ["The contract value is Rs 1200", "000 only for the supply."]])
    proc = scan(tmp_path, "case", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    doc = report["cases"][0]["documents"][0]
    assert doc["error"] is None and "internal_errors" not in doc
    assert [f["rule_id"] for f in report["cases"][0]["findings"]] == ["waived-tendering"]
    facts = run("facts", "case", "--no-cache", "--format", "json", "--kind", "money", cwd=tmp_path)
    values = [f["attrs"]["value"] for f in json.loads(facts.stdout)]
    assert values == [12_000_000.0]


def test_4_a_failing_span_costs_only_that_span(monkeypatch) -> None:
    """Fault injection into the real extractor: the money parser raises on one
    sentence; that sentence's amount is lost, every other fact stays, and the
    failure is recorded (a bug: exit 4), not hidden and not the document's fault."""
    from auditor.extract import facts as facts_module
    from auditor.models import Page, PageSource

    real = facts_module.find_amounts

    def flaky(text: str, *args, **kwargs):
        if "Rs 7,000" in text:
            raise ValueError("could not convert string to float: '7\\n000'")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(facts_module, "find_amounts", flaky)
    text = ("The contract was awarded on a single-source basis without open tendering.\n"
            "The contract price is Rs 7,000 for the desks.\n"
            "The contract price is Rs 9,000,000 for the buses.\n")
    pages = [Page(1, text, PageSource.TEXT), Page(2, "The work was not advertised in any newspaper.", PageSource.TEXT)]
    analysis = facts_module.analyse("award.pdf", "0" * 64, pages, kind="award-letter")
    kinds = {f.kind for f in analysis.facts}
    assert "tendering-waived" in kinds
    assert [dict(f.attrs)["value"] for f in analysis.facts if f.kind == "money"] == [9_000_000.0]
    assert len(analysis.span_errors) == 1
    assert analysis.span_errors[0].startswith("fact extraction from a sentence on page 1: ValueError")


def test_4_span_errors_reach_the_report_and_the_exit_code() -> None:
    from dataclasses import replace

    from auditor.cli import exit_code, internal_errors
    from auditor.codec import info_from_json, info_to_json
    from test_report_formats import tiny_result

    base = tiny_result()
    doc = replace(base.cases[0].documents[0], internal_errors=("fact extraction from a sentence on page 1: ValueError",))
    result = replace(base, cases=(replace(base.cases[0], documents=(doc, *base.cases[0].documents[1:])),))
    assert internal_errors(result) == (1, 0)
    assert int(exit_code(result, None, False)) == 4
    assert info_from_json(json.loads(json.dumps(info_to_json(doc)))) == doc
    report = json.loads(render(result, Format.JSON))
    assert report["cases"][0]["documents"][0]["internal_errors"] == list(doc.internal_errors)
    assert "internal error (a bug) in fact extraction from a sentence on page 1" in render(result, Format.TABLE)
