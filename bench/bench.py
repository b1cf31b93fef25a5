#!/usr/bin/env python3
"""Benchmark ``auditor scan`` against ``pdftotext`` (poppler-utils) measured in the same run.

    .venv/bin/python bench/bench.py [FOLDER] [--quick] [--profile]   # a folder of PDFs (default ../shared/corpus/real)
    .venv/bin/python bench/bench.py --scale [--sizes 100,1000,10000] # generated corpora of growing size
    .venv/bin/python bench/bench.py [FOLDER] --executor dask [--workers 1,2,4]  # local pool vs a Dask cluster

What it measures (see BENCHMARKS.md for the columns):

* **reference**: ``pdftotext`` run over every PDF, one process per file, one after
  the other (the physical floor of "reading the text layer"); pages counted with
  pypdfium2;
* **cold**: ``auditor scan --no-cache --ocr off --format json --timings``, on the
  born-digital documents and on the whole folder.  A document counts as
  born-digital when, in that ``--ocr off`` scan, it has no error, no unread page
  and no OCR page (every page has a usable text layer); the others have scanned,
  blank or garbled pages;
* **warm**: the same born-digital scan with a fresh ``--cache-dir`` in a temp dir:
  a first run fills it, then rescans read it;
* **OCR**: ``--ocr auto --no-cache`` on the documents that have unread pages in
  the ``--ocr off`` scan (seconds per OCR'd page);
* **start-up**: ``auditor --version`` and ``auditor --help`` wall time, ``python -X
  importtime`` of ``auditor.cli``, and which heavy modules each path imports;
* **memory**: the peak resident set of the whole process tree (the CLI, its worker
  processes and their tesseract children), sampled from /proc every 50 ms, and of
  the largest single process.

Every auditor run is a fresh process, as a user would start it.  The package is
byte-compiled first (as ``pip install`` does), so no run pays for compiling
Python sources.  Each measurement is repeated (``--repeat``, interleaved with the
reference) and the median is kept; ratios are against the reference measured in
the same run, since this machine is shared and absolute times are noisy.

``--scale`` builds corpora of about 100, 1,000 and 10,000 pages from the
born-digital fixture PDFs (``fixtures/cases/**/*.pdf``): documents are one to eight
fixtures concatenated with pikepdf, each with its own /Title so that every file's
sha256 differs, spread over four case folders (so cases grow with the corpus),
and the largest again over 100 case folders.  They are kept under
``bench/corpora/`` (git-ignored) and reused while the generator is unchanged.
Time should grow linearly (constant marginal pages/s) and memory stay flat.

Results are printed, appended to BENCHMARKS.md (``--no-record`` not to; ``--quick``
records only with ``--record``), and written as JSON with ``--json FILE``.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDER = ROOT.parent / "shared" / "corpus" / "real"
BENCHMARKS = ROOT / "BENCHMARKS.md"
CORPORA = ROOT / "bench" / "corpora"
GENERATOR_VERSION = 1
SCALE_CASES = 4
HEAVY_MODULES = ("pandas", "pdfplumber", "pypdfium2", "yaml", "pydantic", "rich.table", "auditor.extract.facts")
MB = 1024 * 1024


# --- the machine -------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    try:
        load = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        load = []
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "ram_gib": ram_gib,
        "load_avg": " ".join(load),
        "python": platform.python_version(),
        "pypdfium2": _version("pypdfium2"),
        "pdftotext": _pdftotext_version(),
        "commit": git_commit(),
    }


def _version(dist: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:
        return None


def _pdftotext_version() -> str | None:
    exe = shutil.which("pdftotext")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, "-v"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"version\s+(\S+)", out.stderr + out.stdout)
    return m.group(1) if m else None


def git_commit(root: Path = ROOT) -> str | None:
    """The checked-out commit, read from .git without running git."""
    git = root / ".git"
    try:
        if git.is_file():  # a worktree: "gitdir: PATH"
            git = (root / git.read_text().split(":", 1)[1].strip()).resolve()
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head[:12]
        ref = head.split(":", 1)[1].strip()
        for base in (git, _common_dir(git)):
            path = base / ref
            if path.is_file():
                return path.read_text().strip()[:12]
            packed = base / "packed-refs"
            if packed.is_file():
                for line in packed.read_text().splitlines():
                    if line.endswith(" " + ref):
                        return line.split()[0][:12]
    except (OSError, IndexError):
        pass
    return None


def _common_dir(git: Path) -> Path:
    common = git / "commondir"
    return (git / common.read_text().strip()).resolve() if common.is_file() else git


# --- memory of a process tree ---------------------------------------------------------------

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return kids
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                kids.extend(int(x) for x in fh.read().split())
        except (OSError, ValueError):
            pass
    return kids


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


class TreeSampler(threading.Thread):
    """Samples the resident memory of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_tree = 0
        self.peak_single = 0
        self.peak_root = 0
        self.max_procs = 0
        self.samples = 0
        self._halt = threading.Event()

    def sample(self) -> None:
        todo, seen = [self.pid], set()
        total = 0
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            rss = _rss(pid)
            total += rss
            self.peak_single = max(self.peak_single, rss)
            if pid == self.pid:
                self.peak_root = max(self.peak_root, rss)
            todo.extend(_children(pid))
        self.peak_tree = max(self.peak_tree, total)
        self.max_procs = max(self.max_procs, len(seen))
        self.samples += 1

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


# --- running things ----------------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    returncode: int
    stdout: str = ""
    stderr: str = ""
    peak_tree_mb: float = 0.0
    peak_single_mb: float = 0.0
    peak_root_mb: float = 0.0
    max_procs: int = 0

    def report(self) -> dict[str, Any]:
        try:
            return json.loads(self.stdout)
        except ValueError:
            raise SystemExit(f"auditor did not print a JSON report (exit {self.returncode}):\n{self.stderr[-3000:]}")

    def clock(self) -> dict[str, float]:
        """The "auditor timings: {...}" line that --timings prints on stderr."""
        for line in self.stderr.splitlines():
            if line.startswith("auditor timings: "):
                try:
                    return json.loads(line.split(": ", 1)[1])
                except ValueError:
                    pass
        return {}


def auditor_cmd() -> list[str]:
    script = Path(sys.executable).with_name("auditor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "auditor"]


def run_measured(cmd: Sequence[str], *, sample: bool = True, env: dict[str, str] | None = None) -> Run:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        sampler = TreeSampler(proc.pid) if sample else None
        if sampler:
            sampler.start()
        proc.wait()
        wall = time.perf_counter() - t0
        if sampler:
            sampler.stop()
        out.seek(0)
        err.seek(0)
        run = Run(wall, proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))
    if sampler:
        run.peak_tree_mb = round(sampler.peak_tree / MB, 1)
        run.peak_single_mb = round(sampler.peak_single / MB, 1)
        run.peak_root_mb = round(sampler.peak_root / MB, 1)
        run.max_procs = sampler.max_procs
    return run


