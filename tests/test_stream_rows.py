"""Register rows from tables drawn without ruling lines and from scanned tables
(``auditor.ingest.stream``), and merged cells of ruled tables.

The PDFs are made at test time with reportlab: the same register set in columns
without any line (born-digital), the same rendered to an image-only scan (read by
the real tesseract), and a ruled plan whose description cell spans several rows
under a header of two rows.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest

import pdfgen
from auditor.extract.facts import analyse
from auditor.models import PageSource
from auditor.options import OcrMode

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")

HEADERS = ["No", "Department", "Project Description", "Supplier", "Value", "Reason for Deviation", "Date"]
ROWS = [
    ["1", "Defence", "Supply and installation of chillers at the headquarters building", "Subbienet",
     "7 300 000.00", "Single source", "2018/04/11"],
    ["2", "Health", "Medical equipment", "Medtronic", "1 250 000.00", "Sole supplier", "2018/04/19"],
    ["3", "Water", "Emergency repair of the pumps at the main station", "Sulzer Pumps", "2 400 000.00",
     "Emergency", "2018/05/02"],
    ["4", "Transport", "Road signs", "Signco", "380 000.00", "Tender waived", "2018/05/14"],
    ["5", "Treasury", "Audit software licences", "CaseWare", "910 000.00", "Single source", "2018/06/01"],
    ["6", "Energy", "Consulting services", "Deloitte", "4 100 000.00", "Competitive bidding", "2018/06/20"],
]
PROSE = ("The deviations above were reported to the Treasury on 2018/07/15 in terms of the instruction note "
         "of 2016 and the amounts of R 1 000 000.00 are inclusive of tax.")


def _unruled_pdf(path: Path) -> Path:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    style = getSampleStyleSheet()["BodyText"]
    data = [HEADERS] + [[Paragraph(c, style) if len(c) > 30 else c for c in r] for r in ROWS]
    table = Table(data, colWidths=[30, 90, 190, 100, 90, 130, 80])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 6)]))
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), invariant=1)
    doc.build([Paragraph("Report of deviations, first quarter", getSampleStyleSheet()["Heading2"]), table,
               Spacer(1, 40), Paragraph(PROSE, style)])
    return path


def _letter_pdf(path: Path) -> Path:
    """Prose with amounts, dates and column words on every line, but no columns."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    style = getSampleStyleSheet()["BodyText"]
    doc = SimpleDocTemplate(str(path), pagesize=A4, invariant=1)
    doc.build([Paragraph(f"{i}. The department paid the supplier R {i} 100 000.00 on 2018/05/{10 + i}; the "
                         f"reason and the value of the project were stated in the description of item {i}.", style)
               for i in range(1, 12)])
    return path


def _read(path: Path, ocr: OcrMode = OcrMode.OFF):
    return pdfgen.read_pages(path, ocr.value)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


@pytest.fixture(scope="module")
def unruled(tmp_path_factory):
    return pdfgen.read_and_analyse(_unruled_pdf(tmp_path_factory.mktemp("stream") / "deviations-unruled.pdf"))


def test_unruled_table_has_no_ruling_lines(unruled) -> None:
    from auditor.ingest.pdf import open_pdf
    from auditor.ingest.tables import find_tables

    path, _, _ = unruled
    pdf = open_pdf(path)
    try:
        page = pdf[0]
        assert find_tables(page, page.get_textpage()) == []  # the ruled reading finds nothing here
    finally:
        pdf.close()


def test_unruled_table_gives_one_row_per_procurement(unruled) -> None:
    _, pages, _ = unruled
    rows = pages[0].rows
    assert len(rows) == len(ROWS)
    assert rows[0].headers == tuple(HEADERS)
    for row, want in zip(rows, ROWS):
        assert [" ".join(c.split()) for c in row.cells] == want
    # a wrapped description is one cell of its row, its lines kept
    assert "\n" in rows[0].cells[2]
    # the prose under the table belongs to no row, and is still read as text
    assert all("instruction" not in c for r in rows for c in r.cells)
    assert "instruction note" in pages[0].text


def test_unruled_rows_are_verbatim_on_the_page(unruled) -> None:
    import pdfplumber

    path, pages, _ = unruled
    with pdfplumber.open(path) as doc:
        text = _norm(doc.pages[0].extract_text())
    assert len(pages[0].rows) == len(ROWS)
    for row in pages[0].rows:
        for cell in row.cells:
            for line in cell.split("\n"):
                assert _norm(line) in text, line
        x0, top, x1, bottom = row.bbox
        assert 0 < x0 < x1 and 0 < top < bottom


def test_unruled_register_findings_quote_single_rows(unruled) -> None:
    _, _, analysis = unruled
    waived = {f.get("supplier"): f for f in analysis.facts if f.kind == "tendering-waived" and f.asserted}
    ev = waived["Subbienet"].evidence[0]
    assert ev.row == 1
    assert ev.quote == ("No: 1 · Department: Defence · Project Description: Supply and installation of chillers at the "
                        "headquarters building · Supplier: Subbienet · Value: 7 300 000.00 · "
                        "Reason for Deviation: Single source · Date: 2018/04/11")
    assert "Deloitte" not in waived  # competitive bidding is no waiver
    # no fact quotes a run of cells of several rows
    for f in analysis.facts:
        if f.kind in ("tendering-waived", "urgency-invoked"):
            assert f.evidence[0].row is not None, f.evidence[0].quote


