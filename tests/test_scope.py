"""Negation, modality and attribution: a keyword hit is not a finding.

Each row is a sentence, the fact kind the sentence mentions, and the status the
extractor must give it.  The sentences go through the real path (sentence
segmentation, triggers, scope analysis) via ``analyse``.
"""

from __future__ import annotations

import pytest

from auditor.extract.facts import analyse
from auditor.models import Page, Status


def statuses(text: str, kind: str, doc_kind: str | None = None) -> list[Status]:
    result = analyse("t.pdf", "0" * 64, [Page(1, text)], kind=doc_kind)
    return [f.status for f in result.facts if f.kind == kind]


ASSERTED = [
    ("The Ministry sought and obtained an exemption from the Public Procurement Rules, 2004.", "tendering-waived"),
    ("The project was exempted from the Rules by the Federal Government.", "tendering-waived"),
    ("The competent authority dispensed with open bidding for the scanners.", "tendering-waived"),
    ("The contract was awarded on single-source basis to M/s Orion Ltd.", "tendering-waived"),
    ("The vehicles were procured through direct contracting under rule 42(c).", "tendering-waived"),
    ("The work was awarded without inviting tenders.", "tendering-waived"),
    ("Tenders were not invited for the supply of the ventilators.", "tendering-waived"),
    ("No tender was floated and the work order was issued directly.", "tendering-waived"),
    ("The project shall proceed without a feasibility study.", "feasibility-missing"),
    ("The feasibility study was deferred until after the award.", "feasibility-missing"),
    ("The PC-I shall be prepared after the award of the contract.", "feasibility-missing"),
    ("In view of the urgency of security requirements the Ministry proposed direct contracting.", "urgency-invoked"),
    ("The Chinese side has desired that such projects be executed in low profile.", "secrecy-request"),
    ("The firm insisted that the deal be kept away from the media.", "secrecy-request"),
    ("M/s Orion approached NADRA in 2009 with its own proposal for the project.", "unsolicited-proposal"),
    ("We hold that the whole exercise was farcical and the contract is declared illegal.", "court-irregularity"),
    ("The award of the contract is hereby set aside.", "court-irregularity"),
]

NEGATED = [
    ("No waiver of the Rules was sought.", "tendering-waived"),
    ("No waiver of the Public Procurement Rules was sought or granted for this procurement.", "tendering-waived"),
    ("The Authority did not resort to direct contracting under Rule 42(c).", "tendering-waived"),
    ("The contract was not awarded on single-source basis.", "tendering-waived"),
    ("Direct contracting was never resorted to by the Authority.", "tendering-waived"),
    ("No exemption under section 21 was requested by the Ministry.", "tendering-waived"),
    ("The request for exemption from the PPRA Rules was rejected by the Prime Minister.", "tendering-waived"),
    ("The feasibility study was not deferred.", "feasibility-missing"),
    ("It is not correct that no feasibility study was prepared.", "feasibility-missing"),
    ("The procuring agency has not kept any part of the process confidential.", "secrecy-request"),
    ("We find no illegality in the award of the contract.", "court-irregularity"),
    ("The contract was not set aside and remains in force.", "court-irregularity"),
    ("No emergency was declared at any stage by any competent authority.", "emergency-declared"),
    (
        "Counsel was unable to make out a case that the selection process for the contract was tainted with mala fides.",
        "court-irregularity",
    ),
]

HYPOTHETICAL = [
    ("If an exemption were granted, the Rules would require publication of the reasons.", "tendering-waived"),
    ("A procuring agency may engage in direct contracting only where a single supplier exists.", "tendering-waived"),
    ("Section 21 empowers the Federal Government to exempt a procuring agency from the Rules.", "tendering-waived"),
    ("Exemptions from the procurement rules, if any, shall be recorded in writing.", "tendering-waived"),
    ("If the feasibility study were dispensed with, the project could not be financed.", "feasibility-missing"),
    ("If the award were found illegal, the contract would have to be re-tendered.", "court-irregularity"),
    (
        "We asked the Deputy Attorney-General to show us any notification by which an emergency was declared.",
        "emergency-declared",
    ),
    (
        "Integrity risks are high when executing agencies elect to use direct contracting for large works.",
        "tendering-waived",
    ),
]

REPORTED = [
    ("Learned counsel for the petitioner contended that the contract was awarded without tender.", "tendering-waived"),
    ("The petitioners allege that the contract was illegal and void.", "court-irregularity"),
    ("He prayed that the award be set aside and the work re-tendered.", "court-irregularity"),
    ("b) Declare that the award of the contract to respondent No. 3 is illegal.", "court-irregularity"),
]


@pytest.mark.parametrize("text,kind", ASSERTED)
def test_asserted(text: str, kind: str) -> None:
    assert Status.ASSERTED in statuses(text, kind, "judgment" if kind == "court-irregularity" else None), text


@pytest.mark.parametrize("text,kind", NEGATED)
def test_negated_never_asserted(text: str, kind: str) -> None:
    found = statuses(text, kind, "judgment" if kind == "court-irregularity" else None)
    assert found, f"the trigger should still be seen (as negated): {text}"
    assert Status.ASSERTED not in found, text
    assert Status.NEGATED in found, text


