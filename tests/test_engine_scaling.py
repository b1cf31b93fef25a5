"""Issue 15, item 15: rule evaluation grows linearly with a case's facts.

Work is counted, not timed (timings belong in bench/): the number of attribute
look-ups (``Fact.get``) and name comparisons the built-in rules make over a case
four times larger must grow about four times, not sixteen."""

from __future__ import annotations

import random

import pytest

from auditor.extract import parties
from auditor.extract.facts import analyse
from auditor.models import DocumentInfo, DocumentResult, Fact, Page, PageSource
from auditor.pipeline import evaluate_case
from auditor.ruleset import engine
from auditor.ruleset.schema import builtin_rules_dir, load_rules


def _agreement_page(i: int, named: bool) -> str:
    claim = (f"The credit is tied to M/s Supplier{i} Industries Limited as required by the Lender."
             if named else "The credit is tied to the vendor as required by the Lender.")
    return (f"LOAN AGREEMENT\nThe Borrower shall procure the goods from M/s Company{i} Limited.\n{claim}\n"
            f"The Lender agrees to lend USD {i + 1} million to the Borrower.\n")


def _case(pages: int, named: bool) -> list[DocumentResult]:
    texts = [_agreement_page(i, named) for i in range(pages)]
    analysis = analyse("loan.pdf", "0" * 64, [Page(i + 1, t, PageSource.TEXT) for i, t in enumerate(texts)],
                       kind="financing-agreement")
    return [DocumentResult(DocumentInfo("loan.pdf", "0" * 64, pages, kind=analysis.kind), analysis.facts)]


@pytest.fixture(scope="module")
def rules():
    return load_rules([builtin_rules_dir()])[0]


def _work(results, rules, monkeypatch) -> int:
    count = [0]
    get, match = Fact.get, parties.name_match

    def counting_get(self, key, default=None):
        count[0] += 1
        return get(self, key, default)

    def counting_match(a, b):
        count[0] += 1
        return match(a, b)

    monkeypatch.setattr(Fact, "get", counting_get)
    monkeypatch.setattr(parties, "name_match", counting_match)
    try:
        evaluate_case("c", results, rules)
    finally:
        monkeypatch.undo()
    return count[0]


@pytest.mark.parametrize("named", [False, True], ids=["generic-vendor", "named-vendors"])
def test_rule_evaluation_work_grows_linearly(rules, monkeypatch, named):
    small, large = _case(60, named), _case(240, named)
    assert sum(len(r.facts) for r in large) >= 3.5 * sum(len(r.facts) for r in small)
    ratio = _work(large, rules, monkeypatch) / _work(small, rules, monkeypatch)
    assert ratio < 6, f"4x the facts cost {ratio:.1f}x the work"


def test_the_name_index_gives_the_best_match_of_a_loop_over_the_names():
    rng = random.Random(15)
    words = ["Sino", "Pak", "Vision", "Alpha", "Beta", "Technologies", "Industries", "Co.", "Ltd", "Limited",
             "Corporation", "SPV", "Huawei", "Zhongxing", "ZTE", "Global", "Trading", "M/s", "the", "and"]
    for _ in range(200):
        names = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(0, 30))]
        vendor = " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))
        best, best_name = 0.0, ""
        for name in dict.fromkeys(names):
            score = parties.name_match(vendor, name)
            if score > best:
                best, best_name = score, name
        assert engine._NameIndex(list(dict.fromkeys(names))).best(vendor) == (best, best_name), (vendor, names)
