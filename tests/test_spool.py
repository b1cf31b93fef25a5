"""The spool of case results (auditor.spool): a scan's cases past a threshold live in
an anonymous temporary file and are read back in id order, and every report is the
same, byte for byte, as when they are all held in memory."""

from __future__ import annotations

import json
import os
import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.models import AuditResult, CaseResult, Check, Finding, Outcome, Severity
from auditor.options import ScanOptions
from auditor.pipeline import run_scan
from auditor.report import Format, render, render_chunks
from auditor.report.json_ import report_dict
from auditor.ruleset.schema import builtin_rules_dir, load_rules
from auditor.spool import SPOOL_ENV, CaseList, CaseSpool

ROOT = Path(__file__).resolve().parents[1]
RULES, _ = load_rules([builtin_rules_dir()])
FORMATS = [f for f in Format if f is not Format.CARDINAL]


def _case(cid: str, n_findings: int = 1) -> CaseResult:
    findings = tuple(Finding(rule_id=f"r{i}", title="t", severity=Severity.HIGH if i % 2 else Severity.LOW,
                             score=float(i), confidence=0.9, message=f"m {cid} {i}", evidence=(),
                             fingerprint=f"{cid}-{i}", case_id=cid) for i in range(n_findings))
    return CaseResult(id=cid, score=1.0, documents=(), findings=findings,
                      checks=(Check("r0", Outcome.FIRED),))


def _spooled(ids, threshold=0) -> CaseList:
    spool = CaseSpool(threshold=threshold)
    for cid in ids:
        spool.add(_case(cid))
    return spool.finish()


@pytest.mark.parametrize("threshold", [0, 2, 100])
def test_cases_come_back_in_id_order(threshold) -> None:
    ids = ["c", "a", "e", "b", "d"]
    cases = _spooled(ids, threshold)
    assert cases.spooled is (threshold < len(ids))
    assert len(cases) == 5
    assert [c.id for c in cases] == sorted(ids)
    assert cases[0].id == "a" and cases[-1].id == "e" and cases[2] == _case("c")
    assert [c.id for c in cases[1:3]] == ["b", "c"]
    assert [c.id for c in reversed(cases)] == sorted(ids, reverse=True)
    with pytest.raises(IndexError):
        cases[5]
    assert cases == tuple(_case(i) for i in sorted(ids))
    assert pickle.loads(pickle.dumps(cases)) == tuple(_case(i) for i in sorted(ids))


def test_cases_in_order_keep_no_ids_and_equal_ids_keep_their_order() -> None:
    spool = CaseSpool(threshold=0)
    for cid in ["a", "b", "c"]:
        spool.add(_case(cid))
    assert spool._ids is None  # in order: only offsets and lengths are held
    spool.add(replace(_case("b"), score=2.0))  # out of order, and an id met before
    assert spool._ids == ["a", "b", "c", "b"]
    cases = spool.finish()
    assert [(c.id, c.score) for c in cases] == [("a", 1.0), ("b", 1.0), ("b", 2.0), ("c", 1.0)]


def test_map_is_lazy_and_composes() -> None:
    cases = _spooled(["b", "a"])
    seen = []

    def mark(c):
        seen.append(c.id)
        return replace(c, score=c.score + 1)

    view = cases.map(mark).map(lambda c: replace(c, score=c.score * 10))
    assert seen == []
    assert [c.score for c in view] == [20.0, 20.0]
    assert seen == ["a", "b"]
    assert [c.score for c in cases] == [1.0, 1.0]  # the spool itself is unchanged


