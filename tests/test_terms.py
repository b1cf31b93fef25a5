"""The contract term sheet (auditor/terms.py, auditor/extract/roles.py, `auditor terms`).

On the Safe City fixture every term its documents state is in the sheet, each with a
quote that stands on the page it cites (checked against the page's own text), and
nothing the documents do not state.  The roles come from clause structure: unit
tests of the parsers below.  On the labelled real corpus `auditor terms --format csv`
loads in pandas with one row per case (skipped without ../shared).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.extract import patterns, roles
from auditor.models import Evidence, Fact, Status
from auditor.terms import TERM_NAMES, build, sheet_dict
from pdfgen import page_words

ROOT = Path(__file__).resolve().parent.parent
SAFE_CITY = ROOT / "fixtures" / "cases" / "islamabad-safe-city"
LABELLED = ROOT.parent / "shared" / "corpus" / "labelled"
if not LABELLED.is_dir():
    LABELLED = Path("/work/shared/corpus/labelled")


@pytest.fixture(scope="module")
def cues():
    return patterns.load().cues


@pytest.fixture(scope="module")
def safe_city():
    """A real in-process scan of the Safe City fixture (OCR off, no cache)."""
    from auditor.options import OcrMode, ScanOptions
    from auditor.pipeline import run_scan
    from auditor.ruleset.schema import builtin_rules_dir, load_rules

    if not SAFE_CITY.is_dir():
        pytest.skip("fixtures not generated (python fixtures/make_fixtures.py)")
    rules, _ = load_rules([builtin_rules_dir()])
    with contextlib.chdir(SAFE_CITY.parent):
        return run_scan([Path(SAFE_CITY.name)], ScanOptions(ocr=OcrMode.OFF, jobs=1, use_cache=False), rules)


@pytest.fixture(scope="module")
def sheet(safe_city):
    from auditor.report import Format, render

    report = json.loads(render(safe_city, Format.JSON))
    (case,) = report["cases"]
    return case["terms"]


def _page_text(document: str, page: int) -> str:
    return page_words(str(SAFE_CITY.parent / document), page)  # a document's path starts with its case id


def _flat(text: str) -> str:
    return " ".join(text.split())


def _entries(sheet: dict) -> list[tuple[str, dict]]:
    out = []
    for name in TERM_NAMES + ("conflicts",):
        value = sheet[name]
        for entry in value if isinstance(value, list) else [value] if value else []:
            out.append((name, entry))
    return out


# --- the Safe City fixture ----------------------------------------------------------------


def test_every_stated_term_is_in_the_sheet(sheet) -> None:
    assert sheet["buyer"]["name"] == "Ministry of Interior"
    (vendor,) = sheet["vendors"]
    assert vendor["name"] == "Sino-Pak Vision Technologies Company Limited"
    # every spelling met is one firm
    assert {"M/s Sino Pak Vision Technologies Company Limited", "M/s Sino-Pak Vision Technologies Co. Ltd"} <= set(vendor["aliases"])
    (lender,) = sheet["lenders"]
    assert lender["name"] == "Export-Import Bank of China"
    assert sheet["borrower"]["name"] == "Government of the Islamic Republic of Pakistan"
    cv = sheet["contract_value"]
    assert (cv["currency"], cv["value"], cv["usd"]) == ("USD", 124_719_018.0, 124_719_018.0)
    assert cv["rate"] == 1.0 and cv["rate_year"] == 2011
    kinds = {(e["kind"], e["usd"]) for e in sheet["estimates"]}
    assert ("npv", 72_000_000.0) in kinds  # the Planning Commission's net present value
    assert ("estimate", 124_720_000.0) in kinds  # the PC-I's capital cost
    (loan,) = sheet["financing"]
    assert (loan["currency"], loan["value"]) == ("CNY", 850_000_000.0)
    assert loan["usd"] > 1e8 and loan["rate_year"] == 2010
    assert (loan["kind"], loan["lender"]) == ("concessional", "Export-Import Bank of China")
    assert (loan["interest_rate"], loan["tenor_years"], loan["grace_years"]) == (2.0, 20.0, 5.0)
    method = sheet["procurement_method"]
    assert method["method"] == "single source"
    assert method["provision"].startswith("section 21 of the Public Procurement Regulatory Authority Ordinance")
    dates = {(d["event"], d["date"]) for d in sheet["dates"]}
    assert dates == {
        ("proposal", "2009-09-02"), ("approval", "2010-10-22"), ("exemption", "2010-10-22"),
        ("loan-agreement", "2010-12-29"), ("award", "2011-01-12"), ("contract-signed", "2011-02-05"),
        ("judgment", "2012-11-14"),
    }
    assert [d["date"] for d in sheet["dates"]] == sorted(d["date"] for d in sheet["dates"])  # a timeline
    assert sheet["subject"]["text"] == "Islamabad Safe City Project"
    assert sheet["conflicts"] == []  # US$ 124,719,018 and US$ 124.72 million are one figure
    assert sheet["not_stated"] == []


def test_every_term_quotes_its_page(sheet) -> None:
    checked = 0
    for name, entry in _entries(sheet):
        assert entry["evidence"], name
        assert 0 < entry["confidence"] <= 1
        for ev in entry["evidence"]:
            page = _page_text(ev["document"], ev["page"])
            assert _flat(ev["quote"]) in page, (name, ev["document"], ev["page"], ev["quote"])
            checked += 1
    assert checked >= 20


def test_nothing_unstated_is_in_the_sheet(sheet) -> None:
    """Each value is written in the quotes it rests on: an amount verbatim, a party in
    one of its spellings, a date's year, a method's words."""
    for name, entry in _entries(sheet):
        quotes = " ".join(_flat(e["quote"]) for e in entry["evidence"])
        if "amount" in entry:
            assert _flat(entry["amount"]) in quotes, (name, entry["amount"])
        if "aliases" in entry:
            assert any(a in quotes or a.upper() in quotes.upper() for a in entry["aliases"]), (name, entry["aliases"])
        if name == "dates":
            assert entry["date"][:4] in quotes or entry["date"][2:4] in quotes, entry
        if name == "procurement_method":
            assert re.search(entry["method"].replace(" ", r"[- ]"), quotes, re.I)
            assert entry["provision"] in quotes
        if name == "subject":
            assert entry["text"].casefold() in quotes.casefold()
        for key in ("interest_rate", "tenor_years", "grace_years"):
            if key in entry:
                assert len(entry["evidence"]) >= 2  # the loan terms carry their own quotes


def test_a_case_without_documents_states_nothing() -> None:
    sheet = build((), {})
    assert sheet.not_stated == TERM_NAMES
    data = sheet_dict(sheet)
    assert data["buyer"] is None and data["vendors"] == [] and data["conflicts"] == []
    assert data["not_stated"] == list(TERM_NAMES)


def _money(document: str, value: float, role: str = "contract-price") -> Fact:
    quote = f"The contract price is US$ {value:,.0f}."
    return Fact("money", (Evidence(document, 1, quote),), 0.8, Status.ASSERTED,
                attrs=tuple(sorted({"value": value, "currency": "USD", "usd": value, "rate": 1.0, "rate_year": 2020,
                                    "role": role, "amount": f"US$ {value:,.0f}"}.items())))


def test_conflicts_are_the_rules_comparison() -> None:
    """Two award documents with prices 20 % apart: a conflict in the sheet, found by the
    same comparison that fires contract-value-mismatch; 1 % apart: neither."""
    from auditor.models import DocumentInfo
    from auditor.ruleset.engine import CaseView, evaluate_rule
    from auditor.ruleset.schema import builtin_rules_dir, load_rules

    rules, _ = load_rules([builtin_rules_dir()])
    (rule,) = [r for r in rules if r.id == "contract-value-mismatch"]
    for other, conflict in ((120_000_000.0, True), (101_000_000.0, False)):
        facts = (_money("a/award.pdf", 100_000_000.0), _money("a/contract.pdf", other))
        kinds = {"a/award.pdf": "award-letter", "a/contract.pdf": "contract"}
        sheet = build(facts, kinds)
        docs = tuple(DocumentInfo(p, "", 1, kind=k) for p, k in kinds.items())
        fired = bool(evaluate_rule(rule, CaseView("a", docs, facts)).findings)
        assert fired is conflict
        assert bool(sheet.conflicts) is conflict
        if conflict:
            (c,) = sheet.conflicts
            assert c.get("term") == "contract_value" and c.get("spread_pct") == 20.0
            assert {e.document for e in c.evidence} == set(kinds)


def test_an_unknown_role_stays_unknown() -> None:
    facts = (Fact("money", (Evidence("a/x.pdf", 1, "A sum of US$ 5 was noted."),), 0.8,
                  attrs=(("amount", "US$ 5"), ("currency", "USD"), ("value", 5.0))),)
    sheet = build(facts, {"a/x.pdf": "other"})
    assert sheet.contract_value is None and sheet.estimates == () and sheet.financing == ()


# --- roles from structure -------------------------------------------------------------------


def _role(text: str, cues) -> str | None:
    from auditor.extract.money import find_amounts

    amount = find_amounts(text)[-1]
    head = roles.amount_of(text, amount.start, cues)
    return None if head is None else head.role


@pytest.mark.parametrize("text, role", [
    ("The total contract price, inclusive of all duties and taxes payable outside Pakistan, is US$ 124,719,018", "contract-price"),
    ("presented the PC-I of the Islamabad Safe City Project at a capital cost of US$ 124.72 million", "estimate"),
    ("the project was to be financed out of a Government Concessional Loan of RMB 850,000,000", "loan-amount"),
    ("a loan facility in an aggregate principal amount not exceeding RMB 850,000,000", "loan-amount"),
    ("a performance guarantee of Rs. 5,000,000", roles.OTHER),
    ("for a contract price of US$ 124.7 million", "contract-price"),
    ("the net present value of the repayments is US$ 72 million", "npv-cost"),
    ("the cost of the contract was Rs. 12 billion", "contract-price"),
])
def test_amount_role_from_its_noun_phrase(cues, text, role) -> None:
    assert _role(text, cues) == role


def test_no_structure_no_role(cues) -> None:
    # "signed on <date> for" links the amount to a verb across a date: left to the cue reading
    assert _role("a contract agreement was signed on the 5th day of February, 2011 for US$ 124,719,018", cues) is None


def test_parties_from_their_relation_to_the_contract(cues) -> None:
    text = ('THIS AGREEMENT is made on the 29th day of December, 2010 between THE EXPORT-IMPORT BANK OF CHINA, '
            'a state-owned policy bank established under the laws of the People\'s Republic of China, having its '
            'registered office at Beijing (hereinafter referred to as "the Lender"), and THE GOVERNMENT OF THE '
            'ISLAMIC REPUBLIC OF PAKISTAN, acting through the Economic Affairs Division, Ministry of Finance, '
            'Islamabad (hereinafter referred to as "the Borrower").')
    found = {(p.name, p.role) for p in roles.find_parties(text, cues)}
    assert found == {("EXPORT-IMPORT BANK OF CHINA", "lender"), ("GOVERNMENT OF THE ISLAMIC REPUBLIC OF PAKISTAN", "borrower")}
    text = "the contract dated 05.02.2011 between the Ministry of Interior and M/s Sino-Pak Vision Technologies Co. Ltd is void"
    assert {(p.name, p.role) for p in roles.find_parties(text, cues)} == {
        ("Ministry of Interior", "buyer"), ("M/s Sino-Pak Vision Technologies Co. Ltd", "vendor")}
    # an appositive with a verb names the later party, not the project
    text = ('the Islamabad Safe City Project, a scheme for video surveillance, was awarded to M/s Sino-Pak Vision '
            'Technologies Co. Ltd (hereinafter "the company")')
    assert [(p.name, p.role) for p in roles.find_parties(text, cues)] == [("M/s Sino-Pak Vision Technologies Co. Ltd", "vendor")]
    assert roles.find_parties("The proposal was discussed at length in Islamabad.", cues) == []


def test_dated_events(cues) -> None:
    text = ("a letter of award was issued on 12.01.2011 and a contract agreement was signed on the 5th day of "
            "February, 2011 for US$ 124,719,018")
    assert [(e.event, e.date) for e in roles.find_events(text, cues, "judgment")] == [
        ("award", "2011-01-12"), ("contract-signed", "2011-02-05")]
    # the nearest phrase names another act: the date is the summary's, not the proposal's
    text = "On the basis of that proposal the Ministry moved a summary for the Prime Minister, dated 14th October, 2010"
    assert roles.find_events(text, cues, "judgment") == []
    assert [(e.event, e.date) for e in roles.find_events("Announced in open Court at Islamabad on 14.11.2012.", cues, "judgment")] == [
        ("judgment", "2012-11-14")]


def test_loan_terms(cues) -> None:
    text = "the terms of the concessional loan (interest at two per cent per annum, repayment over twenty years including a grace period of five years)"
    assert {(t.term, t.value) for t in roles.find_loan_terms(text, cues)} == {
        ("rate", 2.0), ("tenor_years", 20.0), ("grace_years", 5.0)}
    assert roles.find_loan_terms("a management fee of one half of one per cent (0.5%) of the Facility", cues) == []


def test_procurement_method(cues) -> None:
    assert [m.method for m in roles.find_methods("The contract is awarded on single-source basis.", cues)] == ["single source"]
    # competitive bidding that was dispensed with is not the method used
    assert roles.find_methods("the requirement of open competitive bidding was dispensed with", cues) == []
    (m,) = roles.find_methods("The Authority resorted to direct contracting under Rule 42(c)(v) of the Public Procurement Rules, 2004.", cues)
    assert (m.method, m.provision) == ("direct contracting", "Rule 42(c)(v) of the Public Procurement Rules, 2004")
    # "No." before a number is not a denial of the competitive bidding beside it
    (m,) = roles.find_methods("your bid against tender notice No. IWSA/WS/2021/07 under national competitive bidding", cues)
    assert m.method == "open competitive bidding"
    # an advertised tender is an open one; one that was not advertised is not
    assert [m.method for m in roles.find_methods("The tender was advertised in Dawn on 2 March 2021.", cues)] == ["open competitive bidding"]
    assert roles.find_methods("The tender was not advertised in any newspaper.", cues) == []
    # "limited competitive bidding" is limited, not open, competition
    assert [m.method for m in roles.find_methods("procured through limited competitive bidding", cues)] == ["limited"]


@pytest.mark.parametrize("text,counts", [
    ("Three bids were received by the closing date.", [3]),
    ("The Agency received four (04) sealed bids.", [4]),
    ("Bids from 5 firms were opened in public.", [5]),
    ("bids were received from twenty-one bidders", [21]),
    ("Only one bid was received against the notice.", [1]),
    ("a single offer was submitted", [1]),
    ("The number of bids received was 4.", [4]),
    ("seven firms submitted bids", [7]),
    ("3 bidders participated in the tender", [3]),
    # an expression of interest is not a bid
    ("8 parties responded/submitted their Expression of Interest", []),
    ("Only one bid.", [1]),
    # not a count of bids received
    ("At least three bids shall be received before evaluation.", []),
    ("a minimum of three quotations were not received", []),
    ("Only one bid was found substantially responsive.", []),
    ("Bids received after the deadline shall be rejected.", []),
    ("Bid security of two per cent of the bid price must accompany each bid.", []),
])
def test_bid_counts(cues, text, counts) -> None:
    assert [c.count for c in roles.find_bid_counts(text, cues)] == counts


def test_letter_of_award_addressee_is_the_vendor() -> None:
    from auditor.extract.facts import analyse
    from auditor.models import Page

    letter = ("GOVERNMENT OF PAKISTAN\nMINISTRY OF WATER RESOURCES\nNo. W-7/2021\nTo\nThe Chief Executive,\n"
              "M/s Rohtas Builders (Pvt.) Ltd.,\n14-B Industrial Area, Lahore.\nSubject: LETTER OF ACCEPTANCE\n"
              "Dear Sir,\nYour bid has been accepted for the Accepted Contract Amount of Rs 12 million.")
    parties = [(f.get("name"), f.get("role"), f.get("how")) for f in analyse("loa.pdf", "", [Page(1, letter)], kind="award-letter").facts
               if f.kind == "party"]
    assert ("M/s Rohtas Builders (Pvt.) Ltd", "vendor", "addressee of the letter of award") in parties
    # the same text is no letter of award in another kind of document, and a letter without a salutation has no address block
    for kind, text in (("minutes", letter), ("award-letter", letter.replace("Dear Sir,", ""))):
        facts = analyse("x.pdf", "", [Page(1, text)], kind=kind).facts
        assert not [f for f in facts if f.kind == "party" and f.get("how") == "addressee of the letter of award"], kind


# --- where people see it -------------------------------------------------------------------------


def test_memo_shows_key_facts_and_timeline(safe_city) -> None:
    from auditor.report import Format, render

    memo = render(safe_city, Format.MARKDOWN)
    box = memo[memo.index("#### Key facts"): memo.index("#### Timeline")]
    assert "| Buyer | Ministry of Interior" in box
    assert "| Contract value | US\\$ 124,719,018 |" in box  # "$" escaped: it renders as itself
    assert "2 % a year, 20 years, 5 years' grace" in box
    timeline = memo[memo.index("#### Timeline"):].split("\n\n")[1].splitlines()
    assert timeline[0].startswith("- **2009-09-02** — proposal")
    assert "- **2011-01-12** — award (" in timeline[4] and timeline[-1].startswith("- **2012-11-14** — judgment")
    # the box comes right after the case's heading, before its findings
    assert memo.index("### Case islamabad-safe-city") < memo.index("#### Key facts") < memo.index("#### 1.")


def test_html_shows_key_facts_and_timeline(safe_city) -> None:
    from auditor.report import Format, render

    html = render(safe_city, Format.HTML)
    section = html[html.index('<section id="terms">'): html.index("</section>", html.index('<section id="terms">'))]
    assert "<th>Vendor</th><td>Sino-Pak Vision Technologies Company Limited" in section
    assert '<ul class="timeline">' in section
    assert '<li><span class="date">2010-12-29</span> loan-agreement' in section
    assert "Export-Import Bank of China" in section


def test_table_key_terms_fit_100_columns(safe_city) -> None:
    from auditor.report import Format, RenderOptions, render

    text = render(safe_city, Format.TABLE, RenderOptions(width=100))
    start = text.index("Key terms")
    block = text[start: text.index("\n\n", start)]  # the block ends at the first blank line (any layout)
    assert all(len(line) <= 100 for line in block.splitlines())
    for label in ("Buyer", "Vendor", "Lender", "Borrower", "Contract value", "Financing", "Method", "Dates", "Subject"):
        assert re.search(rf"^\s+{label}\s", block, re.M), label
    assert "…" not in block


def test_terms_command_formats() -> None:
    import pandas as pd

    if not SAFE_CITY.is_dir():
        pytest.skip("fixtures not generated")
    runner = CliRunner()
    res = runner.invoke(app, ["terms", str(SAFE_CITY), "--format", "csv", "--ocr", "off", "--no-cache"])
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(io.StringIO(res.stdout))
    assert len(frame) == 1 and frame.loc[0, "case"] == "islamabad-safe-city"
    assert frame.loc[0, "procurement_method"] == "single source"
    assert float(frame.loc[0, "contract_value_usd"]) == 124_719_018.0
    res = runner.invoke(app, ["terms", str(SAFE_CITY), "--format", "json", "--ocr", "off", "--no-cache"])
    assert res.exit_code == 0
    (entry,) = json.loads(res.stdout)
    assert entry["terms"]["buyer"]["name"] == "Ministry of Interior"
    res = runner.invoke(app, ["terms", str(SAFE_CITY), "--format", "table", "--ocr", "off", "--no-cache", "--width", "100"])
    assert res.exit_code == 0 and "Key terms" in res.stdout
    res = runner.invoke(app, ["terms", str(SAFE_CITY), "--format", "xml"])
    assert res.exit_code == 2


def test_facts_table_is_readable_at_100_columns() -> None:
    if not SAFE_CITY.is_dir():
        pytest.skip("fixtures not generated")
    res = CliRunner().invoke(app, ["facts", str(SAFE_CITY), "--kind", "money", "--ocr", "off", "--no-cache", "--width", "100"])
    assert res.exit_code == 0
    assert "role=contract-price" in res.stdout
    assert "…" not in res.stdout
    assert all(len(line) <= 100 for line in res.stdout.splitlines())


@pytest.mark.skipif(not LABELLED.is_dir(), reason="the labelled corpus (../shared/corpus/labelled) is absent")
def test_terms_csv_of_the_labelled_corpus_loads_in_pandas() -> None:
    import pandas as pd

    cases = sorted(p.name for p in LABELLED.iterdir() if p.is_dir() and any(p.glob("*.pdf")))
    res = CliRunner().invoke(app, ["terms", str(LABELLED), "--format", "csv", "--ocr", "off"])
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(io.StringIO(res.stdout))
    assert list(frame.columns)[:2] == ["case", "buyer"]
    assert sorted(frame["case"]) == cases  # one row per case
    assert frame["case"].is_unique
