"""Many phrasings, one meaning: the extractors must not know only the fixtures'
wording.  Each positive sentence must yield an asserted fact of its kind; each
look-alike must not."""

from __future__ import annotations

import pytest

from auditor.extract.facts import analyse
from auditor.models import Page, Status

POS = {
 "tendering-waived": [
  "The project was exempted from the Rules.",
  "The Authority dispensed with open bidding.",
  "The contract was awarded on single-source basis.",
  "The work was given to the firm on nomination basis.",
  "Procurement was made through direct contracting.",
  "The Federal Government granted exemption from PPRA Rules for the project.",
  "The requirement of advertisement was waived by the Board.",
  "The purchase was made without calling tenders.",
  "No advertisement was published for the procurement of the equipment.",
  "The contract was not advertised in the press.",
  "The ministry bypassed the tendering process and awarded the contract to its favourite.",
  "The procurement was carried out in violation of the PPRA Rules without any tender.",
  "The contract was awarded to M/s X without open competition.",
  "The equipment was procured from a sole source.",
  "The Department directly awarded the contract to the contractor.",
  "The procuring agency invoked rule 42(c) to award the contract directly.",
  "The contract was signed with the Chinese firm on a G2G basis without tendering.",
  "Open competitive bidding was not held for the project.",
  "The PP Rules were not followed in the award of the contract.",
  "The Authority did not invite bids and awarded the work through negotiations.",
  "Sole-source procurement was resorted to for the vehicles.",
  "International competitive bidding was dispensed with.",
  "The contract was awarded without the issuance of any public advertisement.",
  "The requirement of competitive bidding was relaxed by the ECC.",
  "The Cabinet approved the award of the contract to the firm by way of exemption from the procurement rules.",
  "The Ministry invoked rule 5 of the PP Rules, 2004 to award the contract to the Chinese company.",
  "The Chinese Government nominated M/s Orion Technologies as the contractor for the project.",
 ],
 "feasibility-missing": [
  "The scheme was launched without preparing a PC-I.",
  "The PC-I had not been approved when the contract was signed.",
  "No PC-I was prepared for the project.",
  "The project was started prior to approval of PC-I.",
  "The feasibility study was skipped.",
  "The Ministry decided to forgo the feasibility study.",
  "The project was executed without any needs assessment.",
  "The contract was awarded in anticipation of approval of the PC-I.",
  "A feasibility study was not carried out before the purchase.",
  "The PC-I is yet to be approved although the contractor has been paid.",
 ],
 "urgency-invoked": [
  "Due to the urgent nature of the requirement, the equipment was purchased directly.",
  "Citing security concerns, the Ministry awarded the contract without tender.",
  "On the pretext of urgency, the procedure was bypassed.",
  "Keeping in view the emergent situation, the competent authority approved direct purchase.",
  "The procurement was fast-tracked on account of the security situation.",
  "Given the urgency, the bidding period was shortened to seven days.",
 ],
 "secrecy-request": [
  "The matter may be kept low-key.",
  "The Chinese side requested that the deal not be made public.",
  "It was decided that no publicity shall be given to the contract.",
  "The vendor asked the Ministry to keep the negotiations confidential.",
  "The Minister desired that the procurement be kept under wraps.",
 ],
 "unsolicited-proposal": [
  "The company approached the Ministry on its own with a proposal to install the cameras.",
  "The idea originated from the contractor, who then offered financing.",
  "M/s Orion Ltd submitted an unsolicited offer to the Authority.",
  "The firm offered to the Government a complete surveillance solution.",
  "The proposal was initiated by the supplier and not by the department.",
 ],
 "court-irregularity": [
  "The contract is declared to be without lawful authority and of no legal effect.",
  "The impugned award is set aside.",
  "The entire process of procurement was vitiated.",
  "We direct that the work be re-tendered.",
  "The tender process is quashed.",
  "The contract being void ab initio is hereby cancelled.",
  "The FIA is directed to investigate the award of the contract.",
  "The Auditor General observed that the procurement was irregular.",
  "The award was held to be illegal and in violation of the PPRA Rules.",
 ],
}
NEG = {
 "tendering-waived": [
  "The contract was awarded through open competitive bidding.",
  "There was no direct contracting in this case.",
  "The Authority never sought any exemption from the Rules.",
  "It is incorrect that the contract was awarded on single-source basis.",
  "The request for waiver of tendering was declined.",
  "Whether the contract could have been awarded directly is not the question.",
  "Direct contracting is permissible only in the circumstances mentioned in rule 42(c).",
  "The petitioner alleged that the contract was awarded without tender.",
  "The tender was advertised on the PPRA website.",
  "The single-stage two-envelope procedure was followed.",
  "Bids were received from five firms; no bid security was waived.",
 ],
 "feasibility-missing": [
  "The feasibility study was completed in 2019.",
  "The PC-I was approved by ECNEC before the tender.",
  "The project was not started without a feasibility study.",
  "A feasibility study shall be carried out before any award.",
 ],
 "court-irregularity": [
  "The petition is dismissed as the award was made in accordance with law.",
  "No illegality was found in the process.",
  "The learned counsel argued that the process was vitiated.",
  "The writ petition seeking to set aside the contract is dismissed.",
 ],
}


