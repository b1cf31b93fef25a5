"""Register tables -> rows with their column headers.

A register (deviation report, procurement plan, award list, monitoring report) is
one row per procurement.  ``build_rows`` takes the ruled tables of each page
(``auditor.ingest.tables``) and gives every data row its column headers: the
table's header row, found among its first rows by its column words; on a page
that repeats no header, the headers of the previous page's table carry over when
the column count matches.  Title rows above the header (one merged cell: "REPORT
DEVIATIONS") become the table's title, the register's subject.  Rows without
any header are not rows: their text stays with the text-line reading.

``roles`` says which column is which (procuring entity, supplier, amount,
reason, description, method, date, number), from the header's words.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from auditor.ingest.tables import RawTable
from auditor.models import Row

_HEADER_ROWS = 4  # the header row is among a table's first rows

# header words -> the column's role; the first role whose pattern matches wins
ROLE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (role, re.compile(p, re.I))
    for role, p in (
        ("supplier", r"\b(?:suppliers?|contractors?|service\s+providers?|vendors?|awarded\s+to|awardees?|winning\s+bidders?|name\s+of\s+(?:firm|bidder|company))\b"),
        ("entity", r"\b(?:department|entity|institution|organ\s+of\s+state|procuring\s+(?:entity|agency)|agency|end[- ]?user|implementing\s+(?:office|unit)|ministry|division)\b"),
        ("reason", r"\b(?:reasons?|justifications?|motivations?|grounds?)\b"),
        ("amount", r"\b(?:value|amount|price|cost|budget|sum)\b"),
        ("method", r"\b(?:mode|method|procurement\s+type|type\s+of\s+procurement)\b"),
        ("date", r"\b(?:date|period|quarter|start|expiry|schedule)\b"),
        ("description", r"\b(?:description|project|particulars|items?|subject|scope|purpose|programs?|activit(?:y|ies)|services?|goods|works)\b"),
        ("number", r"^\s*(?:no\.?|number|s/?no\.?|sr\.?|#|ref(?:erence)?(?:\s+no\.?)?|code|pap\s+code)\s*$"),
        ("remarks", r"\b(?:remarks?|status|outcome|recommendation|supported|comments?|notes?)\b"),
    )
)
TEXT_ROLES = frozenset({"reason", "description", "method", "remarks", None})  # cells whose words may state a fact

_AMOUNTISH = re.compile(r"^\s*(?:R|₱|Rs\.?|PHP|KES)?\s*[\d\s,.]+\s*$")
_PAREN_TAIL = re.compile(r"\s*\((?:use\s+dropdown\s+list|yyyy/mm/dd|r)\)\s*$", re.I)


def header_label(cell: str) -> str:
    """A header cell as a label: its lines joined, a trailing "(Use dropdown List)"
    or "(yyyy/mm/dd)" hint dropped."""
    label = " ".join(cell.split())
    while True:
        shorter = _PAREN_TAIL.sub("", label)
        if shorter == label:
            return label
        label = shorter


def role(header: str) -> str | None:
    for name, pattern in ROLE_PATTERNS:
        if pattern.search(header):
            return name
    return None


def roles(headers: Sequence[str]) -> tuple[str | None, ...]:
    """The role of every column; entity/supplier/amount/reason go to one column
    each (the first that claims it), later claimants become plain text."""
    out: list[str | None] = []
    taken: set[str] = set()
    for h in headers:
        r = role(h)
        if r in ("entity", "supplier", "amount", "reason") and r in taken:
            r = "description" if r == "reason" else None
        if r:
            taken.add(r)
        out.append(r)
    return tuple(out)


def _is_header(cells: Sequence[str | None]) -> bool:
    filled = [c for c in cells if c and c.strip()]
    if len(filled) < 3:
        return False
    if sum(1 for c in filled if _AMOUNTISH.match(c)) > 1:
        return False
    named = sum(1 for c in filled if role(header_label(c)) is not None)
    return named >= max(2, len(filled) // 3)


def _sub_headers(top: Sequence[str | None], below: Sequence[str | None]) -> tuple[str, ...] | None:
    """A header over two rows: a cell merged across columns ("Estimated Budget
    (PhP)", "Schedule for Each Procurement Activity") over the row of its
    sub-headers ("Total", "MOOE", "CO").  The row below fills only columns whose
    top cell spans several columns or is empty, and carries no amounts; each
    column's label is then the group's words and its own.  None: no such row."""
    if len(below) != len(top):
        return None
    spans = [j for j in range(len(top)) if top[j] is None or not (top[j] or "").strip()
             or (j + 1 < len(top) and top[j + 1] is None)]
    # (a header cell merged down over both rows is repeated in the lower one)
    filled = [j for j, c in enumerate(below) if c and c.strip() and c != top[j]]
    if len(filled) < 2 or any(j not in spans for j in filled) or any(_AMOUNTISH.match(below[j] or "") for j in filled):
        return None
    out = []
    group = ""
    for j, (t, b) in enumerate(zip(top, below)):
        if t is not None:
            group = header_label(t)
        own = header_label(b or "") if b != t else ""
        if own:
            out.append(f"{group} {own}" if group and group != own and (t is None or (j + 1 < len(top) and top[j + 1] is None)) else own)
        else:
            out.append(header_label(t or ""))
    return tuple(out)


def build_rows(tables_by_page: Iterable[tuple[int, Sequence[RawTable]]]) -> dict[int, tuple[Row, ...]]:
    """Rows of every page, in page order, each with its headers."""
    out: dict[int, tuple[Row, ...]] = {}
    carry: tuple[str, ...] | None = None  # headers of the last table, for the next page
    carry_title = ""
    index = 0
    for page, tables in tables_by_page:
        rows: list[Row] = []
        for table in tables:
            ncols = max(len(r) for r in table.rows)
            headers: tuple[str, ...] | None = None
            title_parts: list[str] = []
            start = 0
            for i, cells in enumerate(table.rows[:_HEADER_ROWS]):
                if _is_header(cells):
                    headers = tuple(header_label(c or "") for c in cells)
                    start = i + 1
                    if start < len(table.rows):
                        sub = _sub_headers(cells, table.rows[start])
                        if sub is not None:
                            headers, start = sub, start + 1
                    break
                filled = [c for c in cells if c]
                if len(filled) == 1:  # one merged cell across the table: a title
                    title_parts.append(" ".join(filled[0].split()))
            if headers is None:
                if carry is None or len(carry) != ncols:
                    continue  # a table without headers: left to the text reading
                headers, start, title = carry, 0, carry_title
            else:
                title = " · ".join(title_parts)
            for cells, box in zip(table.rows[start:], table.row_boxes[start:]):
                values = tuple(c or "" for c in cells)
                if sum(1 for v in values if v.strip()) < 2:
                    continue  # a title, a total or a signature line, not a procurement
                index += 1
                rows.append(Row(page, index, headers, values, box, title))
            carry, carry_title = headers, title
        if rows:
            out[page] = tuple(rows)
        elif not tables:
            carry = None  # a page without any table ends the register
    return out


def quote(row: Row) -> str:
    """The row as its reader sees it: "Header: value · Header: value"."""
    return " · ".join(f"{h}: {v}" if h else v for h, v in row.pairs())
