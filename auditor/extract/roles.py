"""Roles from clause structure: what an amount is the amount *of*, who a party is to
the contract, what happened on a date, the terms of a loan, how the contract was
procured and what was procured.

These are parsers, not phrase tables: the phrasing they look for is the pack's
(``rules/patterns/language.yaml``: ``amount_link``, ``amount_head``, ``party_*``,
``dated_event``, ``loan_terms``, ``procurement_method``, ``legal_provision``,
``subject_line``), passed in as ``cues``.  Every function works on one sentence
and returns offsets into it, so the caller can quote the sentence verbatim.

Amount roles
------------
``amount_of(sentence, amount, cues)`` walks left from an amount over the word that
links it to a noun phrase ("is", "of", "for", "at", "amounting to"), then over that
noun phrase and its "of/for/at" chain ("the PC-I of the project at a capital cost
of"), skipping one comma-delimited aside ("the total contract price, inclusive of
all duties and taxes, is"), up to the governing verb.  The head noun phrase (the
one nearest the amount) decides the role; when its head is a generic word ("cost",
"amount", "sum", "value") the other phrases of the chain decide, then the verb.
It returns None when the amount stands in no such structure (the caller then uses
the cue-word reading of ``money.amount_role``); ``OTHER`` when the head names
something that is not a price of the contract (a guarantee, a fee, a tax).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Pattern

OTHER = "other"  # the amount of something that is none of the roles (a guarantee, a fee)

_GENERIC_HEADS = frozenset("cost costs amount amounts sum sums value values total figure price prices worth".split())
_BOUNDARY_WORDS = frozenset(
    """is was were are be been being has have had will shall would could should may might must can
    that which who whom whose whereby where when while and or but nor than as by with from to into in on
    upon against between under within without through via per if although though because since after
    before during not no""".split()
)
_CHAIN_LINKS = frozenset({"of", "for", "at"})
_DETERMINERS = frozenset("the a an its their his her this that these those such said our your".split())
_VERB_ROLE = (
    (re.compile(r"(?:award|sign|execut|conclud|purchas|procur|bought|sold|bid|quot|offer|contract|paid|pay|bill|invoic|charg)\w*$", re.I), "contract-price"),
    (re.compile(r"(?:financ|lent|lend|borrow|loan|extend|disburs)\w*$", re.I), "loan-amount"),
    (re.compile(r"(?:estimat|budget|allocat|sanction|approv)\w*$", re.I), "estimate"),
)
_WORD = re.compile(r"[A-Za-z][\w'’/.-]*|\d[\d,.]*|[(),;:\"“”]")


@dataclass(frozen=True, slots=True)
class Head:
    role: str | None  # a money role, OTHER, or None (no role the structure can name)
    phrase: str  # the noun phrase chain, as written ("the total contract price")
    verb: str | None = None  # the governing verb, if any


def amount_of(sentence: str, start: int, cues: dict[str, Pattern[str]]) -> Head | None:
    """The noun phrase the amount at ``sentence[start:]`` is the amount of, and its role."""
    before = sentence[:start]
    window = before[-200:]
    link = cues["amount_link"].search(window)
    if link is None:
        return None
    left = before[: len(before) - (len(window) - link.start())]
    copula = re.match(r"\s*(?:is|was|were|are|be|been|being|stood|stands|amount|amounted|amounting|equal|:)", link.group(0), re.I) is not None
    tokens = [m for m in _WORD.finditer(left)]
    chain: list[str] = []
    i = len(tokens) - 1
    skipped_aside = False
    verb: str | None = None
    while i >= 0 and len(chain) < 16:
        w = tokens[i].group(0)
        low = w.lower()
        if w == ",":
            if copula and not skipped_aside and chain == []:
                # "the total contract price, inclusive of all duties and taxes, is": skip the aside
                j = i - 1
                while j >= 0 and tokens[j].group(0) not in (",", ";", "(", ")", ":") and i - j < 20:
                    j -= 1
                if j >= 0 and tokens[j].group(0) == "," and i - j > 1:
                    skipped_aside = True
                    i = j - 1
                    continue
            break
        if w in (";", ":", "(", ")", '"', "“", "”"):
            break
        if low in _BOUNDARY_WORDS:
            break
        if re.fullmatch(r"\d[\d,.]*", w):
            break  # another figure: a date or a number, not a noun phrase
        if chain and re.search(r"(?:ed|ing)$", low) and len(low) > 4 and (chain[-1].lower() in _DETERMINERS or chain[-1].lower() in _CHAIN_LINKS):
            verb = w  # "awarded the contract for", "presented the PC-I of"
            break
        chain.append(w)
        i -= 1
    if verb is None and i >= 0:
        w = tokens[i].group(0)
        if re.search(r"(?:ed|ing)$", w.lower()):
            verb = w
    chain.reverse()
    while chain and chain[0].lower() in _CHAIN_LINKS | _DETERMINERS:
        chain.pop(0)
    if not chain:
        return None
    # split the chain into noun phrases at "of/for/at"; the one nearest the amount is the head
    phrases: list[list[str]] = [[]]
    for w in chain:
        if w.lower() in _CHAIN_LINKS:
            phrases.append([])
        else:
            phrases[-1].append(w)
    phrases = [p for p in phrases if p]
    if not phrases:
        return None
    if copula:
        head, rest = phrases[0], phrases[1:]  # "the cost of the contract was": the subject's head
    else:
        head, rest = phrases[-1], list(reversed(phrases[:-1]))  # "a loan of", "at a capital cost of"
    text = " ".join(chain)
    role = _role_of(" ".join(head), cues)
    if role is None or (role == "contract-price" and head[-1].lower() in _GENERIC_HEADS and head[-1].lower() != "price"):
        generic = head[-1].lower() in _GENERIC_HEADS
        if role is None and not generic:
            return Head(None, text, verb)
        for p in rest:
            r = _role_of(" ".join(p), cues)
            if r is not None and r != OTHER:
                role = r
                break
        if role is None and verb is not None:
            for rx, r in _VERB_ROLE:
                if rx.search(verb):
                    role = r
                    break
    return Head(role, text, verb)


def _role_of(phrase: str, cues: dict[str, Pattern[str]]) -> str | None:
    m = cues["amount_head"].search(phrase)
    if m is None:
        return None
    name = m.lastgroup or ""
    return OTHER if name == "not_a_price" else name.replace("_", "-")


# --- parties -------------------------------------------------------------------------

_NAME = re.compile(
    r"(?:M/[Ss]\.?\s*)?[A-Z][\w&'’.-]*(?:(?:[ \t]+|[ \t]*\n[ \t]*)(?:M/[Ss]\.?|[A-Z][\w&'’.-]*|\((?:Pvt|Private|PVT)\.?\)|of|the|and|for|&|de|OF|THE|AND|FOR))*"
    r"(?:\s?\((?:M/[Ss]\.?\s*)?[A-Z][A-Za-z0-9&.-]{1,9}\))?"
)
_NAME_TAIL = re.compile(r"(?:\s+(?:of|the|and|for|&|de|OF|THE|AND|FOR))+$")
_NOT_A_NAME = frozenset(
    """the this that these those it he she they we i a an in on at of for and or but by to with from as if
    mr mrs ms dr learned counsel section rule article clause para paragraph schedule annex no sd date dated
    subject whereas now therefore january february march april may june july august september october november
    december""".split()
)
_FIRM = re.compile(r"\bM/[Ss]\b|\b(?:Ltd|Limited|Company|Co|Inc|Corporation|Corp|LLC|GmbH|PLC|JV|Consortium|Pvt|Group|Enterprises|Associates|Traders|Builders)\b\.?", re.I)
_PUBLIC = re.compile(r"\b(?:Ministry|Department|Division|Authority|Government|Federation|Province|Board|Commission|Directorate|Secretariat|Municipal|Metropolitan|Corporation|Council|Agency|Cantonment|WAPDA|CDA|KMC|NHA|PIA|PPRA|NADRA|Police|Trust|University|Railways?)\b")


PUBLIC_NAME = _PUBLIC  # a public body's name (a ministry, an authority): not a supplier

_ASSET = re.compile(r"\b(?:Plant|Project|Park|Land|Property|Station|Building|Mills?|Plot|Site|Road|Hotel|Scheme|Shares?)$")


@dataclass(frozen=True, slots=True)
class PartySpan:
    start: int
    end: int
    name: str
    role: str  # buyer | vendor | lender | borrower
    how: str  # the phrase that gives the role


_LEGAL_END = re.compile(r"\b(?:Ltd|Limited|Inc|LLC|GmbH|PLC|JV|LIMITED|LTD)\b\.?")


def _clean_name(raw: str) -> str:
    end = _LEGAL_END.search(raw)
    if end is not None:
        raw = raw[: end.end()]  # a firm's name ends with its legal form ("... (Pvt.) Ltd. for Rs")
    name = _NAME_TAIL.sub("", raw.strip())
    name = re.sub(r"^(?:[A-Z]{1,3}\.\s?[-—–]*\s*)+", "", name)  # a judge's initials before the text ("J.- The ...")
    name = re.sub(r"^(?:The|THE|the)\s+", "", name)
    return " ".join(name.split()).rstrip(",.;:")


def _is_name(name: str) -> bool:
    words = re.findall(r"[A-Za-z]+", name)
    if not words:
        return False
    if all(w.lower() in _NOT_A_NAME for w in words):
        return False
    return len(name) >= 3


_NAME_SPLIT = re.compile(r"\s+(?=(?:Purchaser|Seller|Lender|Borrower|Contractor|Supplier|Employer|Buyer)\b)|\s+(?:AS|BETWEEN|ON|IN|AT|TO|BY|WITH|FROM|VERSUS|VS\.?)\s+|\s+(?:and|AND|&)\s+(?=(?:the|THE)\s|M/[Ss])")
_FINITE = re.compile(r"\b(?:is|was|were|are|has|have|had|shall|will)\b")
_APPOSITIVE = re.compile(r"\s*,\s*(?:a|an|acting|represented|having|being|through|which)\b")


def _names(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of capitalised name runs, split where one name ends and the next begins."""
    out = []
    for m in _NAME.finditer(text):
        pieces, pos = [], 0
        raw = m.group(0)
        for cut in _NAME_SPLIT.finditer(raw):
            pieces.append((pos, cut.start()))
            pos = cut.end()
        pieces.append((pos, len(raw)))
        for lo, hi in pieces:
            piece = raw[lo:hi]
            lead = re.match(r"\s*(?:The|THE|the)\s+", piece)
            start = m.start() + lo + (lead.end() if lead else 0)
            name = _clean_name(piece)
            if not _is_name(name):
                continue
            # the name's span in the text (its words may be split across lines)
            span = _words_span(text, name.split(), m.start() + lo)
            if span is not None:
                out.append((span[0], span[1], name))
    return out


