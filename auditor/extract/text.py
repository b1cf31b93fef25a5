"""From pages to sentences, keeping every character traceable to its page.

A document's pages are joined into one *stream* (so a sentence that runs from
page 7 onto page 8 is still one sentence), with running headers, footers and
page numbers left out.  Every stream character maps back to (page, offset in
that page's text), so evidence is always a verbatim slice of one page.

Sentence segmentation is rule-based and tuned for legal and official prose:
abbreviations ("Mr.", "No.", "Rs.", "M/s.", "i.e.", "C.P."), initials, numbered
paragraphs and list items, headings, and hard line breaks from PDF layout.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterator, Sequence

from auditor.models import Evidence, Page, PageSource

# --- the stream ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    stream_start: int
    page: int
    page_start: int
    length: int


_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER_LINE = re.compile(
    r"^\s*(?:[-–—(\[]\s*)?(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?(?:\s*[-–—)\]])?\s*$", re.I
)
_WS = re.compile(r"\s+")
_PAGE_OF = re.compile(r"\bPage\s+\d{1,4}\s+(?:of|/)\s+\d{1,4}\b", re.I)  # a running header/footer


def _line_key(line: str) -> str:
    return _DIGITS.sub("#", _WS.sub(" ", line.strip().lower()))


def _edge_lines(lines: list[tuple[int, str]], n: int = 2) -> list[tuple[int, str]]:
    body = [(off, ln) for off, ln in lines if ln.strip()]
    if len(body) <= 2 * n:
        return body[:1] + body[-1:] if body else []
    return body[:n] + body[-n:]


def _split_lines(text: str) -> list[tuple[int, str]]:
    out = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


class Stream:
    """The text of a document as one string, mapped back to its pages."""

    def __init__(self, document: str, sha256: str, pages: Sequence[Page]):
        self.document = document
        self.sha256 = sha256
        self.page_text: dict[int, str] = {}
        self.ocr_pages: set[int] = set()
        readable = [p for p in pages if p.source is not PageSource.NONE and p.text.strip()]
        boiler = self._boilerplate(readable)
        parts: list[str] = []
        segs: list[Segment] = []
        pos = 0
        for page in readable:
            self.page_text[page.number] = page.text
            if page.ocr:
                self.ocr_pages.add(page.number)
            lines = _split_lines(page.text)
            edges = {off for off, _ in _edge_lines(lines, 3)}
            for off, line in lines:
                if not line.strip():
                    # keep paragraph breaks visible to the segmenter
                    if parts and not parts[-1].endswith("\n\n"):
                        parts.append("\n")
                        pos += 1
                    continue
                if off in edges and (_PAGE_NUMBER_LINE.match(line) or _PAGE_OF.search(line) or _line_key(line) in boiler):
                    continue
                segs.append(Segment(pos, page.number, off, len(line)))
                parts.append(line)
                parts.append("\n")
                pos += len(line) + 1
        self.text = "".join(parts)
        self.segments = segs
        self._starts = [s.stream_start for s in segs]

    @staticmethod
    def _boilerplate(pages: Sequence[Page]) -> set[str]:
        """Running headers/footers: edge lines repeating (digits aside) on many pages."""
        if len(pages) < 3:
            return set()
        counts: Counter[str] = Counter()
        for page in pages:
            keys = {_line_key(ln) for _, ln in _edge_lines(_split_lines(page.text), 3)}
            counts.update(k for k in keys if k and len(k) < 120)
        need = max(3, int(0.4 * len(pages)))
        return {k for k, c in counts.items() if c >= need}

    # -- mapping ---------------------------------------------------------------

    def locate(self, pos: int) -> tuple[int, int]:
        """Stream offset -> (page, offset in page text).  Offsets between
        segments (inserted newlines) map to the end of the previous segment."""
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0:
            i = 0
        seg = self.segments[i]
        delta = min(max(pos - seg.stream_start, 0), seg.length)
        return seg.page, seg.page_start + delta

    def evidence(self, start: int, end: int) -> tuple[Evidence, ...]:
        """Evidence for stream span [start, end): one item per page it touches."""
        if not self.segments or end <= start:
            return ()
        first = bisect.bisect_right(self._starts, start) - 1
        first = max(first, 0)
        out: list[Evidence] = []
        cur_page = None
        page_lo = page_hi = 0
        for seg in self.segments[first:]:
            if seg.stream_start >= end:
                break
            lo = max(start, seg.stream_start)
            hi = min(end, seg.stream_start + seg.length)
            if hi <= lo:
                continue
            a = seg.page_start + (lo - seg.stream_start)
            b = seg.page_start + (hi - seg.stream_start)
            if seg.page != cur_page:
                if cur_page is not None:
                    out.append(self._make(cur_page, page_lo, page_hi))
                cur_page, page_lo, page_hi = seg.page, a, b
            else:
                page_hi = b
        if cur_page is not None:
            out.append(self._make(cur_page, page_lo, page_hi))
        return tuple(e for e in out if e.quote)

    def _make(self, page: int, a: int, b: int) -> Evidence:
        text = self.page_text[page]
        before, after = context_of(text, a, b)
        return Evidence(
            document=self.document,
            page=page,
            quote=display_quote(text[a:b]),
            start=a,
            end=b,
            sha256=self.sha256,
            ocr=page in self.ocr_pages,
            before=before,
            after=after,
        )


CONTEXT_CHARS = 160  # of the paragraph on each side of a quote, for readers (HTML report)
_PARAGRAPH = re.compile(r"\n[ \t]*\n")


def context_of(text: str, a: int, b: int, limit: int = CONTEXT_CHARS) -> tuple[str, str]:
    """The text of the quote's paragraph before ``a`` and after ``b`` (a blank
    line ends a paragraph), at most ``limit`` characters each, cut at a word and
    shown as quotes are (one space for each run of white space)."""
    starts = [m.end() for m in _PARAGRAPH.finditer(text, 0, a)]
    lo = max(starts[-1] if starts else 0, a - limit)
    if lo > 0 and not text[lo - 1].isspace():
        space = re.search(r"\s", text[lo:a])
        lo = lo + space.end() if space else a
    m = _PARAGRAPH.search(text, b)
    hi = min(m.start() if m else len(text), b + limit)
    if hi < len(text) and not text[hi].isspace():
        space = max(text.rfind(" ", b, hi), text.rfind("\n", b, hi))
        hi = space if space >= b else b
    before = display_quote(text[lo:a])
    after = display_quote(text[b:hi])
    return before, after


def display_quote(raw: str) -> str:
    """A page slice as shown to readers: whitespace runs become one space."""
    return _WS.sub(" ", raw).strip()


# --- sentences -----------------------------------------------------------------

_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr no nos rs m/s ltd co pvt sr jr j cj vs v ie eg etc art arts sec secs s ss
    para paras govt dept approx viz hon addl dy ex inv st vol pp p ch kh sh mst const cp crl
    wp sro us uk pc ref fig figs inc corp est cf al ord reg regd amend pak admin engr eng prof
    capt col gen lt maj brig secy jt spl asc aor sc hc ibid id rev ed sl br mln mn bn cr lac
    messrs m/s. rd ave blvd dist distt tehsil govt. fed min max avg incl excl encl attn cc
    sq ft km kg nb ps pbuh rta cnic ntn nic org dec jan feb mar apr jun jul aug sep sept oct nov
    u.s u.k i.e e.g s.r.o c.p w.p p.c n.a c.a s.m.c h.r.c c.m.a c.j.p
    """.split()
)

