"""``auditor scan --executor dask``: the same report as a local scan, on a real
Dask cluster (a LocalCluster of worker processes, and ``dask scheduler`` /
``dask worker`` subprocesses on loopback).  Nothing is mocked: documents are
read by the real pool inside real Dask workers, and faults are real (a worker
process killed with SIGKILL mid-document, a scheduler killed mid-scan)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

import pdfgen  # noqa: E402
from auditor.ingest import dask_executor  # noqa: E402
from auditor.ingest.pool import process_documents as local_documents  # noqa: E402
from auditor.ingest.worker import DocTask  # noqa: E402
from auditor.options import OcrMode, ScanOptions  # noqa: E402
from auditor.pipeline import run_scan  # noqa: E402
from auditor.report import Format, render  # noqa: E402
from auditor.ruleset.schema import builtin_rules_dir, load_rules  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "fixtures" / "cases"
# a born-digital case, a scanned one (OCR) and a clean control
SUBSET = ("islamabad-safe-city", "scanned-summary", "clean-open-tender")
GOOD = ["The Authority invited open competitive bids for the supply of buses.",
        "The contract was signed on 3 March 2021."]


def _env() -> dict[str, str]:
    """The environment of every process the tests start: this checkout first."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT"] = "3s"
    env.pop("DASK_SCHEDULER_ADDRESS", None)
    return env


def _local_cluster(n: int = 2):
    return distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                    scheduler_port=0, dashboard_address="127.0.0.1:0")


@pytest.fixture(scope="module")
def cluster():
    with _local_cluster() as c:
        yield c


@pytest.fixture(scope="module")
def rules():
    return load_rules([builtin_rules_dir()])[0]


def _json(paths, options, rules) -> str:
    return render(run_scan(paths, options, rules), Format.JSON)


def test_fixtures_give_the_local_report_on_a_local_cluster(cluster, rules, fixtures_report):
    options = ScanOptions(use_cache=False, executor="dask", scheduler=cluster.scheduler_address)
    report = json.loads(_json([CASES], options, rules))
    assert report == fixtures_report
    assert len(report["cases"]) == len(fixtures_report["cases"]) > 20


def test_send_bytes_gives_the_same_report(cluster, rules, tmp_path):
    import tempfile

    paths = [CASES / name for name in SUBSET]
    before = set(os.listdir(tempfile.gettempdir()))  # (left behind by a run killed earlier: not ours)
    local = _json(paths, ScanOptions(use_cache=False, jobs=2), rules)
    sent = _json(paths, ScanOptions(use_cache=False, executor="dask", scheduler=cluster.scheduler_address,
                                    send_bytes=True), rules)
    assert sent == local
    # the worker's temporary copies are gone
    shas = [d["sha256"][:16] for c in json.loads(sent)["cases"] for d in c["documents"]]
    left = [n for n in set(os.listdir(tempfile.gettempdir())) - before if any(n.startswith(f"auditor-{s}") for s in shas)]
    assert left == []


REAL = ROOT.parent / "shared" / "corpus" / "real"
# two scanned one-page notices (OCR) and a born-digital judgment
REAL_SUBSET = ("pk-post-tender-notice__tenders26_Tender_Notice_for_Security_Services_Under_The_Postmaster_General_"
               "Northern_Sindh_Circle_Hyderabad.pdf", "ph-notice-of-award__25-1045_-_CONFORMED_NOA_-_GOURMET_FARMS.pdf",
               "pk-sc-judgment__judgement_H.R.C.14158-G-2016.pdf")


@pytest.mark.skipif(not REAL.is_dir(), reason="shared corpus not present")
def test_real_scanned_documents_give_the_local_report(cluster, rules):
    paths = [REAL / name for name in REAL_SUBSET]
    local = _json(paths, ScanOptions(use_cache=False, jobs=2), rules)
    on_cluster = _json(paths, ScanOptions(use_cache=False, executor="dask", scheduler=cluster.scheduler_address), rules)
    assert on_cluster == local
    assert json.loads(local)["stats"]["ocr_pages"] >= 2