def _asserted(text: str, kind: str) -> bool:
    doc_kind = "judgment" if kind == "court-irregularity" else None
    facts = analyse("t.pdf", "0" * 64, [Page(1, text)], kind=doc_kind).facts
    return any(f.kind == kind and f.status is Status.ASSERTED for f in facts)


@pytest.mark.parametrize("kind,text", [(k, t) for k, ts in POS.items() for t in ts])
def test_phrasing_is_recognised(kind: str, text: str) -> None:
    assert _asserted(text, kind)


@pytest.mark.parametrize("kind,text", [(k, t) for k, ts in NEG.items() for t in ts])
def test_look_alike_is_not_asserted(kind: str, text: str) -> None:
    assert not _asserted(text, kind)


ROLE_CASES = [
    ("The Contract Price is PKR 1,200,000,000 subject to adjustments.", "PKR 1,200,000,000", "contract-price"),
    ("A performance security of ten per cent of the Contract Price, that is, Rs. 120,000,000/-, was furnished.", "Rs. 120,000,000/-", None),
    ("The lowest evaluated bid was Rs 1.2 billion and the second-lowest bid, of M/s Saidpur, was Rs 1.31 billion.", "Rs 1.31 billion", None),
    ("The CDWP approved the PC-I at a cost of Rs. 4,115.60 million.", "Rs. 4,115.60 million", "estimate"),
    ("Publish a list of contracts above LKR 1 billion awarded without a competitive process.", "LKR 1 billion", None),
    ("The shares were sold to the consortium at Rs.16.80 per share under the contract.", "Rs.16.80", None),
]


@pytest.mark.parametrize("sentence,amount,role", ROLE_CASES)
def test_money_roles_in_context(sentence: str, amount: str, role: str | None) -> None:
    facts = analyse("t.pdf", "0" * 64, [Page(1, sentence)]).facts
    roles = {f.get("amount"): f.get("role") for f in facts if f.kind == "money" and f.status is Status.ASSERTED}
    assert roles.get(amount) == role, roles


