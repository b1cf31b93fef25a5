"""The JSON report: the contract's schema version 1, plus extra keys.

Keys of the contract are never renamed; extras (fingerprint, checks, kind,
legal_basis...) are added beside them.  Output is deterministic: sorted cases
and findings, no timestamps unless the scan was asked for one.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from dataclasses import replace
from typing import Any, Iterable, Iterator

from auditor.models import AuditResult, CaseResult, DocumentInfo, Evidence, Finding, Severity
from auditor.report import RenderOptions
from auditor.safe_text import json_text
from auditor.terms import sheet_dict

SCHEMA_VERSION = 1


def evidence_dict(e: Evidence) -> dict[str, Any]:
    out: dict[str, Any] = {"document": e.document, "page": e.page, "quote": e.quote, "start": e.start, "end": e.end, "ocr": e.ocr}
    if e.row is not None:  # a register row: its index and its (header, value) cells
        out["row"] = e.row
        out["cells"] = [{"header": h, "value": v} for h, v in e.cells]
    if e.before or e.after:  # optional (schema 1 unchanged): the paragraph around the quote
        out["context"] = {"before": e.before, "after": e.after}
    if e.pointer is not None:  # JSON evidence (OCDS): the process, the member's pointer (and line)
        out["ocid"] = e.ocid
        out["pointer"] = e.pointer
        if e.line is not None:
            out["line"] = e.line
    return out


def document_dict(d: DocumentInfo) -> dict[str, Any]:
    out = {
        "path": d.path,
        "sha256": d.sha256,
        "pages": d.pages,
        "ocr_pages": list(d.ocr_pages),
        "error": {"code": d.error.code, "message": d.error.message} if d.error else None,
        "kind": d.kind,
        "year": d.year,
        "unread_pages": list(d.unread_pages),
        "unread_reason": d.unread_reason,
        **({"ocids": list(d.ocids)} if d.ocids else {}),
    }
    if d.internal_errors:  # spans whose extraction failed (bugs); the document's other facts are there
        out["internal_errors"] = list(d.internal_errors)
    return out


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "title": f.title,
        "severity": f.severity.value,
        "score": f.score,
        "confidence": f.confidence,
        "message": f.message,
        "evidence": [evidence_dict(e) for e in f.evidence],
        "fingerprint": f.fingerprint,
        "legal_basis": f.legal_basis,
        "help_uri": _help_uri(f.rule_id),
        "known": f.known,
        "suppressed": {"reason": f.suppressed} if f.suppressed is not None else None,
    }


def case_dict(c: CaseResult) -> dict[str, Any]:
    return {
        "id": c.id,
        "score": c.score,
        "documents": [document_dict(d) for d in c.documents],
        "findings": [finding_dict(f) for f in c.findings],
        "checks": [{"rule_id": k.rule_id, "outcome": k.outcome.value, "reason": k.reason} for k in c.checks],
        "terms": sheet_dict(c.terms) if c.terms is not None else None,
        "warnings": list(c.warnings),
    }


def report_dict(result: AuditResult, *, timings: bool = False) -> dict[str, Any]:
    stats: dict[str, Any] = {
        "documents": result.stats.documents,
        "pages": result.stats.pages,
        "ocr_pages": result.stats.ocr_pages,
        "unread_pages": result.stats.unread_pages,
        "errors": result.stats.errors,
        "findings": sum(len(c.findings) for c in result.cases),
    }
    if timings:
        stats["seconds"] = dict(result.stats.seconds)
        stats["cache_hits"] = result.stats.cache_hits
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "auditor", "version": result.tool_version},
        "cases": [case_dict(c) for c in result.cases],
        "skipped": [{"path": s.path, "reason": s.reason} for s in result.skipped],
        "notes": list(result.notes),
        "stats": stats,
    }
    if result.generated_at:
        out["generated_at"] = result.generated_at
    return out


# --- helpers the other renderers share (plain functions of the frozen result) --------------

SEVERITIES_DESC = tuple(sorted(Severity, key=lambda s: -s.rank))  # critical ... info


def finding_key(f: Finding) -> tuple:
    """Deterministic order of findings: most severe first, then score, rule, place."""
    ev = f.evidence[0] if f.evidence else None
    return (f.case_id, -f.severity.rank, -f.score, f.rule_id, ev.document if ev else "", ev.page if ev else 0, f.fingerprint)


def ranked_cases(result: AuditResult) -> list[CaseResult]:
    """Cases by risk score, highest first (ties: by id)."""
    return sorted(result.cases, key=lambda c: (-c.score, c.id))


def top_findings(result: AuditResult, limit: int = 10) -> list[Finding]:
    """The most serious findings across all cases."""
    import heapq

    # the same as sorting them all and taking the first ``limit``, without holding them all
    return heapq.nsmallest(limit, result.iter_findings(), key=lambda f: (-f.severity.rank, -f.score, f.case_id, f.rule_id, f.fingerprint))


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    """{severity: n}, most severe first, only severities that occur."""
    counts = {s: 0 for s in SEVERITIES_DESC}
    for f in findings:
        counts[f.severity] += 1
    return {s: n for s, n in counts.items() if n}


def case_label(result: AuditResult, case_id: str) -> str:
    """A readable name for a case: "." (the scanned folder itself) becomes that folder's name."""
    if case_id != "." or len(result.roots) != 1:
        return case_id
    name = PurePosixPath(result.roots[0].replace("\\", "/")).name
    return name if name not in ("", ".", "..") else case_id


