"""Tables drawn without ruling lines, and tables on scanned pages: rows from
positioned words.

A register page whose table has no ruling lines pdfium can see (a spreadsheet
printed without borders, or any table on a scanned page, where the lines are
pixels) still sets its cells in columns.  From the words of the page with their
boxes (pdfium's characters on a born-digital page, tesseract's TSV words on a
scanned one), in points from the top:

1. words -> lines (by their vertical centres) -> fragments: the words of a line
   that fall in one column;
2. the header: the first lines with column words (``HEADER_WORDS``), up to the
   first line of data (amounts, dates, codes).  Its words, cut where the gap is
   wide, are header cells; a cell over several others ("Estimated Budget
   (PhP)" over "Total", "MOOE") names a group and is not a column; the others,
   overlapping in x (a header that wraps over 2-3 lines), make one column each;
3. every following line is cut into the columns (between two columns: the
   middle of the gap between their headers), until a line that does not fit
   them (prose whose words straddle the columns) or a wide vertical gap;
4. rows: one per value of the key column (the first column that holds codes
   or numbers, else the first that is filled on most lines and never wraps);
   a cell that wraps (lines close together in one column) stays whole and goes
   to the row of its line that is level with a key value, or else to the
   nearest key value; total lines ("Sub-total") are left out.

The result is the same ``RawTable`` the ruled reading gives (header row first),
so ``auditor.extract.rows.build_rows`` takes it unchanged.  Conservative: too
few columns, too few named columns or too few rows give no table, and the page
stays with the text-line reading.  Cell texts are the words as on the page, in
reading order, their lines kept.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from auditor.ingest.tables import HEADER_WORDS, MIN_COLUMNS, MIN_ROWS, RawTable


@dataclass(frozen=True, slots=True)
class Word:
    x0: float
    top: float
    x1: float
    bottom: float
    text: str

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


MIN_NAMED = 3  # header columns whose words say what they hold (rows.role)
_HEADER_LINES = 6  # a header wraps over at most this many lines
_CHUNK_GAP = 0.9  # a gap this many word heights wide ends a header cell
_TIGHT = 0.55  # lines closer than this (word heights) are one wrapped cell
_STRAY = 2.5  # a cell farther than this from every key value belongs to no row
_END_GAP = 4.0  # a vertical gap this wide ends the table
_WORD_GAP = 0.5  # gaps up to this many word heights are spaces between words of a sentence
_PROSE_WORDS = 8
_CODEISH = re.compile(r"^[\w./()-]*\d[\w./()-]*$")
_TOTAL = re.compile(r"\b(?:sub-?\s?total|total)\b", re.I)


# --- words from the page -------------------------------------------------------------

def pdfium_words(textpage, height: float) -> list[Word]:
    """The words of a pdfium text page with their boxes (points, from the top):
    characters in pdfium's order, a word ending at a space, a line break or a
    jump in position."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    raw = textpage.raw
    n = pdfium_c.FPDFText_CountChars(raw)
    text = textpage.get_text_range(0, n) if n > 0 else ""
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    words: list[Word] = []
    cur: list[str] = []
    box: list[float] = []

    def flush() -> None:
        if cur:
            words.append(Word(box[0], height - box[3], box[1], height - box[2], "".join(cur)))
            cur.clear()

    for i in range(min(n, len(text))):
        ch = text[i]
        if ch in "\x02\ufffe":
            ch = "-"
        if ch.isspace():
            flush()
            continue
        if not pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top):
            continue
        l, r, b, t = left.value, right.value, bottom.value, top.value
        if cur:
            h = max(t - b, box[3] - box[2], 1.0)
            # a jump back, down, or far right: pdfium joined two cells without a space
            if l < box[1] - h or l > box[1] + 0.6 * h or abs((t + b) - (box[3] + box[2])) / 2 > 0.6 * h:
                flush()
        if not cur:
            box = [l, r, b, t]
        else:
            box = [min(box[0], l), max(box[1], r), min(box[2], b), max(box[3], t)]
        cur.append(ch)
    flush()
    return words


