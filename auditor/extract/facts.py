"""Pages -> facts: the extraction driver.

For one document: build the page stream, split sentences, decide the document's
kind and year, then run every extractor over every sentence.  Each proposed fact
is assessed by scope analysis (asserted / negated / hypothetical / reported) and
carries its evidence (document, page, verbatim quote, offsets).  Negated and
hypothetical candidates are kept too (``auditor facts`` shows them, so an auditor
can see why a rule did *not* fire); only asserted facts feed the rules.
"""

from __future__ import annotations

import bisect
import os
import re
import sys
import traceback
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

from auditor.extract import doctype
from auditor.extract import patterns as _patterns
from auditor.extract.patterns import PatternPack, Trigger
from auditor.extract.money import CURRENCY_HINT, amount_role, find_amounts, find_restatements
from auditor.extract.parties import GENERIC_VENDOR, LEGAL_SUFFIX, core_tokens, find_organisations
from auditor.extract.roles import OTHER as ROLE_OTHER, amount_of
from auditor.extract.scope import Assessment, SentenceScope
from auditor.extract.text import Sentence, Stream, display_quote, split_sentences
from auditor.models import Evidence, Fact, Page, Status
from auditor.settings import ExtractionSettings
from auditor.settings import using as using_settings

EXTRACTOR_VERSION = "3"  # bump when extraction output changes (invalidates the cache)

OCR_FACTOR = 0.85  # facts read from OCR'd pages are less certain
HEADING_FACTOR = 0.8  # a fact stated only in a title or subject line
QUOTE_MAX = 420  # longer sentences are clipped around the trigger (still verbatim)


@dataclass(frozen=True, slots=True)
class Analysis:
    kind: str
    year: int | None
    facts: tuple[Fact, ...]
    # one line per span (a sentence, a register cell) on which an extractor raised:
    # a bug of ours, said in the report and by exit code 4; the span's other facts
    # and every other span's are kept
    span_errors: tuple[str, ...] = ()


def analyse(document: str, sha256: str, pages: Sequence[Page], kind: str | None = None,
            pack: PatternPack | None = None, settings: ExtractionSettings | None = None) -> Analysis:
    """Facts of one document.  ``kind`` overrides the detected document kind;
    ``pack``: the fact patterns to use (default: the built-in pack's); ``settings``
    (a jurisdiction pack's; None: the default) are current while the extractors run."""
    with using_settings(settings):
        return _analyse(document, sha256, pages, kind, pack)


def _analyse(document: str, sha256: str, pages: Sequence[Page], kind: str | None, pack: PatternPack | None) -> Analysis:
    stream = Stream(document, sha256, pages)
    sentences = split_sentences(stream.text)
    if kind is None:
        # the raw opening (running headers included: a plan's title may repeat on every page)
        opening = "\n".join(p.text for p in pages[:3] if p.text)[: doctype.OPENING_CHARS]
        kind = doctype.classify(document, opening or stream.text[: doctype.OPENING_CHARS])
    year = document_year(stream.text)
    builder = _Builder(stream, kind, year, pack or _patterns.load())
    builder.subject(sentences)  # the whole text, register tables included
    if any(p.rows for p in pages):
        # a page read as register rows: its table's text lines are not sentences
        sentences = _outside_tables(stream, sentences, pages)
    builder.run(sentences)
    builder.rows(pages)
    return Analysis(kind, year, tuple(builder.facts), tuple(builder.span_errors))


def _outside_tables(stream: Stream, sentences: Sequence[Sentence], pages: Sequence[Page]) -> list[Sentence]:
    spans = {p.number: p.table_spans for p in pages if p.rows and p.table_spans}

    def inside(pos: int) -> bool:
        page, off = stream.locate(pos)
        return any(a <= off <= b for a, b in spans.get(page, ()))

    return [s for s in sentences if not (inside(s.start) or inside(max(s.start, s.end - 1)))]


# --- the document's own year ------------------------------------------------------

def document_year(text: str) -> int | None:
    """The year the document speaks from: the latest full date on its opening, or
    the most frequent year among all its dates."""
    from auditor.extract.dates import find_dates

    opening = [d for d in find_dates(text[:3000]) if d.precision == "day"]
    if opening:
        return max(d.date.year for d in opening)
    years = Counter(d.date.year for d in find_dates(text[:200_000]))
    if years:
        return years.most_common(1)[0][0]
    return None


# --- building facts ---------------------------------------------------------------

