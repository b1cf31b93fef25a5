"""Fail loudly: a message field nothing fills, a keyed parameter without the key
asked for, a broken exchange-rate table and an extractor bug are errors that
name what went wrong (exit code 4), never a silent fallback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pdfgen
from auditor import fx
from auditor.cli import app, exit_code
from auditor.errors import INTERNAL_ERROR_CODE, ExitCode, InternalError
from auditor.models import (
    AuditResult,
    CaseResult,
    Check,
    DocumentError,
    DocumentInfo,
    Evidence,
    Fact,
    Outcome,
    ScanStats,
    Severity,
)
from auditor.options import OcrMode, ScanOptions
from auditor.ruleset.engine import CaseView, evaluate_rule
from auditor.ruleset.schema import load_rules
from conftest import EXAMPLE

RULE_HEAD = """\
title: T
severity: medium
status: experimental
summary: S
rationale: R
references: [{title: Some Act}]
"""


def _rule(tmp_path: Path, rid: str, body: str):
    (tmp_path / f"{rid}.yaml").write_text(f"id: {rid}\n{RULE_HEAD}{body}", encoding="utf-8")
    rules, _ = load_rules([tmp_path])
    return rules[0]


def _fact(kind: str, **attrs) -> Fact:
    ev = Evidence("case/notice.pdf", 1, "the quote", sha256="0" * 64)
    return Fact(kind, (ev,), 0.9, attrs=tuple(attrs.items()))


def _case(*facts: Fact) -> CaseView:
    return CaseView("case", (DocumentInfo("case/notice.pdf", "0" * 64, 1, kind="tender-notice"),), facts)


# --- message fields -------------------------------------------------------------------


def test_a_message_field_no_condition_fills_is_an_error_naming_rule_and_field(tmp_path):
    # {left} is filled by the compare branch, but the exists branch is the one that fires
    rule = _rule(tmp_path, "no-left", 'message: "Found {quote}: {left}"\nconditions:\n  any:\n'
                 "    - exists: {fact: secrecy-request}\n"
                 "    - compare: {left: {fact: money, attr: usd}, op: gt, right: 1000}\n")
    with pytest.raises(InternalError) as err:
        evaluate_rule(rule, _case(_fact("secrecy-request")))
    assert "no-left" in err.value.message and "{left}" in err.value.message


def test_a_field_only_a_missing_kind_of_condition_fills_is_refused_at_validation(tmp_path):
    (tmp_path / "no-left.yaml").write_text(
        f"id: no-left\n{RULE_HEAD}message: \"{{quote}}: {{left}} ({{spread_pct}})\"\n"
        "conditions: {all: [{exists: {fact: secrecy-request}}, {spread: {select: {fact: money}, attr: usd, threshold: 0.1}}]}\n",
        encoding="utf-8")
    _, problems = load_rules([tmp_path], collect=True)
    assert [p.message for p in problems] == [
        "message: field '{left}' is filled only by a compare condition, and this rule has none"]


def test_fields_every_fact_has_are_filled(tmp_path):
    rule = _rule(tmp_path, "common", 'message: "{quote} in a {document_kind} ({status}, {confidence})"\n'
                 "conditions: {exists: {fact: secrecy-request}}\n")
    finding, = evaluate_rule(rule, _case(_fact("secrecy-request"))).findings
    assert finding.message == "the quote in a tender-notice (asserted, 0.9)"


def test_an_unknown_message_field_is_refused_at_validation(tmp_path):
    (tmp_path / "bad-field.yaml").write_text(
        f"id: bad-field\n{RULE_HEAD}message: \"{{quote}} {{qoute}}\"\nconditions: {{exists: {{fact: money}}}}\n", encoding="utf-8")
    _, problems = load_rules([tmp_path], collect=True)
    assert any("unknown field '{qoute}'" in p.message and p.hint == "did you mean 'quote'?" for p in problems)


# --- keyed parameters -----------------------------------------------------------------

KEYED = """\
message: "{days} days, below {threshold}"
parameters:
  min_days: {national: 15}
conditions:
  each:
    select: {fact: bidding-period}
    test: [{attr: days, op: lt, param: min_days, key: scope}]
