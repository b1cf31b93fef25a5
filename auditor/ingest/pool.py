"""Run documents through workers, results in input order."""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from auditor.ingest.worker import DocTask, process_document
from auditor.models import DocumentResult
from auditor.options import ScanOptions

Progress = Callable[[DocTask, DocumentResult], None]


def process_documents(
    tasks: Iterable[DocTask], options: ScanOptions, on_done: Progress | None = None
) -> Iterator[DocumentResult]:
    for task in tasks:
        result = process_document(task, options)
        if on_done is not None:
            on_done(task, result)
        yield result