class _Builder:
    def __init__(self, stream: Stream, kind: str, year: int | None, pack: PatternPack):
        self.pack = pack
        self.stream = stream
        self.kind = kind
        self.year = year
        self.normative = kind in doctype.NORMATIVE_KINDS
        self.facts: list[Fact] = []
        self._seen: set[tuple[str, int, int]] = set()
        self._para: list[tuple[int, int]] = []  # (paragraph, index into facts)
        self._rejections: dict[int, tuple[int, str]] = {}  # paragraph -> (sentence start, cue)
        self._rejections_pending: set[int] = set()  # paragraphs holding a proposal
        self._quoted: str | None = None  # is the current sentence inside a quotation (and of what)?
        self._row_evidence: tuple[Evidence, ...] | None = None  # set while a register row's cells are read
        self._contentions: list[tuple[int, int]] = []  # (paragraph, fact index) of a party's contentions
        self._lower_forum: list[int] = []  # fact indexes of findings made by a lower forum
        self._aliases: re.Pattern[str] | bool | None = None  # the firms' defined short forms (None: not yet read)
        self._court_rejects: set[int] = set()  # paragraphs where the court rejects a contention
        self.span_errors: list[str] = []  # see Analysis.span_errors

    def _span_failed(self, what: str, pos: int | None, page: int | None, exc: Exception) -> None:
        """An extractor raised on one span: the span costs only itself (its facts
        added before the failure stay), and the failure is recorded, never hidden."""
        if page is None and pos is not None:
            page = self.stream.locate(pos)[0] if pos >= 0 else None
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        where = f" on page {page}" if page is not None else ""
        self.span_errors.append(f"{what}{where}: {type(exc).__name__}" + (f": {detail}" if detail else ""))
        from auditor.errors import DEBUG_ENV

        if os.environ.get(DEBUG_ENV):
            traceback.print_exc(file=sys.stderr)

    def subject(self, sentences: Sequence[Sentence]) -> None:
        """Is the document about procurement, and which ambiguous object words does it
        use in another sense (the pack's relevance settings)?"""
        rel = self.pack.relevance
        self.on_subject = True
        if rel.subject is not None:
            # a short text (an order, a letter) needs fewer such sentences than a long judgment
            # (and a text of a few sentences — a note, a test — is judged by its clauses alone)
            need = 0 if len(sentences) < 20 else min(rel.min_sentences, max(1, -(-len(sentences) // 40)))
            n = 0
            for s in sentences:
                if rel.subject.search(s.text):
                    n += 1
                    if n >= need:
                        break
            self.on_subject = n >= need
        self.other_sense = frozenset(w for w, cue, n in rel.senses if len(cue.findall(self.stream.text)) >= n)

    def _relevance(self, scope: SentenceScope, a: int, b: int) -> Assessment | None:
        """None when the statement at [a, b) is about procurement, else why not: the
        document's subject is something else, or the object of the clause is (the
        impugned judgment, a conviction, a notification, an appointment...)."""
        if not self.on_subject:
            return Assessment(Status.OFF_TOPIC, "the document is not about procurement")
        rel = self.pack.relevance
        toks = scope.tokens
        c_lo, ti, tj, c_hi = scope.clause(a, b)
        other = None
        for i in range(c_lo, c_hi):  # the trigger's own words too ("the tender process was by-passed")
            w = toks[i].lower
            pair = f"{toks[i - 1].lower} {w}" if i > c_lo else ""
            if pair == "in order":
                continue  # "in order to"
            if pair in rel.procurement or (w in rel.procurement and w not in self.other_sense):
                return None  # the clause names a procurement object
            if other is None and (pair in rel.other or w in rel.other or w in self.other_sense):
                if not any(t.lower in _PREPOSITIONS for t in toks[max(c_lo, i - 3) : i]):
                    other = toks[i].text
        if other is not None:
            return Assessment(Status.OFF_TOPIC, f"about the {other}, not a procurement")
        return None

    def run(self, sentences: Sequence[Sentence]) -> None:
        if not hasattr(self, "on_subject"):
            self.subject(sentences)
        reported_para: int | None = None
        cue = self.pack.cues
        quotes = _QuoteTracker(cue["citation"])
        self._title(sentences)
        # Which families' anchor words occur in which sentence: one regex pass over the
        # whole lower-cased stream for all families, not a search per sentence and family.
        starts = [s.start for s in sentences]
        hits: list[list] = [[] for _ in sentences]
        lowered = self.stream.text.lower()
        pack = self.pack
        for m in pack.anchor_union.finditer(lowered):
            i = bisect.bisect_right(starts, m.start()) - 1
            if i < 0 or m.start() >= sentences[i].end:
                continue
            for fam in pack.families_for(m.group()):
                if fam not in hits[i]:
                    hits[i].append(fam)
        for h in hits:
            h.sort(key=pack.order)
        money_at = {bisect.bisect_right(starts, m.start()) - 1 for m in CURRENCY_HINT.finditer(self.stream.text)}
        speech_at = {bisect.bisect_right(starts, m.start()) - 1 for m in cue["speech_hint"].finditer(lowered)}
        recent: list[str] = []  # the two sentences before this one
        argument_list = False  # a party's argument ended "as follows:-": its items are its words
        last_para = -1
        for idx, s in enumerate(sentences):
            context = " ".join(recent) + " " + s.text
            recent = (recent + [s.text])[-2:]
            quoted = quotes.feed(s.text)
            opens_para = s.para != last_para or (idx > 0 and _NUMBERED_PARA.fullmatch(sentences[idx - 1].text + " ") is not None)
            if s.para != last_para:
                last_para = s.para
                if argument_list and _SUB_ITEM.match(s.text):
                    reported_para = s.para  # "(vi) that the approval ... is illegal, void ..."
                else:
                    argument_list = False
            scope: SentenceScope | None = None
            families = hits[idx]
            has_money = idx in money_at
            if families or has_money or idx in speech_at:
                reported_by = None
                if quoted == "precedent":
                    reported_by = "quoted precedent"
                elif reported_para == s.para:
                    reported_by = "argument paragraph"
                elif cue["relief"].match(s.text):
                    reported_by = "relief sought"
                elif _DOCTRINE.search(s.text) and cue["citation"].search(s.text):
                    reported_by = "precedent cited"  # "..., as held in Ramzan v. State (PLD 2010 SC 1)"
                scope = SentenceScope(s.text, reported_by=reported_by)
                self._quoted = quoted
                if scope.opens_argument and not scope.court_voice and (scope.litigant_speaks or opens_para):
                    # an impersonal "it has been alleged" in the middle of the court's own
                    # paragraph reports that sentence, not the rest of the paragraph
                    reported_para = s.para
                    argument_list = argument_list or _LEAD_IN.search(s.text) is not None
                elif scope.court_voice:
                    reported_para = None
                    argument_list = False
            if cue["contention_rejected"].search(s.text) and (scope is None or not scope.opens_argument):
                self._court_rejects.add(s.para)
            if families or s.para in self._rejections_pending:
                rej = cue["proposal_rejected"].search(s.text)
                if rej:
                    self._rejections.setdefault(s.para, (s.start + rej.start(), rej.group(0)))
            if _TERM_GATE.search(s.text) or (idx < 6 and self.kind == "award-letter"):
                self._terms(s, scope or SentenceScope(s.text), idx)
            if scope is None:
                continue
            try:
                if families:
                    required: dict[int, bool] = {}
                    for fam in families:
                        self._triggers(s, scope, fam.triggers, context, required)
                    if any(f.get("proposal") for _, f in self._para_tail(s.para)):
                        self._rejections_pending.add(s.para)
                if has_money:
                    self._money(s, scope)
                if self.kind in {"financing-agreement", "contract", "award-letter"} or "M/" in s.text or "Ltd" in s.text or "Limited" in s.text:
                    self._organisations(s)
            except Exception as exc:  # one sentence costs only itself
                self._span_failed("fact extraction from a sentence", s.start, None, exc)
        if self.kind == "financing-agreement":
            self._name_mentions(sentences)
        if self.kind == "award-letter":
            self._addressee(sentences)
        self._bidding_period(sentences)
        self._reference_numbers(sentences)
        self._apply_rejections()
        self._apply_contention_rejections()
        self._apply_reversal()

    def rows(self, pages: Sequence[Page]) -> None:
        """Facts from register rows (``Page.rows``): every text cell of a row (reason,
        description, method, remarks...) is run through the same triggers as a
        sentence.  The context a trigger's ``require`` is checked against is the
        row's own register: the table's title and column headers plus the row's
        other text cells ("Reason for Deviation" says that every row of the table
        departs from competitive bidding).  A fact from a row quotes the row as
        "Header: value" pairs and carries its procuring entity, supplier and amount."""
        from dataclasses import replace

        from auditor.extract import rows as register

        for page in pages:
            for row in page.rows:
                pairs = row.pairs()
                if not pairs:
                    continue
                roles = register.roles(row.headers)
                named = {r: " ".join(c.split()) for r, c in zip(roles, row.cells) if r and c.strip()}
                attrs = {"row": row.index, "entity": named.get("entity"), "supplier": named.get("supplier"),
                         "amount": named.get("amount"), "reason": named.get("reason")}
                evidence = Evidence(self.stream.document, row.page, register.quote(row), 0, 0, self.stream.sha256,
                                    row.page in self.stream.ocr_pages, row=row.index, cells=row.pairs(lines=True))
                texts = [(j, " ".join(c.split())) for j, (r, c) in enumerate(zip(roles, row.cells))
                         if r in register.TEXT_ROLES and any(ch.isalpha() for ch in c)]
                subject = " ".join([row.title, *row.headers])
                for j, text in texts:
                    others = " ".join(t for k, t in texts if k != j)
                    families = []
                    for m in self.pack.anchor_union.finditer(text.lower()):
                        families += [f for f in self.pack.families_for(m.group()) if f not in families]
                    if not families:
                        continue
                    families.sort(key=self.pack.order)
                    # a cell is a sentence of its own, placed outside the stream
                    key = -(row.index * 64 + j + 1)
                    s = Sentence(key, key + len(text), text, key)
                    before = len(self.facts)
                    self._row_evidence = (evidence,)  # the row is the evidence of what its cells state
                    try:
                        scope = SentenceScope(text)
                        required: dict[int, bool] = {}
                        for fam in families:
                            self._triggers(s, scope, fam.triggers, f"{subject} {others} {text}", required)
                    except Exception as exc:  # one cell costs only itself
                        self._span_failed(f"fact extraction from register row {row.index}", None, row.page, exc)
                    finally:
                        self._row_evidence = None
                    for k in range(before, len(self.facts)):
                        f = self.facts[k]
                        extra = {**dict(f.attrs), **{a: v for a, v in attrs.items() if v is not None}, "column": row.headers[j]}
                        f = replace(f, attrs=tuple(sorted(extra.items())))
                        if f.kind in _ROW_MENTIONS and f.status is Status.ASSERTED:
                            f = replace(f, status=Status.REPORTED, cue="mentioned in a register row, not the act itself")
                        self.facts[k] = f

    def _speaker(self, s: Sentence, assessment: Assessment) -> str:
        """Who states it: the law, a precedent the court quotes, a party (counsel's
        argument, a petition's prayer), the record the court quotes (a summary, a letter),
        the court itself, or the document's own author."""
        if self.normative:
            return "law"
        if assessment.status is Status.REPORTED:
            return "precedent" if assessment.cue in ("quoted precedent", "precedent cited") else "party"
        if self._quoted == "precedent":
            return "precedent"
        if self.kind in ("judgment", "audit-report"):
            return "record" if self._quoted == "quotation" else "court"
        return "author"

    def _apply_contention_rejections(self) -> None:
        """A party's contention that the court rejects ("the contention has no force",
        "this plea is repelled") in the same or the next paragraph does not count."""
        from dataclasses import replace

        for para, index in self._contentions:
            if para in self._court_rejects or para + 1 in self._court_rejects:
                f = self.facts[index]
                self.facts[index] = replace(f, status=Status.NEGATED, cue="contention rejected by the court")

    def _masked(self, text: str) -> str:
        """The sentence with every defined short form of a firm ("M/s Zentrix Surveillance Ltd
        (Zentrix)" ... "Zentrix approached the Ministry") replaced by a run of \\x01 of its
        length, which the packs' vendor macros read as a firm's name: offsets stay, so the quote
        and the vendor's name are taken from the sentence itself."""
        if self._aliases is None:
            shorts = {m.group("short") for m in _ALIAS_DEF.finditer(self.stream.text)} - _ROLE_WORDS
            self._aliases = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(shorts, key=len, reverse=True))) + r")\b") if shorts else False
        if not self._aliases:
            return text
        return self._aliases.sub(lambda m: "\x01" * len(m.group()), text)

    def _apply_reversal(self) -> None:
        """An appeal allowed against the decision of a lower forum reverses that forum's
        findings: "a judgment of the High Court which set aside the lease" does not count when
        the disposition is "the appeal is allowed, the impugned judgment is set aside".  (A
        finding of the lower forum that the appeal upholds still counts.)"""
        if not self._lower_forum or self.kind != "judgment":
            return
        text = self.stream.text
        tail = text[max(0, min(len(text) - 4000, int(len(text) * 0.8))):]
        if not _REVERSAL.search(tail):
            return
        from dataclasses import replace

        for index in self._lower_forum:
            f = self.facts[index]
            if f.status is Status.ASSERTED:
                self.facts[index] = replace(f, status=Status.NEGATED, cue="the lower forum's decision, reversed on appeal")

    def _para_tail(self, para: int):
        for p, index in reversed(self._para):
            if p != para:
                break
            yield p, self.facts[index]

    def _apply_rejections(self) -> None:
        """A proposal turned down later in its paragraph ("the suggestion ... was not
        accepted", "the Commission did not agree") was never carried out."""
        if not self._rejections:
            return
        from dataclasses import replace

        for para, index in self._para:
            f = self.facts[index]
            rej = self._rejections.get(para)
            if rej and f.status is Status.ASSERTED and f.get("proposal"):
                self.facts[index] = replace(f, status=Status.NEGATED, cue=f"proposal not accepted ({rej[1]})")

    # -- helpers ------------------------------------------------------------------

    def _framed(self, s: Sentence, assessment: Assessment) -> Assessment:
        """What a law, a standard document or a recommendation says is a rule or an
        aim, not an event: asserted statements there become hypothetical."""
        if assessment.status is not Status.ASSERTED:
            return assessment
        if self.normative:
            return Assessment(Status.HYPOTHETICAL, f"normative text ({self.kind})")
        if self.pack.cues["recommendation"].match(s.text):
            return Assessment(Status.HYPOTHETICAL, "recommendation")
        return assessment

    def _evidence(self, s: Sentence, a: int, b: int) -> tuple[Evidence, ...]:
        """Evidence for a trigger at sentence offsets [a, b): the sentence, clipped
        around the trigger when long, cut by page (or the register row being read)."""
        if self._row_evidence is not None:
            return self._row_evidence
        lo, hi = 0, len(s.text)
        if hi - lo > QUOTE_MAX:
            lo, hi = _clip(s.text, a, b)
        return self.stream.evidence(s.start + lo, s.start + hi)

    def _add(self, kind: str, s: Sentence, a: int, b: int, confidence: float,
             assessment: Assessment, attrs: dict[str, object]) -> None:
        key = (kind, s.start, a)
        if key in self._seen:
            return
        evidence = self._evidence(s, a, b)
        if not evidence:
            return
        if any(e.ocr for e in evidence):
            confidence *= OCR_FACTOR
        if _is_heading(s.text):
            confidence *= HEADING_FACTOR  # a subject line names a topic, not an event
        confidence = round(min(0.99, confidence * assessment.factor), 3)
        if assessment.proposal:
            attrs["proposal"] = True
        attrs = {k: v for k, v in attrs.items() if v is not None}
        attrs.setdefault("trigger", display_quote(s.text[a:b])[:160])
        attrs.setdefault("speaker", self._speaker(s, assessment))
        if attrs["speaker"] == "party" and assessment.status is Status.REPORTED:
            self._contentions.append((s.para, len(self.facts)))
        self._seen.add(key)
        self._para.append((s.para, len(self.facts)))
        self.facts.append(
            Fact(
                kind=kind,
                evidence=_primary_first(evidence, s, self.stream, a),
                confidence=confidence,
                status=assessment.status,
                cue=assessment.cue,
                attrs=tuple(sorted(attrs.items())),
            )
        )

    def _triggers(self, s: Sentence, scope: SentenceScope, triggers: Iterable[Trigger], context: str,
                  required: dict[int, bool]) -> None:
        """``context``: the sentence with the two before it, where a trigger's
        required context words may stand; ``required`` caches those checks for the
        sentence (many triggers share one context pattern)."""
        taken: list[tuple[str, int, int]] = []
        low = s.text.lower()
        masked = self._masked(s.text)
        for trig in triggers:
            if trig.keys and not any(k in low for k in trig.keys):
                continue
            if trig.require:
                ok = True
                for r in trig.require:
                    key = id(r)
                    if key not in required:
                        required[key] = r.search(context) is not None
                    if not required[key]:
                        ok = False
                        break
                if not ok:
                    continue
            if trig.exclude is not None and trig.exclude.search(s.text):
                continue
            for m in trig.regex.finditer(masked):
                a, b = m.span()
                if any(k == trig.kind and a < tb and ta < b for k, ta, tb in taken):
                    continue  # an earlier (stronger) trigger of the same kind covers it
                if trig.kind in _ONE_PER_SENTENCE and any(k == trig.kind for k, _, _ in taken):
                    continue  # one fact of this kind per sentence is enough
                internal = [m.span(g) for g in m.re.groupindex if g.startswith("neg") and m.group(g)]
                if internal and _is_table_row(s.text):
                    continue  # "NO" in a table is a yes/no column, not a negation of the next cell
                assessment = scope.assess(a, b, internal, request=trig.request)
                if trig.polarity == "negative":
                    # the fact is the event's absence: a negated event is asserted, anything else yields nothing
                    if assessment.status is not Status.NEGATED:
                        continue
                    # the absence is stated: is it asserted, or a party's contention, a hypothesis?
                    rest = scope.assess(a, b, internal, request=trig.request, negated_event=True)
                    if rest.status is Status.ASSERTED:
                        rest = Assessment(Status.ASSERTED, None, 0.95)
                    assessment = rest
                if trig.relevance == "procurement" and assessment.status is Status.ASSERTED:
                    assessment = self._relevance(scope, a, b) or assessment
                attrs: dict[str, object] = dict(trig.attrs)
                attrs["pattern"] = trig.name
                if "vendor" in m.re.groupindex and m.group("vendor"):
                    attrs["vendor"] = _clean_vendor(s.text[m.start("vendor") : m.end("vendor")])
                if "factor" in m.re.groupindex and m.group("factor"):
                    f = m.group("factor").lower()
                    attrs["factor"] = self.pack.numbers.get(f) or _float(f)
                if "percent" in m.re.groupindex and m.group("percent"):
                    attrs["factor"] = round(1 + _float(m.group("percent")) / 100, 4)
                spec = self.pack.kinds[trig.kind]
                for name, aspec in spec.attributes:
                    if aspec.when is not None:
                        attrs[name] = bool(aspec.when.search(s.text))
                if trig.kind == "court-irregularity" and self.kind not in ("judgment", "audit-report") \
                        and (scope.court_voice or self.pack.cues["authority"].search(s.text)):
                    attrs["speaker"] = "court"  # "the Auditor-General found that ..." in a letter or minutes
                if spec.require_attr and spec.require_attr not in attrs:
                    continue
                before = len(self.facts)
                self._add(trig.kind, s, a, b, trig.confidence, self._framed(s, assessment), attrs)
                if trig.kind == "court-irregularity" and len(self.facts) > before and _lower_forum(s.text, a):
                    self._lower_forum.append(before)
                taken.append((trig.kind, a, b))

    def _money(self, s: Sentence, scope: SentenceScope) -> None:
        amounts = find_amounts(s.text)
        if not amounts:
            return
        for r in find_restatements(s.text, amounts):
            if r.agrees:
                continue
            a, b = min(r.words.start, r.figures.start), max(r.words.end, r.figures.end)
            self._add("amount-restatement", s, a, b, 0.9, Assessment(Status.ASSERTED), {
                "words": display_quote(r.words.text),
                "figures": display_quote(r.figures.text),
                "words_value": r.words.value,
                "figures_value": r.figures.value,
                "currency": r.figures.currency or r.words.currency,
                "agrees": False,
            })
        orgs = find_organisations(s.text) if ("M/" in s.text or "Ltd" in s.text or "Limited" in s.text) else []
        for amt in amounts:
            head = amount_of(s.text, amt.start, self.pack.cues)
            if head is not None and head.role is not None:
                # the role of the noun phrase the amount is the amount of ("the total contract price, ..., is")
                role = None if head.role == ROLE_OTHER else _refine_structural(s.text, amt, head.role, self.pack.cues)
            else:
                role = _refine_role(s.text, amt, amount_role(s.text, amt), self.pack.cues)
            if role is None or amt.currency is None or amt.value <= 0:
                continue
            assessment = scope.assess(amt.start, amt.end)
            if (
                role in ("market-price", "estimate")
                and assessment.status is Status.HYPOTHETICAL
                and assessment.cue in {"could", "would", "can", "may", "might"}
            ):
                # "could be bought in the market for US$ 4 million" states a market price
                assessment = Assessment(Status.ASSERTED, None, 0.9)
            assessment = self._framed(s, assessment)
            attrs: dict[str, object] = {
                "value": amt.value,
                "currency": amt.currency,
                "role": role,
                "amount": display_quote(amt.text),
                "approx": amt.approx,
                "year": self.year,
                "document_kind": self.kind,
                "of": display_quote(head.phrase)[:120] if head is not None and head.role is not None else None,
            }
            usd = _to_usd(amt.value, amt.currency, self.year)
            if usd is not None:
                attrs["usd"], attrs["rate"], attrs["rate_year"] = usd
            if orgs:
                attrs["vendor"] = min(orgs, key=lambda o: abs(o[0] - amt.start))[2]
            self._add("money", s, amt.start, amt.end, 0.8 if not amt.approx else 0.7, assessment, attrs)

    def _terms(self, s: Sentence, scope: SentenceScope, idx: int) -> None:
        """The contract's terms a sentence states (auditor/extract/roles.py): parties with
        their roles, dated events, loan terms, the procurement method, the subject."""
        from auditor.extract import roles

        cues, text = self.pack.cues, s.text
        for p in roles.find_parties(text, cues):
            self._add("party", s, p.start, p.end, 0.85 if p.how != "contract between" else 0.7,
                      self._framed(s, scope.assess(p.start, p.end)),
                      {"name": p.name, "role": p.role, "core": " ".join(core_tokens(p.name)), "how": p.how})
        if idx < 6 and self.kind == "award-letter":
            # the authority that issues a letter of award is the procuring agency
            m = _ISSUER.search(text)
            if m:
                self._add("party", s, m.start(), m.end(), 0.7, Assessment(Status.ASSERTED),
                          {"name": " ".join(m.group(0).split()).title().replace(" Of ", " of "), "role": "buyer",
                           "core": " ".join(core_tokens(m.group(0))), "how": "issuer of the letter of award"})
        for e in roles.find_events(text, cues, self.kind):
            self._add("dated-event", s, e.start, e.end, 0.8, self._framed(s, scope.assess(e.start, e.end)),
                      {"event": e.event, "date": e.date, "precision": e.precision})
        for t in roles.find_loan_terms(text, cues):
            self._add("loan-term", s, t.start, t.end, 0.85, self._framed(s, scope.assess(t.start, t.end)),
                      {"term": t.term, "value": t.value})
        methods = roles.find_methods(text, cues)
        for m in methods:
            self._add("procurement-method", s, m.start, m.end, 0.8, self._framed(s, scope.assess(m.start, m.end)),
                      {"method": m.method, "provision": m.provision})
        for c in roles.find_bid_counts(text, cues):
            self._add("bids-received", s, c.start, c.end, 0.8, self._framed(s, scope.assess(c.start, c.end)),
                      {"count": c.count, "source": "statement"})
        if methods or _EXEMPT.search(text):
            for a, b, provision in roles.find_provisions(text, cues):
                self._add("legal-provision", s, a, b, 0.8, self._framed(s, scope.assess(a, b)), {"provision": provision})
        for sub in roles.find_subjects(text, cues):
            self._add("subject", s, sub.start, sub.end, 0.8, Assessment(Status.ASSERTED),
                      {"text": sub.text, "source": sub.source})

    def _addressee(self, sentences: Sequence[Sentence]) -> None:
        """A letter of award is addressed to the successful bidder: the firm of its address
        block (the last one named before the salutation, "Dear Sir,") is the vendor."""
        from auditor.extract.roles import PUBLIC_NAME

        text = self.stream.text
        m = self.pack.cues["salutation"].search(text, 0, ADDRESS_SPAN)
        if m is None:
            return
        firms = [o for o in find_organisations(text[: m.start()]) if not PUBLIC_NAME.search(o[2])]
        if not firms:
            return
        a, b, name = firms[-1]
        s = next((s for s in sentences if s.start <= a < s.end), None)
        if s is None or b > s.end:
            return
        self._add("party", s, a - s.start, b - s.start, 0.7, Assessment(Status.ASSERTED),
                  {"name": name, "role": "vendor", "core": " ".join(core_tokens(name)),
                   "how": "addressee of the letter of award"})

    def _organisations(self, s: Sentence) -> None:
        for a, b, name in find_organisations(s.text):
            self._add("organisation", s, a, b, 0.8, Assessment(Status.ASSERTED),
                      {"name": name, "core": " ".join(core_tokens(name))})

    def _name_mentions(self, sentences: Sequence[Sentence]) -> None:
        """Every capitalised name in a financing agreement, so a rule can check
        whether the agreement names a vendor (in whatever spelling)."""
        seen: set[str] = set()
        for s in sentences:
            for m in _PROPER_RUN.finditer(s.text):
                name = m.group(0).strip()
                core = " ".join(core_tokens(name))
                if not core or core in seen or len(core) < 3:
                    continue
                seen.add(core)
                self._add("name-mention", s, m.start(), m.end(), 0.9, Assessment(Status.ASSERTED),
                          {"name": name, "core": core})

    def _title(self, sentences: Sequence[Sentence]) -> None:
        """The document's title (first heading-like sentence): evidence of what a
        document is, used when a finding rests on what a document lacks."""
        for s in sentences[:12]:
            text = s.text.strip()
            if len(text) >= 8 and sum(ch.isupper() for ch in text) >= 0.5 * sum(ch.isalpha() for ch in text) > 4:
                self._add("document-title", s, 0, len(s.text), 1.0, Assessment(Status.ASSERTED),
                          {"title": display_quote(text)[:200], "document_kind": self.kind})
                return
        if sentences:
            s = sentences[0]
            self._add("document-title", s, 0, len(s.text), 1.0, Assessment(Status.ASSERTED),
                      {"title": display_quote(s.text)[:200], "document_kind": self.kind})

    def _reference_numbers(self, sentences: Sequence[Sentence]) -> None:
        """The identifiers a document gives its procurement ("Tender No. PPRA/2019/77", an
        OCDS ocid): how a case's PDFs are matched with the OCDS processes beside them."""
        seen: set[str] = set()
        for s in sentences:
            if len(seen) >= MAX_REFERENCES:
                return
            for m in _REFERENCE.finditer(s.text):
                number = m.group("ocid") or m.group("num")
                key = reference_key(number)
                if len(key) < 4 or key in seen:
                    continue
                seen.add(key)
                a, b = m.span("ocid") if m.group("ocid") else m.span("num")
                self._add("reference-number", s, a, b, 0.9, Assessment(Status.ASSERTED),
                          {"number": number, "key": key})

    def _bidding_period(self, sentences: Sequence[Sentence]) -> None:
        from auditor.extract.tender import bidding_periods

        for period in bidding_periods(sentences, self.kind):
            s_dead, (da, db) = period.deadline_at
            evidence = list(self._evidence(s_dead, da, db))
            if period.published_at is not None:
                s_pub, (pa, pb) = period.published_at
                if s_pub is not s_dead:
                    evidence = list(self._evidence(s_pub, pa, pb)) + evidence
            if not evidence:
                continue
            confidence = period.confidence
            if any(e.ocr for e in evidence):
                confidence *= OCR_FACTOR
            self.facts.append(
                Fact(
                    kind="bidding-period",
                    evidence=tuple(evidence),
                    confidence=round(confidence, 3),
                    status=Status.ASSERTED,
                    attrs=tuple(sorted({
                        "published": period.published.isoformat(),
                        "deadline": period.deadline.isoformat(),
                        "days": period.days,
                        "scope": period.scope,
                        "published_source": period.published_source,
                        "deadline_day": period.deadline.toordinal(),  # the deadline as a number (rules compare dates)
                    }.items())),
                )
            )


