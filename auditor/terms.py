"""The contract term sheet of a case: what was bought, from whom, for how much,
financed how, procured how and when — each term with its evidence.

Built from the asserted facts of all documents of a case (the parsers of
``auditor.extract.roles`` and ``money``): a term no document states is left out
and listed in ``not_stated``; nothing is inferred beyond what the facts say.
Documents that disagree on a term are listed in ``conflicts``, through the same
comparison the ``contract-value-mismatch`` rule uses
(``auditor.ruleset.engine.compare_documents``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from auditor.extract.parties import SHORT_FORM, name_forms
from auditor.models import Evidence, Fact

TERM_NAMES = ("buyer", "vendors", "lenders", "borrower", "contract_value", "estimates", "financing",
              "procurement_method", "dates", "subject")
MAX_EVIDENCE = 4
NAME_MATCH = 88.0  # rapidfuzz score (0-100) above which two spellings name one party
SAME_FIGURE = 0.005  # amounts within half a per cent are one figure
DEFAULT_SPREAD = 0.05  # used when the rule set has no contract-value-mismatch rule
# documents that cite many contracts: their figures are not compared (as in contract-value-mismatch)
_NOT_COMPARED = frozenset({"judgment", "audit-report"})
_NOT_THE_CASE = frozenset({"precedent", "law"})
_ONCE_EVENTS = frozenset({"award", "contract-signed", "loan-agreement", "judgment"})
_ESTIMATE_KIND = {"npv-cost": "npv", "estimate": "estimate", "market-price": "market"}
_BUDGET = re.compile(r"\b(?:budget|allocation|PSDP|ADP)\b", re.I)


@dataclass(frozen=True, slots=True)
class Term:
    """One entry of the sheet: its fields (scalars, or tuples of strings), the evidence
    it rests on and how sure it is."""

    fields: tuple[tuple[str, Any], ...]
    evidence: tuple[Evidence, ...]
    confidence: float

    def get(self, key: str, default: Any = None) -> Any:
        for k, v in self.fields:
            if k == key:
                return v
        return default


@dataclass(frozen=True, slots=True)
class TermSheet:
    buyer: Term | None = None
    vendors: tuple[Term, ...] = ()
    lenders: tuple[Term, ...] = ()
    borrower: Term | None = None
    contract_value: Term | None = None
    estimates: tuple[Term, ...] = ()
    financing: tuple[Term, ...] = ()
    procurement_method: Term | None = None
    dates: tuple[Term, ...] = ()
    subject: Term | None = None
    conflicts: tuple[Term, ...] = ()

    @property
    def not_stated(self) -> tuple[str, ...]:
        """The terms no document of the case states."""
        return tuple(n for n in TERM_NAMES if not getattr(self, n))


# --- building ------------------------------------------------------------------------


def build(facts: Iterable[Fact], kinds: dict[str, str], max_spread: float = DEFAULT_SPREAD) -> TermSheet:
    """The sheet from a case's facts; ``kinds``: document path -> document kind."""
    # what the case's own documents assert: not a precedent the court quotes, nor the law's text
    asserted = [f for f in facts if f.asserted and f.get("speaker") not in _NOT_THE_CASE]
    by_kind: dict[str, list[Fact]] = defaultdict(list)
    for f in asserted:
        by_kind[f.kind].append(f)
    names = by_kind["organisation"]
    parties = _parties(by_kind["party"], names)
    money = [f for f in by_kind["money"] if isinstance(f.get("usd"), (int, float)) or f.get("value")]
    contract = [f for f in money if f.get("role") == "contract-price"]
    lenders = parties.get("lender", [])
    sheet = TermSheet(
        buyer=_first(parties.get("buyer")),
        vendors=tuple(parties.get("vendor", [])),
        lenders=tuple(lenders),
        borrower=_first(parties.get("borrower")),
        contract_value=_contract_value(contract, kinds),
        estimates=tuple(_estimates([f for f in money if f.get("role") in _ESTIMATE_KIND])),
        financing=tuple(_financing([f for f in money if f.get("role") == "loan-amount"], lenders, by_kind)),
        procurement_method=_method(by_kind["procurement-method"], by_kind["legal-provision"], kinds),
        dates=tuple(_dates(by_kind["dated-event"])),
        subject=_subject(by_kind["subject"]),
        conflicts=tuple(_conflicts(contract, by_kind["dated-event"], kinds, max_spread)),
    )
    return sheet


def _first(items):
    return items[0] if items else None


