"""Bidding periods of tender notices: publication date, bid deadline, kind of bidding.

A tender notice says when it was published ("published in Dawn on 2nd March,
2021", "Date of issue: 02.03.2021", or just the date line under its title) and
when bids are due ("sealed bids ... must reach this office on or before 12th
March, 2021 at 11:00 AM", "Last date for submission: 12.03.2021").  The number
of days between the two is compared by the `short-bidding-period` rule with the
legal minimum for the kind of bidding (national or international).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Sequence

from auditor.extract.text import Sentence
from auditor.settings import ExtractionSettings
from auditor.settings import current as current_settings

_DEADLINE = re.compile(
    r"\b(?:last|closing|due|final)\s+date\b|\bdeadline\b|\bsubmission\s+date\b|\bdate\s+(?:of|for)\s+(?:submission|receipt)\b"
    r"|\bclosing\s*(?:time|date|time\s+and\s+date|date\s+and\s+time)?\s*[:.-]"
    r"|\b(?:bids?|tenders?|proposals?|quotations?|offers?|applications?|EOIs?|expressions?\s+of\s+interest|documents?|bidding\s+documents?)\b"
    r"(?:\W+\w+){0,14}?\W+(?:submit\w*|receiv\w*|reach\w*|drop\w*|deliver\w*|lodg\w*|furnish\w*|accept\w*|deposit\w*|sent|send)\b"
    r"(?:\W+\w+){0,10}?\W+(?:by|on\s+or\s+before|before|not\s+later\s+than|latest\s+by|till|until|up\s*to|upto|on|no\s+later\s+than)\b",
    re.I,
)
_OPENING = re.compile(r"\b(?:bids?|tenders?|proposals?|quotations?)\b(?:\W+\w+){0,6}?\W+(?:will|shall|would)\s+be\s+opened\b|\bopening\s+(?:date|of\s+(?:bids|tenders))\b", re.I)
_PUBLISHED = re.compile(
    r"\b(?:published|advertised|appeared|issued|notified|posted|uploaded|floated|hoisted|released|placed)\b"
    r"|\bdate\s+of\s+(?:issue|issuance|publication|advertisement|notice|posting)\b|\b(?:publication|issue|posting)\s+date\b",
    re.I,
)
_NOT_PUBLICATION = re.compile(r"\b(?:bidding\s+documents?|tender\s+documents?)\s+(?:may|can|will|shall)\s+be\s+(?:issued|obtained|purchased)\b", re.I)
# what makes a notice international: the current extraction settings say
# (auditor.settings; by default "international competitive bidding", "ICB",
# "foreign firms", "global tender"), and so does the default scope
_NOTICE = re.compile(
    r"\btender\s+notice\b|\binvitation\s+(?:for|to)\s+(?:bids?|tenders?)\b|\bnotice\s+inviting\s+tenders?\b|\brequest\s+for\s+(?:quotations?|proposals?)\b|\bsealed\s+(?:bids|tenders)\b|\bbids?\s+are\s+invited\b|\binvites?\s+(?:sealed\s+)?(?:bids|tenders|proposals)\b",
    re.I,
)
TENDER_KINDS = {"tender-notice", "bidding-document"}
# the notice's own date line: "Dated: 02.03.2021", "Islamabad, the 2nd March, 2021", "No. X dated 2.3.2021"
_DATE_LINE = re.compile(
    r"^\W*(?:dated?\b|date\s*(?:of\s+(?:issue|publication))?\s*[:.]|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?,\s+(?:the\s+|dated\s+)?\d)"
    r"|\b(?:No\.|Ref\.?)\s*\S+\s+dated\b|^\W*\d{1,2}(?:st|nd|rd|th)?[\s./-]+(?:\w+[\s./-]+)?\d{2,4}\W*$",
    re.I,
)
# a line about the bids themselves is not the notice's own date line
_NOT_DATE_LINE = re.compile(r"\b(?:opening|opened|closing|submission|submit\w*|deadline|last\s+date|pre-?bid|meeting|received|reach\w*|hours)\b", re.I)
# a judgment or report that narrates a tender: "the tender was advertised on 1.3.2012 and bids were due on 8.3.2012"
_NARRATED = re.compile(
    r"\b(?:tender|bids?|advertisement|notice|invitation)\b(?:\W+\w+){0,8}?\W+(?:published|advertised|issued|floated|appeared)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class BiddingPeriod:
    published: dt.date
    deadline: dt.date
    days: int
    scope: str  # national | international | a pack's own scope (settings.scope_markers)
    published_source: str  # "statement" | "document-date"
    confidence: float
    deadline_at: tuple[Sentence, tuple[int, int]]
    published_at: tuple[Sentence, tuple[int, int]] | None


def _scope(settings: ExtractionSettings, sentences: Sequence[Sentence]) -> str:
    """international if any sentence has an international marker; else the first
    other scope whose marker occurs (``scope_markers``); else the default."""
    found = [settings.scope_of(s.text) for s in sentences]
    if "international" in found:
        return "international"
    for scope, _ in settings.scope_markers:
        if scope in found:
            return scope
    return settings.default_scope


def bidding_periods(sentences: Sequence[Sentence], kind: str) -> list[BiddingPeriod]:
    from auditor.extract.dates import find_dates

    if kind not in TENDER_KINDS:
        return _narrated_periods(sentences)
    settings = current_settings()
    scope = _scope(settings, sentences)

    deadlines: list[tuple[int, Sentence, dt.date, tuple[int, int], float]] = []
    publications: list[tuple[int, Sentence, dt.date, tuple[int, int]]] = []
    first_dated: tuple[int, Sentence, dt.date, tuple[int, int]] | None = None
    for idx, s in enumerate(sentences):
        if not re.search(r"\d", s.text):
            continue
        dates = [d for d in find_dates(s.text) if d.precision == "day"]
        if not dates:
            continue
        if (
            first_dated is None
            and idx < 25
            and (_DATE_LINE.search(s.text) or (len(s.text) <= 100 and re.search(r"\bdated\b|\bdate\s*:", s.text, re.I)))
            and not _NOT_DATE_LINE.search(s.text)
        ):
            first_dated = (idx, s, dates[0].date, (dates[0].start, dates[0].end))
        m = _DEADLINE.search(s.text)
        if m:
            after = [d for d in dates if d.start >= m.start()]
            if after:
                d = after[0]
                deadlines.append((idx, s, d.date, (m.start(), d.end), 0.9))
                continue
        m = _OPENING.search(s.text)
        if m:
            after = [d for d in dates if d.start >= m.start()] or dates
            d = after[0]
            deadlines.append((idx, s, d.date, (min(m.start(), d.start), max(m.end(), d.end)), 0.7))
            continue
        m = _PUBLISHED.search(s.text)
        if m and not _NOT_PUBLICATION.search(s.text):
            near = min(dates, key=lambda d: abs(d.start - m.start()))
            publications.append((idx, s, near.date, (min(m.start(), near.start), max(m.end(), near.end))))

    out: list[BiddingPeriod] = []
    seen: set[tuple[dt.date, dt.date]] = set()
    # keep the firmest deadline per notice: submission beats opening
    deadlines.sort(key=lambda x: (-x[4], x[0]))
    for idx, s, deadline, span, conf in deadlines:
        before = [p for p in publications if p[0] <= idx and p[2] <= deadline]
        if before:
            p_idx, p_s, published, p_span = before[-1]
            source = "statement"
        elif first_dated is not None and first_dated[2] <= deadline and first_dated[1] is not s:
            p_idx, p_s, published, p_span = first_dated
            source = "document-date"
            conf *= 0.8
        else:
            continue
        days = (deadline - published).days
        if not (1 <= days <= 365) or (published, deadline) in seen:  # 0 days: a misread, not a notice
            continue
        if any(o.published == published for o in out) and conf < 0.9:
            continue
        seen.add((published, deadline))
        out.append(
            BiddingPeriod(
                published=published,
                deadline=deadline,
                days=days,
                scope=scope,
                published_source=source,
                confidence=round(conf, 3),
                deadline_at=(s, span),
                published_at=(p_s, p_span),
            )
        )
        break  # one notice, one period: the firmest deadline
    return out


def _narrated_periods(sentences: Sequence[Sentence]) -> list[BiddingPeriod]:
    """Outside tender notices, only a sentence that states both the publication and
    the deadline of a tender counts."""
    from auditor.extract.dates import find_dates

    out: list[BiddingPeriod] = []
    for s in sentences:
        pub = _NARRATED.search(s.text)
        if not pub:
            continue
        dead = _DEADLINE.search(s.text, pub.end())
        if not dead:
            continue
        dates = [d for d in find_dates(s.text) if d.precision == "day"]
        before = [d for d in dates if pub.start() <= d.start < dead.start()]
        after = [d for d in dates if d.start >= dead.start()]
        if not before or not after:
            continue
        published, deadline = before[-1].date, after[0].date
        days = (deadline - published).days
        if not 1 <= days <= 365:
            continue
        scope = _scope(current_settings(), [s])
        out.append(BiddingPeriod(published, deadline, days, scope, "statement", 0.75,
                                 (s, (pub.start(), after[0].end)), None))
    return out[:1]
