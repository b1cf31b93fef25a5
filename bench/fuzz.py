#!/usr/bin/env python3
"""Mutation fuzzing of ``auditor scan`` with real PDFs.

    .venv/bin/python bench/fuzz.py [SOURCE...] [--mutants 2000] [--batch 40] [--seed 1]

SOURCE: PDF files or folders of them (default ../shared/corpus/real; the
smallest sources are used first, see ``--max-source-kib``).  Every mutant is a
source PDF damaged one way (``MUTATORS``: byte flips, truncation, a chunk
duplicated or deleted, xref damage, lying ``/Length``, deep nesting, a huge
declared page count, broken fonts, broken images, or another format under a
``.pdf`` name: ZIP, HTML, PNG, text, random bytes).  Mutants are written in
batches to a temporary folder and each batch is scanned by the real command
line, as a user runs it: ``auditor scan BATCH --format json --no-cache --ocr off
--jobs J --doc-timeout T --max-memory M``, while the resident memory of the
process tree (the CLI, its workers, their tesseract) is sampled every 50 ms.

Reported, over all batches:

* ``tracebacks``: batches whose stderr holds a Python traceback;
* ``bad_exit``: exit codes other than 0 and 1;
* ``lost``: mutants in neither the report's documents nor its ``skipped``;
* ``no_outcome``: documents with neither pages nor an error code;
* ``past_limit``: documents whose time (the parent's hashing plus the worker's
  reading, from the pool's per-document log, ``AUDITOR_DOC_LOG``) exceeds the
  per-document limit by more than 10 %;
* ``misclassified``: a mutant that is another known format but not reported
  ``not-pdf``, or random bytes not reported ``corrupt``;
* ``peak_rss_mb``: the largest resident memory of the process tree in any batch;
* the error codes seen, and per mutator how many mutants.

Exit status 0 when every check above is zero and the peak is below
``--rss-limit`` (MiB), 1 otherwise; ``--json FILE`` writes the figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import Callable, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import auditor_cmd, run_measured  # noqa: E402  (bench/bench.py, beside this file)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "corpus" / "real"
DOC_LOG_ENV = "AUDITOR_DOC_LOG"  # auditor.ingest.pool.DOC_LOG_ENV (not imported: keep the harness outside)

Mutator = Callable[[bytes, random.Random], bytes]


# --- mutators: (source bytes, rng) -> mutant bytes -------------------------------------------------


def byte_flips(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 64)):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))]


def duplicate_chunk(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data))
    n = rng.randint(1, min(65536, len(data) - i))
    j = rng.randrange(len(data))
    return data[:j] + data[i : i + n] * rng.randint(1, 8) + data[j:]


def delete_chunk(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data))
    n = rng.randint(1, min(65536, len(data) - i))
    return data[:i] + data[i + n :]


_DIGITS = re.compile(rb"\d{10} \d{5} [nf]")


def xref_damage(data: bytes, rng: random.Random) -> bytes:
    """Scramble xref entries and the startxref offset (or drop the xref keyword)."""
    out = bytearray(data)
    entries = list(_DIGITS.finditer(data))
    for m in rng.sample(entries, min(len(entries), rng.randint(1, 50))):
        for k in range(m.start(), m.start() + 10):
            out[k] = ord(str(rng.randrange(10)))
    m = None
    for m in re.finditer(rb"startxref\s+(\d+)", data):
        pass
    if m is not None:
        value = str(rng.choice([0, 1, len(data) * 3, rng.randrange(len(data))])).encode()
        out[m.start(1) : m.end(1)] = value
    if rng.random() < 0.3:
        return bytes(out).replace(b"xref", b"xref_", 1)
    return bytes(out)


def lying_lengths(data: bytes, rng: random.Random) -> bytes:
    def lie(m: re.Match) -> bytes:
        if rng.random() < 0.5:
            return m.group(0)
        return b"/Length " + str(rng.choice([0, 1, 2**31 - 1, 2**40, int(m.group(1)) * 50, -5])).encode()

    return re.sub(rb"/Length (\d+)", lie, data)


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([1000, 50_000, 400_000])
    open_, close = (b"[", b"]") if rng.random() < 0.5 else (b"<</A ", b">>")
    nest = open_ * depth + close * depth
    where = data.find(b"/Type /Catalog")
    if where < 0:
        where = data.find(b"/Type/Catalog")
    if where < 0:
        return data + b"\n999999 0 obj\n" + nest + b"\nendobj\n"
    return data[:where] + b"/Nest " + nest + b" " + data[where:]


def huge_page_count(data: bytes, rng: random.Random) -> bytes:
    big = str(rng.choice([2**31 - 1, 10**9, 99_999_999, 5001, -1])).encode()
    return re.sub(rb"/Count\s+\d+", b"/Count " + big, data)


def _damage_streams_after(data: bytes, marker: re.Pattern, rng: random.Random) -> bytes:
    out = bytearray(data)
    hits = list(marker.finditer(data))
    if not hits:
        return byte_flips(data, rng)
    for m in rng.sample(hits, min(len(hits), rng.randint(1, 4))):
        start = data.find(b"stream", m.end())
        if start < 0:
            continue
        for _ in range(rng.randint(8, 256)):
            k = start + 8 + rng.randrange(4096)
            if k < len(out):
                out[k] = rng.randrange(256)
    return bytes(out)


_FONT = re.compile(rb"/FontFile[23]?|/Subtype\s*/(?:Type1C|CIDFontType0C|OpenType)")
_IMAGE = re.compile(rb"/Subtype\s*/Image")


def broken_fonts(data: bytes, rng: random.Random) -> bytes:
    data = _damage_streams_after(data, _FONT, rng)
    if rng.random() < 0.5:  # fonts that lie about themselves
        data = re.sub(rb"/FirstChar\s+\d+", b"/FirstChar 4294967295", data)
        data = re.sub(rb"/Widths\s*\[", b"/Widths [1e308 -1e308 ", data)
    return data


def broken_images(data: bytes, rng: random.Random) -> bytes:
    data = _damage_streams_after(data, _IMAGE, rng)
    if rng.random() < 0.6:  # declared sizes far beyond the data
        side = str(rng.choice([65535, 1 << 20, 0, -1])).encode()
        data = re.sub(rb"/Width\s+\d+", b"/Width " + side, data)
        data = re.sub(rb"/Height\s+\d+", b"/Height " + side, data)
    if rng.random() < 0.3:
        data = re.sub(rb"/BitsPerComponent\s+\d+", b"/BitsPerComponent 3", data)
    return data


def zip_named_pdf(data: bytes, rng: random.Random) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("document.pdf", data[: rng.randint(1, len(data))])
    return buf.getvalue()


def html_named_pdf(data: bytes, rng: random.Random) -> bytes:
    head = rng.choice([b"<!DOCTYPE html>", b"<html>", b"\xef\xbb\xbf<!doctype html>", b"  \n<HTML lang=en>"])
    return head + b"<head><title>Tender</title></head><body><p>Download the tender document.</p></body></html>"


def png_named_pdf(data: bytes, rng: random.Random) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(512))


def text_named_pdf(data: bytes, rng: random.Random) -> bytes:
    return b"Tender notice\nThe Ministry invites sealed bids for the supply of buses.\n" * rng.randint(1, 50)


def random_named_pdf(data: bytes, rng: random.Random) -> bytes:
    out = bytes(rng.randrange(256) for _ in range(rng.randint(16, 4096)))
    return b"\x00\xff" + out.replace(b"%PDF", b"%PDX")


MUTATORS: dict[str, Mutator] = {
    "byte-flips": byte_flips,
    "truncate": truncate,
    "duplicate-chunk": duplicate_chunk,
    "delete-chunk": delete_chunk,
    "xref-damage": xref_damage,
    "lying-length": lying_lengths,
    "deep-nesting": deep_nesting,
    "huge-page-count": huge_page_count,
    "broken-fonts": broken_fonts,
    "broken-images": broken_images,
    "zip": zip_named_pdf,
    "html": html_named_pdf,
    "png": png_named_pdf,
    "text": text_named_pdf,
    "random": random_named_pdf,
}
# mutants that are no PDF at all, and the code they must get
EXPECTED_CODE = {"zip": "not-pdf", "html": "not-pdf", "png": "not-pdf", "text": "not-pdf", "random": "corrupt"}
# PDF-level mutators run more often than the other-format ones
WEIGHTS = {name: (1 if name in EXPECTED_CODE else 5) for name in MUTATORS}


# --- the run --------------------------------------------------------------------------------------


def sources(paths: Sequence[Path], max_kib: int) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        files += sorted(p.rglob("*.pdf")) if p.is_dir() else [p]
    small = [f for f in files if f.stat().st_size <= max_kib * 1024]
    if not small:
        raise SystemExit(f"no source PDF of at most {max_kib} KiB in {', '.join(map(str, paths))}")
    return sorted(small, key=lambda f: (f.stat().st_size, f.name))


def plan(n: int, seed: int, files: Sequence[Path]) -> list[tuple[int, str, Path]]:
    """(index, mutator, source) of every mutant: a function of the seed only."""
    rng = random.Random(seed)
    names = list(MUTATORS)
    weights = [WEIGHTS[m] for m in names]
    return [(i, rng.choices(names, weights)[0], files[i % len(files)]) for i in range(n)]


def make_mutant(index: int, mutator: str, source: Path, seed: int) -> bytes:
    rng = random.Random(f"{seed}:{index}:{mutator}:{source.name}")
    data = source.read_bytes()
    out = MUTATORS[mutator](data, rng)
    return out if out != data else byte_flips(data, rng)  # a source without the structure a mutator targets


def scan_batch(folder: Path, args: argparse.Namespace, log: Path) -> dict:
    cmd = [*auditor_cmd(), "scan", str(folder), "--format", "json", "--quiet", "--no-cache", "--ocr", args.ocr,
           "--jobs", str(args.jobs), "--doc-timeout", str(args.doc_timeout), "--max-memory", str(args.max_memory)]
    env = dict(os.environ, **{DOC_LOG_ENV: str(log)})
    run = run_measured(cmd, env=env)
    return {"run": run, "cmd": cmd}


def check_batch(folder: Path, names: dict[str, str], result: dict, log: Path, args: argparse.Namespace,
                totals: dict) -> None:
    run = result["run"]
    totals["batches"] += 1
    totals["peak_rss_mb"] = max(totals["peak_rss_mb"], run.peak_tree_mb)
    totals["peak_single_mb"] = max(totals["peak_single_mb"], run.peak_single_mb)
    problems = totals["problems"]
    if "Traceback (most recent call last)" in run.stderr:
        totals["tracebacks"] += 1
        problems.append({"batch": str(folder), "what": "traceback", "stderr": run.stderr[-3000:]})
    if run.returncode not in (0, 1):
        totals["bad_exit"] += 1
        problems.append({"batch": str(folder), "what": f"exit {run.returncode}", "stderr": run.stderr[-2000:]})
        return
    try:
        report = json.loads(run.stdout)
    except ValueError:
        totals["bad_exit"] += 1
        problems.append({"batch": str(folder), "what": "no JSON report", "stderr": run.stderr[-2000:]})
        return
    # a batch folder is one case: report paths are "<case id>/<mutant>", matched by the mutant's name
    docs = {d["path"].rsplit("/", 1)[-1]: d for c in report.get("cases", []) for d in c.get("documents", [])}
    skipped = {s["path"].rsplit("/", 1)[-1] for s in report.get("skipped", [])}
    for name, mutator in names.items():
        totals["by_mutator"][mutator] += 1
        doc = docs.get(name)
        if doc is None:
            if name not in skipped:
                totals["lost"] += 1
                problems.append({"mutant": name, "what": "lost (neither a document nor skipped)"})
            continue
        code = (doc.get("error") or {}).get("code")
        totals["codes"][code or "read"] += 1
        if not doc.get("pages") and not code:
            totals["no_outcome"] += 1
            problems.append({"mutant": name, "what": "neither pages nor an error code"})
        want = EXPECTED_CODE.get(mutator)
        if want is not None and code != want:
            totals["misclassified"] += 1
            problems.append({"mutant": name, "what": f"expected {want}, got {code}"})
    limit = args.doc_timeout * 1.10
    try:
        lines = log.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for line in lines:
        entry = json.loads(line)
        if entry["seconds"] > totals["max_doc_seconds"]:
            totals["max_doc_seconds"] = entry["seconds"]
            totals["slowest"] = entry
        if entry["seconds"] > limit:
            totals["past_limit"] += 1
            problems.append({"mutant": entry["path"], "what": f"took {entry['seconds']:.1f} s, limit {args.doc_timeout:g} s"})


def run(args: argparse.Namespace) -> dict:
    files = sources([Path(p) for p in args.source] or [DEFAULT_SOURCE], args.max_source_kib)
    jobs = plan(args.mutants, args.seed, files)
    totals: dict = {"mutants": len(jobs), "sources": len(files), "batches": 0, "tracebacks": 0, "bad_exit": 0,
                    "lost": 0, "no_outcome": 0, "past_limit": 0, "misclassified": 0, "peak_rss_mb": 0.0,
                    "peak_single_mb": 0.0, "max_doc_seconds": 0.0, "slowest": None, "codes": Counter(), "by_mutator": Counter(),
                    "problems": []}
    t0 = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="auditor-fuzz-"))
    try:
        for start in range(0, len(jobs), args.batch):
            folder = work / f"batch-{start // args.batch:04d}"
            folder.mkdir()
            names: dict[str, str] = {}
            for index, mutator, source in jobs[start : start + args.batch]:
                name = f"m{index:05d}-{mutator}.pdf"
                (folder / name).write_bytes(make_mutant(index, mutator, source, args.seed))
                names[name] = mutator
            log = work / f"{folder.name}.jsonl"
            check_batch(folder, names, scan_batch(folder, args, log), log, args, totals)
            if args.keep and any("mutant" in p and p["mutant"] in names for p in totals["problems"]):
                shutil.copytree(folder, Path(args.keep) / folder.name, dirs_exist_ok=True)
            shutil.rmtree(folder, ignore_errors=True)
            if args.progress:
                print(f"{min(start + args.batch, len(jobs))}/{len(jobs)} mutants, peak {totals['peak_rss_mb']:.0f} MB, "
                      f"{len(totals['problems'])} problem(s)", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    totals["seconds"] = round(time.monotonic() - t0, 1)
    totals["codes"] = dict(sorted(totals["codes"].items()))
    totals["by_mutator"] = dict(sorted(totals["by_mutator"].items()))
    totals["settings"] = {"seed": args.seed, "batch": args.batch, "jobs": args.jobs, "doc_timeout": args.doc_timeout,
                          "max_memory": args.max_memory, "ocr": args.ocr, "max_source_kib": args.max_source_kib}
    return totals


def failed(totals: dict, rss_limit: float) -> bool:
    return bool(totals["tracebacks"] or totals["bad_exit"] or totals["lost"] or totals["no_outcome"]
                or totals["past_limit"] or totals["misclassified"] or totals["peak_rss_mb"] >= rss_limit)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", nargs="*", help="source PDFs or folders (default ../shared/corpus/real)")
    ap.add_argument("--mutants", type=int, default=200)
    ap.add_argument("--batch", type=int, default=40, help="mutants per scan")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--doc-timeout", type=float, default=20.0)
    ap.add_argument("--max-memory", type=int, default=160, help="--max-memory of each scan (MiB per document)")
    ap.add_argument("--ocr", default="off", choices=("off", "auto"))
    ap.add_argument("--max-source-kib", type=int, default=1024, help="use sources up to this size")
    ap.add_argument("--rss-limit", type=float, default=400.0, help="MiB the process tree must stay below")
    ap.add_argument("--keep", help="copy batches with a problem to this folder")
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("--progress", action="store_true")
    args = ap.parse_args(argv)
    totals = run(args)
    text = json.dumps(totals, indent=2)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    summary = {k: totals[k] for k in ("mutants", "tracebacks", "bad_exit", "lost", "no_outcome", "past_limit",
                                      "misclassified", "peak_rss_mb", "max_doc_seconds", "seconds")}
    print(json.dumps(summary))
    for p in totals["problems"][:20]:
        print(json.dumps(p)[:600], file=sys.stderr)
    return 1 if failed(totals, args.rss_limit) else 0


if __name__ == "__main__":
    sys.exit(main())