def _evidence(facts: Sequence[Fact]) -> tuple[Evidence, ...]:
    """The evidence of the firmest facts first, one per page, at most MAX_EVIDENCE."""
    out: list[Evidence] = []
    seen: set[tuple[str, int]] = set()
    for f in sorted(facts, key=lambda f: (-f.confidence, f.document, f.page)):
        e = f.evidence[0]
        if (e.document, e.page) in seen:
            continue
        seen.add((e.document, e.page))
        out.append(e)
        if len(out) == MAX_EVIDENCE:
            break
    return tuple(sorted(out, key=lambda e: (e.document, e.page)))


def _merge(first: tuple[Evidence, ...], more: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
    """``first``, then the evidence of ``more`` on pages ``first`` does not quote."""
    pages = {(e.document, e.page) for e in first}
    extra = tuple(e for e in more if (e.document, e.page) not in pages)
    return first + extra[: max(1, MAX_EVIDENCE + 2 - len(first))]


def _confidence(facts: Sequence[Fact]) -> float:
    """The firmest fact's confidence, a little more for each further document that says it."""
    docs = len({f.document for f in facts})
    return round(min(0.99, max(f.confidence for f in facts) + 0.05 * (docs - 1)), 3)


def _term(facts: Sequence[Fact], **fields: Any) -> Term:
    return Term(tuple((k, v) for k, v in fields.items() if v is not None and v != ()), _evidence(facts), _confidence(facts))


# --- parties ---------------------------------------------------------------------------


def _display(name: str) -> str:
    """A canonical spelling: without "M/s", an all-capitals name in title case."""
    name = re.sub(r"^(?:M/[Ss]\.?\s*|Messrs\.?\s+)", "", name.strip())
    if name.isupper() and len(name) > 5:
        name = " ".join(w.lower() if w in ("OF", "THE", "AND", "FOR") else w.capitalize() for w in name.split())
        name = name[0].upper() + name[1:]
    return name


def _same_firm(a: str, b: str) -> bool:
    """A stricter test than clustering: another spelling, not a longer or shorter name."""
    from rapidfuzz import fuzz

    from auditor.extract.parties import acronym, core_name, core_tokens

    ca, cb = core_name(a), core_name(b)
    if not ca or not cb:
        return False
    if fuzz.ratio(ca, cb) >= 85 or ca.replace(" ", "") == cb.replace(" ", ""):
        return True
    return len(core_tokens(b)) >= 2 and acronym(b) == ca.replace(" ", "") or len(core_tokens(a)) >= 2 and acronym(a) == cb.replace(" ", "")


def _parties(party_facts: Sequence[Fact], names: Sequence[Fact]) -> dict[str, list[Term]]:
    from auditor.extract.parties import name_match

    clusters: dict[str, list[tuple[str, list[Fact]]]] = defaultdict(list)
    for f in sorted(party_facts, key=lambda f: (-f.confidence, f.document, f.page)):
        name, role = str(f.get("name") or ""), str(f.get("role") or "")
        if not name or not role:
            continue
        for members in clusters[role]:
            if any(name_match(a, b) >= NAME_MATCH for m in members[1] for a in name_forms(name) for b in name_forms(str(m.get("name")))):
                members[1].append(f)
                break
        else:
            clusters[role].append((name, [f]))
    out: dict[str, list[Term]] = {}
    for role, groups in clusters.items():
        terms = []
        # the party stated most often (in most documents) first
        groups.sort(key=lambda g: (-len({f.document for f in g[1]}), -len(g[1]), -max(f.confidence for f in g[1])))
        for _, members in groups:
            spellings = [str(m.get("name")) for m in members]
            for n in names:  # every other spelling of the same firm met in the case
                other = str(n.get("name") or "")
                if other and other not in spellings and any(_same_firm(other, s) for s in spellings):
                    spellings.append(other)
            aliases: list[str] = []
            # a list cut short ("M/S A and M", "M/s B (ii) M")
            spellings = [re.sub(r"\s+(?:and|&|\((?:[ivx]{1,4}|[a-z])\))(?:\s+M)?$", "", s) for s in spellings]
            for s in spellings:
                m = SHORT_FORM.match(s)
                for alias in ((m.group("name"), m.group("short")) if m else (s,)):
                    if alias not in aliases:
                        aliases.append(alias)
            counts = Counter(str(m.get("name")) for m in members)
            # a name that defines its short form ("Associated Group (M/s. AG)") is the canonical one
            best = max(counts, key=lambda s: (len(name_forms(s)) > 1, counts[s], not s.isupper(), len(name_forms(s)[0])))
            terms.append(_term(members, name=_display(name_forms(best)[0]), aliases=tuple(sorted(aliases)),
                               how=tuple(sorted({str(m.get("how")) for m in members if m.get("how")}))))
        out[role] = terms
    return out


# --- money -------------------------------------------------------------------------------


def _usd(f: Fact) -> float | None:
    v = f.get("usd")
    return float(v) if isinstance(v, (int, float)) else None


def _same(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= SAME_FIGURE * max(abs(a), abs(b))


def _money_fields(f: Fact) -> dict[str, Any]:
    return {"amount": f.get("amount"), "value": f.get("value"), "currency": f.get("currency"), "usd": f.get("usd"),
            "rate": f.get("rate"), "rate_year": f.get("rate_year")}


def _figures(facts: Sequence[Fact]) -> list[list[Fact]]:
    """Facts grouped by the figure they state (in US dollars, or in their own currency)."""
    groups: list[list[Fact]] = []
    for f in sorted(facts, key=lambda f: (f.document, f.page)):
        for g in groups:
            if _usd(f) is not None and _same(_usd(f), _usd(g[0])) or (
                    f.get("currency") == g[0].get("currency") and _same(f.get("value"), g[0].get("value"))):
                g.append(f)
                break
        else:
            groups.append([f])
    return groups


def _lead(group: Sequence[Fact], kinds: dict[str, str] | None = None) -> Fact:
    """The fact that states a figure best: figures before words, award documents first, firmest."""
    award = ("contract", "award-letter")
    return max(group, key=lambda f: (kinds is not None and kinds.get(f.document) in award, bool(re.search(r"\d", str(f.get("amount") or ""))),
                                     f.confidence, -f.page))


def _contract_value(facts: Sequence[Fact], kinds: dict[str, str]) -> Term | None:
    if not facts:
        return None
    groups = _figures(facts)
    # the figure most documents state; award documents (contract, letter of award) count double
    def weight(g):
        return sum(2 if kinds.get(d) in ("contract", "award-letter") else 1 for d in {f.document for f in g})
    best = max(groups, key=lambda g: (weight(g), len(g), max(f.confidence for f in g)))
    lead = _lead(best, kinds)
    vendor = next((str(f.get("vendor")) for f in best if f.get("vendor")), None)
    return _term(best, **_money_fields(lead), vendor=vendor)


def _estimates(facts: Sequence[Fact]) -> list[Term]:
    out = []
    by_kind: dict[str, list[Fact]] = defaultdict(list)
    for f in facts:
        kind = _ESTIMATE_KIND[str(f.get("role"))]
        if kind == "estimate" and _BUDGET.search(str(f.get("of") or "") + " " + f.evidence[0].quote[:0]):
            kind = "budget"
        by_kind[kind].append(f)
    for kind in ("npv", "estimate", "budget", "market"):
        for g in _figures(by_kind.get(kind, [])):
            out.append(_term(g, kind=kind, **_money_fields(_lead(g)), of=_lead(g).get("of")))
    return out


def _financing(loans: Sequence[Fact], lenders: Sequence[Term], by_kind: dict[str, list[Fact]]) -> list[Term]:
    if not loans:
        return []
    terms: dict[str, list[Fact]] = defaultdict(list)
    for f in by_kind["loan-term"]:
        terms[str(f.get("term"))].append(f)
    kind = None
    kind_facts: list[Fact] = []
    if by_kind["financing-concessional"]:
        kind, kind_facts = "concessional", by_kind["financing-concessional"][:1]
    elif by_kind["financing-tied"]:
        kind, kind_facts = "tied", by_kind["financing-tied"][:1]
    out = []
    for g in sorted(_figures(loans), key=lambda g: -len({f.document for f in g})):
        extra: dict[str, Any] = {}
        support: list[Fact] = list(g)
        for name in ("rate", "tenor_years", "grace_years"):
            fs = terms.get(name)
            if fs:
                counts = Counter(float(f.get("value")) for f in fs)
                value = counts.most_common(1)[0][0]
                extra[name] = value
                support += [f for f in fs if float(f.get("value")) == value][:1]
        lead = _lead(g)
        fields = _money_fields(lead)
        fields["interest_rate"] = extra.pop("rate", None)  # per cent a year ("rate" is the exchange rate)
        out.append(Term(
            tuple((k, v) for k, v in {
                **fields,
                "lender": lenders[0].get("name") if len(lenders) == 1 else None,
                "kind": kind,
                **extra,
            }.items() if v is not None),
            _merge(_evidence(g), _evidence(support[len(g):] + kind_facts)),
            _confidence(g),
        ))
    return out


# --- method, dates, subject ------------------------------------------------------------


def _method(methods: Sequence[Fact], provisions: Sequence[Fact], kinds: dict[str, str]) -> Term | None:
    if not methods:
        return None
    counts = Counter(str(f.get("method")) for f in methods)
    # award documents say how the contract was awarded; else the method stated most often
    def key(m: str):
        fs = [f for f in methods if f.get("method") == m]
        return (any(kinds.get(f.document) in ("award-letter", "contract") for f in fs), counts[m], max(f.confidence for f in fs))
    method = max(counts, key=key)
    fs = [f for f in methods if f.get("method") == method]
    provision_facts = [f for f in fs if f.get("provision")]
    if provision_facts:
        provision = str(provision_facts[0].get("provision"))
    elif provisions:
        # the provision cited most often where the method or an exemption is discussed
        pc = Counter(str(f.get("provision")) for f in provisions if len(str(f.get("provision"))) > 20)
        provision = pc.most_common(1)[0][0] if pc else None
        if provision is not None:
            provision_facts = [f for f in provisions if f.get("provision") == provision][:1]
    else:
        provision = None
    return Term(tuple((k, v) for k, v in {"method": method, "provision": provision}.items() if v is not None),
                _merge(_evidence(fs), _evidence(provision_facts)),
                _confidence(fs))


def _dates(facts: Sequence[Fact]) -> list[Term]:
    groups: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    for f in facts:
        groups[(str(f.get("event")), str(f.get("date")))].append(f)
    out = []
    for (event, date), fs in groups.items():
        if all(f.get("precision") == "month" for f in fs) and any(
                e == event and d[:7] == date[:7] and d != date for e, d in groups):
            continue  # "in December 2010" beside "29 December 2010"
        out.append(_term(fs, event=event, date=date if fs[0].get("precision") == "day" else date[:7]))
    out.sort(key=lambda t: (str(t.get("date")), str(t.get("event"))))
    return out


def _subject(facts: Sequence[Fact]) -> Term | None:
    if not facts:
        return None
    for source in ("subject", "respect", "sold", "object", "defined"):
        fs = [f for f in facts if f.get("source") == source]
        if not fs:
            continue
        counts = Counter(str(f.get("text")).casefold() for f in fs)
        top = counts.most_common(1)[0][0]
        members = [f for f in fs if str(f.get("text")).casefold() == top]
        text = max((str(f.get("text")) for f in members), key=lambda t: (not t.isupper(), len(t)))
        defined = next((str(f.get("text")) for f in facts if f.get("source") == "defined"), None)
        return _term(members, text=text, detail=defined if defined and defined != text else None)
    return None


# --- conflicts ---------------------------------------------------------------------------


def _conflicts(contract: Sequence[Fact], events: Sequence[Fact], kinds: dict[str, str], max_spread: float) -> list[Term]:
    from auditor.ruleset.engine import compare_documents

    out = []
    compared = [f for f in contract if kinds.get(f.document) not in _NOT_COMPARED and _usd(f) is not None]
    found = compare_documents(compared, lambda f: float(_usd(f)), max_spread)
    if found is not None:
        reps, lo, hi, spread = found
        sides = tuple(f"{f.get('amount')} ({f.evidence[0].cited})" for _, f in reps)
        out.append(Term((("term", "contract_value"), ("values", sides), ("spread_pct", round(spread * 100, 1))),
                        tuple(f.evidence[0] for _, f in reps)[:MAX_EVIDENCE], round(min(hi[1].confidence, lo[1].confidence), 3)))
    by_event: dict[str, list[Fact]] = defaultdict(list)
    for f in events:
        if f.get("event") in _ONCE_EVENTS and f.get("precision") == "day":
            by_event[str(f.get("event"))].append(f)
    for event, fs in sorted(by_event.items()):
        dates: dict[str, list[Fact]] = defaultdict(list)
        for f in fs:
            dates[str(f.get("date"))].append(f)
        if len(dates) < 2:
            continue
        # two documents that date the same event differently (one document may cite several)
        docs = {d: {f.document for f in v} for d, v in dates.items()}
        if not any(a != b and docs[a] != docs[b] for a in docs for b in docs):
            continue
        sides = tuple(f"{d} ({v[0].evidence[0].cited})" for d, v in sorted(dates.items()))
        out.append(Term((("term", f"date of {event}"), ("values", sides)),
                        tuple(v[0].evidence[0] for _, v in sorted(dates.items()))[:MAX_EVIDENCE],
                        round(min(v[0].confidence for v in dates.values()), 3)))
    return out


# --- plain values for the reports ----------------------------------------------------------


def evidence_dict(e: Evidence) -> dict[str, Any]:
    return {"document": e.document, "page": e.page, "quote": e.quote}


def term_dict(t: Term) -> dict[str, Any]:
    out: dict[str, Any] = {k: list(v) if isinstance(v, tuple) else v for k, v in t.fields}
    out["evidence"] = [evidence_dict(e) for e in t.evidence]
    out["confidence"] = t.confidence
    return out


def sheet_dict(sheet: TermSheet) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in TERM_NAMES + ("conflicts",):
        value = getattr(sheet, name)
        out[name] = [term_dict(t) for t in value] if isinstance(value, tuple) else (term_dict(value) if value else None)
    out["not_stated"] = list(sheet.not_stated)
    return out