# --- small helpers ------------------------------------------------------------------

MAX_REFERENCES = 100  # reference numbers kept per document
# an OCDS ocid (ocds-<6-character prefix>-<the publisher's id>), or an identifier that a label
# introduces ("Tender No.", "IFB No:", "Ref #", "Contract ID") and that holds a digit
_REFERENCE = re.compile(
    r"(?P<ocid>\bocds-[0-9a-z]{6}-[A-Za-z0-9](?:[A-Za-z0-9._/-]*[A-Za-z0-9])?)"
    r"|\b(?:tender|bid|bidding|IFB|RFP|RFQ|EOI|ITB|contract|procurement|reference|ref|file|notice|process|"
    r"solicitation|invitation|lot|package)\.?\s*(?:(?:no|number|num|id|ref)\b|#)\.?\s*[:#.-]?\s*"
    r"(?P<num>(?=[A-Za-z0-9/._()-]*\d)[A-Za-z0-9][A-Za-z0-9/._()-]{1,60}[A-Za-z0-9)])",
    re.IGNORECASE)


def reference_key(number: str) -> str:
    """An identifier compared across documents: upper case, letters and digits only."""
    return re.sub(r"[^0-9A-Z]", "", number.upper())




# the parsers' phrase cues (prayers for relief, citations, money roles...) are the pack's:
# rules/patterns/language.yaml, read through self.pack.cues
_NUMBERED_PARA = re.compile(r"\s*\d{1,3}\.\s")
# an item of a list under a lead-in: "(vi)", "b)", "iv.", "(2)", or a bare "that ..."
_SUB_ITEM = re.compile(r"[\"“‘]*(?:\((?:[a-z]{1,2}|[ivxlc]{1,6}|\d{1,2})\)|(?:[a-z]|[ivxlc]{1,6})[.)]|that)\s", re.I)
# a rule of law stated with the case that laid it down: another case's holding, not this one's
_DOCTRINE = re.compile(r"\b(?:as|it\s+(?:was|has\s+been|is))\s+(?:held|observed|laid\s+down|ruled|settled)\s+(?:by\s+(?:this|the|a)\s+\w+(?:\s+\w+)?\s+)?in\b", re.I)
# a firm's name with the short form it defines: "M/s Zentrix Surveillance Ltd (Zentrix)",
# "Associated Group (Pvt.) Ltd (hereinafter called "AG")"
_ALIAS_DEF = re.compile(
    r"(?:(?-i:M/[Ss])\.?\s*[A-Z][\w&.'’-]*(?:\s+[A-Z&][\w&.'’-]*){0,6}|\b[A-Z][\w&.-]+(?:\s+[A-Z][\w&.-]+){0,5}\s+"
    + LEGAL_SUFFIX + r")\s*\(\s*(?:hereinafter\s+(?:called|referred\s+to\s+as)\s+)?(?:the\s+)?[\"“‘']?"
    r"(?P<short>[A-Z][A-Za-z0-9&-]{1,14})[\"”’']?\s*\)")
