"""Views of a case's contract term sheet (``auditor.terms``): a compact "Key terms"
block for the terminal table, a key-facts box and a dated timeline for the Markdown
memo and the HTML report, and the output of ``auditor terms`` (table, JSON, CSV with
one row per case and one column per term).  Pure functions of the frozen result."""

from __future__ import annotations

from auditor.spool import sorted_by_id

import io
import json
from typing import Any, Sequence

from auditor.models import AuditResult, CaseResult, Evidence
from auditor.terms import TERM_NAMES, Term, TermSheet, sheet_dict

LABELS = {
    "buyer": "Buyer", "vendors": "Vendor", "lenders": "Lender", "borrower": "Borrower",
    "contract_value": "Contract value", "estimates": "Estimates", "financing": "Financing",
    "procurement_method": "Method", "dates": "Dates", "subject": "Subject",
}
CSV_COLUMNS = ("case", "buyer", "vendors", "lenders", "borrower", "contract_value", "contract_value_usd", "estimates",
               "financing", "procurement_method", "legal_provision", "dates", "subject", "conflicts", "not_stated")


# --- one-line texts of the terms ----------------------------------------------------------


def _usd(value: Any) -> str:
    v = float(value)
    if v >= 1e9:
        return f"US$ {v / 1e9:,.2f} bn"
    if v >= 1e6:
        return f"US$ {v / 1e6:,.1f} m"
    return f"US$ {v:,.0f}"


def money_text(t: Term) -> str:
    """"US$ 124,719,018", or "RMB 850 million (≈ US$ 125.5 m at 6.7703 CNY/USD, 2010)"."""
    text = str(t.get("amount"))
    if t.get("usd") is not None and t.get("currency") != "USD":
        text += f" (≈ {_usd(t.get('usd'))} at {t.get('rate')} {t.get('currency')}/USD, {t.get('rate_year')})"
    return text


def financing_text(t: Term) -> str:
    parts = [money_text(t)]
    if t.get("kind"):
        parts.append(str(t.get("kind")))
    if t.get("lender"):
        parts.append(f"from {t.get('lender')}")
    if t.get("interest_rate") is not None:
        parts.append(f"{t.get('interest_rate'):g} % a year")
    if t.get("tenor_years") is not None:
        parts.append(f"{t.get('tenor_years'):g} years")
    if t.get("grace_years") is not None:
        parts.append(f"{t.get('grace_years'):g} years' grace")
    return ", ".join(parts)


def party_text(t: Term) -> str:
    name = str(t.get("name")).casefold()
    others = [a for a in t.get("aliases", ()) if a.casefold() != name and a.replace("M/s ", "").replace("M/S ", "").casefold() != name]
    return str(t.get("name")) + (f" (also: {'; '.join(others[:3])}{' …' if len(others) > 3 else ''})" if others else "")


def method_text(t: Term) -> str:
    return str(t.get("method")) + (f" — {t.get('provision')}" if t.get("provision") else "")


def term_text(name: str, value: Any) -> str:
    """The term as one line of plain text ("" when not stated)."""
    if not value:
        return ""
    if name in ("buyer", "borrower"):
        return party_text(value)
    if name in ("vendors", "lenders"):
        return "; ".join(party_text(t) for t in value)
    if name == "contract_value":
        return money_text(value)
    if name == "estimates":
        return "; ".join(f"{t.get('kind')} {money_text(t)}" for t in value)
    if name == "financing":
        return "; ".join(financing_text(t) for t in value)
    if name == "procurement_method":
        return method_text(value)
    if name == "dates":
        return "; ".join(f"{t.get('date')} {t.get('event')}" for t in value)
    if name == "subject":
        return str(value.get("text"))
    return ""


def conflict_text(t: Term) -> str:
    values = " vs ".join(t.get("values", ()))
    pct = f" ({t.get('spread_pct')} % apart)" if t.get("spread_pct") is not None else ""
    return f"{t.get('term')}: {values}{pct}"


def _short_cite(e: Evidence) -> str:
    """``letter-of-award.pdf p.1`` or ``record.json#/awards/0/value``: the file's name, not its path."""
    return e.document.rsplit("/", 1)[-1] + e.cited[len(e.document):]


