"""Run documents on a Dask cluster (``auditor scan --executor dask``).

The same contract as ``auditor.ingest.pool.process_documents``: results come back
in input order, ``on_done(task, result)`` is called just before each is yielded,
so the pipeline still evaluates a case as soon as its last document is in and the
report is the same, byte for byte, as a local scan.

How the work is split:

* the client (this process) does what the local pool's parent does — size limit,
  PDF sniffing, sha256 (through the cache's hash memo), cache look-up — with the
  very same code (``pool._Pool._prepare``).  A cached document never becomes a
  task: a warm rescan does no document work on the cluster;
* every other document is one Dask task, ``read_on_worker``: it hands the
  document to a local pool (``auditor.ingest.pool``) that lives inside the Dask
  worker process, one per worker thread and kept between tasks.  So a document
  is read by the same worker subprocess, under the same guards, as in a local
  scan: ``--doc-timeout`` (``timeout``), the address-space limit and a crashing
  PDF reader (``too-large``/``corrupt``) give the same error codes and messages;
  the worker side also writes its result to the cache (the cache directory the
  worker sees: a shared ``--cache-dir``, or each worker's own default one, keyed
  the same way);
* the task carries the document's path and sha256, never its bytes (workers
  must see the files at the same path: a shared file system), unless
  ``send_bytes``: then the client scatters the file's bytes to the cluster and
  the worker writes them to a temporary file first.  A worker that cannot see a
  file, or sees different bytes there, stops the scan with an error (exit 2)
  instead of reporting the document as unreadable;
* a Dask worker that dies mid-document (killed, out of memory) loses nothing:
  the scheduler runs its task again on another worker (up to
  ``distributed.scheduler.allowed-failures`` times; then the document is
  reported ``too-large``, as a local worker killed by the kernel is).  The
  result of a task is taken once, by index, so no document is ever doubled;
* at most ``max(16, 4 × worker threads)`` documents are in flight or waiting to
  be yielded, so memory stays flat however long the scan.

With no scheduler address a ``LocalCluster`` is started, one single-threaded
worker process per ``--jobs`` (default: per CPU), on the loopback interface and
with its dashboard on a free port; it is started only once a document needs reading.  An
address that answers no scheduler, or a scheduler lost mid-scan, is a
``ClusterError`` (exit 2, one line): never a silent fallback to local work.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from auditor.errors import AuditorError, DocumentReadError, ExitCode
from auditor.ingest.worker import DocTask, failed
from auditor.models import DocumentResult
from auditor.options import ScanOptions

Progress = Callable[[DocTask, DocumentResult], None]

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"  # Dask's own variable for the scheduler's address
INSTALL_HINT = "pip install 'auditor[dask]'"
_MIN_WINDOW = 16
_CLOSE_SECONDS = 10


class ClusterError(AuditorError):
    """The cluster cannot do the scan: no scheduler at the address, the scheduler
    lost, dask not installed, workers that cannot see the files.  Exit 2."""

    exit_code = ExitCode.USAGE


class WorkerFileError(RuntimeError):
    """Raised on a worker that cannot see a document as the client does."""


def process_documents(
    tasks: Iterable[DocTask], options: ScanOptions, on_done: Progress | None = None,
    timings: dict[str, float] | None = None,
) -> Iterator[DocumentResult]:
    """Results of ``tasks`` in input order, read on the Dask cluster of
    ``options.scheduler`` (a ``LocalCluster`` when it is None)."""
    run = _DaskRun(options, timings)
    try:
        yield from run.run(tasks, on_done)
    finally:
        run.close()


# --- the worker side ---------------------------------------------------------------------

_free_pools: dict[ScanOptions, list[Any]] = {}
_pools_lock = threading.Lock()


def read_on_worker(task: DocTask, options: ScanOptions, sha256: str, data: bytes | None = None) -> DocumentResult:
    """One document, read on a Dask worker by a local pool's worker process
    (``auditor.ingest.pool``), exactly as a local scan reads it."""
    spilled: Path | None = None
    if data is not None:
        spilled = _spill(data, sha256, task.path.suffix)
        task = replace(task, path=spilled)
    elif not task.path.is_file():
        raise WorkerFileError(f"the Dask worker on {_host()} cannot see {task.path} (workers must see the "
                              "documents at the same path, e.g. on a shared file system; or use --send-bytes)")
    pool = _checkout(options)
    try:
        results = list(pool.run([task], None))
    except BaseException:
        pool.close()  # in an unknown state: not reused
        pool = None
        raise
    finally:
        if pool is not None:
            _checkin(options, pool)
        if spilled is not None:
            spilled.unlink(missing_ok=True)
    (result,) = results
    if sha256 and result.info.sha256 and result.info.sha256 != sha256:
        raise WorkerFileError(f"the Dask worker on {_host()} sees other bytes at {task.path} (sha256 "
                              f"{result.info.sha256[:12]}…, the client's {sha256[:12]}…): the file changed "
                              "during the scan, or the workers see another file system (use --send-bytes)")
    return result


def release_pools() -> int:
    """Stop this process's idle pools (their worker processes); the number stopped."""
    with _pools_lock:
        pools = [p for stack in _free_pools.values() for p in stack]
        _free_pools.clear()
    for pool in pools:
        pool.close()
    return len(pools)