def test_the_spool_file_is_never_seen_in_its_folder(tmp_path, monkeypatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    spool = CaseSpool(threshold=0)
    spool.add(_case("a"))
    cases = spool.finish()
    assert cases.spooled and list(tmp_path.iterdir()) == []  # unlinked from the start
    assert cases[0].id == "a"
    cases.close()


def test_env_sets_the_threshold(monkeypatch) -> None:
    monkeypatch.setenv(SPOOL_ENV, "0")
    assert CaseSpool().threshold == 0
    monkeypatch.setenv(SPOOL_ENV, "junk")
    assert CaseSpool().threshold == 1000


@pytest.mark.parametrize("n_cases", [0, 1, 3])
def test_json_in_pieces_is_json_dumps_of_the_report(n_cases) -> None:
    cases = _spooled([f"c{i}" for i in range(n_cases)])
    result = AuditResult(tool_version="1", roots=("x",), cases=cases, notes=('"findings": 0 in a note',))
    whole = json.dumps(report_dict(result), indent=2, ensure_ascii=False) + "\n"
    assert "".join(render_chunks(result, Format.JSON)) == whole == render(result, Format.JSON)
    assert json.loads(whole)["stats"]["findings"] == n_cases


def _scan(paths, tmp_path, monkeypatch, threshold: int, **kw):
    monkeypatch.setenv(SPOOL_ENV, str(threshold))
    options = ScanOptions(use_cache=True, cache_dir=tmp_path / "cache", jobs=1, **kw)
    return run_scan(list(paths), options, RULES, timestamp="2026-01-01T00:00:00+00:00")


@pytest.mark.parametrize("paths", [["fixtures/ocds"], ["fixtures/cases"]])
def test_spooled_scan_reports_are_byte_identical(paths, tmp_path, monkeypatch) -> None:
    paths = [ROOT / p for p in paths]
    spooled = _scan(paths, tmp_path, monkeypatch, 0)
    held = _scan(paths, tmp_path, monkeypatch, 1_000_000)
    assert spooled.cases.spooled and not held.cases.spooled
    assert len(spooled.cases) == len(held.cases) > 0
    assert spooled.stats == replace(held.stats, cache_hits=spooled.stats.cache_hits, seconds=spooled.stats.seconds)
    assert spooled.notes == held.notes
    for fmt in FORMATS:
        assert "".join(render_chunks(spooled, fmt)) == render(held, fmt), fmt


def test_suppressions_on_spooled_cases_are_applied_as_read(tmp_path, monkeypatch) -> None:
    from auditor.selection import apply_suppressions

    result = _scan([ROOT / "fixtures" / "ocds"], tmp_path, monkeypatch, 0)
    fps = [f.fingerprint for f in result.iter_findings()]
    assert fps
    marked = apply_suppressions(result, {fps[0]: "accepted", "0" * 16: "gone"})
    assert isinstance(marked.cases, CaseList) and marked.cases.spooled
    assert [f.suppressed for f in marked.iter_findings() if f.fingerprint == fps[0]][0] == "accepted"
    assert any("stale" in n for n in marked.notes)
    held = _scan([ROOT / "fixtures" / "ocds"], tmp_path, monkeypatch, 1_000_000)
    assert render(marked, Format.JSON) == render(apply_suppressions(held, {fps[0]: "accepted", "0" * 16: "gone"}), Format.JSON)


def test_cli_json_to_a_file_with_the_spool(tmp_path) -> None:
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outs = []
    for threshold in ("0", "1000000"):
        out = tmp_path / f"r{threshold}.json"
        p = subprocess.run([sys.executable, "-m", "auditor", "scan", str(ROOT / "fixtures" / "ocds"), "--format", "json",
                            "--no-cache", "--quiet", "-o", str(out)], env={**env, SPOOL_ENV: threshold},
                           capture_output=True, text=True)
        assert p.returncode in (0, 1), p.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert sorted(x.name for x in tmp_path.iterdir()) == ["r0.json", "r1000000.json"]  # no temporary file left


def test_counts_are_taken_as_cases_are_spooled(monkeypatch) -> None:
    from auditor.scan_command import internal_errors

    spool = CaseSpool(threshold=0)
    for cid in ["b", "a"]:
        spool.add(replace(_case(cid, 3), checks=(Check("r0", Outcome.FIRED), Check("r1", Outcome.ERROR, "rule error: x"))))
    cases = spool.finish()
    assert cases.counts.findings == 6 and cases.counts.rule_errors == 2 and cases.counts.internal_documents == 0
    result = AuditResult(tool_version="1", roots=("x",), cases=cases)
    assert internal_errors(result) == (0, 2) == internal_errors(replace(result, cases=tuple(cases)))
    assert cases.map(lambda c: c).counts is cases.counts


def test_checks_past_the_table_are_stored_with_their_case(monkeypatch) -> None:
    import auditor.spool as spool_module

    monkeypatch.setattr(spool_module, "MAX_CHECKS", 2)
    spool = CaseSpool(threshold=0)
    made = []
    for i in range(4):
        case = replace(_case(f"c{i}"), checks=(Check("r", Outcome.NOT_FIRED, f"reason {i}"), Check("s", Outcome.FIRED)))
        made.append(case)
        spool.add(case)
    assert list(spool.finish()) == made