# short forms that are roles, not names: "the Contractor", "the Company" (the macros read those)
_ROLE_WORDS = frozenset("Company Contractor Supplier Vendor Firm Consortium Borrower Lender Employer Client Authority "
                        "Purchaser Seller Buyer Licensee Lessee Licensor Lessor Bidder Agency Pvt Ltd".split())
# a finding whose author is a lower forum: "a judgment of the High Court which set aside the lease"
_LOWER_FORUM = re.compile(
    r"\b(?:High\s+Court|Division\s+Bench|Single\s+(?:Judge|Bench)|Tribunal|trial\s+court|Banking\s+Court|"
    r"courts?\s+below|lower\s+(?:court|forum)|Appellate\s+(?:Court|Tribunal|Bench)|District\s+(?:Judge|Court)|"
    r"Civil\s+(?:Judge|Court))\b", re.I)
_OWN_VOICE = re.compile(r"\b(?:we|us|this\s+Court|this\s+Bench)\b", re.I)
# the disposition of an appeal that reverses the decision under appeal
_REVERSAL = re.compile(
    r"\b(?:appeals?|petitions?\s+(?:is|are)\s+converted\s+into\s+appeals?\s+and)\s+(?:is\s+|are\s+)?(?:hereby\s+)?(?:accordingly\s+)?(?:allowed|accepted)"
    r"|\bimpugned\s+(?:judgment|order|decision)s?\b(?:\s+[\w.,()-]+){0,10}?\s+(?:is|are)\s+(?:hereby\s+)?set\s+aside", re.I)


