"""Run documents through worker processes; results come back in input order.

A hand-rolled pool of worker processes (``concurrent.futures`` cannot kill one
stuck worker without breaking the whole pool, and ``multiprocessing`` re-imports
the caller's ``__main__`` in every worker, which fails when that is a script
piped to python):

* every document is read in a worker process, even with ``--jobs 1``, so the
  guards always hold: a per-document wall-clock limit (``--doc-timeout``: the
  worker and its tesseract child are killed and the document is reported as
  ``timeout``), a resident-memory bound (``max_rss_mb``, ``--max-memory``: the
  worker and its tesseract together, polled from /proc; over it the worker is
  killed and the document is ``too-large``) and an address-space limit
  (``RLIMIT_AS``: ``max_memory_mb``, lowered to the worker's start-up mapping
  plus ``max_rss_mb``: a decompression bomb fails an allocation instead of
  eating the machine);
* a worker never outlives the scan: SIGTERM of the parent ends the scan through
  its clean-up, and on the parent's death (SIGKILL included) the kernel
  (``PR_SET_PDEATHSIG``) or the worker's watchdog thread kills it;
* a worker that dies (pdfium crashing on a hostile file, the kernel's OOM
  killer) costs only its document (``corrupt``/``too-large``); a new worker
  takes its place and the run goes on;
* each worker holds one document at a time; up to ``max(16, 4 × jobs)``
  documents are in flight or finished-but-waiting, so results are yielded in input order
  (deterministic output) while workers run ahead, and memory stays flat;
* the parent does the cheap part itself: size limit, PDF sniffing, sha256 (from
  the cache's hash memo while the file is unchanged) and the cache lookup; a
  fully cached scan starts no worker at all.

A worker is ``python -c "...worker_main()"`` started with ``subprocess`` in a
session of its own (killing its process group also kills its tesseract; Ctrl-C
reaches only the parent, which then stops them all).  It talks to the parent
over two pipes with ``multiprocessing.connection`` framing (pickles); its
stdout goes to stderr so stray output never mixes with a report on stdout.
A worker imports its modules, says "ready", and only then gets a document, so
the time limit never counts interpreter start-up (≈ 0.2 s, overlapped with the
parent's hashing).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import deque
from typing import Any, Callable, Iterable, Iterator

from auditor.errors import DocumentReadError
from auditor.ingest.worker import (DocTask, Outcome, failed, memory_limit_words, not_a_file, over_memory,
                                   process_document, run_document)
from auditor.models import DocumentResult
from auditor.options import OcrMode, ScanOptions

Progress = Callable[[DocTask, DocumentResult], None]

__all__ = ["DocTask", "process_documents", "process_document"]

_START_SECONDS = 60.0  # a worker that is not ready by then is broken
_JOIN_SECONDS = 5.0
_MAX_START_FAILURES = 3  # workers dying before they are ready, in a row: give up
# Documents in flight or finished-but-not-yet-yielded.  Results hold facts only
# (page texts stay in the worker), so a window this size costs little memory, and
# it lets the other workers run ahead while one reads a long scanned document.
_MIN_WINDOW = 16


class WorkerStartError(RuntimeError):
    """Worker processes cannot start at all (a broken installation)."""


def process_documents(
    tasks: Iterable[DocTask], options: ScanOptions, on_done: Progress | None = None,
    timings: dict[str, float] | None = None,
) -> Iterator[DocumentResult]:
    """Results of ``tasks`` in input order.  ``on_done(task, result)`` is called
    just before each result is yielded.  ``timings``, if given, is filled with the
    parent's own seconds: ``prepare`` (size check, sniffing, sha256, cache
    look-up) and ``wait`` (blocked until a worker says something)."""
    pool = _Pool(options, timings)
    # a progress display may also want to know what is in flight (ScanProgress)
    pool.on_start = getattr(on_done, "document_started", None)
    pool.on_page = getattr(on_done, "pages_read", None)
    previous = _stop_on_sigterm()
    try:
        yield from pool.run(tasks, on_done)
    finally:
        pool.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _terminated(signum, _frame) -> None:
    raise SystemExit(128 + signum)


def _stop_on_sigterm():
    """While documents are read, SIGTERM (``timeout``, a CI cancel, ``docker stop``)
    ends the scan through the normal clean-up, which kills every worker's
    process group (its tesseract too); the previous handler is returned, or None
    when it was not the default one (the caller's choice is left alone) or this
    is not the main thread."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None
    try:
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            return None
        return signal.signal(signal.SIGTERM, _terminated)
    except (ValueError, OSError):
        return None


# --- the worker process ----------------------------------------------------------------


def worker_main() -> None:
    """Entry point of a worker process: ``python -c ... FD_IN FD_OUT``."""
    from multiprocessing.connection import Connection

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    die_with_parent(int(sys.argv[3]) if len(sys.argv) > 3 else None)
    conn_in = Connection(int(sys.argv[1]), writable=False)
    conn_out = Connection(int(sys.argv[2]), readable=False)
    try:
        options, engine = conn_in.recv()
    except (EOFError, OSError):
        return
    import pypdfium2  # noqa: F401  (imported before "ready": the time limit never counts it)

    import auditor.extract.facts  # noqa: F401
    from auditor.ingest import ocr

    ocr.set_engine(engine)
    _limit_memory(_address_limit_mb(options))
    conn_out.send("ready")
    while True:
        try:
            msg = conn_in.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        index, task, sha256, timeout = msg
        deadline = time.monotonic() + timeout
        try:
            outcome = run_document(task, options, sha256, deadline, on_page=_page_reporter(conn_out, index))
        except MemoryError:
            why = over_memory(options)
            outcome = Outcome(failed(task, sha256, DocumentReadError("too-large", why)), cacheable=False, recycle=True)
        try:
            conn_out.send((index, outcome))
        except (OSError, ValueError):
            return
        if outcome.recycle:
            return


PAGE_REPORT_SECONDS = 0.25  # a worker tells the parent its page count at most this often


def _page_reporter(conn_out: Any, index: int):
    """Tell the parent how far into document ``index`` the worker is: a
    ("page", index, done, total) message now and then, and after the last page."""
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < PAGE_REPORT_SECONDS:
            return
        last[0] = now
        try:
            conn_out.send(("page", index, done, total))
        except (OSError, ValueError):
            pass

    return report


_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.5


def set_parent_death_signal(signum: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent dies
    (``prctl(PR_SET_PDEATHSIG)``); False where that does not exist."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent(parent: int | None) -> None:
    """A worker never outlives the scan that started it, however the scan ends
    (SIGKILL included): the kernel kills it when its parent dies (Linux), and a
    watchdog thread that sees the parent gone kills the worker's whole process
    group (its tesseract too; everywhere else).  ``parent``: the pid the worker
    was started by (if it is already gone, the worker leaves at once)."""
    import threading

    set_parent_death_signal()
    if parent is None:
        return
    if os.getppid() != parent:  # the parent died before the death signal was set
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(_WATCH_SECONDS)
            if os.getppid() != parent:
                try:
                    os.killpg(os.getpgrp(), signal.SIGKILL)
                finally:
                    os._exit(1)

    threading.Thread(target=watch, name="auditor-parent-watch", daemon=True).start()


def _address_limit_mb(options: ScanOptions) -> int:
    """The worker's address-space limit: ``max_memory_mb``, lowered to what the
    worker has mapped once its modules are imported plus ``max_rss_mb`` (with
    a little room for the interpreter), so that no allocation burst between two
    of the parent's memory checks can take a worker far past its resident
    bound."""
    limit = options.max_memory_mb
    if options.max_rss_mb > 0:
        mapped = _vm_size_mb(os.getpid())
        if mapped is not None:
            bound = mapped + options.max_rss_mb + _AS_SLACK_MB
            limit = bound if limit <= 0 else min(limit, bound)
    return limit


_AS_SLACK_MB = 32


def _vm_size_mb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmSize:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _limit_memory(max_mb: int) -> None:
    if max_mb <= 0:
        return
    try:
        import resource

        limit = int(max_mb) * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # not on this platform: the time limit still holds
        pass


# --- the parent side ---------------------------------------------------------------------

_WORKER_CODE = "from auditor.ingest.pool import worker_main; worker_main()"


class _Worker:
    def __init__(self, options: ScanOptions, engine: Any) -> None:
        from multiprocessing.connection import Connection  # only a scan that reads something needs it

        task_r, task_w = os.pipe()
        res_r, res_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _WORKER_CODE, str(task_r), str(res_w), str(os.getpid())],
                pass_fds=(task_r, res_w),
                stdin=subprocess.DEVNULL,
                stdout=_stderr_fd(),
                start_new_session=True,
            )
        except BaseException:
            for fd in (task_r, task_w, res_r, res_w):
                os.close(fd)
            raise
        os.close(task_r)
        os.close(res_w)
        self.to_child = Connection(task_w, readable=False)
        self.conn = Connection(res_r, writable=False)
        self.ready = False
        self.served = 0  # documents it has read
        self.job: tuple[int, DocTask, str] | None = None
        self.deadline = time.monotonic() + _START_SECONDS
        self.to_child.send((options, engine))

    def send(self, index: int, task: DocTask, sha256: str, timeout: float) -> bool:
        try:
            self.to_child.send((index, task, sha256, timeout))
        except (OSError, ValueError):
            return False
        self.job = (index, task, sha256)
        self.deadline = time.monotonic() + timeout
        return True

    def resident(self) -> int:
        """Resident bytes of the worker and its descendants (tesseract), from /proc."""
        return _tree_rss(self.proc.pid)

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                try:
                    self.proc.kill()
                except OSError:
                    pass
        try:
            self.proc.wait(_JOIN_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        for conn in (self.to_child, self.conn):
            try:
                conn.close()
            except OSError:
                pass

    def stop(self) -> None:
        """Ask an idle worker to leave, then make sure it has."""
        try:
            self.to_child.send(None)
            self.proc.wait(0.5)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass
        self.kill()

    def exit_status(self) -> int | None:
        try:
            return self.proc.wait(_JOIN_SECONDS)
        except subprocess.TimeoutExpired:
            return None


_HAS_PROC = os.path.isdir("/proc/self/task")
_RSS_POLL_SECONDS = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _tree_rss(pid: int) -> int:
    total = 0
    todo = [pid]
    seen = 0
    while todo and seen < 64:
        p = todo.pop()
        seen += 1
        try:
            with open(f"/proc/{p}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * _PAGE
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children", "rb") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


def _stderr_fd() -> int | None:
    try:
        return sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return None


class _Pool:
    def __init__(self, options: ScanOptions, timings: dict[str, float] | None = None) -> None:
        from auditor.ingest.cache import HashMemo, ResultCache

        self.options = options
        self.timings: dict[str, float] = timings if timings is not None else {}
        self.jobs = max(1, options.workers)
        self.window = max(_MIN_WINDOW, 4 * self.jobs)
        self.cache = ResultCache.for_options(options)
        self.hashes = HashMemo(self.cache.root) if self.cache is not None else None
        self.workers: list[_Worker] = []
        # resident bytes one document may use (its worker and the worker's children)
        self.rss_limit = options.max_rss_mb * 1024 * 1024 if options.max_rss_mb > 0 and _HAS_PROC else 0
        self._engine: Any = None
        self._probed = False
        self.started = 0  # worker processes started (replacements included)
        # progress: a document handed to a worker, and how many of its pages it has read
        self.on_start: Callable[[DocTask], None] | None = None
        self.on_page: Callable[[DocTask, int, int], None] | None = None
        self._sent: dict[int, float] = {}  # when each document went to a worker
        self._start_failures = 0
        # a document over the memory bound in a worker that had read others first: the
        # worker's own heap may be what filled the bound, so a fresh worker reads it again
        # (once) before the document is called too large
        self._again: deque[tuple[int, DocTask, str]] = deque()
        self._tried_again: set[int] = set()
        self.retried = 0  # documents read a second time in a fresh worker

    # -- main loop --

    def run(self, tasks: Iterable[DocTask], on_done: Progress | None) -> Iterator[DocumentResult]:
        source = iter(tasks)
        exhausted = False
        pulled = 0  # documents taken from the input
        emitted = 0  # results yielded
        pending: dict[int, DocTask] = {}
        ready: dict[int, DocumentResult] = _Ready()
        started: dict[int, float] = {}
        log = _doc_log()
        queue: deque[tuple[int, DocTask, str]] = deque()
        while True:
            while not exhausted and pulled - emitted < self.window:
                try:
                    task = next(source)
                except StopIteration:
                    exhausted = True
                    break
                pending[pulled] = task
                t0 = time.perf_counter()
                done, sha256 = self._prepare(task)
                started[pulled] = time.perf_counter() - t0  # the parent's own seconds on it
                self.timings["prepare"] = self.timings.get("prepare", 0.0) + started[pulled]
                if done is not None:
                    ready[pulled] = done
                else:
                    queue.append((pulled, task, sha256))
                    self._collect(ready, block=False)  # keep workers busy while hashing big files
                    self._dispatch(queue)
                pulled += 1
            if emitted in ready:
                result = ready.pop(emitted)
                task = pending.pop(emitted)
                emitted += 1
                if on_done is not None:
                    on_done(task, result)
                finished = ready.done.pop(emitted - 1, None)
                sent = self._sent.pop(emitted - 1, None)
                own = started.pop(emitted - 1, 0.0)
                if log is not None:
                    worker_s = finished - sent if finished is not None and sent is not None else 0.0
                    _log_document(log, task, result, own + worker_s)
                yield result
                continue
            if exhausted and emitted == pulled:
                return
            self._dispatch(queue)
            self._collect(ready)

    def _prepare(self, task: DocTask) -> tuple[DocumentResult | None, str]:
        """Checks the parent does itself: a regular file, readable, size, PDF
        header, sha256, cache.  The file is opened without blocking and checked
        on the open descriptor, so a FIFO or device swapped in after discovery is
        reported (and moved to ``skipped``), never read."""
        from auditor.ingest.pdf import NotRegularFile, open_regular, sha256_stream, sniff_head

        sha256 = ""
        try:
            with open_regular(task.path) as fh:
                st = os.fstat(fh.fileno())
                size = st.st_size
                if size > self.options.max_bytes:
                    mib = self.options.max_bytes / (1024 * 1024)
                    raise DocumentReadError("too-large", f"the file is {size / (1024 * 1024):.0f} MiB, more than the limit of {mib:.0f} MiB")
                memo = self.hashes.get(task.path, st) if self.hashes is not None else None
                sha256 = memo or sha256_stream(fh)
                fh.seek(0)
                sniff_head(fh.read(1024), size)
            if self.hashes is not None and memo is None:
                self.hashes.put(task.path, st, sha256)
        except DocumentReadError as exc:
            return failed(task, sha256, exc), ""
        except NotRegularFile as exc:
            return not_a_file(task, exc.reason), ""
        except OSError as exc:
            return failed(task, sha256, DocumentReadError("corrupt", f"cannot read the file: {exc.strerror or exc}")), ""
        if self.cache is not None:
            hit = self.cache.get(sha256, task.rel, task.settings)
            if hit is not None:
                return hit, sha256
        return None, sha256

    def _grow(self, queued: int) -> None:
        """Start workers (they boot while the parent hashes the next files)."""
        idle = sum(1 for w in self.workers if w.job is None)
        while len(self.workers) < self.jobs and idle < queued:
            self._start_worker()
            idle += 1

    def _dispatch(self, queue: deque) -> None:
        while self._again:
            queue.appendleft(self._again.pop())
        self._grow(len(queue))
        while queue:
            worker = next((w for w in self.workers if w.ready and w.job is None), None)
            if worker is None:
                return
            index, task, sha256 = queue[0]
            if worker.send(index, task, sha256, self.options.doc_timeout):
                queue.popleft()
                self._sent[index] = time.monotonic()
                if self.on_start is not None:
                    self.on_start(task)
            else:  # it died while idle: replace it and try again
                self._retire(worker)
                self._grow(len(queue))

    def _collect(self, ready: dict[int, DocumentResult], block: bool = True) -> None:
        """Take in what workers have said: ready, results, deaths, time-outs.
        Waits (up to the nearest deadline) for something to happen unless
        ``block`` is false."""
        waiting = [w for w in self.workers if w.job is not None or not w.ready]
        if not waiting:
            return
        if block:
            timeout = max(0.0, min(w.deadline for w in waiting) - time.monotonic())
            if self.rss_limit and any(w.job is not None for w in waiting):
                timeout = min(timeout, _RSS_POLL_SECONDS)
            from multiprocessing.connection import wait

            t0 = time.perf_counter()
            wait([w.conn for w in waiting], timeout=timeout)
            self.timings["wait"] = self.timings.get("wait", 0.0) + time.perf_counter() - t0
        for w in waiting:
            if _has_message(w):
                try:
                    msg = w.conn.recv()
                except (EOFError, OSError):
                    self._died(w, ready)
                    continue
                if msg == "ready":
                    w.ready = True
                    self._start_failures = 0
                    continue
                if type(msg) is tuple and len(msg) == 4 and msg[0] == "page":
                    if w.job is not None and w.job[0] == msg[1] and self.on_page is not None:
                        self.on_page(w.job[1], msg[2], msg[3])
                    continue
                got_index, outcome = msg
                job, w.job = w.job, None
                if outcome.recycle and job is not None and self._read_again(w, job):
                    self._retire(w)
                    continue
                w.served += 1
                ready[got_index] = self._finish(outcome, job[1] if job is not None else None)
                if outcome.recycle:
                    self._retire(w)
            elif self.rss_limit and w.job is not None and w.resident() > self.rss_limit:
                index, task, sha256 = w.job
                if self._read_again(w, w.job):
                    self._retire(w)
                    continue
                ready[index] = self._too_big(w, task, sha256)
            elif time.monotonic() >= w.deadline:
                if w.job is None:  # never became ready
                    self._retire(w)
                    self._start_failed("a worker did not start within "
                                       f"{_START_SECONDS:.0f} s")
                else:
                    index, task, sha256 = w.job
                    ready[index] = self._timed_out(w, task, sha256)

    def _read_again(self, w: _Worker, job: tuple[int, DocTask, str]) -> bool:
        """Queue ``job`` for a fresh worker if ``w`` (now over the memory bound on it) had
        read other documents first and the document was not read again already."""
        if w.served == 0 or job[0] in self._tried_again:
            return False
        self._tried_again.add(job[0])
        self._again.append(job)
        self.retried += 1
        return True

    def _died(self, w: _Worker, ready: dict[int, DocumentResult]) -> None:
        if w.job is None:
            status = w.exit_status()
            self._retire(w)
            if not w.ready:
                self._start_failed(f"a worker exited with status {status} before it was ready")
            return
        index, task, sha256 = w.job
        code = w.exit_status()
        if code in (-signal.SIGKILL, -signal.SIGABRT) and self._read_again(w, w.job):
            self._retire(w)  # killed, or aborted on an allocation: maybe by its own heap
            return
        ready[index] = self._crashed(w, task, sha256)

    def _start_failed(self, why: str) -> None:
        self._start_failures += 1
        if self._start_failures >= _MAX_START_FAILURES:
            raise WorkerStartError(f"cannot start worker processes ({why}; see the messages above)")

    # -- outcomes --

    def _finish(self, outcome: Outcome, task: DocTask | None) -> DocumentResult:
        result = outcome.result
        if self.cache is not None and outcome.cacheable and result.info.error is None and task is not None:
            self.cache.put(result, task.settings)
        return result

    def _timed_out(self, w: _Worker, task: DocTask, sha256: str) -> DocumentResult:
        self._retire(w)
        return failed(task, sha256, DocumentReadError(
            "timeout", f"reading took longer than the limit of {self.options.doc_timeout:g} s (--doc-timeout); the worker was stopped"))

    def _too_big(self, w: _Worker, task: DocTask, sha256: str) -> DocumentResult:
        """(The message leaves out how much was seen: the report stays deterministic.)"""
        self._retire(w)
        return failed(task, sha256, DocumentReadError(
            "too-large", over_memory(self.options)))

    def _crashed(self, w: _Worker, task: DocTask, sha256: str) -> DocumentResult:
        code = w.exit_status()
        self._retire(w)
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            if -code == signal.SIGKILL:
                return failed(task, sha256, DocumentReadError(
                    "too-large", f"the worker reading it was killed ({name}), most likely out of memory"))
            hint = ""
            if -code == signal.SIGABRT and self.options.max_memory_mb > 0:
                hint = f"; it may have run out of the worker's memory ({memory_limit_words(self.options)})"
            return failed(task, sha256, DocumentReadError("corrupt", f"the PDF reader crashed on this file ({name}{hint})"))
        return failed(task, sha256, DocumentReadError(
            "corrupt", f"the worker reading it stopped unexpectedly (exit status {code})"))

    # -- workers --

    def _start_worker(self) -> _Worker:
        if not self._probed:
            self._probed = True
            if self.options.ocr is not OcrMode.OFF:
                from auditor.ingest import ocr

                self._engine = ocr.probe()
        worker = _Worker(self.options, self._engine)
        self.workers.append(worker)
        self.started += 1
        return worker

    def _retire(self, w: _Worker) -> None:
        w.job = None
        w.kill()
        if w in self.workers:
            self.workers.remove(w)

    def close(self) -> None:
        for w in list(self.workers):
            if w.job is None and w.ready:
                w.stop()
            else:
                w.kill()
        self.workers.clear()


class _Ready(dict):
    """Finished results by input index, remembering when each finished."""

    def __init__(self) -> None:
        super().__init__()
        self.done: dict[int, float] = {}

    def __setitem__(self, key: int, value: DocumentResult) -> None:
        self.done[key] = time.monotonic()
        super().__setitem__(key, value)


# Diagnostics for bench/fuzz.py: when set, one JSON line per document is appended to
# this file: its path, the seconds from taking it up (hashing included) to its
# result, and its error code.  Nothing else reads it.
DOC_LOG_ENV = "AUDITOR_DOC_LOG"


def _doc_log():
    path = os.environ.get(DOC_LOG_ENV)
    if not path:
        return None
    try:
        return open(path, "a", encoding="utf-8")
    except OSError:
        return None


def _log_document(log, task: DocTask, result: DocumentResult, seconds: float) -> None:
    import json

    err = result.info.error
    try:
        log.write(json.dumps({"path": task.rel, "seconds": round(seconds, 4), "code": err.code if err else None,
                              "cached": result.from_cache}, ensure_ascii=True) + "\n")
        log.flush()
    except (OSError, ValueError):
        pass


def _has_message(w: _Worker) -> bool:
    try:
        return w.conn.poll()
    except (OSError, ValueError):
        return True  # a closed pipe: recv() will say EOF
