"""SARIF 2.1.0 output: valid against the official OASIS schema, and mapped the way
docs/ci.md says (rules, levels, pages, fingerprints, baseline state, unreadable
documents).

The schema is tests/data/sarif-2.1.0.json (see tests/data/LICENSE-sarif-schema.txt).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.models import AuditResult, Severity
from auditor.report import Format, RenderOptions, sarif
from test_report_formats import golden_result, options_for, scan_folder, tiny_result  # noqa: F401  (fixture re-used)

SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "sarif-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)  # the draft the schema declares (draft-04)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate(validator, result: AuditResult, base_dir: str | None = None) -> dict[str, Any]:
    text = sarif.render(result, RenderOptions(base_dir=base_dir))
    log = json.loads(text)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])
    return log


def test_schema_is_the_official_one() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert (SCHEMA_FILE.parent / "LICENSE-sarif-schema.txt").is_file()


def golden_base(result: AuditResult) -> str:
    return options_for(result, Format.SARIF).base_dir


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
    run = validate(validator, golden_result, golden_base(golden_result))["runs"][0]
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
        plain = " ".join(f.message.split()).replace("[", "\\[").replace("]", "\\]")
        assert re.sub(r"\[([^\]]*)\]\(\d+\)", r"\1", r["message"]["text"]).startswith(plain)
        assert "baselineState" not in r  # no baseline was used
        loc = r["locations"][0]["physicalLocation"]
        first = f.evidence[sarif.primary_evidence(f)]
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
    run = validate(validator, golden_result, golden_base(golden_result))["runs"][0]
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


REPO_SOURCES = (("case one/award letter.pdf", "/repo/filings/case one/award letter.pdf"),
                ("case one/scan.pdf", "/repo/filings/case one/scan.pdf"))


def test_uris_are_percent_encoded_and_relative_to_the_repository(validator) -> None:
    run = validate(validator, tiny_result(sources=REPO_SOURCES), "/repo")["runs"][0]
    loc = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc["uri"] == "filings/case%20one/award%20letter.pdf" and loc["uriBaseId"] == "SRCROOT"
    assert [n["descriptor"]["id"] for n in run["invocations"][0]["toolExecutionNotifications"]] == ["encrypted"]


@pytest.mark.parametrize(
    "base, uri, uri_base",
    [
        ("/repo", "filings/case%20one/award%20letter.pdf", "SRCROOT"),
        ("/repo/filings", "case%20one/award%20letter.pdf", "SRCROOT"),
        ("/elsewhere", "file:///repo/filings/case%20one/award%20letter.pdf", None),  # outside the repository
        (None, "case%20one/award%20letter.pdf", "SCANROOT"),  # rendered without a base: the report's paths
    ],
)
def test_document_uris(validator, base: str | None, uri: str, uri_base: str | None) -> None:
    run = validate(validator, tiny_result(sources=REPO_SOURCES), base)["runs"][0]
    loc = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert (loc["uri"], loc.get("uriBaseId")) == (uri, uri_base)
    if uri_base:
        assert set(run["originalUriBaseIds"]) == {uri_base}
        assert "uri" not in run["originalUriBaseIds"][uri_base]  # no absolute path of this machine in the log


def test_repository_root(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "filings" / "a").mkdir(parents=True)
    assert sarif.repository_root(None, repo / "filings" / "a") == str(repo)
    assert sarif.repository_root("filings", repo) == str(repo / "filings")
    assert sarif.repository_root((repo / "filings").as_uri(), tmp_path) == str(repo / "filings")
    plain = tmp_path / "plain"
    plain.mkdir()
    if not any((p / ".git").exists() for p in (plain, *plain.parents)):
        assert sarif.repository_root(None, plain) == str(plain)


def _same_named_files(tmp_path: Path) -> list[Path]:
    from conftest import EXAMPLE

    files = []
    for case in ("north", "south"):
        folder = tmp_path / "repo" / "filings" / case
        folder.mkdir(parents=True)
        (folder / "judgment.pdf").write_bytes((EXAMPLE / "judgment.pdf").read_bytes() + case.encode())
        files.append(folder / "judgment.pdf")
    (tmp_path / "repo" / ".git").mkdir()
    return files


def test_every_uri_is_a_real_path_from_the_repository_root(tmp_path: Path, validator, monkeypatch) -> None:
    """Files given by absolute path, two of them named judgment.pdf: each uri is the
    file's own path from the repository root (never judgment.pdf-2)."""
    from typer.testing import CliRunner

    from auditor.cli import app

    files = _same_named_files(tmp_path)
    monkeypatch.chdir(tmp_path / "repo" / "filings")
    res = CliRunner().invoke(app, ["scan", *map(str, files), "-f", "sarif", "-q", "--no-cache", "--ocr", "off"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    log = json.loads(res.stdout)
    errors = list(validator.iter_errors(log))
    assert not errors, errors[0].message
    run = log["runs"][0]
    uris = {a["location"]["uri"] for a in run["artifacts"]}
    assert uris == {"filings/north/judgment.pdf", "filings/south/judgment.pdf"}
    for r in run["results"]:
        for loc in r["locations"] + r.get("relatedLocations", []):
            u = loc["physicalLocation"]["artifactLocation"]["uri"]
            assert (tmp_path / "repo" / u).is_file(), u
    assert run["automationDetails"]["id"] == "auditor/filings/"
    # --sarif-base-uri: relative to another folder
    res = CliRunner().invoke(app, ["scan", *map(str, files), "-f", "sarif", "-q", "--no-cache", "--ocr", "off",
                                   "--sarif-base-uri", str(tmp_path / "repo" / "filings")], catch_exceptions=False)
    assert {a["location"]["uri"] for a in json.loads(res.stdout)["runs"][0]["artifacts"]} == {
        "north/judgment.pdf", "south/judgment.pdf"}


def test_rules_carry_security_severity_tags_and_help(validator, golden_result: AuditResult) -> None:
    run = validate(validator, golden_result, golden_base(golden_result))["runs"][0]
    for rule in run["tool"]["driver"]["rules"]:
        props = rule["properties"]
        assert "security" in props["tags"] and len(props["tags"]) <= 10  # GitHub shows 10 tags
        assert 0.0 < float(props["security-severity"]) <= 10.0
        assert rule["helpUri"].endswith(f"/{rule['id']}.md")
        assert rule["help"]["text"] and rule["help"]["markdown"]
    high = next(r for r in run["tool"]["driver"]["rules"] if r["properties"]["severity"] == "high")
    assert 7.0 <= float(high["properties"]["security-severity"]) < 9.0  # GitHub shows it as "high"


def test_the_message_cites_its_own_location_and_links_the_others(validator, golden_result: AuditResult) -> None:
    run = validate(validator, golden_result, golden_base(golden_result))["runs"][0]
    multi = 0
    for r in run["results"]:
        text = r["message"]["text"]
        own = r["locations"][0]["physicalLocation"]
        related = {loc["id"]: loc for loc in r.get("relatedLocations", [])}
        links = [int(n) for n in re.findall(r"\]\((\d+)\)", text)]
        assert sorted(links) == sorted(related), text  # every related location is linked, once
        multi += bool(related)
        # an unlinked "(document, p.N)" citation in the message is the result's own location
        unlinked = re.sub(r"\[[^\]]*\]\(\d+\)", "", text)
        for doc, page in re.findall(r"\(([^()]+\.pdf), p\.(\d+)\)", unlinked):
            assert own["artifactLocation"]["uri"].endswith(sarif.uri(doc)) and own["region"]["startLine"] == int(page), text
    assert multi  # the golden scan has findings with several evidence items


def test_automation_details_and_fingerprints_are_stable(validator, golden_result: AuditResult) -> None:
    base = golden_base(golden_result)
    one = validate(validator, golden_result, base)["runs"][0]
    assert one["automationDetails"]["id"] == "auditor/filings/"
    stamped = validate(validator, replace(golden_result, generated_at="2024-05-01T10:00:00+00:00"), base)["runs"][0]
    assert stamped["automationDetails"]["id"] == "auditor/filings/2024-05-01T10:00:00+00:00"
    assert [r["partialFingerprints"] for r in one["results"]] == [r["partialFingerprints"] for r in stamped["results"]]


def test_suppressed_findings_carry_a_sarif_suppression(validator) -> None:
    result = tiny_result()
    case = result.cases[0]
    f = replace(case.findings[0], suppressed="lawful waiver, checked 2026-11-30")
    run = validate(validator, replace(result, cases=(replace(case, findings=(f,)),)))["runs"][0]
    assert run["results"][0]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "lawful waiver, checked 2026-11-30"}]


