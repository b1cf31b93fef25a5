"""A small, fast subset of the quality harness (bench/quality.py) as a regression guard:
labelled real judgments whose signals the tool finds today, two judgments where it must stay
silent, and a few documents of the silence set.  The full run is a benchmark (QUALITY.md)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
LABELLED = ("gutter-baghicha-kmc", "quetta-bridge-land-sale", "sahiwal-land-private-treaty",
            "tanda-dam-contract-arbitration", "neg-missions-local-staff")
SILENCE = ("C.A._697_2008", "C.A._870_2014", "C.A._1194_2014")

pytestmark = pytest.mark.skipif(not (CORPUS / "labelled").is_dir(), reason="../shared/corpus not present")


def test_quality_subset(tmp_path: Path) -> None:
    labelled = tmp_path / "labelled"
    silence = tmp_path / "silence"
    for name in LABELLED:  # copies: a scan does not follow symbolic links into folders
        shutil.copytree(CORPUS / "labelled" / name, labelled / name)
    for name in SILENCE:
        shutil.copytree(CORPUS / "silence" / name, silence / name)
    out = tmp_path / "q.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "quality.py"), str(labelled), "--silence", str(silence),
         "--json", str(out), "--cache-dir", str(tmp_path / "cache"), "--scan-arg=--ocr", "--scan-arg=off"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("quality: recall "), last
    figures = json.loads(out.read_text())
    found, total = figures["recall"]
    assert total == 5 and found == total, proc.stdout  # every must of these five cases
    assert figures["false_alarms"][0] == 0, proc.stdout  # the hard and the random negative stay silent
    ok, quotes = figures["quotes"]
    assert quotes and ok == quotes, proc.stdout
    assert figures["silence"] == [0, len(SILENCE)], proc.stdout