# Idioms of court judgments and of urgency pleas.
POS_JUDGMENTS = {
 "tendering-waived": [
  "The contract was awarded in violation of the PPRA Rules, 2004 without adhering to the requirement of open competitive bidding.",
  "The transaction was entered into through private negotiations with the respondent company.",
  "The land was not put to open auction and was sold to the respondent at a throw-away price.",
  "No advertisement was made in the press inviting offers for the project.",
  "The Authority awarded the contract without calling for open tenders.",
  "The exemption was granted under section 21 of the PPRA Ordinance, 2002 by the Federal Government.",
  "The procurement was made on the basis of a restricted tender among three pre-selected firms.",
  "The contract was given to the respondent without following any transparent procedure.",
  "The plots were allotted without any open auction.",
  "The tender process was by-passed in order to benefit the respondent.",
 ],
 "court-irregularity": [
  "The entire process was tainted with mala fides and is declared to be without lawful authority.",
  "The respondents are directed to initiate the process of procurement afresh in accordance with law.",
  "The matter is referred to the National Accountability Bureau for investigation.",
  "The Chairman, NAB shall look into the matter and proceed against the persons responsible.",
  "The award of the contract was not transparent and is hereby set aside.",
  "We hold that the agreement is illegal and void ab initio.",
  "The lease granted to the respondent is declared to have been made without lawful authority.",
  "The Auditor-General has pointed out serious irregularities in the procurement of the vehicles.",
 ],
 "secrecy-request": [
  "The entire procurement was kept secret from the Planning Commission.",
  "The Ministry decided to keep the contract away from public scrutiny.",
 ],
 "feasibility-missing": [
  "The project was approved without the PC-I having been processed through the CDWP.",
  "No feasibility report was placed before the ECNEC.",
 ],
 "unsolicited-proposal": [
  "The proposal of the Chinese company was received in 2009 without any request from the Government.",
  "The respondent company approached the Ministry and offered to execute the project.",
 ],
}
NEG_JUDGMENTS = {
 "court-irregularity": [
  "The petitions are dismissed.",
  "The learned counsel for the petitioner submitted that the contract was void ab initio.",
  "It was contended on behalf of the petitioners that the entire process was tainted with mala fides.",
  "In the case of Ramana Dayaram Shetty, the Court held that the tender process must be fair.",
 ],
 "tendering-waived": [
  "The tender was advertised in three national dailies and eleven bids were received.",
  "The contract was awarded to the lowest bidder after open competitive bidding in accordance with the PPRA Rules.",
 ],
}
POS_URGENCY = {"urgency-invoked": [
 "Keeping in view the sensitivity of the project, the Ministry proposed direct contracting.",
 "Due to paucity of time, the tender could not be advertised and the work was awarded directly.",
 "On account of the prevailing security situation, the PPRA Rules were relaxed.",
 "Owing to the emergent nature of the requirement, the bidding period was curtailed to five days.",
 "National security considerations necessitated the award of the contract without tender.",
 "Given the time constraints, the procuring agency dispensed with the feasibility study.",
], "emergency-declared": [
 "The Provincial Government declared an emergency in the flood-affected districts vide notification dated 27.08.2022.",
 "A state of emergency was imposed in the province on 10th October, 2005.",
 "The district was notified as calamity-hit under the NDMA Act.",
]}
NEG_URGENCY = {"urgency-invoked": [
 "The work is urgent and the tender shall be advertised immediately.",
 "The Authority advertised the tender with a 30-day bidding period despite the urgency.",
], "emergency-declared": [
 "No emergency was ever declared in the Islamabad Capital Territory.",
 "The emergency ward of the hospital was equipped with ventilators.",
]}


@pytest.mark.parametrize("kind,text", [(k, t) for src in (POS_JUDGMENTS, POS_URGENCY) for k, ts in src.items() for t in ts])
def test_judgment_and_urgency_phrasing_is_recognised(kind: str, text: str) -> None:
    assert _asserted(text, kind)


@pytest.mark.parametrize("kind,text", [(k, t) for src in (NEG_JUDGMENTS, NEG_URGENCY) for k, ts in src.items() for t in ts])
def test_judgment_and_urgency_look_alike_is_not_asserted(kind: str, text: str) -> None:
    assert not _asserted(text, kind)


