"""OCR of pages without a usable text layer, with the real tesseract binary.

Image-only and private-use-garbage PDFs are generated at test time; tests that
need tesseract are skipped only when it is not installed (CI installs it).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import pdfgen
from auditor.ingest import ocr
from auditor.ingest.pool import process_documents
from auditor.ingest.worker import DocTask, process_document
from auditor.models import DocumentResult, PageSource
from auditor.options import OcrMode, ScanOptions

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")

SENTENCE = "The Ministry awarded the contract without open competitive bidding."
LINES = [SENTENCE, "Approved budget for the contract: Rs. 750,000 only."]


def words(text: str) -> str:
    return " ".join(text.split()).lower()


def scan(folder: Path, names: list[str], **opts) -> list[DocumentResult]:
    options = ScanOptions(use_cache=False, **opts)
    return list(process_documents([DocTask(folder / n, n, ".") for n in names], options))


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("ocr")
    text = pdfgen.text_pdf(d / "born-digital.pdf", [LINES], size=14)
    pdfgen.image_only_pdf(d / "scan.pdf", text, dpi=300)
    pdfgen.private_use_pdf(d / "garbage-layer.pdf", ["THE QUICK BROWN FOX JUMPS", "OVER THE LAZY DOG"])
    pdfgen.blank_pdf(d / "blank.pdf")
    return d


# --- text-layer decisions (no tesseract needed) ---------------------------------


def test_ocr_off_leaves_image_only_pages_unread_with_a_note(docs):
    r = process_document(DocTask(docs / "scan.pdf", "scan.pdf", "."), ScanOptions(ocr=OcrMode.OFF))
    assert r.info.error is None
    assert r.info.unread_pages == (1,)
    assert r.info.ocr_pages == ()
    assert r.info.unread_reason == "image-only page; OCR off"


def test_ocr_off_names_a_garbage_text_layer(docs):
    r = process_document(DocTask(docs / "garbage-layer.pdf", "g.pdf", "."), ScanOptions(ocr=OcrMode.OFF))
    assert r.info.unread_pages == (1,)
    assert "private-use" in r.info.unread_reason and "OCR off" in r.info.unread_reason


def test_blank_page_is_unread_without_running_ocr(docs):
    r = process_document(DocTask(docs / "blank.pdf", "blank.pdf", "."), ScanOptions(ocr=OcrMode.AUTO))
    assert r.info.unread_pages == (1,)
    assert r.info.unread_reason == "blank page"
    assert dict(r.timings).get("ocr", 0.0) == 0.0


def test_without_tesseract_the_scan_runs_and_says_why(docs, monkeypatch, tmp_path):
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    ocr.forget()
    try:
        results = scan(docs, ["scan.pdf", "born-digital.pdf"], jobs=1, ocr=OcrMode.AUTO)
    finally:
        monkeypatch.undo()
        ocr.forget()
    scan_r, text_r = results
    assert scan_r.info.error is None
    assert scan_r.info.unread_pages == (1,)
    assert scan_r.info.unread_reason == "image-only page: tesseract not installed"
    assert text_r.info.error is None and text_r.info.unread_pages == ()


def test_parse_tsv_rebuilds_lines_and_paragraphs():
    head = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        "5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t96\tDirect",
        "5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t90\tcontracting",
        "4\t1\t1\t1\t2\t0\t0\t0\t1\t1\t-1\t",
        "5\t1\t1\t1\t2\t1\t0\t0\t1\t1\t80\twas",
        "5\t1\t1\t1\t2\t2\t0\t0\t1\t1\t70\tused.",
        "5\t1\t2\t1\t1\t1\t0\t0\t1\t1\t50\tNext",
        "5\t1\t2\t1\t1\t2\t0\t0\t1\t1\t95\t ",
    ]
    got = ocr.parse_tsv("\n".join([head, *rows]))
    assert got.text == "Direct contracting\nwas used.\n\nNext"
    assert got.words == 5
    assert 50 < got.confidence < 96


# --- with tesseract ---------------------------------------------------------------------


@needs_tesseract
def test_image_only_page_is_ocrd_and_the_sentence_recovered(docs):
    r = scan(docs, ["scan.pdf"], jobs=1, ocr=OcrMode.AUTO)[0]
    assert r.info.error is None
    assert r.info.ocr_pages == (1,) and r.info.unread_pages == ()
    got = words(" ".join(e.quote for f in r.facts for e in f.evidence))
    # the facts quote OCR'd text, marked as such
    assert r.facts and all(e.ocr for f in r.facts for e in f.evidence)
    assert "awarded the contract without open competitive bidding" in got


@needs_tesseract
def test_ocr_text_matches_the_original_words(docs):
    from auditor.ingest.pdf import open_pdf, render_gray

    pdf = open_pdf(docs / "scan.pdf")
    try:
        page = pdf[0]
        image = render_gray(page, 300)
        page.close()
    finally:
        pdf.close()
    found = ocr.recognise(image.image, "eng", image.dpi)
    assert words(SENTENCE) in words(found.text)
    assert found.confidence > 80


@needs_tesseract
def test_private_use_text_layer_is_ocrd(docs):
    r = scan(docs, ["garbage-layer.pdf"], jobs=1, ocr=OcrMode.AUTO)[0]
    assert r.info.ocr_pages == (1,) and r.info.unread_pages == ()
    page_text = _pages(docs / "garbage-layer.pdf", OcrMode.AUTO)[0]
    assert page_text.source is PageSource.OCR
    assert "quick brown fox" in words(page_text.text)


@needs_tesseract
def test_force_ocrs_born_digital_pages_too(docs):
    pages = _pages(docs / "born-digital.pdf", OcrMode.FORCE)
    assert [p.source for p in pages] == [PageSource.OCR]
    assert words(SENTENCE) in words(pages[0].text)


@needs_tesseract
def test_missing_language_pack_is_named(docs):
    r = scan(docs, ["scan.pdf"], jobs=1, ocr=OcrMode.AUTO, ocr_lang="eng+xyz")[0]
    assert r.info.error is None
    assert r.info.unread_pages == (1,)
    assert r.info.unread_reason == "image-only page: OCR language 'xyz' not installed"


def _pages(path: Path, mode: OcrMode):
    from auditor.ingest.worker import _Reader

    return _Reader(ScanOptions(ocr=mode), None, {}).read(path)


def test_pipeline_reports_unread_pages_once(docs):
    from auditor.pipeline import run_scan

    folder = docs / "case"
    folder.mkdir(exist_ok=True)
    for name in ("scan.pdf", "born-digital.pdf"):
        target = folder / name
        if not target.exists():
            os.link(docs / name, target)
    result = run_scan([folder], ScanOptions(ocr=OcrMode.OFF, use_cache=False, jobs=1), [])
    notes = [n for n in result.notes if "OCR off" in n]
    assert len(notes) == 1 and "scan.pdf" in notes[0]
