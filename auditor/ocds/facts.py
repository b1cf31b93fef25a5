"""Facts of one OCDS contracting process, of the kinds the rules already read.

Each fact's evidence is the process's ``ocid``, the JSON pointer of the member it
rests on and, as the quote, that member verbatim (``"procurementMethod": "direct"``).

* ``tendering-waived``: ``/tender/procurementMethod`` ``direct`` (direct
  contracting) or ``limited`` (a restricted procedure: limited competition);
  ``procurementMethodDetails`` and ``procurementMethodRationale`` text goes through
  the same extractor as a PDF's sentences (so "Adjudicación directa", "urgency" and
  negations are read the same way);
* ``urgency-invoked`` and the other phrasing kinds, from that text;
* ``bidding-period``: the tender period of an open or selective procedure (a period
  that ends before it starts is a data problem: a note, not a fact);
* ``money`` (role ``contract-price``): each award's and each contract's value;
* ``award-contract-values``: a contract's value beside the value of the award it
  implements (``awardID``), per award;
* ``bids-received``: ``/tender/numberOfTenderers``, else the number of distinct
  tenderers of ``/bids/details`` (``source`` says which);
* ``party``: each supplier of a live award (role ``vendor``, ``/awards/i/suppliers/j/name``)
  and each party with the role ``funder`` (role ``lender``, ``/parties/k/name``), so the
  term sheet and the cross-checks read them as they read the parties a PDF names;
* ``ocds-indicator``: a Cardinal indicator that flags this process (or its buyer,
  procuring entity or a tenderer).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from auditor.models import Evidence, Fact, Page, Status
from auditor.ocds.read import Process, locate, member

DOCUMENT_KIND = "ocds-release"
METHODS = ("open", "selective", "limited", "direct")  # the OCDS procurementMethod codelist
TEXT_MEMBERS = ("procurementMethodDetails", "procurementMethodRationale")
# the extractor's kinds that make sense for a short OCDS text (not money or names: the JSON has those)
_TEXT_KINDS_SKIPPED = frozenset({"document-title", "organisation", "name-mention", "money", "amount-restatement"})
_AWARD_LIVE = ("active", "pending", None)


@dataclass
class ProcessFacts:
    facts: list[Fact] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # data problems worth saying, never flags


def quote_of(key: str | int, value: Any) -> str:
    """The member as it stands in the JSON text: ``"key": value``."""
    text = json.dumps(value, ensure_ascii=False)
    return text if isinstance(key, int) else f"{json.dumps(key, ensure_ascii=False)}: {text}"


class _Builder:
    def __init__(self, proc: Process, document: str, sha256: str) -> None:
        self.proc = proc
        self.document = document
        self.sha256 = sha256
        self.out = ProcessFacts()

    def evidence(self, tokens: tuple[str | int, ...]) -> Evidence:
        line, pointer = locate(self.proc, tokens)
        value = member(self.proc.release, tokens)
        quote = quote_of(tokens[-1], value)
        return Evidence(self.document, line or 1, quote, 0, len(quote), self.sha256,
                        ocid=self.proc.ocid, pointer=pointer, line=line)

    def add(self, kind: str, tokens_list: list[tuple[str | int, ...]], confidence: float, **attrs: Any) -> None:
        evidence = tuple(self.evidence(t) for t in tokens_list)
        attrs = {k: v for k, v in attrs.items() if v is not None}
        attrs.setdefault("trigger", evidence[0].quote[:160])
        attrs.setdefault("speaker", "author")
        attrs["ocid"] = self.proc.ocid
        self.out.facts.append(Fact(kind, evidence, confidence, Status.ASSERTED, None, tuple(sorted(attrs.items()))))


def process_facts(proc: Process, document: str, sha256: str, pack=None, settings=None,
                  indicators: tuple[tuple[str, str, str, float], ...] = (),
                  pdf_kinds: frozenset[str] | set[str] | None = None) -> ProcessFacts:
    """``pdf_kinds``: the kinds of the PDFs beside the OCDS file (None: no PDF, the
    listed documents are not checked against the case)."""
    b = _Builder(proc, document, sha256)
    rel = proc.release
    tender = rel.get("tender") if isinstance(rel.get("tender"), dict) else {}
    method = tender.get("procurementMethod")
    # the process itself: what a rule about OCDS data requires before it can say "not fired"
    b.add("ocds-process", [("tender", "procurementMethod") if isinstance(method, str) else ("ocid",)], 1.0,
          method=method if isinstance(method, str) else None)
    if method == "direct":
        b.add("tendering-waived", [("tender", "procurementMethod")], 0.95, mechanism="direct-contracting")
    elif method == "limited":
        b.add("tendering-waived", [("tender", "procurementMethod")], 0.9, mechanism="limited-competition",
              restricted=True)
    if isinstance(method, str) and method not in METHODS:
        # a method outside the codelist ("限制性招標", "Licitaţie publică"): read as text
        _texts(b, tender, pack, settings, ("procurementMethod",))
    _texts(b, tender, pack, settings)
    _period(b, tender, method)
    _values(b, rel)
    n = tender.get("numberOfTenderers")
    if isinstance(n, int) and not isinstance(n, bool):
        b.add("bids-received", [("tender", "numberOfTenderers")], 0.95, count=n, source="numberOfTenderers")
    else:
        _bid_count(b, rel)
    _parties(b, rel)
    if pdf_kinds is not None:
        _listed(b, rel, pdf_kinds)
    for group, ident, code, value in indicators:
        from auditor.ocds.cardinal import TITLES

        b.add("ocds-indicator", [_anchor(rel, group, ident)], 0.9, code=code, group=group, id=ident,
              value=value, indicator=TITLES.get(code, code))
    return b.out


def _bid_count(b: _Builder, rel: dict) -> None:
    """The number of distinct tenderers of ``/bids/details`` (by id, else by name), when the
    process does not state ``numberOfTenderers``; withdrawn bids do not count."""
    bids = rel.get("bids") if isinstance(rel.get("bids"), dict) else {}
    details = bids.get("details")
    if not isinstance(details, list) or not details:
        return
    seen: set[str] = set()
    for bid in details:
        if not isinstance(bid, dict) or bid.get("status") == "withdrawn":
            continue
        for t in bid.get("tenderers") or [] if isinstance(bid.get("tenderers"), list) else []:
            if isinstance(t, dict) and (t.get("id") is not None or isinstance(t.get("name"), str)):
                seen.add(str(t.get("id")) if t.get("id") is not None else " ".join(str(t["name"]).lower().split()))
    if seen:
        b.add("bids-received", [("bids", "details")], 0.9, count=len(seen), source="bids")


def _parties(b: _Builder, rel: dict) -> None:
    """The suppliers of the live awards and the funders, as ``party`` facts (a PDF's roles)."""
    from auditor.extract.parties import core_tokens

    named: set[tuple[str, str]] = set()

    def add(tokens: tuple[str | int, ...], name: Any, role: str, how: str) -> None:
        if not isinstance(name, str) or not name.strip() or (role, name.strip()) in named:
            return
        named.add((role, name.strip()))
        b.add("party", [tokens], 0.95, name=" ".join(name.split()), role=role,
              core=" ".join(core_tokens(name)), how=how)

    for i, award in enumerate(rel.get("awards") or [] if isinstance(rel.get("awards"), list) else []):
        if not isinstance(award, dict) or award.get("status") not in _AWARD_LIVE:
            continue
        for j, s in enumerate(award.get("suppliers") or [] if isinstance(award.get("suppliers"), list) else []):
            if isinstance(s, dict):
                add(("awards", i, "suppliers", j, "name"), s.get("name"), "vendor", "OCDS award supplier")
    for k, party in enumerate(rel.get("parties") or [] if isinstance(rel.get("parties"), list) else []):
        if isinstance(party, dict) and isinstance(party.get("roles"), list) and "funder" in party["roles"]:
            add(("parties", k, "name"), party.get("name"), "lender", "OCDS party with the role funder")


def _anchor(rel: dict, group: str, ident: str) -> tuple[str | int, ...]:
    """The member that names the flagged unit: the ocid, buyer, procuring entity or tenderer."""
    if group == "Buyer" and isinstance(rel.get("buyer"), dict):
        return ("buyer", "id")
    if group == "ProcuringEntity":
        return ("tender", "procuringEntity", "id")
    if group == "Tenderer":
        bids = (rel.get("bids") or {}).get("details") if isinstance(rel.get("bids"), dict) else None
        for i, bid in enumerate(bids or []):
            for j, t in enumerate((bid or {}).get("tenderers") or [] if isinstance(bid, dict) else []):
                if isinstance(t, dict) and str(t.get("id")) == ident:
                    return ("bids", "details", i, "tenderers", j, "id")
        for i, a in enumerate(rel.get("awards") or []):
            for j, s in enumerate((a or {}).get("suppliers") or [] if isinstance(a, dict) else []):
                if isinstance(s, dict) and str(s.get("id")) == ident:
                    return ("awards", i, "suppliers", j, "id")
    return ("ocid",)


def _texts(b: _Builder, tender: dict, pack, settings, members: tuple[str, ...] = TEXT_MEMBERS) -> None:
    for key in members:
        text = tender.get(key)
        if not isinstance(text, str) or not text.strip():
            continue
        for f in _text_facts(text, pack, settings):
            if f.kind in _TEXT_KINDS_SKIPPED:
                continue
            ev = b.evidence(("tender", key))
            attrs = dict(f.attrs)
            attrs["ocid"] = b.proc.ocid
            attrs["speaker"] = "author"
            # the member is the publisher's own statement: a fragment the extractor reads as
            # reported ("Direct contracting in view of the urgency") is asserted by the record;
            # negated and hypothetical readings stand
            status = Status.ASSERTED if f.status is Status.REPORTED else f.status
            b.out.facts.append(Fact(f.kind, (ev,), f.confidence, status, f.cue if status is f.status else None,
                                    tuple(sorted(attrs.items()))))


_TEXT_CACHE: dict[tuple, tuple[Fact, ...]] = {}
_TEXT_CACHE_MAX = 4096


def _text_facts(text: str, pack, settings) -> tuple[Fact, ...]:
    """The extractor's facts of a method/rationale text.  Publishers repeat the same few
    texts over thousands of processes, so results are kept per text (the evidence is
    rebuilt for each process; only kinds and attributes are reused)."""
    from auditor.extract.facts import analyse

    key = (text, id(pack), id(settings))
    hit = _TEXT_CACHE.get(key)
    if hit is None:
        # a short text is one sentence to the extractor, read as the record of the procurement
        hit = analyse("ocds", "", [Page(1, text.strip().rstrip(".") + ".")], kind="notification",
                      pack=pack, settings=settings).facts
        if len(_TEXT_CACHE) >= _TEXT_CACHE_MAX:
            _TEXT_CACHE.clear()
        _TEXT_CACHE[key] = hit
    return hit


def _period(b: _Builder, tender: dict, method: Any) -> None:
    from auditor.ocds.cardinal import parse_time

    period = tender.get("tenderPeriod") if isinstance(tender.get("tenderPeriod"), dict) else {}
    start, end = parse_time(period.get("startDate")), parse_time(period.get("endDate"))
    if start is None or end is None or method not in ("open", "selective", None):
        return
    days = (end.date() - start.date()).days
    if days < 0:
        b.out.notes.append(f"{b.document} ({b.proc.ocid}): the tender period ends ({end.date()}) before it starts "
                           f"({start.date()}) — a data problem, not a short bidding period")
        return
    scope = "international" if _international(tender) else "national"
    b.add("bidding-period", [("tender", "tenderPeriod", "startDate"), ("tender", "tenderPeriod", "endDate")], 0.95,
          published=start.date().isoformat(), deadline=end.date().isoformat(), days=days, scope=scope,
          published_source="tender-period", deadline_day=end.date().toordinal())


def _international(tender: dict) -> bool:
    text = " ".join(str(tender.get(k) or "") for k in ("procurementMethodDetails", "title", "description")).lower()
    return "international" in text or "internacional" in text


def _values(b: _Builder, rel: dict) -> None:
    from auditor.extract.facts import _to_usd
    from auditor.ocds.cardinal import _amount

    date = rel.get("date") if isinstance(rel.get("date"), str) else ""
    year = int(date[:4]) if date[:4].isdigit() else None
    award_values: dict[str, tuple[int, float, str]] = {}
    by_award: dict[str, list[tuple[int, float, str]]] = {}  # award id -> its contracts (index, value, currency)
    for stage in ("awards", "contracts"):
        for i, item in enumerate(rel.get(stage) or []):
            if not isinstance(item, dict) or item.get("status") in ("cancelled", "unsuccessful"):
                continue
            a = _amount(item.get("value"))
            if a is None or a[0] <= 0 or not a[1]:
                continue
            value, currency = a
            attrs: dict[str, Any] = {"value": value, "currency": currency, "role": "contract-price",
                                     "amount": f"{currency} {value:,.2f}", "year": year,
                                     "document_kind": DOCUMENT_KIND, "stage": stage[:-1]}
            usd = _to_usd(value, currency, year)
            if usd is not None:
                attrs["usd"], attrs["rate"], attrs["rate_year"] = usd
            b.add("money", [(stage, i, "value", "amount")], 0.95, **attrs)
            if stage == "awards" and item.get("id") is not None:
                award_values[str(item["id"])] = (i, value, currency)
            if stage == "contracts" and str(item.get("awardID")) in award_values:
                by_award.setdefault(str(item["awardID"]), []).append((i, value, currency))
    # an award implemented by several contracts (lots, framework call-offs) is compared with their sum
    for award_id, contracts in by_award.items():
        ai, avalue, acur = award_values[award_id]
        if any(cur != acur for _, _, cur in contracts):
            continue
        value = sum(v for _, v, _ in contracts)
        spread = abs(value - avalue) / max(value, avalue)
        b.add("award-contract-values", [("awards", ai, "value", "amount")] + [("contracts", i, "value", "amount") for i, _, _ in contracts],
              0.95, award_value=avalue, contract_value=value, currency=acur, spread=round(spread, 6),
              spread_pct=round(spread * 100, 2), award_id=award_id, contracts=len(contracts))


# OCDS documentType -> the kind of PDF that holds such a document in a case
LISTED_KINDS = {
    "tenderNotice": "tender-notice",
    "awardNotice": "award-letter",
    "contractNotice": "contract",
    "contractSigned": "contract",
    "evaluationReports": "evaluation-report",
    "procurementPlan": "procurement-plan",
}


def _listed(b: _Builder, rel: dict, pdf_kinds) -> None:
    """The documents the process lists, each with whether the case holds one of its kind."""
    for stage in ("planning", "tender"):
        part = rel.get(stage) if isinstance(rel.get(stage), dict) else {}
        _listed_in(b, (stage,), part.get("documents"), pdf_kinds)
    for stage in ("awards", "contracts"):
        for i, item in enumerate(rel.get(stage) or []):
            if isinstance(item, dict):
                _listed_in(b, (stage, i), item.get("documents"), pdf_kinds)


def _listed_in(b: _Builder, base: tuple, docs: Any, pdf_kinds) -> None:
    for j, d in enumerate(docs or [] if isinstance(docs, list) else []):
        if not isinstance(d, dict) or d.get("documentType") not in LISTED_KINDS:
            continue
        kind = LISTED_KINDS[d["documentType"]]
        b.add("ocds-document-listed", [(*base, "documents", j, "documentType")], 0.9,
              document_type=d["documentType"], url=d.get("url") if isinstance(d.get("url"), str) else "no URL given",
              title=d.get("title") if isinstance(d.get("title"), str) else None, expected_kind=kind,
              in_case=kind in pdf_kinds)
