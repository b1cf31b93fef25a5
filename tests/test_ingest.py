"""Reading documents: text-layer quality, page decisions, the worker pool's
ordering and limits, the progress bar, and the CLI's contract for unreadable
documents."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time

import pytest

import pdfgen
from auditor.ingest.pdf import render_dpi, text_quality
from auditor.ingest.pool import process_documents
from auditor.ingest.worker import DocTask, process_document
from auditor.models import DocumentResult
from auditor.options import OcrMode, ScanOptions

# --- text-layer quality -------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "The contract was awarded to M/s Alpha Ltd on 3 March 2021.",
    "Table of Contents\n1. Introduction ........................................ 3\n"
    "2. Scope of works ______________________________________ 7\n3. Evaluation of Tenders ..................... 15",
    "حکومت پاکستان وزارت مواصلات پاکستان پوسٹ",
])
def test_usable_text_layers(text):
    assert text_quality(text) == (True, None)


@pytest.mark.parametrize("text, reason", [
    ("", "no text layer"),
    ("  12 \n", "no text layer"),
    ("\uf06c\uf0a1\uf091\uf05d\uf0e7\uf0da \uf06c\uf085\uf05d\uf087\uf0e6 \uf0e1\uf05e\uf06a\uf08a", "private-use"),
    ("%$#@ !!*& ^^%$ #@!* &^%$ ()*& ^%$# @!~` ;:'\" ]]{{", "non-letters"),
    ("\ufffd" * 20 + "abc", "replacement"),
])
def test_unusable_text_layers(text, reason):
    usable, why = text_quality(text)
    assert not usable and reason in why


def test_render_resolution_is_capped_for_huge_pages():
    assert render_dpi(612, 792, 300) == 300  # letter
    poster = render_dpi(14400, 14400, 300)  # 200 x 200 inches
    assert poster < 300
    assert (14400 * poster / 72) ** 2 <= 40_000_000


# --- one document in process ---------------------------------------------------------------


def test_born_digital_document_in_process(tmp_path):
    pdf = pdfgen.text_pdf(tmp_path / "award.pdf", [
        ["The Ministry awarded the contract to M/s Alpha Ltd through direct contracting",
         "without advertisement."],
        ["Page two (with parentheses) and a backslash \\ too."],
    ])
    r = process_document(DocTask(pdf, "case/award.pdf", "case"), ScanOptions(ocr=OcrMode.AUTO))
    assert r.info.error is None
    assert r.info.pages == 2 and r.info.ocr_pages == () and r.info.unread_pages == ()
    assert r.info.path == "case/award.pdf" and len(r.info.sha256) == 64
    assert any(f.kind == "tendering-waived" for f in r.facts)
    assert all(e.document == "case/award.pdf" and not e.ocr for f in r.facts for e in f.evidence)
    assert {"open", "text", "facts"} <= dict(r.timings).keys()


def test_a_pdf_without_pages_is_empty(tmp_path):
    path = pdfgen.write_pdf(tmp_path / "nopages.pdf", [b"<< /Type /Catalog /Pages 2 0 R >>",
                                                       b"<< /Type /Pages /Kids [] /Count 0 >>"])
    r = process_document(DocTask(path, "nopages.pdf", "."), ScanOptions())
    assert r.info.error is not None and r.info.error.code == "empty"


def test_scanner_stamp_over_a_page_image_is_not_taken_for_text(tmp_path):
    """A scan whose only text is the scanner's stamp ("Scanned with CamScanner")
    counts as image-only, not as a page of text."""
    src = pdfgen.text_pdf(tmp_path / "src.pdf", [["Order sheet of the court."]])
    stamped = pdfgen.image_only_pdf(tmp_path / "stamped.pdf", src, dpi=72, stamp="Scanned with CamScanner")
    off = process_document(DocTask(stamped, "stamped.pdf", "."), ScanOptions(ocr=OcrMode.OFF))
    assert off.info.unread_pages == (1,)
    assert off.info.unread_reason == "image-only page; OCR off"
    auto = process_document(DocTask(stamped, "stamped.pdf", "."), ScanOptions(ocr=OcrMode.AUTO, ocr_lang="zzz"))
    assert auto.info.unread_pages == (1,)
    assert auto.info.unread_reason in ("image-only page: OCR language 'zzz' not installed",
                                       "image-only page: tesseract not installed")


@pytest.mark.skipif(__import__("shutil").which("tesseract") is None, reason="tesseract is not installed")
def test_scanner_stamp_page_is_ocrd(tmp_path):
    src = pdfgen.text_pdf(tmp_path / "src.pdf", [["Order sheet of the court of appeal."]], size=16)
    stamped = pdfgen.image_only_pdf(tmp_path / "stamped.pdf", src, dpi=200, stamp="Scanned with CamScanner")
    r = process_document(DocTask(stamped, "stamped.pdf", "."), ScanOptions(ocr=OcrMode.AUTO))
    assert r.info.ocr_pages == (1,)


# --- the pool -------------------------------------------------------------------------------------


def test_results_come_in_input_order_while_workers_run_ahead(tmp_path):
    slow = pdfgen.slow_pdf(tmp_path / "slow.pdf", pages=3)
    quick = [pdfgen.text_pdf(tmp_path / f"q{i}.pdf", [[f"Quick document number {i}."]]) for i in range(6)]
    tasks = [DocTask(slow, "slow.pdf", ".")] + [DocTask(p, p.name, ".") for p in quick]
    seen: list[str] = []
    results = list(process_documents(tasks, ScanOptions(use_cache=False, jobs=2, ocr=OcrMode.OFF),
                                     on_done=lambda task, result: seen.append(task.rel)))
    assert [r.info.path for r in results] == [t.rel for t in tasks] == seen
    assert all(r.info.error is None for r in results)


def test_jobs_zero_means_every_cpu():
    import os

    assert ScanOptions(jobs=0).workers == (os.cpu_count() or 1)
    assert ScanOptions(jobs=3).workers == 3


def test_a_single_document_pays_little_for_its_worker(tmp_path):
    pdf = pdfgen.text_pdf(tmp_path / "one.pdf", [["A short document."]])
    t0 = time.perf_counter()
    list(process_documents([DocTask(pdf, "one.pdf", ".")], ScanOptions(use_cache=False, jobs=1, ocr=OcrMode.OFF)))
    assert time.perf_counter() - t0 < 3.0


# --- the progress bar ------------------------------------------------------------------------------


def _discovery(tasks):
    from auditor.pipeline import CaseSpec, Discovery

    return Discovery(cases=[CaseSpec(".", tuple(tasks))])


def _result(rel: str, pages: int) -> DocumentResult:
    from auditor.models import DocumentInfo

    return DocumentResult(DocumentInfo(path=rel, sha256="0" * 64, pages=pages, ocr_pages=(1,)))


def test_progress_bar_on_a_terminal(tmp_path):
    from rich.console import Console

    from auditor.progress import ScanProgress

    pdfs = [pdfgen.text_pdf(tmp_path / f"d{i}.pdf", [["x" * 40]]) for i in range(2)]
    tasks = [DocTask(p, p.name, ".") for p in pdfs]
    out = io.StringIO()
    bar = ScanProgress(_discovery(tasks), console=Console(file=out, force_terminal=True, width=120))
    bar.start()
    bar.document_done(tasks[0], _result("d0.pdf", 3))
    bar.document_done(tasks[1], _result("d1.pdf", 4))
    assert (bar.docs, bar.pages, bar.ocr_pages) == (2, 7, 2)
    bar.stop()
    assert "2/2 docs" in out.getvalue() and "7 pages" in out.getvalue()


def test_progress_bar_is_silent_off_a_terminal(tmp_path):
    from rich.console import Console

    from auditor.progress import ScanProgress

    pdf = pdfgen.text_pdf(tmp_path / "d.pdf", [["x" * 40]])
    task = DocTask(pdf, "d.pdf", ".")
    out = io.StringIO()
    bar = ScanProgress(_discovery([task]), console=Console(file=out, force_terminal=False))
    bar.start()
    bar.document_done(task, _result("d.pdf", 1))
    bar.stop()
    assert out.getvalue() == ""


# --- the CLI contract -------------------------------------------------------------------------------


def test_cli_reports_unreadable_documents_and_scans_the_rest(tmp_path):
    root = tmp_path / "root"
    case = root / "case"
    case.mkdir(parents=True)
    good = pdfgen.text_pdf(case / "good.pdf", [["The contract was signed after open competitive bidding."]])
    pdfgen.empty_file(case / "empty.pdf")
    pdfgen.random_bytes(case / "random.pdf")
    pdfgen.encrypted(case / "locked.pdf", good)
    pdfgen.truncated(case / "cut.pdf", good)
    cmd = [sys.executable, "-m", "auditor", "scan", str(root), "--format", "json", "--no-cache",
           "--ocr", "off", "--jobs", "2", "--quiet"]
    proc = subprocess.run(cmd, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    report = json.loads(proc.stdout)
    docs = {d["path"]: d for c in report["cases"] for d in c["documents"]}
    assert {p: (d["error"] or {}).get("code") for p, d in docs.items()} == {
        "case/cut.pdf": "corrupt",
        "case/empty.pdf": "empty",
        "case/good.pdf": None,
        "case/locked.pdf": "encrypted",
        "case/random.pdf": "corrupt",  # unrecognisable bytes (issue 15)
    }
    assert docs["case/good.pdf"]["pages"] == 1
    strict = subprocess.run(cmd + ["--strict"], capture_output=True, timeout=120)
    assert strict.returncode == 3
    assert not list(case.glob("*.json")) and sorted(p.name for p in case.iterdir()) == \
        ["cut.pdf", "empty.pdf", "good.pdf", "locked.pdf", "random.pdf"]  # nothing written beside the inputs