# --- words -> tables -------------------------------------------------------------------

@dataclass
class _Line:
    words: list[Word]

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


def _lines(words: list[Word], h: float) -> list[_Line]:
    lines: list[_Line] = []
    centres: list[float] = []
    for w in sorted(words, key=lambda w: w.cy):
        if lines and abs(w.cy - centres[-1]) <= 0.45 * h:
            lines[-1].words.append(w)
            n = len(lines[-1].words)
            centres[-1] += (w.cy - centres[-1]) / n
        else:
            lines.append(_Line([w]))
            centres.append(w.cy)
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
    return lines


def _chunks(line: _Line, h: float, gap: float = _CHUNK_GAP) -> list[list[Word]]:
    out: list[list[Word]] = []
    for w in line.words:
        if out and w.x0 - out[-1][-1].x1 <= gap * h:
            out[-1].append(w)
        else:
            out.append([w])
    return out


def _is_data(line: _Line) -> bool:
    """Amounts, dates, codes: two words with figures, or one long code or amount
    (the top line of a row whose other cells wrap, set centred)."""
    digits = [sum(ch.isdigit() for ch in w.text) for w in line.words]
    return sum(1 for d in digits if d) >= 2 or max(digits, default=0) >= 6


@dataclass
class _Column:
    x0: float
    x1: float
    parts: list[tuple[float, float, str]]  # (top, x0, text) of its header cells
    group: str = ""

    @property
    def label(self) -> str:
        own = "\n".join(t for _, _, t in sorted(self.parts))
        return f"{self.group} {own}" if self.group else own


def _columns(header: list[_Line], h: float) -> list[_Column]:
    cells = []  # (x0, x1, top, bottom, text)
    for line in header:
        for chunk in _chunks(line, h):
            cells.append((chunk[0].x0, chunk[-1].x1, min(w.top for w in chunk), max(w.bottom for w in chunk),
                          " ".join(w.text for w in chunk)))
    groups = []
    plain = []
    width = max(c[1] for c in cells) - min(c[0] for c in cells)
    for c in cells:
        below = [d for d in cells if d is not c and d[2] >= c[3] - 0.2 * h and c[0] <= (d[0] + d[1]) / 2 <= c[1]]
        below.sort()
        disjoint = all(a[1] < b[0] for a, b in zip(below, below[1:]))
        if len(below) >= 2 and disjoint:
            if c[1] - c[0] < 0.5 * width:  # (wider: the table's title)
                groups.append(c)  # a cell over several columns names them as a group
        else:
            plain.append(c)
    cols: list[_Column] = []
    for c in sorted(plain):
        if cols and c[0] < cols[-1].x1:
            cols[-1].x1 = max(cols[-1].x1, c[1])
            cols[-1].parts.append((c[2], c[0], c[4]))
        else:
            cols.append(_Column(c[0], c[1], [(c[2], c[0], c[4])]))
    for col in cols:
        for g in groups:
            if g[0] <= (col.x0 + col.x1) / 2 <= g[1]:
                col.group = g[4]
    return cols


def _line_height(words: list[Word]) -> float:
    """The height of a line of text: of real words (tesseract boxes specks and
    dashes too); the upper quartile, since a median is the x-height."""
    sized = [w.bottom - w.top for w in words if sum(ch.isalnum() for ch in w.text) >= 3] or [w.bottom - w.top for w in words]
    return statistics.quantiles(sized, n=4)[2] if len(sized) >= 4 else max(sized)


