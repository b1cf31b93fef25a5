"""Every report format: golden files compared as whole strings, plus the
properties each format promises (deterministic, escaped, complete).

The golden input is a real scan of a small fixed folder, run in-process with
OCR off and no cache, from a temporary working directory so that every path
in the output is relative:

    filings/islamabad-safe-city/   the bundled example case (5 PDFs)
    filings/xss-probe/             markup in the PDF text (<script>, <img onerror>)
    filings/broken/                a corrupt PDF and a non-PDF file

Extraction is still being tuned, so the golden files change with it.  After
checking the diff, regenerate them with:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_report_formats.py tests/test_sarif.py -q
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.models import (
    AuditResult,
    CaseResult,
    DocumentError,
    DocumentInfo,
    Evidence,
    Finding,
    Reference,
    RuleInfo,
    ScanStats,
    Severity,
)
from auditor.report import Format, RenderOptions, _MODULES, render, renderer

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "fixtures" / "cases"
GOLDEN = Path(__file__).resolve().parent / "golden"
GOLDEN_CASES = ("islamabad-safe-city", "xss-probe")
GOLDEN_NAMES = {
    Format.TABLE: "scan.table.txt",
    Format.JSON: "scan.json",
    Format.MARKDOWN: "scan.md",
    Format.SARIF: "scan.sarif",
    Format.CSV: "scan.csv",
    Format.HTML: "scan.html",
}
GOLDEN_OPTIONS = RenderOptions(width=100, color=False, timings=False)


def update_golden() -> bool:
    return os.environ.get("UPDATE_GOLDEN", "").strip() not in ("", "0", "false", "no")


def assert_golden(name: str, actual: str) -> None:
    """Compare ``actual`` with tests/golden/<name> as one string (or rewrite it)."""
    path = GOLDEN / name
    if update_golden():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
        return
    if not path.exists():
        pytest.fail(f"golden file {path} is missing; create it with UPDATE_GOLDEN=1 .venv/bin/pytest {Path(__file__).name}")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            list(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), f"golden/{name}", "actual"))[:80]
        )
        pytest.fail(
            f"{name} differs from its golden file (first lines of the diff below). If the change is intended:\n"
            f"  UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_report_formats.py tests/test_sarif.py -q\n\n{diff}"
        )


def scan_folder(root: Path, *paths: str) -> AuditResult:
    """A real scan, in-process, deterministic: OCR off, no cache, run from ``root``."""
    from auditor.options import OcrMode, ScanOptions
    from auditor.pipeline import run_scan
    from auditor.ruleset.schema import builtin_rules_dir, load_rules

    rules, _ = load_rules([builtin_rules_dir()])
    options = ScanOptions(ocr=OcrMode.OFF, jobs=1, use_cache=False)
    with contextlib.chdir(root):
        return run_scan([Path(p) for p in paths], options, rules)


def build_golden_tree(root: Path) -> None:
    filings = root / "filings"
    for case in GOLDEN_CASES:
        if not (CASES / case).is_dir():
            pytest.skip(f"fixture case {case} not generated yet (python fixtures/make_fixtures.py)")
        shutil.copytree(CASES / case, filings / case)
    broken = filings / "broken"
    broken.mkdir(parents=True)
    (broken / "damaged.pdf").write_bytes(b"%PDF-1.4\n% this file was cut short\n1 0 obj <<")
    (broken / "cover-letter.txt").write_text("not a PDF\n", encoding="utf-8")


@pytest.fixture(scope="session")
def golden_result(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    root = tmp_path_factory.mktemp("golden-scan")
    build_golden_tree(root)
    return scan_folder(root, "filings")


# --- the format -> module mapping ---------------------------------------------------------


def test_every_format_maps_to_a_module_with_render() -> None:
    assert set(_MODULES) == set(Format), "every Format needs a renderer module, and no module without a Format"
    for fmt in Format:
        fn = renderer(fmt)
        assert callable(fn), fmt
        assert fn.__name__ == "render", fmt


def test_every_format_has_a_golden_file_name() -> None:
    assert set(GOLDEN_NAMES) == set(Format)


# --- golden files ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(Format), ids=[f.value for f in Format])
def test_golden(golden_result: AuditResult, fmt: Format) -> None:
    assert_golden(GOLDEN_NAMES[fmt], render(golden_result, fmt, GOLDEN_OPTIONS))


@pytest.mark.parametrize("fmt", list(Format), ids=[f.value for f in Format])
def test_render_is_deterministic_and_pure(golden_result: AuditResult, fmt: Format) -> None:
    first = render(golden_result, fmt, GOLDEN_OPTIONS)
    assert render(golden_result, fmt, GOLDEN_OPTIONS) == first
    assert first.endswith("\n")


@pytest.mark.parametrize("fmt", list(Format), ids=[f.value for f in Format])
def test_empty_result_renders(fmt: Format) -> None:
    text = render(AuditResult(tool_version="0.0.0", roots=("empty",), cases=()), fmt, GOLDEN_OPTIONS)
    assert text.strip()


def test_golden_scan_has_what_the_goldens_should_show(golden_result: AuditResult) -> None:
    """Guard against silently golden-ing a broken scan."""
    ids = [c.id for c in golden_result.cases]
    assert ids == ["broken", "islamabad-safe-city", "xss-probe"]
    assert golden_result.stats.errors == 1
    assert [s.path for s in golden_result.skipped] == ["broken/cover-letter.txt"]
    safe_city = next(c for c in golden_result.cases if c.id == "islamabad-safe-city")
    assert safe_city.findings, "the example case should have findings"
    assert all(e.quote for f in golden_result.iter_findings() for e in f.evidence)


# --- a small hand-built result for the format-specific checks -------------------------------


def tiny_result(**changes) -> AuditResult:
    rule = RuleInfo(
        id="waived-tendering",
        title="Competitive tendering waived or bypassed",
        severity=Severity.HIGH,
        status="stable",
        summary="Tendering was waived.",
        rationale="Open tendering is the default method.",
        references=(Reference("Public Procurement Rules, 2004", "rule 42(c)"), Reference("OCP red flags", ocp_code="R018")),
        help_uri="https://example.org/rules/waived-tendering.md",
    )
    quote = "# 1. *Award* to [M/s X](javascript:alert(1)) | <b>Ltd</b> &amp; $5 `code` without tender"
    ev = Evidence("case one/award letter.pdf", 2, quote, 10, 10 + len(quote), "ab" * 32, False)
    finding = Finding(
        rule_id="waived-tendering",
        title=rule.title,
        severity=Severity.HIGH,
        score=34.0,
        confidence=0.85,
        message=f'Tendering was bypassed: "{quote}" (case one/award letter.pdf, p.2).',
        evidence=(ev,),
        fingerprint="0123456789abcdef01234567",
        case_id="case one",
        legal_basis="Public Procurement Rules, 2004, rule 42(c)",
    )
    docs = (
        DocumentInfo("case one/award letter.pdf", "ab" * 32, 3, ocr_pages=(3,), kind="award-letter"),
        DocumentInfo("case one/scan.pdf", "cd" * 32, 0, error=DocumentError("encrypted", "the PDF is encrypted")),
    )
    case = CaseResult("case one", 34.0, docs, (finding,))
    base = AuditResult(
        tool_version="9.9.9",
        roots=("filings",),
        cases=(case,),
        rules=(rule,),
        stats=ScanStats(documents=2, pages=3, ocr_pages=1, errors=1),
    )
    return replace(base, **changes)


def test_markdown_date_only_when_recorded() -> None:
    from auditor.report import markdown

    undated = markdown.render(tiny_result())
    assert "**Date:** not recorded" in undated
    assert "--timestamp" not in undated  # a date line, not a command-line hint
    dated = markdown.render(tiny_result(generated_at="2024-05-01T10:00:00+00:00"))
    assert "**Date:** 2024-05-01T10:00:00+00:00" in dated
    assert "not recorded" not in dated


def test_markdown_sections_and_contents() -> None:
    from auditor.report import markdown

    text = markdown.render(tiny_result())
    order = ["# Procurement red-flag review", "## Executive summary", "## Scope", "## Findings",
             "## Methodology and limitations", "## Appendix A", "## Appendix B"]
    positions = [text.index(h) for h in order]
    assert positions == sorted(positions)
    assert "a reason to review, not proof" in text
    assert "info 2, low 10, medium 25, high 40, critical 60" in text
    assert "100 × (1 − Π(1 − finding score / 100))" in text
    assert "Negated statements" in text and "hypothetical" in text and "attributes to someone else" in text
    assert "`abababababab`" in text  # short sha in the scope
    assert "`" + "ab" * 32 + "`" in text  # full sha in the appendix
    assert "encrypted" in text and "the PDF is encrypted" in text  # unreadable document listed
    assert "rule 42(c)" in text and "Open Contracting red flag R018" in text  # rules appendix
    assert "[`waived-tendering`](<https://example.org/rules/waived-tendering.md>)" in text


def test_markdown_escapes_pdf_text() -> None:
    from markdown_it import MarkdownIt

    from auditor.report import markdown

    text = markdown.render(tiny_result())
    quote_line = next(line for line in text.splitlines() if line.startswith("> ") and "Award" in line)
    assert quote_line.startswith("> \\# 1. \\*Award\\*")
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<b>" not in html and "&lt;b&gt;Ltd&lt;/b&gt;" in html  # raw HTML in a quote stays text
    assert 'href="javascript' not in html  # no link built from PDF text
    assert "<em>Award</em>" not in html and "<h1>" not in html.split("</h1>", 1)[1]
    assert "&amp;amp; $5 `code`" in html  # the entity and backticks survive as text
    # the scope table keeps its six columns although a path and the quote contain '|'
    md = MarkdownIt("commonmark").enable("table")
    tables = [t for t in md.parse(text) if t.type == "table_open"]
    assert len(tables) >= 3


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("4. The project", "4\\. The project"),
        ("- a dash", "\\- a dash"),
        ("+ plus", "\\+ plus"),
        ("> quoted", "\\> quoted"),
        ("a | b", "a \\| b"),
        ("x_y_z *b*", "x\\_y\\_z \\*b\\*"),
        ("US$ 72 million", "US\\$ 72 million"),
        ("AT&T &amp; co", "AT&T \\&amp; co"),
        ("line\nbreak   and  spaces", "line break and spaces"),
    ],
)
def test_markdown_escape_helper(raw: str, shown: str) -> None:
    from auditor.report.markdown import md

    assert md(raw) == shown


def test_csv_rows_columns_and_round_trip() -> None:
    from auditor.report import csv_

    text = csv_.render(tiny_result())
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0].keys()) == list(csv_.COLUMNS)
    assert len(rows) == 1
    row = rows[0]
    assert row["case"] == "case one" and row["rule_id"] == "waived-tendering" and row["severity"] == "high"
    assert row["page"] == "2" and row["known"] == "False" and row["score"] == "34.0"
    assert row["quote"] == tiny_result().cases[0].findings[0].evidence[0].quote
    assert row["legal_basis"] == "Public Procurement Rules, 2004, rule 42(c)"


def test_csv_neutralises_formulas() -> None:
    from auditor.report import csv_

    result = tiny_result()
    f = result.cases[0].findings[0]
    evil = replace(f, evidence=(replace(f.evidence[0], quote='=HYPERLINK("http://x","y")'),), message="@SUM(A1)")
    result = replace(result, cases=(replace(result.cases[0], findings=(evil,)),))
    row = next(csv.DictReader(io.StringIO(csv_.render(result))))
    assert row["quote"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert row["message"] == "'@SUM(A1)"


def test_csv_order_is_deterministic(golden_result: AuditResult) -> None:
    from auditor.report import csv_

    shuffled = replace(
        golden_result,
        cases=tuple(replace(c, findings=tuple(reversed(c.findings))) for c in reversed(golden_result.cases)),
    )
    assert csv_.render(shuffled) == csv_.render(golden_result)


def test_renderers_do_not_import_pandas_until_asked() -> None:
    code = (
        "import sys\n"
        "import auditor.cli, auditor.report.csv_, auditor.report.markdown, auditor.report.sarif, auditor.report.html\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_json_keys_of_the_contract_unchanged(golden_result: AuditResult) -> None:
    data = json.loads(render(golden_result, Format.JSON))
    assert data["schema_version"] == 1
    assert data["tool"]["name"] == "auditor"
    case = data["cases"][1]
    assert {"id", "score", "documents", "findings"} <= set(case)
    assert {"path", "sha256", "pages", "ocr_pages", "error"} <= set(case["documents"][0])
    finding = case["findings"][0]
    assert {"rule_id", "title", "severity", "score", "confidence", "message", "evidence"} <= set(finding)
    assert {"document", "page", "quote"} <= set(finding["evidence"][0])
