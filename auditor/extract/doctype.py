"""What kind of document is this?  A judgment, a loan agreement, an award letter...

Rules compare documents by kind (a financing agreement must name the vendor; a
contract value is compared across award letter, minutes and contract), so every
document gets one kind.  Each kind has title markers with a weight; a marker
counts for more the nearer it sits to the top of the document (titles come
first in official papers).  The file name only breaks ties or decides when the
text says nothing.
"""

from __future__ import annotations

import re

KINDS = (
    "judgment",
    "financing-agreement",
    "award-letter",
    "contract",
    "summary",
    "minutes",
    "tender-notice",
    "evaluation-report",
    "procurement-plan",
    "audit-report",
    "notification",
    "complaint",
    "letter",
    "law",
    "standard-document",
    "bidding-document",
    "ocds-release",  # an OCDS file (its contracting processes), not a PDF
    "other",
)

# Kinds whose sentences state rules, not events: "direct procurement may be used where...",
# "the Contractor shall keep ... confidential".  Their triggers are read as normative.
NORMATIVE_KINDS = frozenset({"law", "standard-document", "bidding-document"})

_I = re.I
_MARKERS: dict[str, tuple[tuple[re.Pattern[str], float], ...]] = {
    kind: tuple((re.compile(p, flags), w) for p, w, flags in items)
    for kind, items in {
        "judgment": (
            (r"\bIN\s+THE\s+(?:[A-Z]+\s+){0,3}?(?:SUPREME|HIGH|SHARIAT|DISTRICT|SESSIONS)\s+COURT\b", 3.0, 0),
            (r"\b(?:JUDGMENT|JUDGEMENT|ORDER)\s+SHEET\b", 3.0, 0),
            (r"\bIN\s+THE\s+COURT\s+OF\b", 2.5, 0),
            (r"\b(?:JUDGMENT|JUDGEMENT)\b\s*\n", 2.0, 0),
            (r"\bPetitioners?\b.{0,200}\b(?:Versus|Vs\.?|V/s)\b.{0,300}\bRespondents?\b", 2.5, re.S),
            (r"\bAppellants?\b.{0,200}\b(?:Versus|Vs\.?|V/s)\b.{0,300}\bRespondents?\b", 2.5, re.S),
            (r"\b(?:TRIBUNAL|REVIEW\s+PANEL|APPEALS?\s+BOARD|GRIEVANCE\s+REDRESSAL\s+COMMITTEE)\b.{0,400}\b(?:DECISION|ORDER|RULING)\b", 2.0, re.S | _I),
        ),
        "financing-agreement": (
            (r"\b(?:GOVERNMENT\s+)?(?:CONCESSIONAL\s+|PREFERENTIAL\s+)?(?:LOAN|CREDIT|FINANCING|FACILITY|BUYER'?S\s+CREDIT(?:\s+LOAN)?)\s+AGREEMENT\b", 3.0, 0),
            (r"\bthe\s+Lender\b.{0,400}\bthe\s+Borrower\b|\bthe\s+Borrower\b.{0,400}\bthe\s+Lender\b", 1.5, re.S),
        ),
        "award-letter": (
            (r"\b(?:LETTER|NOTICE|NOTIFICATION)\s+OF\s+(?:AWARD|ACCEPTANCE|INTENT)\b", 3.0, 0),
            (r"\b(?:Letter|Notice|Notification)\s+of\s+(?:Award|Acceptance|Intent)\b", 1.8, 0),
            (r"\bAWARD\s+OF\s+CONTRACT\b|\bCONTRACT\s+AWARD\b", 2.0, 0),
            (r"\byour\s+(?:bid|offer|tender|proposal)\b.{0,120}\b(?:has\s+been|is|stands)\s+accepted\b", 2.0, re.S | _I),
        ),
        "contract": (
            (r"\bCONTRACT\s+AGREEMENT\b|\bFORM\s+OF\s+CONTRACT\b|\bSUPPLY\s+CONTRACT\b", 3.0, 0),
            (r"\b(?:SUPPLY|PURCHASE|WORK)\s+ORDER\b", 2.5, 0),
            (r"\bTHIS\s+(?:CONTRACT|AGREEMENT)\s+(?:is\s+)?(?:made|entered)\b", 2.5, _I),
        ),
        "summary": (
            (r"\bSUMMARY\s+FOR\s+(?:THE\s+)?(?:PRIME\s+MINISTER|PRESIDENT|(?:FEDERAL\s+)?CABINET|ECC|ECNEC|CHIEF\s+MINISTER|ECONOMIC|APPROVAL|DIRECTOR|SECRETARY|BOARD|CHAIRMAN)", 3.0, 0),
            (r"\bNOTE\s+FOR\s+(?:THE\s+)?(?:APPROVAL|DIRECTOR|SECRETARY|MINISTER|CHAIRMAN|BOARD|CHIEF|PRIME)\b|\b(?:PROJECT\s+)?STATUS\s+NOTE\b|\bBOARD\s+NOTE\b|\bWORKING\s+PAPER\b", 2.5, 0),
        ),
        "minutes": (
            (r"\bMINUTES\s+OF\s+(?:THE\s+)?(?:[\w-]+\s+){0,8}?MEETING\b|\bMINUTES\s+OF\s+MEETING\b", 3.0, _I),
            (r"\bRECORD\s+NOTE\s+OF\s+(?:THE\s+)?MEETING\b", 2.5, _I),
        ),
        "tender-notice": (
            (r"\bTENDER\s+NOTICE\b|\bNOTICE\s+INVITING\s+TENDERS?\b|\bINVITATION\s+(?:FOR|TO)\s+(?:BIDS?|TENDERS?|PRE-?QUALIFICATION)\b", 3.0, _I),
            (r"\bREQUEST\s+FOR\s+(?:QUOTATIONS?|PROPOSALS?|EXPRESSIONS?\s+OF\s+INTEREST)\b|\bPRE-?QUALIFICATION\s+NOTICE\b", 2.5, _I),
        ),
        "bidding-document": (
            (r"\b(?:TENDER|BIDDING|SOLICITATION)\s+DOCUMENTS?\b|\bINSTRUCTIONS\s*TO\s*(?:BIDDERS|TENDERERS)\b|\bCONDITIONS\s+OF\s+CONTRACT\b|\bBID\s+DATA\s+SHEET\b|\bTERMS\s+OF\s+REFERENCE\b", 2.6, _I),
        ),
        "evaluation-report": (
            (r"\b(?:BID|TECHNICAL|FINANCIAL|FINAL)\s+EVALUATION\s+REPORT\b|\bEVALUATION\s+REPORT\b|\bABSTRACT\s+OF\s+BIDS\b|\bCOMPARATIVE\s+STATEMENT\b", 3.0, _I),
        ),
        "procurement-plan": (
            (r"\b(?:ANNUAL\s+|UPDATED\s+)?PROCUREMENT\s+PLAN\b", 3.0, _I),
            (r"\bPROCUREMENT\s+MONITORING\s+REPORT\b", 2.5, _I),
        ),
        "audit-report": (
            (r"\bAUDIT\s+(?:REPORT|OBSERVATIONS?|PARAS?)\b|\bPEOPLE'?S\s+AUDIT\b|\bSPECIAL\s+AUDIT\b", 3.0, _I),
            (r"\bAUDITOR[- ]GENERAL\b.{0,200}\bREPORT\b", 2.0, re.S | _I),
        ),
        "notification": (
            (r"^\s*(?:\S.{0,80}\n){0,8}?\s*NOTIFICATION\s*$", 2.5, re.M),
            (r"\b(?:GAZETTE|EXTRAORDINARY)\b", 2.0, 0),
        ),
        "complaint": (
            (r"\b(?:TENDER\s+)?COMPLAINT\s+No\b|\bTENDER\s+COMPLAINT\b|\bCOMPLAINT\s+REDRESSAL\b", 2.5, _I),
        ),
        "letter": (
            (r"^\s*Subject\s*:", 1.2, re.M | _I),
            (r"\bI\s+am\s+directed\s+to\b|\bDear\s+Sir\b|\bYours\s+faithfully\b", 1.0, _I),
        ),
        "standard-document": (
            (r"\bSTANDARD\s+(?:TENDER|BIDDING|PROCUREMENT|REQUEST\s+FOR\s+PROPOSALS?)\s+DOCUMENTS?\b|\bSTANDARD\s+FORM\s+OF\s+CONTRACT\b|\bGENERAL\s+CONDITIONS\s+OF\s+CONTRACT\b", 3.5, _I),
        ),
        "law": (
            (r"\bLAWS\s+OF\s+[A-Z]+\b|\bARRANGEMENT\s+OF\s+SECTIONS\b|\bACT\s+No\.?\s*\d+\s+of\s+\d{4}\b", 3.0, 0),
            (r"^\s*THE\s+[A-Z][A-Z ,()&-]{5,80}\s(?:ACT|ORDINANCE|RULES|REGULATIONS),?\s+\d{4}\s*$", 2.5, re.M),
            (r"\bBE\s+IT\s+ENACTED\b|\bAN\s+ACT\s+of\s+Parliament\b", 2.5, _I),
        ),
    }.items()
}

