#!/usr/bin/env python3
"""Benchmark OCDS reading: processes per second and peak memory on generated JSON Lines.

    .venv/bin/python bench/ocds_bench.py                       # sizes 10000,50000,100000
    .venv/bin/python bench/ocds_bench.py --sizes 1000,5000 --record

For each size a JSON Lines file of that many compiled releases (Cardinal's input:
tender with method, period and number of tenderers, 1-6 bids with values and
tenderers, an award and a contract, items with classifications, a buyer drawn
from 500 and tenderers from 5,000) is generated once under ``bench/corpora/``
(git-ignored), deterministic for a size.  Three measurements, each in a fresh
process, with its peak resident set (``ru_maxrss``):

* **read**: ``auditor.ocds.read.iter_processes`` over the file (parse and group);
* **facts**: read, then each process's facts (``auditor.ocds.facts.process_facts``,
  method and rationale text through the extractor included);
* **cardinal**: the whole command ``auditor scan FILE --cardinal-settings ALL.ini
  --format cardinal --no-cache --quiet`` (two passes over the file, the 11
  indicators, every process evaluated as a case by all rules, Cardinal's output).

Memory should stay flat as the file grows for *read* and *facts* (one process in
memory at a time), and for the whole scan too: each case's result goes to the
spool file (``auditor.spool``) once evaluated, and JSON and JSON Lines reports
are written case by case.  ``--formats cardinal,jsonl,json`` measures the whole
scan with each report format (written with ``--output`` to a temporary file);
``--scan-only`` skips *read* and *facts*; ``--root DIR`` runs another checkout's
``auditor`` (the code before a change) on the same files.  Results are printed,
and appended to ``bench/OCDS.md`` with ``--record``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "bench" / "corpora"
GENERATOR_VERSION = 1
METHODS = ("open", "open", "open", "selective", "limited", "direct")
RATIONALES = ("", "", "", "Urgent requirement of medicines after the floods", "Adjudicación directa por monto",
              "Sole supplier of the spare parts")


def release(rng: random.Random, n: int) -> dict:
    ocid = f"ocds-bench-{n:07d}"
    method = rng.choice(METHODS)
    start = dt.datetime(2020, 1, 1, 9) + dt.timedelta(days=rng.randrange(900), hours=rng.randrange(8))
    end = start + dt.timedelta(days=rng.randrange(2, 45), hours=rng.randrange(-3, 4))
    n_bids = 1 if method == "direct" else rng.randrange(1, 7)
    tenderers = rng.sample(range(5000), n_bids)
    base = rng.randrange(10_000, 5_000_000)
    bids = []
    for t in tenderers:
        bids.append({"id": f"{ocid}-b{t}", "status": rng.choice(("valid", "valid", "valid", "disqualified")),
                     "date": (end - dt.timedelta(hours=rng.randrange(-6, 200))).isoformat() + "Z",
                     "tenderers": [{"id": f"T{t:05d}"}],
                     "value": {"amount": round(base * rng.uniform(0.9, 1.4), 2), "currency": "USD"}})
    valid = [b for b in bids if b["status"] == "valid"] or bids
    win = min(valid, key=lambda b: b["value"]["amount"])
    award_value = win["value"]["amount"]
    contract_value = award_value * (1.0 if rng.random() < 0.9 else rng.uniform(1.06, 1.3))
    items = [{"id": str(i), "classification": {"scheme": "CPV", "id": f"{rng.randrange(3, 98):02d}{rng.randrange(10**6):06d}"}}
             for i in range(rng.randrange(1, 4))]
    tender = {"id": f"{ocid}-t", "procurementMethod": method, "numberOfTenderers": n_bids,
              "tenderPeriod": {"startDate": start.isoformat() + "Z", "endDate": end.isoformat() + "Z"},
              "procuringEntity": {"id": f"PE{rng.randrange(300):03d}"}}
    rationale = rng.choice(RATIONALES)
    if rationale:
        tender["procurementMethodRationale"] = rationale
    return {"ocid": ocid, "date": end.isoformat() + "Z", "buyer": {"id": f"B{rng.randrange(500):03d}"},
            "tender": tender, "bids": {"details": bids},
            "awards": [{"id": f"{ocid}-a1", "status": "active", "suppliers": win["tenderers"],
                        "value": {"amount": award_value, "currency": "USD"}, "items": items}],
            "contracts": [{"id": f"{ocid}-c1", "awardID": f"{ocid}-a1", "status": "active",
                           "value": {"amount": round(contract_value, 2), "currency": "USD"}}]}


def corpus(size: int) -> Path:
    path = CORPORA / f"ocds-{size}-v{GENERATOR_VERSION}.jsonl"
    if path.exists():
        return path
    CORPORA.mkdir(parents=True, exist_ok=True)
    rng = random.Random(size)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for n in range(size):
            f.write(json.dumps(release(rng, n), separators=(",", ":")) + "\n")
    tmp.rename(path)
    return path


_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
mode, path = sys.argv[1], Path(sys.argv[2])
from auditor.ocds.read import iter_processes
t0 = time.perf_counter()
c0 = time.process_time()
n = 0
if mode == "read":
    for p in iter_processes(path):
        n += 1
else:
    from auditor.extract import patterns
    from auditor.ocds.facts import process_facts
    pack = patterns.load()
    facts = 0
    for p in iter_processes(path):
        facts += len(process_facts(p, path.name, "0" * 64, pack).facts)
        n += 1
secs = time.perf_counter() - t0
print(json.dumps({{"processes": n, "seconds": secs, "cpu": time.process_time() - c0, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def measure_child(mode: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD.format(root=str(ROOT)), mode, str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def measure_scan(path: Path, settings: Path, fmt: str = "cardinal", root: Path = ROOT) -> dict:
    """The whole command on ``path`` with ``--format fmt``: Cardinal's output to
    /dev/null, any other format written with ``--output`` to a temporary file
    (its size is returned too).  ``root``: the checkout whose ``auditor`` runs
    (another one measures the code before a change)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    t0 = time.perf_counter()
    code = ("import resource, subprocess, sys; "
            "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
            "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print(u.ru_utime + u.ru_stime, u.ru_maxrss / 1024); sys.exit(p.returncode)")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / f"report.{fmt}"
        cmd = [sys.executable, "-m", "auditor", "scan", str(path), "--cardinal-settings", str(settings),
               "--format", fmt, "--no-cache", "--quiet"] + ([] if fmt == "cardinal" else ["--output", str(report)])
        out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, env=env, cwd=tmp)
        secs = time.perf_counter() - t0
        if out.returncode not in (0, 1):  # 1: a finding at --fail-on (none is given)
            raise RuntimeError(out.stderr[-2000:])
        report_mb = report.stat().st_size / 1e6 if report.exists() else None
    cpu, rss = out.stdout.strip().splitlines()[-1].split()
    return {"seconds": secs, "cpu": float(cpu), "rss_mb": float(rss), "format": fmt, "report_mb": report_mb}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,50000,100000")
    ap.add_argument("--no-scan", action="store_true", help="skip the whole-command measurement")
    ap.add_argument("--scan-only", action="store_true", help="only the whole-command measurement (no read, facts)")
    ap.add_argument("--formats", default="cardinal",
                    help="report formats of the whole-command measurement, comma-separated (e.g. cardinal,jsonl,json)")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose auditor runs the whole command")
    ap.add_argument("--record", action="store_true", help="append the results to bench/OCDS.md")
    a = ap.parse_args(argv)
    sizes = [int(s) for s in a.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Path(tmp) / "all.ini"
        settings.write_text("".join(f"[R{c}]\n" for c in ("003", "018", "024", "025", "028", "030", "035", "036", "038", "048", "058")))
        for size in sizes:
            path = corpus(size)
            row = {"size": size, "mb": path.stat().st_size / 1e6}
            for mode in () if a.scan_only else ("read", "facts"):
                r = measure_child(mode, path)
                assert r["processes"] == size, r
                row[mode] = r
            if not a.no_scan:
                for fmt in a.formats.split(","):
                    row["cardinal" if fmt == "cardinal" else fmt] = measure_scan(path, settings, fmt, a.root.resolve())
            rows.append(row)
            print(json.dumps(row), flush=True)
    lines = [f"\n## OCDS reading, {dt.date.today().isoformat()} ({os.cpu_count()} CPUs shared, Python {sys.version.split()[0]})\n",
             "Rates are processes per CPU-second (wall-clock seconds in brackets: the machine is shared).\n"]
    if any("read" in r for r in rows):
        lines += ["| processes | file MB | read proc/s | read peak MB | facts proc/s | facts peak MB | whole scan CPU s (wall) | proc/s | peak MB |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        c = r.get("cardinal")
        if "read" in r:
            lines.append(f"| {r['size']:,} | {r['mb']:.0f} | {r['size'] / r['read']['cpu']:,.0f} | {r['read']['rss_mb']:.0f} | "
                         f"{r['size'] / r['facts']['cpu']:,.0f} | {r['facts']['rss_mb']:.0f} | "
                         + (f"{c['cpu']:.1f} ({c['seconds']:.0f}) | {r['size'] / c['cpu']:,.0f} | {c['rss_mb']:.0f} |" if c else "– | – | – |"))
    scans = [(r, fmt, m) for r in rows for fmt, m in r.items() if isinstance(m, dict) and "format" in m]
    if scans:
        lines += ["", "Whole scan by report format:", "",
                  "| processes | format | CPU s (wall) | proc/s | peak MB | report MB |", "|---:|---|---:|---:|---:|---:|"]
        for r, fmt, m in scans:
            report = "–" if m["report_mb"] is None else f"{m['report_mb']:.0f}"
            lines.append(f"| {r['size']:,} | {m['format']} | {m['cpu']:.1f} ({m['seconds']:.0f}) | {r['size'] / m['cpu']:,.0f} | "
                         f"{m['rss_mb']:.0f} | {report} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if a.record:
        with (ROOT / "bench" / "OCDS.md").open("a", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
