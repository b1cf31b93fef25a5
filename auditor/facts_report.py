"""Output of ``auditor facts``: every extracted fact with its evidence and status."""

from __future__ import annotations

import io
import json
from typing import Sequence

from auditor.models import DocumentInfo, Fact
from auditor.safe_text import json_text

_HIDDEN_ATTRS = {"trigger", "pattern"}


def _row(case_id: str, info: DocumentInfo, f: Fact) -> dict:
    ev = f.evidence[0]
    return {
        "case": case_id,
        "document": ev.document,
        "page": ev.page,
        "document_kind": info.kind,
        "kind": f.kind,
        "status": f.status.value,
        "cue": f.cue,
        "confidence": f.confidence,
        "attrs": {k: v for k, v in f.attrs},
        "quote": ev.quote,
        "start": ev.start,
        "end": ev.end,
        "ocr": ev.ocr,
        # an OCDS fact: the JSON member it rests on (PDF facts have none)
        **({"ocid": ev.ocid, "pointer": ev.pointer} if ev.pointer is not None else {}),
    }


def render_facts(rows: Sequence[tuple[str, DocumentInfo, Fact]], fmt: str, width: int = 140) -> str:
    data = [_row(c, i, f) for c, i, f in rows]
    if fmt == "json":
        return json_text(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"
    if fmt == "csv":
        import pandas as pd

        from auditor.report.csv_ import cell  # formula injection and control characters, as in the report

        flat = [{**{k: cell(v) if isinstance(v, str) else v for k, v in d.items() if k != "attrs"},
                 "attrs": cell(json.dumps(d["attrs"], ensure_ascii=False, sort_keys=True))} for d in data]
        cols = ["case", "document", "page", "document_kind", "kind", "status", "cue", "confidence", "attrs", "quote", "start", "end", "ocr"]
        return pd.DataFrame(flat, columns=cols).to_csv(index=False, lineterminator="\n")
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from auditor.safe_text import strip_controls

    def cell(value: str) -> Text:  # document text: never markup, never escape sequences
        return Text(strip_controls(value))

    buf = io.StringIO()
    console = Console(file=buf, width=width, no_color=True, highlight=False)
    table = Table(expand=True, show_lines=True)
    # three columns that wrap (never cut a value short): what and where, its attributes
    # one a line, the quote; readable at 100 columns
    table.add_column("fact", ratio=2, overflow="fold")
    table.add_column("details", ratio=3, overflow="fold")
    table.add_column("quote", ratio=4, overflow="fold")
    for d in data:
        attrs = "\n".join(f"{k}={v}" for k, v in d["attrs"].items() if k not in _HIDDEN_ATTRS)
        status = d["status"] + (f" ({d['cue']})" if d["cue"] else "")
        where = f"{d['document']}#{d['pointer']}" if d.get("pointer") else f"{d['document']}:{d['page']}"
        fact = f"{d['kind']}\n{where}\n{status}, {d['confidence']:.2f}"
        table.add_row(cell(fact), cell(attrs), cell(d["quote"]))
    console.print(table)
    console.print(f"{len(data)} fact(s)")
    return buf.getvalue()
