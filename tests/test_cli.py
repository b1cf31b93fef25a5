"""The command line as users and CI see it: exit codes, the JSON contract key
by key, --output, --strict, invalid rules, the rules and facts commands."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from auditor.cli import app
from conftest import EXAMPLE, FIXTURE_CASES

runner = CliRunner()


def scan(*args: str) -> "object":
    return runner.invoke(app, ["scan", *args, "--no-cache", "--quiet"], catch_exceptions=False)


# --- the JSON contract, key by key ------------------------------------------------------

def test_json_report_matches_the_contract(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    res = scan(str(FIXTURE_CASES), "--format", "json", "--output", str(out), "--ocr", "off")
    assert res.exit_code == 0, res.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["schema_version"] == 1
    assert report["tool"]["name"] == "auditor"
    assert re.match(r"^\d+\.\d+\.\d+", report["tool"]["version"])
    assert isinstance(report["skipped"], list)
    for s in report["skipped"]:
        assert set(s) >= {"path", "reason"}
    assert report["cases"], "no cases"
    ids = [c["id"] for c in report["cases"]]
    assert ids == sorted(ids)
    assert "islamabad-safe-city" in ids
    for case in report["cases"]:
        assert set(case) >= {"id", "score", "documents", "findings"}
        assert isinstance(case["score"], float) and 0.0 <= case["score"] <= 100.0
        for doc in case["documents"]:
            assert set(doc) >= {"path", "sha256", "pages", "ocr_pages", "error"}
            assert doc["path"].startswith(case["id"] + "/")
            assert re.fullmatch(r"[0-9a-f]{64}", doc["sha256"])
            assert isinstance(doc["pages"], int) and doc["pages"] > 0
            assert all(isinstance(p, int) and 1 <= p <= doc["pages"] for p in doc["ocr_pages"])
            assert doc["error"] is None or set(doc["error"]) >= {"code", "message"}
        for f in case["findings"]:
            assert set(f) >= {"rule_id", "title", "severity", "score", "confidence", "message", "evidence"}
            assert f["severity"] in {"info", "low", "medium", "high", "critical"}
            assert isinstance(f["score"], float) and isinstance(f["confidence"], float)
            assert 0 < f["confidence"] <= 1
            assert f["message"] and "{" not in f["message"] and "?" != f["message"][-1]
            assert f["evidence"], "every finding carries evidence"
            for e in f["evidence"]:
                assert set(e) >= {"document", "page", "quote"}
                assert any(e["document"] == d["path"] for d in case["documents"])
                assert isinstance(e["page"], int) and e["page"] >= 1
                assert e["quote"].strip()
    safe_city = next(c for c in report["cases"] if c["id"] == "islamabad-safe-city")
    assert {"waived-tendering", "inflated-cost-vs-loan", "missing-feasibility-study"} <= {f["rule_id"] for f in safe_city["findings"]}


def test_json_output_is_deterministic(tmp_path: Path) -> None:
    a = scan(str(EXAMPLE), "--format", "json")
    b = scan(str(EXAMPLE), "--format", "json")
    assert a.exit_code == b.exit_code == 0
    assert a.stdout == b.stdout
    assert "generated_at" not in json.loads(a.stdout)


def test_root_case_is_named_after_its_folder_and_a_single_file_joins_its_folders_case() -> None:
    res = scan(str(EXAMPLE), "--format", "json")
    report = json.loads(res.stdout)
    assert [c["id"] for c in report["cases"]] == ["islamabad-safe-city"]
    assert {d["path"] for d in report["cases"][0]["documents"]} == {f"islamabad-safe-city/{p.name}" for p in EXAMPLE.glob("*.pdf")}
    one = EXAMPLE / "letter-of-award.pdf"
    res = scan(str(one), "--format", "json")
    report = json.loads(res.stdout)
    assert [c["id"] for c in report["cases"]] == ["islamabad-safe-city"]
    assert report["cases"][0]["documents"][0]["path"] == "islamabad-safe-city/letter-of-award.pdf"


# --- exit codes ------------------------------------------------------------------------------

def test_exit_0_on_clean_case() -> None:
    res = scan(str(FIXTURE_CASES / "clean-open-tender"), "--fail-on", "low")
    assert res.exit_code == 0, res.output


def test_exit_0_with_findings_but_no_fail_on() -> None:
    assert scan(str(EXAMPLE)).exit_code == 0


def test_exit_1_with_fail_on() -> None:
    res = scan(str(EXAMPLE), "--fail-on", "high")
    assert res.exit_code == 1
    assert "waived-tendering" in res.stdout


def test_fail_on_threshold_is_respected() -> None:
    # the urgency case's findings are all below critical
    res = scan(str(FIXTURE_CASES / "urgency-no-declaration"), "--fail-on", "critical")
    assert res.exit_code == 0, res.stdout


def test_exit_2_for_missing_path() -> None:
    res = runner.invoke(app, ["scan", "no/such/folder", "--no-cache"])
    assert res.exit_code == 2
    assert "path not found: no/such/folder" in res.output
    assert "Traceback" not in res.output


def test_exit_2_for_unknown_option_and_bad_values() -> None:
    assert runner.invoke(app, ["scan", str(EXAMPLE), "--no-such-option"]).exit_code == 2
    res = scan(str(EXAMPLE), "--fail-on", "severe")
    assert res.exit_code == 2 and "--fail-on must be one of: info, low, medium, high, critical" in res.output
    res = scan(str(EXAMPLE), "--format", "xml")
    assert res.exit_code == 2 and "--format must be one of" in res.output


def test_exit_2_for_invalid_rule_file_with_location(tmp_path: Path) -> None:
    bad = tmp_path / "my-rule.yaml"
    bad.write_text("id: my-rule\ntitle: T\nseverity: high\nstatus: experimental\nsummary: S\nmessage: M\n"
                   "rationale: R\nreferences: [{title: X}]\nconditions:\n  exits: {fact: money}\n", encoding="utf-8")
    res = scan(str(EXAMPLE), "--rules", str(tmp_path))
    assert res.exit_code == 2
    assert re.search(r"my-rule\.yaml:10:3: conditions: unknown condition 'exits' \(hint: did you mean 'exists'\?\)", res.output), res.output


def test_exit_3_strict_with_unreadable_document(tmp_path: Path) -> None:
    case = tmp_path / "case"
    case.mkdir()
    (case / "good.pdf").write_bytes((EXAMPLE / "letter-of-award.pdf").read_bytes())
    (case / "broken.pdf").write_bytes(b"this is not a pdf at all")
    (case / "notes.txt").write_text("minutes to follow", encoding="utf-8")
    res = scan(str(case), "--format", "json")
    assert res.exit_code == 0
    report = json.loads(res.stdout)
    docs = {d["path"]: d for d in report["cases"][0]["documents"]}
    assert docs["case/broken.pdf"]["error"]["code"] == "not-pdf"
    assert docs["case/good.pdf"]["error"] is None and docs["case/good.pdf"]["pages"] == 3
    assert report["skipped"] == [{"path": "case/notes.txt", "reason": "not a PDF (.txt)"}]
    assert scan(str(case), "--strict").exit_code == 3


def test_custom_rule_directory_adds_a_rule(tmp_path: Path) -> None:
    (tmp_path / "g2g-deal.yaml").write_text(
        """id: g2g-deal