def test_github_limits_are_kept(validator) -> None:
    from auditor.models import Evidence

    result = tiny_result()
    case = result.cases[0]
    many = tuple(Evidence("case one/award letter.pdf", p, f"quote {p}", 0, 7, "ab" * 32) for p in range(1, 300))
    f = replace(case.findings[0], evidence=many)
    run = validate(validator, replace(result, cases=(replace(case, findings=(f,)),)))["runs"][0]
    assert 1 + len(run["results"][0]["relatedLocations"]) <= 100


def test_sarif_tools_reads_the_log(tmp_path: Path, golden_result: AuditResult) -> None:
    """sarif-tools (Microsoft's SARIF reader) loads the log and sees every result."""
    sarif_tools = pytest.importorskip("sarif.loader")
    path = tmp_path / "scan.sarif"
    path.write_text(sarif.render(golden_result, RenderOptions(base_dir=golden_base(golden_result))), encoding="utf-8")
    log = sarif_tools.load_sarif_file(str(path))
    assert log.get_result_count() == sum(len(c.findings) for c in golden_result.cases)
    records = log.get_records()
    assert {rec["Location"] for rec in records} <= {f"filings/{d.path}" for d in golden_result.documents}
    assert {rec["Severity"] for rec in records} <= {"error", "warning", "note"}


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
    assert hook["entry"] == "auditor scan --whole-case --fail-on high --quiet"
    assert hook["pass_filenames"] is True
    assert re.search(hook["files"], "filings/case/award.pdf") and not re.search(hook["files"], "notes.txt")