"""


def test_a_keyed_parameter_without_the_key_is_an_error_not_its_first_value(tmp_path):
    # the validator refuses such a rule file; parameters given at evaluation (a
    # jurisdiction's settings) are checked when they are used
    rule = _rule(tmp_path, "keyed", KEYED.replace("{national: 15}", "{national: 15, international: 30}"))
    case = _case(_fact("bidding-period", days=20, scope="international"))
    with pytest.raises(InternalError) as err:
        evaluate_rule(rule, case, parameters={"min_days": {"national": 15}})
    text = err.value.message
    assert "keyed" in text and "min_days" in text and "'international'" in text


def test_a_keyed_parameter_with_the_key_or_a_default_works(tmp_path):
    rule = _rule(tmp_path, "keyed", KEYED.replace("{national: 15}", "{national: 15, default: 30}"))
    fired = evaluate_rule(rule, _case(_fact("bidding-period", days=10, scope="national")))
    assert fired.check.outcome is Outcome.FIRED and "below 15" in fired.findings[0].message
    fired = evaluate_rule(rule, _case(_fact("bidding-period", days=20, scope="international")))
    assert fired.check.outcome is Outcome.FIRED and "below 30" in fired.findings[0].message


# --- the exchange-rate table ----------------------------------------------------------


@pytest.fixture()
def fresh_table():
    fx._table.cache_clear()
    yield
    fx._table.cache_clear()


def test_a_missing_rate_table_raises_a_dedicated_error(monkeypatch, fresh_table):
    monkeypatch.setattr(fx, "_DATA_FILE", "no-such-table.csv")
    with pytest.raises(fx.RateTableError, match="no-such-table.csv"):
        fx.to_usd(100.0, "PKR", 2010)


@pytest.mark.parametrize("row,why", [
    ("PKR,20x0,85.19", "bad row"),
    ("PKR,2010,-1", "bad rate"),
    ("PKR,2010", "bad row"),
    ("PKR,2009,81.71", "duplicate row"),
])
def test_a_bad_row_names_its_line(row, why):
    text = "# comment\ncurrency,year,lcu_per_usd\nPKR,2009,81.71\n" + row + "\n"
    with pytest.raises(fx.RateTableError, match=rf"fx_usd_annual\.csv:4: {why}"):
        fx.parse_table(text)
    assert isinstance(fx.RateTableError("x"), InternalError)


def test_money_conversion_is_loud_on_a_broken_table_and_quiet_on_an_unknown_currency(monkeypatch, fresh_table):
    from auditor.extract.facts import _to_usd

    assert _to_usd(100.0, "XYZ", 2010) is None  # no rate for it: a normal "cannot convert"
    assert _to_usd(100.0, "PKR", 1850) is not None  # a year outside the table: the nearest year
    fx._table.cache_clear()
    monkeypatch.setattr(fx, "_DATA_FILE", "no-such-table.csv")
    with pytest.raises(fx.RateTableError):
        _to_usd(100.0, "PKR", 2010)


# --- extractor bugs -------------------------------------------------------------------


def test_an_extractor_bug_is_an_internal_error_not_a_corrupt_document(tmp_path, monkeypatch):
    import auditor.extract.facts as facts
    from auditor.ingest.worker import DocTask, run_document

    pdf = pdfgen.text_pdf(tmp_path / "award.pdf", [["The contract was awarded through direct contracting."]])

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero\nsecond line")

    monkeypatch.setattr(facts, "analyse", broken)
    outcome = run_document(DocTask(pdf, "award.pdf", "."), ScanOptions(ocr=OcrMode.OFF, use_cache=False))
    err = outcome.result.info.error
    assert err == DocumentError(INTERNAL_ERROR_CODE, "internal error in fact extraction: ZeroDivisionError: division by zero")
    assert not outcome.cacheable


def test_a_broken_pdf_is_still_corrupt(tmp_path):
    from auditor.ingest.worker import DocTask, run_document

    whole = pdfgen.text_pdf(tmp_path / "whole.pdf", [["Some text on a page of a tender notice."]])
    cut = pdfgen.truncated(tmp_path / "cut.pdf", whole)
    outcome = run_document(DocTask(cut, "cut.pdf", "."), ScanOptions(ocr=OcrMode.OFF, use_cache=False))
    assert outcome.result.info.error.code == "corrupt"


# --- exit code 4 ----------------------------------------------------------------------


def _result(doc_error: DocumentError | None = None, check: Outcome = Outcome.NOT_FIRED, finding: bool = False) -> AuditResult:
    from auditor.models import Finding

    docs = (DocumentInfo("c/a.pdf", "0" * 64, 1), DocumentInfo("c/b.pdf", "1" * 64, 0, error=doc_error))
    findings = (Finding("r", "T", Severity.HIGH, 40.0, 1.0, "m", (), "f" * 24),) if finding else ()
    case = CaseResult("c", 0.0, docs, findings, (Check("r", check),))
    return AuditResult("0", (".",), (case,), stats=ScanStats(documents=2, errors=int(doc_error is not None)))


def test_exit_code_priorities():
    internal = DocumentError(INTERNAL_ERROR_CODE, "internal error in fact extraction: KeyError: 'x'")
    corrupt = DocumentError("corrupt", "the PDF cannot be read")
    assert exit_code(_result(), None, False) is ExitCode.OK
    assert exit_code(_result(finding=True), Severity.LOW, False) is ExitCode.FINDINGS
    assert exit_code(_result(corrupt, finding=True), Severity.LOW, True) is ExitCode.UNREADABLE
    assert exit_code(_result(corrupt), None, False) is ExitCode.OK
    assert exit_code(_result(internal), None, False) is ExitCode.INTERNAL
    assert exit_code(_result(internal, finding=True), Severity.LOW, True) is ExitCode.INTERNAL
    assert exit_code(_result(check=Outcome.ERROR), None, False) is ExitCode.INTERNAL
    assert int(ExitCode.INTERNAL) == 4


def test_a_rule_that_raises_makes_the_scan_exit_4_with_one_line(monkeypatch):
    import auditor.pipeline as pipeline

    real = pipeline.evaluate_rule

    def flaky(rule, view, *args, **kwargs):
        if rule.id == "secrecy-request":
            raise InternalError("rule 'secrecy-request': the message field '{x}' was not filled by any condition")
        return real(rule, view, *args, **kwargs)

    monkeypatch.setattr(pipeline, "evaluate_rule", flaky)
    res = CliRunner().invoke(app, ["scan", str(EXAMPLE), "--format", "json", "--no-cache", "--quiet"], catch_exceptions=False)
    assert res.exit_code == 4
    case = json.loads(res.stdout)["cases"][0]
    assert {c["rule_id"]: c["outcome"] for c in case["checks"]}["secrecy-request"] == "error"
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "internal error" in lines[0] and "1 rule check(s)" in lines[0]


def test_the_traceback_of_an_extractor_bug_only_with_debug(tmp_path, monkeypatch, capsys):
    import auditor.extract.facts as facts
    from auditor.ingest.worker import DEBUG_ENV, DocTask, run_document

    pdf = pdfgen.text_pdf(tmp_path / "a.pdf", [["Some text on the page of a letter of award."]])
    monkeypatch.setattr(facts, "analyse", lambda *a, **k: {}["missing"])
    task, options = DocTask(pdf, "a.pdf", "."), ScanOptions(ocr=OcrMode.OFF, use_cache=False)
    monkeypatch.delenv(DEBUG_ENV, raising=False)
    assert run_document(task, options).result.info.error.message == "internal error in fact extraction: KeyError: 'missing'"
    assert capsys.readouterr().err == ""
    monkeypatch.setenv(DEBUG_ENV, "1")
    run_document(task, options)
    assert "Traceback" in capsys.readouterr().err


def test_an_unexpected_exception_in_the_cli_is_one_line_and_exit_4(monkeypatch, capsys):
    import sys

    import auditor.cli as cli

    def boom() -> None:
        raise RuntimeError("something broke\nand more")

    monkeypatch.setattr(cli, "app", boom)
    monkeypatch.setattr(sys, "argv", ["auditor", "scan", "x"])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 4
    assert capsys.readouterr().err == "auditor: internal error: RuntimeError: something broke\n"