def find_stream_tables(words: list[Word]) -> list[RawTable]:
    """The table of a page set in columns without ruling lines (at most one: the
    first header found), or none."""
    from auditor.extract.rows import role

    words = [w for w in words if w.text.strip() and w.bottom > w.top]
    if len(words) < 20:
        return []
    h = _line_height(words)
    lines = _lines(words, h)
    for i, line in enumerate(lines):
        if _is_data(line) or not HEADER_WORDS.search(" ".join(w.text for w in line.words)):
            continue
        j = next((k for k in range(i + 1, min(len(lines), i + _HEADER_LINES + 1)) if _is_data(lines[k])), None)
        if j is None:
            continue
        # the top lines of header cells that wrap (and are set lower-down centred) sit
        # above; a line of one cell (the table's title) does not belong to the header
        first = i
        while first > 0 and j - first < _HEADER_LINES and not _is_data(lines[first - 1]) \
                and lines[first].top - lines[first - 1].bottom < _TIGHT * h and len(_chunks(lines[first - 1], h)) >= 2:
            first -= 1
        # the top line of a wrapped cell of the first row (set centred, above the row's
        # code) is nearer that row than the header lines above it
        if j - 2 >= first and lines[j - 1].top - lines[j - 2].bottom > lines[j].top - lines[j - 1].bottom + 0.3 * h:
            j -= 1
        cols = _columns(lines[first:j], h)
        if len(cols) < MIN_COLUMNS or sum(1 for c in cols if role(" ".join(c.label.split()))) < MIN_NAMED:
            continue
        table = _rows(cols, lines[first:j], lines[j:], h)
        if table is not None:
            return [table]
    return []


def _rows(cols: list[_Column], header: list[_Line], data: list[_Line], h: float) -> RawTable | None:
    """The table under ``header``, its header row first."""
    bounds = [(a.x1 + b.x0) / 2 for a, b in zip(cols, cols[1:])]

    def column(x: float) -> int:
        k = 0
        while k < len(bounds) and x >= bounds[k]:
            k += 1
        return k

    # the table's lines: until prose (words straddling the columns) or a wide gap
    body: list[_Line] = []
    prev_bottom = header[-1].bottom
    for line in data:
        if line.top - prev_bottom > _END_GAP * h:
            break
        # prose: a run of words set close (word spaces, not cell gaps) across several columns
        if any(len(run) >= _PROSE_WORDS and sum(1 for b in bounds if run[0].x0 < b < run[-1].x1) >= 2
               for run in _chunks(line, h, _WORD_GAP)):
            break
        body.append(line)
        prev_bottom = line.bottom
    bounds = _gaps(cols, body, bounds)
    # fragments: (line index, column) -> words
    every: dict[tuple[int, int], list[Word]] = {}
    for li, line in enumerate(body):
        for w in line.words:
            every.setdefault((li, column(w.cx)), []).append(w)
    # a total line is no procurement: its amounts would join the row above; unless
    # its words stand in the key column, where they make a row of their own
    totals = {li for li, line in enumerate(body) if _TOTAL.search(" ".join(w.text for w in line.words))}
    frags = {k: v for k, v in every.items() if k[0] not in totals}
    key = _key_column(frags, len(cols), body, h)
    if key is None:
        return None
    frags.update({k: v for k, v in every.items() if k[0] in totals and (k[0], key) in every})
    # a speck in the key column (a stray mark tesseract read) starts no row
    frags = {k: v for k, v in frags.items() if k[1] != key or any(ch.isalnum() for w in v for ch in w.text)}
    anchors = sorted(li for (li, c) in frags if c == key)
    if len(anchors) < MIN_ROWS:
        return None
    anchor_of = {li: n for n, li in enumerate(anchors)}
    cells: list[list[list[tuple[int, list[Word]]]]] = [[[] for _ in cols] for _ in anchors]
    for c in range(len(cols)):
        mine = sorted(li for (li, cc) in frags if cc == c)
        groups: list[list[int]] = []
        for li in mine:
            if c != key and groups and body[li].top - body[groups[-1][-1]].bottom < _TIGHT * h:
                groups[-1].append(li)
            else:
                groups.append([li])
        for g in groups:
            pinned = [li for li in g if li in anchor_of]
            for li in g:
                if pinned:
                    # the nearest line level with a key value; a near tie goes to the one
                    # above (a wrapped cell set from the top of its row continues downwards)
                    near = min(pinned, key=lambda p: abs(body[p].cy - body[li].cy) - (0.3 * h if p <= li else 0.0))
                    n = anchor_of[near]
                else:
                    centre = (body[g[0]].top + body[g[-1]].bottom) / 2
                    n = min(range(len(anchors)), key=lambda a: abs(body[anchors[a]].cy - centre))
                    if abs(body[anchors[n]].cy - centre) > _STRAY * h + (body[g[-1]].bottom - body[g[0]].top) / 2:
                        continue
                cells[n][c].append((li, frags[(li, c)]))
    rows: list[tuple[str | None, ...]] = [tuple(col.label for col in cols)]
    hx0 = min(w.x0 for line in header for w in line.words)
    hx1 = max(w.x1 for line in header for w in line.words)
    boxes = [(round(hx0, 2), round(header[0].top, 2), round(hx1, 2), round(header[-1].bottom, 2))]
    for row in cells:
        texts = []
        ws: list[Word] = []
        for parts in row:
            parts.sort(key=lambda p: p[0])
            texts.append("\n".join(" ".join(w.text for w in sorted(p[1], key=lambda w: w.x0)) for p in parts))
            ws += [w for p in parts for w in p[1]]
        if sum(1 for t in texts if t) < 2:
            continue
        rows.append(tuple(texts))
        boxes.append((round(min(w.x0 for w in ws), 2), round(min(w.top for w in ws), 2),
                      round(max(w.x1 for w in ws), 2), round(max(w.bottom for w in ws), 2)))
    if len(rows) - 1 < MIN_ROWS:
        return None
    bbox = (min(b[0] for b in boxes), boxes[0][1], max(b[2] for b in boxes), max(b[3] for b in boxes))
    return RawTable(bbox, tuple(rows), tuple(boxes))  # type: ignore[arg-type]


