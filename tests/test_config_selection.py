"""Configuration files, rule selection, suppressions and the CLI conventions
(exit codes, choices, did-you-mean, stdin, -V, completion, narrow encodings)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from conftest import EXAMPLE, FIXTURE_CASES, ROOT

runner = CliRunner()


def run(*args: str, input: str | None = None, cwd: Path | None = None):
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)
    finally:
        os.chdir(old)


# what the installed console script does (its argv[0] is .../bin/auditor)
CONSOLE_SCRIPT = "import sys; sys.argv[0] = 'auditor'; from auditor.entry import main; main()"


def cli(*args: str, env: dict | None = None, cwd: Path | None = None, input: str | None = None):
    """The real console entry point in a fresh process."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-c", CONSOLE_SCRIPT, *args], capture_output=True,
                          text=True, env=full, cwd=cwd, timeout=300, input=input)


def rule_ids(report: dict) -> set[str]:
    return {f["rule_id"] for c in report["cases"] for f in c["findings"]}


# --- selection ---------------------------------------------------------------------------


def test_select_and_ignore_by_id_and_tag(tmp_path: Path) -> None:
    base = ["scan", str(EXAMPLE), "-f", "json", "-q", "--cache-dir", str(tmp_path)]
    everything = json.loads(run(*base).stdout)
    assert {"waived-tendering", "inflated-cost-vs-loan", "vendor-not-named-in-financing"} <= rule_ids(everything)
    only = json.loads(run(*base, "--select", "waived-tendering").stdout)
    assert rule_ids(only) == {"waived-tendering"}
    by_tag = json.loads(run(*base, "--select", "financing").stdout)  # tag of two rules
    assert rule_ids(by_tag) == {"inflated-cost-vs-loan", "vendor-not-named-in-financing"} & rule_ids(everything)
    ignored = json.loads(run(*base, "--ignore", "financing,waived-tendering").stdout)
    assert rule_ids(ignored) == rule_ids(everything) - {"waived-tendering", "inflated-cost-vs-loan", "vendor-not-named-in-financing"}
    assert {c["rule_id"] for c in ignored["cases"][0]["checks"]}.isdisjoint({"waived-tendering", "inflated-cost-vs-loan"})


def test_an_unknown_selector_is_a_usage_error_with_a_suggestion(tmp_path: Path) -> None:
    res = run("scan", str(EXAMPLE), "-q", "--cache-dir", str(tmp_path), "--select", "waived-tender")
    assert res.exit_code == 2
    assert "--select: no rule id or tag 'waived-tender'" in res.output and "did you mean 'waived-tendering'" in res.output


# --- config files ------------------------------------------------------------------------


def test_auditor_yaml_is_found_upwards_and_flags_override_it(tmp_path: Path) -> None:
    project = tmp_path / "project"
    sub = project / "filings" / "deep"
    sub.mkdir(parents=True)
    (project / ".auditor.yaml").write_text("fail-on: critical\nselect: [court-found-irregularity]\nocr: off\n")
    res = run("scan", str(EXAMPLE), "-f", "json", "-q", "--cache-dir", str(tmp_path / "c"), cwd=sub)
    assert res.exit_code == 1, res.output  # the file's fail-on: court-found-irregularity is critical
    assert rule_ids(json.loads(res.stdout)) == {"court-found-irregularity"}
    res = run("scan", str(EXAMPLE), "-f", "json", "-q", "--cache-dir", str(tmp_path / "c"), "--select",
              "waived-tendering", cwd=sub)
    assert res.exit_code == 0 and rule_ids(json.loads(res.stdout)) == {"waived-tendering"}
    res = run("scan", str(EXAMPLE), "-f", "json", "-q", "--cache-dir", str(tmp_path / "c"), "--no-config", cwd=sub)
    assert res.exit_code == 0 and len(rule_ids(json.loads(res.stdout))) > 1


def test_pyproject_tool_table(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.auditor]\nignore = ["secrecy-request"]\n'
                                            'exclude = ["*/judgment.pdf"]\njobs = 1\nfail_on = "high"\n')
    res = run("scan", str(EXAMPLE), "-f", "json", "-q", "--cache-dir", str(tmp_path / "c"), cwd=project)
    report = json.loads(res.stdout)
    assert res.exit_code == 1
    assert "islamabad-safe-city/judgment.pdf" not in {d["path"] for d in report["cases"][0]["documents"]}
    assert "secrecy-request" not in {c["rule_id"] for c in report["cases"][0]["checks"]}