def _words_span(text: str, words: list[str], start: int) -> tuple[int, int] | None:
    """Where ``words`` stand in ``text`` from ``start`` on, one or more spaces or line
    breaks between them (what ``re.search(r"w1\\s+w2...")`` finds, without compiling a
    pattern for every name: that was a tenth of the fact extraction's time)."""
    if not words:
        return None
    first, n = words[0], len(text)
    i = text.find(first, start)
    while i >= 0:
        pos = i + len(first)
        for w in words[1:]:
            j = pos
            while j < n and text[j].isspace():
                j += 1
            if j == pos or not text.startswith(w, j):
                break
            pos = j + len(w)
        else:
            return i, pos
        i = text.find(first, i + 1)
    return None


def find_parties(text: str, cues: dict[str, Pattern[str]]) -> list[PartySpan]:
    """Parties a sentence gives a role: the name with the phrase before or after it."""
    out: list[PartySpan] = []
    before_cue, after_cue, between_cue = cues["party_before"], cues["party_after"], cues["party_between"]
    names = _names(text)
    used_after: set[int] = set()  # a "(hereinafter 'the Lender')" names one party
    for idx, (a, b, name) in enumerate(names):
        role = how = None
        after = after_cue.match(text, b, min(len(text), b + 320))
        inside = text.count("(", 0, a) > text.count(")", 0, a)  # "(represented by ..., Ministry of Finance) AS BORROWER"
        if after is not None and after.lastgroup and after.end() not in used_after and not inside:
            paren = text.find("(", b, after.end())
            between = [n for n in names if b <= n[0] and n[1] <= paren]
            # "X, a state-owned bank ..., having its office at Beijing (hereinafter 'the Lender')" names X;
            # "X, a scheme ..., was awarded to Y (hereinafter 'the company')" names Y
            if not between or (_APPOSITIVE.match(text, b) and not _FINITE.search(text, b, paren)):
                group = after.lastgroup
                role = group.rstrip("23")
                lead = {"2": "as ", "3": "grantor: "}.get(group[-1], "hereinafter the ")
                how = lead + " ".join(after.group(group).split())
                used_after.add(after.end())
        if role is None:
            head = text[max(0, a - 90) : a]
            head = re.sub(r"(?:\b(?:the|The|THE)\s+)$", "", head)
            before = before_cue.search(head)
            if before is not None and before.lastgroup:
                role, how = before.lastgroup, before.group(0)
            elif out and out[-1].role == "vendor" and out[-1].end <= a and re.fullmatch(
                    r"\s*(?:,|and|AND|&)\s*(?:and\s+)?", text[out[-1].end:a]) and (_FIRM.search(name) or _FIRM.search(out[-1].name)):
                role, how = "vendor", out[-1].how  # "M/s A, M/s B and M/s C": the members of one list
            elif between_cue.search(head) and idx + 1 < len(names):
                # "a contract between X and Y": a public body and a firm
                a2, b2, other = names[idx + 1]
                if re.fullmatch(r"\s*,?\s*(?:and|AND|&)\s+(?:the\s+|THE\s+)?", text[b:a2]):
                    if _FIRM.search(other) and not _FIRM.search(name) or _PUBLIC.search(name) and not _PUBLIC.search(other):
                        out.append(PartySpan(a, b, name, "buyer", "contract between"))
                        out.append(PartySpan(a2, b2, other, "vendor", "contract between"))
                        continue
        if role is None:
            continue
        if re.match(r"(?:Mr|Mrs|Ms|Dr|Justice|Syed|Sh|Mian|Begum)\b\.?", name):
            continue  # a person named in a sentence, not a contracting party
        if len(name.split()) < 2 and not (_FIRM.search(name) or _PUBLIC.search(name) or re.fullmatch(r"[A-Z]{2,7}", name)):
            continue  # one plain word ("Islamabad", "Beijing") is a place, not a party
        if role == "vendor" and _ASSET.search(name) and not _FIRM.search(name):
            continue  # "leasing Lakhra Power Plant to ...": the thing leased, not the lessee
        if role == "vendor" and _PUBLIC.search(name) and not _FIRM.search(name):
            continue  # "awarded to the Ministry": not a supplier
        if any(p.start == a for p in out):
            continue
        out.append(PartySpan(a, b, name, role, " ".join(how.split())))
    return out