_LIST_ITEM = re.compile(
    r"^\s*(?:\(?\d{1,3}[.)](?:\d{1,2}[.)]?)?|\((?:[a-z]{1,2}|[ivxlc]{1,6})\)|(?:[a-z]|[ivxlc]{1,6})\))\s+\S"
)
_PARA_START = re.compile(r"[\"“‘(]*(?:\d{1,3}\.(?:\d{1,2}\.?)?|\(?[a-z]\)|\(?[ivx]{1,5}\))\s+\S")
_HEADING = re.compile(r"^[^a-z]{3,80}$")  # no lower-case letters: a heading / caption line
_SENT_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s)")
_NEXT_START = re.compile(r"\s+[\"'“‘(\[]*[A-Z0-9]")
_TOKEN_BEFORE = re.compile(r"([A-Za-z][A-Za-z./]*)\.?$")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int  # stream offsets
    end: int
    text: str
    para: int  # index of the paragraph the sentence belongs to

    def __len__(self) -> int:
        return self.end - self.start


def _is_abbreviation(text: str, dot: int) -> bool:
    """Is the '.' at text[dot] part of an abbreviation/initial/number, not a sentence end?"""
    j = dot
    while j > 0 and not text[j - 1].isspace() and text[j - 1] not in "(“\"'":
        j -= 1
    word = text[j:dot].lower().rstrip(".")
    if not word:
        return False
    if word in _ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "M. Ali"
    if "." in word and all(len(part) <= 3 for part in word.split(".") if part):
        # "c.p", "s.r.o", "u.s" — but "No.1." / "Rs.50." end in a number, and a number ends a sentence
        return not (word.split(".")[-1].isdigit() and word.split(".")[0] in _ABBREVIATIONS)
    return False


