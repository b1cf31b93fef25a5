"""SARIF 2.1.0 output: valid against the official OASIS schema, and mapped the way
docs/ci.md says (rules, levels, pages, fingerprints, baseline state, unreadable
documents).

The schema is tests/data/sarif-2.1.0.json (see tests/data/LICENSE-sarif-schema.txt).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.models import AuditResult, Severity
from auditor.report import sarif
from test_report_formats import golden_result, scan_folder, tiny_result  # noqa: F401  (fixture re-used)

SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "sarif-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)  # the draft the schema declares (draft-04)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate(validator, result: AuditResult) -> dict[str, Any]:
    text = sarif.render(result)
    log = json.loads(text)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])
    return log


def test_schema_is_the_official_one() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert (SCHEMA_FILE.parent / "LICENSE-sarif-schema.txt").is_file()


def test_golden_scan_is_valid_sarif(validator, golden_result: AuditResult) -> None:
    log = validate(validator, golden_result)
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1


def test_driver_and_rules(validator, golden_result: AuditResult) -> None:
    run = validate(validator, golden_result)["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "auditor"
    assert driver["version"] == golden_result.tool_version
    assert driver["informationUri"].startswith("https://")
    by_id = {r.id: r for r in golden_result.rules}
    assert [r["id"] for r in driver["rules"]] == sorted(by_id)
    for descriptor in driver["rules"]:
        info = by_id[descriptor["id"]]
        assert descriptor["name"] == sarif.camel_case(info.id)
        assert descriptor["name"][0].isupper() and "-" not in descriptor["name"]
        assert descriptor["shortDescription"]["text"] == info.title
        assert descriptor["fullDescription"]["text"] == " ".join(info.summary.split())
        assert descriptor["helpUri"] == info.help_uri
        assert info.rationale.split()[0] in descriptor["help"]["text"]
        assert "Legal basis" in descriptor["help"]["markdown"]
        assert descriptor["properties"]["severity"] == info.severity.value
        assert descriptor["properties"]["status"] == info.status
        assert descriptor["defaultConfiguration"]["level"] == sarif.LEVEL[info.severity]


def test_one_result_per_finding_with_page_quote_and_fingerprint(validator, golden_result: AuditResult) -> None:
    run = validate(validator, golden_result)["runs"][0]
    findings = sorted(golden_result.iter_findings(), key=lambda f: f.fingerprint)
    results = sorted(run["results"], key=lambda r: r["partialFingerprints"][sarif.FINGERPRINT_KEY])
    assert len(results) == len(findings)
    rules = run["tool"]["driver"]["rules"]
    artifacts = run["artifacts"]
    for f, r in zip(findings, results):
        assert r["partialFingerprints"] == {sarif.FINGERPRINT_KEY: f.fingerprint}
        assert r["ruleId"] == f.rule_id
        assert rules[r["ruleIndex"]]["id"] == f.rule_id
        assert r["level"] == sarif.LEVEL[f.severity]
        assert r["message"]["text"] == " ".join(f.message.split())
        assert "baselineState" not in r  # no baseline was used
        loc = r["locations"][0]["physicalLocation"]
        first = f.evidence[0]
        assert loc["artifactLocation"]["uri"] == sarif.uri("filings/" + first.document)  # from the repository root
        assert loc["artifactLocation"]["uriBaseId"] == sarif.WORKDIR_BASE
        assert r["properties"]["document"] == first.document  # as in the other reports
        assert artifacts[loc["artifactLocation"]["index"]]["location"]["uri"] == loc["artifactLocation"]["uri"]
        assert loc["region"]["startLine"] == first.page
        assert loc["region"]["snippet"]["text"] == first.quote
        assert loc["region"]["properties"]["page"] == first.page
        assert r["properties"]["page"] == first.page
        assert r["properties"]["quote"] == first.quote
        assert r["properties"]["documentSha256"] == first.sha256
        assert len(r.get("relatedLocations", [])) == len(f.evidence) - 1


def test_levels() -> None:
    assert sarif.LEVEL == {
        Severity.CRITICAL: "error",
        Severity.HIGH: "error",
        Severity.MEDIUM: "warning",
        Severity.LOW: "note",
        Severity.INFO: "note",
    }


def test_artifacts_and_unreadable_documents(validator, golden_result: AuditResult) -> None:
    run = validate(validator, golden_result)["runs"][0]
    artifacts = {a["location"]["uri"]: a for a in run["artifacts"]}
    assert set(artifacts) == {sarif.uri("filings/" + d.path) for d in golden_result.documents}
    for d in golden_result.documents:
        assert artifacts[sarif.uri("filings/" + d.path)]["hashes"] == {"sha-256": d.sha256}
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    errors = [n for n in invocation["toolExecutionNotifications"] if n["level"] == "error"]
    assert [n["descriptor"]["id"] for n in errors] == ["corrupt"]
    assert errors[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "filings/broken/damaged.pdf"
    descriptors = run["tool"]["driver"]["notifications"]
    for n in invocation["toolExecutionNotifications"]:
        assert descriptors[n["descriptor"]["index"]]["id"] == n["descriptor"]["id"]
    skipped = [n for n in invocation["toolExecutionNotifications"] if n["descriptor"]["id"] == "skipped-file"]
    assert skipped and "broken/cover-letter.txt" in skipped[0]["message"]["text"]
    assert set(run["originalUriBaseIds"]) == {sarif.WORKDIR_BASE}


def test_baseline_state(validator) -> None:
    result = tiny_result()
    f = result.cases[0].findings[0]
    other = replace(f, fingerprint="fedcba9876543210fedcba98", severity=Severity.MEDIUM, known=False)
    known = replace(f, known=True)
    with_baseline = replace(result, cases=(replace(result.cases[0], findings=(known, other)),), baseline_used=True)
    states = {
        r["partialFingerprints"][sarif.FINGERPRINT_KEY]: r["baselineState"]
        for r in validate(validator, with_baseline)["runs"][0]["results"]
    }
    assert states == {f.fingerprint: "unchanged", other.fingerprint: "new"}
    plain = validate(validator, result)["runs"][0]["results"]
    assert all("baselineState" not in r for r in plain)
    # a baseline that matches nothing still marks every result as new
    unmatched = replace(result, baseline_used=True)
    assert {r["baselineState"] for r in validate(validator, unmatched)["runs"][0]["results"]} == {"new"}


def test_uris_are_percent_encoded_and_relative(validator) -> None:
    run = validate(validator, tiny_result())["runs"][0]
    loc = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc["uri"] == "filings/case%20one/award%20letter.pdf"
    assert [n["descriptor"]["id"] for n in run["invocations"][0]["toolExecutionNotifications"]] == ["encrypted"]


@pytest.mark.parametrize(
    "roots, uri, base, described",
    [
        (("filings",), "filings/case%20one/award%20letter.pdf", "SRCROOT", {}),
        (("./filings/",), "filings/case%20one/award%20letter.pdf", "SRCROOT", {}),
        ((".",), "case%20one/award%20letter.pdf", "SRCROOT", {}),
        (("/srv/filings",), "case%20one/award%20letter.pdf", "SCANROOT", {"uri": "file:///srv/filings/"}),
        (("../shared/filings",), "case%20one/award%20letter.pdf", "SCANROOT", {"uri": "../shared/filings/", "uriBaseId": "SRCROOT"}),
        (("a", "b"), "case%20one/award%20letter.pdf", "SCANROOT", {}),
    ],
)
def test_document_uris(validator, roots: tuple[str, ...], uri: str, base: str, described: dict[str, str]) -> None:
    run = validate(validator, tiny_result(roots=roots))["runs"][0]
    loc = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert (loc["uri"], loc["uriBaseId"]) == (uri, base)
    assert base in run["originalUriBaseIds"]
    for key, value in described.items():
        assert run["originalUriBaseIds"][base][key] == value
    if base == "SCANROOT" and not described:
        assert "uri" not in run["originalUriBaseIds"]["SCANROOT"]


def test_single_file_root_resolves_against_its_folder(validator) -> None:
    result = tiny_result(roots=("filings/award letter.pdf",))
    case = replace(
        result.cases[0],
        id="award letter.pdf",
        documents=(replace(result.cases[0].documents[0], path="award letter.pdf"),),
        findings=(),
    )
    run = validate(validator, replace(result, cases=(case,)))["runs"][0]
    assert run["artifacts"][0]["location"] == {"uri": "filings/award%20letter.pdf", "uriBaseId": "SRCROOT"}


def test_timestamp_only_when_recorded(validator) -> None:
    assert "endTimeUtc" not in validate(validator, tiny_result())["runs"][0]["invocations"][0]
    run = validate(validator, tiny_result(generated_at="2024-05-01T10:00:00+00:00"))["runs"][0]
    assert run["invocations"][0]["endTimeUtc"] == "2024-05-01T10:00:00Z"


def test_fingerprints_stable_across_runs(tmp_path: Path, golden_result: AuditResult) -> None:
    from test_report_formats import build_golden_tree

    build_golden_tree(tmp_path)
    again = scan_folder(tmp_path, "filings")
    first = json.loads(sarif.render(golden_result))["runs"][0]["results"]
    second = json.loads(sarif.render(again))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in first] == [r["partialFingerprints"] for r in second]
    assert sarif.render(again) == sarif.render(golden_result)


# --- the CI recipe that consumes this SARIF (examples/github-actions, .pre-commit-hooks.yaml, docs/ci.md) ---

REPO = Path(__file__).resolve().parents[1]


def test_github_workflow_scans_and_always_uploads() -> None:
    import yaml

    workflow = yaml.safe_load((REPO / "examples" / "github-actions" / "auditor.yml").read_text(encoding="utf-8"))
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["scan"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "apt-get install" in runs and "tesseract-ocr" in runs
    assert "pip install" in runs
    for flag in ("--format sarif", "--output auditor.sarif", "--fail-on high", "--baseline .auditor-baseline.json"):
        assert flag in runs, flag
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    assert "always()" in upload["if"]
    assert upload["with"]["sarif_file"] == "auditor.sarif"


def test_pre_commit_hook() -> None:
    import re

    import yaml

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "auditor-scan")
    assert hook["language"] == "python"
    assert hook["entry"] == "auditor scan --fail-on high --quiet"
    assert hook["pass_filenames"] is True
    assert re.search(hook["files"], "filings/case/award.pdf") and not re.search(hook["files"], "notes.txt")


def test_ci_doc_lists_every_exit_code() -> None:
    from auditor.errors import ExitCode

    doc = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert f"| {int(code)} |" in doc, code
    assert "auditor scan filings --format json -o .auditor-baseline.json" in doc
    assert "startLine" in doc and "page" in doc
