"""bench/bench.py runs end to end on a tiny folder and reports what BENCHMARKS.md
needs.  No timing is asserted here: timings belong in benchmarks, not in tests.
Also: the fast start-up paths (no pydantic for option parsing, no extractor or
YAML import on a fully cached scan) keep behaving like the slow ones."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURE_CASES, ROOT

BENCH = ROOT / "bench" / "bench.py"

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")


def _tiny(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    folder.mkdir()
    for src in ("islamabad-safe-city/judgment.pdf", "value-mismatch/board-minutes.pdf", "scanned-summary/summary-scan.pdf"):
        shutil.copy(FIXTURE_CASES / src, folder / src.replace("/", "--"))
    return folder


@needs_pdftotext
def test_bench_quick_reports_every_field(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    md = tmp_path / "BENCHMARKS.md"
    proc = subprocess.run(
        [sys.executable, str(BENCH), str(_tiny(tmp_path)), "--quick", "--json", str(out), "--record", "--benchmarks", str(md)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(out.read_text())
    m = res["machine"]
    assert m["cpu"] and m["cores"] >= 1 and m["ram_gib"] and m["date"]
    assert "commit" in m
    f = res["folder"]
    assert (f["docs"], f["pages"]) == (3, 9)
    assert (f["born_digital_docs"], f["born_digital_pages"]) == (2, 6)  # the scanned summary is not born-digital
    assert f["pdftotext"]["born_digital_pages_per_s"] > 0 and f["pdftotext"]["all_pages_per_s"] > 0
    for key in ("cold_born_digital", "cold_all", "warm_born_digital"):
        run = f[key]
        for field in ("wall", "pages_per_s", "x_pdftotext", "peak_tree_mb", "peak_single_mb", "seconds", "cli"):
            assert field in run, (key, field)
        assert run["peak_tree_mb"] >= run["peak_single_mb"] > 0
        assert run["cli"]["total"] > 0 and "report" in run["cli"]
    assert f["cold_born_digital"]["pages"] == 6
    assert {"text", "facts", "startup", "load_rules", "scan"} <= set(f["cold_born_digital"]["seconds"])
    assert f["cold_born_digital"]["processes"] >= 2  # the CLI and at least one worker were sampled
    warm = f["warm_born_digital"]
    assert warm["cache_hits"] == 2 and warm["speedup_vs_cold"] > 0
    assert f["ocr"] is None  # --quick skips the OCR pass
    s = res["startup"]
    assert s["version_ms"] > 0 and s["help_ms"] > 0 and s["import_cli_ms"] > 0
    assert s["version_heavy_imports"] == []
    assert set(res["targets"]) == {"cold_vs_pdftotext", "warm_speedup", "peak_rss_mb"}
    text = md.read_text()
    assert text.startswith("# Benchmarks") and "× pdftotext" in text and "warm rescan" in text


@needs_pdftotext
def test_bench_scale_generates_distinct_documents(tmp_path: Path) -> None:
    pytest.importorskip("pikepdf")
    out = tmp_path / "scale.json"
    corpora = tmp_path / "corpora"
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--scale", "--quick", "--sizes", "12", "--corpora", str(corpora), "--json", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    row = json.loads(out.read_text())["scale"][0]
    assert row["pages"] == 12 and row["docs"] >= 2 and row["peak_tree_mb"] > 0 and row["pages_per_s"] > 0
    files = sorted((corpora / "scale-12").rglob("*.pdf"))
    assert len(files) == row["docs"]
    import hashlib

    assert len({hashlib.sha256(p.read_bytes()).hexdigest() for p in files}) == len(files)


# --- start-up paths ----------------------------------------------------------------------------


def _run_cli(args: list[str], probe: str) -> subprocess.CompletedProcess:
    code = (
        "import sys, json\n"
        f"sys.argv = ['auditor', *{args!r}]\n"
        "from auditor.cli import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\nelse:\n    code = 0\n"
        f"print('PROBE|' + json.dumps({{m: m in sys.modules for m in {probe!r}}}) + '|' + str(code), file=sys.stderr)\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)


def _probe(proc: subprocess.CompletedProcess) -> tuple[dict, str]:
    line = [x for x in proc.stderr.splitlines() if x.startswith("PROBE|")][-1]
    _, mods, code = line.split("|", 2)
    return json.loads(mods), code


def test_cached_scan_imports_neither_extractors_nor_yaml_nor_pydantic(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    args = ["scan", str(FIXTURE_CASES / "value-mismatch"), "--ocr", "off", "--cache-dir", str(cache),
            "--format", "json", "--quiet", "--jobs", "1", "--doc-timeout", "60", "--output", str(tmp_path / "r.json")]
    probe = ["pydantic", "yaml", "auditor.extract.facts", "pypdfium2", "pandas", "pdfplumber"]
    first = _run_cli(args, probe)
    mods, code = _probe(first)
    assert code == "0", first.stderr[-2000:]
    assert not mods["pydantic"] and mods["yaml"]  # rules were validated (and cached) on this first run
    assert list((cache / "rules").glob("*.json"))
    report = (tmp_path / "r.json").read_text()
    second = _run_cli(args, probe)
    mods, code = _probe(second)
    assert code == "0", second.stderr[-2000:]
    assert not any(mods.values()), mods
    assert (tmp_path / "r.json").read_text() == report


def test_options_are_converted_like_typer_does(tmp_path: Path) -> None:
    """Well-formed values take the fast path; anything else still gets typer's
    own conversion and error message."""
    from typer.testing import CliRunner

    from auditor.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["scan", str(FIXTURE_CASES / "value-mismatch"), "--jobs", " 1", "--doc-timeout", "1e2",
                              "--ocr", "off", "--no-cache", "--quiet", "--format", "json", "--rules", str(ROOT / "rules"),
                              "--no-builtin-rules", "--dpi", "+150", "--output", str(tmp_path / "out.json")])
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "out.json").read_text())["stats"]["documents"] == 3
    for bad, where in ((["--jobs", "abc"], "--jobs"), (["--doc-timeout", "soon"], "--doc-timeout"), (["--jobs", "1.5"], "--jobs")):
        res = runner.invoke(app, ["scan", str(FIXTURE_CASES / "value-mismatch"), "--no-cache", *bad])
        assert res.exit_code == 2 and where in res.output and "valid" in res.output, res.output
    res = runner.invoke(app, ["scan", str(FIXTURE_CASES / "value-mismatch"), "--no-cache", "--quiet", "--jobs", "1_0",
                              "--ocr", "off", "--format", "json", "--output", str(tmp_path / "o2.json")])
    assert res.exit_code == 0, res.output  # typer's lax integers ("1_0") are still accepted


def test_hash_memo_is_trusted_only_while_the_file_is_unchanged(tmp_path: Path, monkeypatch) -> None:
    from auditor.ingest.cache import HashMemo
    from auditor.ingest.pdf import sha256_file

    doc = tmp_path / "a.pdf"
    doc.write_bytes(b"%PDF-1.4 one")
    memo = HashMemo(tmp_path / "cache")
    memo.put(doc, doc.stat(), sha256_file(doc))
    assert memo.get(doc, doc.stat()) is None  # just written: too recent to be trusted
    monkeypatch.setattr(HashMemo, "RACY_SECONDS", 0.0)
    memo.put(doc, doc.stat(), sha256_file(doc))
    assert memo.get(doc, doc.stat()) == sha256_file(doc)
    doc.write_bytes(b"%PDF-1.4 two")  # same size, new content
    assert memo.get(doc, doc.stat()) is None


def test_rule_pack_cache_follows_the_rule_files(tmp_path: Path) -> None:
    from auditor.ruleset.schema import load_rules

    rules_dir = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules_dir)
    cache = tmp_path / "cache"
    first, _ = load_rules([rules_dir], cache_dir=cache)
    again, _ = load_rules([rules_dir], cache_dir=cache)
    assert again == first and len(list((cache / "rules").glob("*.json"))) == 1
    import re

    rule = first[0]
    target = Path(rule.source)
    new = "critical" if rule.severity.value != "critical" else "low"
    target.write_text(re.sub(r"(?m)^severity: \w+", f"severity: {new}", target.read_text(), count=1))
    changed, _ = load_rules([rules_dir], cache_dir=cache)
    assert {r.id: r.severity.value for r in changed}[rule.id] == new
    target.write_text(target.read_text() + "\nunknown_key: 1\n")
    with pytest.raises(Exception):  # an invalid pack is reported, never served from the cache
        load_rules([rules_dir], cache_dir=cache)
