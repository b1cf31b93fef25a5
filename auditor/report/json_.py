"""The JSON report: the contract's schema version 1, plus extra keys.

Keys of the contract are never renamed; extras (fingerprint, checks, kind,
legal_basis...) are added beside them.  Output is deterministic: sorted cases
and findings, no timestamps unless the scan was asked for one.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.models import AuditResult, CaseResult, DocumentInfo, Evidence, Finding
from auditor.report import RenderOptions

SCHEMA_VERSION = 1


def evidence_dict(e: Evidence) -> dict[str, Any]:
    return {"document": e.document, "page": e.page, "quote": e.quote, "start": e.start, "end": e.end, "ocr": e.ocr}


def document_dict(d: DocumentInfo) -> dict[str, Any]:
    return {
        "path": d.path,
        "sha256": d.sha256,
        "pages": d.pages,
        "ocr_pages": list(d.ocr_pages),
        "error": {"code": d.error.code, "message": d.error.message} if d.error else None,
        "kind": d.kind,
        "year": d.year,
        "unread_pages": list(d.unread_pages),
        "unread_reason": d.unread_reason,
    }


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
    }


def case_dict(c: CaseResult) -> dict[str, Any]:
    return {
        "id": c.id,
        "score": c.score,
        "documents": [document_dict(d) for d in c.documents],
        "findings": [finding_dict(f) for f in c.findings],
        "checks": [{"rule_id": k.rule_id, "outcome": k.outcome.value, "reason": k.reason} for k in c.checks],
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


def _help_uri(rule_id: str) -> str:
    from auditor.ruleset.schema import DOCS_BASE

    return f"{DOCS_BASE}/{rule_id}.md"


def render(result: AuditResult, options: "RenderOptions | None" = None) -> str:
    timings = bool(options and options.timings)
    return json.dumps(report_dict(result, timings=timings), indent=2, ensure_ascii=False) + "\n"