def where(evidence: Sequence[Evidence], limit: int = 2) -> str:
    """"letter-of-award.pdf p.1, judgment.pdf p.2 (+1)": the pages a term rests on."""
    shown = [_short_cite(e) for e in evidence[:limit]]
    more = len(evidence) - limit
    return ", ".join(shown) + (f" (+{more})" if more > 0 else "")


def _evidence_of(value: Any) -> tuple[Evidence, ...]:
    if isinstance(value, tuple):
        return tuple(e for t in value for e in t.evidence)
    return value.evidence if value else ()


# --- the terminal report ----------------------------------------------------------------


def table_block(console, case: CaseResult) -> None:
    """The "Key terms" block of a case in the terminal report (readable at 100 columns)."""
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    sheet = case.terms
    if sheet is None:
        return
    stated = [n for n in TERM_NAMES if getattr(sheet, n)]
    if not stated:
        console.print(Text("  Key terms: none stated in any document", style="dim"))
        return
    grid = Table(box=None, show_header=False, pad_edge=False, expand=True, padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True, style="bold", min_width=16)
    grid.add_column(ratio=3, overflow="fold")
    # the source column is never narrower than its longest file name: a name is not cut mid-name
    names = [e.document.rsplit("/", 1)[-1] for n in stated for e in _evidence_of(getattr(sheet, n))[:1]]
    names += [e.document.rsplit("/", 1)[-1] for c in sheet.conflicts for e in c.evidence[:1]]
    longest = max([16, *(len(n) for n in names)])
    grid.add_column(width=min(longest + 10, 40), overflow="fold", style="dim")  # "name p.12 (+3)"
    for name in stated:
        value = getattr(sheet, name)
        grid.add_row(LABELS[name], _plain(term_text(name, value)), _plain(where(_evidence_of(value), limit=1)))
    for c in sheet.conflicts:
        grid.add_row(Text("Conflict", style="bold yellow"), _plain(conflict_text(c)), _plain(where(c.evidence, limit=1)))
    console.print(Text("  Key terms", style="bold"))
    console.print(Padding(grid, (0, 0, 0, 4)))
    if sheet.not_stated:
        console.print(Padding(Text("Not stated in any document: " + ", ".join(sheet.not_stated), style="dim"), (0, 0, 0, 4)))


def _plain(text: str):
    """Document text for rich: never markup, never escape sequences."""
    from rich.text import Text

    from auditor.safe_text import strip_controls

    return Text(strip_controls(text))


# --- the Markdown memo -------------------------------------------------------------------------


def markdown_block(case: CaseResult) -> list[str]:
    """A key-facts box an NGO can publish, then a dated timeline."""
    from auditor.report.markdown import md

    sheet = case.terms
    if sheet is None:
        return []
    lines = ["#### Key facts", ""]
    stated = [n for n in TERM_NAMES if getattr(sheet, n) and n != "dates"]
    if stated:
        lines += ["| Term | As the documents state it | Source |", "|---|---|---|"]
        for name in stated:
            value = getattr(sheet, name)
            lines.append(f"| {LABELS[name]} | {_cell(md(term_text(name, value)))} | {_cell(md(where(_evidence_of(value))))} |")
        for c in sheet.conflicts:
            lines.append(f"| **Conflict** | {_cell(md(conflict_text(c)))} | {_cell(md(where(c.evidence)))} |")
        lines.append("")
    if sheet.not_stated:
        lines += ["Not stated in any document: " + ", ".join(LABELS[n].lower() for n in sheet.not_stated) + ".", ""]
    if sheet.dates:
        lines += ["#### Timeline", ""]
        for t in sheet.dates:
            lines.append(f"- **{md(str(t.get('date')))}** — {md(str(t.get('event')))} ({md(where(t.evidence))})")
        lines.append("")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


# --- the HTML report ------------------------------------------------------------------------------


