"""The fixture PDFs are current and reproducible, and agree with fixtures/expected.yaml.

These tests check the fixtures themselves, not the auditor: that
``fixtures/make_fixtures.py --check`` passes, that every case folder holds the
documents listed for it, that each expected quote stands on the page it names
(in the pypdfium2 text layer, whitespace-normalised), and that expected.yaml
speaks only of the ten rule ids of the contract.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import CONTRACT_RULE_IDS

pdfium = pytest.importorskip("pypdfium2")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
CASES = FIXTURES / "cases"
EXPECTED_FILE = FIXTURES / "expected.yaml"
EXPECTED: dict = yaml.safe_load(EXPECTED_FILE.read_text(encoding="utf-8"))

RULE_IDS = CONTRACT_RULE_IDS
CASE_KEYS = {"description", "documents", "fire", "silent", "insufficient", "ocr", "scanned_from"}
ITEM_KEYS = {"document", "page", "contains", "note"}


def normalise(text: str) -> str:
    return " ".join(text.split())


@functools.lru_cache(maxsize=None)
def page_texts(pdf: Path) -> tuple[str, ...]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return tuple(normalise(page.get_textpage().get_text_range()) for page in doc)
    finally:
        doc.close()


def evidence_items() -> list[tuple[str, str, dict]]:
    items = []
    for case, spec in EXPECTED.items():
        for rule, wanted in (spec.get("fire") or {}).items():
            for item in wanted:
                items.append((case, rule, item))
    return items


def text_layer_source(case: str, document: str) -> Path:
    """The PDF whose text layer carries the words of ``case/document``."""
    spec = EXPECTED[case]
    if spec.get("ocr"):
        return CASES / spec["scanned_from"][document]
    return CASES / case / document


# --------------------------------------------------------------------------
# The fixtures are current and reproducible
# --------------------------------------------------------------------------


def test_make_fixtures_check_passes():
    pytest.importorskip("reportlab")
    result = subprocess.run(
        [sys.executable, str(FIXTURES / "make_fixtures.py"), "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, (
        "fixtures are stale or not reproducible; run `python fixtures/make_fixtures.py`\n"
        + result.stdout + result.stderr
    )


def test_make_fixtures_check_detects_a_changed_pdf(tmp_path):
    pytest.importorskip("reportlab")
    out = tmp_path / "cases"
    script = str(FIXTURES / "make_fixtures.py")
    subprocess.run([sys.executable, script, "--out", str(out)], check=True, capture_output=True, timeout=300)
    victim = out / "clean-open-tender" / "tender-notice.pdf"
    victim.write_bytes(victim.read_bytes().replace(b"35", b"36", 1) + b"\n")
    (out / "stray").mkdir()
    (out / "stray" / "orphan.pdf").write_bytes(b"%PDF-1.4\n")
    result = subprocess.run([sys.executable, script, "--check", "--out", str(out)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "differs: clean-open-tender/tender-notice.pdf" in result.stdout
    assert "stale: stray/orphan.pdf" in result.stdout


# --------------------------------------------------------------------------
# expected.yaml is well-formed and speaks only of the contract's rule ids
# --------------------------------------------------------------------------


def test_expected_mentions_only_contract_rule_ids():
    mentioned = set()
    for spec in EXPECTED.values():
        mentioned |= set(spec.get("fire") or {})
        mentioned |= set(spec.get("silent") or [])
        mentioned |= set(spec.get("insufficient") or [])
    assert mentioned <= RULE_IDS, f"unknown rule ids: {sorted(mentioned - RULE_IDS)}"
    assert mentioned == RULE_IDS, f"rule ids never exercised: {sorted(RULE_IDS - mentioned)}"


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_case_accounts_for_every_rule_exactly_once(case):
    spec = EXPECTED[case]
    assert set(spec) <= CASE_KEYS, f"unknown keys {sorted(set(spec) - CASE_KEYS)}"
    assert spec.get("description"), "every case needs a description"
    fire = list(spec.get("fire") or {})
    silent = list(spec.get("silent") or [])
    insufficient = list(spec.get("insufficient") or [])
    listed = fire + silent + insufficient
    duplicates = sorted({r for r in listed if listed.count(r) > 1})
    assert not duplicates, f"rules listed more than once: {duplicates}"
    assert set(listed) == RULE_IDS, f"rules not accounted for: {sorted(RULE_IDS - set(listed))}"
    for rule, items in (spec.get("fire") or {}).items():
        assert items, f"{rule}: a rule that must fire needs at least one evidence item"
        for item in items:
            assert set(item) <= ITEM_KEYS, f"{rule}: unknown keys {sorted(set(item) - ITEM_KEYS)}"
            assert {"document", "page", "contains"} <= set(item), f"{rule}: incomplete item {item}"
            assert isinstance(item["page"], int) and item["page"] >= 1
            assert item["document"] in spec["documents"], f"{rule}: {item['document']} not in documents"
            assert normalise(item["contains"]) == item["contains"], "contains must be whitespace-normalised"


def test_every_rule_has_a_positive_and_a_lookalike_case():
    for rule in sorted(RULE_IDS):
        firing = [c for c, s in EXPECTED.items() if rule in (s.get("fire") or {})]
        silent = [c for c, s in EXPECTED.items() if rule in (s.get("silent") or [])]
        assert firing, f"no case fires {rule}"
        assert silent, f"no case keeps {rule} silent on evaluable facts"


def test_clean_control_fires_nothing():
    spec = EXPECTED["clean-open-tender"]
    assert not spec.get("fire")
    assert set(spec["silent"]) == RULE_IDS


# --------------------------------------------------------------------------
# The case folders hold the documents, and the quotes stand on their pages
# --------------------------------------------------------------------------


def test_every_case_folder_is_described():
    folders = {p.name for p in CASES.iterdir() if p.is_dir()}
    assert folders == set(EXPECTED), (
        f"folders without expectations: {sorted(folders - set(EXPECTED))}; "
        f"expectations without folders: {sorted(set(EXPECTED) - folders)}"
    )


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_case_folder_holds_its_documents(case):
    folder = CASES / case
    assert folder.is_dir(), f"missing case folder {folder}"
    present = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert present == sorted(EXPECTED[case]["documents"])
    for name in present:
        head = (folder / name).read_bytes()[:5]
        assert head == b"%PDF-", f"{name} is not a PDF"


@pytest.mark.parametrize(
    ("case", "rule", "item"),
    evidence_items(),
    ids=[f"{c}:{r}:{i['document']}:p{i['page']}" for c, r, i in evidence_items()],
)
def test_expected_quote_stands_on_its_page(case, rule, item):
    source = text_layer_source(case, item["document"])
    pages = page_texts(source)
    page = item["page"]
    assert page <= len(pages), f"{source.name} has only {len(pages)} pages"
    assert item["contains"] in pages[page - 1], (
        f"{item['contains']!r} not on page {page} of {source.relative_to(CASES)}; "
        f"found on pages {[n for n, t in enumerate(pages, 1) if item['contains'] in t]}"
    )


@pytest.mark.parametrize("case", sorted(c for c, s in EXPECTED.items() if s.get("ocr")))
def test_scanned_case_is_image_only(case):
    import pypdfium2.raw as pdfium_c

    spec = EXPECTED[case]
    for document, source in spec["scanned_from"].items():
        scan = pdfium.PdfDocument(CASES / case / document)
        original = pdfium.PdfDocument(CASES / source)
        try:
            assert len(scan) == len(original)
            for page in scan:
                assert page.get_textpage().count_chars() == 0, "the scan must have no text layer"
                images = list(page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)))
                assert len(images) == 1
                width_px, height_px = images[0].get_px_size()
                width_pt, height_pt = page.get_size()
                assert round(width_px / width_pt * 72) == 200  # 200 dpi
                assert round(height_px / height_pt * 72) == 200
        finally:
            scan.close()
            original.close()


def test_xss_probe_carries_its_payload_verbatim():
    text = page_texts(CASES / "xss-probe" / "tender-complaint.pdf")[0]
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(2)>" in text
