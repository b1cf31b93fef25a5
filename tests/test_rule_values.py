"""`where:` values are checked against the values an attribute can take
(``kinds.known_values``): a typo is a located error with a hint, collected with
every other problem of the pack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.extract import patterns
from auditor.extract.kinds import known_values
from auditor.ruleset.schema import load_rules

HEAD = """\
title: T
severity: high
status: experimental
summary: S
message: "{quote}"
rationale: R
references: [{title: Some Act}]
"""


def problems_of(tmp_path: Path, rid: str, conditions: str, extra: str = "") -> list[str]:
    (tmp_path / f"{rid}.yaml").write_text(f"id: {rid}\n{HEAD}{extra}conditions:\n{conditions}", encoding="utf-8")
    _, problems = load_rules([tmp_path], collect=True)
    return [p.render() for p in problems]


def test_a_typo_in_a_where_value_is_located_with_a_hint(tmp_path):
    lines = problems_of(tmp_path, "typo", "  exists:\n    fact: tendering-waived\n    where: {mechanism: single-sorce}\n")
    assert lines == [f"{tmp_path / 'typo.yaml'}:12:24: conditions.exists.where.mechanism: "
                     "'single-sorce' is not a known value of mechanism (hint: did you mean 'single-source'?)"]


def test_value_problems_are_collected_with_every_other_problem(tmp_path):
    lines = problems_of(tmp_path, "many", """\
  all:
    - exists: {fact: tendering-waived, where: {mechanism: [waiver, dispensd], justified: "no"}}
    - exists: {fact: court-irregularity, where: {speaker: judge, finding: set-asid}}
    - exists: {fact: bidding-period, where: {scope: regional}, colour: red}
""")
    text = "\n".join(lines)
    assert re.search(r"many\.yaml:11:\d+: .*'dispensd' is not a known value of mechanism \(hint: did you mean 'dispensed'\?\)", text)
    assert "'no' is not a known value of justified (hint: write true or false)" in text
    assert "'judge' is not a known value of speaker (hint: known values: court, record, party" in text
    assert "'set-asid' is not a known value of finding (hint: did you mean 'set-aside'?)" in text
    assert "'regional' is not a known value of scope" in text
    assert "unknown key 'colour'" in text
    assert len(lines) == 6


def test_valid_values_pass(tmp_path):
    assert problems_of(tmp_path, "fine", """\
  all:
    - exists: {fact: tendering-waived, where: {mechanism: [single-source, waiver], justified: false}}
    - exists: {fact: money, where: {role: contract-price, approx: true, currency: PKR}}
    - exists: {fact: court-irregularity, where: {speaker: court, document_kind: judgment}}
    - exists: {fact: bidding-period, where: {scope: international, days: {lt: 10}}}
""") == []


def test_money_roles_keep_their_wording(tmp_path):
    lines = problems_of(tmp_path, "role", "  exists: {fact: money, where: {role: contract-prize}}\n")
    assert len(lines) == 1 and "'contract-prize' is not one of: contract-price" in lines[0]
    assert "did you mean 'contract-price'?" in lines[0]


def test_a_keyed_parameter_missing_a_known_key_is_refused(tmp_path):
    each = "  each:\n    select: {fact: bidding-period}\n    test: [{attr: days, op: lt, param: min_days, key: scope}]\n"
    lines = problems_of(tmp_path, "keyed", each, "parameters:\n  min_days: {national: 15}\n")
    assert len(lines) == 1 and "parameter 'min_days' has no value for scope 'international'" in lines[0]
    assert problems_of(tmp_path, "keyed", each, "parameters:\n  min_days: {national: 15, default: 30}\n") == []


@pytest.mark.parametrize("kind,attr,expected", [
    ("tendering-waived", "mechanism", patterns.load().kinds["tendering-waived"].attr("mechanism").values),
    ("tendering-waived", "justified", ("true", "false")),
    ("money", "role", ("contract-price", "loan-amount", "npv-cost", "estimate", "market-price")),
    ("bidding-period", "scope", ("national", "international")),
    ("court-irregularity", "speaker", ("court", "record", "party", "law", "author", "precedent", "other")),
    ("money", "vendor", None),
    ("organisation", "name", None),
])
def test_known_values(kind, attr, expected):
    assert known_values(kind, attr) == expected