def html_section(result: AuditResult) -> list[str]:
    """A "Key terms" section: per case a key-facts table and a dated timeline."""
    from auditor.report.html import esc
    from auditor.report.json_ import case_label

    cases = [c for c in sorted_by_id(result.cases) if c.terms is not None]
    if not cases:
        return []
    out = ['<section id="terms">', "<h2>Key terms</h2>"]
    for case in cases:
        sheet = case.terms
        out.append(f'<p class="case"><strong>{esc(case_label(result, case.id))}</strong></p>')
        stated = [n for n in TERM_NAMES if getattr(sheet, n) and n != "dates"]
        if stated or sheet.conflicts:
            out += ['<table class="terms">', "<thead><tr><th>Term</th><th>As the documents state it</th><th>Source</th></tr></thead>", "<tbody>"]
            for name in stated:
                value = getattr(sheet, name)
                out.append(f"<tr><th>{esc(LABELS[name])}</th><td>{esc(term_text(name, value))}</td>"
                           f"<td>{_quotes(_evidence_of(value), esc)}</td></tr>")
            for c in sheet.conflicts:
                out.append(f'<tr class="conflict"><th>Conflict</th><td>{esc(conflict_text(c))}</td><td>{_quotes(c.evidence, esc)}</td></tr>')
            out += ["</tbody>", "</table>"]
        if sheet.not_stated:
            out.append(f'<p class="small">Not stated in any document: {esc(", ".join(LABELS[n].lower() for n in sheet.not_stated))}.</p>')
        if sheet.dates:
            # folded: the memo leads with the timeline; here the findings come first
            out += [f'<details class="more"><summary><strong>Timeline</strong> ({len(sheet.dates)} dated events)</summary>',
                    '<ul class="timeline">']
            for t in sheet.dates:
                out.append(f'<li><span class="date">{esc(t.get("date"))}</span> {esc(t.get("event"))} '
                           f'<span class="small">({esc(where(t.evidence))})</span></li>')
            out += ["</ul>", "</details>"]
    out.append("</section>")
    return out


def _quotes(evidence: Sequence[Evidence], esc) -> str:
    """Each page cited, its verbatim quote on hover."""
    return ", ".join(f'<span title="{esc(e.quote)}">{esc(_short_cite(e))}</span>' for e in evidence[:3])


# --- auditor terms ----------------------------------------------------------------------------


def csv_row(case_id: str, sheet: TermSheet) -> dict[str, str]:
    row = {"case": case_id}
    for name in TERM_NAMES:
        row[name] = term_text(name, getattr(sheet, name))
    row["procurement_method"] = str(sheet.procurement_method.get("method")) if sheet.procurement_method else ""
    row["legal_provision"] = str(sheet.procurement_method.get("provision") or "") if sheet.procurement_method else ""
    cv = sheet.contract_value
    row["contract_value_usd"] = f"{float(cv.get('usd')):.2f}" if cv is not None and cv.get("usd") is not None else ""
    row["conflicts"] = "; ".join(conflict_text(c) for c in sheet.conflicts)
    row["not_stated"] = ", ".join(sheet.not_stated)
    return row


def render_terms(result: AuditResult, fmt: str, width: int = 100) -> str:
    """``auditor terms``: the sheets of every case as a table, JSON or CSV."""
    from auditor.report.json_ import case_label

    cases = sorted_by_id(result.cases)
    if fmt == "json":
        data = [{"case": case_label(result, c.id), "terms": sheet_dict(c.terms or TermSheet())} for c in cases]
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        import csv

        from auditor.report.csv_ import cell as csv_cell
        from auditor.safe_text import strip_controls

        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for c in cases:
            row = csv_row(case_label(result, c.id), c.terms or TermSheet())
            writer.writerow({k: csv_cell(strip_controls(v)) for k, v in row.items()})
        return buf.getvalue()
    from rich.console import Console
    from rich.text import Text

    buf = io.StringIO()
    console = Console(file=buf, width=width, no_color=True, highlight=False, emoji=False, soft_wrap=False)
    for c in cases:
        console.print(_plain(f"Case {case_label(result, c.id)}"))
        table_block(console, c)
        console.print()
    console.print(f"{len(cases)} case(s)")
    return buf.getvalue()