@pytest.mark.parametrize("text, message", [
    ("fail-on: hgh\n", "did you mean 'high'"),
    ("selct: [waived-tendering]\n", "unknown key 'selct' (hint: did you mean 'select'?)"),
    ("jobs: many\n", "'jobs' must be a whole number"),
    ("packs: [kenia]\n", "unknown pack 'kenia' (hint: did you mean 'kenya'?)"),
])
def test_a_bad_config_is_a_usage_error_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / ".auditor.yaml").write_text("# settings\n" + text)
    res = run("scan", str(EXAMPLE), "-q", "--cache-dir", str(tmp_path / "c"), cwd=tmp_path)
    assert res.exit_code == 2
    assert ".auditor.yaml:2" in res.output and message in res.output, res.output


# --- suppressions ------------------------------------------------------------------------


def test_write_and_use_suppressions(tmp_path: Path) -> None:
    supp = tmp_path / "suppressions.yaml"
    base = ["scan", str(EXAMPLE), "-q", "--cache-dir", str(tmp_path / "c")]
    res = run(*base, "--write-suppressions", str(supp))
    assert res.exit_code == 2 and "--reason" in res.output
    res = run(*base, "--write-suppressions", str(supp), "--reason", "reviewed 2026-11-30: known to the auditor-general")
    assert res.exit_code == 0, res.output
    entries = supp.read_text()
    report = json.loads(run(*base, "-f", "json").stdout)
    fps = [f["fingerprint"] for c in report["cases"] for f in c["findings"]]
    assert all(f"fingerprint: {fp}" in entries for fp in fps)
    # one entry gets its own reason; the next write keeps it
    first = fps[0]
    entries = entries.replace(f'fingerprint: {first}\n    reason: "reviewed 2026-11-30: known to the auditor-general"',
                              f'fingerprint: {first}\n    reason: "lawful: cabinet exemption of 2009"')
    supp.write_text(entries)
    run(*base, "--write-suppressions", str(supp), "--reason", "second pass")
    assert 'reason: "lawful: cabinet exemption of 2009"' in supp.read_text()
    assert "second pass" not in supp.read_text()  # nothing new to add
    # suppressed: still in every report, marked, and not counted for --fail-on
    res = run(*base, "-f", "json", "--suppressions", str(supp), "--fail-on", "info")
    assert res.exit_code == 0, res.output
    findings = [f for c in json.loads(res.stdout)["cases"] for f in c["findings"]]
    assert len(findings) == len(fps)
    assert all(f["suppressed"]["reason"] for f in findings)
    assert next(f for f in findings if f["fingerprint"] == first)["suppressed"] == {"reason": "lawful: cabinet exemption of 2009"}
    for fmt, marker in (("table", "suppressed"), ("markdown", "Suppressed:"), ("html", "suppressed: lawful"),
                        ("csv", "lawful: cabinet exemption of 2009"), ("sarif", '"justification": "lawful'),
                        ("jsonl", '"suppressed":{"reason":"lawful')):
        out = run(*base, "-f", fmt, "--width", "200", "--suppressions", str(supp)).stdout
        assert marker in out, fmt


def test_a_partial_suppressions_file_still_fails_on_the_rest(tmp_path: Path) -> None:
    base = ["scan", str(EXAMPLE), "-q", "--cache-dir", str(tmp_path / "c")]
    report = json.loads(run(*base, "-f", "json").stdout)
    high = [f for c in report["cases"] for f in c["findings"] if f["severity"] in ("high", "critical")]
    supp = tmp_path / "s.yaml"
    supp.write_text("suppressions:\n  - fingerprint: %s\n    reason: checked\n  - fingerprint: 000000000000000000000000\n"
                    "    reason: old\n" % high[0]["fingerprint"])
    res = run(*base, "-f", "json", "--suppressions", str(supp), "--fail-on", "high")
    assert res.exit_code == (1 if len(high) > 1 else 0)
    assert any("matched no finding" in n and "000000000000000000000000" in n for n in json.loads(res.stdout)["notes"])


