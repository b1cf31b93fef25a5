"""Ruled tables of a page: the cells of every table, read with pdfium.

Registers (deviation reports, procurement plans, award lists, monitoring reports)
are spreadsheets printed to PDF: a grid of ruling lines with one row per
procurement.  Read as text lines, such a page is a run of cells of several rows;
read as a table, it is rows of cells with their column headers.

How (cheap first, since most pages are prose):

1. ``looks_like_register(text)``: from the page text already read, a page is a
   candidate when many of its lines carry amounts or dates and one line carries
   at least two column words (department/entity, supplier/contractor,
   amount/value, reason/description, date, method...).  Only candidates go on.
2. ``find_tables(page, textpage)``: the ruling lines of the page (every straight
   horizontal/vertical segment and every rectangle side of its path objects, in
   page coordinates) are handed to pdfplumber's own table finder
   (``pdfplumber.table.TableFinder``: merging, snapping, intersections, cells,
   tables), and each cell's text is read back from pdfium's text page inside the
   cell's box.  pdfplumber's layout parsing (pdfminer, 1-4 s on such a page) is
   never run; the whole is a few milliseconds to a few tens per page.

Only ruled (lattice) tables are found here; a register page where none is
found is read from its positioned words (``auditor.ingest.stream``: tables
drawn without lines, and tables on scanned pages).  The values handed on are
plain tuples of strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- 1. the cheap pre-check on the page text ---------------------------------------

_AMOUNT = re.compile(r"(?<![\w.,])(?:R\s?|₱|Rs\.?\s?|PHP\s?|KES\s?)?\d{1,3}(?:[ ,]\d{3})+(?:[.,]\d{2})?(?![\w])|\b\d+[.,]\d{2}\b")
_DATE = re.compile(r"\b(?:\d{4}[/-]\d{1,2}[/-]\d{1,2}|\d{1,2}[/-]\d{1,2}[/-]\d{2,4}|\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{4})\b", re.I)
# column words of registers, in the words of their headers
HEADER_WORDS = re.compile(
    r"\b(?:department|entity|institution|organ\s+of\s+state|procuring|agency|office|end[- ]user|"
    r"supplier|contractor|service\s+provider|vendor|awarded\s+to|awardee|bidder|"
    r"value|amount|price|cost|budget|"
    r"reason|justification|motivation|description|project|item|particulars|"
    r"mode|method|date|status|remarks|no\.?|number|reference|quantity|unit)\b",
    re.I,
)
MIN_DATA_LINES = 6
MIN_HEADER_KINDS = 3
_HEADER_WINDOW = 10  # header cells wrap: their words may spread over this many lines


def looks_like_register(text: str, continued: bool = False) -> bool:
    """Many lines with amounts or dates, and column words close together (a header
    row), or ``continued``: the previous page held a register table (whose
    headers this page need not repeat).  A false candidate costs one pass over
    the page's path objects, a missed one the table."""
    lines = [line for line in text.split("\n") if len(line.strip()) >= 2]
    data = sum(1 for line in lines if _AMOUNT.search(line) or _DATE.search(line))
    if data < MIN_DATA_LINES:
        return False
    if continued:
        return True
    kinds_at = [{m.group(0).lower()[:4] for m in HEADER_WORDS.finditer(line)} if len(line) < 300 else set() for line in lines]
    for i in range(len(kinds_at)):
        window: set[str] = set()
        for k in kinds_at[i : i + _HEADER_WINDOW]:
            window |= k
        if len(window) >= MIN_HEADER_KINDS:
            return True
    return False


# --- 2. ruling lines -> tables ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RawTable:
    """One ruled table of a page: its rows of cell texts (None: a cell merged into
    its neighbour) and its box in pdfplumber's coordinates (x0, top, x1, bottom)."""

    bbox: tuple[float, float, float, float]
    rows: tuple[tuple[str | None, ...], ...]
    row_boxes: tuple[tuple[float, float, float, float], ...]


_MIN_EDGE = 3.0  # pdfplumber's edge_min_length
_THIN = 2.5  # a path this thin in one direction is a rule, not a box
MAX_SEGMENTS = 60_000  # a drawing (map, chart) rather than a table: not worth it


class _EdgesPage:
    """What pdfplumber's TableFinder reads of a page with the "lines" strategies."""

    def __init__(self, edges: list[dict], width: float, height: float):
        self.edges = edges
        self.bbox = (0.0, 0.0, width, height)


