"""Which OCDS processes belong to a case with PDFs (case.yaml ``ocids:``, the warning
when several are read and the PDFs name none), and the milder severity of a limited
(restricted) procedure than a direct award."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.models import Severity
from auditor.options import ScanOptions
from auditor.pipeline import run_scan
from auditor.ruleset.schema import RuleFileError, builtin_rules_dir, load_rules
from pdfgen import text_pdf

RULES, _ = load_rules([builtin_rules_dir()])

NOTICE = [
    "INVITATION FOR BIDS",
    "Tender No. NHA/ROADS/2021/07",
    "The National Highway Authority invites sealed bids through open competitive bidding",
    "for the rehabilitation of the Quetta bypass road.",
]


def _package(path: Path, *processes: tuple[str, str, str]) -> Path:
    """A release package: one release per (ocid, tender id, method)."""
    releases = [{"ocid": o, "id": "1", "date": "2021-05-01T00:00:00Z", "tag": ["tender"],
                 "tender": {"id": t, "procurementMethod": m, "title": "Road works"}} for o, t, m in processes]
    path.write_text(json.dumps({"version": "1.1", "releases": releases}), encoding="utf-8")
    return path


def _scan(*paths: Path, tmp_path: Path):
    options = ScanOptions(use_cache=False, cache_dir=tmp_path / "cache", jobs=1)
    return run_scan(list(paths), options, RULES)


def _case_folder(tmp_path: Path, case_yaml: str | None, processes) -> Path:
    case = tmp_path / "roads"
    case.mkdir()
    text_pdf(case / "tender-notice.pdf", [NOTICE])
    _package(case / "record.json", *processes)
    if case_yaml is not None:
        (case / "case.yaml").write_text(case_yaml, encoding="utf-8")
    return case


TWO = (("ocds-abc123-0001", "T-0001", "direct"), ("ocds-abc123-0002", "T-0002", "direct"))


def _ocids_read(result) -> tuple[str, ...]:
    (case,) = result.cases
    return tuple(o for d in case.documents for o in d.ocids)


def test_case_yaml_ocids_picks_the_processes_of_the_case(tmp_path) -> None:
    case = _case_folder(tmp_path, "ocids: [ocds-abc123-0002]\n", TWO)
    result = _scan(case, tmp_path=tmp_path)
    assert _ocids_read(result) == ("ocds-abc123-0002",)
    (c,) = result.cases
    pointers = {e.ocid for f in c.findings for e in f.evidence if e.ocid}
    assert pointers == {"ocds-abc123-0002"}  # the other process's direct method is not this case's
    assert not any("name none of them" in n for n in result.notes)


def test_an_ocid_the_files_lack_is_a_warning(tmp_path) -> None:
    case = _case_folder(tmp_path, "ocids: [ocds-abc123-0002, ocds-abc123-9999]\n", TWO)
    result = _scan(case, tmp_path=tmp_path)
    assert _ocids_read(result) == ("ocds-abc123-0002",)
    assert any(n.startswith("warning: roads:") and "ocds-abc123-9999" in n and "no OCDS file" in n
               for n in result.notes), result.notes


def test_several_processes_none_named_in_the_pdfs_is_a_warning(tmp_path) -> None:
    case = _case_folder(tmp_path, None, TWO)
    result = _scan(case, tmp_path=tmp_path)
    assert _ocids_read(result) == ("ocds-abc123-0001", "ocds-abc123-0002")  # all are read
    assert any("2 OCDS contracting processes" in n and "name none of them" in n and "ocids:" in n
               for n in result.notes), result.notes


@pytest.mark.parametrize("tender_id, ocid", [
    ("NHA/ROADS/2021/07", "ocds-abc123-0001"),  # the notice's tender number is a process's tender id
    ("T-0001", "ocds-abc123-NHA-ROADS-2021-07"),  # ... or the publisher's part of its ocid
])
def test_no_warning_when_the_pdfs_name_one_of_the_processes(tmp_path, tender_id, ocid) -> None:
    case = _case_folder(tmp_path, None, ((ocid, tender_id, "open"), ("ocds-abc123-0002", "T-0002", "open")))
    result = _scan(case, tmp_path=tmp_path)
    assert not any("name none of them" in n for n in result.notes), result.notes


def test_the_notice_gives_its_tender_number_as_a_fact(tmp_path) -> None:
    case = _case_folder(tmp_path, None, TWO[:1])
    result = _scan(case, tmp_path=tmp_path)
    from auditor.pipeline import discover, iter_case_results

    options = ScanOptions(use_cache=False, cache_dir=tmp_path / "cache", jobs=1)
    ((_, results),) = list(iter_case_results(discover([case]), options))
    refs = [f for r in results for f in r.facts if f.kind == "reference-number"]
    assert [(f.get("number"), f.get("key"), f.evidence[0].page) for f in refs] == [("NHA/ROADS/2021/07", "NHAROADS202107", 1)]
    assert result.cases  # the scan itself ran


def test_ocids_select_processes_of_a_folder_without_pdfs(tmp_path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    _package(folder / "record.json", *TWO)
    (folder / "case.yaml").write_text("ocids: [ocds-abc123-0001]\n", encoding="utf-8")
    result = _scan(folder, tmp_path=tmp_path)
    assert [c.id for c in result.cases] == ["data/record.json#ocds-abc123-0001"]


@pytest.mark.parametrize("text, message", [
    ("ocids: ocds-abc123-0001\n", "ocids must be a non-empty list"),
    ("ocids: []\n", "ocids must be a non-empty list"),
    ("ocids: ['']\n", "must not be empty"),
    ("ocid: [x]\n", "ocid"),
])
def test_a_bad_ocids_list_is_a_located_error(tmp_path, text, message) -> None:
    case = _case_folder(tmp_path, text, TWO)
    with pytest.raises(RuleFileError) as err:
        _scan(case, tmp_path=tmp_path)
    assert message in str(err.value) and "case.yaml:1" in str(err.value)
    run = subprocess.run([sys.executable, "-m", "auditor", "scan", str(case), "--no-cache", "--quiet"],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "case.yaml:1" in run.stderr and "Traceback" not in run.stderr


# --- severity of a restricted procedure ------------------------------------------------------


def _waived(result) -> dict[str, Severity]:
    return {c.id.rpartition("#")[2]: f.severity for c in result.cases for f in c.findings if f.rule_id == "waived-tendering"}


def test_limited_procedure_is_medium_and_direct_award_high(tmp_path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"ocid": "m-1", "tender": {"procurementMethod": "limited"}},
        {"ocid": "m-2", "tender": {"procurementMethod": "direct"}},
        # limited in the method, but the rationale states a direct award: the graver statement counts
        {"ocid": "m-3", "tender": {"procurementMethod": "limited", "procurementMethodRationale": "Adjudicación directa."}},
    ]) + "\n")
    result = _scan(path, tmp_path=tmp_path)
    assert _waived(result) == {"m-1": Severity.MEDIUM, "m-2": Severity.HIGH, "m-3": Severity.HIGH}
    finding = next(f for c in result.cases for f in c.findings if c.id.endswith("#m-1"))
    # the score follows the finding's severity, and a JSON member is cited as file#pointer, not as a page
    assert finding.score < next(f for c in result.cases for f in c.findings if c.id.endswith("#m-2")).score
    assert "m.jsonl:1#/tender/procurementMethod" in finding.message and "p.1" not in finding.message  # line 1 of the JSON Lines


def test_severity_when_is_validated(tmp_path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    base = (builtin_rules_dir() / "waived-tendering.yaml").read_text(encoding="utf-8")
    bad = base.replace("where: {mechanism: [limited-competition]}", "where: {mechanizm: [limited-competition]}")
    assert bad != base
    (rules / "waived-tendering.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        load_rules([rules])
    assert "severity_when[0].where" in str(err.value) and "mechanizm" in str(err.value)