@pytest.mark.parametrize("text, message", [
    ("suppressions:\n  - fingerprint: abc\n", "needs a non-empty 'reason'"),
    ("suppressions:\n  - fingerprint: abc\n    reason: x\n    reson: y\n", "unknown key 'reson'"),
    ("- abc\n", "one key, 'suppressions'"),
])
def test_a_bad_suppressions_file_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    supp = tmp_path / "s.yaml"
    supp.write_text(text)
    res = run("scan", str(EXAMPLE), "-q", "--cache-dir", str(tmp_path / "c"), "--suppressions", str(supp))
    assert res.exit_code == 2 and message in res.output and "s.yaml:" in res.output


# --- CLI conventions ---------------------------------------------------------------------


@pytest.mark.parametrize("args, hint", [
    (["--fail-on", "hgh"], "did you mean 'high'?"),
    (["--format", "sarf"], "did you mean 'sarif'?"),
    (["--ocr", "of"], "did you mean 'off'?"),
])
def test_did_you_mean_for_enumerated_options(tmp_path: Path, args: list[str], hint: str) -> None:
    res = run("scan", str(EXAMPLE), "-q", "--cache-dir", str(tmp_path), *args)
    assert res.exit_code == 2 and hint in res.output and len(res.output.strip().splitlines()) == 1


def test_did_you_mean_for_facts_and_schema(tmp_path: Path) -> None:
    res = run("facts", str(EXAMPLE), "--format", "jsn", "--cache-dir", str(tmp_path))
    assert res.exit_code == 2 and "did you mean 'json'?" in res.output
    res = run("rules", "schema", "--kind", "rul")
    assert res.exit_code == 2 and "did you mean 'rule'?" in res.output


def test_help_shows_choices_not_types() -> None:
    res = runner.invoke(app, ["scan", "--help"], env={"COLUMNS": "250"})
    text = res.stdout
    assert "<bool>" not in text and "<list[Path]>" not in text and "<str>" not in text
    assert "table|json|jsonl|markdown|sarif|csv|html" in text and "info|low|medium|high|critical" in text
    assert "auto|off|force" in text
    for command in (["facts"], ["rules", "list"], ["rules", "show"], ["rules", "validate"], ["rules", "schema"],
                    ["rules", "test"], []):
        text = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "250"}).stdout
        for typename in ("<bool>", "<str>", "<int>", "<float>", "<path>", "<list["):
            assert typename not in text, (command, typename)


def test_version_short_and_long() -> None:
    from auditor import __version__

    for flag in ("-V", "--version"):
        res = run(flag)
        assert res.exit_code == 0 and res.stdout.strip() == f"auditor {__version__}"