_FILENAME_HINTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        ("judgment", r"judg|order[-_ ]sheet|verdict|ruling|petition"),
        ("financing-agreement", r"loan|credit[-_ ]agreement|financ\w*[-_ ]agreement|facility[-_ ]agreement"),
        ("award-letter", r"award|acceptance|\bnoa\b|\bloa\b"),
        ("contract", r"contract|purchase[-_ ]order|supply[-_ ]order"),
        ("summary", r"summary|[-_ ]note\b"),
        ("minutes", r"minutes"),
        ("tender-notice", r"tender[-_ ]notice|\bifb\b|\brfq\b|\brfp\b|invitation"),
        ("evaluation-report", r"evaluation"),
        ("procurement-plan", r"procurement[-_ ]plan|\bapp\b"),
        ("audit-report", r"audit"),
        ("notification", r"notification|gazette"),
        ("complaint", r"complaint|grievance"),
    )
)

OPENING_CHARS = 2500


def classify(filename: str, opening: str) -> str:
    """Kind of document from its opening text (first ~2,500 characters) and name."""
    head = opening[:OPENING_CHARS]
    scores: dict[str, float] = {}
    for kind, markers in _MARKERS.items():
        best = 0.0
        for rx, weight in markers:
            m = rx.search(head)
            if m:
                best = max(best, weight * (1.0 - 0.5 * m.start() / OPENING_CHARS))
        if best:
            scores[kind] = best
    stem = filename.rsplit("/", 1)[-1]
    for kind, rx in _FILENAME_HINTS:
        if rx.search(stem):
            scores[kind] = scores.get(kind, 0.0) + 0.4
            break
    if not scores:
        return "other"
    return max(scores.items(), key=lambda kv: (kv[1], -KINDS.index(kv[0])))[0]
