"""Trigger patterns: the phrasings through which documents state each kind of fact.

Each trigger is a regular expression over one sentence, written with a few
macros ({ART}, {AUX}, {RULES}, {TENDER}, {g3} ...) so that one line covers many
phrasings ("exempted from the application of the Public Procurement Rules,
2004", "exemption from PPRA Rules", "exempted from the Rules").  A trigger only
*proposes* a fact; scope analysis (scope.py) then decides whether the sentence
asserts, negates, hypothesises or merely reports it.

Negation words that are part of the trigger's own meaning ("tenders were *not*
invited", "*without* advertisement") sit in named groups ``neg``, ``neg2``...;
scope analysis does not count them against the trigger.

Each family has anchor words: a sentence is only tried against a family's
triggers when one of its anchors occurs in it (one regex pass per sentence), so
most sentences cost one search.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

_MACROS = {
    "ART": r"(?:(?:the|a|an|any|its|their|such|this|that|said|proper|formal)\s+)?",
    "AUX": r"(?:(?:was|were|is|are|be|been|being|has\s+been|have\s+been|had\s+been|shall\s+be|will\s+be|would\s+be|to\s+be|should\s+be|may\s+be|might\s+be|can\s+be|could\s+be|must\s+be|got|get|gets)\s+)",
    "RULES": (
        r"(?:(?:the\s+)?(?:Public\s+)?Procurement\s+(?:Rules|Regulations|Ordinance|Act|Law|laws|Policy|Manual)(?:,?\s*\d{4})?"
        r"|PPRA?(?:\s+(?:Rules|Ordinance|Regulations|Act|Law))?(?:,?\s*\d{4})?"
        r"|PP\s*Rules(?:,?\s*\d{4})?"
        r"|procurement\s+(?:rules|regulations|laws?|procedures?|process|requirements|formalities)"
        r"|(?:tender(?:ing)?|bidding)\s+(?:rules|procedures?|process|requirements?|formalities)"
        r"|(?-i:R)ules(?:\s+(?:of\s+)?\d{4})?"
        r"|codal\s+formalities"
        r"|(?:Government\s+)?Procurement\s+Reform\s+Act|R\.?A\.?\s*9184)"
    ),
    "TENDER": (
        r"(?:(?:open|public|competitive|international|national|global|local|fair|transparent|proper)[\s,]+(?:and\s+)?)*"
        r"(?:competitive\s+)?(?:tender(?:ing|s)?|bid(?:ding|s)?|competition|advertisement|advertising|auction(?:s|ing)?|"
        r"procurement\s+(?:process|procedure)|ICB|NCB|public\s+notice)"
    ),
    "FEAS": (
        r"(?:(?:pre-?)?feasibility(?:\s+(?:stud(?:y|ies)|report|analysis|assessment))?"
        r"|PC[- ]?(?:I|1|One)\b(?:\s+(?:document|proforma))?|techn(?:ical|o-economic)\s+appraisal"
        r"|needs?\s+assessment|cost[- ]benefit\s+analysis|project\s+appraisal|economic\s+appraisal"
        r"|appraisal\s+of\s+the\s+project|detailed\s+(?:project|design)\s+report)"
    ),
    "VENDOR": (
        r"(?:(?-i:M/[Ss]\.?\s*[A-Z0-9][\w&.,'’-]*(?:\s+(?:[A-Z(&][\w&.,'’()-]*|of|and)){0,7})"
        r"|the\s+(?:said\s+|same\s+|chinese\s+|foreign\s+|selected\s+|proposed\s+)?(?:vendor|supplier|contractor|firm|company|consortium|manufacturer|bidder|joint\s+venture)"
        # a bare firm name ("Huawei", "China Machinery Engineering Corporation"), not an institution
        r"|(?-i:(?!(?:The|This|That|Government|Ministry|Federal|Project|Borrower|Lender|Bank|Agreement|"
        r"Contract|Contractor|Rules|Article|Section|Schedule|Loan|Facility|Credit|Division|Authority|Commission|"
        r"Court|State|Republic|People|Exim|Export)\b)(?!(?:Pakistan|China|Chinese|Kenya|Philippines|India|Sri\s+Lanka)\b(?!\s+[A-Z]))"
        r"[A-Z][A-Za-z0-9&'’.-]+(?:\s+[A-Z][A-Za-z0-9&'’.-]+){0,5}))"
    ),
    "AGENCY": (
        r"(?:the\s+)?(?:Ministry|Division|Department|Authority|Government|Govt\.?|Agency|Board|Corporation|Company|"
        r"NADRA|Secretary|Minister|Commission|Directorate|Foundation|Council|Municipal\w*|Institute|University|Hospital|"
        r"Bank|Utility|Committee|Cell|Wing|Office|WAPDA|NHA|CDA|LDA|KMC|procuring\s+(?:agency|entity)|"
        r"(?:federal|provincial)\s+government|department|ministry|authority|company|corporation)"
    ),
}
for _n in range(1, 13):
    _MACROS[f"g{_n}"] = rf"(?:\W+\w+){{0,{_n}}}?\W+"


def rx(pattern: str) -> re.Pattern[str]:
    def sub(m: re.Match[str]) -> str:
        return _MACROS.get(m.group(1), m.group(0))

    return re.compile(re.sub(r"\{(\w+)\}", sub, pattern), re.I)


@dataclass(frozen=True)
class Trigger:
    name: str
    kind: str
    regex: re.Pattern[str]
    confidence: float
    attrs: tuple[tuple[str, str], ...] = ()
    require: tuple[re.Pattern[str], ...] = ()  # the sentence must also match all of these
    exclude: re.Pattern[str] | None = None  # ... and must not match this
    keys: tuple[str, ...] = ()  # lower-case substrings one of which every match contains (a cheap pre-check)
    request: bool = False  # the fact is itself a request/directive: "should", "be kept",
    # "X insisted that..." do not make it hypothetical or reported (only a litigant's words do)


@dataclass(frozen=True)
class Family:
    name: str
    anchors: re.Pattern[str]
    triggers: tuple[Trigger, ...] = field(default_factory=tuple)


def T(name: str, kind: str, pattern: str, confidence: float, require: str | tuple[str, ...] | None = None,
      exclude: str | None = None, request: bool = False, **attrs: str) -> Trigger:
    if isinstance(require, str):
        require = (require,)
    return Trigger(
        request=request,
        name=name,
        kind=kind,
        regex=rx(pattern),
        confidence=confidence,
        attrs=tuple(sorted(attrs.items())),
        require=tuple(rx(r) for r in require or ()),
        exclude=rx(exclude) if exclude else None,
    )


# ---------------------------------------------------------------------------
# waived-tendering: competitive tendering waived, bypassed or dispensed with
# ---------------------------------------------------------------------------
PROCUREMENT_CONTEXT = (
    r"\b(?:contract|award|procur|purchase|tender|bid|supply|supplier|vendor|contractor|project|work|"
    r"firm|company|agreement|equipment|services|goods|acquisition|procurement|hire|hiring|appoint|allot|deal|"
    r"sale|sold|lease|auction|plot|land)"
)

TENDER = Family(
    "tender",
    rx(
        r"exempt|waiv|direct|single|sole|without|tender|bid|advertis|dispens|bypass|by-pass|circumvent|"
        r"nominat|negotiat|rule\s*42|section\s*21|relax|competition|non-?competitive|g2g|government[- ]to[- ]government|"
        r"outside\s+the|purview|absence|not\s+(?:follow|observ|adher)|violat|flout|ignor|proforma|limited\s+source|"
        r"auction|put\s+to|thrown\s+open|transparent|pre-?selected|restricted|selective|closed\s+tender|rule\s*5\b|nominat"
    ),
    (
        # exemptions from procurement rules
        T("exempt-from-rules", "tendering-waived",
          r"\bexempt\w*\b{g6}(?:from|of|under)\s+(?:the\s+)?(?:application|purview|operation|ambit|applicability|provisions?|requirements?|rigou?rs?)?\s*(?:of\s+)?{RULES}",
          0.9, mechanism="exemption"),
        T("exemption-granted", "tendering-waived",
          r"\bexemption\b{g4}(?:was|were|is|are|been|be|being)\s+(?:duly\s+)?(?:granted|accorded|allowed|approved|given|obtained|sought|requested)",
          0.8, require=r"{RULES}|\bsection\s*21\b|\bprocure|\btender|\bbidding", mechanism="exemption"),
        T("exemption-under-s21", "tendering-waived",
          r"\bexempt\w*\b{g6}(?:section|sec\.?|s\.)\s*21\b",
          0.9, mechanism="exemption"),
        T("rules-not-applied", "tendering-waived",
          r"{RULES}\s+(?:were|was|had\s+been|have\s+been|has\s+been|being|are|is)\s+(?:completely\s+|totally\s+|simply\s+)?(?:waived|relaxed|dispensed\s+with|bypassed|by-passed|circumvented|ignored|flouted|sidelined|set\s+aside|(?P<neg>not)\s+(?:applied|followed|observed|adhered\s+to|complied\s+with))",
          0.85, mechanism="rules-not-followed"),
        T("without-following-rules", "tendering-waived",
          r"\b(?P<neg>without)\s+(?:following|observing|adhering\s+to|complying\s+with|fulfilling|applying){g4}{RULES}",
          0.8, require=PROCUREMENT_CONTEXT, mechanism="rules-not-followed"),
        T("rule-5-commitment", "tendering-waived",
          r"\b(?:invok\w*|resort\w*\s+to|under|in\s+terms\s+of|by\s+virtue\s+of|relying\s+(?:up)?on|through|covered\s+by|fell\s+under|falls\s+under)\s+(?:the\s+)?rule\s*5\b(?!\s*\()",
          0.7, require=(r"\b(?:procur\w*|contract|award|exempt\w*|international|inter-?governmental|agreement|loan|G2G)\b", r"\b(?:PP|PPRA|Procurement)\b|\brules?\b"),
          mechanism="exemption"),
        T("relaxation-of-rules", "tendering-waived",
          r"\brelax(?:ation|ed|ing)?\s+(?:of\s+|in\s+)?{RULES}",
          0.75, mechanism="exemption"),
        T("outside-rules", "tendering-waived",
          r"\b(?:outside|beyond)\s+the\s+(?:purview|ambit|scope|application)\s+of\s+{RULES}",
          0.8, mechanism="exemption"),
        # waiver of competition
        T("waiver-of-tender", "tendering-waived",
          r"\bwaiv(?:ers?|ed|ing|es|e)\b{g3}(?:of\s+|from\s+)?(?:the\s+)?(?:requirements?\s+of\s+|condition\s+of\s+)?{TENDER}",
          0.9, mechanism="waiver"),
        T("tender-waived", "tendering-waived",
          r"{TENDER}{g3}(?:was|were|had\s+been|has\s+been|have\s+been|be|being|is|are)\s+(?:duly\s+|also\s+)?(?:waived|relaxed|done\s+away\s+with|set\s+aside|skipped|bypassed|by-passed|avoided)",
          0.9, mechanism="waiver"),
        T("waiver-of-rules", "tendering-waived",
          r"\bwaiv(?:ers?|ed|ing|es|e)\b{g3}(?:of\s+|from\s+)?{RULES}",
          0.85, mechanism="waiver"),
        # dispensed with / bypassed
        T("dispensed-with-tender", "tendering-waived",
          r"\bdispens(?:ed|ing|es|e)\s+with\s+{ART}(?:requirements?\s+(?:of|for)\s+)?(?:the\s+)?{TENDER}",
          0.9, mechanism="dispensed"),
        T("tender-dispensed", "tendering-waived",
          r"{TENDER}{g3}(?:was|were|had\s+been|has\s+been|be|being)\s+dispensed\s+with",
          0.9, mechanism="dispensed"),
        T("bypass-tender", "tendering-waived",
          r"\b(?:by-?pass(?:ed|ing)?|circumvent(?:ed|ing)?|avoid(?:ed|ing)|skipp(?:ed|ing)|evad(?:ed|ing))\s+{ART}(?:process\s+of\s+|requirements?\s+of\s+)?{TENDER}",
          0.85, mechanism="bypassed"),
        # direct contracting, single / sole source, nomination, negotiation
        T("direct-contracting", "tendering-waived",
          r"\bdirect\s+(?:contract(?:ing|s)?|procurement|purchas(?:e|ing)|award(?:ing)?|negotiations?|hiring|appointment|acquisition|selection|engagement)\b",
          0.85, exclude=r"\bdirect\s+(?:contract|procurement)\s+(?:costs?|labou?r)\b|\bindirect\b", mechanism="direct-contracting"),
        T("awarded-directly", "tendering-waived",
          r"\b(?:award(?:ed|ing)?|given|granted|entrusted|assigned|allotted|handed\s+over|purchased|procured|hired|engaged|appointed)\s+(?:the\s+(?:contract|work|project)\s+)?directly\b"
          r"|\bdirectly\s+(?:award(?:ed|ing|s)?|gave|given|entrusted|assigned|allotted|procured|purchased|hired|engaged|appointed|negotiated)\b",
          0.85, mechanism="direct-contracting"),
        T("did-not-invite", "tendering-waived",
          r"\b(?:did|does|do|had|has|have|was|were)\s+(?P<neg>not|never)\s+(?:been\s+)?(?:invite|call|float|advertise|hold|seek|issue|publish)\w*\s+(?:for\s+)?(?:any\s+|open\s+|public\s+|competitive\s+|sealed\s+)*(?:bids|tenders?|offers|quotations|proposals|competition|expressions?\s+of\s+interest)\b",
          0.85, require=PROCUREMENT_CONTEXT, mechanism="no-advertisement"),
        T("through-negotiation", "tendering-waived",
          r"\b(?:award(?:ed)?|procured|finali[sz]ed|purchased|settled|concluded|given|signed|entered\s+into|made|executed|arranged|struck|sold|leased|allotted)\b{g4}(?:through|by\s+way\s+of|by|on\s+the\s+basis\s+of)\s+(?:direct\s+|private\s+|bilateral\s+|secret\s+)?negotiations?\b",
          0.7, require=PROCUREMENT_CONTEXT, mechanism="negotiated"),
        T("rule-42c", "tendering-waived",
          r"\brule\s*42\s*\(?\s*c\s*\)?",
          0.8, require=r"\b(?:resort|invok|under|direct|award|procure|contract|appl)", mechanism="direct-contracting"),
        T("single-source", "tendering-waived",
          r"\b(?:single|sole|one)[- ]?(?:source|sourced|sourcing|tender(?:ing)?|bid(?:der)?|quotation|supplier|vendor)\b(?:\s+(?:basis|procurement|contract|award|selection|method))?",
          0.85, exclude=r"\bsingle[- ]stage\b|\bone[- ](?:envelope|stage)\b|\bsingle\s+bid\s+(?:security|price)\b", mechanism="single-source"),
        T("limited-source", "tendering-waived",
          r"\blimited[- ]source\s+(?:bidding|procurement|selection)",
          0.6, mechanism="limited-competition"),
        T("nominated-contractor", "tendering-waived",
          r"\bnominat(?:ed|es|ing)\s+(?P<vendor>{VENDOR})\s+(?:as|to\s+be|for)\s+(?:the\s+)?(?:contractor|supplier|vendor|executing\s+agency|EPC\s+contractor)",
          0.8, mechanism="nomination"),
        T("nomination-basis", "tendering-waived",
          r"\b(?:on\s+(?:a\s+)?nomination(?:\s+basis)?|nominat(?:ed|ion)\s+basis|by\s+nomination)\b",
          0.75, require=PROCUREMENT_CONTEXT, mechanism="nomination"),
        T("negotiated-procurement", "tendering-waived",
          r"\bnegotiated\s+(?:procurement|contract(?:ing)?|purchase|award|basis|deal)\b",
          0.65, mechanism="negotiated"),
        T("g2g", "tendering-waived",
          r"\b(?:government[- ]to[- ]government|G2G|G-to-G)\s+(?:basis|arrangement|deal|contract|agreement|mode|route)",
          0.6, require=PROCUREMENT_CONTEXT, mechanism="government-to-government"),
        T("non-competitive", "tendering-waived",
          r"\b(?:non-?competitive|(?P<neg>without)\s+(?:any\s+)?competition|(?P<neg2>no)\s+competition|absence\s+of\s+(?:any\s+)?competition|lack\s+of\s+competition)\b",
          0.75, require=PROCUREMENT_CONTEXT, mechanism="no-competition"),
        # no tender / no advertisement
        T("without-tender", "tendering-waived",
          r"\b(?P<neg>without)\s+(?:any\s+|an?\s+|the\s+|proper\s+|formal\s+)?(?:(?:inviting|calling(?:\s+for)?|floating|holding|issuing|resorting\s+to|going\s+through|following|observing|adopting|conducting|publishing|(?:the\s+)?(?:issuance|publication|issue)\s+of)\s+)?(?:any\s+|an?\s+|the\s+)?(?:public\s+|open\s+)?(?:any\s+|an?\s+|the\s+)?{TENDER}",
          0.85, require=PROCUREMENT_CONTEXT, mechanism="no-advertisement"),
        T("without-anything-tender", "tendering-waived",
          r"\b(?P<neg>without)\s+(?:(?!(?:and|but|which|delay|prejudice)\b)[\w'’-]+\s+){1,5}?{TENDER}\b",
          0.8, require=PROCUREMENT_CONTEXT, exclude=r"\bwithout\s+(?:any\s+)?(?:delay|prejudice)\b", mechanism="no-advertisement"),
        T("without-transparent-procedure", "tendering-waived",
          r"\b(?P<neg>without)\s+(?:\w+\s+){0,4}?(?:transparent|competitive|open|fair)\s+(?:procedure|process|manner|method|mode|selection)\b",
          0.7, require=PROCUREMENT_CONTEXT, mechanism="no-competition"),
        T("not-put-to-auction", "tendering-waived",
          r"\b(?:was|were|had\s+been|has\s+been|have\s+been)\s+(?P<neg>not|never)\s+(?:put|offered|thrown\s+open|subjected|exposed)\s+(?:up\s+)?to\s+(?:an?\s+|the\s+)?(?:open\s+|public\s+|competitive\s+)*(?:auction|tender(?:ing)?|competition|bidding|market)",
          0.85, require=PROCUREMENT_CONTEXT, mechanism="no-advertisement"),
        T("restricted-tender", "tendering-waived",
          r"\b(?:restricted|limited|selective|closed)\s+(?:tender(?:ing)?|bidding|competition|enquiry|invitation)\b|\bpre-?selected\s+(?:firms|bidders|suppliers|contractors|companies)\b",
          0.65, require=PROCUREMENT_CONTEXT, mechanism="limited-competition"),
        T("without-formalities-advert", "tendering-waived",
          r"\b(?P<neg>without)\s+(?:observing|following|fulfilling|completing|adopting)\b{g8}(?:advertis\w+|tender\w*|bidding|competiti\w+)",
          0.8, require=PROCUREMENT_CONTEXT, mechanism="no-advertisement"),
        T("no-tender-held", "tendering-waived",
          r"\b(?P<neg>(?-i:[Nn]o))\s+(?:open\s+|public\s+|competitive\s+|international\s+|national\s+|formal\s+|proper\s+)*(?:competitive\s+)?(?:tender(?:ing|s)?|bid(?:ding|s)?|advertisement|public\s+notice|ICB|NCB|competition)\b(?!\s+(?:withdrawal|security|securities|document|documents|fee|form|opening|price|prices|validity|submission|deposit|evaluation|number|no\b|shall|will|may|received|was\s+received|were\s+received))(?:{g3}(?:was|were|had\s+been|has\s+been)\s+(?:held|invited|called|floated|issued|published|made|conducted|carried\s+out|resorted\s+to|undertaken))?",
          0.85, require=PROCUREMENT_CONTEXT, mechanism="no-advertisement"),
        T("tender-not-invited", "tendering-waived",
          r"{TENDER}{g3}(?:was|were|had|has|have)\s+(?:been\s+)?(?P<neg>not|never)\s+(?:been\s+)?(?:invited|called|floated|issued|published|held|advertised|conducted|made|resorted\s+to|adopted|followed)",
          0.85, mechanism="no-advertisement"),
        T("not-advertised", "tendering-waived",
          r"\b(?:contract|work|project|procurement|requirement|tender|supply|purchase|award)s?{g3}(?:was|were|had\s+been|has\s+been)\s+(?P<neg>not|never)\s+(?:been\s+)?(?:advertised|put\s+(?:up\s+)?to\s+(?:open\s+)?(?:tender|competition)|competitively\s+(?:tendered|bid))",
          0.85, mechanism="no-advertisement"),
        T("absence-of-tender", "tendering-waived",
          r"\b(?:absence|lack)\s+of\s+(?:any\s+)?(?:open\s+|public\s+|competitive\s+|international\s+)*(?:tender(?:ing)?|bidding|advertisement|competition)",
          0.8, require=PROCUREMENT_CONTEXT, mechanism="no-advertisement"),
    ),
)

# ---------------------------------------------------------------------------
# missing-feasibility-study
# ---------------------------------------------------------------------------
_DONE = r"(?:conducted|carried\s+out|prepared|done|undertaken|made|approved|obtained|completed|commissioned|performed|finali[sz]ed|submitted|vetted|got\s+approved|sought)"
_DEFERRED = r"(?:dispensed\s+with|deferred|postponed|waived|bypassed|by-passed|skipped|ignored|side-?lined|left\s+out|put\s+off|omitted|relaxed|done\s+away\s+with)"

FEASIBILITY = Family(
    "feasibility",
    rx(r"feasib|PC[- ]?(?:I|1|One)\b|apprais|needs?\s+assessment|cost[- ]benefit|project\s+report"),
    (
        T("without-feasibility", "feasibility-missing",
          r"\b(?P<neg>without)\s+(?:any\s+|a\s+|the\s+|proper\s+|prior\s+|formal\s+|approved\s+)?(?:(?:conducting|carrying\s+out|preparing|preparation\s+of|approval\s+of|approving|undertaking|obtaining|completing|having)\s+)?(?:any\s+|a\s+|the\s+|proper\s+|prior\s+)?{FEAS}",
          0.9, mode="not-done"),
        T("no-feasibility", "feasibility-missing",
          r"\b(?P<neg>no)\s+(?:proper\s+|formal\s+|prior\s+|detailed\s+|independent\s+)?{FEAS}(?:{g3}(?:was|were|had\s+been|has\s+been|have\s+been)\s+" + _DONE + r")?",
          0.85, mode="not-done"),
        T("feasibility-not-done", "feasibility-missing",
          r"{FEAS}{g4}(?:was|were|had|has|have|is|are)\s+(?:been\s+)?(?:still\s+)?(?:(?P<neg>not|never)\s+(?:been\s+|even\s+|yet\s+|duly\s+|properly\s+)*|yet\s+to\s+be\s+)" + _DONE,
          0.85, mode="not-done"),
        T("not-supported-by-feasibility", "feasibility-missing",
          r"\b(?:PC[- ]?(?:I|1|One)|proposal|project|scheme|decision|award|estimate|cost)\b{g3}(?:is|was|were|are|has\s+been|had\s+been)\s+(?P<neg>not)\s+(?:supported|backed|preceded|based|founded)\s+(?:by|on|upon)\s+(?:a\s+|any\s+|the\s+)?{FEAS}",
          0.85, mode="not-done"),
        T("feasibility-deferred", "feasibility-missing",
          r"{FEAS}{g6}{AUX}(?:not\s+|never\s+)?(?:completely\s+|altogether\s+|simply\s+)?" + _DEFERRED,
          0.9, mode="dispensed"),
        T("defer-feasibility", "feasibility-missing",
          r"\b(?:dispens(?:ed|ing|es|e)\s+with|defer(?:red|ring)?|postpon(?:ed|ing|e)|waiv(?:ed|ing|e)|bypass(?:ed|ing)?|skipp?(?:ed|ing)?|ignor(?:ed|ing|e)|forgo(?:ne|ing)?|forego(?:ne|ing)?)\s+{ART}(?:requirements?\s+(?:of|for)\s+(?:a\s+|the\s+)?)?{FEAS}",
          0.9, mode="dispensed"),
        T("feasibility-after-award", "feasibility-missing",
          r"{FEAS}{g4}(?:would|will|shall|to|was\s+to|were\s+to|is\s+to|could|may)\s+be\s+(?:prepared|conducted|carried\s+out|done|undertaken|completed|submitted|approved|processed|regulari[sz]ed)\s+(?:after|subsequent(?:ly)?(?:\s+to)?|post|following|later|at\s+a\s+later\s+stage|in\s+due\s+course|afterwards|ex[- ]post)",
          0.9, mode="deferred"),
        T("before-feasibility", "feasibility-missing",
          r"\b(?:award(?:ed)?|sign(?:ed|ing)|execut(?:ed|ion)|start(?:ed)?|commenc(?:ed|ement)|launch(?:ed)?|approv(?:ed|al)|contract(?:ed)?|implement(?:ed|ation))\b{g6}(?:before|prior\s+to|pending|in\s+anticipation\s+of|ahead\s+of)\s+(?:the\s+)?(?:preparation|approval|completion|finali[sz]ation|conduct|submission)\s+of\s+(?:the\s+|a\s+|any\s+)?{FEAS}",
          0.85, mode="deferred"),
        T("feasibility-ex-post", "feasibility-missing",
          r"{FEAS}{g6}(?:after|subsequent\s+to|post)\s+(?:the\s+)?(?:award|signing|execution|contract|agreement)\b",
          0.7, require=r"\b(?:prepar|conduct|approv|submi|process|regulari)", mode="deferred"),
    ),
)

# ---------------------------------------------------------------------------
# urgency-without-emergency: urgency invoked / emergency formally declared
# ---------------------------------------------------------------------------
# what urgency is invoked *for*: a shortcut through procedure
_BYPASS_CONTEXT = (
    r"\b(?:exempt\w*|waiv\w*|dispens\w*|bypass\w*|by-pass\w*|circumvent\w*|relax\w*|direct(?:ly)?\s+(?:contract|award|purchas|procure|negotiat|hir|appoint)\w*|"
    r"(?:purchas|procur|award|given|hired|engaged|appointed|entrusted)\w*\s+directly|"
    r"single[- ]source|sole[- ]source|without\s+(?:\w+\s+){0,3}?(?:tender|bid|advertis|competition|feasibility|PC-?I|approval|formalit)\w*|"
    r"fast[- ]?track\w*|expedit\w*|short(?:er|ened)?\s+(?:notice|period|time)|shorten\w*|curtail\w*|reduc\w*\s+(?:the\s+)?(?:bidding|response|tender)|"
    r"skip\w*|defer\w*|immediate(?:ly)?\s+(?:award|start|execut|procure|purchas)\w*|nomination|negotiat\w*|instead\s+of|in\s+lieu\s+of|"
    r"not\s+(?:possible|feasible|practicable)\s+to\s+(?:invite|follow|advertise|tender|wait)|rule\s*42|proceed\w*\s+without|dispense|"
    r"deviat\w*)"
)
URGENCY = Family(
    "urgency",
    rx(r"urgen|emergen|exigen|security|immediate|fast[- ]?track|expedit|speedy|haste|hurr|critical|law\s+and\s+order|"
       r"paucity|shortage\s+of\s+time|time\s+constraint|sensitiv"),
    (
        T("in-view-of-urgency", "urgency-invoked",
          r"\b(?:in\s+view\s+of|due\s+to|owing\s+to|because\s+of|on\s+account\s+of|keeping\s+in\s+view|given|citing|considering|in\s+the\s+light\s+of|in\s+light\s+of|on\s+the\s+(?:ground|plea|basis|pretext)s?\s+of|under\s+the\s+(?:garb|pretext|cover)\s+of|for\s+reasons?\s+of)\s+(?:the\s+)?(?:\w+\s+){0,3}?(?:urgen(?:cy|t)|emergen(?:cy|t)|exigenc(?:y|ies)|(?:national\s+)?security\s+(?:requirements?|situation|concerns?|needs?|imperatives?|considerations?|reasons?)|immediate\s+(?:need|requirement)s?|law\s+and\s+order\s+situation|critical\s+(?:need|situation)|"
          r"paucity\s+of\s+time|shortage\s+of\s+time|time\s+constraints?|(?:security\s+)?sensitivity|sensitive\s+nature)",
          0.85, require=_BYPASS_CONTEXT),
        T("urgent-basis", "urgency-invoked",
          r"\b(?:on\s+(?:an?\s+)?(?:urgent|emergency|emergent|immediate|fast[- ]?track|top[- ]priority)\s+basis|as\s+a\s+matter\s+of\s+(?:urgency|emergency|extreme\s+urgency)|urgently\s+required|emergency\s+procurement|fast[- ]?track(?:ed|ing)?\s+(?:procurement|basis|mode|process))",
          0.8, require=_BYPASS_CONTEXT),
        T("urgency-justifies", "urgency-invoked",
          r"\b(?:urgen(?:cy|t)|emergen(?:cy|t)|exigenc(?:y|ies)|(?:national\s+)?security\s+(?:requirements?|situation|concerns?|considerations?)|paucity\s+of\s+time|time\s+constraints?)\b{g6}(?:justif\w*|warrant\w*|necessitat\w*|requir\w*|demand\w*|call(?:ed|s)?\s+for)",
          0.8, require=_BYPASS_CONTEXT),
        T("urgency-no-time", "urgency-invoked",
          r"\b(?:urgen(?:cy|t)|emergen(?:cy|t)|exigenc(?:y|ies)|security\s+(?:requirements?|situation|concerns?)|time\s+constraints?)\b{g6}(?:(?:did|does|do|would|could|will)\s+(?P<neg>not)\s+(?:permit|allow|admit)|left\s+(?P<neg2>no)\s+time|(?P<neg3>no)\s+time\s+(?:for|to))",
          0.8, require=r"\b(?:bid|tender|competi|procedure|advertis|rules|formalit|process)"),
    ),
)
_NOT_EMERGENCY = r"\bemergency\s+(?:services?|exits?|lights?|response\s+(?:vehicles?|units?|team)|medical|ward|room|contact|numbers?|generators?|stocks?|repairs?\s+fund)\b"
EMERGENCY = Family(
    "emergency",
    rx(r"emergen|calamit|disaster|article\s*232|gazette"),
    (
        T("emergency-declared", "emergency-declared",
          r"\b(?:declar\w*|proclaim\w*|proclamation|notif(?:ied|ication|ies|y)|impos(?:ed|ition|es|e))\b{g8}(?:(?:state\s+of\s+)?emergency|calamit(?:y|ies)|calamity[- ](?:hit|affected)\s+areas?|disaster(?:[- ]affected)?\s+(?:area|zone)s?|disaster)\b",
          0.9, exclude=_NOT_EMERGENCY),
        T("emergency-was-declared", "emergency-declared",
          r"\b(?:(?:state\s+of\s+)?emergency|calamity|disaster)\b{g4}(?:was|were|had\s+been|has\s+been|have\s+been|is|stands|stood)\s+(?:formally\s+|duly\s+|officially\s+)?(?:declared|proclaimed|notified|imposed|in\s+force)",
          0.9, exclude=_NOT_EMERGENCY),
        T("ndma-declaration", "emergency-declared",
          r"\b(?:under|in\s+terms\s+of|conferred\s+by|vested\s+by)\s+(?:section\s+\d+\w*\s+of\s+)?the\s+(?:National\s+|Provincial\s+)?Disaster\s+(?:Management|Risk\s+Reduction)\s+(?:Act|Ordinance)",
          0.8, require=r"\b(?:declar|notif|calamit|emergen|disaster)"),
        T("article-232", "emergency-declared",
          r"\b(?:proclamation\s+of\s+emergency|Article\s*232)\b",
          0.85, require=r"\b(?:proclam|declar|emergen)"),
    ),
)

# ---------------------------------------------------------------------------
# secrecy-request
# ---------------------------------------------------------------------------
_REQUEST = (
    r"\b(?:want(?:s|ed)?|wish(?:es|ed)?|desir(?:e|es|ed|ous)|request(?:s|ed)?|ask(?:s|ed)?|insist(?:s|ed)?|advis(?:e|es|ed)|"
    r"direct(?:s|ed)?|instruct(?:s|ed)?|prefer(?:s|red)?|expect(?:s|ed)?|urg(?:e|es|ed)|emphasi[sz](?:e|es|ed)|stress(?:es|ed)?|"
    r"should|shall|must|may|need(?:s|ed)?\s+to|be\s+kept|to\s+be\s+(?:kept|executed|done|handled|implemented|carried)|"
    r"keep|kept|maintain(?:ed)?|ensur(?:e|ed)|so\s+as\s+to|in\s+order\s+to|condition)"
)
_ORDINARY_SECRECY = (
    r"\b(?:classified\s+(?:information|documents?|annex(?:es|ure)?|material|matters?)|Official\s+Secrets\s+Act|"
    r"bids?\b|bid\s+prices|evaluation|proposals\s+(?:shall|will)|proprietary|trade\s+secrets?|personal\s+data|"
    r"privacy|confidential\s+(?:inquiry|report|information\s+of\s+(?:the\s+)?bidders?)|attorney|privilege|"
    r"(?:both|either|the|each)\s+part(?:y|ies)|third\s+part(?:y|ies)|divulg\w*|non-?disclosure|personnel)"
)
SECRECY = Family(
    "secrecy",
    rx(r"low[- ]?(?:profile|key)|away\s+from|scrutiny|confidential|secre|publicit|publici[sz]|media|press|public\s+eye|glare|under\s+wraps|discreet|hush|limelight|made\s+public|disclos"),
    (
        T("low-profile", "secrecy-request",
          r"\blow[- ]?(?:key|profile)\b", 0.9,
          require=r"\b(?:project|procurement|contract|deal|matter|execut|implement|done|handled|kept|award|transaction|china|chinese|side)", request=True),
        T("kept-confidential", "secrecy-request",
          r"\b(?:kept|keep|keeping|remain|remains?|treated|handled|maintained|maintain)\s+(?:[\w-]+\s+){0,5}?(?:strictly\s+|completely\s+|entirely\s+|highly\s+)?(?:confidential|secret|under\s+wraps|in\s+confidence|away\s+from\s+(?:the\s+)?(?:media|press|public(?:\s+(?:eye|scrutiny|view|gaze|knowledge))?|limelight))",
          0.75, require=(_REQUEST, PROCUREMENT_CONTEXT), exclude=_ORDINARY_SECRECY, request=True),
        T("no-publicity", "secrecy-request",
          r"\b(?:(?P<neg>without|no)\s+(?:any\s+)?publicity|(?:avoid|minimi[sz]e|shun|refrain\s+from)\w*\s+(?:any\s+)?(?:publicity|media\s+(?:attention|coverage)|public\s+(?:attention|scrutiny|debate))|away\s+from\s+(?:the\s+)?(?:media|public\s+(?:eye|glare|gaze)|limelight|publicity)|(?P<neg2>not)\s+(?:be\s+)?(?:publici[sz]ed|made\s+public|disclosed\s+to\s+(?:the\s+)?(?:media|public|press)|shared\s+with\s+(?:the\s+)?(?:media|press)))",
          0.85, require=(_REQUEST, PROCUREMENT_CONTEXT), exclude=_ORDINARY_SECRECY, request=True),
        T("secrecy-maintained", "secrecy-request",
          r"\b(?:maintain|ensure|observe|preserve)\w*\s+(?:strict\s+|complete\s+|utmost\s+|total\s+)?(?:secrecy|confidentiality)\b",
          0.75, require=PROCUREMENT_CONTEXT, exclude=_ORDINARY_SECRECY, request=True),
        T("discreetly", "secrecy-request",
          r"\b(?:discreet(?:ly)?|quietly|hush[- ]hush|under\s+wraps)\b",
          0.65, require=r"\b(?:project|procurement|contract|deal|award|execut|implement|handled|done)\b",
          exclude=_ORDINARY_SECRECY, request=True),
    ),
)

# ---------------------------------------------------------------------------
# financing: concessional / tied loans
# ---------------------------------------------------------------------------
_LOAN = r"(?:loan|credit|financing|finance|funding|facility|funds)"
FINANCING = Family(
    "financing",
    rx(r"loan|credit|financ|funding|facility|exim|lender|tied|concession"),
    (
        T("loan-tied-to-vendor", "financing-tied",
          r"\b" + _LOAN + r"\b{g8}(?:was|were|is|are|being|been|be|remained|remains)?\s*(?:tied|linked|conditional|contingent|subject|attached|bundled|pegged)\s+(?:up\s+)?(?:to|on|upon|with)\b(?:[ \t\n]+(?!(?:and|but|which|while|whereas)\b)[\w'’-]+){0,7}?[ \t\n]+(?P<vendor>{VENDOR})",
          0.85),
        T("vendor-tied-loan", "financing-tied",
          r"\b(?:tied|linked|conditional|contingent)\s+(?:to|on|upon|with)\b(?:[ \t\n]+(?!(?:and|but|which|while|whereas)\b)[\w'’-]+){0,7}?[ \t\n]+(?P<vendor>{VENDOR})",
          0.8, require=r"\b(?:loan|credit|financ|funding|facility|exim)"),
        T("only-if-vendor", "financing-tied",
          r"\b" + _LOAN + r"\b{g10}(?:only\s+if|on\s+the\s+condition\s+that|provided|on\s+condition\s+that|subject\s+to\s+the\s+condition\s+that)\b{g6}(?P<vendor>{VENDOR})",
          0.75),
        T("vendor-brought-financing", "financing-tied",
          r"(?P<vendor>{VENDOR}){g8}(?:arrang(?:ed|ing|e)|brought|bring(?:s|ing)?|offer(?:ed|ing|s)?|secur(?:ed|ing|e)|tied\s+up)\b{g4}(?:concessional\s+|soft\s+|preferential\s+|buyer'?s?\s+)?" + _LOAN,
          0.7),
        T("tied-loan", "financing-concessional",
          r"\b(?:tied\s+(?:loan|aid|credit|financing)|concessional\s+(?:loan|credit|financing|terms)|soft\s+loan|buyer'?s?\s+credit|supplier'?s?\s+credit|preferential\s+(?:buyer'?s?\s+)?credit|export\s+credit|government\s+concessional\s+loan)",
          0.85),
        T("exim-bank", "financing-concessional",
          r"\b(?:Export[- ]Import\s+Bank|Exim\s*Bank|EXIM)\b",
          0.7, require=r"\b(?:loan|credit|financ|facility|agreement|lender)"),
    ),
)

# ---------------------------------------------------------------------------
# unsolicited-proposal
# ---------------------------------------------------------------------------
_VENDOR_SUBJECT = (
    r"(?:(?-i:M/[Ss]\.?\s*[A-Z0-9][\w&.,'’-]*(?:\s+(?:[A-Z(&][\w&.,'’()-]*|of|and)){0,7})|(?:the|a|an)\s+(?:\w+\s+){0,2}?(?:vendor|supplier|contractor|firm|company|consortium|manufacturer|investor|sponsor|bidder|party|group)|"
    r"(?-i:[A-Z][\w&.-]+(?:\s+[A-Z][\w&.-]+){0,4}\s+(?:Ltd|Limited|Inc|Corporation|Corp|Co|Company|Group|Technologies|Holdings|JV)\.?))"
)
UNSOLICITED = Family(
    "unsolicited",
    rx(r"unsolicited|approach|own\s+(?:proposal|initiative|offer|accord)|its\s+own|swiss\s+challenge|suo\s+motu\s+(?:offer|proposal)|self[- ]initiated|came\s+forward|offer|propos|originat|emanat|initiative|pitched"),
    (
        T("unsolicited", "unsolicited-proposal",
          r"\b(?:an?|the|this|that|its|their|his|such\s+an?|said|same)\s+(?:\w+\s+){0,2}?unsolicited\s+(?:proposal|offer|bid|approach|submission|PPP\s+proposal)\b"
          r"|\bunsolicited\s+(?:proposal|offer|bid)s?\s+(?:of|from|by|submitted\s+by|made\s+by|received\s+from)\s+(?:M/s|the\s+(?:firm|company|vendor|contractor|consortium))"
          r"|^\W*(?:Subject\s*:\s*)?unsolicited\s+(?:proposal|offer)\b", 0.9),
        T("approached-with-proposal", "unsolicited-proposal",
          r"(?P<vendor>" + _VENDOR_SUBJECT + r"){g6}(?:approached|contacted|wrote\s+to|called\s+on|met)\s+(?:the\s+)?{AGENCY}",
          0.85, require=r"\b(?:proposal|offer|proposed|offering|idea|concept|scheme|plan|solution|project)\b"),
        T("own-proposal", "unsolicited-proposal",
          r"\b(?:its|their|his|the\s+firm'?s|the\s+company'?s|the\s+vendor'?s|the\s+contractor'?s|the\s+supplier'?s)\s+own\s+(?:proposal|initiative|offer|accord|motion|concept|idea|scheme)",
          0.85, require=r"\b(?:approach|submit|offer|propos|brought|present|came|initiative|sent|made)"),
        T("vendor-proposed-project", "unsolicited-proposal",
          r"(?P<vendor>" + _VENDOR_SUBJECT + r"){g4}(?:came\s+forward|offered|proposed|suggested|pitched|presented|submitted)\s+(?:with\s+)?(?:a\s+|an\s+|its\s+|the\s+)?(?:\w+\s+){0,3}?(?:proposal|offer|plan|solution|concept|scheme|project)\s+(?:to|for|before)\s+(?:the\s+)?{AGENCY}",
          0.75, exclude=r"\b(?:in\s+response\s+to|pursuant\s+to|against)\s+(?:the\s+|an?\s+)?(?:tender|invitation|advertisement|request\s+for|RFP|bid)"),
        T("on-its-own", "unsolicited-proposal",
          r"\b(?:approached|contacted|wrote\s+to|came\s+to|offered|proposed|submitted)\b{g6}on\s+(?:its|their|his)\s+own\b(?!\s+(?:cost|costs|expense|account|risk|behalf|responsibility))",
          0.85),
        T("vendor-offered-to-agency", "unsolicited-proposal",
          r"(?P<vendor>" + _VENDOR_SUBJECT + r"){g3}(?:offered|proposed|pitched|presented|suggested)\s+to\s+{AGENCY}",
          0.75, require=r"\b(?:solution|system|project|scheme|proposal|offer|plan|services|supply|equipment)\b",
          exclude=r"\b(?:in\s+response\s+to|pursuant\s+to|against)\s+(?:the\s+|an?\s+)?(?:tender|invitation|advertisement|request\s+for|RFP|bid)"),
        T("proposal-without-request", "unsolicited-proposal",
          r"\b(?:proposal|offer)\s+(?:of|from|by)\s+(?P<vendor>" + _VENDOR_SUBJECT + r"){g8}(?P<neg>without)\s+(?:any\s+)?(?:request|invitation|solicitation|call|advertisement|tender|demand)",
          0.8),
        T("swiss-challenge", "unsolicited-proposal",
          r"\bswiss\s+challenge\b", 0.7),
        T("originated-from-vendor", "unsolicited-proposal",
          r"\b(?:project|proposal|scheme|idea|concept)\b{g4}(?:originated|emanated|came|initiated|conceived|mooted)\s+(?:from|with|by|at\s+the\s+instance\s+of)\s+(?P<vendor>" + _VENDOR_SUBJECT + r")",
          0.8),
    ),
)

# ---------------------------------------------------------------------------
# court-found-irregularity
# ---------------------------------------------------------------------------
_PROCUREMENT_OBJECT = (
    r"\b(?:contract|award|agreement|procurement|tender|bid|bidding|privati[sz]ation|transaction|"
    r"letter\s+of\s+(?:acceptance|award|intent)|LoA|LOA|allotment|acquisition|purchase|deal|sale|lease|"
    r"project|concession|work\s+order|purchase\s+order|auction)s?\b"
    r"|\b(?:procurement|tender(?:ing)?|bidding|selection|privati[sz]ation|award|acquisition|allotment|auction|sale|pre-?qualification)\s+process\b"
    r"|\b(?:the|this|that)\s+(?:whole|entire)\s+(?:process|exercise|transaction)\b"
)
_ILLEGAL = (
    r"(?:illegal(?:ly)?|unlawful|void(?:\s+ab\s+initio)?|null\s+and\s+void|nullity|invalid|of\s+(?P<neg3>no)\s+legal\s+effect|"
    r"(?P<neg4>without)\s+lawful\s+authority|unconstitutional|ultra\s+vires|farcical|a\s+farce|a\s+sham|sham|mala\s*fide|"
    r"non-?transparent|(?P<neg6>not)\s+transparent|arbitrary|vitiated|tainted|corrupt|collusive|fraudulent|(?P<neg5>not)\s+sustainable|unsustainable)"
)
COURT = Family(
    "court",
    rx(r"illegal|unlawful|void|nullity|invalid|legal\s+effect|lawful\s+authority|unconstitutional|ultra\s+vires|farc|sham|mala\s*fide|"
       r"transparen|arbitrary|vitiat|tainted|set\s+aside|quash|annul|cancel|struck\s+down|re-?tender|re-?advertis|fresh\s+(?:tender|bid)|"
       r"inquiry|enquiry|investigat|probe|reference|NAB|FIA|irregular|violation|directed|eyewash|afresh|de\s+novo|refer|look\s+into|"
       r"National\s+Accountability|Federal\s+Investigation|Anti-?Corruption"),
    (
        T("declared-illegal", "court-irregularity",
          r"\b(?:declared|held|found|adjudged|pronounced|termed|called|described|is|was|are|were|being|stands|stood)\s+(?:to\s+be\s+|as\s+|that\s+|to\s+have\s+been\s+)?(?:\w+\s+){0,3}?" + _ILLEGAL + r"\b",
          0.9, require=_PROCUREMENT_OBJECT, exclude=r"\b(?:if|unless|may\s+be|would\s+be|could\s+be)\s+(?:\w+\s+){0,3}" + re.sub(r"\(\?P<\w+>", "(?:", _ILLEGAL), finding="declared-illegal"),
        T("set-aside", "court-irregularity",
          r"\b(?:(?:is|are|was|were|be|been|stands?|stood)\s+(?:hereby\s+)?(?:set\s+aside|quashed|annulled|struck\s+down|nullified|declared\s+void)|(?:set(?:ting)?|sets)\s+aside|quash(?:ed|ing)?|annul(?:led|ling)?|struck\s+down|strike\s+down)\b",
          0.9, require=_PROCUREMENT_OBJECT, finding="set-aside"),
        T("cancelled-by-order", "court-irregularity",
          r"\b(?:(?:is|are|was|were|be|been|stands?|stood)\s+(?:hereby\s+|thus\s+|therefore\s+)?(?:cancell?ed|rescinded|revoked|withdrawn)\s+(?:forthwith|hereby|with\s+immediate\s+effect)|(?:is|are)\s+hereby\s+(?:cancell?ed|rescinded|revoked))\b",
          0.85, require=_PROCUREMENT_OBJECT, finding="cancelled"),
        T("exercise-farcical", "court-irregularity",
          r"\b(?:farcical|a\s+farce|an?\s+eye-?wash|a\s+sham|a\s+mockery)\b",
          0.85, require=_PROCUREMENT_OBJECT, finding="farcical"),
        T("illegalities-found", "court-irregularity",
          r"\b(?:illegalit(?:y|ies)|irregularit(?:y|ies)|violations?\s+of\s+(?:the\s+)?(?:law|rules|procurement|PPRA|mandatory))\b{g8}(?:committed|found|established|proved|noticed|pointed\s+out|surfaced|detected|observed|reflected|floated)"
          r"|\b(?:found|finds?|noticed|notice|established|detected|observed|unearthed|pointed\s+out|committed)\s+(?:\w+\s+){0,4}?(?:illegalit(?:y|ies)|irregularit(?:y|ies)|violations?)\b",
          0.7, require=_PROCUREMENT_OBJECT, finding="irregularities"),
        T("made-in-violation", "court-irregularity",
          r"\b(?:made|done|carried\s+out|awarded|executed|procured|purchased|granted|allotted|approved|processed|concluded|signed|entered\s+into)\s+in\s+(?:clear\s+|flagrant\s+|gross\s+|complete\s+|sheer\s+|utter\s+)?(?:violation|contravention|breach|disregard|derogation)\s+of\s+(?:the\s+)?(?:\w+\s+){0,3}?(?:rules|law|regulations|ordinance|act|procedures?|PPRA|codal|provisions|policy)",
          0.75, require=_PROCUREMENT_OBJECT, finding="violation"),
        T("was-irregular", "court-irregularity",
          r"\b(?:was|were|is|are|being|been)\s+(?:found\s+(?:to\s+be\s+)?)?(?:highly\s+|grossly\s+|totally\s+|wholly\s+)?(?:irregular|unauthori[sz]ed|unjustified|non-?transparent)\b",
          0.7, require=_PROCUREMENT_OBJECT, finding="irregular"),
        T("order-retender", "court-irregularity",
          r"\b(?:direct(?:ed|s)?|order(?:ed|s)?|required|ask(?:ed)?)\b{g8}(?:re-?tender\w*|re-?advertis\w*|re-?bid\w*|fresh\s+(?:tender\w*|bid\w*|process|procurement|advertisement)|de\s+novo\s+(?:process|tender\w*|bid\w*))",
          0.85, request=True, finding="re-tender"),
        T("afresh", "court-irregularity",
          r"\b(?:process|procurement|tender\w*|bidding|auction|selection)\b{g4}(?:afresh|de\s+novo|anew)\b|\b(?:afresh|de\s+novo)\s+(?:process|procurement|tender\w*|bidding|auction)",
          0.8, require=r"\b(?:direct|order|initiat|conduct|undertak|start|hold|commence)\w*", request=True, finding="re-tender"),
        T("referred-to-agency", "court-irregularity",
          r"\b(?:refer(?:red)?|sent|forwarded|handed\s+over|entrusted)\s+to\s+(?:the\s+)?(?:NAB|FIA|Chairman,?\s+NAB|DG,?\s+FIA|National\s+Accountability\s+Bureau|Federal\s+Investigation\s+Agency|Anti-?Corruption\s+(?:Establishment|Commission)|Ethics\s+and\s+Anti-?Corruption\s+Commission)\b",
          0.8, require=r"\b(?:matter|case|inquiry|investigation|probe|action|proceedings|reference|contract|award|procurement|transaction)\b", request=True, finding="inquiry-ordered"),
        T("order-inquiry", "court-irregularity",
          r"\b(?:NAB|FIA|Chairman,?\s+NAB|DG,?\s+FIA|Anti-?Corruption\s+(?:Establishment|Commission)|Auditor[- ]General|Federal\s+Investigation\s+Agency|National\s+Accountability\s+Bureau|Ethics\s+and\s+Anti-?Corruption\s+Commission|Ombudsman|police)\b{g6}(?:(?:is|are|was|were|shall|stands?)\s+(?:hereby\s+)?(?:directed|ordered|required|asked)\s+to\s+(?:initiate|conduct|hold|probe|inquire|investigate|proceed|register|file|look|take|carry|undertake|audit|get)|(?:shall|will|should|must|may)\s+(?:look\s+into|investigate|inquire|probe|proceed\s+against|initiate|take\s+(?:up|action)|register|conduct))",
          0.8, request=True, finding="inquiry-ordered"),
        T("direct-inquiry", "court-irregularity",
          r"\b(?:direct|order)(?:ed|s)?\s+(?:that\s+)?(?:an?\s+|the\s+)?(?:thorough\s+|comprehensive\s+|fresh\s+|independent\s+|criminal\s+|full[- ]fledged\s+)?(?:inquiry|enquiry|investigation|probe|audit|reference|proceedings)\b",
          0.75, require=_PROCUREMENT_OBJECT, request=True, finding="inquiry-ordered"),
    ),
)

# ---------------------------------------------------------------------------
# inflated cost: over-pricing statements
# ---------------------------------------------------------------------------
_TIMES = r"(?P<factor>\d+(?:\.\d+)?|two|three|four|five|six|seven|eight|nine|ten|double|twice|triple|thrice|quadruple)"
OVERPRICING = Family(
    "overpricing",
    rx(r"times|double|twice|triple|thrice|overpric|over-pric|inflat|exorbitant|above\s+(?:the\s+)?market|higher\s+than|excess"),
    (
        T("times-market", "overpricing",
          r"\b(?:about\s+|around\s+|nearly\s+|almost\s+|roughly\s+|approximately\s+|over\s+|more\s+than\s+)?" + _TIMES + r"(?:\s+times|-fold|\s+fold)?\s+(?:the\s+|its\s+|their\s+)?(?:prevailing\s+|actual\s+|international\s+|reasonable\s+|local\s+|normal\s+)?(?:market|prevailing|actual|international|reasonable|fair)\s+(?:price|rate|value|cost)s?",
          0.85),
        T("percent-above-market", "overpricing",
          r"\b(?P<percent>\d+(?:\.\d+)?)\s*(?:%|per\s*cent|percent)\s+(?:above|higher\s+than|over|more\s+than|in\s+excess\s+of)\s+(?:the\s+)?(?:prevailing\s+)?(?:market|estimated|actual|reasonable)\s+(?:price|rate|value|cost)s?",
          0.8),
        T("overpriced", "overpricing",
          r"\b(?:over-?priced|over-?invoic\w+|exorbitant(?:ly)?\s+priced|inflated\s+(?:price|cost|rate)s?|price\s+(?:was|were)\s+inflated)\b",
          0.6, require=r"\b(?:equipment|contract|price|cost|goods|items|project|supply)"),
    ),
)

# Pre-checks for the largest families: a trigger whose keys are all absent from a
# sentence cannot match it, so its regex is not run (tests/test_lexicon.py checks
# that every match found contains one of its trigger's keys).
TRIGGER_KEYS: dict[str, tuple[str, ...]] = {
    "exempt-from-rules": ("exempt",),
    "exemption-granted": ("exemption",),
    "exemption-under-s21": ("exempt",),
    "rules-not-applied": ("waived", "relaxed", "dispensed", "passed", "circumvent", "ignored", "flouted", "sidelined", "aside", "not"),
    "without-following-rules": ("without",),
    "rule-5-commitment": ("rule",),
    "relaxation-of-rules": ("relax",),
    "outside-rules": ("outside", "beyond"),
    "waiver-of-tender": ("waiv",),
    "tender-waived": ("waived", "relaxed", "away", "aside", "skipped", "passed", "avoided"),
    "waiver-of-rules": ("waiv",),
    "dispensed-with-tender": ("dispens",),
    "tender-dispensed": ("dispensed",),
    "bypass-tender": ("pass", "circumvent", "avoid", "skipp", "evad"),
    "direct-contracting": ("direct",),
    "awarded-directly": ("directly",),
    "did-not-invite": ("not", "never"),
    "through-negotiation": ("negotiation",),
    "rule-42c": ("42",),
    "single-source": ("single", "sole", "one"),
    "limited-source": ("limited",),
    "nominated-contractor": ("nominat",),
    "nomination-basis": ("nominat",),
    "negotiated-procurement": ("negotiated",),
    "g2g": ("government", "g2g", "g-to-g"),
    "non-competitive": ("competit",),
    "without-tender": ("without",),
    "without-anything-tender": ("without",),
    "without-transparent-procedure": ("without",),
    "not-put-to-auction": ("not", "never"),
    "restricted-tender": ("restricted", "limited", "selective", "closed", "selected"),
    "without-formalities-advert": ("without",),
    "no-tender-held": ("no",),
    "tender-not-invited": ("not", "never"),
    "not-advertised": ("not", "never"),
    "absence-of-tender": ("absence", "lack"),
    "declared-illegal": ("illegal", "unlawful", "void", "nullity", "invalid", "legal effect", "lawful authority",
                         "unconstitutional", "ultra vires", "farc", "sham", "mala", "transparent", "arbitrary",
                         "vitiated", "tainted", "corrupt", "collusive", "fraudulent", "sustainable"),
    "set-aside": ("aside", "quash", "annul", "struck", "strike", "nullified", "void"),
    "cancelled-by-order": ("cancel", "rescind", "revoke", "withdrawn"),
    "exercise-farcical": ("farc", "eye", "sham", "mockery"),
    "illegalities-found": ("illegalit", "irregularit", "violation"),
    "made-in-violation": ("violation", "contravention", "breach", "disregard", "derogation"),
    "was-irregular": ("irregular", "unauthori", "unjustified", "transparent"),
    "order-retender": ("tender", "advertis", "bid", "fresh", "novo"),
    "afresh": ("afresh", "novo", "anew"),
    "referred-to-agency": ("nab", "fia", "accountability", "investigation agency", "corruption"),
    "direct-inquiry": ("inquiry", "enquiry", "investigation", "probe", "audit", "reference", "proceedings"),
}


def _keyed(family: Family) -> Family:
    from dataclasses import replace

    return Family(family.name, family.anchors, tuple(replace(t, keys=TRIGGER_KEYS.get(t.name, ())) for t in family.triggers))


TENDER, COURT = _keyed(TENDER), _keyed(COURT)
FAMILIES: tuple[Family, ...] = (TENDER, FEASIBILITY, URGENCY, EMERGENCY, SECRECY, FINANCING, UNSOLICITED, COURT, OVERPRICING)

WORD_NUMBERS = {
    "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0, "seven": 7.0, "eight": 8.0,
    "nine": 9.0, "ten": 10.0, "double": 2.0, "twice": 2.0, "triple": 3.0, "thrice": 3.0, "quadruple": 4.0,
}


# One pass finds every family's anchor words: the union of all anchors, matched at
# word starts in the lower-cased text (about 10x faster than a case-insensitive
# search per family).  A matched word is then mapped to the families it anchors.
def _lower_literals(pattern: str) -> str:
    """Lower-case a pattern's literal letters (not escapes such as \\S or \\W)."""
    return re.sub(r"(?<!\\)[A-Z]", lambda m: m.group().lower(), pattern)


ANCHOR_UNION = re.compile(r"\b(?:" + "|".join(f"(?:{_lower_literals(fam.anchors.pattern)})" for fam in FAMILIES) + ")")


@functools.lru_cache(maxsize=4096)
def families_for(word: str) -> tuple[Family, ...]:
    return tuple(fam for fam in FAMILIES if fam.anchors.match(word))