def _checkout(options: ScanOptions):
    from auditor.ingest.pool import _Pool

    with _pools_lock:
        stack = _free_pools.get(options)
        if stack:
            return stack.pop()
    return _Pool(options)


def _checkin(options: ScanOptions, pool) -> None:
    with _pools_lock:
        _free_pools.setdefault(options, []).append(pool)


def _spill(data: bytes, sha256: str, suffix: str) -> Path:
    """The bytes sent with --send-bytes, as a private temporary file."""
    fd, name = tempfile.mkstemp(prefix=f"auditor-{sha256[:16]}-", suffix=suffix or ".pdf")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return Path(name)


def _host() -> str:
    import socket

    return socket.gethostname()


# --- the client side ---------------------------------------------------------------------


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise ClusterError(f"--executor dask needs dask and distributed: {INSTALL_HINT}") from None
    return distributed


class _DaskRun:
    def __init__(self, options: ScanOptions, timings: dict[str, float] | None) -> None:
        from auditor.ingest.pool import _Pool

        self.distributed = _import_distributed()
        self.options = options
        self.timings: dict[str, float] = timings if timings is not None else {}
        # the client's share of the work: the local pool's own checks (it starts no worker)
        self.prepare = _Pool(options, self.timings)
        # a worker's pool reads one document at a time
        self.task_options = replace(options, jobs=1, progress=False)
        self.cluster = None
        self.client = None
        self.address = options.scheduler
        self._quiet_logs()
        if self.address:
            try:
                self._connect(self.address)  # fail fast: before hashing anything
            except BaseException:
                self.close()
                raise

    # -- connecting --

    def _quiet_logs(self) -> None:
        """distributed's own log lines (connection retries, worker restarts, its
        tracebacks when the scheduler goes away) would break the one-line error
        contract; the errors that matter are ours.  Restored by ``close``."""
        self._log_levels: list[tuple[Any, int]] = []
        names = ["distributed", "tornado", *(n for n in list(logging.root.manager.loggerDict)
                                             if n.startswith(("distributed.", "tornado.")))]
        for name in names:
            logger = logging.getLogger(name)
            for item in (logger, *logger.handlers):
                self._log_levels.append((item, item.level))
                item.setLevel(logging.CRITICAL + 1)

    def _connect(self, address: str) -> None:
        import dask

        timeout = dask.config.get("distributed.comm.timeouts.connect")
        _probe(address, dask.utils.parse_timedelta(timeout))
        try:
            self.client = self.distributed.Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"no Dask scheduler answers at {address} ({_one_line(exc)})") from None
        except (ValueError, TypeError) as exc:
            raise ClusterError(f"not a Dask scheduler address: {address!r} ({_one_line(exc)})") from None

    def _ensure_client(self):
        if self.client is None:
            self._start_local_cluster()
        return self.client

    def _start_local_cluster(self) -> None:
        try:
            self.cluster = self.distributed.LocalCluster(
                n_workers=self.options.workers, threads_per_worker=1, processes=True,
                host="127.0.0.1", scheduler_port=0, dashboard_address="127.0.0.1:0",
                silence_logs=logging.CRITICAL + 1,
            )
        except Exception as exc:
            raise ClusterError(f"cannot start a local Dask cluster ({type(exc).__name__}: {_one_line(exc)})") from None
        self.address = self.cluster.scheduler_address
        self._connect(self.address)

    @property
    def window(self) -> int:
        if self.client is None:
            return _MIN_WINDOW
        try:
            threads = sum(self.client.nthreads().values())
        except Exception:
            threads = 0
        return max(_MIN_WINDOW, 4 * threads)

    # -- main loop --

    def run(self, tasks: Iterable[DocTask], on_done: Progress | None) -> Iterator[DocumentResult]:
        import time

        source = iter(tasks)
        exhausted = False
        pulled = emitted = 0
        slots: dict[int, tuple[DocTask, str, Any]] = {}
        window = self.window
        while True:
            while not exhausted and pulled - emitted < window:
                try:
                    task = next(source)
                except StopIteration:
                    exhausted = True
                    break
                t0 = time.perf_counter()
                done, sha256 = self.prepare._prepare(task)
                self.timings["prepare"] = self.timings.get("prepare", 0.0) + time.perf_counter() - t0
                if done is not None:
                    slots[pulled] = (task, sha256, done)
                else:
                    fresh = self.client is None
                    slots[pulled] = (task, sha256, self._submit(task, sha256))
                    if fresh:
                        window = self.window
                pulled += 1
            if emitted == pulled:
                return
            task, sha256, item = slots.pop(emitted)
            if not isinstance(item, DocumentResult):
                t0 = time.perf_counter()
                item = self._result(item, task, sha256)
                self.timings["wait"] = self.timings.get("wait", 0.0) + time.perf_counter() - t0
            emitted += 1
            if on_done is not None:
                on_done(task, item)
            yield item

    def _submit(self, task: DocTask, sha256: str):
        client = self._ensure_client()
        data = None
        try:
            if self.options.send_bytes:
                data = client.scatter(task.path.read_bytes(), hash=False)
            return client.submit(read_on_worker, task, self.task_options, sha256, data, pure=False, retries=2)
        except OSError as exc:
            if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
                # the file went away after hashing: what a local scan says of it
                return failed(task, sha256, DocumentReadError("corrupt", f"cannot read the file: {exc.strerror or exc}"))
            raise self._lost(exc) from None

    def _result(self, future, task: DocTask, sha256: str) -> DocumentResult:
        distributed = self.distributed
        if isinstance(future, DocumentResult):
            return future
        try:
            return future.result()
        except WorkerFileError as exc:
            raise ClusterError(str(exc)) from None
        except distributed.KilledWorker as exc:
            return failed(task, sha256, DocumentReadError(
                "too-large", f"the Dask workers reading it died ({_one_line(exc)}), most likely out of memory"))
        except (OSError, TimeoutError, distributed.client.FutureCancelledError) as exc:
            raise self._lost(exc) from None
        except Exception as exc:
            from concurrent.futures import CancelledError

            if isinstance(exc, CancelledError) or type(exc).__name__ == "CommClosedError":
                raise self._lost(exc) from None
            raise

    def _lost(self, exc: BaseException) -> ClusterError:
        return ClusterError(f"lost the Dask scheduler at {self.address} ({type(exc).__name__}: {_one_line(exc)})")

    def close(self) -> None:
        client, cluster = self.client, self.cluster
        self.client = self.cluster = None
        if client is not None:
            try:
                if client.status == "running":
                    client.run(release_pools)  # stop the worker-side reader processes
            except Exception:
                pass
            try:
                client.close(timeout=_CLOSE_SECONDS)
            except Exception:
                pass
        if cluster is not None:
            try:
                cluster.close(timeout=_CLOSE_SECONDS)
            except Exception:
                pass
        self.prepare.close()
        for item, level in reversed(self._log_levels):
            item.setLevel(level)


def _probe(address: str, timeout: float) -> None:
    """Is the address well formed, and does something listen there?  Checked
    before ``Client`` is built: a Client that fails to connect lingers and
    stalls the interpreter's exit."""
    import socket

    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, loc = parse_address(address)
        if scheme not in ("tcp", "tls"):
            return  # other transports (inproc, ucx): the Client says
        host, port = parse_host_port(loc)
    except (ValueError, TypeError) as exc:
        raise ClusterError(f"not a Dask scheduler address: {address!r} ({_one_line(exc)})") from None
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise ClusterError(f"no Dask scheduler answers at {address} ({why})") from None


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