def _hook_scan(*files: str) -> dict:
    """The hook's entry on these files (as pre-commit runs it), as a JSON report."""
    import shlex

    import yaml
    from typer.testing import CliRunner

    from auditor.cli import app

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    entry = shlex.split(next(h for h in hooks if h["id"] == "auditor-scan")["entry"])
    assert entry[:2] == ["auditor", "scan"]
    res = CliRunner().invoke(app, [*entry[1:], *files, "--format", "json", "--ocr", "off"], catch_exceptions=False)
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout)


def test_pre_commit_hook_on_the_fixture_gives_the_folder_scan() -> None:
    from typer.testing import CliRunner

    from auditor.cli import app
    from conftest import EXAMPLE

    folder = json.loads(CliRunner().invoke(app, ["scan", str(EXAMPLE), "-f", "json", "-q", "--ocr", "off"]).stdout)
    every_file = _hook_scan(*sorted(str(p) for p in EXAMPLE.glob("*.pdf")))  # pre-commit run --all-files
    one_changed = _hook_scan(str(EXAMPLE / "letter-of-award.pdf"))  # a commit that changes one PDF
    for report in (every_file, one_changed):
        assert [c["id"] for c in report["cases"]] == ["islamabad-safe-city"]
        assert report["cases"] == folder["cases"]
    assert "vendor-not-named-in-financing" in {f["rule_id"] for f in every_file["cases"][0]["findings"]}


def test_ci_doc_lists_every_exit_code() -> None:
    from auditor.errors import ExitCode

    doc = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert f"| {int(code)} |" in doc, code
    assert "auditor scan filings --format json -o .auditor-baseline.json" in doc
    assert "startLine" in doc and "page" in doc
