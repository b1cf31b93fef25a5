"""A progress line on stderr while documents are read.

Shown only when stderr is a terminal (the CLI creates it only then, and not with
``--quiet``); it disappears when the scan ends, so nothing of it is left between
the command line and the report.

It counts documents and pages.  Workers say how far into a document they are
(``pages_read``), so the count moves inside a long document too.  The ETA is
the pages still to read divided by the pages read per second so far, computed
each time the line is drawn: it never freezes, and it grows while nothing
moves.  Pages still to read are known for the documents in flight; for those
not started yet they are estimated from their size (bytes per page seen so
far).  The documents in flight are named (file name first, never cut from the
left), with the page each one has reached.

``ScanProgress`` is called as ``progress(task, result)`` when a document is
done, and takes ``document_started(task)`` and ``pages_read(task, done, total)``
from the worker pool; ``status(width)`` is the line as text, for any clock.
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn
from rich.text import Text

from auditor.safe_text import strip_controls


class ScanProgress:
    def __init__(self, discovery: Any, console: Console | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        tasks = [t for case in getattr(discovery, "cases", ()) for t in case.documents]
        self.total_docs = len(tasks)
        self._sizes = {t.rel: _size(t.path) for t in tasks}
        self.clock = clock
        self.docs = 0
        self.pages = 0  # pages of finished documents (read or from the cache)
        self.ocr_pages = 0
        self.cached = 0
        self.errors = 0
        self._read_pages = 0  # pages workers actually read (the rate's numerator)
        self._first_start: float | None = None
        self._flight: dict[str, tuple[int, int]] = {}  # rel -> (pages read, pages in the document)
        self._order: list[str] = []  # in flight, in the order they started
        self._done_bytes = 0  # size of finished or in-flight documents whose page count is known
        self._known_pages = 0  # ... and their pages
        self._unstarted = dict(self._sizes)  # rel -> size, documents not yet started nor done
        self.console = console or Console(stderr=True)
        self._progress = Progress(
            SpinnerColumn(),
            BarColumn(bar_width=20),
            _StatusColumn(self),
            console=self.console,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task = self._progress.add_task("scan", total=1, start=False)
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

    def stop(self) -> None:
        if self._running:
            self._progress.stop()
            self._running = False

    # -- events ---------------------------------------------------------------------------

    def document_started(self, task: Any) -> None:
        if self._first_start is None:
            self._first_start = self.clock()
        self._unstarted.pop(task.rel, None)
        if task.rel not in self._flight:
            self._flight[task.rel] = (0, 0)
            self._order.append(task.rel)
        self._refresh()

    def pages_read(self, task: Any, done: int, total: int) -> None:
        before, known = self._flight.get(task.rel, (0, 0))
        if task.rel not in self._flight:
            self.document_started(task)
        self._read_pages += max(0, done - before)
        if not known and total:
            self._done_bytes += self._sizes.get(task.rel, 0)
            self._known_pages += total
        self._flight[task.rel] = (done, total)
        self._refresh()

    def document_done(self, task: Any, result: Any) -> None:
        info = result.info
        self.docs += 1
        self.pages += info.pages
        self.ocr_pages += len(info.ocr_pages)
        cached = bool(getattr(result, "from_cache", False))
        self.cached += cached
        self.errors += info.error is not None
        done, known = self._flight.pop(task.rel, (0, 0))
        if task.rel in self._order:
            self._order.remove(task.rel)
        self._unstarted.pop(task.rel, None)
        if not cached:
            self._read_pages += max(0, info.pages - done)
        if not known and info.pages:
            self._done_bytes += self._sizes.get(task.rel, 0)
            self._known_pages += info.pages
        self._refresh()

    __call__ = document_done  # the pipeline's on_document(task, result)

    # -- what is shown --------------------------------------------------------------------

    def pages_so_far(self) -> int:
        return self.pages + sum(done for done, _ in self._flight.values())

    def pages_left(self) -> float | None:
        """Pages still to read: exact for documents in flight, estimated from
        size for those not started (None while nothing tells the size of a page)."""
        left = float(sum(max(0, total - done) for done, total in self._flight.values() if total))
        unknown_flight = [rel for rel, (_, total) in self._flight.items() if not total]
        pending = sum(self._unstarted.values()) + sum(self._sizes.get(r, 0) for r in unknown_flight)
        if pending:
            if not self._known_pages or not self._done_bytes:
                return None
            left += pending * self._known_pages / self._done_bytes
        return left

    def eta_seconds(self) -> float | None:
        if self._first_start is None or self._read_pages == 0:
            return None
        elapsed = self.clock() - self._first_start
        if elapsed <= 0:
            return None
        left = self.pages_left()
        if left is None:
            return None
        return left / (self._read_pages / elapsed)

    def fraction(self) -> float:
        if self.total_docs == 0:
            return 1.0
        left = self.pages_left()
        done = self.pages_so_far()
        if left is None or done + left <= 0:
            return self.docs / self.total_docs
        return done / (done + left)

    def status(self, width: int = 80) -> str:
        """The line after the bar: documents, pages, ETA, documents in flight."""
        pages = f"{self.pages_so_far()} pages"
        extras = []
        if self.ocr_pages:
            extras.append(f"{self.ocr_pages} OCR")
        if self.cached:
            extras.append(f"{self.cached} cached")
        if self.errors:
            extras.append(f"{self.errors} unreadable")
        if extras:
            pages += " (" + ", ".join(extras) + ")"
        eta = self.eta_seconds()
        head = f"{self.docs}/{self.total_docs} docs  {pages}  eta {_clock(eta) if eta is not None else '–'}"
        names = [self._flight_name(rel) for rel in self._order]
        return head + _fit(names, width - len(head) - 2, prefix="  reading ")

    def _flight_name(self, rel: str) -> str:
        done, total = self._flight.get(rel, (0, 0))
        name = strip_controls(rel.rsplit("/", 1)[-1])  # a file name may carry escape sequences
        return f"{name} p.{done}/{total}" if total else name

    def _refresh(self) -> None:
        if self._running:
            self._progress.update(self._task, completed=self.fraction(), total=1)


class _StatusColumn(ProgressColumn):
    """Drawn at every refresh, so the ETA moves with the clock."""

    def __init__(self, owner: ScanProgress) -> None:
        super().__init__()
        self.owner = owner

    def render(self, task: Any) -> Text:
        width = max(20, self.owner.console.width - 24)
        return Text(self.owner.status(width))


def _fit(names: list[str], room: int, prefix: str) -> str:
    """As many whole names as fit in ``room`` ("+N more" for the rest)."""
    if not names or room < len(prefix) + 8:
        return ""
    shown: list[str] = []
    for i, name in enumerate(names):
        rest = len(names) - i - 1
        more = f", +{rest} more" if rest else ""
        text = prefix + ", ".join(shown + [name]) + more
        if len(text) > room:
            if not shown:
                tail = f"+{len(names)} more" if len(names) > 1 else ""
                keep = room - len(prefix) - len(tail) - 1
                return prefix + (name[:keep - 1] + "…" if keep > 8 else "") + (" " + tail if tail else "")
            return prefix + ", ".join(shown) + f", +{len(names) - len(shown)} more"
        shown.append(name)
    return prefix + ", ".join(shown)


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _size(path: Any) -> int:
    try:
        return max(os.stat(path).st_size, 1)
    except OSError:
        return 1