# Further phrasings, each of a construction the patterns once missed or over-read:
# an offer-noun after "inviting", a contrast ("rather than open auction"), any verb
# before "through negotiation", "shall hold an inquiry", the active voice of a study
# not done, "in the absence of", an idea "brought ... by" the vendor, "insisted on secrecy".
POS_CONSTRUCTIONS = {
 "tendering-waived": [
  "The plots were disposed of through negotiation rather than open auction.",
  "The lease was granted to the respondent without inviting offers from the public.",
  "Quotations were not called for before the purchase of the generators.",
  "The department did not advertise the tender in any newspaper.",
  "Open bidding was given a go-by.",
  "The Authority allotted the plot to the respondent instead of auctioning it.",
  "The services were hired on the basis of direct negotiation with the firm.",
 ],
 "court-irregularity": [
  "The Chairman NAB shall hold an inquiry into the award of the contract and fix responsibility.",
 ],
 "feasibility-missing": [
  "The project was launched before any feasibility study had been carried out.",
  "The project was started in the absence of a feasibility study.",
  "The Planning Commission had not approved the PC-I when the contract was signed.",
 ],
 "urgency-invoked": [
  "Due to the critical security situation, the normal procurement procedure was not followed.",
 ],
 "secrecy-request": [
  "It was requested that the negotiations be kept confidential.",
  "The Ministry insisted on secrecy in the matter of the contract.",
  "The Ministry asked that no information about the contract be shared with the media.",
 ],
 "financing-tied": [
  "The Department maintained that the loan was available only for Zentrix.",
  "The credit line was exclusively meant for M/s Delta Rail Corporation.",
 ],
 "financing-silent-on-vendor": [
  "The loan agreement and the facility agreement nowhere mention Zentrix as the supplier.",
  "There is no reference to M/s Orion Technologies in the loan agreement.",
  "Huawei is not named in the framework agreement or the loan agreement.",
 ],
 "unsolicited-proposal": [
  "The proposal was submitted by the firm without any invitation from the Government.",
  "The idea of the project was brought to the Ministry by the Chinese company itself.",
  "The respondent firm came forward with an offer to set up the plant.",
 ],
}
NEG_CONSTRUCTIONS = {
 "tendering-waived": [
  "Rather than a single supplier, three firms were invited to bid and the lowest was selected.",
  "The procurement was made through open competitive bidding instead of direct contracting.",
  "The petitioner contended that the contract was awarded without inviting offers.",
  "The Authority may, in an emergency, procure without inviting offers under rule 42.",
  "Offers were invited through the PPRA website.",
 ],
 "court-irregularity": [
  "The Chairman NAB shall not proceed against the officials without the leave of the Court.",
 ],
 "feasibility-missing": [
  "In the absence of a feasibility study, no project can be approved by the CDWP.",
  "The contract was signed after the feasibility study had been approved by ECNEC.",
  "The PC-I was prepared and approved before any contract was signed.",
 ],
 "secrecy-request": [
  "The Court insisted on transparency in the award of the contract.",
 ],
 "financing-tied": [
  "The financing was provided by the Export-Import Bank under a buyer's credit of US$ 180 million.",
 ],
 "financing-silent-on-vendor": [
  "The loan agreement names Huawei as the contractor.",
  "It is not correct that the loan agreement does not name the supplier.",
  "The petitioner alleged that the loan agreement did not mention the vendor.",
 ],
}


@pytest.mark.parametrize("kind,text", [(k, t) for k, ts in POS_CONSTRUCTIONS.items() for t in ts])
def test_construction_is_recognised(kind: str, text: str) -> None:
    facts = analyse("t.pdf", "0" * 64, [Page(1, text)], kind="judgment").facts
    assert any(f.kind == kind and f.status is Status.ASSERTED for f in facts)


@pytest.mark.parametrize("kind,text", [(k, t) for k, ts in NEG_CONSTRUCTIONS.items() for t in ts])
def test_construction_look_alike_is_not_asserted(kind: str, text: str) -> None:
    facts = analyse("t.pdf", "0" * 64, [Page(1, text)], kind="judgment").facts
    assert not any(f.kind == kind and f.status is Status.ASSERTED for f in facts)


