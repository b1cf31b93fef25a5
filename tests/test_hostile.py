"""Hostile and broken inputs: each becomes the contract's error code and a
one-line message, and every other document is still scanned.

All files are generated into tmp_path at test time (tests/pdfgen.py); the real
worker processes, pdfium and limits are used throughout, nothing is mocked.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import pdfgen
from auditor.errors import DOCUMENT_ERROR_CODES
from auditor.ingest.pool import process_documents
from auditor.ingest.worker import DocTask
from auditor.models import DocumentResult
from auditor.options import OcrMode, ScanOptions

GOOD_LINES = ["The Authority invited open competitive bids for the supply of buses.",
              "The contract was signed on 3 March 2021."]


def scan(folder: Path, names: list[str], **opts) -> list[DocumentResult]:
    options = ScanOptions(use_cache=False, **opts)
    tasks = [DocTask(folder / n, n, ".") for n in names]
    return list(process_documents(tasks, options))


def by_path(results: list[DocumentResult]) -> dict[str, DocumentResult]:
    return {r.info.path: r for r in results}


def code(result: DocumentResult) -> str | None:
    return result.info.error.code if result.info.error else None


def assert_one_line(result: DocumentResult) -> None:
    err = result.info.error
    assert err is not None and err.code in DOCUMENT_ERROR_CODES
    assert err.message and "\n" not in err.message


@pytest.fixture(scope="module")
def zoo(tmp_path_factory) -> Path:
    """A folder mixing good documents and broken ones."""
    d = tmp_path_factory.mktemp("zoo")
    good = pdfgen.text_pdf(d / "a-good.pdf", [GOOD_LINES, ["Second page of the good document."]])
    pdfgen.empty_file(d / "b-empty.pdf")
    pdfgen.random_bytes(d / "c-random.pdf")
    pdfgen.truncated(d / "d-truncated.pdf", good)
    pdfgen.encrypted(d / "e-encrypted.pdf", good)
    pdfgen.text_pdf(d / "f-good.pdf", [["Another readable document about a tender notice."]])
    pdfgen.many_pages_pdf(d / "g-2000-pages.pdf", 2000)
    pdfgen.image_bomb_pdf(d / "h-image-bomb.pdf")
    pdfgen.text_pdf(d / "i-good.pdf", [["The last readable document."]])
    return d


ZOO = ["a-good.pdf", "b-empty.pdf", "c-random.pdf", "d-truncated.pdf", "e-encrypted.pdf",
       "f-good.pdf", "g-2000-pages.pdf", "h-image-bomb.pdf", "i-good.pdf"]


@pytest.fixture(scope="module")
def zoo_results(zoo) -> list[DocumentResult]:
    t0 = time.monotonic()
    results = scan(zoo, ZOO, jobs=2, ocr=OcrMode.AUTO, doc_timeout=60)
    assert time.monotonic() - t0 < 45
    return results


def test_every_document_gets_a_result_in_input_order(zoo_results):
    assert [r.info.path for r in zoo_results] == ZOO


def test_good_documents_are_scanned_among_broken_ones(zoo_results):
    got = by_path(zoo_results)
    for name in ("a-good.pdf", "f-good.pdf", "i-good.pdf"):
        assert got[name].info.error is None
        assert got[name].info.unread_pages == ()
    assert got["a-good.pdf"].info.pages == 2


def test_zero_bytes_is_empty(zoo_results):
    r = by_path(zoo_results)["b-empty.pdf"]
    assert code(r) == "empty"
    assert_one_line(r)


def test_unrecognisable_bytes_are_corrupt(zoo_results):
    # issue 15: bytes of no known format are `corrupt`; `not-pdf` names another format
    r = by_path(zoo_results)["c-random.pdf"]
    assert code(r) == "corrupt"
    assert_one_line(r)
    assert len(r.info.sha256) == 64


def test_truncated_pdf_is_corrupt(zoo_results):
    # pdfium rebuilds a broken xref table, but half a file has no trailer and
    # no reachable catalog: it is reported as corrupt rather than half-read.
    r = by_path(zoo_results)["d-truncated.pdf"]
    assert code(r) == "corrupt"
    assert_one_line(r)


def test_password_protected_pdf_is_encrypted(zoo_results):
    r = by_path(zoo_results)["e-encrypted.pdf"]
    assert code(r) == "encrypted"
    assert_one_line(r)


def test_two_thousand_pages_are_read(zoo_results):
    r = by_path(zoo_results)["g-2000-pages.pdf"]
    assert r.info.error is None
    assert r.info.pages == 2000 and r.info.unread_pages == ()


def test_image_bomb_never_takes_the_scan_down(zoo_results):
    # A 65536 x 65536 image (4 GiB decoded) on an otherwise empty page: either
    # pdfium declines to decode it (a blank page) or the memory guard stops it.
    r = by_path(zoo_results)["h-image-bomb.pdf"]
    if r.info.error is None:
        assert r.info.pages == 1 and r.info.unread_pages == (1,)
    else:
        assert code(r) in ("too-large", "corrupt")


def test_results_do_not_depend_on_the_number_of_jobs(zoo, zoo_results):
    names = ["a-good.pdf", "b-empty.pdf", "d-truncated.pdf", "f-good.pdf", "i-good.pdf"]
    one = scan(zoo, names, jobs=1, ocr=OcrMode.OFF)
    two = {r.info.path: r for r in zoo_results}
    assert [r.info.path for r in one] == names
    for r in one:
        assert r.info == two[r.info.path].info
        assert r.facts == two[r.info.path].facts


def test_more_pages_than_the_limit_is_too_large(zoo):
    results = scan(zoo, ["g-2000-pages.pdf", "i-good.pdf"], jobs=1, ocr=OcrMode.OFF, max_pages=1999)
    assert code(results[0]) == "too-large"
    assert "2000 pages" in results[0].info.error.message
    assert results[1].info.error is None


def test_larger_file_than_the_limit_is_too_large_without_opening(zoo):
    results = scan(zoo, ["g-2000-pages.pdf", "a-good.pdf"], ocr=OcrMode.OFF, max_bytes=100_000)
    assert code(results[0]) == "too-large"
    assert "MiB" in results[0].info.error.message
    assert results[1].info.error is None


def test_content_stream_bomb_is_stopped_by_the_memory_guard(tmp_path):
    """4 GiB of zeros behind a 4 MB Flate stream; with a 512 MiB address-space
    limit the worker fails its allocation (pdfium aborts) instead of eating the
    machine, and a fresh worker reads the next document."""
    pdfgen.content_bomb_pdf(tmp_path / "bomb.pdf", gib=4)
    pdfgen.text_pdf(tmp_path / "after.pdf", [GOOD_LINES])
    t0 = time.monotonic()
    results = scan(tmp_path, ["bomb.pdf", "after.pdf"], jobs=1, ocr=OcrMode.OFF, max_memory_mb=512, doc_timeout=60)
    elapsed = time.monotonic() - t0
    assert code(results[0]) in ("too-large", "corrupt", "timeout")
    assert_one_line(results[0])
    assert results[1].info.error is None and results[1].info.pages == 1
    assert elapsed < 40


def test_document_over_the_time_limit_is_stopped_and_the_next_one_read(tmp_path):
    pdfgen.slow_pdf(tmp_path / "slow.pdf", pages=20)  # seconds of work
    pdfgen.text_pdf(tmp_path / "next.pdf", [GOOD_LINES])
    t0 = time.monotonic()
    results = scan(tmp_path, ["slow.pdf", "next.pdf"], jobs=1, ocr=OcrMode.OFF, doc_timeout=1.0)
    elapsed = time.monotonic() - t0
    assert code(results[0]) == "timeout"
    assert "--doc-timeout" in results[0].info.error.message
    assert len(results[0].info.sha256) == 64
    assert results[1].info.error is None
    assert elapsed < 8


def _worker_pids() -> set[int]:
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read()
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if ppid == os.getpid() and b"worker_main" in cmd:
            pids.add(int(entry))
    return pids


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
def test_workers_are_stopped_when_the_scan_is_abandoned(zoo):
    options = ScanOptions(use_cache=False, jobs=2, ocr=OcrMode.OFF)
    tasks = [DocTask(zoo / n, n, ".") for n in ("a-good.pdf", "f-good.pdf", "g-2000-pages.pdf", "i-good.pdf")]
    gen = process_documents(tasks, options)
    first = next(gen)
    assert first.info.path == "a-good.pdf"
    assert _worker_pids(), "documents are read in worker processes"
    gen.close()
    deadline = time.monotonic() + 5
    while _worker_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _worker_pids()