title: Government-to-government procurement
severity: low
status: experimental
summary: A government-to-government arrangement replaced tendering.
message: 'Government-to-government mode: "{quote}"'
rationale: G2G deals are a common route around procurement rules.
references: [{title: "Public Procurement Rules, 2004", section: rule 5}]
conditions:
  exists: {fact: tendering-waived, where: {mechanism: government-to-government}}
""",
        encoding="utf-8",
    )
    case = tmp_path / "case"
    case.mkdir()
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(case / "note.pdf"), invariant=1)
    c.drawString(72, 720, "The scanners were procured on government-to-government basis from a foreign supplier.")
    c.save()
    res = scan(str(case), "--rules", str(tmp_path), "--format", "json")
    ids = {f["rule_id"] for c in json.loads(res.stdout)["cases"] for f in c["findings"]}
    assert "g2g-deal" in ids


# --- other commands ------------------------------------------------------------------------------

def test_version_and_help() -> None:
    from auditor import __version__

    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and __version__ in res.stdout
    for cmd in (["--help"], ["scan", "--help"], ["facts", "--help"], ["rules", "--help"],
                ["rules", "list", "--help"], ["rules", "show", "--help"], ["rules", "validate", "--help"], ["rules", "test", "--help"]):
        res = runner.invoke(app, cmd)
        assert res.exit_code == 0, cmd
        assert "Example" in res.stdout or "Usage" in res.stdout


def test_rules_commands() -> None:
    res = runner.invoke(app, ["rules", "list"])
    assert res.exit_code == 0 and "waived-tendering" in res.stdout
    res = runner.invoke(app, ["rules", "show", "waived-tendering"])
    assert res.exit_code == 0
    assert "Why it matters" in res.stdout and "rule 42(c)" in res.stdout
    res = runner.invoke(app, ["rules", "show", "waived-tender"])
    assert res.exit_code == 2 and "did you mean waived-tendering" in res.output
    res = runner.invoke(app, ["rules", "validate"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["rules", "test"])
    assert res.exit_code == 0 and re.search(r"(\d+)/\1 rule test\(s\) passed", res.stdout)


def test_facts_command_shows_negated_facts_too() -> None:
    res = runner.invoke(app, ["facts", str(FIXTURE_CASES / "clean-open-tender"), "--format", "json", "--no-cache", "--kind", "tendering-waived"])
    assert res.exit_code == 0, res.output
    facts = json.loads(res.stdout)
    assert facts and {f["status"] for f in facts} - {"asserted"}, "look-alike negations are shown with their status"
    assert all(f["kind"] == "tendering-waived" for f in facts)
    assert all(f["status"] != "asserted" for f in facts)
    csv = runner.invoke(app, ["facts", str(EXAMPLE), "--format", "csv", "--no-cache"])
    assert csv.exit_code == 0 and csv.stdout.splitlines()[0].startswith("case,document,page")


def test_console_script_runs(tmp_path: Path) -> None:
    """The installed console script, as a user runs it."""
    exe = Path(sys.executable).with_name("auditor")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "auditor"]
    proc = subprocess.run(cmd + ["scan", str(EXAMPLE), "--no-cache", "--fail-on", "critical"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "court-found-irregularity" in proc.stdout
    assert proc.stderr == ""


def test_several_paths_give_distinct_cases() -> None:
    res = scan(str(EXAMPLE / "letter-of-award.pdf"), str(FIXTURE_CASES / "clean-open-tender"), "--format", "json", "--ocr", "off")
    report = json.loads(res.stdout)
    by_id = {c["id"]: [d["path"] for d in c["documents"]] for c in report["cases"]}
    # each root's cases start with the root's name; a file joins its folder's case
    assert by_id["islamabad-safe-city"] == ["islamabad-safe-city/letter-of-award.pdf"]
    assert "clean-open-tender" in by_id and all(p.startswith("clean-open-tender/") for p in by_id["clean-open-tender"])


def test_rule_pack_overrides_a_built_in_rule_by_id(tmp_path: Path) -> None:
    """A jurisdiction's pack replaces a built-in rule: here a 7-day minimum."""
    from auditor.ruleset.schema import builtin_rules_dir

    text = (builtin_rules_dir() / "short-bidding-period.yaml").read_text(encoding="utf-8")
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "short-bidding-period.yaml").write_text(
        text.replace("national: 15", "national: 7").replace("international: 30", "international: 7"), encoding="utf-8"
    )
    case = FIXTURE_CASES / "short-bidding-period"
    base = json.loads(scan(str(case), "--format", "json").stdout)
    local = json.loads(scan(str(case), "--format", "json", "--rules", str(pack)).stdout)
    count = lambda r: sum(f["rule_id"] == "short-bidding-period" for c in r["cases"] for f in c["findings"])  # noqa: E731
    assert count(base) == 2  # 10 days national, 20 days international
    assert count(local) == 0  # both meet a 7-day minimum


def test_a_failing_rule_is_reported_and_the_scan_goes_on(monkeypatch) -> None:
    import auditor.pipeline as pipeline

    real = pipeline.evaluate_rule

    def flaky(rule, view, *args, **kwargs):
        if rule.id == "secrecy-request":
            raise RuntimeError("boom")
        return real(rule, view, *args, **kwargs)

    monkeypatch.setattr(pipeline, "evaluate_rule", flaky)
    res = scan(str(EXAMPLE), "--format", "json")
    case = json.loads(res.stdout)["cases"][0]
    checks = {c["rule_id"]: c for c in case["checks"]}
    assert checks["secrecy-request"]["outcome"] == "error" and "boom" in checks["secrecy-request"]["reason"]
    assert "waived-tendering" in {f["rule_id"] for f in case["findings"]}