def _lower_forum(text: str, a: int) -> bool:
    """Does a lower forum, not this court, act in the clause before the trigger at ``a``?"""
    window = text[max(0, a - 100) : a]
    m = None
    for m in _LOWER_FORUM.finditer(window):
        pass
    return m is not None and not _OWN_VOICE.search(window[m.end() :])


# a sentence that announces a list: "... argued by the petitioners as follows:-"
_LEAD_IN = re.compile(r"(?::\s*[-—–]*|\bas\s+follows\W*|\bthe\s+following\W*)$")


class _QuoteTracker:
    """Follows quotation marks across sentences: is this sentence inside a
    quotation, and is that quotation another court's judgment (a precedent)?"""

    MAX_SENTENCES = 60  # an unbalanced quotation mark must not swallow the document
    RESET_AFTER = 8  # a numbered paragraph after this many quoted sentences ends the quote

    def __init__(self, citation: re.Pattern[str]) -> None:
        self.citation = citation  # a law-report citation before a quotation: it is a precedent
        self.depth = 0
        self.kind: str | None = None
        self.prev = ""
        self.length = 0

    def feed(self, text: str) -> str | None:
        opens = text.count("“") + text.count("‘‘")
        closes = text.count("”") + text.count("’’")
        if self.depth > 0:
            self.length += 1
            starts_para = _NUMBERED_PARA.match(text) is not None
            if self.length > self.MAX_SENTENCES or (starts_para and self.length > self.RESET_AFTER):
                self.depth, self.kind = 0, None
        state = self.kind if self.depth > 0 else None
        if self.depth == 0 and opens and opens <= closes and text.lstrip().startswith(("“", "‘‘")):
            # a quotation that opens and closes within this sentence
            kind = "precedent" if self.citation.search(self.prev[-300:]) else "quotation"
            self.prev = text
            return kind
        if self.depth == 0 and opens > closes:
            self.length = 0
            head = text[: text.find("“")] if "“" in text else text
            self.kind = "precedent" if self.citation.search(self.prev[-300:] + " " + head) else "quotation"
            state = self.kind if text.strip().startswith(("“", "‘")) or head.strip() == "" else None
        self.depth = max(0, self.depth + opens - closes)
        if self.depth == 0:
            self.kind = None
        self.prev = text
        return state


