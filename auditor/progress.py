"""A progress bar on stderr while documents are read.

Shown only when stderr is a terminal (the CLI creates it only then, and not with
``--quiet``); it disappears when the scan ends, so nothing of it is left between
the command line and the report.  The bar advances by bytes of PDF read (a
scanned page costs far more than a text page and weighs more too, so the ETA is
steadier than one counted in documents) and shows documents and pages done, the
OCR'd pages, cache hits, and the file just finished.
"""

from __future__ import annotations

import os
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeRemainingColumn,
)

from auditor.safe_text import strip_controls


class ScanProgress:
    def __init__(self, discovery: Any, console: Console | None = None) -> None:
        tasks = [t for case in getattr(discovery, "cases", ()) for t in case.documents]
        self.total_docs = len(tasks)
        self._sizes = {t.rel: _size(t.path) for t in tasks}
        self.total_bytes = sum(self._sizes.values()) or 1
        self.docs = 0
        self.pages = 0
        self.ocr_pages = 0
        self.cached = 0
        self.errors = 0
        self.console = console or Console(stderr=True)
        self._progress = Progress(
            SpinnerColumn(),
            BarColumn(bar_width=24),
            TextColumn("{task.fields[docs]}"),
            TextColumn("{task.fields[pages]}"),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[current]}", style="dim", markup=False),  # a file name is no markup
            console=self.console,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task = self._progress.add_task("scan", total=self.total_bytes, start=False, **self._fields(""))
        self._running = False

    @property
    def enabled(self) -> bool:
        return self.console.is_terminal

    def start(self) -> None:
        if not self.enabled or self._running:
            return
        self._progress.start()
        self._progress.start_task(self._task)
        self._running = True

    def document_done(self, task: Any, result: Any) -> None:
        info = result.info
        self.docs += 1
        self.pages += info.pages
        self.ocr_pages += len(info.ocr_pages)
        self.cached += bool(getattr(result, "from_cache", False))
        self.errors += info.error is not None
        if not self._running:
            return
        self._progress.update(
            self._task,
            advance=self._sizes.get(task.rel, 0),
            **self._fields(_short(strip_controls(task.rel), self.console.width - 75)),
        )

    def stop(self) -> None:
        if self._running:
            self._progress.stop()
            self._running = False

    def _fields(self, current: str) -> dict[str, str]:
        pages = f"{self.pages} pages"
        extras = []
        if self.ocr_pages:
            extras.append(f"{self.ocr_pages} OCR")
        if self.cached:
            extras.append(f"{self.cached} cached")
        if self.errors:
            extras.append(f"{self.errors} unreadable")
        if extras:
            pages += " (" + ", ".join(extras) + ")"
        return {"docs": f"{self.docs}/{self.total_docs} docs", "pages": pages, "current": current}


def _size(path: Any) -> int:
    try:
        return max(os.stat(path).st_size, 1)
    except OSError:
        return 1


def _short(text: str, width: int) -> str:
    """The end of a path, in ``width`` characters ("" when there is no room)."""
    if width < 12:
        return ""
    return text if len(text) <= width else "…" + text[-(width - 1):]
