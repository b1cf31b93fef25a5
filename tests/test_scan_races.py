"""Issue 15: scans that share a cache, scans that are interrupted, and
determinism.  Every scan here is the real command line in its own process; the
reports are compared as bytes with the report of a ``--no-cache`` scan."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pdfgen
from auditor.ingest.cache import CACHE_FORMAT

TEXTS = [
    ["Tender notice published on 1 March 2021; sealed bids must reach this office on or before 11.03.2021",
     "(national competitive bidding) for the supply of office stationery."],
    ["The Ministry awarded the contract to M/s Alpha Ltd through direct contracting",
     "without advertisement, for Rs. 25,740,000."],
    ["The matter may be kept confidential and low profile at the request of the vendor."],
    ["The feasibility study (PC-I) was not prepared before the award of the contract."],
    ["The contract price of the works is Rs. 31,000,000 as per the agreement signed on 2 April 2021."],
    ["The Authority invited open competitive bids for the supply of buses, advertised on the PPRA website."],
]


def make_folder(where: Path, prefix: str, count: int) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        pdfgen.text_pdf(where / f"{prefix}{i:02d}.pdf", [TEXTS[i % len(TEXTS)] + [f"Reference {prefix}-{i}."]])
    return where


def cmd(*paths: Path, cache: Path | None, jobs: int = 1) -> list[str]:
    c = [sys.executable, "-m", "auditor", "scan", *map(str, paths), "--format", "json", "--ocr", "off",
         "--quiet", "--jobs", str(jobs)]
    return c + (["--cache-dir", str(cache)] if cache is not None else ["--no-cache"])


def scan(*paths: Path, cache: Path | None, jobs: int = 1) -> bytes:
    proc = subprocess.run(cmd(*paths, cache=cache, jobs=jobs), capture_output=True, timeout=180)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    return proc.stdout


def entries(cache: Path) -> list[Path]:
    return sorted((cache / f"v{CACHE_FORMAT}").rglob("*.json"))


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("races")
    return make_folder(base / "one", "a", 8), make_folder(base / "two", "b", 8)


@pytest.fixture(scope="module")
def references(folders) -> dict[Path, bytes]:
    return {f: scan(f, cache=None, jobs=2) for f in folders}


@pytest.mark.parametrize("which", ["same-folder", "different-folders"])
def test_two_scans_sharing_one_cache_at_once_give_single_scan_reports(tmp_path, folders, references, which):
    cache = tmp_path / "cache"
    targets = [folders[0], folders[0]] if which == "same-folder" else list(folders)
    for round_ in ("cold", "warm"):
        procs = [subprocess.Popen(cmd(t, cache=cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE) for t in targets]
        outs = [p.communicate(timeout=180) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [err.decode()[-2000:] for _, err in outs]
        for target, (out, _err) in zip(targets, outs):
            assert out == references[target], f"{round_} scan of {target.name} differs from a --no-cache scan"
    assert len(entries(cache)) == (8 if which == "same-folder" else 16)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_scan_leaves_a_cache_that_gives_the_no_cache_report(tmp_path, sig):
    case = make_folder(tmp_path / "case", "a", 5)
    pdfgen.slow_pdf(case / "b-slow.pdf", pages=25)  # seconds of work: the scan is stopped while it is read
    make_folder(case, "c", 3)
    reference = scan(case, cache=None)
    cache = tmp_path / "cache"
    # Ctrl-C at the default disposition, as a terminal gives it: a run started in the background
    # of a non-interactive shell inherits SIGINT ignored, and a program rightly keeps it so
    proc = subprocess.Popen(cmd(case, cache=cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while len(entries(cache)) < 5 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the scan ended before it could be interrupted"
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    assert proc.returncode in ((130, -signal.SIGINT) if sig == signal.SIGINT else (-signal.SIGKILL,))
    assert scan(case, cache=cache) == reference
    assert scan(case, cache=cache) == reference  # and again, now fully cached


def test_fresh_caches_and_the_number_of_jobs_give_byte_identical_json(tmp_path, folders, references):
    one = scan(*folders, cache=tmp_path / "c1", jobs=1)
    two = scan(*folders, cache=tmp_path / "c2", jobs=2)
    assert one == two
    assert scan(*folders, cache=tmp_path / "c1", jobs=2) == one  # warm, other job count
    assert scan(*folders, cache=None, jobs=2) == one
    assert os.listdir(tmp_path / "c1") and os.listdir(tmp_path / "c2")
