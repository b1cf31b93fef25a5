"""The rule pack as a product: every rule validates, its self-tests pass (one
pytest case per self-test), its doc page is current, and a broken rule
directory is reported completely, each problem as file:line:col."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.errors import RuleFileError
from auditor.ruleset.docs import rule_markdown
from auditor.ruleset.schema import builtin_rules_dir, load_rules
from auditor.ruleset.selftest import lint_tests, load_tests, run_case
from conftest import CONTRACT_RULE_IDS

ROOT = Path(__file__).resolve().parents[1]
CONTRACT_IDS = CONTRACT_RULE_IDS

RULES, _ = load_rules([builtin_rules_dir()])
CASES = [(rule, case) for rule in RULES for case in load_tests(rule)]


def test_pack_has_every_contract_rule() -> None:
    assert {r.id for r in RULES} >= CONTRACT_IDS


def test_pack_validates_cleanly() -> None:
    _, problems = load_rules([builtin_rules_dir()], collect=True)
    problems += lint_tests(builtin_rules_dir(), RULES)
    assert problems == []


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_each_rule_has_enough_self_tests(rule) -> None:
    cases = load_tests(rule)
    assert sum(c.expect == "fire" for c in cases) >= 4
    assert sum(c.expect == "silent" for c in cases) >= 4
    assert rule.references, "every rule cites its legal basis"


@pytest.mark.parametrize(
    "rule,case", CASES, ids=[f"{r.id}-{c.expect}-{c.index}" for r, c in CASES]
)
def test_rule_self_test(rule, case) -> None:
    ok, detail = run_case(rule, case)
    assert ok, f"{rule.id} {case.expect} #{case.index} ({case.label}): {detail}"


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_doc_page_is_current(rule) -> None:
    page = ROOT / "docs" / "rules" / f"{rule.id}.md"
    assert page.exists(), "run: python -m auditor.ruleset.docs"
    assert page.read_text(encoding="utf-8") == rule_markdown(rule), "stale doc page: python -m auditor.ruleset.docs"


BROKEN = {
    "bad-keys.yaml": """\
id: bad-keys
title: A rule with problems
severity: severe
status: stable
summary: Flags things.
message: "Found {quote} in {nosuchfield}"
rationale: Because.
references:
  - title: Some Act
    sektion: 5
conditons:
  exists: {fact: tendering-waived}
""",
    "bad-condition.yaml": """\
id: bad-condition
title: Another rule
severity: high
status: experimental
summary: Flags things.
message: "{quote}"
rationale: Because.
references:
  - title: Some Act
conditions:
  all:
    - exists: {fact: tendering-waivd}
    - compare:
        left: {fact: money, where: {role: contract-prize}, attr: usd}
        op: bigger
        right: {param: nope}
""",
    "syntax.yaml": "id: syntax\ntitle: [unclosed\n",
    "wrong-name.yaml": """\
id: another-id
title: T
severity: low
status: experimental
summary: S
message: M
rationale: R
references: [{title: X}]
conditions: {exists: {fact: money}}
""",
}


def test_broken_rule_directory_reports_every_problem(tmp_path: Path) -> None:
    for name, text in BROKEN.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as err:
        load_rules([tmp_path])
    lines = err.value.render().splitlines()
    located = [re.match(r"^(.+?):(\d+):(\d+): (.+)$", line) for line in lines]
    assert all(located), lines
    text = "\n".join(lines)
    # every problem of every file, at once, with its position
    assert re.search(r"bad-keys\.yaml:3:11: severity: 'severe' is not one of", text)
    assert re.search(r"bad-keys\.yaml:10:5: references\[0\]: unknown key 'sektion'", text)
    assert re.search(r"bad-keys\.yaml:11:1: rule: unknown key 'conditons' \(hint: did you mean 'conditions'\?\)", text)
    assert "missing required key 'conditions'" in text
    assert "unknown field '{nosuchfield}'" in text
    assert re.search(r"bad-condition\.yaml:12:\d+: .*'tendering-waivd'.*did you mean 'tendering-waived'", text)
    assert "'contract-prize' is not one of" in text
    assert "'bigger' is not one of" in text
    assert "unknown parameter 'nope'" in text
    assert re.search(r"syntax\.yaml:\d+:\d+: YAML syntax error", text)
    assert "does not match the file name 'wrong-name.yaml'" in text
    assert len(lines) >= 11


def test_stable_rule_without_tests_fails_the_linter(tmp_path: Path) -> None:
    rule = (builtin_rules_dir() / "secrecy-request.yaml").read_text(encoding="utf-8")
    (tmp_path / "secrecy-request.yaml").write_text(rule, encoding="utf-8")
    rules, problems = load_rules([tmp_path], collect=True)
    assert problems == []
    lint = lint_tests(tmp_path, rules)
    assert any("has no tests" in p.message for p in lint)


def test_unknown_keys_in_test_files_are_refused(tmp_path: Path) -> None:
    for name in ("secrecy-request.yaml",):
        (tmp_path / name).write_text((builtin_rules_dir() / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "secrecy-request.test.yaml").write_text(
        "rule: secrecy-request\nfire:\n  - txt: hello\nsilent: []\n", encoding="utf-8"
    )
    rules, _ = load_rules([tmp_path], collect=True)
    lint = lint_tests(tmp_path, rules)
    assert any("unknown key 'txt'" in p.render() and ":3:" in p.render() for p in lint)