def test_prose_with_amounts_and_column_words_is_not_a_table(tmp_path) -> None:
    from auditor.ingest.tables import looks_like_register

    pages = _read(_letter_pdf(tmp_path / "letter.pdf"))
    assert looks_like_register(pages[0].text)  # a candidate: it pays the word pass, and finds no columns
    assert all(not p.rows and not p.table_spans for p in pages)


def test_stream_finder_needs_named_columns() -> None:
    from auditor.ingest.stream import Word, find_stream_tables

    # words in three columns, but the header names nothing a register holds
    words = []
    for r, line in enumerate([["Alpha", "Beta", "Gamma"]] + [[f"x{r}", f"{r}00.00", f"2018/01/{r:02d}"] for r in range(1, 9)]):
        for c, text in enumerate(line):
            words.append(Word(50 + 150 * c, 100 + 20 * r, 50 + 150 * c + 6 * len(text), 110 + 20 * r, text))
    assert find_stream_tables(words) == []


# --- scanned ---------------------------------------------------------------------------


@needs_tesseract
def test_scanned_table_gives_rows_from_tesseract_word_boxes(unruled, tmp_path) -> None:
    path, _, _ = unruled
    scan = pdfgen.image_only_pdf(tmp_path / "deviations-scan.pdf", path, dpi=300)
    pages = _read(scan, OcrMode.AUTO)
    assert pages[0].source is PageSource.OCR
    rows = pages[0].rows
    assert len(rows) == len(ROWS)
    assert [" ".join(h.split()) for h in rows[0].headers] == HEADERS
    suppliers = [" ".join(r.cells[3].split()) for r in rows]
    assert suppliers == [r[3] for r in ROWS]
    first = dict(rows[0].pairs())
    assert first["Reason for Deviation"] == "Single source" and first["Value"] == "7 300 000.00"
    assert pages[0].table_spans  # the table's text lines are not read as sentences
    analysis = analyse("deviations-scan.pdf", "0" * 64, pages)
    waived = [f for f in analysis.facts if f.kind == "tendering-waived" and f.asserted]
    assert waived and all(f.evidence[0].row is not None for f in waived)
    assert any(f.evidence[0].quote.startswith("No: 1 · Department: Defence") for f in waived)


# --- ruled: merged cells ------------------------------------------------------------------


def _plan_pdf(path: Path) -> Path:
    """A ruled plan: a group header over two sub-headers, and a project cell merged
    down over the rows of its two end-users (as the Philippine APPs are set)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    data = [
        ["Code", "Program / Project", "End-User", "Mode of Procurement", "Estimated Budget", ""],
        ["", "", "", "", "Total", "MOOE"],
        ["A-1", "Books and Journals", "PS", "Negotiated Procurement", "19,760.00", "19,760.00"],
        ["", "", "IMS", "Direct Contracting", "915,000.00", "915,000.00"],
        ["A-2", "Office Supplies", "MMD", "Public Bidding", "1,894,396.00", "1,894,396.00"],
        ["A-3", "Insecticides", "IDO", "Public Bidding", "220,760,966.00", "220,760,966.00"],
        ["A-4", "Vaccines", "EPI", "Negotiated Procurement", "1,084,941,000.00", "1,084,941,000.00"],
        ["A-5", "Media Placement", "NCHP", "Direct Contracting", "59,000,000.00", "59,000,000.00"],
        ["A-6", "General Merchandise", "HEMS", "Public Bidding", "4,866,000.00", "4,866,000.00"],
    ]
    table = Table(data, colWidths=[50, 160, 80, 150, 100, 100])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("SPAN", (4, 0), (5, 0)),  # the group header
        *[("SPAN", (c, 0), (c, 1)) for c in range(4)],  # headers over both header rows
        ("SPAN", (0, 2), (0, 3)), ("SPAN", (1, 2), (1, 3)),  # the project over its two end-users
    ]))
    SimpleDocTemplate(str(path), pagesize=landscape(A4), invariant=1).build([table])
    return path


def test_ruled_merged_cells_keep_their_text_and_cover_their_rows_and_two_row_headers_join(tmp_path) -> None:
    pages = _read(_plan_pdf(tmp_path / "plan.pdf"))
    rows = pages[0].rows
    assert rows, "the ruled plan gives rows"
    assert rows[0].headers == ("Code", "Program / Project", "End-User", "Mode of Procurement",
                               "Estimated Budget Total", "Estimated Budget MOOE")
    books = dict(rows[0].pairs())
    assert books["Program / Project"] == "Books and Journals" and books["Code"] == "A-1"
    # the second end-user's row is of the same project, and says so
    assert dict(rows[1].pairs()) == {"Code": "A-1", "Program / Project": "Books and Journals", "End-User": "IMS",
                                     "Mode of Procurement": "Direct Contracting",
                                     "Estimated Budget Total": "915,000.00", "Estimated Budget MOOE": "915,000.00"}
    assert [dict(r.pairs()).get("Code") for r in rows] == ["A-1", "A-1", "A-2", "A-3", "A-4", "A-5", "A-6"]