def scan(folder: Path, *extra: str, jobs: int | None = None) -> Run:
    cmd = [*auditor_cmd(), "scan", str(folder), "--format", "json", "--timings", "--quiet", *extra]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    run = run_measured(cmd)
    if run.returncode not in (0, 1):
        raise SystemExit(f"auditor scan failed (exit {run.returncode}): {' '.join(cmd)}\n{run.stderr[-3000:]}")
    return run


def pdftotext_all(files: Iterable[Path]) -> dict[Path, float]:
    """Seconds per file of pdftotext, sequentially."""
    exe = shutil.which("pdftotext")
    if not exe:
        raise SystemExit("pdftotext not found: install poppler-utils (apt-get install poppler-utils)")
    times: dict[Path, float] = {}
    for f in files:
        t0 = time.perf_counter()
        subprocess.run([exe, "-q", str(f), "-"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times[f] = time.perf_counter() - t0
    return times


def page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except Exception:
        return 0
    try:
        return len(pdf)
    finally:
        pdf.close()


def pdfs_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def link_folder(files: Iterable[Path], where: Path) -> Path:
    """A folder of symbolic links to ``files`` (one case; the PDFs are not copied)."""
    where.mkdir(parents=True, exist_ok=True)
    for f in files:
        (where / f.name).symlink_to(f.resolve())
    return where


def byte_compile() -> None:
    """Byte-compile the package as ``pip install`` would, so that no measured run
    compiles sources (this machine sets PYTHONDONTWRITEBYTECODE)."""
    compileall.compile_dir(str(ROOT / "auditor"), quiet=2)


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def pick_median(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.wall)[len(runs) // 2]


def _rate(pages: int, secs: float) -> float:
    return pages / secs if secs > 0 else float("nan")


# --- start-up ------------------------------------------------------------------------------------


def importtime(args: Sequence[str]) -> tuple[float, set[str]]:
    """(ms to import auditor.cli, the modules imported) for ``python -X importtime ARGS``."""
    proc = subprocess.run([sys.executable, "-X", "importtime", *args], capture_output=True, text=True, timeout=120)
    modules: set[str] = set()
    cli_us = 0
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+)\s*\|\s*(\d+)\s*\|(\s*)(\S+)", line)
        if m:
            modules.add(m.group(4))
            if m.group(4) == "auditor.cli":
                cli_us = int(m.group(2))
    return cli_us / 1000, modules


def startup(repeat: int) -> dict[str, Any]:
    cmd = auditor_cmd()
    out: dict[str, Any] = {}
    for name, args in (("version", ["--version"]), ("help", ["--help"])):
        walls = [run_measured([*cmd, *args], sample=False).wall for _ in range(repeat)]
        out[f"{name}_ms"] = round(median(walls) * 1000, 1)
    # an empty interpreter, for scale
    walls = [run_measured([sys.executable, "-c", "pass"], sample=False).wall for _ in range(repeat)]
    out["python_ms"] = round(median(walls) * 1000, 1)
    ms, _ = importtime(["-c", "import auditor.cli"])
    out["import_cli_ms"] = round(ms, 1)
    for name, args in (("version", ["--version"]), ("help", ["--help"])):
        _, mods = importtime(["-m", "auditor", *args])
        out[f"{name}_heavy_imports"] = sorted(m for m in HEAVY_MODULES if m in mods)
    return out


# --- the folder benchmark ---------------------------------------------------------------------------


def bench_folder(folder: Path, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    files = pdfs_in(folder)
    if not files:
        raise SystemExit(f"no PDF under {folder}")
    pages = {f: page_count(f) for f in files}
    print(f"{len(files)} PDFs, {sum(pages.values())} pages in {folder}", flush=True)

    # 1. classify with a first --ocr off scan (also a warm-up of the file cache)
    first = scan(folder, "--no-cache", "--ocr", "off", jobs=args.jobs)
    docs = [d for c in first.report()["cases"] for d in c["documents"]]
    by_name = {}
    for d in docs:
        by_name[d["path"]] = d
    # a document's report path is its case folder's id and its name; the scanned folder's
    # own case is named after the folder
    rel = {f: (f.relative_to(folder).as_posix() if f.parent != folder else f"{folder.resolve().name}/{f.name}")
           for f in files}
    born = [f for f in files if _born_digital(by_name.get(rel[f]))]
    unread = [f for f in files if (by_name.get(rel[f]) or {}).get("unread_pages")]
    bd_pages = sum(pages[f] for f in born)
    all_pages = sum(pages.values())
    bd_dir = link_folder(born, tmp / "born-digital")
    print(f"born-digital: {len(born)} documents, {bd_pages} pages; with unread pages: {len(unread)} documents", flush=True)

    # 2. reference and cold scans, interleaved
    ref_bd, ref_all, cold_bd, cold_all = [], [], [], []
    for i in range(args.repeat):
        t = pdftotext_all(files)
        ref_all.append(sum(t.values()))
        ref_bd.append(sum(t[f] for f in born))
        cold_bd.append(scan(bd_dir, "--no-cache", "--ocr", "off", jobs=args.jobs))
        cold_all.append(scan(folder, "--no-cache", "--ocr", "off", jobs=args.jobs))
        print(f"  round {i + 1}: pdftotext {ref_bd[-1]:.2f} s (born-digital) {ref_all[-1]:.2f} s (all); "
              f"auditor cold {cold_bd[-1].wall:.2f} s (born-digital) {cold_all[-1].wall:.2f} s (all)", flush=True)

    # 3. warm: fill a fresh cache, then rescans
    cache = tmp / "cache"
    fill = scan(bd_dir, "--ocr", "off", "--cache-dir", str(cache), jobs=args.jobs)
    warm = [scan(bd_dir, "--ocr", "off", "--cache-dir", str(cache), jobs=args.jobs) for _ in range(max(3, args.repeat))]
    warm_hits = pick_median(warm).report()["stats"]
    print(f"  warm: {', '.join(f'{w.wall:.3f}' for w in warm)} s", flush=True)

    # 4. OCR of the image-only pages
    ocr: dict[str, Any] | None = None
    if not args.no_ocr and unread and shutil.which("tesseract"):
        ocr_dir = link_folder(unread, tmp / "with-unread-pages")
        run = scan(ocr_dir, "--no-cache", "--ocr", "auto", jobs=args.jobs)
        st = run.report()["stats"]
        n = st["ocr_pages"]
        ocr = {
            "docs": len(unread), "pages": sum(pages[f] for f in unread), "ocr_pages": n,
            "unread_after": st["unread_pages"], "wall": round(run.wall, 2),
            "s_per_ocr_page": round(run.wall / n, 2) if n else None,
            "ocr_stage_s_per_page": round(st.get("seconds", {}).get("ocr", 0) / n, 2) if n else None,
            "peak_tree_mb": run.peak_tree_mb, "peak_single_mb": run.peak_single_mb,
            "seconds": st.get("seconds", {}),
        }
        print(f"  OCR: {n} pages in {run.wall:.1f} s ({ocr['s_per_ocr_page']} s/page)", flush=True)

    c_bd, c_all, w = pick_median(cold_bd), pick_median(cold_all), pick_median(warm)
    r_bd, r_all = median(ref_bd), median(ref_all)
    result = {
        "folder": str(folder),
        "rule": "born-digital = no error, no unread page and no OCR page in the --ocr off scan",
        "docs": len(files), "pages": all_pages, "born_digital_docs": len(born), "born_digital_pages": bd_pages,
        "repeat": args.repeat,
        "pdftotext": {
            "born_digital_s": round(r_bd, 3), "born_digital_pages_per_s": round(_rate(bd_pages, r_bd), 1),
            "all_s": round(r_all, 3), "all_pages_per_s": round(_rate(all_pages, r_all), 1),
        },
        "cold_born_digital": _scan_summary(c_bd, bd_pages, r_bd, cold_bd),
        "cold_all": _scan_summary(c_all, all_pages, r_all, cold_all),
        "warm_born_digital": {
            **_scan_summary(w, bd_pages, r_bd, warm),
            "fill_wall": round(fill.wall, 3),
            "cache_hits": warm_hits.get("cache_hits"),
            "speedup_vs_cold": round(c_bd.wall / w.wall, 1) if w.wall else None,
        },
        "ocr": ocr,
    }
    return result


def _born_digital(doc: dict | None) -> bool:
    return bool(doc) and doc.get("error") is None and not doc.get("unread_pages") and not doc.get("ocr_pages")


def _scan_summary(run: Run, pages: int, ref_s: float, runs: list[Run]) -> dict[str, Any]:
    st = run.report()["stats"]
    clock = run.clock()
    rate = _rate(pages, run.wall)
    return {
        "wall": round(run.wall, 3),
        "walls": [round(r.wall, 3) for r in runs],
        "pages": st["pages"],
        "pages_per_s": round(rate, 1),
        "x_pdftotext": round(rate / _rate(pages, ref_s), 2) if ref_s else None,
        "peak_tree_mb": max(r.peak_tree_mb for r in runs),
        "peak_single_mb": max(r.peak_single_mb for r in runs),
        "peak_parent_mb": max(r.peak_root_mb for r in runs),
        "processes": max(r.max_procs for r in runs),
        "seconds": st.get("seconds", {}),
        "cli": clock,
        # interpreter start-up and exit: what the process spent outside auditor.cli
        "interpreter_s": round(run.wall - clock["total"], 3) if "total" in clock else None,
    }


# --- the scale series ------------------------------------------------------------------------------


def fixture_sources() -> list[Path]:
    """Fixture PDFs whose every page has a usable text layer."""
    import pypdfium2 as pdfium

    from auditor.ingest.pdf import page_text, text_quality

    out = []
    for path in sorted((ROOT / "fixtures" / "cases").glob("**/*.pdf")):
        pdf = pdfium.PdfDocument(str(path))
        try:
            ok = True
            for i in range(len(pdf)):
                page = pdf[i]
                try:
                    ok = ok and text_quality(page_text(page))[0]
                finally:
                    page.close()
        finally:
            pdf.close()
        if ok:
            out.append(path)
    return out


def generate_corpus(target_pages: int, where: Path, cases: int = SCALE_CASES) -> dict[str, Any]:
    """About ``target_pages`` pages of documents made of fixture PDFs; reused when a
    corpus of the same generator version and size is already there."""
    try:
        import pikepdf
    except ImportError:
        raise SystemExit("the scale series needs pikepdf: .venv/bin/pip install -e '.[test]'") from None

    manifest = where / "MANIFEST.json"
    if manifest.is_file():
        try:
            meta = json.loads(manifest.read_text())
            if (meta.get("generator"), meta.get("target_pages"), meta.get("case_folders")) == (GENERATOR_VERSION, target_pages, cases):
                return meta
        except ValueError:
            pass
    if where.exists():
        shutil.rmtree(where)
    where.mkdir(parents=True)
    t0 = time.perf_counter()
    sources = fixture_sources()
    opened = {p: pikepdf.open(p) for p in sources}
    rng = random.Random(target_pages)
    sizes = (1, 1, 1, 2, 2, 3, 5, 8)
    pages = docs = 0
    try:
        while pages < target_pages:
            parts = [rng.choice(sources) for _ in range(rng.choice(sizes))]
            out = pikepdf.new()
            for part in parts:
                out.pages.extend(opened[part].pages)
            if pages + len(out.pages) > target_pages and docs:
                while len(out.pages) > 1 and pages + len(out.pages) > target_pages:
                    del out.pages[-1]
            out.docinfo["/Title"] = f"auditor bench corpus {target_pages}, document {docs + 1}"
            out.docinfo["/Subject"] = "made of: " + ", ".join(p.relative_to(ROOT / "fixtures" / "cases").as_posix() for p in parts)
            case = where / f"case-{docs % cases + 1:02d}"
            case.mkdir(exist_ok=True)
            out.save(case / f"{docs + 1:05d}-{parts[0].stem}.pdf", deterministic_id=True)
            pages += len(out.pages)
            docs += 1
            out.close()
    finally:
        for pdf in opened.values():
            pdf.close()
    import hashlib

    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in where.rglob("*.pdf")}
    if len(digests) != docs:
        raise SystemExit(f"generated corpus has duplicate files ({docs} documents, {len(digests)} distinct)")
    meta = {"generator": GENERATOR_VERSION, "target_pages": target_pages, "case_folders": cases, "pages": pages, "docs": docs,
            "cases": min(cases, docs), "sources": len(sources), "seconds": round(time.perf_counter() - t0, 1)}
    manifest.write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def parse_sizes(text: str) -> list[tuple[int, int]]:
    """"100,1000,10000x100" -> [(100, 4), (1000, 4), (10000, 100)]: pages, case folders."""
    out = []
    for item in text.split(","):
        pages, _, cases = item.strip().partition("x")
        out.append((int(pages), int(cases) if cases else SCALE_CASES))
    return out


def bench_scale(sizes: Sequence[tuple[int, int]], args: argparse.Namespace) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for size, cases in sizes:
        name = f"scale-{size}" if cases == SCALE_CASES else f"scale-{size}x{cases}"
        where = (Path(args.corpora) if args.corpora else CORPORA) / name
        meta = generate_corpus(size, where, cases)
        print(f"scale {size}: {meta['docs']} documents, {meta['pages']} pages in {meta['cases']} cases "
              f"(generated in {meta['seconds']} s)", flush=True)
        files = pdfs_in(where)
        refs, runs = [], []
        for _ in range(args.scale_repeat):
            refs.append(sum(pdftotext_all(files).values()))
            runs.append(scan(where, "--no-cache", "--ocr", "off", jobs=args.jobs))
        run = pick_median(runs)
        ref = median(refs)
        st = run.report()["stats"]
        rate = _rate(meta["pages"], run.wall)
        row = {
            "target_pages": size, "pages": meta["pages"], "docs": meta["docs"], "cases": meta["cases"],
            "pdftotext_s": round(ref, 2), "pdftotext_pages_per_s": round(_rate(meta["pages"], ref), 1),
            "wall": round(run.wall, 2), "pages_per_s": round(rate, 1),
            "x_pdftotext": round(rate / _rate(meta["pages"], ref), 2),
            "peak_tree_mb": max(r.peak_tree_mb for r in runs), "peak_single_mb": max(r.peak_single_mb for r in runs),
            "peak_parent_mb": max(r.peak_root_mb for r in runs), "processes": max(r.max_procs for r in runs),
            "findings": st["findings"], "report_mb": round(len(run.stdout.encode()) / MB, 2),
            "seconds": st.get("seconds", {}), "cli": run.clock(),
        }
        # pages/s of the pages added since the previous size of the same layout: the
        # fixed costs (start-up, workers booting) cancel out
        row["case_folders"] = cases
        prev = next((r for r in reversed(rows) if r["case_folders"] == cases), None)
        if prev is not None and row["wall"] > prev["wall"] and row["pages"] > prev["pages"]:
            row["marginal_pages_per_s"] = round((row["pages"] - prev["pages"]) / (row["wall"] - prev["wall"]), 1)
        rows.append(row)
        print(f"  pdftotext {ref:.2f} s; auditor {run.wall:.2f} s = {rate:.0f} pages/s ({row['x_pdftotext']}× pdftotext); "
              f"peak RSS {row['peak_tree_mb']} MB tree, {row['peak_single_mb']} MB largest, {row['peak_parent_mb']} MB parent",
              flush=True)
    return rows


# --- rule evaluation scaling (issue 15) -------------------------------------------------------------------


RULES_PAGES = (45, 445, 1780)


def _rules_case(pages: int, summary_pages: int) -> list:
    """A financing agreement of ``pages`` pages and a summary, as their facts: on
    each agreement page two firms and a claim that the credit is tied to "the
    vendor" or to a named supplier (the claims ``vendor-not-named-in-financing``
    compares with every name of the agreement); the summary names vendors and
    awards.  Extracted by the real extractors from page texts (no PDF needed)."""
    from auditor.extract.facts import analyse
    from auditor.models import DocumentInfo, DocumentResult, Page, PageSource

    def agreement(i: int) -> str:
        claim = "the vendor" if i % 2 else f"M/s Supplier{i} Industries Limited"
        return (f"LOAN AGREEMENT\nThe Borrower shall procure the goods from M/s Company{i} Limited and "
                f"M/s Firm{i * 3} Corporation.\nThe credit is tied to {claim} as required by the Lender.\n"
                f"The Lender agrees to lend USD {i + 1} million to the Borrower.\n")

    def summary(i: int) -> str:
        return (f"The financing from the Exim Bank is tied to M/s Vendor{i} Technologies Co. Ltd as the supplier.\n"
                f"The Ministry awarded the contract to M/s Vendor{i} Technologies Co. Ltd through direct contracting "
                f"for Rs. {25_000_000 + i * 1000:,}.\n")

    out = []
    for name, kind, texts in (("loan-agreement.pdf", "financing-agreement", [agreement(i) for i in range(pages)]),
                              ("summary.pdf", "summary", [summary(i) for i in range(summary_pages)])):
        a = analyse(name, "0" * 64, [Page(i + 1, t, PageSource.TEXT) for i, t in enumerate(texts)], kind=kind)
        out.append(DocumentResult(DocumentInfo(name, "0" * 64, len(texts), kind=a.kind), a.facts))
    return out


def bench_rules(sizes: Sequence[int] = RULES_PAGES, repeat: int = 3) -> list[dict[str, Any]]:
    """Seconds of rule evaluation (all built-in rules, in this process) over cases
    of growing size: time per fact should stay flat (linear evaluation)."""
    from auditor.pipeline import evaluate_case
    from auditor.ruleset.schema import builtin_rules_dir, load_rules

    rules, _ = load_rules([builtin_rules_dir()])
    rows = []
    for pages in sizes:
        results = _rules_case(pages, max(1, pages // 10))
        facts = sum(len(r.facts) for r in results)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            case = evaluate_case("scale", results, rules)
            times.append(time.perf_counter() - t0)
        secs = median(times)
        rows.append({"pages": pages + max(1, pages // 10), "facts": facts, "rules_s": round(secs, 4),
                     "us_per_fact": round(secs / facts * 1e6, 1), "findings": len(case.findings)})
        print(f"rules over {facts} facts ({rows[-1]['pages']} pages): {secs:.3f} s", flush=True)
    return rows


def markdown_rules(m: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    lines = [
        f"### Rule evaluation scaling · {m['date']} · commit {m['commit'] or '?'} · {m['cpu']} · load {m['load_avg']}",
        "",
        "All built-in rules over one case: a financing agreement whose every page names two firms and says the credit "
        "is tied to \"the vendor\" or to a named supplier, plus a summary a tenth as long (`bench/bench.py --rules-scale`; "
        "median of 3, in-process).",
        "",
        "| pages | facts | rules s | µs per fact | findings |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['pages']} | {r['facts']} | {r['rules_s']:.3f} | {r['us_per_fact']:.0f} | {r['findings']} |")
    return "\n".join(lines) + "\n"


# --- profile ---------------------------------------------------------------------------------------------


def profile_cold(files: Sequence[Path], top: int = 20) -> dict[str, Any]:
    """cProfile of reading the documents in this process, as a worker does:
    the top functions by cumulative time (auditor's own) and by own time (any),
    with calls and share of the total."""
    import cProfile
    import pstats

    import pypdfium2  # noqa: F401  (imported before "ready" in a worker too)

    import auditor.extract.facts  # noqa: F401
    from auditor.ingest.worker import DocTask, process_document
    from auditor.options import OcrMode, ScanOptions

    options = ScanOptions(ocr=OcrMode.OFF, use_cache=False)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    for f in files:
        process_document(DocTask(f.resolve(), f.name, "."), options)
    prof.disable()
    total = time.perf_counter() - t0
    rows = []
    for (filename, line, name), (_cc, nc, tt, ct, _callers) in pstats.Stats(prof).stats.items():  # type: ignore[attr-defined]
        short = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        short = re.sub(r"^.*/lib/python3\.\d+/", "", short)
        label = f"{short}:{line}({name})" if filename != "~" else name
        rows.append({"function": label, "ours": short.startswith("auditor/"), "cumulative_s": round(ct, 3),
                     "own_s": round(tt, 3), "calls": nc, "share_cum": round(ct / total, 3), "share_own": round(tt / total, 3)})
    wrappers = ("process_document", "run_document")
    by_cum = [r for r in sorted(rows, key=lambda r: -r["cumulative_s"]) if r["ours"] and not r["function"].endswith(wrappers[0] + ")")
              and not r["function"].endswith(wrappers[1] + ")")][:top]
    by_own = sorted(rows, key=lambda r: -r["own_s"])[:top]
    return {"total_s": round(total, 3), "docs": len(files), "by_cumulative": by_cum, "by_own": by_own}


# --- output ------------------------------------------------------------------------------------------------


def _mb(x: Any) -> str:
    return "–" if x in (None, 0) else f"{x:.0f}"


def _stages(seconds: dict[str, float], keys: Iterable[str]) -> str:
    return ", ".join(f"{k} {seconds[k]:.3f}" for k in keys if k in seconds)


def markdown_folder(m: dict[str, Any], f: dict[str, Any], s: dict[str, Any] | None) -> str:
    ref = f["pdftotext"]
    cb, ca, w, o = f["cold_born_digital"], f["cold_all"], f["warm_born_digital"], f["ocr"]
    lines = [
        f"### {m['date']} · commit {m['commit'] or '?'} · {m['cpu']} · {m['cores']} cores · {m['ram_gib']} GiB RAM",
        "",
        f"Folder `{_rel(f['folder'])}`: {f['docs']} PDFs, {f['pages']} pages; born-digital (rule: {f['rule']}): "
        f"{f['born_digital_docs']} documents, {f['born_digital_pages']} pages.  Median of {f['repeat']} interleaved "
        f"round(s); load average at start {m['load_avg']}; Python {m['python']}, pypdfium2 {m['pypdfium2']}, "
        f"pdftotext {m['pdftotext']}.",
        "",
        "| run | pages | wall s | pages/s | × pdftotext | peak RSS tree MB | largest process MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| pdftotext, born-digital documents (reference) | {f['born_digital_pages']} | {ref['born_digital_s']:.2f} | {ref['born_digital_pages_per_s']:.0f} | 1.00 | – | – |",
        f"| pdftotext, all documents | {f['pages']} | {ref['all_s']:.2f} | {ref['all_pages_per_s']:.0f} | 1.00 | – | – |",
        f"| auditor cold `--no-cache --ocr off`, born-digital | {f['born_digital_pages']} | {cb['wall']:.2f} | {cb['pages_per_s']:.0f} | **{cb['x_pdftotext']:.2f}** | {_mb(cb['peak_tree_mb'])} | {_mb(cb['peak_single_mb'])} |",
        f"| auditor cold `--no-cache --ocr off`, all documents | {f['pages']} | {ca['wall']:.2f} | {ca['pages_per_s']:.0f} | {ca['x_pdftotext']:.2f} | {_mb(ca['peak_tree_mb'])} | {_mb(ca['peak_single_mb'])} |",
        f"| auditor warm (cache filled), born-digital | {f['born_digital_pages']} | {w['wall']:.3f} | {w['pages_per_s']:.0f} | {w['x_pdftotext']:.1f} | {_mb(w['peak_tree_mb'])} | {_mb(w['peak_single_mb'])} |",
    ]
    if o:
        lines.append(f"| auditor `--ocr auto --no-cache`, documents with unread pages | {o['pages']} ({o['ocr_pages']} OCR) | {o['wall']:.1f} | {o['s_per_ocr_page']} s/OCR page | – | {_mb(o['peak_tree_mb'])} | {_mb(o['peak_single_mb'])} |")
    lines += [
        "",
        f"- **warm rescan {w['speedup_vs_cold']}× faster than cold** ({w['wall']:.3f} s vs {cb['wall']:.2f} s; "
        f"{w['cache_hits']} cache hits; warm runs {', '.join(f'{x:.3f}' for x in w['walls'])} s).",
        f"- cold stages, born-digital (per-document stages summed over the workers, s): "
        f"{_stages(cb['seconds'], ('open', 'text', 'ocr', 'facts'))}; parent: "
        f"{_stages({**cb['seconds'], **cb['cli']}, ('startup', 'load_rules', 'discover', 'prepare', 'wait', 'rules', 'scan', 'report', 'write'))}; "
        f"interpreter start/exit {cb['interpreter_s']}.",
        f"- warm stages (s): {_stages({**w['seconds'], **w['cli']}, ('startup', 'load_rules', 'discover', 'prepare', 'cache', 'rules', 'scan', 'report', 'total'))}; "
        f"interpreter start/exit {w['interpreter_s']}.",
    ]
    if o:
        lines.append(f"- OCR: {o['ocr_pages']} pages OCR'd ({o['unread_after']} still unread: blank or unreadable) in "
                     f"{o['docs']} documents; {o['s_per_ocr_page']} s wall per OCR'd page, "
                     f"{o['ocr_stage_s_per_page']} s of tesseract per page (summed over workers).")
    if s:
        lines.append(f"- start-up: `auditor --version` {s['version_ms']:.0f} ms, `auditor --help` {s['help_ms']:.0f} ms "
                     f"(empty `python -c pass` {s['python_ms']:.0f} ms); `import auditor.cli` {s['import_cli_ms']:.0f} ms "
                     f"(-X importtime); heavy modules imported by --version: {', '.join(s['version_heavy_imports']) or 'none'}, "
                     f"by --help: {', '.join(s['help_heavy_imports']) or 'none'}.")
    return "\n".join(lines) + "\n"


def markdown_scale(m: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    lines = [
        f"### Scale series · {m['date']} · commit {m['commit'] or '?'} · {m['cpu']} · {m['cores']} cores · {m['ram_gib']} GiB RAM",
        "",
        f"Generated from the born-digital fixture PDFs (generator v{GENERATOR_VERSION}); `auditor scan --no-cache --ocr off "
        f"--format json`; load average at start {m['load_avg']}.",
        "",
        "| pages | docs | cases | pdftotext s | pdftotext pages/s | auditor s | pages/s | marginal pages/s | × pdftotext | peak RSS tree MB | largest process MB | parent MB | report MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        marginal = f"{r['marginal_pages_per_s']:.0f}" if r.get("marginal_pages_per_s") else "–"
        lines.append(f"| {r['pages']} | {r['docs']} | {r['cases']} | {r['pdftotext_s']:.2f} | {r['pdftotext_pages_per_s']:.0f} | "
                     f"{r['wall']:.2f} | {r['pages_per_s']:.0f} | {marginal} | {r['x_pdftotext']:.2f} | {_mb(r['peak_tree_mb'])} | "
                     f"{_mb(r['peak_single_mb'])} | {_mb(r['peak_parent_mb'])} | {r['report_mb']:.2f} |")
    lines += ["", "- marginal pages/s = added pages ÷ added seconds from the previous size with the same case folders "
                  "(start-up and worker boot, ≈ 0.4 s, cancel out)."]
    for r in rows:
        lines.append(f"- {r['pages']} pages in {r['cases']} cases, stages (s): {_stages({**r['seconds'], **r['cli']}, ('text', 'facts', 'prepare', 'wait', 'rules', 'scan', 'report'))}.")
    return "\n".join(lines) + "\n"


def markdown_profile(p: dict[str, Any]) -> str:
    lines = ["", f"Profile of a cold read of the {p['docs']} born-digital documents in one process, as a worker reads "
                 f"them (cProfile, {p['total_s']:.2f} s in all, profiler overhead included):", "",
             "| top by cumulative time | cumulative s | own s | calls | share |", "|---|---:|---:|---:|---:|"]
    for r in p["by_cumulative"]:
        lines.append(f"| `{r['function']}` | {r['cumulative_s']:.3f} | {r['own_s']:.3f} | {r['calls']} | {r['share_cum'] * 100:.0f} % |")
    lines += ["", "| top by own time | own s | cumulative s | calls | share |", "|---|---:|---:|---:|---:|"]
    for r in p["by_own"]:
        lines.append(f"| `{r['function']}` | {r['own_s']:.3f} | {r['cumulative_s']:.3f} | {r['calls']} | {r['share_own'] * 100:.0f} % |")
    return "\n".join(lines) + "\n"


def _rel(path: str) -> str:
    """A path as the README's commands would give it: relative to the repository
    when it is inside it or beside it (../shared/...), else absolute."""
    p = Path(path)
    for base, prefix in ((ROOT, ""), (ROOT.parent, "../")):
        try:
            return prefix + p.relative_to(base).as_posix()
        except ValueError:
            continue
    return path


HEADER = """# Benchmarks

Measured with `bench/bench.py` on the project's machines (2 cores, shared with
other work: absolute times are noisy, so every speed is also given as a ratio to
`pdftotext` measured in the same run).  Newest results at the bottom.

Reproduce:

```sh
.venv/bin/pip install -e '.[test,bench]'            # pikepdf (corpus generator), pyinstrument
apt-get install poppler-utils tesseract-ocr         # pdftotext (the reference), tesseract (OCR pass)
.venv/bin/python bench/bench.py                     # ../shared/corpus/real: reference, cold, warm, OCR, start-up
.venv/bin/python bench/bench.py --profile           # the same, plus a cProfile of a cold read
.venv/bin/python bench/bench.py --scale             # generated corpora: ~100, 1,000, 10,000 pages (4 cases), 10,000 (100 cases)
.venv/bin/python bench/bench.py FOLDER --quick      # one round, no OCR pass, nothing recorded
```

Columns:

- **pages**: pages of the PDFs (pypdfium2), of the documents the row covers.
- **wall s**: wall-clock seconds of the whole command, from starting the process to
  its exit (median of the rounds).  Every auditor run is a new process; the
  package is byte-compiled first, as `pip install` does.
- **pages/s**: pages ÷ wall s; **marginal pages/s** (scale series): the pages added
  since the previous size with the same number of case folders ÷ the seconds
  added, so fixed costs (start-up, workers booting) cancel out.
- **× pdftotext**: auditor's pages/s ÷ pdftotext's pages/s on the same documents in
  the same run.  pdftotext runs sequentially, one process per PDF, on one core;
  auditor uses its default worker processes (one per core).
- **born-digital**: documents that have no error, no unread page and no OCR page
  in the `--ocr off` scan, i.e. every page has a usable text layer.  The others
  (scans, blank pages, unmapped fonts) are in "all documents".
- **cold**: `auditor scan --no-cache --ocr off --format json --timings`.
- **warm**: the same with a fresh `--cache-dir`: one run fills it, then rescans read
  it (median of at least 3); the speed-up is cold wall ÷ warm wall.
- **OCR**: `--ocr auto --no-cache` on the documents with unread pages; s/OCR page =
  wall ÷ pages OCR'd.
- **peak RSS tree MB**: the largest sum of the resident memory of the CLI process
  and all its descendants (workers, tesseract), sampled from /proc every 50 ms;
  **largest process MB**: the largest single process; **parent MB**: the CLI process.
- **stages**: `stats.seconds` of the JSON report (`--timings`): per-document stages
  `open`, `text`, `ocr`, `facts` (summed over the workers, so they can exceed the
  wall time), the parent's `prepare` (sniff, sha256, cache look-up), `wait`
  (blocked on the workers), `cache` (reading cached results), `rules` (evaluating
  the rules), `scan` (the pipeline's wall time), `startup` (from loading
  `auditor.cli` to the scan: imports and option parsing), `load_rules`,
  `discover`; and from the `auditor timings:` line on stderr, `report`
  (rendering), `write` and `total`.  "interpreter start/exit" = wall − total.

Targets (issue 6): cold scan of the born-digital documents ≥ 0.5× pdftotext;
warm rescan ≥ 30× faster than cold; peak RSS of the tree < 400 MB at every size
of the scale series.

"""


def record(text: str, path: Path) -> None:
    if not path.exists() or not path.read_text(encoding="utf-8").strip():
        path.write_text(HEADER, encoding="utf-8")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n" + text)


# --- executors: the local pool vs a Dask cluster (--executor dask) -------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DaskCluster:
    """``dask scheduler`` and ``dask worker --nworkers N --nthreads 1`` on loopback, as
    a user starts them; stopped with SIGTERM (then killed) on exit."""

    def __init__(self, workers: int, logs: Path) -> None:
        exe = Path(sys.executable).with_name("dask")
        if not exe.exists():
            raise SystemExit(f"no `dask` command beside {sys.executable}: pip install 'auditor[dask]'")
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        port = self.address.rsplit(":", 1)[1]
        logs.mkdir(parents=True, exist_ok=True)
        self.procs = [subprocess.Popen([str(exe), "scheduler", "--host", "127.0.0.1", "--port", port,
                                        "--dashboard-address", "127.0.0.1:0"],
                                       stdout=(logs / "scheduler.log").open("w"), stderr=subprocess.STDOUT)]
        self.procs.append(subprocess.Popen([str(exe), "worker", self.address, "--nworkers", str(workers),
                                            "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
                                           stdout=(logs / f"workers-{workers}.log").open("w"), stderr=subprocess.STDOUT))
        from distributed import Client

        with Client(self.address, timeout="60s", set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=180)

    def __enter__(self) -> "DaskCluster":
        return self

    def __exit__(self, *exc: Any) -> None:
        import signal

        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def _report_body(run: Run) -> str:
    """The report without its timings: what must be equal between executors."""
    data = run.report()
    data.get("stats", {}).pop("seconds", None)
    data.get("stats", {}).pop("cache_hits", None)
    return json.dumps(data, sort_keys=True)


def bench_executors(folder: Path, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """For each worker count N: ``auditor scan --jobs N`` (the local pool: the
    reference) and ``--executor dask --scheduler ADDR`` on a running cluster of N
    single-threaded workers, interleaved, same documents, same run; plus one
    ``--executor dask`` without a scheduler (the CLI starts a LocalCluster)."""
    files = pdfs_in(folder)
    if not files:
        raise SystemExit(f"no PDF under {folder}")
    pages = sum(page_count(f) for f in files)
    flags = ["--no-cache", "--ocr", args.executor_ocr]
    print(f"{len(files)} PDFs, {pages} pages in {folder}; --ocr {args.executor_ocr}", flush=True)
    # one small document alone: the fixed cost of each executor (start-up, connecting, shutting down)
    one = link_folder([min(files, key=lambda f: f.stat().st_size)], tmp / "one-document")
    rows = []
    bodies: dict[int, str] = {}  # workers -> the local report (timings left out)
    for n in args.workers:
        with DaskCluster(n, tmp / "dask-logs") as cluster:
            dask_flags = (*flags, "--executor", "dask", "--scheduler", cluster.address)
            scan(folder, *flags, jobs=n)  # warm-up: the OS file cache, the workers' imports
            scan(folder, *dask_flags)
            local, dask, local1, dask1 = [], [], [], []
            for _ in range(args.repeat):
                local.append(scan(folder, *flags, jobs=n))
                dask.append(scan(folder, *dask_flags))
                local1.append(scan(one, *flags, jobs=n))
                dask1.append(scan(one, *dask_flags))
        lo, da = pick_median(local), pick_median(dask)
        fixed = median([r.wall for r in dask1]) - median([r.wall for r in local1])
        docs = lo.report()["stats"]["documents"]
        bodies[n] = _report_body(local[0])
        same = all(_report_body(r) == bodies[n] for r in local + dask)
        rows.append({
            "workers": n, "documents": docs, "pages": pages,
            "local_wall": round(lo.wall, 3), "local_walls": [round(r.wall, 3) for r in local],
            "dask_wall": round(da.wall, 3), "dask_walls": [round(r.wall, 3) for r in dask],
            "local_pages_per_s": round(_rate(pages, lo.wall), 1), "dask_pages_per_s": round(_rate(pages, da.wall), 1),
            "x_local": round(lo.wall / da.wall, 2) if da.wall else None,
            "fixed_overhead_s": round(fixed, 2),
            # what each further document costs on the cluster beyond the local pool
            "overhead_ms_per_doc": round((da.wall - lo.wall - fixed) / (docs - 1) * 1000, 1) if docs > 1 else None,
            "dask_wait_s": da.report()["stats"].get("seconds", {}).get("wait"),
            "same_report": same,
        })
        r = rows[-1]
        print(f"  {n} worker(s): local {r['local_wall']:.2f} s, dask {r['dask_wall']:.2f} s (fixed "
              f"{r['fixed_overhead_s']:+.2f} s, {r['overhead_ms_per_doc']} ms/document; same report: {same})", flush=True)
    n = args.workers[min(1, len(args.workers) - 1)]
    started = scan(folder, *flags, "--executor", "dask", jobs=n)
    local_n = next(r for r in rows if r["workers"] == n)
    return {
        "folder": str(folder), "docs": len(files), "pages": pages, "ocr": args.executor_ocr, "repeat": args.repeat,
        "rows": rows,
        "local_cluster": {"workers": n, "wall": round(started.wall, 3),
                          "startup_s": round(started.wall - local_n["local_wall"], 2),
                          "same_report": _report_body(started) == bodies[n]},
    }


def markdown_executors(m: dict[str, Any], e: dict[str, Any]) -> str:
    lines = [
        f"### Executors · {m['date']} · commit {m['commit'] or '?'} · {m['cpu']} · {m['cores']} cores · {m['ram_gib']} GiB RAM",
        "",
        f"Folder `{_rel(e['folder'])}`: {e['docs']} PDFs, {e['pages']} pages; `auditor scan --no-cache --ocr {e['ocr']}`, "
        f"local pool `--jobs N` (the reference) against `--executor dask --scheduler ADDR` on a running "
        f"`dask scheduler` + `dask worker --nworkers N --nthreads 1` on loopback; median of {e['repeat']} interleaved "
        f"round(s) after one warm-up each; load average at start {m['load_avg']}; Python {m['python']}.",
        "",
        "| workers | documents | local wall s | local pages/s | dask wall s | dask pages/s | × local | fixed overhead s | overhead ms/document | same report |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in e["rows"]:
        lines.append(f"| {r['workers']} | {r['documents']} | {r['local_wall']:.2f} | {r['local_pages_per_s']:.0f} | "
                     f"{r['dask_wall']:.2f} | {r['dask_pages_per_s']:.0f} | {r['x_local']:.2f} | "
                     f"{r['fixed_overhead_s']:+.2f} | **{r['overhead_ms_per_doc']}** | {'yes' if r['same_report'] else 'NO'} |")
    lc = e["local_cluster"]
    lines += [
        "",
        "- **fixed overhead** = dask wall − local wall on one small document alone (the median of the rounds): "
        "importing `distributed` in the CLI, connecting to the scheduler, stopping the workers' reader processes "
        "at the end; paid once per scan.",
        "- **overhead per document** = (dask wall − local wall − fixed overhead) ÷ (documents − 1), with the same "
        "number of workers: what each further document pays for its trip client → scheduler → worker → the "
        "worker's reader process and back (serialising the task and its result).  Negative: the cluster kept "
        "its workers busier than the local pool did (noise on a shared machine is ± a few tens of ms).",
        f"- `--executor dask` without `--scheduler` ({lc['workers']} workers): {lc['wall']:.2f} s, i.e. "
        f"{lc['startup_s']:+.2f} s against the local pool: the LocalCluster's start-up and shutdown "
        f"(same report: {'yes' if lc['same_report'] else 'NO'}).",
    ]
    return "\n".join(lines) + "\n"


# --- main -----------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER), help="folder of PDFs (default: ../shared/corpus/real)")
    ap.add_argument("--scale", action="store_true", help="run the scale series on generated corpora instead")
    ap.add_argument("--rules-scale", action="store_true", help="time rule evaluation over cases of growing size instead")
    ap.add_argument("--sizes", default=None, help="pages of the scale corpora, PAGES or PAGESxCASES (default "
                    "100,1000,10000,10000x100: four case folders each, and the largest again in 100 case folders; "
                    "with --quick 20,60)")
    ap.add_argument("--quick", action="store_true", help="one round, no OCR pass, no start-up repeats; nothing recorded unless --record")
    ap.add_argument("--repeat", type=int, default=None, help="rounds of reference + cold scans (default 3; 1 with --quick)")
    ap.add_argument("--scale-repeat", type=int, default=1, help="rounds per size of the scale series (default 1)")
    ap.add_argument("--jobs", type=int, default=None, help="passed to auditor scan --jobs (default: auditor's)")
    ap.add_argument("--no-ocr", action="store_true", help="skip the OCR pass")
    ap.add_argument("--profile", action="store_true", help="also profile a cold read of the born-digital documents (cProfile)")
    ap.add_argument("--corpora", default=None, help="where the scale corpora are generated (default bench/corpora)")
    rec = ap.add_mutually_exclusive_group()
    rec.add_argument("--record", action="store_true", help="append the results to BENCHMARKS.md (default unless --quick)")
    rec.add_argument("--no-record", action="store_true", help="do not append to BENCHMARKS.md")
    ap.add_argument("--benchmarks", default=str(BENCHMARKS), help="the file to append to (default BENCHMARKS.md)")
    ap.add_argument("--json", default=None, help="also write the results as JSON to this file")
    ap.add_argument("--executor", choices=("local", "dask"), default="local",
                    help="dask: compare the local pool with a Dask cluster of --workers workers instead")
    ap.add_argument("--workers", default="1,2,4", help="with --executor dask: worker counts (default 1,2,4)")
    ap.add_argument("--executor-ocr", default="off", choices=("off", "auto"),
                    help="with --executor dask: the scans' --ocr (default off)")
    args = ap.parse_args(argv)
    args.workers = [int(x) for x in str(args.workers).split(",") if x.strip()]
    args.repeat = args.repeat or (1 if args.quick else 3)
    if args.quick:
        args.no_ocr = True
    do_record = args.record or (not args.quick and not args.no_record)

    byte_compile()
    machine = machine_info()
    print(f"{machine['cpu']}, {machine['cores']} cores, {machine['ram_gib']} GiB; commit {machine['commit']}; "
          f"load {machine['load_avg']}", flush=True)
    results: dict[str, Any] = {"machine": machine}
    with tempfile.TemporaryDirectory(prefix="auditor-bench-") as tmpdir:
        tmp = Path(tmpdir)
        if args.executor == "dask":
            results["executors"] = bench_executors(Path(args.folder).resolve(), args, tmp)
            text = markdown_executors(machine, results["executors"])
        elif args.rules_scale:
            results["rules_scale"] = bench_rules(RULES_PAGES[:2] if args.quick else RULES_PAGES)
            text = markdown_rules(machine, results["rules_scale"])
        elif args.scale:
            sizes = parse_sizes(args.sizes or ("20,60" if args.quick else "100,1000,10000,10000x100"))
            results["scale"] = bench_scale(sizes, args)
            text = markdown_scale(machine, results["scale"])
        else:
            folder = Path(args.folder).resolve()
            results["folder"] = bench_folder(folder, args, tmp)
            results["startup"] = startup(1 if args.quick else 5)
            text = markdown_folder(machine, results["folder"], results["startup"])
            if args.profile:
                bd = [f for f in pdfs_in(folder) if f.name in {p.name for p in (tmp / "born-digital").iterdir()}]
                results["profile"] = profile_cold(bd)
                text += markdown_profile(results["profile"])
    results["targets"] = targets(results)
    text += targets_line(results["targets"])
    print()
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if do_record:
        record(text, Path(args.benchmarks))
        print(f"appended to {args.benchmarks}")
    return 0


def targets(results: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    f = results.get("folder")
    if f:
        x = f["cold_born_digital"]["x_pdftotext"]
        out["cold_vs_pdftotext"] = {"value": x, "target": 0.5, "met": x is not None and x >= 0.5}
        sp = f["warm_born_digital"]["speedup_vs_cold"]
        out["warm_speedup"] = {"value": sp, "target": 30, "met": sp is not None and sp >= 30}
        peak = max(f["cold_born_digital"]["peak_tree_mb"], f["cold_all"]["peak_tree_mb"], f["warm_born_digital"]["peak_tree_mb"])
        out["peak_rss_mb"] = {"value": peak, "target": 400, "met": peak < 400}
    rows = results.get("scale")
    if rows:
        peak = max(r["peak_tree_mb"] for r in rows)
        out["peak_rss_mb"] = {"value": peak, "target": 400, "met": peak < 400}
        # linear: the marginal rates agree with each other and with the largest run's rate
        rates = [r["marginal_pages_per_s"] for r in rows if r.get("marginal_pages_per_s")]
        if rates:
            rates.append(max(rows, key=lambda r: r["pages"])["pages_per_s"])
            out["linear"] = {"value": round(min(rates) / max(rates), 2), "target": 0.7, "met": min(rates) / max(rates) >= 0.7}
    return out


def targets_line(t: dict[str, Any]) -> str:
    names = {"cold_vs_pdftotext": "cold ≥ 0.5× pdftotext", "warm_speedup": "warm ≥ 30× faster than cold",
             "peak_rss_mb": "peak RSS < 400 MB", "linear": "time linear in pages (marginal pages/s min/max ≥ 0.7)"}
    parts = [f"{names[k]}: {v['value']} {'✓' if v['met'] else '✗'}" for k, v in t.items()]
    return f"\n- targets: {'; '.join(parts)}.\n" if parts else ""


if __name__ == "__main__":
    sys.exit(main())