def test_shell_completion_script_and_completions() -> None:
    import shlex
    import shutil

    if shutil.which("bash") is None:
        pytest.skip("no bash on this machine")
    # typer detects the shell from the parent process: run it from bash, as a user would
    command = " ".join(map(shlex.quote, [sys.executable, "-c", CONSOLE_SCRIPT, "--show-completion"]))
    proc = subprocess.run(["bash", "-c", command + "; exit $?"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert "_auditor_completion" in proc.stdout and "complete" in proc.stdout
    proc = subprocess.run([sys.executable, "-c", CONSOLE_SCRIPT], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "_AUDITOR_COMPLETE": "complete_bash",
                               "COMP_WORDS": "auditor scan --fail", "COMP_CWORD": "2"}, timeout=60)
    assert "--fail-on" in proc.stdout.split()


def test_empty_folder(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    res = run("scan", str(empty), "-q", "--cache-dir", str(tmp_path / "c"), "-f", "json")
    assert res.exit_code == 0 and "no PDF document found" in res.stderr
    res = run("scan", str(empty), "-q", "--cache-dir", str(tmp_path / "c"), "--fail-on", "high")
    assert res.exit_code == 2 and "no PDF document found under" in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_paths_from_stdin(tmp_path: Path) -> None:
    listing = "\n".join(str(p) for p in sorted(EXAMPLE.glob("*.pdf"))) + "\n# a comment\n\n"
    res = run("scan", "-", "-f", "json", "-q", "--cache-dir", str(tmp_path), input=listing)
    assert res.exit_code == 0, res.output
    folder = json.loads(run("scan", str(EXAMPLE), "-f", "json", "-q", "--cache-dir", str(tmp_path)).stdout)
    assert json.loads(res.stdout)["cases"] == folder["cases"]
    res = run("scan", "-", "-q", "--cache-dir", str(tmp_path), input="\n")
    assert res.exit_code == 2 and "stdin" in res.output


def test_jsonl_one_finding_per_line(tmp_path: Path) -> None:
    report = json.loads(run("scan", str(FIXTURE_CASES / "value-mismatch"), str(EXAMPLE), "-f", "json", "-q",
                            "--cache-dir", str(tmp_path)).stdout)
    lines = run("scan", str(FIXTURE_CASES / "value-mismatch"), str(EXAMPLE), "-f", "jsonl", "-q",
                "--cache-dir", str(tmp_path)).stdout.splitlines()
    expected = [(c["id"], f["fingerprint"]) for c in report["cases"] for f in c["findings"]]
    rows = [json.loads(line) for line in lines]
    assert sorted((r["case"], r["fingerprint"]) for r in rows) == sorted(expected)
    for r in rows:
        assert r["document"] == r["evidence"][0]["document"] and r["page"] == r["evidence"][0]["page"]


def test_csv_has_sha256_case_score_ocr_and_quoted_other_evidence(tmp_path: Path) -> None:
    report = json.loads(run("scan", str(EXAMPLE), "-f", "json", "-q", "--cache-dir", str(tmp_path)).stdout)
    rows = list(csv.DictReader(io.StringIO(run("scan", str(EXAMPLE), "-f", "csv", "-q", "--cache-dir", str(tmp_path)).stdout)))
    case = report["cases"][0]
    by_fp = {f["fingerprint"]: f for f in case["findings"]}
    sha = {d["path"]: d["sha256"] for d in case["documents"]}
    assert rows
    for row in rows:
        f = by_fp[row["fingerprint"]]
        assert row["sha256"] == sha[f["evidence"][0]["document"]] and len(row["sha256"]) == 64
        assert float(row["case_score"]) == case["score"]
        assert row["ocr"] == str(f["evidence"][0]["ocr"])
        for e in f["evidence"][1:]:
            assert f'{e["document"]}:{e["page"]} "{" ".join(e["quote"].split())}"' in row["other_evidence"]


@pytest.mark.parametrize("fmt", ["table", "json", "sarif", "markdown", "csv", "html", "jsonl"])
def test_a_narrow_stdout_encoding_never_crashes(tmp_path: Path, fmt: str) -> None:
    proc = cli("scan", str(EXAMPLE), "-f", fmt, "-q", "--cache-dir", str(tmp_path), env={"PYTHONIOENCODING": "ascii"})
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    if fmt in ("json", "sarif"):
        utf8 = cli("scan", str(EXAMPLE), "-f", fmt, "-q", "--cache-dir", str(tmp_path), env={"PYTHONIOENCODING": "utf-8"})
        assert json.loads(proc.stdout) == json.loads(utf8.stdout)  # lossless: \\u escapes


@pytest.mark.parametrize("entry", ["auditor.entry", "auditor.cli"])  # the scan fast path, and typer's
def test_a_crash_is_exit_4_with_one_line_and_debug_shows_the_traceback(tmp_path: Path, entry: str) -> None:
    """A bug (here: a renderer that raises) exits 4, never 1 (findings)."""
    code = ("import sys; import auditor.report.json_ as j\n"
            "def boom(*a, **k): raise RuntimeError('renderer exploded')\n"
            "j.render = j.stream = boom\n"  # JSON is written case by case through stream()
            f"from {entry} import main; main()\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["scan", str(EXAMPLE), "-f", "json", "-q", "--cache-dir", str(tmp_path), "--fail-on", "high"]
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 4
    assert proc.stderr.strip() == "auditor: internal error: RuntimeError: renderer exploded"
    proc = subprocess.run([sys.executable, "-c", code, *args, "--debug"], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 4 and "Traceback" in proc.stderr and "renderer exploded" in proc.stderr
