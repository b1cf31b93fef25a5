"""Case grouping: what a case is, whatever way its documents are given.

Files of one folder given one by one form that folder's case exactly as the
folder would (same id, same documents, same findings); a case id is never ".";
``--case-per-file``; ``case.yaml`` names the case and the documents that belong
together; ``--exclude``; a folder of unrelated documents gets a warning.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from conftest import EXAMPLE, FIXTURE_CASES

runner = CliRunner()
REAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"


def scan_json(*args: str, cwd: Path | None = None) -> dict:
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        res = runner.invoke(app, ["scan", *args, "--format", "json", "--quiet", "--ocr", "off"], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout)


def findings_of(report: dict) -> list[tuple]:
    return sorted((c["id"], f["rule_id"], f["fingerprint"], tuple((e["document"], e["page"]) for e in f["evidence"]))
                  for c in report["cases"] for f in c["findings"])


def test_files_given_one_by_one_form_their_folders_case(tmp_path: Path) -> None:
    folder = scan_json(str(EXAMPLE), "--cache-dir", str(tmp_path))
    files = scan_json(*sorted(str(p) for p in EXAMPLE.glob("*.pdf")), "--cache-dir", str(tmp_path))
    assert [c["id"] for c in files["cases"]] == [c["id"] for c in folder["cases"]] == ["islamabad-safe-city"]
    assert files["cases"] == folder["cases"]
    # the rule that compares two documents (financing agreement vs. award) still fires
    assert "vendor-not-named-in-financing" in {f["rule_id"] for f in files["cases"][0]["findings"]}


def test_relative_files_from_the_case_folder_itself(tmp_path: Path) -> None:
    """`cd case && auditor scan *.pdf` is named after the folder, never '.'."""
    report = scan_json(*sorted(p.name for p in EXAMPLE.glob("*.pdf")), "--cache-dir", str(tmp_path), cwd=EXAMPLE)
    assert [c["id"] for c in report["cases"]] == ["islamabad-safe-city"]
    report = scan_json(".", "--cache-dir", str(tmp_path), cwd=EXAMPLE)
    assert [c["id"] for c in report["cases"]] == ["islamabad-safe-city"]


def test_files_of_several_folders_keep_the_folder_ids(tmp_path: Path) -> None:
    picked = [EXAMPLE / "judgment.pdf", FIXTURE_CASES / "clean-open-tender" / "tender-notice.pdf",
              FIXTURE_CASES / "clean-open-tender" / "letter-of-award.pdf"]
    report = scan_json(*map(str, picked), "--cache-dir", str(tmp_path))
    assert {c["id"]: sorted(d["path"] for d in c["documents"]) for c in report["cases"]} == {
        "clean-open-tender": ["clean-open-tender/letter-of-award.pdf", "clean-open-tender/tender-notice.pdf"],
        "islamabad-safe-city": ["islamabad-safe-city/judgment.pdf"],
    }


def test_a_file_given_twice_or_inside_a_given_folder_is_read_once(tmp_path: Path) -> None:
    report = scan_json(str(EXAMPLE), str(EXAMPLE / "judgment.pdf"), "--cache-dir", str(tmp_path))
    docs = [d["path"] for c in report["cases"] for d in c["documents"]]
    assert len(docs) == len(set(docs)) == len(list(EXAMPLE.glob("*.pdf")))


def test_case_ids_agree_in_json_csv_and_sarif(tmp_path: Path) -> None:
    ids = set()
    for fmt in ("json", "csv", "sarif"):
        res = runner.invoke(app, ["scan", str(EXAMPLE), "-f", fmt, "-q", "--cache-dir", str(tmp_path)], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        if fmt == "json":
            ids |= {c["id"] for c in json.loads(res.stdout)["cases"]}
        elif fmt == "csv":
            import csv, io

            ids |= {row["case"] for row in csv.DictReader(io.StringIO(res.stdout))}
        else:
            ids |= {r["properties"]["case"] for r in json.loads(res.stdout)["runs"][0]["results"]}
    assert ids == {"islamabad-safe-city"}


def test_case_per_file(tmp_path: Path) -> None:
    report = scan_json(str(EXAMPLE), "--case-per-file", "--cache-dir", str(tmp_path))
    ids = [c["id"] for c in report["cases"]]
    assert ids == sorted(f"islamabad-safe-city/{p.name}" for p in EXAMPLE.glob("*.pdf"))
    assert all(len(c["documents"]) == 1 and c["documents"][0]["path"] == c["id"] for c in report["cases"])


def _copy_case(tmp_path: Path, name: str = "safe-city-copy") -> Path:
    target = tmp_path / "filings" / name
    shutil.copytree(EXAMPLE, target)
    return target


def test_case_yaml_names_the_case_and_its_documents(tmp_path: Path) -> None:
    case = _copy_case(tmp_path)
    (case / "case.yaml").write_text("name: safe-city-2009\ndocuments: [loan-agreement.pdf, letter-of-award.pdf]\n")
    report = scan_json(str(tmp_path / "filings"), "--cache-dir", str(tmp_path / "cache"))
    assert [c["id"] for c in report["cases"]] == ["safe-city-2009"]
    assert sorted(d["path"] for d in report["cases"][0]["documents"]) == [
        "safe-city-copy/letter-of-award.pdf", "safe-city-copy/loan-agreement.pdf"]
    skipped = {s["path"]: s["reason"] for s in report["skipped"]}
    assert "not among the documents of case.yaml" in skipped["safe-city-copy/judgment.pdf"]


def test_case_yaml_with_a_missing_document_is_a_usage_error(tmp_path: Path) -> None:
    case = _copy_case(tmp_path)
    (case / "case.yaml").write_text("documents: [loan-agreement.pdf, lone-agreement.pdf]\n")
    res = runner.invoke(app, ["scan", str(case), "-q", "--cache-dir", str(tmp_path / "cache")])
    assert res.exit_code == 2
    assert "case.yaml:1:" in res.output and "lone-agreement.pdf" in res.output and "loan-agreement.pdf" in res.output


def test_two_cases_with_one_name_are_a_usage_error(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (_copy_case(tmp_path, name) / "case.yaml").write_text("name: same\n")
    res = runner.invoke(app, ["scan", str(tmp_path / "filings"), "-q", "--cache-dir", str(tmp_path / "cache")])
    assert res.exit_code == 2 and "two cases have the id 'same'" in res.output


def test_exclude_globs(tmp_path: Path) -> None:
    _copy_case(tmp_path, "kept")
    drafts = _copy_case(tmp_path, "drafts")
    report = scan_json(str(tmp_path / "filings"), "--exclude", "drafts", "--exclude", "*/judgment.pdf",
                       "--cache-dir", str(tmp_path / "cache"))
    assert [c["id"] for c in report["cases"]] == ["kept"]
    docs = {d["path"] for d in report["cases"][0]["documents"]}
    assert "kept/judgment.pdf" not in docs and "kept/loan-agreement.pdf" in docs
    skipped = {s["path"]: s["reason"] for s in report["skipped"]}
    assert skipped["drafts/"].startswith("excluded") and skipped["kept/judgment.pdf"].startswith("excluded")
    assert drafts.exists()


def test_related_fixture_cases_get_no_warning(fixtures_report: dict) -> None:
    assert all(not c["warnings"] for c in fixtures_report["cases"])
    assert not [n for n in fixtures_report["notes"] if "look unrelated" in n]


@pytest.mark.skipif(not REAL.is_dir(), reason="the shared corpus is not on this machine")
def test_a_folder_of_unrelated_real_documents_gets_a_warning(tmp_path: Path) -> None:
    report = scan_json(str(REAL), "--cache-dir", str(tmp_path))
    (case,) = report["cases"]
    assert case["id"] == "real"
    assert len(case["warnings"]) == 1 and "look unrelated" in case["warnings"][0]
    assert any("look unrelated" in n for n in report["notes"])