# --- dated events ---------------------------------------------------------------------

EVENTS = ("proposal", "approval", "exemption", "tender-published", "bid-deadline", "award", "contract-signed",
          "loan-agreement", "judgment")
_LOAN_WORDS = re.compile(r"\b(?:loan|lender|borrower|credit|facility)\b", re.I)


@dataclass(frozen=True, slots=True)
class EventSpan:
    start: int  # of the cue
    end: int  # of the date
    event: str
    date: str  # ISO 8601
    precision: str


def find_events(text: str, cues: dict[str, Pattern[str]], document_kind: str, window: int = 120) -> list[EventSpan]:
    """Dates with the event a phrase before them (in the same clause) names."""
    from auditor.extract.dates import find_dates

    dates = [d for d in find_dates(text) if d.precision in ("day", "month")]
    if not dates:
        return []
    out: list[EventSpan] = []
    prev_end = 0
    for d in dates:
        lo = max(prev_end, d.start - window)
        prev_end = d.end
        seg = text[lo : d.start]
        cut = seg.rfind(";")
        if cut != -1:
            lo += cut + 1
            seg = text[lo : d.start]
        best = None
        for m in cues["dated_event"].finditer(seg):
            if m.lastgroup:
                best = m
        if best is None or best.lastgroup == "other":
            continue  # the nearest phrase names another act ("a summary ... dated")
        event = best.lastgroup.replace("_", "-")
        if event == "contract-signed" and (document_kind == "financing-agreement" or _LOAN_WORDS.search(seg)):
            event = "loan-agreement"
        out.append(EventSpan(lo + best.start(), d.end, event, d.date.isoformat(), d.precision))
    return out