_PROPER_RUN = re.compile(r"\b(?:M/[Ss]\.?\s*)?[A-Z][\w&'’.-]*(?:[ \t,]+(?:[A-Z][\w&'’.-]*|&|of|and|de)){0,7}")


# a sentence that may state a term of the contract (a cheap gate before the term parsers)
_TERM_GATE = re.compile(
    r"\b(?:loan|lend|borrow|award|contract|agreement|purchaser|procuring|employer|executing|between|dated|signed"
    r"|executed|announced|pronounced|approv|exempt|proposal|approached|tender|bid|interest|tenor|grace|source"
    r"|negotiat|direct|competitive|auction|shopping|quotation|subject|means|suppl|procure|financ|extended|hereinafter|offer"
    r"|lender|seller|contractor|lease|allot|sold|granted|transferred|judgment|decision)", re.I)
ADDRESS_SPAN = 2000  # characters of a letter's head where its address block and salutation stand
_ISSUER = re.compile(r"\b(?:MINISTRY|DEPARTMENT|DIVISION|AUTHORITY|DIRECTORATE|BOARD|CORPORATION)\s+OF\s+[A-Z][A-Z &,-]{2,60}?(?=\s*(?:\(|\n|$))"
                     r"|\b[A-Z][A-Z ]{2,40}\s(?:AUTHORITY|DEPARTMENT|CORPORATION|BOARD|COMMISSION)\b")
