"""The per-document result cache: hits, re-stamping, invalidation, damage,
and two scans writing at once."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import pdfgen
from auditor.ingest.cache import CACHE_FORMAT, ResultCache, default_dir
from auditor.ingest.pool import _Pool
from auditor.ingest.worker import DocTask
from auditor.models import DocumentResult
from auditor.options import OcrMode, ScanOptions

AWARD = ["The Ministry awarded the contract to M/s Alpha Ltd through direct contracting",
         "without advertisement, for Rs. 25,740,000."]


def run(tasks: list[DocTask], cache_dir: Path, **opts) -> tuple[list[DocumentResult], _Pool]:
    opts.setdefault("ocr", OcrMode.OFF)
    pool = _Pool(ScanOptions(cache_dir=cache_dir, jobs=2, **opts))
    try:
        results = list(pool.run(tasks, None))
    finally:
        pool.close()
    return results, pool


def entries(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / f"v{CACHE_FORMAT}").rglob("*.json"))


@pytest.fixture()
def folder(tmp_path) -> Path:
    d = tmp_path / "case"
    d.mkdir()
    pdfgen.text_pdf(d / "award.pdf", [AWARD])
    pdfgen.text_pdf(d / "notice.pdf", [["Tender notice for the supply of buses, open competitive bidding."]])
    return d


def tasks_of(folder: Path, prefix: str = "case") -> list[DocTask]:
    return [DocTask(p, f"{prefix}/{p.name}", prefix) for p in sorted(folder.glob("*.pdf"))]


def test_second_scan_is_served_from_the_cache_without_workers(folder, tmp_path):
    cache = tmp_path / "cache"
    cold, pool = run(tasks_of(folder), cache)
    assert pool.started >= 1
    assert not any(r.from_cache for r in cold)
    assert len(entries(cache)) == 2
    warm, pool = run(tasks_of(folder), cache)
    assert pool.started == 0
    assert all(r.from_cache for r in warm)
    for c, w in zip(cold, warm):
        assert w.info == c.info
        assert w.facts == c.facts
        assert dict(w.timings).keys() == {"cache"}


def test_a_hit_is_restamped_with_the_new_relative_path(folder, tmp_path):
    cache = tmp_path / "cache"
    cold, _ = run(tasks_of(folder), cache)
    assert any(f.kind == "tendering-waived" for f in cold[0].facts)
    elsewhere = tmp_path / "other" / "place"
    elsewhere.mkdir(parents=True)
    shutil.copy(folder / "award.pdf", elsewhere / "award.pdf")
    warm, _ = run([DocTask(elsewhere / "award.pdf", "other/place/award.pdf", "other/place")], cache)
    hit = warm[0]
    assert hit.from_cache
    assert hit.info.path == "other/place/award.pdf"
    assert hit.facts and all(e.document == "other/place/award.pdf" for f in hit.facts for e in f.evidence)
    assert hit.info.sha256 == cold[0].info.sha256


def test_a_renamed_copy_is_read_again(folder, tmp_path):
    # the document kind is partly guessed from the file name
    cache = tmp_path / "cache"
    run(tasks_of(folder), cache)
    shutil.copy(folder / "award.pdf", tmp_path / "minutes.pdf")
    warm, pool = run([DocTask(tmp_path / "minutes.pdf", "minutes.pdf", ".")], cache)
    assert not warm[0].from_cache and pool.started == 1


def test_options_that_change_reading_are_part_of_the_key(folder, tmp_path):
    cache = tmp_path / "cache"
    run(tasks_of(folder), cache, ocr=OcrMode.OFF)
    again, _ = run(tasks_of(folder), cache, ocr=OcrMode.AUTO, dpi=200)
    assert not any(r.from_cache for r in again)
    again, _ = run(tasks_of(folder), cache, ocr=OcrMode.AUTO, dpi=200)
    assert all(r.from_cache for r in again)
    assert len(entries(cache)) == 4


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "other-format", "wrong-type"])
def test_a_damaged_entry_is_ignored_and_rebuilt(folder, tmp_path, damage):
    cache = tmp_path / "cache"
    cold, _ = run(tasks_of(folder), cache)
    for entry in entries(cache):
        data = entry.read_bytes()
        if damage == "garbage":
            entry.write_bytes(os.urandom(len(data)))
        elif damage == "truncated":
            entry.write_bytes(data[: len(data) // 2])
        elif damage == "empty":
            entry.write_bytes(b"")
        elif damage == "other-format":
            header, body = data.split(b"\n", 1)
            entry.write_bytes(json.dumps({**json.loads(header), "format": CACHE_FORMAT + 1}).encode() + b"\n" + body)
        else:  # a well-formed entry (its checksum fits) whose body is not a result
            header = json.loads(data.split(b"\n", 1)[0])
            body = json.dumps("not a result").encode()
            header["sha256"] = hashlib.sha256(body).hexdigest()
            entry.write_bytes(json.dumps(header).encode() + b"\n" + body + b"\n")
    again, pool = run(tasks_of(folder), cache)
    assert not any(r.from_cache for r in again)
    assert [r.info for r in again] == [r.info for r in cold]
    healed, pool = run(tasks_of(folder), cache)
    assert all(r.from_cache for r in healed) and pool.started == 0


def test_errors_and_timeouts_are_not_cached(tmp_path):
    d = tmp_path / "bad"
    d.mkdir()
    pdfgen.empty_file(d / "empty.pdf")
    pdfgen.truncated(d / "cut.pdf", pdfgen.text_pdf(tmp_path / "whole.pdf", [AWARD]))
    pdfgen.slow_pdf(d / "slow.pdf", pages=20)
    cache = tmp_path / "cache"
    results, _ = run([DocTask(p, p.name, ".") for p in sorted(d.iterdir())], cache, doc_timeout=1.0)
    assert sorted(r.info.error.code for r in results) == ["corrupt", "empty", "timeout"]
    assert entries(cache) == []


def test_no_cache_neither_reads_nor_writes(folder, tmp_path):
    cache = tmp_path / "cache"
    pool = _Pool(ScanOptions(cache_dir=cache, use_cache=False, ocr=OcrMode.OFF))
    try:
        list(pool.run(tasks_of(folder), None))
    finally:
        pool.close()
    assert not cache.exists()


def test_default_directory_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_dir() == tmp_path / "xdg" / "auditor"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_dir() == Path.home() / ".cache" / "auditor"


def test_unwritable_cache_does_not_stop_the_scan(folder, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache folder should be")
    results, _ = run(tasks_of(folder), blocker / "cache")
    assert all(r.info.error is None for r in results)


def test_put_and_get_round_trip_directly(folder, tmp_path):
    options = ScanOptions(cache_dir=tmp_path / "c", ocr=OcrMode.OFF)
    cold, _ = run(tasks_of(folder), tmp_path / "unused")
    cache = ResultCache.for_options(options)
    assert cache.put(cold[0])
    assert not cache.put(replace(cold[0], from_cache=True))
    hit = cache.get(cold[0].info.sha256, "x/award.pdf")
    assert hit.info.path == "x/award.pdf" and hit.from_cache
    assert cache.get("0" * 64, "x/award.pdf") is None
    assert list((tmp_path / "c").rglob("*.tmp")) == []


def test_two_scans_at_once_share_the_cache_safely(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(8):
        pdfgen.text_pdf(docs / f"doc{i}.pdf", [[f"Document {i} about the procurement of item {i}."] + AWARD])
    cache = tmp_path / "cache"
    cmd = [sys.executable, "-m", "auditor", "scan", str(docs), "--ocr", "off", "--jobs", "1",
           "--cache-dir", str(cache), "--format", "json", "--quiet"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1].decode()[-2000:] for o in outs]
    reports = [json.loads(out) for out, _err in outs]
    assert reports[0]["cases"] == reports[1]["cases"]  # the same findings from both
    assert len(entries(cache)) == 8
    assert list(cache.rglob("*.tmp")) == []
    tasks = [DocTask(p, p.name, ".") for p in sorted(docs.glob("*.pdf"))]
    warm, pool = run(tasks, cache)
    assert pool.started == 0 and all(r.from_cache for r in warm)