# --- loan terms -----------------------------------------------------------------------


def _number(word: str) -> float | None:
    from auditor.extract.money import words_to_number

    word = word.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", word):
        return float(word)
    half = 0.5 if word.endswith("half") else 0.0
    word = re.sub(r"\s+(?:and\s+a\s+)?half$", "", word)
    value = words_to_number(word)
    return None if value is None else float(value) + half


@dataclass(frozen=True, slots=True)
class TermSpan:
    start: int
    end: int
    term: str  # rate | tenor_years | grace_years
    value: float


# every loan-term phrase of the pack's cue has one of these words: a sentence without any
# is not searched (the cue tries a number-or-word before "years" at every word)
_LOAN_TERM_WORDS = re.compile(r"interest|tenor|repay|grace", re.I)


def find_loan_terms(text: str, cues: dict[str, Pattern[str]]) -> list[TermSpan]:
    out: list[TermSpan] = []
    if not _LOAN_TERM_WORDS.search(text):
        return out
    for m in cues["loan_terms"].finditer(text):
        g = m.groupdict()
        if g.get("rate"):
            term, raw = "rate", g["rate_n"]
        elif g.get("tenor"):
            term, raw = "tenor_years", next(v for k, v in g.items() if k.startswith("tenor_n") and v)
        elif g.get("grace"):
            term, raw = "grace_years", next(v for k, v in g.items() if k.startswith("grace_n") and v)
        else:
            continue
        value = _number(raw)
        if value is None or value <= 0 or value > 100:
            continue
        a = m.start("rate_n") if term == "rate" else m.start()
        out.append(TermSpan(a, m.end(), term, value))
    return out


