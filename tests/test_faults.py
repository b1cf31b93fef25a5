"""Issue 15 (part B): file-system faults, races on the file being read, damaged
caches, workers outliving the scan, state leaking between documents, memory.

Each test is the regression test of one numbered defect of the issue; the real
discovery, pool, worker processes, pdfium and cache are used, nothing is mocked.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import pytest

import pdfgen
from auditor.ingest.cache import CACHE_FORMAT, HashMemo
from auditor.ingest.pool import _Pool, process_documents
from auditor.ingest.worker import DocTask, process_document
from auditor.options import OcrMode, ScanOptions
from auditor.pipeline import discover, run_scan

OPEN = ["Tender notice: the Authority invites sealed bids through open competitive bidding",
        "for the supply of forty buses, published in two national newspapers."]
DIRECT = ["The Ministry awarded the contract to M/s Alpha Ltd through direct contracting",
          "without advertisement, for Rs. 25,740,000."]
LINUX_PROC = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")


def options(**kw) -> ScanOptions:
    kw.setdefault("ocr", OcrMode.OFF)
    kw.setdefault("use_cache", False)
    return ScanOptions(**kw)


def no_pages_pdf(path: Path) -> Path:
    """A well-formed PDF whose catalog has no /Pages: pdfium loads it, with no page."""
    objects = [b"<< /Type /Catalog >>"]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(out)
    return path


def read(path: Path, rel: str | None = None, **kw):
    return process_document(DocTask(path.resolve(), rel or path.name, "."), options(**kw))


def code(result) -> str | None:
    return result.info.error.code if result.info.error else None


# --- item 3: an unreadable sub-folder is reported, not dropped ----------------------------------


def _discover_as_nobody(root: Path) -> list[tuple[str, str]]:
    """discover() in a forked child that gave up root (root reads every folder)."""
    import auditor.ruleset.packs  # noqa: F401  (imported before the fork: the child needs no file access)

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.close(r)
            os.setgid(65534)
            os.setuid(65534)
            found = discover([root])
            data = json.dumps([[s.path, s.reason] for s in found.skipped] +
                              [["doc", t.rel] for c in found.cases for t in c.documents]).encode()
            os.write(w, data)
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    return [tuple(x) for x in json.loads(data)]


def test_an_unreadable_sub_folder_is_skipped_with_its_reason():
    base = Path(tempfile.mkdtemp(prefix="auditor-perm-"))
    try:
        os.chmod(base, 0o755)
        root = base / "scan"
        (root / "case").mkdir(parents=True)
        (root / "locked").mkdir()
        pdfgen.text_pdf(root / "case" / "a.pdf", [OPEN])
        pdfgen.text_pdf(root / "locked" / "hidden.pdf", [DIRECT])
        for d in (root, root / "case"):
            os.chmod(d, 0o755)
        os.chmod(root / "case" / "a.pdf", 0o644)
        os.chmod(root / "locked", 0o000)
        if os.geteuid() == 0:
            if not hasattr(os, "fork"):
                pytest.skip("needs fork to drop root")
            seen = _discover_as_nobody(root)
        else:
            found = discover([root])
            seen = [(s.path, s.reason) for s in found.skipped] + [("doc", t.rel) for c in found.cases for t in c.documents]
        assert ("doc", "case/a.pdf") in seen
        assert [s for s in seen if s[0] == "locked"] == [("locked", "folder cannot be read: Permission denied")]
    finally:
        os.chmod(base / "scan" / "locked", 0o755)
        shutil.rmtree(base, ignore_errors=True)


# --- item 16: FIFOs and devices: skipped with their reason, never opened ---------------------------


def _scan_json(*args: str, timeout: float = 90) -> dict:
    cmd = [sys.executable, "-m", "auditor", "scan", *args, "--format", "json", "--ocr", "off", "--quiet"]
    proc = subprocess.run(cmd, capture_output=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    return json.loads(proc.stdout)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_or_device_on_the_command_line_is_skipped_not_ignored(tmp_path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    good = pdfgen.text_pdf(tmp_path / "good.pdf", [OPEN])
    report = _scan_json(str(fifo), "/dev/null", str(good), "--no-cache")
    reasons = {s["path"]: s["reason"] for s in report["skipped"]}
    assert reasons["pipe.pdf"] == "a FIFO (named pipe), not a regular file"
    assert reasons["null"] == "a character device, not a regular file"
    assert [d["path"] for c in report["cases"] for d in c["documents"]] == [f"{tmp_path.name}/good.pdf"]  # its folder's case


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("swap", ["fifo", "dev-zero"])
def test_a_fifo_or_device_swapped_in_after_discovery_is_skipped_without_hanging(tmp_path, swap):
    case = tmp_path / "case"
    case.mkdir()
    pdfgen.text_pdf(case / "a.pdf", [OPEN])
    pdfgen.text_pdf(case / "b.pdf", [DIRECT])
    found = discover([case])
    (case / "b.pdf").unlink()
    if swap == "fifo":
        os.mkfifo(case / "b.pdf")
    else:
        (case / "b.pdf").symlink_to("/dev/zero")
    box: dict = {}

    def scan() -> None:
        box["result"] = run_scan([case], options(jobs=1), [], discovery=found)

    t = threading.Thread(target=scan, daemon=True)
    t.start()
    t.join(60)
    assert not t.is_alive(), "the scan hangs on a special file"
    result = box["result"]
    assert [d.path for c in result.cases for d in c.documents] == ["case/a.pdf"]  # paths start with the case id
    reason = {"fifo": "a FIFO (named pipe), not a regular file", "dev-zero": "a character device, not a regular file"}
    assert [(s.path, s.reason) for s in result.skipped] == [("case/b.pdf", reason[swap])]


# --- a file named .pdf that is not a PDF -------------------------------------------------------------


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("tender.pdf", b"%PDF-1.4 inside a zip")
    return buf.getvalue()


@pytest.mark.parametrize("content, what", [
    (b"<!DOCTYPE html><html><body>Download the tender</body></html>", "an HTML page"),
    (b"\xef\xbb\xbf  <html lang='en'><head></head></html>", "an HTML page"),
    (_zip(), "a ZIP archive"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "a PNG image"),
    (b"\xff\xd8\xff\xe0" + bytes(200), "a JPEG image"),
    ("Tender notice — bids are invited for the supply of buses.\n".encode() * 40, "a text file"),
])
def test_another_known_format_named_pdf_is_not_pdf(tmp_path, content, what):
    path = tmp_path / "x.pdf"
    path.write_bytes(content)
    result = read(path)
    assert code(result) == "not-pdf"
    assert what in result.info.error.message
    assert result.info.sha256 == hashlib.sha256(content).hexdigest()


def test_unrecognisable_bytes_named_pdf_are_corrupt(tmp_path):
    result = read(pdfgen.random_bytes(tmp_path / "noise.pdf"))
    assert code(result) == "corrupt"
    assert "no known format" in result.info.error.message


# --- item 17: no state leaks between the documents a worker reads ------------------------------------


def test_the_outcome_of_a_document_does_not_depend_on_what_the_process_read_before(tmp_path):
    good = pdfgen.text_pdf(tmp_path / "good.pdf", [OPEN])
    locked = pdfgen.encrypted(tmp_path / "locked.pdf", good)
    flipped = tmp_path / "flipped.pdf"
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0x5A
    flipped.write_bytes(bytes(data))
    nopages = no_pages_pdf(tmp_path / "nopages.pdf")
    alone = code(read(nopages))
    assert alone == "empty"
    # in this process, after an encrypted and a damaged document
    for previous in (locked, flipped, locked):
        read(previous)
        assert code(read(nopages)) == alone
    # in one worker process (--jobs 1), in every order
    names = [locked, flipped, nopages, locked, nopages, good, nopages]
    tasks = [DocTask(p, f"{i}-{p.name}", ".") for i, p in enumerate(names)]
    codes = [code(r) for r in process_documents(tasks, options(jobs=1))]
    assert codes == ["encrypted", code(read(flipped)), "empty", "encrypted", "empty", None, "empty"]


# --- item 12: the cache entry is keyed by what the worker read ---------------------------------------


class _RacingPool(_Pool):
    """A pool in which the file changes just after the parent hashed it (the race
    of item 12, made certain): ``swap`` maps a path to the bytes it gets."""

    swap: dict[Path, bytes] = {}

    def _prepare(self, task):
        done, sha256 = super()._prepare(task)
        if task.path in self.swap:
            task.path.write_bytes(self.swap.pop(task.path))
        return done, sha256


def _run_pool(pool: _Pool, tasks):
    try:
        return list(pool.run(tasks, None))
    finally:
        pool.close()


def test_a_file_changed_after_the_parent_hashed_it_never_poisons_the_cache(tmp_path):
    doc = tmp_path / "award.pdf"
    original = pdfgen.text_pdf(tmp_path / "original.pdf", [OPEN]).read_bytes()
    other = pdfgen.text_pdf(tmp_path / "other.pdf", [DIRECT]).read_bytes()
    doc.write_bytes(original)
    cache = tmp_path / "cache"
    opts = options(use_cache=True, cache_dir=cache, jobs=1)
    task = DocTask(doc, "award.pdf", ".")
    _RacingPool.swap = {doc: other}
    raced, = _run_pool(_RacingPool(opts), [task])
    assert raced.info.sha256 == hashlib.sha256(other).hexdigest()  # the hash of what was read
    # the original bytes again: the report is the original's, never the other content's
    doc.write_bytes(original)
    again, = _run_pool(_Pool(opts), [task])
    truth = read(doc, "award.pdf")
    assert again.info == truth.info
    assert again.facts == truth.facts


# --- item 13: damaged cache entries and hash memo entries ---------------------------------------------


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / f"v{CACHE_FORMAT}").rglob("*.json"))


def _flip_a_letter(data: bytes) -> bytes:
    """One byte of the entry's body changed so that it stays valid JSON (a letter
    of a quote): only a checksum can notice."""
    body_at = data.index(b"\n") + 1
    i = data.index(b"Alpha", body_at)
    return data[:i] + b"B" + data[i + 1 :]


@pytest.mark.parametrize("damage", ["truncated", "flipped", "other-document"])
def test_a_damaged_cache_entry_is_detected_and_rebuilt(tmp_path, damage):
    case = tmp_path / "case"
    case.mkdir()
    pdfgen.text_pdf(case / "award.pdf", [DIRECT])
    pdfgen.text_pdf(case / "notice.pdf", [OPEN])
    cache = tmp_path / "cache"
    opts = options(use_cache=True, cache_dir=cache, jobs=1)
    tasks = [DocTask(p, p.name, ".") for p in sorted(case.glob("*.pdf"))]
    cold = _run_pool(_Pool(opts), tasks)
    award_entry = next(e for e in _entries(cache) if b"Alpha" in e.read_bytes())
    notice_entry = next(e for e in _entries(cache) if e != award_entry)
    data = award_entry.read_bytes()
    if damage == "truncated":
        award_entry.write_bytes(data[:-40])
    elif damage == "flipped":
        award_entry.write_bytes(_flip_a_letter(data))
    else:
        award_entry.write_bytes(notice_entry.read_bytes())
    again = _run_pool(_Pool(opts), tasks)
    assert [r.from_cache for r in again] == [False, True]
    assert [(r.info, r.facts) for r in again] == [(r.info, r.facts) for r in cold]
    healed = _run_pool(_Pool(opts), tasks)
    assert all(r.from_cache for r in healed)
    assert [(r.info, r.facts) for r in healed] == [(r.info, r.facts) for r in cold]


def test_a_flipped_digit_in_the_hash_memo_never_reaches_the_report(tmp_path, monkeypatch):
    monkeypatch.setattr(HashMemo, "RACY_SECONDS", 0.0)
    doc = pdfgen.text_pdf(tmp_path / "a.pdf", [OPEN])
    truth = hashlib.sha256(doc.read_bytes()).hexdigest()
    cache = tmp_path / "cache"
    opts = options(use_cache=True, cache_dir=cache, jobs=1)
    task = DocTask(doc, "a.pdf", ".")
    first, = _run_pool(_Pool(opts), [task])
    memo, = [p for p in (cache / "hashes").rglob("*") if p.is_file()]
    text = memo.read_text()
    i = text.index(truth)
    wrong = truth[:5] + ("0" if truth[5] != "0" else "1") + truth[6:]
    memo.write_text(text[:i] + wrong + text[i + 64 :])
    shutil.rmtree(cache / f"v{CACHE_FORMAT}")  # no result entry: the document is read again
    again, = _run_pool(_Pool(opts), [task])
    assert first.info.sha256 == again.info.sha256 == truth


# --- item 14: workers die with their parent --------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                kids += [int(x) for x in fh.read().split()]
        except OSError:
            pass
    return kids


def _reading(pid: int, path: Path) -> bool:
    """Has process ``pid`` this file open?"""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                return True
        except OSError:
            pass
    return False


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except OSError:
        return False


@LINUX_PROC
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_workers_die_with_their_parent(tmp_path, sig):
    pdfgen.slow_pdf(tmp_path / "slow.pdf", pages=400)
    cmd = [sys.executable, "-m", "auditor", "scan", str(tmp_path), "--no-cache", "--ocr", "off",
           "--doc-timeout", "120", "--format", "json", "--quiet", "--jobs", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    deadline = time.monotonic() + 30
    while not workers and time.monotonic() < deadline:
        time.sleep(0.1)
        workers = _children(proc.pid)
    assert workers, "no worker started"
    while not any(_reading(w, tmp_path / "slow.pdf") for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)  # until the worker has the PDF open (past its start-up)
    assert any(_reading(w, tmp_path / "slow.pdf") for w in workers), "the worker never opened the PDF"
    time.sleep(0.5)
    proc.send_signal(sig)
    proc.wait(30)
    deadline = time.monotonic() + 5
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), "a worker outlived its parent"
    assert proc.returncode == -sig if sig == signal.SIGKILL else proc.returncode == 128 + sig


# --- item 18: memory bound per document ---------------------------------------------------------------------


@LINUX_PROC
def test_a_document_over_the_memory_bound_is_too_large_and_the_scan_stays_below_it(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from bench import run_measured

    case = tmp_path / "case"
    case.mkdir()
    pdfgen.content_bomb_pdf(case / "bomb.pdf", gib=4)
    pdfgen.text_pdf(case / "next.pdf", [OPEN])
    cmd = [sys.executable, "-m", "auditor", "scan", str(case), "--no-cache", "--ocr", "off", "--jobs", "1",
           "--doc-timeout", "60", "--format", "json", "--quiet", "--max-memory", "150"]
    run = run_measured(cmd)
    assert run.returncode == 0, run.stderr[-2000:]
    docs = {d["path"]: d for c in json.loads(run.stdout)["cases"] for d in c["documents"]}
    assert docs["case/bomb.pdf"]["error"]["code"] == "too-large"
    assert "150 MiB" in docs["case/bomb.pdf"]["error"]["message"]
    assert docs["case/next.pdf"]["error"] is None
    assert run.peak_tree_mb < 400, run.peak_tree_mb


# --- the validated rule pack's cache entry (item 13) -----------------------------------------------


def test_a_damaged_rule_pack_entry_is_detected_and_rebuilt(tmp_path):
    from auditor.ruleset.schema import builtin_rules_dir, load_rules

    cache = tmp_path / "cache"
    fresh, _ = load_rules([builtin_rules_dir()], cache_dir=cache)
    (entry,) = (cache / "rules").glob("*.json")
    data = bytearray(entry.read_bytes())
    at = data.index(b'"max_spread"')  # a threshold inside the body: a flip would change what the rule does
    digit = data.index(b"0.", at)
    data[digit + 2] = ord("9") if data[digit + 2] != ord("9") else ord("1")
    entry.write_bytes(bytes(data))
    served, _ = load_rules([builtin_rules_dir()], cache_dir=cache)
    assert served == fresh  # the checksum failed: the pack was validated again, not served as stored
    assert served == load_rules([builtin_rules_dir()], cache_dir=cache)[0]  # and the rebuilt entry is sound


# --- a worker's own heap is not the document's fault -------------------------------------------


@LINUX_PROC
def test_a_document_over_the_memory_bound_in_a_used_worker_is_read_again_in_a_fresh_one(tmp_path):
    """A worker that has read other documents carries their heap; when it goes over the
    bound on the next document (or is killed, or pdfium aborts an allocation), a fresh
    worker reads that document once more before it is reported (here it is too large in
    the fresh worker as well)."""
    good = pdfgen.text_pdf(tmp_path / "a-good.pdf", [OPEN])
    bomb = pdfgen.content_bomb_pdf(tmp_path / "b-bomb.pdf", gib=4)
    after = pdfgen.text_pdf(tmp_path / "c-after.pdf", [DIRECT])
    opts = options(jobs=1, max_memory_mb=512, max_rss_mb=150, doc_timeout=60)
    pool = _Pool(opts)
    results = _run_pool(pool, [DocTask(p, p.name, ".") for p in (good, bomb, after)])
    assert [r.info.path for r in results] == ["a-good.pdf", "b-bomb.pdf", "c-after.pdf"]
    assert results[0].info.error is None and results[2].info.error is None
    # (over the resident bound, or aborted by pdfium at the address-space bound: either way)
    assert results[1].info.error is not None and results[1].info.error.code in ("too-large", "corrupt")
    assert pool.retried == 1  # read again once, in a fresh worker, and no more
    # a fresh worker's failure stands: the bomb read first is not read again
    first = _Pool(opts)
    _run_pool(first, [DocTask(p, p.name, ".") for p in (bomb, good)])
    assert first.retried == 0