def _codes(results) -> list[tuple[str, str | None, str | None, int]]:
    return [(r.info.path, r.info.error.code if r.info.error else None,
             r.info.error.message if r.info.error else None, r.info.pages) for r in results]


def test_broken_slow_and_memory_hungry_documents_get_the_local_codes(cluster, tmp_path):
    """Time limit, memory guard, crashing reader and unreadable files: the same
    codes and messages as a local scan (the same pool reads them on the worker)."""
    good = pdfgen.text_pdf(tmp_path / "a-good.pdf", [GOOD])
    pdfgen.empty_file(tmp_path / "b-empty.pdf")
    pdfgen.random_bytes(tmp_path / "c-random.pdf")
    pdfgen.truncated(tmp_path / "d-truncated.pdf", good)
    pdfgen.encrypted(tmp_path / "e-encrypted.pdf", good)
    pdfgen.slow_pdf(tmp_path / "f-slow.pdf", pages=20)
    pdfgen.content_bomb_pdf(tmp_path / "g-bomb.pdf", gib=4)
    pdfgen.many_pages_pdf(tmp_path / "h-many.pdf", 30)
    pdfgen.text_pdf(tmp_path / "i-good.pdf", [GOOD, ["Second page."]])
    codes = {}
    # the time limit (a short one), then the other guards (a time limit the bomb never reaches)
    for names, timeout in ((["f-slow.pdf", "a-good.pdf"], 1.5),
                           (sorted(p.name for p in tmp_path.iterdir() if p.name != "f-slow.pdf"), 120)):
        tasks = [DocTask(tmp_path / n, n, ".") for n in names]
        base = ScanOptions(use_cache=False, ocr=OcrMode.OFF, doc_timeout=timeout, max_memory_mb=512, max_pages=29)
        local = _codes(local_documents(tasks, base))
        on_cluster = _codes(dask_executor.process_documents(
            tasks, ScanOptions(**{**_fields(base), "executor": "dask", "scheduler": cluster.scheduler_address})))
        assert on_cluster == local
        codes.update({path: code for path, code, _, _ in local})
    assert codes["f-slow.pdf"] == "timeout" and codes["h-many.pdf"] == "too-large"
    assert codes["g-bomb.pdf"] in ("corrupt", "too-large")
    assert codes["a-good.pdf"] is None and codes["i-good.pdf"] is None


def _fields(options: ScanOptions) -> dict:
    from dataclasses import fields

    return {f.name: getattr(options, f.name) for f in fields(options)}


def test_a_worker_that_cannot_see_the_file_stops_the_scan(cluster, tmp_path):
    task = DocTask(tmp_path / "nowhere.pdf", "nowhere.pdf", ".")
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        future = client.submit(dask_executor.read_on_worker, task, ScanOptions(use_cache=False), "0" * 64, pure=False)
        with pytest.raises(dask_executor.WorkerFileError, match="cannot see .*nowhere.pdf.*--send-bytes"):
            future.result()


def test_a_worker_killed_mid_document_loses_and_doubles_nothing(rules, tmp_path):
    """SIGKILL the Dask worker process that is reading a document: the scheduler
    gives the task to another worker, and the report is the local one."""
    root = tmp_path / "docs"
    for case in ("slow-a", "slow-b"):
        (root / case).mkdir(parents=True)
        for i in range(2):
            pdfgen.slow_pdf(root / case / f"slow-{i}.pdf", pages=3)
        pdfgen.text_pdf(root / case / "notice.pdf", [GOOD])
    base = ScanOptions(use_cache=False, ocr=OcrMode.OFF, doc_timeout=120)
    local = _json([root], base, rules)
    killed: list[str] = []
    with _local_cluster() as c, distributed.Client(c.scheduler_address, set_as_default=False) as client:
        def killer() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not killed:
                busy = [w for w, keys in client.processing().items()
                        if any(str(k).startswith("read_on_worker") for k in keys)]
                if busy:
                    time.sleep(0.5)  # well inside the document (seconds of work)
                    pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                    os.kill(pid, signal.SIGKILL)
                    killed.append(busy[0])
                    return
                time.sleep(0.05)

        thread = threading.Thread(target=killer)
        thread.start()
        try:
            options = ScanOptions(**{**_fields(base), "executor": "dask", "scheduler": c.scheduler_address})
            on_cluster = _json([root], options, rules)
        finally:
            thread.join()
    assert killed, "no worker was seen reading a document"
    assert on_cluster == local
    docs = [d["path"] for case in json.loads(on_cluster)["cases"] for d in case["documents"]]
    assert sorted(docs) == sorted(set(docs)) and len(docs) == 6
    assert all(d["error"] is None for case in json.loads(on_cluster)["cases"] for d in case["documents"])