# --- procurement method, legal provision, subject ---------------------------------------

_DENIED = re.compile(r"\b(?:shall|should|must|afresh|fresh|re-?tender\w*|ordinarily|require\w*|dispens\w*|without|bypass\w*|exempt\w*|instead\s+of|rather\s+than|waiv\w*|avoid\w*|circumvent\w*|no(?!\.\s*\w)|not|never|futile|jeopardi[sz]e)\b", re.I)


@dataclass(frozen=True, slots=True)
class MethodSpan:
    start: int
    end: int
    method: str
    provision: str | None


def find_methods(text: str, cues: dict[str, Pattern[str]]) -> list[MethodSpan]:
    """Procurement methods a sentence says were used, with the legal provision it cites.
    Competitive bidding that the sentence says was dispensed with is not a method used."""
    out: list[MethodSpan] = []
    provisions = [m.group(0) for m in cues["legal_provision"].finditer(text)]
    provision = provisions[0] if provisions else None
    for m in cues["procurement_method"].finditer(text):
        method = (m.lastgroup or "").replace("_", "-")
        if method == "open-competitive-bidding":
            near = text[max(0, m.start() - 60) : m.end() + 60]
            if _DENIED.search(near):
                continue
        out.append(MethodSpan(m.start(), m.end(), method.replace("-", " "), provision))
    return out


# before a count of bids: a minimum, a maximum or a comparison, not the number received
_NOT_A_COUNT = re.compile(r"\b(?:at\s+least|a\s+minimum\s+of|minimum|not\s+less\s+than|less\s+than|fewer\s+than|more\s+than|"
                          r"over|up\s*to|upto|maximum\s+of|at\s+most|not\s+more\s+than|required|requires?|need(?:ed|s)?)\s*$", re.I)
_ONE_WORDS = {"a single": 1, "single": 1, "sole": 1, "lone": 1}


@dataclass(frozen=True, slots=True)
class CountSpan:
    start: int
    end: int
    count: int


_BID_WORDS = re.compile(r"bid|tender|offer|proposal|quotation", re.I)


def find_bid_counts(text: str, cues: dict[str, Pattern[str]]) -> list[CountSpan]:
    """How many bids a sentence says were received, submitted or opened (the pack's
    ``bids_received`` cue; numbers in figures or words).  A minimum or a maximum
    ("at least three bids shall be received") is not a count."""
    out: list[CountSpan] = []
    if not _BID_WORDS.search(text):
        return out  # every phrase of the cue names bids, tenders, offers, proposals or quotations
    for m in cues["bids_received"].finditer(text):
        group = next((g for g, v in m.groupdict().items() if v and g.startswith("n")), None)
        if group is None:
            continue
        raw = " ".join(m.group(group).lower().replace("-", " ").split())
        value = _ONE_WORDS.get(raw)
        if value is None:
            number = _number(raw)
            value = int(number) if number is not None and number.is_integer() else None
        if value is None or not 1 <= value <= 999:
            continue
        if _NOT_A_COUNT.search(text, max(0, m.start() - 40), m.start(group)):
            continue
        out.append(CountSpan(m.start(), m.end(), value))
    return out


def find_provisions(text: str, cues: dict[str, Pattern[str]]) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), " ".join(m.group(0).split())) for m in cues["legal_provision"].finditer(text)]


@dataclass(frozen=True, slots=True)
class SubjectSpan:
    start: int
    end: int
    text: str
    source: str  # subject | defined | object


def find_subjects(text: str, cues: dict[str, Pattern[str]]) -> list[SubjectSpan]:
    out = []
    for m in cues["subject_line"].finditer(text):
        source = m.lastgroup or ""
        if not source:
            continue
        a, b = m.span(source)
        raw = " ".join(text[a:b].split()).rstrip(" ,.;:")
        if source == "subject":
            # "LETTER OF AWARD — ISLAMABAD SAFE CITY PROJECT": the part after a dash names the object
            parts = re.split(r"\s+[—–-]\s+", raw)
            raw = parts[-1] if len(parts) > 1 else raw
        if len(raw) < 6:
            continue
        out.append(SubjectSpan(a, b, raw, source))
    return out
