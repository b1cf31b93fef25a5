"""The real documents in ../shared/corpus/real (not part of this repository):
every PDF is read without a crash, every page is accounted for, and the court
findings the judgments really contain are found.  Skipped where the corpus is
absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.options import OcrMode, ScanOptions
from auditor.pipeline import run_scan
from auditor.ruleset.schema import builtin_rules_dir, load_rules

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    rules, _ = load_rules([builtin_rules_dir()])
    options = ScanOptions(ocr=OcrMode.OFF, use_cache=False, cache_dir=tmp_path_factory.mktemp("c"))
    return run_scan([CORPUS], options, rules)


def test_every_pdf_is_read(result) -> None:
    docs = result.documents
    assert len(docs) == len(list(CORPUS.glob("*.pdf")))
    assert [d.path for d in docs if d.error] == []
    for d in docs:
        assert d.pages >= 1
        # a page without usable text is listed, with the reason
        assert all(1 <= p <= d.pages for p in d.unread_pages)
        if d.unread_pages:
            assert d.unread_reason
    assert result.notes, "unread pages are reported once, in the run notes"


def test_findings_rest_on_evidence(result) -> None:
    for f in result.iter_findings():
        assert f.evidence and all(e.quote and e.page >= 1 for e in f.evidence)


def test_judgments_holdings_are_found() -> None:
    """Each procurement judgment scanned on its own: the court's holding is found."""
    rules, _ = load_rules([builtin_rules_dir()])
    options = ScanOptions(ocr=OcrMode.OFF, use_cache=False)
    for name, needle in (
        ("pk-sc-judgment__judgement_C.P.9-2006.pdf", "declared as void"),  # Steel Mills privatisation
        ("pk-sc-judgment__judgement_C.A.149-2010.pdf", "not sustainable"),  # Lakhra power plant lease
        ("pk-sc-judgment__judgement_S.M.C.11-2011.pdf", "Chairman NAB is directed"),  # police land procurement
    ):
        res = run_scan([CORPUS / name], options, rules)
        court = [f for f in res.iter_findings() if f.rule_id == "court-found-irregularity"]
        assert court, name
        assert any(needle.lower() in e.quote.lower() for f in court for e in f.evidence), (name, [e.quote[:80] for f in court for e in f.evidence])


def test_non_procurement_judgments_stay_quiet() -> None:
    """A military-courts judgment and a tax reference are not procurement cases."""
    rules, _ = load_rules([builtin_rules_dir()])
    options = ScanOptions(ocr=OcrMode.OFF, use_cache=False)
    for name in ("pk-sc-judgment__judgement_C.P.L.A.842-2016.pdf", "pk-ihc-judgment__I.T.R_No.01_of_2024_638816227809670619.pdf"):
        res = run_scan([CORPUS / name], options, rules)
        assert [f.rule_id for f in res.iter_findings()] == [], name