_EXEMPT = re.compile(r"\bexempt", re.I)

_PREPOSITIONS = frozenset("under with of in by to from for per against into within upon on at".split())

# kinds that a register row can only mention: the row records a request; a formal
# declaration (of an emergency) is an act of its own, in a document of its own
_ROW_MENTIONS = frozenset({"emergency-declared"})

# kinds whose repeated matches in one sentence say nothing new
_ONE_PER_SENTENCE = frozenset({"financing-concessional", "emergency-declared"})





def _refine_role(sentence: str, amt, role: str | None, cue: dict) -> str | None:
    """Second opinion on a contract price: a security deposit, a percentage of the
    price, a losing bid, a PC-I cost, a threshold or a unit rate is not one."""
    if role is None:
        return None
    before = sentence[max(0, amt.start - 120) : amt.start]
    after = sentence[amt.end : amt.end + 25]
    if cue["threshold"].search(before) or cue["per_unit"].match(after) or getattr(amt, "per", None):
        return None
    if cue["paid_for"].search(before[-60:]) and not re.search(r"\bmarket\b", before[-60:], re.I):
        role = "contract-price"  # "the scanners were bought for US$ 12 million"
    if role != "npv-cost" and cue["npv_cue"].search(before[-90:]) and not re.search(r"\bcontract\b", before[-40:], re.I):
        return "npv-cost"  # "the net present value of the loan-financed project was assessed at $72m"
    if role == "contract-price":
        if cue["not_a_price"].search(before) or cue["other_bid"].search(before):
            return None
        if cue["planned_cost"].search(before) and not re.search(r"\bcontract\b[^.;]{0,40}$", before, re.I):
            return "estimate"
    return role