def _h(x0: float, x1: float, y: float) -> dict:
    x0, x1 = min(x0, x1), max(x0, x1)
    return {"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0.0, "orientation": "h", "object_type": "line"}


def _v(x: float, top: float, bottom: float) -> dict:
    top, bottom = min(top, bottom), max(top, bottom)
    return {"x0": x, "x1": x, "top": top, "bottom": bottom, "width": 0.0, "height": bottom - top, "orientation": "v", "object_type": "line"}


def page_edges(page) -> list[dict]:
    """Horizontal and vertical edges of a pdfium page's path objects, in
    pdfplumber's top-down coordinates."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    edges: list[dict] = []
    x = ctypes.c_float()
    y = ctypes.c_float()
    budget = MAX_SEGMENTS
    for obj in page.get_objects(max_depth=1):
        if obj.type != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        try:
            left, bottom, right, top = obj.get_bounds()
        except Exception:
            continue
        w, h = right - left, top - bottom
        if w < _THIN and h >= _MIN_EDGE:  # a vertical rule (a thin filled box or a stroked line)
            edges.append(_v((left + right) / 2, height - top, height - bottom))
            continue
        if h < _THIN and w >= _MIN_EDGE:
            edges.append(_h(left, right, height - (top + bottom) / 2))
            continue
        if w < _MIN_EDGE and h < _MIN_EDGE:
            continue
        n = pdfium_c.FPDFPath_CountSegments(obj.raw)
        budget -= n
        if n <= 0 or budget < 0:
            continue
        m = obj.get_matrix()
        a, b, c, d, e, f = m.a, m.b, m.c, m.d, m.e, m.f
        start = prev = None
        for i in range(n):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj.raw, i)
            if not pdfium_c.FPDFPathSegment_GetPoint(seg, x, y):
                continue
            px, py = a * x.value + c * y.value + e, b * x.value + d * y.value + f
            kind = pdfium_c.FPDFPathSegment_GetType(seg)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
                start = prev = (px, py)
                continue
            if prev is not None and kind == pdfium_c.FPDF_SEGMENT_LINETO:
                _segment(edges, prev, (px, py), height)
            prev = (px, py)
            if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
                _segment(edges, prev, start, height)
                prev = start
    return edges


def _segment(edges: list[dict], p: tuple[float, float], q: tuple[float, float], height: float) -> None:
    (x0, y0), (x1, y1) = p, q
    if abs(y0 - y1) < 0.5 and abs(x1 - x0) >= _MIN_EDGE:
        edges.append(_h(x0, x1, height - y0))
    elif abs(x0 - x1) < 0.5 and abs(y1 - y0) >= _MIN_EDGE:
        edges.append(_v(x0, height - y0, height - y1))


MIN_ROWS = 3
MIN_COLUMNS = 3


def find_tables(page, textpage) -> list[RawTable]:
    """The ruled tables of an open pdfium page (at least MIN_ROWS rows of
    MIN_COLUMNS columns), top to bottom, with every cell's text."""
    edges = page_edges(page)
    if len(edges) < 2 * (MIN_ROWS + MIN_COLUMNS):
        return []
    from pdfplumber.table import TableFinder

    width, height = page.get_size()
    finder = TableFinder(_EdgesPage(edges, width, height), {"vertical_strategy": "lines", "horizontal_strategy": "lines"})
    out: list[RawTable] = []
    grids = []
    for table in sorted(finder.tables, key=lambda t: (t.bbox[1], t.bbox[0])):
        grids.append([[c for c in row.cells] for row in table.rows])
    texts = _cell_texts(textpage, grids, height)
    for table, grid, grid_text in zip(sorted(finder.tables, key=lambda t: (t.bbox[1], t.bbox[0])), grids, texts):
        rows: list[tuple[str | None, ...]] = []
        boxes: list[tuple[float, float, float, float]] = []
        down: dict[int, tuple[float, str]] = {}  # column -> (bottom, text) of a cell merged down over rows
        for row, cells, row_text in zip(table.rows, grid, grid_text):
            values = []
            present = [c for c in cells if c is not None]
            # (the row's own box reaches down as far as its tallest cell)
            row_top = min((c[1] for c in present), default=0.0)
            row_bottom = min((c[3] for c in present), default=0.0)
            for j, cell in enumerate(cells):
                if cell is not None:
                    values.append(row_text[j])
                    if cell[3] > row_bottom + 0.5:
                        down[j] = (cell[3], row_text[j])
                    else:
                        down.pop(j, None)
                elif j in down and row_top < down[j][0] - 0.5:
                    # under a cell merged down (a project over its end-users' rows): each
                    # row it covers is of that project, and says so
                    values.append(down[j][1])
                else:
                    values.append(None)
            values = tuple(values)
            if all(not v for v in values):
                continue
            rows.append(values)
            boxes.append(tuple(round(v, 2) for v in row.bbox))  # type: ignore[arg-type]
        width_cols = max((len(r) for r in rows), default=0)
        if len(rows) >= MIN_ROWS and width_cols >= MIN_COLUMNS:
            out.append(RawTable(tuple(round(v, 2) for v in table.bbox), tuple(rows), tuple(boxes)))  # type: ignore[arg-type]
    return out


def _cell_texts(textpage, grids: list[list[list]], height: float) -> list[list[list[str]]]:
    """The text of every cell of every table: each character of the page goes to
    the cell that holds its centre (as pdfplumber does), in pdfium's reading
    order; a character lower than the cell's previous one starts a new line.
    One pass over the characters (a bounded-text query per cell would scan the
    whole page each time)."""
    import bisect
    import ctypes

    import pypdfium2.raw as pdfium_c

    raw = textpage.raw
    n = pdfium_c.FPDFText_CountChars(raw)
    text = textpage.get_text_range(0, n) if n > 0 else ""
    bufs: list[list[list[list[str]]]] = [[[[] for _ in row] for row in grid] for grid in grids]
    last_y: dict[tuple[int, int, int], tuple[float, float]] = {}  # the cell's line: centre, height
    # row bands per table (top-down), for a bisect by the character's centre
    bands = []
    for grid in grids:
        tops, rows = [], []
        for r, row in enumerate(grid):
            cells = [c for c in row if c is not None]
            if not cells:
                continue
            tops.append(min(c[1] for c in cells))
            rows.append(r)
        bands.append((tops, rows))
    # cells reaching below the top of the next row band: merged down over several rows
    talls = []
    for (tops, rows), grid in zip(bands, grids):
        nxt = {r: tops[n + 1] for n, r in enumerate(rows[:-1])}
        talls.append([(r, j, c) for r, row in enumerate(grid) for j, c in enumerate(row)
                      if c is not None and r in nxt and c[3] > nxt[r] + 0.5])
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    last_x: dict[tuple[int, int, int], float] = {}
    prev: tuple[int, int, int] | None = None
    for i in range(min(n, len(text))):
        ch = text[i]
        if ch in "\x02\ufffe":  # pdfium's soft hyphen at a line end: shown as the hyphen it prints
            ch = "-"
        if ch in "\r\n":
            prev = None
            continue
        if ch.isspace():
            if prev is not None:
                bufs[prev[0]][prev[1]][prev[2]].append(" ")
            continue
        if not pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top):
            continue  # (a glyph may have a box of zero width: its position still counts)
        x = (left.value + right.value) / 2
        y = height - (bottom.value + top.value) / 2
        where = None
        for t, grid in enumerate(grids):
            tops, rows = bands[t]
            k = bisect.bisect_right(tops, y) - 1
            if k < 0:
                continue
            r = rows[k]
            for j, cell in enumerate(grid[r]):
                if cell is not None and cell[0] <= x < cell[2] and cell[1] <= y < cell[3]:
                    where = (t, r, j)
                    break
            else:
                # a cell merged down over several rows (a description over its
                # sub-rows, a header over two lines) lives in the row of its top
                for r, j, cell in talls[t]:
                    if cell[0] <= x < cell[2] and cell[1] <= y < cell[3]:
                        where = (t, r, j)
                        break
            if where:
                break
        if where is None:
            prev = None
            continue
        buf = bufs[where[0]][where[1]][where[2]]
        h = top.value - bottom.value
        ly = last_y.get(where)
        if ly is None:
            last_y[where] = (y, h)
        else:
            y0, h0 = ly
            back = x < last_x.get(where, x) - 2 * max(h, h0, 1.0)
            if y - y0 > 0.7 * max(h, h0, 1.0) or back:  # below the cell's line, or back at its left: a new line
                buf.append("\n")
                last_y[where] = (y, h)
            elif h > h0 and ch.isalnum():  # punctuation sits low; letters set the line
                last_y[where] = (y, h)
        last_x[where] = x
        buf.append(ch)
        prev = where
    out = []
    for grid_buf in bufs:
        out.append([["\n".join(" ".join(line.split()) for line in "".join(b).split("\n") if line.strip()) for b in row] for row in grid_buf])
    return out