def test_a_fair_price_is_a_benchmark_not_a_second_contract_price() -> None:
    text = "The contract was concluded at Rs. 900 million although the engineer had assessed its fair price at Rs. 450 million."
    roles = {f.get("value"): f.get("role") for f in analyse("t.pdf", "0" * 64, [Page(1, text)]).facts if f.kind == "money"}
    assert roles == {900_000_000.0: "contract-price", 450_000_000.0: "market-price"}


# Inside a judgment about a procurement: what the court sets aside must be a procurement
# object, a rule of law cited with its case is that case's holding, a person appointed to a
# post is not a contract awarded; an operative "is cancelled" and "shall be re-auctioned" are orders.
_PROCUREMENT_CASE = " ".join(
    f"{n}. The contract for the supply of equipment was awarded after the tender was opened and the bids evaluated."
    for n in range(1, 22))
IN_CASE_NOT_ASSERTED = [
    ("court-irregularity", "The impugned judgment of the High Court is set aside and the appeal is allowed."),
    ("court-irregularity", "The conviction of the accused is set aside and he is acquitted."),
    ("court-irregularity", "A contract awarded in violation of the rules is void, as held in Ramzan v. State (PLD 2010 SC 1)."),
    ("tendering-waived", "The petitioner was directly appointed as Assistant Director in BPS-17."),
]
IN_CASE_ASSERTED = [
    ("court-irregularity", "The lease in favour of the company is cancelled."),
    ("court-irregularity", "The land shall be re-auctioned through open bidding."),
    ("court-irregularity", "We hold that the award of the contract to respondent No.5 was illegal and the same is set aside."),
]


def _in_case(kind: str, text: str) -> list[Status]:
    facts = analyse("j.pdf", "0" * 64, [Page(1, f"{_PROCUREMENT_CASE} 22. {text}")], kind="judgment").facts
    return [f.status for f in facts if f.kind == kind and text[:25] in f.evidence[0].quote]


@pytest.mark.parametrize("kind,text", IN_CASE_NOT_ASSERTED)
def test_in_a_procurement_case_look_alike_is_not_asserted(kind: str, text: str) -> None:
    assert Status.ASSERTED not in _in_case(kind, text)


@pytest.mark.parametrize("kind,text", IN_CASE_ASSERTED)
def test_in_a_procurement_case_order_is_asserted(kind: str, text: str) -> None:
    assert Status.ASSERTED in _in_case(kind, text)


@pytest.mark.parametrize("definition,use", [
    ("the contract signed with M/s Zentrix Surveillance Ltd (Zentrix)", "Zentrix first wrote to the Home Department in 2013 offering to install the system."),
    ('the lease given to Associated Group (Pvt.) Ltd (hereinafter called "AG")', "AG approached the Authority on its own with an offer for the plant."),
])
def test_a_firms_defined_short_form_is_its_name(definition: str, use: str) -> None:
    text = f"1. This petition questions {definition}. 2. {use}"
    facts = [f for f in analyse("j.pdf", "0" * 64, [Page(1, text)], kind="judgment").facts if f.kind == "unsolicited-proposal"]
    assert [f.status for f in facts] == [Status.ASSERTED]
    assert facts[0].get("vendor") == use.split()[0]
    assert use in facts[0].evidence[0].quote  # the quote is the sentence as written, not the masked text


def test_a_role_word_in_brackets_is_not_a_name() -> None:
    text = "1. The works were given to Orion Builders Ltd (Contractor). 2. The Contractor approached the Ministry for payment."
    facts = [f for f in analyse("j.pdf", "0" * 64, [Page(1, text)], kind="judgment").facts if f.kind == "unsolicited-proposal"]
    assert facts == []