@pytest.mark.parametrize("text,kind", HYPOTHETICAL)
def test_hypothetical_never_asserted(text: str, kind: str) -> None:
    found = statuses(text, kind)
    assert found, text
    assert Status.ASSERTED not in found, text
    assert Status.HYPOTHETICAL in found, text


@pytest.mark.parametrize("text,kind", REPORTED)
def test_reported_never_asserted(text: str, kind: str) -> None:
    found = statuses(text, kind, "judgment")
    assert found, text
    assert Status.ASSERTED not in found, text
    assert Status.REPORTED in found, text


def test_argument_paragraph_stays_reported_until_the_court_speaks() -> None:
    text = (
        "4. Learned counsel for the petitioner contended that the Ministry had no power to grant the exemption. "
        "He further pointed out that the contract was awarded on single-source basis. "
        "5. We have considered the arguments. We find that the contract was awarded without any competition."
    )
    facts = [f for f in analyse("j.pdf", "0" * 64, [Page(1, text)], kind="judgment").facts if f.kind == "tendering-waived"]
    by_trigger = {f.get("trigger"): f.status for f in facts}
    assert by_trigger.get("single-source basis") is Status.REPORTED
    assert Status.ASSERTED in by_trigger.values()


def test_quoted_precedent_is_reported() -> None:
    text = (
        "42. We are fortified by the judgment in the case reported as PLD 2011 SC 619, which reads as follows:\n"
        "“The whole exercise appears to be an eyewash and the transaction a sham deal.”\n"
        "43. In this case the tender was advertised in two newspapers."
    )
    facts = [f for f in analyse("j.pdf", "0" * 64, [Page(1, text)], kind="judgment").facts if f.kind == "court-irregularity"]
    assert facts and all(f.status is not Status.ASSERTED for f in facts)
    assert any(f.cue == "quoted precedent" for f in facts)


def test_rejected_proposal_is_negated() -> None:
    text = (
        "3. The Ministry had earlier suggested that the work be tendered immediately and that the PC-I be prepared "
        "after the award. The Commission did not agree, and the Ministry was advised to complete the study first."
    )
    facts = [f for f in analyse("m.pdf", "0" * 64, [Page(1, text)]).facts if f.kind == "feasibility-missing"]
    assert facts and all(f.status is Status.NEGATED for f in facts)


def test_normative_documents_state_rules_not_events() -> None:
    text = "74. A procuring entity shall use direct procurement where there is only one supplier."
    facts = [f for f in analyse("act.pdf", "0" * 64, [Page(1, text)], kind="law").facts if f.kind == "tendering-waived"]
    assert facts and all(f.status is Status.HYPOTHETICAL for f in facts)


def test_sentence_adverb_is_not_a_negation() -> None:
    found = statuses("Not surprisingly, the works were awarded on single-source basis.", "tendering-waived")
    assert found == [Status.ASSERTED]


def test_nearby_negation_lowers_confidence() -> None:
    plain = analyse("a.pdf", "0" * 64, [Page(1, "The works were awarded on single-source basis to the contractor.")]).facts
    near = analyse("b.pdf", "0" * 64, [Page(1, "The tender was not cancelled; the works were awarded on single-source basis.")]).facts
    p = [f for f in plain if f.kind == "tendering-waived"][0]
    n = [f for f in near if f.kind == "tendering-waived"][0]
    assert n.status is Status.ASSERTED
    assert n.confidence < p.confidence


def _facts(text: str, kind: str, doc_kind: str | None = "judgment"):
    return [f for f in analyse("j.pdf", "0" * 64, [Page(1, text)], kind=doc_kind).facts if f.kind == kind]


def test_items_listed_under_a_partys_lead_in_are_its_words() -> None:
    text = (
        "7. In reply, it was urged by the respondents as follows:-\n\n"
        "(a) that the contract awarded to the company is illegal and void because the Board had no quorum.\n\n"
        "(b) that the contract was awarded in violation of the rules.\n\n"
        "8. We find that the contract was awarded without any competition."
    )
    illegal = _facts(text, "court-irregularity")
    assert illegal and all(f.status is Status.REPORTED for f in illegal)
    waived = _facts(text, "tendering-waived")
    assert Status.ASSERTED in [f.status for f in waived]  # the numbered paragraph is the court's again


def test_a_passive_with_a_party_as_agent_is_reported_speech() -> None:
    found = statuses("It was submitted and argued by counsel for the appellants that the tender process was vitiated.",
                     "court-irregularity", "judgment")
    assert found and Status.ASSERTED not in found


def test_a_condition_inside_the_trigger_span_is_hypothetical() -> None:
    text = ("The Secretary shall trace the file of the scheme, i.e. PC-I, etc. and if record is not made available, "
            "a case shall be registered with the police.")
    assert Status.ASSERTED not in statuses(text, "feasibility-missing")


