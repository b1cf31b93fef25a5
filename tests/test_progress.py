"""The progress line of a long scan: pages counted as they are read (also inside
one long document), an ETA from pages per second that follows the clock, and
the documents in flight named by their file names."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pdfgen
from auditor.ingest.pool import process_documents
from auditor.ingest.worker import DocTask
from auditor.models import DocumentInfo, DocumentResult
from auditor.options import OcrMode, ScanOptions
from auditor.pipeline import CaseSpec, Discovery
from auditor.progress import ScanProgress

ROOT = Path(__file__).resolve().parents[1]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _tasks(tmp_path: Path, sizes: dict[str, int]) -> list[DocTask]:
    tasks = []
    for name, size in sizes.items():
        path = tmp_path / name
        path.write_bytes(b"%PDF-1.4\n" + b"x" * (size - 9))
        tasks.append(DocTask(path, f"case/{name}", "case"))
    return tasks


def _bar(tasks, clock):
    from rich.console import Console

    return ScanProgress(Discovery(cases=[CaseSpec("case", tuple(tasks))]),
                        console=Console(file=io.StringIO(), force_terminal=False), clock=clock)


def _done(task: DocTask, pages: int, cached: bool = False) -> DocumentResult:
    return DocumentResult(DocumentInfo(path=task.rel, sha256="0" * 64, pages=pages), from_cache=cached)


def test_pages_move_inside_one_long_document(tmp_path):
    clock = Clock()
    (big,) = tasks = _tasks(tmp_path, {"judgment-of-the-high-court.pdf": 159_000})
    bar = _bar(tasks, clock)
    bar.document_started(big)
    assert "0 pages" in bar.status(200)
    clock.now += 10
    bar.pages_read(big, 40, 159)
    line = bar.status(200)
    assert "0/1 docs" in line and "40 pages" in line
    assert "judgment-of-the-high-court.pdf p.40/159" in line  # in flight, by name, with its page
    assert abs(bar.fraction() - 40 / 159) < 1e-9


def test_eta_is_pages_left_over_pages_per_second_and_follows_the_clock(tmp_path):
    clock = Clock()
    (big,) = tasks = _tasks(tmp_path, {"long.pdf": 100_000})
    bar = _bar(tasks, clock)
    assert bar.eta_seconds() is None and "eta –" in bar.status(120)  # nothing to go on yet: said so
    bar.document_started(big)
    clock.now += 30
    bar.pages_read(big, 30, 150)  # 1 page/s, 120 pages to go
    assert round(bar.eta_seconds()) == 120
    assert "eta 2:00" in bar.status(120)
    clock.now += 30  # no page for 30 s: the rate falls, the ETA grows instead of freezing
    assert round(bar.eta_seconds()) == 240
    assert "eta 4:00" in bar.status(120)
    clock.now += 60
    bar.pages_read(big, 150, 150)
    assert bar.eta_seconds() == 0


def test_minutes_of_work_are_not_shown_as_one_second(tmp_path):
    clock = Clock()
    tasks = _tasks(tmp_path, {"a.pdf": 10_000, "b.pdf": 10_000, "c.pdf": 1_000_000})
    bar = _bar(tasks, clock)
    bar.document_started(tasks[0])
    clock.now += 5
    bar.document_done(tasks[0], _done(tasks[0], 10))  # 10 pages in 10 kB, 2 pages/s
    bar.document_started(tasks[1])
    bar.document_started(tasks[2])  # 1 MB not yet measured: ~1,000 pages by size
    eta = bar.eta_seconds()
    assert eta is not None and eta > 400  # about 1,010 pages at 2 pages/s, not 0:00:01
    line = bar.status(200)
    assert "a.pdf" not in line  # the finished one is not shown as current
    assert "b.pdf" in line and "c.pdf" in line


def test_cached_documents_count_but_do_not_speed_up_the_rate(tmp_path):
    clock = Clock()
    tasks = _tasks(tmp_path, {"a.pdf": 10_000, "b.pdf": 10_000})
    bar = _bar(tasks, clock)
    bar.document_done(tasks[0], _done(tasks[0], 500, cached=True))
    assert bar.eta_seconds() is None  # no page read yet: no rate
    bar.document_started(tasks[1])
    clock.now += 10
    bar.pages_read(tasks[1], 10, 20)
    assert round(bar.eta_seconds()) == 10  # 1 page/s over real reads only
    assert "510 pages (1 cached)" in bar.status(200)


def test_names_are_never_cut_from_the_left(tmp_path):
    clock = Clock()
    names = {f"annex-{i}-of-the-loan-agreement.pdf": 1000 for i in range(5)}
    tasks = _tasks(tmp_path, names)
    bar = _bar(tasks, clock)
    for t in tasks:
        bar.document_started(t)
    line = bar.status(100)
    assert len(line) <= 100
    assert "annex-0-of-the-loan-agreement.pdf" in line and "more" in line
    assert "…" not in line


def test_the_pool_reports_documents_and_pages_in_flight(tmp_path):
    pdf = pdfgen.many_pages_pdf(tmp_path / "long.pdf", 30)
    task = DocTask(pdf, "long.pdf", ".")
    events: list[tuple] = []

    class Listener:
        def __call__(self, t, result):
            events.append(("done", t.rel, result.info.pages))

        def document_started(self, t):
            events.append(("start", t.rel))

        def pages_read(self, t, done, total):
            events.append(("page", t.rel, done, total))

    list(process_documents([task], ScanOptions(use_cache=False, jobs=1, ocr=OcrMode.OFF), on_done=Listener()))
    assert events[0] == ("start", "long.pdf") and events[-1] == ("done", "long.pdf", 30)
    pages = [e for e in events if e[0] == "page"]
    assert pages and pages[-1] == ("page", "long.pdf", 30, 30)
    assert [e[2] for e in pages] == sorted(e[2] for e in pages)


def test_a_real_scan_draws_pages_on_a_terminal(tmp_path):
    """`auditor scan` with stderr on a pseudo-terminal shows page counts and the ETA."""
    folder = tmp_path / "case"
    folder.mkdir()
    pdfgen.many_pages_pdf(folder / "long-judgment.pdf", 400)
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "auditor", "scan", str(folder), "--no-cache", "--ocr", "off",
                             "-f", "json", "-o", str(tmp_path / "r.json")],
                            stdout=subprocess.DEVNULL, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    out = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "pages" in out and "docs" in out and "eta" in out
    assert "long-judgment.pdf p." in out  # the document in flight, with its page