def _help_uri(rule_id: str) -> str:
    from auditor.ruleset.schema import DOCS_BASE

    return f"{DOCS_BASE}/{rule_id}.md"


def render(result: AuditResult, options: "RenderOptions | None" = None) -> str:
    return "".join(stream(result, options))


CHUNK_CHARS = 1 << 16  # cases are written in pieces of about this size


def stream(result: AuditResult, options: "RenderOptions | None" = None) -> Iterator[str]:
    """The JSON report in pieces, case by case: the text of ``json.dumps(report_dict(result),
    indent=2)`` to the byte, without building the dict of every case (a scan's cases
    may be read back one by one from the spool).  The findings count in ``stats``
    comes after the cases, so it is counted on the way."""
    timings = bool(options and options.timings)
    shell = report_dict(replace(result, cases=()), timings=timings)
    # raw C1/bidi characters escaped: the same values, inert when the file is printed
    text = json_text(json.dumps(shell, indent=2, ensure_ascii=False))
    marker = '\n  "cases": []'  # the top-level key: nothing before it holds text of the scan's
    at = text.index(marker) + len(marker) - 1
    findings = 0
    if not len(result.cases):
        yield text[:at + 1]
    else:
        yield text[:at] + "\n"
        parts: list[str] = []
        size = 0
        for i, case in enumerate(result.cases):
            findings += len(case.findings)
            piece = ("    " if i == 0 else ",\n    ") + json.dumps(case_dict(case), indent=2, ensure_ascii=False).replace("\n", "\n    ")
            parts.append(piece)
            size += len(piece)
            if size >= CHUNK_CHARS:
                yield json_text("".join(parts))
                parts, size = [], 0
        parts.append("\n  ]")
        yield json_text("".join(parts))
    tail = text[at + 1:]
    if findings:  # the shell counted none: its stats' findings is the only "findings" key of the tail at 4 spaces
        key = '\n    "findings": 0'
        k = tail.index(key)
        tail = tail[:k] + f'\n    "findings": {findings}' + tail[k + len(key):]
    yield tail + "\n"


def case_relative(path: str, case_id: str) -> str:
    """A document's path inside its case ("judgment.pdf", "annex/a.pdf")."""
    prefix = case_id.rstrip("/") + "/"
    return path[len(prefix):] if case_id not in ("", ".") and path.startswith(prefix) else path