# --- the command line, with `dask scheduler` and `dask worker` subprocesses ------------------


def _auditor(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "auditor", "scan", *args], capture_output=True, text=True,
                          env=env or _env(), timeout=timeout, cwd=ROOT)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask_command(*args: str) -> list[str]:
    """``dask scheduler ...`` / ``dask worker ...``: the command the extra installs."""
    exe = Path(sys.executable).parent / "dask"
    if not exe.exists():
        pytest.skip("no `dask` command beside this python")
    return [str(exe), *args]


@pytest.fixture
def processes():
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in started:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _start(processes: list, argv: list[str], log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(argv, stdout=log.open("w"), stderr=subprocess.STDOUT, env=_env(), cwd=ROOT)
    processes.append(proc)
    return proc


def _wait_for_workers(address: str, n: int) -> None:
    with distributed.Client(address, set_as_default=False, timeout="30s") as client:
        client.wait_for_workers(n, timeout=90)


def test_cli_on_dask_scheduler_and_worker_subprocesses(tmp_path, processes):
    """The same JSON bytes as --executor local; the cache works on the cluster
    (a warm rescan completes with no worker at all); losing the scheduler
    mid-scan is a one-line error and exit 2."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = _start(processes, _dask_command("scheduler", "--host", "127.0.0.1", "--port", str(port),
                                                "--dashboard-address", "127.0.0.1:0"), tmp_path / "scheduler.log")
    workers = _start(processes, _dask_command("worker", address, "--nworkers", "2", "--nthreads", "1",
                                              "--no-dashboard", "--host", "127.0.0.1"), tmp_path / "worker.log")
    _wait_for_workers(address, 2)
    paths = [str(CASES / name) for name in SUBSET]
    local = _auditor(*paths, "--format", "json", "--no-cache", "-q")
    assert local.returncode == 0, local.stderr
    cache = tmp_path / "shared-cache"
    cold = _auditor(*paths, "--format", "json", "--cache-dir", str(cache), "-q", "--executor", "dask",
                    "--scheduler", address)
    assert cold.returncode == 0, cold.stderr
    assert cold.stdout == local.stdout
    assert json.loads(cold.stdout)["stats"]["ocr_pages"] > 0  # the scanned case was OCR'd on the cluster

    # no worker left: a warm rescan (scheduler from DASK_SCHEDULER_ADDRESS) must not need one
    workers.send_signal(signal.SIGTERM)
    workers.wait(30)
    with distributed.Client(address, set_as_default=False) as client:
        assert client.nthreads() == {}
    env = {**_env(), "DASK_SCHEDULER_ADDRESS": address}
    warm = _auditor(*paths, "--format", "json", "--cache-dir", str(cache), "-q", "--executor", "dask",
                    "--timings", env=env, timeout=60)
    assert warm.returncode == 0, warm.stderr
    stats = json.loads(warm.stdout)["stats"]
    assert stats["cache_hits"] == stats["documents"] > 0

    # a document to read and no worker: the task waits; then the scheduler goes away
    (tmp_path / "new").mkdir()
    pdfgen.text_pdf(tmp_path / "new" / "fresh.pdf", [GOOD])
    proc = subprocess.Popen([sys.executable, "-m", "auditor", "scan", str(tmp_path / "new"), "--no-cache", "-q",
                             "--executor", "dask"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=ROOT)
    def _tasks_waiting(dask_scheduler) -> int:  # runs on the scheduler (pickled by value)
        return sum(1 for key in dask_scheduler.tasks if str(key).startswith("read_on_worker"))

    with distributed.Client(address, set_as_default=False) as client:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not client.run_on_scheduler(_tasks_waiting):
            time.sleep(0.1)
        assert client.run_on_scheduler(_tasks_waiting), "the scan never submitted its document"
    scheduler.kill()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, err
    assert err.count("\n") == 1 and err.startswith(f"error: lost the Dask scheduler at {address}"), err
    assert out == ""


def test_no_scheduler_at_the_address_is_exit_2_in_one_line():
    port = _free_port()
    for args, env in ((["--scheduler", f"tcp://127.0.0.1:{port}"], _env()),
                      ([], {**_env(), "DASK_SCHEDULER_ADDRESS": f"tcp://127.0.0.1:{port}"})):
        proc = _auditor(str(CASES / "clean-open-tender"), "--executor", "dask", *args, env=env, timeout=60)
        assert proc.returncode == 2
        assert proc.stdout == ""
        assert proc.stderr == f"error: no Dask scheduler answers at tcp://127.0.0.1:{port} (Connection refused)\n"


@pytest.mark.parametrize("args, message", [
    (["--executor", "spark"], "error: --executor must be one of: local, dask (got 'spark')\n"),
    (["--scheduler", "tcp://127.0.0.1:8786"], "error: --scheduler needs --executor dask\n"),
    (["--send-bytes"], "error: --send-bytes needs --executor dask\n"),
    (["--executor", "dask", "--scheduler", "nonsense"],
     "error: not a Dask scheduler address: 'nonsense' (missing port number in address 'nonsense')\n"),
])
def test_bad_executor_options_are_usage_errors(args, message):
    proc = _auditor(str(CASES / "clean-open-tender"), *args, timeout=60)
    assert (proc.returncode, proc.stderr, proc.stdout) == (2, message, "")


# --- the benchmark --------------------------------------------------------------------------


def test_bench_executor_dask_reports_every_field(tmp_path):
    """bench/bench.py --executor dask runs end to end (no timing is asserted)."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    for src in ("islamabad-safe-city/judgment.pdf", "value-mismatch/board-minutes.pdf"):
        (folder / src.replace("/", "--")).write_bytes((CASES / src).read_bytes())
    out, md = tmp_path / "bench.json", tmp_path / "BENCHMARKS.md"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "bench.py"), str(folder), "--executor", "dask",
                           "--workers", "1", "--quick", "--record", "--benchmarks", str(md), "--json", str(out)],
                          capture_output=True, text=True, timeout=600, env=_env(), cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    e = json.loads(out.read_text())["executors"]
    assert (e["docs"], e["repeat"], e["ocr"]) == (2, 1, "off")
    (row,) = e["rows"]
    assert row["workers"] == 1 and row["documents"] == 2 and row["same_report"] is True
    for key in ("local_wall", "dask_wall", "local_pages_per_s", "dask_pages_per_s", "x_local", "fixed_overhead_s",
                "overhead_ms_per_doc"):
        assert isinstance(row[key], float), key
    assert e["local_cluster"]["same_report"] is True and e["local_cluster"]["workers"] == 1
    text = md.read_text()
    assert "| workers | documents |" in text and "overhead ms/document" in text and "| 1 | 2 |" in text


def _cli_in(code: str, *args: str) -> subprocess.CompletedProcess:
    """The CLI in a fresh interpreter, after ``code`` (run first)."""
    script = f"import sys\n{code}\nsys.argv = ['auditor', 'scan', *sys.argv[1:]]\nfrom auditor.cli import main\nmain()\n"
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120,
                          env=_env(), cwd=ROOT)


def test_without_distributed_installed_the_dask_executor_is_a_usage_error():
    proc = _cli_in("sys.modules['distributed'] = None  # as if the extra were not installed",
                   str(CASES / "clean-open-tender"), "--executor", "dask", "--no-cache", "-q")
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "error: --executor dask needs dask and distributed: pip install 'auditor[dask]'\n"


def test_a_local_scan_never_imports_dask():
    proc = _cli_in("import atexit\natexit.register(lambda: sys.stderr.write("
                   "'dask imported\\n' if {'dask', 'distributed'} & set(sys.modules) else 'dask not imported\\n'))",
                   str(CASES / "clean-open-tender"), "--no-cache", "-q", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.endswith("dask not imported\n")