_MARKER_BEFORE = re.compile(r"(?:^|\n)[ \t]*[\"“‘(]*(?:\d{1,3}|[ivxlc]{1,6}|[a-zA-Z])$")


def _is_list_marker(text: str, dot: int) -> bool:
    """"41." / "(iv)." / "b." at the start of a line: a paragraph number, not a sentence end."""
    return _MARKER_BEFORE.search(text, max(0, dot - 12), dot) is not None


def _line_breaks(text: str, lo: int, hi: int) -> list[int]:
    """Positions inside text[lo:hi] where layout forces a sentence boundary."""
    out = []
    lines = []
    pos = lo
    for line in text[lo:hi].split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    widths = sorted(len(l) for _, l in lines if l.strip())
    typical = widths[int(len(widths) * 0.8)] if widths else 80
    for k in range(1, len(lines)):
        off, line = lines[k]
        prev_off, prev = lines[k - 1]
        if not line.strip() or not prev.strip():
            out.append(off)
            continue
        stripped_prev = prev.rstrip()
        if _LIST_ITEM.match(line) and stripped_prev[-1:] in ".:;-—)" + "":
            out.append(off)
        elif _LIST_ITEM.match(line) and len(stripped_prev) < 0.75 * typical:
            out.append(off)
        elif _HEADING.match(prev.strip()) and len(prev.strip()) < 0.8 * typical:
            out.append(off)
        elif _HEADING.match(line.strip()) and len(line.strip()) < 0.8 * typical and stripped_prev[-1:] in ".:;":
            out.append(off)
        elif (
            len(stripped_prev) < 0.55 * typical
            and stripped_prev[-1:] not in ",;(-&"
            and not stripped_prev.endswith((" of", " the", " and", " or", " to", " a", " in", " by"))
            and line.lstrip()[:1].isupper()
        ):
            out.append(off)  # short line then a capital: title, table row, address
        elif stripped_prev.endswith((":-", ":—", ":")) and line.lstrip()[:1] in "“\"'(0123456789":
            out.append(off)
    return out


MAX_SENTENCE = 700


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of a stream, with stream offsets.  Whitespace is not trimmed
    from the text slices' inside, only from their ends."""
    # paragraphs: blank lines
    sentences: list[Sentence] = []
    para_index = 0
    for m in re.finditer(r"(?:[^\n]|\n(?!\s*\n))+", text):
        lo, hi = m.start(), m.end()
        if not text[lo:hi].strip():
            continue
        cuts = set(_line_breaks(text, lo, hi))
        for em in _SENT_END.finditer(text, lo, hi):
            dot = em.start()
            after = em.end()
            if not _NEXT_START.match(text, after):
                continue
            if text[dot] == "." and (_is_abbreviation(text, dot) or _is_list_marker(text, dot)):
                continue
            # "24.04.2006" / "Rs. 1.2" never reach here (no whitespace after the dot)
            cuts.add(after)
        bounds = sorted(c for c in cuts if lo < c < hi)
        start = lo
        for cut in bounds + [hi]:
            for s, e in _trim_and_cap(text, start, cut):
                if sentences and _PARA_START.match(text, s):
                    para_index += 1  # a numbered paragraph or list item opens a paragraph
                sentences.append(Sentence(s, e, text[s:e], para_index))
            start = cut
        para_index += 1
    return sentences


def _trim_and_cap(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return
    if end - start <= MAX_SENTENCE:
        yield start, end
        return
    # over-long: split at ";" / ":" or, failing that, at the last space before the cap
    pos = start
    while end - pos > MAX_SENTENCE:
        window = text[pos : pos + MAX_SENTENCE]
        cut = max(window.rfind("; "), window.rfind(": "), window.rfind(";\n"))
        if cut < MAX_SENTENCE // 3:
            cut = window.rfind(" ")
            if cut <= 0:
                cut = MAX_SENTENCE - 1
        yield pos, pos + cut + 1
        pos = pos + cut + 1
        while pos < end and text[pos].isspace():
            pos += 1
    if pos < end:
        yield pos, end


# --- tokens --------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?|[^\sA-Za-z0-9]")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    lower: str
    start: int  # offsets inside the sentence text
    end: int


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
