"""Baselines, end to end through the command line.

scan -> JSON report -> rescan with ``--baseline`` that report: the same findings
are ``known`` and ``--fail-on`` no longer exits 1; a finding that is not in the
baseline (a PDF added later) still fails the run.  SARIF marks the two kinds
``unchanged`` and ``new``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIRST = "The contract was awarded to M/s Qadri Traders without inviting tenders."
SECOND = "The committee approved the purchase of ambulances by direct contracting."


def make_pdf(path: Path, title: str, sentence: str) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("Helvetica-Bold", 14)
    c.drawString(60, 800, title)
    c.setFont("Helvetica", 11)
    c.drawString(60, 770, sentence)
    c.showPage()
    c.save()


def auditor(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", "scan", *args, "--no-cache", "--ocr", "off", "--quiet"],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )


def findings(report: str) -> list[dict]:
    return [f for c in json.loads(report)["cases"] for f in c["findings"]]


@pytest.fixture()
def workdir(tmp_path: Path) -> Path:
    make_pdf(tmp_path / "filings" / "supply-order" / "complaint.pdf", "Tender complaint No. 12 of 2023", FIRST)
    return tmp_path


def test_baseline_silences_known_findings_and_not_new_ones(workdir: Path) -> None:
    # 1. a first scan fails on high ...
    first = auditor(workdir, "filings", "--format", "json", "--fail-on", "high")
    assert first.returncode == 1, first.stderr
    before = findings(first.stdout)
    assert any(f["severity"] in ("high", "critical") for f in before), before
    assert not any(f["known"] for f in before)

    # 2. ... and its JSON report becomes the baseline
    made = auditor(workdir, "filings", "--format", "json", "-o", ".auditor-baseline.json")
    assert made.returncode == 0, made.stderr
    assert (workdir / ".auditor-baseline.json").is_file()

    # 3. the same findings are now known and do not fail the run
    again = auditor(workdir, "filings", "--format", "json", "--fail-on", "high", "--baseline", ".auditor-baseline.json")
    assert again.returncode == 0, again.stdout + again.stderr
    after = findings(again.stdout)
    assert {f["fingerprint"] for f in after} == {f["fingerprint"] for f in before}
    assert all(f["known"] for f in after)

    # 4. a new PDF with a new finding still fails, and only it is new
    make_pdf(workdir / "filings" / "ambulances" / "minutes.pdf", "Minutes of the Procurement Committee", SECOND)
    third = auditor(workdir, "filings", "--format", "json", "--fail-on", "high", "--baseline", ".auditor-baseline.json")
    assert third.returncode == 1, third.stdout + third.stderr
    now = findings(third.stdout)
    known = {f["fingerprint"] for f in now if f["known"]}
    new = [f for f in now if not f["known"]]
    assert known == {f["fingerprint"] for f in before}
    assert new and all(e["document"].startswith("ambulances/") for f in new for e in f["evidence"])

    # 5. SARIF says the same with baselineState
    sarif = auditor(workdir, "filings", "--format", "sarif", "--baseline", ".auditor-baseline.json")
    assert sarif.returncode == 0, sarif.stderr
    states = {
        r["partialFingerprints"]["auditorFinding/v1"]: r["baselineState"]
        for r in json.loads(sarif.stdout)["runs"][0]["results"]
    }
    assert {fp for fp, s in states.items() if s == "unchanged"} == known
    assert {fp for fp, s in states.items() if s == "new"} == {f["fingerprint"] for f in new}


def test_known_findings_still_reported(workdir: Path) -> None:
    """A baseline hides nothing: known findings stay in every report, marked as known."""
    auditor(workdir, "filings", "--format", "json", "-o", "base.json")
    table = auditor(workdir, "filings", "--baseline", "base.json", "--width", "120")
    assert table.returncode == 0
    assert "(known)" in table.stdout
    memo = auditor(workdir, "filings", "--format", "markdown", "--baseline", "base.json")
    assert "already in the baseline" in memo.stdout


def test_missing_or_bad_baseline_is_a_usage_error(workdir: Path) -> None:
    missing = auditor(workdir, "filings", "--baseline", "nope.json")
    assert missing.returncode == 2
    assert "baseline" in missing.stderr
    (workdir / "bad.json").write_text("{not json", encoding="utf-8")
    bad = auditor(workdir, "filings", "--baseline", "bad.json")
    assert bad.returncode == 2
