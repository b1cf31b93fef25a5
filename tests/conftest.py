"""Shared test fixtures: one real scan of all fixture cases per test session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_CASES = ROOT / "fixtures" / "cases"
EXAMPLE = FIXTURE_CASES / "islamabad-safe-city"

# The rule ids fixed by the outside contract (../shared/CONTRACT.md).
CONTRACT_RULE_IDS = frozenset({
    "waived-tendering",
    "inflated-cost-vs-loan",
    "missing-feasibility-study",
    "urgency-without-emergency",
    "secrecy-request",
    "vendor-not-named-in-financing",
    "unsolicited-proposal",
    "court-found-irregularity",
    "short-bidding-period",
    "contract-value-mismatch",
})


@pytest.fixture(scope="session")
def fixtures_report(tmp_path_factory) -> dict:
    """The JSON report (schema v1) of `auditor scan fixtures/cases`, as a dict."""
    from auditor.options import ScanOptions
    from auditor.pipeline import run_scan
    from auditor.report import Format, render
    from auditor.ruleset.schema import builtin_rules_dir, load_rules

    rules, _ = load_rules([builtin_rules_dir()])
    options = ScanOptions(use_cache=False, cache_dir=tmp_path_factory.mktemp("cache"))
    result = run_scan([FIXTURE_CASES], options, rules)
    return json.loads(render(result, Format.JSON))


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path_factory, monkeypatch) -> None:
    """Tests never touch the user's real cache directory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
