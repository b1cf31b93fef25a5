"""The example pack examples/rule-packs/single-bid-accepted: a new red flag written in YAML only
(its rule, its fact patterns, its self-tests), run through a real scan of real PDFs."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from auditor.cli import app
from auditor.errors import RuleFileError
from auditor.extract import patterns
from pdfgen import text_pdf

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "examples" / "rule-packs" / "single-bid-accepted"
runner = CliRunner()

AWARD = [
    "EVALUATION REPORT AND AWARD",
    "Procurement of 40 ambulances for the District Health Authority, Tender No. DHA/2021/14.",
    "The tender was advertised in two newspapers on 2nd March, 2021 with a closing date of 2nd April, 2021.",
    "Only one bid was received by the closing date, from M/s Medline Pvt Ltd.",
    "The Evaluation Committee found the bid responsive and recommended the award of the contract to",
    "M/s Medline Pvt Ltd, the sole bidder, at Rs. 96,400,000/-.",
    "The contract was accordingly awarded on 20th April, 2021.",
]
RETENDER = [
    "MINUTES OF THE MEETING OF THE PROCUREMENT COMMITTEE",
    "Procurement of 40 ambulances for the District Health Authority, Tender No. DHA/2021/14.",
    "Only one bid was received by the closing date.",
    "The Committee decided that the tender be cancelled and re-advertised with a longer bidding period.",
]
FIVE_BIDS = [
    "EVALUATION REPORT AND AWARD",
    "Procurement of 40 ambulances for the District Health Authority, Tender No. DHA/2021/14.",
    "Five bids were received by the closing date and opened in the presence of the bidders.",
    "The contract was awarded to the lowest evaluated bidder, M/s Medline Pvt Ltd, at Rs. 91,000,000/-.",
]


def _scan(folder: Path, *extra: str) -> tuple[int, dict]:
    res = runner.invoke(app, ["scan", str(folder), "--no-cache", "--quiet", "--format", "json", "--ocr", "off", *extra],
                        catch_exceptions=False)
    return res.exit_code, json.loads(res.stdout)


def _rules_fired(report: dict) -> set[str]:
    return {f["rule_id"] for c in report["cases"] for f in c["findings"]}


def _case(tmp_path: Path, lines: list[str]) -> Path:
    folder = tmp_path / "case"
    folder.mkdir(parents=True)
    text_pdf(folder / "award.pdf", ["\n".join(lines)])
    return folder


def test_the_pack_holds_no_python() -> None:
    files = [p for p in PACK.rglob("*") if p.is_file()]
    assert files and all(p.suffix in {".yaml", ".md"} for p in files), files


def test_the_pack_validates_and_its_self_tests_pass() -> None:
    res = runner.invoke(app, ["rules", "validate", str(PACK)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["rules", "test", str(PACK)])
    assert res.exit_code == 0, res.output
    assert "9/9" in res.output


def test_a_single_bid_award_fires_the_new_rule(tmp_path: Path) -> None:
    code, report = _scan(_case(tmp_path, AWARD), "--rules", str(PACK))
    assert code == 0
    (finding,) = [f for c in report["cases"] for f in c["findings"] if f["rule_id"] == "single-bid-accepted"]
    assert finding["evidence"][0]["page"] == 1
    assert any("sole bidder" in e["quote"] or "Only one bid" in e["quote"] for e in finding["evidence"])
    assert "R018" in finding["legal_basis"]
    # the built-in pack no longer takes one bid received for a single-source award
    assert "waived-tendering" not in _rules_fired(report)


def test_re_tendering_and_a_five_bid_award_stay_silent(tmp_path: Path) -> None:
    for i, lines in enumerate((RETENDER, FIVE_BIDS)):
        code, report = _scan(_case(tmp_path / str(i), lines), "--rules", str(PACK))
        assert code == 0
        assert "single-bid-accepted" not in _rules_fired(report), lines


def test_without_the_pack_the_rule_does_not_exist(tmp_path: Path) -> None:
    code, report = _scan(_case(tmp_path, AWARD))
    assert code == 0
    assert "single-bid-accepted" not in _rules_fired(report)


def test_a_broken_pattern_file_reports_every_problem_with_its_place(tmp_path: Path) -> None:
    bad = tmp_path / "pack" / "patterns"
    bad.mkdir(parents=True)
    (bad / "broken.yaml").write_text(
        "set: broken\n"
        "anchors: 'x'\n"
        "colour: red\n"                                   # unknown key
        "kinds:\n"
        "  my-kind: {description: A kind.}\n"
        "triggers:\n"
        "  - id: unbalanced\n"
        "    kind: my-kind\n"
        "    pattern: '(unclosed'\n"                       # does not compile
        "    confidence: 0.8\n"
        "  - id: no-such-kind\n"
        "    kind: my-kynd\n"                              # typo of a kind
        "    pattern: 'x'\n"
        "    confidence: 0.8\n"
        "  - id: unknown-macro\n"
        "    kind: my-kind\n"
        "    pattern: '{NOPE} x'\n"                        # unknown macro
        "    confidence: 2\n",                             # out of range
        encoding="utf-8",
    )
    problems = patterns.validate(patterns.pack_dirs([tmp_path / "pack"]))
    text = "\n".join(p.render() for p in problems)
    assert len(problems) == 5, text
    assert "broken.yaml:3:1: pattern set: unknown key 'colour'" in text
    assert "broken.yaml:9:14: trigger unbalanced: pattern: the pattern does not compile" in text
    assert "broken.yaml:12:11: trigger no-such-kind: unknown fact kind 'my-kynd'" in text and "my-kind" in text
    assert "unknown macro {NOPE}" in text
    assert "confidence must be a number in (0, 1]" in text
    try:
        patterns.load(patterns.pack_dirs([tmp_path / "pack"]))
    except RuleFileError as exc:
        assert len(exc.problems) == 5
    else:  # pragma: no cover
        raise AssertionError("a broken pattern file must not load")
    res = runner.invoke(app, ["rules", "validate", str(tmp_path / "pack")])
    assert res.exit_code == 2