def _gaps(cols: list[_Column], body: list[_Line], bounds: list[float]) -> list[float]:
    """Each boundary between two columns moved to the gap their cells keep clear:
    between the end of one header and the start of the next, the middle of the
    widest stretch crossed by the fewest words (a cell is often wider than its
    header)."""
    out = []
    for k, (a, b) in enumerate(zip(cols, cols[1:])):
        lo, hi = int(a.x1), int(b.x0)
        if hi - lo < 2:
            out.append(bounds[k])
            continue
        near = [(w.x0, w.x1) for line in body for w in line.words if w.x1 > lo and w.x0 < hi]
        costs = [sum(1 for x0, x1 in near if x0 < x < x1) for x in range(lo, hi + 1)]
        least = min(costs)
        best, run, start = (0, lo), 0, lo
        for x, c in zip(range(lo, hi + 1), costs):
            if c == least:
                if run == 0:
                    start = x
                run += 1
                if run > best[0]:
                    best = (run, start)
            else:
                run = 0
        out.append(best[1] + (best[0] - 1) / 2)
    return out


def _key_column(frags: dict[tuple[int, int], list[Word]], ncols: int, body: list[_Line], h: float) -> int | None:
    """The column whose values start rows: the first holding codes or numbers on
    most of its lines, else the first whose values are a word or two (a serial
    number, a reference; a description wraps over many lines of many words)."""
    counts = [0] * ncols
    codes = [0] * ncols
    short = [0] * ncols  # lines of a word or two: a serial number, a reference
    lines_of: list[list[int]] = [[] for _ in range(ncols)]
    for (li, c), ws in frags.items():
        counts[c] += 1
        lines_of[c].append(li)
        if len(ws) == 1 and _CODEISH.match(ws[0].text) and sum(ch.isdigit() for ch in ws[0].text) >= 1:
            codes[c] += 1
        if len(ws) <= 2 and sum(len(w.text) for w in ws) <= 16:
            short[c] += 1
    top = max(counts, default=0)
    if top < MIN_ROWS:
        return None
    for c in range(min(ncols, 3)):
        if counts[c] >= 0.5 * top and codes[c] >= 0.7 * counts[c]:
            return c
    for c in range(min(ncols, 3)):
        # (a serial number is on one line of its row, the others' cells wrap: fewer lines)
        if counts[c] < max(MIN_ROWS, 0.25 * top):
            continue
        if short[c] >= 0.8 * counts[c]:
            return c
    return None