def _refine_structural(sentence: str, amt, role: str, cue: dict) -> str | None:
    """A role read from structure still yields to a threshold ("above Rs 5 million"),
    a unit rate ("US$ 50 per unit") and a losing bid."""
    before = sentence[max(0, amt.start - 120) : amt.start]
    after = sentence[amt.end : amt.end + 25]
    if role != "loan-amount" and cue["threshold"].search(before):
        return None  # a loan "not exceeding RMB 850,000,000" is its amount
    if cue["per_unit"].match(after) or getattr(amt, "per", None):
        return None
    if role == "contract-price" and cue["other_bid"].search(before):
        return None
    return role


_CELL = re.compile(r"\bN/A\b|\b\d{1,2}\s+[A-Z][a-z]{2,8}\.?\s+\d{4}\b|[\d,]+\.\d{2}\b|₱|\b\d{4,}\b")
_FINITE_VERB = re.compile(r"\b(?:is|are|was|were|has|have|had|been|be|shall|will|did|does)\b", re.I)


def _is_table_row(text: str) -> bool:
    """A run of table cells (dates, amounts, N/A) rather than a sentence."""
    return len(_CELL.findall(text)) >= 4 and len(_FINITE_VERB.findall(text)) < 2


def _is_heading(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) > 8 and sum(ch.isupper() for ch in letters) > 0.7 * len(letters) or text.lstrip().lower().startswith("subject:")


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def _clean_vendor(raw: str) -> str:
    raw = raw.strip().rstrip(",.;:")
    if GENERIC_VENDOR.match(raw):
        return raw.lower()
    orgs = find_organisations(raw)
    if orgs:
        return orgs[0][2]
    return raw


def _to_usd(value: float, currency: str, year: int | None):
    from auditor import fx

    try:
        conv = fx.to_usd(value, currency, year)
    except fx.UnknownRate:  # no rate for this currency: left unconverted (a broken table raises)
        return None
    return round(conv.usd, 2), conv.rate, conv.year


def _clip(text: str, a: int, b: int) -> tuple[int, int]:
    """A window of at most QUOTE_MAX chars around [a, b), cut at clause or word edges."""
    room = max(0, QUOTE_MAX - (b - a))
    lo = max(0, a - room // 2)
    hi = min(len(text), b + room - (a - lo))
    if lo > 0:
        cut = max(text.rfind(", ", lo, a), text.rfind("; ", lo, a))
        lo = cut + 2 if cut != -1 and cut + 2 <= a else (text.find(" ", lo, a) + 1 or lo)
    if hi < len(text):
        cut = max(text.find(", ", b, hi), text.find("; ", b, hi))
        cut_space = text.rfind(" ", b, hi)
        hi = cut if cut != -1 else (cut_space if cut_space > b else hi)
    return lo, hi


def _primary_first(evidence: tuple[Evidence, ...], s: Sentence, stream: Stream, a: int) -> tuple[Evidence, ...]:
    """Put the page that holds the trigger itself first."""
    if len(evidence) < 2:
        return evidence
    page, _ = stream.locate(s.start + a)
    return tuple(sorted(evidence, key=lambda e: e.page != page))