def test_a_stated_absence_keeps_its_attribution_and_modality() -> None:
    reported = statuses("Learned counsel contended that no open auction was held and only sealed offers were obtained.",
                        "tendering-waived", "judgment")
    assert reported and Status.ASSERTED not in reported
    hypothetical = statuses("Moreover, if the reserve price had been disclosed, no bid would have been received.",
                            "tendering-waived", "judgment")
    assert Status.ASSERTED not in hypothetical
    assert Status.ASSERTED in statuses("It is admitted that no public auction was held for the plots.",
                                       "tendering-waived", "judgment")


def test_an_auction_set_aside_was_held_not_waived() -> None:
    found = statuses("The executing court ordered that the auction was to be set aside since the debt had been paid.",
                     "tendering-waived", "judgment")
    assert Status.ASSERTED not in found


def test_a_number_after_an_abbreviation_ends_a_sentence() -> None:
    from auditor.extract.text import split_sentences

    text = "The plot was leased to respondent No.3. In the reference, it was alleged that he was a front man."
    assert [s.text for s in split_sentences(text)] == [
        "The plot was leased to respondent No.3.", "In the reference, it was alleged that he was a front man."]
    assert len(split_sentences("He relied on Rs. 5 million. See p. 4 of the report.")) == 2


def test_project_finance_vocabulary_makes_a_procurement_subject() -> None:
    filler = [f"{n}. The hearing of the application was adjourned to the next date on the request of the office."
              for n in range(1, 25)]
    finding = "25. The Chairman, NAB is directed to proceed against the officials under whom the plants were approved."
    recap = ["The sponsors of the power projects were paid an advance payment of 14% of the cost.",
             "The amounts paid to the sponsors were returned during the hearing.",
             "The power purchase agreements were signed before the plants were set up."]
    off = _facts(" ".join(filler + [finding]), "court-irregularity")
    assert off and all(f.status is Status.OFF_TOPIC for f in off)
    on = _facts(" ".join(filler[:10] + recap + filler[10:] + [finding]), "court-irregularity")
    assert Status.ASSERTED in [f.status for f in on]


def test_an_impersonal_allegation_inside_the_courts_paragraph_reports_only_itself() -> None:
    text = ("12. The plots were allotted at a concessional rate. In the complaint, it has been alleged that the allottee "
            "was a front man. The allotment of the plots has been declared illegal and void by this Court.")
    assert Status.ASSERTED in statuses(text, "court-irregularity", "judgment")
    opening = ("12. It has been alleged that the allottee was a front man. "
               "The allotment of the plots is illegal and void.")
    assert Status.ASSERTED not in statuses(opening, "court-irregularity", "judgment")


@pytest.mark.parametrize("frame", [
    "There can be no doubt that", "There can be little doubt about the fact that", "It cannot be denied that",
    "It can hardly be disputed that", "It is not disputed that", "It can safely be said that",
])
def test_a_certainty_frame_asserts_what_follows(frame: str) -> None:
    assert statuses(f"{frame} the contract was awarded without tender.", "tendering-waived", "judgment") == [Status.ASSERTED]


@pytest.mark.parametrize("frame", ["It cannot be said that", "It is denied that"])
def test_a_denying_frame_negates_what_follows(frame: str) -> None:
    assert statuses(f"{frame} the contract was awarded without tender.", "tendering-waived", "judgment") == [Status.NEGATED]


def test_a_determiner_negation_ends_at_a_coordination() -> None:
    text = "The land was purchased without obtaining any independent valuation and without inviting offers through the press."
    assert statuses(text, "tendering-waived", "judgment") == [Status.ASSERTED]


_APPEAL = (
    "1. This appeal arises from a judgment of the High Court which set aside the lease of a plot granted by the "
    "Port Trust to the respondent. 2. We have heard the learned counsel and perused the record; the plot was "
    "advertised and three bids were received. 3. {disposition}"
)


def test_a_lower_courts_finding_reversed_on_appeal_does_not_count() -> None:
    reversed_ = _APPEAL.format(disposition="Resultantly, this appeal is allowed and the impugned judgment is set aside.")
    facts = [f for f in analyse("j.pdf", "0" * 64, [Page(1, reversed_)], kind="judgment").facts
             if f.kind == "court-irregularity" and "lease" in f.evidence[0].quote]
    assert facts and all(f.status is Status.NEGATED for f in facts)
    upheld = _APPEAL.format(disposition="Resultantly, this appeal is dismissed.")
    facts = [f for f in analyse("j.pdf", "0" * 64, [Page(1, upheld)], kind="judgment").facts
             if f.kind == "court-irregularity" and "lease" in f.evidence[0].quote]
    assert Status.ASSERTED in [f.status for f in facts]


def test_a_precedent_cited_is_not_a_partys_words() -> None:
    text = "A contract awarded in violation of the rules is void, as held in Ramzan v. State (PLD 2010 SC 1)."
    facts = [f for f in analyse("j.pdf", "0" * 64, [Page(1, text)], kind="judgment").facts if f.kind == "court-irregularity"]
    assert facts and all(f.get("speaker") == "precedent" for f in facts)
