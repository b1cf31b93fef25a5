"""CSV: one row per finding, for spreadsheets and data journalism.

Columns: case, rule_id, severity, score, confidence, document, page, quote,
message, fingerprint, known, legal_basis, title, other_evidence.  The document,
page and quote are those of the finding's first (primary) evidence item; the
others are listed as ``document:page`` in ``other_evidence``.  Rows are in a
fixed order (case, then most severe and highest score first), so the file is
byte-for-byte reproducible.

Text that starts like a spreadsheet formula (``=``, ``+``, ``-``, ``@``, tab or
carriage return) gets a leading apostrophe so Excel or LibreOffice shows it
instead of evaluating it (the OWASP advice on CSV injection); the JSON report
keeps every quote exactly as extracted.

pandas is imported inside ``render``: it takes a quarter of a second to import,
and ``auditor --help`` must stay fast.
"""

from __future__ import annotations

from auditor.models import AuditResult
from auditor.report import RenderOptions
from auditor.report.json_ import finding_key
from auditor.safe_text import strip_controls

COLUMNS = (
    "case",
    "rule_id",
    "severity",
    "score",
    "confidence",
    "document",
    "page",
    "quote",
    "message",
    "fingerprint",
    "known",
    "legal_basis",
    "title",
    "other_evidence",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """Neutralise a text cell a spreadsheet would otherwise run as a formula,
    and drop the escape sequences and control characters a terminal would run."""
    text = strip_controls(text, keep_newlines=True)
    return "'" + text if text.startswith(_FORMULA_START) else text


def rows(result: AuditResult) -> list[dict[str, object]]:
    out = []
    for f in sorted(result.iter_findings(), key=finding_key):
        first = f.evidence[0] if f.evidence else None
        out.append(
            {
                "case": cell(f.case_id),
                "rule_id": f.rule_id,
                "severity": f.severity.value,
                "score": f.score,
                "confidence": f.confidence,
                "document": cell(first.document) if first else "",
                "page": first.page if first else None,
                "quote": cell(first.quote) if first else "",
                "message": cell(f.message),
                "fingerprint": f.fingerprint,
                "known": f.known,
                "legal_basis": cell(f.legal_basis),
                "title": cell(f.title),
                "other_evidence": cell("; ".join(f"{e.document}:{e.page}" for e in f.evidence[1:])),
            }
        )
    return out


def render(result: AuditResult, options: RenderOptions | None = None) -> str:
    import pandas as pd

    frame = pd.DataFrame(rows(result), columns=list(COLUMNS))
    frame["page"] = frame["page"].astype("Int64")  # whole numbers even when a column has a gap
    return frame.to_csv(index=False, lineterminator="\n")
