"""What kind of document is this?  A judgment, a loan agreement, an award letter...

Rules compare documents by kind (a financing agreement must name the vendor; a
contract value is compared across award letter, minutes and contract), so every
document gets one kind.  Titles come first in official documents: the kind whose
title pattern appears earliest in the opening text wins; the file name decides
when the text says nothing.
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
    "law",
    "other",
)

_TITLES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        ("judgment", r"\bIN\s+THE\s+(?:SUPREME|HIGH|FEDERAL\s+SHARIAT)\s+COURT\b|\bIN\s+THE\s+COURT\s+OF\b|\bORDER\s+SHEET\b|\b(?:JUDGMENT|JUDGEMENT)\s*\n|\bTRIBUNAL\b.{0,80}\n.{0,200}\b(?:Appellant|Petitioner|Complainant)"),
        ("financing-agreement", r"\b(?:(?:GOVERNMENT\s+)?CONCESSIONAL\s+LOAN|LOAN|CREDIT|FINANCING|FACILITY|BUYER'?S\s+CREDIT)\s+AGREEMENT\b"),
        ("award-letter", r"\b(?:LETTER|NOTICE|NOTIFICATION)\s+OF\s+(?:AWARD|ACCEPTANCE|INTENT)\b|\bAWARD\s+OF\s+CONTRACT\b|\bCONTRACT\s+AWARD\b|\bLETTER\s+OF\s+AWARD\b"),
        ("contract", r"\bCONTRACT\s+AGREEMENT\b|\bFORM\s+OF\s+CONTRACT\b|\bTHIS\s+(?:CONTRACT|AGREEMENT)\s+(?:is\s+)?made\b|\bSUPPLY\s+CONTRACT\b|\bPURCHASE\s+ORDER\b"),
        ("summary", r"\bSUMMARY\s+FOR\s+THE\s+(?:PRIME\s+MINISTER|PRESIDENT|(?:FEDERAL\s+)?CABINET|ECC|ECNEC|CHIEF\s+MINISTER|ECONOMIC\s+COORDINATION)|\bWORKING\s+PAPER\b"),
        ("minutes", r"\bMINUTES\s+OF\s+(?:THE\s+)?(?:\w+\s+){0,6}?MEETING\b|\bMINUTES\s+OF\s+MEETING\b"),
        ("tender-notice", r"\bTENDER\s+NOTICE\b|\bINVITATION\s+(?:FOR|TO)\s+(?:BIDS?|TENDERS?)\b|\bNOTICE\s+INVITING\s+TENDERS?\b|\bREQUEST\s+FOR\s+(?:QUOTATIONS?|PROPOSALS?|EXPRESSIONS?\s+OF\s+INTEREST)\b|\bPRE-?QUALIFICATION\s+NOTICE\b|\bINVITATION\s+FOR\s+PRE-?QUALIFICATION\b|\bTENDER\s+DOCUMENT\b|\bBIDDING\s+DOCUMENTS?\b|\bSTANDARD\s+TENDER\s+DOCUMENT\b"),
        ("evaluation-report", r"\b(?:BID|TECHNICAL|FINANCIAL)\s+EVALUATION\s+REPORT\b|\bEVALUATION\s+REPORT\b|\bABSTRACT\s+OF\s+BIDS\b"),
        ("procurement-plan", r"\b(?:ANNUAL\s+)?PROCUREMENT\s+PLAN\b"),
        ("audit-report", r"\bAUDIT\s+(?:REPORT|OBSERVATIONS?|PARA)\b|\bAUDITOR[- ]GENERAL\b.{0,80}\bREPORT\b|\bPEOPLE'?S\s+AUDIT\b"),
        ("notification", r"\bNOTIFICATION\b|\bGAZETTE\b"),
        ("law", r"\b(?:THE\s+)?[A-Z][A-Za-z ,]+\s+(?:ACT|ORDINANCE|RULES|REGULATIONS),?\s+\d{4}\b"),
    )
)

_FILENAME_HINTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        ("judgment", r"judg|order[-_ ]sheet|verdict|ruling|\bsc[-_]|petition"),
        ("financing-agreement", r"loan|credit|financ|facility"),
        ("award-letter", r"award|acceptance|\bnoa\b|\bloa\b"),
        ("contract", r"contract|agreement|purchase[-_ ]order"),
        ("summary", r"summary"),
        ("minutes", r"minutes"),
        ("tender-notice", r"tender|\bifb\b|\brfq\b|\brfp\b|invitation|notice"),
        ("evaluation-report", r"evaluation"),
        ("procurement-plan", r"procurement[-_ ]plan|\bapp\b"),
        ("audit-report", r"audit"),
        ("notification", r"notification|gazette"),
    )
)

OPENING_CHARS = 2500


def classify(filename: str, opening: str) -> str:
    """Kind of document from its opening text (first ~2,500 characters) and name."""
    head = opening[:OPENING_CHARS]
    best: tuple[int, int, str] | None = None
    for order, (kind, rx) in enumerate(_TITLES):
        m = rx.search(head)
        if m and (best is None or (m.start(), order) < best[:2]):
            best = (m.start(), order, kind)
    if best is not None and not (best[2] in {"law", "notification"} and best[0] > 600):
        return best[2]
    stem = filename.rsplit("/", 1)[-1]
    for kind, rx in _FILENAME_HINTS:
        if rx.search(stem):
            return kind
    return best[2] if best else "other"