def table_spans(text: str, textpage, tables: list[RawTable], height: float) -> tuple[tuple[int, int], ...]:
    """Offsets of the page text's lines that lie inside the tables' boxes: the
    lines pdfium gives for a table's box, matched (whitespace aside) against
    the page text's lines."""
    lines: list[str] = []
    for t in tables:
        x0, top, x1, bottom = t.bbox
        raw = textpage.get_text_bounded(left=x0, bottom=height - bottom, right=x1, top=height - top)
        lines += raw.replace("\r", "\n").split("\n")
    return spans_of_lines(text, lines)


def spans_of_lines(text: str, lines: list[str]) -> tuple[tuple[int, int], ...]:
    """Offsets of the page text's lines found (whitespace aside) among ``lines``,
    the text read inside a table's box."""
    inside: set[str] = set()
    whole: list[str] = []
    for line in lines:
        key = "".join(line.split())
        if key:
            inside.add(key)
            whole.append(key)
    joined = "\n".join(whole)
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        key = "".join(line.split())
        if key and (key in inside or (len(key) >= 6 and key in joined)):
            if spans and spans[-1][1] >= pos - 1:
                spans[-1] = (spans[-1][0], pos + len(line))
            else:
                spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return tuple(spans)


def cell_text(textpage, cell: tuple[float, float, float, float], height: float) -> str:
    """The text inside a cell box (x0, top, x1, bottom), its lines kept."""
    x0, top, x1, bottom = cell
    raw = textpage.get_text_bounded(left=x0, bottom=height - bottom, right=x1, top=height - top)
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "-").replace("\ufffe", "")
    lines = [" ".join(line.split()) for line in raw.split("\n")]
    return "\n".join(line for line in lines if line)
