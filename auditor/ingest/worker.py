"""Read one document: pages of text (text layer, OCR where needed) and its facts.

This is the unit of work of the worker processes and of the cache.  Every
failure becomes a DocumentError with a stable code; nothing raises out of
``process_document``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import DocumentReadError
from auditor.models import DocumentError, DocumentInfo, DocumentResult, PageSource
from auditor.options import ScanOptions


@dataclass(frozen=True, slots=True)
class DocTask:
    path: Path  # absolute path on disk
    rel: str  # posix path relative to the scanned root (shown in reports)
    case_id: str


def process_document(task: DocTask, options: ScanOptions, sha256: str | None = None) -> DocumentResult:
    from auditor.extract.facts import analyse
    from auditor.ingest.pdf import read_pages, sha256_file

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        digest = sha256 or sha256_file(task.path)
    except OSError as exc:
        return _failed(task, "", DocumentReadError("corrupt", f"cannot read the file: {exc.strerror or exc}"))
    try:
        if task.path.stat().st_size > options.max_bytes:
            raise DocumentReadError("too-large", f"the file is larger than {options.max_bytes // (1024 * 1024)} MiB")
        pages = read_pages(task.path)
        if len(pages) > options.max_pages:
            raise DocumentReadError("too-large", f"{len(pages)} pages: more than the limit of {options.max_pages}")
    except DocumentReadError as exc:
        return _failed(task, digest, exc)
    except Exception as exc:  # a PDF library failing on a hostile file
        return _failed(task, digest, DocumentReadError("corrupt", f"the PDF cannot be read ({type(exc).__name__}: {exc})"))
    timings["text"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    analysis = analyse(task.rel, digest, pages)
    timings["facts"] = time.perf_counter() - t1
    unread = tuple(p.number for p in pages if p.source is PageSource.NONE)
    reasons = sorted({p.note for p in pages if p.source is PageSource.NONE and p.note})
    info = DocumentInfo(
        path=task.rel,
        sha256=digest,
        pages=len(pages),
        ocr_pages=tuple(p.number for p in pages if p.source is PageSource.OCR),
        unread_pages=unread,
        unread_reason="; ".join(reasons) if reasons else None,
        kind=analysis.kind,
        year=analysis.year,
    )
    return DocumentResult(info, analysis.facts, tuple(sorted(timings.items())))


def _failed(task: DocTask, digest: str, exc: DocumentReadError) -> DocumentResult:
    info = DocumentInfo(path=task.rel, sha256=digest, pages=0, error=DocumentError(exc.code, exc.message))
    return DocumentResult(info)
